// A read-only view of a root filesystem that is not ours: a directory (an unpacked image, a
// `podman mount` point, or `/`) or the entries of a tar stream held in memory. Paths are absolute
// inside the root; symbolic links are resolved inside the root as the kernel would resolve them
// there, so an absolute link in an image never reaches the host's files.
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { type ElfInfo, ElfError, type ParseOptions, isElf, parseElfBuffer, readElfIfElf } from './elf/index.ts';

type EntryKind = 'file' | 'dir' | 'symlink' | 'other';

export interface Entry {
  kind: EntryKind;
  /** Link target, for symlinks. */
  target?: string;
  size?: number;
}

export interface RootView {
  /** What the view shows, for messages: a directory path or an image name. */
  readonly label: string;
  /** The entry itself (links not followed). Every directory in `path` must be canonical. */
  lstat(path: string): Entry | undefined;
  readdir(path: string): string[] | undefined;
  /** A small regular file's bytes; undefined when it is missing or larger than `max`. */
  readFile(path: string, max?: number): Buffer | undefined;
  /** The ELF facts of a regular file: undefined when it is not ELF, an ElfError when malformed. */
  elf(path: string): ElfInfo | ElfError | undefined;
  /** Where the file's bytes can be read on this machine, when they can be. */
  hostPath?(path: string): string | undefined;
}

/** Loop bound for symbolic links, as Linux (MAXSYMLINKS). */
const MAX_LINKS = 40;

export function splitPath(path: string): string[] {
  return path.split('/').filter((c) => c !== '' && c !== '.');
}

export function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Lexical normalisation: `.` and empty components removed, `..` applied (not for link resolution). */
export function normalizePath(path: string): string {
  const out: string[] = [];
  for (const c of splitPath(path)) {
    if (c === '..') out.pop();
    else out.push(c);
  }
  return `/${out.join('/')}`;
}

export interface Resolved {
  /** The canonical path: no symbolic links in any component. */
  path: string;
  entry: Entry;
  /** The path of every symbolic link followed, in order. */
  links: string[];
}

/** Resolves every symbolic link in `path` inside the root (like realpath(3)); undefined when a
 * component is missing, not a directory, or the links loop. */
export function resolvePath(view: Pick<RootView, 'lstat'>, path: string): Resolved | undefined {
  const resolved: string[] = [];
  const queue = splitPath(path);
  const links: string[] = [];
  let hops = 0;
  let entry: Entry = { kind: 'dir' };
  while (queue.length > 0) {
    const c = queue.shift() as string;
    if (c === '..') {
      resolved.pop();
      entry = { kind: 'dir' };
      continue;
    }
    const p = `/${[...resolved, c].join('/')}`;
    const e = view.lstat(p);
    if (e === undefined) return undefined;
    if (e.kind === 'symlink') {
      if (++hops > MAX_LINKS || e.target === undefined) return undefined;
      links.push(p);
      if (e.target.startsWith('/')) resolved.length = 0;
      queue.unshift(...splitPath(e.target));
      entry = { kind: 'dir' };
      continue;
    }
    if (queue.length > 0 && e.kind !== 'dir') return undefined;
    resolved.push(c);
    entry = e;
  }
  return { path: `/${resolved.join('/')}`, entry, links };
}

/** resolvePath with the directories' resolutions remembered: the loader probes many names in
 * few directories. */
export function memoResolver(view: Pick<RootView, 'lstat'>): (path: string) => Resolved | undefined {
  const dirs = new Map<string, Resolved | undefined>();
  const resolveDir = (dir: string): Resolved | undefined => {
    if (dirs.has(dir)) return dirs.get(dir);
    const r = resolvePath(view, dir);
    dirs.set(dir, r);
    return r;
  };
  const resolve = (path: string, hops: number, links: string[]): Resolved | undefined => {
    const i = path.lastIndexOf('/');
    const name = path.slice(i + 1);
    if (i < 0 || name === '' || name === '.' || name === '..') return resolvePath(view, path);
    const dir = resolveDir(i === 0 ? '/' : path.slice(0, i));
    if (dir === undefined || dir.entry.kind !== 'dir') return undefined;
    const p = joinPath(dir.path, name);
    const e = view.lstat(p);
    if (e === undefined) return undefined;
    const all = links.length === 0 ? dir.links : [...links, ...dir.links];
    if (e.kind !== 'symlink') return { path: p, entry: e, links: all };
    // A link to a file: its target resolved the same way, relative to the link's directory.
    if (hops >= MAX_LINKS || e.target === undefined) return undefined;
    return resolve(e.target.startsWith('/') ? e.target : joinPath(dir.path, e.target), hops + 1, [...all, p]);
  };
  return (path) => resolve(path, 0, []);
}

