import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  compose,
  defaultCacheDir,
  openRepository
} from "./chunk-UFI37PEM.js";
import "./chunk-QDKAMVMW.js";
import "./chunk-4TVER6QU.js";
import "./chunk-CDJG6GNL.js";
import "./chunk-UNCOO3MO.js";
import "./chunk-UIOSOCKZ.js";
import {
  EXTENSION_NAME
} from "./chunk-VABCLRSN.js";
import "./chunk-BS25TXF5.js";
import {
  MEDIA,
  blobPath,
  createClient,
  createServer,
  embeddedMediaType,
  isDigest,
  isRepositoryPath
} from "./chunk-MAW6PNMB.js";
import "./chunk-MNVUPTDJ.js";
import "./chunk-APBUJ7GA.js";
import {
  UserError,
  isUserError
} from "./chunk-YUDCMAJG.js";
import "./chunk-WQPCGQ3Y.js";

// src/serve/server.ts
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";

// src/serve/names.ts
var NameError = class extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
  code;
};
var VERSION = /^[0-9A-Za-z][0-9A-Za-z.+~-]{0,63}$/;
function splitName(name, bases) {
  const parts = name.split("/");
  const base = [...bases].sort((a, b) => b.length - a.length).find((b) => name === b || name.startsWith(`${b}/`));
  if (base === void 0) {
    throw new NameError("NAME_UNKNOWN", `no base image is named ${JSON.stringify(parts[0])} here; this server composes onto ${bases.map((b) => JSON.stringify(b)).join(", ")} (pull BASE/EXTENSION/...:TAG)`);
  }
  const rest = name === base ? [] : name.slice(base.length + 1).split("/");
  return { base, extensions: rest.map((p) => extension(p, "--")) };
}
function splitTag(tag) {
  const [reference, ...rest] = tag.split("+");
  if (reference === void 0 || reference === "") throw new NameError("MANIFEST_INVALID", `${JSON.stringify(tag)}: starts with no base tag (e.g. 17-trixie+pgvector)`);
  return { reference, extensions: rest.map((p) => extension(p, "@")) };
}
function extension(text, pin) {
  const at = text.indexOf(pin);
  const name = at < 0 ? text : text.slice(0, at);
  const version = at < 0 ? void 0 : text.slice(at + pin.length);
  if (!EXTENSION_NAME.test(name)) throw new NameError("NAME_INVALID", `${JSON.stringify(text)} is not an extension name (lower-case letters, digits, _ or -)`);
  if (version !== void 0 && !VERSION.test(version)) throw new NameError("NAME_INVALID", `${JSON.stringify(text)}: ${JSON.stringify(version)} is not a version`);
  return { name, ...version !== void 0 && { version } };
}
function parseComposeName(name, reference, bases) {
  const fromName = splitName(name, bases);
  const isDigest2 = /^[a-z0-9]+:[a-f0-9]{32,}$/.test(reference);
  const fromTag = isDigest2 ? { reference, extensions: [] } : splitTag(reference);
  const extensions = [...fromName.extensions, ...fromTag.extensions];
  const seen = /* @__PURE__ */ new Set();
  for (const e of extensions) {
    if (seen.has(e.name)) throw new NameError("NAME_INVALID", `${e.name} is named twice`);
    seen.add(e.name);
  }
  return { base: fromName.base, reference: fromTag.reference, extensions };
}

