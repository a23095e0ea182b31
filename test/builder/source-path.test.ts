// A source in the repository (`source: {path: .}`, an extension's own repository): copied as it is,
// without what the actions add at the top of the workspace beside it (trunkfarm's checkout in the
// reusable workflow, .trunkfarm; the generated matrix, .trunkfarm-matrix).
import { mkdir, mkdtemp, readdir, readlink, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { type JobContext, sourceStep } from '../../src/builder/index.ts';

let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('copies the repository, its files\' times kept, but not .trunkfarm and .trunkfarm-matrix at its top', async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'trunkfarm-source-path-'));
  const ws = path.join(dir, 'ws');
  for (const f of ['Makefile', 'src/x.c', '.trunkfarm/dist/cli.js', '.trunkfarm-matrix/extensions/x.yaml', 'sub/.trunkfarm/kept']) {
    await mkdir(path.dirname(path.join(ws, f)), { recursive: true });
    await writeFile(path.join(ws, f), f);
  }
  // The repository's times, not the copy's: the build's SOURCE_DATE_EPOCH is the newest of them.
  const then = new Date('2024-01-02T03:04:05Z');
  for (const f of ['Makefile', 'src/x.c', 'src', 'sub/.trunkfarm/kept', 'sub/.trunkfarm', 'sub']) await utimes(path.join(ws, f), then, then);
  const src = path.join(dir, 'src');
  // The step's context, as far as the source step reads it; the step runner runs the step.
  const ctx = {
    entry: { source: { path: '.' } },
    matrixDir: path.join(ws, '.trunkfarm-matrix'),
    paths: { src },
    result: {},
    steps: { run: (_: string, fn: () => Promise<unknown>) => fn(), reporter: { line: () => {} } },
  } as unknown as JobContext;
  const { epoch } = await sourceStep(ctx);
  expect((await stat(path.join(src, 'src/x.c'))).mtime).toEqual(then);
  expect(epoch).toBe(then.getTime() / 1000);
  expect((await readdir(src, { recursive: true })).sort()).toEqual(['Makefile', 'src', 'src/x.c', 'sub', 'sub/.trunkfarm', 'sub/.trunkfarm/kept']);
});

it('refuses a source.path that is a symlink out of the repository, naming it', async () => {
  const base = await mkdtemp(path.join(tmpdir(), 'trunkfarm-source-link-'));
  try {
    const ws = path.join(base, 'ws');
    const elsewhere = path.join(base, 'elsewhere');
    await mkdir(ws);
    await mkdir(elsewhere);
    await writeFile(path.join(elsewhere, 'Makefile'), 'not the repository\'s');
    await symlink(elsewhere, path.join(ws, 'ext'));
    const src = path.join(base, 'src');
    const ctx = {
      entry: { source: { path: 'ext' } },
      matrixDir: path.join(ws, 'matrix'),
      paths: { src },
      result: {},
      steps: { run: (_: string, fn: () => Promise<unknown>) => fn(), reporter: { line: () => {} } },
    } as unknown as JobContext;
    await expect(sourceStep(ctx)).rejects.toThrow(`${path.join(ws, 'ext')}: a symlink to ${elsewhere}, outside ${ws}`);
    await expect(stat(src)).rejects.toThrow(/ENOENT/);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
});

it('keeps links inside the repository as they are, and refuses one out of it', async () => {
  const base = await mkdtemp(path.join(tmpdir(), 'trunkfarm-source-links-'));
  try {
    const ws = path.join(base, 'ws');
    await mkdir(path.join(ws, 'src'), { recursive: true });
    await writeFile(path.join(ws, 'src/a.c'), 'int a;');
    await symlink('src/a.c', path.join(ws, 'b.c'));
    const ctx = (src: string) =>
      ({
        entry: { source: { path: '.' } },
        matrixDir: path.join(ws, 'matrix'),
        paths: { src },
        result: {},
        steps: { run: (_: string, fn: () => Promise<unknown>) => fn(), reporter: { line: () => {} } },
      }) as unknown as JobContext;
    const src = path.join(base, 'src');
    await sourceStep(ctx(src));
    expect(await readlink(path.join(src, 'b.c'))).toBe('src/a.c'); // not made absolute, into the repository
    await symlink('/etc/passwd', path.join(ws, 'LICENSE'));
    await expect(sourceStep(ctx(path.join(base, 'src2')))).rejects.toThrow(`${ws}: entry "LICENSE" is a symlink to /etc/passwd, outside the source; refusing to use it`);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
});
