// The client's public surface, plus UserError, for tests that check error types.
export * from '../../../src/publish/registry/index.ts';
export { UserError } from '../../../src/errors.ts';
