// How a registry wants to be spoken to, learnt once from GET /v2/ and again from any 401 challenge,
// and the Authorization header a request needs: none, Basic credentials, or a Bearer token for
// its scopes from the realm the challenge names.
import { UserError } from '../../errors.ts';
import { header, type IncomingHttpHeaders, send, type HttpResponse } from '../../http/index.ts';
import { ENV_PASSWORD, ENV_USER, basicHeader, bearerRealm, parseTokenResponse, tokenUrl } from './auth.ts';
import { parseChallenges } from './challenge.ts';
import type { RegistryRequest } from './client.ts';
import type { ClientContext } from './context.ts';
import { isLoopback } from './reference.ts';
import { exchangeOptions, failure, networkFailure, retrying, sendOnce, urlOf } from './send.ts';

/** Learns how the registry authenticates, once, from GET /v2/. */
export function ready(ctx: ClientContext, registry: string): Promise<void> {
  const state = ctx.stateOf(registry);
  state.ready ??= retrying(ctx, `reach registry ${registry}`, async () => {
    const req: RegistryRequest = { operation: `reach registry ${registry}`, registry, method: 'GET', path: '/v2/', scopes: [], expect: [200, 401] };
    const url = urlOf(ctx, req);
    const res = await sendOnce(ctx, req, url, undefined);
    if (res.status === 200) return;
    if (res.status !== 401) throw failure(req, url, res, res.status === 404 ? `${registry} does not serve the registry API at /v2/` : undefined);
    learn(ctx, registry, res.headers);
  }).catch((err: unknown) => {
    state.ready = undefined; // let a later operation try again
    throw err;
  });
  return state.ready;
}

/** Takes the scheme (and, for Bearer, the realm) from a 401's WWW-Authenticate. */
export function learn(ctx: ClientContext, registry: string, headers: IncomingHttpHeaders): void {
  const state = ctx.stateOf(registry);
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

export function missingCredentials(registry: string): UserError {
  return new UserError(
    `registry ${registry} requires credentials: pass them in the client options or set ${ENV_USER} and ${ENV_PASSWORD}` + (registry === 'ghcr.io' ? ' (or GITHUB_TOKEN)' : ''),
  );
}

/** A Bearer token for `scopes` from the registry's realm, sent the credentials if there are any. */
export async function fetchToken(ctx: ClientContext, registry: string, scopes: string[]): Promise<string> {
  const state = ctx.stateOf(registry);
  const realm = state.bearer!;
  const url = tokenUrl(realm, scopes);
  const operation = `get a token for ${scopes.join(' ') || 'the registry'} from ${url.origin}${url.pathname}`;
  if (state.credentials && url.protocol === 'http:' && !isLoopback(url.host) && !ctx.options.plainHttp) {
    throw new UserError(`${operation}: refusing to send credentials to a token realm over plain HTTP`);
  }
  return retrying(ctx, operation, async () => {
    ctx.stats.tokenRequests++;
    const req: RegistryRequest = { operation, registry, method: 'GET', url, scopes: [], expect: [200] };
    const headers: Record<string, string> = { 'user-agent': ctx.userAgent };
    if (state.credentials) headers.authorization = basicHeader(state.credentials);
    let res: HttpResponse;
    try {
      ctx.stats.requests++;
      res = await send(ctx.transport, { method: 'GET', url, headers, ...exchangeOptions(ctx, operation, 'GET', url) });
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

/** The Authorization header for a request needing `scopes`, or none for an open registry. */
export async function authorization(ctx: ClientContext, registry: string, scopes: string[]): Promise<string | undefined> {
  const state = ctx.stateOf(registry);
  if (state.scheme === 'basic') {
    if (!state.credentials) throw missingCredentials(registry);
    return basicHeader(state.credentials);
  }
  if (state.scheme === 'bearer') {
    const cached = state.tokens.find(scopes);
    if (cached) return `Bearer ${cached.token}`;
    // Concurrent requests needing the same scopes share one token request.
    const key = `${registry} ${scopes.join(' ')}`;
    let pending = ctx.inflight.get(key);
    if (!pending) {
      pending = fetchToken(ctx, registry, scopes).finally(() => ctx.inflight.delete(key));
      ctx.inflight.set(key, pending);
    }
    return `Bearer ${await pending}`;
  }
  return undefined;
}
