// GitHub runs at most 256 jobs per matrix and a job output holds at most 1 MB (counted in UTF-16),
// so a large plan is cut into shards that each fit both limits; a workflow fans out over shards.
import type { Job } from '../types.ts';

export const MAX_JOBS_PER_MATRIX = 256;
/** Bytes of JSON per shard: half of GitHub's 1 MB output limit (UTF-16), with room to spare. */
const MAX_SHARD_JSON_BYTES = 400_000;

export interface Shard<J extends Job = Job> {
  include: J[];
}

export function shard<J extends Job>(jobs: readonly J[], maxJobs = MAX_JOBS_PER_MATRIX, maxBytes = MAX_SHARD_JSON_BYTES): Shard<J>[] {
  const shards: Shard<J>[] = [];
  let current: J[] = [];
  let bytes = 2;
  for (const job of jobs) {
    const size = jsonLength(job) + 1;
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

// Property names are few and recur in every job.
const keyLengths = new Map<string, number>();

/** JSON.stringify(value).length, without writing the text for objects of strings and numbers,
 * which jobs are: a large plan has tens of thousands of them. */
export function jsonLength(value: object): number {
  if (Object.getPrototypeOf(value) !== Object.prototype || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return JSON.stringify(value).length;
  }
  let n = 1;
  for (const key of Object.keys(value)) {
    const v: unknown = (value as Record<string, unknown>)[key];
    let len: number;
    if (typeof v === 'string') len = stringJsonLength(v);
    else if (typeof v === 'number') len = Number.isFinite(v) ? String(v).length : 4;
    else if (typeof v === 'boolean') len = v ? 4 : 5;
    else if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    else return JSON.stringify(value).length;
    let keyLen = keyLengths.get(key);
    if (keyLen === undefined) {
      keyLen = stringJsonLength(key);
      if (keyLengths.size < 1000) keyLengths.set(key, keyLen);
    }
    n += (n > 1 ? 1 : 0) + keyLen + 1 + len;
  }
  return n + 1;
}

function stringJsonLength(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Controls, quote and backslash are escaped, and lone surrogates may be.
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s).length;
  }
  return s.length + 2;
}
