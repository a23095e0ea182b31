// `trunkfarm build --key KEY` leaves every built trunk signed, a job found up to date in out/
// included (no container engine is needed for that: the job's finished output is made here, as a
// finished build leaves it, and `build` skips the build itself). The signature records the
// provenance sidecar the build wrote, and a second run keeps the bundle rather than making a new one.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobDirName, type JobResult } from '../../src/build/index.ts';
import { loadValidMatrix } from '../../src/matrix/index.ts';
import { writeTrunk } from '../../src/package/index.ts';
import { expandJobs } from '../../src/plan/index.ts';
import { BUNDLE_SUFFIX, generateKeyFiles, verifyArtifact, writeSidecar } from '../../src/sign/index.ts';
import { makeStage, sampleMeta } from '../package/fixtures.ts';
import { runCli } from '../support/cli.ts';
import { entryYaml, scratchMatrix } from '../support/matrix.ts';

let tmp: string;
let matrix: string;
let out: string;
let jobDir: string;
let trunk: string;
let keys: { privatePath: string; publicPath: string };

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'trunkfarm-build-sign-'));
  matrix = await scratchMatrix({ 'tfsigned.yaml': entryYaml('tfsigned') });
  const [job] = expandJobs(await loadValidMatrix(matrix)).filter((j) => j.pg === 17 && j.arch === 'amd64' && j.libc === 'glibc');
  out = path.join(tmp, 'out');
  jobDir = path.join(out, jobDirName(job!));
  await mkdir(jobDir, { recursive: true });
  const written = await writeTrunk(await makeStage(path.join(tmp, 'stage'), 'tfsigned'), sampleMeta({ name: 'tfsigned', version: '1.0.0' }), jobDir);
  trunk = written.path;
  await writeSidecar(trunk, written.sha256, { buildKey: job!.key, source: { uri: 'https://example.org/tfsigned-1.0.0.tar.gz', sha256: 'ab'.repeat(32) } });
  const now = new Date().toISOString();
  const result: JobResult = {
    version: 1,
    job: job!,
    status: 'built',
    steps: [],
    artifacts: {
      trunk: { file: path.basename(trunk), sha256: written.sha256, size: written.size, files: written.digests.size },
      oci: { layout: 'oci', tag: '1.0.0-pg17-gnulinux', digest: `sha256:${'0'.repeat(64)}`, size: 0 },
    },
    startedAt: now,
    finishedAt: now,
  };
  await writeFile(path.join(jobDir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
  keys = await generateKeyFiles(path.join(tmp, 'farm'), 'ecdsa-p256');
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
  await rm(path.dirname(matrix), { recursive: true, force: true });
});

describe('trunkfarm build --key', () => {
  it('signs a trunk that is up to date in out/, with the build provenance, and keeps that signature on the next run', async () => {
    const first = await runCli(['build', 'tfsigned', '--matrix', matrix, '--out', out, '--pg', '17', '--arch', 'amd64', '--libc', 'glibc', '--key', keys.privatePath]);
    expect(first.stderr).not.toMatch(/internal error/);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/up to date/);
    expect(first.stderr).toMatch(/: signed \(key [0-9a-f]{64}\)/);

    const verified = await verifyArtifact(trunk, { key: keys.publicPath, trunkContents: async () => 0 });
    const deps = (verified.statement.predicate as { buildDefinition: { resolvedDependencies: { name?: string; digest: Record<string, string> }[] } }).buildDefinition.resolvedDependencies;
    expect(deps.find((d) => d.name === 'source')?.digest.sha256).toBe('ab'.repeat(32));

    // ECDSA signatures differ each time: the second run must keep the bundle, not rewrite it.
    const bundle = await readFile(`${trunk}${BUNDLE_SUFFIX}`, 'utf8');
    const second = await runCli(['build', 'tfsigned', '--matrix', matrix, '--out', out, '--pg', '17', '--arch', 'amd64', '--libc', 'glibc', '--key', keys.privatePath]);
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/signature kept/);
    expect(await readFile(`${trunk}${BUNDLE_SUFFIX}`, 'utf8')).toBe(bundle);
  });

  it('refuses a key it cannot read before building anything', async () => {
    const r = await runCli(['build', 'tfsigned', '--matrix', matrix, '--out', out, '--pg', '17', '--arch', 'amd64', '--libc', 'glibc', '--key', path.join(tmp, 'missing.key')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/key file .*missing\.key does not exist/);
    expect(r.stderr).not.toMatch(/up to date/);
  });
});
