import type { Command } from 'commander';
import { lazy } from '../options.ts';

export function register(program: Command): void {
  program
    .command('site')
    .description('write the static status page (grids, one page per build) from a published index.json')
    .requiredOption('--index <file>', 'the published index.json')
    .requiredOption('--out <dir>', 'directory to write the site to (replaced atomically)')
    .option('--matrix <dir>', 'matrix directory, to show excluded, stale and missing cells (default: ./matrix if present)')
    .option('--base-url <url>', 'absolute URL the site is published at (canonical links, the index address)')
    .option('--registry <host/ns>', 'show image references under this registry namespace instead of the index\'s')
    .option('--json', 'print a JSON summary')
    .action(lazy(() => import('../run/site.ts')));
}
