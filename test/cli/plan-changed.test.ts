// `plan --changed-since REF` expands and keys only the entries and platforms that changed. Its
// output must be exactly the full plan filtered (filterChangedSince over expandJobs): the same
// jobs, in the same order, with the same keys, cut into the same shards.
import { execFileSync } from 'node:child_process';
import { rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadValidMatrix } from '../../src/matrix/index.ts';
import { expandJobs, type PlannedJob, shard } from '../../src/plan/index.ts';
import { runCli } from '../support/cli.ts';
import { entryYaml, filterChangedSince, PLATFORMS_YAML, scratchMatrix } from '../support/matrix.ts';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
}

/** What `plan --json` printed before it expanded only what changed. */
async function filteredFullPlan(dir: string, ref: string, extensions?: string[]): Promise<{ text: string; jobs: PlannedJob[] }> {
  const matrix = await loadValidMatrix(dir);
  let jobs = expandJobs(matrix);
  if (extensions) jobs = jobs.filter((j) => extensions.includes(j.extension));
  jobs = await filterChangedSince(matrix, jobs, ref);
  return { text: `${JSON.stringify({ jobs, shards: shard(jobs) })}\n`, jobs };
}

async function planOutput(dir: string, ref: string, extensions?: string[]): Promise<string> {
  const r = await runCli(['plan', '--matrix', dir, '--changed-since', ref, '--json', ...(extensions ? ['--extension', ...extensions] : [])]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

describe('plan --changed-since', () => {
  // 150 entries of 12 jobs each; two are SQL-only (3 jobs, one per major, on the default platform).
  let dir: string;
  let repo: string;
  beforeAll(async () => {
    const entries: Record<string, string> = {};
    for (let i = 0; i < 150; i++) entries[`e${i}.yaml`] = entryYaml(`e${i}`, i % 75 === 7 ? 'language: sql\n' : '');
    dir = await scratchMatrix(entries);
    repo = path.dirname(dir);
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'base');
  });
  afterAll(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  it('plans changed, added and uncommitted entries as the filtered full plan does; deleted ones have no jobs', async () => {
    git(repo, 'checkout', '-qb', 'entries', 'main');
    await writeFile(path.join(dir, 'extensions', 'e3.yaml'), entryYaml('e3', '', '1.1.0'));
    await writeFile(path.join(dir, 'extensions', 'e7.yaml'), entryYaml('e7', 'language: sql\n', '2.0.0'));
    await writeFile(path.join(dir, 'extensions', 'new.yaml'), entryYaml('new', '  postgres:\n    version: ">= 16"\n'));
    await unlink(path.join(dir, 'extensions', 'e5.yaml'));
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'bump e3 and e7, add new, drop e5');
    await writeFile(path.join(dir, 'extensions', 'e140.yaml'), entryYaml('e140', '', '9.9.9'));

    const expected = await filteredFullPlan(dir, 'main');
    expect(new Set(expected.jobs.map((j) => j.extension))).toEqual(new Set(['e3', 'e7', 'new', 'e140']));
    expect(expected.jobs).toHaveLength(12 + 3 + 8 + 12);
    expect(await planOutput(dir, 'main')).toBe(expected.text);

    const subset = await filteredFullPlan(dir, 'main', ['e140', 'e7', 'e9']);
    expect(subset.jobs).toHaveLength(12 + 3);
    expect(await planOutput(dir, 'main', ['e140', 'e7', 'e9'])).toBe(subset.text);
    git(repo, 'checkout', '-q', '--', '.');
  });

  it('plans every entry on a changed platform, SQL-only ones on their default platform, in the same shards', async () => {
    git(repo, 'checkout', '-qb', 'platforms', 'main');
    // Two musl cells of Postgres 16, and the glibc cells of Postgres 15 (where SQL-only pg15 builds).
    const platforms = PLATFORMS_YAML.replace('builder: example.org/pg:16-alpine', 'builder: example.org/pg:16.9-alpine').replace(
      'base: example.org/pg:15 }',
      'base: example.org/pg:15.9 }',
    );
    await writeFile(path.join(dir, 'platforms.yaml'), platforms);
    await writeFile(path.join(dir, 'extensions', 'e42.yaml'), entryYaml('e42', '', '1.0.1'));
    git(repo, 'commit', '-qam', 'new images; bump e42');

    const expected = await filteredFullPlan(dir, 'main');
    // 148 ordinary entries on 4 cells, the SQL-only ones once (pg15-any), e42 on its other 8 cells.
    expect(expected.jobs).toHaveLength(148 * 4 + 2 + 8);
    expect(expected.jobs.filter((j) => j.platform === 'pg15-any').map((j) => j.extension)).toEqual(['e7', 'e82']);
    expect(shard(expected.jobs).length).toBeGreaterThan(1);
    expect(await planOutput(dir, 'main')).toBe(expected.text);

    const subset = await filteredFullPlan(dir, 'main', ['e7', 'e42', 'e100']);
    expect(subset.jobs).toHaveLength(1 + 12 + 4);
    expect(await planOutput(dir, 'main', ['e7', 'e42', 'e100'])).toBe(subset.text);
  });

  it('plans nothing when no matrix file changed', async () => {
    git(repo, 'checkout', '-q', 'main');
    expect(await planOutput(dir, 'HEAD')).toBe(`${JSON.stringify({ jobs: [], shards: [] })}\n`);
    expect((await filteredFullPlan(dir, 'HEAD')).jobs).toEqual([]);
  });
});
