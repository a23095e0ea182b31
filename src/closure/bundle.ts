// Bundling: a dependency the base image lacks is copied into the package's library directory
// (flat, next to the modules) with its own dependencies the base lacks, transitively, its symlink
// chain kept; every file that needs a bundled library gets a RUNPATH relative to $ORIGIN, set by
// patchelf. A RUNPATH serves only the object that carries it, so each bundled library gets its own.
// Absolute run paths leaked from the build are dropped. Then the check runs again.
//
// Where the libraries come from is the caller's: a LibrarySource answers for a list of sonames.
// rootfsSource() searches a root filesystem on this machine (`/`, an unpacked or `podman mount`ed
// builder) with the loader's rules; the build stage can answer from a running builder container.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { UserError } from '../errors.ts';
import { pathWithin } from '../files/index.ts';
import type { Libc } from '../types.ts';
import { KNOWN_DATA, dataPresent, dataTarget } from './data.ts';
import { ARCH_MACHINE, type BundledLibrary, type CheckOptions, type CheckResult, LIBC_PARTS, checkScanned, parseOptionsFor } from './check.ts';
import { ElfError, readElf } from './elf/index.ts';
import { type Inventory, captureInventory, indexInventory } from './inventory.ts';
import { packageDb } from './pkgdb.ts';
import { AT_PLATFORM, MULTIARCH, MUSL_DEFAULT_PATH } from './ldconfig.ts';
import { type LoaderModel, modelOf, resolveName } from './resolve.ts';
import { type RootView, basename, dirRoot, dirname, joinPath, resolvePath } from './rootfs.ts';
import { type Layout, type Tree, layoutsFor, runtimePath, scanTree } from './tree.ts';
import { loaderView } from './view.ts';

export interface FetchedLibrary {
  soname: string;
  /** A readable copy of the real file on this machine. */
  realPath: string;
  /** Names from the soname to the real file, each a link to the next; the last is the file's own
   * name (just `[soname]` when the soname is the file). */
  linkChain: string[];
  /** Where the loader found it in the source environment. */
  source?: string;
  package?: string;
  version?: string;
  license?: string;
  /** A readable copy of its package's licence text (Debian's copyright file), when there is one. */
  licenseText?: string;
}

export interface FetchContext {
  machine: string;
  class: 32 | 64;
  libc: Libc;
  /** Per soname, the absolute directories the run paths of the files needing it name: where the
   * build found it when it is not in the default directories (`/usr/local/lib`, a build tree). */
  hints: Record<string, string[]>;
}

export type LibraryFetcher = (sonames: string[], context: FetchContext) => Promise<Map<string, FetchedLibrary>>;

export interface LibrarySource {
  fetch: LibraryFetcher;
  /** A data directory (`proj`, `gdal`) for a fetched library, as a local path, when there is one. */
  dataDir?(name: string, lib: FetchedLibrary): Promise<string | undefined>;
}

export interface BundleOptions extends CheckOptions {
  source: LibrarySource;
  /** Stop after this many bundled libraries (default 500). */
  maxLibraries?: number;
}

/** Bundles what the base lacks into the tree, fixes run paths, and checks again. The work is
 * done on a copy that replaces the tree only when bundling has finished: a failure leaves the tree
 * as it was. */
