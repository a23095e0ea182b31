import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  VERIFY_STEPS,
  VerificationFailure,
  bundleCovers,
  chooseSigningMethod,
  expectedSigner,
  fileBundleCovers,
  readBundleText,
  signArtifact,
  signKeyless,
  signStatement,
  signSubject,
  signWithKey,
  verifyArtifact,
  verifySubject
} from "./chunk-DM52VJJH.js";
import {
  KEY_TYPES,
  PASSPHRASE_ENV,
  generateKeyFiles,
  keyId,
  loadSigningKey,
  loadVerifyingKey
} from "./chunk-YANJMYRF.js";
import "./chunk-FPGNSVBA.js";
import {
  BUNDLE_SUFFIX,
  FARM_BUILD_TYPE,
  GITHUB_ACTIONS_ISSUER,
  INTOTO_PAYLOAD_TYPE,
  SIDECAR_SUFFIX,
  SLSA_PROVENANCE_TYPE,
  STATEMENT_TYPE,
  buildProvenance,
  builderImageInput,
  githubRunFromClaims,
  loadGitHubRun,
  localBuilderId,
  readSidecar,
  sidecarPath,
  writeSidecar
} from "./chunk-JZTTVZPV.js";
import "./chunk-3E4IOH2B.js";
import "./chunk-BS25TXF5.js";
import "./chunk-MNVUPTDJ.js";
import "./chunk-APBUJ7GA.js";
import "./chunk-YUDCMAJG.js";
import "./chunk-WQPCGQ3Y.js";
export {
  BUNDLE_SUFFIX,
  FARM_BUILD_TYPE,
  GITHUB_ACTIONS_ISSUER,
  INTOTO_PAYLOAD_TYPE,
  KEY_TYPES,
  PASSPHRASE_ENV,
  SIDECAR_SUFFIX,
  SLSA_PROVENANCE_TYPE,
  STATEMENT_TYPE,
  VERIFY_STEPS,
  VerificationFailure,
  buildProvenance,
  builderImageInput,
  bundleCovers,
  chooseSigningMethod,
  expectedSigner,
  fileBundleCovers,
  generateKeyFiles,
  githubRunFromClaims,
  keyId,
  loadGitHubRun,
  loadSigningKey,
  loadVerifyingKey,
  localBuilderId,
  readBundleText,
  readSidecar,
  sidecarPath,
  signArtifact,
  signKeyless,
  signStatement,
  signSubject,
  signWithKey,
  verifyArtifact,
  verifySubject,
  writeSidecar
};
