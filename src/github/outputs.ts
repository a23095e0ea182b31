// What the plan, build and publish commands hand to a workflow's next step inside GitHub Actions:
// step outputs (which the composite actions in actions/ map to their own outputs) and a job summary.
// The *Outputs functions are pure, so they are tested without a runner; the report* functions write
// them, and do nothing outside Actions. They load runner.ts (and with it @actions/core and its HTTP
// client) only when they run, so a command that merely imports them starts no slower.
import path from 'node:path';
import type { JobResult } from '../build/index.ts';
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

/** Sets the plan's step outputs and writes its job summary. `json` is called only when there are
 * step outputs to set (GITHUB_OUTPUT inside Actions). */
export async function reportPlan(jobs: readonly Job[], shards: Shards, json: () => PlanJson = () => planJson(jobs, shards)): Promise<void> {
  // Nowhere to write to (as on a laptop): not even @actions/core is loaded.
  if (!process.env.GITHUB_OUTPUT && !process.env.GITHUB_STEP_SUMMARY) return;
  const { annotate, inActions, setOutputs, summaryTable } = await runner();
  if (!inActions()) return;
  if (process.env.GITHUB_OUTPUT) {
    const outputs = planOutputs(jobs, shards, json());
    if (outputs.jobs === undefined) {
      annotate({
        level: 'warning',
        title: 'plan',
        message: `the plan (${jobs.length} jobs) is too large for step outputs: "jobs" and "shards" are left empty; read the plan file and fan out over "shard-indexes"`,
      });
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

export async function reportBuild(builds: readonly { dir: string; result: JobResult }[]): Promise<void> {
  const { setOutputs } = await runner();
  setOutputs(buildOutputs(builds));
}

/** The publish action's outputs: where the index was written, and how many entries it got. */
export function publishOutputs(result: { entries: readonly unknown[]; index: string }): Record<string, string> {
  return { index: result.index, published: String(result.entries.length) };
}

/** Sets the publish outputs and summarises what was published, digests included. */
export async function reportPublish(result: { entries: readonly IndexEntry[]; index: string }): Promise<void> {
  const { setOutputs, summaryTable } = await runner();
  setOutputs(publishOutputs(result));
  const rows = result.entries.map((e) => [
    `${e.extension} ${e.version}`,
    e.platform,
    e.status,
    e.trunk ? `${(e.trunk.size / 1024).toFixed(0)} KiB` : '-',
    e.closure.ok ? 'ok' : 'problems',
    e.oci ? `${e.oci.ref} (${e.oci.digest.slice(0, 19)})` : '-',
    e.signature?.kind ?? 'unsigned',
  ]);
  await summaryTable('trunkfarm publish', ['EXTENSION', 'PLATFORM', 'STATUS', 'TRUNK', 'CLOSURE', 'IMAGE', 'SIGNATURE'], rows, `index: ${result.index}`);
}
