// actions/plan run as a runner runs it (composite.ts): on the real matrix, with its outputs checked
// against the CLI's own plan; on a scratch git repository where a pull request adds one extension
// or changes one platform; and in an extension's own repository through `entry`.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_JOBS_PER_MATRIX, type PlannedJob as Job } from '../../src/plan/index.ts';
import { runCli } from '../support/cli.ts';
import { entryYaml } from '../support/matrix.ts';
import { type ActionRun, runCompositeAction } from './composite.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PLAN_ACTION = path.join(ROOT, 'actions/plan');
const cleanup: string[] = [];
afterAll(async () => {
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
});

async function plan(workspace: string, inputs: Record<string, string> = {}): Promise<ActionRun> {
  const run = await runCompositeAction(PLAN_ACTION, { workspace, with: inputs });
  cleanup.push(run.temp);
  return run;
}

const jobsOf = (run: ActionRun) => JSON.parse(run.outputs.jobs!) as Job[];
const names = (jobs: Job[]) => [...new Set(jobs.map((j) => j.extension))].sort();

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' });
}

/** A scratch repository holding a copy of the real matrix, committed on main. */
async function scratchRepository(): Promise<string> {
  const repo = await mkdtemp(path.join(tmpdir(), 'trunkfarm-pr-'));
  cleanup.push(repo);
  git(repo, 'init', '--quiet');
  await cp(path.join(ROOT, 'matrix'), path.join(repo, 'matrix'), { recursive: true });
  git(repo, 'add', '.');
  git(repo, 'commit', '--quiet', '-m', 'matrix');
  return repo;
}

describe('actions/plan', () => {
  it('plans the real matrix: outputs that parse, agree with the CLI, and shards within the matrix limit', async () => {
    const run = await plan(ROOT);
    expect(run.conclusion, run.steps[0]?.stderr).toBe('success');
    const jobs = jobsOf(run);
    const shards = JSON.parse(run.outputs.shards!) as { include: Job[] }[];
    const cli = JSON.parse((await runCli(['plan', '--json', '--matrix', path.join(ROOT, 'matrix')])).stdout) as { jobs: Job[] };

    expect(jobs.map((j) => j.key)).toEqual(cli.jobs.map((j) => j.key));
    expect(Number(run.outputs.count)).toBe(jobs.length);
    expect(jobs.length).toBeGreaterThan(0);
    expect(Number(run.outputs['shard-count'])).toBe(shards.length);
    expect(JSON.parse(run.outputs['shard-indexes']!)).toEqual(shards.map((_, i) => i));
    for (const s of shards) expect(s.include.length).toBeLessThanOrEqual(MAX_JOBS_PER_MATRIX);
    expect(shards.flatMap((s) => s.include)).toEqual(jobs);
    for (const j of jobs) {
      expect(Object.keys(j).sort()).toEqual(['arch', 'extension', 'file', 'key', 'libc', 'pg', 'platform', 'runner', 'version']);
      expect(j.runner).toBe(j.arch === 'arm64' ? 'ubuntu-24.04-arm' : 'ubuntu-24.04');
    }
    // The plan file holds the same plan, and the summary says what was planned.
    expect(JSON.parse(await readFile(run.outputs.plan!, 'utf8'))).toEqual({ jobs, shards });
    expect(run.outputs.matrix).toBe('matrix');
    expect(run.summary).toContain('<h3>trunkfarm plan</h3>');
    expect(run.summary).toContain(`${jobs.length} job(s) in ${shards.length} shard(s)`);
  });

  it('plans only the extensions asked for', async () => {
    const run = await plan(ROOT, { extension: 'pgvector ip4r' });
    expect(names(jobsOf(run))).toEqual(['ip4r', 'pgvector']);
  });

  it('plans only the jobs a published index lacks (index), failed builds included', async () => {
    const all = jobsOf(await plan(ROOT, { extension: 'pgvector' }));
    expect(all.length).toBeGreaterThan(3);
    const dir = await mkdtemp(path.join(tmpdir(), 'trunkfarm-index-'));
    cleanup.push(dir);
    const index = path.join(dir, 'index.json');
    // The first two are published; the third failed, so it is tried again.
    const entry = (j: Job, status: string) => ({ key: j.key, extension: j.extension, version: j.version, pg: j.pg, arch: j.arch, libc: j.libc, platform: j.platform, status });
    await writeFile(index, JSON.stringify({ version: 1, generatedAt: '2025-01-01T00:00:00Z', entries: [entry(all[0]!, 'built'), entry(all[1]!, 'built'), entry(all[2]!, 'failed')] }));
    const run = await plan(ROOT, { extension: 'pgvector', index: '${{ runner.temp }}/../' + path.relative(tmpdir(), index) });
    expect(run.conclusion, run.steps[0]?.stderr).toBe('success');
    // Each job says why it is planned: none of these has a published build.
    const planned = jobsOf(run) as (Job & { stale?: { reason: string }[] })[];
    expect(planned.map(({ stale, ...job }) => job)).toEqual(all.slice(2));
    expect(planned.map((j) => j.stale?.map((s) => s.reason))).toEqual(all.slice(2).map(() => ['new']));
    expect(run.outputs.count).toBe(String(all.length - 2));

    const missing = await plan(ROOT, { index: path.join(dir, 'nosuch.json') });
    expect(missing.conclusion).toBe('failure');
    expect(missing.steps[0]!.stderr).toContain(`--index ${path.join(dir, 'nosuch.json')}: no such file`);
  });

  it('runs from a copy of actions/, dist/ and matrix/ alone: no node_modules, no npm install', async () => {
    const repo = await mkdtemp(path.join(tmpdir(), 'trunkfarm-bare-'));
    cleanup.push(repo);
    for (const dir of ['actions', 'dist', 'matrix']) await cp(path.join(ROOT, dir), path.join(repo, dir), { recursive: true });
    // Nothing above the copy resolves a package either.
    expect(() => createRequire(path.join(repo, 'dist/cli.js')).resolve('yaml')).toThrow();
    const run = await runCompositeAction(path.join(repo, 'actions/plan'), { workspace: repo, with: { extension: 'pgvector ip4r' } });
    cleanup.push(run.temp);
    expect(run.conclusion, run.steps[0]?.stderr).toBe('success');
    expect(jobsOf(run)).toEqual(jobsOf(await plan(ROOT, { extension: 'pgvector ip4r' })));
    expect(run.summary).toContain('<h3>trunkfarm plan</h3>');
  });

  it('fails with the CLI\'s message for an unknown extension', async () => {
    const run = await plan(ROOT, { extension: 'nosuch' });
    expect(run.conclusion).toBe('failure');
    expect(run.steps[0]!.stderr).toContain('--extension: no matrix entry named nosuch');
    expect(run.outputs.count).toBe('');
  });
});

