// `plan --json` and the plan's step outputs share one serialisation of the plan (tens of MB for a
// large matrix), and outside GitHub Actions none is made for outputs at all.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planJson, reportPlan } from '../../src/github/outputs.ts';
import { loadValidMatrix } from '../../src/matrix/index.ts';
import { expandJobs, shard } from '../../src/plan/index.ts';
import { parseKeyValueFile } from '../actions/composite.ts';
import { runCli } from '../support/cli.ts';
import { entryYaml, scratchMatrix } from '../support/matrix.ts';

describe('plan --json', () => {
  const saved = { ...process.env };
  let tmp: string | undefined;
  afterEach(async () => {
    process.env = { ...saved };
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('prints exactly JSON.stringify({ jobs, shards }) of the plan', async () => {
    const entries: Record<string, string> = {};
    for (let i = 0; i < 30; i++) entries[`e${i}.yaml`] = entryYaml(`e${i}`, i === 3 ? 'language: sql\n' : '');
    const dir = await scratchMatrix(entries);
    const jobs = expandJobs(await loadValidMatrix(dir));
    const shards = shard(jobs);
    expect(shards.length).toBeGreaterThan(1);
    const r = await runCli(['plan', '--matrix', dir, '--json'], { GITHUB_ACTIONS: undefined, GITHUB_OUTPUT: undefined });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${JSON.stringify({ jobs, shards })}\n`);
    await rm(path.dirname(dir), { recursive: true, force: true });
  });

  it('serialises the plan for step outputs only when there are step outputs to set', async () => {
    const dir = await scratchMatrix({ 'a.yaml': entryYaml('a'), 'b.yaml': entryYaml('b') });
    const jobs = expandJobs(await loadValidMatrix(dir));
    const shards = shard(jobs);
    let calls = 0;
    const json = () => (calls++, planJson(jobs, shards));

    delete process.env.GITHUB_ACTIONS;
    delete process.env.GITHUB_OUTPUT;
    delete process.env.GITHUB_STEP_SUMMARY;
    await reportPlan(jobs, shards, json);
    expect(calls).toBe(0);

    tmp = await mkdtemp(path.join(tmpdir(), 'trunkfarm-plan-json-'));
    const summary = path.join(tmp, 'summary');
    await writeFile(summary, '');
    process.env.GITHUB_ACTIONS = 'true';
    process.env.GITHUB_STEP_SUMMARY = summary;
    await reportPlan(jobs, shards, json);
    expect(calls).toBe(0);
    expect(await readFile(summary, 'utf8')).toContain('trunkfarm plan');

    const output = path.join(tmp, 'output');
    await writeFile(output, '');
    process.env.GITHUB_OUTPUT = output;
    await reportPlan(jobs, shards, json);
    expect(calls).toBe(1);
    const outputs = parseKeyValueFile(await readFile(output, 'utf8'));
    expect(outputs.jobs).toBe(JSON.stringify(jobs));
    expect(outputs.shards).toBe(JSON.stringify(shards));
    await rm(path.dirname(dir), { recursive: true, force: true });
  });
});
