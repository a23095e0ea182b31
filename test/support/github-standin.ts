// A loopback stand-in for the few GitHub REST endpoints publishing uses, because GitHub's API cannot
// be reached from the test machine. It answers what GitHub answers, in the shapes octokit reads:
// releases (get by tag, create with 422 already_exists, list assets with Link pagination, get/
// download/delete an asset), asset uploads on a second origin (as uploads.github.com is), the
// contents API with a real sha compare-and-swap (409 on a stale sha, 422 when the sha is missing),
// and git blobs. Its state is plain data for tests to inspect; faults (rate limits, 5xx, an upload
// that fails upstream and leaves a "starter" asset) and holds (to line racing requests up) are
// injected per request. Only what the client under test calls exists: anything else is a 404,
// recorded in `unhandled`.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandinAsset {
  id: number;
  name: string;
  label: string | null;
  contentType: string;
  /** 'starter': left by an upload that failed upstream, as GitHub leaves it. */
  state: 'uploaded' | 'starter';
  bytes: Buffer;
}

export interface StandinRelease {
  id: number;
  owner: string;
  repo: string;
  tag: string;
  name: string | null;
  body: string | null;
  makeLatest: string | null;
  targetCommitish: string;
  assets: StandinAsset[];
}

export interface StandinFile {
  sha: string;
  bytes: Buffer;
  commits: string[];
}

export interface StandinRequest {
  origin: 'api' | 'uploads';
  method: string;
  path: string;
  status: number;
}

export interface StandinState {
  releases: StandinRelease[];
  /** Keyed `owner/repo@branch:path`. */
  files: Map<string, StandinFile>;
  /** Git blobs by sha. */
  blobs: Map<string, Buffer>;
  /** Body bytes received by the upload endpoint, whatever the answer. */
  uploadedBytes: number;
  requests: StandinRequest[];
  unhandled: string[];
}

export type Fault = 'rate-limit' | 'secondary-rate-limit' | 'server-error' | 'upload-fails-upstream';

export interface Match {
  method?: string;
  /** Tested against the path without the query. */
  path: RegExp;
  origin?: 'api' | 'uploads';
}

export interface StandinOptions {
  token?: string;
  /** Report each asset's `digest` (current API); false makes clients download assets to hash them. */
  assetDigests?: boolean;
  /** The contents API inlines files up to this size (GitHub: 1 MB); larger ones need the blob API. */
  inlineContentLimit?: number;
}

export interface GitHubStandin {
  apiUrl: string;
  uploadsUrl: string;
  token: string;
  state: StandinState;
  options: Required<StandinOptions>;
  /** Answers the next `times` matching requests with `fault`. */
  fault(match: Match, fault: Fault, times?: number): void;
  /** Holds the next `count` matching requests until all have arrived, then lets them on together. */
  hold(match: Match, count: number): void;
  release(owner: string, repo: string, tag: string): StandinRelease | undefined;
  file(owner: string, repo: string, branch: string, path: string): StandinFile | undefined;
  /** Requests matching, so far. */
  count(match: Match): number;
  close(): Promise<void>;
}

