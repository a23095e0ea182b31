// Writes the site atomically: every file goes into a temporary directory next to the target,
// which then takes the target's place. A failed run leaves the previous site as it was.
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.ts';
import type { SiteFile } from './render.ts';

/** Marks a directory as a site this command wrote, so replacing it never deletes anything else. */
export const MARKER = '.trunkfarm-site';
const CONCURRENCY = 32;

export interface WriteResult {
  files: number;
  bytes: number;
}

export async function writeSite(out: string, files: Iterable<SiteFile>): Promise<WriteResult> {
  const target = path.resolve(out);
  await checkReplaceable(target, out);
  const parent = path.dirname(target);
  await mkdir(parent, { recursive: true });
  const tmp = await mkdtemp(path.join(parent, `.${path.basename(target)}.tmp-`));
  await chmod(tmp, 0o755);
  try {
    const result = await writeAll(tmp, files);
    await writeFile(path.join(tmp, MARKER), `${JSON.stringify({ files: result.files, bytes: result.bytes })}\n`);
    await swap(tmp, target);
    return result;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

async function checkReplaceable(target: string, shown: string): Promise<void> {
  let info;
  try {
    info = await stat(target);
  } catch {
    return;
  }
  if (!info.isDirectory()) throw new UserError(`--out ${shown} exists and is not a directory`);
  const names = await readdir(target);
  if (names.length > 0 && !names.includes(MARKER)) {
    throw new UserError(`--out ${shown} is a directory with other content (no ${MARKER} file): give a new or empty directory, or the one a previous \`trunkfarm site\` wrote`);
  }
}

async function writeAll(dir: string, files: Iterable<SiteFile>): Promise<WriteResult> {
  const made = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  const result = { files: 0, bytes: 0 };
  try {
    for (const file of files) {
      const full = path.join(dir, ...file.path.split('/'));
      if (!full.startsWith(dir + path.sep)) throw new Error(`site file path escapes the site: ${file.path}`);
      const parent = path.dirname(full);
      if (!made.has(parent)) {
        await mkdir(parent, { recursive: true });
        made.add(parent);
      }
      const data = typeof file.data === 'string' ? Buffer.from(file.data) : file.data;
      result.files++;
      result.bytes += data.length;
      const p: Promise<void> = writeFile(full, data).finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= CONCURRENCY) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } catch (err) {
    // Let the writes still running finish before the caller removes the directory.
    await Promise.allSettled(inFlight);
    throw err;
  }
  return result;
}

/** Puts `tmp` where `target` is. Two renames: the old site is moved aside first and removed only
 * once the new one is in place (and put back if that fails). */
async function swap(tmp: string, target: string): Promise<void> {
  if (!existsSync(target)) {
    await rename(tmp, target);
    return;
  }
  const old = `${tmp}-old`;
  await rename(target, old);
  try {
    await rename(tmp, target);
  } catch (err) {
    await rename(old, target);
    throw err;
  }
  await rm(old, { recursive: true, force: true });
}
