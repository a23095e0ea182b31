// Signing: one Sigstore bundle v0.3 (a DSSE envelope around an in-toto statement) per artifact,
// written beside it as FILE.sigstore.json. With a key anywhere (public key hint, no transparency
// log); keyless in GitHub Actions through @actions/attest, so that GitHub's attestation store and
// `gh attestation verify` know the artifact.
import { attest, type SigstoreInstance } from '@actions/attest';
import { bundleToJSON, type SerializedBundle } from '@sigstore/bundle';
import { DSSEBundleBuilder, type Signer } from '@sigstore/sign';
import { basename } from 'node:path';
import { UserError } from '../errors.ts';
import { sha256File, writeFileAtomic } from './files.ts';
import { hasActionsIdToken, loadGitHubRun } from './github.ts';
import { signBytes, type SigningKey } from './key.ts';
import { buildProvenance, localBuilderId } from './provenance.ts';
import { readSidecar, sidecarPath, sidecarToInput } from './sidecar.ts';
import { BUNDLE_SUFFIX, INTOTO_PAYLOAD_TYPE, type ProvenanceInput, type Statement } from './types.ts';

/** Signs a statement with a key: a v0.3 bundle whose verification material is the key's hint. */
export async function signWithKey(statement: Statement, key: SigningKey): Promise<SerializedBundle> {
  const signer: Signer = {
    sign: async (data) => ({
      signature: signBytes(key, data),
      key: { $case: 'publicKey', publicKey: key.publicKeyPem, hint: key.keyId },
    }),
  };
  const bundle = await new DSSEBundleBuilder({ signer, witnesses: [] }).create({
    data: Buffer.from(JSON.stringify(statement)),
    type: INTOTO_PAYLOAD_TYPE,
  });
  const json = bundleToJSON(bundle);
  // The key is named once, by the verification material's hint. The DSSE signature's own keyid
  // stays empty: it is unsigned and optional, and DSSE verifiers (go-securesystemslib, under
  // cosign and sigstore-go) skip a signature whose keyid is not their own fingerprint of the key.
  for (const sig of json.dsseEnvelope?.signatures ?? []) sig.keyid = '';
  return json;
}

export interface KeylessOptions {
  /** GITHUB_TOKEN, for storing the attestation in the repository. */
  token: string;
  /** Sigstore instance; by default @actions/attest's choice (public repositories: public-good). */
  sigstore?: SigstoreInstance;
  /** Store the attestation in GitHub (default true). */
  store?: boolean;
}

export interface KeylessResult {
  bundle: SerializedBundle;
  /** PEM of the Fulcio-issued signing certificate. */
  certificate: string;
  attestationId?: string;
}

/** Signs a statement with the workflow's identity through @actions/attest: a Fulcio certificate for
 * an ephemeral key, a timestamp or transparency log entry, and the attestation stored in GitHub. */
export async function signKeyless(statement: Statement, options: KeylessOptions): Promise<KeylessResult> {
  if (statement.predicate === undefined) throw new UserError('keyless signing needs a statement with a predicate');
  let result;
  try {
    result = await attest({
      subjects: statement.subject,
      predicateType: statement.predicateType,
      predicate: statement.predicate as object,
      token: options.token,
      ...(options.sigstore ? { sigstore: options.sigstore } : {}),
      skipWrite: options.store === false,
    });
  } catch (err) {
    throw new UserError(`keyless signing failed: ${describe(err)}`, { cause: err });
  }
  return {
    bundle: result.bundle,
    certificate: result.certificate,
    // GitHub answers a numeric id, whatever @actions/attest's type says.
    ...(result.attestationID !== undefined && result.attestationID !== null ? { attestationId: String(result.attestationID) } : {}),
  };
}

/** How to sign: a key when given one, keyless when in GitHub Actions with an OIDC token. */
export type SigningMethod = { kind: 'key'; key: SigningKey } | ({ kind: 'keyless' } & KeylessOptions);

