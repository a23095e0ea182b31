// What the installer records about an install, where it keeps it, and the checks that keep every
// path it later removes or rewrites to the package's own files.
//
// A trunk may put anything below pg_config's directories (pgConfigBases). The state of a
// --pg-config install lives beside PKGLIBDIR (PKGLIBDIR.trunkfarm/NAME.json and
// NAME.journal.json). That place may itself lie inside one of those directories: with PostgreSQL
// under /usr/local (the musl images) PKGLIBDIR is /usr/local/lib/postgresql inside LIBDIR
// /usr/local/lib. Refusing such ordinary layouts, or hunting for some directory outside all of
// them (the bases can cover a whole prefix), would trade one guarantee for another; instead no
// package may place anything in or at the state directory: every destination, after mapping to
// pg_config's directories and both as written and after resolving symlinks, is refused there
// (checkPlace). Links need no check of their own: their targets are mapped to installed
// destinations, which pass the same check. The records are still read as untrusted: every path must
// lie below a directory this package maps to and outside the state (or be relative to DIR/NAME for
// --extensions-dir), and no directory between that base and the file may be a symlink, which an
// install never creates there.
import { lstat, realpath } from 'node:fs/promises';
import { posix } from 'node:path';
import { UserError } from '../errors.ts';
import { pgConfigBases, type PgDirs } from './destinations.ts';
import { badPathReason } from './tree.ts';

/** What an install leaves behind to be undone exactly. Paths are absolute for --pg-config and
 * relative to DIR/NAME for --extensions-dir (so that DIR may move). */
export interface InstallManifest {
  trunkfarm: 1;
  package: string;
  version: string;
  trunk: string;
  sha256: string;
  files: { path: string; sha256: string; mode: number }[];
  symlinks: { path: string; target: string }[];
  /** Directories the install created (removed again when empty). */
  dirs: string[];
}

export interface Journal {
  manifest: InstallManifest;
  temps: string[];
}

export interface StatePaths {
  dir: string;
  manifest: string;
  journal: string;
}

/** Temporaries sit beside their destination: `.NAME.trunkfarm-XXXXXXXX`. */
export const tempName = (dest: string, suffix: string): string => posix.join(posix.dirname(dest), `.${posix.basename(dest)}.trunkfarm-${suffix}`);
const TEMP = /^\.(.+)\.trunkfarm-[0-9a-f]{8}$/;

/** The directories a --pg-config install of a package writes below, and the installer's own
 * state directory (as written and resolved), where none of them may write. */
export interface Places {
  bases: string[];
  state: string;
  realState: string;
}

/** Where a --pg-config install of `name` keeps its manifest and journal, and where it may write. */
export async function statePaths(dirs: PgDirs, name: string): Promise<StatePaths & { places: Places }> {
  const dir = `${posix.resolve(dirs.pkglibdir!)}.trunkfarm`;
  const places = { bases: pgConfigBases(name, dirs), state: dir, realState: await realpathOfExisting(dir) };
  return { dir, manifest: posix.join(dir, `${name}.json`), journal: posix.join(dir, `${name}.journal.json`), places };
}

/** `p` is `base` or below it (both absolute, normalised). */
function inside(p: string, base: string): boolean {
  return p === base || p.startsWith(base === '/' ? '/' : `${base}/`);
}

/** The realpath of `p`'s nearest existing ancestor, with the rest appended. */
async function realpathOfExisting(p: string): Promise<string> {
  const rest: string[] = [];
  for (let cur = p; ; cur = posix.dirname(cur)) {
    const r = await realpath(cur).catch(() => undefined);
    if (r !== undefined) return posix.join(r, ...rest.reverse());
    if (cur === posix.dirname(cur)) return p;
    rest.push(posix.basename(cur));
  }
}

/** The innermost base `path` lies strictly below, if any. */
function baseOf(path: string, bases: string[]): string | undefined {
  let best: string | undefined;
  for (const b of bases) if (path !== b && inside(path, b) && (best === undefined || b.length > best.length)) best = b;
  return best;
}

/** The first directory strictly between `base` and `path` that is a symlink. */
async function symlinkBetween(base: string, path: string): Promise<string | undefined> {
  const parts = posix.relative(base, posix.dirname(path)).split('/').filter(Boolean);
  let cur = base;
  for (const part of parts) {
    cur = posix.join(cur, part);
    const st = await lstat(cur).catch(() => undefined);
    if (!st) return undefined;
    if (st.isSymbolicLink()) return cur;
  }
  return undefined;
}

