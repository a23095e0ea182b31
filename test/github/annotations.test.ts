// Annotations beyond `trunkfarm validate`'s: matrix problems met by `plan` and `build` (on the
// matrix file and line), and what a build reports of itself inside GitHub Actions (closure problems
// on the staged file, a failed step on the line of the matrix entry). Workflow commands are read
// back with the runner's own parsing (composite.ts).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobResult } from '../../src/job-result/index.ts';
import type { CheckResult } from '../../src/closure/index.ts';
import { annotateBuild } from '../../src/github/outputs.ts';
import { annotationFile } from '../../src/github/runner.ts';
import { type LoadedEntry, loadMatrix } from '../../src/matrix/index.ts';
import { runCli } from '../support/cli.ts';
import { entryYaml, scratchMatrix } from '../support/matrix.ts';
import { parseCommands, type WorkflowCommand } from '../actions/composite.ts';

const JOB = 'foo-1.0.0+pg17-gnulinux-amd64';
const IN_ACTIONS = { GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: undefined, GITHUB_STEP_SUMMARY: undefined };
const errors = (text: string): WorkflowCommand[] => parseCommands(text).filter((c) => c.command === 'error');

let temp: string;
const saved = { ...process.env };
beforeEach(async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'trunkfarm-annotations-'));
});
afterEach(async () => {
  process.env = { ...saved };
  await rm(temp, { recursive: true, force: true });
});

