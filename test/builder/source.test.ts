import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.ts';
import { cacheRoot } from '../../src/cache/index.ts';
import { fetchArchive, fetchGit, fetchSource, unpackSource } from '../../src/builder/source.ts';

// A loopback HTTP server stands in for upstream hosts and for the Debian mirror's pool; it counts
// requests so that the tests can tell a cache hit from a download.
let server: Server;
let base: string;
/** A loopback URL nobody listens on: connection refused. */
let refused: string;
const files = new Map<string, Buffer>();
const hits = new Map<string, number>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = decodeURIComponent(req.url ?? '');
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const body = files.get(path);
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    if (path.includes('/truncated/')) {
      // Promise more than is sent, then hang up: an interrupted download.
      res.writeHead(200, { 'content-length': String(body.length * 2) });
      res.write(body);
      setTimeout(() => res.destroy(), 50);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  refused = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

let cache: string;
let work: string;
const scratch: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}
beforeEach(() => {
  work = tempDir('tf-source-');
  cache = join(work, 'cache');
  hits.clear();
});
afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** A real tarball with one top directory, built by tar. */
function makeTarball(name: string, content: Record<string, string>, compress = 'z'): Buffer {
  const dir = tempDir('tf-tarsrc-');
  for (const [file, text] of Object.entries(content)) {
    mkdirSync(join(dir, name, file, '..'), { recursive: true });
    writeFileSync(join(dir, name, file), text);
  }
  return execFileSync('tar', [`-c${compress}f`, '-', '-C', dir, name]);
}

function cacheEntries(sub: string): string[] {
  const dir = join(cache, 'sources', sub);
  return existsSync(dir) ? readdirSync(dir) : [];
}

