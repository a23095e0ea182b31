// A job's output directory and its record, the contract between the build and what reads its
// output (publish, the reports, the CLI). Each job writes into
// OUT/<extension>-<version>+<platform>/ and records what happened in result.json, which also
// lets a second build of an unchanged job (same build key) be skipped outright.
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CheckResult, IsaFinding } from '../closure/index.ts';
import type { Job } from '../types.ts';

const RESULT_FILE = 'result.json';

export interface StepRecord {
  name: string;
  status: 'ok' | 'failed' | 'skipped';
  seconds: number;
  /** Log file, relative to the job directory. */
  log?: string;
  message?: string;
}

export interface JobResult {
  version: 1;
  job: Job;
  status: 'built' | 'failed';
  steps: StepRecord[];
  failure?: { step: string; message: string };
  source?: { uri: string; sha256: string; from: string };
  images?: { builder: { ref: string; id: string }; base: { ref: string; id: string } };
  postgres?: { version: string };
  /** The instruction-set check: the platform's baseline and the flags found above it. */
  isa?: { baseline: string; findings: Pick<IsaFinding, 'flag' | 'kind' | 'beyond' | 'evidence' | 'files'>[] };
  closure?: Pick<CheckResult, 'ok' | 'bundled' | 'data'> & { problems: { file: string; message: string }[] };
  artifacts?: {
    trunk: { file: string; sha256: string; size: number; files: number };
    oci: { layout: string; tag: string; digest: string; size: number };
    bundle?: string;
  };
  startedAt: string;
  finishedAt: string;
}

export function jobDirName(job: Pick<Job, 'extension' | 'version' | 'platform'>): string {
  return `${job.extension}-${job.version}+${job.platform}`;
}

export async function readResult(dir: string): Promise<JobResult | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dir, RESULT_FILE), 'utf8')) as JobResult;
  } catch {
    return undefined;
  }
}

/** Written last, through a temp file, so a result.json always describes a finished job. */
export async function writeResult(dir: string, result: JobResult): Promise<void> {
  const tmp = path.join(dir, `.${RESULT_FILE}.${process.pid}`);
  await writeFile(tmp, `${JSON.stringify(result, null, 2)}\n`);
  await rename(tmp, path.join(dir, RESULT_FILE));
}

/** A job is up to date when its directory holds a successful build of the same key whose
 * artifacts are still there. */
export async function upToDate(dir: string, key: string): Promise<JobResult | undefined> {
  const prev = await readResult(dir);
  if (prev?.status !== 'built' || prev.job.key !== key || !prev.artifacts) return undefined;
  const trunk = await stat(path.join(dir, prev.artifacts.trunk.file)).catch(() => undefined);
  return trunk?.size === prev.artifacts.trunk.size ? prev : undefined;
}
