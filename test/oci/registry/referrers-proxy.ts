// A loopback proxy that gives a real registry the OCI 1.1 referrers API, which Debian's
// docker-registry (distribution 2.8) lacks: it forwards everything to the registry, indexes every
// manifest with a `subject` that the registry accepts (answering OCI-Subject, as the spec asks of
// registries that index them), and answers GET /v2/<name>/referrers/<digest> itself, as an image
// index of descriptors, with Link paging and artifactType filtering. Each behaviour can be turned
// off to stand in for registries that do less.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Descriptor } from '../../../src/oci/index.ts';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

export interface ReferrersProxyOptions {
  /** Descriptors per page; a Link header names the next page. Default 100. */
  pageSize: number;
  /** Apply ?artifactType= and say so (OCI-Filters-Applied); otherwise ignore it, as the spec allows. */
  filter: boolean;
  /** Answer OCI-Subject to a manifest push with a subject. */
  subjectHeader: boolean;
  /** Links: absolute URLs, or paths relative to the request (both are valid). */
  absoluteLinks: boolean;
}

export interface ReferrersProxy {
  host: string;
  options: ReferrersProxyOptions;
  log: { method: string; path: string; status: number }[];
  /** Referrers indexed, by `repository@subject`. */
  referrers: Map<string, Descriptor[]>;
  stop(): Promise<void>;
}

export async function startReferrersProxy(target: string, options: Partial<ReferrersProxyOptions> = {}): Promise<ReferrersProxy> {
  const colon = target.lastIndexOf(':');
  const [targetHost, targetPort] = [target.slice(0, colon), Number(target.slice(colon + 1))];
  const sockets = new Set<Socket>();
  const proxy: ReferrersProxy = {
    host: '',
    options: { pageSize: 100, filter: true, subjectHeader: true, absoluteLinks: false, ...options },
    log: [],
    referrers: new Map(),
    stop: async () => undefined,
  };

  const answerReferrers = (url: URL, repository: string, subject: string, res: ServerResponse) => {
    const artifactType = url.searchParams.get('artifactType');
    let all = proxy.referrers.get(`${repository}@${subject}`) ?? [];
    const headers: Record<string, string> = { 'content-type': OCI_INDEX };
    if (artifactType && proxy.options.filter) {
      all = all.filter((d) => d.artifactType === artifactType);
      headers['oci-filters-applied'] = 'artifactType';
    }
    const page = Number(url.searchParams.get('page') ?? '0');
    const size = proxy.options.pageSize;
    if ((page + 1) * size < all.length) {
      const next = new URLSearchParams({ page: String(page + 1), ...(artifactType ? { artifactType } : {}) });
      const link = `${url.pathname}?${next}`;
      headers.link = `<${proxy.options.absoluteLinks ? `http://${proxy.host}${link}` : link}>; rel="next"`;
    }
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: all.slice(page * size, (page + 1) * size) }));
    res.writeHead(200, { ...headers, 'content-length': body.length });
    res.end(body);
    return 200;
  };

  const index = (repository: string, body: Buffer, contentType: string | undefined): string | undefined => {
    let doc: { mediaType?: string; artifactType?: string; config?: { mediaType?: string }; subject?: { digest?: string }; annotations?: Record<string, string> };
    try {
      doc = JSON.parse(body.toString('utf8')) as typeof doc;
    } catch {
      return undefined;
    }
    const subject = doc.subject?.digest;
    if (!subject) return undefined;
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const key = `${repository}@${subject}`;
    const list = proxy.referrers.get(key) ?? [];
    if (!list.some((d) => d.digest === digest)) {
      const artifactType = doc.artifactType ?? doc.config?.mediaType;
      list.push({ mediaType: doc.mediaType ?? contentType ?? '', digest, size: body.length, ...(artifactType ? { artifactType } : {}), ...(doc.annotations ? { annotations: doc.annotations } : {}) });
      proxy.referrers.set(key, list);
    }
    return subject;
  };

  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', `http://${proxy.host}`);
      const entry = { method: req.method ?? '', path: req.url ?? '', status: 0 };
      proxy.log.push(entry);
      const referrers = /^\/v2\/(.+)\/referrers\/(sha256:[0-9a-f]{64})$/.exec(url.pathname);
      if (referrers && req.method === 'GET') {
        entry.status = answerReferrers(url, referrers[1]!, referrers[2]!, res);
        return;
      }
      const manifest = /^\/v2\/(.+)\/manifests\/[^/]+$/.exec(url.pathname);
      const upstream = http.request({ host: targetHost, port: targetPort, method: req.method, path: req.url, headers: req.headers, agent: false }, (answer) => {
        entry.status = answer.statusCode ?? 0;
        const headers = { ...answer.headers };
        if (manifest && req.method === 'PUT' && answer.statusCode === 201) {
          const subject = index(manifest[1]!, body, req.headers['content-type']);
          if (subject && proxy.options.subjectHeader) headers['oci-subject'] = subject;
        }
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(res);
      });
      upstream.on('error', () => req.socket.destroy());
      upstream.end(body);
    });
  });

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('referrers proxy: no address');
  proxy.host = `127.0.0.1:${address.port}`;
  proxy.stop = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return proxy;
}
