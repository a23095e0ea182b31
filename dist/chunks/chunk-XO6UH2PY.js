import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  require_tar_stream
} from "./chunk-R5N6SZHY.js";
import {
  VERSION
} from "./chunk-XY2GKEIH.js";
import {
  external_exports
} from "./chunk-BS25TXF5.js";
import {
  UserError
} from "./chunk-YUDCMAJG.js";
import {
  __toESM
} from "./chunk-WQPCGQ3Y.js";

// src/package/oci/types.ts
var MEDIA = {
  layout: "1.0.0",
  index: "application/vnd.oci.image.index.v1+json",
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  /** The artifact type PGXN's proof of concept pushed trunks with (`oras push --artifact-type`). */
  trunkArtifact: "application/vnd.pgxn.trunk.layer.v1"
};
var REF_NAME = "org.opencontainers.image.ref.name";
var TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

// src/package/oci/layout.ts
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
function blobPath(dir, digest) {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!m) throw new UserError(`unsupported digest "${digest}" (sha256 only)`);
  return join(dir, "blobs", "sha256", m[1]);
}
async function initLayout(dir) {
  await mkdir(join(dir, "blobs", "sha256"), { recursive: true }).catch((err) => {
    throw new UserError(`cannot make an OCI layout in ${dir}: ${err.code === "ENOTDIR" || err.code === "EEXIST" ? "a file is in the way" : err.message}`);
  });
  const layoutFile = join(dir, "oci-layout");
  const current = await readFile(layoutFile, "utf8").catch(() => void 0);
  if (current === void 0) await writeAtomic(layoutFile, `${JSON.stringify({ imageLayoutVersion: MEDIA.layout })}
`);
  else if (JSON.parse(current).imageLayoutVersion !== MEDIA.layout)
    throw new UserError(`${layoutFile}: unsupported image layout version`);
  const index = join(dir, "index.json");
  if (!await exists(index)) await writeIndex(dir, { schemaVersion: 2, mediaType: MEDIA.index, manifests: [] });
}
async function putBlob(dir, data) {
  const digest = `sha256:${createHash("sha256").update(data).digest("hex")}`;
  const path = blobPath(dir, digest);
  if (!await exists(path)) await writeAtomic(path, data);
  return { digest, size: data.length };
}
function blobTempPath(dir) {
  return join(dir, "blobs", "sha256", `.tmp-${randomBytes(8).toString("hex")}`);
}
async function adoptBlob(dir, tmp, digest) {
  const path = blobPath(dir, digest);
  if (await exists(path)) await rm(tmp, { force: true });
  else await rename(tmp, path);
}
async function putBlobFile(dir, file) {
  const tmp = blobTempPath(dir);
  const hash = createHash("sha256");
  let size = 0;
  const fh = await open(tmp, "wx", 420);
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
      hash.update(chunk);
      size += chunk.length;
      let off = 0;
      while (off < chunk.length) off += (await fh.write(chunk, off)).bytesWritten;
    }
    await fh.close();
  } catch (err) {
    await fh.close().catch(() => {
    });
    await rm(tmp, { force: true });
    throw err;
  }
  const digest = `sha256:${hash.digest("hex")}`;
  await adoptBlob(dir, tmp, digest);
  return { digest, size };
}
async function putJson(dir, mediaType, value, extra = {}) {
  const { digest, size } = await putBlob(dir, Buffer.from(JSON.stringify(value)));
  return { mediaType, digest, size, ...extra };
}
async function readBlob(dir, digest) {
  const data = await readFile(blobPath(dir, digest)).catch(() => {
    throw new UserError(`${dir}: blob ${digest} is missing`);
  });
  const actual = `sha256:${createHash("sha256").update(data).digest("hex")}`;
  if (actual !== digest) throw new UserError(`${dir}: blob ${digest} is corrupt (its content hashes to ${actual})`);
  return data;
}
async function readJsonBlob(dir, digest) {
  return JSON.parse((await readBlob(dir, digest)).toString("utf8"));
}
async function readIndex(dir) {
  const text = await readFile(join(dir, "index.json"), "utf8").catch(() => {
    throw new UserError(`${dir}: not an OCI image layout (no index.json)`);
  });
  const index = JSON.parse(text);
  if (index.schemaVersion !== 2 || !Array.isArray(index.manifests)) throw new UserError(`${dir}/index.json: not an image index`);
  return index;
}
async function setRef(dir, tag, descriptor) {
  if (!TAG.test(tag)) throw new UserError(`"${tag}" is not a valid tag`);
  const index = await readIndex(dir);
  const others = index.manifests.filter((d) => d.annotations?.[REF_NAME] !== tag);
  const entry2 = { ...descriptor, annotations: { ...descriptor.annotations, [REF_NAME]: tag } };
  index.manifests = [...others, entry2].sort((a, b) => cmp(a.annotations?.[REF_NAME] ?? "", b.annotations?.[REF_NAME] ?? ""));
  await writeIndex(dir, index);
}
async function resolveRef(dir, tag) {
  return (await readIndex(dir)).manifests.find((d) => d.annotations?.[REF_NAME] === tag);
}
async function readLayout(dir) {
  const index = await readIndex(dir);
  const refs = index.manifests.map((d) => ({ tag: d.annotations?.[REF_NAME] ?? "", descriptor: d }));
  const manifests = /* @__PURE__ */ new Map();
  const visit = async (d) => {
    if (manifests.has(d.digest)) return;
    if (d.mediaType === MEDIA.index) {
      manifests.set(d.digest, { mediaType: d.mediaType, descriptor: d });
      const child = await readJsonBlob(dir, d.digest);
      for (const m of child.manifests) await visit(m);
    } else if (d.mediaType === MEDIA.manifest) {
      const m = await readJsonBlob(dir, d.digest);
      manifests.set(d.digest, { mediaType: d.mediaType, descriptor: d, ...m.artifactType ? { artifactType: m.artifactType } : {} });
    }
  };
  for (const d of index.manifests) await visit(d);
  const blobs = [];
  for (const name of (await readdir(join(dir, "blobs", "sha256"))).sort()) {
    if (!/^[0-9a-f]{64}$/.test(name)) continue;
    blobs.push({ digest: `sha256:${name}`, size: (await stat(join(dir, "blobs", "sha256", name))).size });
  }
  return { refs, manifests, blobs };
}
async function mergeLayout(src, dst) {
  await initLayout(dst);
  const listing = await readLayout(src);
  for (const b of listing.blobs) {
    if (!await exists(blobPath(dst, b.digest))) await putBlobFile(dst, blobPath(src, b.digest));
  }
  for (const { tag, descriptor } of listing.refs) {
    if (!tag) continue;
    const mine = await resolveRef(dst, tag);
    if (mine && mine.mediaType === MEDIA.index && descriptor.mediaType === MEDIA.index && mine.digest !== descriptor.digest) {
      const a = await readJsonBlob(dst, mine.digest);
      const b = await readJsonBlob(dst, descriptor.digest);
      const merged = mergeIndexes(a, b);
      await setRef(dst, tag, await putJson(dst, MEDIA.index, merged));
    } else {
      const { [REF_NAME]: _drop, ...rest } = descriptor.annotations ?? {};
      await setRef(dst, tag, { ...descriptor, annotations: rest });
    }
  }
}
function mergeIndexes(base, add) {
  const key = (d) => d.platform ? `${d.platform.os}/${d.platform.architecture}/${d.platform.variant ?? ""}` : d.digest;
  const byKey = new Map(base.manifests.map((d) => [key(d), d]));
  for (const d of add.manifests) byKey.set(key(d), d);
  return { ...base, ...add.annotations ? { annotations: add.annotations } : {}, manifests: [...byKey.values()].sort((x, y) => cmp(key(x), key(y))) };
}
function cmp(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}
async function writeIndex(dir, index) {
  await writeAtomic(join(dir, "index.json"), `${JSON.stringify(index)}
`);
}
async function writeAtomic(path, data) {
  const tmp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(tmp, data, { mode: 420 });
  await rename(tmp, path);
}
async function exists(path) {
  return stat(path).then(
    () => true,
    () => false
  );
}

