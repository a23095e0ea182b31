// A job's steps, in the order buildJob runs them (build-job.ts): each takes the job's context and
// what earlier steps made, and records itself through the context's step runner.
export { sourceStep, type SourceOutput } from './source.ts';
export { chooseImage, type ChosenImage, imagesStep, type ImagesOutput } from './images.ts';
export { type Builder, dependenciesStep } from './dependencies.ts';
export { compileStep, withMajorHint } from './compile.ts';
export { installcheckStep, startInstallcheckServer } from './installcheck.ts';
export { stageStep } from './stage.ts';
export { isaStep } from './isa.ts';
export { closureStep, type ClosureOutput } from './closure.ts';
export { packageStep } from './package.ts';
export { smokeStep, startTester, type Tester } from './smoke.ts';
