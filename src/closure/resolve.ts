// The dynamic loader's search for a DT_NEEDED name, simulated for glibc and for musl with no
// LD_LIBRARY_PATH, over a LoaderView (the package where it will lie, the base image's inventory).
//
// glibc (elf/dl-load.c, _dl_map_object): an object already loaded under that name or soname;
// a name with a slash is opened as is; otherwise DT_RPATH of the loading object and of its loaders
// up the chain, then the main program's DT_RPATH (all of this only when the loading object has no
// DT_RUNPATH; an object with both ignores its DT_RPATH), then the loading object's own DT_RUNPATH
// (never inherited), then /etc/ld.so.cache and the built-in directories (both skipped under
// DF_1_NODEFLIB). Files of another class or machine are passed over; a file that is not ELF stops
// the search with an error. $ORIGIN, $LIB and $PLATFORM are expanded.
//
// musl (ldso/dynlink.c, load_library): libc, libpthread, libm, librt, libdl, libutil and libxnet
// are the loader itself; a name already loaded; a slash opens as is; then the run path of the
// loading object and of every object up the chain (DT_RUNPATH if present, else DT_RPATH: musl
// inherits both); then /etc/ld-musl-ARCH.path or /lib:/usr/local/lib:/usr/lib. Only $ORIGIN is
// expanded; a path with any other `$` is ignored whole. The first file that opens is taken.
import type { Libc } from '../types.ts';
import { DF_1_NODEFLIB, DF_1_PIE } from './elf/index.ts';
import type { Inventory } from './inventory.ts';
import { dirname } from './rootfs.ts';
import type { LoaderView, ObjectFacts, Origin } from './view.ts';

export interface LoaderModel {
  libc: Libc;
  machine: string;
  class: 32 | 64;
  /** glibc: the built-in trusted directories; musl: the search path. */
  defaultDirs: string[];
  /** glibc: ld.so.cache, name -> path. */
  cache?: Map<string, string>;
  /** $LIB and $PLATFORM. */
  lib: string;
  platform: string;
  /** Paths of the program interpreter; for musl also the answer for libc and friends. */
  interpreters: string[];
}

export function modelOf(inventory: Inventory): LoaderModel {
  return {
    libc: inventory.libc,
    machine: inventory.machine,
    class: inventory.class,
    defaultDirs: inventory.loader.defaultDirs,
    ...(inventory.loader.cache !== undefined && { cache: new Map(Object.entries(inventory.loader.cache)) }),
    lib: inventory.loader.lib,
    platform: inventory.loader.platform,
    interpreters: inventory.interpreters,
  };
}

/** An object in a loading chain. */
export interface LoadNode {
  /** The path it was opened under; $ORIGIN is its directory. */
  path: string;
  facts: ObjectFacts;
  /** The object whose DT_NEEDED (or dlopen) brought it in: glibc's l_loader, musl's needed_by. */
  parent?: LoadNode;
  /** The main program: its $ORIGIN comes from its real path, and glibc always tries its DT_RPATH. */
  main?: boolean;
}

type Via = 'loaded' | 'libc' | 'direct' | 'rpath' | 'runpath' | 'cache' | 'default';

interface Found {
  /** The path the loader opened. */
  path: string;
  /** The same with every link resolved. */
  canonical: string;
  /** The file behind it (inventory names lead to one library). */
  realPath: string;
  origin: Origin;
  via: Via;
  /** The search-path entry that led there, as written, and the object that carries it. */
  entry?: string;
  owner?: string;
  facts?: ObjectFacts;
}

interface SearchStep {
  dir: string;
  via: Via;
  entry?: string;
  owner?: string;
}

export interface Resolution {
  name: string;
  found?: Found;
  /** Files met on the way that the loader passes over, or that stop it (fatal). */
  rejected: { path: string; reason: string; fatal: boolean }[];
  /** Directories searched, in order. */
  searched: SearchStep[];
  /** Run-path entries the loader cannot use here: relative to the working directory, or with an
   * unsupported `$` token (musl). */
  ignored: { entry: string; owner: string; reason: string }[];
}

const MUSL_RESERVED = ['c', 'pthread', 'rt', 'm', 'dl', 'util', 'xnet'];

/** Whether musl answers `name` with itself (its load_library's reserved list). */
export function isMuslReserved(name: string): boolean {
  return name.startsWith('lib') && MUSL_RESERVED.some((r) => name.startsWith(`lib${r}.`));
}

/** Objects already in the process, by every name the loader matches them under. */
export type Loaded = Map<string, Found>;

function originDir(view: LoaderView, node: LoadNode): string {
  if (node.main) return dirname(view.resolve(node.path)?.path ?? node.path);
  return dirname(node.path);
}

