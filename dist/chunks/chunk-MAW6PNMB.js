import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  exists,
  pathWithin,
  writeAtomic
} from "./chunk-MNVUPTDJ.js";
import {
  VERSION
} from "./chunk-APBUJ7GA.js";
import {
  UserError
} from "./chunk-YUDCMAJG.js";

// src/oci/digest.ts
import { createHash } from "node:crypto";
var ENCODED = {
  sha256: /^[a-f0-9]{64}$/,
  sha512: /^[a-f0-9]{128}$/
};
function isDigest(text) {
  const colon = text.indexOf(":");
  if (colon < 0) return false;
  const pattern = ENCODED[text.slice(0, colon)];
  return pattern !== void 0 && pattern.test(text.slice(colon + 1));
}
function splitDigest(digest) {
  if (!isDigest(digest)) throw new Error(`not a sha256 or sha512 digest: ${JSON.stringify(digest)}`);
  const colon = digest.indexOf(":");
  return [digest.slice(0, colon), digest.slice(colon + 1)];
}
function sha256Digest(bytes) {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}
function digestLike(expected, bytes) {
  const [algorithm] = splitDigest(expected);
  return `${algorithm}:${createHash(algorithm).update(bytes).digest("hex")}`;
}

// src/oci/media-types.ts
var MEDIA = {
  /** `imageLayoutVersion` of the OCI image layouts written (not a media type, but the same spec's). */
  layout: "1.0.0",
  index: "application/vnd.oci.image.index.v1+json",
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  layerTar: "application/vnd.oci.image.layer.v1.tar",
  empty: "application/vnd.oci.empty.v1+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerLayerGzip: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  dockerLayerTar: "application/vnd.docker.image.rootfs.diff.tar",
  /** The artifact type PGXN's proof of concept pushed trunks with (`oras push --artifact-type`). */
  trunkArtifact: "application/vnd.pgxn.trunk.layer.v1",
  /** What a sign stage attaches to an image: a Sigstore bundle, as an OCI 1.1 artifact. */
  sigstoreBundle: "application/vnd.dev.sigstore.bundle.v0.3+json"
};
var EMPTY_JSON = {
  mediaType: MEDIA.empty,
  digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
  size: 2,
  data: "e30="
};
var MANIFEST_ACCEPT = [MEDIA.manifest, MEDIA.index, MEDIA.dockerManifest, MEDIA.dockerManifestList].join(", ");
function isIndexType(mediaType) {
  return mediaType === MEDIA.index || mediaType === MEDIA.dockerManifestList;
}
function isManifestType(mediaType) {
  return mediaType === MEDIA.manifest || mediaType === MEDIA.dockerManifest || isIndexType(mediaType);
}
function ociLayerType(mediaType) {
  if (mediaType === MEDIA.dockerLayerGzip) return MEDIA.layerGzip;
  if (mediaType === MEDIA.dockerLayerTar) return MEDIA.layerTar;
  return mediaType;
}

// src/oci/descriptor.ts
var REF_NAME = "org.opencontainers.image.ref.name";
var TITLE = "org.opencontainers.image.title";

// src/oci/image-layout.ts
import { createHash as createHash2, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";

// src/oci/registry/reference.ts
var HOST_COMPONENT = /^(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])$/;
var PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
var TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
var MAX_REPOSITORY = 255;
function isTag(text) {
  return TAG.test(text);
}
function bad(text, why) {
  return new UserError(`invalid registry reference ${JSON.stringify(text)}: ${why} (expected HOST[:PORT]/NAMESPACE/NAME[:TAG][@DIGEST])`);
}
function validHost(host) {
  let name = host;
  const ipv6 = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/.exec(host);
  if (ipv6) return ipv6[2] === void 0 || Number(ipv6[2]) <= 65535;
  const colon = host.lastIndexOf(":");
  if (colon >= 0) {
    const port = host.slice(colon + 1);
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) return false;
    name = host.slice(0, colon);
  }
  return name.length > 0 && name.split(".").every((part) => HOST_COMPONENT.test(part));
}
function parseReference(text) {
  let rest = text.trim();
  if (rest === "") throw bad(text, "it is empty");
  if (/^[a-z]+:\/\//i.test(rest)) throw bad(text, "leave out the URL scheme");
  let digest;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) throw bad(text, `${JSON.stringify(digest)} is not a sha256 or sha512 digest`);
  }
  const slash = rest.indexOf("/");
  if (slash < 0) throw bad(text, "it names no repository after the host");
  const registry = rest.slice(0, slash).toLowerCase();
  let path = rest.slice(slash + 1);
  if (!(registry.includes(".") || registry.includes(":") || registry === "localhost" || registry.startsWith("["))) {
    throw bad(text, `${JSON.stringify(registry)} is not a registry host (a host has a dot or a port, or is localhost)`);
  }
  if (!validHost(registry)) throw bad(text, `${JSON.stringify(registry)} is not a valid host[:port]`);
  let tag;
  const colon = path.lastIndexOf(":");
  if (colon >= 0) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
    if (!TAG.test(tag)) throw bad(text, `${JSON.stringify(tag)} is not a valid tag`);
  }
  if (path === "") throw bad(text, "it names no repository after the host");
  for (const part of path.split("/")) {
    if (!PATH_COMPONENT.test(part)) {
      throw bad(text, `repository component ${JSON.stringify(part)} must be lower-case letters and digits, separated by ., _, __ or -`);
    }
  }
  if (path.length > MAX_REPOSITORY) throw bad(text, `the repository name is longer than ${MAX_REPOSITORY} characters`);
  return { registry, repository: path, ...tag === void 0 ? {} : { tag }, ...digest === void 0 ? {} : { digest } };
}
function isRepositoryPath(path) {
  return path.length <= MAX_REPOSITORY && path.split("/").every((part) => PATH_COMPONENT.test(part));
}
function formatReference(ref) {
  return `${ref.registry}/${ref.repository}${ref.tag === void 0 ? "" : `:${ref.tag}`}${ref.digest === void 0 ? "" : `@${ref.digest}`}`;
}
function isLoopback(registry) {
  const host = registry.startsWith("[") ? registry.slice(0, registry.indexOf("]") + 1) : registry.replace(/:\d+$/, "");
  return host === "localhost" || host === "[::1]" || /^127(?:\.\d{1,3}){3}$/.test(host);
}
function registryBaseUrl(registry, plainHttp) {
  const scheme = plainHttp ?? isLoopback(registry) ? "http" : "https";
  const host = registry === "docker.io" ? "registry-1.docker.io" : registry;
  return new URL(`${scheme}://${host}`);
}

