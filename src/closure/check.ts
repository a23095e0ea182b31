// The closure check: for every ELF file of a staged package, in every place the package will run
// from, does the dynamic loader find each DT_NEEDED in the package or the base image, with the
// symbol versions it asks for, and can that libc load the file at all?
import type { Arch, Libc, Verdict } from '../types.ts';
import type { ElfError, ElfInfo, ParseOptions } from './elf/index.ts';
import { type Inventory, indexInventory } from './inventory.ts';
import { compareVersions } from '../version.ts';
import { type LoaderModel, type LoadNode, type Loaded, type Resolution, modelOf, noteLoaded, resolveName } from './resolve.ts';
import { type RootView, dirRoot } from './rootfs.ts';
import { type Layout, type LayoutOptions, type Tree, layoutsFor, runtimePath, scanTree } from './tree.ts';
import { type LoaderView, type ObjectFacts, loaderView } from './view.ts';
import { packageDb } from './pkgdb.ts';
import { KNOWN_DATA, dataPresent, dataTarget } from './data.ts';

export type ProblemKind =
  | 'malformed'
  | 'machine'
  | 'libc'
  | 'interp'
  | 'not-found'
  | 'outside'
  | 'not-loadable'
  | 'glibc-version'
  | 'symbol-version'
  | 'irelative'
  | 'ifunc'
  | 'textrel'
  | 'absolute-runpath'
  | 'relative-runpath'
  | 'platform-runpath'
  | 'data';

export interface Problem {
  kind: ProblemKind;
  severity: 'error' | 'warning';
  message: string;
  /** The DT_NEEDED name concerned. */
  needed?: string;
  /** Where it was found: at run time, or (kind `outside`) only in the build environment. */
  path?: string;
  /** The symbol version concerned. */
  version?: string;
  /** The layouts it happens in, when not in all of them. */
  layouts?: string[];
  /** What would provide it: a path and package in the build environment, when known. */
  hint?: string;
}

export interface FileResult {
  /** Relative to the checked directory. */
  path: string;
  verdict: Verdict;
  needed: string[];
  runpath: string[];
  rpath: string[];
  soname?: string;
  machine?: string;
  libc?: Libc;
  /** Each DT_NEEDED and where the loader finds it (first layout), null when it does not. */
  resolved: Record<string, string | null>;
  problems: Problem[];
}

export interface BundledLibrary {
  soname: string;
  /** The real file, relative to the checked directory. */
  file: string;
  /** Symbolic links made for it (soname and intermediate names), relative. */
  links: string[];
  size: number;
  sha256: string;
  /** Where it came from in the build environment. */
  source?: string;
  package?: string;
  version?: string;
  license?: string;
  /** Its licence text in the tree (`licenses/PACKAGE/copyright`), when the source had one. */
  licenseFile?: string;
  /** Tree files that needed it. */
  neededBy: string[];
}

export interface DataRequirement {
  /** The bundled library that reads the data. */
  library: string;
  /** Name under share/: `proj`, `gdal`. */
  name: string;
  /** Where the package must ship it, relative to the checked directory (`<libdir>/../share/<name>`). */
  target: string;
  /** Whether it is there now (copied by bundling or shipped already). */
  present: boolean;
  /** Where it was copied from, when bundling copied it. */
  from?: string;
  why: string;
}

export interface CheckResult {
  ok: boolean;
  files: FileResult[];
  bundled: BundledLibrary[];
  data: DataRequirement[];
  layouts: { name: string; mounts: { runtime: string; dir: string }[] }[];
  base: { source: string; libc: Libc; machine: string; glibcVersion?: string };
  /** The highest GLIBC_ symbol version the files ask for: the oldest glibc they run on. */
  glibcRequired?: string;
}

/** The platform a package is for; checked against the inventory's own facts. */
export interface PlatformInfo {
  libc: Libc;
  arch: Arch;
}