/** Runs fn with what it writes to stdout and stderr captured (@actions/core writes commands to stdout). */
async function capture(fn: () => Promise<void>): Promise<{ stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = ((chunk: string | Uint8Array) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    await fn();
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
  return { stdout: out.join(''), stderr: err.join('') };
}

/** A matrix with two bad entries: an unknown field on line 13, an unknown pipeline on line 12. */
async function invalidMatrix(): Promise<{ dir: string; bar: string; foo: string }> {
  const dir = await scratchMatrix({ 'foo.yaml': entryYaml('foo', 'colour: red\n'), 'bar.yaml': entryYaml('bar').replace('pipeline: pgxs', 'pipeline: nosuch') });
  const rel = (f: string) => path.relative(process.cwd(), path.join(dir, 'extensions', f));
  return { dir, bar: rel('bar.yaml'), foo: rel('foo.yaml') };
}

describe('an invalid matrix met by plan or build, inside GitHub Actions', () => {
  // `plan --json` keeps stdout for the plan: its workflow commands go to stderr, which the runner reads too.
  it.each([
    ['plan', ['plan'], 'stdout'],
    ['plan --json', ['plan', '--json'], 'stderr'],
    ['build', ['build', 'foo', '--pg', '17'], 'stdout'],
  ] as const)('%s annotates every problem on its file and line, and fails with them all', async (_, args, stream) => {
    const { dir, bar, foo } = await invalidMatrix();
    const r = await runCli([...args, '--matrix', dir], IN_ACTIONS);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the matrix has 2 problem(s):');
    expect(r.stderr).toContain(`${foo}:13:1: colour: unknown field "colour"`);
    if (stream === 'stderr') expect(r.stdout).toBe('');
    expect(errors(r[stream])).toEqual([
      { command: 'error', properties: { title: 'matrix', file: bar, line: '12', col: '13' }, message: expect.stringMatching(/^dependencies\.pipeline: must be one of /) },
      { command: 'error', properties: { title: 'matrix', file: foo, line: '13', col: '1' }, message: 'colour: unknown field "colour"' },
    ]);
  });

  it('outside Actions, the same failure prints no workflow command', async () => {
    const { dir } = await invalidMatrix();
    const r = await runCli(['plan', '--json', '--matrix', dir], { GITHUB_ACTIONS: undefined });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('the matrix has 2 problem(s):');
  });
});

describe('annotationFile', () => {
  it('names the entry file an extension repository\'s .trunkfarm-matrix copy was made from', () => {
    expect(annotationFile('.trunkfarm-matrix/extensions/myext.yaml', { TRUNKFARM_ENTRY: 'trunkfarm.yaml' })).toBe('trunkfarm.yaml');
    expect(annotationFile(path.resolve('.trunkfarm-matrix/extensions/myext.yaml'), { TRUNKFARM_ENTRY: 'ci/trunkfarm.yaml' })).toBe('ci/trunkfarm.yaml');
    // Other files, and any file without an entry, keep their names.
    expect(annotationFile('.trunkfarm-matrix/platforms.yaml', { TRUNKFARM_ENTRY: 'trunkfarm.yaml' })).toBe('.trunkfarm-matrix/platforms.yaml');
    expect(annotationFile('matrix/extensions/myext.yaml', { TRUNKFARM_ENTRY: 'trunkfarm.yaml' })).toBe('matrix/extensions/myext.yaml');
    expect(annotationFile('.trunkfarm-matrix/extensions/myext.yaml', {})).toBe('.trunkfarm-matrix/extensions/myext.yaml');
  });
});

describe('annotateBuild', () => {
  const closure: CheckResult = {
    ok: false,
    files: [
      { path: 'lib/postgresql/foo.so', verdict: 'fail', needed: ['libbar.so.1', 'libc.so.6'], runpath: [], rpath: [], resolved: { 'libbar.so.1': null, 'libc.so.6': '/lib/x86_64-linux-gnu/libc.so.6' }, problems: [{ kind: 'not-found', severity: 'error', message: 'libbar.so.1 is in neither the package nor the base image', needed: 'libbar.so.1' }] },
      { path: 'lib/postgresql/foo_extra.so', verdict: 'ok', needed: ['libc.so.6'], runpath: ['/opt/x'], rpath: [], resolved: { 'libc.so.6': '/lib/x86_64-linux-gnu/libc.so.6' }, problems: [{ kind: 'absolute-runpath', severity: 'warning', message: 'RUNPATH /opt/x is absolute' }] },
      { path: 'lib/postgresql/foo_fine.so', verdict: 'ok', needed: ['libc.so.6'], runpath: [], rpath: [], resolved: { 'libc.so.6': '/lib/x86_64-linux-gnu/libc.so.6' }, problems: [] },
    ],
    bundled: [],
    data: [],
    layouts: [{ name: 'trunk', mounts: [] }],
    base: { source: 'example.org/pg:17', libc: 'glibc', machine: 'x86_64', glibcVersion: '2.41' },
  };
  const failed = (step: string, message: string): JobResult => ({
    version: 1,
    job: { extension: 'foo', version: '1.0.0', pg: 17, arch: 'amd64', libc: 'glibc', platform: 'pg17-gnulinux-amd64', runner: 'ubuntu-24.04', key: 'f'.repeat(64) },
    status: 'failed',
    steps: [],
    failure: { step, message },
    startedAt: '',
    finishedAt: '',
  });

  async function entry(): Promise<LoadedEntry> {
    const dir = await scratchMatrix({ 'foo.yaml': entryYaml('foo', 'build:\n  make: [OPTFLAGS=]\ntest:\n  sql: SELECT 1\n') });
    const { matrix, diagnostics } = await loadMatrix(dir);
    expect(diagnostics).toEqual([]);
    return matrix!.entries[0]!;
  }

  async function jobDir(withClosure: boolean): Promise<string> {
    const dir = path.join(temp, 'out', JOB);
    await mkdir(dir, { recursive: true });
    if (withClosure) await writeFile(path.join(dir, 'closure.json'), JSON.stringify(closure));
    return dir;
  }

  it('annotates each closure problem on its staged file, and adds the closure table to the summary', async () => {
    const dir = await jobDir(true);
    const summary = path.join(temp, 'summary');
    await writeFile(summary, '');
    Object.assign(process.env, { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary });
    // As the build records it: result.json lists the problems that closure.json details.
    const result: JobResult = {
      ...failed('closure', 'the closure check found problems'),
      closure: { ok: false, bundled: [], data: [], problems: closure.files.flatMap((f) => f.problems.map((p) => ({ file: f.path, message: p.message }))) },
    };
    const { stdout } = await capture(() => annotateBuild({ dir, result }, { file: 'matrix/extensions/foo.yaml', locator: { at: () => ({ line: 11, col: 1 }) } }));
    const stage = path.relative(process.cwd(), path.join(dir, 'stage'));
    const commands = parseCommands(stdout);
    expect(commands).toEqual([
      { command: 'error', properties: { title: 'closure: lib/postgresql/foo.so', file: path.join(stage, 'lib/postgresql/foo.so') }, message: 'error not-found: libbar.so.1 is in neither the package nor the base image' },
      { command: 'warning', properties: { title: 'closure: lib/postgresql/foo_extra.so', file: path.join(stage, 'lib/postgresql/foo_extra.so') }, message: 'warning absolute-runpath: RUNPATH /opt/x is absolute' },
      { command: 'error', properties: { title: `trunkfarm build: ${JOB} failed at step closure`, file: 'matrix/extensions/foo.yaml', line: '11', col: '1' }, message: 'the closure check found problems' },
    ]);
    const text = await readFile(summary, 'utf8');
    expect(text).toContain(`<h3>Closure check of ${JOB}: failed</h3>`);
    expect(text).toContain('<td>lib/postgresql/foo.so</td><td>fail</td>');
  });

  it('annotates a failed step on the line of the entry field the step follows from', async () => {
    const dir = await jobDir(false);
    const loaded = await entry();
    process.env.GITHUB_ACTIONS = 'true';
    const at = async (step: string) => {
      const { stdout } = await capture(() => annotateBuild({ dir, result: failed(step, `step ${step} broke`) }, loaded));
      const [only, ...rest] = errors(stdout);
      expect(rest).toEqual([]);
      expect(only).toMatchObject({ properties: { title: `trunkfarm build: ${JOB} failed at step ${step}`, file: loaded.file }, message: `step ${step} broke` });
      return Number(only!.properties.line);
    };
    const lines = entryYaml('foo', 'build:\n  make: [OPTFLAGS=]\ntest:\n  sql: SELECT 1\n').split('\n');
    const lineOf = (text: string) => lines.findIndex((l) => l.includes(text)) + 1;
    expect(await at('compile')).toBe(lineOf('pipeline: pgxs'));
    expect(await at('source')).toBe(lineOf('url: '));
    expect(await at('smoke')).toBe(lineOf('sql: SELECT 1'));
    // Compiled for more than the baseline: where build.make and its kin go.
    expect(await at('isa')).toBe(lineOf('make: [OPTFLAGS=]'));
    // A step with no field of its own: the top of the entry.
    expect(await at('images')).toBe(1);
  });

  it('a built job without closure problems is not annotated; outside Actions nothing is', async () => {
    const dir = await jobDir(false);
    const loaded = await entry();
    process.env.GITHUB_ACTIONS = 'true';
    const built: JobResult = { ...failed('x', 'y'), status: 'built' };
    delete built.failure;
    expect((await capture(() => annotateBuild({ dir, result: built }, loaded))).stdout).toBe('');
    await writeFile(path.join(dir, 'closure.json'), JSON.stringify(closure));
    delete process.env.GITHUB_ACTIONS;
    const outside = await capture(() => annotateBuild({ dir, result: failed('build', 'broke') }, loaded));
    expect(outside).toEqual({ stdout: '', stderr: '' });
  });
});
