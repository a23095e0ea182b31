import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  readElfIfElf,
  require_tar_stream
} from "./chunk-UNCOO3MO.js";
import {
  LIMITS,
  limit
} from "./chunk-UIOSOCKZ.js";
import {
  ARCHES,
  LIBCS
} from "./chunk-VABCLRSN.js";
import {
  external_exports
} from "./chunk-BS25TXF5.js";
import {
  MEDIA,
  TITLE,
  adoptBlob,
  blobTempPath,
  initLayout,
  isTag,
  mergeIndexes,
  putBlobFile,
  putJson,
  readJsonBlob,
  resolveRef,
  setRef
} from "./chunk-MAW6PNMB.js";
import {
  exists
} from "./chunk-MNVUPTDJ.js";
import {
  VERSION,
  compareVersions
} from "./chunk-APBUJ7GA.js";
import {
  UserError
} from "./chunk-YUDCMAJG.js";
import {
  __toESM
} from "./chunk-WQPCGQ3Y.js";

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

// src/package/meta.ts
var NAME = /^[a-z0-9][a-z0-9_.-]*$/;
var bundled = external_exports.object({
  soname: external_exports.string().min(1),
  file: external_exports.string().min(1),
  package: external_exports.string().optional(),
  version: external_exports.string().optional(),
  license: external_exports.string().optional()
});
var packageMetaSchema = external_exports.object({
  name: external_exports.string().regex(NAME, 'lowercase letters, digits, "_", "." and "-" only'),
  version: external_exports.string().refine(isSemver, "not a SemVer version (build metadata not allowed)"),
  license: external_exports.string().min(1),
  abstract: external_exports.string(),
  homepage: external_exports.string().optional(),
  sourceUrl: external_exports.string().optional(),
  language: external_exports.string().min(1),
  extensions: external_exports.array(external_exports.string().min(1)),
  postgres: external_exports.object({
    version: external_exports.string().min(1),
    major: external_exports.number().int().min(9),
    versionNum: external_exports.number().int().positive(),
    cflags: external_exports.string(),
    cppflags: external_exports.string(),
    ldflags: external_exports.string(),
    libs: external_exports.string()
  }),
  platform: external_exports.object({
    os: external_exports.enum(["gnulinux", "musllinux", "any"]),
    arch: external_exports.enum([...ARCHES, "any"]),
    libc: external_exports.enum([...LIBCS, "any"]),
    libcVersion: external_exports.string().regex(/^\d+(\.\d+)*$/).optional(),
    isa: external_exports.string().regex(/^[a-z0-9][a-z0-9.-]{0,31}$/).optional(),
    osVersion: external_exports.string().regex(/^[0-9A-Za-z._]+$/).optional()
  }).refine((p) => platformConsistent(p), "os, arch and libc disagree (gnulinux = glibc, musllinux = musl, any = any)"),
  dependencies: external_exports.object({
    extensions: external_exports.array(external_exports.string()),
    system: external_exports.array(external_exports.string()),
    bundled: external_exports.array(bundled)
  }),
  buildKey: external_exports.string().min(1),
  sourceDigest: external_exports.string().regex(/^sha256:[0-9a-f]{64}$/, "expected sha256:<64 hex digits>"),
  sourceDateEpoch: external_exports.number().int().min(0)
});
function platformConsistent(p) {
  if (p.os === "any") return p.arch === "any" && p.libc === "any";
  return p.arch !== "any" && p.libc === (p.os === "gnulinux" ? "glibc" : "musl");
}
function parsePackageMeta(value, where) {
  const result = packageMetaSchema.safeParse(value);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new UserError(`${where}: invalid package metadata
${lines.join("\n")}`);
  }
  return result.data;
}

// src/package/pack.ts
import { mkdir } from "node:fs/promises";
import { basename as basename3, join as join4, resolve } from "node:path";

// src/package/archive/tar.ts
var import_tar_stream = __toESM(require_tar_stream(), 1);
import { createHash as createHash3, randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { once } from "node:events";
import { basename, dirname, join as join2 } from "node:path";

// src/package/stage.ts
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, readdir, readlink } from "node:fs/promises";
import { join } from "node:path";

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