describe('archive sources', () => {
  it('downloads once, stores the file under its sha256, and serves it from the cache after', async () => {
    const tar = makeTarball('ext-1.0', { 'ext.c': 'int x;' });
    files.set('/ext-1.0.tar.gz', tar);
    const src = { url: `${base}/ext-1.0.tar.gz`, sha256: sha256(tar) };

    const first = await fetchArchive(src, { cacheRoot: cache });
    expect(first.from).toBe('upstream');
    expect(first.path).toBe(join(cache, 'sources', 'sha256', sha256(tar)));
    expect(readFileSync(first.path).equals(tar)).toBe(true);

    const second = await fetchSource(src, { cacheRoot: cache });
    expect(second.from).toBe('cache');
    expect(second.path).toBe(first.path);
    expect(hits.get('/ext-1.0.tar.gz')).toBe(1);
    expect(cacheEntries('tmp')).toEqual([]);
  });

  it('fails on a checksum mismatch with both digests and leaves nothing in the cache', async () => {
    const tar = makeTarball('ext-1.0', { 'ext.c': 'int y;' });
    files.set('/evil.tar.gz', tar);
    const wrong = 'ab'.repeat(32);
    const err = await fetchArchive({ url: `${base}/evil.tar.gz`, sha256: wrong }, { cacheRoot: cache }).catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toContain(wrong);
    expect(err.message).toContain(sha256(tar));
    expect(cacheEntries('sha256')).toEqual([]);
    expect(cacheEntries('tmp')).toEqual([]);
  });

  it('rejects a sha256 that is not 64 hex digits before fetching anything', async () => {
    await expect(fetchArchive({ url: `${base}/x.tar.gz`, sha256: 'abc' }, { cacheRoot: cache })).rejects.toThrow(
      /invalid sha256 "abc"/,
    );
    expect(hits.size).toBe(0);
  });

  it('falls back to the Debian source package when upstream cannot be reached', async () => {
    const tar = makeTarball('pgvector-0.8.0', { 'vector.c': 'v' });
    files.set('/debian/pool/main/p/pgvector/pgvector_0.8.0.orig.tar.gz', tar);
    const logs: string[] = [];
    const got = await fetchArchive(
      {
        url: `${base}/upstream/v0.8.0.tar.gz`,
        sha256: sha256(tar),
        debian: { package: 'pgvector', orig: 'pgvector_0.8.0.orig.tar.gz' },
      },
      { cacheRoot: cache, mirror: `${base}/debian/`, log: (l) => logs.push(l) },
    );
    expect(got.from).toBe('debian');
    expect(got.url).toBe(`${base}/debian/pool/main/p/pgvector/pgvector_0.8.0.orig.tar.gz`);
    expect(hits.get('/upstream/v0.8.0.tar.gz')).toBe(1);
    expect(logs.join('\n')).toMatch(/cannot be reached \(HTTP 404\)/);
    // Next time it is a cache hit: neither server is asked again.
    const again = await fetchArchive(
      { url: `${base}/upstream/v0.8.0.tar.gz`, sha256: sha256(tar), debian: { package: 'pgvector', orig: 'pgvector_0.8.0.orig.tar.gz' } },
      { cacheRoot: cache, mirror: `${base}/debian` },
    );
    expect(again.from).toBe('cache');
    expect(hits.get('/upstream/v0.8.0.tar.gz')).toBe(1);
  });

  it('finds lib* packages under their four-letter pool prefix', async () => {
    const tar = makeTarball('libfoo-1', { a: 'a' });
    files.set('/debian/pool/main/libf/libfoo/libfoo_1.orig.tar.xz', tar);
    const got = await fetchArchive(
      { url: `${refused}/unreachable.tar.gz`, sha256: sha256(tar), debian: { package: 'libfoo', orig: 'libfoo_1.orig.tar.xz' } },
      { cacheRoot: cache, mirror: `${base}/debian` },
    );
    expect(got.from).toBe('debian');
  });

  it('still requires the sha256 of the Debian copy to match', async () => {
    files.set('/debian/pool/main/o/other/other_1.orig.tar.gz', makeTarball('other-1', { a: 'different' }));
    const want = sha256(makeTarball('other-1', { a: 'upstream' }));
    const err = await fetchArchive(
      { url: `${refused}/other.tar.gz`, sha256: want, debian: { package: 'other', orig: 'other_1.orig.tar.gz' } },
      { cacheRoot: cache, mirror: `${base}/debian` },
    ).catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(new RegExp(`sha256 mismatch for .*other_1\\.orig\\.tar\\.gz: expected ${want}, got [0-9a-f]{64}`));
    expect(cacheEntries('sha256')).toEqual([]);
  });

  it('says why when neither upstream nor the Debian copy can be had', async () => {
    const err = await fetchArchive(
      { url: `${refused}/gone.tar.gz`, sha256: 'cd'.repeat(32), debian: { package: 'gone', orig: 'gone_1.orig.tar.gz' } },
      { cacheRoot: cache, mirror: `${base}/debian` },
    ).catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toBe(
      `cannot fetch ${refused}/gone.tar.gz (connection refused) nor its Debian copy ` +
        `${base}/debian/pool/main/g/gone/gone_1.orig.tar.gz (HTTP 404)`,
    );
  });

  it('without a Debian fallback, an unreachable upstream is an error', async () => {
    await expect(
      fetchArchive({ url: `${base}/missing.tar.gz`, sha256: 'ef'.repeat(32) }, { cacheRoot: cache }),
    ).rejects.toThrow(/HTTP 404/);
    expect(cacheEntries('sha256')).toEqual([]);
  });

  it('leaves nothing behind when a download breaks off', async () => {
    const tar = makeTarball('cut-1', { a: 'x'.repeat(5000) });
    files.set('/truncated/cut.tar.gz', tar);
    await expect(
      fetchArchive({ url: `${base}/truncated/cut.tar.gz`, sha256: sha256(tar) }, { cacheRoot: cache }),
    ).rejects.toThrow(/download interrupted/);
    expect(cacheEntries('sha256')).toEqual([]);
    expect(cacheEntries('tmp')).toEqual([]);
  });

  it('fetches again when a cached file was damaged', async () => {
    const tar = makeTarball('dmg-1', { a: 'a' });
    files.set('/dmg.tar.gz', tar);
    const src = { url: `${base}/dmg.tar.gz`, sha256: sha256(tar) };
    const first = await fetchArchive(src, { cacheRoot: cache });
    writeFileSync(first.path, 'garbage');
    const second = await fetchArchive(src, { cacheRoot: cache });
    expect(second.from).toBe('upstream');
    expect(readFileSync(second.path).equals(tar)).toBe(true);
  });

  it('puts the cache under TRUNKFARM_CACHE, or .cache in the working directory', () => {
    expect(cacheRoot({}, '/w')).toBe('/w/.cache');
    expect(cacheRoot({ TRUNKFARM_CACHE: '/c' }, '/w')).toBe('/c');
    expect(cacheRoot({ TRUNKFARM_CACHE: 'rel' }, '/w')).toBe('/w/rel');
  });
});

