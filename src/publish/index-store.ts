// Where index.json lives (a file, a branch of a GitHub repository, an OCI registry), behind one
// small compare-and-swap interface, and the loop that updates it without losing a racing
// publisher's entries: read, merge, write-if-unchanged, and on a conflict start over from the new
// state.
//
// The index is written last: the publish command calls updateIndex only once every artifact its
// entries point at (OCI manifests, release assets, signature bundles) is uploaded, so a failed
// publish never leaves an index naming something missing. Each backend's write replaces the whole
// file at once (a rename; a single commit; a new record), so a reader sees the old index or the
// new, never half.
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../errors.ts';
import type { IndexEntry, PublishedIndexFile } from '../types.ts';
import { mergeIndex, sameEntries } from './index-merge.ts';

export interface IndexStore {
  /** Where the index is, for messages: a path, `owner/repo@branch:path`. */
  readonly location: string;
  /** The stored index (an empty one when there is none yet) and an opaque version of it; version
   * is null when nothing is stored. */
  read(): Promise<{ index: PublishedIndexFile; version: string | null }>;
  /** Stores `index` if the stored version is still `expectedVersion`; 'conflict' if it moved on. */
  write(index: PublishedIndexFile, expectedVersion: string | null): Promise<'ok' | 'conflict'>;
  /** Called once the update is done, written or not: a backend's own tidying up (the registry
   * store's `latest` tag). */
  finish?(): Promise<void>;
}

export interface UpdateIndexOptions {
  /** Conflicting writes tolerated before giving up. Default 20. */
  retries?: number;
  /** Upper bound of the first random wait after a conflict, doubled each time up to 5 s. Default 50 ms. */
  backoffMs?: number;
  now?: () => Date;
}

export interface UpdateIndexResult {
  index: PublishedIndexFile;
  /** False when the entries were there already (nothing written). */
  written: boolean;
  /** Writes that lost a race and were redone. */
  conflicts: number;
}

export async function updateIndex(store: IndexStore, entries: readonly IndexEntry[], options: UpdateIndexOptions = {}): Promise<UpdateIndexResult> {
  const retries = options.retries ?? 20;
  const backoff = options.backoffMs ?? 50;
  const now = options.now ?? (() => new Date());
  for (let conflicts = 0; ; conflicts++) {
    const { index, version } = await store.read();
    const merged = mergeIndex(index, entries, now());
    if (version !== null && sameEntries(index, merged)) {
      await store.finish?.();
      return { index, written: false, conflicts };
    }
    if ((await store.write(merged, version)) === 'ok') {
      await store.finish?.();
      return { index: merged, written: true, conflicts };
    }
    if (conflicts >= retries) {
      throw new UserError(`index ${store.location}: ${conflicts + 1} writes in a row lost a race with other publishes; nothing was lost, re-run this publish to add its entries`);
    }
    // Full jitter: writers that collided come back at different times.
    await sleep(Math.random() * Math.min(5000, backoff * 2 ** Math.min(conflicts, 10)));
  }
}

export { fileIndexStore, type FileIndexStoreOptions } from './index-file.ts';
export { githubIndexStore, type GitHubIndexStoreOptions } from './index-github.ts';
export { registryIndexStore, type RegistryIndexStoreOptions } from './index-registry.ts';
export { emptyIndex, mergeIndex, parseIndex, serializeIndex } from './index-merge.ts';
