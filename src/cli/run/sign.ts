import { chooseSigningMethod, loadSigningKey, signArtifact } from '../../sign/index.ts';

export async function run(artifact: string, opts: { key?: string; provenanceFrom?: string; sigstore?: 'public-good' | 'github'; store: boolean; json?: boolean }): Promise<void> {
  const key = opts.key ? await loadSigningKey(opts.key) : undefined;
  const method = chooseSigningMethod({ ...(key ? { key } : {}), ...(opts.sigstore ? { sigstore: opts.sigstore } : {}), store: opts.store });
  const result = await signArtifact(artifact, { method, ...(opts.provenanceFrom ? { sidecar: opts.provenanceFrom } : {}) });
  if (opts.json) {
    const { statement, ...rest } = result;
    process.stdout.write(`${JSON.stringify({ ...rest, builderId: builderOf(statement.predicate) }, null, 2)}\n`);
    return;
  }
  if (result.provenance === 'minimal') {
    process.stderr.write(
      `trunkfarm: no provenance inputs (${opts.provenanceFrom ?? `${artifact}.provenance-input.json`} is missing): signing a minimal statement, subject and signer only\n`,
    );
  }
  const by = result.method === 'key' ? `key ${result.keyId}` : `keyless${result.attestationId ? `, attestation ${result.attestationId}` : ''}`;
  process.stdout.write(`signed ${artifact} (sha256 ${result.sha256}) with ${by}\nwrote ${result.bundlePath}\n`);
}

function builderOf(predicate: unknown): string | undefined {
  return (predicate as { runDetails?: { builder?: { id?: string } } } | undefined)?.runDetails?.builder?.id;
}