/** Git's blob id: sha1 of "blob LEN\0" + content. */
export function gitBlobSha(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

const SEG = '([^/]+)';
const REPO = `^/repos/${SEG}/${SEG}`;

class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

export async function startGitHubStandin(opts: StandinOptions = {}): Promise<GitHubStandin> {
  const options: Required<StandinOptions> = {
    token: opts.token ?? 'standin-token',
    assetDigests: opts.assetDigests ?? true,
    inlineContentLimit: opts.inlineContentLimit ?? 1024 * 1024,
  };
  const state: StandinState = { releases: [], files: new Map(), blobs: new Map(), uploadedBytes: 0, requests: [], unhandled: [] };
  const faults: { match: Match; fault: Fault; left: number }[] = [];
  const holds: { match: Match; count: number; waiting: (() => void)[] }[] = [];
  let nextId = 1;
  let apiUrl = '';
  let uploadsUrl = '';

  const matches = (m: Match, origin: string, method: string, path: string) =>
    (!m.method || m.method === method) && (!m.origin || m.origin === origin) && m.path.test(path);

  const releaseJson = (r: StandinRelease) => ({
    id: r.id,
    url: `${apiUrl}/repos/${r.owner}/${r.repo}/releases/${r.id}`,
    html_url: `${apiUrl}/${r.owner}/${r.repo}/releases/tag/${r.tag}`,
    assets_url: `${apiUrl}/repos/${r.owner}/${r.repo}/releases/${r.id}/assets`,
    upload_url: `${uploadsUrl}/repos/${r.owner}/${r.repo}/releases/${r.id}/assets{?name,label}`,
    tag_name: r.tag,
    target_commitish: r.targetCommitish,
    name: r.name,
    body: r.body,
    draft: false,
    prerelease: false,
    assets: r.assets.map((a) => assetJson(r, a)),
  });
  const assetJson = (r: StandinRelease, a: StandinAsset) => ({
    id: a.id,
    url: `${apiUrl}/repos/${r.owner}/${r.repo}/releases/assets/${a.id}`,
    browser_download_url: `${apiUrl}/${r.owner}/${r.repo}/releases/download/${r.tag}/${encodeURIComponent(a.name)}`,
    name: a.name,
    label: a.label,
    state: a.state === 'uploaded' ? 'uploaded' : 'starter',
    content_type: a.contentType,
    size: a.bytes.length,
    digest: options.assetDigests && a.state === 'uploaded' ? `sha256:${createHash('sha256').update(a.bytes).digest('hex')}` : null,
    download_count: 0,
  });
  const findRelease = (owner: string, repo: string, pred: (r: StandinRelease) => boolean) =>
    state.releases.find((r) => r.owner === owner && r.repo === repo && pred(r));
  const findAsset = (owner: string, repo: string, id: number) => {
    for (const r of state.releases.filter((x) => x.owner === owner && x.repo === repo)) {
      const a = r.assets.find((x) => x.id === id);
      if (a) return { release: r, asset: a };
    }
    return undefined;
  };
  const notFound = () => new HttpAnswer(404, { message: 'Not Found' });
  const validation = (resource: string, field: string) =>
    new HttpAnswer(422, { message: 'Validation Failed', errors: [{ resource, code: 'already_exists', field }] });
  const base64Lines = (bytes: Buffer) => (bytes.toString('base64').match(/.{1,60}/g) ?? []).join('\n');

  function faultAnswer(fault: Fault): HttpAnswer {
    switch (fault) {
      case 'rate-limit':
        return new HttpAnswer(
          403,
          { message: 'API rate limit exceeded for installation ID 1.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' },
          { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000)) },
        );
      case 'secondary-rate-limit':
        return new HttpAnswer(429, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' }, { 'retry-after': '1' });
      case 'server-error':
        return new HttpAnswer(500, { message: 'Server Error' });
      case 'upload-fails-upstream':
        return new HttpAnswer(502, { message: 'Bad Gateway' });
    }
  }

  function api(method: string, url: URL, body: Buffer, headers: http.IncomingHttpHeaders): HttpAnswer {
    const p = url.pathname;
    let m: RegExpMatchArray | null;
    const json = () => JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;

    if (method === 'GET' && (m = p.match(new RegExp(`${REPO}/releases/tags/(.+)$`)))) {
      const r = findRelease(m[1]!, m[2]!, (x) => x.tag === decodeURIComponent(m![3]!));
      return r ? new HttpAnswer(200, releaseJson(r)) : notFound();
    }
    if (method === 'POST' && (m = p.match(new RegExp(`${REPO}/releases$`)))) {
      const b = json();
      if (typeof b.tag_name !== 'string') return new HttpAnswer(422, { message: 'Validation Failed', errors: [{ resource: 'Release', code: 'missing_field', field: 'tag_name' }] });
      if (findRelease(m[1]!, m[2]!, (x) => x.tag === b.tag_name)) return validation('Release', 'tag_name');
      const r: StandinRelease = {
        id: nextId++,
        owner: m[1]!,
        repo: m[2]!,
        tag: b.tag_name,
        name: (b.name as string) ?? null,
        body: (b.body as string) ?? null,
        makeLatest: (b.make_latest as string) ?? null,
        targetCommitish: (b.target_commitish as string) ?? 'main',
        assets: [],
      };
      state.releases.push(r);
      return new HttpAnswer(201, releaseJson(r));
    }
    if (method === 'GET' && (m = p.match(new RegExp(`${REPO}/releases/(\\d+)/assets$`)))) {
      const r = findRelease(m[1]!, m[2]!, (x) => x.id === Number(m![3]));
      if (!r) return notFound();
      const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30));
      const page = Number(url.searchParams.get('page') ?? 1);
      const all = r.assets.map((a) => assetJson(r, a));
      const last = Math.max(1, Math.ceil(all.length / perPage));
      const link: Record<string, string> = page < last ? { link: `<${apiUrl}${p}?per_page=${perPage}&page=${page + 1}>; rel="next", <${apiUrl}${p}?per_page=${perPage}&page=${last}>; rel="last"` } : {};
      return new HttpAnswer(200, all.slice((page - 1) * perPage, page * perPage), link);
    }
    if ((m = p.match(new RegExp(`${REPO}/releases/assets/(\\d+)$`)))) {
      const found = findAsset(m[1]!, m[2]!, Number(m[3]));
      if (!found) return notFound();
      if (method === 'DELETE') {
        found.release.assets = found.release.assets.filter((a) => a !== found.asset);
        return new HttpAnswer(204, undefined);
      }
      if (method === 'GET') {
        if (/application\/octet-stream/.test(String(headers.accept))) {
          return new HttpAnswer(302, undefined, { location: assetJson(found.release, found.asset).browser_download_url });
        }
        return new HttpAnswer(200, assetJson(found.release, found.asset));
      }
    }
    if (method === 'GET' && (m = p.match(/^\/([^/]+)\/([^/]+)\/releases\/download\/([^/]+)\/([^/]+)$/))) {
      const r = findRelease(m[1]!, m[2]!, (x) => x.tag === decodeURIComponent(m![3]!));
      const a = r?.assets.find((x) => x.name === decodeURIComponent(m![4]!) && x.state === 'uploaded');
      return a ? new HttpAnswer(200, a.bytes, { 'content-type': 'application/octet-stream' }) : notFound();
    }
    if ((m = p.match(new RegExp(`${REPO}/contents/(.+)$`)))) {
      const path = decodeURIComponent(m[3]!);
      if (method === 'GET') {
        const branch = url.searchParams.get('ref') ?? 'main';
        const f = state.files.get(`${m[1]}/${m[2]}@${branch}:${path}`);
        if (!f) return notFound();
        const inline = f.bytes.length <= options.inlineContentLimit;
        return new HttpAnswer(200, {
          type: 'file',
          name: path.split('/').at(-1),
          path,
          sha: f.sha,
          size: f.bytes.length,
          encoding: inline ? 'base64' : 'none',
          content: inline ? base64Lines(f.bytes) : '',
        });
      }
      if (method === 'PUT') {
        const b = json();
        const branch = (b.branch as string) ?? 'main';
        const key = `${m[1]}/${m[2]}@${branch}:${path}`;
        const f = state.files.get(key);
        if (f && b.sha === undefined) return new HttpAnswer(422, { message: `Invalid request.\n\n"sha" wasn't supplied.` });
        if ((f && b.sha !== f.sha) || (!f && b.sha !== undefined)) return new HttpAnswer(409, { message: `${path} does not match ${String(b.sha)}` });
        const bytes = Buffer.from(String(b.content), 'base64');
        const sha = gitBlobSha(bytes);
        state.blobs.set(sha, bytes);
        const commit = createHash('sha1').update(`${key} ${sha} ${Date.now()} ${Math.random()}`).digest('hex');
        state.files.set(key, { sha, bytes, commits: [...(f?.commits ?? []), String(b.message)] });
        return new HttpAnswer(f ? 200 : 201, { content: { name: path.split('/').at(-1), path, sha, size: bytes.length }, commit: { sha: commit, message: b.message } });
      }
    }
    if (method === 'GET' && (m = p.match(new RegExp(`${REPO}/git/blobs/([0-9a-f]{40})$`)))) {
      const bytes = state.blobs.get(m[3]!);
      return bytes ? new HttpAnswer(200, { sha: m[3], size: bytes.length, encoding: 'base64', content: base64Lines(bytes) }) : notFound();
    }
    state.unhandled.push(`${method} ${p}`);
    return new HttpAnswer(404, { message: 'Not Found (no such endpoint in the stand-in)' });
  }

  function uploads(method: string, url: URL, body: Buffer, headers: http.IncomingHttpHeaders, fault?: Fault): HttpAnswer {
    const m = url.pathname.match(new RegExp(`${REPO}/releases/(\\d+)/assets$`));
    if (method !== 'POST' || !m) {
      state.unhandled.push(`uploads: ${method} ${url.pathname}`);
      return new HttpAnswer(404, { message: 'Not Found (no such endpoint in the stand-in)' });
    }
    state.uploadedBytes += body.length;
    const r = findRelease(m[1]!, m[2]!, (x) => x.id === Number(m[3]));
    if (!r) return notFound();
    const name = url.searchParams.get('name');
    if (!name) return new HttpAnswer(422, { message: 'Validation Failed', errors: [{ resource: 'ReleaseAsset', code: 'missing_field', field: 'name' }] });
    if (r.assets.some((a) => a.name === name)) return validation('ReleaseAsset', 'name');
    const asset: StandinAsset = {
      id: nextId++,
      name,
      label: url.searchParams.get('label'),
      contentType: String(headers['content-type'] ?? 'application/octet-stream'),
      state: fault === 'upload-fails-upstream' ? 'starter' : 'uploaded',
      bytes: fault === 'upload-fails-upstream' ? Buffer.alloc(0) : body,
    };
    r.assets.push(asset);
    return fault === 'upload-fails-upstream' ? faultAnswer(fault) : new HttpAnswer(201, assetJson(r, asset));
  }

  const handler = (origin: 'api' | 'uploads') => async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', origin === 'api' ? apiUrl : uploadsUrl);
    const path = url.pathname;

    const hold = holds.find((h) => matches(h.match, origin, method, path));
    if (hold) {
      await new Promise<void>((resolve) => {
        hold.waiting.push(resolve);
        if (hold.waiting.length >= hold.count) {
          holds.splice(holds.indexOf(hold), 1);
          hold.waiting.forEach((r) => r());
        }
      });
    }

    let answer: HttpAnswer;
    const auth = String(req.headers.authorization ?? '');
    const f = faults.find((x) => x.left > 0 && matches(x.match, origin, method, path));
    if (f) f.left--;
    const isDownload = origin === 'api' && /^\/[^/]+\/[^/]+\/releases\/download\//.test(path);
    if (!isDownload && auth !== `token ${options.token}` && auth !== `Bearer ${options.token}`) {
      answer = new HttpAnswer(401, { message: 'Bad credentials' });
    } else if (f && f.fault !== 'upload-fails-upstream') {
      answer = faultAnswer(f.fault);
    } else if (origin === 'uploads') {
      answer = uploads(method, url, body, req.headers, f?.fault);
    } else {
      answer = api(method, url, body, req.headers);
    }

    state.requests.push({ origin, method, path, status: answer.status });
    const payload = answer.body === undefined ? undefined : Buffer.isBuffer(answer.body) ? answer.body : Buffer.from(JSON.stringify(answer.body));
    res.writeHead(answer.status, {
      ...(payload && !Buffer.isBuffer(answer.body) ? { 'content-type': 'application/json; charset=utf-8' } : {}),
      ...(payload ? { 'content-length': String(payload.length) } : {}),
      ...answer.headers,
    });
    res.end(payload);
  };

  const listen = async (server: http.Server) => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  const apiServer = http.createServer((req, res) => void handler('api')(req, res));
  const uploadServer = http.createServer((req, res) => void handler('uploads')(req, res));
  apiUrl = await listen(apiServer);
  uploadsUrl = await listen(uploadServer);

  return {
    apiUrl,
    uploadsUrl,
    token: options.token,
    state,
    options,
    fault: (match, fault, times = 1) => void faults.push({ match, fault, left: times }),
    hold: (match, count) => {
      const h = { match, count, waiting: [] as (() => void)[] };
      holds.push(h);
      // Never hang a test: after 10 s, whatever arrived goes on (and the test's assertions say why).
      setTimeout(() => {
        if (holds.includes(h)) holds.splice(holds.indexOf(h), 1);
        h.waiting.forEach((r) => r());
      }, 10_000).unref();
    },
    release: (owner, repo, tag) => findRelease(owner, repo, (r) => r.tag === tag),
    file: (owner, repo, branch, path) => state.files.get(`${owner}/${repo}@${branch}:${path}`),
    count: (match) => state.requests.filter((r) => matches(match, r.origin, r.method, r.path)).length,
    close: async () => {
      for (const server of [apiServer, uploadServer]) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}