// src/oci/image-layout.ts
function blobPath(dir, digest) {
  if (!isDigest(digest)) throw new UserError(`unsupported digest ${JSON.stringify(digest)} (sha256 or sha512 only)`);
  const [algorithm, encoded] = splitDigest(digest);
  return join(dir, "blobs", algorithm, encoded);
}
async function initLayout(dir) {
  const cannot = (err) => {
    throw new UserError(`cannot make an OCI layout in ${dir}: ${err.code === "ENOTDIR" || err.code === "EEXIST" ? "a file is in the way" : err.message}`);
  };
  await mkdir(dir, { recursive: true }).catch(cannot);
  blobStore(dir, "sha512");
  await mkdir(blobStore(dir), { recursive: true }).catch(cannot);
  const layoutFile = join(dir, "oci-layout");
  const current = await readFile(layoutFile, "utf8").catch(() => void 0);
  if (current === void 0) await writeAtomic(layoutFile, `${JSON.stringify({ imageLayoutVersion: MEDIA.layout })}
`);
  else if (JSON.parse(current).imageLayoutVersion !== MEDIA.layout)
    throw new UserError(`${layoutFile}: unsupported image layout version`);
  const index = join(dir, "index.json");
  if (!await exists(index)) await writeIndex(dir, { schemaVersion: 2, mediaType: MEDIA.index, manifests: [] });
}
function blobStore(dir, algorithm = "sha256") {
  return pathWithin(dir, join("blobs", algorithm));
}
async function putBlob(dir, data) {
  const digest = sha256Digest(data);
  blobStore(dir);
  const path = blobPath(dir, digest);
  if (!await exists(path)) await writeAtomic(path, data);
  return { digest, size: data.length };
}
function blobTempPath(dir) {
  return join(blobStore(dir), `.tmp-${randomBytes(8).toString("hex")}`);
}
async function adoptBlob(dir, tmp, digest) {
  const path = blobPath(dir, digest);
  blobStore(dir, splitDigest(digest)[0]);
  if (await exists(path)) await rm(tmp, { force: true });
  else await rename(tmp, path);
}
async function putBlobFile(dir, file) {
  const tmp = blobTempPath(dir);
  const hash = createHash2("sha256");
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
  const actual = digestLike(digest, data);
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
  if (!isTag(tag)) throw new UserError(`"${tag}" is not a valid tag`);
  const index = await readIndex(dir);
  const others = index.manifests.filter((d) => d.annotations?.[REF_NAME] !== tag);
  const entry = { ...descriptor, annotations: { ...descriptor.annotations, [REF_NAME]: tag } };
  index.manifests = [...others, entry].sort((a, b) => cmp(a.annotations?.[REF_NAME] ?? "", b.annotations?.[REF_NAME] ?? ""));
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
  return { refs, manifests, blobs: await listBlobs(dir) };
}
async function listBlobs(dir) {
  const blobs = [];
  const algorithms = await readdir(join(dir, "blobs")).catch(() => []);
  for (const algorithm of algorithms.sort()) {
    const names = await readdir(join(dir, "blobs", algorithm)).catch(() => []);
    for (const name of names.sort()) {
      const digest = `${algorithm}:${name}`;
      if (!isDigest(digest)) continue;
      const info = await stat(join(dir, "blobs", algorithm, name));
      if (info.isFile()) blobs.push({ digest, size: info.size });
    }
  }
  return blobs;
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
async function addUntagged(dir, descriptor) {
  const index = await readIndex(dir);
  if (index.manifests.some((d) => d.digest === descriptor.digest && d.annotations?.[REF_NAME] === void 0)) return;
  index.manifests.push(descriptor);
  await writeIndex(dir, index);
}
function checkDescriptor(value, where4) {
  const d = value;
  if (typeof d !== "object" || d === null) throw new UserError(`${where4}: not a descriptor object`);
  if (typeof d.mediaType !== "string" || d.mediaType === "") throw new UserError(`${where4}: mediaType is missing`);
  if (typeof d.digest !== "string" || !isDigest(d.digest)) throw new UserError(`${where4}: digest ${JSON.stringify(d.digest)} is not a sha256 or sha512 digest`);
  if (typeof d.size !== "number" || !Number.isSafeInteger(d.size) || d.size < 0) throw new UserError(`${where4}: size ${JSON.stringify(d.size)} is not a byte count`);
  return d;
}
async function openLayout(dir) {
  const markerFile = join(dir, "oci-layout");
  const marker = await readJsonFile(markerFile, "layout marker");
  if (typeof marker?.imageLayoutVersion !== "string" || !marker.imageLayoutVersion.startsWith("1.")) {
    throw new UserError(`${markerFile}: unsupported imageLayoutVersion ${JSON.stringify(marker?.imageLayoutVersion)} (expected 1.x)`);
  }
  const indexFile = join(dir, "index.json");
  const index = await readJsonFile(indexFile, "layout index");
  if (!Array.isArray(index?.manifests)) throw new UserError(`${indexFile}: "manifests" is not a list`);
  const manifests = index.manifests.map((m, i) => checkDescriptor(m, `${indexFile} manifests[${i}]`));
  return {
    manifests: async () => manifests,
    listBlobs: () => listBlobs(dir),
    async readBlob(digest, range) {
      const file = blobPath(dir, digest);
      if (range && range.end <= range.start) return [];
      const stream2 = createReadStream(file, range ? { start: range.start, end: range.end - 1 } : {});
      await new Promise((resolve, reject) => {
        stream2.once("open", () => resolve());
        stream2.once("error", (err) => reject(err.code === "ENOENT" ? new UserError(`OCI layout ${dir} has no blob ${digest} (${file})`) : err));
      });
      return stream2;
    }
  };
}
async function readJsonFile(file, what) {
  let text;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const code = err.code;
    throw new UserError(code === "ENOENT" ? `${file} is missing: is ${dirname(file)} an OCI image layout?` : `cannot read ${what} ${file}: ${err.message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError(`${file} is not valid JSON: ${err.message}`);
  }
}

// src/oci/content.ts
async function readAllBlob(source, descriptor, limit = 16 << 20) {
  if (descriptor.size > limit) throw new UserError(`blob ${descriptor.digest} is ${descriptor.size} bytes, more than the ${limit} bytes a manifest may have`);
  const chunks = [];
  let size = 0;
  for await (const chunk of await source.readBlob(descriptor.digest)) {
    size += chunk.length;
    if (size > descriptor.size) break;
    chunks.push(Buffer.from(chunk));
  }
  const bytes = Buffer.concat(chunks);
  if (bytes.length !== descriptor.size) throw new UserError(`blob ${descriptor.digest} is ${size > descriptor.size ? "longer" : "shorter"} than the ${descriptor.size} bytes its descriptor says`);
  const actual = digestLike(descriptor.digest, bytes);
  if (actual !== descriptor.digest) throw new UserError(`blob ${descriptor.digest} does not match its digest (its content hashes to ${actual})`);
  return bytes;
}
function memorySource(blobs, manifests = []) {
  const store = /* @__PURE__ */ new Map();
  const add = (bytes) => {
    const digest = sha256Digest(bytes);
    store.set(digest, bytes);
    return digest;
  };
  for (const blob of blobs) add(blob);
  return {
    add,
    manifests: async () => manifests,
    listBlobs: async () => [...store].map(([digest, bytes]) => ({ digest, size: bytes.length })),
    async readBlob(digest, range) {
      const bytes = store.get(digest);
      if (!bytes) throw new UserError(`blob ${digest} is not in the in-memory content`);
      return [range ? bytes.subarray(range.start, range.end) : bytes];
    }
  };
}

// src/oci/save.ts
import { createHash as createHash3, randomBytes as randomBytes2 } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir as mkdir2, rename as rename2, rm as rm2 } from "node:fs/promises";
import { dirname as dirname2 } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
async function saveVerified(source, file, expected, what) {
  const [algorithm] = splitDigest(expected.digest);
  const hash = createHash3(algorithm);
  let size = 0;
  await mkdir2(dirname2(file), { recursive: true });
  const temp = `${file}.tmp-${randomBytes2(6).toString("hex")}`;
  try {
    await pipeline(
      source,
      new Transform({
        transform(chunk, _encoding, callback) {
          hash.update(chunk);
          size += chunk.length;
          callback(null, chunk);
        }
      }),
      createWriteStream(temp)
    );
    const digest = `${algorithm}:${hash.digest("hex")}`;
    if (size !== expected.size || digest !== expected.digest) {
      throw new UserError(`${what}: received ${size} bytes hashing to ${digest}, expected ${expected.size} bytes hashing to ${expected.digest}`);
    }
    await rename2(temp, file);
    return size;
  } finally {
    await rm2(temp, { force: true });
  }
}

// src/oci/registry/auth.ts
var ENV_USER = "TRUNKFARM_REGISTRY_USER";
var ENV_PASSWORD = "TRUNKFARM_REGISTRY_PASSWORD";
function resolveCredentials(registry, option, env) {
  const given = typeof option === "function" ? option(registry) : option;
  if (given) return given;
  const user = env[ENV_USER];
  const password = env[ENV_PASSWORD];
  if (user && !password) throw new UserError(`${ENV_USER} is set but ${ENV_PASSWORD} is not`);
  if (password && !user) throw new UserError(`${ENV_PASSWORD} is set but ${ENV_USER} is not`);
  if (user && password) return { username: user, password };
  if (registry === "ghcr.io" && env.GITHUB_TOKEN) return { username: env.GITHUB_ACTOR || "github-actions", password: env.GITHUB_TOKEN };
  return void 0;
}
function basicHeader(credentials) {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, "utf8").toString("base64")}`;
}
function repositoryScope(repository, actions) {
  return `repository:${repository}:${actions}`;
}
function parseScope(scope) {
  const last = scope.lastIndexOf(":");
  return { resource: scope.slice(0, last), actions: new Set(scope.slice(last + 1).split(",").filter(Boolean)) };
}
function mergeScopes(...lists) {
  const merged = /* @__PURE__ */ new Map();
  for (const scope of lists.flat()) {
    const { resource, actions } = parseScope(scope);
    const set = merged.get(resource) ?? /* @__PURE__ */ new Set();
    for (const a of actions) set.add(a);
    merged.set(resource, set);
  }
  return [...merged].map(([resource, actions]) => `${resource}:${[...actions].sort().join(",")}`).sort();
}
function scopesCover(held, needed) {
  const grants = held.map(parseScope);
  return needed.every((scope) => {
    const want = parseScope(scope);
    return grants.some((g) => g.resource === want.resource && [...want.actions].every((a) => g.actions.has(a)));
  });
}
function bearerRealm(challenge) {
  const realm = challenge.params.realm;
  if (!realm) return void 0;
  return { realm, ...challenge.params.service ? { service: challenge.params.service } : {} };
}
var TokenCache = class {
  tokens = [];
  find(needed, now = Date.now()) {
    this.tokens = this.tokens.filter((t) => t.expiresAt > now);
    return this.tokens.find((t) => scopesCover(t.scopes, needed));
  }
  add(token) {
    this.tokens.push(token);
  }
  drop(token) {
    this.tokens = this.tokens.filter((t) => t.token !== token);
  }
};
function parseTokenResponse(body, scopes, now = Date.now()) {
  let parsed;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return void 0;
  }
  const token = typeof parsed.token === "string" && parsed.token ? parsed.token : parsed.access_token;
  if (typeof token !== "string" || token === "") return void 0;
  const lifetime = typeof parsed.expires_in === "number" && parsed.expires_in > 0 ? parsed.expires_in : 60;
  return { token, scopes, expiresAt: now + Math.max(lifetime - 10, lifetime / 2) * 1e3 };
}
function tokenUrl(realm, scopes) {
  const url = new URL(realm.realm);
  if (realm.service) url.searchParams.set("service", realm.service);
  for (const scope of scopes) url.searchParams.append("scope", scope);
  return url;
}

// src/oci/registry/errors.ts
var RegistryError = class _RegistryError extends UserError {
  name = "RegistryError";
  operation;
  method;
  path;
  status;
  codes;
  network;
  retryAfterMs;
  /** How many times the request was sent before giving up. */
  attempts;
  constructor(init, attempts = 1) {
    super(describe(init, attempts), { cause: init.cause });
    this.operation = init.operation;
    this.method = init.method;
    this.path = init.url.pathname;
    this.status = init.status;
    this.codes = init.codes ?? [];
    this.network = init.network;
    this.retryAfterMs = init.retryAfterMs;
    this.attempts = attempts;
    this.init = init;
  }
  init;
  /** The same error, saying it was the last of `attempts` tries. */
  afterAttempts(attempts) {
    return new _RegistryError(this.init, attempts);
  }
  /** 429, 5xx other than 501, and failures below HTTP are worth another try. */
  get retryable() {
    if (this.status === void 0) return this.network !== void 0;
    return this.status === 429 || this.status === 408 || this.status >= 500 && this.status !== 501;
  }
  hasCode(code) {
    return this.codes.some((c) => c.code === code);
  }
};
function describe(init, attempts) {
  const where4 = `${init.method} ${init.url.host}${init.url.pathname}`;
  let what;
  if (init.status === void 0) {
    what = `${where4} failed: ${init.network ?? "no response"}`;
  } else {
    what = `${where4} answered ${init.status}${init.statusText ? ` ${init.statusText}` : ""}`;
    if (init.codes?.length) {
      what += `: ${init.codes.map((c) => c.message ? `${c.code} (${c.message})` : c.code).join(", ")}`;
    }
  }
  const tries = attempts > 1 ? ` (gave up after ${attempts} attempts)` : "";
  return `${init.operation}: ${what}${tries}${init.hint ? `; ${init.hint}` : ""}`;
}
function parseErrorCodes(body, contentType) {
  if (body.length === 0 || body.length > 1 << 20) return [];
  if (contentType !== void 0 && !/json/i.test(contentType) && body[0] !== 123) return [];
  try {
    const parsed = JSON.parse(Buffer.from(body).toString("utf8"));
    if (!Array.isArray(parsed.errors)) return [];
    return parsed.errors.filter((e) => typeof e?.code === "string").map((e) => ({ code: e.code, ...typeof e.message === "string" ? { message: e.message } : {}, ...e.detail === void 0 ? {} : { detail: e.detail } }));
  } catch {
    return [];
  }
}

// src/http/retry.ts
var DEFAULT_RETRY = { attempts: 5, baseDelayMs: 300, maxDelayMs: 1e4, maxRetryAfterMs: 6e4 };
function backoffDelay(policy, retry, retryAfterMs, random = Math.random) {
  if (retryAfterMs !== void 0) return Math.min(Math.max(retryAfterMs, 0), policy.maxRetryAfterMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
function parseRetryAfter(value, now = Date.now()) {
  if (value === void 0) return void 0;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1e3;
  const date = Date.parse(text);
  return Number.isNaN(date) ? void 0 : Math.max(0, date - now);
}
function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
async function withRetries(operation, attempt, options) {
  const { policy } = options;
  for (let n = 1; ; n++) {
    options.signal?.throwIfAborted();
    try {
      return await attempt(n);
    } catch (err) {
      const why = options.retryable(err);
      if (!why) throw err;
      if (n >= policy.attempts) throw options.giveUp ? options.giveUp(err, n, "attempts") : err;
      const delayMs = backoffDelay(policy, n, why.retryAfterMs);
      if (options.deadline !== void 0 && Date.now() + delayMs >= options.deadline) throw options.giveUp ? options.giveUp(err, n, "deadline") : err;
      options.onRetry?.({ operation, retry: n, delayMs, reason: why.reason, ...why.retryAfterMs === void 0 ? {} : { retryAfterMs: why.retryAfterMs } });
      await sleep(delayMs, options.signal);
    }
  }
}

// src/http/transport.ts
import http2 from "node:http";
import https2 from "node:https";

// src/http/proxy.ts
import http from "node:http";
import https from "node:https";
import tls from "node:tls";
function envValue(env, name) {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return value === void 0 || value.trim() === "" ? void 0 : value.trim();
}
function isLoopbackHost(host) {
  const h = host.replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127(?:\.\d{1,3}){3}$/.test(h);
}
function proxyFor(url, env = process.env) {
  if (isLoopbackHost(url.hostname)) return void 0;
  const value = envValue(env, url.protocol === "https:" ? "https_proxy" : "http_proxy");
  if (value === void 0) return void 0;
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  const host = url.hostname.toLowerCase();
  for (const raw of (envValue(env, "no_proxy") ?? "").split(",")) {
    const entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return void 0;
    const [name, entryPort] = entry.startsWith("[") ? [entry.slice(0, entry.indexOf("]") + 1), entry.split("]:")[1]] : entry.split(":");
    if (entryPort !== void 0 && entryPort !== port) continue;
    const suffix = name.replace(/^\*?\./, "");
    if (host === suffix || host.endsWith(`.${suffix}`) || `[${host}]` === name) return void 0;
  }
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw new Error(`the proxy setting ${JSON.stringify(value)} is not a URL`);
  }
}
function proxyAuthorization(proxy) {
  if (!proxy.username) return void 0;
  return `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString("base64")}`;
}
function tunnelAgent(proxy, options) {
  const agent = new https.Agent(options);
  const auth = proxyAuthorization(proxy);
  agent.createConnection = (target, done) => {
    const authority = `${target.host.includes(":") ? `[${target.host}]` : target.host}:${target.port}`;
    const connect = (proxy.protocol === "https:" ? https : http).request({
      host: proxy.hostname,
      port: proxy.port || (proxy.protocol === "https:" ? 443 : 80),
      method: "CONNECT",
      path: authority,
      headers: { host: authority, ...auth ? { "proxy-authorization": auth } : {} },
      agent: false
    });
    connect.once("connect", (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        done(Object.assign(new Error(`the proxy ${proxy.host} refused to tunnel to ${authority}: ${res.statusCode} ${res.statusMessage ?? ""}`.trim()), { code: "ECONNREFUSED" }));
        return;
      }
      done(null, tls.connect({ ...target, socket, servername: target.servername ?? target.host }));
    });
    connect.once("error", (err) => done(err));
    connect.end();
    return void 0;
  };
  return agent;
}

// src/http/transport.ts
var NetworkError = class extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
  code;
  name = "NetworkError";
};
function createTransport(maxSockets, env = process.env) {
  const options = { keepAlive: true, maxSockets };
  const plain = new http2.Agent(options);
  const secure = new https2.Agent(options);
  const tunnels = /* @__PURE__ */ new Map();
  return {
    route(url) {
      const proxy = proxyFor(url, env);
      if (url.protocol !== "https:") return proxy ? { agent: plain, proxy } : { agent: plain };
      if (!proxy) return { agent: secure };
      let tunnel = tunnels.get(proxy.href);
      if (!tunnel) tunnels.set(proxy.href, tunnel = tunnelAgent(proxy, options));
      return { agent: tunnel };
    },
    close() {
      plain.destroy();
      secure.destroy();
      for (const tunnel of tunnels.values()) tunnel.destroy();
    }
  };
}
var MAX_BUFFERED_BODY = 32 << 20;
async function send(transport, request2) {
  const res = await open2(transport, request2);
  const chunks = [];
  let size = 0;
  try {
    for await (const chunk of res) {
      size += chunk.length;
      if (size > MAX_BUFFERED_BODY) {
        res.destroy();
        throw new NetworkError(`response body larger than ${MAX_BUFFERED_BODY} bytes`, "ETOOBIG");
      }
      chunks.push(chunk);
    }
  } catch (err) {
    throw asNetworkError(err);
  }
  return { url: request2.url, status: res.statusCode ?? 0, statusText: res.statusMessage ?? "", headers: res.headers, body: Buffer.concat(chunks) };
}
async function open2(transport, request2) {
  const { url } = request2;
  const headers = { ...request2.headers };
  const body = request2.body;
  const length = body === void 0 ? 0 : body instanceof Uint8Array ? body.length : body.length;
  if (body !== void 0 || ["PUT", "POST", "PATCH"].includes(request2.method)) headers["content-length"] = String(length);
  const { agent, proxy } = transport.route(url);
  let req;
  if (proxy) {
    const auth = proxyAuthorization(proxy);
    headers.host = url.host;
    if (auth) headers["proxy-authorization"] = auth;
    req = http2.request({ host: proxy.hostname, port: proxy.port || 80, path: url.href, method: request2.method, headers, agent, signal: request2.signal });
  } else {
    req = (url.protocol === "https:" ? https2 : http2).request(url, { method: request2.method, headers, agent, signal: request2.signal });
  }
  req.setTimeout(request2.timeoutMs, () => {
    req.destroy(new NetworkError(`no progress for ${request2.timeoutMs / 1e3} s`, "ETIMEDOUT"));
  });
  if (request2.onStall) watchStall(req, request2.onStall, request2.stallNoticeMs ?? 5e3);
  const response = new Promise((resolve, reject) => {
    req.once("response", resolve);
    req.once("error", reject);
  });
  response.catch(() => void 0);
  try {
    if (body instanceof Uint8Array) {
      if (body.length > 0) {
        await write(req, body);
        request2.onBodyBytes?.(body.length);
      }
    } else if (body !== void 0) {
      let sent = 0;
      for await (const chunk of await body.open()) {
        if (sent + chunk.length > body.length) throw new Error(`request body is longer than the ${body.length} bytes announced`);
        await write(req, chunk);
        sent += chunk.length;
        request2.onBodyBytes?.(chunk.length);
      }
      if (sent !== body.length) throw new Error(`request body ended after ${sent} of ${body.length} bytes`);
    }
    req.end();
  } catch (err) {
    if (!(err instanceof NetworkError) && !isSocketError(err)) {
      req.destroy();
      throw err;
    }
  }
  try {
    return await response;
  } catch (err) {
    throw asNetworkError(err);
  }
}
function watchStall(req, onStall, noticeMs) {
  let seen = -1;
  let since = Date.now();
  let told = false;
  const timer = setInterval(() => {
    const socket = req.socket;
    const moved = socket ? socket.bytesRead + socket.bytesWritten : 0;
    if (moved !== seen) {
      seen = moved;
      since = Date.now();
      told = false;
    } else if (!told && Date.now() - since >= noticeMs) {
      told = true;
      onStall(Date.now() - since);
    }
  }, Math.max(50, Math.min(1e3, noticeMs / 4)));
  timer.unref();
  req.once("close", () => clearInterval(timer));
}
function write(req, chunk) {
  return new Promise((resolve, reject) => {
    if (req.destroyed) {
      reject(new NetworkError("connection closed while sending the body", "ECONNRESET"));
      return;
    }
    const onError = (err) => {
      cleanup();
      reject(asNetworkError(err));
    };
    const onClose = () => {
      cleanup();
      reject(new NetworkError("connection closed while sending the body", "ECONNRESET"));
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      req.off("error", onError);
      req.off("close", onClose);
      req.off("drain", onDrain);
    };
    req.on("error", onError);
    req.on("close", onClose);
    if (req.write(chunk)) {
      cleanup();
      resolve();
    } else {
      req.on("drain", onDrain);
    }
  });
}
var SOCKET_CODES = /* @__PURE__ */ new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ECONNABORTED", "UND_ERR_SOCKET"]);
function isSocketError(err) {
  const code = err?.code;
  return typeof code === "string" && SOCKET_CODES.has(code);
}
function asNetworkError(err) {
  if (err instanceof NetworkError) return err;
  const e = err;
  if (e?.name === "AbortError") return err;
  if (typeof e?.code === "string" && (SOCKET_CODES.has(e.code) || e.code.startsWith("ERR_STREAM") || e.code === "ERR_HTTP_REQUEST_TIMEOUT")) {
    return new NetworkError(describeSocketError(e.code, String(e.message ?? "")), e.code);
  }
  if (e?.message === "aborted" || e?.message === "socket hang up") return new NetworkError(String(e.message), "ECONNRESET");
  return err;
}
function describeSocketError(code, message) {
  switch (code) {
    case "ECONNRESET":
      return "connection reset";
    case "ECONNREFUSED":
      return "connection refused";
    case "EPIPE":
      return "connection closed while sending";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `host not found (${message})`;
    default:
      return message || code;
  }
}
function header(headers, name) {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[value.length - 1] : value;
}

