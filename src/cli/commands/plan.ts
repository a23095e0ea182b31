import type { Command } from 'commander';
import { UserError } from '../../errors.ts';
import { loadValidMatrix } from '../../matrix/index.ts';
import { reportPlan } from '../../github/outputs.ts';
import { expandJobs, readIndexKeys, selectChangedSince, selectStale, shard } from '../../plan/index.ts';
import { matrixOption, printTable } from '../options.ts';

export function register(program: Command): void {
  matrixOption(program.command('plan'))
    .description('expand the matrix into jobs, optionally only the changed or stale ones')
    .option('--changed-since <ref>', 'only jobs of entries or platforms changed since this git ref (pull requests)')
    .option('--index <file>', 'only jobs whose build key this published index.json lacks (scheduled rebuilds)')
    .option('--extension <name...>', 'only these extensions')
    .option('--json', 'print {"jobs": [...], "shards": [{"include": [...]}]}')
    .action(async (opts: { matrix: string; changedSince?: string; index?: string; extension?: string[]; json?: boolean }) => {
      const matrix = await loadValidMatrix(opts.matrix);
      let jobs = expandJobs(matrix);
      if (opts.extension) {
        const wanted = new Set(opts.extension);
        const unknown = [...wanted].filter((n) => !matrix.entries.some((e) => e.entry.name === n));
        if (unknown.length > 0) {
          throw new UserError(`--extension: no matrix entry named ${unknown.join(', ')}`, { exitCode: 2 });
        }
        jobs = jobs.filter((j) => wanted.has(j.extension));
      }
      if (opts.changedSince) jobs = await selectChangedSince(matrix, jobs, opts.changedSince);
      if (opts.index) jobs = selectStale(jobs, await readIndexKeys(opts.index));
      const shards = shard(jobs);
      await reportPlan(jobs, shards);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ jobs, shards })}\n`);
        return;
      }
      printTable(
        ['EXTENSION', 'VERSION', 'PLATFORM', 'RUNNER', 'KEY'],
        jobs.map((j) => [j.extension, j.version, j.platform, j.runner, j.key.slice(0, 12)]),
      );
      process.stdout.write(`${jobs.length} job(s)\n`);
    });
}
