import type { Command } from 'commander';
import { lazy, matrixOption } from '../options.ts';

export function register(program: Command): void {
  matrixOption(program.command('platforms'))
    .description('list the platform cells (Postgres major x libc x arch) with their instruction-set baselines and images')
    .option('--json', 'print JSON')
    .action(lazy(() => import('../run/platforms.ts')));
}
