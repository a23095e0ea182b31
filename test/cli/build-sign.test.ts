// `trunkfarm build --key KEY` leaves every built trunk signed, a job found up to date in out/
// included (no container engine is needed for that: the job's finished output is made here, as a
// finished build leaves it, and `build` skips the build itself). The signature records the
// provenance sidecar the build wrote, and a second run keeps the bundle rather than making a new one.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_SUFFIX, generateKeyFiles, verifyArtifact } from '../../src/sign/index.ts';
import { trunkContents } from '../../src/cli/run/verify.ts';
import { finishedJob } from '../support/finished-job.ts';
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
  out = path.join(tmp, 'out');
  ({ jobDir, trunk } = await finishedJob(matrix, 'tfsigned', out, tmp));
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

    // Every step, the trunk's own digests (step 5) included, with the checker `trunkfarm verify` uses.
    const verified = await verifyArtifact(trunk, { key: keys.publicPath, trunkContents });
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