// src/http/get.ts
var HttpStatusError = class extends Error {
  constructor(status, url, retryAfterMs) {
    super(`GET ${url.host}${url.pathname} answered ${status}`);
    this.status = status;
    this.url = url;
    this.retryAfterMs = retryAfterMs;
  }
  status;
  url;
  retryAfterMs;
  name = "HttpStatusError";
};
var MAX_REDIRECTS = 5;
var shared;
function httpGet(url, options = {}) {
  shared ??= createTransport(4);
  const transport = shared;
  const start = new URL(url);
  return withRetries(
    `GET ${start.href}`,
    async () => {
      let at = start;
      for (let hop = 0; ; hop++) {
        const res = await open2(transport, {
          method: "GET",
          url: at,
          headers: { ...options.headers },
          timeoutMs: options.timeoutMs ?? 6e4,
          ...options.signal ? { signal: options.signal } : {}
        });
        const status = res.statusCode ?? 0;
        const location = header(res.headers, "location");
        if (status >= 300 && status < 400 && location && hop < MAX_REDIRECTS) {
          res.resume();
          at = new URL(location, at);
          continue;
        }
        if (status >= 200 && status < 300) return res;
        res.resume();
        throw new HttpStatusError(status, at, status === 429 || status === 503 ? parseRetryAfter(header(res.headers, "retry-after")) : void 0);
      }
    },
    {
      policy: { ...DEFAULT_RETRY, ...options.retry },
      signal: options.signal,
      retryable(err) {
        if (err instanceof NetworkError) return { reason: err.message };
        if (err instanceof HttpStatusError && (err.status === 429 || err.status === 408 || err.status >= 500 && err.status !== 501)) {
          return { reason: `answered ${err.status}`, retryAfterMs: err.retryAfterMs };
        }
        return void 0;
      },
      ...options.onRetry ? { onRetry: options.onRetry } : {}
    }
  );
}

// src/http/index.ts
import { createServer } from "node:http";

