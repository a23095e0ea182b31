import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  DIGESTS,
  FORMAT_VERSION,
  MEDIA,
  TAG,
  TRUNK_JSON,
  adoptBlob,
  blobTempPath,
  comparePaths,
  formatDigests,
  formatPlatform,
  formatTrunkName,
  hashFile,
  initLayout,
  isExtensionScript,
  isSemver,
  mapPaths,
  mergeIndexes,
  pgConfigDestination,
  putBlobFile,
  putJson,
  readJsonBlob,
  readStage,
  readTrunk,
  readTrunkMeta,
  resolveLink,
  resolveRef,
  rewriteLibdirLiterals,
  searchPathSettings,
  serialiseTrunkJson,
  setRef,
  volumeDestination,
  writeTarGz
} from "./chunk-XO6UH2PY.js";
import {
  readElfIfElf
} from "./chunk-R5N6SZHY.js";
import {
  ARCHES,
  LIBCS
} from "./chunk-V2K6CCND.js";
import {
  external_exports
} from "./chunk-BS25TXF5.js";
import {
  UserError
} from "./chunk-YUDCMAJG.js";

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
import { basename as basename2, join as join2, resolve } from "node:path";

// src/package/volume.ts
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { posix } from "node:path";
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
      out.push({ ...e, path: dest, linkname: posix.relative(posix.dirname(dest), targetDest) });
      continue;
    }
    if (isExtensionScript(dest)) {
      const text = (e.data ?? await readFile(e.source)).toString("utf8");
      const r = rewriteLibdirLiterals(text);
      if (r.count > 0) {
        const data = Buffer.from(r.text);
        rewritten.push({ path: dest, count: r.count });
        out.push({ path: dest, type: "file", mode: e.mode, size: data.length, data, sha256: createHash("sha256").update(data).digest("hex") });
        continue;
      }
    }
    out.push({ ...e, path: dest });
  }
  const dirs = /* @__PURE__ */ new Set();
  for (const e of out) {
    for (let d = posix.dirname(e.path); d !== "."; d = posix.dirname(d)) dirs.add(d);
  }
  for (const d of dirs) out.push({ path: d, type: "directory", mode: 493, size: 0 });
  out.sort((a, b) => comparePaths(a.path, b.path));
  return { entries: out, rewritten, skipped: mapped.skipped };
}

