// The step outputs the CLI sets inside GitHub Actions (src/github/outputs.ts, setOutputs in
// src/github/runner.ts): what they hold, the size cut for large plans, and that nothing is written
// (least of all a `::set-output` line on stdout) outside Actions.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobResult } from '../../src/job-result/index.ts';
import { buildOutputs, buildTable, MAX_PLAN_OUTPUT_BYTES, planOutputs, publishOutputs, reportBuild } from '../../src/github/outputs.ts';
import { setOutputs } from '../../src/github/runner.ts';
import { shard } from '../../src/plan/index.ts';
import type { Job } from '../../src/types.ts';
import { runCli } from '../support/cli.ts';
import { entryYaml, scratchMatrix } from '../support/matrix.ts';
import { parseCommands, parseKeyValueFile } from '../actions/composite.ts';

const job = (i: number): Job => ({
  extension: `ext${i}`,
  version: '1.0.0',
  pg: 17,
  arch: 'amd64',
  libc: 'glibc',
  platform: 'pg17-gnulinux-amd64',
  runner: 'ubuntu-24.04',
  key: i.toString(16).padStart(64, '0'),
});

const result = (status: 'built' | 'failed', ext = 'pgvector'): JobResult => ({
  version: 1,
  job: { ...job(0), extension: ext },
  status,
  steps: [],
  ...(status === 'built'
    ? {
        closure: { ok: true, bundled: [], problems: [], data: [] as never },
        artifacts: { trunk: { file: `${ext}.trunk`, sha256: 'ab'.repeat(32), size: 1234, files: 3 }, oci: { layout: 'oci', tag: 't', digest: `sha256:${'cd'.repeat(32)}`, size: 99 } },
      }
    : { failure: { step: 'build', message: 'exit status 2' } }),
  startedAt: '',
  finishedAt: '',
});

