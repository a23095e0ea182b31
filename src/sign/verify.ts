// Verification as an ordered list of checks, each failing with its own message: the bundle, the
// artifact's digest among the statement's subjects, the signature (a key, or a keyless certificate
// and its identity), the provenance against what the user expects, and for trunk files every file
// digest inside the package. `trunkfarm verify` and `trunkfarm install` both call verifyArtifact.
import { bundleFromJSON, isBundleWithDsseEnvelope, type Bundle } from '@sigstore/bundle';
import { toSignedEntity, Verifier, type SignedEntity, type Signer } from '@sigstore/verify';
import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.ts';
import { sha256File } from '../files/index.ts';
import { loadVerifyingKey, type VerifyingKey } from './key.ts';
import { keyTrustMaterial, loadTrustedRoots, type TrustRoot } from './trust.ts';
import {
  BUNDLE_SUFFIX,
  GITHUB_ACTIONS_ISSUER,
  INTOTO_PAYLOAD_TYPE,
  SLSA_PROVENANCE_TYPE,
  STATEMENT_TYPE,
  type Statement,
} from './types.ts';

export const VERIFY_STEPS = ['bundle', 'subject', 'signature', 'provenance', 'contents'] as const;
export type VerifyStep = (typeof VERIFY_STEPS)[number];

/** A failed check. The message names the step, so the CLI's one line says where it stopped. */
export class VerificationFailure extends UserError {
  override name = 'VerificationFailure';
  readonly step: VerifyStep;
  readonly reason: string;

  constructor(step: VerifyStep, reason: string, cause?: unknown) {
    super(`verification failed at step ${VERIFY_STEPS.indexOf(step) + 1} (${step}): ${reason}`, cause === undefined ? {} : { cause });
    this.step = step;
    this.reason = reason;
  }
}

/** The keyless signer a user trusts: a workflow of a GitHub repository. */
export interface GitHubIdentity {
  /** `owner/repo`. */
  repository: string;
  /** Workflow file, `.github/workflows/build.yml` (or just `build.yml`); any of the repository's
   * workflows when absent. */
  workflow?: string;
  /** Default `https://github.com`. */
  serverUrl?: string;
  /** Default GitHub Actions' token issuer. */
  issuer?: string;
}

/** Checks every file digest inside a trunk file (the package stage's verifyTrunkContents). It
 * throws on any mismatch and returns how many files it checked. */
export type TrunkContentsCheck = (path: string) => Promise<{ files: number } | number | void>;

export interface VerifyOptions {
  /** Default: ARTIFACT.sigstore.json. */
  bundle?: string;
  /** A public key (loaded, or a PEM file path): the artifact must be signed by it. */
  key?: VerifyingKey | string;
  /** Keyless: the artifact must be signed by this GitHub workflow identity. */
  identity?: GitHubIdentity;
  /** Keyless: Sigstore trusted root(s), JSON or JSON Lines. */
  trustedRoot?: string;
  /** Hex sha256 of the source archive, or the git commit, the provenance must name. */
  sourceDigest?: string;
  /** The builder id the provenance must name. */
  builderId?: string;
  /** For `.trunk` files; without it a trunk file fails step 5 rather than passing unchecked. */
  trunkContents?: TrunkContentsCheck;
}

export interface VerifyResult {
  artifact: string;
  sha256: string;
  bundlePath: string;
  signer: { kind: 'key'; keyId: string } | { kind: 'certificate'; identity: string; issuer: string };
  builderId?: string;
  statement: Statement;
  /** One line per step, in order, saying what it established. */
  checks: { step: VerifyStep; detail: string }[];
}

export async function verifyArtifact(artifact: string, options: VerifyOptions): Promise<VerifyResult> {
  requireOneSigner(options);
  const bundlePath = options.bundle ?? `${artifact}${BUNDLE_SUFFIX}`;

  // 1. The bundle parses, and holds a DSSE envelope around an in-toto statement.
  const parsed = parseBundle(await readBundleText(bundlePath, options.bundle !== undefined), bundlePath);
  // 2-4. The artifact is a subject; the signature; the provenance.
  const sha256 = await sha256File(artifact);
  const verified = await verifyParsed(parsed, sha256, options, "the artifact's", 'the file changed after signing, or the bundle is another artifact\'s');
  const checks = verified.checks;

  // 5. A trunk file's own digests, for every file inside it.
  if (artifact.endsWith('.trunk')) {
    if (!options.trunkContents) throw new VerificationFailure('contents', 'no trunk contents checker available, so the files inside were not checked');
    let checked;
    try {
      checked = await options.trunkContents(artifact);
    } catch (err) {
      throw new VerificationFailure('contents', err instanceof Error ? err.message : String(err), err);
    }
    const files = typeof checked === 'number' ? checked : checked?.files;
    checks.push({ step: 'contents', detail: files === undefined ? 'every file digest matches' : `${files} file digests match` });
  } else {
    checks.push({ step: 'contents', detail: 'not a trunk file: nothing inside to check' });
  }

  return { artifact, sha256, bundlePath, ...verified, checks };
}

