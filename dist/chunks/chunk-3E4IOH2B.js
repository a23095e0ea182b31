import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  UserError
} from "./chunk-YUDCMAJG.js";

// src/github/outputs.ts
import { readFile } from "node:fs/promises";
import path from "node:path";
var runner = () => import("./runner-LDPTU23O.js");
var MAX_PLAN_OUTPUT_BYTES = 9e5;
var SUMMARY_ROWS = 50;
function planJson(jobs, shards) {
  return { jobs: JSON.stringify(jobs), shards: JSON.stringify(shards) };
}
function planOutputs(jobs, shards, json = planJson(jobs, shards)) {
  const out = {
    count: String(jobs.length),
    "shard-count": String(shards.length),
    "shard-indexes": JSON.stringify(shards.map((_, i) => i))
  };
  if (2 * (json.jobs.length + json.shards.length) <= MAX_PLAN_OUTPUT_BYTES) {
    out.jobs = json.jobs;
    out.shards = json.shards;
  }
  return out;
}
function nowhereToWrite() {
  return !process.env.GITHUB_OUTPUT && !process.env.GITHUB_STEP_SUMMARY;
}
async function reportPlan(jobs, shards, json = () => planJson(jobs, shards)) {
  if (nowhereToWrite()) return;
  const { annotate, inActions, setOutputs, summaryTable } = await runner();
  if (!inActions()) return;
  if (process.env.GITHUB_OUTPUT) {
    const outputs = planOutputs(jobs, shards, json());
    if (outputs.jobs === void 0) {
      annotate(
        {
          level: "warning",
          title: "plan",
          message: `the plan (${jobs.length} jobs) is too large for step outputs: "jobs" and "shards" are left empty; read the plan file and fan out over "shard-indexes"`
        },
        { toStderr: true }
      );
    }
    setOutputs({ ...outputs });
  }
  const rows = jobs.slice(0, SUMMARY_ROWS).map((j) => [j.extension, j.version, j.platform, j.runner, j.key.slice(0, 12)]);
  const more = jobs.length > SUMMARY_ROWS ? `, of which the first ${SUMMARY_ROWS} are listed` : "";
  const note = jobs.length === 0 ? "Nothing to build." : `${jobs.length} job(s) in ${shards.length} shard(s)${more}.`;
  await summaryTable("trunkfarm plan", ["EXTENSION", "VERSION", "PLATFORM", "RUNNER", "KEY"], rows, note);
}
function buildOutput(dir, result) {
  const abs = path.resolve(dir);
  const a = result.artifacts;
  return {
    job: path.basename(abs),
    status: result.status,
    dir: abs,
    result: path.join(abs, "result.json"),
    trunk: a ? path.join(abs, a.trunk.file) : "",
    sha256: a?.trunk.sha256 ?? "",
    size: a?.trunk.size ?? 0,
    "oci-digest": a?.oci.digest ?? "",
    closure: result.closure ? result.closure.ok ? "ok" : "problems" : ""
  };
}
function buildOutputs(builds) {
  const all = builds.map((b) => buildOutput(b.dir, b.result));
  const out = {
    results: JSON.stringify(all),
    count: String(all.length),
    built: String(all.filter((b) => b.status === "built").length),
    failed: String(all.filter((b) => b.status === "failed").length)
  };
  if (all.length === 1) {
    for (const [k, v] of Object.entries(all[0])) out[k] = String(v);
  }
  return out;
}
function buildTable(builds, full) {
  const cut = (s, n) => s === void 0 ? "-" : full ? s : s.slice(0, n);
  const rows = builds.map(({ dir, result }) => [
    path.basename(dir),
    result.status === "built" ? "built" : `failed (${result.failure?.step})`,
    result.artifacts ? `${(result.artifacts.trunk.size / 1024).toFixed(0)} KiB` : "-",
    result.closure ? result.closure.ok ? `ok${result.closure.bundled.length ? `, ${result.closure.bundled.length} bundled` : ""}` : "problems" : "-",
    cut(result.artifacts?.trunk.sha256, 16),
    cut(result.artifacts?.oci.digest, 19)
  ]);
  return { header: ["JOB", "STATUS", "TRUNK", "CLOSURE", "SHA256", "OCI DIGEST"], rows };
}
async function reportBuild(builds) {
  if (nowhereToWrite()) return;
  const { setOutputs, summaryTable } = await runner();
  setOutputs(buildOutputs(builds));
  const { header, rows } = buildTable(builds, true);
  await summaryTable("trunkfarm build", header, rows);
}
var STEP_FIELDS = {
  source: ["source"],
  dependencies: ["dependencies", "packages"],
  compile: ["dependencies", "pipeline"],
  stage: ["contents"],
  // Where build.make, build.env or build.configure go to remove the flag.
  isa: ["build"],
  closure: ["dependencies", "packages"],
  package: ["contents"],
  smoke: ["test"],
  installcheck: ["test", "installcheck"]
};
async function reportClosure(result, options = {}) {
  const { annotate, summaryTables } = await runner();
  const { problemLine } = await import("./closure-WM3M4J2W.js");
  for (const f of result.files) {
    for (const p of f.problems) {
      const file = options.file?.(f.path);
      annotate({ level: p.severity, title: `closure: ${f.path}`, message: problemLine(p), ...file ? { file } : {} }, { toStderr: options.toStderr === true });
    }
  }
  const files = {
    header: ["File", "Verdict", "Needs", "Problems"],
    rows: result.files.map((f) => [f.path, f.verdict === "ok" ? "ok" : "fail", f.needed.join(", "), f.problems.map((p) => `${p.severity} ${p.kind}: ${p.message}`).join("<br>") || "-"])
  };
  const bundled = {
    header: ["Bundled", "File", "Package", "License", "SHA-256"],
    rows: result.bundled.map((b) => [b.soname, b.file, `${b.package ?? "-"} ${b.version ?? ""}`.trim(), b.license ?? "-", b.sha256.slice(0, 16)])
  };
  await summaryTables(options.title ?? `Closure check: ${result.ok ? "ok" : "failed"}`, result.bundled.length > 0 ? [files, bundled] : [files]);
}
async function annotateBuild(build, entry) {
  if (process.env.GITHUB_ACTIONS !== "true") return;
  const { dir, result } = build;
  const job = path.basename(dir);
  const closure = result.closure?.problems.length ? await readFile(path.join(dir, "closure.json"), "utf8").then((t) => JSON.parse(t), () => void 0) : void 0;
  if (closure?.files.some((f) => f.problems.length > 0)) {
    const stage = path.relative(process.cwd(), path.resolve(dir, "stage"));
    await reportClosure(closure, { title: `Closure check of ${job}: ${closure.ok ? "warnings" : "failed"}`, file: (checked) => path.join(stage, checked) });
  }
  if (result.status === "failed" && result.failure) {
    const { annotate } = await runner();
    const { line, col } = entry.locator.at(STEP_FIELDS[result.failure.step] ?? []);
    annotate({ level: "error", title: `trunkfarm build: ${job} failed at step ${result.failure.step}`, message: result.failure.message, file: entry.file, line, col });
  }
}
async function reportDiagnostics(diagnostics, options = {}) {
  if (process.env.GITHUB_ACTIONS !== "true" || diagnostics.length === 0) return;
  const { annotate } = await runner();
  for (const d of diagnostics) annotate({ level: "error", title: "matrix", message: `${d.field ? `${d.field}: ` : ""}${d.message}`, file: d.file, line: d.line, col: d.col }, options);
}
function publishOutputs(result) {
  return { index: result.index, published: String(result.entries.length) };
}
async function reportPublish(result) {
  if (nowhereToWrite()) return;
  const { setOutputs, summaryTable } = await runner();
  setOutputs(publishOutputs(result));
  const rows = result.entries.map((e) => [
    `${e.extension} ${e.version}`,
    e.platform,
    e.status,
    e.trunk ? `${(e.trunk.size / 1024).toFixed(0)} KiB` : "-",
    e.trunk ? `sha256:${e.trunk.sha256}` : "-",
    e.closure.ok ? "ok" : "problems",
    e.oci?.ref ?? "-",
    e.oci?.digest ?? "-",
    e.signature?.kind ?? "unsigned"
  ]);
  await summaryTable("trunkfarm publish", ["EXTENSION", "PLATFORM", "STATUS", "TRUNK", "TRUNK DIGEST", "CLOSURE", "IMAGE", "IMAGE DIGEST", "SIGNATURE"], rows, `index: ${result.index}`);
}

