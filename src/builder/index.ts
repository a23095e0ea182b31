export { buildJob, type BuildOptions, type ImageChoice, StepError } from './run.ts';
export { jobDirName, readResult, type JobResult, type StepRecord } from './job.ts';
export { detectEngine, type Engine } from './engine.ts';