// src/package/stage.ts
var PGSQL_DIRS = ["bin", "doc", "html", "include", "pkginclude", "lib", "pkglib", "locale", "man", "share", "sysconf"];
var TOP_TEXT = /^(LICEN[CS]E|COPYING|NOTICE|README|CHANGELOG)(\.(md|txt|markdown))?$/i;
var LICENSE_TEXT = /^(LICEN[CS]E|COPYING|NOTICE)(\.(md|txt|markdown))?$/i;
async function readStage(stage) {
  const entries = [];
  const where = (p) => `${join(stage, p)}`;
  const walk = async (rel) => {
    const names = (await readdir(rel ? join(stage, rel) : stage)).sort(comparePaths);
    for (const name of names) {
      const path = rel ? `${rel}/${name}` : name;
      const bad = badPathReason(path);
      if (bad) throw new UserError(`${where(path)}: ${bad}`);
      checkPlacement(path, where);
      const st = await lstat(join(stage, path));
      if (st.isDirectory()) {
        entries.push({ path, type: "directory", mode: 493, size: 0 });
        await walk(path);
      } else if (st.isSymbolicLink()) {
        entries.push({ path, type: "symlink", mode: 511, size: 0, linkname: await readlink(join(stage, path)) });
      } else if (st.isFile()) {
        if ((st.mode & 3072) !== 0) throw new UserError(`${where(path)}: setuid/setgid bit set; packages carry none`);
        entries.push({ path, type: "file", mode: normaliseMode(path, "file", st.mode), size: st.size, source: join(stage, path) });
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
    throw new UserError(
      `${stage}: no licence text (LICENSE, COPYING or NOTICE at the top, or licenses/); where the source keeps it elsewhere (a README section, a file of another name), list that file in the matrix entry's contents.license_files (e.g. license_files: [README.md])`
    );
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
  const hash = createHash("sha256");
  for await (const chunk of readChunks(path, size)) hash.update(chunk);
  return hash.digest("hex");
}
function readChunks(path, size) {
  const highWaterMark = size === void 0 ? 1 << 20 : Math.min(1 << 20, Math.max(size, 16 << 10));
  return createReadStream(path, { highWaterMark });
}

// src/package/archive/gzip.ts
import { createHash as createHash2 } from "node:crypto";
import { availableParallelism } from "node:os";
import { gzip } from "node:zlib";
var CHUNK_SIZE = 4 << 20;
var LEVEL = 6;
function gzipWriter(out, options = {}) {
  const concurrency = options.concurrency ?? Math.min(3, availableParallelism() + 1);
  const rawHash = options.hashInput === false ? void 0 : createHash2("sha256");
  const outHash = createHash2("sha256");
  let rawSize = 0;
  let outSize = 0;
  let held = [];
  let heldBytes = 0;
  const inFlight = [];
  const compress = (chunk) => new Promise((resolve2, reject) => gzip(chunk, { level: LEVEL }, (err, res) => err ? reject(err) : resolve2(res)));
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
  const tmp = join2(dirname(outPath), `.${basename(outPath)}.${randomBytes(6).toString("hex")}.tmp`);
  const fh = await open(tmp, "wx", 420);
  let ok = false;
  try {
    const gz = gzipWriter(fh, { hashInput: options.hashTar !== false });
    const pack2 = import_tar_stream.default.pack();
    const producer = addAll(pack2, entries, options);
    producer.catch((err) => pack2.destroy(err));
    try {
      for await (const chunk of pack2) await gz.write(chunk);
    } catch (err) {
      pack2.destroy(err);
      throw err;
    }
    await producer;
    const sums = await gz.end();
    await fh.sync();
    await fh.close();
    await rename(tmp, outPath);
    ok = true;
    return { size: sums.size, sha256: sums.sha256, tarSize: sums.rawSize, tarSha256: sums.rawSha256 };
  } finally {
    if (!ok) {
      await fh.close().catch(() => {
      });
      await rm(tmp, { force: true });
    }
  }
}
async function addAll(pack2, entries, options) {
  const mtime = new Date(options.mtime * 1e3);
  const base = { mtime, uid: 0, gid: 0, uname: "", gname: "" };
  const name = (p) => options.prefix ? `${options.prefix}/${p}` : p;
  if (options.prefix) await entry(pack2, { ...base, name: `${options.prefix}/`, type: "directory", mode: 493 });
  for (const e of entries) {
    if (e.type === "directory") {
      await entry(pack2, { ...base, name: `${name(e.path)}/`, type: "directory", mode: e.mode });
    } else if (e.type === "symlink") {
      await entry(pack2, { ...base, name: name(e.path), type: "symlink", mode: e.mode, linkname: e.linkname });
    } else if (e.data) {
      await entry(pack2, { ...base, name: name(e.path), type: "file", mode: e.mode, size: e.data.length }, e.data);
    } else {
      await streamFile(pack2, { ...base, name: name(e.path), type: "file", mode: e.mode, size: e.size }, e, options.expect);
    }
  }
  pack2.finalize();
}
function entry(pack2, header, data) {
  return new Promise((resolve2, reject) => {
    const done = (err) => err ? reject(err) : resolve2();
    if (data) pack2.entry(header, data, done);
    else pack2.entry(header, done);
  });
}
async function streamFile(pack2, header, e, expect) {
  const hash = createHash3("sha256");
  let settle;
  const done = new Promise((res, rej) => settle = (err) => err ? rej(err) : res());
  done.catch(() => {
  });
  const sink = pack2.entry(header, (err) => settle(err));
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

// src/package/volume.ts
import { createHash as createHash4 } from "node:crypto";
import { readFile } from "node:fs/promises";
import { posix as posix3 } from "node:path";

// src/package/destinations.ts
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
function pgConfigBases(name, dirs) {
  const bases = Object.values(PG_CONFIG_FLAG).flatMap((flag) => dirs[flag] ? [posix2.resolve(dirs[flag])] : []);
  if (dirs.pkglibdir) bases.push(posix2.resolve(posix2.dirname(dirs.pkglibdir), "share"));
  if (dirs.docdir) bases.push(posix2.resolve(dirs.docdir, "extension", name));
  return [...new Set(bases)];
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

// src/package/volume.ts
async function volumeTree(pkg, name) {
  const byPath = new Map(pkg.map((e) => [e.path, e]));
  const leaves = pkg.filter((e) => e.type !== "directory");
  const mapped = mapPaths(
    leaves.map((e) => e.path),
    (p) => volumeDestination(p, name)
  );
  if (mapped.clash) {
    const [a, b, d] = mapped.clash;
    throw new UserError(`"${a}" and "${b}" would both be installed as ${d} under /extensions/${name}`);
  }
  const out = [];
  const rewritten = [];
  for (const e of leaves) {
    const dest = mapped.map.get(e.path);
    if (dest === void 0) continue;
    if (e.type === "symlink") {
      const r = resolveLink(byPath, e.path);
      const targetDest = r.ok ? mapped.map.get(r.path) : void 0;
      if (!r.ok || targetDest === void 0) {
        mapped.skipped.push(e.path);
        continue;
      }
      out.push({ ...e, path: dest, linkname: posix3.relative(posix3.dirname(dest), targetDest) });
      continue;
    }
    if (isExtensionScript(dest)) {
      const text = (e.data ?? await readFile(e.source)).toString("utf8");
      const r = rewriteLibdirLiterals(text);
      if (r.count > 0) {
        const data = Buffer.from(r.text);
        rewritten.push({ path: dest, count: r.count });
        out.push({ path: dest, type: "file", mode: e.mode, size: data.length, data, sha256: createHash4("sha256").update(data).digest("hex") });
        continue;
      }
    }
    out.push({ ...e, path: dest });
  }
  const dirs = /* @__PURE__ */ new Set();
  for (const e of out) {
    for (let d = posix3.dirname(e.path); d !== "."; d = posix3.dirname(d)) dirs.add(d);
  }
  for (const d of dirs) out.push({ path: d, type: "directory", mode: 493, size: 0 });
  out.sort((a, b) => comparePaths(a.path, b.path));
  return { entries: out, rewritten, skipped: mapped.skipped };
}

// src/package/image.ts
function imageTag(meta) {
  const tag = `${meta.version}-pg${meta.postgres.major}-${meta.platform.os}`;
  if (!isTag(tag)) throw new UserError(`cannot make an image tag from version "${meta.version}"`);
  return tag;
}
function created(meta) {
  return new Date(meta.sourceDateEpoch * 1e3).toISOString().replace(/\.\d{3}Z$/, "Z");
}
function ociPlatform(arch) {
  return { architecture: arch, os: "linux", ...arch === "arm64" ? { variant: "v8" } : {} };
}
function standardAnnotations(meta) {
  return {
    "org.opencontainers.image.created": created(meta),
    [TITLE]: meta.name,
    "org.opencontainers.image.description": meta.abstract,
    "org.opencontainers.image.version": meta.version,
    "org.opencontainers.image.licenses": meta.license,
    ...meta.sourceUrl ? { "org.opencontainers.image.source": meta.sourceUrl } : {},
    ...meta.homepage ? { "org.opencontainers.image.url": meta.homepage } : {}
  };
}
function trunkfarmAnnotations(meta, trunk) {
  return {
    "io.trunkfarm.postgres.major": String(meta.postgres.major),
    "io.trunkfarm.postgres.version": meta.postgres.version,
    "io.trunkfarm.libc": meta.platform.libc,
    ...meta.platform.libcVersion ? { "io.trunkfarm.libc.version": meta.platform.libcVersion } : {},
    ...meta.platform.isa ? { "io.trunkfarm.isa": meta.platform.isa } : {},
    "io.trunkfarm.extensions": meta.extensions.join(","),
    "io.trunkfarm.build.key": meta.buildKey,
    ...trunk ? { "io.trunkfarm.trunk.file": trunk.file, "io.trunkfarm.trunk.sha256": trunk.sha256 } : {}
  };
}
async function writeExtensionImage(layoutDir, pkg, meta, options = {}) {
  await initLayout(layoutDir);
  const tag = imageTag(meta);
  const tree = await volumeTree(pkg, meta.name);
  const tmp = blobTempPath(layoutDir);
  const tarred = await writeTarGz(tree.entries, tmp, { mtime: meta.sourceDateEpoch });
  const layerDigest = `sha256:${tarred.sha256}`;
  await adoptBlob(layoutDir, tmp, layerDigest);
  const layer = { mediaType: MEDIA.layerGzip, digest: layerDigest, size: tarred.size };
  const diffId = `sha256:${tarred.tarSha256}`;
  const trunk = await options.trunk;
  const perImage = { ...standardAnnotations(meta), ...trunkfarmAnnotations(meta, trunk) };
  const arches = meta.platform.arch === "any" ? [...ARCHES] : [meta.platform.arch];
  const manifests = [];
  for (const arch of arches) {
    const platform = ociPlatform(arch);
    const config = await putJson(layoutDir, MEDIA.config, {
      created: created(meta),
      architecture: platform.architecture,
      os: platform.os,
      ...platform.variant ? { variant: platform.variant } : {},
      config: { Labels: { [TITLE]: meta.name } },
      rootfs: { type: "layers", diff_ids: [diffId] },
      history: [{ created: created(meta), created_by: `trunkfarm: ${meta.name} ${meta.version} for /extensions/${meta.name}` }]
    });
    const manifest = { schemaVersion: 2, mediaType: MEDIA.manifest, config, layers: [layer], annotations: perImage };
    const d = await putJson(layoutDir, MEDIA.manifest, manifest, { platform, annotations: trunkfarmAnnotations(meta, trunk) });
    manifests.push(d);
  }
  const fresh = {
    schemaVersion: 2,
    mediaType: MEDIA.index,
    manifests,
    annotations: {
      ...standardAnnotations(meta),
      "io.trunkfarm.postgres.major": String(meta.postgres.major),
      "io.trunkfarm.libc": meta.platform.libc
    }
  };
  const before = await resolveRef(layoutDir, tag);
  const index = before?.mediaType === MEDIA.index ? mergeIndexes(await readJsonBlob(layoutDir, before.digest), fresh) : fresh;
  const indexDesc = await putJson(layoutDir, MEDIA.index, index);
  await setRef(layoutDir, tag, indexDesc);
  return { tag, index: indexDesc, manifests, layer: { digest: layerDigest, size: tarred.size, diffId }, rewritten: tree.rewritten.map((r) => r.path), skipped: tree.skipped };
}

// src/package/artifact.ts
import { basename as basename2 } from "node:path";

// src/package/trunk/json.ts
var TRUNK_JSON = "trunk.json";
var FORMAT_VERSION = "1.1.0";
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
    platform: { os: p.os, ...p.osVersion ? { version: p.osVersion } : {}, arch: p.arch, ...p.isa ? { isa: p.isa } : {} },
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
  platform: external_exports.object({ os: external_exports.string(), version: external_exports.string().optional(), arch: external_exports.string(), isa: external_exports.string().optional() }),
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
      ...j.platform.version !== void 0 ? { osVersion: j.platform.version } : {},
      ...j.platform.isa !== void 0 ? { isa: j.platform.isa } : {}
    },
    dependencies: j.dependencies,
    buildKey: j.build.key ?? "",
    sourceDigest: j.build.source_digest ?? "",
    sourceDateEpoch: j.build.source_date_epoch ?? 0
  };
}

// src/package/artifact.ts
function trunkArtifactTag(meta) {
  const p = meta.platform;
  const platform = formatPlatform(p.os === "any" ? {} : { os: p.os, osVersion: p.osVersion, arch: p.arch });
  return `${meta.version}-pg${meta.postgres.major}-${platform}.trunk`;
}
async function writeTrunkArtifact(layoutDir, trunkPath, meta) {
  await initLayout(layoutDir);
  const file = basename2(trunkPath);
  const stored = await putBlobFile(layoutDir, trunkPath);
  const blob = { mediaType: MEDIA.layerGzip, ...stored, annotations: { [TITLE]: file } };
  const p = meta.platform;
  const config = await putJson(layoutDir, MEDIA.config, {
    os: p.os === "any" ? "any" : "linux",
    ...p.osVersion ? { "os.version": p.osVersion } : {},
    architecture: p.arch,
    created: created(meta)
  });
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    artifactType: MEDIA.trunkArtifact,
    config,
    layers: [blob],
    annotations: {
      ...standardAnnotations(meta),
      "org.pgxn.trunk.pg.version": meta.postgres.version,
      "org.pgxn.trunk.pg.major": String(meta.postgres.major),
      "org.pgxn.trunk.pg.version_num": String(meta.postgres.versionNum),
      "org.pgxn.trunk.version": FORMAT_VERSION,
      ...trunkfarmAnnotations(meta, { file, sha256: stored.digest.slice("sha256:".length) })
    }
  };
  const desc = await putJson(layoutDir, MEDIA.manifest, manifest, { artifactType: MEDIA.trunkArtifact });
  const tag = trunkArtifactTag(meta);
  await setRef(layoutDir, tag, desc);
  return { tag, manifest: desc, blob };
}

// src/package/trunk/write.ts
import { createHash as createHash5 } from "node:crypto";
import { join as join3 } from "node:path";

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

// src/package/trunk/write.ts
function trunkNameOf(meta) {
  const p = meta.platform;
  return {
    package: meta.name,
    version: meta.version,
    pg: meta.postgres.major,
    ...p.os === "any" ? {} : { os: p.os, arch: p.arch, ...p.osVersion ? { osVersion: p.osVersion } : {} }
  };
}
async function writeTrunk(stage, meta, outDir, options = {}) {
  const name = formatTrunkName(trunkNameOf(meta));
  const entries = options.entries ?? await readStage(stage);
  checkMetaAgainstStage(meta, entries, stage);
  const json = { path: TRUNK_JSON, type: "file", mode: 420, size: 0, data: serialiseTrunkJson(meta) };
  json.size = json.data.length;
  const digests = digestsOf([json, ...entries]);
  const digestsEntry = { path: DIGESTS, type: "file", mode: 420, size: 0, data: Buffer.from(formatDigests(digests)) };
  digestsEntry.size = digestsEntry.data.length;
  const path = join3(outDir, `${name}.trunk`);
  const expect = new Map(entries.filter((e) => e.sha256).map((e) => [e.path, e.sha256]));
  const result = await writeTarGz([json, digestsEntry, ...entries], path, { mtime: meta.sourceDateEpoch, prefix: name, expect, hashTar: false });
  return { path, name, sha256: result.sha256, size: result.size, digests };
}
function digestsOf(entries) {
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const out = /* @__PURE__ */ new Map();
  for (const e of entries) {
    if (e.type === "file") {
      out.set(e.path, e.sha256 ?? sha256(e.data));
    } else if (e.type === "symlink") {
      const r = resolveLink(byPath, e.path);
      if (r.ok && r.type === "file") {
        const target = byPath.get(r.path);
        out.set(e.path, target.sha256 ?? sha256(target.data));
      }
    }
  }
  return out;
}
function checkMetaAgainstStage(meta, entries, stage) {
  const present2 = new Set(entries.filter((e) => e.type !== "directory").map((e) => e.path));
  const missing = [
    ...meta.extensions.map((x) => `pgsql/share/extension/${x}.control`),
    ...meta.dependencies.bundled.map((b) => b.file)
  ].filter((p) => !present2.has(p));
  if (missing.length) throw new UserError(`${stage}: the metadata names files the stage lacks: ${missing.join(", ")}`);
}
function sha256(data) {
  return createHash5("sha256").update(data).digest("hex");
}

// src/package/pack.ts
async function pack(stage, meta, outDir) {
  const out = resolve(outDir);
  await mkdir(out, { recursive: true });
  const entries = await readStage(stage);
  const writing = writeTrunk(stage, meta, out, { entries });
  const layout = join4(out, "oci");
  const ref = writing.then((t) => ({ file: basename3(t.path), sha256: t.sha256 }));
  const [trunk, image] = await Promise.all([writing, writeExtensionImage(layout, entries, meta, { trunk: ref })]);
  const artifact = await writeTrunkArtifact(layout, trunk.path, meta);
  return { trunk, layout, image, artifact: { tag: artifact.tag, manifest: artifact.manifest } };
}

// src/package/trunk/read.ts
var import_tar_stream2 = __toESM(require_tar_stream(), 1);
import { createHash as createHash6 } from "node:crypto";
import { createReadStream as createReadStream2 } from "node:fs";
import { mkdir as mkdir2, open as open2, rm as rm2, symlink } from "node:fs/promises";
import { finished } from "node:stream/promises";
import { basename as basename4, dirname as dirname2, join as join5 } from "node:path";
import { createGunzip } from "node:zlib";
var SMALL_LIMIT = 16 << 20;
async function readTrunk(file, options = {}) {
  const fail = (why) => {
    throw new UserError(`${file}: ${why}`);
  };
  await checkMagic(file, fail);
  const expectedTop = basename4(file).endsWith(".trunk") ? basename4(file).slice(0, -".trunk".length) : void 0;
  const out = options.extractTo;
  if (out) {
    await mkdir2(dirname2(out), { recursive: true });
    await mkdir2(out).catch(
      (err) => fail(err.code === "EEXIST" ? `cannot unpack into ${out}: it exists` : `cannot unpack into ${out}: ${err.message}`)
    );
  }
  const fileHash = createHash6("sha256");
  let fileSize = 0;
  const input = createReadStream2(file, { highWaterMark: 1 << 20 });
  input.on("data", (c) => {
    fileHash.update(c);
    fileSize += c.length;
  });
  const gunzip = createGunzip();
  const extract = import_tar_stream2.default.extract();
  gunzip.on("error", (err) => extract.destroy(new UserError(`${file}: not a valid gzip stream (${err.message})`)));
  input.on("error", (err) => extract.destroy(err));
  input.pipe(gunzip).pipe(extract);
  let top;
  const entries = /* @__PURE__ */ new Map();
  let meta;
  let format = "";
  const warnings = [];
  let digests;
  let count = 0;
  let expanded = 0;
  const over = (name, found) => fail(`${found}; the limit is ${limit(name)} ${LIMITS[name].what} (raise it with --limit ${name}=N)`);
  let fromCallback;
  try {
    for await (const entry2 of extract) {
      const h = entry2.header;
      if (++count > limit("trunk-files")) over("trunk-files", `more than ${limit("trunk-files")} entries`);
      const size = h.size ?? 0;
      if (size > limit("trunk-file-bytes")) over("trunk-file-bytes", `entry ${JSON.stringify(h.name)} is ${size} bytes`);
      expanded += size;
      if (expanded > limit("trunk-bytes")) over("trunk-bytes", `the entries up to ${JSON.stringify(h.name)} expand to ${expanded} bytes`);
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
            await mkdir2(join5(out, rel), { recursive: true, mode: 493 }).catch(
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
          const dest = out ? join5(out, rel) : void 0;
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
            try {
              await options.onMeta?.(meta);
            } catch (err) {
              fromCallback = err;
              throw err;
            }
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
        if (e.type === "symlink") await symlink(e.linkname, join5(out, e.path));
      }
    }
  } catch (err) {
    input.destroy();
    if (out) await rm2(out, { recursive: true, force: true });
    if (err !== fromCallback && !(err instanceof UserError) && err instanceof Error && !(err instanceof TypeError) && !(err instanceof RangeError))
      throw new UserError(`${file}: damaged tar stream (${err.message}); the file is truncated or not a trunk`, { cause: err });
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
  const hash = createHash6("sha256");
  const kept = [];
  let size = 0;
  let head;
  let fh;
  if (dest) {
    try {
      await mkdir2(dirname2(dest), { recursive: true });
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

// src/package/install.ts
import { createHash as createHash7, randomBytes as randomBytes2 } from "node:crypto";
import { constants } from "node:fs";
import { access, chmod, copyFile, lstat as lstat3, mkdir as mkdir3, mkdtemp, readFile as readFile3, readlink as readlink2, rename as rename2, rm as rm3, rmdir, symlink as symlink2, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename as basename5, delimiter, dirname as dirname3, join as join7, posix as posix5 } from "node:path";

// src/package/install-state.ts
import { lstat as lstat2, realpath } from "node:fs/promises";
import { posix as posix4 } from "node:path";
var tempName = (dest, suffix) => posix4.join(posix4.dirname(dest), `.${posix4.basename(dest)}.trunkfarm-${suffix}`);
var TEMP = /^\.(.+)\.trunkfarm-[0-9a-f]{8}$/;
async function statePaths(dirs, name) {
  const dir = `${posix4.resolve(dirs.pkglibdir)}.trunkfarm`;
  const places = { bases: pgConfigBases(name, dirs), state: dir, realState: await realpathOfExisting(dir) };
  return { dir, manifest: posix4.join(dir, `${name}.json`), journal: posix4.join(dir, `${name}.journal.json`), places };
}
function inside(p, base) {
  return p === base || p.startsWith(base === "/" ? "/" : `${base}/`);
}
async function realpathOfExisting(p) {
  const rest = [];
  for (let cur = p; ; cur = posix4.dirname(cur)) {
    const r = await realpath(cur).catch(() => void 0);
    if (r !== void 0) return posix4.join(r, ...rest.reverse());
    if (cur === posix4.dirname(cur)) return p;
    rest.push(posix4.basename(cur));
  }
}
function baseOf(path, bases) {
  let best;
  for (const b of bases) if (path !== b && inside(path, b) && (best === void 0 || b.length > best.length)) best = b;
  return best;
}
async function symlinkBetween(base, path) {
  const parts = posix4.relative(base, posix4.dirname(path)).split("/").filter(Boolean);
  let cur = base;
  for (const part of parts) {
    cur = posix4.join(cur, part);
    const st = await lstat2(cur).catch(() => void 0);
    if (!st) return void 0;
    if (st.isSymbolicLink()) return cur;
  }
  return void 0;
}
async function checkPlace(path, places, what) {
  const base = baseOf(path, places.bases);
  if (base === void 0 || posix4.normalize(path) !== path) throw new UserError(`${what} "${path}" is not a place this package installs to`);
  const real = await realpathOfExisting(path);
  if (overlaps(path, places.state) || overlaps(real, places.realState))
    throw new UserError(`${what} "${path}" is in the installer's state directory ${places.state}, where no package may install`);
  const via = await symlinkBetween(base, path);
  if (via) throw new UserError(`${path}: goes through the symlink ${via}; refusing to write through it`);
}
var overlaps = (a, b) => inside(a, b) || inside(b, a);
async function parseManifest(text, where, name, place) {
  let m;
  try {
    m = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${where}: not a readable install manifest (${err.message}); inspect and remove it`);
  }
  await checkManifest(m, where, "", name, place);
  return m;
}
async function parseJournal(text, where, name, places) {
  let j;
  try {
    j = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${where}: unreadable install journal (${err.message}); inspect and remove it`);
  }
  if (!isObject(j) || !Array.isArray(j.temps)) throw new UserError(`${where}: not an install journal; inspect and remove it`);
  await checkManifest(j.manifest, where, "manifest.", name, places);
  const dests = /* @__PURE__ */ new Set([...j.manifest.files.map((f) => f.path), ...j.manifest.symlinks.map((s) => s.path)]);
  for (const [i, t] of j.temps.entries()) {
    const m = typeof t === "string" ? TEMP.exec(posix4.basename(t)) : null;
    if (!m || !dests.has(posix4.join(posix4.dirname(t), m[1])))
      throw new UserError(`${where}: temps[${i}] "${String(t)}" is not a temporary of a file this package installs`);
  }
  return j;
}
async function checkManifest(m, where, prefix, name, place) {
  const bad = (why) => {
    throw new UserError(`${where}: ${why}; inspect and remove it`);
  };
  if (!isObject(m) || m.trunkfarm !== 1) bad("not an install manifest");
  if (m.package !== name) bad(`${prefix}package is "${String(m.package)}", not ${name}`);
  if (!Array.isArray(m.files) || !Array.isArray(m.symlinks) || !Array.isArray(m.dirs)) bad(`${prefix}files, symlinks and dirs must be lists`);
  const checkPath = async (p, what) => {
    if (typeof p !== "string") bad(`${what} is not a path`);
    if ("bases" in place) {
      try {
        await checkPlace(p, place, what);
      } catch (err) {
        throw new UserError(`${where}: ${err.message}`);
      }
    } else {
      const why = badPathReason(p);
      if (why) bad(`${what} "${String(p)}": ${why}`);
      const via = await symlinkBetween(place.root, posix4.join(place.root, p));
      if (via) bad(`${what} "${String(p)}" goes through the symlink ${via}`);
    }
  };
  for (const [i, f] of m.files.entries()) {
    if (!isObject(f) || typeof f.sha256 !== "string") bad(`${prefix}files[${i}] has no sha256`);
    await checkPath(f.path, `${prefix}files[${i}].path`);
  }
  for (const [i, s] of m.symlinks.entries()) {
    if (!isObject(s) || typeof s.target !== "string") bad(`${prefix}symlinks[${i}] has no target`);
    await checkPath(s.path, `${prefix}symlinks[${i}].path`);
  }
  for (const [i, d] of m.dirs.entries()) {
    if (typeof d !== "string") bad(`${prefix}dirs[${i}] is not a path`);
    if ("bases" in place ? !place.bases.some((b) => overlaps(d, b)) || inside(d, place.state) || posix4.normalize(d) !== d : badPathReason(d) !== void 0)
      bad(`${prefix}dirs[${i}] "${d}" is not a directory this package installs`);
  }
}
function isObject(v) {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// src/package/target.ts
import { execFile } from "node:child_process";
import { realpath as realpath2 } from "node:fs/promises";
import { join as join6 } from "node:path";
import { promisify } from "node:util";
var run = promisify(execFile);
var ARCH_NAMES = { x86_64: "amd64", aarch64: "arm64" };
async function readElfInfo(path) {
  let info;
  try {
    info = readElfIfElf(path, { relocations: false, symbols: false });
  } catch {
    return void 0;
  }
  if (!info) return void 0;
  return {
    arch: ARCH_NAMES[info.machine] ?? info.machine,
    ...info.interp !== void 0 ? { interpreter: info.interp } : {},
    ...info.libc ? { libc: info.libc } : {}
  };
}
async function probePgConfig(pgConfig) {
  let stdout;
  try {
    ({ stdout } = await run(pgConfig, [], { maxBuffer: 1 << 20 }));
  } catch (err) {
    throw new UserError(`cannot run pg_config ${pgConfig}: ${err.message.split("\n")[0]}`);
  }
  const values = /* @__PURE__ */ new Map();
  for (const line of stdout.split("\n")) {
    const m = /^([A-Z_-]+) = (.*)$/.exec(line);
    if (m) values.set(m[1], m[2]);
  }
  const version = values.get("VERSION") ?? "";
  const vm = /PostgreSQL (\d+)(?:\.(\d+))?/.exec(version);
  if (!vm) throw new UserError(`${pgConfig}: cannot read the PostgreSQL version from "${version}"`);
  const dirs = {};
  for (const key of ["BINDIR", "DOCDIR", "HTMLDIR", "INCLUDEDIR", "PKGINCLUDEDIR", "LIBDIR", "PKGLIBDIR", "LOCALEDIR", "MANDIR", "SHAREDIR", "SYSCONFDIR"]) {
    const v = values.get(key);
    if (v) dirs[key.toLowerCase()] = v;
  }
  for (const need of ["sharedir", "pkglibdir"]) {
    if (!dirs[need]) throw new UserError(`${pgConfig}: prints no ${need.toUpperCase()}`);
  }
  let elf;
  for (const candidate of [pgConfig, dirs.bindir ? join6(dirs.bindir, "postgres") : void 0]) {
    if (!candidate) continue;
    const info = await readElfInfo(await realpath2(candidate).catch(() => candidate));
    if (info && (elf === void 0 || !elf.interpreter && info.interpreter)) elf = info;
    if (elf?.interpreter) break;
  }
  const libc = elf?.libc;
  const libcVersion = libc ? await libcVersionOf(libc, elf?.interpreter) : void 0;
  const pgVersion = vm[2] !== void 0 ? `${vm[1]}.${vm[2]}` : vm[1];
  return {
    description: `${pgConfig} (PostgreSQL ${pgVersion}, ${[libc, libcVersion].filter(Boolean).join(" ") || "unknown libc"}, ${elf?.arch ?? "unknown arch"})`,
    pgVersion,
    pgMajor: Number(vm[1]),
    ...elf ? { arch: elf.arch } : {},
    ...libc ? { libc } : {},
    ...libcVersion ? { libcVersion } : {},
    dirs
  };
}
async function probeHost() {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  const info = await readElfInfo(process.execPath);
  const libc = info?.libc;
  const libcVersion = libc ? await libcVersionOf(libc, info?.interpreter) : void 0;
  return {
    description: `this machine (${[libc, libcVersion].filter(Boolean).join(" ") || "unknown libc"}, ${arch})`,
    arch,
    ...libc ? { libc } : {},
    ...libcVersion ? { libcVersion } : {}
  };
}
async function libcVersionOf(libc, interpreter) {
  if (libc === "glibc") {
    const header = process.report?.getReport()?.header;
    return header?.glibcVersionRuntime;
  }
  if (!interpreter) return void 0;
  const out = await run(interpreter, []).then(
    (r) => r.stderr,
    (err) => err.stderr ?? ""
  );
  return /Version ([\d.]+)/.exec(out)?.[1];
}
function compatibilityProblems(meta, target, options = {}) {
  const problems = [];
  const pg = meta.postgres.major;
  if (target.pgMajor !== void 0 && target.pgMajor !== pg)
    problems.push(`built for PostgreSQL ${pg}, the target is PostgreSQL ${target.pgVersion ?? target.pgMajor}`);
  if (options.minPgMajor !== void 0 && pg < options.minPgMajor)
    problems.push(`built for PostgreSQL ${pg}; this layout needs PostgreSQL ${options.minPgMajor} or later`);
  const p = meta.platform;
  if (p.os === "any") return problems;
  if (p.os !== "gnulinux" && p.os !== "musllinux") problems.push(`built for OS "${p.os}", the target is Linux`);
  if (target.arch === void 0) problems.push(`cannot tell the target's CPU architecture (built for ${p.arch})`);
  else if (target.arch !== p.arch) problems.push(`built for ${p.arch}, the target is ${target.arch}`);
  if (target.libc === void 0) problems.push(`cannot tell the target's C library (built for ${p.libc})`);
  else if (target.libc !== p.libc) problems.push(`built for ${p.libc}, the target uses ${target.libc}`);
  else if (p.libcVersion && target.libcVersion && compareVersions(target.libcVersion, p.libcVersion) < 0)
    problems.push(`needs ${p.libc} ${p.libcVersion} or later, the target has ${target.libcVersion}`);
  return problems;
}

// src/package/install.ts
var probe = (pgConfig) => typeof pgConfig === "string" ? probePgConfig(pgConfig) : Promise.resolve(pgConfig);
var VOLUME_MANIFEST = ".trunkfarm-install.json";
async function installTrunk(file, target, options = {}) {
  return target.extensionsDir !== void 0 ? installIntoExtensionsDir(file, target.extensionsDir, target.pgConfig, options) : installWithPgConfig(file, target.pgConfig, options);
}
async function uninstallTrunk(file, target) {
  const meta = await readTrunkMeta(file);
  if (target.extensionsDir !== void 0) {
    const root = join7(target.extensionsDir, meta.name);
    const manifestPath = join7(root, VOLUME_MANIFEST);
    const manifest2 = await loadManifest(manifestPath, meta.name, target.extensionsDir, { root });
    const removed2 = await removeInstalled(manifest2, root);
    await unlink(manifestPath);
    await rmdir(root).catch(() => {
    });
    return { package: manifest2.package, version: manifest2.version, removed: removed2, manifest: manifestPath };
  }
  const info = await probe(target.pgConfig);
  const paths = await statePaths(info.dirs, meta.name);
  await recoverInterrupted(paths, meta.name);
  const manifest = await loadManifest(paths.manifest, meta.name, info.description, paths.places);
  const removed = await removeInstalled(manifest, void 0);
  await unlink(paths.manifest);
  await rmdir(paths.dir).catch(() => {
  });
  return { package: manifest.package, version: manifest.version, removed, manifest: paths.manifest };
}
async function installWithPgConfig(file, pgConfig, options) {
  const info = await probe(pgConfig);
  const scratch = await mkdtemp(join7(tmpdir(), "trunkfarm-install-"));
  try {
    const trunk = await openChecked(file, join7(scratch, "pkg"), info, {});
    const meta = trunk.meta;
    const paths = await statePaths(info.dirs, meta.name);
    await recoverInterrupted(paths, meta.name);
    await refuseIfInstalled(paths.manifest, meta);
    const interpreters = await findInterpreters(trunk);
    const leaves = trunk.entries.filter((e) => e.type !== "directory");
    const mapped = mapPaths(
      leaves.map((e) => e.path),
      (p) => pgConfigDestination(p, meta.name, info.dirs)
    );
    if (mapped.clash) throw new UserError(`${file}: "${mapped.clash[0]}" and "${mapped.clash[1]}" both install as ${mapped.clash[2]}`);
    const plan = leaves.filter((e) => mapped.map.has(e.path)).map((e) => ({ entry: e, dest: mapped.map.get(e.path) }));
    for (const { dest } of plan) await checkPlace(dest, paths.places, "destination");
    const links = mappedLinks(trunk, plan, (p) => pgConfigDestination(p, meta.name, info.dirs), file);
    const existing = await existingPaths(plan.map((p) => p.dest));
    if (existing.length) throw new UserError(`refusing to overwrite files not installed by trunkfarm: ${listSome(existing)}`);
    const manifest = emptyManifest(trunk);
    manifest.dirs = await missingDirs(plan.map((p) => dirname3(p.dest)));
    const temps = plan.map((p) => tempName(p.dest, randomBytes2(4).toString("hex")));
    for (const { entry: entry2, dest } of plan) {
      if (entry2.type === "symlink") manifest.symlinks.push({ path: dest, target: links.get(dest) });
      else manifest.files.push({ path: dest, sha256: entry2.sha256, mode: entry2.mode & 493 });
    }
    await mkdir3(paths.dir, { recursive: true, mode: 493 });
    await writeJsonAtomic(paths.journal, { manifest, temps });
    try {
      for (const d of manifest.dirs) await mkdir3(d).catch((err) => {
        if (err.code !== "EEXIST") throw err;
      });
      for (const [i, { entry: entry2 }] of plan.entries()) {
        const staged = join7(scratch, "pkg", entry2.path);
        if (entry2.type === "symlink") {
          await symlink2(links.get(plan[i].dest), temps[i]);
          continue;
        }
        const f = manifest.files.find((m) => m.path === plan[i].dest);
        const interp = entry2.interpreter ? interpreters.get(entry2.interpreter) : void 0;
        if (interp) {
          const data = rewriteShebang(await readFile3(staged), interp);
          await writeFile(temps[i], data, { flag: "wx", mode: 384 });
          f.sha256 = sha2562(data);
        } else {
          await copyFile(staged, temps[i], constants.COPYFILE_EXCL);
        }
        await chmod(temps[i], entry2.mode & 493);
      }
      await writeJsonAtomic(paths.journal, { manifest, temps });
      for (const [i, { dest }] of plan.entries()) {
        options.onCommitStep?.(i, plan.length);
        await rename2(temps[i], dest);
      }
      await writeJsonAtomic(paths.manifest, manifest);
      await unlink(paths.journal);
    } catch (err) {
      await recoverInterrupted(paths, meta.name);
      throw err;
    }
    return {
      package: meta.name,
      version: meta.version,
      trunk: trunk.name,
      target: info.description,
      installed: plan.map((p) => p.dest).sort(comparePaths),
      manifest: paths.manifest,
      warnings: trunk.warnings
    };
  } finally {
    await rm3(scratch, { recursive: true, force: true });
  }
}
async function recoverInterrupted(paths, name) {
  let text;
  try {
    text = await readFile3(paths.journal, "utf8");
  } catch (err) {
    if (err.code === "ENOENT") return false;
    throw new UserError(`${paths.journal}: unreadable install journal (${err.message}); inspect and remove it`);
  }
  const journal = await parseJournal(text, paths.journal, name, paths.places);
  const completed = await readFile3(paths.manifest, "utf8").then(
    (text2) => JSON.parse(text2).sha256 === journal.manifest.sha256,
    () => false
  );
  if (!completed) {
    for (const t of journal.temps) await rm3(t, { force: true });
    for (const f of journal.manifest.files) {
      if (await digestOf(f.path) === f.sha256) await unlink(f.path);
    }
    for (const s of journal.manifest.symlinks) {
      if (await readlink2(s.path).catch(() => void 0) === s.target) await unlink(s.path);
    }
    for (const d of [...journal.manifest.dirs].sort(comparePaths).reverse()) await rmdir(d).catch(() => {
    });
  }
  await unlink(paths.journal);
  if (!completed) await rmdir(paths.dir).catch(() => {
  });
  return true;
}
async function installIntoExtensionsDir(file, dir, pgConfig, options) {
  const info = pgConfig ? await probe(pgConfig) : await probeHost();
  await mkdir3(dir, { recursive: true });
  const staging = await mkdtemp(join7(dir, ".trunkfarm-staging-"));
  try {
    const early = { dir };
    const trunk = await openChecked(file, join7(staging, "pkg"), info, { minPgMajor: 18, refuseExisting: early });
    const meta = trunk.meta;
    const root = join7(dir, meta.name);
    if (await present(root)) throw new UserError(`${root} exists: ${meta.name} is already installed there; uninstall it first`);
    const interpreters = await findInterpreters(trunk);
    const pkgEntries = trunk.entries.map((e) => ({ ...e, ...e.type === "file" ? { source: join7(staging, "pkg", e.path) } : {} }));
    const bySource = new Map(trunk.entries.filter((e) => e.type === "file").map((e) => [join7(staging, "pkg", e.path), e]));
    const tree = await volumeTree(pkgEntries, meta.name);
    const out = join7(staging, "root");
    const manifest = emptyManifest(trunk);
    await mkdir3(out);
    for (const e of tree.entries) {
      const at = join7(out, e.path);
      if (e.type === "directory") {
        await mkdir3(at, { mode: 493 });
        manifest.dirs.push(e.path);
      } else if (e.type === "symlink") {
        await symlink2(e.linkname, at);
        manifest.symlinks.push({ path: e.path, target: e.linkname });
      } else {
        const pkgEntry = e.source ? bySource.get(e.source) : void 0;
        const interp = pkgEntry?.interpreter ? interpreters.get(pkgEntry.interpreter) : void 0;
        let data = e.data;
        if (interp) data = rewriteShebang(data ?? await readFile3(e.source), interp);
        if (data) await writeFile(at, data, { flag: "wx" });
        else await rename2(e.source, at);
        await chmod(at, e.mode & 493);
        manifest.files.push({ path: e.path, sha256: data ? sha2562(data) : e.sha256, mode: e.mode & 493 });
      }
    }
    manifest.dirs.reverse();
    await writeFile(join7(out, VOLUME_MANIFEST), `${JSON.stringify(manifest, null, 2)}
`, { mode: 420 });
    options.onCommitStep?.(0, 1);
    await rename2(out, root).catch((err) => {
      throw err.code === "ENOTEMPTY" || err.code === "EEXIST" ? new UserError(`${root} appeared while installing; nothing was changed`) : err;
    });
    return {
      package: meta.name,
      version: meta.version,
      trunk: trunk.name,
      target: `${root} for ${info.description}`,
      installed: [...manifest.files.map((f) => f.path), ...manifest.symlinks.map((s) => s.path)].sort(comparePaths).map((p) => join7(root, p)),
      manifest: join7(root, VOLUME_MANIFEST),
      warnings: [...trunk.warnings, ...tree.skipped.filter((p) => p.startsWith("pgsql/")).map((p) => `not placed in the extensions layout: ${p}`)],
      settings: searchPathSettings(root),
      rewritten: tree.rewritten.map((r) => r.path)
    };
  } finally {
    await rm3(staging, { recursive: true, force: true });
  }
}
async function openChecked(file, extractTo, info, options) {
  const check = async (meta) => {
    const problems = compatibilityProblems(meta, info, options);
    if (problems.length) throw new UserError(`${basename5(file)} does not fit ${info.description}:
  ${problems.join("\n  ")}`);
    if (options.refuseExisting && await present(join7(options.refuseExisting.dir, meta.name)))
      throw new UserError(`${join7(options.refuseExisting.dir, meta.name)} exists: ${meta.name} is already installed there; uninstall it first`);
  };
  const trunk = await readTrunk(file, { extractTo, onMeta: check });
  await check(trunk.meta);
  return trunk;
}
async function refuseIfInstalled(manifestPath, meta) {
  const text = await readFile3(manifestPath, "utf8").catch(() => void 0);
  if (text === void 0) return;
  const version = (() => {
    try {
      return String(JSON.parse(text).version);
    } catch {
      return "(unreadable manifest)";
    }
  })();
  throw new UserError(`${meta.name} ${version} is already installed (${manifestPath}); uninstall it first`);
}
async function loadManifest(path, name, where, place) {
  const text = await readFile3(path, "utf8").catch(() => void 0);
  if (text === void 0) throw new UserError(`${name} was not installed by trunkfarm into ${where} (no ${path})`);
  return parseManifest(text, path, name, place);
}
function mappedLinks(trunk, plan, destination, file) {
  const view = withImpliedDirs(new Map(trunk.entries.map((e) => [e.path, e])));
  const out = /* @__PURE__ */ new Map();
  for (const { entry: entry2, dest } of plan) {
    if (entry2.type !== "symlink") continue;
    const r = resolveLink(view, entry2.path);
    const to = r.ok ? destination(r.path) : null;
    if (to === null) throw new UserError(`${file}: symlink "${entry2.path}" -> "${entry2.linkname}" names ${r.ok ? `"${r.path}", which is not installed` : r.reason}`);
    out.set(dest, posix5.relative(dirname3(dest), to));
  }
  return out;
}
async function removeInstalled(manifest, root) {
  const abs = (p) => root ? join7(root, p) : p;
  const changed = [];
  for (const f of manifest.files) {
    if (await digestOf(abs(f.path)) !== f.sha256) changed.push(abs(f.path));
  }
  for (const s of manifest.symlinks) {
    const t = await readlink2(abs(s.path)).catch(() => void 0);
    if (t !== void 0 && t !== s.target) changed.push(abs(s.path));
  }
  if (changed.length) throw new UserError(`refusing to uninstall: changed since it was installed: ${listSome(changed)}`);
  const removed = [];
  for (const p of [...manifest.files.map((f) => f.path), ...manifest.symlinks.map((s) => s.path)]) {
    try {
      await unlink(abs(p));
      removed.push(abs(p));
    } catch (err) {
      if (err.code !== "ENOENT") throw err;
    }
  }
  for (const d of [...manifest.dirs].sort(comparePaths).reverse()) await rmdir(abs(d)).catch(() => {
  });
  return removed.sort(comparePaths);
}
function emptyManifest(trunk) {
  return { trunkfarm: 1, package: trunk.meta.name, version: trunk.meta.version, trunk: trunk.name, sha256: trunk.sha256, files: [], symlinks: [], dirs: [] };
}
async function findInterpreters(trunk) {
  const found = /* @__PURE__ */ new Map();
  for (const e of trunk.entries) {
    if (!e.interpreter || found.has(e.interpreter)) continue;
    const path = await which(e.interpreter);
    if (!path) throw new UserError(`${e.path} needs the interpreter "${e.interpreter}", which is not on PATH`);
    found.set(e.interpreter, path);
  }
  return found;
}
async function which(cmd) {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir.startsWith("/")) continue;
    const p = join7(dir, cmd);
    if (await access(p, constants.X_OK).then(() => true, () => false)) return p;
  }
  return void 0;
}
function rewriteShebang(data, interpreter) {
  const m = /^#![A-Za-z0-9._+-]+/.exec(data.subarray(0, 256).toString("latin1"));
  return m ? Buffer.concat([Buffer.from(`#!${interpreter}`), data.subarray(m[0].length)]) : data;
}
async function existingPaths(paths) {
  const found = [];
  for (const p of paths) if (await present(p)) found.push(p);
  return found;
}
async function missingDirs(dirs) {
  const missing = /* @__PURE__ */ new Set();
  for (const d of dirs) {
    for (let cur = d; cur !== dirname3(cur); cur = dirname3(cur)) {
      if (missing.has(cur)) break;
      if (await present(cur)) break;
      missing.add(cur);
    }
  }
  return [...missing].sort(comparePaths);
}
var present = (p) => exists(p, { noFollow: true });
async function digestOf(path) {
  const st = await lstat3(path).catch(() => void 0);
  return st?.isFile() ? hashFile(path) : void 0;
}
async function writeJsonAtomic(path, value) {
  const tmp = `${path}.${randomBytes2(4).toString("hex")}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}
`, { mode: 420 });
  await rename2(tmp, path);
}
function sha2562(data) {
  return createHash7("sha256").update(data).digest("hex");
}
function listSome(paths) {
  return paths.length <= 5 ? paths.join(", ") : `${paths.slice(0, 5).join(", ")} and ${paths.length - 5} more`;
}

export {
  parseTrunkName,
  compareSemver,
  parsePackageMeta,
  comparePaths,
  TOP_TEXT,
  writeTarGz,
  pgConfigDestination,
  mapPaths,
  pack,
  readTrunk,
  installTrunk,
  uninstallTrunk
};
