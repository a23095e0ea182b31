import type { Command } from 'commander';
import { lazy, matrixOption } from '../options.ts';

export function register(program: Command): void {
  matrixOption(program.command('validate'))
    .description('check every matrix file against the schema and the matrix rules; report all problems')
    .action(lazy(() => import('../run/validate.ts')));
}
