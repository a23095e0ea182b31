import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  displayPath,
  entryPlatforms,
  expandPlatforms,
  parseYaml,
  platformsFile
} from "./chunk-AOOP3KWP.js";
import {
  RECIPE_VERSION
} from "./chunk-APBUJ7GA.js";
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
  return { name: p.name, pg: p.pg, arch: p.arch, libc: p.libc, distro: p.distro, isa: p.isa, builder: p.builder, base: p.base };
}
var RECIPE_JSON = `,"recipe":${JSON.stringify(RECIPE_VERSION)}}`;
function keyer(entry, patches) {
  const patchJson = patches && patches.length > 0 ? `,"patches":${JSON.stringify(patches.map((p) => p.sha256))}` : "";
  const entryJson = `,"entry":${canonicalJson(entry)}${patchJson}`;
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
  return expandTargets(matrix, entries, only).map((t) => t.job);
}
function expandTargets(matrix, entries = matrix.entries, only) {
  const targets = [];
  for (const loaded of entries) {
    const { entry, file } = loaded;
    let cells = entryPlatforms(entry, matrix.platforms);
    if (only) {
      cells = cells.filter((p) => only(loaded, p));
      if (cells.length === 0) continue;
    }
    const key = keyer(entry, loaded.patches);
    if (entry.language === "sql") {
      const { arch, libc } = matrix.platformsFile.default;
      for (const p of cells) {
        if (p.arch !== arch || p.libc !== libc) continue;
        targets.push({ job: job(entry.name, entry.version, file, p, `pg${p.pg}-any`, key(p, `pg${p.pg}-any`)), entry, platform: p });
      }
    } else {
      for (const p of cells) targets.push({ job: job(entry.name, entry.version, file, p, p.name, key(p)), entry, platform: p });
    }
  }
  return targets.sort((a, b) => compareJobs(a.job, b.job));
}
function job(extension, version, file, p, platform, key) {
  return { extension, version, pg: p.pg, arch: p.arch, libc: p.libc, platform, runner: p.runner, key, file };
}
function compareJobs(a, b) {
  return a.extension.localeCompare(b.extension) || a.version.localeCompare(b.version) || a.pg - b.pg || a.libc.localeCompare(b.libc) || a.arch.localeCompare(b.arch);
}