export const ARCH_MACHINE: Record<Arch, { machine: string; class: 32 | 64 }> = {
  amd64: { machine: 'x86_64', class: 64 },
  arm64: { machine: 'aarch64', class: 64 },
};

export interface CheckOptions extends LayoutOptions {
  inventory: Inventory;
  /** Defaults to what the inventory says of the base image. */
  platform?: PlatformInfo;
  /** The build environment's root (`/`, a `podman mount` point): explains what the package and
   * base lack, and names the package that has it. */
  build?: string | RootView;
  /** Where the tree's directories lie at run time, instead of the trunk and volume layouts. */
  layouts?: Layout[];
}

/** Checks a staged package tree against the base image's inventory. */
export function checkTree(dir: string, options: CheckOptions): CheckResult {
  return checkScanned(scanTree(dir, parseOptionsFor(options)), options);
}

/** Relocations and symbols matter only to musl: a glibc check does not read them. */
export function parseOptionsFor(options: CheckOptions): ParseOptions {
  const musl = (options.platform?.libc ?? options.inventory.libc) === 'musl';
  return { relocations: musl, symbols: musl };
}

/** Libraries the base image's libc is made of: never bundled, never looked for elsewhere. */
export const LIBC_PARTS = /^(libc|libm|libdl|libpthread|librt|libutil|libresolv|libnsl|libanl|libmvec|libBrokenLocale|libcrypt)\.so(\.\d+)*$|^ld-linux|^ld64\.so|^libc\.musl-|^ld-musl-/;

