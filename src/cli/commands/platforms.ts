import type { Command } from 'commander';
import { loadValidMatrix } from '../../matrix/index.ts';
import { matrixOption, printTable } from '../options.ts';

export function register(program: Command): void {
  matrixOption(program.command('platforms'))
    .description('list the platform cells (Postgres major x libc x arch) with their images')
    .option('--json', 'print JSON')
    .action(async (opts: { matrix: string; json?: boolean }) => {
      const { platforms } = await loadValidMatrix(opts.matrix);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(platforms, null, 2)}\n`);
        return;
      }
      printTable(
        ['PLATFORM', 'RUNNER', 'BUILDER', 'BASE', 'LOCAL BUILDER'],
        platforms.map((p) => [p.name, p.runner, p.builder.ref, p.base.ref, p.builder.local ?? '-']),
      );
    });
}
