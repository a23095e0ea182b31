import { UserError } from '../../errors.ts';
import { type PlanJson, planJson, reportPlan } from '../../github/index.ts';
import type { IndexEntry } from '../../types.ts';
import { compareJobs, expandJobs, expandTargets, explainStale, pinMatrixImages, planChangedSince, type PlannedJob, publishedBuilds, readIndexBuilds, shard, staleByPackages } from '../../plan/index.ts';
import { printTable } from '../options.ts';
import { loadValidMatrixAnnotated } from './validate.ts';

export interface PlanFlags {
  matrix: string;
  changedSince?: string;
  index?: string;
  indexRegistry?: string;
  extension?: string[];
  pinImages?: boolean;
  checkPackages?: boolean;
  engine?: string;
  json?: boolean;
}

/** The builds of the index kept in a registry repository; its client loads only then. */
async function registryIndexBuilds(repository: string): Promise<Partial<IndexEntry>[]> {
  const { registryIndexStore } = await import('../../publish/index-registry.ts');
  const store = registryIndexStore({ repository });
  try {
    return publishedBuilds((await store.read()).index, `--index-registry ${repository}`);
  } finally {
    store.close();
  }
}

export async function run(opts: PlanFlags): Promise<void> {
  if (opts.index && opts.indexRegistry) throw new UserError('--index and --index-registry: give one', { exitCode: 2 });
  if (opts.checkPackages && !opts.index && !opts.indexRegistry) throw new UserError('--check-packages compares with the packages published builds bundled: give --index or --index-registry', { exitCode: 2 });
  const loadedMatrix = await loadValidMatrixAnnotated(opts.matrix, { toStderr: opts.json === true });
  // Pinned, build keys bind the images' digests: a base re-pushed under its tag makes its jobs stale.
  const matrix = opts.pinImages ? await pinMatrixImages(loadedMatrix) : loadedMatrix;
  let entries = matrix.entries;
  if (opts.extension) {
    const wanted = new Set(opts.extension);
    const unknown = [...wanted].filter((n) => !matrix.entries.some((e) => e.entry.name === n));
    if (unknown.length > 0) {
      throw new UserError(`--extension: no matrix entry named ${unknown.join(', ')}`, { exitCode: 2 });
    }
    entries = entries.filter((e) => wanted.has(e.entry.name));
  }
  // Only what is selected is expanded: keying every job of a large matrix to keep a few is most of
  // the cost of a pull request's plan.
  const builds = opts.index ? await readIndexBuilds(opts.index) : opts.indexRegistry ? await registryIndexBuilds(opts.indexRegistry) : undefined;
  const changed = opts.changedSince ? await planChangedSince(matrix, opts.changedSince, entries) : undefined;
  let jobs: PlannedJob[];
  if (builds) {
    // Against an index, each job the index lacks, with why (see explainStale).
    const keys = changed && new Set(changed.map((j) => j.key));
    const targets = expandTargets(matrix, entries).filter((t) => !keys || keys.has(t.job.key));
    jobs = explainStale(targets, builds);
    if (opts.checkPackages) {
      // Jobs whose key is published, but whose bundled packages the builder has newer versions of.
      const stale = new Set(jobs.map((j) => j.key));
      const { detectEngine } = await import('../../builder/index.ts');
      const engine = await detectEngine(opts.engine);
      jobs = [...jobs, ...(await staleByPackages(targets.filter((t) => !stale.has(t.job.key)), builds, engine))].sort(compareJobs);
    }
  } else {
    jobs = changed ?? expandJobs(matrix, entries);
  }
  const shards = shard(jobs);
  let text: PlanJson | undefined;
  const json = () => (text ??= planJson(jobs, shards));
  await reportPlan(jobs, shards, json);
  if (opts.json) {
    // JSON.stringify({ jobs, shards }), from the text the step outputs may already have written.
    process.stdout.write(`{"jobs":${json().jobs},"shards":${json().shards}}\n`);
    return;
  }
  printTable(
    ['EXTENSION', 'VERSION', 'PLATFORM', 'RUNNER', 'KEY'],
    jobs.map((j) => [j.extension, j.version, j.platform, j.runner, j.key.slice(0, 12)]),
  );
  process.stdout.write(`${jobs.length} job(s)\n`);
}