// src/oci/registry/blobs.ts
var OCTETS = "application/octet-stream";
function where(target) {
  return `${target.registry}/${target.repository}`;
}
async function blobSize(client, target, digest, options = {}) {
  const res = await client.request({
    operation: `check blob ${digest} in ${where(target)}`,
    registry: target.registry,
    method: "HEAD",
    path: `/v2/${target.repository}/blobs/${digest}`,
    scopes: [repositoryScope(target.repository, options.push ? "pull,push" : "pull")],
    expect: [200, 404],
    retry: options.retry ?? true
  });
  if (res.status === 404) return void 0;
  const length = header(res.headers, "content-length");
  return length === void 0 ? -1 : Number(length);
}
async function pushBlob(client, target, blob, read, options = {}) {
  const done = (outcome) => {
    client.remember(target.registry, target.repository, blob.digest);
    if (outcome === "present") client.stats.blobsPresent++;
    else if (outcome === "mounted") client.stats.blobsMounted++;
    else client.stats.blobsUploaded++;
    client.emit({ type: "blob", repository: where(target), digest: blob.digest, size: blob.size, outcome });
    return outcome;
  };
  const size = await blobSize(client, target, blob.digest, { push: true });
  if (size !== void 0) {
    if (size >= 0 && size !== blob.size) {
      throw new UserError(`${where(target)} holds blob ${blob.digest} with ${size} bytes, but its descriptor says ${blob.size}: the descriptor is wrong`);
    }
    return done("present");
  }
  let session;
  const candidates = [.../* @__PURE__ */ new Set([...client.locations(target.registry, blob.digest), ...options.mountFrom ?? []])].filter((r) => r !== target.repository);
  for (const from of candidates) {
    const res = await client.request({
      operation: `mount blob ${blob.digest} from ${target.registry}/${from} into ${where(target)}`,
      registry: target.registry,
      method: "POST",
      path: `/v2/${target.repository}/blobs/uploads/`,
      query: { mount: blob.digest, from },
      body: new Uint8Array(0),
      scopes: mergeScopes([repositoryScope(target.repository, "pull,push")], [repositoryScope(from, "pull")]),
      expect: [201, 202]
    });
    if (res.status === 201) return done("mounted");
    session = uploadLocation(res, target, "mount");
    break;
  }
  await upload(client, target, blob, read, session);
  return done("uploaded");
}
function uploadLocation(res, target, step) {
  const location = header(res.headers, "location");
  if (!location) throw new UserError(`${where(target)}: the registry answered ${res.status} to the upload ${step} without a Location header`);
  return new URL(location, res.url);
}
var RESTARTS = 3;
async function upload(client, target, blob, read, session) {
  const operation = `push blob ${blob.digest} to ${where(target)}`;
  const scopes = [repositoryScope(target.repository, "pull,push")];
  const chunked = blob.size > client.chunkSize;
  let location = session;
  let minChunk = 0;
  let restarts = 0;
  const open3 = async () => {
    const res = await client.request({ operation: `${operation} (open an upload)`, registry: target.registry, method: "POST", path: `/v2/${target.repository}/blobs/uploads/`, body: new Uint8Array(0), scopes, expect: [202] });
    location = uploadLocation(res, target, "start");
    minChunk = Number(header(res.headers, "oci-chunk-min-length") ?? 0) || 0;
  };
  const reopen = async () => {
    await cancel(client, target, location);
    location = void 0;
    await open3();
  };
  const restart = async (why) => {
    if (++restarts > RESTARTS) throw new UserError(`${operation}: the registry lost the upload ${RESTARTS} times (last: ${why}); giving up`);
    await reopen();
  };
  const landed = async () => await blobSize(client, target, blob.digest, { push: true }) !== void 0;
  const isLostSession = (err) => err instanceof RegistryError && !err.hasCode("DIGEST_INVALID") && (err.status === 404 || err.hasCode("BLOB_UPLOAD_UNKNOWN") || err.hasCode("BLOB_UPLOAD_INVALID"));
  const status = async () => {
    const res = await client.request({ operation: `${operation} (upload status)`, registry: target.registry, method: "GET", url: location, scopes, expect: [204, 400, 404, 416] });
    const range = parseRange(header(res.headers, "range"));
    if (res.status !== 204 || range === void 0 || range === 0 || range > blob.size) return void 0;
    location = uploadLocation(res, target, "status");
    return range;
  };
  try {
    if (!location) await open3();
    if (!chunked) {
      await client.retrying(`${operation} (PUT)`, async (attempt) => {
        if (attempt > 1) {
          if (await landed()) return;
          await reopen();
        }
        try {
          await finish(client, target, blob, location, { length: blob.size, open: () => read() }, operation);
        } catch (err) {
          if (!isLostSession(err)) throw err;
          await restart(err.message);
          await finish(client, target, blob, location, { length: blob.size, open: () => read() }, operation);
        }
      });
      return;
    }
    let offset = 0;
    for (; ; ) {
      const chunk = Math.max(client.chunkSize, minChunk);
      while (offset < blob.size) {
        const from = offset;
        const to = Math.min(blob.size, from + chunk);
        offset = await client.retrying(`${operation} (bytes ${from}-${to - 1} of ${blob.size})`, async (attempt) => {
          if (attempt > 1) {
            const held = await status();
            if (held === void 0) {
              await restart("the registry could not say how much of the upload it holds");
              return 0;
            }
            if (held !== from) return held;
          }
          let res;
          try {
            res = await client.request({
              operation,
              registry: target.registry,
              method: "PATCH",
              url: location,
              headers: { "content-type": OCTETS, "content-range": `${from}-${to - 1}` },
              body: { length: to - from, open: () => read({ start: from, end: to }) },
              scopes,
              expect: [202, 416],
              retry: false,
              blobBody: true
            });
          } catch (err) {
            if (!isLostSession(err)) throw err;
            await restart(err.message);
            return 0;
          }
          location = uploadLocation(res, target, "chunk");
          if (res.status === 416) {
            const held = await status();
            if (held !== void 0) return held;
            await restart("the registry refused a chunk and could not say where the upload stands");
            return 0;
          }
          const range = parseRange(header(res.headers, "range"));
          const next = range !== void 0 && range > 0 ? range : to;
          if (next > blob.size) throw new UserError(`${operation}: the registry reports ${next} bytes received, more than the blob's ${blob.size}`);
          return next;
        });
      }
      const done = await client.retrying(`${operation} (close the upload)`, async (attempt) => {
        if (attempt > 1 && await landed()) return true;
        try {
          await finish(client, target, blob, location, new Uint8Array(0), operation);
          return true;
        } catch (err) {
          if (!isLostSession(err)) throw err;
          if (await landed()) return true;
          await restart(err.message);
          return false;
        }
      });
      if (done) return;
      offset = 0;
    }
  } catch (err) {
    await cancel(client, target, location);
    if (err instanceof RegistryError && err.hasCode("DIGEST_INVALID")) {
      throw new UserError(`${err.message}; the content read for ${blob.digest} does not hash to that digest: the source is corrupt`, { cause: err });
    }
    throw err;
  }
}
async function finish(client, target, blob, location, body, operation) {
  const url = new URL(location);
  url.searchParams.set("digest", blob.digest);
  const res = await client.request({
    operation,
    registry: target.registry,
    method: "PUT",
    url,
    headers: { "content-type": OCTETS },
    body,
    scopes: [repositoryScope(target.repository, "pull,push")],
    expect: [201, 204],
    retry: false,
    blobBody: body.length > 0
  });
  const digest = header(res.headers, "docker-content-digest");
  if (digest !== void 0 && digest.split(":")[0] === blob.digest.split(":")[0] && digest !== blob.digest) {
    throw new UserError(`${operation}: the registry stored the blob as ${digest}`);
  }
}
async function cancel(client, target, location) {
  if (!location) return;
  try {
    await client.request({
      operation: `cancel upload to ${where(target)}`,
      registry: target.registry,
      method: "DELETE",
      url: location,
      scopes: [repositoryScope(target.repository, "pull,push")],
      expect: [200, 202, 204, 400, 404, 405],
      retry: false
    });
  } catch {
  }
}
function parseRange(value) {
  if (value === void 0) return void 0;
  const match = /^(?:bytes=)?0-(\d+)$/.exec(value.trim());
  if (!match) return void 0;
  const last = Number(match[1]);
  return last === 0 ? 0 : last + 1;
}

// src/oci/registry/context.ts
function createContext(options = {}) {
  const env = options.env ?? process.env;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const states = /* @__PURE__ */ new Map();
  const signals = [options.signal, options.deadline === void 0 ? void 0 : AbortSignal.timeout(Math.max(0, options.deadline - Date.now()))].filter((s) => s !== void 0);
  const seen = /* @__PURE__ */ new Map();
  return {
    options,
    env,
    retryPolicy: { ...DEFAULT_RETRY, ...options.retry },
    timeoutMs: options.timeoutMs ?? 6e4,
    stallNoticeMs: options.stallNoticeMs ?? 5e3,
    signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0],
    deadline: options.deadline,
    startedAt: Date.now(),
    concurrency,
    chunkSize: Math.max(1, options.chunkSize ?? 32 << 20),
    transport: createTransport(concurrency + 4, env),
    stats: emptyStats(),
    userAgent: `trunkfarm/${VERSION}`,
    inflight: /* @__PURE__ */ new Map(),
    stateOf(registry) {
      let state = states.get(registry);
      if (!state) {
        state = { scheme: "none", tokens: new TokenCache() };
        const credentials = resolveCredentials(registry, options.credentials, env);
        if (credentials) state.credentials = credentials;
        states.set(registry, state);
      }
      return state;
    },
    emit: (event) => options.onEvent?.(event),
    slot: slots(concurrency),
    remember(registry, repository, digest) {
      let byDigest = seen.get(registry);
      if (!byDigest) seen.set(registry, byDigest = /* @__PURE__ */ new Map());
      let repos = byDigest.get(digest);
      if (!repos) byDigest.set(digest, repos = /* @__PURE__ */ new Set());
      repos.add(repository);
    },
    locations: (registry, digest) => [...seen.get(registry)?.get(digest) ?? []]
  };
}
function slots(limit) {
  let active = 0;
  const waiting = [];
  return (task) => {
    const acquired = active < limit ? (active++, Promise.resolve()) : new Promise((resolve) => waiting.push(resolve));
    return acquired.then(async () => {
      try {
        return await task();
      } finally {
        const next = waiting.shift();
        if (next) next();
        else active--;
      }
    });
  };
}