/** glibc's DST expansion: undefined when the entry cannot be used. */
function expandGlibc(entry: string, node: LoadNode, view: LoaderView, model: LoaderModel): string {
  return entry.replace(/\$(\{(ORIGIN|LIB|PLATFORM)\}|(ORIGIN|LIB|PLATFORM)(?![A-Za-z0-9_]))/g, (_m, _a, braced?: string, bare?: string) => {
    const token = braced ?? bare;
    return token === 'ORIGIN' ? originDir(view, node) : token === 'LIB' ? model.lib : model.platform;
  });
}

function expandMusl(entry: string, node: LoadNode, view: LoaderView): string | undefined {
  if (/\$(?!ORIGIN|\{ORIGIN\})/.test(entry)) return undefined;
  return entry.replace(/\$\{ORIGIN\}|\$ORIGIN/g, () => originDir(view, node));
}

/** Tries one path as the loader would; `undefined` when nothing is there. */
function probe(view: LoaderView, model: LoaderModel, path: string): { found?: { canonical: string; facts?: ObjectFacts }; reject?: { reason: string; fatal: boolean } } | undefined {
  const r = view.resolve(path);
  if (r === undefined || r.entry.kind !== 'file') return undefined;
  const facts = view.facts(r.path);
  if (model.libc === 'musl') {
    // musl takes the first file that opens; mapping it then succeeds or fails.
    if (facts === undefined || facts instanceof Error) return { reject: { reason: facts === undefined ? 'not an ELF file' : facts.message, fatal: true } };
    return { found: { canonical: r.path, facts } };
  }
  if (facts === undefined) return { reject: { reason: 'invalid ELF header', fatal: true } };
  if (facts instanceof Error) return { reject: { reason: facts.message, fatal: true } };
  if (facts.class !== model.class) return { reject: { reason: `wrong ELF class: ELFCLASS${facts.class}`, fatal: false } };
  if (facts.machine !== model.machine) return { reject: { reason: `built for ${facts.machine}`, fatal: false } };
  if (facts.type === 'exec') return { reject: { reason: 'cannot dynamically load executable', fatal: true } };
  if ((facts.flags1 & DF_1_PIE) !== 0) return { reject: { reason: 'cannot dynamically load position-independent executable', fatal: true } };
  return { found: { canonical: r.path, facts } };
}

/** Where the loader finds `name` for the object `node`. */
export function resolveName(model: LoaderModel, view: LoaderView, node: LoadNode, name: string, loaded?: Loaded): Resolution {
  const res: Resolution = { name, rejected: [], searched: [], ignored: [] };
  const take = (path: string, canonical: string, facts: ObjectFacts | undefined, via: Via, entry?: string, owner?: string): Resolution => {
    const origin = view.originOf(canonical) ?? 'base';
    res.found = {
      path,
      canonical,
      realPath: view.realPath(canonical),
      origin,
      via,
      ...(entry !== undefined && { entry }),
      ...(owner !== undefined && { owner }),
      ...(facts !== undefined && { facts }),
    };
    return res;
  };

  if (model.libc === 'musl' && isMuslReserved(name)) {
    const interp = model.interpreters[0] ?? '/lib/ld-musl.so.1';
    const r = view.resolve(interp);
    const facts = r === undefined ? undefined : view.facts(r.path);
    return take(interp, r?.path ?? interp, facts instanceof Error ? undefined : facts, 'libc');
  }
  const already = loaded?.get(name);
  if (already !== undefined) {
    res.found = { ...already, via: 'loaded' };
    return res;
  }

  const tryPath = (path: string, via: Via, entry?: string, owner?: string): boolean => {
    const p = probe(view, model, path);
    if (p === undefined) return false;
    if (p.reject !== undefined) {
      res.rejected.push({ path, ...p.reject });
      return p.reject.fatal;
    }
    if (p.found !== undefined) take(path, p.found.canonical, p.found.facts, via, entry, owner);
    return true;
  };

  if (name.includes('/')) {
    const path = model.libc === 'glibc' ? expandGlibc(name, node, view, model) : (expandMusl(name, node, view) ?? name);
    if (path.startsWith('/')) tryPath(path, 'direct');
    else res.ignored.push({ entry: name, owner: node.path, reason: 'a relative path is resolved against the working directory' });
    return res;
  }

  const searchDirs = (entries: string[], owner: LoadNode, via: Via): boolean => {
    // musl judges the run path string whole: one unsupported `$` and none of it is used.
    if (model.libc === 'musl' && via !== 'default' && expandMusl(entries.join(':'), owner, view) === undefined) {
      res.ignored.push({ entry: entries.join(':'), owner: owner.path, reason: 'musl expands only $ORIGIN and ignores a run path with any other $' });
      return false;
    }
    for (const entry of entries) {
      const dir = model.libc === 'glibc' ? expandGlibc(entry, owner, view, model) : expandMusl(entry, owner, view);
      if (dir === undefined) return false;
      if (model.libc === 'musl' && dir === '') continue;
      if (!dir.startsWith('/')) {
        res.ignored.push({ entry, owner: owner.path, reason: 'relative to the working directory, not to the file' });
        continue;
      }
      const clean = dir === '/' ? '/' : dir.replace(/\/+$/, '');
      res.searched.push({ dir: clean, via, entry, owner: owner.path });
      if (tryPath(`${clean === '/' ? '' : clean}/${name}`, via, entry, owner.path)) return true;
    }
    return false;
  };

  if (model.libc === 'musl') {
    for (let p: LoadNode | undefined = node; p !== undefined; p = p.parent) {
      const entries = p.facts.runpath.length > 0 ? p.facts.runpath : p.facts.rpath;
      const via: Via = p.facts.runpath.length > 0 ? 'runpath' : 'rpath';
      if (entries.length > 0 && searchDirs(entries, p, via)) return res;
    }
    searchDirs(model.defaultDirs, node, 'default');
    return res;
  }

  // The chain ends at the main program, so its DT_RPATH (which glibc always tries) is on it.
  if (node.facts.runpath.length === 0) {
    for (let p: LoadNode | undefined = node; p !== undefined; p = p.parent) {
      if (p.facts.runpath.length === 0 && p.facts.rpath.length > 0 && searchDirs(p.facts.rpath, p, 'rpath')) return res;
    }
  }
  if (node.facts.runpath.length > 0 && searchDirs(node.facts.runpath, node, 'runpath')) return res;
  if ((node.facts.flags1 & DF_1_NODEFLIB) !== 0) return res;
  const cached = model.cache?.get(name);
  if (cached !== undefined) {
    res.searched.push({ dir: dirname(cached), via: 'cache' });
    if (tryPath(cached, 'cache')) return res;
  }
  for (const dir of model.defaultDirs) {
    res.searched.push({ dir, via: 'default' });
    if (tryPath(`${dir}/${name}`, 'default')) return res;
  }
  return res;
}

