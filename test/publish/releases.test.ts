// GitHub Releases publishing. GitHub's API cannot be reached from the test machine, so these tests
// drive the real octokit client (createGitHubClient: throttling and retry plugins as in production)
// against test/support/github-standin.ts, a loopback HTTP stand-in of exactly the endpoints used,
// and check what the stand-in stored: releases, asset bytes, bytes received by the upload endpoint.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.ts';
import { createGitHubClient, type GitHubClient } from '../../src/github/api.ts';
import { publishRelease, releaseTag, releaseTitle, type PublishReleaseOptions } from '../../src/publish/releases.ts';
import { startGitHubStandin, type GitHubStandin, type StandinOptions } from '../support/github-standin.ts';

const OWNER = 'farm';
const REPO = 'packages';
const TAG = 'pgvector-v0.8.0';
const NAMES = [
  'pgvector-0.8.0+pg17-gnulinux-amd64.trunk',
  'pgvector-0.8.0+pg17-gnulinux-amd64.trunk.sigstore.json',
  'pgvector-0.8.0+pg17-gnulinux-arm64.trunk',
  'pgvector-0.8.0+pg17-gnulinux-arm64.trunk.sigstore.json',
];

let standin: GitHubStandin;
let dir: string;
let logs: string[];
let files: Map<string, Buffer>;

async function setup(options: StandinOptions = {}) {
  standin = await startGitHubStandin(options);
}

function client(extra: Parameters<typeof createGitHubClient>[0] = {}): GitHubClient {
  return createGitHubClient({ token: standin.token, baseUrl: standin.apiUrl, log: (l) => logs.push(l), ...extra });
}

function options(names: readonly string[] = NAMES, extra: Partial<PublishReleaseOptions> = {}): PublishReleaseOptions {
  return {
    owner: OWNER,
    repo: REPO,
    tag: TAG,
    name: releaseTitle('pgvector', '0.8.0'),
    body: 'pgvector 0.8.0 for every platform',
    assets: names.map((n) => ({ path: path.join(dir, n) })),
    ...extra,
  };
}

const writes = () => standin.state.requests.filter((r) => r.method !== 'GET').length;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'trunkfarm-releases-'));
  logs = [];
  files = new Map();
  for (const [i, name] of NAMES.entries()) {
    const bytes = name.endsWith('.json') ? Buffer.from(JSON.stringify({ mediaType: 'bundle', n: i })) : randomBytes(150_000 + i);
    files.set(name, bytes);
    await writeFile(path.join(dir, name), bytes);
  }
});

