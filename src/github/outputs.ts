// What the plan, build and publish commands hand to a workflow's next step inside GitHub Actions:
// step outputs (which the composite actions in actions/ map to their own outputs) and a job summary.
// The *Outputs functions are pure, so they are tested without a runner; the report* functions write
// them, and do nothing outside Actions. They load runner.ts (and with it @actions/core and its HTTP
// client) only when they run, so a command that merely imports them starts no slower.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { JobResult } from '../job-result/index.ts';
import type { CheckResult } from '../closure/index.ts';
import type { Diagnostic } from '../matrix/index.ts';
import type { IndexEntry, Job } from '../types.ts';

const runner = () => import('./runner.ts');

/** GitHub keeps at most 1 MB of outputs per job, counted in UTF-16: two bytes per JSON character.
 * A plan's `jobs` and `shards` outputs are left out beyond this (with a warning), and a workflow
 * uses the plan file instead; leave room for the other outputs of the same job. */
export const MAX_PLAN_OUTPUT_BYTES = 900_000;

/** Plan rows shown in the job summary; the rest is counted. */
export const SUMMARY_ROWS = 50;

export interface PlanOutputs {
  count: string;
  'shard-count': string;
  /** `[0, 1, ...]`: a matrix over this calls one reusable-workflow run per shard. */
  'shard-indexes': string;
  jobs?: string;
  shards?: string;
}

type Shards = readonly { include: readonly Job[] }[];

/** A plan's jobs and shards as JSON text. A large plan's is tens of MB, so a command that both
 * prints the plan and sets step outputs writes it once and hands it to both. */
export interface PlanJson {
  jobs: string;
  shards: string;
}

export function planJson(jobs: readonly Job[], shards: Shards): PlanJson {
  return { jobs: JSON.stringify(jobs), shards: JSON.stringify(shards) };
}

export function planOutputs(jobs: readonly Job[], shards: Shards, json: PlanJson = planJson(jobs, shards)): PlanOutputs {
  const out: PlanOutputs = {
    count: String(jobs.length),
    'shard-count': String(shards.length),
    'shard-indexes': JSON.stringify(shards.map((_, i) => i)),
  };
  if (2 * (json.jobs.length + json.shards.length) <= MAX_PLAN_OUTPUT_BYTES) {
    out.jobs = json.jobs;
    out.shards = json.shards;
  }
  return out;
}

/** No step outputs and no job summary to write to (as on a laptop): then not even @actions/core,
 * with its HTTP client, is loaded. */
function nowhereToWrite(): boolean {
  return !process.env.GITHUB_OUTPUT && !process.env.GITHUB_STEP_SUMMARY;
}

/** Sets the plan's step outputs and writes its job summary. `json` is called only when there are
 * step outputs to set (GITHUB_OUTPUT inside Actions). */
export async function reportPlan(jobs: readonly Job[], shards: Shards, json: () => PlanJson = () => planJson(jobs, shards)): Promise<void> {
  if (nowhereToWrite()) return;
  const { annotate, inActions, setOutputs, summaryTable } = await runner();
  if (!inActions()) return;
  if (process.env.GITHUB_OUTPUT) {
    const outputs = planOutputs(jobs, shards, json());
    if (outputs.jobs === undefined) {
      // On stderr: stdout is the plan itself (`plan --json > FILE` in actions/plan).
      annotate(
        {
          level: 'warning',
          title: 'plan',
          message: `the plan (${jobs.length} jobs) is too large for step outputs: "jobs" and "shards" are left empty; read the plan file and fan out over "shard-indexes"`,
        },
        { toStderr: true },
      );
    }
    setOutputs({ ...outputs });
  }
  const rows = jobs.slice(0, SUMMARY_ROWS).map((j) => [j.extension, j.version, j.platform, j.runner, j.key.slice(0, 12)]);
  const more = jobs.length > SUMMARY_ROWS ? `, of which the first ${SUMMARY_ROWS} are listed` : '';
  const note = jobs.length === 0 ? 'Nothing to build.' : `${jobs.length} job(s) in ${shards.length} shard(s)${more}.`;
  await summaryTable('trunkfarm plan', ['EXTENSION', 'VERSION', 'PLATFORM', 'RUNNER', 'KEY'], rows, note);
}

/** One built job as the build action reports it. Paths are absolute. */
export interface BuildOutput {
  job: string;
  status: JobResult['status'];
  dir: string;
  result: string;
  trunk: string;
  sha256: string;
  size: number;
  'oci-digest': string;
  closure: 'ok' | 'problems' | '';
}

