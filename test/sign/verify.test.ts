// Key-signed bundles: sign and verify round trips for both key types, and each way a signature
// must be refused, through the library and through the CLI.
import { mkdtemp, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUNDLE_SUFFIX,
  expectedSigner,
  FARM_BUILD_TYPE,
  generateKeyFiles,
  loadSigningKey,
  signArtifact,
  VerificationFailure,
  verifyArtifact,
  writeSidecar,
  type KeyType,
  type VerifyOptions,
} from '../../src/sign/index.ts';
import { sha256File } from '../../src/files/index.ts';
import { cleanEnv, runCli } from './helpers/cli.ts';

let dir: string;
const env = cleanEnv();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trunkfarm-verify-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function artifact(name: string, content = `artifact ${name}\n`): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

async function keypair(name: string, type: KeyType = 'ed25519') {
  const files = await generateKeyFiles(join(dir, name), type);
  return { ...files, key: await loadSigningKey(files.privatePath) };
}

async function signWith(path: string, keyPath: string) {
  return signArtifact(path, { method: { kind: 'key', key: await loadSigningKey(keyPath) }, env });
}

async function failure(path: string, options: VerifyOptions): Promise<VerificationFailure> {
  try {
    await verifyArtifact(path, options);
  } catch (err) {
    if (err instanceof VerificationFailure) return err;
    throw err;
  }
  throw new Error(`verification of ${path} passed, but it should have failed`);
}

describe.each(['ed25519', 'ecdsa-p256'] as const)('round trip with %s', (type) => {
  it('signs, writes a v0.3 DSSE bundle beside the artifact, and verifies', async () => {
    const kp = await keypair(`rt-${type}`, type);
    const path = await artifact(`rt-${type}.trunk`);
    const signed = await signWith(path, kp.privatePath);
    expect(signed.bundlePath).toBe(`${path}${BUNDLE_SUFFIX}`);
    expect(signed.provenance).toBe('minimal');

    const bundle = JSON.parse(await readFile(signed.bundlePath, 'utf8'));
    expect(bundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(bundle.verificationMaterial.publicKey.hint).toBe(kp.keyId);
    expect(bundle.verificationMaterial.tlogEntries ?? []).toEqual([]);
    expect(bundle.dsseEnvelope.payloadType).toBe('application/vnd.in-toto+json');
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString());
    expect(statement.subject).toEqual([{ name: `rt-${type}.trunk`, digest: { sha256: await sha256File(path) } }]);

    const checked: string[] = [];
    const result = await verifyArtifact(path, {
      key: kp.publicPath,
      trunkContents: async (p) => {
        checked.push(p);
        return { files: 3 };
      },
    });
    expect(result.signer).toEqual({ kind: 'key', keyId: kp.keyId });
    expect(result.checks.map((c) => c.step)).toEqual(['bundle', 'subject', 'signature', 'provenance', 'contents']);
    expect(result.checks[4]!.detail).toBe('3 file digests match');
    expect(checked).toEqual([path]);
  });
});

describe('keeping a signature on re-signing (publish and build --key)', () => {
  it('keeps a bundle that signs the same bytes with the same key, and signs again for new bytes or another key', async () => {
    const kp = await keypair('reuse', 'ecdsa-p256');
    const other = await keypair('reuse-other', 'ecdsa-p256');
    const path = await artifact('reuse-1.0.0+pg17-gnulinux-amd64.tar');
    const method = { kind: 'key' as const, key: kp.key };
    const first = await signArtifact(path, { method, env, reuse: await expectedSigner(method) });
    expect(first.reused).toBeUndefined();
    const bundle = await readFile(first.bundlePath, 'utf8');

    // Without reuse an ECDSA signature of the same statement differs: that is what reuse avoids.
    const kept = await signArtifact(path, { method, env, reuse: await expectedSigner(method) });
    expect(kept).toMatchObject({ reused: true, provenance: 'existing', sha256: first.sha256 });
    expect(await readFile(first.bundlePath, 'utf8')).toBe(bundle);
    await signArtifact(path, { method, env });
    expect(await readFile(first.bundlePath, 'utf8')).not.toBe(bundle);

    const otherMethod = { kind: 'key' as const, key: other.key };
    const byOther = await signArtifact(path, { method: otherMethod, env, reuse: await expectedSigner(otherMethod) });
    expect(byOther.reused).toBeUndefined();
    await verifyArtifact(path, { key: other.publicPath });

    await writeFile(path, 'new bytes\n');
    const changed = await signArtifact(path, { method: otherMethod, env, reuse: await expectedSigner(otherMethod) });
    expect(changed.reused).toBeUndefined();
    expect((await verifyArtifact(path, { key: other.publicPath })).sha256).toBe(changed.sha256);
  });
});

