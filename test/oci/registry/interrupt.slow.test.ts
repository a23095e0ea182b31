// A push killed half-way (the process, SIGKILL) never leaves the tag on a manifest with missing
// blobs, and running it again finishes the job without uploading again what already arrived.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobSize, createClient, getManifest, headManifest, pushLayout } from './imports.ts';
import type { ClientEvent, RegistryClient, TransferStats } from './imports.ts';
import { startRegistry } from '../registry-server.ts';
import type { RegistryServer } from '../registry-server.ts';
import { startFaultProxy } from './fault-proxy.ts';
import type { FaultProxy } from './fault-proxy.ts';
import { addImage } from './fixtures.ts';
import type { MadeImage } from './fixtures.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const TSX = path.resolve(here, '../../../node_modules/.bin/tsx');
const CHUNK = 256 * 1024;

let registry: RegistryServer;
let proxy: FaultProxy;
let scratch: string;

beforeAll(async () => {
  registry = await startRegistry();
  // Slow uploads down to ~3 MB/s so that a kill lands in the middle.
  proxy = await startFaultProxy(registry.host, { throttle: 3_000_000 });
  scratch = await mkdtemp(path.join(tmpdir(), 'trunkfarm-interrupt-'));
});

afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

type Line = ClientEvent | { type: 'done'; stats: TransferStats };

/** Runs the push in a child process; `killWhen` sees each event and may ask for SIGKILL. */
function pushInChild(layout: string, target: string, killWhen: (events: Line[]) => boolean): Promise<{ events: Line[]; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [path.join(here, 'push-child.ts'), layout, target, String(CHUNK)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const events: Line[] = [];
    let killed = false;
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      events.push(JSON.parse(line) as Line);
      if (!killed && killWhen(events)) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (killed || code === 0) resolve({ events, killed });
      else reject(new Error(`push child exited with ${code}: ${stderr}`));
    });
  });
}

/** True when the registry holds every blob and child manifest the manifest reaches. */
async function complete(client: RegistryClient, repository: string, digest: string): Promise<boolean> {
  const repo = { registry: registry.host, repository };
  const manifest = await getManifest(client, repo, digest);
  if (!manifest) return false;
  const doc = JSON.parse(manifest.bytes.toString('utf8')) as { manifests?: { digest: string }[]; config?: { digest: string }; layers?: { digest: string }[] };
  for (const child of doc.manifests ?? []) if (!(await complete(client, repository, child.digest))) return false;
  for (const blob of [...(doc.config ? [doc.config] : []), ...(doc.layers ?? [])]) {
    if ((await blobSize(client, repo, blob.digest)) === undefined) return false;
  }
  return true;
}

/** Watches the tag while a push runs, collecting every digest it points at. */
function watchTag(client: RegistryClient, repository: string, tag: string): { stop(): Promise<Set<string>> } {
  const seen = new Set<string>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const info = await headManifest(client, { registry: registry.host, repository }, tag).catch(() => undefined);
      if (info) seen.add(info.digest);
      await new Promise((r) => setTimeout(r, 15));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return seen;
    },
  };
}

async function copiedBlobs(ref: string): Promise<Set<string>> {
  const out = await mkdtemp(path.join(scratch, 'copy-'));
  execFileSync('skopeo', ['copy', '--all', '--preserve-digests', '--src-tls-verify=false', `docker://${ref}`, `oci:${out}:x`], { stdio: 'ignore' });
  JSON.parse(await readFile(path.join(out, 'index.json'), 'utf8'));
  return new Set((await readdir(path.join(out, 'blobs', 'sha256'))).map((h) => `sha256:${h}`));
}

describe('a push killed half-way', () => {
  it.each([
    ['after half of the blobs', (events: Line[]) => events.filter((e) => e.type === 'blob').length >= 4],
    ['as the top manifest is stored, before the tag moves', (events: Line[]) => events.some((e) => e.type === 'manifest' && e.outcome === 'pushed' && events.filter((x) => x.type === 'manifest').length === 3)],
  ])('%s leaves the tag complete, and a rerun finishes the job', async (when, killWhen) => {
    const repository = `interrupt/${when.split(' ')[0]}-${Date.now()}`;
    const oldLayout = path.join(scratch, `${repository.replace('/', '-')}-old`);
    const newLayout = path.join(scratch, `${repository.replace('/', '-')}-new`);
    const v1 = await addImage(oldLayout, { tag: 'latest', layers: [50_000] });
    const v2: MadeImage = await addImage(newLayout, {
      tag: 'latest',
      layers: [700_000, 600_000, 500_000],
      platforms: [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64' },
      ],
    });
    await pushLayout(oldLayout, `${registry.host}/${repository}`);

    const client = createClient();
    try {
      const watcher = watchTag(client, repository, 'latest');
      const logStart = proxy.log.length;
      const run = await pushInChild(newLayout, `${proxy.host}/${repository}`, killWhen);
      const seen = await watcher.stop();
      expect(run.killed).toBe(true);
      // What the killed push had sent in full still reaches the registry: read the tag after it.
      await proxy.settled();

      // Whatever the tag pointed at during and after the kill was complete.
      const now = (await headManifest(client, { registry: registry.host, repository }, 'latest'))!.digest;
      seen.add(now);
      for (const digest of seen) {
        expect([v1.top.digest, v2.top.digest]).toContain(digest);
        expect(await complete(client, repository, digest)).toBe(true);
      }
      // The tag moves only after the whole image is stored and checked.
      // A tag PUT the registry answered moved it; one cut off by the kill may or may not have.
      const tagPut = proxy.log.slice(logStart).find((e) => e.method === 'PUT' && e.path.endsWith('/manifests/latest'));
      if (tagPut?.status === 201) expect(now).toBe(v2.top.digest);
      else if (tagPut === undefined) expect(now).toBe(v1.top.digest);

      // Run again, to the end: what arrived before the kill is not sent again.
      const uploadedBefore = run.events.filter((e) => e.type === 'blob' && e.outcome === 'uploaded').map((e) => (e as { digest: string }).digest);
      const again = await pushInChild(newLayout, `${proxy.host}/${repository}`, () => false);
      const done = again.events.find((e) => e.type === 'done') as { stats: TransferStats };
      const presentNow = again.events.filter((e) => e.type === 'blob' && e.outcome === 'present').map((e) => (e as { digest: string }).digest);
      for (const digest of uploadedBefore) expect(presentNow).toContain(digest);
      const unique = new Map(v2.blobs.map((b) => [b.digest, b.size]));
      const total = [...unique.values()].reduce((n, s) => n + s, 0);
      expect(done.stats.blobBytesUploaded).toBeLessThan(total);

      expect((await headManifest(client, { registry: registry.host, repository }, 'latest'))!.digest).toBe(v2.top.digest);
      const blobs = await copiedBlobs(`${registry.host}/${repository}:latest`);
      for (const digest of unique.keys()) expect(blobs.has(digest)).toBe(true);
    } finally {
      client.close();
    }
  });
});
