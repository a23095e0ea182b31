// The client's session: one keep-alive transport, what each registry asked for to authenticate,
// cached tokens, where blobs were seen (for cross-repository mounts), and byte counters. Every
// request goes through `request()`: authentication, then bounded retries, then an error that
// names the operation.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { UserError } from '../../errors.ts';
import { VERSION } from '../../version.ts';
import { ENV_PASSWORD, ENV_USER, TokenCache, basicHeader, bearerRealm, mergeScopes, parseTokenResponse, resolveCredentials, tokenUrl } from './auth.ts';
import type { BearerRealm, Credentials, CredentialsOption } from './auth.ts';
import { parseChallenges } from './challenge.ts';
import { RegistryError, parseErrorCodes } from './errors.ts';
import { NetworkError, createTransport, header, open, send } from './http.ts';
import type { HttpResponse, RequestBody, Transport } from './http.ts';
import { isLoopback, registryBaseUrl } from './reference.ts';
import { DEFAULT_RETRY, backoffDelay, parseRetryAfter, sleep } from './retry.ts';
import type { RetryPolicy } from './retry.ts';

export interface ClientOptions {
  /** Credentials for every registry, or per registry; else taken from the environment. */
  credentials?: CredentialsOption;
  /** Where TRUNKFARM_REGISTRY_USER/PASSWORD and GITHUB_TOKEN are read; process.env by default. */
  env?: Record<string, string | undefined>;
  /** Force plain HTTP (true) or HTTPS (false); by default loopback registries get plain HTTP. */
  plainHttp?: boolean;
  retry?: Partial<RetryPolicy>;
  /** A request that makes no progress for this long is abandoned (and retried). */
  timeoutMs?: number;
  /** Blobs uploaded at once. */
  concurrency?: number;
  /** Blobs larger than this are uploaded in chunks of this size. */
  chunkSize?: number;
  signal?: AbortSignal;
  onEvent?: (event: ClientEvent) => void;
}

export type ClientEvent =
  | { type: 'blob'; repository: string; digest: string; size: number; outcome: 'present' | 'mounted' | 'uploaded' }
  | { type: 'manifest'; repository: string; digest: string; outcome: 'present' | 'pushed' }
  | { type: 'tag'; repository: string; tag: string; digest: string; outcome: 'moved' | 'unchanged' }
  | { type: 'retry'; operation: string; attempt: number; delayMs: number; error: string };

export interface TransferStats {
  requests: number;
  retries: number;
  tokenRequests: number;
  blobsPresent: number;
  blobsMounted: number;
  blobsUploaded: number;
  /** Blob bytes handed to the network, resent bytes included. */
  blobBytesUploaded: number;
  manifestsPresent: number;
  manifestsPushed: number;
  tagsMoved: number;
  tagsUnchanged: number;
}

export function emptyStats(): TransferStats {
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
    tagsUnchanged: 0,
  };
}

export function diffStats(after: TransferStats, before: TransferStats): TransferStats {
  const out = emptyStats();
  for (const key of Object.keys(out) as (keyof TransferStats)[]) out[key] = after[key] - before[key];
  return out;
}

export interface RegistryRequest {
  /** What the caller was doing, for error messages: `push blob sha256:… to HOST/REPO`. */
  operation: string;
  registry: string;
  method: string;
  /** A path below the registry's base URL (`/v2/…`), or an absolute URL (upload locations). */
  path?: string;
  url?: URL;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: RequestBody | Uint8Array;
  /** Token scopes the request needs. */
  scopes: string[];
  /** Statuses the caller handles; any other is an error. */
  expect: number[];
  /** false: a single attempt, the caller decides what to do on failure. */
  retry?: boolean;
  /** Count the body's bytes as uploaded blob bytes. */
  blobBody?: boolean;
}

