import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  decodeJwtClaims,
  githubServerUrl,
  requestIdToken
} from "./chunk-3E4IOH2B.js";
import {
  external_exports
} from "./chunk-BS25TXF5.js";
import {
  writeAtomic
} from "./chunk-MNVUPTDJ.js";
import {
  VERSION
} from "./chunk-APBUJ7GA.js";
import {
  UserError
} from "./chunk-YUDCMAJG.js";

// src/sign/types.ts
var STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
var SLSA_PROVENANCE_TYPE = "https://slsa.dev/provenance/v1";
var INTOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";
var FARM_BUILD_TYPE = "https://trunkfarm.dev/buildtypes/extension/v1";
var LOCAL_BUILDER_PREFIX = "https://trunkfarm.dev/builders/local/";
var GITHUB_ACTIONS_ISSUER = "https://token.actions.githubusercontent.com";
var BUNDLE_SUFFIX = ".sigstore.json";
var SIDECAR_SUFFIX = ".provenance-input.json";

// src/sign/provenance.ts
import { hostname } from "node:os";
var SHA256_HEX = /^[0-9a-f]{64}$/;
function buildProvenance(input) {
  if (input.subjects.length === 0) throw new UserError("provenance: no subjects (artifacts) to describe");
  for (const s of input.subjects) checkSubject(s);
  return {
    _type: STATEMENT_TYPE,
    subject: input.subjects.map((s) => ({ name: s.name, digest: { ...s.digest } })),
    predicateType: SLSA_PROVENANCE_TYPE,
    predicate: buildPredicate(input)
  };
}
function buildPredicate(input) {
  const gh = input.github;
  const externalParameters = {};
  if (gh) externalParameters.workflow = { ref: gh.ref, repository: `${gh.serverUrl}/${gh.repository}`, path: gh.workflowPath };
  if (input.entry) externalParameters.entry = input.entry;
  if (input.platform) externalParameters.platform = { ...input.platform };
  const internalParameters = {};
  if (gh) {
    internalParameters.github = {
      event_name: gh.eventName,
      repository_id: gh.repositoryId,
      repository_owner_id: gh.repositoryOwnerId,
      runner_environment: gh.runnerEnvironment
    };
  }
  internalParameters.trunkfarm = { version: VERSION, ...input.buildKey ? { buildKey: input.buildKey } : {} };
  const resolvedDependencies = [];
  if (gh) resolvedDependencies.push({ uri: `git+${gh.serverUrl}/${gh.repository}@${gh.ref}`, digest: { gitCommit: gh.sha } });
  if (input.source) resolvedDependencies.push(sourceDescriptor(input.source));
  if (input.builderImage) {
    const { ref, digest, digestOf } = input.builderImage;
    resolvedDependencies.push({ name: "builder-image", uri: ref, digest: { sha256: imageDigest(digest) }, ...digestOf ? { annotations: { digestOf } } : {} });
  }
  const metadata = {};
  if (gh) metadata.invocationId = `${gh.serverUrl}/${gh.repository}/actions/runs/${gh.runId}/attempts/${gh.runAttempt}`;
  if (input.startedOn) metadata.startedOn = timestamp("startedOn", input.startedOn);
  if (input.finishedOn) metadata.finishedOn = timestamp("finishedOn", input.finishedOn);
  return {
    buildDefinition: {
      buildType: FARM_BUILD_TYPE,
      externalParameters,
      internalParameters,
      ...resolvedDependencies.length > 0 ? { resolvedDependencies } : {}
    },
    runDetails: {
      builder: { id: gh ? `${gh.serverUrl}/${gh.jobWorkflowRef}` : input.builderId ?? localBuilderId() },
      ...Object.keys(metadata).length > 0 ? { metadata } : {}
    }
  };
}
function localBuilderId(env = process.env) {
  const named = env.TRUNKFARM_BUILDER_ID;
  if (named) {
    if (!URL.canParse(named)) throw new UserError(`TRUNKFARM_BUILDER_ID must be a URI, got "${named}"`);
    return named;
  }
  return `${LOCAL_BUILDER_PREFIX}${encodeURIComponent(hostname())}`;
}
async function loadGitHubRun(env = process.env) {
  return githubRunFromClaims(decodeJwtClaims(await requestIdToken(env)), githubServerUrl(env));
}
function githubRunFromClaims(claims, serverUrl) {
  const missing = REQUIRED_CLAIMS.filter((c2) => typeof claims[c2] !== "string" && typeof claims[c2] !== "number");
  if (missing.length > 0) throw new UserError(`the Actions OIDC token lacks claims: ${missing.join(", ")}`);
  const c = (name) => String(claims[name]);
  const [workflowPath = ""] = c("workflow_ref").replace(`${c("repository")}/`, "").split("@");
  return {
    serverUrl: serverUrl.replace(/\/+$/, ""),
    repository: c("repository"),
    repositoryId: c("repository_id"),
    repositoryOwnerId: c("repository_owner_id"),
    ref: c("ref"),
    sha: c("sha"),
    workflowPath,
    jobWorkflowRef: c("job_workflow_ref"),
    eventName: c("event_name"),
    runnerEnvironment: c("runner_environment"),
    runId: c("run_id"),
    runAttempt: c("run_attempt")
  };
}
var REQUIRED_CLAIMS = [
  "ref",
  "sha",
  "repository",
  "event_name",
  "job_workflow_ref",
  "workflow_ref",
  "repository_id",
  "repository_owner_id",
  "runner_environment",
  "run_id",
  "run_attempt"
];
function sourceDescriptor(source) {
  if ("sha256" in source) {
    if (!SHA256_HEX.test(source.sha256)) throw new UserError(`provenance: source.sha256 must be 64 lowercase hex digits, got "${source.sha256}"`);
    return { name: "source", uri: source.uri, digest: { sha256: source.sha256 } };
  }
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(source.gitCommit)) {
    throw new UserError(`provenance: source.gitCommit must be a full commit hash, got "${source.gitCommit}"`);
  }
  return { name: "source", uri: source.uri, digest: { gitCommit: source.gitCommit } };
}
function builderImageInput(ref, image) {
  const repository = imageRepository(ref);
  const manifest = image.repoDigests.find((d) => imageRepository(d) === repository && /@sha256:[0-9a-f]{64}$/.test(d));
  return manifest ? { ref, digest: manifest.slice(manifest.lastIndexOf("@") + 1), digestOf: "manifest" } : { ref, digest: image.id, digestOf: "image-config" };
}
function imageRepository(ref) {
  const name = ref.split("@")[0];
  const slash = name.lastIndexOf("/");
  const colon = name.lastIndexOf(":");
  return (colon > slash ? name.slice(0, colon) : name).toLowerCase();
}
function imageDigest(digest) {
  const hex = digest.startsWith("sha256:") ? digest.slice("sha256:".length) : digest;
  if (!SHA256_HEX.test(hex)) throw new UserError(`provenance: builder image digest must be sha256:<64 hex digits>, got "${digest}"`);
  return hex;
}
function checkSubject(s) {
  const hex = s.digest.sha256;
  if (!s.name) throw new UserError("provenance: a subject has no name");
  if (hex === void 0 || !SHA256_HEX.test(hex)) throw new UserError(`provenance: subject ${s.name} needs a sha256 digest (64 lowercase hex digits)`);
}
function timestamp(field, value) {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new UserError(`provenance: ${field} is not a date: "${value}"`);
  return new Date(ms).toISOString();
}