export function buildOutput(dir: string, result: JobResult): BuildOutput {
  const abs = path.resolve(dir);
  const a = result.artifacts;
  return {
    job: path.basename(abs),
    status: result.status,
    dir: abs,
    result: path.join(abs, 'result.json'),
    trunk: a ? path.join(abs, a.trunk.file) : '',
    sha256: a?.trunk.sha256 ?? '',
    size: a?.trunk.size ?? 0,
    'oci-digest': a?.oci.digest ?? '',
    closure: result.closure ? (result.closure.ok ? 'ok' : 'problems') : '',
  };
}

/** `results` (every job, as JSON) and counts; with exactly one job, its fields as outputs of
 * their own, which is what the build action (one job per runner) maps. */
export function buildOutputs(builds: readonly { dir: string; result: JobResult }[]): Record<string, string> {
  const all = builds.map((b) => buildOutput(b.dir, b.result));
  const out: Record<string, string> = {
    results: JSON.stringify(all),
    count: String(all.length),
    built: String(all.filter((b) => b.status === 'built').length),
    failed: String(all.filter((b) => b.status === 'failed').length),
  };
  if (all.length === 1) {
    for (const [k, v] of Object.entries(all[0]!)) out[k] = String(v);
  }
  return out;
}

/** The build's table, a row per job. `full` gives whole digests, as the job summary shows them;
 * otherwise their first characters, which fit a terminal. */
export function buildTable(builds: readonly { dir: string; result: JobResult }[], full: boolean): { header: string[]; rows: string[][] } {
  const cut = (s: string | undefined, n: number) => (s === undefined ? '-' : full ? s : s.slice(0, n));
  const rows = builds.map(({ dir, result }) => [
    path.basename(dir),
    result.status === 'built' ? 'built' : `failed (${result.failure?.step})`,
    result.artifacts ? `${(result.artifacts.trunk.size / 1024).toFixed(0)} KiB` : '-',
    result.closure ? (result.closure.ok ? `ok${result.closure.bundled.length ? `, ${result.closure.bundled.length} bundled` : ''}` : 'problems') : '-',
    cut(result.artifacts?.trunk.sha256, 16),
    cut(result.artifacts?.oci.digest, 19),
  ]);
  return { header: ['JOB', 'STATUS', 'TRUNK', 'CLOSURE', 'SHA256', 'OCI DIGEST'], rows };
}

/** Sets the build's step outputs and writes its job summary, whole digests included. */
export async function reportBuild(builds: readonly { dir: string; result: JobResult }[]): Promise<void> {
  if (nowhereToWrite()) return;
  const { setOutputs, summaryTable } = await runner();
  setOutputs(buildOutputs(builds));
  const { header, rows } = buildTable(builds, true);
  await summaryTable('trunkfarm build', header, rows);
}

/** The matrix entry a job was built from, to point a failed step at. */
export interface EntryLocation {
  /** As diagnostics name it (relative to the working directory). */
  file: string;
  locator: { at(path: readonly PropertyKey[]): { line: number; col: number } };
}

/** The field of a matrix entry a build step mostly follows from: where a failure is annotated. */
const STEP_FIELDS: Record<string, readonly PropertyKey[]> = {
  source: ['source'],
  dependencies: ['dependencies', 'packages'],
  compile: ['dependencies', 'pipeline'],
  stage: ['contents'],
  // Where build.make, build.env or build.configure go to remove the flag.
  isa: ['build'],
  closure: ['dependencies', 'packages'],
  package: ['contents'],
  smoke: ['test'],
  installcheck: ['test', 'installcheck'],
};

/** Inside GitHub Actions: an annotation for every problem of a closure check, and its tables in the
 * job summary. With `toStderr` the annotations go to stderr (the runner reads both streams),
 * keeping stdout for JSON; with `file`, each names the file it is about (the path `file` makes of
 * the checked file's). */
