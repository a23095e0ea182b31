// Signing: one Sigstore bundle v0.3 (a DSSE envelope around an in-toto statement) per artifact,
// written beside it as FILE.sigstore.json. With a key anywhere (public key hint, no transparency
// log); keyless in GitHub Actions through GitHub's attestations (github/attest.ts), so that its store and
// `gh attestation verify` know the artifact.
import { bundleToJSON, type SerializedBundle } from '@sigstore/bundle';
import { DSSEBundleBuilder, type Signer } from '@sigstore/sign';
import { basename } from 'node:path';
import { UserError } from '../errors.ts';
import { sha256File, writeAtomic } from '../files/index.ts';
import { fileBundleCovers, type SignerExpectation } from './covers.ts';
// attest.ts by path: it is not in the github barrel (see github/index.ts).
import { type Attestation, attestKeyless, type SigstoreInstance } from '../github/attest.ts';
import { hasActionsIdToken } from '../github/index.ts';
import { signBytes, type SigningKey } from './key.ts';
import { buildProvenance, loadGitHubRun, localBuilderId } from './provenance.ts';
import { readSidecar, sidecarPath, sidecarToInput } from './sidecar.ts';
import { BUNDLE_SUFFIX, GITHUB_ACTIONS_ISSUER, INTOTO_PAYLOAD_TYPE, type ProvenanceInput, type Statement, type Subject } from './types.ts';

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
  /** Sigstore instance; by default GitHub's choice (public repositories: public-good). */
  sigstore?: SigstoreInstance;
  /** Store the attestation in GitHub (default true). */
  store?: boolean;
}

export type KeylessResult = Attestation;

/** Signs a statement with the workflow's identity (see github/attest.ts): a Fulcio certificate for
 * an ephemeral key, a timestamp or transparency log entry, and the attestation stored in GitHub. */
