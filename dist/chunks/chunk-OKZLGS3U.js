import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  ARCHES,
  LIBCS
} from "./chunk-VABCLRSN.js";
import {
  external_exports
} from "./chunk-BS25TXF5.js";
import {
  UserError
} from "./chunk-YUDCMAJG.js";

// src/publish/index-schema.ts
var text = external_exports.string().min(1);
var bundledLibrary = external_exports.object({
  soname: text,
  file: text,
  sha256: text,
  size: external_exports.number().int().nonnegative(),
  package: external_exports.string().optional(),
  packageVersion: external_exports.string().optional(),
  license: external_exports.string().optional()
});
var indexEntry = external_exports.object({
  key: external_exports.string().min(1).max(256),
  extension: text,
  version: text,
  pg: external_exports.number().int().min(1).max(999),
  arch: external_exports.enum(ARCHES),
  libc: external_exports.enum(LIBCS),
  platform: text,
  isa: external_exports.string().optional(),
  status: external_exports.enum(["built", "failed"]),
  failure: external_exports.object({ step: external_exports.string(), message: external_exports.string() }).optional(),
  trunk: external_exports.object({ file: text, sha256: text, size: external_exports.number().int().nonnegative(), files: external_exports.number().int().nonnegative(), url: external_exports.string().optional() }).optional(),
  oci: external_exports.object({ ref: text, digest: text, size: external_exports.number().int().nonnegative() }).optional(),
  closure: external_exports.object({
    ok: external_exports.boolean(),
    bundled: external_exports.array(bundledLibrary),
    problems: external_exports.array(external_exports.object({ file: external_exports.string(), message: external_exports.string() }))
  }),
  signature: external_exports.object({ bundle: text, kind: external_exports.enum(["key", "keyless"]) }).optional(),
  provenance: external_exports.object({
    source: external_exports.string(),
    sourceDigest: external_exports.string(),
    builderImage: external_exports.string(),
    baseImage: external_exports.string(),
    runUrl: external_exports.string().optional()
  }),
  logUrl: external_exports.string().optional(),
  builtAt: text
});
var indexFileSchema = external_exports.object({
  version: external_exports.literal(1),
  generatedAt: text,
  entries: external_exports.array(indexEntry)
});
function formatPath(at) {
  return at.reduce((s, p) => typeof p === "number" ? `${s}[${p}]` : s ? `${s}.${String(p)}` : String(p), "") || "(top level)";
}

// src/publish/index-merge.ts
function emptyIndex(now = /* @__PURE__ */ new Date()) {
  return { version: 1, generatedAt: now.toISOString(), entries: [] };
}
var REQUIRED_STRINGS = ["key", "extension", "version", "platform", "builtAt"];
function checkEntry(entry, where) {
  if (!entry || typeof entry !== "object" || Array.isArray(entry)) throw new UserError(`${where}: expected an object`);
  const e = entry;
  for (const field of REQUIRED_STRINGS) {
    if (typeof e[field] !== "string" || e[field] === "") throw new UserError(`${where}: "${field}" must be a non-empty string`);
  }
  if (e.status !== "built" && e.status !== "failed") throw new UserError(`${where}: "status" must be "built" or "failed", not ${JSON.stringify(e.status)}`);
  if (Number.isNaN(Date.parse(e.builtAt))) throw new UserError(`${where}: "builtAt" is not a date: ${JSON.stringify(e.builtAt)}`);
  return entry;
}
function parseIndex(text2, source) {
  let data;
  try {
    data = JSON.parse(text2);
  } catch (err) {
    throw new UserError(`${source}: not JSON: ${err.message}`);
  }
  const d = data;
  if (!d || typeof d !== "object" || Array.isArray(d)) throw new UserError(`${source}: expected an object with "version" and "entries"`);
  if (d.version !== 1) {
    const newer = typeof d.version === "number" && d.version > 1;
    throw new UserError(`${source}: index version ${JSON.stringify(d.version)} is not 1${newer ? ": it was written by a newer trunkfarm" : ""}`);
  }
  if (!Array.isArray(d.entries)) throw new UserError(`${source}: "entries" must be a list`);
  d.entries.forEach((e, i) => checkEntry(e, `${source}: entries[${i}]`));
  const result = indexFileSchema.safeParse({ ...d, generatedAt: typeof d.generatedAt === "string" && d.generatedAt ? d.generatedAt : "unknown" });
  if (!result.success) {
    const lines = result.error.issues.slice(0, 10).map((i) => `  ${formatPath(i.path)}: ${i.message}`);
    const more = result.error.issues.length > 10 ? `
  ... and ${result.error.issues.length - 10} more` : "";
    throw new UserError(`${source} is not a trunkfarm index (version 1):
${lines.join("\n")}${more}`);
  }
  return { version: 1, generatedAt: typeof d.generatedAt === "string" ? d.generatedAt : "", entries: d.entries };
}
function serializeIndex(index) {
  return `${JSON.stringify(index, null, 2)}
`;
}
var cellOf = (e) => `${e.extension}\0${e.version}\0${e.platform}`;
var cmp = (a, b) => a < b ? -1 : a > b ? 1 : 0;
var time = (e) => Date.parse(e.builtAt);
var byAge = (a, b) => time(a) - time(b) || cmp(a.key, b.key);
var byPlace = (a, b) => cmp(a.extension, b.extension) || cmp(a.version, b.version) || cmp(a.platform, b.platform) || byAge(a, b);
function mergeIndex(previous, incoming, now = /* @__PURE__ */ new Date()) {
  incoming.forEach((e, i) => checkEntry(e, `new index entry ${i}`));
  const byKey = /* @__PURE__ */ new Map();
  for (const e of [...previous.entries, ...incoming]) {
    const old = byKey.get(e.key);
    if (old && old.status === "built" && e.status === "failed") continue;
    byKey.set(e.key, e);
  }
  const cells = /* @__PURE__ */ new Map();
  for (const e of byKey.values()) {
    const list = cells.get(cellOf(e));
    if (list) list.push(e);
    else cells.set(cellOf(e), [e]);
  }
  const kept = [];
  for (const list of cells.values()) {
    list.sort(byAge);
    const built = list.filter((e) => e.status === "built").at(-1);
    const failed = list.filter((e) => e.status === "failed").at(-1);
    if (built) kept.push(built);
    if (failed && (!built || byAge(failed, built) > 0)) kept.push(failed);
  }
  kept.sort(byPlace);
  return { version: 1, generatedAt: now.toISOString(), entries: kept };
}
function canonical(value) {
  return JSON.stringify(
    value,
    (_k, v) => v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => cmp(a, b))) : v
  );
}
function sameEntries(a, b) {
  return a.entries.length === b.entries.length && a.entries.every((e, i) => canonical(e) === canonical(b.entries[i]));
}

export {
  emptyIndex,
  parseIndex,
  serializeIndex,
  mergeIndex,
  sameEntries
};
