// The client's public surface, plus UserError, for tests that check error types.
export * from '../../../src/oci/index.ts';
export { UserError } from '../../../src/errors.ts';