// src/oci/registry/challenge.ts
function parseChallenges(header2) {
  if (header2 === void 0) return [];
  const values = Array.isArray(header2) ? header2 : [header2];
  return values.flatMap(parseOne);
}
function parseOne(text) {
  const challenges = [];
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && (text[i] === " " || text[i] === "	")) i++;
  };
  const token = () => {
    const start = i;
    while (i < text.length && /[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(text[i])) i++;
    return text.slice(start, i);
  };
  let current;
  while (i < text.length) {
    skipSpace();
    if (text[i] === ",") {
      i++;
      continue;
    }
    const word = token();
    if (word === "") {
      i++;
      continue;
    }
    skipSpace();
    if (text[i] === "=" && current !== void 0) {
      i++;
      skipSpace();
      let value;
      if (text[i] === '"') {
        i++;
        value = "";
        while (i < text.length && text[i] !== '"') {
          if (text[i] === "\\" && i + 1 < text.length) i++;
          value += text[i];
          i++;
        }
        i++;
      } else {
        const start = i;
        while (i < text.length && text[i] !== ",") i++;
        value = text.slice(start, i).trim();
      }
      current.params[word.toLowerCase()] = value;
    } else {
      current = { scheme: word.toLowerCase(), params: {} };
      challenges.push(current);
      if (text[i] !== void 0 && text[i] !== "," && !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\s*=/.test(text.slice(i))) {
        const start = i;
        while (i < text.length && text[i] !== ",") i++;
        current.params[""] = text.slice(start, i).trim();
      }
    }
  }
  return challenges;
}

// src/oci/registry/session.ts
function ready(ctx, registry) {
  const state = ctx.stateOf(registry);
  state.ready ??= retrying(ctx, `reach registry ${registry}`, async () => {
    const req = { operation: `reach registry ${registry}`, registry, method: "GET", path: "/v2/", scopes: [], expect: [200, 401] };
    const url = urlOf(ctx, req);
    const res = await sendOnce(ctx, req, url, void 0);
    if (res.status === 200) return;
    if (res.status !== 401) throw failure(req, url, res, res.status === 404 ? `${registry} does not serve the registry API at /v2/` : void 0);
    learn(ctx, registry, res.headers);
  }).catch((err) => {
    state.ready = void 0;
    throw err;
  });
  return state.ready;
}
function learn(ctx, registry, headers) {
  const state = ctx.stateOf(registry);
  const challenges = parseChallenges(headers["www-authenticate"]);
  const bearer = challenges.find((c) => c.scheme === "bearer");
  const realm = bearer ? bearerRealm(bearer) : void 0;
  if (realm) {
    state.scheme = "bearer";
    state.bearer = realm;
  } else if (challenges.some((c) => c.scheme === "basic")) {
    state.scheme = "basic";
  } else {
    throw new UserError(`registry ${registry} asks for authentication with an unsupported challenge: ${JSON.stringify(header(headers, "www-authenticate") ?? "")}`);
  }
}
function missingCredentials(registry) {
  return new UserError(
    `registry ${registry} requires credentials: pass them in the client options or set ${ENV_USER} and ${ENV_PASSWORD}` + (registry === "ghcr.io" ? " (or GITHUB_TOKEN)" : "")
  );
}
async function fetchToken(ctx, registry, scopes) {
  const state = ctx.stateOf(registry);
  const realm = state.bearer;
  const url = tokenUrl(realm, scopes);
  const operation = `get a token for ${scopes.join(" ") || "the registry"} from ${url.origin}${url.pathname}`;
  if (state.credentials && url.protocol === "http:" && !isLoopback(url.host) && !ctx.options.plainHttp) {
    throw new UserError(`${operation}: refusing to send credentials to a token realm over plain HTTP`);
  }
  return retrying(ctx, operation, async () => {
    ctx.stats.tokenRequests++;
    const req = { operation, registry, method: "GET", url, scopes: [], expect: [200] };
    const headers = { "user-agent": ctx.userAgent };
    if (state.credentials) headers.authorization = basicHeader(state.credentials);
    let res;
    try {
      ctx.stats.requests++;
      res = await send(ctx.transport, { method: "GET", url, headers, ...exchangeOptions(ctx, operation, "GET", url) });
    } catch (err) {
      throw networkFailure(req, url, err);
    }
    if (res.status === 401 || res.status === 403) {
      throw failure(req, url, res, state.credentials ? `the token server rejected the credentials of ${JSON.stringify(state.credentials.username)}` : missingCredentials(registry).message);
    }
    if (res.status !== 200) throw failure(req, url, res);
    const token = parseTokenResponse(res.body, scopes);
    if (!token) throw new UserError(`${operation}: the answer holds no token`);
    state.tokens.add(token);
    return token.token;
  });
}
async function authorization(ctx, registry, scopes) {
  const state = ctx.stateOf(registry);
  if (state.scheme === "basic") {
    if (!state.credentials) throw missingCredentials(registry);
    return basicHeader(state.credentials);
  }
  if (state.scheme === "bearer") {
    const cached = state.tokens.find(scopes);
    if (cached) return `Bearer ${cached.token}`;
    const key = `${registry} ${scopes.join(" ")}`;
    let pending = ctx.inflight.get(key);
    if (!pending) {
      pending = fetchToken(ctx, registry, scopes).finally(() => ctx.inflight.delete(key));
      ctx.inflight.set(key, pending);
    }
    return `Bearer ${await pending}`;
  }
  return void 0;
}

// src/oci/registry/send.ts
var MAX_REDIRECTS2 = 5;
var REDIRECTS = [301, 302, 303, 307, 308];
async function retrying(ctx, operation, attempt) {
  try {
    return await withRetries(operation, attempt, {
      policy: ctx.retryPolicy,
      signal: ctx.signal,
      deadline: ctx.deadline,
      // An error that already used up its own retries (a token request, say) is not retried again.
      retryable: (err) => err instanceof RegistryError && err.retryable && err.attempts <= 1 ? { reason: err.message, retryAfterMs: err.retryAfterMs } : void 0,
      giveUp: (err, attempts, why) => why === "deadline" ? pastDeadline(ctx, operation, err) : err.afterAttempts(attempts),
      onRetry(event) {
        ctx.stats.retries++;
        ctx.emit({ type: "retry", operation, attempt: event.retry, attempts: ctx.retryPolicy.attempts, delayMs: event.delayMs, retryAfter: event.retryAfterMs !== void 0, error: event.reason });
      }
    });
  } catch (err) {
    throw abortFailure(ctx, operation, err);
  }
}
function pastDeadline(ctx, operation, cause) {
  const seconds = ctx.deadline === void 0 ? 0 : Math.round((ctx.deadline - ctx.startedAt) / 1e3);
  return new UserError(`${operation}: stopped at the deadline (${seconds} s after the start; --deadline sets it)${cause instanceof Error ? `; last failure: ${cause.message}` : ""}`, { cause });
}
function abortFailure(ctx, operation, err) {
  if (err instanceof UserError || !ctx.signal?.aborted) return err;
  if (ctx.options.signal?.aborted) return ctx.options.signal.reason instanceof Error ? ctx.options.signal.reason : err;
  return ctx.deadline === void 0 ? err : pastDeadline(ctx, operation, void 0);
}
function exchangeOptions(ctx, operation, method, url) {
  return {
    timeoutMs: ctx.timeoutMs,
    ...ctx.signal ? { signal: ctx.signal } : {},
    stallNoticeMs: ctx.stallNoticeMs,
    onStall: (idleMs) => ctx.emit({ type: "wait", operation, request: `${method} ${url.host}${url.pathname}`, idleMs, timeoutMs: ctx.timeoutMs })
  };
}
function urlOf(ctx, req) {
  const url = req.url ? new URL(req.url) : new URL(req.path ?? "/v2/", registryBaseUrl(req.registry, ctx.options.plainHttp));
  for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
  return url;
}
function failure(req, url, res, hint) {
  const retryAfterMs = res.status === 429 || res.status === 503 ? parseRetryAfter(header(res.headers, "retry-after")) : void 0;
  return new RegistryError({
    operation: req.operation,
    method: req.method,
    url,
    status: res.status,
    statusText: res.statusText,
    codes: parseErrorCodes(res.body, header(res.headers, "content-type")),
    ...retryAfterMs === void 0 ? {} : { retryAfterMs },
    ...hint ? { hint } : {}
  });
}
function networkFailure(req, url, err) {
  if (err instanceof NetworkError) return new RegistryError({ operation: req.operation, method: req.method, url, network: err.message, cause: err });
  return err;
}
async function sendOnce(ctx, req, url, auth) {
  ctx.stats.requests++;
  const headers = { "user-agent": ctx.userAgent, ...req.headers };
  if (auth) headers.authorization = auth;
  try {
    return await send(ctx.transport, {
      method: req.method,
      url,
      headers,
      ...req.body === void 0 ? {} : { body: req.body },
      ...exchangeOptions(ctx, req.operation, req.method, url),
      ...req.blobBody ? { onBodyBytes: (n) => ctx.stats.blobBytesUploaded += n } : {}
    });
  } catch (err) {
    throw abortFailure(ctx, req.operation, networkFailure(req, url, err));
  }
}
async function exchange(ctx, req, url) {
  await ready(ctx, req.registry);
  const ours = url.origin === registryBaseUrl(req.registry, ctx.options.plainHttp).origin;
  let auth = ours ? await authorization(ctx, req.registry, req.scopes) : void 0;
  let res = await sendOnce(ctx, req, url, auth);
  if (res.status === 401 && ours) {
    const state = ctx.stateOf(req.registry);
    if (auth?.startsWith("Bearer ")) state.tokens.drop(auth.slice(7));
    learn(ctx, req.registry, res.headers);
    const wanted = parseChallenges(res.headers["www-authenticate"]).find((c) => c.scheme === "bearer")?.params.scope;
    auth = await authorization(ctx, req.registry, mergeScopes(req.scopes, wanted ? wanted.split(" ") : []));
    res = await sendOnce(ctx, req, url, auth);
    if (res.status === 401) {
      const who = state.credentials;
      throw failure(req, url, res, who ? `the registry refused the credentials of ${JSON.stringify(who.username)}` : missingCredentials(req.registry).message);
    }
  }
  if (res.status === 403 && !req.expect.includes(403)) throw failure(req, url, res, `access denied: the credentials lack ${req.scopes.join(" ") || "access"}`);
  return res;
}
async function request(ctx, req) {
  const attempt = async () => {
    let url = urlOf(ctx, req);
    for (let hop = 0; ; hop++) {
      const res = await exchange(ctx, req, url);
      const location = header(res.headers, "location");
      if ((req.method === "GET" || req.method === "HEAD") && REDIRECTS.includes(res.status) && location && hop < MAX_REDIRECTS2 && !req.expect.includes(res.status)) {
        url = new URL(location, url);
        continue;
      }
      if (!req.expect.includes(res.status)) throw failure(req, url, res);
      return res;
    }
  };
  return req.retry === false ? attempt() : retrying(ctx, req.operation, attempt);
}
async function stream(ctx, req) {
  return retrying(ctx, req.operation, async () => {
    await ready(ctx, req.registry);
    let url = urlOf(ctx, req);
    const base = registryBaseUrl(req.registry, ctx.options.plainHttp);
    let challenged = false;
    for (let hop = 0; ; hop++) {
      const ours = url.origin === base.origin;
      const auth = ours ? await authorization(ctx, req.registry, req.scopes) : void 0;
      let res;
      const headers = { "user-agent": ctx.userAgent, ...req.headers, ...auth ? { authorization: auth } : {} };
      try {
        ctx.stats.requests++;
        res = await open2(ctx.transport, { method: "GET", url, headers, ...exchangeOptions(ctx, req.operation, "GET", url) });
      } catch (err) {
        throw networkFailure(req, url, err);
      }
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (REDIRECTS.includes(status) && location && hop < MAX_REDIRECTS2) {
        res.resume();
        url = new URL(location, url);
        continue;
      }
      if (status === 401 && ours && !challenged) {
        res.resume();
        challenged = true;
        if (auth?.startsWith("Bearer ")) ctx.stateOf(req.registry).tokens.drop(auth.slice(7));
        learn(ctx, req.registry, res.headers);
        continue;
      }
      if (status !== 200) {
        const chunks = [];
        for await (const c of res) chunks.push(c);
        throw failure(req, url, { url, status, statusText: res.statusMessage ?? "", headers: res.headers, body: Buffer.concat(chunks) });
      }
      return res;
    }
  });
}

