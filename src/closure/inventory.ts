// The base image's library inventory: every shared library its dynamic loader can find by itself
// (the default directories, /etc/ld.so.conf and its cache for glibc, the path file for musl), with
// soname, machine and version definitions, plus the highest GLIBC_ version its libc provides and
// where its PostgreSQL lives. Captured once per image, from a directory or from the tar stream
// `podman export` / `docker export` write, and saved as versioned JSON next to the platform.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname as hostDirname } from 'node:path';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { UserError } from '../errors.ts';
import type { Libc } from '../types.ts';
import { compareVersions } from '../version.ts';
import type { ElfInfo } from './elf/index.ts';
import { AT_PLATFORM, MULTIARCH, MUSL_ARCH, MUSL_DEFAULT_PATH, parseLdCache, readLdSoConf, readMuslPath } from './ldconfig.ts';
import { type Keep, type RootView, basename, dirRoot, dirname, joinPath, layeredTarRoot, memoResolver, normalizePath, resolvePath, splitPath, tarRoot } from './rootfs.ts';

export const INVENTORY_FORMAT = 'trunkfarm.inventory';
export const INVENTORY_VERSION = 1;

const librarySchema = z.object({
  path: z.string(),
  names: z.array(z.string()),
  soname: z.string().optional(),
  machine: z.string(),
  class: z.union([z.literal(32), z.literal(64)]),
  libc: z.enum(['glibc', 'musl']).optional(),
  needed: z.array(z.string()),
  rpath: z.array(z.string()).optional(),
  runpath: z.array(z.string()).optional(),
  versions: z.array(z.string()).optional(),
});

const postgresSchema = z.object({
  bin: z.string(),
  major: z.number().int().optional(),
  pkglibdir: z.string().optional(),
  libdir: z.string().optional(),
  needed: z.array(z.string()),
  rpath: z.array(z.string()),
  runpath: z.array(z.string()),
});

const inventorySchema = z.object({
  format: z.literal(INVENTORY_FORMAT),
  version: z.literal(INVENTORY_VERSION),
  source: z.string(),
  imageId: z.string().optional(),
  capturedAt: z.string(),
  libc: z.enum(['glibc', 'musl']),
  libcVersion: z.string().optional(),
  machine: z.string(),
  class: z.union([z.literal(32), z.literal(64)]),
  endian: z.enum(['le', 'be']),
  /** glibc: the highest GLIBC_x.y version libc.so.6 defines. */
  glibcVersion: z.string().optional(),
  /** Program interpreters present, as programs name them (`/lib64/ld-linux-x86-64.so.2`). */
  interpreters: z.array(z.string()),
  loader: z.object({
    /** glibc: the built-in trusted directories; musl: the search path in effect. */
    defaultDirs: z.array(z.string()),
    /** glibc: the directories /etc/ld.so.conf names (they reach the loader through the cache). */
    confDirs: z.array(z.string()),
    /** glibc: /etc/ld.so.cache entries for this machine, name -> path; absent without a cache. */
    cache: z.record(z.string(), z.string()).optional(),
    /** musl: the path file that set the search path, when one did. */
    pathFile: z.string().optional(),
    /** What $LIB and $PLATFORM expand to. */
    lib: z.string(),
    platform: z.string(),
  }),
  /** Symbolic links met on the way to the listed directories: link -> canonical target. */
  links: z.record(z.string(), z.string()),
  /** Canonical directories whose shared libraries are all listed. */
  dirs: z.array(z.string()),
  libraries: z.array(librarySchema),
  postgres: z.array(postgresSchema),
});

export type Inventory = z.infer<typeof inventorySchema>;
export type InventoryLibrary = z.infer<typeof librarySchema>;
export type PostgresInstall = z.infer<typeof postgresSchema>;

export interface CaptureOptions {
  /** Name recorded as the inventory's source (defaults to the view's label). */
  source?: string;
  imageId?: string;
  /** Which libc to describe when the root has both (a glibc system with musl installed). */
  libc?: Libc;
}