/** What views read of ELF files by default: the dynamic section and versions, not relocations or
 * symbols (which only the check of a package's own files needs). */
const VIEW_PARSE: ParseOptions = { relocations: false, symbols: false };

/** A directory on this machine seen as a root filesystem (`/` for the machine itself). */
export function dirRoot(root: string, parse: ParseOptions = VIEW_PARSE): RootView {
  const base = root.replace(/\/+$/, '');
  const stats = new Map<string, Entry | undefined>();
  const elves = new Map<string, ElfInfo | ElfError | undefined>();
  const host = (p: string) => (base === '' ? p : `${base}${p}`);
  return {
    label: root,
    lstat(path) {
      if (path === '/') return { kind: 'dir' };
      if (stats.has(path)) return stats.get(path);
      let entry: Entry | undefined;
      try {
        const st = lstatSync(host(path), { throwIfNoEntry: false });
        if (st !== undefined) {
          if (st.isSymbolicLink()) entry = { kind: 'symlink', target: readlinkSync(host(path)) };
          else if (st.isDirectory()) entry = { kind: 'dir' };
          else if (st.isFile()) entry = { kind: 'file', size: st.size };
          else entry = { kind: 'other' };
        }
      } catch {
        entry = undefined;
      }
      stats.set(path, entry);
      return entry;
    },
    readdir(path) {
      try {
        return readdirSync(host(path));
      } catch {
        return undefined;
      }
    },
    readFile(path, max = 1 << 24) {
      const e = this.lstat(path);
      if (e?.kind !== 'file' || (e.size ?? 0) > max) return undefined;
      try {
        return readFileSync(host(path));
      } catch {
        return undefined;
      }
    },
    elf(path) {
      if (elves.has(path)) return elves.get(path);
      let info: ElfInfo | ElfError | undefined;
      try {
        info = readElfIfElf(host(path), parse);
      } catch (err) {
        if (err instanceof ElfError) info = err;
        else info = undefined;
      }
      elves.set(path, info);
      return info;
    },
    hostPath(path) {
      return host(path);
    },
  };
}

interface MemEntry extends Entry {
  data?: Buffer;
  elf?: ElfInfo | ElfError;
}

/** What to keep of a regular file met in a tar stream: its ELF facts, its bytes, or nothing. */
export type Keep = (path: string, size: number) => 'elf' | 'data' | undefined;

/** Reads a tar stream of a root filesystem (what `podman export` writes) into a view. Only the
 * files `keep` asks for are held: ELF ones as parsed facts (one file's bytes at a time), others as
 * bytes; the rest is remembered by kind alone. */
export async function tarRoot(stream: Readable, label: string, keep: Keep): Promise<RootView> {
  return layeredTarRoot([stream], label, keep, { whiteouts: false });
}

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

/** Reads an image's layers, lowest first, into one view, as a container engine stacks them: a
 * later layer's entry replaces an earlier one, `.wh.NAME` deletes NAME and `.wh..wh..opq` hides
 * what earlier layers put in its directory (the OCI image spec's whiteouts). Each layer is opened
 * only when the previous one is done, so one layer's bytes are in flight at a time. */
