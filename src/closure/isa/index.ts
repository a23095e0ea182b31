// The ISA baseline check's public surface (see check.ts).
export { type IsaFinding, type IsaTarget, checkBuildLog, checkObjects, describeFindings, makeAssignments, mergeFindings, readMakefiles } from './check.ts';
export { type Invocation, compilerInvocations, shellWords } from './commands.ts';
export { type FlagVerdict, EMULATED_CPU, armFeatures, judgeFlag, x86Features } from './levels.ts';
export { type ObjectRecord, objectRecord, readObjectRecord } from './objects.ts';