describe('refusals', () => {
  let kp: Awaited<ReturnType<typeof keypair>>;
  let other: Awaited<ReturnType<typeof keypair>>;
  let path: string;
  let otherPath: string;

  beforeAll(async () => {
    kp = await keypair('main');
    other = await keypair('other', 'ecdsa-p256');
    path = await artifact('ext-1.0.0+pg17-gnulinux-amd64.tar');
    otherPath = await artifact('ext-1.0.1+pg17-gnulinux-amd64.tar');
    await signWith(path, kp.privatePath);
    await signWith(otherPath, kp.privatePath);
  });

  it('tampered artifact bytes fail at the subject step', async () => {
    const copy = join(dir, 'tampered.tar');
    await writeFile(copy, Buffer.concat([await readFile(path), Buffer.from('x')]));
    const f = await failure(copy, { key: kp.publicPath, bundle: `${path}${BUNDLE_SUFFIX}` });
    expect(f.step).toBe('subject');
    expect(f.message).toMatch(/step 2 \(subject\).*not among the signed subjects/);
  });

  it('a tampered payload fails at the signature step', async () => {
    const bundle = JSON.parse(await readFile(`${path}${BUNDLE_SUFFIX}`, 'utf8'));
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString());
    statement.predicate.runDetails.builder.id = 'https://evil.example/builder';
    bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    const forged = join(dir, 'forged.sigstore.json');
    await writeFile(forged, JSON.stringify(bundle));
    const f = await failure(path, { key: kp.publicPath, bundle: forged });
    expect(f.step).toBe('signature');
    expect(f.message).toMatch(/does not verify with/);
  });

  it("a swapped bundle (another artifact's) fails at the subject step", async () => {
    const f = await failure(path, { key: kp.publicPath, bundle: `${otherPath}${BUNDLE_SUFFIX}` });
    expect(f.step).toBe('subject');
    expect(f.message).toContain('ext-1.0.1+pg17-gnulinux-amd64.tar');
  });

  it('a wrong key fails at the signature step and names both keys', async () => {
    const f = await failure(path, { key: other.publicPath });
    expect(f.step).toBe('signature');
    expect(f.message).toContain(`not signed by ${other.publicPath} (key id ${other.keyId}); it names key ${kp.keyId}`);
  });

  it('an unsigned artifact fails at the bundle step', async () => {
    const unsigned = await artifact('unsigned.tar');
    const f = await failure(unsigned, { key: kp.publicPath });
    expect(f.step).toBe('bundle');
    expect(f.message).toMatch(/no signature: .*unsigned\.tar\.sigstore\.json does not exist, so the artifact is unsigned/);
  });

  it('a bundle that is not a Sigstore bundle fails at the bundle step', async () => {
    const junk = join(dir, 'junk.sigstore.json');
    await writeFile(junk, JSON.stringify({ mediaType: 'application/json', hello: 1 }));
    const f = await failure(path, { key: kp.publicPath, bundle: junk });
    expect(f.step).toBe('bundle');
    expect(f.message).toContain('is not a Sigstore bundle');
  });

  it('a key-signed bundle checked against a keyless identity says to use --key', async () => {
    const f = await failure(path, { identity: { repository: 'acme/ext' }, trustedRoot: '/nonexistent' });
    expect(f.step).toBe('signature');
    expect(f.message).toMatch(/signed with a key .*verify it with --key/);
  });

  it('a trunk file with no contents checker fails at the contents step rather than passing', async () => {
    const trunk = await artifact('nochecker.trunk');
    await signWith(trunk, kp.privatePath);
    const f = await failure(trunk, { key: kp.publicPath });
    expect(f.step).toBe('contents');
    const bad = await failure(trunk, {
      key: kp.publicPath,
      trunkContents: async () => {
        throw new Error('digests: pgsql/pkglib/ext.so: sha256 mismatch');
      },
    });
    expect(bad.message).toBe('verification failed at step 5 (contents): digests: pgsql/pkglib/ext.so: sha256 mismatch');
  });
});