export function checkScanned(tree: Tree, options: CheckOptions): CheckResult {
  const inventory = options.inventory;
  const index = indexInventory(inventory);
  const model = modelOf(inventory);
  const layouts = options.layouts ?? layoutsFor(tree, inventory, options);
  const build = typeof options.build === 'string' ? dirRoot(options.build) : options.build;
  const known = new Map<string, ElfInfo | ElfError>(tree.files.map((f) => [f.local, f.elf]));
  const views = layouts.map((layout) => ({
    layout,
    run: loaderView({ mounts: layout.mounts, base: index, known }),
    explain: build === undefined ? undefined : loaderView({ mounts: layout.mounts, base: index, outside: build, known }),
  }));
  const platform = options.platform;
  const want = platform === undefined ? { machine: inventory.machine, class: inventory.class } : ARCH_MACHINE[platform.arch];
  const libc = platform?.libc ?? inventory.libc;
  const owners = build === undefined ? undefined : packageDb(build);

  const files = tree.files.map((file): FileResult => {
    const elf = file.elf;
    if (elf instanceof Error) {
      return { path: file.path, verdict: 'fail', needed: [], runpath: [], rpath: [], resolved: {}, problems: [{ kind: 'malformed', severity: 'error', message: elf.message }] };
    }
    const result: FileResult = {
      path: file.path,
      verdict: 'ok',
      needed: elf.needed,
      runpath: elf.runpath,
      rpath: elf.rpath,
      ...(elf.soname !== undefined && { soname: elf.soname }),
      machine: elf.machine,
      ...(elf.libc !== undefined && { libc: elf.libc }),
      resolved: {},
      problems: [],
    };
    const problems: Problem[] = [];
    const add = (p: Problem) => problems.push(p);
    if (elf.type === 'rel' || elf.type === 'core' || !elf.dynamic) return finish(result, problems);

    if (elf.machine !== want.machine || elf.class !== want.class) {
      add({ kind: 'machine', severity: 'error', message: `built for ${elf.machine} (ELF${elf.class}); the platform is ${want.machine} (ELF${want.class})` });
      return finish(result, problems);
    }
    if (elf.libc !== undefined && elf.libc !== libc) {
      const evidence = elf.interp !== undefined ? `its interpreter is ${elf.interp}` : `it needs ${elf.needed.find((n) => LIBC_PARTS.test(n)) ?? 'glibc symbol versions'}`;
      add({ kind: 'libc', severity: 'error', message: `linked against ${elf.libc} (${evidence}); the platform's libc is ${libc}` });
    }
    if (elf.textrel) add({ kind: 'textrel', severity: 'error', message: 'has text relocations (DT_TEXTREL): the loader must write to its code; rebuild with -fPIC' });
    if (libc === 'musl' && elf.irelative > 0) {
      add({ kind: 'irelative', severity: 'error', message: `has ${elf.irelative} IRELATIVE relocation(s) (GNU ifunc): musl cannot process them ("unsupported relocation type")` });
    }
    if (libc === 'musl' && elf.ifuncCount > 0) {
      add({ kind: 'ifunc', severity: 'error', message: `defines ${elf.ifuncCount} GNU ifunc symbol(s) (${elf.ifuncs.join(', ')}): musl cannot bind them ("symbol not found")` });
    }
    if (elf.interp !== undefined && elf.libc === libc) {
      const known = inventory.interpreters.some((i) => i === elf.interp || index.canonical(i) === index.canonical(elf.interp as string));
      if (!known) add({ kind: 'interp', severity: 'error', message: `asks for the program interpreter ${elf.interp}, which the base image does not have (it has ${inventory.interpreters.join(', ') || 'none'})` });
    }

    for (const { layout, run, explain } of views) {
      const at = runtimePath(layout, file);
      if (at === undefined) continue;
      const tag = (p: Problem) => add({ ...p, layouts: [layout.name] });
      runPathProblems(elf, layout, tag);
      const node = nodeFor(elf, at, layout, index.inventory);
      const loaded: Loaded = new Map();
      for (const name of elf.needed) {
        const res = resolveName(model, run, node, name, loaded);
        if (res.found !== undefined) noteLoaded(model, loaded, name, res.found);
        if (!(name in result.resolved)) result.resolved[name] = res.found?.path ?? null;
        if (res.found === undefined) {
          notFound(res, name, node, explain, model, owners, tag, inventory);
          continue;
        }
        const facts = res.found.facts;
        if (facts !== undefined && (facts.machine !== want.machine || facts.class !== want.class)) {
          tag({ kind: 'machine', severity: 'error', needed: name, path: res.found.path, message: `${name} resolves to ${res.found.path}, built for ${facts.machine}` });
        }
        if (libc === 'glibc' && facts !== undefined) versionProblems(elf, name, facts, res.found.path, inventory, tag);
      }
    }
    return finish(result, mergeLayouts(problems, views.length));
  });

  // Data the package's own libraries read from ../share (a bundled PROJ needs proj.db).
  const data: DataRequirement[] = [];
  for (const f of tree.files) {
    const soname = f.elf instanceof Error ? undefined : f.elf.soname;
    if (soname === undefined) continue;
    for (const known of KNOWN_DATA) {
      if (!known.library.test(soname)) continue;
      const target = dataTarget(f.dir, known);
      const present = dataPresent(tree.root, target, known);
      data.push({ library: soname, name: known.name, target, present, why: known.why });
      const result = files.find((r) => r.path === f.path);
      if (!present) result?.problems.push({ kind: 'data', severity: 'warning', message: `${soname} needs its data at ${target} (${known.why}): ship it there` });
    }
  }

  let glibcRequired: string | undefined;
  for (const f of tree.files) {
    if (f.elf instanceof Error) continue;
    for (const need of f.elf.verneed) {
      for (const v of need.versions) {
        const glibc = /^GLIBC_(\d+(?:\.\d+)*)$/.exec(v.name)?.[1];
        if (glibc !== undefined && (glibcRequired === undefined || compareVersions(glibc, glibcRequired) > 0)) glibcRequired = glibc;
      }
    }
  }

  return {
    ok: files.every((f) => f.verdict === 'ok'),
    files,
    bundled: [],
    data,
    layouts: layouts.map((l) => ({ name: l.name, mounts: l.mounts.map((m) => ({ runtime: m.runtime, dir: m.local.slice(tree.root.replace(/\/+$/, '').length + 1) || '.' })) })),
    base: { source: inventory.source, libc: inventory.libc, machine: inventory.machine, ...(inventory.glibcVersion !== undefined && { glibcVersion: inventory.glibcVersion }) },
    ...(glibcRequired !== undefined && { glibcRequired }),
  };
}