// src/plan/pin.ts
function pinnedDigest(ref) {
  return /@(sha256:[0-9a-f]{64})$/.exec(ref)?.[1];
}
function unpinned(ref) {
  return ref.replace(/@sha256:[0-9a-f]{64}$/, "");
}
async function pinMatrixImages(matrix, opts = {}) {
  const oci = await import("./oci-N7I465WX.js");
  const client = opts.client ?? oci.createClient({});
  const lookups = /* @__PURE__ */ new Map();
  const pin = async (image, arch) => {
    if (pinnedDigest(image.ref)) return image;
    const id = `${image.ref} ${arch}`;
    let p = lookups.get(id);
    if (!p) lookups.set(id, p = archDigest(oci, client, image.ref, arch).then((digest) => `${image.ref}@${digest}`));
    return { ...image, ref: await p };
  };
  const platforms = await Promise.all(matrix.platforms.map(async (p) => ({ ...p, builder: await pin(p.builder, p.arch), base: await pin(p.base, p.arch) })));
  return { ...matrix, platforms };
}
async function archDigest(oci, client, ref, arch) {
  const r = oci.parseReference(ref);
  const target = { registry: r.registry, repository: r.repository };
  const manifest = await oci.getManifest(client, target, r.tag ?? "latest");
  if (!manifest) throw new UserError(`${ref}: the registry has no such image (pinning needs each platform's images in their registry)`);
  if (!oci.isIndexType(manifest.mediaType)) return manifest.digest;
  const { manifests = [] } = JSON.parse(manifest.bytes.toString("utf8"));
  const match = manifests.find((m) => m.platform?.os === "linux" && m.platform.architecture === arch);
  if (!match) throw new UserError(`${ref}: its index has no linux/${arch} image (it has ${manifests.map((m) => m.platform ? `${m.platform.os}/${m.platform.architecture}` : "unnamed").join(", ") || "none"})`);
  return match.digest;
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
async function readIndexBuilds(file) {
  return publishedBuilds(await readIndexData(file), `--index ${file}`);
}
async function readIndexData(file) {
  let data;
  try {
    data = JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    const reason = err.code === "ENOENT" ? "no such file" : err.message;
    throw new UserError(`--index ${file}: ${reason}`);
  }
  return data;
}
function publishedBuilds(data, where) {
  const entries = data?.entries;
  if (!Array.isArray(entries)) throw new UserError(`${where}: expected an object with an "entries" list`);
  return entries.filter((e) => e.status !== "failed" && typeof e.key === "string");
}
function explainStale(targets, builds) {
  const latest = /* @__PURE__ */ new Map();
  const id = (j) => `${j.extension}\0${j.version}\0${j.platform}`;
  for (const b of builds) {
    const prev = latest.get(id(b));
    if (!prev || (b.builtAt ?? "") >= (prev.builtAt ?? "")) latest.set(id(b), b);
  }
  const published = new Set(builds.map((b) => b.key));
  return targets.filter((t) => !published.has(t.job.key)).map(({ job: job2, platform }) => {
    const prev = latest.get(id(job2));
    if (!prev) return { ...job2, stale: [{ reason: "new", message: "no build of this job is published" }] };
    const moved = [];
    for (const [reason, now, then] of [
      ["builder-image", platform.builder.ref, prev.provenance?.builderImage],
      ["base-image", platform.base.ref, prev.provenance?.baseImage]
    ]) {
      const [a, b] = [pinnedDigest(now), then && pinnedDigest(then)];
      if (a && b && a !== b && then && unpinned(then) === unpinned(now)) moved.push({ reason, message: `${unpinned(now)} moved: ${b} -> ${a}` });
    }
    return { ...job2, stale: moved.length > 0 ? moved : [{ reason: "definition", message: "the entry, its platform or the recipe changed" }] };
  });
}

// src/plan/packages.ts
var PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]*$/;
var VERSION = /^[A-Za-z0-9.+~:_-]+$/;
var SCRIPTS = {
  debian: `set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq -o Acquire::Check-Valid-Until=false >&2
while read -r name have; do
  cand=$(apt-cache policy "$name" | sed -n 's/^ *Candidate: //p')
  case "$cand" in '' | '(none)') continue ;; esac
  if dpkg --compare-versions "$cand" gt "$have"; then echo "$name $have $cand"; fi
done
`,
  alpine: `set -eu
apk update -q >&2
while read -r name have; do
  cand=$(apk policy "$name" 2>/dev/null | sed -n 's/^  \\([^ ]*\\):$/\\1/p' | head -n 1)
  [ -n "$cand" ] || continue
  if [ "$(apk version -t "$cand" "$have")" = '>' ]; then echo "$name $have $cand"; fi
done
`
};
async function newerPackages(engine, image, arch, distro, installed) {
  const wanted = installed.filter((p) => PACKAGE_NAME.test(p.name) && VERSION.test(p.version));
  if (wanted.length === 0) return [];
  const { exec, pull, removeContainer, startContainer } = await import("./builder-OG64KOHB.js");
  await pull(engine, image, { platform: `linux/${arch}` });
  const c = await startContainer(engine, { image, network: "host", platform: `linux/${arch}`, user: "0" });
  try {
    const r = await exec(c, ["sh", "-c", SCRIPTS[distro]], { stdin: wanted.map((p) => `${p.name} ${p.version}
`).join(""), live: null, tailLines: 1e5 });
    if (r.code !== 0) throw new UserError(`${image}: cannot ask its package manager for newer versions (exit ${r.code}):
${r.tail}`);
    return r.tail.split("\n").map((line) => line.trim().split(" ")).filter((f) => f.length === 3 && wanted.some((p) => p.name === f[0] && p.version === f[1])).map(([name, version, candidate]) => ({ name, version, candidate }));
  } finally {
    await removeContainer(c);
  }
}
async function staleByPackages(targets, builds, engine) {
  const byKey = new Map(builds.map((b) => [b.key, b]));
  const groups = /* @__PURE__ */ new Map();
  for (const t of targets) {
    const build = byKey.get(t.job.key);
    const bundled = (build?.closure?.bundled ?? []).flatMap((b) => b.package && b.packageVersion ? [{ name: b.package, version: b.packageVersion }] : []);
    if (bundled.length === 0) continue;
    const id = `${t.platform.builder.ref} ${t.platform.arch}`;
    const g = groups.get(id) ?? { platform: t.platform, jobs: [] };
    g.jobs.push({ target: t, bundled });
    groups.set(id, g);
  }
  const out = [];
  for (const { platform, jobs } of groups.values()) {
    const all = [...new Map(jobs.flatMap((j) => j.bundled).map((p) => [`${p.name} ${p.version}`, p])).values()];
    const newer = await newerPackages(engine, platform.builder.ref, platform.arch, platform.distro, all);
    for (const { target, bundled } of jobs) {
      const hits = newer.filter((n) => bundled.some((b) => b.name === n.name && b.version === n.version));
      if (hits.length > 0) {
        out.push({ ...target.job, stale: hits.map((n) => ({ reason: "bundled-package", message: `bundled ${n.name} ${n.version}; ${platform.builder.ref} has ${n.candidate}` })) });
      }
    }
  }
  return out;
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
  expandTargets,
  compareJobs,
  pinMatrixImages,
  planChangedSince,
  readIndexBuilds,
  publishedBuilds,
  explainStale,
  staleByPackages,
  shard
};
