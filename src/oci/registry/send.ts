// One registry request: authentication (with the 401 dance), redirects to storage, bounded
// retries, and an error that names the operation.
import { UserError } from '../../errors.ts';
import { NetworkError, header, type IncomingMessage, open, send, type HttpResponse } from '../../http/index.ts';
import { parseRetryAfter, withRetries } from '../../http/index.ts';
import { mergeScopes } from './auth.ts';
import { parseChallenges } from './challenge.ts';
import type { RegistryRequest } from './client.ts';
import type { ClientContext } from './context.ts';
import { RegistryError, parseErrorCodes } from './errors.ts';
import { registryBaseUrl } from './reference.ts';
import { authorization, learn, missingCredentials, ready } from './session.ts';

const MAX_REDIRECTS = 5;
const REDIRECTS = [301, 302, 303, 307, 308];

/** Runs `attempt` until it succeeds or fails for good, sleeping between tries (the policy of
 * src/http: 5xx, 429 and 408 answers and failures below HTTP are worth another try, a
 * Retry-After is honoured up to its cap, and no wait runs past the deadline). */
export async function retrying<T>(ctx: ClientContext, operation: string, attempt: (n: number) => Promise<T>): Promise<T> {
  try {
    return await withRetries(operation, attempt, {
      policy: ctx.retryPolicy,
      signal: ctx.signal,
      deadline: ctx.deadline,
      // An error that already used up its own retries (a token request, say) is not retried again.
      retryable: (err) => (err instanceof RegistryError && err.retryable && err.attempts <= 1 ? { reason: err.message, retryAfterMs: err.retryAfterMs } : undefined),
      giveUp: (err, attempts, why) => (why === 'deadline' ? pastDeadline(ctx, operation, err) : (err as RegistryError).afterAttempts(attempts)),
      onRetry(event) {
        ctx.stats.retries++;
        ctx.emit({ type: 'retry', operation, attempt: event.retry, attempts: ctx.retryPolicy.attempts, delayMs: event.delayMs, retryAfter: event.retryAfterMs !== undefined, error: event.reason });
      },
    });
  } catch (err) {
    throw abortFailure(ctx, operation, err);
  }
}

/** What a request gives up with when the deadline stops it. */
function pastDeadline(ctx: ClientContext, operation: string, cause: unknown): UserError {
  const seconds = ctx.deadline === undefined ? 0 : Math.round((ctx.deadline - ctx.startedAt) / 1000);
  return new UserError(`${operation}: stopped at the deadline (${seconds} s after the start; --deadline sets it)${cause instanceof Error ? `; last failure: ${cause.message}` : ''}`, { cause });
}

/** An aborted request fails with the caller's reason (a UserError saying who stopped it), or
 * an error naming the deadline when that stopped it. */
export function abortFailure(ctx: ClientContext, operation: string, err: unknown): unknown {
  if (err instanceof UserError || !ctx.signal?.aborted) return err;
  if (ctx.options.signal?.aborted) return ctx.options.signal.reason instanceof Error ? ctx.options.signal.reason : err;
  return ctx.deadline === undefined ? err : pastDeadline(ctx, operation, undefined);
}

/** The per-request settings every exchange of the client shares: the stall timeout, the signal,
 * and a `wait` event when the request stands still. */
export function exchangeOptions(ctx: ClientContext, operation: string, method: string, url: URL) {
  return {
    timeoutMs: ctx.timeoutMs,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    stallNoticeMs: ctx.stallNoticeMs,
    onStall: (idleMs: number) => ctx.emit({ type: 'wait', operation, request: `${method} ${url.host}${url.pathname}`, idleMs, timeoutMs: ctx.timeoutMs }),
  };
}

export function urlOf(ctx: ClientContext, req: RegistryRequest): URL {
  const url = req.url ? new URL(req.url) : new URL(req.path ?? '/v2/', registryBaseUrl(req.registry, ctx.options.plainHttp));
  for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
  return url;
}

