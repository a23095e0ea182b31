// The formats this stage reads and writes, as plain data: in-toto statements, the SLSA provenance
// predicate, the inputs a build hands over for its provenance. The code that builds, signs and
// verifies them lives in the modules beside this one.

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const SLSA_PROVENANCE_TYPE = 'https://slsa.dev/provenance/v1';
export const INTOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** The build type of farm builds. Documented in src/sign/README.md; a change to the meaning of its
 * parameters gets a new version (`.../extension/v2`), never a silent edit. */
export const FARM_BUILD_TYPE = 'https://trunkfarm.dev/buildtypes/extension/v1';

/** Builder id of a farm run outside GitHub Actions: the farm named by the machine it runs on. */
export const LOCAL_BUILDER_PREFIX = 'https://trunkfarm.dev/builders/local/';

/** The OIDC issuer of GitHub Actions' workflow identity tokens on github.com. */
export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

/** Bundles live beside the artifact they sign: `FILE.sigstore.json`. */
export const BUNDLE_SUFFIX = '.sigstore.json';

/** What a build leaves beside an artifact for `trunkfarm sign`: `FILE.provenance-input.json`. */
export const SIDECAR_SUFFIX = '.provenance-input.json';

type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

type DigestSet = Record<string, string>;

export interface Subject {
  name: string;
  digest: DigestSet;
}

/** SLSA v1 ResourceDescriptor (the fields we use). */
export interface ResourceDescriptor {
  uri?: string;
  digest?: DigestSet;
  name?: string;
  annotations?: JsonObject;
}

export interface Statement<P = unknown> {
  _type: typeof STATEMENT_TYPE;
  subject: Subject[];
  predicateType: string;
  predicate?: P;
}

/** GitHub's part of the parameters, exactly as @actions/attest's buildSLSAProvenancePredicate
 * writes them. */
interface GitHubWorkflowParameters {
  ref: string;
  repository: string;
  path: string;
}
interface GitHubInternalParameters {
  event_name: string;
  repository_id: string;
  repository_owner_id: string;
  runner_environment: string;
}

export interface FarmExternalParameters {
  /** The matrix entry the job was expanded from, as data. */
  entry?: JsonObject;
  platform?: PlatformParameters;
  workflow?: GitHubWorkflowParameters;
}
export interface FarmInternalParameters {
  github?: GitHubInternalParameters;
  trunkfarm?: { version: string; buildKey?: string };
}

/** SLSA provenance v1 predicate. */
export interface ProvenancePredicate {
  buildDefinition: {
    buildType: string;
    externalParameters: FarmExternalParameters;
    internalParameters?: FarmInternalParameters;
    resolvedDependencies?: ResourceDescriptor[];
  };
  runDetails: {
    builder: { id: string; version?: Record<string, string> };
    metadata?: { invocationId?: string; startedOn?: string; finishedOn?: string };
    byproducts?: ResourceDescriptor[];
  };
}

export type ProvenanceStatement = Statement<ProvenancePredicate>;

/** A platform as provenance records it: its name and the images the matrix gives it. */
export interface PlatformParameters {
  name: string;
  builder: string;
  base: string;
}

/** Where the sources came from: a downloaded archive, or a git commit. */
export type SourceInput =
  | { uri: string; sha256: string }
  | { uri: string; gitCommit: string };

/** An image as a build actually used it: the reference it was pulled or built as, and the
 * sha256 of its manifest (or image id where there is no manifest). */
export interface ImageInput {
  ref: string;
  digest: string;
  /** What `digest` is the digest of: the registry manifest the image is pulled by (what
   * `REF@DIGEST` names), or the image configuration (the engine's image id), for an image known
   * by no manifest digest. Recorded as the descriptor's `digestOf` annotation. */
  digestOf?: 'manifest' | 'image-config';
}

/** The facts of one GitHub Actions run, from the workflow's OIDC token claims. */
export interface GitHubRun {
  /** `https://github.com`, or a GitHub Enterprise server. */
  serverUrl: string;
  /** `owner/repo`. */
  repository: string;
  repositoryId: string;
  repositoryOwnerId: string;
  ref: string;
  sha: string;
  /** Path of the workflow file inside the repository: `.github/workflows/build.yml`. */
  workflowPath: string;
  /** `owner/repo/.github/workflows/build.yml@refs/heads/main`: the workflow the job ran, which is
   * the caller's own one or a reusable workflow; the signing certificate names this one. */
  jobWorkflowRef: string;
  eventName: string;
  runnerEnvironment: string;
  runId: string;
  runAttempt: string;
}

/** What the build stage knows of a build, all of it optional: a statement says only what it was
 * told. */
interface BuildFacts {
  entry?: JsonObject;
  platform?: PlatformParameters;
  source?: SourceInput;
  builderImage?: ImageInput;
  buildKey?: string;
  startedOn?: string;
  finishedOn?: string;
}

/** What provenance records: the subjects (the one required part), the build's facts, and who ran
 * it. */
export interface ProvenanceInput extends BuildFacts {
  subjects: Subject[];
  /** Set when running in GitHub Actions. */
  github?: GitHubRun;
  /** Builder id outside GitHub; defaults to the local farm on this host. */
  builderId?: string;
}

/** The sidecar file a build leaves beside each artifact, `FILE.provenance-input.json`, so that
 * `trunkfarm sign FILE` can sign it later with full provenance: the build's facts for one
 * artifact. Documented in src/sign/README.md. */
export interface ProvenanceSidecar extends BuildFacts {
  /** Always 1; a reader refuses other versions. */
  version: 1;
  /** The artifact this describes; signing refuses a sidecar whose digest is not the file's. */
  artifact: { name: string; sha256: string };
}