export async function reportClosure(result: CheckResult, options: { toStderr?: boolean; title?: string; file?: (checked: string) => string } = {}): Promise<void> {
  const { annotate, summaryTables } = await runner();
  const { problemLine } = await import('../closure/index.ts');
  for (const f of result.files) {
    for (const p of f.problems) {
      const file = options.file?.(f.path);
      annotate({ level: p.severity, title: `closure: ${f.path}`, message: problemLine(p), ...(file ? { file } : {}) }, { toStderr: options.toStderr === true });
    }
  }
  const files = {
    header: ['File', 'Verdict', 'Needs', 'Problems'],
    rows: result.files.map((f) => [f.path, f.verdict === 'ok' ? 'ok' : 'fail', f.needed.join(', '), f.problems.map((p) => `${p.severity} ${p.kind}: ${p.message}`).join('<br>') || '-']),
  };
  const bundled = {
    header: ['Bundled', 'File', 'Package', 'License', 'SHA-256'],
    rows: result.bundled.map((b) => [b.soname, b.file, `${b.package ?? '-'} ${b.version ?? ''}`.trim(), b.license ?? '-', b.sha256.slice(0, 16)]),
  };
  await summaryTables(options.title ?? `Closure check: ${result.ok ? 'ok' : 'failed'}`, result.bundled.length > 0 ? [files, bundled] : [files]);
}

/** Inside GitHub Actions, annotations for one built job: every closure problem on the staged file
 * it is about (OUT/JOB/stage/PATH, from the job's closure.json), and a failed step on the line of
 * the matrix entry that step follows from (see reportClosure, which also adds the closure table to
 * the job summary). */
export async function annotateBuild(build: { dir: string; result: JobResult }, entry: EntryLocation): Promise<void> {
  if (process.env.GITHUB_ACTIONS !== 'true') return;
  const { dir, result } = build;
  const job = path.basename(dir);
  // result.json lists every problem: the full report is read only when there is one to place.
  const closure = result.closure?.problems.length ? await readFile(path.join(dir, 'closure.json'), 'utf8').then((t) => JSON.parse(t) as CheckResult, () => undefined) : undefined;
  if (closure?.files.some((f) => f.problems.length > 0)) {
    const stage = path.relative(process.cwd(), path.resolve(dir, 'stage'));
    await reportClosure(closure, { title: `Closure check of ${job}: ${closure.ok ? 'warnings' : 'failed'}`, file: (checked) => path.join(stage, checked) });
  }
  if (result.status === 'failed' && result.failure) {
    const { annotate } = await runner();
    const { line, col } = entry.locator.at(STEP_FIELDS[result.failure.step] ?? []);
    annotate({ level: 'error', title: `trunkfarm build: ${job} failed at step ${result.failure.step}`, message: result.failure.message, file: entry.file, line, col });
  }
}

/** Inside GitHub Actions, an annotation for each matrix problem, on its file and line: by
 * `validate`, and by any command that meets an invalid matrix (on stderr with `toStderr`, for a
 * command whose stdout is data). */
export async function reportDiagnostics(diagnostics: readonly Diagnostic[], options: { toStderr?: boolean } = {}): Promise<void> {
  if (process.env.GITHUB_ACTIONS !== 'true' || diagnostics.length === 0) return;
  const { annotate } = await runner();
  for (const d of diagnostics) annotate({ level: 'error', title: 'matrix', message: `${d.field ? `${d.field}: ` : ''}${d.message}`, file: d.file, line: d.line, col: d.col }, options);
}

/** The publish action's outputs: where the index was written, and how many entries it got. */
export function publishOutputs(result: { entries: readonly unknown[]; index: string }): Record<string, string> {
  return { index: result.index, published: String(result.entries.length) };
}

/** Sets the publish outputs and summarises what was published, digests included. */
export async function reportPublish(result: { entries: readonly IndexEntry[]; index: string }): Promise<void> {
  if (nowhereToWrite()) return;
  const { setOutputs, summaryTable } = await runner();
  setOutputs(publishOutputs(result));
  const rows = result.entries.map((e) => [
    `${e.extension} ${e.version}`,
    e.platform,
    e.status,
    e.trunk ? `${(e.trunk.size / 1024).toFixed(0)} KiB` : '-',
    e.trunk ? `sha256:${e.trunk.sha256}` : '-',
    e.closure.ok ? 'ok' : 'problems',
    e.oci?.ref ?? '-',
    e.oci?.digest ?? '-',
    e.signature?.kind ?? 'unsigned',
  ]);
  await summaryTable('trunkfarm publish', ['EXTENSION', 'PLATFORM', 'STATUS', 'TRUNK', 'TRUNK DIGEST', 'CLOSURE', 'IMAGE', 'IMAGE DIGEST', 'SIGNATURE'], rows, `index: ${result.index}`);
}
