// Reads index.json, the publish stage's output, and checks it has the shape of PublishedIndexFile
// before anything is rendered from it: a bad field is reported with its path, never as a crash
// halfway through writing pages.
import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.ts';
// index-merge.ts by path: the site needs the index format, not the publishing clients that
// publish/index.ts loads.
import { parseIndex as parsePublishedIndex } from '../publish/index-merge.ts';
import type { PublishedIndexFile } from '../types.ts';

export interface LoadedIndex {
  index: PublishedIndexFile;
  /** The file's bytes, copied into the site as they are. */
  bytes: Buffer;
}

/** Parses and checks an index; `source` names it in errors. */
export function parseIndex(bytes: Buffer, source: string): PublishedIndexFile {
  const index = parsePublishedIndex(bytes.toString('utf8'), source);
  const seen = new Map<string, number>();
  index.entries.forEach((e, i) => {
    const first = seen.get(e.key);
    if (first !== undefined) throw new UserError(`${source}: entries[${i}]: build key ${e.key} is already used by entries[${first}]`);
    seen.set(e.key, i);
  });
  return index;
}

export async function readIndex(file: string): Promise<LoadedIndex> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`--index ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message}`);
  }
  return { index: parseIndex(bytes, file), bytes };
}
