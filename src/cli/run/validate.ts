import { reportDiagnostics } from '../../github/index.ts';
import { formatDiagnostic, loadMatrix, loadValidMatrix, type Matrix } from '../../matrix/index.ts';

export async function run(opts: { matrix: string }): Promise<void> {
  const { matrix, diagnostics } = await loadMatrix(opts.matrix);
  for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  await reportDiagnostics(diagnostics);
  if (diagnostics.length > 0) {
    process.stderr.write(`${diagnostics.length} problem(s) found\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`ok: ${matrix!.entries.length} extensions, ${matrix!.platforms.length} platforms\n`);
}

/** The matrix, for a command that needs a valid one (plan, build). When it is not valid, fails
 * with every problem, as loadValidMatrix does, and inside GitHub Actions annotates each on its
 * file and line, as `validate` does (on stderr with `toStderr`: `plan --json`). */
export function loadValidMatrixAnnotated(dir: string, options: { toStderr?: boolean } = {}): Promise<Matrix> {
  return loadValidMatrix(dir, { onInvalid: (diagnostics) => reportDiagnostics(diagnostics, options) });
}
