// A source in the repository (`source: {path: .}`, an extension's own repository): copied as it is,
// without what the actions add at the top of the workspace beside it (trunkfarm's checkout in the
// reusable workflow, .trunkfarm; the generated matrix, .trunkfarm-matrix).
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { JobContext } from '../../src/builder/context.ts';
import { sourceStep } from '../../src/builder/steps/source.ts';

let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('copies the repository but not .trunkfarm and .trunkfarm-matrix at its top', async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'trunkfarm-source-path-'));
  const ws = path.join(dir, 'ws');
  for (const f of ['Makefile', 'src/x.c', '.trunkfarm/dist/cli.js', '.trunkfarm-matrix/extensions/x.yaml', 'sub/.trunkfarm/kept']) {
    await mkdir(path.dirname(path.join(ws, f)), { recursive: true });
    await writeFile(path.join(ws, f), f);
  }
  const src = path.join(dir, 'src');
  // The step's context, as far as the source step reads it; the step runner runs the step.
  const ctx = {
    entry: { source: { path: '.' } },
    matrixDir: path.join(ws, '.trunkfarm-matrix'),
    paths: { src },
    result: {},
    steps: { run: (_: string, fn: () => Promise<unknown>) => fn(), reporter: { line: () => {} } },
  } as unknown as JobContext;
  await sourceStep(ctx);
  expect((await readdir(src, { recursive: true })).sort()).toEqual(['Makefile', 'src', 'src/x.c', 'sub', 'sub/.trunkfarm', 'sub/.trunkfarm/kept']);
});
