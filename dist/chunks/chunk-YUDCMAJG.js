import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);

// src/errors.ts
var UserError = class extends Error {
  name = "UserError";
  /** Exit status for the CLI: 1 for a failed check or step, 2 for bad usage. */
  exitCode;
  constructor(message, options = {}) {
    super(message, options.cause === void 0 ? void 0 : { cause: options.cause });
    this.exitCode = options.exitCode ?? 1;
  }
};
function isUserError(err) {
  return err instanceof UserError;
}

export {
  UserError,
  isUserError
};
