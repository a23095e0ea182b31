import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  cacheRoot
} from "./chunk-QDKAMVMW.js";
import {
  comparePaths,
  compareSemver,
  mapPaths,
  parseTrunkName,
  pgConfigDestination,
  readTrunk,
  writeTarGz
} from "./chunk-4TVER6QU.js";
import {
  captureInventory,
  checkTree,
  inventoryFromLayers,
  parseInventory,
  resolvePath
} from "./chunk-CDJG6GNL.js";
import {
  ARCHES,
  EXTENSION_NAME,
  TRUNK_OS
} from "./chunk-VABCLRSN.js";
import {
  MEDIA,
  REF_NAME,
  RegistryError,
  TITLE,
  adoptBlob,
  blobPath,
  blobSize,
  blobTempPath,
  diffStats,
  digestLike,
  embeddedMediaType,
  getManifest,
  initLayout,
  isDigest,
  isIndexType,
  listTags,
  ociLayerType,
  parseReference,
  pushBlob,
  pushLayout,
  putBlob,
  repositoryScope,
  saveVerified,
  setRef,
  sha256Digest
} from "./chunk-MAW6PNMB.js";
import {
  UserError
} from "./chunk-YUDCMAJG.js";

// src/compose/repository.ts
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
function openRepository(spec, client) {
  if (spec.startsWith("oci:")) return layoutRepository(spec.slice("oci:".length));
  const ref = parseReference(spec);
  if (ref.tag !== void 0 || ref.digest !== void 0) throw new UserError(`${spec}: name a repository here, without a tag or digest`);
  return registryRepository(client, { registry: ref.registry, repository: ref.repository });
}
function parseImageRef(text, client) {
  if (text.startsWith("oci:")) {
    const rest = text.slice("oci:".length);
    const at = rest.lastIndexOf("@");
    const colon = rest.lastIndexOf(":");
    if (at > 0) return { repository: layoutRepository(rest.slice(0, at)), reference: rest.slice(at + 1) };
    if (colon > 0 && !rest.slice(colon + 1).includes("/")) return { repository: layoutRepository(rest.slice(0, colon)), reference: rest.slice(colon + 1) };
    throw new UserError(`${text}: name the image in the layout, as oci:DIR:TAG or oci:DIR@DIGEST`);
  }
  const ref = parseReference(text);
  const reference = ref.digest ?? ref.tag;
  if (reference === void 0) throw new UserError(`${text}: name a tag or a digest (HOST/REPO:TAG)`);
  return { repository: registryRepository(client, { registry: ref.registry, repository: ref.repository }), reference };
}
function registryRepository(client, repo) {
  const label = `${repo.registry}/${repo.repository}`;
  return {
    label,
    remote: repo,
    async manifest(reference) {
      return getManifest(client, repo, reference);
    },
    async blob(digest) {
      return client.stream({
        operation: `get blob ${digest} from ${label}`,
        registry: repo.registry,
        method: "GET",
        path: `/v2/${repo.repository}/blobs/${digest}`,
        scopes: [repositoryScope(repo.repository, "pull")],
        expect: [200]
      });
    },
    tags: () => listTags(client, repo),
    async blobSize(digest) {
      const size = await blobSize(client, repo, digest);
      return size === -1 ? void 0 : size;
    }
  };
}
function layoutRepository(dir) {
  const label = `oci:${dir}`;
  const index = async () => {
    let text;
    try {
      text = await readFile(path.join(dir, "index.json"), "utf8");
    } catch {
      return [];
    }
    try {
      const parsed = JSON.parse(text);
      return Array.isArray(parsed.manifests) ? parsed.manifests : [];
    } catch {
      throw new UserError(`${path.join(dir, "index.json")}: not valid JSON`);
    }
  };
  const blobFile = (digest) => {
    if (!isDigest(digest)) throw new UserError(`${label}: ${JSON.stringify(digest)} is not a digest`);
    const [algorithm, hex] = digest.split(":");
    return path.join(dir, "blobs", algorithm, hex);
  };
  return {
    label,
    dir,
    async manifest(reference) {
      const entries = await index();
      const desc = isDigest(reference) ? void 0 : entries.find((d) => d.annotations?.[REF_NAME] === reference);
      const digest = isDigest(reference) ? reference : desc?.digest;
      if (digest === void 0) return void 0;
      const bytes = await readFile(blobFile(digest)).catch(() => void 0);
      if (bytes === void 0) return void 0;
      if (digestLike(digest, bytes) !== digest) throw new UserError(`${label}: blob ${digest} does not match its digest`);
      const mediaType = desc?.mediaType ?? entries.find((d) => d.digest === digest)?.mediaType ?? embeddedMediaType(bytes) ?? "";
      return { digest, mediaType, size: bytes.length, bytes };
    },
    async blob(digest) {
      const file = blobFile(digest);
      await stat(file).catch(() => {
        throw new UserError(`${label} has no blob ${digest}`);
      });
      return createReadStream(file);
    },
    async blobSize(digest) {
      return (await stat(blobFile(digest)).catch(() => void 0))?.size;
    },
    async tags() {
      return (await index()).map((d) => d.annotations?.[REF_NAME]).filter((t) => t !== void 0);
    }
  };
}

