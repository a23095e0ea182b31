// Turns what `make install DESTDIR=...` left (absolute paths such as
// usr/lib/postgresql/17/lib/vector.so) into the trunk layout, pgsql/<pg_config dir>/..., using the
// builder's own pg_config, so that one layout serves every distribution.
import { mkdir, readdir, readlink, rename, rm, symlink, unlink } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.ts';

/** pg_config's directories, by the trunk layout's names (PGXN RFC 2: `pgsql/<name>`). */
export const LAYOUT_DIRS: Record<string, string> = {
  bindir: 'bin',
  docdir: 'doc',
  htmldir: 'html',
  'includedir-server': 'include/server',
  pkgincludedir: 'pkginclude',
  includedir: 'include',
  pkglibdir: 'pkglib',
  libdir: 'lib',
  localedir: 'locale',
  mandir: 'man',
  sharedir: 'share',
  sysconfdir: 'sysconf',
};

export interface PgConfig {
  /** pg_config --NAME for each directory in LAYOUT_DIRS, plus version and build flags. */
  [name: string]: string;
}

export function parsePgConfig(text: string): PgConfig {
  const out: PgConfig = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  for (const dir of Object.keys(LAYOUT_DIRS)) {
    if (!out[dir]?.startsWith('/')) throw new UserError(`pg_config gave no absolute --${dir} (got ${JSON.stringify(out[dir] ?? '')})`);
  }
  return out;
}

async function walk(root: string, rel = ''): Promise<string[]> {
  const entries = await readdir(path.join(root, rel), { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries) {
    const p = path.join(rel, e.name);
    if (e.isDirectory()) out.push(...(await walk(root, p)));
    else out.push(p);
  }
  return out;
}

/** Moves every installed file under `destdir` into `stage/pgsql/...`. Files outside PostgreSQL's
 * directories are an error: an installer could not place them, and they would be lost. Symlinks
 * are mapped like the files: one to a path outside PostgreSQL's directories (or outside DESTDIR)
 * is refused, one to a path inside is written relative to the staged target. An absolute target
 * names the installed location, which DESTDIR holds. */
export async function layoutStage(destdir: string, stage: string, pg: PgConfig): Promise<string[]> {
  // Longest directory first: pkglibdir (/usr/lib/postgresql/17/lib) sits inside or beside libdir.
  const dirs = Object.entries(LAYOUT_DIRS)
    .map(([name, layout]) => ({ prefix: pg[name]!.replace(/^\/+|\/+$/g, ''), layout }))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  const files = (await walk(destdir)).sort();
  if (files.length === 0) throw new UserError('the build installed no files (is DESTDIR honoured by its install step?)');
  const staged = (file: string): string | undefined => {
    const dir = dirs.find((d) => file === d.prefix || file.startsWith(`${d.prefix}/`));
    return dir ? path.posix.join('pgsql', dir.layout, file.slice(dir.prefix.length + 1)) : undefined;
  };
  const outside: string[] = [];
  const moves: [string, string][] = [];
  for (const file of files) {
    const to = staged(file);
    if (to === undefined) outside.push(`/${file}`);
    else moves.push([file, to]);
  }
  if (outside.length > 0) {
    throw new UserError(`the build installed files outside PostgreSQL's directories, which no installer could place:\n  ${outside.slice(0, 20).join('\n  ')}`);
  }
  const links = new Map<string, string>();
  for (const [from, to] of moves) {
    const target = await readlink(path.join(destdir, from)).catch(() => undefined);
    if (target === undefined) continue;
    const resolved = path.posix.normalize(target.startsWith('/') ? target.slice(1) : path.posix.join(path.posix.dirname(from), target));
    const mapped = resolved === '..' || resolved.startsWith('../') ? undefined : staged(resolved);
    if (mapped === undefined) throw new UserError(`the build installed a symlink that leaves PostgreSQL's directories: /${from} -> ${target}`);
    links.set(to, path.posix.relative(path.posix.dirname(to), mapped));
  }
  for (const [from, to] of moves) {
    await mkdir(path.dirname(path.join(stage, to)), { recursive: true });
    const link = links.get(to);
    if (link === undefined) await rename(path.join(destdir, from), path.join(stage, to));
    else {
      await unlink(path.join(destdir, from));
      await symlink(link, path.join(stage, to));
    }
  }
  // Every file has moved; what is left is empty directories.
  await rm(destdir, { recursive: true, force: true });
  return moves.map(([, to]) => to);
}