/** Registers a loaded object under the names the loader will match later: glibc by requested
 * name, path and soname; musl by requested name. */
export function noteLoaded(model: LoaderModel, loaded: Loaded, name: string, found: Found): void {
  loaded.set(name, found);
  if (model.libc === 'glibc') {
    loaded.set(found.path, found);
    if (found.facts?.soname !== undefined && !loaded.has(found.facts.soname)) loaded.set(found.facts.soname, found);
  }
}

interface TraceStep {
  /** The object whose DT_NEEDED this is. */
  from: LoadNode;
  resolution: Resolution;
}

/** Loads `root` and, breadth first as both loaders do, the dependencies `follow` admits (default
 * all), returning every DT_NEEDED lookup made. */
export function traceLoad(model: LoaderModel, view: LoaderView, root: LoadNode, options: { follow?: (found: Found) => boolean; loaded?: Loaded } = {}): TraceStep[] {
  const loaded: Loaded = options.loaded ?? new Map();
  const steps: TraceStep[] = [];
  const rootCanonical = view.resolve(root.path)?.path ?? root.path;
  const rootFound: Found = { path: root.path, canonical: rootCanonical, realPath: view.realPath(rootCanonical), origin: view.originOf(rootCanonical) ?? 'package', via: 'direct', facts: root.facts };
  noteLoaded(model, loaded, root.path.slice(root.path.lastIndexOf('/') + 1), rootFound);
  // The program interpreter is in every process, under its soname.
  const interp = root.facts.interp ?? model.interpreters[0];
  if (interp !== undefined) {
    const r = view.resolve(interp);
    const facts = r === undefined ? undefined : view.facts(r.path);
    if (r !== undefined && facts !== undefined && !(facts instanceof Error)) {
      const f: Found = { path: interp, canonical: r.path, realPath: view.realPath(r.path), origin: view.originOf(r.path) ?? 'base', via: 'loaded', facts };
      if (facts.soname !== undefined && !loaded.has(facts.soname)) loaded.set(facts.soname, f);
      loaded.set(interp, f);
    }
  }
  const seen = new Set<string>([rootFound.realPath]);
  const queue: LoadNode[] = [root];
  for (let i = 0; i < queue.length && i < 10000; i++) {
    const node = queue[i] as LoadNode;
    for (const name of node.facts.needed) {
      const resolution = resolveName(model, view, node, name, loaded);
      steps.push({ from: node, resolution });
      const found = resolution.found;
      if (found === undefined) continue;
      const byFile = [...loaded.values()].find((f) => f.realPath === found.realPath && found.via !== 'loaded');
      noteLoaded(model, loaded, name, byFile ?? found);
      if (found.via === 'loaded' || seen.has(found.realPath)) continue;
      seen.add(found.realPath);
      if (found.facts !== undefined && (options.follow?.(found) ?? true)) queue.push({ path: found.path, facts: found.facts, parent: node });
    }
  }
  return steps;
}

