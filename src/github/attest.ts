// Keyless signing through GitHub: @actions/attest gets a Fulcio certificate for an ephemeral key
// with the workflow's OIDC identity, signs, timestamps or logs the signature, and stores the
// attestation in the repository, so that `gh attestation verify` knows the artifact.
import { attest, type SigstoreInstance } from '@actions/attest';
import type { SerializedBundle } from '@sigstore/bundle';

export type { SigstoreInstance };

interface AttestRequest {
  subjects: { name: string; digest: Record<string, string> }[];
  predicateType: string;
  predicate: object;
  /** GITHUB_TOKEN, for storing the attestation. */
  token: string;
  /** Default: @actions/attest's choice (public repositories: public-good). */
  sigstore?: SigstoreInstance;
  /** Store the attestation in GitHub. */
  store: boolean;
}

export interface Attestation {
  bundle: SerializedBundle;
  /** PEM of the Fulcio-issued signing certificate. */
  certificate: string;
  attestationId?: string;
}

export async function attestKeyless(request: AttestRequest): Promise<Attestation> {
  const result = await attest({
    subjects: request.subjects,
    predicateType: request.predicateType,
    predicate: request.predicate,
    token: request.token,
    ...(request.sigstore ? { sigstore: request.sigstore } : {}),
    skipWrite: !request.store,
  });
  return {
    bundle: result.bundle,
    certificate: result.certificate,
    // GitHub answers a numeric id, whatever @actions/attest's type says.
    ...(result.attestationID !== undefined && result.attestationID !== null ? { attestationId: String(result.attestationID) } : {}),
  };
}
