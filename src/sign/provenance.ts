// SLSA provenance v1 for farm builds. Where GitHub's own attestations and ours say the same thing
// (the workflow, the run, the repository commit), the fields are exactly those @actions/attest's
// buildSLSAProvenancePredicate writes, so tools that read GitHub's provenance read ours. What only a
// farm knows (matrix entry, platform, source archive, builder image) goes beside them.
import { hostname } from 'node:os';
import { UserError } from '../errors.ts';
import { decodeJwtClaims, githubServerUrl, requestIdToken } from '../github/index.ts';
import { VERSION } from '../version.ts';
import {
  FARM_BUILD_TYPE,
  LOCAL_BUILDER_PREFIX,
  SLSA_PROVENANCE_TYPE,
  STATEMENT_TYPE,
  type FarmExternalParameters,
  type FarmInternalParameters,
  type GitHubRun,
  type ImageInput,
  type ProvenanceInput,
  type ProvenancePredicate,
  type ProvenanceStatement,
  type ResourceDescriptor,
  type SourceInput,
  type Subject,
} from './types.ts';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Builds the in-toto statement, with the SLSA provenance v1 predicate, for one build's artifacts. */
export function buildProvenance(input: ProvenanceInput): ProvenanceStatement {
  if (input.subjects.length === 0) throw new UserError('provenance: no subjects (artifacts) to describe');
  for (const s of input.subjects) checkSubject(s);
  return {
    _type: STATEMENT_TYPE,
    subject: input.subjects.map((s) => ({ name: s.name, digest: { ...s.digest } })),
    predicateType: SLSA_PROVENANCE_TYPE,
    predicate: buildPredicate(input),
  };
}

function buildPredicate(input: ProvenanceInput): ProvenancePredicate {
  const gh = input.github;

  const externalParameters: FarmExternalParameters = {};
  if (gh) externalParameters.workflow = { ref: gh.ref, repository: `${gh.serverUrl}/${gh.repository}`, path: gh.workflowPath };
  if (input.entry) externalParameters.entry = input.entry;
  if (input.platform) externalParameters.platform = { ...input.platform };

  const internalParameters: FarmInternalParameters = {};
  if (gh) {
    internalParameters.github = {
      event_name: gh.eventName,
      repository_id: gh.repositoryId,
      repository_owner_id: gh.repositoryOwnerId,
      runner_environment: gh.runnerEnvironment,
    };
  }
  internalParameters.trunkfarm = { version: VERSION, ...(input.buildKey ? { buildKey: input.buildKey } : {}) };

  const resolvedDependencies: ResourceDescriptor[] = [];
  if (gh) resolvedDependencies.push({ uri: `git+${gh.serverUrl}/${gh.repository}@${gh.ref}`, digest: { gitCommit: gh.sha } });
  if (input.source) resolvedDependencies.push(sourceDescriptor(input.source));
  if (input.builderImage) {
    const { ref, digest, digestOf } = input.builderImage;
    resolvedDependencies.push({ name: 'builder-image', uri: ref, digest: { sha256: imageDigest(digest) }, ...(digestOf ? { annotations: { digestOf } } : {}) });
  }

  const metadata: NonNullable<ProvenancePredicate['runDetails']['metadata']> = {};
  if (gh) metadata.invocationId = `${gh.serverUrl}/${gh.repository}/actions/runs/${gh.runId}/attempts/${gh.runAttempt}`;
  if (input.startedOn) metadata.startedOn = timestamp('startedOn', input.startedOn);
  if (input.finishedOn) metadata.finishedOn = timestamp('finishedOn', input.finishedOn);

  return {
    buildDefinition: {
      buildType: FARM_BUILD_TYPE,
      externalParameters,
      internalParameters,
      ...(resolvedDependencies.length > 0 ? { resolvedDependencies } : {}),
    },
    runDetails: {
      builder: { id: gh ? `${gh.serverUrl}/${gh.jobWorkflowRef}` : (input.builderId ?? localBuilderId()) },
      ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    },
  };
}

/** Builder id of a farm outside GitHub: `TRUNKFARM_BUILDER_ID` when the farm names itself, else
 * this host. */
export function localBuilderId(env: NodeJS.ProcessEnv = process.env): string {
  const named = env.TRUNKFARM_BUILDER_ID;
  if (named) {
    if (!URL.canParse(named)) throw new UserError(`TRUNKFARM_BUILDER_ID must be a URI, got "${named}"`);
    return named;
  }
  return `${LOCAL_BUILDER_PREFIX}${encodeURIComponent(hostname())}`;
}

