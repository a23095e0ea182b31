import { loadValidMatrix } from '../../matrix/index.ts';
import { printTable } from '../options.ts';

export async function run(opts: { matrix: string; json?: boolean }): Promise<void> {
  const { platforms } = await loadValidMatrix(opts.matrix);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(platforms, null, 2)}\n`);
    return;
  }
  printTable(
    ['PLATFORM', 'ISA', 'RUNNER', 'BUILDER', 'BASE', 'LOCAL BUILDER'],
    platforms.map((p) => [p.name, p.isa, p.runner, p.builder.ref, p.base.ref, p.builder.local ?? '-']),
  );
}