export interface RegistryClient {
  readonly stats: TransferStats;
  readonly concurrency: number;
  readonly chunkSize: number;
  readonly retryPolicy: RetryPolicy;
  readonly signal: AbortSignal | undefined;
  request(req: RegistryRequest): Promise<HttpResponse>;
  /** A GET whose body the caller streams (blobs); follows redirects to storage. */
  stream(req: RegistryRequest): Promise<IncomingMessage>;
  /** Runs `attempt` until it succeeds or fails for good, sleeping between tries. */
  retrying<T>(operation: string, attempt: (n: number) => Promise<T>): Promise<T>;
  /** Runs `task` when one of the `concurrency` upload slots is free. */
  slot<T>(task: () => Promise<T>): Promise<T>;
  /** Records that `digest` is present in a repository, so later pushes can mount it from there. */
  remember(registry: string, repository: string, digest: string): void;
  /** Repositories of the registry known to hold `digest`. */
  locations(registry: string, digest: string): string[];
  emit(event: ClientEvent): void;
  close(): void;
}

interface RegistryAuthState {
  /** Set once the registry's /v2/ answered: how it wants to be spoken to. */
  ready?: Promise<void>;
  scheme: 'none' | 'basic' | 'bearer';
  bearer?: BearerRealm;
  tokens: TokenCache;
  credentials?: Credentials;
}

const MAX_REDIRECTS = 5;

