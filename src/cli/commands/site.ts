import type { Command } from 'commander';
import { buildSite, CELL_STATES, defaultMatrixDir } from '../../site/index.ts';

interface Flags {
  index: string;
  out: string;
  matrix?: string;
  baseUrl?: string;
  registry?: string;
  json?: boolean;
}

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
    .action(async (opts: Flags) => {
      const matrix = opts.matrix ?? defaultMatrixDir();
      const summary = await buildSite({
        index: opts.index,
        out: opts.out,
        ...(matrix ? { matrix } : {}),
        ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}),
        ...(opts.registry ? { registry: opts.registry } : {}),
      });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(summary)}\n`);
        return;
      }
      const cells = CELL_STATES.map((s) => `${summary.counts[s]} ${s}`).join(', ');
      process.stdout.write(
        `wrote ${summary.out}: ${summary.files} files, ${(summary.bytes / 1e6).toFixed(1)} MB; ${summary.extensions} extensions, ${summary.entries} builds; cells: ${cells}${summary.withMatrix ? '' : ' (no matrix: excluded and stale not known)'}\n`,
      );
    });
}
