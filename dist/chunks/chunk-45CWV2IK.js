import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  displayPath,
  entryPlatforms,
  expandPlatforms,
  parseYaml,
  platformsFile
} from "./chunk-B2HH34ZW.js";
import {
  RECIPE_VERSION
} from "./chunk-XY2GKEIH.js";
import {
  UserError
} from "./chunk-YUDCMAJG.js";

// src/plan/key.ts
import { hash } from "node:crypto";
function canonicalJson(value) {
  try {
    return plainCanonical(value);
  } catch (err) {
    if (err !== NOT_PLAIN) throw err;
    return replacerCanonical(value);
  }
}
function replacerCanonical(value) {
  return JSON.stringify(
    value,
    (_key, v) => v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)) : v
  );
}
var NOT_PLAIN = new Error("not plain data");
var writtenKeys = /* @__PURE__ */ new Map();
function writtenKey(k) {
  let w = writtenKeys.get(k);
  if (w === void 0) {
    if (/^[0-9]+$/.test(k)) throw NOT_PLAIN;
    w = `${JSON.stringify(k)}:`;
    if (writtenKeys.size < 1e4) writtenKeys.set(k, w);
  }
  return w;
}
function plainCanonical(v) {
  switch (typeof v) {
    case "string":
      return JSON.stringify(v);
    case "number":
      return Number.isFinite(v) ? String(v) : "null";
    case "boolean":
      return v ? "true" : "false";
    case "object": {
      if (v === null) return "null";
      if (Array.isArray(v)) {
        if (Object.getPrototypeOf(v) !== Array.prototype) throw NOT_PLAIN;
        let out2 = "[";
        for (let i = 0; i < v.length; i++) {
          const item = v[i];
          if (i > 0) out2 += ",";
          out2 += item === void 0 || typeof item === "function" || typeof item === "symbol" ? "null" : plainCanonical(item);
        }
        return `${out2}]`;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null || typeof v.toJSON === "function") throw NOT_PLAIN;
      const keys = Object.keys(v);
      if (keys.length > 1) keys.sort();
      let out = "{";
      for (const k of keys) {
        const item = v[k];
        if (item === void 0 || typeof item === "function" || typeof item === "symbol") continue;
        if (out.length > 1) out += ",";
        out += writtenKey(k) + plainCanonical(item);
      }
      return `${out}}`;
    }
    default:
      throw NOT_PLAIN;
  }
}
function platformDefinition(p) {
  return { name: p.name, pg: p.pg, arch: p.arch, libc: p.libc, distro: p.distro, builder: p.builder, base: p.base };
}
var RECIPE_JSON = `,"recipe":${JSON.stringify(RECIPE_VERSION)}}`;
function keyer(entry) {
  const entryJson = `,"entry":${canonicalJson(entry)}`;
  return (platform, platformName = platform.name) => hash("sha256", `{"builder":${platformJson(platform)}${entryJson},"platform":${JSON.stringify(platformName)}${RECIPE_JSON}`, "hex");
}
var platformJsonCache = /* @__PURE__ */ new WeakMap();
function platformJson(p) {
  let json = platformJsonCache.get(p);
  if (json === void 0) platformJsonCache.set(p, json = canonicalJson(platformDefinition(p)));
  return json;
}

// src/plan/expand.ts
function expandJobs(matrix, entries = matrix.entries, only) {
  const jobs = [];
  for (const loaded of entries) {
    const { entry, file } = loaded;
    let cells = entryPlatforms(entry, matrix.platforms);
    if (only) {
      cells = cells.filter((p) => only(loaded, p));
      if (cells.length === 0) continue;
    }
    const key = keyer(entry);
    if (entry.language === "sql") {
      const { arch, libc } = matrix.platformsFile.default;
      for (const p of cells) {
        if (p.arch !== arch || p.libc !== libc) continue;
        jobs.push(job(entry.name, entry.version, file, p, `pg${p.pg}-any`, key(p, `pg${p.pg}-any`)));
      }
    } else {
      for (const p of cells) jobs.push(job(entry.name, entry.version, file, p, p.name, key(p)));
    }
  }
  return jobs.sort(compareJobs);
}
function job(extension, version, file, p, platform, key) {
  return { extension, version, pg: p.pg, arch: p.arch, libc: p.libc, platform, runner: p.runner, key, file };
}
function compareJobs(a, b) {
  return a.extension.localeCompare(b.extension) || a.version.localeCompare(b.version) || a.pg - b.pg || a.libc.localeCompare(b.libc) || a.arch.localeCompare(b.arch);
}