function finish(result: FileResult, problems: Problem[]): FileResult {
  result.problems = problems;
  result.verdict = problems.some((p) => p.severity === 'error') ? 'fail' : 'ok';
  return result;
}

/** The loading chain a file starts in: a module is dlopen'ed by the server, whose run paths
 * (DT_RPATH for glibc, either for musl) its dependencies inherit; an executable is the main
 * program; any other library is taken on its own. */
function nodeFor(elf: ElfInfo, at: string, layout: Layout, inventory: Inventory): LoadNode {
  const dir = at.slice(0, at.lastIndexOf('/'));
  const isModule = layout.moduleDirs.includes(dir);
  const pg = layout.postgres;
  if (isModule && pg !== undefined) {
    const server: LoadNode = {
      path: pg.bin,
      facts: { machine: inventory.machine, class: inventory.class, type: 'dyn', needed: pg.needed, rpath: pg.rpath, runpath: pg.runpath, flags1: 0, verdef: [], verneed: [] },
      main: true,
    };
    return { path: at, facts: elf, parent: server };
  }
  const main = elf.interp !== undefined && (elf.type === 'exec' || elf.type === 'dyn');
  return { path: at, facts: elf, ...(main && { main: true }) };
}

function runPathProblems(elf: ElfInfo, layout: Layout, add: (p: Problem) => void): void {
  const field = elf.runpath.length > 0 ? 'RUNPATH' : 'RPATH';
  const entries = elf.runpath.length > 0 ? elf.runpath : elf.rpath;
  for (const entry of entries) {
    if (entry.startsWith('/')) {
      const inside = layout.mounts.some((m) => entry === m.runtime || entry.startsWith(`${m.runtime}/`));
      if (!inside) add({ kind: 'absolute-runpath', severity: 'warning', message: `${field} entry ${entry} is an absolute path outside the package (left over from the build?): the loader searches it wherever the package runs` });
    } else if (!/^\$(ORIGIN|\{ORIGIN\})(\/|$)/.test(entry)) {
      add({ kind: 'relative-runpath', severity: 'warning', message: `${field} entry "${entry}" is relative to the server's working directory, not to the file: use $ORIGIN` });
    }
    // glibc expands $PLATFORM by the CPU that runs the file, not the kernel's AT_PLATFORM alone
    // (x86_64 becomes haswell on CPUs with AVX2): the check can only follow the baseline name.
    if (/\$(\{PLATFORM\}|PLATFORM(?![A-Za-z0-9_]))/.test(entry)) {
      add({ kind: 'platform-runpath', severity: 'warning', message: `${field} entry "${entry}" uses $PLATFORM, which the loader expands by the CPU it runs on (x86_64 may become haswell or xeon_phi): libraries found through it on one machine are missed on another` });
    }
  }
}

