// Images signed in an OCI image layout: the bundle (subject: the image index digest) is stored in
// the layout as a referrer, `trunkfarm verify oci:DIR:TAG` finds and checks it with every blob of
// the image, a second signing by the same key keeps it, and cosign accepts the same bundle against
// the index blob. Each way it must be refused is: another key, an unsigned image, a blob changed.
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachedBundles, signImage } from '../../src/publish/image-signatures.ts';
import { expectedSigner, generateKeyFiles, loadSigningKey, type SigningMethod } from '../../src/sign/index.ts';
import { addImage } from '../oci/registry/fixtures.ts';
import { cleanEnv, runCli } from './helpers/cli.ts';
import { cosignVerifyAttestation, EMPTY_TRUSTED_ROOT, requireCosign } from './helpers/cosign.ts';

const TAG = '1.0.0-pg17-gnulinux';
let dir: string;
let farm: { privatePath: string; publicPath: string };
let other: { privatePath: string; publicPath: string };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trunkfarm-image-sign-'));
  farm = await generateKeyFiles(join(dir, 'farm'), 'ecdsa-p256');
  other = await generateKeyFiles(join(dir, 'other'), 'ed25519');
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function method(keyPath: string): Promise<{ method: SigningMethod; signer: Awaited<ReturnType<typeof expectedSigner>> }> {
  const m: SigningMethod = { kind: 'key', key: await loadSigningKey(keyPath) };
  return { method: m, signer: await expectedSigner(m) };
}

async function twoPlatformImage(name: string) {
  const layout = join(dir, name);
  const made = await addImage(layout, { tag: TAG, layers: [2048, 1024], platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] });
  return { layout, top: made.top, made };
}

describe('image signatures in an OCI layout', () => {
  it('attaches a bundle whose subject is the index digest, verifies it, and keeps it on a second run', async () => {
    const { layout, top } = await twoPlatformImage('signed');
    const first = await signImage({ kind: 'layout', dir: layout }, 'tfimage', top, { ...(await method(farm.privatePath)), env: {} });
    expect(first.signed).toBe(true);
    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: { artifactType?: string; annotations?: Record<string, string> }[] };
    const referrers = index.manifests.filter((d) => d.artifactType === 'application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(referrers).toHaveLength(1);
    expect(referrers[0]!.annotations?.['org.opencontainers.image.ref.name']).toBeUndefined();

    const ok = await runCli(['verify', `oci:${layout}:${TAG}`, '--key', farm.publicPath], { env: cleanEnv() });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`ok 2 subject: sha256 ${top.digest.slice(7)} is subject tfimage`));
    expect(ok.stdout).toMatch(/ok 5 contents: 3 manifests and 5 blobs of the image match their digests/);

    // ECDSA: a new signature would differ; the one there is kept, and index.json is untouched.
    const before = await readFile(join(layout, 'index.json'), 'utf8');
    const again = await signImage({ kind: 'layout', dir: layout }, 'tfimage', top, { ...(await method(farm.privatePath)), env: {} });
    expect(again.signed).toBe(false);
    expect(await readFile(join(layout, 'index.json'), 'utf8')).toBe(before);

    // Another signer adds its own bundle; each key then finds the one it signed.
    const byOther = await signImage({ kind: 'layout', dir: layout }, 'tfimage', top, { ...(await method(other.privatePath)), env: {} });
    expect(byOther.signed).toBe(true);
    expect(await attachedBundles({ kind: 'layout', dir: layout }, top.digest)).toHaveLength(2);
    for (const key of [farm.publicPath, other.publicPath]) {
      expect((await runCli(['verify', `oci:${layout}:${TAG}`, '--key', key], { env: cleanEnv() })).code).toBe(0);
    }
  });

  it('refuses another key, an unsigned image, and a changed blob, saying which step failed', async () => {
    const { layout, top, made } = await twoPlatformImage('refusals');
    await signImage({ kind: 'layout', dir: layout }, 'tfimage', top, { ...(await method(farm.privatePath)), env: {} });

    const wrongKey = await runCli(['verify', `oci:${layout}:${TAG}`, '--key', other.publicPath], { env: cleanEnv() });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/^trunkfarm: verification failed at step 3 \(signature\): the bundle was not signed by .*other\.pub/);

    const unsigned = await twoPlatformImage('unsigned');
    const none = await runCli(['verify', `oci:${unsigned.layout}:${TAG}`, '--key', farm.publicPath], { env: cleanEnv() });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^trunkfarm: verification failed at step 1 \(bundle\): no signature: no Sigstore bundle is attached to oci:.*, so it is unsigned/);

    const layer = made.blobs.find((b) => b.mediaType.includes('layer'))!;
    await appendFile(join(layout, 'blobs', 'sha256', layer.digest.slice(7)), 'x');
    const changed = await runCli(['verify', `oci:${layout}:${TAG}`, '--key', farm.publicPath], { env: cleanEnv() });
    expect(changed.code).toBe(1);
    expect(changed.stderr).toMatch(new RegExp(`^trunkfarm: verification failed at step 5 \\(contents\\): blob ${layer.digest} of the image in .* was altered`));
  });

  it('is a bundle cosign verifies against the index blob of the layout', async () => {
    await requireCosign();
    const { layout, top } = await twoPlatformImage('cosign');
    await signImage({ kind: 'layout', dir: layout }, 'tfimage', top, { ...(await method(farm.privatePath)), env: {} });
    const [bundle] = await attachedBundles({ kind: 'layout', dir: layout }, top.digest);
    const indexBlob = join(layout, 'blobs', 'sha256', top.digest.slice(7));
    const flags = (pub: string) => ['--key', pub, '--insecure-ignore-tlog'];
    const ok = await cosignVerifyAttestation(indexBlob, bundle!.label, flags(farm.publicPath), EMPTY_TRUSTED_ROOT, dir);
    expect(ok.output).toContain('Verified OK');
    expect(ok.ok).toBe(true);
    expect((await cosignVerifyAttestation(indexBlob, bundle!.label, flags(other.publicPath), EMPTY_TRUSTED_ROOT, dir)).ok).toBe(false);
  }, 60_000);
});