export function createClient(options: ClientOptions = {}): RegistryClient {
  const env = options.env ?? process.env;
  const retryPolicy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const timeoutMs = options.timeoutMs ?? 60_000;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const chunkSize = Math.max(1, options.chunkSize ?? 32 << 20);
  const transport: Transport = createTransport(concurrency + 4);
  const stats = emptyStats();
  const states = new Map<string, RegistryAuthState>();
  const seen = new Map<string, Map<string, Set<string>>>();
  const inflight = new Map<string, Promise<string>>();
  const userAgent = `trunkfarm/${VERSION}`;
  let active = 0;
  const waiting: (() => void)[] = [];

  const emit = (event: ClientEvent) => options.onEvent?.(event);

  function stateOf(registry: string): RegistryAuthState {
    let state = states.get(registry);
    if (!state) {
      state = { scheme: 'none', tokens: new TokenCache() };
      const credentials = resolveCredentials(registry, options.credentials, env);
      if (credentials) state.credentials = credentials;
      states.set(registry, state);
    }
    return state;
  }

  async function retrying<T>(operation: string, attempt: (n: number) => Promise<T>): Promise<T> {
    for (let n = 1; ; n++) {
      options.signal?.throwIfAborted();
      try {
        return await attempt(n);
      } catch (err) {
        // An error that already used up its own retries (a token request, say) is not retried again.
        if (!(err instanceof RegistryError) || !err.retryable || err.attempts > 1) throw err;
        if (n >= retryPolicy.attempts) throw err.afterAttempts(n);
        const delayMs = backoffDelay(retryPolicy, n, err.retryAfterMs);
        stats.retries++;
        emit({ type: 'retry', operation, attempt: n, delayMs, error: err.message });
        await sleep(delayMs, options.signal);
      }
    }
  }

  function urlOf(req: RegistryRequest): URL {
    const url = req.url ? new URL(req.url) : new URL(req.path ?? '/v2/', registryBaseUrl(req.registry, options.plainHttp));
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
    return url;
  }

  function failure(req: RegistryRequest, url: URL, res: HttpResponse, hint?: string): RegistryError {
    const retryAfterMs = res.status === 429 || res.status === 503 ? parseRetryAfter(header(res.headers, 'retry-after')) : undefined;
    return new RegistryError({
      operation: req.operation,
      method: req.method,
      url,
      status: res.status,
      statusText: res.statusText,
      codes: parseErrorCodes(res.body, header(res.headers, 'content-type')),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(hint ? { hint } : {}),
    });
  }

  function networkFailure(req: { operation: string; method: string }, url: URL, err: unknown): unknown {
    if (err instanceof NetworkError) return new RegistryError({ operation: req.operation, method: req.method, url, network: err.message, cause: err });
    return err;
  }

  async function sendOnce(req: RegistryRequest, url: URL, authorization: string | undefined): Promise<HttpResponse> {
    stats.requests++;
    const headers: Record<string, string> = { 'user-agent': userAgent, ...req.headers };
    if (authorization) headers.authorization = authorization;
    try {
      return await send(transport, {
        method: req.method,
        url,
        headers,
        ...(req.body === undefined ? {} : { body: req.body }),
        timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(req.blobBody ? { onBodyBytes: (n: number) => (stats.blobBytesUploaded += n) } : {}),
      });
    } catch (err) {
      throw networkFailure(req, url, err);
    }
  }

  /** Learns how the registry authenticates, once, from GET /v2/. */
  function ready(registry: string): Promise<void> {
    const state = stateOf(registry);
    state.ready ??= retrying(`reach registry ${registry}`, async () => {
      const req: RegistryRequest = { operation: `reach registry ${registry}`, registry, method: 'GET', path: '/v2/', scopes: [], expect: [200, 401] };
      const url = urlOf(req);
      const res = await sendOnce(req, url, undefined);
      if (res.status === 200) return;
      if (res.status !== 401) {
        throw failure(req, url, res, res.status === 404 ? `${registry} does not serve the registry API at /v2/` : undefined);
      }
      learn(registry, res.headers);
    }).catch((err: unknown) => {
      state.ready = undefined; // let a later operation try again
      throw err;
    });
    return state.ready;
  }

  function learn(registry: string, headers: IncomingHttpHeaders): void {
    const state = stateOf(registry);
    const challenges = parseChallenges(headers['www-authenticate']);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const realm = bearer ? bearerRealm(bearer) : undefined;
    if (realm) {
      state.scheme = 'bearer';
      state.bearer = realm;
    } else if (challenges.some((c) => c.scheme === 'basic')) {
      state.scheme = 'basic';
    } else {
      throw new UserError(`registry ${registry} asks for authentication with an unsupported challenge: ${JSON.stringify(header(headers, 'www-authenticate') ?? '')}`);
    }
  }

  function missingCredentials(registry: string): UserError {
    return new UserError(
      `registry ${registry} requires credentials: pass them in the client options or set ${ENV_USER} and ${ENV_PASSWORD}` +
        (registry === 'ghcr.io' ? ' (or GITHUB_TOKEN)' : ''),
    );
  }

  async function fetchToken(registry: string, scopes: string[]): Promise<string> {
    const state = stateOf(registry);
    const realm = state.bearer!;
    const url = tokenUrl(realm, scopes);
    const operation = `get a token for ${scopes.join(' ') || 'the registry'} from ${url.origin}${url.pathname}`;
    if (state.credentials && url.protocol === 'http:' && !isLoopback(url.host) && !options.plainHttp) {
      throw new UserError(`${operation}: refusing to send credentials to a token realm over plain HTTP`);
    }
    return retrying(operation, async () => {
      stats.tokenRequests++;
      const req: RegistryRequest = { operation, registry, method: 'GET', url, scopes: [], expect: [200] };
      const headers: Record<string, string> = { 'user-agent': userAgent };
      if (state.credentials) headers.authorization = basicHeader(state.credentials);
      let res: HttpResponse;
      try {
        stats.requests++;
        res = await send(transport, { method: 'GET', url, headers, timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
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

  async function authorization(registry: string, scopes: string[]): Promise<string | undefined> {
    const state = stateOf(registry);
    if (state.scheme === 'basic') {
      if (!state.credentials) throw missingCredentials(registry);
      return basicHeader(state.credentials);
    }
    if (state.scheme === 'bearer') {
      const cached = state.tokens.find(scopes);
      if (cached) return `Bearer ${cached.token}`;
      // Concurrent requests needing the same scopes share one token request.
      const key = `${registry} ${scopes.join(' ')}`;
      let pending = inflight.get(key);
      if (!pending) {
        pending = fetchToken(registry, scopes).finally(() => inflight.delete(key));
        inflight.set(key, pending);
      }
      return `Bearer ${await pending}`;
    }
    return undefined;
  }

  /** One attempt, with the 401 dance: learn the challenge, get the right token, send once more. */
  async function exchange(req: RegistryRequest, url: URL): Promise<HttpResponse> {
    await ready(req.registry);
    const base = registryBaseUrl(req.registry, options.plainHttp);
    const ours = url.origin === base.origin;
    let auth = ours ? await authorization(req.registry, req.scopes) : undefined;
    let res = await sendOnce(req, url, auth);
    if (res.status === 401 && ours) {
      const state = stateOf(req.registry);
      if (auth?.startsWith('Bearer ')) state.tokens.drop(auth.slice(7));
      learn(req.registry, res.headers);
      // An insufficient_scope challenge names the scope the registry wants: ask for it too.
      const wanted = parseChallenges(res.headers['www-authenticate']).find((c) => c.scheme === 'bearer')?.params.scope;
      const scopes = mergeScopes(req.scopes, wanted ? wanted.split(' ') : []);
      auth = await authorization(req.registry, scopes);
      res = await sendOnce(req, url, auth);
      if (res.status === 401) {
        const who = stateOf(req.registry).credentials;
        throw failure(req, url, res, who ? `the registry refused the credentials of ${JSON.stringify(who.username)}` : missingCredentials(req.registry).message);
      }
    }
    if (res.status === 403 && !req.expect.includes(403)) {
      throw failure(req, url, res, `access denied: the credentials lack ${req.scopes.join(' ') || 'access'}`);
    }
    return res;
  }

  async function request(req: RegistryRequest): Promise<HttpResponse> {
    const attempt = async () => {
      let url = urlOf(req);
      for (let hop = 0; ; hop++) {
        const res = await exchange(req, url);
        const location = header(res.headers, 'location');
        if ((req.method === 'GET' || req.method === 'HEAD') && [301, 302, 303, 307, 308].includes(res.status) && location && hop < MAX_REDIRECTS && !req.expect.includes(res.status)) {
          url = new URL(location, url);
          continue;
        }
        if (!req.expect.includes(res.status)) throw failure(req, url, res);
        return res;
      }
    };
    return req.retry === false ? attempt() : retrying(req.operation, attempt);
  }

  async function stream(req: RegistryRequest): Promise<IncomingMessage> {
    return retrying(req.operation, async () => {
      await ready(req.registry);
      let url = urlOf(req);
      const base = registryBaseUrl(req.registry, options.plainHttp);
      let challenged = false;
      for (let hop = 0; ; hop++) {
        const ours = url.origin === base.origin;
        const auth = ours ? await authorization(req.registry, req.scopes) : undefined;
        let res: IncomingMessage;
        const headers = { 'user-agent': userAgent, ...req.headers, ...(auth ? { authorization: auth } : {}) };
        try {
          stats.requests++;
          res = await open(transport, { method: 'GET', url, headers, timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
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
          // The token expired or lacks a scope: learn from the challenge and ask again, once.
          res.resume();
          challenged = true;
          if (auth?.startsWith('Bearer ')) stateOf(req.registry).tokens.drop(auth.slice(7));
          learn(req.registry, res.headers);
          continue;
        }
        if (status !== 200) {
          const chunks: Buffer[] = [];
          for await (const c of res as AsyncIterable<Buffer>) chunks.push(c);
          throw failure(req, url, { url, status, statusText: res.statusMessage ?? '', headers: res.headers, body: Buffer.concat(chunks) });
        }
        return res;
      }
    });
  }

  function slot<T>(task: () => Promise<T>): Promise<T> {
    // A finishing task hands its slot straight to the next waiter, so none is ever over the limit.
    const acquired = active < concurrency ? (active++, Promise.resolve()) : new Promise<void>((resolve) => waiting.push(resolve));
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
      if (!byDigest) seen.set(registry, (byDigest = new Map()));
      let repos = byDigest.get(digest);
      if (!repos) byDigest.set(digest, (repos = new Set()));
      repos.add(repository);
    },
    locations(registry, digest) {
      return [...(seen.get(registry)?.get(digest) ?? [])];
    },
    emit,
    close: () => transport.close(),
  };
}