export function chooseSigningMethod(
  options: { key?: SigningKey; sigstore?: SigstoreInstance; store?: boolean },
  env: NodeJS.ProcessEnv = process.env,
): SigningMethod {
  if (options.key) return { kind: 'key', key: options.key };
  if (!hasActionsIdToken(env)) {
    const inActions = env.GITHUB_ACTIONS === 'true';
    throw new UserError(
      inActions
        ? 'no --key, and this job has no OIDC token for keyless signing: grant `permissions: id-token: write` (and `attestations: write`), or pass --key'
        : 'signing needs a key here: pass --key KEY (create one with `trunkfarm keygen --out PREFIX`); keyless signing works only in GitHub Actions',
      { exitCode: 2 },
    );
  }
  const store = options.store !== false;
  const token = env.GITHUB_TOKEN ?? '';
  if (store && !token) {
    throw new UserError('keyless signing stores the attestation in GitHub: set GITHUB_TOKEN (with `attestations: write`), or pass --key');
  }
  return { kind: 'keyless', token, store, ...(options.sigstore ? { sigstore: options.sigstore } : {}) };
}

export interface SignArtifactOptions {
  method: SigningMethod;
  /** Provenance of the build that made the artifact (what the build stage knows). When absent,
   * it comes from the sidecar; with no sidecar, the statement names the subject and signer only. */
  provenance?: Omit<ProvenanceInput, 'subjects'>;
  /** Sidecar to read instead of FILE.provenance-input.json. */
  sidecar?: string;
  env?: NodeJS.ProcessEnv;
}

export interface SignResult {
  artifact: string;
  sha256: string;
  bundlePath: string;
  method: 'key' | 'keyless';
  keyId?: string;
  attestationId?: string;
  /** Where the provenance came from. `minimal`: no build inputs were known. */
  provenance: 'input' | 'sidecar' | 'minimal';
  sidecarPath?: string;
  statement: Statement;
}

/** Signs one artifact file and writes FILE.sigstore.json beside it. */
export async function signArtifact(path: string, options: SignArtifactOptions): Promise<SignResult> {
  const env = options.env ?? process.env;
  const sha256 = await sha256File(path);

  let input: Omit<ProvenanceInput, 'subjects'>;
  let provenance: SignResult['provenance'];
  const sidecar = options.sidecar ?? sidecarPath(path);
  if (options.provenance) {
    input = options.provenance;
    provenance = 'input';
  } else {
    const found = await readSidecar(sidecar);
    if (found === undefined && options.sidecar !== undefined) throw new UserError(`provenance file ${options.sidecar} does not exist`);
    input = found ? sidecarToInput(found, sidecar, sha256) : {};
    provenance = found ? 'sidecar' : 'minimal';
  }
  // The run's facts come from its OIDC identity whenever there is one, key or not.
  if (!input.github && hasActionsIdToken(env)) input = { ...input, github: await loadGitHubRun(env) };
  if (!input.github && !input.builderId) input = { ...input, builderId: localBuilderId(env) };

  const statement = buildProvenance({ ...input, subjects: [{ name: basename(path), digest: { sha256 } }] });
  const method = options.method;
  let bundle: SerializedBundle;
  let attestationId: string | undefined;
  if (method.kind === 'key') {
    bundle = await signWithKey(statement, method.key);
  } else {
    const result = await signKeyless(statement, method);
    bundle = result.bundle;
    attestationId = result.attestationId;
  }

  const bundlePath = `${path}${BUNDLE_SUFFIX}`;
  await writeFileAtomic(bundlePath, `${JSON.stringify(bundle)}\n`);
  return {
    artifact: path,
    sha256,
    bundlePath,
    method: method.kind,
    ...(method.kind === 'key' ? { keyId: method.key.keyId } : {}),
    ...(attestationId ? { attestationId } : {}),
    provenance,
    ...(provenance === 'sidecar' ? { sidecarPath: sidecar } : {}),
    statement,
  };
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // @sigstore/sign wraps the HTTP failure; its cause says which server refused and why.
  const cause = (err as Error & { cause?: unknown }).cause;
  return cause instanceof Error && !err.message.includes(cause.message) ? `${err.message}: ${cause.message}` : err.message;
}