export function failure(req: Pick<RegistryRequest, 'operation' | 'method'>, url: URL, res: HttpResponse, hint?: string): RegistryError {
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

export function networkFailure(req: { operation: string; method: string }, url: URL, err: unknown): unknown {
  if (err instanceof NetworkError) return new RegistryError({ operation: req.operation, method: req.method, url, network: err.message, cause: err });
  return err;
}

export async function sendOnce(ctx: ClientContext, req: RegistryRequest, url: URL, auth: string | undefined): Promise<HttpResponse> {
  ctx.stats.requests++;
  const headers: Record<string, string> = { 'user-agent': ctx.userAgent, ...req.headers };
  if (auth) headers.authorization = auth;
  try {
    return await send(ctx.transport, {
      method: req.method,
      url,
      headers,
      ...(req.body === undefined ? {} : { body: req.body }),
      ...exchangeOptions(ctx, req.operation, req.method, url),
      ...(req.blobBody ? { onBodyBytes: (n: number) => (ctx.stats.blobBytesUploaded += n) } : {}),
    });
  } catch (err) {
    throw abortFailure(ctx, req.operation, networkFailure(req, url, err));
  }
}

/** One attempt, with the 401 dance: learn the challenge, get the right token, send once more. */
export async function exchange(ctx: ClientContext, req: RegistryRequest, url: URL): Promise<HttpResponse> {
  await ready(ctx, req.registry);
  const ours = url.origin === registryBaseUrl(req.registry, ctx.options.plainHttp).origin;
  let auth = ours ? await authorization(ctx, req.registry, req.scopes) : undefined;
  let res = await sendOnce(ctx, req, url, auth);
  if (res.status === 401 && ours) {
    const state = ctx.stateOf(req.registry);
    if (auth?.startsWith('Bearer ')) state.tokens.drop(auth.slice(7));
    learn(ctx, req.registry, res.headers);
    // An insufficient_scope challenge names the scope the registry wants: ask for it too.
    const wanted = parseChallenges(res.headers['www-authenticate']).find((c) => c.scheme === 'bearer')?.params.scope;
    auth = await authorization(ctx, req.registry, mergeScopes(req.scopes, wanted ? wanted.split(' ') : []));
    res = await sendOnce(ctx, req, url, auth);
    if (res.status === 401) {
      const who = state.credentials;
      throw failure(req, url, res, who ? `the registry refused the credentials of ${JSON.stringify(who.username)}` : missingCredentials(req.registry).message);
    }
  }
  if (res.status === 403 && !req.expect.includes(403)) throw failure(req, url, res, `access denied: the credentials lack ${req.scopes.join(' ') || 'access'}`);
  return res;
}

/** A request whose whole answer is read (manifests, errors, upload steps); follows redirects of
 * GET and HEAD, and retries unless `req.retry` is false. */
export async function request(ctx: ClientContext, req: RegistryRequest): Promise<HttpResponse> {
  const attempt = async () => {
    let url = urlOf(ctx, req);
    for (let hop = 0; ; hop++) {
      const res = await exchange(ctx, req, url);
      const location = header(res.headers, 'location');
      if ((req.method === 'GET' || req.method === 'HEAD') && REDIRECTS.includes(res.status) && location && hop < MAX_REDIRECTS && !req.expect.includes(res.status)) {
        url = new URL(location, url);
        continue;
      }
      if (!req.expect.includes(res.status)) throw failure(req, url, res);
      return res;
    }
  };
  return req.retry === false ? attempt() : retrying(ctx, req.operation, attempt);
}

/** A GET whose body the caller streams (blobs); follows redirects to storage. */
export async function stream(ctx: ClientContext, req: RegistryRequest): Promise<IncomingMessage> {
  return retrying(ctx, req.operation, async () => {
    await ready(ctx, req.registry);
    let url = urlOf(ctx, req);
    const base = registryBaseUrl(req.registry, ctx.options.plainHttp);
    let challenged = false;
    for (let hop = 0; ; hop++) {
      const ours = url.origin === base.origin;
      const auth = ours ? await authorization(ctx, req.registry, req.scopes) : undefined;
      let res: IncomingMessage;
      const headers = { 'user-agent': ctx.userAgent, ...req.headers, ...(auth ? { authorization: auth } : {}) };
      try {
        ctx.stats.requests++;
        res = await open(ctx.transport, { method: 'GET', url, headers, ...exchangeOptions(ctx, req.operation, 'GET', url) });
      } catch (err) {
        throw networkFailure(req, url, err);
      }
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (REDIRECTS.includes(status) && location && hop < MAX_REDIRECTS) {
        res.resume();
        url = new URL(location, url);
        continue;
      }
      if (status === 401 && ours && !challenged) {
        // The token expired or lacks a scope: learn from the challenge and ask again, once.
        res.resume();
        challenged = true;
        if (auth?.startsWith('Bearer ')) ctx.stateOf(req.registry).tokens.drop(auth.slice(7));
        learn(ctx, req.registry, res.headers);
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
