// Reading a staged directory (the build stage's output) into a checked, hashed, sorted tree.
//   STAGE/pgsql/<pg_config dir>/...   files for that directory (pgsql/pkglib/vector.so, ...)
//   STAGE/sys/share/<name>/...        data that bundled libraries find at <their dir>/../share/<name>
//   STAGE/licenses/...                licence texts of bundled libraries
//   STAGE/LICENSE, COPYING, NOTICE, README, CHANGELOG (optionally .md/.txt)
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { badPathReason, comparePaths, normaliseMode, resolveLink, type TreeEntry } from './tree.ts';

/** pg_config directories a trunk's `pgsql/` may hold (RFC 2). */
const PGSQL_DIRS = ['bin', 'doc', 'html', 'include', 'pkginclude', 'lib', 'pkglib', 'locale', 'man', 'share', 'sysconf'] as const;
export type PgsqlDir = (typeof PGSQL_DIRS)[number];

export const TOP_TEXT = /^(LICEN[CS]E|COPYING|NOTICE|README|CHANGELOG)(\.(md|txt|markdown))?$/i;
export const LICENSE_TEXT = /^(LICEN[CS]E|COPYING|NOTICE)(\.(md|txt|markdown))?$/i;

export async function readStage(stage: string): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  const where = (p: string) => `${join(stage, p)}`;
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(rel ? join(stage, rel) : stage)).sort(comparePaths);
    for (const name of names) {
      const path = rel ? `${rel}/${name}` : name;
      const bad = badPathReason(path);
      if (bad) throw new UserError(`${where(path)}: ${bad}`);
      checkPlacement(path, where);
      const st = await lstat(join(stage, path));
      if (st.isDirectory()) {
        entries.push({ path, type: 'directory', mode: 0o755, size: 0 });
        await walk(path);
      } else if (st.isSymbolicLink()) {
        entries.push({ path, type: 'symlink', mode: 0o777, size: 0, linkname: await readlink(join(stage, path)) });
      } else if (st.isFile()) {
        if ((st.mode & 0o6000) !== 0) throw new UserError(`${where(path)}: setuid/setgid bit set; packages carry none`);
        entries.push({ path, type: 'file', mode: normaliseMode(path, 'file', st.mode), size: st.size, source: join(stage, path) });
      } else {
        throw new UserError(`${where(path)}: not a regular file, directory or symlink (device, fifo or socket)`);
      }
    }
  };
  try {
    await walk('');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !(err instanceof UserError))
      throw new UserError(`${stage}: no such stage directory`);
    throw err;
  }

  const byPath = new Map(entries.map((e) => [e.path, e] as const));
  for (const e of entries) {
    if (e.type !== 'symlink') continue;
    const r = resolveLink(byPath, e.path);
    if (!r.ok) throw new UserError(`${where(e.path)}: symlink ${r.reason}`);
  }
  if (!entries.some((e) => e.type === 'file' && e.path.startsWith('pgsql/')))
    throw new UserError(`${stage}: nothing under pgsql/ to install`);
  if (!entries.some((e) => e.type === 'file' && (LICENSE_TEXT.test(e.path) || e.path.startsWith('licenses/'))))
    throw new UserError(
      `${stage}: no licence text (LICENSE, COPYING or NOTICE at the top, or licenses/); where the source keeps it elsewhere (a README section, a file of another name), list that file in the matrix entry's contents.license_files (e.g. license_files: [README.md])`,
    );

  // A few files at a time: reads go through libuv's thread pool, and most files are small.
  const files = entries.filter((e) => e.type === 'file');
  const next = { i: 0 };
  const worker = async () => {
    for (let e = files[next.i++]; e !== undefined; e = files[next.i++]) e.sha256 = await hashFile(e.source!, e.size);
  };
  await Promise.all(Array.from({ length: Math.min(4, files.length) }, worker));
  return entries.sort((a, b) => comparePaths(a.path, b.path));
}

function checkPlacement(path: string, where: (p: string) => string): void {
  const [top, second] = path.split('/');
  const fail = (why: string): never => {
    throw new UserError(`${where(path)}: ${why}`);
  };
  if (top === 'pgsql') {
    if (second !== undefined && !(PGSQL_DIRS as readonly string[]).includes(second))
      fail(`pgsql/ holds only pg_config directories (${PGSQL_DIRS.join(', ')})`);
  } else if (top === 'sys') {
    if (second !== undefined && second !== 'share') fail('sys/ holds only share/<name>/ (data of bundled libraries)');
  } else if (top !== 'licenses' && !TOP_TEXT.test(top!)) {
    fail('unexpected at the top of a stage (pgsql/, sys/, licenses/, LICENSE, README, CHANGELOG allowed)');
  }
}

export async function hashFile(path: string, size?: number): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of readChunks(path, size)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A file's bytes in chunks of up to 1 MiB, but no larger than the file when its size is known:
 * each read allocates a whole chunk, and packages are mostly small files (a few KiB of SQL and
 * bitcode), which 1 MiB buffers would turn into garbage-collector work. */
export function readChunks(path: string, size?: number): AsyncIterable<Buffer> {
  const highWaterMark = size === undefined ? 1 << 20 : Math.min(1 << 20, Math.max(size, 16 << 10));
  return createReadStream(path, { highWaterMark }) as AsyncIterable<Buffer>;
}
