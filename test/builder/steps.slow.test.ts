// The build's steps one at a time, over a context made as buildJob makes it: each is a function a
// caller (or a test) can run alone, recording itself, timed, in the context's step runner.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { compileStep, createJobContext, dependenciesStep, imagesStep, lineReporter, sourceStep, stageStep } from '../../src/builder/index.ts';
import { loadValidMatrix } from '../../src/matrix/index.ts';
import { expandTargets } from '../../src/plan/index.ts';
import { requireComponents } from '../support/requirements.ts';

let out: string | undefined;
afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

it('source, images, dependencies, compile and stage, run one by one, leave the staged trunk tree', async () => {
  requireComponents(['podman'], ['localhost/trunkfarm/builder:pg17-gnulinux-amd64', 'localhost/trunkfarm/base:pg17-gnulinux-amd64']);
  const matrix = await loadValidMatrix('matrix');
  const loaded = matrix.entries.find((e) => e.entry.name === 'tf_linked')!;
  const target = expandTargets(matrix, [loaded]).find(({ job }) => job.platform === 'pg17-gnulinux-amd64')!;
  out = await mkdtemp(path.join(tmpdir(), 'trunkfarm-steps-'));
  const lines: string[] = [];
  const ctx = await createJobContext(target, { out, matrixDir: matrix.dir, images: 'local', test: false }, lineReporter((l) => lines.push(l)));
  try {
    // The context carries the job's platform: no step looks it up.
    expect(ctx.platform.name).toBe('pg17-gnulinux-amd64');
    const source = await sourceStep(ctx);
    expect(source.uri).toBe('file:test/extensions/tf_linked');
    expect((await readdir(ctx.paths.src)).sort()).toEqual(['LICENSE', 'Makefile', 'tf_linked--1.0.sql', 'tf_linked.c', 'tf_linked.control']);
    const images = await imagesStep(ctx);
    expect(images.builder.ref).toBe('localhost/trunkfarm/builder:pg17-gnulinux-amd64');
    const builder = await dependenciesStep(ctx, images.builder);
    const pg = await compileStep(ctx, await builder.container, source.epoch);
    expect(pg.version).toMatch(/^PostgreSQL 17\./);
    await stageStep(ctx, pg);
    const staged = (await readdir(ctx.paths.stage, { recursive: true })).sort();
    expect(staged).toEqual(expect.arrayContaining(['LICENSE', 'pgsql/pkglib/tf_linked.so', 'pgsql/share/extension/tf_linked.control', 'pgsql/share/extension/tf_linked--1.0.sql']));
    expect(ctx.steps.records.map((r) => [r.name, r.status, r.log])).toEqual([
      ['source', 'ok', 'logs/source.log'],
      ['images', 'ok', 'logs/images.log'],
      ['dependencies', 'ok', 'logs/dependencies.log'],
      ['compile', 'ok', 'logs/compile.log'],
      ['stage', 'ok', 'logs/stage.log'],
    ]);
    for (const r of ctx.steps.records) expect(r.seconds).toBeGreaterThanOrEqual(0);
    expect(ctx.steps.records.find((r) => r.name === 'compile')!.seconds).toBeGreaterThan(0.1);
    expect(ctx.result).toMatchObject({ source: { from: 'repository' }, images: { builder: { ref: images.builder.ref } }, postgres: { version: pg.version } });
  } finally {
    await ctx.containers.removeAll();
  }
}, 300_000);