// src/github/log.ts
import { randomBytes } from "node:crypto";
var NONE = { begin: "", end: () => "" };
function untrustedFrame(env = process.env) {
  if (env.GITHUB_ACTIONS !== "true") return NONE;
  const token = randomBytes(16).toString("hex");
  return {
    begin: `::stop-commands::${token}
`,
    end: (last) => {
      const lastByte = typeof last === "string" ? last.at(-1) : last && last.length > 0 ? String.fromCharCode(last[last.length - 1]) : void 0;
      return `${lastByte === void 0 || lastByte === "\n" ? "" : "\n"}::${token}::
`;
    }
  };
}

// src/github/oidc.ts
function hasActionsIdToken(env = process.env) {
  return env.GITHUB_ACTIONS === "true" && !!env.ACTIONS_ID_TOKEN_REQUEST_URL && !!env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
}
function githubServerUrl(env = process.env) {
  return (env.GITHUB_SERVER_URL || "https://github.com").replace(/\/+$/, "");
}
async function requestIdToken(env = process.env, audience = "trunkfarm") {
  if (!hasActionsIdToken(env)) {
    throw new UserError("no GitHub Actions OIDC token here: the job needs `permissions: id-token: write`");
  }
  const url = new URL(env.ACTIONS_ID_TOKEN_REQUEST_URL);
  url.searchParams.set("audience", audience);
  let value;
  try {
    const res = await fetch(url, { headers: { Authorization: `Bearer ${env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}`, Accept: "application/json" } });
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    value = (await res.json()).value;
  } catch (err) {
    throw new UserError(`could not get the workflow's OIDC token: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (typeof value !== "string" || value === "") throw new UserError("the OIDC token endpoint answered without a token");
  return value;
}
function decodeJwtClaims(token) {
  const payload = token.split(".")[1];
  if (payload === void 0) throw new UserError("the Actions OIDC token is not a JWT");
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    if (typeof claims !== "object" || claims === null) throw new Error("claims are not an object");
    return claims;
  } catch (err) {
    throw new UserError(`the Actions OIDC token has unreadable claims: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export {
  untrustedFrame,
  hasActionsIdToken,
  githubServerUrl,
  requestIdToken,
  decodeJwtClaims,
  planJson,
  reportPlan,
  buildTable,
  reportBuild,
  reportClosure,
  annotateBuild,
  reportDiagnostics,
  reportPublish
};
