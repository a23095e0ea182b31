// actions/build run end to end as a runner runs it (composite.ts, GITHUB_ACTIONS=true): pgvector for
// PostgreSQL 17, glibc, amd64, in the local builder and base images with podman. Checks the
// action's outputs against the files it left, the job summary table, and that the CLI spoke to the
// runner (log groups per build step); then actions/publish on what it built, signed with a key
// into a local OCI layout and index (keyless signing and GitHub's API cannot be reached here). The action runs the committed bundle, dist/cli.js: rebuild
// it (`npm run build`) after changing the sources.
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { entryYaml } from '../support/matrix.ts';
import { requireComponents } from '../support/requirements.ts';
import { type ActionRun, runCompositeAction } from './composite.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const JOB = 'pgvector-0.8.0+pg17-gnulinux-amd64';

describe('actions/build with podman', () => {
  let out: string;
  let run: ActionRun;

  beforeAll(async () => {
    requireComponents(['podman'], ['localhost/trunkfarm/builder:pg17-gnulinux-amd64', 'localhost/trunkfarm/base:pg17-gnulinux-amd64']);
    out = await mkdtemp(path.join(tmpdir(), 'trunkfarm-build-action-'));
    run = await runCompositeAction(path.join(ROOT, 'actions/build'), {
      workspace: ROOT,
      with: { extension: 'pgvector', pg: '17', arch: 'amd64', libc: 'glibc', out, images: 'local', engine: 'podman' },
      echo: process.env.TRUNKFARM_TEST_ECHO === '1',
    });
  }, 900_000);

  afterAll(async () => {
    if (out) await rm(out, { recursive: true, force: true });
    if (run) await rm(run.temp, { recursive: true, force: true });
  });

  it('builds the job and sets its outputs', async () => {
    expect(run.conclusion, run.steps[0]?.stderr.slice(-2000)).toBe('success');
    expect(run.outputs.status).toBe('built');
    expect(run.outputs.dir).toBe(path.join(out, JOB));
    expect(run.outputs.result).toBe(path.join(out, JOB, 'result.json'));
    expect(run.outputs.trunk).toBe(path.join(out, JOB, `${JOB}.trunk`));
    expect(run.outputs.closure).toBe('ok');
  });

  it('names a trunk file that is there, with the sha256 and size of its bytes', async () => {
    const bytes = await readFile(run.outputs.trunk!);
    expect(run.outputs.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(Number(run.outputs.size)).toBe(bytes.length);
    expect((await stat(path.join(out, JOB, 'oci', 'index.json'))).isFile()).toBe(true);
  });

  it('agrees with the job\'s result.json', async () => {
    const result = JSON.parse(await readFile(run.outputs.result!, 'utf8')) as { status: string; job: { key: string }; artifacts: { trunk: { sha256: string }; oci: { digest: string } } };
    expect(result.status).toBe('built');
    expect(result.artifacts.trunk.sha256).toBe(run.outputs.sha256);
    expect(run.outputs['oci-digest']).toBe(result.artifacts.oci.digest);
    expect(run.outputs['oci-digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('writes the job summary table: job, status, trunk size, closure verdict, whole digests', () => {
    const summary = run.summary;
    expect(summary).toContain('<h3>trunkfarm build</h3>');
    for (const header of ['JOB', 'STATUS', 'TRUNK', 'CLOSURE', 'SHA256', 'OCI DIGEST']) expect(summary).toContain(`<th>${header}</th>`);
    const row = summary.slice(summary.indexOf(`<td>${JOB}</td>`));
    expect(row).toMatch(new RegExp(`^<td>${JOB.replace(/[.+]/g, '\\$&')}</td><td>built</td><td>\\d+ KiB</td><td>ok</td><td>${run.outputs.sha256}</td><td>${run.outputs['oci-digest']}</td></tr>`));
    expect(run.outputs.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('publishes it with actions/publish: signed with a key, into a local OCI layout and index', async () => {
    const key = path.join(out, 'signing');
    const keygen = await runCli(['keygen', '--out', key]);
    expect(keygen.code, keygen.stderr).toBe(0);
    const publish = await runCompositeAction(path.join(ROOT, 'actions/publish'), { workspace: ROOT, with: { out, key: `${key}.key` } });
    try {
      expect(publish.conclusion, publish.steps[0]?.stderr.slice(-2000)).toBe('success');
      expect(publish.outputs).toEqual({ index: path.join(out, 'index.json'), published: '1' });
      const index = JSON.parse(await readFile(publish.outputs.index!, 'utf8')) as { entries: { key: string; status: string; trunk: { sha256: string }; signature: { kind: string } }[] };
      const built = JSON.parse(await readFile(run.outputs.result!, 'utf8')) as { job: { key: string } };
      expect(index.entries).toHaveLength(1);
      expect(index.entries[0]).toMatchObject({ key: built.job.key, status: 'built', trunk: { sha256: run.outputs.sha256 }, signature: { kind: 'key' } });
      expect((await stat(path.join(out, 'oci', 'pgvector', 'index.json'))).isFile()).toBe(true);
      expect(publish.summary).toContain('<h3>trunkfarm publish</h3>');
      expect(publish.summary).toContain(`<td>pgvector 0.8.0</td><td>pg17-gnulinux-amd64</td><td>built</td>`);
      expect(publish.summary).toContain(`<td>${run.outputs['oci-digest']}</td>`);
      expect(publish.summary).toContain(`<td>sha256:${run.outputs.sha256}</td>`);
      expect(publish.summary).toContain('<td>key</td>');
    } finally {
      await rm(publish.temp, { recursive: true, force: true });
    }
  });

  it('refuses a github-release input that is not true, false or OWNER/REPO', async () => {
    const publish = await runCompositeAction(path.join(ROOT, 'actions/publish'), { workspace: ROOT, with: { out, 'github-release': 'yes' } });
    await rm(publish.temp, { recursive: true, force: true });
    expect(publish.conclusion).toBe('failure');
    expect(publish.steps[0]!.exitCode).toBe(2);
    expect(publish.commands).toContainEqual({ command: 'error', properties: { title: 'trunkfarm publish' }, message: 'the "github-release" input must be true, false or OWNER/REPO' });
  });

  it('groups the log by build step, as the runner shows it', () => {
    const groups = run.commands.filter((c) => c.command === 'group').map((c) => c.message);
    const ends = run.commands.filter((c) => c.command === 'endgroup');
    expect(groups.length).toBeGreaterThan(0);
    expect(ends.length).toBe(groups.length);
    expect(groups.every((g) => g.startsWith(`${JOB}: `))).toBe(true);
    expect(groups).toEqual(expect.arrayContaining([`${JOB}: compile`]));
  });
});

describe('actions/build with a build that fails', () => {
  const entry = entryYaml('broken').replace(/source:\n {2}url: .*\n {2}sha256: .*\n/, 'source:\n  path: src\n');
  let workspace: string;
  let run: ActionRun;

  beforeAll(async () => {
    requireComponents(['podman'], ['localhost/trunkfarm/builder:pg17-gnulinux-amd64', 'localhost/trunkfarm/base:pg17-gnulinux-amd64']);
    // A repository with the real platforms and one extension whose Makefile fails.
    workspace = await mkdtemp(path.join(tmpdir(), 'trunkfarm-build-fails-'));
    await mkdir(path.join(workspace, 'matrix/extensions'), { recursive: true });
    await cp(path.join(ROOT, 'matrix/platforms.yaml'), path.join(workspace, 'matrix/platforms.yaml'));
    await writeFile(path.join(workspace, 'matrix/extensions/broken.yaml'), entry);
    await mkdir(path.join(workspace, 'src'));
    await writeFile(path.join(workspace, 'src/Makefile'), 'all:\n\t@echo "deliberately broken" >&2; exit 3\ninstall:\n\texit 3\n');
    run = await runCompositeAction(path.join(ROOT, 'actions/build'), {
      workspace,
      with: { extension: 'broken', pg: '17', arch: 'amd64', out: 'out', images: 'local', engine: 'podman' },
    });
  }, 600_000);

  afterAll(async () => {
    if (workspace) await rm(workspace, { recursive: true, force: true });
    if (run) await rm(run.temp, { recursive: true, force: true });
  });

  it('fails the step, after setting status failed and the result\'s path', async () => {
    expect(run.conclusion).toBe('failure');
    expect(run.steps[0]!.exitCode).toBe(1);
    expect(run.outputs.status).toBe('failed');
    expect(run.outputs.trunk).toBe('');
    expect(run.outputs.sha256).toBe('');
    const result = JSON.parse(await readFile(run.outputs.result!, 'utf8')) as { status: string; failure: { step: string } };
    expect(result).toMatchObject({ status: 'failed', failure: { step: 'compile' } });
    expect(run.summary).toMatch(/<td>broken-1\.0\.0\+pg17-gnulinux-amd64<\/td><td>failed \(compile\)<\/td>/);
    // An annotation on the entry's pipeline line, which the failed build step follows from.
    const line = entry.split('\n').findIndex((l) => l.includes('pipeline:')) + 1;
    expect(run.commands).toContainEqual({
      command: 'error',
      properties: { title: 'trunkfarm build: broken-1.0.0+pg17-gnulinux-amd64 failed at step compile', file: 'matrix/extensions/broken.yaml', line: String(line), col: '13' },
      message: expect.stringContaining('deliberately broken'),
    });
  });
});