export async function bundleTree(dir: string, options: BundleOptions): Promise<CheckResult> {
  const root = resolve(dir);
  const work = `${root}.bundling-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  cpSync(root, work, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  let result: CheckResult;
  try {
    result = await bundleInPlace(work, { ...options, name: options.name ?? basename(root) });
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    // Name the tree the caller gave, not the working copy.
    throw err instanceof UserError ? new UserError(err.message.replaceAll(work, root), { exitCode: err.exitCode }) : err;
  }
  const old = `${root}.replaced-${process.pid}`;
  renameSync(root, old);
  renameSync(work, root);
  rmSync(old, { recursive: true, force: true });
  return result;
}

async function bundleInPlace(dir: string, options: BundleOptions): Promise<CheckResult> {
  const parse = parseOptionsFor(options);
  const first = scanTree(dir, parse);
  // The tree may hold symlinks (from the extension's install step): no write follows one out.
  const libDir = pathWithin(dir, first.libDir);
  mkdirSync(libDir, { recursive: true });
  const want = options.platform === undefined ? { machine: options.inventory.machine, class: options.inventory.class } : ARCH_MACHINE[options.platform.arch];
  const libc = options.platform?.libc ?? options.inventory.libc;
  const attempted = new Set<string>();
  const refused = new Map<string, string>();
  const bundled = new Map<string, { lib: FetchedLibrary; file: string; links: string[]; neededBy: Set<string> }>();
  const max = options.maxLibraries ?? 500;

  for (let round = 0; round < 64; round++) {
    // Files keep their build run paths until their needs are fetched: they are the hints.
    const result = checkScanned(scanTree(dir, parse), { ...options, build: undefined });
    const wanted = new Map<string, Set<string>>();
    const hints: Record<string, string[]> = {};
    for (const f of result.files) {
      for (const p of f.problems) {
        if ((p.kind !== 'not-found' && p.kind !== 'outside') || p.needed === undefined) continue;
        if (LIBC_PARTS.test(p.needed)) continue;
        const b = bundled.get(p.needed);
        if (b !== undefined) b.neededBy.add(f.path);
        if (attempted.has(p.needed)) continue;
        wanted.set(p.needed, (wanted.get(p.needed) ?? new Set()).add(f.path));
        const dirs = [...f.runpath, ...f.rpath].filter((d) => d.startsWith('/'));
        hints[p.needed] = [...new Set([...(hints[p.needed] ?? []), ...dirs])];
      }
    }
    if (wanted.size === 0) break;
    for (const n of wanted.keys()) attempted.add(n);
    const fetched = await options.source.fetch([...wanted.keys()], { machine: want.machine, class: want.class, libc, hints });
    for (const [soname, lib] of fetched) {
      if (bundled.size >= max) throw new UserError(`bundling stopped at ${max} libraries: more are missing (${soname}); is the base image the right one?`);
      const reason = unfit(lib, want, libc);
      if (reason !== undefined) {
        refused.set(soname, reason);
        continue;
      }
      const placed = place(lib, libDir, dir);
      bundled.set(soname, { lib, ...placed, neededBy: wanted.get(soname) ?? new Set() });
    }
    fixRunPaths(scanTree(dir, parse), options);
  }
  fixRunPaths(scanTree(dir, parse), options);

  // Data directories the bundled libraries read: copied when the source has them; the check
  // below then finds them present, or reports them missing.
  const copiedFrom = new Map<string, string>();
  for (const [soname, b] of bundled) {
    for (const known of KNOWN_DATA) {
      if (!known.library.test(soname)) continue;
      const target = dataTarget(first.libDir, known);
      if (dataPresent(dir, target, known)) continue;
      const from = await options.source.dataDir?.(known.name, b.lib);
      if (from === undefined || (known.marker !== undefined && !existsSync(join(from, known.marker)))) continue;
      cpSync(from, pathWithin(dir, target), { recursive: true, dereference: true });
      copiedFrom.set(target, from);
    }
  }

  // What a library's licence asks of those who redistribute it (keep the notice) travels with
  // it: one text per package, under licenses/ as the package formats expect.
  const licenseFiles = new Map<string, string>();
  for (const [soname, b] of bundled) {
    if (b.lib.licenseText === undefined || !existsSync(b.lib.licenseText)) continue;
    const file = posix.join('licenses', b.lib.package ?? soname, 'copyright');
    const at = pathWithin(dir, file);
    if (!existsSync(at)) {
      mkdirSync(join(dir, posix.dirname(file)), { recursive: true });
      cpSync(b.lib.licenseText, at, { dereference: true });
    }
    licenseFiles.set(soname, file);
  }

  const result = checkScanned(scanTree(dir, parse), options);
  result.bundled = [...bundled.entries()].map(([soname, b]): BundledLibrary => {
    const bytes = readFileSync(join(dir, b.file));
    return {
      soname,
      file: b.file,
      links: b.links,
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      ...(b.lib.source !== undefined && { source: b.lib.source }),
      ...(b.lib.package !== undefined && { package: b.lib.package }),
      ...(b.lib.version !== undefined && { version: b.lib.version }),
      ...(b.lib.license !== undefined && { license: b.lib.license }),
      ...(licenseFiles.has(soname) && { licenseFile: licenseFiles.get(soname) }),
      neededBy: [...b.neededBy].sort(),
    };
  });
  result.data = result.data.map((d) => {
    const from = copiedFrom.get(d.target);
    return from === undefined ? d : { ...d, from };
  });
  for (const [soname, reason] of refused) {
    for (const f of result.files) for (const p of f.problems) if (p.needed === soname && (p.kind === 'not-found' || p.kind === 'outside')) p.message += `; not bundled: ${reason}`;
  }
  result.ok = result.files.every((f) => f.verdict === 'ok');
  return result;
}

function unfit(lib: FetchedLibrary, want: { machine: string; class: 32 | 64 }, libc: Libc): string | undefined {
  try {
    const elf = readElf(lib.realPath);
    if (elf.type !== 'dyn') return `${lib.source ?? lib.realPath} is not a shared library`;
    if (elf.machine !== want.machine || elf.class !== want.class) return `${lib.source ?? lib.realPath} is built for ${elf.machine}`;
    if (elf.libc !== undefined && elf.libc !== libc) return `${lib.source ?? lib.realPath} is linked against ${elf.libc}`;
    return undefined;
  } catch (err) {
    if (err instanceof ElfError) return err.message;
    throw err;
  }
}

/** Copies the real file and recreates its link chain in `libDir`. */
function place(lib: FetchedLibrary, libDir: string, root: string): { file: string; links: string[] } {
  const chain = lib.linkChain.length > 0 ? lib.linkChain : [lib.soname];
  const realName = chain[chain.length - 1] as string;
  const rel = (p: string) => posix.relative(root, p.split('\\').join('/'));
  const target = pathWithin(root, rel(join(libDir, realName)));
  if (existsSync(target)) {
    if (!readFileSync(target).equals(readFileSync(lib.realPath))) throw new UserError(`cannot bundle ${lib.soname}: ${rel(target)} exists and differs from ${lib.source ?? lib.realPath}`);
  } else {
    copyFileSync(lib.realPath, target);
    chmodSync(target, 0o644);
  }
  const links: string[] = [];
  for (let i = chain.length - 2; i >= 0; i--) {
    const link = join(libDir, chain[i] as string);
    const to = chain[i + 1] as string;
    let present: string | undefined;
    try {
      present = lstatSync(link).isSymbolicLink() ? readlinkSync(link) : '';
    } catch {
      present = undefined;
    }
    if (present === undefined) symlinkSync(to, link);
    else if (present !== to) throw new UserError(`cannot bundle ${lib.soname}: ${rel(link)} exists and is not a link to ${to}`);
    links.push(rel(link));
  }
  return { file: rel(target), links };
}

/** Sets each file's run path to what it needs: `$ORIGIN`-relative entries for the package
 * directories that hold its dependencies, in every layout; absolute entries kept only where they
 * serve a library of the base image; entries relative to the working directory dropped. */
function fixRunPaths(tree: Tree, options: CheckOptions): string[] {
  const inventory = options.inventory;
  const layouts = options.layouts ?? layoutsFor(tree, inventory, options);
  const index = indexInventory(inventory);
  const model = modelOf(inventory);
  const run = layouts[0] === undefined ? undefined : loaderView({ mounts: layouts[0].mounts, base: index });
  const libDirs = [...new Set([tree.libDir, ...tree.files.map((f) => f.dir)])];
  const patched: string[] = [];
  for (const file of tree.files) {
    const elf = file.elf;
    if (elf instanceof Error || !elf.dynamic || elf.type === 'rel') continue;
    const current = elf.runpath.length > 0 ? elf.runpath : elf.rpath;
    const add: string[] = [];
    for (const name of elf.needed) {
      const holder = libDirs.find((d) => d === file.dir && exists(join(tree.root, d, name))) ?? libDirs.find((d) => exists(join(tree.root, d, name)));
      if (holder === undefined) continue;
      for (const layout of layouts) {
        const entry = originEntry(tree, layout, file, holder);
        if (entry !== undefined && !add.includes(entry)) add.push(entry);
      }
    }
    // Absolute entries that find base libraries stay; the rest leaked from the build.
    const serving = new Set<string>();
    if (run !== undefined && layouts[0] !== undefined) {
      const at = runtimePath(layouts[0], file);
      if (at !== undefined) {
        for (const name of elf.needed) {
          const f = resolveName(model, run, { path: at, facts: elf }, name).found;
          if (f?.entry !== undefined && f.origin === 'base' && f.entry.startsWith('/')) serving.add(f.entry);
        }
      }
    }
    const keep = current.filter((e) => /^\$(ORIGIN|\{ORIGIN\})(\/|$)/.test(e) || serving.has(e));
    const next = [...keep, ...add.filter((e) => !keep.includes(e))];
    if (next.length === current.length && next.every((e, i) => e === current[i])) continue;
    patchelf(file.local, next);
    patched.push(file.path);
  }
  return patched;
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** `$ORIGIN` or `$ORIGIN/<rel>` from the file's run-time directory to the holder's. */
function originEntry(tree: Tree, layout: Layout, file: { local: string }, holderDir: string): string | undefined {
  const at = runtimePath(layout, file);
  const mount = layout.mounts.find((m) => m.local === join(tree.root, holderDir));
  if (at === undefined || mount === undefined) return undefined;
  const rel = posix.relative(posix.dirname(at), mount.runtime);
  return rel === '' ? '$ORIGIN' : `$ORIGIN/${rel}`;
}

function patchelf(file: string, runpath: string[]): void {
  const args = runpath.length === 0 ? ['--remove-rpath', file] : ['--set-rpath', runpath.join(':'), file];
  try {
    execFileSync('patchelf', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new UserError(`patchelf ${args.join(' ')} failed: ${stderr || (err instanceof Error ? err.message : String(err))}`);
  }
}

/** Libraries from a root filesystem on this machine, found with that root's own loader rules:
 * the requesting files' absolute run paths first, then the cache and default directories, then
 * the ld.so.conf directories and /usr/local (where a build installs without running ldconfig). */
export function rootfsSource(root: string, options: { libc?: Libc } = {}): LibrarySource {
  const view: RootView = dirRoot(root);
  let inventory: Inventory | undefined;
  const db = packageDb(view);
  const hostPath = (p: string) => `${root.replace(/\/+$/, '')}${p}`;
  // Within the root, where doc directories are often links to another package's.
  const copyrightOf = (pkg: string): { licenseText?: string } => {
    const doc = resolvePath(view, `/usr/share/doc/${pkg}`);
    const file = doc === undefined ? undefined : resolvePath(view, joinPath(doc.path, 'copyright'));
    return file?.entry.kind === 'file' ? { licenseText: hostPath(file.path) } : {};
  };
  return {
    async fetch(sonames, context) {
      if (inventory === undefined) {
        try {
          inventory = captureInventory(view, { libc: options.libc ?? context.libc });
        } catch (err) {
          // A partial root (a DESTDIR, a directory of libraries) has no loader of its own.
          if (!(err instanceof UserError)) throw err;
        }
      }
      const model = inventory !== undefined ? modelOf(inventory) : defaultModel(context);
      const lview = loaderView({ mounts: [], outside: view });
      const extra = [...(inventory?.loader.confDirs ?? []), '/usr/local/lib', '/usr/local/lib64'];
      const out = new Map<string, FetchedLibrary>();
      for (const soname of sonames) {
        const node = {
          path: '/',
          facts: { machine: context.machine, class: context.class, type: 'dyn' as const, needed: [], rpath: [], runpath: context.hints[soname] ?? [], flags1: 0, verdef: [], verneed: [] },
        };
        let found = resolveName(model, lview, node, soname).found;
        if (found === undefined) {
          found = resolveName(model, lview, { ...node, facts: { ...node.facts, runpath: extra } }, soname).found;
        }
        if (found === undefined || found.facts === undefined || found.facts.machine !== context.machine) continue;
        const real = resolvePath(view, found.path);
        if (real === undefined) continue;
        const owner = db.owner(real.path);
        out.set(soname, {
          soname,
          realPath: hostPath(real.path),
          linkChain: linkChain(view, found.path),
          source: found.path,
          ...(owner !== undefined && { package: owner.name }),
          ...(owner?.version !== undefined && { version: owner.version }),
          ...(owner?.license !== undefined && { license: owner.license }),
          ...(owner?.manager === 'dpkg' && copyrightOf(owner.name)),
        });
      }
      return out;
    },
    async dataDir(name, lib) {
      const from = lib.source === undefined ? undefined : resolvePath(view, lib.source)?.path;
      const candidates = [...(from === undefined ? [] : [`${dirname(from)}/../share/${name}`, `${dirname(from)}/../../share/${name}`]), `/usr/share/${name}`, `/usr/local/share/${name}`];
      for (const c of candidates) {
        const r = resolvePath(view, c);
        if (r?.entry.kind === 'dir') return hostPath(r.path);
      }
      return undefined;
    },
  };
}

/** The loader rules of a root that has no loader to read them from: the usual directories. */
function defaultModel(context: FetchContext): LoaderModel {
  const triplet = MULTIARCH[context.machine];
  const glibcDirs = triplet === undefined ? ['/lib', '/usr/lib'] : [`/lib/${triplet}`, `/usr/lib/${triplet}`, '/lib', '/usr/lib'];
  return {
    libc: context.libc,
    machine: context.machine,
    class: context.class,
    defaultDirs: context.libc === 'glibc' ? glibcDirs : MUSL_DEFAULT_PATH,
    lib: triplet === undefined ? 'lib' : `lib/${triplet}`,
    platform: AT_PLATFORM[context.machine] ?? context.machine,
    interpreters: [],
  };
}

/** The names from `path` to its real file, following file links in place. */
function linkChain(view: RootView, path: string): string[] {
  const chain = [basename(path)];
  let cur = path;
  for (let i = 0; i < 40; i++) {
    const dir = resolvePath(view, dirname(cur));
    if (dir === undefined) break;
    const p = joinPath(dir.path, basename(cur));
    const e = view.lstat(p);
    if (e?.kind !== 'symlink' || e.target === undefined) break;
    const next = e.target.startsWith('/') ? e.target : joinPath(dir.path, e.target);
    const name = basename(next);
    if (chain.includes(name)) break;
    chain.push(name);
    cur = next;
  }
  // The chain ends at the real file's name even when a link on the way renamed nothing.
  const real = resolvePath(view, path);
  if (real !== undefined && chain[chain.length - 1] !== basename(real.path)) chain.push(basename(real.path));
  return chain;
}

