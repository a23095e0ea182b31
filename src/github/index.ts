// The one adapter between trunkfarm and GitHub: step outputs, job summaries and annotations
// (outputs.ts, through runner.ts), framing of untrusted output (log.ts), the workflow's OIDC token
// (oidc.ts), keyless attestation (attest.ts) and the REST API client (api.ts).
//
// This barrel holds what every command may load. runner.ts (@actions/core), attest.ts
// (@actions/attest) and api.ts (octokit) bring HTTP clients of their own, so they are imported by
// path by the few modules that use them (outputs.ts loads runner.ts only inside Actions, signing
// loads attest.ts, publishing api.ts), and a build or a plan does not pay for them.
export { type UntrustedFrame, untrustedFrame } from './log.ts';
export { decodeJwtClaims, githubServerUrl, hasActionsIdToken, requestIdToken } from './oidc.ts';
export {
  annotateBuild,
  buildOutput,
  buildOutputs,
  buildTable,
  type BuildOutput,
  type EntryLocation,
  MAX_PLAN_OUTPUT_BYTES,
  planJson,
  planOutputs,
  type PlanJson,
  type PlanOutputs,
  publishOutputs,
  reportBuild,
  reportClosure,
  reportDiagnostics,
  reportPlan,
  reportPublish,
  SUMMARY_ROWS,
} from './outputs.ts';
