import { UserError } from '../../errors.ts';
import { type PlanJson, planJson, reportPlan } from '../../github/outputs.ts';
import { expandJobs, planChangedSince, publishedKeys, readIndexKeys, selectStale, shard } from '../../plan/index.ts';
import { printTable } from '../options.ts';
import { loadValidMatrixAnnotated } from './validate.ts';

export interface PlanFlags {
  matrix: string;
  changedSince?: string;
  index?: string;
  indexRegistry?: string;
  extension?: string[];
  json?: boolean;
}

/** The keys of the index kept in a registry repository; its client loads only then. */
async function registryIndexKeys(repository: string): Promise<Set<string>> {
  const { registryIndexStore } = await import('../../publish/index-registry.ts');
  const store = registryIndexStore({ repository });
  try {
    return publishedKeys((await store.read()).index, `--index-registry ${repository}`);
  } finally {
    store.close();
  }
}

export async function run(opts: PlanFlags): Promise<void> {
  if (opts.index && opts.indexRegistry) throw new UserError('--index and --index-registry: give one', { exitCode: 2 });
  const matrix = await loadValidMatrixAnnotated(opts.matrix, { toStderr: opts.json === true });
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
  const planned = opts.changedSince ? await planChangedSince(matrix, opts.changedSince, entries) : expandJobs(matrix, entries);
  const published = opts.index ? await readIndexKeys(opts.index) : opts.indexRegistry ? await registryIndexKeys(opts.indexRegistry) : undefined;
  const jobs = published ? selectStale(planned, published) : planned;
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