const GLIBC_INTERP = /^(ld-linux[-\w.]*\.so\.\d+|ld64\.so\.[12])$/;
const MUSL_INTERP = /^ld-musl-[\w]+\.so\.1$/;
/** File names the loaders are asked for: anything with `.so` in it (libfoo.so.1, ld-linux...so.2). */
const LIBRARY_NAME = /\.so(\.|$)/;

/** Captures the inventory of a root filesystem seen through `view`. */
export function captureInventory(view: RootView, options: CaptureOptions = {}): Inventory {
  const links: Record<string, string> = {};
  const canonicalDir = (path: string): string | undefined => {
    const r = resolvePath(view, path);
    if (r === undefined || r.entry.kind !== 'dir') return undefined;
    for (const link of r.links) {
      const target = resolvePath(view, link);
      if (target !== undefined && target.entry.kind === 'dir') links[link] = target.path;
    }
    return r.path;
  };

  // The program interpreter: the one /bin/sh uses decides between several (multilib, musl next
  // to glibc), unless the caller names the libc.
  const interps: { path: string; libc: Libc; elf: ElfInfo }[] = [];
  for (const dir of ['/lib', '/lib64', '/usr/lib', '/usr/lib64']) {
    const real = canonicalDir(dir);
    if (real === undefined) continue;
    for (const name of (view.readdir(real) ?? []).sort()) {
      const libc: Libc | undefined = GLIBC_INTERP.test(name) ? 'glibc' : MUSL_INTERP.test(name) ? 'musl' : undefined;
      if (libc === undefined) continue;
      const r = resolvePath(view, joinPath(real, name));
      const elf = r?.entry.kind === 'file' ? view.elf(r.path) : undefined;
      if (elf !== undefined && !(elf instanceof Error)) interps.push({ path: joinPath(dir, name), libc, elf });
    }
  }
  const sh = resolvePath(view, '/bin/sh');
  const shElf = sh?.entry.kind === 'file' ? view.elf(sh.path) : undefined;
  const shInterp = shElf !== undefined && !(shElf instanceof Error) ? shElf.interp : undefined;
  const primary =
    interps.find((i) => (options.libc === undefined || i.libc === options.libc) && i.path === shInterp) ??
    interps.find((i) => (options.libc ?? 'glibc') === i.libc && (shElf === undefined || shElf instanceof Error || i.elf.machine === shElf.machine)) ??
    interps.find((i) => options.libc === undefined || i.libc === options.libc);
  if (primary === undefined) {
    throw new UserError(`${view.label}: no ${options.libc ?? 'glibc or musl'} dynamic loader found in /lib, /lib64, /usr/lib or /usr/lib64`);
  }
  const { libc } = primary;
  const { machine, class: elfClass, endian } = primary.elf;

  // The loader's own directories.
  let defaultDirs: string[];
  let confDirs: string[] = [];
  let cache: Record<string, string> | undefined;
  let pathFile: string | undefined;
  let lib = 'lib';
  if (libc === 'glibc') {
    const triplet = MULTIARCH[machine];
    if (triplet !== undefined && (canonicalDir(`/lib/${triplet}`) !== undefined || canonicalDir(`/usr/lib/${triplet}`) !== undefined)) {
      // Debian and Ubuntu build glibc with multiarch system directories.
      defaultDirs = [`/lib/${triplet}`, `/usr/lib/${triplet}`, '/lib', '/usr/lib'];
      lib = `lib/${triplet}`;
    } else if (elfClass === 64 && (canonicalDir('/lib64') !== undefined || canonicalDir('/usr/lib64') !== undefined) && hasLibc(view, ['/lib64', '/usr/lib64'])) {
      defaultDirs = ['/lib64', '/usr/lib64'];
      lib = 'lib64';
    } else {
      defaultDirs = ['/lib', '/usr/lib'];
    }
    confDirs = readLdSoConf(view);
    const cacheFile = resolvePath(view, '/etc/ld.so.cache');
    const data = cacheFile === undefined ? undefined : view.readFile(cacheFile.path, 1 << 26);
    const parsed = data === undefined ? undefined : parseLdCache(data, machine);
    if (parsed !== undefined) cache = Object.fromEntries(parsed);
  } else {
    const arch = /^ld-musl-([\w]+)\.so\.1$/.exec(basename(primary.path))?.[1] ?? MUSL_ARCH[machine] ?? machine;
    const file = readMuslPath(view, arch);
    defaultDirs = file?.dirs ?? MUSL_DEFAULT_PATH;
    if (file !== undefined) pathFile = file.file;
  }

  // Every shared library in those directories.
  const libraries = new Map<string, InventoryLibrary>();
  const scanned = new Set<string>();
  const resolve = memoResolver(view);
  const scan = (dir: string) => {
    const real = canonicalDir(dir);
    if (real === undefined || scanned.has(real)) return;
    scanned.add(real);
    for (const name of (view.readdir(real) ?? []).sort()) {
      if (!LIBRARY_NAME.test(name)) continue;
      const path = joinPath(real, name);
      const r = resolve(path);
      if (r === undefined || r.entry.kind !== 'file') continue;
      let entry = libraries.get(r.path);
      if (entry === undefined) {
        const elf = view.elf(r.path);
        if (elf === undefined || elf instanceof Error || elf.type !== 'dyn') continue;
        entry = libraryOf(r.path, elf);
        libraries.set(r.path, entry);
      }
      if (path !== r.path && !entry.names.includes(path)) entry.names.push(path);
    }
  };
  const searchDirs = [...defaultDirs, ...confDirs];
  if (cache !== undefined) for (const path of Object.values(cache)) searchDirs.push(dirname(path));
  for (const dir of searchDirs) scan(dir);

  // Only a server built for this libc and machine can load the modules being checked.
  const postgres = findPostgres(view, canonicalDir).filter((pg) => {
    const r = resolvePath(view, pg.bin);
    const elf = r === undefined ? undefined : view.elf(r.path);
    return elf !== undefined && !(elf instanceof Error) && elf.machine === machine && (elf.libc ?? libc) === libc;
  });
  for (const pg of postgres) {
    if (pg.pkglibdir !== undefined) scan(pg.pkglibdir);
    for (const d of libc === 'glibc' && pg.runpath.length > 0 ? [] : pg.rpath) if (d.startsWith('/')) scan(d);
    for (const d of pg.runpath) if (d.startsWith('/')) scan(d);
  }
  for (const pg of postgres) {
    const libdir = libdirOf(libraries, defaultDirs);
    if (libdir !== undefined) pg.libdir = libdir;
  }

  const all = [...libraries.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
  const libcLib = all.find((l) => l.soname === 'libc.so.6' && l.machine === machine);
  const glibcVersion = libc === 'glibc' && libcLib?.versions !== undefined ? highestGlibc(libcLib.versions) : undefined;
  const libcVersion = libc === 'glibc' ? glibcVersion : packageVersion(view, 'musl');
  return {
    format: INVENTORY_FORMAT,
    version: INVENTORY_VERSION,
    source: options.source ?? view.label,
    ...(options.imageId !== undefined && { imageId: options.imageId }),
    capturedAt: new Date().toISOString(),
    libc,
    ...(libcVersion !== undefined && { libcVersion }),
    machine,
    class: elfClass,
    endian,
    ...(glibcVersion !== undefined && { glibcVersion }),
    interpreters: interps.filter((i) => i.elf.machine === machine && i.libc === libc).map((i) => i.path),
    loader: {
      defaultDirs,
      confDirs,
      ...(cache !== undefined && { cache }),
      ...(pathFile !== undefined && { pathFile }),
      lib,
      platform: AT_PLATFORM[machine] ?? machine,
    },
    links: Object.fromEntries(Object.entries(links).sort(([a], [b]) => (a < b ? -1 : 1))),
    dirs: [...scanned].sort(),
    libraries: all,
    postgres,
  };
}

function hasLibc(view: RootView, dirs: string[]): boolean {
  return dirs.some((d) => resolvePath(view, `${d}/libc.so.6`)?.entry.kind === 'file');
}

function libraryOf(path: string, elf: ElfInfo): InventoryLibrary {
  return {
    path,
    names: [],
    ...(elf.soname !== undefined && { soname: elf.soname }),
    machine: elf.machine,
    class: elf.class,
    ...(elf.libc !== undefined && { libc: elf.libc }),
    needed: elf.needed,
    ...(elf.rpath.length > 0 && { rpath: elf.rpath }),
    ...(elf.runpath.length > 0 && { runpath: elf.runpath }),
    ...(elf.verdef.length > 0 && { versions: elf.verdef }),
  };
}

/** The highest `x.y[.z]` of the GLIBC_x.y[.z] names in `versions`. */
export function highestGlibc(versions: string[]): string | undefined {
  let best: string | undefined;
  for (const v of versions) {
    const m = /^GLIBC_(\d+(?:\.\d+)*)$/.exec(v);
    if (m?.[1] !== undefined && (best === undefined || compareVersions(m[1], best) > 0)) best = m[1];
  }
  return best;
}

/** The installed version of a package, from dpkg's or apk's database. */
function packageVersion(view: RootView, name: string): string | undefined {
  for (const [file, re] of [
    ['/lib/apk/db/installed', new RegExp(`^P:${name}\\nV:(\\S+)`, 'm')],
    ['/var/lib/dpkg/status', new RegExp(`^Package: ${name}\\n(?:[^\\n]+\\n)*?Version: (\\S+)`, 'm')],
  ] as const) {
    const r = resolvePath(view, file);
    const text = r === undefined ? undefined : view.readFile(r.path, 1 << 26)?.toString('utf8');
    const m = text === undefined ? null : re.exec(text);
    if (m?.[1] !== undefined) return m[1];
  }
  return undefined;
}

/** Where PostgreSQL lives in the image: its server executable (whose DT_RPATH, or for musl
 * either run path, reaches the modules it loads) and the pkglibdir beside it. */
function findPostgres(view: RootView, canonicalDir: (p: string) => string | undefined): PostgresInstall[] {
  const expand = (pattern: string): string[] => {
    // One `*` per pattern at most, in a directory component.
    const star = splitPath(pattern).findIndex((c) => c.includes('*'));
    if (star === -1) return [pattern];
    const parts = splitPath(pattern);
    const parent = `/${parts.slice(0, star).join('/')}`;
    const real = canonicalDir(parent);
    if (real === undefined) return [];
    const re = new RegExp(`^${(parts[star] ?? '').replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
    return (view.readdir(real) ?? [])
      .filter((n) => re.test(n))
      .sort()
      .map((n) => `/${[...parts.slice(0, star), n, ...parts.slice(star + 1)].join('/')}`);
  };
  const bins = ['/usr/lib/postgresql/*/bin/postgres', '/usr/pgsql-*/bin/postgres', '/usr/libexec/postgresql*/postgres', '/usr/local/pgsql/bin/postgres', '/usr/local/bin/postgres', '/usr/bin/postgres'].flatMap(expand);
  const pkglibs = ['/usr/lib/postgresql/*/lib', '/usr/pgsql-*/lib', '/usr/lib/postgresql*', '/usr/local/pgsql/lib', '/usr/local/lib/postgresql'].flatMap(expand).filter((d) => resolvePath(view, `${d}/plpgsql.so`)?.entry.kind === 'file');
  const majorOf = (p: string) => {
    const m = /postgresql[-/]?(\d+)|pgsql-(\d+)/.exec(p);
    return m === null ? undefined : Number(m[1] ?? m[2]);
  };
  const out: PostgresInstall[] = [];
  const seen = new Set<string>();
  for (const bin of bins) {
    const r = resolvePath(view, bin);
    if (r === undefined || r.entry.kind !== 'file' || seen.has(r.path)) continue;
    const elf = view.elf(r.path);
    if (elf === undefined || elf instanceof Error) continue;
    seen.add(r.path);
    const major = majorOf(bin);
    const pkglibdir =
      pkglibs.find((d) => major !== undefined && majorOf(d) === major) ??
      pkglibs.find((d) => d === normalizePath(`${dirname(bin)}/../lib`) || d.startsWith(normalizePath(`${dirname(bin)}/../lib/`))) ??
      (pkglibs.length === 1 ? pkglibs[0] : undefined);
    out.push({
      bin,
      ...(major !== undefined && { major }),
      ...(pkglibdir !== undefined && { pkglibdir }),
      needed: elf.needed,
      rpath: elf.rpath,
      runpath: elf.runpath,
    });
  }
  return out;
}

/** `pg_config --libdir` as the image has it: where libpq lives, else the first default directory. */
function libdirOf(libraries: Map<string, InventoryLibrary>, defaultDirs: string[]): string | undefined {
  const libpq = [...libraries.values()].find((l) => l.soname === 'libpq.so.5');
  if (libpq !== undefined) return dirname(libpq.names.find((n) => basename(n) === 'libpq.so.5') ?? libpq.path);
  return defaultDirs[0];
}

/** Captures the inventory of an unpacked root filesystem. */
export function inventoryFromDir(root: string, options: CaptureOptions = {}): Inventory {
  return captureInventory(dirRoot(root), options);
}

/** What a tar of a root filesystem must keep for the inventory: candidate libraries and
 * executables as ELF facts, the loader's configuration and package databases as bytes. */
function keepForInventory(path: string): 'elf' | 'data' | undefined {
  // Before the name test: ld.so.conf and ld.so.cache have `.so` in their names too.
  if (path === '/etc/ld.so.cache' || path === '/etc/ld.so.conf' || path.startsWith('/etc/ld.so.conf.d/') || path.startsWith('/etc/ld-musl-')) return 'data';
  if (path === '/lib/apk/db/installed' || path === '/var/lib/dpkg/status') return 'data';
  const name = basename(path);
  if (LIBRARY_NAME.test(name) || name === 'postgres' || SHELLS.has(path)) return 'elf';
  return undefined;
}

const SHELLS = new Set(['/bin/sh', '/usr/bin/sh', '/bin/dash', '/usr/bin/dash', '/bin/bash', '/usr/bin/bash', '/bin/busybox']);

/** Captures the inventory of a root filesystem from a tar stream (`podman export`). */
export async function inventoryFromTar(stream: Readable, options: CaptureOptions = {}): Promise<Inventory> {
  const view = await tarRoot(stream, options.source ?? 'tar stream', keepForInventory);
  return captureInventory(view, options);
}

/** Captures the inventory of an image from its layers (uncompressed tar streams, lowest first),
 * with no container engine; `keep` adds files the caller wants to read from the view too. */
export async function inventoryFromLayers(
  layers: Iterable<Readable | (() => Promise<Readable>)>,
  options: CaptureOptions & { keep?: Keep } = {},
): Promise<{ inventory: Inventory; view: RootView }> {
  const extra = options.keep;
  const keep: Keep = extra === undefined ? keepForInventory : (path, size) => keepForInventory(path) ?? extra(path, size);
  const view = await layeredTarRoot(layers, options.source ?? 'image layers', keep);
  return { inventory: captureInventory(view, options), view };
}

/** Captures the inventory of a container image: `create` a container (never started), `export`
 * its filesystem into the reader, and remove the container whatever happens. */
export async function captureImageInventory(engineCmd: 'podman' | 'docker', image: string, options: Omit<CaptureOptions, 'source'> = {}): Promise<Inventory> {
  const imageId = (await run(engineCmd, ['image', 'inspect', '--format', '{{.Id}}', image])).trim();
  // Labelled as the build's containers are, with the process that made it.
  const id = (await run(engineCmd, ['create', '--label', `org.trunkfarm.pid=${process.pid}`, image, 'true'])).trim();
  try {
    // Through a real pipe: podman writes the archive by opening /dev/stdout, which fails on the
    // socket Node gives a child as stdout. pipefail keeps the engine's exit status.
    // Its own process group, so that stopping it early stops the engine and cat with it.
    const child = spawn('bash', ['-c', 'set -o pipefail; "$0" export "$1" | cat', engineCmd, id], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve(code ?? 1));
    });
    let inventory: Inventory;
    try {
      inventory = await inventoryFromTar(child.stdout, { ...options, source: image, imageId });
    } catch (err) {
      // An engine that failed on its own explains an empty or cut stream better than the reader.
      const code = await Promise.race([exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 2000).unref())]).catch(() => undefined);
      if (code !== undefined && code !== 0) throw new UserError(`${engineCmd} export ${image} failed (exit ${code}): ${stderr.trim()}`);
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      await exited.catch(() => 1);
      throw err;
    }
    const code = await exited;
    if (code !== 0) throw new UserError(`${engineCmd} export ${image} failed (exit ${code}): ${stderr.trim()}`);
    return inventory;
  } finally {
    await run(engineCmd, ['rm', '-f', id]).catch(() => undefined);
  }
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => reject(new UserError(`cannot run ${cmd}: ${e.message}`)));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new UserError(`${cmd} ${args.join(' ')} failed (exit ${code}): ${err.trim()}`))));
  });
}

/** Writes the inventory as JSON, atomically (a temp file renamed into place). */
export function saveInventory(inventory: Inventory, file: string): void {
  mkdirSync(hostDirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(inventory, null, 1)}\n`);
  renameSync(tmp, file);
}

/** Reads a saved inventory, refusing other formats and versions with a message that says which. */
export function loadInventory(file: string): Inventory {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(`${file}: cannot read inventory: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseInventory(data, file);
}

export function parseInventory(data: unknown, name = 'inventory'): Inventory {
  const head = data as { format?: unknown; version?: unknown } | null;
  if (head === null || typeof head !== 'object' || head.format !== INVENTORY_FORMAT) throw new UserError(`${name}: not a trunkfarm inventory (format is not "${INVENTORY_FORMAT}")`);
  if (head.version !== INVENTORY_VERSION) throw new UserError(`${name}: inventory version ${String(head.version)} is not the one this trunkfarm reads (${INVENTORY_VERSION}); capture it again`);
  const parsed = inventorySchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${name}: invalid inventory at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** Fast lookups over an inventory: a runtime path to the library there, through the links. */
export interface InventoryIndex {
  readonly inventory: Inventory;
  /** The canonical form of a path, as far as the inventory's links know it. */
  canonical(path: string): string;
  /** The library at a runtime path; `missing` when the directory is listed and the name is not in
   * it; `unknown` when the inventory did not list the directory. */
  lookup(path: string): InventoryLibrary | 'missing' | 'unknown';
  bySoname(soname: string): InventoryLibrary[];
}

export function indexInventory(inventory: Inventory): InventoryIndex {
  const byPath = new Map<string, InventoryLibrary>();
  const bySoname = new Map<string, InventoryLibrary[]>();
  for (const lib of inventory.libraries) {
    byPath.set(lib.path, lib);
    for (const n of lib.names) byPath.set(n, lib);
    if (lib.soname !== undefined) bySoname.set(lib.soname, [...(bySoname.get(lib.soname) ?? []), lib]);
  }
  const dirs = new Set(inventory.dirs);
  const links = new Map(Object.entries(inventory.links));
  const canonical = (path: string): string => {
    let parts = splitPath(normalizePath(path));
    for (let hops = 0; hops < 40; hops++) {
      let replaced = false;
      for (let i = parts.length; i > 0; i--) {
        const target = links.get(`/${parts.slice(0, i).join('/')}`);
        if (target !== undefined) {
          parts = [...splitPath(target), ...parts.slice(i)];
          replaced = true;
          break;
        }
      }
      if (!replaced) break;
    }
    return `/${parts.join('/')}`;
  };
  return {
    inventory,
    canonical,
    lookup(path) {
      const c = canonical(path);
      const hit = byPath.get(c);
      if (hit !== undefined) return hit;
      return dirs.has(dirname(c)) ? 'missing' : 'unknown';
    },
    bySoname(soname) {
      return bySoname.get(soname) ?? [];
    },
  };
}