afterEach(async () => {
  await standin?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('releaseTag', () => {
  it('names a release {extension}-v{version}', () => {
    expect(releaseTag('pgvector', '0.8.0')).toBe('pgvector-v0.8.0');
    expect(releaseTag('pg_cron', '1.6.4-beta.1')).toBe('pg_cron-v1.6.4-beta.1');
    expect(() => releaseTag('bad name', '1.0.0')).toThrow(UserError);
    expect(() => releaseTag('x', '1..0')).toThrow(/not a plain git tag name/);
  });
});

describe('publishRelease', () => {
  it('creates the release and uploads every file to the upload origin', async () => {
    await setup();
    const result = await publishRelease(client(), options());

    expect(result.created).toBe(true);
    expect(result.tag).toBe(TAG);
    const release = standin.release(OWNER, REPO, TAG)!;
    expect(release.name).toBe('pgvector 0.8.0');
    expect(release.makeLatest).toBe('false');
    expect(release.assets.map((a) => a.name)).toEqual(NAMES);
    for (const a of release.assets) {
      expect(a.bytes.equals(files.get(a.name)!)).toBe(true);
      expect(a.contentType).toBe(a.name.endsWith('.trunk') ? 'application/gzip' : 'application/json');
    }
    const total = [...files.values()].reduce((n, b) => n + b.length, 0);
    expect(result.uploadedBytes).toBe(total);
    expect(standin.state.uploadedBytes).toBe(total);
    // Uploads went where the release's upload_url points, not to the API origin.
    expect(standin.count({ origin: 'uploads', method: 'POST', path: /\/assets$/ })).toBe(4);
    expect(standin.count({ origin: 'api', method: 'POST', path: /\/assets$/ })).toBe(0);

    expect(result.assets.map((a) => a.action)).toEqual(['uploaded', 'uploaded', 'uploaded', 'uploaded']);
    // The returned URLs serve the bytes.
    const first = result.assets[0]!;
    const downloaded = Buffer.from(await (await fetch(first.url)).arrayBuffer());
    expect(downloaded.equals(files.get(first.name)!)).toBe(true);
    expect(standin.state.unhandled).toEqual([]);
  });

  it('re-running uploads nothing: every asset has the same digest', async () => {
    await setup();
    const first = await publishRelease(client(), options());
    const before = { bytes: standin.state.uploadedBytes, writes: writes() };

    const again = await publishRelease(client(), options());
    expect(again.created).toBe(false);
    expect(again.assets.map((a) => a.action)).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
    expect(again.uploadedBytes).toBe(0);
    expect(standin.state.uploadedBytes).toBe(before.bytes);
    expect(writes()).toBe(before.writes);
    expect(again.assets.map((a) => a.url)).toEqual(first.assets.map((a) => a.url));
  });

  it('compares by downloading when GitHub reports no digest', async () => {
    await setup({ assetDigests: false });
    await publishRelease(client(), options());
    const bytes = standin.state.uploadedBytes;

    const again = await publishRelease(client(), options());
    expect(again.assets.every((a) => a.action === 'skipped')).toBe(true);
    expect(standin.state.uploadedBytes).toBe(bytes);
    // Each asset fetched through the asset API's redirect to its download URL.
    expect(standin.count({ method: 'GET', path: /\/releases\/assets\/\d+$/ })).toBe(4);
    expect(standin.count({ method: 'GET', path: /\/releases\/download\// })).toBe(4);

    await writeFile(path.join(dir, NAMES[0]!), 'changed');
    await expect(publishRelease(client(), options())).rejects.toThrow(/different content/);
  });

  it('refuses an asset whose content changed, naming both digests, and uploads nothing', async () => {
    await setup();
    await publishRelease(client(), options());
    const oldSha = (await publishRelease(client(), options())).assets[2]!.sha256;
    await writeFile(path.join(dir, NAMES[2]!), 'rebuilt differently');
    const before = { bytes: standin.state.uploadedBytes, writes: writes() };

    const err = await publishRelease(client(), options()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    const message = (err as Error).message;
    expect(message).toContain(NAMES[2]);
    expect(message).toContain(`sha256:${oldSha}`);
    expect(message).toMatch(/has sha256:[0-9a-f]{64}$/m);
    expect(message).toContain('--replace');
    expect(standin.state.uploadedBytes).toBe(before.bytes);
    expect(writes()).toBe(before.writes);
    expect(standin.release(OWNER, REPO, TAG)!.assets.find((a) => a.name === NAMES[2])!.bytes.equals(files.get(NAMES[2]!)!)).toBe(true);
  });

  it('with replace, deletes and re-uploads only the changed asset', async () => {
    await setup();
    await publishRelease(client(), options());
    await writeFile(path.join(dir, NAMES[2]!), 'rebuilt differently');
    const before = standin.state.uploadedBytes;

    const result = await publishRelease(client(), options(NAMES, { replace: true }));
    expect(result.assets.map((a) => a.action)).toEqual(['skipped', 'skipped', 'replaced', 'skipped']);
    expect(result.uploadedBytes).toBe('rebuilt differently'.length);
    expect(standin.state.uploadedBytes - before).toBe('rebuilt differently'.length);
    const assets = standin.release(OWNER, REPO, TAG)!.assets;
    expect(assets.filter((a) => a.name === NAMES[2]).map((a) => a.bytes.toString())).toEqual(['rebuilt differently']);
    expect(assets).toHaveLength(4);
    expect(standin.count({ method: 'DELETE', path: /\/releases\/assets\// })).toBe(1);
  });

  it('two jobs creating the release at once end with one release holding both sets of files', async () => {
    await setup();
    // Both creates arrive before either is answered: each job saw no release and tries to make it.
    standin.hold({ method: 'POST', path: /\/releases$/ }, 2);
    const [a, b] = await Promise.all([
      publishRelease(client(), options(NAMES.slice(0, 2))),
      publishRelease(client(), options(NAMES.slice(2))),
    ]);

    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(a.id).toBe(b.id);
    expect(standin.state.releases.filter((r) => r.tag === TAG)).toHaveLength(1);
    const creates = standin.state.requests.filter((r) => r.method === 'POST' && /\/releases$/.test(r.path));
    expect(creates.map((r) => r.status).sort()).toEqual([201, 422]);
    expect(standin.release(OWNER, REPO, TAG)!.assets.map((x) => x.name).sort()).toEqual([...NAMES].sort());
  });

  it('recovers from an upload that failed upstream and left a starter asset', async () => {
    await setup();
    standin.fault({ origin: 'uploads', method: 'POST', path: /\/assets$/ }, 'upload-fails-upstream');
    const result = await publishRelease(client(), options(NAMES.slice(0, 1)));

    // 502 (retried by the client) -> 422 already_exists -> the starter asset is deleted -> upload.
    expect(result.assets[0]!.action).toBe('uploaded');
    const assets = standin.release(OWNER, REPO, TAG)!.assets;
    expect(assets).toHaveLength(1);
    expect(assets[0]!.state).toBe('uploaded');
    expect(assets[0]!.bytes.equals(files.get(NAMES[0]!)!)).toBe(true);
    expect(standin.state.requests.filter((r) => r.origin === 'uploads').map((r) => r.status)).toEqual([502, 422, 201]);
  });

  it('checks asset names before any request', async () => {
    await setup();
    await writeFile(path.join(dir, 'bad name~1.trunk'), 'x');
    await expect(publishRelease(client(), options(['bad name~1.trunk']))).rejects.toThrow(/may only use letters, digits/);
    await expect(publishRelease(client(), options(['missing.trunk']))).rejects.toThrow(/missing\.trunk: no such file/);
    await expect(
      publishRelease(client(), { ...options([]), assets: [{ path: path.join(dir, NAMES[0]!) }, { path: path.join(dir, NAMES[1]!), name: NAMES[0] }] }),
    ).rejects.toThrow(/two release assets would be named/);
    expect(standin.state.requests).toEqual([]);
  });
});

describe('GitHub client', () => {
  it('needs a token, and says so when GitHub refuses it', async () => {
    await setup();
    const saved = process.env.GITHUB_TOKEN;
    delete process.env.GITHUB_TOKEN;
    try {
      expect(() => createGitHubClient({ baseUrl: standin.apiUrl })).toThrow(/GITHUB_TOKEN is not set/);
    } finally {
      if (saved !== undefined) process.env.GITHUB_TOKEN = saved;
    }
    await expect(publishRelease(client({ token: 'wrong' }), options())).rejects.toThrow(/failed with 401: Bad credentials: the token was refused/);
  });

  it('takes the API root from GITHUB_API_URL', async () => {
    await setup();
    const saved = process.env.GITHUB_API_URL;
    process.env.GITHUB_API_URL = `${standin.apiUrl}/`;
    try {
      const github = createGitHubClient({ token: standin.token, log: (l) => logs.push(l) });
      await publishRelease(github, options(NAMES.slice(0, 1)));
    } finally {
      if (saved === undefined) delete process.env.GITHUB_API_URL;
      else process.env.GITHUB_API_URL = saved;
    }
    expect(standin.release(OWNER, REPO, TAG)!.assets).toHaveLength(1);
  });

  it('waits out a primary rate limit (403, x-ratelimit-remaining: 0) and retries, with a log line', async () => {
    await setup();
    standin.fault({ method: 'GET', path: /\/releases\/tags\// }, 'rate-limit');
    await publishRelease(client(), options(NAMES.slice(0, 1)));
    expect(standin.count({ method: 'GET', path: /\/releases\/tags\// })).toBe(2);
    expect(logs.some((l) => /rate limit on GET .*: retrying in 1 s \(retry 1 of 3\)/.test(l))).toBe(true);
  });

  it('waits out a secondary rate limit (429, retry-after) and retries', async () => {
    await setup();
    standin.fault({ method: 'POST', path: /\/releases$/ }, 'secondary-rate-limit');
    await publishRelease(client(), options(NAMES.slice(0, 1)));
    const creates = standin.state.requests.filter((r) => r.method === 'POST' && /\/releases$/.test(r.path));
    expect(creates.map((r) => r.status)).toEqual([429, 201]);
    expect(logs.some((l) => /secondary rate limit on POST .*: retrying in 1 s/.test(l))).toBe(true);
  });

  it('retries a server error', async () => {
    await setup();
    standin.fault({ method: 'GET', path: /\/releases\/\d+\/assets$/ }, 'server-error');
    const result = await publishRelease(client(), options(NAMES.slice(0, 1)));
    expect(result.assets[0]!.action).toBe('uploaded');
    const lists = standin.state.requests.filter((r) => r.method === 'GET' && /\/assets$/.test(r.path));
    expect(lists.map((r) => r.status)).toEqual([500, 200]);
  });

  it('gives up after the configured number of rate-limit retries, with a clear error', async () => {
    await setup();
    standin.fault({ method: 'GET', path: /\/releases\/tags\// }, 'rate-limit', 5);
    const err = await publishRelease(client({ rateLimitRetries: 1 }), options()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/looking up release pgvector-v0\.8\.0 of farm\/packages failed with 403: API rate limit exceeded/);
    expect(standin.count({ method: 'GET', path: /\/releases\/tags\// })).toBe(2);
    expect(logs.some((l) => /giving up after 1 retries/.test(l))).toBe(true);
  });
});