/** Reads the run's facts from a fresh workflow OIDC token. The token is not verified here: it comes
 * from the runner itself, and the signing certificate Fulcio issues from it is what a verifier
 * trusts; these claims only describe the run, and they say what the certificate will say. */
export async function loadGitHubRun(env: NodeJS.ProcessEnv = process.env): Promise<GitHubRun> {
  return githubRunFromClaims(decodeJwtClaims(await requestIdToken(env)), githubServerUrl(env));
}

/** Maps the claims of a GitHub Actions OIDC token to the facts provenance records, the way
 * @actions/attest derives them. */
export function githubRunFromClaims(claims: Record<string, unknown>, serverUrl: string): GitHubRun {
  const missing = REQUIRED_CLAIMS.filter((c) => typeof claims[c] !== 'string' && typeof claims[c] !== 'number');
  if (missing.length > 0) throw new UserError(`the Actions OIDC token lacks claims: ${missing.join(', ')}`);
  const c = (name: (typeof REQUIRED_CLAIMS)[number]): string => String(claims[name]);
  // owner/repo/.github/workflows/main.yml@refs/heads/main -> .github/workflows/main.yml
  const [workflowPath = ''] = c('workflow_ref').replace(`${c('repository')}/`, '').split('@');
  return {
    serverUrl: serverUrl.replace(/\/+$/, ''),
    repository: c('repository'),
    repositoryId: c('repository_id'),
    repositoryOwnerId: c('repository_owner_id'),
    ref: c('ref'),
    sha: c('sha'),
    workflowPath,
    jobWorkflowRef: c('job_workflow_ref'),
    eventName: c('event_name'),
    runnerEnvironment: c('runner_environment'),
    runId: c('run_id'),
    runAttempt: c('run_attempt'),
  };
}

const REQUIRED_CLAIMS = [
  'ref',
  'sha',
  'repository',
  'event_name',
  'job_workflow_ref',
  'workflow_ref',
  'repository_id',
  'repository_owner_id',
  'runner_environment',
  'run_id',
  'run_attempt',
] as const;

function sourceDescriptor(source: SourceInput): ResourceDescriptor {
  if ('sha256' in source) {
    if (!SHA256_HEX.test(source.sha256)) throw new UserError(`provenance: source.sha256 must be 64 lowercase hex digits, got "${source.sha256}"`);
    return { name: 'source', uri: source.uri, digest: { sha256: source.sha256 } };
  }
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(source.gitCommit)) {
    throw new UserError(`provenance: source.gitCommit must be a full commit hash, got "${source.gitCommit}"`);
  }
  return { name: 'source', uri: source.uri, digest: { gitCommit: source.gitCommit } };
}

/** The builder image as provenance records it: the manifest digest the image is known by in the
 * repository of `ref` (one of the engine's RepoDigests, `REPO@sha256:...`), which is what pulling
 * `REF@DIGEST` fetches; else the image id (the digest of its configuration), labelled as such. */
export function builderImageInput(ref: string, image: { id: string; repoDigests: string[] }): ImageInput {
  const repository = imageRepository(ref);
  const manifest = image.repoDigests.find((d) => imageRepository(d) === repository && /@sha256:[0-9a-f]{64}$/.test(d));
  return manifest ? { ref, digest: manifest.slice(manifest.lastIndexOf('@') + 1), digestOf: 'manifest' } : { ref, digest: image.id, digestOf: 'image-config' };
}

/** `host/path` of an image reference, without tag or digest, lower-cased. */
function imageRepository(ref: string): string {
  const name = ref.split('@')[0]!;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  return (colon > slash ? name.slice(0, colon) : name).toLowerCase();
}

/** Accepts `sha256:HEX` (as registries and podman print it) or bare hex. */
function imageDigest(digest: string): string {
  const hex = digest.startsWith('sha256:') ? digest.slice('sha256:'.length) : digest;
  if (!SHA256_HEX.test(hex)) throw new UserError(`provenance: builder image digest must be sha256:<64 hex digits>, got "${digest}"`);
  return hex;
}

function checkSubject(s: Subject): void {
  const hex = s.digest.sha256;
  if (!s.name) throw new UserError('provenance: a subject has no name');
  if (hex === undefined || !SHA256_HEX.test(hex)) throw new UserError(`provenance: subject ${s.name} needs a sha256 digest (64 lowercase hex digits)`);
}

function timestamp(field: string, value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new UserError(`provenance: ${field} is not a date: "${value}"`);
  return new Date(ms).toISOString();
}
