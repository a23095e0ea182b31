import { annotate } from '../../github/runner.ts';
import { formatDiagnostic, loadMatrix } from '../../matrix/index.ts';

export async function run(opts: { matrix: string }): Promise<void> {
  const { matrix, diagnostics } = await loadMatrix(opts.matrix);
  for (const d of diagnostics) {
    process.stderr.write(`${formatDiagnostic(d)}\n`);
    annotate({ level: 'error', title: 'matrix', message: `${d.field ? `${d.field}: ` : ''}${d.message}`, file: d.file, line: d.line, col: d.col });
  }
  if (diagnostics.length > 0) {
    process.stderr.write(`${diagnostics.length} problem(s) found\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`ok: ${matrix!.entries.length} extensions, ${matrix!.platforms.length} platforms\n`);
}
