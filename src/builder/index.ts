export { buildJob } from './build-job.ts';
export { type BuildOptions, type BuildTarget, createJobContext, type ImageChoice, type JobContext } from './context.ts';
export { jobDirName, readResult, type JobResult, type StepRecord } from './job.ts';
export { detectEngine, type Engine, exec, pull, removeContainer, startContainer } from './engine.ts';
export { imageInventory } from './inventory.ts';
export * from './steps/index.ts';
export { withMajorHint } from './steps/compile.ts';
export { lineReporter, streamReporter, terminalReporter } from './progress.ts';
export { StepError, type StepReporter } from './step-runner.ts';
