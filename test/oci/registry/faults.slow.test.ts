// The client against a registry behind a fault-injecting proxy: dropped connections, cut bodies,
// lost answers, 5xx, 429 with Retry-After, stalls. A push either completes with the right digests
// or fails with an error naming what failed, and a second run finishes the job.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, headManifest, pushLayout, RegistryError, UserError } from './imports.ts';
import type { PushOptions } from './imports.ts';
import { startRegistry } from '../registry-server.ts';
import type { RegistryServer } from '../registry-server.ts';
import { startFaultProxy } from './fault-proxy.ts';
import type { FaultProxy, LogEntry } from './fault-proxy.ts';
import { addImage } from './fixtures.ts';
import type { MadeImage } from './fixtures.ts';

const CHUNK = 256 * 1024;
// Quick retries so that the tests stay short; the policy is the same as in production.
const FAST: PushOptions = { chunkSize: CHUNK, retry: { attempts: 6, baseDelayMs: 20, maxDelayMs: 200 }, timeoutMs: 1000 };

let registry: RegistryServer;
let proxy: FaultProxy;
let scratch: string;
let dir: string;
let image: MadeImage;
let repoCount = 0;

beforeAll(async () => {
  registry = await startRegistry();
  scratch = await mkdtemp(path.join(tmpdir(), 'trunkfarm-faults-'));
  dir = path.join(scratch, 'layout');
  // A 700 kB layer (three chunks), small layers and configs, under a two-platform index.
  image = await addImage(dir, {
    tag: 'v1',
    layers: [700_000, 30_000],
    platforms: [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ],
  });
});