// src/serve/server.ts
var HttpError = class extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
  status;
  code;
};
var API_HEADER = { "docker-distribution-api-version": "registry/2.0" };
async function startServer(options, listen) {
  const log = options.log ?? (() => {
  });
  const memo = /* @__PURE__ */ new Map();
  const inFlight = /* @__PURE__ */ new Map();
  const layout = path.join(options.cacheDir, "layout");
  const aliases = [...options.bases.keys()];
  const composeFor = (alias, reference, extensions) => {
    const key = JSON.stringify([alias, reference, extensions]);
    let pending = inFlight.get(key);
    if (pending === void 0) {
      pending = compose({ repository: options.bases.get(alias), reference }, extensions, { client: options.client, extensions: options.extensions, cacheDir: options.cacheDir, memo });
      inFlight.set(key, pending);
      void pending.finally(() => inFlight.delete(key)).catch(() => {
      });
    }
    return pending;
  };
  const cachedBlob = async (digest) => {
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) return void 0;
    const file = blobPath(layout, digest);
    const st = await stat(file).catch(() => void 0);
    return st?.isFile() ? { file, size: st.size } : void 0;
  };
  const sendManifest = (req, res, m) => {
    res.writeHead(200, { ...API_HEADER, "content-type": m.mediaType, "content-length": m.bytes.length, "docker-content-digest": m.digest, etag: `"${m.digest}"` });
    res.end(req.method === "HEAD" ? void 0 : m.bytes);
  };
  const manifests = async (req, res, name, reference) => {
    const wanted = parseComposeName(name, reference, aliases);
    const repository = options.bases.get(wanted.base);
    if (isDigest(wanted.reference)) {
      const cached = await cachedBlob(wanted.reference);
      if (cached !== void 0) {
        const bytes = await readFile(cached.file);
        sendManifest(req, res, { mediaType: embeddedMediaType(bytes) ?? MEDIA.manifest, digest: wanted.reference, bytes });
        return "composed, cached";
      }
    }
    if (wanted.extensions.length === 0 || isDigest(wanted.reference)) {
      const m = await repository.manifest(wanted.reference);
      if (m === void 0) throw new HttpError(404, "MANIFEST_UNKNOWN", `${repository.label} has no image ${wanted.reference}`);
      sendManifest(req, res, m);
      return `base ${m.digest}`;
    }
    const started = Date.now();
    let composition;
    try {
      composition = await composeFor(wanted.base, wanted.reference, wanted.extensions);
    } catch (err) {
      if (isUserError(err)) throw new HttpError(404, "MANIFEST_UNKNOWN", err.message);
      throw err;
    }
    sendManifest(req, res, composition.top);
    return `composed ${composition.top.digest} in ${Date.now() - started} ms`;
  };
  const blobs = async (req, res, name, digest) => {
    if (!isDigest(digest)) throw new HttpError(400, "NAME_INVALID", `${JSON.stringify(digest)} is not a digest`);
    const cached = await cachedBlob(digest);
    if (cached !== void 0) {
      res.writeHead(200, { ...API_HEADER, "content-type": "application/octet-stream", "content-length": cached.size, "docker-content-digest": digest });
      if (req.method === "HEAD") res.end();
      else await pipeline(createReadStream(cached.file), res);
      return "from cache";
    }
    const { base } = parseComposeName(name, "latest", aliases);
    const repository = options.bases.get(base);
    const size = await repository.blobSize(digest);
    if (size === void 0) throw new HttpError(404, "BLOB_UNKNOWN", `no blob ${digest} in ${repository.label} or among composed layers`);
    res.writeHead(200, { ...API_HEADER, "content-type": "application/octet-stream", "content-length": size, "docker-content-digest": digest });
    if (req.method === "HEAD") res.end();
    else await pipeline(await repository.blob(digest), res);
    return `from ${repository.label}`;
  };
  const tags = async (res, name) => {
    const { base } = parseComposeName(name, "latest", aliases);
    const list = await options.bases.get(base).tags();
    const body = Buffer.from(JSON.stringify({ name, tags: list }));
    res.writeHead(200, { ...API_HEADER, "content-type": "application/json", "content-length": body.length });
    res.end(body);
    return `${list.length} tags`;
  };
  const handle = async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method !== "GET" && req.method !== "HEAD") throw new HttpError(405, "UNSUPPORTED", "this registry is read-only: it composes images on pull");
    if (url.pathname === "/v2/" || url.pathname === "/v2") {
      res.writeHead(200, { ...API_HEADER, "content-type": "application/json", "content-length": 2 });
      res.end(req.method === "HEAD" ? void 0 : "{}");
      return "ping";
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    if (m !== null) {
      const reference = decodeURIComponent(m[3]);
      return m[2] === "manifests" ? manifests(req, res, m[1], reference) : blobs(req, res, m[1], reference);
    }
    const t = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
    if (t !== null) return tags(res, t[1]);
    throw new HttpError(404, "UNSUPPORTED", `${url.pathname}: not a route of the distribution API's pull side`);
  };
  const server = createServer((req, res) => {
    handle(req, res).then(
      (what) => log(`${req.method} ${req.url} ${res.statusCode} (${what})`),
      (err) => {
        const e = err instanceof HttpError ? err : err instanceof NameError ? new HttpError(err.code === "NAME_UNKNOWN" ? 404 : 400, err.code, err.message) : new HttpError(isUserError(err) ? 502 : 500, "UNKNOWN", isUserError(err) ? err.message : "internal error (see the server log)");
        if (!(err instanceof HttpError) && !(err instanceof NameError)) log(`${req.method} ${req.url}: ${isUserError(err) ? err.message : err.stack ?? String(err)}`);
        else log(`${req.method} ${req.url} ${e.status} ${e.code}: ${e.message}`);
        if (res.headersSent) {
          res.destroy();
          return;
        }
        const body = Buffer.from(JSON.stringify({ errors: [{ code: e.code, message: e.message }] }));
        res.writeHead(e.status, { ...API_HEADER, "content-type": "application/json", "content-length": body.length });
        res.end(req.method === "HEAD" ? void 0 : body);
      }
    );
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const address = server.address();
  const host = `${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  return {
    url: `http://${host}`,
    host,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    })
  };
}

// src/cli/run/serve.ts
async function run(flags) {
  if (flags.base.length === 0) throw new UserError("serve: give at least one --base ALIAS=REPOSITORY, e.g. --base postgres=localhost:5000/library/postgres", { exitCode: 2 });
  const client = createClient({});
  const bases = /* @__PURE__ */ new Map();
  for (const b of flags.base) {
    const eq = b.indexOf("=");
    const alias = b.slice(0, eq);
    if (eq <= 0 || !isRepositoryPath(alias)) throw new UserError(`--base ${b}: expected ALIAS=REPOSITORY with a lower-case repository-style alias`, { exitCode: 2 });
    bases.set(alias, openRepository(b.slice(eq + 1), client));
  }
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(flags.listen);
  if (m === null) throw new UserError(`--listen ${flags.listen}: expected HOST:PORT`, { exitCode: 2 });
  const server = await startServer(
    { bases, extensions: flags.extensions, client, cacheDir: defaultCacheDir(), log: (l) => process.stderr.write(`${l}
`) },
    { host: m[1].replace(/^\[|\]$/g, ""), port: Number(m[2]) }
  );
  process.stdout.write(`serving on ${server.url}: pull ${server.host}/${[...bases.keys()][0]}/EXTENSION/...:TAG
`);
  await new Promise((resolve) => {
    const stop = () => void server.close().then(resolve);
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  client.close();
}
export {
  run
};
