// Pushing a set of OCI layouts (about 100 MB of random layers: a big image, a two-platform index,
// a mid-sized image, and one of many small layers) to a fresh loopback registry with trunkfarm's
// client, against `skopeo copy oci:DIR:TAG docker://…` of the same layouts to another fresh
// registry of the same kind, in the same run; then the bytes a second, unchanged publish uploads.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { signImage } from '../src/publish/image-signatures.ts';
import { createClient, parseReference, pushLayout } from '../src/oci/index.ts';
import { expectedSigner, generateKeyFiles, loadSigningKey, type SignerExpectation, type SigningMethod } from '../src/sign/index.ts';
import type { TransferStats } from '../src/oci/index.ts';
import { startRegistry } from '../test/oci/registry-server.ts';
import { addImage } from '../test/oci/registry/fixtures.ts';
import { ms } from './_timing.ts';

const MB = 1 << 20;
const ROUNDS = 3;

interface BenchLayout {
  name: string;
  dir: string;
  tag: string;
  bytes: number;
}

async function makeLayouts(root: string): Promise<BenchLayout[]> {
  const specs = [
    { name: 'big', layers: [30 * MB, 10 * MB] },
    { name: 'multi', layers: [6 * MB, 12 * MB], platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] },
    { name: 'mid', layers: [14 * MB, 4 * MB, 2 * MB] },
    { name: 'small', layers: Array.from({ length: 24 }, () => MB / 2) },
  ];
  const layouts: BenchLayout[] = [];
  for (const spec of specs) {
    const dir = path.join(root, spec.name);
    const made = await addImage(dir, { tag: 'v1', ...spec });
    const unique = new Map(made.blobs.map((b) => [b.digest, b.size]));
    layouts.push({ name: spec.name, dir, tag: 'v1', bytes: [...unique.values()].reduce((n, s) => n + s, 0) });
  }
  return layouts;
}

async function warm(layouts: BenchLayout[]): Promise<void> {
  for (const l of layouts) for (const f of await readdir(path.join(l.dir, 'blobs', 'sha256'))) await readFile(path.join(l.dir, 'blobs', 'sha256', f));
}

interface Signing {
  method: SigningMethod;
  signer: SignerExpectation;
}

/** Pushes every layout and, as `publish` does, signs each image (ECDSA: a new signature would
 * differ every time) and attaches the bundle; `signatureBytes` counts what the signatures sent. */
async function ours(host: string, layouts: BenchLayout[], signing: Signing): Promise<{ ms: number; signMs: number; stats: TransferStats[]; signatureBytes: number }> {
  const client = createClient();
  // Pushing (what skopeo does too) and signing are timed apart, so the ratio compares like with like.
  let pushMs = 0;
  let signMs = 0;
  const stats: TransferStats[] = [];
  let signatureBytes = 0;
  try {
    for (const l of layouts) {
      const target = `${host}/bench/${l.name}`;
      let t = performance.now();
      const pushed = await pushLayout(l.dir, target, { client });
      pushMs += performance.now() - t;
      stats.push(pushed.stats);
      const ref = parseReference(target);
      const top = pushed.manifests[0]!;
      const home = { kind: 'registry' as const, client, repository: { registry: ref.registry, repository: ref.repository } };
      t = performance.now();
      signatureBytes += (await signImage(home, target, { mediaType: top.mediaType, digest: top.digest, size: top.size }, { ...signing, env: {} })).uploadedBytes;
      signMs += performance.now() - t;
    }
  } finally {
    client.close();
  }
  return { ms: pushMs, signMs, stats, signatureBytes };
}

