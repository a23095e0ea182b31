// Cross-check with an independent verifier: cosign (scripts/install-cosign.sh) must accept our
// key-signed bundles as standard Sigstore v0.3 bundles with an SLSA provenance v1 attestation, and
// must reject them when the artifact changed. Missing cosign fails the test with the install step.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyFiles, loadSigningKey, signArtifact } from '../../src/sign/index.ts';
import { cleanEnv } from './helpers/cli.ts';
import { cosignVerifyAttestation, EMPTY_TRUSTED_ROOT, requireCosign } from './helpers/cosign.ts';

let dir: string;
beforeAll(async () => {
  await requireCosign();
  dir = await mkdtemp(join(tmpdir(), 'trunkfarm-cosign-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.each(['ed25519', 'ecdsa-p256'] as const)('cosign verify-blob-attestation, %s key', (type) => {
  it('accepts our bundle, and rejects it for changed bytes and for another key', async () => {
    const { privatePath, publicPath } = await generateKeyFiles(join(dir, type), type);
    const other = await generateKeyFiles(join(dir, `${type}-other`), type);
    const path = join(dir, `ext-${type}.trunk`);
    await writeFile(path, `payload for ${type}\n`);
    const { bundlePath } = await signArtifact(path, { method: { kind: 'key', key: await loadSigningKey(privatePath) }, env: cleanEnv() });
    const flags = (pub: string) => ['--key', pub, '--insecure-ignore-tlog'];

    const ok = await cosignVerifyAttestation(path, bundlePath, flags(publicPath), EMPTY_TRUSTED_ROOT, dir);
    expect(ok.output).toContain('Verified OK');
    expect(ok.ok).toBe(true);

    const changed = join(dir, `changed-${type}.trunk`);
    await writeFile(changed, `payload for ${type}!\n`);
    const tampered = await cosignVerifyAttestation(changed, bundlePath, flags(publicPath), EMPTY_TRUSTED_ROOT, dir);
    expect(tampered.ok).toBe(false);

    const wrongKey = await cosignVerifyAttestation(path, bundlePath, flags(other.publicPath), EMPTY_TRUSTED_ROOT, dir);
    expect(wrongKey.ok).toBe(false);
  }, 60_000);
});
