// The one CLI. Each command is declared in commands/NAME.ts, which exports `register(program)`:
// its arguments, flags and help. What it does is in run/NAME.ts, loaded only when it runs (see
// `lazy` in options.ts), so that starting the CLI costs no more than commander and these
// declarations; a command parses its flags, calls its stage's library functions and prints. No
// stage logic lives here.
import { Command, CommanderError } from 'commander';
import { isUserError } from '../errors.ts';
import { LIMITS, raiseLimits } from '../limits.ts';
import { VERSION } from '../version.ts';
import * as platforms from './commands/platforms.ts';
import * as validate from './commands/validate.ts';
import * as plan from './commands/plan.ts';
import * as keygen from './commands/keygen.ts';
import * as sign from './commands/sign.ts';
import * as verify from './commands/verify.ts';
import * as site from './commands/site.ts';
import * as check from './commands/check.ts';
import * as build from './commands/build.ts';
import * as publishCmd from './commands/publish.ts';
import * as packCmd from './commands/pack.ts';
import * as install from './commands/install.ts';
import * as composeCmd from './commands/compose.ts';
import * as serve from './commands/serve.ts';

const COMMANDS = [platforms, validate, plan, build, publishCmd, keygen, sign, verify, check, packCmd, install, composeCmd, serve, site];

export function program(): Command {
  const cli = new Command('trunkfarm')
    .description('Build PostgreSQL extensions into signed, relocatable binary packages.')
    .version(VERSION)
    .option('--limit <NAME=N>', `raise a bound on hostile input (repeatable; README, "Limits"): ${Object.keys(LIMITS).join(', ')}`, (v: string, all: string[]) => [...all, v], [])
    .hook('preAction', (cli) => raiseLimits(cli.opts<{ limit: string[] }>().limit))
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
