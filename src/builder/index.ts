export { buildJob } from './build-job.ts';
export { type BuildOptions, type BuildTarget, createJobContext, type ImageChoice, type JobContext } from './context.ts';
// What buildJob returns and leaves in result.json (its home is job-result, which readers import).
export { readResult, type JobResult } from '../job-result/index.ts';
export { detectEngine, type Engine, exec, pull, removeContainer, startContainer } from './engine.ts';
export { imageInventory } from './inventory.ts';
export * from './steps/index.ts';
export { lineReporter, streamReporter, terminalReporter } from './progress.ts';
export { StepError, type StepReporter } from './step-runner.ts';