/** A bundle found for a subject that is not a file beside it: one attached to an image as a
 * referrer (in a registry or an OCI layout), or a file the user named. */
export interface BundleCandidate {
  /** Where it came from, for messages: `HOST/REPO@sha256:...`, a layout blob, a file. */
  label: string;
  text: string;
}

/** Verifies something known by its digest, such as an image (its index or manifest digest), with
 * the bundles found for it: the first one that passes steps 1-4 counts, and `contents` (step 5)
 * then checks the thing itself (say, every blob of the image against its digest) and says what it
 * established. With none passing, the failure that got furthest is reported. */
export async function verifySubject(
  subject: { label: string; sha256: string },
  bundles: BundleCandidate[],
  options: VerifyOptions,
  contents?: () => Promise<string>,
): Promise<VerifyResult> {
  requireOneSigner(options);
  if (bundles.length === 0) {
    throw new VerificationFailure('bundle', `no signature: no Sigstore bundle is attached to ${subject.label}, so it is unsigned (or pass --bundle)`);
  }
  let best: VerificationFailure | undefined;
  for (const candidate of bundles) {
    let verified;
    try {
      const parsed = parseBundle(candidate.text, candidate.label);
      verified = await verifyParsed(parsed, subject.sha256, options, `${subject.label}'s`, 'it changed after signing, or the bundle is another one\'s');
    } catch (err) {
      if (!(err instanceof VerificationFailure)) throw err;
      if (!best || VERIFY_STEPS.indexOf(err.step) > VERIFY_STEPS.indexOf(best.step)) best = err;
      continue;
    }
    let detail = 'nothing inside to check';
    if (contents) {
      try {
        detail = await contents();
      } catch (err) {
        throw new VerificationFailure('contents', err instanceof Error ? err.message : String(err), err);
      }
    }
    verified.checks.push({ step: 'contents', detail });
    return { artifact: subject.label, sha256: subject.sha256, bundlePath: candidate.label, ...verified };
  }
  if (bundles.length === 1) throw best!;
  throw new VerificationFailure(best!.step, `none of the ${bundles.length} bundles attached to ${subject.label} verifies; the one that got furthest: ${best!.reason}`, best);
}

function requireOneSigner(options: VerifyOptions): void {
  if ((options.key === undefined) === (options.identity === undefined)) {
    throw new UserError('verify needs exactly one of a public key (--key) or a keyless identity (--repo)', { exitCode: 2 });
  }
}

/** Steps 2-4 on a parsed bundle: `sha256` is a subject, the signature is the expected signer's,
 * the provenance is what the user expects. */
async function verifyParsed(
  { bundle, statement }: { bundle: Bundle; statement: Statement },
  sha256: string,
  options: VerifyOptions,
  whose: string,
  hint: string,
): Promise<Omit<VerifyResult, 'artifact' | 'sha256' | 'bundlePath'>> {
  const checks: VerifyResult['checks'] = [];
  checks.push({ step: 'bundle', detail: `${bundle.mediaType}, DSSE in-toto statement (${statement.predicateType})` });

  // 2. The artifact is a subject of that statement.
  const subject = statement.subject.find((s) => s.digest?.sha256 === sha256);
  if (!subject) {
    const named = statement.subject.map((s) => `${s.name} (sha256 ${s.digest?.sha256 ?? 'none'})`).join(', ');
    throw new VerificationFailure('subject', `${whose} sha256 ${sha256} is not among the signed subjects [${named}]: ${hint}`);
  }
  checks.push({ step: 'subject', detail: `sha256 ${sha256} is subject ${subject.name}` });

  // 3. The signature, by the key or the identity the user trusts.
  const entity = toEntity(bundle);
  let signer: VerifyResult['signer'];
  if (options.key !== undefined) {
    const key = typeof options.key === 'string' ? await loadVerifyingKey(options.key) : options.key;
    signer = verifyWithKey(bundle, entity, key, typeof options.key === 'string' ? options.key : undefined);
    checks.push({ step: 'signature', detail: `signed by key ${key.keyId}` });
  } else {
    const identity = options.identity!;
    const content = bundle.verificationMaterial.content;
    if (content.$case === 'publicKey') {
      throw new VerificationFailure('signature', `the bundle is signed with a key (it names key ${content.publicKey.hint}), not keyless: verify it with --key`);
    }
    if (!options.trustedRoot) {
      throw new UserError(
        'keyless verification needs Sigstore trust roots: pass --trusted-root FILE (for example the output of `gh attestation trusted-root`)',
        { exitCode: 2 },
      );
    }
    const roots = await loadTrustedRoots(options.trustedRoot);
    signer = verifyKeyless(entity, roots, identity);
    checks.push({ step: 'signature', detail: `signed by ${signer.identity} (issuer ${signer.issuer})` });
  }

  // 4. The provenance says what the user expects of builder and source.
  const builderId = checkProvenance(statement, signer, options);
  checks.push({
    step: 'provenance',
    detail: [`builder ${builderId}`, options.sourceDigest ? `source ${options.sourceDigest}` : undefined].filter(Boolean).join(', '),
  });
  return { signer, ...(builderId ? { builderId } : {}), statement, checks };
}

