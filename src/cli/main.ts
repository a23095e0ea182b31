// The one CLI. Each command lives in commands/NAME.ts and exports `register(program)`; a command
// parses its flags, calls its stage's library functions and prints. No stage logic lives here.
import { Command, CommanderError } from 'commander';
import { isUserError } from '../errors.ts';
import { VERSION } from '../version.ts';
import * as platforms from './commands/platforms.ts';
import * as validate from './commands/validate.ts';
import * as plan from './commands/plan.ts';

const COMMANDS = [platforms, validate, plan];

export function program(): Command {
  const cli = new Command('trunkfarm')
    .description('Build PostgreSQL extensions into signed, relocatable binary packages.')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();
  for (const command of COMMANDS) command.register(cli);
  return cli;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (isUserError(err)) {
      process.stderr.write(`trunkfarm: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}