export async function signKeyless(statement: Statement, options: KeylessOptions): Promise<KeylessResult> {
  if (statement.predicate === undefined) throw new UserError('keyless signing needs a statement with a predicate');
  try {
    return await attestKeyless({
      subjects: statement.subject,
      predicateType: statement.predicateType,
      predicate: statement.predicate as object,
      token: options.token,
      ...(options.sigstore ? { sigstore: options.sigstore } : {}),
      store: options.store !== false,
    });
  } catch (err) {
    throw new UserError(`keyless signing failed: ${describe(err)}`, { cause: err });
  }
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

/** The signer a signing method produces. Keyless, this reads the run's OIDC identity: the
 * certificate Fulcio issues names `<server>/<job_workflow_ref>`. */
export async function expectedSigner(method: SigningMethod, env: NodeJS.ProcessEnv = process.env): Promise<SignerExpectation> {
  if (method.kind === 'key') return { kind: 'key', key: { type: method.key.type, publicKey: method.key.publicKey, keyId: method.key.keyId } };
  const run = await loadGitHubRun(env);
  return { kind: 'identity', identity: `${run.serverUrl}/${run.jobWorkflowRef}`, issuer: GITHUB_ACTIONS_ISSUER };
}

export interface SignArtifactOptions {
  method: SigningMethod;
  /** Provenance of the build that made the artifact (what the build stage knows). When absent,
   * it comes from the sidecar; with no sidecar, the statement names the subject and signer only. */
  provenance?: Omit<ProvenanceInput, 'subjects'>;
  /** Sidecar to read instead of FILE.provenance-input.json. */
  sidecar?: string;
  /** Keep an existing FILE.sigstore.json that already signs the artifact's bytes as this signer
   * (see expectedSigner) instead of signing again. */
  reuse?: SignerExpectation;
  env?: NodeJS.ProcessEnv;
}

export interface SignResult {
  artifact: string;
  sha256: string;
  bundlePath: string;
  method: 'key' | 'keyless';
  keyId?: string;
  attestationId?: string;
  /** Where the provenance came from. `minimal`: no build inputs were known. `existing`: the
   * bundle was already there and kept (`reused`). */
  provenance: 'input' | 'sidecar' | 'minimal' | 'existing';
  sidecarPath?: string;
  /** True when an existing bundle already signed these bytes and was kept. */
  reused?: true;
  statement: Statement;
}

type ProvenanceSource = Pick<SignArtifactOptions, 'provenance' | 'sidecar' | 'env'>;

/** The provenance inputs of the artifact at `path` (with this sha256): given, from its sidecar,
 * or none; with the run's facts (GitHub identity, or the local builder id) added. Without an
 * artifact, only what `options` gives. */
async function provenanceInputs(
  artifact: { path: string; sha256: string } | undefined,
  options: ProvenanceSource,
): Promise<{ input: Omit<ProvenanceInput, 'subjects'>; provenance: 'input' | 'sidecar' | 'minimal'; sidecar: string }> {
  const env = options.env ?? process.env;
  let input: Omit<ProvenanceInput, 'subjects'>;
  let provenance: 'input' | 'sidecar' | 'minimal';
  const sidecar = options.sidecar ?? (artifact ? sidecarPath(artifact.path) : '');
  if (options.provenance) {
    input = options.provenance;
    provenance = 'input';
  } else if (!artifact) {
    input = {};
    provenance = 'minimal';
  } else {
    const found = await readSidecar(sidecar);
    if (found === undefined && options.sidecar !== undefined) throw new UserError(`provenance file ${options.sidecar} does not exist`);
    input = found ? sidecarToInput(found, sidecar, artifact.sha256) : {};
    provenance = found ? 'sidecar' : 'minimal';
  }
  // The run's facts come from its OIDC identity whenever there is one, key or not.
  if (!input.github && hasActionsIdToken(env)) input = { ...input, github: await loadGitHubRun(env) };
  if (!input.github && !input.builderId) input = { ...input, builderId: localBuilderId(env) };
  return { input, provenance, sidecar };
}

/** Signs a statement by the method: a key-signed bundle, or keyless through @actions/attest. */
export async function signStatement(statement: Statement, method: SigningMethod): Promise<{ bundle: SerializedBundle; attestationId?: string }> {
  if (method.kind === 'key') return { bundle: await signWithKey(statement, method.key) };
  const result = await signKeyless(statement, method);
  return { bundle: result.bundle, ...(result.attestationId ? { attestationId: result.attestationId } : {}) };
}

/** Signs one artifact file and writes FILE.sigstore.json beside it. */
export async function signArtifact(path: string, options: SignArtifactOptions): Promise<SignResult> {
  const sha256 = await sha256File(path);
  const bundlePath = `${path}${BUNDLE_SUFFIX}`;
  const method = options.method;
  const keyId = method.kind === 'key' ? { keyId: method.key.keyId } : {};
  if (options.reuse) {
    const kept = await fileBundleCovers(bundlePath, sha256, options.reuse);
    if (kept) return { artifact: path, sha256, bundlePath, method: method.kind, ...keyId, provenance: 'existing', reused: true, statement: kept };
  }

  const { input, provenance, sidecar } = await provenanceInputs({ path, sha256 }, options);
  const statement = buildProvenance({ ...input, subjects: [{ name: basename(path), digest: { sha256 } }] });
  const { bundle, attestationId } = await signStatement(statement, method);
  await writeAtomic(bundlePath, `${JSON.stringify(bundle)}\n`);
  return {
    artifact: path,
    sha256,
    bundlePath,
    method: method.kind,
    ...keyId,
    ...(attestationId ? { attestationId } : {}),
    provenance,
    ...(provenance === 'sidecar' ? { sidecarPath: sidecar } : {}),
    statement,
  };
}

export interface SignSubjectOptions extends ProvenanceSource {
  method: SigningMethod;
  /** The artifact file of the same build whose provenance (its sidecar) the statement records:
   * an image is signed with the provenance of the trunk it was packed beside. */
  provenanceOf?: string;
}

/** Signs a statement about something that is not a file here, such as an image in a registry:
 * `subject` is its name and digest (for an image, the reference without tag and the digest of its
 * manifest or index, as GitHub's attestations of images name them). Returns the bundle; where
 * it goes (a referrer of the image) is the caller's. */
export async function signSubject(subject: Subject, options: SignSubjectOptions): Promise<{ bundle: SerializedBundle; statement: Statement; attestationId?: string; provenance: 'input' | 'sidecar' | 'minimal' }> {
  const of = options.provenanceOf;
  const inputs = await provenanceInputs(of === undefined ? undefined : { path: of, sha256: await sha256File(of) }, options);
  const statement = buildProvenance({ ...inputs.input, subjects: [subject] });
  const signed = await signStatement(statement, options.method);
  return { bundle: signed.bundle, statement, ...(signed.attestationId ? { attestationId: signed.attestationId } : {}), provenance: inputs.provenance };
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // @sigstore/sign wraps the HTTP failure; its cause says which server refused and why.
  const cause = (err as Error & { cause?: unknown }).cause;
  return cause instanceof Error && !err.message.includes(cause.message) ? `${err.message}: ${cause.message}` : err.message;
}