afterAll(async () => {
  await registry?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

afterEach(async () => {
  await proxy?.stop();
});

async function freshRepo(): Promise<{ viaProxy: string; direct: string; name: string }> {
  proxy = await startFaultProxy(registry.host);
  const name = `faults/r${++repoCount}`;
  return { viaProxy: `${proxy.host}/${name}`, direct: `${registry.host}/${name}`, name };
}

/** What skopeo sees under the tag, and that every blob of it can be copied out. */
async function checkComplete(ref: string, made: MadeImage = image): Promise<string> {
  const out = await mkdtemp(path.join(scratch, 'copy-'));
  execFileSync('skopeo', ['copy', '--all', '--preserve-digests', '--src-tls-verify=false', `docker://${ref}`, `oci:${out}:x`], { stdio: 'ignore' });
  const index = JSON.parse(await readFile(path.join(out, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const blobs = new Set((await readdir(path.join(out, 'blobs', 'sha256'))).map((h) => `sha256:${h}`));
  for (const blob of made.blobs) expect(blobs.has(blob.digest)).toBe(true);
  return index.manifests[0]!.digest;
}

const bigLayer = () => image.blobs[0]!;
const uploadsOf = (log: LogEntry[], method: string) => log.filter((e) => e.method === method && e.path.includes('/blobs/uploads/'));

describe('faults between client and registry', () => {
  it('retries 5xx answers and finishes with the right digests', async () => {
    const repo = await freshRepo();
    proxy.options.rules = [
      { method: 'HEAD', path: /\/blobs\//, times: 1, fault: { kind: 'status', status: 502 } },
      { method: 'POST', path: /\/blobs\/uploads\/$/, times: 2, fault: { kind: 'status', status: 500 } },
      { method: 'PUT', path: /\/manifests\/sha256:/, times: 1, fault: { kind: 'status', status: 503 } },
    ];
    const result = await pushLayout(dir, repo.viaProxy, FAST);
    expect(result.stats.retries).toBeGreaterThanOrEqual(4);
    expect(proxy.log.filter((e) => e.fault === 'status')).toHaveLength(4);
    expect(await checkComplete(`${repo.direct}:v1`)).toBe(image.top.digest);
  });

  it('waits as long as a 429 Retry-After asks', async () => {
    const repo = await freshRepo();
    proxy.options.rules = [{ method: 'PUT', path: /\/manifests\/v1$/, times: 1, fault: { kind: 'status', status: 429, retryAfter: '1' } }];
    await pushLayout(dir, repo.viaProxy, FAST);
    const puts = proxy.log.filter((e) => e.method === 'PUT' && e.path.endsWith('/manifests/v1'));
    expect(puts.map((p) => p.status)).toEqual([429, 201]);
    expect(puts[1]!.at - puts[0]!.at).toBeGreaterThanOrEqual(950);
    expect(await checkComplete(`${repo.direct}:v1`)).toBe(image.top.digest);
  });

  it('resumes a chunked upload from where the registry got to', async () => {
    const repo = await freshRepo();
    // The third chunk is refused before it reaches the registry: resume, don't restart.
    proxy.options.rules = [{ method: 'PATCH', nth: 3, fault: { kind: 'status', status: 503 } }];
    const result = await pushLayout(dir, repo.viaProxy, FAST);
    const patches = uploadsOf(proxy.log, 'PATCH');
    const status = uploadsOf(proxy.log, 'GET');
    expect(status).toHaveLength(1);
    expect(status[0]!.status).toBe(204);
    expect(patches.filter((p) => p.status === 202).reduce((n, p) => n + p.forwarded, 0)).toBe(bigLayer().size);
    // One upload session per blob uploaded: nothing was started over.
    expect(uploadsOf(proxy.log, 'POST')).toHaveLength(result.stats.blobsUploaded);
    expect(await checkComplete(`${repo.direct}:v1`)).toBe(image.top.digest);
  });

  it('starts an upload over when a chunk was cut off half-way', async () => {
    const repo = await freshRepo();
    proxy.options.rules = [{ method: 'PATCH', nth: 2, fault: { kind: 'cut', afterBytes: 100_000 } }];
    const result = await pushLayout(dir, repo.viaProxy, FAST);
    // The registry cannot say how much of the cut chunk it kept: a fresh session for that blob.
    expect(uploadsOf(proxy.log, 'POST')).toHaveLength(result.stats.blobsUploaded + 1);
    const unique = new Map(image.blobs.map((b) => [b.digest, b.size]));
    // The chunk that went through before the cut is sent again.
    expect(result.stats.blobBytesUploaded).toBeGreaterThanOrEqual([...unique.values()].reduce((n, s) => n + s, 0) + CHUNK);
    expect(await checkComplete(`${repo.direct}:v1`)).toBe(image.top.digest);
  });

  it('survives answers lost after the registry acted', async () => {
    const repo = await freshRepo();
    proxy.options.rules = [
      { method: 'PUT', path: /\/blobs\/uploads\//, times: 2, fault: { kind: 'lose-answer' } },
      { method: 'PUT', path: /\/manifests\//, times: 2, fault: { kind: 'lose-answer' } },
      { method: 'PATCH', nth: 1, fault: { kind: 'lose-answer' } },
    ];
    await pushLayout(dir, repo.viaProxy, FAST);
    expect(proxy.log.filter((e) => e.fault === 'lose-answer')).toHaveLength(5);
    expect(await checkComplete(`${repo.direct}:v1`)).toBe(image.top.digest);
  });

  it('gets past dropped connections', async () => {
    const repo = await freshRepo();
    proxy.options.rules = [
      { method: 'GET', path: /^\/v2\/$/, times: 1, fault: { kind: 'drop' } },
      { method: 'PATCH', times: 1, fault: { kind: 'drop' } },
      { method: 'HEAD', path: /\/manifests\//, times: 2, fault: { kind: 'drop' } },
    ];
    await pushLayout(dir, repo.viaProxy, FAST);
    expect(proxy.log.filter((e) => e.fault === 'drop')).toHaveLength(4);
    expect(await checkComplete(`${repo.direct}:v1`)).toBe(image.top.digest);
  });

  it('gives up on a stalled registry with a clear error, leaves the old tag, and a second run finishes', async () => {
    const repo = await freshRepo();
    const old = path.join(scratch, 'old');
    const previous = await addImage(old, { tag: 'v1', layers: [1000] });
    await pushLayout(old, repo.direct);

    proxy.options.rules = [{ method: 'PUT', path: /\/manifests\//, fault: { kind: 'stall' } }];
    const err = await pushLayout(dir, repo.viaProxy, { ...FAST, timeoutMs: 300, retry: { attempts: 3, baseDelayMs: 10 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as Error).message).toMatch(
      new RegExp(`^push manifest sha256:[0-9a-f]{64} to ${proxy.host}/${repo.name}: PUT ${proxy.host}/v2/${repo.name}/manifests/sha256:[0-9a-f]{64} failed: no progress for 0.3 s \\(gave up after 3 attempts\\)$`),
    );
    expect(await checkComplete(`${repo.direct}:v1`, previous)).toBe(previous.top.digest);

    proxy.options.rules = [];
    const second = await pushLayout(dir, repo.viaProxy, FAST);
    expect(second.stats.blobBytesUploaded).toBe(0);
    expect(await checkComplete(`${repo.direct}:v1`)).toBe(image.top.digest);
  });

  it('moves the tags of a layout together, and names those moved and not when stopped among them', async () => {
    const repo = await freshRepo();
    // The tags move at once: b's PUT hangs while a's goes through; then the push is stopped.
    proxy.options.rules = [{ method: 'PUT', path: /\/manifests\/b$/, fault: { kind: 'stall' } }];
    const stop = new AbortController();
    const pending = pushLayout(dir, repo.viaProxy, { ...FAST, timeoutMs: 10_000, tags: ['a', 'b'], signal: stop.signal }).catch((e: unknown) => e);
    const seen = (tag: string, answered: boolean) => proxy.log.some((e) => e.method === 'PUT' && e.path.endsWith(`/manifests/${tag}`) && (!answered || e.status === 201));
    for (let waited = 0; !seen('b', false) || !seen('a', true); waited += 20) {
      expect(waited).toBeLessThan(20_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    stop.abort(new UserError('stopped by SIGTERM'));
    const err = await pending;
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe(`tags of ${proxy.host}/${repo.name} cut short: moved a; not moved b (stopped by SIGTERM); each moved tag names a complete image; run again to move the rest`);
    expect(await checkComplete(`${repo.direct}:a`)).toBe(image.top.digest);
    const client = createClient();
    expect(await headManifest(client, { registry: registry.host, repository: repo.name }, 'b')).toBeUndefined();
    client.close();
  });

  it('stops after the retry budget and names the registry error codes', async () => {
    const repo = await freshRepo();
    proxy.options.rules = [{ method: 'POST', fault: { kind: 'status', status: 500 } }];
    const err = await pushLayout(dir, repo.viaProxy, { ...FAST, retry: { attempts: 3, baseDelayMs: 5 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    const e = err as RegistryError;
    expect(e.attempts).toBe(3);
    expect(e.status).toBe(500);
    expect(e.path).toBe(`/v2/${repo.name}/blobs/uploads/`);
    expect(e.message).toContain('answered 500 Internal Server Error: UNAVAILABLE (injected by the fault proxy) (gave up after 3 attempts)');
    const client = createClient();
    try {
      expect(await headManifest(client, { registry: registry.host, repository: repo.name }, 'v1')).toBeUndefined();
    } finally {
      client.close();
    }
  });

  it.each([11, 22, 33, 44])('random faults (seed %i): the push completes or fails clearly, and a second run finishes', async (seed) => {
    const repo = await freshRepo();
    proxy.options.chaos = {
      seed,
      rate: 0.25,
      faults: [
        { kind: 'drop' },
        { kind: 'cut', afterBytes: 50_000 },
        { kind: 'lose-answer' },
        { kind: 'status', status: 500 },
        { kind: 'status', status: 503 },
        { kind: 'status', status: 429, retryAfter: '0' },
        { kind: 'stall' },
        { kind: 'delay', ms: 100 },
      ],
    };
    const options: PushOptions = { ...FAST, timeoutMs: 400, retry: { attempts: 4, baseDelayMs: 10, maxDelayMs: 50 } };
    const first = await pushLayout(dir, repo.viaProxy, options).then(
      () => 'completed',
      (err: unknown) => {
        expect(err).toBeInstanceOf(UserError);
        // Every failure names an operation on this repository, or reaching the registry.
        expect((err as Error).message).toMatch(new RegExp(`(${repo.name}|reach registry ${proxy.host})`));
        return 'failed';
      },
    );
    if (first === 'failed') {
      // Never a broken tag: absent, or complete.
      const client = createClient();
      try {
        const tagged = await headManifest(client, { registry: registry.host, repository: repo.name }, 'v1');
        if (tagged) expect(await checkComplete(`${repo.direct}:v1`)).toBe(image.top.digest);
      } finally {
        client.close();
      }
    }
    proxy.options.chaos = undefined;
    await pushLayout(dir, repo.viaProxy, options);
    expect(await checkComplete(`${repo.direct}:v1`)).toBe(image.top.digest);
    expect(proxy.log.filter((e) => e.fault).length).toBeGreaterThan(0);
  });
});