export async function readBundleText(path: string, explicit: boolean): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new VerificationFailure(
        'bundle',
        explicit ? `bundle ${path} does not exist` : `no signature: ${path} does not exist, so the artifact is unsigned (or pass --bundle)`,
        err,
      );
    }
    throw new VerificationFailure('bundle', `cannot read ${path}: ${(err as Error).message}`, err);
  }
}

function parseBundle(text: string, path: string): { bundle: Bundle; statement: Statement } {
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(JSON.parse(text));
  } catch (err) {
    throw new VerificationFailure('bundle', `${path} is not a Sigstore bundle: ${(err as Error).message}`, err);
  }
  if (!isBundleWithDsseEnvelope(bundle)) throw new VerificationFailure('bundle', `${path} signs a message digest, not an attestation (no DSSE envelope)`);
  const envelope = bundle.content.dsseEnvelope;
  if (envelope.payloadType !== INTOTO_PAYLOAD_TYPE) {
    throw new VerificationFailure('bundle', `${path}: the envelope's payload is ${envelope.payloadType || 'untyped'}, not an in-toto statement`);
  }
  let statement: unknown;
  try {
    statement = JSON.parse(envelope.payload.toString('utf8'));
  } catch (err) {
    throw new VerificationFailure('bundle', `${path}: the envelope's payload is not JSON`, err);
  }
  if (!isStatement(statement)) throw new VerificationFailure('bundle', `${path}: the payload is not an in-toto Statement v1 with subjects`);
  return { bundle, statement };
}

function isStatement(x: unknown): x is Statement {
  const s = x as Statement;
  return (
    typeof x === 'object' &&
    x !== null &&
    s._type === STATEMENT_TYPE &&
    typeof s.predicateType === 'string' &&
    Array.isArray(s.subject) &&
    s.subject.every((sub) => typeof sub === 'object' && sub !== null && typeof sub.digest === 'object' && sub.digest !== null)
  );
}

function toEntity(bundle: Bundle): SignedEntity {
  try {
    return toSignedEntity(bundle);
  } catch (err) {
    throw new VerificationFailure('signature', `the bundle's verification material is unreadable: ${(err as Error).message}`, err);
  }
}

function verifyWithKey(bundle: Bundle, entity: SignedEntity, key: VerifyingKey, file: string | undefined): { kind: 'key'; keyId: string } {
  const material = bundle.verificationMaterial.content;
  if (material.$case !== 'publicKey') {
    throw new VerificationFailure('signature', 'the bundle is signed keyless (it carries a certificate, not a key hint): verify it with --repo, not --key');
  }
  try {
    new Verifier(keyTrustMaterial(key), { tlogThreshold: 0, ctlogThreshold: 0, tsaThreshold: 0 }).verify(entity);
  } catch (err) {
    const hint = material.publicKey.hint;
    const which = file ? `${file} (key id ${key.keyId})` : `key ${key.keyId}`;
    const reason =
      hint && hint !== key.keyId
        ? `the bundle was not signed by ${which}; it names key ${hint}`
        : `the signature does not verify with ${which}: the statement was altered after signing, or another key signed it`;
    throw new VerificationFailure('signature', `${reason} (${(err as Error).message})`, err);
  }
  return { kind: 'key', keyId: key.keyId };
}

