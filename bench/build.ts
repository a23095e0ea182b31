// The farm's own overhead on a real build: `trunkfarm build pgvector --pg 17` (source from the
// cache, container, build, closure check, packages; no smoke test or installcheck, which a bare
// build does not do either) against a bare `podman run ... make install` of the same source in
// the same image, in the same run. Then the same job again, unchanged: skipped outright.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildJob } from '../src/build/index.ts';
import { fetchSource, unpackSource } from '../src/build/source.ts';
import { loadValidMatrix } from '../src/matrix/index.ts';
import { expandJobs } from '../src/plan/index.ts';
import { ms } from './_timing.ts';

const IMAGE = 'localhost/trunkfarm/builder:pg17-gnulinux-amd64';

export async function run(): Promise<void> {
  const matrix = await loadValidMatrix('matrix');
  const loaded = matrix.entries.find((e) => e.entry.name === 'pgvector')!;
  const job = expandJobs(matrix, [loaded]).find((j) => j.platform === 'pg17-gnulinux-amd64')!;
  const platform = matrix.platforms.find((p) => p.name === job.platform)!;
  const entry = { ...loaded.entry, test: { ...loaded.entry.test, installcheck: false } };
  const source = 'url' in loaded.entry.source ? loaded.entry.source : undefined;
  if (!source?.url) throw new Error('pgvector has an archive source');

  const work = await mkdtemp(path.join(tmpdir(), 'trunkfarm-bench-build-'));
  const fetched = await fetchSource({ url: source.url, sha256: source.sha256, ...(source.debian ? { debian: source.debian } : {}) });
  const src = path.join(work, 'src');
  await unpackSource(fetched.path, src);
  let t = performance.now();
  execFileSync('podman', ['run', '--rm', '--network', 'host', '-v', `${src}:/src`, IMAGE, 'sh', '-c',
    'cd /src && make -j"$(nproc)" USE_PGXS=1 PG_CONFIG=/usr/lib/postgresql/17/bin/pg_config OPTFLAGS= && make install USE_PGXS=1 PG_CONFIG=/usr/lib/postgresql/17/bin/pg_config OPTFLAGS= DESTDIR=/tmp/stage'], { stdio: 'ignore' });
  const bare = performance.now() - t;

  const out = path.join(work, 'out');
  t = performance.now();
  const result = await buildJob(job, entry, platform, matrix, { out, images: 'local', test: false, log: () => {} });
  const farm = performance.now() - t;
  if (result.status !== 'built') throw new Error(`build failed: ${result.failure?.message}`);
  t = performance.now();
  await buildJob(job, entry, platform, matrix, { out, images: 'local', test: false, log: () => {} });
  const again = performance.now() - t;

  const steps = result.steps.map((s) => `${s.name} ${s.seconds.toFixed(1)}s`).join(', ');
  console.log(`bare podman run + make install: ${ms(bare)}`);
  console.log(`trunkfarm build (no smoke test): ${ms(farm)} -> overhead ${(((farm - bare) / bare) * 100).toFixed(0)}% (${steps})`);
  console.log(`unchanged job again: ${ms(again)} (skipped: build key already in out/)`);
  await rm(work, { recursive: true, force: true });
}
