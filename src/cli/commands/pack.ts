import type { Command } from 'commander';
import { lazy } from '../options.ts';

export function register(program: Command): void {
  program
    .command('pack')
    .description('pack a staged directory into a trunk file and an OCI image layout (OUT/oci)')
    .argument('<stage>', 'staged directory (pgsql/, sys/, licenses/, LICENSE)')
    .requiredOption('--meta <file>', 'package metadata (JSON)')
    .requiredOption('--out <dir>', 'output directory')
    .option('--json', 'print the result as JSON')
    .action(lazy(() => import('../run/pack.ts')));
}
