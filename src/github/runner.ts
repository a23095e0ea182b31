// What the CLI does differently inside GitHub Actions: annotations on files and lines, log groups,
// and a job summary. Outside Actions these are no-ops or plain output, so every command behaves
// the same locally.
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

export function annotate(a: Annotation): void {
  if (!inActions()) return;
  const props: core.AnnotationProperties = {
    ...(a.title ? { title: a.title } : {}),
    ...(a.file ? { file: a.file } : {}),
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
  if (!inActions() || !process.env.GITHUB_STEP_SUMMARY) return;
  const summary = core.summary.addHeading(heading, 3).addTable([header.map((h) => ({ data: h, header: true })), ...rows]);
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
