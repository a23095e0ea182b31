import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadValidMatrix } from '../../src/matrix/index.ts';
import { expandJobs, planChangedSince, selectStale, shard, readIndexKeys } from '../../src/plan/index.ts';
import { entryYaml, PLATFORMS_YAML, scratchMatrix } from '../support/matrix.ts';

describe('expanding the matrix', () => {
  it('builds one job per platform cell, minus range and exclusions', async () => {
    const dir = await scratchMatrix({
      'all.yaml': entryYaml('all'),
      'some.yaml': entryYaml('some', '  postgres:\n    version: ">= 16"\nplatforms:\n  exclude:\n    - { libc: musl, arch: arm64 }\n'),
    });
    const jobs = expandJobs(await loadValidMatrix(dir));
    expect(jobs.filter((j) => j.extension === 'all')).toHaveLength(3 * 2 * 2);
    const some = jobs.filter((j) => j.extension === 'some').map((j) => j.platform);
    expect(some).toEqual([
      'pg16-gnulinux-amd64', 'pg16-gnulinux-arm64', 'pg16-musllinux-amd64',
      'pg17-gnulinux-amd64', 'pg17-gnulinux-arm64', 'pg17-musllinux-amd64',
    ]);
    const arm = jobs.find((j) => j.platform === 'pg17-gnulinux-arm64')!;
    expect(arm).toMatchObject({ extension: 'all', version: '1.0.0', pg: 17, arch: 'arm64', libc: 'glibc', runner: 'ubuntu-24.04-arm' });
    expect(arm.key).toMatch(/^[0-9a-f]{64}$/);
  });

  it('builds SQL-only packages once per major as platform "any"', async () => {
    const dir = await scratchMatrix({ 'sqlonly.yaml': entryYaml('sqlonly', 'language: sql\n') });
    const jobs = expandJobs(await loadValidMatrix(dir));
    expect(jobs.map((j) => [j.platform, j.arch, j.libc])).toEqual([
      ['pg15-any', 'amd64', 'glibc'], ['pg16-any', 'amd64', 'glibc'], ['pg17-any', 'amd64', 'glibc'],
    ]);
  });

  it('gives equal inputs equal keys, and changes only the keys whose inputs changed', async () => {
    const a = expandJobs(await loadValidMatrix(await scratchMatrix({ 'x.yaml': entryYaml('x'), 'y.yaml': entryYaml('y') })));
    const b = expandJobs(await loadValidMatrix(await scratchMatrix({ 'x.yaml': entryYaml('x'), 'y.yaml': entryYaml('y') })));
    expect(b.map((j) => j.key)).toEqual(a.map((j) => j.key));
    expect(new Set(a.map((j) => j.key)).size).toBe(a.length);

    const bumped = expandJobs(await loadValidMatrix(await scratchMatrix({ 'x.yaml': entryYaml('x', '', '1.0.1'), 'y.yaml': entryYaml('y') })));
    const changed = bumped.filter((j, i) => j.key !== a[i]!.key);
    expect(new Set(changed.map((j) => j.extension))).toEqual(new Set(['x']));

    const newImage = PLATFORMS_YAML.replace('builder: example.org/pg:16-alpine', 'builder: example.org/pg:16.9-alpine');
    const rebased = expandJobs(await loadValidMatrix(await scratchMatrix({ 'x.yaml': entryYaml('x'), 'y.yaml': entryYaml('y') }, newImage)));
    const stale = rebased.filter((j, i) => j.key !== a[i]!.key).map((j) => j.platform);
    expect(new Set(stale)).toEqual(new Set(['pg16-musllinux-amd64', 'pg16-musllinux-arm64']));
  });

  it('orders jobs deterministically, whatever the file order', async () => {
    const dir = await scratchMatrix({ 'b.yaml': entryYaml('b'), 'a.yaml': entryYaml('a') });
    const jobs = expandJobs(await loadValidMatrix(dir));
    expect(jobs[0]!.extension).toBe('a');
    expect(jobs.map((j) => `${j.extension}/${j.platform}`)).toEqual(
      [...jobs].sort((x, y) => x.extension.localeCompare(y.extension) || x.pg - y.pg || x.libc.localeCompare(y.libc) || x.arch.localeCompare(y.arch)).map((j) => `${j.extension}/${j.platform}`),
    );
  });
});

