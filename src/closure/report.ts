// How a check result is shown: plain text for a terminal, annotations and a summary table inside
// GitHub Actions.
import type { CheckResult, Problem } from './check.ts';

function problemLine(p: Problem): string {
  const where = p.layouts === undefined ? '' : ` [${p.layouts.join(', ')}]`;
  return `${p.severity} ${p.kind}${where}: ${p.message}`;
}

function kib(n: number): string {
  return n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(0)} KiB` : `${(n / (1 << 20)).toFixed(1)} MiB`;
}

/** Plain text: each file with its verdict and problems, then what was bundled, then a total. */
export function formatReport(result: CheckResult): string {
  const lines: string[] = [];
  for (const f of result.files) {
    lines.push(`${f.path}: ${f.verdict}`);
    for (const p of f.problems) lines.push(`  ${problemLine(p)}`);
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

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** Annotations for every problem and a summary table. With `toStderr` the workflow commands go
 * to stderr (the runner reads both streams), keeping stdout for JSON. With `file`, each annotation
 * names the file it is about (the path `file` makes of the checked file's). */
export async function reportToGitHub(result: CheckResult, options: { toStderr?: boolean; title?: string; file?: (checked: string) => string } = {}): Promise<void> {
  // Loaded here, not with the module: only Actions needs it, and it brings an HTTP client.
  const core = await import('@actions/core');
  for (const f of result.files) {
    for (const p of f.problems) {
      const title = `closure: ${f.path}`;
      const message = problemLine(p);
      const file = options.file?.(f.path);
      if (options.toStderr) {
        const level = p.severity === 'error' ? 'error' : 'warning';
        process.stderr.write(`::${level} title=${escapeProperty(title)}${file ? `,file=${escapeProperty(file)}` : ''}::${escapeData(message)}\n`);
      } else if (p.severity === 'error') core.error(message, { title, ...(file ? { file } : {}) });
      else core.warning(message, { title, ...(file ? { file } : {}) });
    }
  }
  if (process.env.GITHUB_STEP_SUMMARY === undefined || process.env.GITHUB_STEP_SUMMARY === '') return;
  const rows = result.files.map((f) => [
    f.path,
    f.verdict === 'ok' ? 'ok' : 'fail',
    f.needed.join(', '),
    f.problems.map((p) => `${p.severity} ${p.kind}: ${p.message}`).join('<br>') || '-',
  ]);
  core.summary.addHeading(options.title ?? `Closure check: ${result.ok ? 'ok' : 'failed'}`, 3);
  core.summary.addTable([
    [
      { data: 'File', header: true },
      { data: 'Verdict', header: true },
      { data: 'Needs', header: true },
      { data: 'Problems', header: true },
    ],
    ...rows,
  ]);
  if (result.bundled.length > 0) {
    core.summary.addTable([
      [
        { data: 'Bundled', header: true },
        { data: 'File', header: true },
        { data: 'Package', header: true },
        { data: 'License', header: true },
        { data: 'SHA-256', header: true },
      ],
      ...result.bundled.map((b) => [b.soname, b.file, `${b.package ?? '-'} ${b.version ?? ''}`.trim(), b.license ?? '-', b.sha256.slice(0, 16)]),
    ]);
  }
  await core.summary.write();
}
