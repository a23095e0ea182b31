import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  VERSION
} from "./chunk-XY2GKEIH.js";
import {
  UserError
} from "./chunk-YUDCMAJG.js";

// src/publish/registry/auth.ts
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

// src/publish/registry/errors.ts
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

// src/publish/registry/http.ts
import http from "node:http";
import https from "node:https";
var NetworkError = class extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
  code;
  name = "NetworkError";
};
function createTransport(maxSockets) {
  const plain = new http.Agent({ keepAlive: true, maxSockets });
  const secure = new https.Agent({ keepAlive: true, maxSockets });
  return {
    agentFor: (url) => url.protocol === "https:" ? secure : plain,
    close() {
      plain.destroy();
      secure.destroy();
    }
  };
}
var MAX_BUFFERED_BODY = 32 << 20;
async function send(transport, request) {
  const res = await open(transport, request);
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
  return { url: request.url, status: res.statusCode ?? 0, statusText: res.statusMessage ?? "", headers: res.headers, body: Buffer.concat(chunks) };
}
async function open(transport, request) {
  const { url } = request;
  const headers = { ...request.headers };
  const body = request.body;
  const length = body === void 0 ? 0 : body instanceof Uint8Array ? body.length : body.length;
  if (body !== void 0 || ["PUT", "POST", "PATCH"].includes(request.method)) headers["content-length"] = String(length);
  const module = url.protocol === "https:" ? https : http;
  const req = module.request(url, { method: request.method, headers, agent: transport.agentFor(url), signal: request.signal });
  req.setTimeout(request.timeoutMs, () => {
    req.destroy(new NetworkError(`no progress for ${request.timeoutMs} ms`, "ETIMEDOUT"));
  });
  const response = new Promise((resolve, reject) => {
    req.once("response", resolve);
    req.once("error", reject);
  });
  response.catch(() => void 0);
  try {
    if (body instanceof Uint8Array) {
      if (body.length > 0) {
        await write(req, body);
        request.onBodyBytes?.(body.length);
      }
    } else if (body !== void 0) {
      let sent = 0;
      for await (const chunk of await body.open()) {
        if (sent + chunk.length > body.length) throw new Error(`request body is longer than the ${body.length} bytes announced`);
        await write(req, chunk);
        sent += chunk.length;
        request.onBodyBytes?.(chunk.length);
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

// src/publish/registry/blobs.ts
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
  const state = { location: session, offset: 0, uncertain: false, minChunk: 0 };
  const chunked = blob.size > client.chunkSize;
  let restarts = 0;
  const start = async () => {
    const res = await client.request({
      operation,
      registry: target.registry,
      method: "POST",
      path: `/v2/${target.repository}/blobs/uploads/`,
      body: new Uint8Array(0),
      scopes,
      expect: [202],
      retry: false
    });
    state.location = uploadLocation(res, target, "start");
    state.offset = 0;
    state.uncertain = false;
    state.minChunk = Number(header(res.headers, "oci-chunk-min-length") ?? 0) || 0;
  };
  const restart = async () => {
    if (++restarts > RESTARTS) throw new UserError(`${operation}: the registry lost the upload ${RESTARTS} times; giving up`);
    await cancel(client, target, state.location);
    state.location = void 0;
    await start();
  };
  const sync = async () => {
    const res = await client.request({
      operation: `${operation} (upload status)`,
      registry: target.registry,
      method: "GET",
      url: state.location,
      scopes,
      expect: [204, 400, 404, 416],
      retry: false
    });
    const range = parseRange(header(res.headers, "range"));
    if (res.status !== 204 || range === void 0 || range === 0 || range > blob.size) {
      await restart();
      return;
    }
    state.location = uploadLocation(res, target, "status");
    state.offset = range;
    state.uncertain = false;
  };
  const isLostSession = (err) => err instanceof RegistryError && (err.status === 404 || err.hasCode("BLOB_UPLOAD_UNKNOWN") || err.hasCode("BLOB_UPLOAD_INVALID"));
  try {
    await client.retrying(operation, async (attempt) => {
      if (attempt > 1) {
        if (await blobSize(client, target, blob.digest, { retry: false, push: true }) !== void 0) return;
        if (!chunked || !state.location) {
          await cancel(client, target, state.location);
          await start();
        } else if (state.uncertain) {
          await sync();
        }
      } else if (!state.location) {
        await start();
      }
      if (!chunked) {
        for (; ; ) {
          try {
            await finish(client, target, blob, state.location, { length: blob.size, open: () => read() }, operation);
            return;
          } catch (err) {
            if (!isLostSession(err) || err instanceof RegistryError && err.hasCode("DIGEST_INVALID")) throw err;
            await restart();
          }
        }
      }
      for (; ; ) {
        const chunk = Math.max(client.chunkSize, state.minChunk);
        while (state.offset < blob.size) {
          const from = state.offset;
          const to = Math.min(blob.size, from + chunk);
          let res;
          try {
            res = await client.request({
              operation,
              registry: target.registry,
              method: "PATCH",
              url: state.location,
              headers: { "content-type": OCTETS, "content-range": `${from}-${to - 1}` },
              body: { length: to - from, open: () => read({ start: from, end: to }) },
              scopes,
              expect: [202, 416],
              retry: false,
              blobBody: true
            });
          } catch (err) {
            if (isLostSession(err)) {
              await restart();
              continue;
            }
            state.uncertain = true;
            throw err;
          }
          if (res.status === 416) {
            state.location = uploadLocation(res, target, "chunk");
            await sync();
            continue;
          }
          state.location = uploadLocation(res, target, "chunk");
          const range = parseRange(header(res.headers, "range"));
          state.offset = range !== void 0 && range > 0 ? range : to;
          if (state.offset > blob.size) throw new UserError(`${operation}: the registry reports ${state.offset} bytes received, more than the blob's ${blob.size}`);
        }
        try {
          await finish(client, target, blob, state.location, new Uint8Array(0), operation);
          return;
        } catch (err) {
          if (isLostSession(err) && !(err instanceof RegistryError && err.hasCode("DIGEST_INVALID"))) {
            await restart();
            continue;
          }
          state.uncertain = true;
          throw err;
        }
      }
    });
  } catch (err) {
    await cancel(client, target, state.location);
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

// src/publish/registry/digest.ts
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

// src/publish/registry/reference.ts
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
  let path2 = rest.slice(slash + 1);
  if (!(registry.includes(".") || registry.includes(":") || registry === "localhost" || registry.startsWith("["))) {
    throw bad(text, `${JSON.stringify(registry)} is not a registry host (a host has a dot or a port, or is localhost)`);
  }
  if (!validHost(registry)) throw bad(text, `${JSON.stringify(registry)} is not a valid host[:port]`);
  let tag;
  const colon = path2.lastIndexOf(":");
  if (colon >= 0) {
    tag = path2.slice(colon + 1);
    path2 = path2.slice(0, colon);
    if (!TAG.test(tag)) throw bad(text, `${JSON.stringify(tag)} is not a valid tag`);
  }
  if (path2 === "") throw bad(text, "it names no repository after the host");
  for (const part of path2.split("/")) {
    if (!PATH_COMPONENT.test(part)) {
      throw bad(text, `repository component ${JSON.stringify(part)} must be lower-case letters and digits, separated by ., _, __ or -`);
    }
  }
  if (path2.length > MAX_REPOSITORY) throw bad(text, `the repository name is longer than ${MAX_REPOSITORY} characters`);
  return { registry, repository: path2, ...tag === void 0 ? {} : { tag }, ...digest === void 0 ? {} : { digest } };
}
function isRepositoryPath(path2) {
  return path2.length <= MAX_REPOSITORY && path2.split("/").every((part) => PATH_COMPONENT.test(part));
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

// src/publish/registry/challenge.ts
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

// src/publish/registry/retry.ts
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

// src/publish/registry/client.ts
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
var MAX_REDIRECTS = 5;
function createClient(options = {}) {
  const env = options.env ?? process.env;
  const retryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const timeoutMs = options.timeoutMs ?? 6e4;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const chunkSize = Math.max(1, options.chunkSize ?? 32 << 20);
  const transport = createTransport(concurrency + 4);
  const stats = emptyStats();
  const states = /* @__PURE__ */ new Map();
  const seen = /* @__PURE__ */ new Map();
  const inflight = /* @__PURE__ */ new Map();
  const userAgent = `trunkfarm/${VERSION}`;
  let active = 0;
  const waiting = [];
  const emit = (event) => options.onEvent?.(event);
  function stateOf(registry) {
    let state = states.get(registry);
    if (!state) {
      state = { scheme: "none", tokens: new TokenCache() };
      const credentials = resolveCredentials(registry, options.credentials, env);
      if (credentials) state.credentials = credentials;
      states.set(registry, state);
    }
    return state;
  }
  async function retrying(operation, attempt) {
    for (let n = 1; ; n++) {
      options.signal?.throwIfAborted();
      try {
        return await attempt(n);
      } catch (err) {
        if (!(err instanceof RegistryError) || !err.retryable || err.attempts > 1) throw err;
        if (n >= retryPolicy.attempts) throw err.afterAttempts(n);
        const delayMs = backoffDelay(retryPolicy, n, err.retryAfterMs);
        stats.retries++;
        emit({ type: "retry", operation, attempt: n, delayMs, error: err.message });
        await sleep(delayMs, options.signal);
      }
    }
  }
  function urlOf(req) {
    const url = req.url ? new URL(req.url) : new URL(req.path ?? "/v2/", registryBaseUrl(req.registry, options.plainHttp));
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
  async function sendOnce(req, url, authorization2) {
    stats.requests++;
    const headers = { "user-agent": userAgent, ...req.headers };
    if (authorization2) headers.authorization = authorization2;
    try {
      return await send(transport, {
        method: req.method,
        url,
        headers,
        ...req.body === void 0 ? {} : { body: req.body },
        timeoutMs,
        ...options.signal ? { signal: options.signal } : {},
        ...req.blobBody ? { onBodyBytes: (n) => stats.blobBytesUploaded += n } : {}
      });
    } catch (err) {
      throw networkFailure(req, url, err);
    }
  }
  function ready(registry) {
    const state = stateOf(registry);
    state.ready ??= retrying(`reach registry ${registry}`, async () => {
      const req = { operation: `reach registry ${registry}`, registry, method: "GET", path: "/v2/", scopes: [], expect: [200, 401] };
      const url = urlOf(req);
      const res = await sendOnce(req, url, void 0);
      if (res.status === 200) return;
      if (res.status !== 401) {
        throw failure(req, url, res, res.status === 404 ? `${registry} does not serve the registry API at /v2/` : void 0);
      }
      learn(registry, res.headers);
    }).catch((err) => {
      state.ready = void 0;
      throw err;
    });
    return state.ready;
  }
  function learn(registry, headers) {
    const state = stateOf(registry);
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
  async function fetchToken(registry, scopes) {
    const state = stateOf(registry);
    const realm = state.bearer;
    const url = tokenUrl(realm, scopes);
    const operation = `get a token for ${scopes.join(" ") || "the registry"} from ${url.origin}${url.pathname}`;
    if (state.credentials && url.protocol === "http:" && !isLoopback(url.host) && !options.plainHttp) {
      throw new UserError(`${operation}: refusing to send credentials to a token realm over plain HTTP`);
    }
    return retrying(operation, async () => {
      stats.tokenRequests++;
      const req = { operation, registry, method: "GET", url, scopes: [], expect: [200] };
      const headers = { "user-agent": userAgent };
      if (state.credentials) headers.authorization = basicHeader(state.credentials);
      let res;
      try {
        stats.requests++;
        res = await send(transport, { method: "GET", url, headers, timeoutMs, ...options.signal ? { signal: options.signal } : {} });
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
  async function authorization(registry, scopes) {
    const state = stateOf(registry);
    if (state.scheme === "basic") {
      if (!state.credentials) throw missingCredentials(registry);
      return basicHeader(state.credentials);
    }
    if (state.scheme === "bearer") {
      const cached = state.tokens.find(scopes);
      if (cached) return `Bearer ${cached.token}`;
      const key = `${registry} ${scopes.join(" ")}`;
      let pending = inflight.get(key);
      if (!pending) {
        pending = fetchToken(registry, scopes).finally(() => inflight.delete(key));
        inflight.set(key, pending);
      }
      return `Bearer ${await pending}`;
    }
    return void 0;
  }
  async function exchange(req, url) {
    await ready(req.registry);
    const base = registryBaseUrl(req.registry, options.plainHttp);
    const ours = url.origin === base.origin;
    let auth = ours ? await authorization(req.registry, req.scopes) : void 0;
    let res = await sendOnce(req, url, auth);
    if (res.status === 401 && ours) {
      const state = stateOf(req.registry);
      if (auth?.startsWith("Bearer ")) state.tokens.drop(auth.slice(7));
      learn(req.registry, res.headers);
      const wanted = parseChallenges(res.headers["www-authenticate"]).find((c) => c.scheme === "bearer")?.params.scope;
      const scopes = mergeScopes(req.scopes, wanted ? wanted.split(" ") : []);
      auth = await authorization(req.registry, scopes);
      res = await sendOnce(req, url, auth);
      if (res.status === 401) {
        const who = stateOf(req.registry).credentials;
        throw failure(req, url, res, who ? `the registry refused the credentials of ${JSON.stringify(who.username)}` : missingCredentials(req.registry).message);
      }
    }
    if (res.status === 403 && !req.expect.includes(403)) {
      throw failure(req, url, res, `access denied: the credentials lack ${req.scopes.join(" ") || "access"}`);
    }
    return res;
  }
  async function request(req) {
    const attempt = async () => {
      let url = urlOf(req);
      for (let hop = 0; ; hop++) {
        const res = await exchange(req, url);
        const location = header(res.headers, "location");
        if ((req.method === "GET" || req.method === "HEAD") && [301, 302, 303, 307, 308].includes(res.status) && location && hop < MAX_REDIRECTS && !req.expect.includes(res.status)) {
          url = new URL(location, url);
          continue;
        }
        if (!req.expect.includes(res.status)) throw failure(req, url, res);
        return res;
      }
    };
    return req.retry === false ? attempt() : retrying(req.operation, attempt);
  }
  async function stream(req) {
    return retrying(req.operation, async () => {
      await ready(req.registry);
      let url = urlOf(req);
      const base = registryBaseUrl(req.registry, options.plainHttp);
      let challenged = false;
      for (let hop = 0; ; hop++) {
        const ours = url.origin === base.origin;
        const auth = ours ? await authorization(req.registry, req.scopes) : void 0;
        let res;
        const headers = { "user-agent": userAgent, ...req.headers, ...auth ? { authorization: auth } : {} };
        try {
          stats.requests++;
          res = await open(transport, { method: "GET", url, headers, timeoutMs, ...options.signal ? { signal: options.signal } : {} });
        } catch (err) {
          throw networkFailure(req, url, err);
        }
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if ([301, 302, 303, 307, 308].includes(status) && location && hop < MAX_REDIRECTS) {
          res.resume();
          url = new URL(location, url);
          continue;
        }
        if (status === 401 && ours && !challenged) {
          res.resume();
          challenged = true;
          if (auth?.startsWith("Bearer ")) stateOf(req.registry).tokens.drop(auth.slice(7));
          learn(req.registry, res.headers);
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
  function slot(task) {
    const acquired = active < concurrency ? (active++, Promise.resolve()) : new Promise((resolve) => waiting.push(resolve));
    return acquired.then(async () => {
      try {
        return await task();
      } finally {
        const next = waiting.shift();
        if (next) next();
        else active--;
      }
    });
  }
  return {
    stats,
    concurrency,
    chunkSize,
    retryPolicy,
    signal: options.signal,
    request,
    stream,
    retrying,
    slot,
    remember(registry, repository, digest) {
      let byDigest = seen.get(registry);
      if (!byDigest) seen.set(registry, byDigest = /* @__PURE__ */ new Map());
      let repos = byDigest.get(digest);
      if (!repos) byDigest.set(digest, repos = /* @__PURE__ */ new Set());
      repos.add(repository);
    },
    locations(registry, digest) {
      return [...seen.get(registry)?.get(digest) ?? []];
    },
    emit,
    close: () => transport.close()
  };
}

// src/publish/registry/media-types.ts
var OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
var OCI_INDEX = "application/vnd.oci.image.index.v1+json";
var OCI_EMPTY = "application/vnd.oci.empty.v1+json";
var DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
var DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
var SIGSTORE_BUNDLE = "application/vnd.dev.sigstore.bundle.v0.3+json";
var EMPTY_JSON = {
  mediaType: OCI_EMPTY,
  digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
  size: 2,
  data: "e30="
};
var MANIFEST_ACCEPT = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST].join(", ");
function isIndexType(mediaType) {
  return mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST;
}
function isManifestType(mediaType) {
  return mediaType === OCI_MANIFEST || mediaType === DOCKER_MANIFEST || isIndexType(mediaType);
}

// src/publish/registry/manifests.ts
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

// src/publish/registry/referrers.ts
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
      headers: { accept: OCI_INDEX },
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
    const index = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [...manifests, referrer] };
    const bytes = Buffer.from(JSON.stringify(index));
    await putManifest(client, target, tag, bytes, OCI_INDEX);
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
      headers: { accept: OCI_INDEX },
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
    mediaType: OCI_MANIFEST,
    artifactType: artifact.artifactType,
    config: { mediaType: EMPTY_JSON.mediaType, digest: EMPTY_JSON.digest, size: EMPTY_JSON.size, data: EMPTY_JSON.data },
    layers,
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    ...artifact.annotations ? { annotations: artifact.annotations } : {}
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const descriptor = {
    mediaType: OCI_MANIFEST,
    digest: sha256Digest(bytes),
    size: bytes.length,
    artifactType: artifact.artifactType,
    ...artifact.annotations ? { annotations: artifact.annotations } : {}
  };
  const pushed = await putManifest(client, target, descriptor.digest, bytes, OCI_MANIFEST);
  client.stats.manifestsPushed++;
  client.emit({ type: "manifest", repository: where3(target), digest: descriptor.digest, outcome: "pushed" });
  await ensureReferrer(client, target, subject.digest, descriptor, pushed);
  return descriptor;
}

// src/publish/registry/save.ts
import { createHash as createHash2, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
async function saveVerified(source, file, expected, what) {
  const [algorithm] = splitDigest(expected.digest);
  const hash = createHash2(algorithm);
  let size = 0;
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.tmp-${randomBytes(6).toString("hex")}`;
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
    await rename(temp, file);
    return size;
  } finally {
    await rm(temp, { force: true });
  }
}

// src/publish/registry/layout.ts
import { createReadStream } from "node:fs";
import { mkdir as mkdir2, readFile, readdir, rename as rename2, rm as rm2, stat, writeFile } from "node:fs/promises";
import path from "node:path";
function blobPath(dir, digest) {
  const [algorithm, encoded] = splitDigest(digest);
  return path.join(dir, "blobs", algorithm, encoded);
}
async function readJson(file, what) {
  let text;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const code = err.code;
    throw new UserError(code === "ENOENT" ? `${file} is missing: is ${path.dirname(file)} an OCI image layout?` : `cannot read ${what} ${file}: ${err.message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError(`${file} is not valid JSON: ${err.message}`);
  }
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
  const marker = await readJson(path.join(dir, "oci-layout"), "layout marker");
  if (typeof marker?.imageLayoutVersion !== "string" || !marker.imageLayoutVersion.startsWith("1.")) {
    throw new UserError(`${path.join(dir, "oci-layout")}: unsupported imageLayoutVersion ${JSON.stringify(marker?.imageLayoutVersion)} (expected 1.x)`);
  }
  const indexFile = path.join(dir, "index.json");
  const index = await readJson(indexFile, "layout index");
  if (!Array.isArray(index?.manifests)) throw new UserError(`${indexFile}: "manifests" is not a list`);
  const manifests = index.manifests.map((m, i) => checkDescriptor(m, `${indexFile} manifests[${i}]`));
  return {
    manifests: async () => manifests,
    async listBlobs() {
      const blobs = [];
      let algorithms;
      try {
        algorithms = await readdir(path.join(dir, "blobs"));
      } catch {
        return blobs;
      }
      for (const algorithm of algorithms) {
        for (const encoded of await readdir(path.join(dir, "blobs", algorithm))) {
          const digest = `${algorithm}:${encoded}`;
          if (!isDigest(digest)) continue;
          const info = await stat(path.join(dir, "blobs", algorithm, encoded));
          if (info.isFile()) blobs.push({ digest, size: info.size });
        }
      }
      return blobs;
    },
    async readBlob(digest, range) {
      const file = blobPath(dir, digest);
      if (range && range.end <= range.start) return [];
      const stream = createReadStream(file, range ? { start: range.start, end: range.end - 1 } : {});
      await new Promise((resolve, reject) => {
        stream.once("open", () => resolve());
        stream.once(
          "error",
          (err) => reject(err.code === "ENOENT" ? new UserError(`OCI layout ${dir} has no blob ${digest} (${file})`) : err)
        );
      });
      return stream;
    }
  };
}

// src/publish/registry/content.ts
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

// src/publish/registry/push.ts
var REF_NAME = "org.opencontainers.image.ref.name";
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
    for (const top of tops) {
      const node = tree.get(top.descriptor.digest);
      for (const tag of top.tags) await moveTag(client, repo, tag, node, options.mergeIndexTags ?? false);
    }
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
async function moveTag(client, repo, tag, node, merge) {
  const where4 = `${repo.registry}/${repo.repository}`;
  for (let round = 0; round < 5; round++) {
    const current = await headManifest(client, repo, tag, { push: true });
    if (current?.digest === node.descriptor.digest) {
      client.stats.tagsUnchanged++;
      client.emit({ type: "tag", repository: where4, tag, digest: node.descriptor.digest, outcome: "unchanged" });
      return;
    }
    let target = { digest: node.descriptor.digest, bytes: node.bytes, mediaType: node.parsed.mediaType };
    if (merge && current && isIndexType(current.mediaType) && isIndexType(node.parsed.mediaType)) {
      const merged = await mergedIndex(client, repo, current.digest, node);
      if (merged) {
        if (merged.digest === current.digest) {
          client.stats.tagsUnchanged++;
          client.emit({ type: "tag", repository: where4, tag, digest: current.digest, outcome: "unchanged" });
          return;
        }
        await putManifest(client, repo, merged.digest, merged.bytes, merged.mediaType);
        target = merged;
      }
    }
    await putManifest(client, repo, tag, target.bytes, target.mediaType);
    if (merge && (await headManifest(client, repo, tag, { push: true }))?.digest !== target.digest) continue;
    client.stats.tagsMoved++;
    client.emit({ type: "tag", repository: where4, tag, digest: target.digest, outcome: "moved" });
    return;
  }
  throw new UserError(`tag ${where4}:${tag} kept changing while this publish merged its image into it; run the publish again`);
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
  const visit = async (descriptor, path2) => {
    if (tree.has(descriptor.digest)) return;
    if (path2.includes(descriptor.digest)) throw new UserError(`${name}: index ${descriptor.digest} contains itself`);
    if (!isManifestType(descriptor.mediaType)) {
      throw new UserError(`${name}: ${path2.at(-1) ?? "index.json"} lists ${descriptor.digest} of media type ${descriptor.mediaType} as a manifest`);
    }
    const bytes = await readAllBlob(source, descriptor);
    const parsed = parseManifest(bytes, descriptor.mediaType, `${name}: manifest ${descriptor.digest}`);
    tree.set(descriptor.digest, { descriptor, bytes, parsed });
    for (const child of parsed.children) await visit(child, [...path2, descriptor.digest]);
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

// src/publish/registry/pull.ts
async function readBlob(client, repo, blob, limit = 64 << 20) {
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

// src/publish/registry/tags.ts
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
  repositoryScope,
  RegistryError,
  blobSize,
  pushBlob,
  isDigest,
  sha256Digest,
  digestLike,
  parseReference,
  isRepositoryPath,
  diffStats,
  createClient,
  OCI_MANIFEST,
  SIGSTORE_BUNDLE,
  EMPTY_JSON,
  isIndexType,
  isManifestType,
  getManifest,
  putManifest,
  deleteManifest,
  embeddedMediaType,
  listReferrers,
  attachArtifact,
  pushLayout,
  saveVerified,
  readBlob,
  listTags
};