describe('git sources', () => {
  let repo: string;
  let first: string;
  let second: string;
  const gitEnv = {
    ...process.env,
    GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.org', GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z',
    GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.org', GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z',
  };
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { env: gitEnv }).toString().trim();

  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'tf-gitrepo-'));
    execFileSync('git', ['init', '--quiet', '-b', 'main', repo]);
    writeFileSync(join(repo, 'ext.c'), 'int version = 1;\n');
    git('add', '.');
    git('commit', '--quiet', '-m', 'one');
    first = git('rev-parse', 'HEAD');
    writeFileSync(join(repo, 'ext.c'), 'int version = 2;\n');
    git('commit', '--quiet', '-am', 'two');
    second = git('rev-parse', 'HEAD');
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it('archives the given commit, keyed by commit, the same bytes every time', async () => {
    const got = await fetchGit({ git: `file://${repo}`, commit: first }, { cacheRoot: cache });
    expect(got.path).toBe(join(cache, 'sources', 'git', `${first}.tar`));
    expect(execFileSync('tar', ['-xOf', got.path, 'src/ext.c']).toString()).toBe('int version = 1;\n');

    const again = await fetchSource({ git: `file://${repo}`, commit: first }, { cacheRoot: cache });
    expect(again.from).toBe('cache');

    const elsewhere = await fetchGit({ git: `file://${repo}`, commit: first }, { cacheRoot: join(work, 'other') });
    expect(elsewhere.from).toBe('upstream');
    expect(elsewhere.sha256).toBe(got.sha256);

    const later = await fetchGit({ git: `file://${repo}`, commit: second }, { cacheRoot: cache });
    expect(execFileSync('tar', ['-xOf', later.path, 'src/ext.c']).toString()).toBe('int version = 2;\n');
    expect(cacheEntries('tmp')).toEqual([]);
  });

  it('refuses a commit that is not a full id, and one the repository lacks', async () => {
    await expect(fetchGit({ git: `file://${repo}`, commit: first.slice(0, 12) }, { cacheRoot: cache })).rejects.toThrow(
      /expected 40 hex digits/,
    );
    const absent = 'f'.repeat(40);
    await expect(fetchGit({ git: `file://${repo}`, commit: absent }, { cacheRoot: cache })).rejects.toThrow(
      new RegExp(`commit ${absent} is not in`),
    );
    expect(cacheEntries('git')).toEqual([]);
    expect(cacheEntries('tmp')).toEqual([]);
  });
});

describe('unpacking', () => {
  for (const compress of ['z', 'j', 'J']) {
    it(`strips the top directory (tar -${compress})`, async () => {
      const tar = makeTarball('proj-2.1', { 'Makefile': 'all:', 'src/a.c': 'a' }, compress);
      const file = join(work, 'proj.tar');
      writeFileSync(file, tar);
      await unpackSource(file, join(work, 'build', 'proj'));
      expect(readFileSync(join(work, 'build', 'proj', 'Makefile'), 'utf8')).toBe('all:');
      expect(readFileSync(join(work, 'build', 'proj', 'src', 'a.c'), 'utf8')).toBe('a');
      expect(readdirSync(join(work, 'build'))).toEqual(['proj']);
    });
  }

  it('keeps a tarball without a single top directory as it is', async () => {
    const dir = tempDir('tf-flat-');
    writeFileSync(join(dir, 'a.sql'), 'select 1;');
    writeFileSync(join(dir, 'b.control'), 'x');
    const file = join(work, 'flat.tar');
    execFileSync('tar', ['-cf', file, '-C', dir, 'a.sql', 'b.control']);
    await unpackSource(file, join(work, 'flat'));
    expect(readdirSync(join(work, 'flat')).sort()).toEqual(['a.sql', 'b.control']);
  });

  it('refuses to unpack over an existing directory, and leaves nothing from a bad tarball', async () => {
    mkdirSync(join(work, 'there'));
    const file = join(work, 'x.tar');
    writeFileSync(file, makeTarball('x', { a: 'a' }));
    await expect(unpackSource(file, join(work, 'there'))).rejects.toThrow(/exists already/);

    writeFileSync(join(work, 'bad.tar'), 'not a tarball at all');
    await expect(unpackSource(join(work, 'bad.tar'), join(work, 'out', 'bad'))).rejects.toThrow(/not a readable tarball/);
    expect(readdirSync(join(work, 'out'))).toEqual([]);
  });
});
