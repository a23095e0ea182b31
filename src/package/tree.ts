// A package's file tree as plain data, shared by the writers (trunk, OCI layer) and the reader:
// the same path rules, the same normalised modes and the same symlink resolution on both sides,
// so that what one side writes the other accepts.
import { posix } from 'node:path';

export type EntryType = 'file' | 'directory' | 'symlink';

export interface TreeEntry {
  /** Relative, `/`-separated, no `.`/`..` segments, no trailing slash. */
  path: string;
  type: EntryType;
  /** Normalised permission bits (see normaliseMode). */
  mode: number;
  /** Bytes, for files; 0 otherwise. */
  size: number;
  /** File on disk that holds the content... */
  source?: string;
  /** ...or the content itself (generated files such as trunk.json). */
  data?: Buffer;
  /** Symlink target as stored (always relative). */
  linkname?: string;
  /** Hex SHA-256 of the content, files only, once known. */
  sha256?: string;
}

const SO = /\.so(\.\d+)*$/;

/** 0755 for directories, executables and shared objects, 0644 for other files; no special bits. */
export function normaliseMode(path: string, type: EntryType, mode: number): number {
  if (type === 'directory') return 0o755;
  if (type === 'symlink') return 0o777;
  return (mode & 0o111) !== 0 || SO.test(posix.basename(path)) ? 0o755 : 0o644;
}

/** Why a path cannot name an entry inside a package, or undefined when it can. */
export function badPathReason(path: string): string | undefined {
  if (path === '') return 'empty path';
  if (path.startsWith('/')) return 'absolute path';
  if (/[\0\n\r]/.test(path)) return 'control character in path';
  for (const seg of path.split('/')) {
    if (seg === '..') return '".." in path';
    if (seg === '.' || seg === '') return 'non-normalised path ("." or empty segment)';
  }
  return undefined;
}

/** Byte order of the UTF-8 paths: the canonical entry order. Parents sort before children. */
export function comparePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

interface LinkView {
  type: EntryType;
  linkname?: string;
}

/** Adds the ancestors of every path as implied directories (archives need not list them). */
export function withImpliedDirs<T extends LinkView>(entries: Map<string, T>): Map<string, LinkView> {
  const all = new Map<string, LinkView>(entries);
  for (const path of entries.keys()) {
    for (let i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
      const dir = path.slice(0, i);
      if (!all.has(dir)) all.set(dir, { type: 'directory' });
    }
  }
  return all;
}

type Resolution = { ok: true; path: string; type: EntryType } | { ok: false; reason: string };

/** Resolves the symlink at `path` the way the kernel would, but inside the package only: fails
 * when any step leaves the package root, meets an absolute target, dangles or loops. A lexical
 * check would not do: `a -> ../..` then `b -> a/..` escapes although `b`'s text looks harmless. */
export function resolveLink(entries: Map<string, LinkView>, path: string): Resolution {
  const start = entries.get(path);
  if (start?.type !== 'symlink' || start.linkname === undefined) return { ok: false, reason: 'not a symlink' };
  let pending = [...dirParts(path), ...start.linkname.split('/')];
  if (start.linkname.startsWith('/')) return { ok: false, reason: `absolute target "${start.linkname}"` };
  const done: string[] = [];
  let type: EntryType = 'directory';
  let hops = 1;
  while (pending.length > 0) {
    const seg = pending.shift()!;
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (done.length === 0) return { ok: false, reason: `target "${start.linkname}" points outside the package` };
      done.pop();
      type = 'directory';
      continue;
    }
    if (type !== 'directory') return { ok: false, reason: `target "${start.linkname}" goes through a file` };
    const here = [...done, seg].join('/');
    const entry = entries.get(here);
    if (entry === undefined) return { ok: false, reason: `target "${start.linkname}" is not in the package` };
    if (entry.type === 'symlink') {
      if (++hops > 40) return { ok: false, reason: 'too many levels of symlinks' };
      if (entry.linkname === undefined || entry.linkname.startsWith('/'))
        return { ok: false, reason: `target goes through "${here}", which points to an absolute path` };
      pending = [...entry.linkname.split('/'), ...pending];
      continue;
    }
    done.push(seg);
    type = entry.type;
  }
  return { ok: true, path: done.join('/'), type };
}

/** The first ancestor of `path` that is a symlink: writing through it could land anywhere. */
export function symlinkAncestor(entries: Map<string, LinkView>, path: string): string | undefined {
  for (let i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
    if (entries.get(path.slice(0, i))?.type === 'symlink') return path.slice(0, i);
  }
  return undefined;
}

function dirParts(path: string): string[] {
  const i = path.lastIndexOf('/');
  return i < 0 ? [] : path.slice(0, i).split('/');
}
