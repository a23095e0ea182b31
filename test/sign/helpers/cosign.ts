// cosign, the independent verifier our bundles are cross-checked with. scripts/install-cosign.sh
// installs it; a test that needs it fails with that instruction when it is missing, never skips.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function requireCosign(): Promise<string> {
  try {
    const { stdout } = await run('cosign', ['version']);
    return /GitVersion:\s*(\S+)/.exec(stdout)?.[1] ?? 'unknown';
  } catch {
    throw new Error('cosign is not installed: run `bash scripts/install-cosign.sh` (as root) to install it, then rerun the tests');
  }
}

export interface CosignResult {
  ok: boolean;
  output: string;
}

/** `cosign verify-blob-attestation` with the new bundle format and an explicit trusted root, so
 * it never reaches for Sigstore's public TUF repository. */
export async function cosignVerifyAttestation(artifact: string, bundle: string, flags: string[], trustedRoot: object, dir: string): Promise<CosignResult> {
  const rootPath = join(dir, `cosign-root-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(rootPath, JSON.stringify(trustedRoot));
  const args = ['verify-blob-attestation', '--new-bundle-format', '--bundle', bundle, '--trusted-root', rootPath, '--type', 'slsaprovenance1', ...flags, artifact];
  try {
    const { stdout, stderr } = await run('cosign', args, { env: { ...process.env, HOME: dir, TUF_ROOT: join(dir, 'tuf') } });
    return { ok: true, output: stdout + stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? e.message}` };
  }
}

/** A trusted root with no authorities: for key-signed bundles, which need none. */
export const EMPTY_TRUSTED_ROOT = {
  mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  tlogs: [],
  certificateAuthorities: [],
  ctlogs: [],
  timestampAuthorities: [],
};
