import { describe, expect, it } from 'vitest';
import { TokenCache, mergeScopes, parseTokenResponse, resolveCredentials, scopesCover, tokenUrl } from '../../../src/oci/registry/auth.ts';
import { parseChallenges } from '../../../src/oci/registry/challenge.ts';

describe('WWW-Authenticate', () => {
  it("reads ghcr.io's Bearer challenge", () => {
    expect(parseChallenges('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:user/image:pull"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:user/image:pull' } },
    ]);
  });

  it('reads several challenges, quoted commas and escapes', () => {
    expect(parseChallenges('Basic realm="a, b", Bearer realm="https://x/t",error="insufficient_scope",scope="repository:a:pull repository:b:pull,push"')).toEqual([
      { scheme: 'basic', params: { realm: 'a, b' } },
      { scheme: 'bearer', params: { realm: 'https://x/t', error: 'insufficient_scope', scope: 'repository:a:pull repository:b:pull,push' } },
    ]);
    expect(parseChallenges('Basic realm="say \\"hi\\""')[0]!.params.realm).toBe('say "hi"');
    expect(parseChallenges(['Basic realm=x', 'Bearer realm=y'])).toHaveLength(2);
    expect(parseChallenges(undefined)).toEqual([]);
  });
});

describe('scopes', () => {
  it('merges by resource and sorts actions', () => {
    expect(mergeScopes(['repository:a:push'], ['repository:a:pull', 'repository:b:pull'])).toEqual(['repository:a:pull,push', 'repository:b:pull']);
  });

  it('lets a push token serve pulls, not the reverse', () => {
    expect(scopesCover(['repository:a:pull,push'], ['repository:a:pull'])).toBe(true);
    expect(scopesCover(['repository:a:pull'], ['repository:a:pull,push'])).toBe(false);
    expect(scopesCover(['repository:a:pull,push'], ['repository:a:pull', 'repository:b:pull'])).toBe(false);
  });

  it('caches tokens per scope until they expire', () => {
    const cache = new TokenCache();
    const now = Date.now();
    cache.add({ token: 'A', scopes: ['repository:a:pull,push'], expiresAt: now + 1000 });
    expect(cache.find(['repository:a:pull'], now)?.token).toBe('A');
    expect(cache.find(['repository:b:pull'], now)).toBeUndefined();
    expect(cache.find(['repository:a:pull'], now + 2000)).toBeUndefined();
  });

  it('reads token answers, renewing before expiry', () => {
    const now = 1_000_000;
    expect(parseTokenResponse(Buffer.from('{"token":"T","expires_in":300}'), ['s'], now)).toEqual({ token: 'T', scopes: ['s'], expiresAt: now + 290_000 });
    expect(parseTokenResponse(Buffer.from('{"access_token":"O"}'), [], now)?.token).toBe('O');
    expect(parseTokenResponse(Buffer.from('{"token":""}'), [], now)).toBeUndefined();
    expect(parseTokenResponse(Buffer.from('<html>'), [], now)).toBeUndefined();
  });

  it('builds the token request URL', () => {
    const url = tokenUrl({ realm: 'https://ghcr.io/token?x=1', service: 'ghcr.io' }, ['repository:a:pull', 'repository:b:pull,push']);
    expect(url.searchParams.get('x')).toBe('1');
    expect(url.searchParams.get('service')).toBe('ghcr.io');
    expect(url.searchParams.getAll('scope')).toEqual(['repository:a:pull', 'repository:b:pull,push']);
  });
});

describe('credentials', () => {
  it('prefers the option, then TRUNKFARM_REGISTRY_USER/PASSWORD, then GITHUB_TOKEN for ghcr.io', () => {
    const env = { TRUNKFARM_REGISTRY_USER: 'u', TRUNKFARM_REGISTRY_PASSWORD: 'p', GITHUB_TOKEN: 'g' };
    expect(resolveCredentials('x.io', { username: 'o', password: 'q' }, env)).toEqual({ username: 'o', password: 'q' });
    expect(resolveCredentials('x.io', (r) => (r === 'x.io' ? { username: 'f', password: 'q' } : undefined), env)?.username).toBe('f');
    expect(resolveCredentials('x.io', undefined, env)).toEqual({ username: 'u', password: 'p' });
    expect(resolveCredentials('ghcr.io', undefined, { GITHUB_TOKEN: 'g', GITHUB_ACTOR: 'me' })).toEqual({ username: 'me', password: 'g' });
    expect(resolveCredentials('x.io', undefined, { GITHUB_TOKEN: 'g' })).toBeUndefined();
  });

  it('says which variable is missing', () => {
    expect(() => resolveCredentials('x.io', undefined, { TRUNKFARM_REGISTRY_USER: 'u' })).toThrow('TRUNKFARM_REGISTRY_PASSWORD is not');
  });
});
