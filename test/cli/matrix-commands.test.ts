import { describe, expect, it } from 'vitest';
import { entryYaml, scratchMatrix } from '../support/matrix.ts';
import { runCli } from '../support/cli.ts';

describe('trunkfarm validate', () => {
  it('exits 0 on the project matrix', async () => {
    const r = await runCli(['validate']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok: \d+ extensions, 20 platforms\n$/);
  });

  it('prints FILE:LINE:COL diagnostics and exits 1', async () => {
    const dir = await scratchMatrix({ 'foo.yaml': entryYaml('foo', 'colour: red\n') });
    const r = await runCli(['validate', '--matrix', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/extensions\/foo\.yaml:13:1: colour: unknown field "colour"\n1 problem\(s\) found\n$/);
  });

  it('emits GitHub annotations inside Actions', async () => {
    const dir = await scratchMatrix({ 'foo.yaml': entryYaml('foo', 'colour: red\n') });
    const r = await runCli(['validate', '--matrix', dir], { GITHUB_ACTIONS: 'true' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error title=matrix,file=.*extensions\/foo\.yaml,line=13,col=1::colour: unknown field "colour"/m);
  });

  it('says what is wrong with a missing matrix directory', async () => {
    const r = await runCli(['validate', '--matrix', '/nonexistent/matrix']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^trunkfarm: cannot read \/nonexistent\/matrix\/platforms\.yaml: ENOENT/);
  });
});

describe('trunkfarm plan and platforms', () => {
  it('prints jobs and shards as JSON', async () => {
    const r = await runCli(['plan', '--json']);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as { jobs: Record<string, unknown>[]; shards: { include: unknown[] }[] };
    expect(plan.jobs.length).toBeGreaterThan(0);
    for (const job of plan.jobs) expect(Object.keys(job)).toEqual(expect.arrayContaining(['extension', 'version', 'pg', 'arch', 'libc', 'runner', 'key']));
    expect(plan.shards.flatMap((s) => s.include)).toEqual(plan.jobs);
  });

  it('rejects an unknown extension filter as a usage error', async () => {
    const r = await runCli(['plan', '--extension', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no matrix entry named nope/);
  });

  it('lists platforms with their images', async () => {
    const r = await runCli(['platforms', '--json']);
    const platforms = JSON.parse(r.stdout) as { name: string; builder: { ref: string; local?: string } }[];
    expect(platforms).toHaveLength(20);
    expect(platforms.find((p) => p.name === 'pg17-musllinux-amd64')!.builder.local).toBe('localhost/trunkfarm/builder:pg17-musllinux-amd64');
  });

  it('shows each platform\'s instruction-set baseline', async () => {
    const r = await runCli(['platforms']);
    const rows = r.stdout.split('\n').map((l) => l.split(/\s+/));
    expect(rows[0]!.slice(0, 2)).toEqual(['PLATFORM', 'ISA']);
    expect(rows.find((c) => c[0] === 'pg17-gnulinux-amd64')![1]).toBe('x86-64');
    expect(rows.find((c) => c[0] === 'pg17-gnulinux-arm64')![1]).toBe('armv8-a');
  });
});
