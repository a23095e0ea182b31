// `trunkfarm serve`: a read-only registry (the pull half of the OCI distribution API) that composes
// on request. A manifest for BASE/EXT/...:TAG is composed at that moment from the base's current
// image and the newest matching extension builds (or pinned ones); the same inputs give the same
// digest, and compositions are remembered by their inputs. Composed manifests, configs and
// extension layers are served from the compose cache; base layers are streamed from the base's
// own repository, so the server stores no base bytes.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type ComposedImage, type Composition, type ImageRepository, compose } from '../compose/index.ts';
import { isUserError } from '../errors.ts';
import { createServer, type IncomingMessage, type ServerResponse } from '../http/index.ts';
import { blobPath, type RegistryClient, isDigest, embeddedMediaType, MEDIA } from '../oci/index.ts';
import { NameError, parseComposeName } from './names.ts';

export interface ServeOptions {
  /** Base aliases (`postgres`) and the repositories they stand for. */
  bases: Map<string, ImageRepository>;
  /** Where extensions were published: `HOST/NAMESPACE` or `oci:DIR`. */
  extensions: string;
  client: RegistryClient;
  cacheDir: string;
  log?: (line: string) => void;
}

export interface RunningServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `127.0.0.1:PORT`, as image references name it. */
  host: string;
  close(): Promise<void>;
}

type ErrorCode = 'NAME_UNKNOWN' | 'NAME_INVALID' | 'MANIFEST_UNKNOWN' | 'MANIFEST_INVALID' | 'BLOB_UNKNOWN' | 'UNSUPPORTED' | 'UNKNOWN';

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const API_HEADER = { 'docker-distribution-api-version': 'registry/2.0' };

