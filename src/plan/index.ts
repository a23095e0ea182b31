export { compareJobs, expandJobs, expandTargets, type PlannedJob, type PlannedTarget } from './expand.ts';
export { buildKey, canonicalJson, platformDefinition } from './key.ts';
export { changedSince, explainStale, type MatrixChanges, planChangedSince, publishedBuilds, publishedKeys, readIndexBuilds, readIndexKeys, selectStale, type Staleness } from './select.ts';
export { pinMatrixImages, pinnedDigest, unpinned } from './pin.ts';
export { newerPackages, staleByPackages, type InstalledPackage, type NewerPackage } from './packages.ts';
export { MAX_JOBS_PER_MATRIX, shard, type Shard } from './shard.ts';
