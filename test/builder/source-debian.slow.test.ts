// The Debian fallback against this machine's real mirror: pgvector 0.8.0's upstream tarball, as
// Debian's pgvector source package carries it (sha256 from Debian's Sources index).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { fetchArchive, unpackSource } from '../../src/builder/source.ts';

it('fetches an upstream tarball from the Debian mirror when upstream is out of reach', async () => {
  const work = mkdtempSync(join(tmpdir(), 'tf-debsrc-'));
  const src = {
    // .invalid never resolves (RFC 2606): an upstream out of reach.
    url: 'https://upstream.invalid/pgvector/pgvector/archive/refs/tags/v0.8.0.tar.gz',
    sha256: '867a2c328d4928a5a9d6f052cd3bc78c7d60228a9b914ad32aa3db88e9de27b0',
    debian: { package: 'pgvector', orig: 'pgvector_0.8.0.orig.tar.gz' },
  };
  const got = await fetchArchive(src, { cacheRoot: join(work, 'cache') });
  expect(got.from).toBe('debian');
  expect(got.url).toMatch(/\/pool\/main\/p\/pgvector\/pgvector_0\.8\.0\.orig\.tar\.gz$/);
  await unpackSource(got.path, join(work, 'build', 'pgvector'));
  expect(readdirSync(join(work, 'build', 'pgvector'))).toEqual(expect.arrayContaining(['Makefile', 'vector.control', 'src']));
  rmSync(work, { recursive: true, force: true });
}, 120_000);
