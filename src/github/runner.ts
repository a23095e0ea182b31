// What the CLI does differently inside GitHub Actions: annotations on files and lines, log groups,
// and a job summary. Outside Actions these are no-ops or plain output, so every command behaves
// the same locally.
import path from 'node:path';
import * as core from '@actions/core';

export function inActions(): boolean {
  return process.env.GITHUB_ACTIONS === 'true';
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  title?: string;
  file?: string;
  line?: number;
  col?: number;
}

/** The matrix directory actions/lib/matrix.sh writes in an extension's own repository. */
const ENTRY_MATRIX_DIR = '.trunkfarm-matrix';

/** A file as an annotation names it. In an extension's own repository the matrix entry is planned
 * and built from a verbatim copy, .trunkfarm-matrix/extensions/NAME.yaml; the actions name the
 * file it copies in TRUNKFARM_ENTRY, and annotations land on that file (same lines). */
export function annotationFile(file: string, env: NodeJS.ProcessEnv = process.env): string {
  const entry = env.TRUNKFARM_ENTRY;
  if (!entry) return file;
  const rel = path.relative(process.cwd(), path.resolve(file));
  return path.dirname(rel) === path.join(ENTRY_MATRIX_DIR, 'extensions') ? entry : file;
}

const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** Writes an annotation (a workflow command). With `toStderr` it goes to stderr, which the runner
 * reads too, for a command whose stdout is data (`plan --json`). */
export function annotate(a: Annotation, options: { toStderr?: boolean } = {}): void {
  if (!inActions()) return;
  const file = a.file ? annotationFile(a.file) : undefined;
  if (options.toStderr) {
    const props = Object.entries({ title: a.title, file, line: a.line, col: a.col })
      .filter(([, v]) => v !== undefined && v !== '' && v !== 0)
      .map(([k, v]) => `${k}=${escapeProperty(String(v))}`);
    process.stderr.write(`::${a.level}${props.length ? ` ${props.join(',')}` : ''}::${escapeData(a.message)}\n`);
    return;
  }
  const props: core.AnnotationProperties = {
    ...(a.title ? { title: a.title } : {}),
    ...(file ? { file } : {}),
    ...(a.line ? { startLine: a.line } : {}),
    ...(a.col ? { startColumn: a.col } : {}),
  };
  core[a.level](a.message, props);
}

/** Runs `fn` inside a collapsible log group on GitHub; plainly elsewhere. */
export async function group<T>(title: string, fn: () => Promise<T>): Promise<T> {
  if (!inActions()) {
    process.stderr.write(`==> ${title}\n`);
    return fn();
  }
  return core.group(title, fn);
}

/** Appends a Markdown table to the job summary (GITHUB_STEP_SUMMARY), with an optional line of
 * text under it. */
export async function summaryTable(heading: string, header: string[], rows: string[][], note?: string): Promise<void> {
  await summaryTables(heading, [{ header, rows }], note);
}

/** Appends a heading and its tables to the job summary, with an optional line of text under them. */
export async function summaryTables(heading: string, tables: { header: string[]; rows: string[][] }[], note?: string): Promise<void> {
  if (!inActions() || !process.env.GITHUB_STEP_SUMMARY) return;
  const summary = core.summary.addHeading(heading, 3);
  for (const { header, rows } of tables) summary.addTable([header.map((h) => ({ data: h, header: true })), ...rows]);
  if (note) summary.addRaw(note, true);
  await summary.write();
}

/** Sets step outputs (GITHUB_OUTPUT), which a composite action maps to its own outputs. Without
 * GITHUB_OUTPUT nothing is written: @actions/core would fall back to a `::set-output` line on
 * stdout, which would corrupt `--json` output. */
export function setOutputs(outputs: Record<string, string | number>): void {
  if (!inActions() || !process.env.GITHUB_OUTPUT) return;
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, String(value));
}