// src/package/trunk/read.ts
var import_tar_stream = __toESM(require_tar_stream(), 1);
import { createHash as createHash2 } from "node:crypto";
import { createReadStream as createReadStream2 } from "node:fs";
import { mkdir as mkdir2, open as open2, rm as rm2, symlink } from "node:fs/promises";
import { finished } from "node:stream/promises";
import { basename, dirname, join as join2 } from "node:path";
import { createGunzip } from "node:zlib";

// src/package/tree.ts
import { posix } from "node:path";
var SO = /\.so(\.\d+)*$/;
function normaliseMode(path, type, mode) {
  if (type === "directory") return 493;
  if (type === "symlink") return 511;
  return (mode & 73) !== 0 || SO.test(posix.basename(path)) ? 493 : 420;
}
function badPathReason(path) {
  if (path === "") return "empty path";
  if (path.startsWith("/")) return "absolute path";
  if (/[\0\n\r]/.test(path)) return "control character in path";
  for (const seg of path.split("/")) {
    if (seg === "..") return '".." in path';
    if (seg === "." || seg === "") return 'non-normalised path ("." or empty segment)';
  }
  return void 0;
}
function comparePaths(a, b) {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
function withImpliedDirs(entries) {
  const all = new Map(entries);
  for (const path of entries.keys()) {
    for (let i = path.indexOf("/"); i > 0; i = path.indexOf("/", i + 1)) {
      const dir = path.slice(0, i);
      if (!all.has(dir)) all.set(dir, { type: "directory" });
    }
  }
  return all;
}
function resolveLink(entries, path) {
  const start = entries.get(path);
  if (start?.type !== "symlink" || start.linkname === void 0) return { ok: false, reason: "not a symlink" };
  let pending = [...dirParts(path), ...start.linkname.split("/")];
  if (start.linkname.startsWith("/")) return { ok: false, reason: `absolute target "${start.linkname}"` };
  const done = [];
  let type = "directory";
  let hops = 1;
  while (pending.length > 0) {
    const seg = pending.shift();
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (done.length === 0) return { ok: false, reason: `target "${start.linkname}" points outside the package` };
      done.pop();
      type = "directory";
      continue;
    }
    if (type !== "directory") return { ok: false, reason: `target "${start.linkname}" goes through a file` };
    const here = [...done, seg].join("/");
    const entry2 = entries.get(here);
    if (entry2 === void 0) return { ok: false, reason: `target "${start.linkname}" is not in the package` };
    if (entry2.type === "symlink") {
      if (++hops > 40) return { ok: false, reason: "too many levels of symlinks" };
      if (entry2.linkname === void 0 || entry2.linkname.startsWith("/"))
        return { ok: false, reason: `target goes through "${here}", which points to an absolute path` };
      pending = [...entry2.linkname.split("/"), ...pending];
      continue;
    }
    done.push(seg);
    type = entry2.type;
  }
  return { ok: true, path: done.join("/"), type };
}
function symlinkAncestor(entries, path) {
  for (let i = path.indexOf("/"); i > 0; i = path.indexOf("/", i + 1)) {
    if (entries.get(path.slice(0, i))?.type === "symlink") return path.slice(0, i);
  }
  return void 0;
}
function dirParts(path) {
  const i = path.lastIndexOf("/");
  return i < 0 ? [] : path.slice(0, i).split("/");
}