describe('shards', () => {
  it('cuts large plans into matrices of at most 256 jobs and bounded JSON', async () => {
    const entries: Record<string, string> = {};
    for (let i = 0; i < 60; i++) entries[`e${i}.yaml`] = entryYaml(`e${i}`);
    const jobs = expandJobs(await loadValidMatrix(await scratchMatrix(entries)));
    expect(jobs).toHaveLength(60 * 12);
    const shards = shard(jobs);
    expect(shards.map((s) => s.include.length)).toEqual([256, 256, 208]);
    expect(shards.flatMap((s) => s.include)).toEqual(jobs);
    const small = shard(jobs, 256, 10_000);
    for (const s of small) expect(JSON.stringify(s.include).length).toBeLessThanOrEqual(10_000);
    expect(small.flatMap((s) => s.include)).toEqual(jobs);
  });
});

describe('selecting jobs', () => {
  function git(cwd: string, ...args: string[]): string {
    return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
  }

  it('--changed-since selects the entries and platforms a branch changed', async () => {
    const dir = await scratchMatrix({ 'a.yaml': entryYaml('a'), 'b.yaml': entryYaml('b') });
    const repo = path.dirname(dir);
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'base');
    git(repo, 'checkout', '-qb', 'pr');
    await writeFile(path.join(dir, 'extensions', 'c.yaml'), entryYaml('c'));
    await writeFile(path.join(dir, 'extensions', 'b.yaml'), entryYaml('b', '', '1.1.0'));
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'add c, bump b');

    const matrix = await loadValidMatrix(dir);
    const picked = await planChangedSince(matrix, 'main');
    expect(new Set(picked.map((j) => j.extension))).toEqual(new Set(['b', 'c']));
    expect(picked).toHaveLength(24);

    // A changed image in platforms.yaml selects that platform's jobs of every entry, and no others.
    await writeFile(path.join(dir, 'platforms.yaml'), PLATFORMS_YAML.replace('base: example.org/pg:15 }', 'base: example.org/pg:15.9 }'));
    const m2 = await loadValidMatrix(dir);
    const picked2 = await planChangedSince(m2, 'HEAD');
    expect(new Set(picked2.map((j) => j.platform))).toEqual(new Set(['pg15-gnulinux-amd64', 'pg15-gnulinux-arm64']));
    expect(picked2).toHaveLength(3 * 2);

    await expect(planChangedSince(m2, 'no-such-ref')).rejects.toThrow(/"no-such-ref" is not a commit/);
    await rm(repo, { recursive: true, force: true });
  });

  it('--index selects jobs whose key is not published', async () => {
    const jobs = expandJobs(await loadValidMatrix(await scratchMatrix({ 'a.yaml': entryYaml('a') })));
    const dir = await mkdtemp(path.join(tmpdir(), 'trunkfarm-index-'));
    const file = path.join(dir, 'index.json');
    await writeFile(file, JSON.stringify({ entries: jobs.slice(0, 5).map((j, i) => ({ key: j.key, status: i === 0 ? 'failed' : 'built' })) }));
    // A failed build does not count as published: the next rebuild tries it again.
    expect(selectStale(jobs, await readIndexKeys(file))).toEqual([jobs[0], ...jobs.slice(5)]);
    await writeFile(file, '{"entries": 3}');
    await expect(readIndexKeys(file)).rejects.toThrow(/expected an object with an "entries" list/);
    await expect(readIndexKeys(path.join(dir, 'missing.json'))).rejects.toThrow(/no such file/);
  });
});

describe('build keys', () => {
  it('are the sha256 of the canonical JSON of builder, platform, entry and recipe', async () => {
    const { createHash } = await import('node:crypto');
    const { canonicalJson, platformDefinition } = await import('../../src/plan/index.ts');
    const { RECIPE_VERSION } = await import('../../src/version.ts');
    const matrix = await loadValidMatrix(await scratchMatrix({ 'a.yaml': entryYaml('a') }));
    const [job] = expandJobs(matrix);
    const platform = matrix.platforms.find((p) => p.name === job!.platform)!;
    const expected = createHash('sha256')
      .update(canonicalJson({ builder: platformDefinition(platform), platform: platform.name, entry: matrix.entries[0]!.entry, recipe: RECIPE_VERSION }))
      .digest('hex');
    expect(job!.key).toBe(expected);
  });
});
