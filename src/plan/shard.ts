// GitHub runs at most 256 jobs per matrix and a job output holds at most 1 MB (counted in UTF-16),
// so a large plan is cut into shards that each fit both limits; a workflow fans out over shards.
import type { Job } from '../types.ts';

export const MAX_JOBS_PER_MATRIX = 256;
/** Bytes of JSON per shard: half of GitHub's 1 MB output limit (UTF-16), with room to spare. */
export const MAX_SHARD_JSON_BYTES = 400_000;

export interface Shard<J extends Job = Job> {
  include: J[];
}

export function shard<J extends Job>(jobs: readonly J[], maxJobs = MAX_JOBS_PER_MATRIX, maxBytes = MAX_SHARD_JSON_BYTES): Shard<J>[] {
  const shards: Shard<J>[] = [];
  let current: J[] = [];
  let bytes = 2;
  for (const job of jobs) {
    const size = JSON.stringify(job).length + 1;
    if (current.length > 0 && (current.length >= maxJobs || bytes + size > maxBytes)) {
      shards.push({ include: current });
      current = [];
      bytes = 2;
    }
    current.push(job);
    bytes += size;
  }
  if (current.length > 0) shards.push({ include: current });
  return shards;
}