// src/package/trunk/digests.ts
var DIGESTS = "digests";
var LINE = /^SHA256 \((.+)\) = ([0-9a-f]{64})$/;
var WEAK = /^(MD5|SHA1) \(/;
function formatDigests(digests) {
  const paths = [...digests.keys()].sort(comparePaths);
  return paths.map((p) => `SHA256 (${p}) = ${digests.get(p)}
`).join("");
}
function parseDigests(text) {
  const digests = /* @__PURE__ */ new Map();
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  for (const [i, line] of lines.entries()) {
    const m = LINE.exec(line);
    if (!m) {
      const why = WEAK.test(line) ? "MD5 and SHA-1 are not allowed" : 'expected "SHA256 (path) = <64 hex digits>"';
      return { error: `line ${i + 1}: ${why}` };
    }
    if (digests.has(m[1])) return { error: `line ${i + 1}: "${m[1]}" listed twice` };
    digests.set(m[1], m[2]);
  }
  return { digests };
}

// src/package/trunk/json.ts
var TRUNK_JSON = "trunk.json";
var FORMAT_VERSION = "1.0.0";
function trunkJson(meta) {
  const p = meta.platform;
  return {
    trunk: FORMAT_VERSION,
    package: {
      name: meta.name,
      version: meta.version,
      language: meta.language,
      license: meta.license,
      abstract: meta.abstract,
      ...meta.homepage ? { homepage: meta.homepage } : {},
      ...meta.sourceUrl ? { source: meta.sourceUrl } : {},
      extensions: meta.extensions
    },
    postgres: {
      version: meta.postgres.version,
      major: String(meta.postgres.major),
      number: meta.postgres.versionNum,
      libs: meta.postgres.libs,
      cppflags: meta.postgres.cppflags,
      cflags: meta.postgres.cflags,
      ldflags: meta.postgres.ldflags
    },
    platform: { os: p.os, ...p.osVersion ? { version: p.osVersion } : {}, arch: p.arch },
    ...p.libc === "any" ? {} : { runtime: { libc: p.libc, ...p.libcVersion ? { version: p.libcVersion } : {} } },
    dependencies: {
      extensions: meta.dependencies.extensions,
      system: meta.dependencies.system,
      bundled: meta.dependencies.bundled.map((b) => ({
        soname: b.soname,
        file: b.file,
        ...b.package !== void 0 ? { package: b.package } : {},
        ...b.version !== void 0 ? { version: b.version } : {},
        ...b.license !== void 0 ? { license: b.license } : {}
      }))
    },
    build: {
      key: meta.buildKey,
      source_digest: meta.sourceDigest,
      source_date_epoch: meta.sourceDateEpoch,
      trunkfarm: VERSION
    }
  };
}
function serialiseTrunkJson(meta) {
  return Buffer.from(`${JSON.stringify(trunkJson(meta), null, 2)}
`);
}
var schema = external_exports.object({
  trunk: external_exports.string(),
  package: external_exports.object({
    name: external_exports.string(),
    version: external_exports.string(),
    language: external_exports.string(),
    license: external_exports.string(),
    abstract: external_exports.string().default(""),
    homepage: external_exports.string().optional(),
    source: external_exports.string().optional(),
    extensions: external_exports.array(external_exports.string()).default([])
  }),
  postgres: external_exports.object({
    version: external_exports.string(),
    major: external_exports.union([external_exports.string().regex(/^\d+$/), external_exports.number().int()]),
    number: external_exports.number().int(),
    libs: external_exports.string().default(""),
    cppflags: external_exports.string().default(""),
    cflags: external_exports.string().default(""),
    ldflags: external_exports.string().default("")
  }),
  platform: external_exports.object({ os: external_exports.string(), version: external_exports.string().optional(), arch: external_exports.string() }),
  runtime: external_exports.object({ libc: external_exports.string(), version: external_exports.string().optional() }).optional(),
  dependencies: external_exports.object({
    extensions: external_exports.array(external_exports.string()).default([]),
    system: external_exports.array(external_exports.string()).default([]),
    bundled: external_exports.array(
      external_exports.object({
        soname: external_exports.string(),
        file: external_exports.string(),
        package: external_exports.string().optional(),
        version: external_exports.string().optional(),
        license: external_exports.string().optional()
      })
    ).default([])
  }).default({ extensions: [], system: [], bundled: [] }),
  build: external_exports.object({ key: external_exports.string(), source_digest: external_exports.string(), source_date_epoch: external_exports.number().int() }).partial().default({})
});
function formatVersionParts(v) {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : void 0;
}
function checkFormatVersion(v) {
  const ours = formatVersionParts(FORMAT_VERSION);
  const theirs = typeof v === "string" ? formatVersionParts(v) : void 0;
  if (!theirs) return { error: `trunk format version ${JSON.stringify(v)} is not MAJOR.MINOR.PATCH` };
  if (theirs[0] > ours[0]) return { error: `trunk format ${v} is newer than this reader (${FORMAT_VERSION}); upgrade trunkfarm` };
  if (theirs[0] < ours[0]) return { error: `trunk format ${v} predates ${ours[0]}.0.0 (no libc or dependency data); rebuild the trunk` };
  if (theirs[1] > ours[1]) return { warning: `trunk format ${v} is newer than this reader (${FORMAT_VERSION}); fields it added are ignored` };
  return {};
}
function parseTrunkJson(text) {
  let raw;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON: ${err.message}`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    throw new Error(r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; "));
  }
  const j = r.data;
  const libc = j.runtime?.libc ?? (j.platform.os === "any" ? "any" : j.platform.os === "musllinux" ? "musl" : "glibc");
  return {
    name: j.package.name,
    version: j.package.version,
    license: j.package.license,
    abstract: j.package.abstract,
    ...j.package.homepage !== void 0 ? { homepage: j.package.homepage } : {},
    ...j.package.source !== void 0 ? { sourceUrl: j.package.source } : {},
    language: j.package.language,
    extensions: j.package.extensions,
    postgres: {
      version: j.postgres.version,
      major: Number(j.postgres.major),
      versionNum: j.postgres.number,
      cflags: j.postgres.cflags,
      cppflags: j.postgres.cppflags,
      ldflags: j.postgres.ldflags,
      libs: j.postgres.libs
    },
    platform: {
      os: j.platform.os,
      arch: j.platform.arch,
      libc,
      ...j.runtime?.version !== void 0 ? { libcVersion: j.runtime.version } : {},
      ...j.platform.version !== void 0 ? { osVersion: j.platform.version } : {}
    },
    dependencies: j.dependencies,
    buildKey: j.build.key ?? "",
    sourceDigest: j.build.source_digest ?? "",
    sourceDateEpoch: j.build.source_date_epoch ?? 0
  };
}

// src/package/trunk/name.ts
var SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?$/;
var BUILD_META = /^[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*$/;
var PACKAGE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
var PART = /^[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*$/;
function isSemver(version) {
  return SEMVER.test(version);
}
function formatPlatform(p) {
  if (!p.os || p.os === "any") return "any";
  return [p.os, p.osVersion, p.arch].filter((x) => x !== void 0 && x !== "").join("-");
}
function formatTrunkName(n) {
  const problems = [];
  if (!PACKAGE.test(n.package) || n.package.includes("+")) problems.push(`package name "${n.package}"`);
  if (!isSemver(n.version)) problems.push(`version "${n.version}" (SemVer without build metadata)`);
  if (!Number.isInteger(n.pg) || n.pg <= 0) problems.push(`Postgres major ${n.pg}`);
  for (const [what, v] of [["os", n.os], ["OS version", n.osVersion], ["arch", n.arch]]) {
    if (v !== void 0 && !PART.test(v)) problems.push(`${what} "${v}"`);
  }
  if (n.os && n.os !== "any" && !n.arch) problems.push("an OS without an arch");
  if (problems.length) throw new UserError(`cannot name a trunk with ${problems.join(", ")}`);
  return `${n.package}-${n.version}+pg${n.pg}-${formatPlatform(n)}`;
}
function parseTrunkName(input) {
  const fail = (why) => {
    throw new UserError(`not a trunk name: ${JSON.stringify(input)}: ${why}`);
  };
  const name = input.endsWith(".trunk") ? input.slice(0, -".trunk".length) : input;
  const plus = name.indexOf("+");
  if (plus < 0) fail('no "+" between version and platform');
  const left = name.slice(0, plus);
  const right = name.slice(plus + 1);
  if (!BUILD_META.test(right)) fail(`"${right}" is not SemVer build metadata (pg and platform, hyphen-separated)`);
  let pkg;
  let version;
  for (let dash = left.lastIndexOf("-"); dash > 0; dash = left.lastIndexOf("-", dash - 1)) {
    if (isSemver(left.slice(dash + 1))) {
      pkg = left.slice(0, dash);
      version = left.slice(dash + 1);
      break;
    }
  }
  if (pkg === void 0 || version === void 0) return fail(`no "-{SemVer}" version in "${left}"`);
  if (!PACKAGE.test(pkg)) fail(`bad package name "${pkg}"`);
  const parts = right.split("-");
  const pgMatch = /^pg([1-9]\d*)$/.exec(parts[0] ?? "");
  if (!pgMatch) fail(`"${parts[0]}" is not a Postgres major like pg16`);
  const pg = Number(pgMatch[1]);
  const rest = parts.slice(1);
  if (rest.some((p) => !PART.test(p))) fail(`empty or malformed platform part in "${right}"`);
  if (rest.length > 1 && rest[0] === "any") fail('platform "any" takes no further parts');
  switch (rest.length) {
    case 1:
      if (rest[0] !== "any") fail(`a one-part platform must be "any", not "${rest[0]}"`);
      return { package: pkg, version, pg };
    case 2:
      return { package: pkg, version, pg, os: rest[0], arch: rest[1] };
    case 3:
      return { package: pkg, version, pg, os: rest[0], osVersion: rest[1], arch: rest[2] };
    default:
      return fail(`expected 2 to 4 hyphen-separated parts after "+", found ${parts.length}`);
  }
}
function compareSemver(a, b) {
  const split = (v) => {
    const dash = v.indexOf("-");
    return { core: (dash < 0 ? v : v.slice(0, dash)).split(".").map(Number), pre: dash < 0 ? [] : v.slice(dash + 1).split(".") };
  };
  const x = split(a);
  const y = split(b);
  for (let i = 0; i < 3; i++) if ((x.core[i] ?? 0) !== (y.core[i] ?? 0)) return (x.core[i] ?? 0) - (y.core[i] ?? 0);
  if (x.pre.length === 0 || y.pre.length === 0) return y.pre.length - x.pre.length;
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    const p = x.pre[i];
    const q = y.pre[i];
    if (p === void 0 || q === void 0) return p === void 0 ? -1 : 1;
    if (p === q) continue;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn) return Number(p) - Number(q);
    if (pn !== qn) return pn ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return 0;
}

// src/package/trunk/read.ts
var SMALL_LIMIT = 16 << 20;
async function readTrunk(file, options = {}) {
  const fail = (why) => {
    throw new UserError(`${file}: ${why}`);
  };
  await checkMagic(file, fail);
  const expectedTop = basename(file).endsWith(".trunk") ? basename(file).slice(0, -".trunk".length) : void 0;
  const out = options.extractTo;
  if (out) {
    await mkdir2(dirname(out), { recursive: true });
    await mkdir2(out).catch(
      (err) => fail(err.code === "EEXIST" ? `cannot unpack into ${out}: it exists` : `cannot unpack into ${out}: ${err.message}`)
    );
  }
  const fileHash = createHash2("sha256");
  let fileSize = 0;
  const input = createReadStream2(file, { highWaterMark: 1 << 20 });
  input.on("data", (c) => {
    fileHash.update(c);
    fileSize += c.length;
  });
  const gunzip = createGunzip();
  const extract = import_tar_stream.default.extract();
  gunzip.on("error", (err) => extract.destroy(new UserError(`${file}: not a valid gzip stream (${err.message})`)));
  input.on("error", (err) => extract.destroy(err));
  input.pipe(gunzip).pipe(extract);
  let top;
  const entries = /* @__PURE__ */ new Map();
  let meta;
  let format = "";
  const warnings = [];
  let digests;
  try {
    for await (const entry2 of extract) {
      const h = entry2.header;
      let name = h.name;
      if (h.type === "directory") name = name.replace(/\/$/, "");
      const bad = badPathReason(name);
      if (bad) fail(`entry ${JSON.stringify(h.name)}: ${bad}`);
      const slash = name.indexOf("/");
      const first = slash < 0 ? name : name.slice(0, slash);
      if (top === void 0) {
        top = first;
        if (expectedTop !== void 0 && top !== expectedTop)
          fail(`top directory "${top}" does not match the file name (expected "${expectedTop}")`);
      } else if (first !== top) {
        fail(`entry "${name}" is outside the top directory "${top}"`);
      }
      const what = `entry "${name}"`;
      if (slash < 0) {
        if (h.type !== "directory") fail(`${what}: the top of a trunk must be a directory`);
        await drain(entry2);
        continue;
      }
      const rel = name.slice(slash + 1);
      if (entries.has(rel)) fail(`${what} appears twice`);
      if ((h.mode & 3584) !== 0) fail(`${what}: setuid, setgid or sticky bit set (mode ${(h.mode & 4095).toString(8)})`);
      const e = { path: rel, type: "file", mode: h.mode & 511, size: 0 };
      switch (h.type) {
        case "directory":
          e.type = "directory";
          if (out) {
            await mkdir2(join2(out, rel), { recursive: true, mode: 493 }).catch(
              (err) => fail(`${what}: cannot unpack: ${err.message}`)
            );
          }
          await drain(entry2);
          break;
        case "symlink":
          e.type = "symlink";
          e.linkname = h.linkname ?? "";
          if (e.linkname === "" || e.linkname.startsWith("/")) fail(`${what}: symlink to an absolute or empty path "${e.linkname}"`);
          await drain(entry2);
          break;
        case "file": {
          const keep = rel === TRUNK_JSON || rel === DIGESTS;
          const dest = out ? join2(out, rel) : void 0;
          const r = await readFile2(entry2, dest, e.mode & 493, keep, rel.startsWith("pgsql/bin/"), what, fail);
          e.size = r.size;
          e.sha256 = r.sha256;
          if (r.interpreter) e.interpreter = r.interpreter;
          if (rel === TRUNK_JSON) {
            const text = r.data.toString("utf8");
            const version = (() => {
              try {
                return JSON.parse(text).trunk;
              } catch {
                return void 0;
              }
            })();
            const check = checkFormatVersion(version);
            if (check.error) fail(check.error);
            if (check.warning) warnings.push(check.warning);
            format = String(version);
            try {
              meta = parseTrunkJson(text);
            } catch (err) {
              fail(`trunk.json: ${err.message}`);
            }
            checkNameAgainstMeta(top, meta, fail);
            await options.onMeta?.(meta);
          } else if (rel === DIGESTS) {
            const parsed = parseDigests(r.data.toString("utf8"));
            if ("error" in parsed) fail(`digests: ${parsed.error}`);
            else digests = parsed.digests;
          }
          break;
        }
        case "link":
          fail(`${what}: hard link (not allowed in a trunk)`);
          break;
        case "character-device":
        case "block-device":
          fail(`${what}: device file (not allowed in a trunk)`);
          break;
        case "fifo":
          fail(`${what}: fifo (not allowed in a trunk)`);
          break;
        default:
          fail(`${what}: unsupported entry type "${h.type}"`);
      }
      entries.set(rel, e);
    }
    await finished(input);
    if (top === void 0) fail("empty archive");
    if (!meta) fail("no trunk.json");
    if (!digests) fail("no digests file");
    checkTree(entries, digests, fail);
    if (out) {
      for (const e of entries.values()) {
        if (e.type === "symlink") await symlink(e.linkname, join2(out, e.path));
      }
    }
  } catch (err) {
    input.destroy();
    if (out) await rm2(out, { recursive: true, force: true });
    throw err;
  }
  const list = [...entries.values()].sort((a, b) => comparePaths(a.path, b.path));
  return {
    file,
    name: top,
    parsedName: parseTrunkName(top),
    format,
    meta,
    warnings,
    entries: list,
    digests,
    sha256: fileHash.digest("hex"),
    size: fileSize
  };
}
function checkTree(entries, digests, fail) {
  const view = withImpliedDirs(entries);
  const covered = /* @__PURE__ */ new Set();
  for (const e of entries.values()) {
    const via = symlinkAncestor(view, e.path);
    if (via) fail(`entry "${e.path}" lies below the symlink "${via}"`);
    if (e.path === DIGESTS) continue;
    let sum;
    if (e.type === "file") sum = e.sha256;
    if (e.type === "symlink") {
      const r = resolveLink(view, e.path);
      if (!r.ok) fail(`symlink "${e.path}": ${r.reason}`);
      else if (r.type === "file") sum = entries.get(r.path).sha256;
    }
    if (sum === void 0) continue;
    const listed = digests.get(e.path);
    if (listed === void 0) fail(`"${e.path}" is not listed in digests`);
    if (listed !== sum) fail(`"${e.path}" does not match its digest (SHA-256 ${sum}, digests says ${listed})`);
    covered.add(e.path);
  }
  for (const path of digests.keys()) {
    if (!covered.has(path)) fail(`"${path}" is listed in digests but missing from the archive`);
  }
}
function checkNameAgainstMeta(top, meta, fail) {
  let n;
  try {
    n = parseTrunkName(top);
  } catch (err) {
    return fail(err.message);
  }
  const fromMeta = {
    package: meta.name,
    version: meta.version,
    pg: meta.postgres.major,
    platform: formatPlatform(meta.platform.os === "any" ? {} : { os: meta.platform.os, osVersion: meta.platform.osVersion, arch: meta.platform.arch })
  };
  const fromName = { package: n.package, version: n.version, pg: n.pg, platform: formatPlatform(n) };
  for (const k of ["package", "version", "pg", "platform"]) {
    if (fromMeta[k] !== fromName[k]) fail(`trunk.json says ${k} ${fromMeta[k]}, the name "${top}" says ${fromName[k]}`);
  }
}
async function readFile2(entry2, dest, mode, keep, script, what, fail) {
  const hash = createHash2("sha256");
  const kept = [];
  let size = 0;
  let head;
  let fh;
  if (dest) {
    try {
      await mkdir2(dirname(dest), { recursive: true });
      fh = await open2(dest, "wx", 384);
      await fh.chmod(mode);
    } catch (err) {
      await fh?.close();
      return fail(`${what}: cannot unpack: ${err.message}`);
    }
  }
  try {
    for await (const chunk of entry2) {
      hash.update(chunk);
      size += chunk.length;
      if (keep) {
        if (size > SMALL_LIMIT) fail(`${what}: larger than ${SMALL_LIMIT} bytes`);
        kept.push(chunk);
      }
      if (script && head === void 0) head = chunk.subarray(0, 256);
      if (fh) {
        let off = 0;
        while (off < chunk.length) off += (await fh.write(chunk, off)).bytesWritten;
      }
    }
  } finally {
    await fh?.close();
  }
  const m = head ? /^#!([A-Za-z0-9._+-]+)(?=[ \t\r\n]|$)/.exec(head.toString("latin1")) : null;
  return {
    size,
    sha256: hash.digest("hex"),
    ...keep ? { data: Buffer.concat(kept) } : {},
    ...m ? { interpreter: m[1] } : {}
  };
}
async function drain(entry2) {
  for await (const _ of entry2) {
  }
}
async function checkMagic(file, fail) {
  let fh;
  try {
    fh = await open2(file, "r");
  } catch (err) {
    return fail(err.code === "ENOENT" ? "no such file" : err.message);
  }
  const buf = Buffer.alloc(4);
  try {
    await fh.read(buf, 0, 4, 0);
  } finally {
    await fh.close();
  }
  if (buf[0] === 31 && buf[1] === 139) return;
  if (buf.toString("latin1") === "PK") fail("a ZIP trunk; this reader takes gzip-compressed tar trunks only");
  fail("not a trunk (expected a gzip-compressed tar)");
}
async function readTrunkMeta(file) {
  const stop = new Error("stop");
  let meta;
  try {
    await readTrunk(file, {
      onMeta: (m) => {
        meta = m;
        throw stop;
      }
    });
  } catch (err) {
    if (err !== stop) throw err;
  }
  return meta;
}

// src/package/stage.ts
import { createHash as createHash3 } from "node:crypto";
import { createReadStream as createReadStream3 } from "node:fs";
import { lstat, readdir as readdir2, readlink } from "node:fs/promises";
import { join as join3 } from "node:path";
var PGSQL_DIRS = ["bin", "doc", "html", "include", "pkginclude", "lib", "pkglib", "locale", "man", "share", "sysconf"];
var TOP_TEXT = /^(LICEN[CS]E|COPYING|NOTICE|README|CHANGELOG)(\.(md|txt|markdown))?$/i;
var LICENSE_TEXT = /^(LICEN[CS]E|COPYING|NOTICE)(\.(md|txt|markdown))?$/i;
async function readStage(stage) {
  const entries = [];
  const where = (p) => `${join3(stage, p)}`;
  const walk = async (rel) => {
    const names = (await readdir2(rel ? join3(stage, rel) : stage)).sort(comparePaths);
    for (const name of names) {
      const path = rel ? `${rel}/${name}` : name;
      const bad = badPathReason(path);
      if (bad) throw new UserError(`${where(path)}: ${bad}`);
      checkPlacement(path, where);
      const st = await lstat(join3(stage, path));
      if (st.isDirectory()) {
        entries.push({ path, type: "directory", mode: 493, size: 0 });
        await walk(path);
      } else if (st.isSymbolicLink()) {
        entries.push({ path, type: "symlink", mode: 511, size: 0, linkname: await readlink(join3(stage, path)) });
      } else if (st.isFile()) {
        if ((st.mode & 3072) !== 0) throw new UserError(`${where(path)}: setuid/setgid bit set; packages carry none`);
        entries.push({ path, type: "file", mode: normaliseMode(path, "file", st.mode), size: st.size, source: join3(stage, path) });
      } else {
        throw new UserError(`${where(path)}: not a regular file, directory or symlink (device, fifo or socket)`);
      }
    }
  };
  try {
    await walk("");
  } catch (err) {
    if (err.code === "ENOENT" && !(err instanceof UserError))
      throw new UserError(`${stage}: no such stage directory`);
    throw err;
  }
  const byPath = new Map(entries.map((e) => [e.path, e]));
  for (const e of entries) {
    if (e.type !== "symlink") continue;
    const r = resolveLink(byPath, e.path);
    if (!r.ok) throw new UserError(`${where(e.path)}: symlink ${r.reason}`);
  }
  if (!entries.some((e) => e.type === "file" && e.path.startsWith("pgsql/")))
    throw new UserError(`${stage}: nothing under pgsql/ to install`);
  if (!entries.some((e) => e.type === "file" && (LICENSE_TEXT.test(e.path) || e.path.startsWith("licenses/"))))
    throw new UserError(`${stage}: no licence text (LICENSE, COPYING or NOTICE at the top, or licenses/)`);
  const files = entries.filter((e) => e.type === "file");
  const next = { i: 0 };
  const worker = async () => {
    for (let e = files[next.i++]; e !== void 0; e = files[next.i++]) e.sha256 = await hashFile(e.source, e.size);
  };
  await Promise.all(Array.from({ length: Math.min(4, files.length) }, worker));
  return entries.sort((a, b) => comparePaths(a.path, b.path));
}
function checkPlacement(path, where) {
  const [top, second] = path.split("/");
  const fail = (why) => {
    throw new UserError(`${where(path)}: ${why}`);
  };
  if (top === "pgsql") {
    if (second !== void 0 && !PGSQL_DIRS.includes(second))
      fail(`pgsql/ holds only pg_config directories (${PGSQL_DIRS.join(", ")})`);
  } else if (top === "sys") {
    if (second !== void 0 && second !== "share") fail("sys/ holds only share/<name>/ (data of bundled libraries)");
  } else if (top !== "licenses" && !TOP_TEXT.test(top)) {
    fail("unexpected at the top of a stage (pgsql/, sys/, licenses/, LICENSE, README, CHANGELOG allowed)");
  }
}
async function hashFile(path, size) {
  const hash = createHash3("sha256");
  for await (const chunk of readChunks(path, size)) hash.update(chunk);
  return hash.digest("hex");
}
function readChunks(path, size) {
  const highWaterMark = size === void 0 ? 1 << 20 : Math.min(1 << 20, Math.max(size, 16 << 10));
  return createReadStream3(path, { highWaterMark });
}

// src/package/layout.ts
import { posix as posix2 } from "node:path";
var PG_CONFIG_FLAG = {
  bin: "bindir",
  doc: "docdir",
  html: "htmldir",
  include: "includedir",
  pkginclude: "pkgincludedir",
  lib: "libdir",
  pkglib: "pkglibdir",
  locale: "localedir",
  man: "mandir",
  share: "sharedir",
  sysconf: "sysconfdir"
};
function pgConfigDestination(path, name, dirs) {
  const [top, second, ...rest] = path.split("/");
  if (top === "pgsql" && second !== void 0 && rest.length > 0) {
    const flag = PG_CONFIG_FLAG[second];
    const base = flag ? dirs[flag] : void 0;
    return base ? posix2.join(base, ...rest) : null;
  }
  if (top === "sys" && second === "share" && rest.length > 0) {
    return dirs.pkglibdir ? posix2.join(posix2.dirname(dirs.pkglibdir), "share", ...rest) : null;
  }
  const docs = dirs.docdir ? posix2.join(dirs.docdir, "extension", name) : void 0;
  if (top === "licenses" && docs) return posix2.join(docs, path);
  if (rest.length === 0 && second === void 0 && TOP_TEXT.test(top) && docs) return posix2.join(docs, top);
  return null;
}
function volumeDestination(path, name) {
  const [top, second, ...rest] = path.split("/");
  if (top === "pgsql" && rest.length > 0) {
    switch (second) {
      case "share":
        return posix2.join("share", ...rest);
      case "pkglib":
      case "lib":
        return posix2.join("lib", ...rest);
      case "bin":
        return posix2.join("bin", ...rest);
      case "doc":
        return posix2.join("share", "doc", ...rest);
      default:
        return null;
    }
  }
  if (top === "sys" && second === "share" && rest.length > 0) return posix2.join("share", ...rest);
  if (top === "licenses" && second !== void 0) return path;
  if (second === void 0 && LICENSE_TEXT.test(top)) return posix2.join("licenses", name, top);
  return null;
}
function mapPaths(paths, destination) {
  const map = /* @__PURE__ */ new Map();
  const seen = /* @__PURE__ */ new Map();
  const skipped = [];
  for (const p of paths) {
    const d = destination(p);
    if (d === null) {
      skipped.push(p);
      continue;
    }
    const other = seen.get(d);
    if (other !== void 0) return { map, skipped, clash: [other, p, d] };
    seen.set(d, p);
    map.set(p, d);
  }
  return { map, skipped };
}
function rewriteLibdirLiterals(sql) {
  let count = 0;
  const text = sql.replace(/'\$libdir\/([^'/\\\s]+)'/g, (_m, mod) => {
    count++;
    return `'${mod}'`;
  });
  return { text, count };
}
function isExtensionScript(volumePath) {
  return volumePath.startsWith("share/extension/") && volumePath.endsWith(".sql");
}
function searchPathSettings(root) {
  return {
    extension_control_path: `$system:${posix2.join(root, "share")}`,
    dynamic_library_path: `$libdir:${posix2.join(root, "lib")}`
  };
}

// src/package/archive/tar.ts
var import_tar_stream2 = __toESM(require_tar_stream(), 1);
import { createHash as createHash5, randomBytes as randomBytes2 } from "node:crypto";
import { open as open3, rename as rename2, rm as rm3 } from "node:fs/promises";
import { once } from "node:events";
import { basename as basename2, dirname as dirname2, join as join4 } from "node:path";

// src/package/archive/gzip.ts
import { createHash as createHash4 } from "node:crypto";
import { availableParallelism } from "node:os";
import { gzip } from "node:zlib";
var CHUNK_SIZE = 4 << 20;
var LEVEL = 6;
function gzipWriter(out, options = {}) {
  const concurrency = options.concurrency ?? Math.min(3, availableParallelism() + 1);
  const rawHash = options.hashInput === false ? void 0 : createHash4("sha256");
  const outHash = createHash4("sha256");
  let rawSize = 0;
  let outSize = 0;
  let held = [];
  let heldBytes = 0;
  const inFlight = [];
  const compress = (chunk) => new Promise((resolve, reject) => gzip(chunk, { level: LEVEL }, (err, res) => err ? reject(err) : resolve(res)));
  async function flushOldest() {
    const member = await inFlight.shift();
    outHash.update(member);
    outSize += member.length;
    let off = 0;
    while (off < member.length) off += (await out.write(member, off)).bytesWritten;
  }
  async function dispatch(chunk) {
    const p = compress(chunk);
    p.catch(() => {
    });
    inFlight.push(p);
    if (inFlight.length >= concurrency) await flushOldest();
  }
  function cut(n) {
    const all = held.length === 1 ? held[0] : Buffer.concat(held, heldBytes);
    const chunk = all.subarray(0, n);
    const rest = all.subarray(n);
    held = rest.length ? [rest] : [];
    heldBytes = rest.length;
    return chunk;
  }
  return {
    async write(data) {
      if (data.length === 0) return;
      rawHash?.update(data);
      rawSize += data.length;
      held.push(data);
      heldBytes += data.length;
      while (heldBytes >= CHUNK_SIZE) await dispatch(cut(CHUNK_SIZE));
    },
    async end() {
      if (heldBytes > 0 || rawSize === 0) await dispatch(cut(heldBytes));
      while (inFlight.length) await flushOldest();
      return { size: outSize, sha256: outHash.digest("hex"), rawSize, rawSha256: rawHash?.digest("hex") ?? "" };
    }
  };
}

// src/package/archive/tar.ts
async function writeTarGz(entries, outPath, options) {
  const tmp = join4(dirname2(outPath), `.${basename2(outPath)}.${randomBytes2(6).toString("hex")}.tmp`);
  const fh = await open3(tmp, "wx", 420);
  let ok = false;
  try {
    const gz = gzipWriter(fh, { hashInput: options.hashTar !== false });
    const pack = import_tar_stream2.default.pack();
    const producer = addAll(pack, entries, options);
    producer.catch((err) => pack.destroy(err));
    try {
      for await (const chunk of pack) await gz.write(chunk);
    } catch (err) {
      pack.destroy(err);
      throw err;
    }
    await producer;
    const sums = await gz.end();
    await fh.sync();
    await fh.close();
    await rename2(tmp, outPath);
    ok = true;
    return { size: sums.size, sha256: sums.sha256, tarSize: sums.rawSize, tarSha256: sums.rawSha256 };
  } finally {
    if (!ok) {
      await fh.close().catch(() => {
      });
      await rm3(tmp, { force: true });
    }
  }
}
async function addAll(pack, entries, options) {
  const mtime = new Date(options.mtime * 1e3);
  const base = { mtime, uid: 0, gid: 0, uname: "", gname: "" };
  const name = (p) => options.prefix ? `${options.prefix}/${p}` : p;
  if (options.prefix) await entry(pack, { ...base, name: `${options.prefix}/`, type: "directory", mode: 493 });
  for (const e of entries) {
    if (e.type === "directory") {
      await entry(pack, { ...base, name: `${name(e.path)}/`, type: "directory", mode: e.mode });
    } else if (e.type === "symlink") {
      await entry(pack, { ...base, name: name(e.path), type: "symlink", mode: e.mode, linkname: e.linkname });
    } else if (e.data) {
      await entry(pack, { ...base, name: name(e.path), type: "file", mode: e.mode, size: e.data.length }, e.data);
    } else {
      await streamFile(pack, { ...base, name: name(e.path), type: "file", mode: e.mode, size: e.size }, e, options.expect);
    }
  }
  pack.finalize();
}
function entry(pack, header, data) {
  return new Promise((resolve, reject) => {
    const done = (err) => err ? reject(err) : resolve();
    if (data) pack.entry(header, data, done);
    else pack.entry(header, done);
  });
}
async function streamFile(pack, header, e, expect) {
  const hash = createHash5("sha256");
  let settle;
  const done = new Promise((res, rej) => settle = (err) => err ? rej(err) : res());
  done.catch(() => {
  });
  const sink = pack.entry(header, (err) => settle(err));
  let n = 0;
  for await (const chunk of readChunks(e.source, e.size)) {
    n += chunk.length;
    if (n > e.size) break;
    hash.update(chunk);
    if (!sink.write(chunk)) await once(sink, "drain");
  }
  const sum = hash.digest("hex");
  const want = expect?.get(e.path);
  if (n !== e.size || want !== void 0 && want !== sum) {
    throw new UserError(`${e.source}: changed while it was being packed; pack again from a quiet stage`);
  }
  sink.end();
  await done;
}

export {
  isSemver,
  formatPlatform,
  formatTrunkName,
  parseTrunkName,
  compareSemver,
  comparePaths,
  resolveLink,
  TOP_TEXT,
  readStage,
  hashFile,
  writeTarGz,
  pgConfigDestination,
  volumeDestination,
  mapPaths,
  rewriteLibdirLiterals,
  isExtensionScript,
  searchPathSettings,
  MEDIA,
  REF_NAME,
  TAG,
  blobPath,
  initLayout,
  putBlob,
  blobTempPath,
  adoptBlob,
  putBlobFile,
  putJson,
  readBlob,
  readJsonBlob,
  readIndex,
  setRef,
  resolveRef,
  mergeLayout,
  mergeIndexes,
  TRUNK_JSON,
  FORMAT_VERSION,
  serialiseTrunkJson,
  DIGESTS,
  formatDigests,
  readTrunk,
  readTrunkMeta
};
