// Authentication against a real registry: htpasswd (Basic) and token auth (Bearer, with a token
// server on loopback that the registry trusts), the flows ghcr.io and Docker Hub use.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, headManifest, pushLayout, UserError } from './imports.ts';
import { startRegistry } from '../registry-server.ts';
import type { RegistryServer } from '../registry-server.ts';
import { addImage } from './fixtures.ts';
import { startTokenServer } from './token-server.ts';
import type { TokenServer } from './token-server.ts';

let scratch: string;
let layoutDir: string;
let topDigest: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'trunkfarm-auth-'));
  layoutDir = path.join(scratch, 'layout');
  topDigest = (await addImage(layoutDir, { tag: 'a', layers: [20_000, 30_000] })).top.digest;
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('Basic auth (htpasswd)', () => {
  let registry: RegistryServer;
  beforeAll(async () => {
    registry = await startRegistry({ users: { alice: 's3cret' } });
  });
  afterAll(async () => registry?.stop());

  it('pushes with credentials from the options', async () => {
    const result = await pushLayout(layoutDir, `${registry.host}/team/app`, { credentials: { username: 'alice', password: 's3cret' } });
    expect(result.manifests[0]!.digest).toBe(topDigest);
  });

  it('pushes with credentials from TRUNKFARM_REGISTRY_USER/PASSWORD', async () => {
    const result = await pushLayout(layoutDir, `${registry.host}/team/env`, { env: { TRUNKFARM_REGISTRY_USER: 'alice', TRUNKFARM_REGISTRY_PASSWORD: 's3cret' } });
    expect(result.stats.tagsMoved).toBe(1);
  });

  it('says credentials are needed, and where to put them', async () => {
    const err = await pushLayout(layoutDir, `${registry.host}/team/none`, { env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe(`registry ${registry.host} requires credentials: pass them in the client options or set TRUNKFARM_REGISTRY_USER and TRUNKFARM_REGISTRY_PASSWORD`);
  });

  it('says the credentials were refused', async () => {
    const err = await pushLayout(layoutDir, `${registry.host}/team/wrong`, { credentials: { username: 'alice', password: 'nope' } }).catch((e: unknown) => e);
    // A HEAD answer has no body, hence no error codes.
    expect((err as Error).message).toMatch(/^check blob sha256:[0-9a-f]{64} in 127\.0\.0\.1:\d+\/team\/wrong: HEAD \S+ answered 401 Unauthorized; the registry refused the credentials of "alice"$/);
  });
});

describe('token auth (Bearer)', () => {
  let tokens: TokenServer;
  let registry: RegistryServer;
  beforeAll(async () => {
    tokens = await startTokenServer({ users: { bob: 'pa55' }, anonymousPull: true });
    registry = await startRegistry({ token: { realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, rootCertBundle: tokens.certFile } });
  });
  afterAll(async () => {
    await registry?.stop();
    await tokens?.stop();
  });

  it('gets a token per scope from the realm, caches it, and pushes', async () => {
    tokens.requests.length = 0;
    const client = createClient({ credentials: { username: 'bob', password: 'pa55' } });
    try {
      const result = await pushLayout(layoutDir, `${registry.host}/team/app`, { client });
      expect(result.manifests[0]!.digest).toBe(topDigest);
      // One token for the whole push, asked with the service and the push scope.
      expect(tokens.requests).toEqual([{ user: 'bob', scopes: ['repository:team/app:pull,push'], granted: ['repository:team/app:pull,push'] }]);
      expect(result.stats.tokenRequests).toBe(1);
      expect(result.stats.requests).toBeGreaterThan(8);

      // Re-pushing reuses the cached token; a mount needs pull on the source too: a new scope.
      const again = await pushLayout(layoutDir, `${registry.host}/team/app`, { client });
      expect(again.stats.tokenRequests).toBe(0);
      const mounted = await pushLayout(layoutDir, `${registry.host}/team/copy`, { client });
      expect(mounted.stats.blobsMounted).toBe(3);
      expect(tokens.requests.slice(1).map((r) => r.scopes)).toContainEqual(['repository:team/app:pull', 'repository:team/copy:pull,push']);
    } finally {
      client.close();
    }
  });

  it('pulls anonymously where the token server allows it, as for public images', async () => {
    const client = createClient({ env: {} });
    try {
      const info = await headManifest(client, { registry: registry.host, repository: 'team/app' }, 'a');
      expect(info?.digest).toBe(topDigest);
      expect(tokens.requests.at(-1)).toEqual({ user: undefined, scopes: ['repository:team/app:pull'], granted: ['repository:team/app:pull'] });
    } finally {
      client.close();
    }
  });

  it('fails clearly when the token grants no push', async () => {
    const err = await pushLayout(layoutDir, `${registry.host}/team/anon`, { env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toContain(`registry ${registry.host} requires credentials`);
    expect((err as Error).message).toMatch(/answered 401/);
  });

  it('says the token server refused the credentials', async () => {
    const err = await pushLayout(layoutDir, `${registry.host}/team/app`, { credentials: { username: 'bob', password: 'bad' } }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^get a token for repository:team\/app:pull,push from http:\/\/127\.0\.0\.1:\d+\/token: GET 127\.0\.0\.1:\d+\/token answered 401 Unauthorized: UNAUTHORIZED \(invalid username or password\); the token server rejected the credentials of "bob"$/);
  });

  it('fetches a new token when the cached one has expired', async () => {
    const shortLived = await startTokenServer({ users: { bob: 'pa55' }, expiresIn: 1 });
    const reg = await startRegistry({ token: { realm: shortLived.realm, service: shortLived.service, issuer: shortLived.issuer, rootCertBundle: shortLived.certFile } });
    const client = createClient({ credentials: { username: 'bob', password: 'pa55' } });
    try {
      await pushLayout(layoutDir, `${reg.host}/team/app`, { client });
      const first = shortLived.requests.length;
      // A one-second token is renewed before each use once half its life is gone.
      await new Promise((r) => setTimeout(r, 1100));
      await headManifest(client, { registry: reg.host, repository: 'team/app' }, 'a', { push: true });
      expect(shortLived.requests.length).toBe(first + 1);
    } finally {
      client.close();
      await reg.stop();
      await shortLived.stop();
    }
  });
});
