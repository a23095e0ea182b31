// File helpers shared by every stage: streaming digests, presence checks, and writes that leave
// either the old file or the whole new one.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.ts';

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${path} does not exist`, { cause: err });
    if (code === 'EISDIR') throw new UserError(`${path} is a directory, not an artifact file`, { cause: err });
    throw new UserError(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  return hash.digest('hex');
}

/** Writes through a new temporary file in the same directory and renames it into place, so a
 * reader never sees half a file. Mode 0644: layouts and bundles are meant to be read by others. */
export async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data, { flag: 'wx', mode: 0o644 });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new UserError(`cannot write ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** Whether anything (file, directory, link target) is at `path`; with `noFollow`, a symbolic
 * link counts as itself, dangling or not (what an installer must not write through). */
export async function exists(path: string, options: { noFollow?: boolean } = {}): Promise<boolean> {
  return (await (options.noFollow ? lstat : stat)(path).catch(() => undefined)) !== undefined;
}

export { isWithin, pathWithin } from './within.ts';