const saved = { ...process.env };
let dir: string | undefined;
afterEach(async () => {
  process.env = { ...saved };
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Empty GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, in a directory removed after the test. */
async function runnerFiles(): Promise<{ output: string; summary: string }> {
  dir = await mkdtemp(path.join(tmpdir(), 'trunkfarm-outputs-'));
  const files = { output: path.join(dir, 'output'), summary: path.join(dir, 'summary') };
  for (const f of Object.values(files)) await writeFile(f, '');
  return files;
}

describe('planOutputs', () => {
  it('gives jobs, shards, counts and the shard numbers', () => {
    const jobs = Array.from({ length: 600 }, (_, i) => job(i));
    const shards = shard(jobs);
    const out = planOutputs(jobs, shards);
    expect(out.count).toBe('600');
    expect(out['shard-count']).toBe('3');
    expect(JSON.parse(out['shard-indexes'])).toEqual([0, 1, 2]);
    expect(JSON.parse(out.jobs!)).toEqual(jobs);
    expect(JSON.parse(out.shards!)).toEqual(shards);
  });

  it('leaves jobs and shards out when they would pass GitHub\'s output limit, keeping the counts', () => {
    const jobs = Array.from({ length: 3000 }, (_, i) => job(i));
    expect(2 * 2 * JSON.stringify(jobs).length).toBeGreaterThan(MAX_PLAN_OUTPUT_BYTES);
    const out = planOutputs(jobs, shard(jobs));
    expect(out.jobs).toBeUndefined();
    expect(out.shards).toBeUndefined();
    expect(out.count).toBe('3000');
    expect(JSON.parse(out['shard-indexes'])).toHaveLength(12);
  });

  it('gives an empty plan as empty lists, which a workflow can test', () => {
    expect(planOutputs([], [])).toEqual({ count: '0', 'shard-count': '0', 'shard-indexes': '[]', jobs: '[]', shards: '[]' });
  });
});

describe('buildOutputs', () => {
  it('gives one job\'s fields as outputs of their own, with absolute paths', () => {
    const out = buildOutputs([{ dir: 'out/pgvector-0.8.0+pg17-gnulinux-amd64', result: result('built') }]);
    const dir = path.resolve('out/pgvector-0.8.0+pg17-gnulinux-amd64');
    expect(out).toMatchObject({ count: '1', built: '1', failed: '0', status: 'built', dir, result: path.join(dir, 'result.json'), trunk: path.join(dir, 'pgvector.trunk'), sha256: 'ab'.repeat(32), size: '1234', 'oci-digest': `sha256:${'cd'.repeat(32)}`, closure: 'ok' });
    expect(JSON.parse(out.results!)).toHaveLength(1);
  });

  it('gives a failed job empty artifact fields', () => {
    expect(buildOutputs([{ dir: 'out/x', result: result('failed') }])).toMatchObject({ status: 'failed', trunk: '', sha256: '', 'oci-digest': '', closure: '', failed: '1' });
  });

  it('with several jobs gives only the list and the counts', () => {
    const out = buildOutputs([{ dir: 'out/a', result: result('built', 'a') }, { dir: 'out/b', result: result('failed', 'b') }]);
    expect(Object.keys(out).sort()).toEqual(['built', 'count', 'failed', 'results']);
    expect((JSON.parse(out.results!) as { job: string; status: string }[]).map((r) => [r.job, r.status])).toEqual([['a', 'built'], ['b', 'failed']]);
  });
});

describe('the build\'s table', () => {
  const builds = [
    { dir: 'out/pgvector-1.0.0+pg17-gnulinux-amd64', result: result('built') },
    { dir: 'out/broken-1.0.0+pg17-gnulinux-amd64', result: result('failed', 'broken') },
  ];

  it('gives the job summary whole digests: the trunk\'s sha256 and the image\'s digest', async () => {
    const { output, summary } = await runnerFiles();
    Object.assign(process.env, { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output });
    await reportBuild(builds);
    const text = await readFile(summary, 'utf8');
    expect(text).toContain('<h3>trunkfarm build</h3>');
    for (const h of ['JOB', 'STATUS', 'TRUNK', 'CLOSURE', 'SHA256', 'OCI DIGEST']) expect(text).toContain(`<th>${h}</th>`);
    expect(text).toContain(`<tr><td>pgvector-1.0.0+pg17-gnulinux-amd64</td><td>built</td><td>1 KiB</td><td>ok</td><td>${'ab'.repeat(32)}</td><td>sha256:${'cd'.repeat(32)}</td></tr>`);
    expect(text).toContain('<tr><td>broken-1.0.0+pg17-gnulinux-amd64</td><td>failed (build)</td><td>-</td><td>-</td><td>-</td><td>-</td></tr>');
    expect(parseKeyValueFile(await readFile(output, 'utf8'))).toMatchObject({ count: '2', built: '1', failed: '1' });
  });

  it('gives a terminal the digests\' first characters', () => {
    const { rows } = buildTable(builds, false);
    expect(rows[0]!.slice(4)).toEqual(['ab'.repeat(8), `sha256:${'cd'.repeat(6)}`]);
  });
});

describe('publishOutputs', () => {
  it('gives the index location and the number of entries', () => {
    expect(publishOutputs({ entries: [{}, {}], index: 'acme/farm@gh-pages:index.json' })).toEqual({ index: 'acme/farm@gh-pages:index.json', published: '2' });
  });
});

describe('setOutputs and the CLI inside and outside Actions', () => {

  it('writes multi-line values in the runner\'s heredoc form', async () => {
    const { output: file } = await runnerFiles();
    process.env.GITHUB_ACTIONS = 'true';
    process.env.GITHUB_OUTPUT = file;
    setOutputs({ a: 'one', b: 'two\nlines', n: 3 });
    expect(parseKeyValueFile(await readFile(file, 'utf8'))).toEqual({ a: 'one', b: 'two\nlines', n: '3' });
  });

  it('plan --json prints only JSON in Actions too, and sets its outputs', async () => {
    const { output: file } = await runnerFiles();
    const inside = await runCli(['plan', '--json', '--extension', 'pgvector'], { GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: file, GITHUB_STEP_SUMMARY: undefined });
    const plan = JSON.parse(inside.stdout) as { jobs: Job[] };
    const outputs = parseKeyValueFile(await readFile(file, 'utf8'));
    expect(JSON.parse(outputs.jobs!)).toEqual(plan.jobs);
    expect(outputs.count).toBe(String(plan.jobs.length));
  });

  it('plan --json of a plan too large for step outputs warns on stderr, keeping stdout the plan', async () => {
    const { output: file } = await runnerFiles();
    // 100 entries on the 12 platforms of the scratch matrix: 1,200 jobs.
    const matrix = await scratchMatrix(Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`e${i}.yaml`, entryYaml(`e${i}`)])));
    const r = await runCli(['plan', '--json', '--matrix', matrix], { GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: file, GITHUB_STEP_SUMMARY: undefined });
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as { jobs: Job[] };
    expect(plan.jobs).toHaveLength(1200);
    expect(parseKeyValueFile(await readFile(file, 'utf8'))).toEqual({ count: '1200', 'shard-count': '5', 'shard-indexes': '[0,1,2,3,4]' });
    expect(parseCommands(r.stderr)).toEqual([{ command: 'warning', properties: { title: 'plan' }, message: expect.stringContaining('the plan (1200 jobs) is too large for step outputs') }]);
  });

  it('outside Actions writes no output file and no ::set-output line', async () => {
    const outside = await runCli(['plan', '--json', '--extension', 'pgvector'], { GITHUB_ACTIONS: undefined, GITHUB_OUTPUT: undefined });
    expect(outside.stdout).not.toContain('::');
    expect(() => JSON.parse(outside.stdout)).not.toThrow();
    // In Actions without GITHUB_OUTPUT (an old runner), still no command on stdout.
    const noFile = await runCli(['plan', '--json', '--extension', 'pgvector'], { GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: undefined, GITHUB_STEP_SUMMARY: undefined });
    expect(noFile.stdout).not.toContain('::');
  });
});
