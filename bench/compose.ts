// Composed images against prebuilt ones, in the same run: the PostgreSQL 17 runtime image and
// pgvector published to a loopback registry; a prebuilt image of base + pgvector pushed there
// once; then `skopeo copy` pulls (1) the prebuilt image straight from the registry (the baseline),
// (2) the same image from `trunkfarm serve` with an empty compose cache (compose + pull), and
// (3) from the server again (composition remembered). Last, the bytes `trunkfarm compose --to`
// moves for an image whose layers the registry already has.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildJob, lineReporter } from '../src/builder/index.ts';
import { readResult } from '../src/job-result/index.ts';
import { compose, parseImageRef, pushComposition, registryRepository } from '../src/compose/index.ts';
import { loadValidMatrix } from '../src/matrix/index.ts';
import { expandTargets } from '../src/plan/index.ts';
import { publish } from '../src/publish/index.ts';
import { createClient, parseReference } from '../src/oci/index.ts';
import { startServer } from '../src/serve/server.ts';
import { startRegistry } from '../test/oci/registry-server.ts';
import { median, ms } from './_timing.ts';

const BASE = 'localhost/trunkfarm/base:pg17-gnulinux-amd64';
const ROUNDS = 3;

/** pgvector for PostgreSQL 17: the quick start's build in out/ when it is there, else a fresh one. */
async function pgvectorJob(): Promise<string> {
  const ready = path.resolve('out', 'pgvector-0.8.0+pg17-gnulinux-amd64');
  if ((await readResult(ready))?.status === 'built') return ready;
  const matrix = await loadValidMatrix('matrix');
  const loaded = matrix.entries.find((e) => e.entry.name === 'pgvector')!;
  const target = expandTargets(matrix, [loaded]).find(({ job: j }) => j.pg === 17 && j.libc === 'glibc' && j.arch === 'amd64')!;
  const { job } = target;
  const out = await mkdtemp(path.join(tmpdir(), 'trunkfarm-bench-compose-'));
  console.log('building pgvector for PostgreSQL 17 first (no out/ from the quick start)');
  const result = await buildJob(target, { out, matrixDir: matrix.dir, images: 'local', reporter: () => lineReporter(() => {}) });
  if (result.status !== 'built') throw new Error(`pgvector build failed at ${result.failure?.step}: ${result.failure?.message}`);
  return path.join(out, `pgvector-0.8.0+${job.platform}`);
}

// Asynchronous: the server answering the pull runs in this process.
async function pull(ref: string, dest: string): Promise<number> {
  const start = performance.now();
  await promisify(execFile)('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${ref}`, `oci:${dest}:x`]);
  return performance.now() - start;
}

export async function run(): Promise<void> {
  const job = await pgvectorJob();
  const registry = await startRegistry();
  const scratch = await mkdtemp(path.join(tmpdir(), 'trunkfarm-bench-compose-'));
  const client = createClient({});
  try {
    const out = path.join(scratch, 'out');
    execFileSync('mkdir', ['-p', out]);
    await symlink(job, path.join(out, path.basename(job)));
    await publish(out, { registry: `${registry.host}/farm`, unsigned: true, index: path.join(scratch, 'index.json'), log: () => {} });
    execFileSync('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `containers-storage:${BASE}`, `docker://${registry.host}/library/postgres:17`]);

    // The baseline: the same image, prebuilt and stored in the registry.
    const base = parseImageRef(`${registry.host}/library/postgres:17`, client);
    const prebuilt = await compose(base, [{ name: 'pgvector' }], { client, extensions: `${registry.host}/farm`, cacheDir: path.join(scratch, 'cache-prebuilt') });
    await pushComposition(prebuilt, path.join(scratch, 'cache-prebuilt', 'layout'), parseReference(`${registry.host}/prebuilt/postgres:17-pgvector`), client);
    const imageBytes = prebuilt.images[0]!.base.document.layers.reduce((n, l) => n + l.size, 0) + prebuilt.images[0]!.layers.reduce((n, l) => n + l.descriptor.size, 0);

    const baseline: number[] = [];
    const cold: number[] = [];
    const warm: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      baseline.push(await pull(`${registry.host}/prebuilt/postgres:17-pgvector`, path.join(scratch, `pull-prebuilt-${round}`)));
      // A new server with an empty cache each round: it reads the base, fetches and checks the
      // trunk, and builds the layer before answering.
      const server = await startServer(
        { bases: new Map([['postgres', registryRepository(client, { registry: registry.host, repository: 'library/postgres' })]]), extensions: `${registry.host}/farm`, client, cacheDir: path.join(scratch, `cache-${round}`) },
        { host: '127.0.0.1', port: 0 },
      );
      try {
        cold.push(await pull(`${server.host}/postgres/pgvector:17`, path.join(scratch, `pull-cold-${round}`)));
        warm.push(await pull(`${server.host}/postgres/pgvector:17`, path.join(scratch, `pull-warm-${round}`)));
      } finally {
        await server.close();
      }
      for (const d of ['prebuilt', 'cold', 'warm']) await rm(path.join(scratch, `pull-${d}-${round}`), { recursive: true, force: true });
    }
    const b = median(baseline);
    console.log(`image: ${(imageBytes / 1e6).toFixed(1)} MB compressed (base 1 layer + pgvector); median of ${ROUNDS} skopeo pulls`);
    console.log(`  prebuilt image from the registry (baseline): ${ms(b)}`);
    console.log(`  composed on pull, empty cache:               ${ms(median(cold))}  (${(median(cold) / b).toFixed(2)}x the baseline)`);
    console.log(`  composed on pull, composition remembered:    ${ms(median(warm))}  (${(median(warm) / b).toFixed(2)}x the baseline)`);

    // Bytes moved composing into a new repository of a registry that has every layer.
    const again = await compose(base, [{ name: 'pgvector' }], { client, extensions: `${registry.host}/farm`, cacheDir: path.join(scratch, 'cache-prebuilt') });
    const pushed = await pushComposition(again, path.join(scratch, 'cache-prebuilt', 'layout'), parseReference(`${registry.host}/another/postgres:17-pgvector`), client);
    const s = pushed.stats;
    console.log(
      `compose --to a registry that has the layers: ${s.blobBytesUploaded} bytes of blobs uploaded (${s.blobsUploaded} blob: the ${again.images[0]!.config.size}-byte config), ` +
        `${s.blobsMounted} mounted, ${s.manifestsPushed} manifest (${again.top.size} bytes) pushed; ${(((s.blobBytesUploaded + again.top.size) / imageBytes) * 100).toFixed(4)}% of the image's ${(imageBytes / 1e6).toFixed(1)} MB`,
    );
  } finally {
    client.close();
    await registry.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}
