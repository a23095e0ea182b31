// Who we are to a registry: anonymous, Basic credentials, or Bearer tokens obtained from the
// realm a registry's challenge names (the Docker token flow, which ghcr.io follows), cached
// per scope until they expire.
import { UserError } from '../../errors.ts';
import type { Challenge } from './challenge.ts';

export interface Credentials {
  username: string;
  password: string;
}

export type CredentialsOption = Credentials | ((registry: string) => Credentials | undefined);

export const ENV_USER = 'TRUNKFARM_REGISTRY_USER';
export const ENV_PASSWORD = 'TRUNKFARM_REGISTRY_PASSWORD';

/** Credentials for a registry: the option given, else TRUNKFARM_REGISTRY_USER/PASSWORD, else
 * GITHUB_TOKEN for ghcr.io (any user name works there; GITHUB_ACTOR when set). */
export function resolveCredentials(
  registry: string,
  option: CredentialsOption | undefined,
  env: Record<string, string | undefined>,
): Credentials | undefined {
  const given = typeof option === 'function' ? option(registry) : option;
  if (given) return given;
  const user = env[ENV_USER];
  const password = env[ENV_PASSWORD];
  if (user && !password) throw new UserError(`${ENV_USER} is set but ${ENV_PASSWORD} is not`);
  if (password && !user) throw new UserError(`${ENV_PASSWORD} is set but ${ENV_USER} is not`);
  if (user && password) return { username: user, password };
  if (registry === 'ghcr.io' && env.GITHUB_TOKEN) return { username: env.GITHUB_ACTOR || 'github-actions', password: env.GITHUB_TOKEN };
  return undefined;
}

export function basicHeader(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
}

/** `repository:NAME:ACTIONS`, the resource scope of the token flow. */
export function repositoryScope(repository: string, actions: 'pull' | 'pull,push'): string {
  return `repository:${repository}:${actions}`;
}

interface ParsedScope {
  resource: string;
  actions: Set<string>;
}

function parseScope(scope: string): ParsedScope {
  const last = scope.lastIndexOf(':');
  return { resource: scope.slice(0, last), actions: new Set(scope.slice(last + 1).split(',').filter(Boolean)) };
}

/** Scopes merged by resource, so one token request asks for everything an operation needs. */
export function mergeScopes(...lists: string[][]): string[] {
  const merged = new Map<string, Set<string>>();
  for (const scope of lists.flat()) {
    const { resource, actions } = parseScope(scope);
    const set = merged.get(resource) ?? new Set<string>();
    for (const a of actions) set.add(a);
    merged.set(resource, set);
  }
  return [...merged].map(([resource, actions]) => `${resource}:${[...actions].sort().join(',')}`).sort();
}

/** True when a token granted for `held` also serves `needed`. */
export function scopesCover(held: string[], needed: string[]): boolean {
  const grants = held.map(parseScope);
  return needed.every((scope) => {
    const want = parseScope(scope);
    return grants.some((g) => g.resource === want.resource && [...want.actions].every((a) => g.actions.has(a)));
  });
}

export interface BearerRealm {
  realm: string;
  service?: string;
}

export function bearerRealm(challenge: Challenge): BearerRealm | undefined {
  const realm = challenge.params.realm;
  if (!realm) return undefined;
  return { realm, ...(challenge.params.service ? { service: challenge.params.service } : {}) };
}

export interface Token {
  token: string;
  scopes: string[];
  expiresAt: number;
}

/** Tokens of one registry, looked up by the scopes they were granted for. */
export class TokenCache {
  private tokens: Token[] = [];

  find(needed: string[], now = Date.now()): Token | undefined {
    this.tokens = this.tokens.filter((t) => t.expiresAt > now);
    return this.tokens.find((t) => scopesCover(t.scopes, needed));
  }

  add(token: Token): void {
    this.tokens.push(token);
  }

  drop(token: string): void {
    this.tokens = this.tokens.filter((t) => t.token !== token);
  }
}

/** The token endpoint's answer (`token`, or OAuth's `access_token`), with its lifetime. A token
 * is renewed a little before it expires; 60 s is the spec's default lifetime. */
export function parseTokenResponse(body: Buffer, scopes: string[], now = Date.now()): Token | undefined {
  let parsed: { token?: unknown; access_token?: unknown; expires_in?: unknown };
  try {
    parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
  } catch {
    return undefined;
  }
  const token = typeof parsed.token === 'string' && parsed.token ? parsed.token : parsed.access_token;
  if (typeof token !== 'string' || token === '') return undefined;
  const lifetime = typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : 60;
  return { token, scopes, expiresAt: now + Math.max(lifetime - 10, lifetime / 2) * 1000 };
}

/** URL of a token request: realm?service=…&scope=…&scope=… */
export function tokenUrl(realm: BearerRealm, scopes: string[]): URL {
  const url = new URL(realm.realm);
  if (realm.service) url.searchParams.set('service', realm.service);
  for (const scope of scopes) url.searchParams.append('scope', scope);
  return url;
}