function notFound(
  res: Resolution,
  name: string,
  node: LoadNode,
  explain: LoaderView | undefined,
  model: LoaderModel,
  owners: ReturnType<typeof packageDb> | undefined,
  add: (p: Problem) => void,
  inventory: Inventory,
): void {
  const fatal = res.rejected.find((r) => r.fatal);
  if (fatal !== undefined) {
    add({ kind: 'not-loadable', severity: 'error', needed: name, path: fatal.path, message: `${name}: the loader stops at ${fatal.path}: ${fatal.reason}` });
    return;
  }
  const leaked = res.searched.filter((s) => s.entry !== undefined && s.entry.startsWith('/'));
  if (explain !== undefined) {
    const again = resolveName(model, explain, node, name);
    const f = again.found;
    if (f !== undefined && f.origin === 'outside') {
      const pkg = owners?.owner(f.realPath);
      const pkgText = pkg === undefined ? '' : ` (package ${pkg.name}${pkg.version === undefined ? '' : ` ${pkg.version}`})`;
      if (f.via === 'rpath' || f.via === 'runpath') {
        add({
          kind: 'outside',
          severity: 'error',
          needed: name,
          path: f.path,
          hint: `${f.realPath}${pkgText}`,
          message: `${name} is found only at ${f.path}, through ${f.via.toUpperCase()} entry ${f.entry}, which lies outside the package and the base image (leaked from the build); bundle it or install it in the base`,
        });
      } else {
        add({
          kind: 'not-found',
          severity: 'error',
          needed: name,
          hint: `${f.realPath}${pkgText}`,
          message: `${name} is in neither the package nor the base image; the build environment has it at ${f.realPath}${pkgText}: bundle it (--bundle)`,
        });
      }
      return;
    }
  }
  const elsewhere = indexInventoryNames(inventory, name);
  const via = leaked.length > 0 ? ` (searched ${leaked.map((s) => s.entry).join(', ')} from ${leaked[0]?.via.toUpperCase()}: not in the package or the base image)` : '';
  add({
    kind: 'not-found',
    severity: 'error',
    needed: name,
    ...(elsewhere !== undefined && { hint: elsewhere }),
    message: `${name} is in neither the package nor the base image${via}${elsewhere === undefined ? '' : `; the base has ${elsewhere}, outside the loader's search path`}`,
  });
}

function indexInventoryNames(inventory: Inventory, name: string): string | undefined {
  return inventory.libraries.find((l) => l.soname === name)?.path;
}

function versionProblems(elf: ElfInfo, name: string, dep: ObjectFacts, path: string, inventory: Inventory, add: (p: Problem) => void): void {
  for (const need of elf.verneed) {
    if (need.file !== name) continue;
    if (dep.verdef.length === 0) {
      add({ kind: 'symbol-version', severity: 'warning', needed: name, path, message: `${name} (${path}) has no version information; the file asks for ${need.versions.map((v) => v.name).join(', ')}` });
      continue;
    }
    for (const v of need.versions) {
      if (dep.verdef.includes(v.name)) continue;
      const glibc = /^GLIBC_(\d+(?:\.\d+)*)$/.exec(v.name)?.[1];
      const severity = v.weak ? 'warning' : 'error';
      if (glibc !== undefined && inventory.glibcVersion !== undefined && compareVersions(glibc, inventory.glibcVersion) > 0) {
        add({ kind: 'glibc-version', severity, needed: name, version: v.name, path, message: `needs ${v.name} from ${name}; the base image's glibc provides up to GLIBC_${inventory.glibcVersion}` });
      } else {
        add({ kind: 'symbol-version', severity, needed: name, version: v.name, path, message: `needs version ${v.name} of ${name}, which ${path} does not define` });
      }
    }
  }
}

/** One problem per kind, name and version: `layouts` names where it happens unless that is all. */
function mergeLayouts(problems: Problem[], layoutCount: number): Problem[] {
  const out = new Map<string, Problem>();
  for (const p of problems) {
    const key = `${p.kind}\0${p.needed ?? ''}\0${p.version ?? ''}\0${p.kind.endsWith('runpath') ? p.message : ''}`;
    const seen = out.get(key);
    if (seen === undefined) out.set(key, { ...p });
    else if (p.layouts !== undefined) seen.layouts = [...new Set([...(seen.layouts ?? []), ...p.layouts])];
  }
  return [...out.values()].map((p) => {
    if (p.layouts === undefined || p.layouts.length < layoutCount) return p;
    const { layouts: _all, ...rest } = p;
    return rest;
  });
}

