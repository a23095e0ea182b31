// The signing stage's public surface: provenance, keys, signing and verifying.
export {
  BUNDLE_SUFFIX,
  FARM_BUILD_TYPE,
  GITHUB_ACTIONS_ISSUER,
  INTOTO_PAYLOAD_TYPE,
  SIDECAR_SUFFIX,
  SLSA_PROVENANCE_TYPE,
  STATEMENT_TYPE,
} from './types.ts';
export type {
  GitHubRun,
  ImageInput,
  JsonObject,
  PlatformParameters,
  ProvenanceInput,
  ProvenancePredicate,
  ProvenanceSidecar,
  ProvenanceStatement,
  ResourceDescriptor,
  SourceInput,
  Statement,
  Subject,
} from './types.ts';
export { buildProvenance, builderImageInput, githubRunFromClaims, loadGitHubRun, localBuilderId } from './provenance.ts';
export { readSidecar, sidecarPath, writeSidecar } from './sidecar.ts';
export {
  generateKeyFiles,
  KEY_TYPES,
  keyId,
  loadSigningKey,
  loadVerifyingKey,
  PASSPHRASE_ENV,
  type KeygenResult,
  type KeyType,
  type SigningKey,
  type VerifyingKey,
} from './key.ts';
export {
  chooseSigningMethod,
  expectedSigner,
  signArtifact,
  signKeyless,
  signStatement,
  signSubject,
  signWithKey,
  type KeylessOptions,
  type KeylessResult,
  type SignArtifactOptions,
  type SigningMethod,
  type SignResult,
  type SignSubjectOptions,
} from './sign.ts';
export { bundleCovers, fileBundleCovers, type SignerExpectation } from './covers.ts';
export {
  readBundleText,
  VerificationFailure,
  verifyArtifact,
  verifySubject,
  VERIFY_STEPS,
  type BundleCandidate,
  type GitHubIdentity,
  type TrunkContentsCheck,
  type VerifyOptions,
  type VerifyResult,
  type VerifyStep,
} from './verify.ts';
