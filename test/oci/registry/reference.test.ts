import { describe, expect, it } from 'vitest';
import { formatReference, isLoopback, parseReference } from '../../../src/oci/index.ts';
import { registryBaseUrl } from '../../../src/oci/registry/reference.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('parseReference', () => {
  it('reads host, port, repository, tag and digest', () => {
    expect(parseReference('127.0.0.1:5000/ns/app')).toEqual({ registry: '127.0.0.1:5000', repository: 'ns/app' });
    expect(parseReference('ghcr.io/org/ext/pgvector:0.8.0-pg17')).toEqual({ registry: 'ghcr.io', repository: 'org/ext/pgvector', tag: '0.8.0-pg17' });
    expect(parseReference(`localhost/app@${DIGEST}`)).toEqual({ registry: 'localhost', repository: 'app', digest: DIGEST });
    expect(parseReference(`[::1]:5000/a/b:v1@${DIGEST}`)).toEqual({ registry: '[::1]:5000', repository: 'a/b', tag: 'v1', digest: DIGEST });
    expect(parseReference('GHCR.io/org/x').registry).toBe('ghcr.io');
  });

  it('round-trips through formatReference', () => {
    for (const text of ['ghcr.io/a/b', 'ghcr.io/a/b:t', `ghcr.io/a/b:t@${DIGEST}`, 'r.example:443/a.b/c__d/e-f']) {
      expect(formatReference(parseReference(text))).toBe(text);
    }
  });

  it.each([
    ['', 'empty'],
    ['app:latest', 'names no repository'],
    ['docker/app', 'not a registry host'],
    ['https://ghcr.io/a/b', 'URL scheme'],
    ['ghcr.io/Org/app', 'lower-case'],
    ['ghcr.io/a//b', 'component'],
    ['ghcr.io/a/b:-bad', 'not a valid tag'],
    ['ghcr.io/a/b@sha256:abc', 'not a sha256'],
    ['host:99999/a', 'host[:port]'],
    [`ghcr.io/${'a'.repeat(256)}`, 'longer than 255'],
  ])('rejects %j (%s)', (text, why) => {
    expect(() => parseReference(text)).toThrow(why);
  });
});

describe('plain HTTP only for loopback', () => {
  it('tells loopback hosts apart', () => {
    expect(isLoopback('localhost:5000')).toBe(true);
    expect(isLoopback('127.0.0.1:5000')).toBe(true);
    expect(isLoopback('127.1.2.3')).toBe(true);
    expect(isLoopback('[::1]:5000')).toBe(true);
    expect(isLoopback('ghcr.io')).toBe(false);
    expect(isLoopback('127.0.0.1.example.org')).toBe(false);
  });

  it('picks the scheme, and the override wins', () => {
    expect(registryBaseUrl('127.0.0.1:5000').href).toBe('http://127.0.0.1:5000/');
    expect(registryBaseUrl('ghcr.io').href).toBe('https://ghcr.io/');
    expect(registryBaseUrl('registry.lan:5000', true).href).toBe('http://registry.lan:5000/');
    expect(registryBaseUrl('localhost:5000', false).href).toBe('https://localhost:5000/');
    expect(registryBaseUrl('docker.io').host).toBe('registry-1.docker.io');
  });
});
