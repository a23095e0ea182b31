import { UserError } from '../../errors.ts';
import { readTrunk } from '../../package/index.ts';
import { verifyArtifact, type VerifyOptions } from '../../sign/index.ts';

export interface VerifyFlags {
  bundle?: string;
  key?: string;
  repo?: string;
  workflow?: string;
  trustedRoot?: string;
  serverUrl?: string;
  sourceDigest?: string;
  builderId?: string;
}

/** Every file inside a trunk against its `digests` (readTrunk throws on any mismatch). */
export const trunkContents = async (file: string) => (await readTrunk(file)).digests.size;

/** Verification options from the flags that `verify` and `install` share. */
export function verifyOptions(opts: VerifyFlags): VerifyOptions {
  if (!opts.key === !opts.repo) throw new UserError('verify: pass either --key PUB or --repo OWNER/REPO', { exitCode: 2 });
  if (opts.repo && !/^[\w.-]+\/[\w.-]+$/.test(opts.repo)) throw new UserError(`--repo must be OWNER/REPO, got "${opts.repo}"`, { exitCode: 2 });
  if (opts.workflow && !opts.repo) throw new UserError('--workflow goes with --repo', { exitCode: 2 });
  return {
    ...(opts.bundle ? { bundle: opts.bundle } : {}),
    ...(opts.key ? { key: opts.key } : {}),
    ...(opts.repo
      ? { identity: { repository: opts.repo, ...(opts.workflow ? { workflow: opts.workflow } : {}), ...(opts.serverUrl ? { serverUrl: opts.serverUrl } : {}) } }
      : {}),
    ...(opts.trustedRoot ? { trustedRoot: opts.trustedRoot } : {}),
    ...(opts.sourceDigest ? { sourceDigest: opts.sourceDigest } : {}),
    ...(opts.builderId ? { builderId: opts.builderId } : {}),
    trunkContents,
  };
}

export async function run(artifact: string, opts: VerifyFlags & { json?: boolean }): Promise<void> {
  const options = verifyOptions(opts);
  // An image: its index digest is the subject, its bundles are attached to it as referrers.
  // image-signatures.ts by path, and only for an image: publish/index.ts would load the registry
  // and GitHub clients for a file's verification too.
  const image = artifact.startsWith('oci:') || artifact.startsWith('docker://');
  const result = image ? await (await import('../../publish/image-signatures.ts')).verifyImage(artifact, options) : await verifyArtifact(artifact, options);
  if (opts.json) {
    const { statement: _s, ...rest } = result;
    process.stdout.write(`${JSON.stringify(rest, null, 2)}\n`);
    return;
  }
  result.checks.forEach((c, i) => process.stdout.write(`ok ${i + 1} ${c.step}: ${c.detail}\n`));
  process.stdout.write(`verified ${artifact}\n`);
}