// src/plan/select.ts
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
var run = promisify(execFile);
async function git(cwd, args) {
  try {
    const { stdout } = await run("git", args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err;
    if (e.code === "ENOENT") throw new UserError("git is not installed; --changed-since needs it");
    throw new UserError(`git ${args.join(" ")} failed in ${cwd}: ${(e.stderr ?? String(err)).trim().split("\n")[0]}`);
  }
}
async function changedSince(matrix, ref) {
  const dir = path.resolve(matrix.dir);
  const [isCommit, diff] = await Promise.allSettled([
    git(dir, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]),
    git(dir, ["diff", "--name-only", "--relative", "--no-renames", ref, "--", "."])
  ]);
  if (isCommit.status === "rejected") {
    throw new UserError(`--changed-since: "${ref}" is not a commit in this repository (fetch it first: shallow clones lack history)`);
  }
  if (diff.status === "rejected") throw diff.reason;
  const changed = diff.value.split("\n").filter(Boolean);
  return {
    files: new Set(changed.map((f) => displayPath(dir, f))),
    platforms: changed.includes("platforms.yaml") ? await platformsChangedSince(dir, ref, matrix.platforms) : /* @__PURE__ */ new Set()
  };
}
async function planChangedSince(matrix, ref, entries = matrix.entries) {
  const { files, platforms } = await changedSince(matrix, ref);
  if (platforms.size === 0) return expandJobs(matrix, entries.filter((e) => files.has(e.file)));
  return expandJobs(matrix, entries, (e, p) => files.has(e.file) || platforms.has(p.name));
}
async function platformsChangedSince(dir, ref, current) {
  let before = [];
  try {
    const text = await git(dir, ["show", `${ref}:./platforms.yaml`]);
    const parsed = parseYaml("platforms.yaml", text, platformsFile);
    if (parsed.value) before = expandPlatforms(parsed.value);
  } catch {
  }
  const old = new Map(before.map((p) => [p.name, canonicalJson(platformDefinition(p))]));
  return new Set(current.filter((p) => old.get(p.name) !== canonicalJson(platformDefinition(p))).map((p) => p.name));
}
async function readIndexKeys(file) {
  let data;
  try {
    data = JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    const reason = err.code === "ENOENT" ? "no such file" : err.message;
    throw new UserError(`--index ${file}: ${reason}`);
  }
  return publishedKeys(data, `--index ${file}`);
}
function publishedKeys(data, where) {
  const entries = data?.entries;
  if (!Array.isArray(entries)) throw new UserError(`${where}: expected an object with an "entries" list`);
  return new Set(
    entries.filter((e) => e.status !== "failed").map((e) => e.key).filter((k) => typeof k === "string")
  );
}
function selectStale(jobs, published) {
  return jobs.filter((j) => !published.has(j.key));
}

// src/plan/shard.ts
var MAX_JOBS_PER_MATRIX = 256;
var MAX_SHARD_JSON_BYTES = 4e5;
function shard(jobs, maxJobs = MAX_JOBS_PER_MATRIX, maxBytes = MAX_SHARD_JSON_BYTES) {
  const shards = [];
  let current = [];
  let bytes = 2;
  for (const job2 of jobs) {
    const size = jsonLength(job2) + 1;
    if (current.length > 0 && (current.length >= maxJobs || bytes + size > maxBytes)) {
      shards.push({ include: current });
      current = [];
      bytes = 2;
    }
    current.push(job2);
    bytes += size;
  }
  if (current.length > 0) shards.push({ include: current });
  return shards;
}
var keyLengths = /* @__PURE__ */ new Map();
function jsonLength(value) {
  if (Object.getPrototypeOf(value) !== Object.prototype || typeof value.toJSON === "function") {
    return JSON.stringify(value).length;
  }
  let n = 1;
  for (const key of Object.keys(value)) {
    const v = value[key];
    let len;
    if (typeof v === "string") len = stringJsonLength(v);
    else if (typeof v === "number") len = Number.isFinite(v) ? String(v).length : 4;
    else if (typeof v === "boolean") len = v ? 4 : 5;
    else if (v === void 0 || typeof v === "function" || typeof v === "symbol") continue;
    else return JSON.stringify(value).length;
    let keyLen = keyLengths.get(key);
    if (keyLen === void 0) {
      keyLen = stringJsonLength(key);
      if (keyLengths.size < 1e3) keyLengths.set(key, keyLen);
    }
    n += (n > 1 ? 1 : 0) + keyLen + 1 + len;
  }
  return n + 1;
}
function stringJsonLength(s) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || c >= 55296 && c <= 57343) return JSON.stringify(s).length;
  }
  return s.length + 2;
}

export {
  expandJobs,
  planChangedSince,
  readIndexKeys,
  publishedKeys,
  selectStale,
  shard
};