// src/oci/registry/client.ts
function emptyStats() {
  return {
    requests: 0,
    retries: 0,
    tokenRequests: 0,
    blobsPresent: 0,
    blobsMounted: 0,
    blobsUploaded: 0,
    blobBytesUploaded: 0,
    manifestsPresent: 0,
    manifestsPushed: 0,
    tagsMoved: 0,
    tagsUnchanged: 0
  };
}
function diffStats(after, before) {
  const out = emptyStats();
  for (const key of Object.keys(out)) out[key] = after[key] - before[key];
  return out;
}
function createClient(options = {}) {
  const ctx = createContext(options);
  return {
    stats: ctx.stats,
    concurrency: ctx.concurrency,
    chunkSize: ctx.chunkSize,
    retryPolicy: ctx.retryPolicy,
    signal: ctx.signal,
    request: (req) => request(ctx, req),
    stream: (req) => stream(ctx, req),
    retrying: (operation, attempt) => retrying(ctx, operation, attempt),
    slot: ctx.slot,
    remember: ctx.remember,
    locations: ctx.locations,
    emit: ctx.emit,
    close: () => ctx.transport.close()
  };
}

// src/oci/registry/manifests.ts
function where2(target) {
  return `${target.registry}/${target.repository}`;
}
function mediaTypeOf(contentType) {
  return (contentType ?? "").split(";")[0].trim();
}
async function headManifest(client, target, reference, options = {}) {
  const res = await client.request({
    operation: `check manifest ${reference} in ${where2(target)}`,
    registry: target.registry,
    method: "HEAD",
    path: `/v2/${target.repository}/manifests/${reference}`,
    headers: { accept: MANIFEST_ACCEPT },
    scopes: [repositoryScope(target.repository, options.push ? "pull,push" : "pull")],
    expect: [200, 404]
  });
  if (res.status === 404) return void 0;
  const digest = header(res.headers, "docker-content-digest");
  if (digest === void 0 || !isDigest(digest)) {
    const manifest = await getManifest(client, target, reference, options);
    return manifest && { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.size };
  }
  return { digest, mediaType: mediaTypeOf(header(res.headers, "content-type")), size: Number(header(res.headers, "content-length") ?? -1) };
}
async function getManifest(client, target, reference, options = {}) {
  const operation = `get manifest ${reference} from ${where2(target)}`;
  const res = await client.request({
    operation,
    registry: target.registry,
    method: "GET",
    path: `/v2/${target.repository}/manifests/${reference}`,
    headers: { accept: options.accept ?? MANIFEST_ACCEPT },
    scopes: [repositoryScope(target.repository, options.push ? "pull,push" : "pull")],
    expect: [200, 404]
  });
  if (res.status === 404) return void 0;
  const bytes = res.body;
  let digest;
  if (isDigest(reference)) {
    digest = digestLike(reference, bytes);
    if (digest !== reference) throw new UserError(`${operation}: the registry sent content that hashes to ${digest}`);
  } else {
    digest = sha256Digest(bytes);
    const claimed = header(res.headers, "docker-content-digest");
    if (claimed !== void 0 && claimed.startsWith("sha256:") && claimed !== digest) {
      throw new UserError(`${operation}: the registry says ${claimed} but sent content that hashes to ${digest}`);
    }
  }
  let mediaType = mediaTypeOf(header(res.headers, "content-type"));
  if (!isManifestType(mediaType)) mediaType = embeddedMediaType(bytes) ?? mediaType;
  return { digest, mediaType, size: bytes.length, bytes };
}
async function putManifest(client, target, reference, bytes, mediaType) {
  const digest = sha256Digest(bytes);
  if (isDigest(reference) && digestLike(reference, bytes) !== reference) {
    throw new UserError(`put manifest ${reference} to ${where2(target)}: the manifest's content hashes to ${digestLike(reference, bytes)}`);
  }
  const operation = isDigest(reference) ? `push manifest ${reference} to ${where2(target)}` : `tag ${where2(target)}:${reference} as ${digest}`;
  const res = await client.request({
    operation,
    registry: target.registry,
    method: "PUT",
    path: `/v2/${target.repository}/manifests/${reference}`,
    headers: { "content-type": mediaType },
    body: bytes,
    scopes: [repositoryScope(target.repository, "pull,push")],
    expect: [200, 201, 202]
  });
  const stored = header(res.headers, "docker-content-digest");
  if (stored !== void 0 && stored.startsWith("sha256:") && stored !== digest) {
    throw new UserError(`${operation}: the registry stored the manifest as ${stored}, not ${digest} (did it rewrite it?)`);
  }
  const subject = header(res.headers, "oci-subject");
  return { digest: isDigest(reference) ? reference : digest, ...subject ? { subject } : {} };
}
async function deleteManifest(client, target, digest) {
  const res = await client.request({
    operation: `delete manifest ${digest} from ${where2(target)}`,
    registry: target.registry,
    method: "DELETE",
    path: `/v2/${target.repository}/manifests/${digest}`,
    scopes: [repositoryScope(target.repository, "pull,push")],
    expect: [200, 202, 404, 405, 400]
  });
  if (res.status === 404) return "absent";
  if (res.status === 405 || res.status === 400) return "unsupported";
  return "deleted";
}
function embeddedMediaType(bytes) {
  try {
    const parsed = JSON.parse(Buffer.from(bytes).toString("utf8"));
    return typeof parsed.mediaType === "string" ? parsed.mediaType : void 0;
  } catch {
    return void 0;
  }
}
function parseManifest(bytes, descriptorType, where4) {
  let doc;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch (err) {
    throw new UserError(`${where4}: not valid JSON: ${err.message}`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new UserError(`${where4}: not a JSON object`);
  if (doc.schemaVersion !== 2) throw new UserError(`${where4}: schemaVersion is ${JSON.stringify(doc.schemaVersion)}, expected 2`);
  const declared = typeof doc.mediaType === "string" ? doc.mediaType : void 0;
  if (declared !== void 0 && declared !== descriptorType) {
    throw new UserError(`${where4}: declares mediaType ${declared} but is described as ${descriptorType}`);
  }
  const mediaType = declared ?? descriptorType;
  const descriptors = (value, field) => {
    if (value === void 0) return [];
    if (!Array.isArray(value)) throw new UserError(`${where4}: "${field}" is not a list`);
    return value.map((d, i) => checked(d, `${where4} ${field}[${i}]`));
  };
  const checked = (d, at) => {
    const x = d;
    if (typeof x !== "object" || x === null || typeof x.mediaType !== "string" || typeof x.digest !== "string" || !isDigest(x.digest) || typeof x.size !== "number" || !Number.isSafeInteger(x.size) || x.size < 0) {
      throw new UserError(`${at}: not a valid descriptor (mediaType, digest, size)`);
    }
    return x;
  };
  const out = { mediaType, blobs: [], children: [] };
  if (isIndexType(mediaType) || declared === void 0 && Array.isArray(doc.manifests) && doc.layers === void 0) {
    out.children = descriptors(doc.manifests, "manifests");
  } else {
    if (doc.config === void 0) throw new UserError(`${where4}: a manifest needs a config descriptor`);
    const config = checked(doc.config, `${where4} config`);
    const layers = descriptors(doc.layers, "layers");
    out.blobs = [config, ...layers.filter((l) => !(l.urls?.length && /nondistributable|foreign/.test(l.mediaType)))];
  }
  if (doc.subject !== void 0) out.subject = checked(doc.subject, `${where4} subject`);
  if (typeof doc.artifactType === "string") out.artifactType = doc.artifactType;
  if (doc.annotations && typeof doc.annotations === "object") out.annotations = doc.annotations;
  return out;
}

// src/oci/registry/referrers.ts
function referrersTag(subject) {
  const [algorithm, encoded] = splitDigest(subject);
  return `${algorithm.slice(0, 32)}-${encoded.slice(0, 64)}`;
}
function where3(target) {
  return `${target.registry}/${target.repository}`;
}
function parseIndex(bytes, what) {
  try {
    const doc = JSON.parse(Buffer.from(bytes).toString("utf8"));
    if (!Array.isArray(doc.manifests)) return [];
    return doc.manifests;
  } catch {
    throw new UserError(`${what}: not a JSON image index`);
  }
}
async function listReferrers(client, target, subject, options = {}) {
  const operation = `list referrers of ${subject} in ${where3(target)}`;
  const found = [];
  let url;
  let filtered = false;
  for (let page = 0; page < 100; page++) {
    const res = await client.request({
      operation,
      registry: target.registry,
      method: "GET",
      ...url ? { url } : { path: `/v2/${target.repository}/referrers/${subject}` },
      ...url || !options.artifactType ? {} : { query: { artifactType: options.artifactType } },
      headers: { accept: MEDIA.index },
      scopes: [repositoryScope(target.repository, "pull")],
      expect: [200, 404]
    });
    if (res.status === 404) {
      if (page > 0) break;
      return fallbackReferrers(client, target, subject, options.artifactType);
    }
    filtered ||= (header(res.headers, "oci-filters-applied") ?? "").split(",").map((s) => s.trim()).includes("artifactType");
    found.push(...parseIndex(res.body, operation));
    const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(header(res.headers, "link") ?? "");
    if (!next) break;
    url = new URL(next[1], res.url);
  }
  return options.artifactType && !filtered ? found.filter((d) => d.artifactType === options.artifactType) : found;
}
async function fallbackReferrers(client, target, subject, artifactType) {
  const index = await getManifest(client, target, referrersTag(subject));
  if (!index) return [];
  const all = parseIndex(index.bytes, `referrers tag ${referrersTag(subject)} in ${where3(target)}`);
  return artifactType ? all.filter((d) => d.artifactType === artifactType) : all;
}
async function addToReferrersTag(client, target, subject, referrer) {
  const tag = referrersTag(subject);
  for (let round = 0; round < 5; round++) {
    const current = await getManifest(client, target, tag, { push: true });
    const manifests = current ? parseIndex(current.bytes, `referrers tag ${tag} in ${where3(target)}`) : [];
    if (manifests.some((d) => d.digest === referrer.digest)) return;
    const index = { schemaVersion: 2, mediaType: MEDIA.index, manifests: [...manifests, referrer] };
    const bytes = Buffer.from(JSON.stringify(index));
    await putManifest(client, target, tag, bytes, MEDIA.index);
    const after = await getManifest(client, target, tag, { push: true });
    if (after && parseIndex(after.bytes, tag).some((d) => d.digest === referrer.digest)) return;
  }
  throw new UserError(`could not record referrer ${referrer.digest} under tag ${tag} in ${where3(target)}: the tag kept changing under us`);
}
async function ensureReferrer(client, target, subject, referrer, pushed) {
  if (pushed?.subject === subject) return;
  if (pushed === void 0) {
    const res = await client.request({
      operation: `list referrers of ${subject} in ${where3(target)}`,
      registry: target.registry,
      method: "GET",
      path: `/v2/${target.repository}/referrers/${subject}`,
      headers: { accept: MEDIA.index },
      scopes: [repositoryScope(target.repository, "pull")],
      expect: [200, 404]
    });
    if (res.status === 200 && parseIndex(res.body, `referrers of ${subject}`).some((d) => d.digest === referrer.digest)) return;
  }
  await addToReferrersTag(client, target, subject, referrer);
}
async function attachArtifact(client, target, subject, artifact) {
  const empty = Buffer.from("{}");
  const layers = artifact.layers.map((l) => ({
    mediaType: l.mediaType,
    digest: sha256Digest(l.bytes),
    size: l.bytes.length,
    ...l.annotations ? { annotations: l.annotations } : {}
  }));
  await pushBlob(client, target, { digest: EMPTY_JSON.digest, size: EMPTY_JSON.size }, async () => [empty]);
  await Promise.all(artifact.layers.map((l, i) => pushBlob(client, target, layers[i], async (range) => [range ? l.bytes.subarray(range.start, range.end) : l.bytes])));
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    artifactType: artifact.artifactType,
    config: { mediaType: EMPTY_JSON.mediaType, digest: EMPTY_JSON.digest, size: EMPTY_JSON.size, data: EMPTY_JSON.data },
    layers,
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    ...artifact.annotations ? { annotations: artifact.annotations } : {}
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const descriptor = {
    mediaType: MEDIA.manifest,
    digest: sha256Digest(bytes),
    size: bytes.length,
    artifactType: artifact.artifactType,
    ...artifact.annotations ? { annotations: artifact.annotations } : {}
  };
  const pushed = await putManifest(client, target, descriptor.digest, bytes, MEDIA.manifest);
  client.stats.manifestsPushed++;
  client.emit({ type: "manifest", repository: where3(target), digest: descriptor.digest, outcome: "pushed" });
  await ensureReferrer(client, target, subject.digest, descriptor, pushed);
  return descriptor;
}

// src/oci/registry/push.ts
async function pushLayout(layout, target, options = {}) {
  const ref = typeof target === "string" ? parseReference(target) : target;
  const source = typeof layout === "string" ? await openLayout(layout) : layout;
  const name = typeof layout === "string" ? `OCI layout ${layout}` : "content source";
  const repo = { registry: ref.registry, repository: ref.repository };
  const tops = selectTops(await source.manifests(), ref, options.tags, name);
  const tree = await readTree(source, tops.map((t) => t.descriptor), name);
  await checkBlobsPresent(source, tree, name);
  const client = options.client ?? createClient(options);
  const before = { ...client.stats };
  try {
    const confirmed = /* @__PURE__ */ new Set();
    const accepted = /* @__PURE__ */ new Set();
    const blobs = /* @__PURE__ */ new Map();
    const manifests = /* @__PURE__ */ new Map();
    const where4 = `${repo.registry}/${repo.repository}`;
    const pushBlobOnce = (blob) => {
      let pending = blobs.get(blob.digest);
      if (!pending) {
        pending = client.slot(() => pushBlob(client, repo, blob, (range) => source.readBlob(blob.digest, range), options.mountFrom ? { mountFrom: options.mountFrom } : {})).then((outcome) => void (outcome === "present" ? confirmed : accepted).add(blob.digest));
        blobs.set(blob.digest, pending);
      }
      return pending;
    };
    const pushNode = (descriptor) => {
      let pending = manifests.get(descriptor.digest);
      if (!pending) {
        pending = (async () => {
          const node = tree.get(descriptor.digest);
          await settleAll([...node.parsed.children.map(pushNode), ...node.parsed.blobs.map(pushBlobOnce)]);
          let pushed;
          if (await headManifest(client, repo, descriptor.digest, { push: true })) {
            confirmed.add(descriptor.digest);
            client.stats.manifestsPresent++;
            client.emit({ type: "manifest", repository: where4, digest: descriptor.digest, outcome: "present" });
          } else {
            pushed = await putManifest(client, repo, descriptor.digest, node.bytes, node.parsed.mediaType);
            accepted.add(descriptor.digest);
            client.stats.manifestsPushed++;
            client.emit({ type: "manifest", repository: where4, digest: descriptor.digest, outcome: "pushed" });
          }
          if (node.parsed.subject) {
            const referrer = {
              mediaType: node.parsed.mediaType,
              digest: descriptor.digest,
              size: node.bytes.length,
              ...node.parsed.artifactType ? { artifactType: node.parsed.artifactType } : {},
              ...node.parsed.annotations ? { annotations: node.parsed.annotations } : {}
            };
            await ensureReferrer(client, repo, node.parsed.subject.digest, referrer, pushed);
          }
        })();
        manifests.set(descriptor.digest, pending);
      }
      return pending;
    };
    await settleAll(tops.map((t) => pushNode(t.descriptor)));
    await verify(client, repo, tree, tops, confirmed, accepted);
    const merge = options.mergeIndexTags ?? false;
    const plans = await Promise.all(tops.flatMap((top) => top.tags.map((tag) => planTag(client, repo, tag, tree.get(top.descriptor.digest), merge))));
    await options.beforeTags?.(plans.map(targetOf));
    await moveTags(client, repo, plans, merge, options.beforeTags);
    return {
      repository: where4,
      manifests: tops.map((t) => ({
        digest: t.descriptor.digest,
        mediaType: tree.get(t.descriptor.digest).parsed.mediaType,
        size: t.descriptor.size,
        reference: formatReference({ ...repo, digest: t.descriptor.digest }),
        tags: t.tags
      })),
      stats: diffStats(client.stats, before)
    };
  } finally {
    if (!options.client) client.close();
  }
}
async function settleAll(tasks) {
  const results = await Promise.allSettled(tasks);
  const failed = results.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
}
function targetOf(plan) {
  return { tag: plan.tag, descriptor: { mediaType: plan.target.mediaType, digest: plan.target.digest, size: plan.target.bytes.length } };
}
async function planTag(client, repo, tag, node, merge) {
  const current = await headManifest(client, repo, tag, { push: true });
  const ours = { digest: node.descriptor.digest, bytes: node.bytes, mediaType: node.parsed.mediaType };
  if (current?.digest === ours.digest) return { tag, target: ours, unchanged: true, node };
  if (merge && current && isIndexType(current.mediaType) && isIndexType(node.parsed.mediaType)) {
    const merged = await mergedIndex(client, repo, current.digest, node);
    if (merged) {
      if (merged.digest === current.digest) return { tag, target: merged, unchanged: true, node };
      await putManifest(client, repo, merged.digest, merged.bytes, merged.mediaType);
      return { tag, target: merged, unchanged: false, node };
    }
  }
  return { tag, target: ours, unchanged: false, node };
}
async function moveTags(client, repo, plans, merge, beforeTags) {
  const where4 = `${repo.registry}/${repo.repository}`;
  const moved = [];
  const results = await Promise.allSettled(
    plans.map(async (first) => {
      let plan = first;
      for (let round = 0; round < 5; round++) {
        if (plan.unchanged) {
          client.stats.tagsUnchanged++;
          client.emit({ type: "tag", repository: where4, tag: plan.tag, digest: plan.target.digest, outcome: "unchanged" });
          return;
        }
        await putManifest(client, repo, plan.tag, plan.target.bytes, plan.target.mediaType);
        if (!merge || (await headManifest(client, repo, plan.tag, { push: true }))?.digest === plan.target.digest) {
          moved.push(plan.tag);
          client.stats.tagsMoved++;
          client.emit({ type: "tag", repository: where4, tag: plan.tag, digest: plan.target.digest, outcome: "moved" });
          return;
        }
        plan = await planTag(client, repo, plan.tag, plan.node, merge);
        if (!plan.unchanged) await beforeTags?.([targetOf(plan)]);
      }
      throw new UserError(`tag ${where4}:${plan.tag} kept changing while this push merged its image into it; run it again`);
    })
  );
  const failed = results.flatMap((r, i) => r.status === "rejected" ? [{ tag: plans[i].tag, reason: r.reason }] : []);
  if (failed.length === 0) return;
  const reason = failed[0].reason;
  const movedText = moved.length > 0 ? `moved ${moved.sort().join(", ")}` : "moved none";
  throw new UserError(
    `tags of ${where4} cut short: ${movedText}; not moved ${failed.map((f) => f.tag).sort().join(", ")} (${reason instanceof Error ? reason.message : String(reason)}); each moved tag names a complete image${beforeTags ? " that went through every check before it" : ""}; run again to move the rest`,
    { cause: reason }
  );
}
async function mergedIndex(client, repo, current, node) {
  const theirs = await getManifest(client, repo, current, { push: true });
  if (!theirs) return void 0;
  const doc = JSON.parse(theirs.bytes.toString("utf8"));
  const ours = JSON.parse(node.bytes.toString("utf8"));
  const key = (d) => d.platform ? `${d.platform.os}/${d.platform.architecture}/${d.platform.variant ?? ""}/${d.platform["os.version"] ?? ""}` : d.digest;
  const mine = new Set(ours.manifests.map(key));
  const kept = [];
  for (const d of doc.manifests ?? []) {
    if (mine.has(key(d))) continue;
    if (await headManifest(client, repo, d.digest, { push: true })) kept.push(d);
  }
  const manifests = [...kept, ...ours.manifests].sort((a, b) => key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  const merged = { ...doc, manifests, ...doc.annotations ?? !ours.annotations ? {} : { annotations: ours.annotations } };
  const bytes = Buffer.from(JSON.stringify(merged));
  return { digest: sha256Digest(bytes), bytes, mediaType: theirs.mediaType };
}
async function verify(client, repo, tree, tops, confirmed, accepted) {
  if (!tops.some((t) => t.tags.length > 0)) return;
  const blobs = /* @__PURE__ */ new Set();
  const manifests = /* @__PURE__ */ new Set();
  const walk = (digest) => {
    if (manifests.has(digest)) return;
    manifests.add(digest);
    const node = tree.get(digest);
    for (const b of node.parsed.blobs) blobs.add(b.digest);
    for (const c of node.parsed.children) walk(c.digest);
  };
  for (const top of tops) if (top.tags.length > 0) walk(top.descriptor.digest);
  const missing = [];
  const checks = [
    ...[...blobs].filter((d) => !confirmed.has(d) || accepted.has(d)).map((d) => client.slot(async () => {
      if (await blobSize(client, repo, d, { push: true }) === void 0) missing.push(`blob ${d}`);
    })),
    ...[...manifests].filter((d) => !confirmed.has(d) || accepted.has(d)).map(async (d) => {
      if (!await headManifest(client, repo, d, { push: true })) missing.push(`manifest ${d}`);
    })
  ];
  await settleAll(checks);
  if (missing.length > 0) {
    throw new UserError(
      `not moving any tag in ${repo.registry}/${repo.repository}: the registry accepted but does not serve ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ` and ${missing.length - 5} more` : ""}; run the publish again`
    );
  }
}
function selectTops(entries, ref, tags, name) {
  if (entries.length === 0) throw new UserError(`${name} lists no manifests in its index.json`);
  const byDigest = /* @__PURE__ */ new Map();
  for (const entry of entries) {
    if (!isManifestType(entry.mediaType)) throw new UserError(`${name}: index.json lists ${entry.digest} of media type ${entry.mediaType}, which is not a manifest or an index`);
    const top = byDigest.get(entry.digest) ?? { descriptor: entry, tags: [] };
    const tag = tagOfRefName(entry.annotations?.[REF_NAME]);
    if (tag && !top.tags.includes(tag)) top.tags.push(tag);
    byDigest.set(entry.digest, top);
  }
  let tops = [...byDigest.values()];
  if (ref.digest) {
    tops = tops.filter((t) => t.descriptor.digest === ref.digest);
    if (tops.length === 0) throw new UserError(`${name} has no manifest ${ref.digest}`);
  }
  const explicit = [.../* @__PURE__ */ new Set([...tags ?? [], ...ref.tag ? [ref.tag] : []])];
  for (const tag of explicit) if (!isTag(tag)) throw new UserError(`${JSON.stringify(tag)} is not a valid tag (letters, digits, _ . -; at most 128; not starting with . or -)`);
  if (explicit.length > 0) {
    if (tops.length > 1) {
      throw new UserError(`${name} holds ${tops.length} manifests: tags given on the command line apply to one; name each with the ${REF_NAME} annotation instead`);
    }
    return [{ descriptor: tops[0].descriptor, tags: explicit }];
  }
  return tops;
}
function tagOfRefName(value) {
  if (!value) return void 0;
  if (isTag(value)) return value;
  const tail = value.slice(value.lastIndexOf("/") + 1);
  const colon = tail.lastIndexOf(":");
  return colon >= 0 && isTag(tail.slice(colon + 1)) ? tail.slice(colon + 1) : void 0;
}
async function readTree(source, tops, name) {
  const tree = /* @__PURE__ */ new Map();
  const visit = async (descriptor, path) => {
    if (tree.has(descriptor.digest)) return;
    if (path.includes(descriptor.digest)) throw new UserError(`${name}: index ${descriptor.digest} contains itself`);
    if (!isManifestType(descriptor.mediaType)) {
      throw new UserError(`${name}: ${path.at(-1) ?? "index.json"} lists ${descriptor.digest} of media type ${descriptor.mediaType} as a manifest`);
    }
    const bytes = await readAllBlob(source, descriptor);
    const parsed = parseManifest(bytes, descriptor.mediaType, `${name}: manifest ${descriptor.digest}`);
    tree.set(descriptor.digest, { descriptor, bytes, parsed });
    for (const child of parsed.children) await visit(child, [...path, descriptor.digest]);
  };
  for (const top of tops) await visit(top, []);
  return tree;
}
async function checkBlobsPresent(source, tree, name) {
  const held = new Map((await source.listBlobs()).map((b) => [b.digest, b.size]));
  const problems = [];
  for (const node of tree.values()) {
    for (const blob of node.parsed.blobs) {
      const size = held.get(blob.digest);
      if (size === void 0) problems.push(`${blob.digest} (${blob.mediaType}) is missing`);
      else if (size !== blob.size) problems.push(`${blob.digest} is ${size} bytes, its descriptor says ${blob.size}`);
    }
  }
  const unique = [...new Set(problems)];
  if (unique.length > 0) {
    throw new UserError(`${name} is incomplete: ${unique.slice(0, 5).join("; ")}${unique.length > 5 ? `; and ${unique.length - 5} more` : ""}`);
  }
}

// src/oci/registry/pull.ts
import { mkdir as mkdir3, stat as stat2 } from "node:fs/promises";
import { dirname as dirname3 } from "node:path";
async function pullToLayout(reference, dir, options = {}) {
  const ref = typeof reference === "string" ? parseReference(reference) : reference;
  const wanted = ref.digest ?? ref.tag;
  if (!wanted) throw new UserError(`pull ${formatReference(ref)}: name a tag or a digest`);
  const repo = { registry: ref.registry, repository: ref.repository };
  const client = options.client ?? createClient(options);
  try {
    await initLayout(dir);
    const top = await getManifest(client, repo, wanted);
    if (!top) throw new UserError(`pull ${formatReference(ref)}: no such manifest`);
    if (ref.digest && top.digest !== ref.digest) throw new UserError(`pull ${formatReference(ref)}: got ${top.digest}`);
    const done = /* @__PURE__ */ new Map();
    const fetchBlob = (blob) => {
      let pending = done.get(blob.digest);
      if (!pending) {
        pending = client.slot(() => download(client, repo, blob, dir));
        done.set(blob.digest, pending);
      }
      return pending;
    };
    const fetchManifest = async (descriptor2, bytes) => {
      if (done.has(descriptor2.digest)) return done.get(descriptor2.digest);
      const pending = (async () => {
        const body = bytes ?? (await getManifest(client, repo, descriptor2.digest))?.bytes;
        if (!body) throw new UserError(`pull ${formatReference(ref)}: ${ref.registry}/${ref.repository} lacks manifest ${descriptor2.digest}`);
        const parsed = parseManifest(body, descriptor2.mediaType, `manifest ${descriptor2.digest} of ${formatReference(ref)}`);
        await Promise.all([...parsed.children.map((c) => fetchManifest(c)), ...parsed.blobs.map(fetchBlob)]);
        const file = blobPath(dir, descriptor2.digest);
        await mkdir3(dirname3(file), { recursive: true });
        await writeAtomic(file, body);
      })();
      done.set(descriptor2.digest, pending);
      return pending;
    };
    const descriptor = { mediaType: top.mediaType, digest: top.digest, size: top.size };
    await fetchManifest(descriptor, top.bytes);
    if (ref.tag) await setRef(dir, ref.tag, descriptor);
    else await addUntagged(dir, descriptor);
    return { ...descriptor, ...ref.tag ? { annotations: { [REF_NAME]: ref.tag } } : {} };
  } finally {
    if (!options.client) client.close();
  }
}
async function download(client, repo, blob, dir) {
  const file = blobPath(dir, blob.digest);
  const existing = await stat2(file).catch(() => void 0);
  if (existing?.size === blob.size) return;
  await fetching(client, repo, blob, (res, operation) => saveVerified(res, file, blob, operation));
}
async function readBlob2(client, repo, blob, limit = 64 << 20) {
  if (blob.size > limit) throw new UserError(`blob ${blob.digest} in ${repo.registry}/${repo.repository} is ${blob.size} bytes, more than the ${limit} this reads into memory`);
  return fetching(client, repo, blob, async (res, operation) => {
    const chunks = [];
    let size = 0;
    for await (const chunk of res) {
      size += chunk.length;
      if (size > blob.size) throw new UserError(`${operation}: the registry sent more than the ${blob.size} bytes the descriptor says`);
      chunks.push(chunk);
    }
    const bytes = Buffer.concat(chunks);
    const got = digestLike(blob.digest, bytes);
    if (bytes.length !== blob.size || got !== blob.digest) throw new UserError(`${operation}: the registry sent ${bytes.length} bytes that hash to ${got}`);
    return bytes;
  });
}
async function fetching(client, repo, blob, consume) {
  const operation = `pull blob ${blob.digest} from ${repo.registry}/${repo.repository}`;
  return client.retrying(operation, async () => {
    const res = await client.stream({
      operation,
      registry: repo.registry,
      method: "GET",
      path: `/v2/${repo.repository}/blobs/${blob.digest}`,
      scopes: [repositoryScope(repo.repository, "pull")],
      expect: [200]
    });
    try {
      return await consume(res, operation);
    } catch (err) {
      if (err instanceof UserError) throw err;
      const url = new URL(`/v2/${repo.repository}/blobs/${blob.digest}`, `http://${repo.registry}`);
      throw new RegistryError({ operation, method: "GET", url, network: err.message || String(err), cause: err });
    }
  });
}

// src/oci/registry/tags.ts
async function listTags(client, target) {
  const operation = `list tags of ${target.registry}/${target.repository}`;
  const tags = [];
  let url;
  for (let page = 0; page < 1e3; page++) {
    const res = await client.request({
      operation,
      registry: target.registry,
      method: "GET",
      ...url ? { url } : { path: `/v2/${target.repository}/tags/list` },
      scopes: [repositoryScope(target.repository, "pull")],
      expect: [200, 404]
    });
    if (res.status === 404) return tags;
    let body;
    try {
      body = JSON.parse(res.body.toString("utf8"));
    } catch {
      throw new UserError(`${operation}: the answer is not JSON`);
    }
    if (Array.isArray(body.tags)) tags.push(...body.tags.filter((t) => typeof t === "string"));
    const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(header(res.headers, "link") ?? "");
    if (!next) return tags;
    url = new URL(next[1], res.url);
  }
  return tags;
}

export {
  isDigest,
  splitDigest,
  sha256Digest,
  digestLike,
  MEDIA,
  EMPTY_JSON,
  MANIFEST_ACCEPT,
  isIndexType,
  isManifestType,
  ociLayerType,
  REF_NAME,
  TITLE,
  isTag,
  parseReference,
  isRepositoryPath,
  formatReference,
  isLoopback,
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
  readLayout,
  listBlobs,
  mergeLayout,
  mergeIndexes,
  addUntagged,
  checkDescriptor,
  openLayout,
  readAllBlob,
  memorySource,
  saveVerified,
  ENV_USER,
  ENV_PASSWORD,
  resolveCredentials,
  repositoryScope,
  RegistryError,
  HttpStatusError,
  httpGet,
  createServer,
  blobSize,
  pushBlob,
  emptyStats,
  diffStats,
  createClient,
  headManifest,
  getManifest,
  putManifest,
  deleteManifest,
  embeddedMediaType,
  referrersTag,
  listReferrers,
  attachArtifact,
  pushLayout,
  pullToLayout,
  readBlob2,
  listTags
};