function skopeo(host: string, layouts: BenchLayout[]): number {
  const start = performance.now();
  for (const l of layouts) {
    execFileSync('skopeo', ['copy', '--quiet', '--all', '--preserve-digests', '--dest-tls-verify=false', `oci:${l.dir}:${l.tag}`, `docker://${host}/bench/${l.name}:${l.tag}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 300_000,
    });
  }
  return performance.now() - start;
}

function digestOf(host: string, l: BenchLayout): string {
  const raw = execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${host}/bench/${l.name}:${l.tag}`]);
  return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}


const sum = (stats: TransferStats[], key: keyof TransferStats) => stats.reduce((n, s) => n + s[key], 0);

export async function run(): Promise<void> {
  const root = await mkdtemp(path.join(tmpdir(), 'trunkfarm-bench-registry-'));
  try {
    const layouts = await makeLayouts(root);
    const total = layouts.reduce((n, l) => n + l.bytes, 0);
    await warm(layouts);
    const keys = await generateKeyFiles(path.join(root, 'bench'), 'ecdsa-p256');
    const method: SigningMethod = { kind: 'key', key: await loadSigningKey(keys.privatePath) };
    const signing: Signing = { method, signer: await expectedSigner(method) };

    let bestOurs = Infinity;
    let bestSign = Infinity;
    let bestSkopeo = Infinity;
    let second: { ms: number; signMs: number; stats: TransferStats[]; signatureBytes: number } | undefined;
    let skopeoSecond = Infinity;
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate who goes first, each into a registry of its own that starts empty.
      for (const tool of round % 2 === 0 ? ['ours', 'skopeo'] : ['skopeo', 'ours']) {
        const registry = await startRegistry();
        try {
          if (tool === 'ours') {
            const first = await ours(registry.host, layouts, signing);
            if (first.signatureBytes === 0) throw new Error('the first publish attached no signature bytes');
            bestOurs = Math.min(bestOurs, first.ms);
            bestSign = Math.min(bestSign, first.signMs);
            if (sum(first.stats, 'blobBytesUploaded') !== total) throw new Error(`first push uploaded ${sum(first.stats, 'blobBytesUploaded')} bytes, expected ${total}`);
            for (const l of layouts) {
              const want = JSON.parse(await readFile(path.join(l.dir, 'index.json'), 'utf8')).manifests[0].digest as string;
              if (digestOf(registry.host, l) !== want) throw new Error(`${l.name}: the registry serves another digest than the layout's`);
            }
            const again = await ours(registry.host, layouts, signing);
            // Re-publishing what the registry holds must send nothing: no layer, no signature.
            const resent = sum(again.stats, 'blobBytesUploaded') + again.signatureBytes;
            if (resent !== 0) throw new Error(`a second, unchanged publish uploaded ${resent} blob bytes (${again.signatureBytes} of them signatures); it must upload none`);
            if (!second || again.ms < second.ms) second = again;
          } else {
            bestSkopeo = Math.min(bestSkopeo, skopeo(registry.host, layouts));
            skopeoSecond = Math.min(skopeoSecond, skopeo(registry.host, layouts));
          }
        } finally {
          await registry.stop();
        }
      }
    }
    const out = [
      `${layouts.length} layouts, ${(total / MB).toFixed(1)} MiB of unique blobs, ${ROUNDS} rounds, best of each, each into a fresh docker-registry on loopback`,
      `trunkfarm push:       ${ms(bestOurs)}  (${(total / MB / (bestOurs / 1000)).toFixed(0)} MiB/s)`,
      `skopeo copy:          ${ms(bestSkopeo)}  (${(total / MB / (bestSkopeo / 1000)).toFixed(0)} MiB/s)`,
      `ratio trunkfarm/skopeo: ${(bestOurs / bestSkopeo).toFixed(2)} (pushing only; signing and attaching the ${layouts.length} signatures took ${ms(bestSign)} more)`,
      `second publish, unchanged: trunkfarm ${ms(second!.ms + second!.signMs)}, ${sum(second!.stats, 'blobBytesUploaded') + second!.signatureBytes} blob bytes uploaded (signatures included), ${sum(second!.stats, 'requests')} requests (${sum(second!.stats, 'blobsPresent')} blobs found present); skopeo ${ms(skopeoSecond)}`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
