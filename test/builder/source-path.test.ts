// A source in the repository (`source: {path: .}`, an extension's own repository): copied as it is,
// without what the actions add at the top of the workspace beside it (trunkfarm's checkout in the
// reusable workflow, .trunkfarm; the generated matrix, .trunkfarm-matrix); its patches applied to the
// copy.
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { type JobContext, sourceStep } from '../../src/builder/index.ts';

/** The step's context, as far as the source step reads it; the step runner runs the step. */
const contextFor = (entry: object, matrixDir: string, src: string) =>
  ({
    entry,
    matrixDir,
    paths: { src },
    result: {},
    steps: { run: (_: string, fn: () => Promise<unknown>) => fn(), reporter: { line: () => {} } },
  }) as unknown as JobContext;

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
  const ctx = contextFor({ source: { path: '.' } }, path.join(ws, '.trunkfarm-matrix'), src);
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
    const ctx = contextFor({ source: { path: 'ext' } }, path.join(ws, 'matrix'), src);
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
    const ctx = (src: string) => contextFor({ source: { path: '.' } }, path.join(ws, 'matrix'), src);
    const src = path.join(base, 'src');
    await sourceStep(ctx(src));
    expect(await readlink(path.join(src, 'b.c'))).toBe('src/a.c'); // not made absolute, into the repository
    await symlink('/etc/passwd', path.join(ws, 'LICENSE'));
    await expect(sourceStep(ctx(path.join(base, 'src2')))).rejects.toThrow(`${ws}: entry "LICENSE" is a symlink to /etc/passwd, outside the source; refusing to use it`);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
});

it('applies source.patches to its copy of the folder, leaving the repository as it is', async () => {
  const base = await mkdtemp(path.join(tmpdir(), 'trunkfarm-source-patch-'));
  try {
    const ws = path.join(base, 'ws');
    await mkdir(path.join(ws, 'vendor/hello'), { recursive: true });
    await writeFile(path.join(ws, 'vendor/hello/hello.c'), 'int answer = 41;\n');
    await mkdir(path.join(ws, 'matrix/patches/hello'), { recursive: true });
    await writeFile(path.join(ws, 'matrix/patches/hello/01-answer.patch'), '--- a/hello.c\n+++ b/hello.c\n@@ -1 +1 @@\n-int answer = 41;\n+int answer = 42;\n');
    const src = path.join(base, 'src');
    const entry = { name: 'hello', source: { path: 'vendor/hello', patches: [{ file: '01-answer.patch', reason: 'off by one' }] } };
    const ctx = contextFor(entry, path.join(ws, 'matrix'), src);
    await sourceStep(ctx);
    expect(await readFile(path.join(src, 'hello.c'), 'utf8')).toBe('int answer = 42;\n');
    expect(await readFile(path.join(ws, 'vendor/hello/hello.c'), 'utf8')).toBe('int answer = 41;\n');
  } finally {
    await rm(base, { recursive: true, force: true });
  }
});