// src/sign/sidecar.ts
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
var hex64 = external_exports.string().regex(/^[0-9a-f]{64}$/, "expected 64 lowercase hex digits");
var uri = external_exports.string().refine((s) => URL.canParse(s), "expected a URI");
var date = external_exports.string().refine((s) => !Number.isNaN(Date.parse(s)), "expected an ISO 8601 date");
var sidecarSchema = external_exports.strictObject({
  version: external_exports.literal(1),
  artifact: external_exports.strictObject({ name: external_exports.string().min(1), sha256: hex64 }),
  entry: external_exports.record(external_exports.string(), external_exports.unknown()).optional(),
  platform: external_exports.strictObject({ name: external_exports.string().min(1), builder: external_exports.string().min(1), base: external_exports.string().min(1) }).optional(),
  source: external_exports.union([
    external_exports.strictObject({ uri, sha256: hex64 }),
    external_exports.strictObject({ uri, gitCommit: external_exports.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, "expected a full commit hash") })
  ]).optional(),
  builderImage: external_exports.strictObject({
    ref: external_exports.string().min(1),
    digest: external_exports.string().regex(/^(sha256:)?[0-9a-f]{64}$/, "expected sha256:<64 hex digits>"),
    digestOf: external_exports.enum(["manifest", "image-config"]).optional()
  }).optional(),
  buildKey: external_exports.string().min(1).optional(),
  startedOn: date.optional(),
  finishedOn: date.optional()
});
function sidecarPath(artifact) {
  return `${artifact}${SIDECAR_SUFFIX}`;
}
async function readSidecar(path) {
  let text;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if (err.code === "ENOENT") return void 0;
    throw new UserError(`cannot read ${path}: ${err.message}`, { cause: err });
  }
  let data;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${path}: not JSON: ${err.message}`, { cause: err });
  }
  const parsed = sidecarSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.join(".") : "(top level)";
    throw new UserError(`${path}: ${where}: ${issue.message}`);
  }
  return parsed.data;
}
async function writeSidecar(artifact, sha256, input) {
  const sidecar = { version: 1, artifact: { name: basename(artifact), sha256 }, ...input };
  const path = sidecarPath(artifact);
  await writeAtomic(path, `${JSON.stringify(sidecar, null, 2)}
`);
  return path;
}
function sidecarToInput(sidecar, path, digest) {
  if (sidecar.artifact.sha256 !== digest) {
    throw new UserError(
      `${path} describes ${sidecar.artifact.name} with sha256 ${sidecar.artifact.sha256}, but the artifact's sha256 is ${digest}: the sidecar belongs to another build`
    );
  }
  const { version: _v, artifact: _a, entry, ...rest } = sidecar;
  return { ...rest, ...entry ? { entry } : {} };
}

export {
  STATEMENT_TYPE,
  SLSA_PROVENANCE_TYPE,
  INTOTO_PAYLOAD_TYPE,
  FARM_BUILD_TYPE,
  GITHUB_ACTIONS_ISSUER,
  BUNDLE_SUFFIX,
  SIDECAR_SUFFIX,
  buildProvenance,
  localBuilderId,
  loadGitHubRun,
  githubRunFromClaims,
  builderImageInput,
  sidecarPath,
  readSidecar,
  writeSidecar,
  sidecarToInput
};
