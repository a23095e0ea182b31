// A staged package tree and where its directories will be at run time. Two trees are known: the
// trunk layout (`DIR/pgsql/{pkglib,lib,bin,share,...}`) and the image-volume layout
// (`DIR/{lib,share,bin}`). A trunk tree runs in two places: installed into the server's own
// directories (pkglib into the pkglibdir, ...) or mounted read-only as an image volume at
// `/extensions/NAME` (pkglib and lib both as `lib/`); a volume tree only mounted.
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { basename as hostBasename, join, relative } from 'node:path';
import { UserError } from '../errors.ts';
import { type ElfInfo, ElfError, type ParseOptions, readElfIfElf } from './elf/index.ts';
import type { Inventory, PostgresInstall } from './inventory.ts';
import type { Mount } from './view.ts';

export interface Layout {
  /** `install` or `volume`. */
  name: string;
  mounts: Mount[];
  /** Run-time directories whose ELF files PostgreSQL loads with dlopen (modules). */
  moduleDirs: string[];
  /** The server that loads the modules, when the base image has one. */
  postgres?: PostgresInstall;
}

interface TreeFile {
  /** Path relative to the tree, with `/`. */
  path: string;
  /** Absolute path on this machine. */
  local: string;
  /** The tree directory that holds it (`pgsql/pkglib`), relative. */
  dir: string;
  elf: ElfInfo | ElfError;
}

export interface Tree {
  root: string;
  kind: 'trunk' | 'volume';
  /** The library directory bundled dependencies go to, relative to the root. */
  libDir: string;
  files: TreeFile[];
}

export interface LayoutOptions {
  /** The extension's name, for `/extensions/NAME`; defaults to the tree directory's name. */
  name?: string;
  /** PostgreSQL major to pick when the base image has several servers. */
  pg?: number;
  /** Restrict to these layouts (default: all that apply). */
  only?: ('install' | 'volume')[];
}

/** Every regular ELF file in the tree (symbolic links are followed at resolution time instead;
 * other files are skipped after reading four bytes). */
export function scanTree(root: string, parse?: ParseOptions): Tree {
  if (!existsSync(root) || !lstatSync(root).isDirectory()) throw new UserError(`${root}: not a directory`);
  const kind = existsSync(join(root, 'pgsql')) ? 'trunk' : 'volume';
  const files: TreeFile[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const local = join(dir, e.name);
      if (e.isDirectory()) walk(local);
      else if (e.isFile()) {
        let elf: ElfInfo | ElfError | undefined;
        try {
          elf = readElfIfElf(local, parse);
        } catch (err) {
          if (!(err instanceof ElfError)) throw err;
          elf = err;
        }
        if (elf === undefined) continue;
        const rel = relative(root, local).split('\\').join('/');
        files.push({ path: rel, local, dir: rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '.', elf });
      }
    }
  };
  walk(root);
  return { root, kind, libDir: kind === 'trunk' ? 'pgsql/pkglib' : 'lib', files };
}

/** pg_config directory names as trunk's `pgsql/` subdirectories. */
const PG_DIRS = ['pkglib', 'lib', 'bin', 'share', 'doc', 'html', 'include', 'pkginclude', 'locale', 'man', 'sysconf'];

/** Where each of the tree's directories lies at run time, in each layout that applies. */
export function layoutsFor(tree: Tree, inventory: Inventory, options: LayoutOptions = {}): Layout[] {
  const name = options.name ?? hostBasename(tree.root);
  const ext = `/extensions/${name}`;
  const postgres = inventory.postgres.find((p) => options.pg === undefined || p.major === options.pg);
  const out: Layout[] = [];
  const want = (l: 'install' | 'volume') => options.only === undefined || options.only.includes(l);
  const dirs = (tree.kind === 'trunk' ? PG_DIRS.map((d) => `pgsql/${d}`) : ['lib', 'bin', 'share']).filter((d) => existsSync(join(tree.root, d)));
  // Directories with ELF files that the layouts do not name still need a place: under the mount.
  for (const f of tree.files) {
    const top = tree.kind === 'trunk' ? f.path.split('/').slice(0, 2).join('/') : f.path.split('/')[0];
    if (top !== undefined && top !== f.path && !dirs.includes(top)) dirs.push(top);
  }
  const sub = (d: string) => (tree.kind === 'trunk' ? d.slice('pgsql/'.length) : d);
  if (tree.kind === 'trunk' && want('install')) {
    const pkglib = postgres?.pkglibdir ?? '/usr/lib/postgresql/lib';
    const place: Record<string, string | undefined> = {
      pkglib,
      lib: postgres?.libdir ?? inventory.loader.defaultDirs[0],
      bin: postgres === undefined ? undefined : postgres.bin.slice(0, postgres.bin.lastIndexOf('/')),
    };
    out.push({
      name: 'install',
      mounts: dirs.map((d) => ({ runtime: place[sub(d)] ?? `/usr/share/postgresql/${sub(d)}`, local: join(tree.root, d) })),
      moduleDirs: [pkglib],
      ...(postgres !== undefined && { postgres }),
    });
  }
  if (want('volume')) {
    const volumeDir = (d: string) => {
      const s = sub(d);
      return `${ext}/${s === 'pkglib' ? 'lib' : s}`;
    };
    out.push({
      name: 'volume',
      mounts: dirs.map((d) => ({ runtime: volumeDir(d), local: join(tree.root, d) })),
      moduleDirs: [`${ext}/lib`],
      ...(postgres !== undefined && { postgres }),
    });
  }
  return out;
}

/** The run-time path of a tree file in a layout. */
export function runtimePath(layout: Layout, file: Pick<TreeFile, 'local'>): string | undefined {
  for (const m of layout.mounts) {
    const prefix = m.local.endsWith('/') ? m.local : `${m.local}/`;
    if (file.local.startsWith(prefix) && file.local.length > prefix.length) return `${m.runtime.replace(/\/+$/, '')}/${file.local.slice(prefix.length)}`;
  }
  return undefined;
}
