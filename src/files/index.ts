// File helpers: streaming digests, and writes that leave either the old file or the whole new one.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
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

/** Writes through a temporary file in the same directory and renames it into place. */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data, { flag: 'wx' });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new UserError(`cannot write ${path}: ${(err as Error).message}`, { cause: err });
  }
}

export { pathWithin } from './within.ts';