// src/compose/trunks.ts
import { stat as stat2 } from "node:fs/promises";
import path3 from "node:path";

// src/compose/base.ts
import { mkdir, readFile as readFile2, rename, writeFile } from "node:fs/promises";
import path2 from "node:path";
import { createGunzip } from "node:zlib";
var FACTS_VERSION = 1;
var MANIFEST_LIMIT = 4 << 20;
async function resolveBase(repository, reference, options = {}) {
  const top = await repository.manifest(reference);
  if (top === void 0) throw new UserError(`base image ${repository.label}:${reference}: no such image`);
  const images = [];
  if (isIndexType(top.mediaType)) {
    const index = parseJson(top.bytes, `${repository.label}:${reference}`);
    for (const d of index.manifests ?? []) {
      const arch = archOf(d.platform?.architecture);
      if (d.platform?.os !== "linux" || arch === void 0 || options.arch !== void 0 && arch !== options.arch) continue;
      const m = await repository.manifest(d.digest);
      if (m === void 0) throw new UserError(`base image ${repository.label}:${reference}: its index lists ${d.digest}, which is missing`);
      images.push(m);
    }
    if (images.length === 0) {
      throw new UserError(`base image ${repository.label}:${reference}: no linux/${options.arch ?? "{amd64,arm64}"} image in its index`);
    }
  } else {
    images.push(top);
  }
  const out = [];
  for (const manifest of images) out.push(await inspectImage(repository, reference, manifest, options));
  return out;
}
async function inspectImage(repository, reference, manifest, options) {
  const where = `base image ${repository.label}@${manifest.digest}`;
  if (manifest.size > MANIFEST_LIMIT) throw new UserError(`${where}: manifest too large`);
  const document = parseJson(manifest.bytes, where);
  if (!document.config || !Array.isArray(document.layers)) throw new UserError(`${where}: not an image manifest (no config or layers)`);
  const config = parseJson(await readAll(await repository.blob(document.config.digest), MANIFEST_LIMIT, where), `${where} config`);
  const arch = archOf(config.architecture);
  if (config.os !== "linux" || arch === void 0) throw new UserError(`${where}: a ${config.os}/${config.architecture} image; trunkfarm composes linux/amd64 and linux/arm64 images`);
  if (options.arch !== void 0 && options.arch !== arch) throw new UserError(`${where}: is linux/${arch}, not linux/${options.arch}`);
  const facts = await baseFacts(repository, document, config, arch, options.cacheDir ?? path2.join(cacheRoot(), "compose", "base"), where);
  return { repository, reference, manifest, document, config, facts };
}
async function baseFacts(repository, document, config, arch, cacheDir, where) {
  const file = path2.join(cacheDir, `${document.config.digest.replace(":", "-")}.json`);
  const cached = await readFile2(file, "utf8").then((t) => JSON.parse(t)).catch(() => void 0);
  if (cached?.version === FACTS_VERSION && cached.facts !== void 0) {
    return { ...cached.facts, inventory: parseInventory(cached.facts.inventory, file) };
  }
  const layers = document.layers.map((layer) => async () => layerStream(await repository.blob(layer.digest), layer, where));
  const source = `${repository.label}@${document.config.digest}`;
  const { inventory, view } = await inventoryFromLayers(layers, { source, keep: keepPostgresFiles });
  const other = inventory.libc === "glibc" ? "musl" : "glibc";
  const serverIn = (inv) => inv.postgres.some((p) => p.pkglibdir !== void 0);
  let chosen = inventory;
  if (!serverIn(inventory)) {
    try {
      const alternative = captureInventory(view, { source, libc: other });
      if (serverIn(alternative)) chosen = alternative;
    } catch {
    }
  }
  const facts = postgresFacts(view, chosen, arch, where);
  await mkdir(cacheDir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify({ version: FACTS_VERSION, facts }));
  await rename(tmp, file);
  return facts;
}
function keepPostgresFiles(p) {
  return p.endsWith("/postgres.bki") || p.endsWith("/extension/plpgsql.control") ? "data" : void 0;
}
function layerStream(body, layer, where) {
  const type = layer.mediaType;
  if (/tar\+gzip$|tar\.gzip$/.test(type)) {
    const gunzip = createGunzip();
    body.on("error", (err) => gunzip.destroy(err));
    return body.pipe(gunzip);
  }
  if (/\.tar$|layer\.v1\.tar$|diff\.tar$/.test(type)) return body;
  body.destroy();
  throw new UserError(`${where}: layer ${layer.digest} is ${type}; trunkfarm reads gzip and uncompressed layers`);
}
function postgresFacts(view, inventory, arch, where) {
  const machine = arch === "amd64" ? "x86_64" : "aarch64";
  if (inventory.machine !== machine) throw new UserError(`${where}: its config says ${arch} but its loader is for ${inventory.machine}`);
  const withLib = inventory.postgres.filter((p) => p.pkglibdir !== void 0);
  if (withLib.length === 0) throw new UserError(`${where}: no PostgreSQL server found (looked for bin/postgres with plpgsql.so in a pkglibdir beside it)`);
  if (withLib.length > 1 && new Set(withLib.map((p) => p.major)).size > 1) {
    throw new UserError(`${where}: holds several PostgreSQL servers (${withLib.map((p) => p.bin).join(", ")}); compose onto an image with one`);
  }
  const pg = withLib[0];
  const bindir = path2.posix.dirname(pg.bin);
  const sharedir = findSharedir(view, pg);
  if (sharedir === void 0) throw new UserError(`${where}: found ${pg.bin} but no share directory with extension/plpgsql.control`);
  const major = pg.major ?? majorFromBki(view, sharedir);
  if (major === void 0) throw new UserError(`${where}: cannot tell the PostgreSQL major of ${pg.bin} (no version in its path or in ${sharedir}/postgres.bki)`);
  const dirs = {
    bindir,
    sharedir,
    pkglibdir: pg.pkglibdir,
    ...pg.libdir !== void 0 && { libdir: pg.libdir },
    docdir: docdirFor(sharedir, major)
  };
  const files = [dirs.pkglibdir, `${sharedir}/extension`].flatMap((d) => {
    const real = resolvePath(view, d);
    return real === void 0 ? [] : (view.readdir(real.path) ?? []).map((n) => `${d}/${n}`);
  });
  return { pg: major, libc: inventory.libc, arch, dirs, files: files.sort(), inventory };
}
function docdirFor(sharedir, major) {
  if (sharedir === `/usr/share/postgresql/${major}`) return `/usr/share/doc/postgresql-doc-${major}`;
  const { dirname, basename, join } = path2.posix;
  return basename(sharedir) === "share" ? join(dirname(sharedir), "doc") : join(dirname(sharedir), "doc", basename(sharedir));
}
function findSharedir(view, pg) {
  const prefix = path2.posix.dirname(path2.posix.dirname(pg.bin));
  const candidates = [
    ...pg.major !== void 0 ? [`/usr/share/postgresql/${pg.major}`] : [],
    path2.posix.join(prefix, "share", "postgresql"),
    path2.posix.join(prefix, "share"),
    "/usr/share/postgresql"
  ];
  return candidates.find((d) => resolvePath(view, `${d}/extension/plpgsql.control`)?.entry.kind === "file");
}
function majorFromBki(view, sharedir) {
  const r = resolvePath(view, `${sharedir}/postgres.bki`);
  const head = r === void 0 ? void 0 : view.readFile(r.path, 1 << 24)?.subarray(0, 64).toString("latin1");
  const m = head === void 0 ? null : /^# PostgreSQL (\d+)/.exec(head);
  return m === null ? void 0 : Number(m[1]);
}
function archOf(value) {
  return ARCHES.includes(value ?? "") ? value : void 0;
}
function parseJson(bytes, where) {
  try {
    const v = JSON.parse(bytes.toString("utf8"));
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not a JSON object");
    return v;
  } catch (err) {
    throw new UserError(`${where}: ${err.message}`);
  }
}
async function readAll(stream, limit, where) {
  const chunks = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > limit) {
      stream.destroy();
      throw new UserError(`${where}: larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

// src/compose/trunks.ts
function parseExtensionSpec(text) {
  const [name, version, extra] = text.split("@");
  if (name === void 0 || !EXTENSION_NAME.test(name) || extra !== void 0 || version === "") {
    throw new UserError(`--ext ${JSON.stringify(text)}: expected NAME or NAME@VERSION (a lower-case extension name as the matrix spells it)`, { exitCode: 2 });
  }
  return { name, ...version !== void 0 && { version } };
}
function extensionRepository(extensions, name, client) {
  if (extensions.startsWith("oci:")) return layoutRepository(path3.join(extensions.slice("oci:".length), name));
  const ref = parseReference(`${extensions.replace(/\/+$/, "")}/${name}`);
  return registryRepository(client, { registry: ref.registry, repository: ref.repository });
}
function trunkOfTag(name, tag) {
  const m = /^(.+)-(pg\d+-.+)\.trunk$/.exec(tag);
  if (m === null) return void 0;
  try {
    return parseTrunkName(`${name}-${m[1]}+${m[2]}`);
  } catch {
    return void 0;
  }
}
function fits(t, target) {
  if (t.pg !== target.pg) return false;
  if (t.os === void 0) return true;
  return t.os === TRUNK_OS[target.libc] && t.arch === target.arch;
}
function findTrunk(repository, tags, request, target) {
  const trunks = tags.flatMap((tag) => {
    const parsed = trunkOfTag(request.name, tag);
    return parsed === void 0 ? [] : [{ tag, parsed }];
  });
  const wanted = `pg${target.pg}-${TRUNK_OS[target.libc]}-${target.arch}`;
  if (trunks.length === 0) return { missing: `nothing named ${request.name} is published at ${repository.label}` };
  const fitting = trunks.filter((t) => fits(t.parsed, target) && (request.version === void 0 || t.parsed.version === request.version));
  if (fitting.length === 0) {
    const have = [...new Set(trunks.map((t) => t.tag.replace(/\.trunk$/, "")))].sort().join(", ");
    const what = request.version === void 0 ? request.name : `${request.name} ${request.version}`;
    return { missing: `no ${what} for ${wanted} in ${repository.label} (it has ${have})` };
  }
  fitting.sort((a, b) => compareSemver(b.parsed.version, a.parsed.version) || (a.parsed.os === void 0 ? 1 : 0) - (b.parsed.os === void 0 ? 1 : 0));
  const best = fitting[0];
  return { name: request.name, version: best.parsed.version, tag: best.tag, parsed: best.parsed, repository };
}
async function fetchTrunk(found, options = {}) {
  const where = `${found.repository.label}:${found.tag}`;
  const manifest = await found.repository.manifest(found.tag);
  if (manifest === void 0) throw new UserError(`${where}: the tag vanished`);
  const doc = parseJson(manifest.bytes, where);
  const layer = doc.layers?.[0];
  if (doc.artifactType !== MEDIA.trunkArtifact || layer === void 0 || doc.layers.length !== 1) {
    throw new UserError(`${where}: not a trunk artifact (artifactType ${MEDIA.trunkArtifact} with one layer)`);
  }
  const file = layer.annotations?.[TITLE];
  if (file === void 0 || !file.endsWith(".trunk") || file.includes("/")) throw new UserError(`${where}: its layer has no trunk file name`);
  const sha256 = layer.digest.replace(/^sha256:/, "");
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new UserError(`${where}: layer digest ${layer.digest} is not sha256`);
  const dir = path3.join(options.cacheDir ?? path3.join(cacheRoot(), "compose", "trunks"), sha256);
  const target = path3.join(dir, file);
  const have = await stat2(target).catch(() => void 0);
  if (have?.size !== layer.size) {
    await saveVerified(await found.repository.blob(layer.digest), target, layer, `${where}: the trunk`);
  }
  return { ...found, file: target, sha256, manifestDigest: manifest.digest };
}

// src/compose/compose.ts
import path5 from "node:path";

// src/compose/layer.ts
import { createHash } from "node:crypto";
import { mkdir as mkdir2, mkdtemp, readFile as readFile3, rename as rename2, rm, stat as stat3, writeFile as writeFile2 } from "node:fs/promises";
import { tmpdir } from "node:os";
import path4 from "node:path";
var LAYER_FORMAT = 1;
var ComposeRefusal = class extends UserError {
};
async function extensionLayer(trunk, base, cacheDir) {
  const scratch = await mkdtemp(path4.join(tmpdir(), "trunkfarm-compose-"));
  try {
    const pkg = path4.join(scratch, "pkg");
    const opened = await readTrunk(trunk.file, { extractTo: pkg });
    const meta = opened.meta;
    refuseMismatch(trunk, meta, base);
    if (meta.platform.os !== "any") {
      const closure = checkTree(pkg, { inventory: base.inventory, platform: { libc: base.libc, arch: base.arch }, pg: base.pg, only: ["install"], name: meta.name });
      if (!closure.ok) throw new ComposeRefusal(`${trunk.name} ${trunk.version}: does not load in this base image:
${problems(closure)}`);
    }
    const { entries, paths, skipped } = layerEntries(opened.entries, pkg, meta.name, base.dirs, trunk.file);
    clashWithBase(trunk, paths, base);
    await initLayout(cacheDir);
    const key = createHash("sha256").update(JSON.stringify([LAYER_FORMAT, trunk.sha256, sortedDirs(base.dirs)])).digest("hex");
    const record = path4.join(cacheDir, "layers", `${key}.json`);
    const known = await readFile3(record, "utf8").then((t) => JSON.parse(t)).catch(() => void 0);
    if (known !== void 0 && await stat3(blobPath(cacheDir, known.descriptor.digest)).then((st) => st.size === known.descriptor.size, () => false)) {
      return { trunk, meta, descriptor: known.descriptor, diffId: known.diffId, paths, skipped };
    }
    const tmp = blobTempPath(cacheDir);
    const tarred = await writeTarGz(entries, tmp, { mtime: meta.sourceDateEpoch });
    const digest = `sha256:${tarred.sha256}`;
    await adoptBlob(cacheDir, tmp, digest);
    const descriptor = { mediaType: MEDIA.layerGzip, digest, size: tarred.size };
    const diffId = `sha256:${tarred.tarSha256}`;
    await mkdir2(path4.dirname(record), { recursive: true });
    await writeFile2(`${record}.tmp`, JSON.stringify({ descriptor, diffId }));
    await rename2(`${record}.tmp`, record);
    return { trunk, meta, descriptor, diffId, paths, skipped };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
function sortedDirs(dirs) {
  return Object.entries(dirs).sort(([a], [b]) => a < b ? -1 : 1);
}
function refuseMismatch(trunk, meta, base) {
  const what = `${trunk.name} ${trunk.version} (${path4.basename(trunk.file)})`;
  if (meta.name !== trunk.name) throw new ComposeRefusal(`${what}: the trunk is package ${meta.name}, not ${trunk.name}`);
  if (meta.postgres.major !== base.pg) throw new ComposeRefusal(`${what}: built for PostgreSQL ${meta.postgres.major}, the base image runs PostgreSQL ${base.pg}`);
  const p = meta.platform;
  if (p.libc !== "any" && p.libc !== base.libc) throw new ComposeRefusal(`${what}: built for ${p.libc}, the base image is ${base.libc}`);
  if (p.arch !== "any" && p.arch !== base.arch) throw new ComposeRefusal(`${what}: built for ${p.arch}, the base image is ${base.arch}`);
}
function problems(result) {
  return result.files.flatMap((f) => f.problems.filter((p) => p.severity === "error").map((p) => `  ${f.path}: ${p.kind}: ${p.message}`)).concat(result.data.filter((d) => !d.present).map((d) => `  ${d.target}: ${d.why}`)).join("\n");
}
function clashWithBase(trunk, paths, base) {
  const present = new Set(base.files);
  const clash = paths.filter((p) => present.has(p));
  if (clash.length > 0) {
    throw new ComposeRefusal(`${trunk.name} ${trunk.version}: the base image already has ${clash.slice(0, 3).join(", ")}${clash.length > 3 ? ` and ${clash.length - 3} more` : ""}; compose onto an image without ${trunk.name}`);
  }
}
function layerEntries(trunkEntries, pkg, name, dirs, file) {
  const leaves = trunkEntries.filter((e) => e.type !== "directory");
  const mapped = mapPaths(
    leaves.map((e) => e.path),
    (p) => pgConfigDestination(p, name, dirs)
  );
  if (mapped.clash) throw new UserError(`${file}: "${mapped.clash[0]}" and "${mapped.clash[1]}" both install as ${mapped.clash[2]}`);
  const roots = Object.values(dirs).sort((a, b) => b.length - a.length);
  const out = /* @__PURE__ */ new Map();
  const addDirs = (dest) => {
    const root = roots.find((r) => dest.startsWith(`${r}/`));
    for (let d = path4.posix.dirname(dest); root !== void 0 && d.length > root.length; d = path4.posix.dirname(d)) {
      const rel = d.slice(1);
      if (!out.has(rel)) out.set(rel, { path: rel, type: "directory", mode: 493, size: 0 });
    }
  };
  for (const e of leaves) {
    const dest = mapped.map.get(e.path);
    if (dest === void 0) continue;
    addDirs(dest);
    const rel = dest.slice(1);
    if (e.type === "symlink") {
      const target = path4.posix.normalize(path4.posix.join(path4.posix.dirname(e.path), e.linkname));
      const targetDest = mapped.map.get(target);
      if (targetDest === void 0) throw new UserError(`${file}: symlink ${e.path} points at ${e.linkname}, which is not installed`);
      out.set(rel, { path: rel, type: "symlink", mode: 511, size: 0, linkname: path4.posix.relative(path4.posix.dirname(dest), targetDest) });
    } else {
      out.set(rel, { path: rel, type: "file", mode: e.mode, size: e.size, source: path4.join(pkg, e.path), ...e.sha256 !== void 0 && { sha256: e.sha256 } });
    }
  }
  const entries = [...out.values()].sort((a, b) => comparePaths(a.path, b.path));
  return { entries, paths: entries.filter((e) => e.type !== "directory").map((e) => `/${e.path}`), skipped: mapped.skipped };
}

// src/compose/compose.ts
function defaultCacheDir() {
  return path5.join(cacheRoot(), "compose");
}
async function compose(base, requests, options) {
  const seen = /* @__PURE__ */ new Set();
  for (const r of requests) {
    if (seen.has(r.name)) throw new UserError(`${r.name} is asked for twice`, { exitCode: 2 });
    seen.add(r.name);
  }
  const sorted = [...requests].sort((a, b) => a.name < b.name ? -1 : 1);
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const bases = await resolveBase(base.repository, base.reference, { ...options.arch && { arch: options.arch }, cacheDir: path5.join(cacheDir, "base") });
  const published = await Promise.all(
    sorted.map(async (request) => {
      const repository = extensionRepository(options.extensions, request.name, options.client);
      return { request, repository, tags: await repository.tags() };
    })
  );
  const images = [];
  const skipped = [];
  for (const b of bases) {
    const trunks = [];
    const missing = [];
    for (const { request, repository, tags } of published) {
      const found = findTrunk(repository, tags, request, b.facts);
      if ("missing" in found) missing.push(found.missing);
      else trunks.push(await fetchTrunk(found, { cacheDir: path5.join(cacheDir, "trunks") }));
    }
    if (missing.length > 0) {
      skipped.push({ arch: b.facts.arch, reason: missing.join("; ") });
      continue;
    }
    const key = JSON.stringify([b.manifest.digest, trunks.map((t) => t.sha256)]);
    let pending = options.memo?.get(key);
    if (pending === void 0) {
      pending = composeOnto(b, trunks, path5.join(cacheDir, "layout"));
      options.memo?.set(key, pending);
      pending.catch(() => options.memo?.delete(key));
    }
    images.push(await pending);
  }
  if (images.length === 0) {
    throw new ComposeRefusal(`nothing to compose onto ${base.repository.label}:${base.reference}: ${skipped.map((s) => `${s.arch}: ${s.reason}`).join("; ")}`);
  }
  const layout = path5.join(cacheDir, "layout");
  for (const i of images) for (const b of [i.config, i.manifest]) await putBlob(layout, b.bytes);
  if (bases.length === 1 || images.length === 1) return { top: images[0].manifest, images, skipped };
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA.index,
    manifests: images.map((i) => ({
      mediaType: MEDIA.manifest,
      digest: i.manifest.digest,
      size: i.manifest.size,
      platform: { architecture: i.base.facts.arch, os: "linux", ...i.base.config.variant ? { variant: i.base.config.variant } : {} }
    })),
    annotations: imageAnnotations(images[0].base, images[0].layers)
  };
  const top = blob(MEDIA.index, index);
  await putBlob(layout, top.bytes);
  return { top, images, skipped };
}
async function composeOnto(base, trunks, layoutDir) {
  const layers = [];
  const owner = /* @__PURE__ */ new Map();
  for (const trunk of trunks) {
    const layer = await extensionLayer(trunk, base.facts, layoutDir);
    for (const p of layer.paths) {
      const other = owner.get(p);
      if (other !== void 0) throw new ComposeRefusal(`${other} and ${trunk.name} both install ${p}`);
      owner.set(p, trunk.name);
    }
    layers.push(layer);
  }
  const created = [base.config.created, ...layers.map((l) => isoTime(l.meta.sourceDateEpoch))].filter((t) => t !== void 0).sort().at(-1);
  const baseConfig = base.config;
  const diffIds = baseConfig.rootfs?.diff_ids ?? [];
  if (diffIds.length !== base.document.layers.length) throw new UserError(`base image ${base.repository.label}@${base.manifest.digest}: its config lists ${diffIds.length} layers, its manifest ${base.document.layers.length}`);
  const config = {
    ...baseConfig,
    ...created !== void 0 && { created },
    config: { ...baseConfig.config, Labels: { ...baseConfig.config?.Labels, ...labels(base, layers) } },
    rootfs: { type: "layers", diff_ids: [...diffIds, ...layers.map((l) => l.diffId)] },
    ...baseConfig.history !== void 0 && {
      history: [
        ...baseConfig.history,
        ...layers.map((l) => ({ created: isoTime(l.meta.sourceDateEpoch), created_by: `trunkfarm compose: ${l.meta.name} ${l.meta.version} (${path5.basename(l.trunk.file)})`, comment: l.trunk.sha256 }))
      ]
    }
  };
  const configBlob = blob(MEDIA.config, config);
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: { mediaType: MEDIA.config, digest: configBlob.digest, size: configBlob.size },
    layers: [
      ...base.document.layers.map((l) => ({ ...l, mediaType: ociLayerType(l.mediaType) })),
      ...layers.map((l) => ({ ...l.descriptor, annotations: { [TITLE]: l.meta.name, "org.opencontainers.image.version": l.meta.version } }))
    ],
    annotations: imageAnnotations(base, layers)
  };
  return { base, layers, config: configBlob, manifest: blob(MEDIA.manifest, manifest) };
}
function isoTime(epoch) {
  return new Date(epoch * 1e3).toISOString().replace(/\.\d{3}Z$/, "Z");
}
function labels(base, layers) {
  const out = {
    "io.trunkfarm.extensions": layers.map((l) => `${l.meta.name}=${l.meta.version}`).join(","),
    "io.trunkfarm.postgres.major": String(base.facts.pg)
  };
  for (const l of layers) {
    out[`io.trunkfarm.extension.${l.meta.name}.version`] = l.meta.version;
    out[`io.trunkfarm.extension.${l.meta.name}.trunk`] = `sha256:${l.trunk.sha256}`;
  }
  return out;
}
function imageAnnotations(base, layers) {
  return {
    "org.opencontainers.image.base.digest": base.manifest.digest,
    "io.trunkfarm.extensions": layers.map((l) => `${l.meta.name}=${l.meta.version}`).join(","),
    ...Object.fromEntries(layers.map((l) => [`io.trunkfarm.extension.${l.meta.name}.trunk`, `sha256:${l.trunk.sha256}`]))
  };
}
function blob(mediaType, value) {
  const bytes = Buffer.from(JSON.stringify(value));
  return { mediaType, digest: sha256Digest(bytes), size: bytes.length, bytes };
}

// src/compose/output.ts
import { createReadStream as createReadStream2 } from "node:fs";
import { stat as stat4 } from "node:fs/promises";
function compositionSource(composition, layoutDir, tag) {
  const memory = /* @__PURE__ */ new Map([[composition.top.digest, composition.top.bytes]]);
  const blobs = /* @__PURE__ */ new Map([[composition.top.digest, composition.top]]);
  const cached = /* @__PURE__ */ new Set();
  const base = /* @__PURE__ */ new Map();
  for (const image of composition.images) {
    for (const b of [image.config, image.manifest]) {
      memory.set(b.digest, b.bytes);
      blobs.set(b.digest, b);
    }
    for (const l of image.layers) {
      cached.add(l.descriptor.digest);
      blobs.set(l.descriptor.digest, l.descriptor);
    }
    for (const l of image.base.document.layers) {
      base.set(l.digest, image.base);
      blobs.set(l.digest, l);
    }
  }
  const top = { mediaType: composition.top.mediaType, digest: composition.top.digest, size: composition.top.size, annotations: { [REF_NAME]: tag } };
  return {
    manifests: async () => [top],
    listBlobs: async () => [...blobs.values()].map((b) => ({ digest: b.digest, size: b.size })),
    async readBlob(digest, range) {
      const bytes = memory.get(digest);
      if (bytes !== void 0) return [range ? bytes.subarray(range.start, range.end) : bytes];
      if (cached.has(digest)) return createReadStream2(blobPath(layoutDir, digest), range ? { start: range.start, end: range.end - 1 } : {});
      const from = base.get(digest);
      if (from === void 0) throw new UserError(`composition has no blob ${digest}`);
      const stream = await from.repository.blob(digest);
      return range ? skipTo(stream, range.start, range.end) : stream;
    }
  };
}
async function* skipTo(stream, start, end) {
  let at = 0;
  for await (const chunk of stream) {
    const from = Math.max(0, start - at);
    const to = Math.min(chunk.length, end - at);
    if (to > from) yield chunk.subarray(from, to);
    at += chunk.length;
    if (at >= end) break;
  }
}
async function pushComposition(composition, layoutDir, target, client) {
  const tag = target.tag;
  if (tag === void 0) throw new UserError(`--to ${target.registry}/${target.repository}: name a tag`, { exitCode: 2 });
  const before = { ...client.stats };
  const sameRegistry = (r) => r !== void 0 && r.registry === target.registry;
  const homes = /* @__PURE__ */ new Set();
  for (const image of composition.images) {
    for (const layer of image.layers) {
      const home = layer.trunk.repository.remote;
      if (!sameRegistry(home) || home.repository === target.repository) continue;
      try {
        await pushBlob(client, home, layer.descriptor, (range) => Promise.resolve(createReadStream2(blobPath(layoutDir, layer.descriptor.digest), range ? { start: range.start, end: range.end - 1 } : {})));
        homes.add(home.repository);
      } catch (err) {
        if (!(err instanceof RegistryError)) throw err;
      }
    }
  }
  const bases = composition.images.map((i) => i.base.repository.remote).filter(sameRegistry).map((r) => r.repository);
  const mountFrom = [.../* @__PURE__ */ new Set([...bases, ...homes])].filter((r) => r !== target.repository);
  const pushed = await pushLayout(compositionSource(composition, layoutDir, tag), { registry: target.registry, repository: target.repository }, { client, mountFrom });
  return { ...pushed, stats: diffStats(client.stats, before) };
}
async function writeCompositionLayout(composition, layoutDir, dir, tag) {
  await initLayout(dir);
  const source = compositionSource(composition, layoutDir, tag);
  let bytesWritten = 0;
  for (const b of await source.listBlobs()) {
    if (b.digest === composition.top.digest) continue;
    const have = await stat4(blobPath(dir, b.digest)).catch(() => void 0);
    if (have?.size === b.size) continue;
    bytesWritten += await saveVerified(await source.readBlob(b.digest), blobPath(dir, b.digest), b, `blob ${b.digest}`);
  }
  await putBlob(dir, composition.top.bytes);
  await setRef(dir, tag, { mediaType: composition.top.mediaType, digest: composition.top.digest, size: composition.top.size });
  return { bytesWritten };
}

export {
  openRepository,
  parseImageRef,
  parseExtensionSpec,
  defaultCacheDir,
  compose,
  pushComposition,
  writeCompositionLayout
};
