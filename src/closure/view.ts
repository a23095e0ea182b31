// The filesystem as the dynamic loader will see it at run time: the package's directories where
// they will be installed or mounted, over the base image as its inventory describes it, and
// optionally, to explain a failure, the build environment behind both ("outside": what was found
// while building but will not be there at run time).
import type { ElfError, ElfInfo } from './elf/index.ts';
import type { InventoryIndex, InventoryLibrary } from './inventory.ts';
import { type Entry, type Resolved, type RootView, dirRoot, memoResolver, splitPath } from './rootfs.ts';

export type Origin = 'package' | 'base' | 'outside';

/** The facts the loader simulation needs of an object; an ElfInfo has them all. */
export type ObjectFacts = Pick<ElfInfo, 'machine' | 'class' | 'type' | 'needed' | 'rpath' | 'runpath' | 'flags1' | 'verdef' | 'verneed'> &
  Partial<Pick<ElfInfo, 'soname' | 'libc' | 'interp'>>;

export interface Mount {
  /** Where the directory will be at run time, e.g. `/extensions/postgis/lib`. */
  runtime: string;
  /** Where it is now. */
  local: string;
}

export interface LoaderView {
  lstat(path: string): Entry | undefined;
  /** resolvePath over this view, with directories remembered. */
  resolve(path: string): Resolved | undefined;
  /** Which layer a canonical path belongs to. */
  originOf(path: string): Origin | undefined;
  /** The object at a canonical path: facts, an ElfError when malformed, undefined when not ELF. */
  facts(path: string): ObjectFacts | ElfError | undefined;
  /** The real file behind a canonical path (inventory names are links to one library). */
  realPath(path: string): string;
  /** The local file behind a canonical path in the package or the outside layer. */
  hostPath(path: string): string | undefined;
}

interface ViewOptions {
  mounts: Mount[];
  base?: InventoryIndex;
  /** The build environment, consulted for what neither the package nor the base has. */
  outside?: RootView;
  /** ELF facts already read, by local path (the tree's own files). */
  known?: Map<string, ElfInfo | ElfError>;
}

export function loaderView(options: ViewOptions): LoaderView {
  const mounts = options.mounts.map((m) => ({ ...m, view: dirRoot(m.local), prefix: `${m.runtime.replace(/\/+$/, '')}/` }));
  const base = options.base === undefined ? undefined : baseLayer(options.base);
  const outside = options.outside;
  const mountOf = (path: string) => mounts.find((m) => path.startsWith(m.prefix));
  const isMountAncestor = (path: string) => mounts.some((m) => m.prefix.startsWith(path === '/' ? '/' : `${path}/`) || `${path}/` === m.prefix);
  const packageFacts = new Map<string, ObjectFacts | ElfError | undefined>();

  /** The mount whose directory holds `path`: several mounts may share a run-time directory. */
  const mountWith = (path: string) => mounts.find((m) => path.startsWith(m.prefix) && m.view.lstat(path.slice(m.prefix.length - 1)) !== undefined);

  const owners = new Map<string, Origin | undefined>();
  const owner = (path: string): Origin | undefined => {
    if (owners.has(path)) return owners.get(path);
    let o: Origin | undefined;
    if (mountWith(path) !== undefined) o = 'package';
    else if (base?.lstat(path) !== undefined) o = 'base';
    else if (outside?.lstat(path) !== undefined) o = 'outside';
    owners.set(path, o);
    return o;
  };

  const view: LoaderView = {
    resolve: (path) => resolve(path),
    lstat(path): Entry | undefined {
      const m = mountWith(path);
      if (m !== undefined) return m.view.lstat(path.slice(m.prefix.length - 1));
      if (mountOf(path) === undefined && isMountAncestor(path)) return { kind: 'dir' };
      return base?.lstat(path) ?? outside?.lstat(path);
    },
    originOf: owner,
    facts(path) {
      switch (owner(path)) {
        case 'package': {
          if (packageFacts.has(path)) return packageFacts.get(path);
          const m = mountWith(path);
          if (m === undefined) return undefined;
          const local = `${m.local.replace(/\/+$/, '')}${path.slice(m.prefix.length - 1)}`;
          const f = options.known?.get(local) ?? m.view.elf(path.slice(m.prefix.length - 1));
          packageFacts.set(path, f);
          return f;
        }
        case 'base':
          return base?.facts(path);
        case 'outside':
          return outside?.elf(path);
        default:
          return undefined;
      }
    },
    realPath(path) {
      return owner(path) === 'base' ? (base?.realPath(path) ?? path) : path;
    },
    hostPath(path) {
      const m = mountWith(path);
      if (m !== undefined) return `${m.local.replace(/\/+$/, '')}${path.slice(m.prefix.length - 1)}`;
      if (owner(path) === 'outside') return outside?.hostPath?.(path);
      return undefined;
    },
  };
  const resolve = memoResolver(view);
  return view;
}

interface BaseLayer {
  lstat(path: string): Entry | undefined;
  facts(path: string): ObjectFacts | undefined;
  realPath(path: string): string;
}

/** The base image as its inventory knows it: listed directories hold exactly the listed
 * libraries; the links recorded on the way to them are links; nothing else is known. */
function baseLayer(index: InventoryIndex): BaseLayer {
  const inv = index.inventory;
  const files = new Map<string, InventoryLibrary>();
  const dirs = new Set<string>(['/']);
  const addAncestors = (path: string) => {
    const parts = splitPath(path);
    for (let i = 1; i < parts.length; i++) dirs.add(`/${parts.slice(0, i).join('/')}`);
  };
  for (const lib of inv.libraries) {
    files.set(lib.path, lib);
    addAncestors(lib.path);
    for (const n of lib.names) {
      files.set(n, lib);
      addAncestors(n);
    }
  }
  for (const d of inv.dirs) {
    dirs.add(d);
    addAncestors(d);
  }
  for (const [link, target] of Object.entries(inv.links)) {
    addAncestors(link);
    dirs.add(target);
    addAncestors(target);
  }
  const links = new Map(Object.entries(inv.links));
  const facts = new Map<InventoryLibrary, ObjectFacts>();
  return {
    lstat(path) {
      if (files.has(path)) return { kind: 'file' };
      const target = links.get(path);
      if (target !== undefined) return { kind: 'symlink', target };
      if (dirs.has(path)) return { kind: 'dir' };
      return undefined;
    },
    facts(path) {
      const lib = files.get(path);
      if (lib === undefined) return undefined;
      let f = facts.get(lib);
      if (f === undefined) {
        f = {
          machine: lib.machine,
          class: lib.class,
          type: 'dyn',
          needed: lib.needed,
          rpath: lib.rpath ?? [],
          runpath: lib.runpath ?? [],
          flags1: 0,
          verdef: lib.versions ?? [],
          verneed: [],
          ...(lib.soname !== undefined && { soname: lib.soname }),
          ...(lib.libc !== undefined && { libc: lib.libc }),
        };
        facts.set(lib, f);
      }
      return f;
    },
    realPath(path) {
      return files.get(path)?.path ?? path;
    },
  };
}