function verifyKeyless(
  entity: SignedEntity,
  roots: TrustRoot[],
  identity: GitHubIdentity,
): { kind: 'certificate'; identity: string; issuer: string } {
  // A Fulcio certificate lives minutes; only a trusted timestamp shows it was valid at signing.
  if (entity.timestamps.length === 0) {
    throw new VerificationFailure('signature', 'the bundle has no timestamp (transparency log entry or RFC 3161 timestamp) to show its certificate was valid when it signed');
  }
  let signer: Signer | undefined;
  let failure: unknown;
  for (const root of roots) {
    try {
      signer = new Verifier(root.material, { tlogThreshold: 0, tsaThreshold: 0, ctlogThreshold: root.ctlogs > 0 ? 1 : 0 }).verify(entity);
      break;
    } catch (err) {
      failure = err;
    }
  }
  if (!signer) {
    const err = failure as Error & { code?: string; cause?: unknown };
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    throw new VerificationFailure('signature', `the keyless signature does not verify against the trusted root: ${err.message}${cause}`, err);
  }

  const san = signer.identity?.subjectAlternativeName ?? '';
  const issuer = signer.identity?.extensions?.issuer ?? '';
  const expectedIssuer = identity.issuer ?? GITHUB_ACTIONS_ISSUER;
  if (issuer !== expectedIssuer) {
    throw new VerificationFailure('signature', `the certificate's OIDC issuer is ${issuer || 'missing'}, expected ${expectedIssuer}`);
  }
  const server = (identity.serverUrl ?? 'https://github.com').replace(/\/+$/, '');
  const repoPrefix = `${server}/${identity.repository}/`;
  const workflow = identity.workflow ? (identity.workflow.includes('/') ? identity.workflow : `.github/workflows/${identity.workflow}`) : undefined;
  const expected = workflow ? `${repoPrefix}${workflow.replace(/^\/+/, '')}@` : `${repoPrefix}.github/workflows/`;
  // GitHub owner and repository names are case-insensitive; the rest of the identity is not.
  const matches = san.slice(0, repoPrefix.length).toLowerCase() === repoPrefix.toLowerCase() && san.slice(repoPrefix.length).startsWith(expected.slice(repoPrefix.length));
  if (!matches) {
    throw new VerificationFailure(
      'signature',
      `signed by ${san || 'an unnamed identity'}, not by ${workflow ? `workflow ${workflow} of` : 'a workflow of'} ${identity.repository} (expected ${expected}...)`,
    );
  }
  return { kind: 'certificate', identity: san, issuer };
}

function checkProvenance(statement: Statement, signer: VerifyResult['signer'], options: VerifyOptions): string | undefined {
  if (statement.predicateType !== SLSA_PROVENANCE_TYPE) {
    throw new VerificationFailure('provenance', `the statement's predicate is ${statement.predicateType}, not SLSA provenance v1 (${SLSA_PROVENANCE_TYPE})`);
  }
  const predicate = statement.predicate as
    | {
        buildDefinition?: { buildType?: unknown; resolvedDependencies?: { name?: string; uri?: string; digest?: Record<string, string> }[] };
        runDetails?: { builder?: { id?: unknown } };
      }
    | undefined;
  const builderId = predicate?.runDetails?.builder?.id;
  if (typeof builderId !== 'string' || typeof predicate?.buildDefinition?.buildType !== 'string') {
    throw new VerificationFailure('provenance', 'the SLSA predicate lacks buildDefinition.buildType or runDetails.builder.id');
  }
  // A keyless signer is the workflow that built: the provenance must not claim another builder.
  if (signer.kind === 'certificate' && builderId !== signer.identity) {
    throw new VerificationFailure('provenance', `the provenance names builder ${builderId}, but ${signer.identity} signed it`);
  }
  if (options.builderId !== undefined && builderId !== options.builderId) {
    throw new VerificationFailure('provenance', `built by ${builderId}, expected builder ${options.builderId}`);
  }
  if (options.sourceDigest !== undefined) {
    const want = options.sourceDigest.toLowerCase().replace(/^sha256:/, '');
    const sources = (predicate.buildDefinition.resolvedDependencies ?? []).filter((d) => d?.name === 'source');
    if (sources.length === 0) throw new VerificationFailure('provenance', 'the provenance names no source (it was signed without build inputs)');
    const digests = sources.flatMap((d) => Object.values(d.digest ?? {}));
    if (!digests.includes(want)) {
      throw new VerificationFailure('provenance', `built from source ${sources.map((d) => `${d.uri ?? '?'} (${Object.entries(d.digest ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')})`).join('; ')}, expected source digest ${want}`);
    }
  }
  return builderId;
}
