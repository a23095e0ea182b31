// index.json in a local file (a CI workspace, a mounted volume, a directory later synced to Pages).
// Compare-and-swap: the version is the sha256 of the file's bytes; a write takes an exclusive lock
// file (O_CREAT|O_EXCL: exactly one process can create it), checks the hash, writes a temporary file
// beside the index and renames it over, then removes the lock. Readers take no lock: rename swaps the
// whole file at once. A lock older than `staleLockMs` is taken for the leftover of a crashed writer
// and removed; a live writer holds it for milliseconds, so that age is never reached in practice.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../errors.ts';
import type { PublishedIndexFile } from '../types.ts';
import { emptyIndex, parseIndex, serializeIndex } from './index-merge.ts';
import type { IndexStore } from './index-store.ts';

export interface FileIndexStoreOptions {
  /** A lock file untouched for this long belongs to a dead writer and is removed. Default 30 s. */
  staleLockMs?: number;
  /** How long a write waits for a live lock before failing. Default 60 s. */
  lockTimeoutMs?: number;
}

const versionOf = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

export function fileIndexStore(file: string, options: FileIndexStoreOptions = {}): IndexStore {
  const target = path.resolve(file);
  const lockPath = `${target}.lock`;

  async function readBytes(): Promise<Buffer | null> {
    try {
      return await readFile(target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new UserError(`cannot read index ${file}: ${(err as Error).message}`);
    }
  }

  return {
    location: file,

    async read() {
      const bytes = await readBytes();
      if (bytes === null) return { index: emptyIndex(), version: null };
      return { index: parseIndex(bytes.toString('utf8'), file), version: versionOf(bytes) };
    },

    async write(index: PublishedIndexFile, expectedVersion: string | null) {
      try {
        await mkdir(path.dirname(target), { recursive: true });
      } catch (err) {
        throw new UserError(`cannot create the directory of index ${file}: ${(err as Error).message}`);
      }
      const unlock = await lock(lockPath, file, options);
      try {
        const bytes = await readBytes();
        if ((bytes === null ? null : versionOf(bytes)) !== expectedVersion) return 'conflict';
        await replaceFile(target, serializeIndex(index), file);
        return 'ok';
      } finally {
        await unlock();
      }
    },
  };
}

/** Writes `text` to a new file beside `target` and renames it over `target`. */
async function replaceFile(target: string, text: string, shown: string): Promise<void> {
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new UserError(`cannot write index ${shown}: ${(err as Error).message}`);
  }
}

/** Takes the lock; returns its release, which removes the lock only if it is still ours. */
async function lock(lockPath: string, shown: string, options: FileIndexStoreOptions): Promise<() => Promise<void>> {
  const staleMs = options.staleLockMs ?? 30_000;
  const timeoutMs = options.lockTimeoutMs ?? 60_000;
  const token = `${process.pid}@${hostname()} ${new Date().toISOString()} ${randomBytes(8).toString('hex')}\n`;
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const fh = await open(lockPath, 'wx');
      try {
        await fh.writeFile(token);
      } finally {
        await fh.close();
      }
      return async () => {
        const holder = await readFile(lockPath, 'utf8').catch(() => null);
        if (holder === token) await unlink(lockPath).catch(() => {});
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new UserError(`cannot lock index ${shown} (${lockPath}): ${(err as Error).message}`);
    }
    const held = await stat(lockPath).catch(() => null);
    if (held && Date.now() - held.mtimeMs > staleMs) {
      // Remove it only if it is still the lock judged stale, not one a live writer just took.
      const again = await stat(lockPath).catch(() => null);
      if (again && again.ino === held.ino && again.mtimeMs === held.mtimeMs) await unlink(lockPath).catch(() => {});
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      const holder = (await readFile(lockPath, 'utf8').catch(() => '')).trim();
      throw new UserError(
        `index ${shown} stayed locked for ${Math.round(timeoutMs / 1000)} s by ${lockPath}${holder ? ` (${holder})` : ''}; if no publish is running, remove that file`,
      );
    }
    await sleep(1 + Math.random() * Math.min(50, 2 ** attempt));
  }
}
