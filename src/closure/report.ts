// How a check result reads as text (inside GitHub Actions, src/github adds annotations and a
// summary table).
import { limit } from '../limits.ts';
import type { CheckResult, Problem } from './check.ts';

/** One problem as a line: `error missing [pgsql]: ...`. */
export function problemLine(p: Problem): string {
  const where = p.layouts === undefined ? '' : ` [${p.layouts.join(', ')}]`;
  return `${p.severity} ${p.kind}${where}: ${p.message}`;
}

function kib(n: number): string {
  return n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(0)} KiB` : `${(n / (1 << 20)).toFixed(1)} MiB`;
}

/** Plain text: each file with its verdict and problems, then what was bundled, then a total. */
export function formatReport(result: CheckResult): string {
  const lines: string[] = [];
  // A hostile file can carry thousands of problems: list the first ones, count the rest.
  const max = limit('report-lines');
  for (const f of result.files) {
    lines.push(`${f.path}: ${f.verdict}`);
    for (const p of f.problems.slice(0, max)) lines.push(`  ${problemLine(p)}`);
    if (f.problems.length > max) lines.push(`  ... and ${f.problems.length - max} more problem(s) (--json lists all; --limit report-lines=N shows more)`);
  }
  for (const b of result.bundled) {
    const pkg = b.package === undefined ? '' : `, ${b.package}${b.version === undefined ? '' : ` ${b.version}`}${b.license === undefined ? '' : `, ${b.license}`}`;
    lines.push(`bundled ${b.soname}: ${b.file} (${kib(b.size)}${pkg})`);
  }
  for (const d of result.data) lines.push(`data ${d.name} for ${d.library}: ${d.target} ${d.present ? 'present' : 'MISSING'}`);
  const failed = result.files.filter((f) => f.verdict === 'fail').length;
  const base = `${result.base.source}: ${result.base.libc}${result.base.glibcVersion === undefined ? '' : ` ${result.base.glibcVersion}`} ${result.base.machine}`;
  lines.push(`closure ${result.ok ? 'ok' : 'FAILED'}: ${result.files.length} ELF file(s), ${failed} failed, ${result.bundled.length} bundled (base ${base}; layouts ${result.layouts.map((l) => l.name).join(', ')})`);
  return `${lines.join('\n')}\n`;
}