/** Refuses a write or removal at `path` that is not below one of the bases, is in or at the state
 * directory (or holds it), or goes through a symlink. */
export async function checkPlace(path: string, places: Places, what: string): Promise<void> {
  const base = baseOf(path, places.bases);
  if (base === undefined || posix.normalize(path) !== path) throw new UserError(`${what} "${path}" is not a place this package installs to`);
  const real = await realpathOfExisting(path);
  if (overlaps(path, places.state) || overlaps(real, places.realState))
    throw new UserError(`${what} "${path}" is in the installer's state directory ${places.state}, where no package may install`);
  const via = await symlinkBetween(base, path);
  if (via) throw new UserError(`${path}: goes through the symlink ${via}; refusing to write through it`);
}

const overlaps = (a: string, b: string) => inside(a, b) || inside(b, a);

/** Parses a manifest and checks its shape and every path in it. `bases` for --pg-config; for
 * --extensions-dir paths must be relative to the package root (`root`) and not pass a symlink. */
export async function parseManifest(text: string, where: string, name: string, place: Places | { root: string }): Promise<InstallManifest> {
  let m: InstallManifest;
  try {
    m = JSON.parse(text) as InstallManifest;
  } catch (err) {
    throw new UserError(`${where}: not a readable install manifest (${(err as Error).message}); inspect and remove it`);
  }
  await checkManifest(m, where, '', name, place);
  return m;
}

export async function parseJournal(text: string, where: string, name: string, places: Places): Promise<Journal> {
  let j: Journal;
  try {
    j = JSON.parse(text) as Journal;
  } catch (err) {
    throw new UserError(`${where}: unreadable install journal (${(err as Error).message}); inspect and remove it`);
  }
  if (!isObject(j) || !Array.isArray(j.temps)) throw new UserError(`${where}: not an install journal; inspect and remove it`);
  await checkManifest(j.manifest, where, 'manifest.', name, places);
  const dests = new Set([...j.manifest.files.map((f) => f.path), ...j.manifest.symlinks.map((s) => s.path)]);
  for (const [i, t] of j.temps.entries()) {
    const m = typeof t === 'string' ? TEMP.exec(posix.basename(t)) : null;
    if (!m || !dests.has(posix.join(posix.dirname(t as string), m[1]!)))
      throw new UserError(`${where}: temps[${i}] "${String(t)}" is not a temporary of a file this package installs`);
  }
  return j;
}

async function checkManifest(m: InstallManifest, where: string, prefix: string, name: string, place: Places | { root: string }): Promise<void> {
  const bad = (why: string): never => {
    throw new UserError(`${where}: ${why}; inspect and remove it`);
  };
  if (!isObject(m) || m.trunkfarm !== 1) bad('not an install manifest');
  if (m.package !== name) bad(`${prefix}package is "${String(m.package)}", not ${name}`);
  if (!Array.isArray(m.files) || !Array.isArray(m.symlinks) || !Array.isArray(m.dirs)) bad(`${prefix}files, symlinks and dirs must be lists`);
  const checkPath = async (p: unknown, what: string) => {
    if (typeof p !== 'string') bad(`${what} is not a path`);
    if ('bases' in place) {
      try {
        await checkPlace(p as string, place, what);
      } catch (err) {
        throw new UserError(`${where}: ${(err as Error).message}`);
      }
    } else {
      const why = badPathReason(p as string);
      if (why) bad(`${what} "${String(p)}": ${why}`);
      const via = await symlinkBetween(place.root, posix.join(place.root, p as string));
      if (via) bad(`${what} "${String(p)}" goes through the symlink ${via}`);
    }
  };
  for (const [i, f] of m.files.entries()) {
    if (!isObject(f) || typeof f.sha256 !== 'string') bad(`${prefix}files[${i}] has no sha256`);
    await checkPath(f.path, `${prefix}files[${i}].path`);
  }
  for (const [i, s] of m.symlinks.entries()) {
    if (!isObject(s) || typeof s.target !== 'string') bad(`${prefix}symlinks[${i}] has no target`);
    await checkPath(s.path, `${prefix}symlinks[${i}].path`);
  }
  for (const [i, d] of m.dirs.entries()) {
    if (typeof d !== 'string') bad(`${prefix}dirs[${i}] is not a path`);
    // Created directories are the bases' missing ancestors or lie below a base, never in the state.
    if ('bases' in place ? !place.bases.some((b) => overlaps(d, b)) || inside(d, place.state) || posix.normalize(d) !== d : badPathReason(d) !== undefined)
      bad(`${prefix}dirs[${i}] "${d}" is not a directory this package installs`);
  }
}

function isObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
