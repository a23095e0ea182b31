// Errors a user can act on. The CLI prints their message alone (no stack) and exits non-zero;
// anything else reaching the top is a bug in trunkfarm and is printed with its stack.

export class UserError extends Error {
  override name = 'UserError';
  /** Exit status for the CLI: 1 for a failed check or step, 2 for bad usage. */
  readonly exitCode: number;

  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options.exitCode ?? 1;
  }
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}
