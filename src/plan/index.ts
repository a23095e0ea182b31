export { expandJobs, type PlannedJob } from './expand.ts';
export { buildKey, canonicalJson, platformDefinition } from './key.ts';
export { readIndexKeys, selectChangedSince, selectStale } from './select.ts';
export { MAX_JOBS_PER_MATRIX, shard, type Shard } from './shard.ts';
