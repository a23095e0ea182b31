import { buildSite, CELL_STATES, defaultMatrixDir } from '../../site/index.ts';

interface Flags {
  index: string;
  out: string;
  matrix?: string;
  baseUrl?: string;
  registry?: string;
  json?: boolean;
}

export async function run(opts: Flags): Promise<void> {
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
}