describe('a pull request, simulated on a scratch repository', () => {
  it('adding an extension on a branch plans only that extension\'s jobs', async () => {
    const repo = await scratchRepository();
    git(repo, 'checkout', '--quiet', '-b', 'add-newext');
    await writeFile(path.join(repo, 'matrix/extensions/newext.yaml'), entryYaml('newext'));
    git(repo, 'add', '.');
    git(repo, 'commit', '--quiet', '-m', 'Add newext');

    const all = jobsOf(await plan(repo));
    const run = await plan(repo, { 'changed-since': 'main' });
    expect(run.conclusion, run.steps[0]?.stderr).toBe('success');
    const jobs = jobsOf(run);
    expect(names(jobs)).toEqual(['newext']);
    expect(jobs).toEqual(all.filter((j) => j.extension === 'newext'));
    // Every platform the matrix has: 5 majors x (amd64, arm64) x (glibc, musl).
    expect(jobs).toHaveLength(20);
    expect(new Set(jobs.map((j) => j.runner))).toEqual(new Set(['ubuntu-24.04', 'ubuntu-24.04-arm']));
  });

  it('changing one platform\'s images plans only the jobs on that platform', async () => {
    const repo = await scratchRepository();
    git(repo, 'checkout', '--quiet', '-b', 'new-pg18-image');
    const file = path.join(repo, 'matrix/platforms.yaml');
    const text = await readFile(file, 'utf8');
    const changed = text.replace('"18": { builder: docker.io/library/postgres:18-trixie, base: docker.io/library/postgres:18-trixie }', '"18": { builder: docker.io/library/postgres:18.1-trixie, base: docker.io/library/postgres:18.1-trixie }');
    expect(changed).not.toBe(text);
    await writeFile(file, changed);
    git(repo, 'commit', '--quiet', '-am', 'PostgreSQL 18.1');

    const jobs = jobsOf(await plan(repo, { 'changed-since': 'main' }));
    expect(jobs.length).toBeGreaterThan(0);
    // pg18 glibc on both arches; SQL-only packages (pg18-any) build on pg18-gnulinux-amd64.
    expect(new Set(jobs.map((j) => `${j.pg}-${j.libc}`))).toEqual(new Set(['18-glibc']));
    expect(new Set(jobs.map((j) => j.platform))).toEqual(new Set(['pg18-gnulinux-amd64', 'pg18-gnulinux-arm64', 'pg18-any']));
  });

  it('a pull request that changes no matrix file plans nothing', async () => {
    const repo = await scratchRepository();
    git(repo, 'checkout', '--quiet', '-b', 'docs');
    await writeFile(path.join(repo, 'README.md'), 'docs\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '--quiet', '-m', 'docs');
    const run = await plan(repo, { 'changed-since': 'main' });
    expect(run.outputs.count).toBe('0');
    expect(run.outputs.jobs).toBe('[]');
    expect(run.outputs['shard-indexes']).toBe('[]');
    expect(run.summary).toContain('Nothing to build.');
  });

  it('without the base commit in the clone, fails saying to fetch it', async () => {
    const repo = await scratchRepository();
    const run = await plan(repo, { 'changed-since': '0000000000000000000000000000000000000000' });
    expect(run.conclusion).toBe('failure');
    expect(run.steps[0]!.stderr).toMatch(/not a commit in this repository \(fetch it first/);
  });
});

describe('an extension\'s own repository (entry)', () => {
  it('plans its entry against trunkfarm\'s platforms, from a matrix written at the top of the repository', async () => {
    const repo = await mkdtemp(path.join(tmpdir(), 'trunkfarm-ext-'));
    cleanup.push(repo);
    await writeFile(path.join(repo, 'trunkfarm.yaml'), entryYaml('myext').replace(/source:\n {2}url: .*\n {2}sha256: .*\n/, 'source:\n  path: .\n'));
    const run = await plan(repo, { entry: 'trunkfarm.yaml' });
    expect(run.conclusion, run.steps[0]?.stderr).toBe('success');
    expect(run.outputs.matrix).toBe('.trunkfarm-matrix');
    const jobs = jobsOf(run);
    expect(names(jobs)).toEqual(['myext']);
    expect(new Set(jobs.map((j) => j.file))).toEqual(new Set(['.trunkfarm-matrix/extensions/myext.yaml']));
    expect(await readFile(path.join(repo, '.trunkfarm-matrix/platforms.yaml'), 'utf8')).toBe(await readFile(path.join(ROOT, 'matrix/platforms.yaml'), 'utf8'));
  });

  it('says what is wrong with an entry without a name, or a missing one', async () => {
    const repo = await mkdtemp(path.join(tmpdir(), 'trunkfarm-ext-'));
    cleanup.push(repo);
    await writeFile(path.join(repo, 'trunkfarm.yaml'), 'version: 1.0.0\n');
    const nameless = await plan(repo, { entry: 'trunkfarm.yaml' });
    expect(nameless.conclusion).toBe('failure');
    expect(nameless.steps[0]!.stderr).toContain('trunkfarm.yaml: no top-level "name: NAME" line');
    const missing = await plan(repo, { entry: 'META.json' });
    expect(missing.steps[0]!.stderr).toContain('entry file "META.json" not found');
  });

  it('reports an invalid entry on its line (of the verbatim copy in .trunkfarm-matrix)', async () => {
    const repo = await mkdtemp(path.join(tmpdir(), 'trunkfarm-ext-'));
    cleanup.push(repo);
    const text = entryYaml('myext').replace('pipeline: pgxs', 'pipeline: nosuch');
    await writeFile(path.join(repo, 'trunkfarm.yaml'), text);
    const run = await plan(repo, { entry: 'trunkfarm.yaml' });
    expect(run.conclusion).toBe('failure');
    const line = text.split('\n').findIndex((l) => l.includes('nosuch')) + 1;
    expect(run.steps[0]!.stderr).toContain(`.trunkfarm-matrix/extensions/myext.yaml:${line}:13: dependencies.pipeline: must be one of`);
    // The annotation lands on the entry file itself, at the same line.
    const annotation = { command: 'error', properties: { title: 'matrix', file: 'trunkfarm.yaml', line: String(line), col: '13' }, message: expect.stringMatching(/^dependencies\.pipeline: must be one of /) };
    expect(run.commands).toEqual([annotation]);

    // actions/validate, which the reusable workflow runs first, says the same.
    const validate = await runCompositeAction(path.join(ROOT, 'actions/validate'), { workspace: repo, with: { entry: 'trunkfarm.yaml' } });
    cleanup.push(validate.temp);
    expect(validate.conclusion).toBe('failure');
    expect(validate.commands).toEqual([annotation]);
    expect(validate.steps[0]!.stderr).toContain('1 problem(s) found');

    await writeFile(path.join(repo, 'trunkfarm.yaml'), entryYaml('myext'));
    const valid = await runCompositeAction(path.join(ROOT, 'actions/validate'), { workspace: repo, with: { entry: 'trunkfarm.yaml' } });
    cleanup.push(valid.temp);
    expect(valid.conclusion, valid.steps[0]?.stderr).toBe('success');
    expect(valid.steps[0]!.stdout).toMatch(/^ok: 1 extensions, \d+ platforms$/m);
  });
});