export async function startServer(options: ServeOptions, listen: { host: string; port: number }): Promise<RunningServer> {
  const log = options.log ?? (() => {});
  const memo = new Map<string, Promise<ComposedImage>>();
  const inFlight = new Map<string, Promise<Composition>>();
  const layout = path.join(options.cacheDir, 'layout');
  const aliases = [...options.bases.keys()];

  const composeFor = (alias: string, reference: string, extensions: Parameters<typeof compose>[1]): Promise<Composition> => {
    const key = JSON.stringify([alias, reference, extensions]);
    let pending = inFlight.get(key);
    if (pending === undefined) {
      pending = compose({ repository: options.bases.get(alias)!, reference }, extensions, { client: options.client, extensions: options.extensions, cacheDir: options.cacheDir, memo });
      inFlight.set(key, pending);
      void pending.finally(() => inFlight.delete(key)).catch(() => {});
    }
    return pending;
  };

  const cachedBlob = async (digest: string): Promise<{ file: string; size: number } | undefined> => {
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) return undefined;
    const file = blobPath(layout, digest);
    const st = await stat(file).catch(() => undefined);
    return st?.isFile() ? { file, size: st.size } : undefined;
  };

  const sendManifest = (req: IncomingMessage, res: ServerResponse, m: { mediaType: string; digest: string; bytes: Buffer }) => {
    res.writeHead(200, { ...API_HEADER, 'content-type': m.mediaType, 'content-length': m.bytes.length, 'docker-content-digest': m.digest, etag: `"${m.digest}"` });
    res.end(req.method === 'HEAD' ? undefined : m.bytes);
  };

  const manifests = async (req: IncomingMessage, res: ServerResponse, name: string, reference: string): Promise<string> => {
    const wanted = parseComposeName(name, reference, aliases);
    const repository = options.bases.get(wanted.base)!;
    if (isDigest(wanted.reference)) {
      const cached = await cachedBlob(wanted.reference);
      if (cached !== undefined) {
        const bytes = await readFile(cached.file);
        sendManifest(req, res, { mediaType: embeddedMediaType(bytes) ?? MEDIA.manifest, digest: wanted.reference, bytes });
        return 'composed, cached';
      }
    }
    if (wanted.extensions.length === 0 || isDigest(wanted.reference)) {
      const m = await repository.manifest(wanted.reference);
      if (m === undefined) throw new HttpError(404, 'MANIFEST_UNKNOWN', `${repository.label} has no image ${wanted.reference}`);
      sendManifest(req, res, m);
      return `base ${m.digest}`;
    }
    const started = Date.now();
    let composition: Composition;
    try {
      composition = await composeFor(wanted.base, wanted.reference, wanted.extensions);
    } catch (err) {
      // A request that cannot be composed (an extension not built for this base, say) is an
      // unknown manifest to the client, with the reason as its message.
      if (isUserError(err)) throw new HttpError(404, 'MANIFEST_UNKNOWN', err.message);
      throw err;
    }
    sendManifest(req, res, composition.top);
    return `composed ${composition.top.digest} in ${Date.now() - started} ms`;
  };

  const blobs = async (req: IncomingMessage, res: ServerResponse, name: string, digest: string): Promise<string> => {
    if (!isDigest(digest)) throw new HttpError(400, 'NAME_INVALID', `${JSON.stringify(digest)} is not a digest`);
    const cached = await cachedBlob(digest);
    if (cached !== undefined) {
      res.writeHead(200, { ...API_HEADER, 'content-type': 'application/octet-stream', 'content-length': cached.size, 'docker-content-digest': digest });
      if (req.method === 'HEAD') res.end();
      else await pipeline(createReadStream(cached.file), res);
      return 'from cache';
    }
    const { base } = parseComposeName(name, 'latest', aliases);
    const repository = options.bases.get(base)!;
    const size = await repository.blobSize(digest);
    if (size === undefined) throw new HttpError(404, 'BLOB_UNKNOWN', `no blob ${digest} in ${repository.label} or among composed layers`);
    res.writeHead(200, { ...API_HEADER, 'content-type': 'application/octet-stream', 'content-length': size, 'docker-content-digest': digest });
    if (req.method === 'HEAD') res.end();
    else await pipeline(await repository.blob(digest), res);
    return `from ${repository.label}`;
  };

  const tags = async (res: ServerResponse, name: string): Promise<string> => {
    const { base } = parseComposeName(name, 'latest', aliases);
    const list = await options.bases.get(base)!.tags();
    const body = Buffer.from(JSON.stringify({ name, tags: list }));
    res.writeHead(200, { ...API_HEADER, 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
    return `${list.length} tags`;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<string> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'UNSUPPORTED', 'this registry is read-only: it composes images on pull');
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      res.writeHead(200, { ...API_HEADER, 'content-type': 'application/json', 'content-length': 2 });
      res.end(req.method === 'HEAD' ? undefined : '{}');
      return 'ping';
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    if (m !== null) {
      const reference = decodeURIComponent(m[3]!);
      return m[2] === 'manifests' ? manifests(req, res, m[1]!, reference) : blobs(req, res, m[1]!, reference);
    }
    const t = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
    if (t !== null) return tags(res, t[1]!);
    throw new HttpError(404, 'UNSUPPORTED', `${url.pathname}: not a route of the distribution API's pull side`);
  };

  const server = createServer((req, res) => {
    handle(req, res).then(
      (what) => log(`${req.method} ${req.url} ${res.statusCode} (${what})`),
      (err: unknown) => {
        const e =
          err instanceof HttpError
            ? err
            : err instanceof NameError
              ? new HttpError(err.code === 'NAME_UNKNOWN' ? 404 : 400, err.code, err.message)
              : new HttpError(isUserError(err) ? 502 : 500, 'UNKNOWN', isUserError(err) ? err.message : 'internal error (see the server log)');
        if (!(err instanceof HttpError) && !(err instanceof NameError)) log(`${req.method} ${req.url}: ${isUserError(err) ? err.message : ((err as Error).stack ?? String(err))}`);
        else log(`${req.method} ${req.url} ${e.status} ${e.code}: ${e.message}`);
        if (res.headersSent) {
          res.destroy();
          return;
        }
        const body = Buffer.from(JSON.stringify({ errors: [{ code: e.code, message: e.message }] }));
        res.writeHead(e.status, { ...API_HEADER, 'content-type': 'application/json', 'content-length': body.length });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = `${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  return {
    url: `http://${host}`,
    host,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
