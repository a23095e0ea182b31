export { expandJobs, expandTargets, type PlannedJob, type PlannedTarget } from './expand.ts';
export { buildKey, canonicalJson, platformDefinition } from './key.ts';
export { changedSince, type MatrixChanges, planChangedSince, publishedKeys, readIndexKeys, selectStale } from './select.ts';
export { MAX_JOBS_PER_MATRIX, shard, type Shard } from './shard.ts';