describe('provenance from the sidecar, checked against expectations', () => {
  const source = { uri: 'https://example.org/ext-1.0.0.tar.gz', sha256: 'a'.repeat(64) };

  it('records the sidecar and verifies builder id and source digest', async () => {
    const kp = await keypair('sidecar');
    const path = await artifact('ext-1.0.0+pg17-gnulinux-amd64.trunk');
    await writeSidecar(path, await sha256File(path), {
      entry: { name: 'ext', version: '1.0.0', pipeline: 'pgxs' },
      platform: { name: 'pg17-gnulinux-amd64', builder: 'docker.io/library/postgres:17-trixie', base: 'docker.io/library/postgres:17-trixie' },
      source,
      builderImage: { ref: 'docker.io/library/postgres:17-trixie', digest: `sha256:${'b'.repeat(64)}` },
      buildKey: 'k123',
      startedOn: '2025-01-01T00:00:00Z',
      finishedOn: '2025-01-01T00:05:00Z',
    });
    const signed = await signArtifact(path, { method: { kind: 'key', key: kp.key }, env: cleanEnv({ TRUNKFARM_BUILDER_ID: 'https://farm.example/one' }) });
    expect(signed.provenance).toBe('sidecar');
    const predicate = signed.statement.predicate as { buildDefinition: { buildType: string; resolvedDependencies: unknown[] } };
    expect(predicate.buildDefinition.buildType).toBe(FARM_BUILD_TYPE);
    expect(predicate.buildDefinition.resolvedDependencies).toEqual([
      { name: 'source', uri: source.uri, digest: { sha256: source.sha256 } },
      { name: 'builder-image', uri: 'docker.io/library/postgres:17-trixie', digest: { sha256: 'b'.repeat(64) } },
    ]);

    const trunkContents = async () => ({ files: 1 });
    const ok = await verifyArtifact(path, { key: kp.publicPath, sourceDigest: source.sha256, builderId: 'https://farm.example/one', trunkContents });
    expect(ok.builderId).toBe('https://farm.example/one');

    const wrongSource = await failure(path, { key: kp.publicPath, sourceDigest: 'c'.repeat(64), trunkContents });
    expect(wrongSource.step).toBe('provenance');
    expect(wrongSource.message).toContain(`expected source digest ${'c'.repeat(64)}`);
    const wrongBuilder = await failure(path, { key: kp.publicPath, builderId: 'https://farm.example/two', trunkContents });
    expect(wrongBuilder.message).toBe(
      'verification failed at step 4 (provenance): built by https://farm.example/one, expected builder https://farm.example/two',
    );
  });

  it('refuses a sidecar that describes another artifact, and a malformed one', async () => {
    const kp = await keypair('sidecar-bad');
    const path = await artifact('mismatch.trunk');
    await writeSidecar(path, 'd'.repeat(64), { source });
    await expect(signArtifact(path, { method: { kind: 'key', key: kp.key }, env })).rejects.toThrow(/sidecar belongs to another build/);
    await writeFile(`${path}.provenance-input.json`, JSON.stringify({ version: 1, artifact: { name: 'x', sha256: await sha256File(path) }, source: { uri: 'u', sha256: 'nothex' } }));
    await expect(signArtifact(path, { method: { kind: 'key', key: kp.key }, env })).rejects.toThrow(/provenance-input\.json: source/);
  });

  it('a minimal statement has no source, so a source expectation fails', async () => {
    const kp = await keypair('minimal');
    const path = await artifact('minimal.bin');
    await signArtifact(path, { method: { kind: 'key', key: kp.key }, env });
    const f = await failure(path, { key: kp.publicPath, sourceDigest: source.sha256 });
    expect(f.message).toContain('the provenance names no source');
  });
});

describe('CLI', () => {
  it('keygen, sign, verify; a wrong key exits 1 with the step in one line', async () => {
    const prefix = join(dir, 'cli');
    const keygen = await runCli(['keygen', '--out', prefix, '--type', 'ecdsa-p256'], { env });
    expect(keygen.code).toBe(0);
    expect(keygen.stdout).toContain('ecdsa-p256 key id');
    const path = await artifact('cli.trunk');

    const sign = await runCli(['sign', path, '--key', `${prefix}.key`], { env });
    expect(sign.stderr).toContain('signing a minimal statement');
    expect(sign.code).toBe(0);

    const noKey = await runCli(['sign', path], { env });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/signing needs a key here: pass --key KEY/);

    const other = await keypair('cli-other');
    const verifyArgs = ['verify', path, '--json'];
    const bad = await runCli([...verifyArgs, '--key', other.publicPath], { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^trunkfarm: verification failed at step 3 \(signature\)/);

    // A `.trunk` file needs its contents checked; a plain copy under another name has none inside.
    const plain = join(dir, 'cli.bin');
    await copyFile(path, plain);
    const good = await runCli([...verifyArgs.slice(0, 1), plain, '--bundle', `${path}${BUNDLE_SUFFIX}`, '--key', `${prefix}.pub`, '--json'], { env });
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout).signer.kind).toBe('key');

    const both = await runCli(['verify', path, '--key', `${prefix}.pub`, '--repo', 'a/b'], { env });
    expect(both.code).toBe(2);

    // --provenance-from: a sidecar kept elsewhere; its source is then what verify can demand.
    const sidecar = join(dir, 'elsewhere.json');
    const source = { uri: 'https://example.org/cli.tar.gz', sha256: '9'.repeat(64) };
    await writeFile(sidecar, JSON.stringify({ version: 1, artifact: { name: 'cli.bin', sha256: await sha256File(plain) }, source }));
    const fromSidecar = await runCli(['sign', plain, '--key', `${prefix}.key`, '--provenance-from', sidecar, '--json'], { env });
    expect(fromSidecar.code).toBe(0);
    expect(JSON.parse(fromSidecar.stdout)).toMatchObject({ provenance: 'sidecar', sidecarPath: sidecar });
    const withSource = await runCli(['verify', plain, '--key', `${prefix}.pub`, '--source-digest', source.sha256], { env });
    expect(withSource.stdout).toContain(`ok 4 provenance: builder https://trunkfarm.dev/builders/local/`);
    expect(withSource.code).toBe(0);
  }, 180_000);
});