export async function layeredTarRoot(
  layers: Iterable<Readable | (() => Promise<Readable>)>,
  label: string,
  keep: Keep,
  options: { whiteouts?: boolean } = {},
): Promise<RootView> {
  const whiteouts = options.whiteouts ?? true;
  const entries = new Map<string, MemEntry>([['/', { kind: 'dir' }]]);
  const children = new Map<string, Set<string>>();
  const remove = (path: string) => {
    entries.delete(path);
    children.get(dirname(path))?.delete(basename(path));
    const names = children.get(path);
    if (names !== undefined) for (const name of [...names]) remove(joinPath(path, name));
    children.delete(path);
  };
  const add = (path: string, entry: MemEntry) => {
    // A file replacing a directory (or the reverse) takes the old entry's subtree with it.
    const old = entries.get(path);
    if (old !== undefined && !(old.kind === 'dir' && entry.kind === 'dir')) remove(path);
    entries.set(path, entry);
    // Parents missing from the archive exist implicitly.
    for (let p = path; ; ) {
      const parent = dirname(p);
      let names = children.get(parent);
      if (names === undefined) children.set(parent, (names = new Set()));
      names.add(basename(p));
      if (parent === '/' || entries.has(parent)) break;
      entries.set(parent, { kind: 'dir' });
      p = parent;
    }
  };
  // One layer: its entries over what the layers below left.
  const readLayer = (stream: Readable): Promise<void> => {
    const ex = extract();
    const done = new Promise<void>((resolve, reject) => {
      ex.on('entry', (header, body, next) => {
        const path = normalizePath(header.name);
        const name = basename(path);
        if (whiteouts && name.startsWith(WHITEOUT)) {
          const dir = dirname(path);
          if (name === OPAQUE) for (const child of [...(children.get(dir) ?? [])]) remove(joinPath(dir, child));
          else remove(joinPath(dir, name.slice(WHITEOUT.length)));
          body.on('end', () => next());
          body.resume();
          return;
        }
        const chunks: Buffer[] = [];
        let want: 'elf' | 'data' | undefined;
        if (header.type === 'file' || header.type === 'contiguous-file') want = keep(path, header.size ?? 0);
        body.on('data', (chunk: unknown) => {
          if (want !== undefined) chunks.push(chunk as Buffer);
        });
        body.on('error', reject);
        body.on('end', () => {
          if (path === '/') return next();
          switch (header.type) {
            case 'directory':
              add(path, { kind: 'dir' });
              break;
            case 'symlink':
              add(path, { kind: 'symlink', target: header.linkname ?? '' });
              break;
            case 'link': {
              const target = entries.get(normalizePath(header.linkname ?? ''));
              add(path, target !== undefined ? { ...target } : { kind: 'file', size: 0 });
              break;
            }
            case 'file':
            case 'contiguous-file': {
              const entry: MemEntry = { kind: 'file', size: header.size ?? 0 };
              if (want !== undefined) {
                const data = Buffer.concat(chunks);
                if (want === 'data') entry.data = data;
                else if (isElf(data)) {
                  try {
                    entry.elf = parseElfBuffer(data, `${label}:${path}`, VIEW_PARSE);
                  } catch (err) {
                    if (!(err instanceof ElfError)) return reject(err);
                    entry.elf = err;
                  }
                }
              }
              add(path, entry);
              break;
            }
            default:
              add(path, { kind: 'other' });
          }
          next();
        });
        body.resume();
      });
      ex.on('finish', resolve);
      ex.on('error', reject);
      stream.on('error', reject);
    });
    stream.pipe(ex);
    return done;
  };
  for (const layer of layers) await readLayer(typeof layer === 'function' ? await layer() : layer);
  return {
    label,
    lstat(path) {
      const e = entries.get(path === '' ? '/' : path);
      return e === undefined ? undefined : { kind: e.kind, ...(e.target !== undefined && { target: e.target }), ...(e.size !== undefined && { size: e.size }) };
    },
    readdir(path) {
      const names = children.get(path);
      if (names !== undefined) return [...names];
      return entries.get(path)?.kind === 'dir' ? [] : undefined;
    },
    readFile(path, max = 1 << 24) {
      const e = entries.get(path);
      return e?.data !== undefined && e.data.length <= max ? e.data : undefined;
    },
    elf(path) {
      return entries.get(path)?.elf;
    },
  };
}