// src/package/oci/image.ts
function imageTag(meta) {
  const tag = `${meta.version}-pg${meta.postgres.major}-${meta.platform.os}`;
  if (!TAG.test(tag)) throw new UserError(`cannot make an image tag from version "${meta.version}"`);
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
    "org.opencontainers.image.title": meta.name,
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
      config: { Labels: { "org.opencontainers.image.title": meta.name } },
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

// src/package/oci/artifact.ts
import { basename } from "node:path";
function trunkArtifactTag(meta) {
  const p = meta.platform;
  const platform = formatPlatform(p.os === "any" ? {} : { os: p.os, osVersion: p.osVersion, arch: p.arch });
  return `${meta.version}-pg${meta.postgres.major}-${platform}.trunk`;
}
async function writeTrunkArtifact(layoutDir, trunkPath, meta) {
  await initLayout(layoutDir);
  const file = basename(trunkPath);
  const stored = await putBlobFile(layoutDir, trunkPath);
  const blob = { mediaType: MEDIA.layerGzip, ...stored, annotations: { "org.opencontainers.image.title": file } };
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
import { createHash as createHash2 } from "node:crypto";
import { join } from "node:path";
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
  const path = join(outDir, `${name}.trunk`);
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
  const present = new Set(entries.filter((e) => e.type !== "directory").map((e) => e.path));
  const missing = [
    ...meta.extensions.map((x) => `pgsql/share/extension/${x}.control`),
    ...meta.dependencies.bundled.map((b) => b.file)
  ].filter((p) => !present.has(p));
  if (missing.length) throw new UserError(`${stage}: the metadata names files the stage lacks: ${missing.join(", ")}`);
}
function sha256(data) {
  return createHash2("sha256").update(data).digest("hex");
}

// src/package/pack.ts
async function pack(stage, meta, outDir) {
  const out = resolve(outDir);
  await mkdir(out, { recursive: true });
  const entries = await readStage(stage);
  const writing = writeTrunk(stage, meta, out, { entries });
  const layout = join2(out, "oci");
  const ref = writing.then((t) => ({ file: basename2(t.path), sha256: t.sha256 }));
  const [trunk, image] = await Promise.all([writing, writeExtensionImage(layout, entries, meta, { trunk: ref })]);
  const artifact = await writeTrunkArtifact(layout, trunk.path, meta);
  return { trunk, layout, image, artifact: { tag: artifact.tag, manifest: artifact.manifest } };
}

// src/package/install.ts
import { createHash as createHash3, randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { access, chmod, copyFile, lstat, mkdir as mkdir2, mkdtemp, readFile as readFile2, readlink, rename, rm, rmdir, symlink, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename as basename3, delimiter, dirname, join as join4 } from "node:path";

// src/package/target.ts
import { execFile } from "node:child_process";
import { realpath } from "node:fs/promises";
import { join as join3 } from "node:path";
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
  for (const candidate of [pgConfig, dirs.bindir ? join3(dirs.bindir, "postgres") : void 0]) {
    if (!candidate) continue;
    const info = await readElfInfo(await realpath(candidate).catch(() => candidate));
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
  else if (p.libcVersion && target.libcVersion && compareDotted(target.libcVersion, p.libcVersion) < 0)
    problems.push(`needs ${p.libc} ${p.libcVersion} or later, the target has ${target.libcVersion}`);
  return problems;
}
function compareDotted(a, b) {
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
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
    const root = join4(target.extensionsDir, meta.name);
    const manifestPath = join4(root, VOLUME_MANIFEST);
    const manifest2 = await loadManifest(manifestPath, meta.name, target.extensionsDir);
    const removed2 = await removeInstalled(manifest2, root);
    await unlink(manifestPath);
    await rmdir(root).catch(() => {
    });
    return { package: manifest2.package, version: manifest2.version, removed: removed2, manifest: manifestPath };
  }
  const info = await probe(target.pgConfig);
  const paths = statePaths(info, meta.name);
  await recoverInterrupted(paths);
  const manifest = await loadManifest(paths.manifest, meta.name, info.description);
  const removed = await removeInstalled(manifest, void 0);
  await unlink(paths.manifest);
  await rmdir(paths.dir).catch(() => {
  });
  return { package: manifest.package, version: manifest.version, removed, manifest: paths.manifest };
}
async function installWithPgConfig(file, pgConfig, options) {
  const info = await probe(pgConfig);
  const scratch = await mkdtemp(join4(tmpdir(), "trunkfarm-install-"));
  try {
    const trunk = await openChecked(file, join4(scratch, "pkg"), info, {});
    const meta = trunk.meta;
    const paths = statePaths(info, meta.name);
    await recoverInterrupted(paths);
    await refuseIfInstalled(paths.manifest, meta);
    const interpreters = await findInterpreters(trunk);
    const leaves = trunk.entries.filter((e) => e.type !== "directory");
    const mapped = mapPaths(
      leaves.map((e) => e.path),
      (p) => pgConfigDestination(p, meta.name, info.dirs)
    );
    if (mapped.clash) throw new UserError(`${file}: "${mapped.clash[0]}" and "${mapped.clash[1]}" both install as ${mapped.clash[2]}`);
    const plan = leaves.filter((e) => mapped.map.has(e.path)).map((e) => ({ entry: e, dest: mapped.map.get(e.path) }));
    const existing = await existingPaths(plan.map((p) => p.dest));
    if (existing.length) throw new UserError(`refusing to overwrite files not installed by trunkfarm: ${listSome(existing)}`);
    const manifest = emptyManifest(trunk);
    manifest.dirs = await missingDirs([...plan.map((p) => dirname(p.dest)), paths.dir]);
    const temps = plan.map((p) => join4(dirname(p.dest), `.${basename3(p.dest)}.trunkfarm-${randomBytes(4).toString("hex")}`));
    for (const { entry, dest } of plan) {
      if (entry.type === "symlink") manifest.symlinks.push({ path: dest, target: entry.linkname });
      else manifest.files.push({ path: dest, sha256: entry.sha256, mode: entry.mode & 493 });
    }
    await mkdir2(paths.dir, { recursive: true });
    await writeJsonAtomic(paths.journal, { manifest, temps });
    try {
      for (const d of manifest.dirs) await mkdir2(d).catch((err) => {
        if (err.code !== "EEXIST") throw err;
      });
      for (const [i, { entry }] of plan.entries()) {
        const staged = join4(scratch, "pkg", entry.path);
        if (entry.type === "symlink") {
          await symlink(entry.linkname, temps[i]);
          continue;
        }
        const f = manifest.files.find((m) => m.path === plan[i].dest);
        const interp = entry.interpreter ? interpreters.get(entry.interpreter) : void 0;
        if (interp) {
          const data = rewriteShebang(await readFile2(staged), interp);
          await writeFile(temps[i], data, { flag: "wx", mode: 384 });
          f.sha256 = sha2562(data);
        } else {
          await copyFile(staged, temps[i], constants.COPYFILE_EXCL);
        }
        await chmod(temps[i], entry.mode & 493);
      }
      await writeJsonAtomic(paths.journal, { manifest, temps });
      for (const [i, { dest }] of plan.entries()) {
        options.onCommitStep?.(i, plan.length);
        await rename(temps[i], dest);
      }
      await writeJsonAtomic(paths.manifest, manifest);
      await unlink(paths.journal);
    } catch (err) {
      await recoverInterrupted(paths);
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
    await rm(scratch, { recursive: true, force: true });
  }
}
function statePaths(info, name) {
  const dir = join4(info.dirs.sharedir, "trunkfarm");
  return { dir, manifest: join4(dir, `${name}.json`), journal: join4(dir, `${name}.journal.json`) };
}
async function recoverInterrupted(paths) {
  let journal;
  try {
    journal = JSON.parse(await readFile2(paths.journal, "utf8"));
  } catch (err) {
    if (err.code === "ENOENT") return false;
    throw new UserError(`${paths.journal}: unreadable install journal (${err.message}); inspect and remove it`);
  }
  const completed = await readFile2(paths.manifest, "utf8").then(
    (text) => JSON.parse(text).sha256 === journal.manifest.sha256,
    () => false
  );
  if (!completed) {
    for (const t of journal.temps) await rm(t, { force: true });
    for (const f of journal.manifest.files) {
      if (await digestOf(f.path) === f.sha256) await unlink(f.path);
    }
    for (const s of journal.manifest.symlinks) {
      if (await readlink(s.path).catch(() => void 0) === s.target) await unlink(s.path);
    }
    for (const d of [...journal.manifest.dirs].sort(comparePaths).reverse()) {
      if (d !== paths.dir) await rmdir(d).catch(() => {
      });
    }
  }
  await unlink(paths.journal);
  if (!completed) await rmdir(paths.dir).catch(() => {
  });
  return true;
}
async function installIntoExtensionsDir(file, dir, pgConfig, options) {
  const info = pgConfig ? await probe(pgConfig) : await probeHost();
  await mkdir2(dir, { recursive: true });
  const staging = await mkdtemp(join4(dir, ".trunkfarm-staging-"));
  try {
    const early = { dir };
    const trunk = await openChecked(file, join4(staging, "pkg"), info, { minPgMajor: 18, refuseExisting: early });
    const meta = trunk.meta;
    const root = join4(dir, meta.name);
    if (await exists(root)) throw new UserError(`${root} exists: ${meta.name} is already installed there; uninstall it first`);
    const interpreters = await findInterpreters(trunk);
    const pkgEntries = trunk.entries.map((e) => ({ ...e, ...e.type === "file" ? { source: join4(staging, "pkg", e.path) } : {} }));
    const bySource = new Map(trunk.entries.filter((e) => e.type === "file").map((e) => [join4(staging, "pkg", e.path), e]));
    const tree = await volumeTree(pkgEntries, meta.name);
    const out = join4(staging, "root");
    const manifest = emptyManifest(trunk);
    await mkdir2(out);
    for (const e of tree.entries) {
      const at = join4(out, e.path);
      if (e.type === "directory") {
        await mkdir2(at, { mode: 493 });
        manifest.dirs.push(e.path);
      } else if (e.type === "symlink") {
        await symlink(e.linkname, at);
        manifest.symlinks.push({ path: e.path, target: e.linkname });
      } else {
        const pkgEntry = e.source ? bySource.get(e.source) : void 0;
        const interp = pkgEntry?.interpreter ? interpreters.get(pkgEntry.interpreter) : void 0;
        let data = e.data;
        if (interp) data = rewriteShebang(data ?? await readFile2(e.source), interp);
        if (data) await writeFile(at, data, { flag: "wx" });
        else await rename(e.source, at);
        await chmod(at, e.mode & 493);
        manifest.files.push({ path: e.path, sha256: data ? sha2562(data) : e.sha256, mode: e.mode & 493 });
      }
    }
    manifest.dirs.reverse();
    await writeFile(join4(out, VOLUME_MANIFEST), `${JSON.stringify(manifest, null, 2)}
`, { mode: 420 });
    options.onCommitStep?.(0, 1);
    await rename(out, root).catch((err) => {
      throw err.code === "ENOTEMPTY" || err.code === "EEXIST" ? new UserError(`${root} appeared while installing; nothing was changed`) : err;
    });
    return {
      package: meta.name,
      version: meta.version,
      trunk: trunk.name,
      target: `${root} for ${info.description}`,
      installed: [...manifest.files.map((f) => f.path), ...manifest.symlinks.map((s) => s.path)].sort(comparePaths).map((p) => join4(root, p)),
      manifest: join4(root, VOLUME_MANIFEST),
      warnings: [...trunk.warnings, ...tree.skipped.filter((p) => p.startsWith("pgsql/")).map((p) => `not placed in the extensions layout: ${p}`)],
      settings: searchPathSettings(root),
      rewritten: tree.rewritten.map((r) => r.path)
    };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
async function openChecked(file, extractTo, info, options) {
  const check = async (meta) => {
    const problems = compatibilityProblems(meta, info, options);
    if (problems.length) throw new UserError(`${basename3(file)} does not fit ${info.description}:
  ${problems.join("\n  ")}`);
    if (options.refuseExisting && await exists(join4(options.refuseExisting.dir, meta.name)))
      throw new UserError(`${join4(options.refuseExisting.dir, meta.name)} exists: ${meta.name} is already installed there; uninstall it first`);
  };
  const trunk = await readTrunk(file, { extractTo, onMeta: check });
  await check(trunk.meta);
  return trunk;
}
async function refuseIfInstalled(manifestPath, meta) {
  const text = await readFile2(manifestPath, "utf8").catch(() => void 0);
  if (text === void 0) return;
  const m = JSON.parse(text);
  throw new UserError(`${meta.name} ${m.version} is already installed (${manifestPath}); uninstall it first`);
}
async function loadManifest(path, name, where) {
  const text = await readFile2(path, "utf8").catch(() => void 0);
  if (text === void 0) throw new UserError(`${name} was not installed by trunkfarm into ${where} (no ${path})`);
  try {
    return JSON.parse(text);
  } catch {
    throw new UserError(`${path}: not a readable install manifest`);
  }
}
async function removeInstalled(manifest, root) {
  const abs = (p) => root ? join4(root, p) : p;
  const changed = [];
  for (const f of manifest.files) {
    if (await digestOf(abs(f.path)) !== f.sha256) changed.push(abs(f.path));
  }
  for (const s of manifest.symlinks) {
    const t = await readlink(abs(s.path)).catch(() => void 0);
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
    const p = join4(dir, cmd);
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
  for (const p of paths) if (await exists(p)) found.push(p);
  return found;
}
async function missingDirs(dirs) {
  const missing = /* @__PURE__ */ new Set();
  for (const d of dirs) {
    for (let cur = d; cur !== dirname(cur); cur = dirname(cur)) {
      if (missing.has(cur)) break;
      if (await exists(cur)) break;
      missing.add(cur);
    }
  }
  return [...missing].sort(comparePaths);
}
async function exists(p) {
  return lstat(p).then(
    () => true,
    () => false
  );
}
async function digestOf(path) {
  const st = await lstat(path).catch(() => void 0);
  return st?.isFile() ? hashFile(path) : void 0;
}
async function writeJsonAtomic(path, value) {
  const tmp = `${path}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}
`, { mode: 420 });
  await rename(tmp, path);
}
function sha2562(data) {
  return createHash3("sha256").update(data).digest("hex");
}
function listSome(paths) {
  return paths.length <= 5 ? paths.join(", ") : `${paths.slice(0, 5).join(", ")} and ${paths.length - 5} more`;
}

export {
  parsePackageMeta,
  pack,
  installTrunk,
  uninstallTrunk
};
