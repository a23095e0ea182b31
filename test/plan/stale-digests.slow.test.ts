// Stale means stale: a base image re-pushed under the same tag makes exactly the jobs built on it
// stale. Against Debian's docker-registry on loopback: multi-arch builder and base images are
// pushed, `plan --pin-images` keys the jobs by the per-architecture digests, an index records
// those builds as publish writes them (the images each build pulled, by digest), then the base's
// amd64 image is re-pushed under the same tag with other bytes. The next pinned plan against that
// index lists only the amd64 jobs on that base, each saying which image moved from what to what.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadValidMatrix } from '../../src/matrix/index.ts';
import { initLayout, MEDIA, putBlob, putJson, pushLayout, setRef } from '../../src/oci/index.ts';
import { parseIndex } from '../../src/publish/index.ts';
import { expandTargets, pinMatrixImages } from '../../src/plan/index.ts';
import type { IndexEntry } from '../../src/types.ts';
import { startRegistry, type RegistryServer } from '../oci/registry-server.ts';
import { runCli } from '../support/cli.ts';
import { entryYaml, scratchMatrix } from '../support/matrix.ts';

let registry: RegistryServer;
let dir: string;

/** A one-layer image per architecture under one index, pushed as NAME:TAG; `salt` changes one
 * architecture's layer. */
async function pushImage(name: string, tag: string, salt: Partial<Record<'amd64' | 'arm64', string>> = {}): Promise<void> {
  const layout = await mkdtemp(path.join(dir, 'layout-'));
  await initLayout(layout);
  const manifests = [];
  for (const arch of ['amd64', 'arm64'] as const) {
    const layer = await putBlob(layout, Buffer.from(`${name} ${arch} ${salt[arch] ?? ''}`));
    const config = await putJson(layout, MEDIA.config, { architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } });
    const manifest = await putJson(layout, MEDIA.manifest, { schemaVersion: 2, mediaType: MEDIA.manifest, config, layers: [{ mediaType: MEDIA.layerTar, ...layer }] });
    manifests.push({ ...manifest, platform: { architecture: arch, os: 'linux' } });
  }
  await setRef(layout, tag, await putJson(layout, MEDIA.index, { schemaVersion: 2, mediaType: MEDIA.index, manifests }));
  await pushLayout(layout, `${registry.host}/${name}:${tag}`);
}

interface PlanJob {
  extension: string;
  platform: string;
  key: string;
  stale?: { reason: string; message: string }[];
}

const plan = async (matrix: string, index?: string) => {
  const r = await runCli(['plan', '--matrix', matrix, '--pin-images', '--json', ...(index ? ['--index', index] : [])]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { jobs: PlanJob[] }).jobs;
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'trunkfarm-stale-'));
  registry = await startRegistry();
}, 60_000);

afterAll(async () => {
  await registry?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('plan --pin-images against the local registry', () => {
  let matrix: string;
  let before: PlanJob[];
  let index: string;

  beforeAll(async () => {
    const r = registry.host;
    await pushImage('pg/builder', '17');
    await pushImage('pg/base', '17');
    await pushImage('pg/base-alpine', '17');
    const platforms = `postgres: [17]
arches:
  amd64: { runner: ubuntu-24.04, isa: x86-64 }
  arm64: { runner: ubuntu-24.04-arm, isa: armv8-a }
libcs:
  glibc:
    distro: debian
    images:
      "17": { builder: ${r}/pg/builder:17, base: ${r}/pg/base:17 }
  musl:
    distro: alpine
    images:
      "17": { builder: ${r}/pg/builder:17, base: ${r}/pg/base-alpine:17 }
default: { arch: amd64, libc: glibc }
`;
    matrix = await scratchMatrix({ 'alpha.yaml': entryYaml('alpha'), 'beta.yaml': entryYaml('beta') }, platforms);
    before = await plan(matrix);

    // The builds, as publish records them: each key, and the images its build pulled (pinned).
    const pinned = expandTargets(await pinMatrixImages(await loadValidMatrix(matrix)));
    const entries: IndexEntry[] = pinned.map(({ job, platform }) => ({
      key: job.key,
      extension: job.extension,
      version: job.version,
      pg: job.pg,
      arch: job.arch,
      libc: job.libc,
      platform: job.platform,
      status: 'built',
      closure: { ok: true, bundled: [], problems: [] },
      provenance: { source: 'https://example.org/x.tar.gz', sourceDigest: `sha256:${'ab'.repeat(32)}`, builderImage: platform.builder.ref, baseImage: platform.base.ref },
      builtAt: '2026-12-01T00:00:00Z',
    }));
    index = path.join(dir, 'index.json');
    const text = `${JSON.stringify({ version: 1, generatedAt: '2026-12-01T00:00:00Z', entries }, null, 2)}\n`;
    parseIndex(text, index); // the index format publish writes
    await writeFile(index, text);
  }, 120_000);

  it('keys the jobs by digest: the images in each build key are pinned per architecture', async () => {
    expect(before.map((j) => `${j.extension} ${j.platform}`)).toEqual(['alpha pg17-gnulinux-amd64', 'alpha pg17-gnulinux-arm64', 'alpha pg17-musllinux-amd64', 'alpha pg17-musllinux-arm64', 'beta pg17-gnulinux-amd64', 'beta pg17-gnulinux-arm64', 'beta pg17-musllinux-amd64', 'beta pg17-musllinux-arm64']);
    const pinned = (await pinMatrixImages(await loadValidMatrix(matrix))).platforms;
    for (const p of pinned) {
      expect(p.base.ref).toMatch(new RegExp(`^${registry.host}/pg/base(-alpine)?:17@sha256:[0-9a-f]{64}$`));
      expect(p.builder.ref).toMatch(/@sha256:[0-9a-f]{64}$/);
    }
    // Per architecture: amd64 and arm64 pin different manifests of the same index.
    const base = (name: string) => pinned.find((p) => p.name === name)!.base.ref;
    expect(base('pg17-gnulinux-amd64')).not.toBe(base('pg17-gnulinux-arm64'));
  });

  it('against the index of those builds, nothing is stale', async () => {
    expect(await plan(matrix, index)).toEqual([]);
  });

  it('a base re-pushed under the same tag with a new amd64 image makes exactly the amd64 jobs on it stale, saying why', async () => {
    const old = (await pinMatrixImages(await loadValidMatrix(matrix))).platforms.find((p) => p.name === 'pg17-gnulinux-amd64')!.base.ref;
    await pushImage('pg/base', '17', { amd64: 'libcurl 8.14.1-2+deb13u1' });
    const now = (await pinMatrixImages(await loadValidMatrix(matrix))).platforms.find((p) => p.name === 'pg17-gnulinux-amd64')!.base.ref;
    expect(now).not.toBe(old);

    const stale = await plan(matrix, index);
    expect(stale.map((j) => `${j.extension} ${j.platform}`)).toEqual(['alpha pg17-gnulinux-amd64', 'beta pg17-gnulinux-amd64']);
    const digest = (ref: string) => ref.slice(ref.indexOf('@') + 1);
    for (const j of stale) {
      expect(j.stale).toEqual([{ reason: 'base-image', message: `${registry.host}/pg/base:17 moved: ${digest(old)} -> ${digest(now)}` }]);
      expect(before.find((b) => b.extension === j.extension && b.platform === j.platform)!.key).not.toBe(j.key);
    }
  });

  it('a job the index lacks is new; an entry changed is a changed definition', async () => {
    const changed = await scratchMatrix({ 'alpha.yaml': entryYaml('alpha', '', '1.0.0').replace('The alpha extension', 'The alpha extension, described anew'), 'gamma.yaml': entryYaml('gamma') }, await readFile(path.join(matrix, 'platforms.yaml'), 'utf8'));
    const stale = await plan(changed, index);
    const why = (ext: string, platform: string) => stale.find((j) => j.extension === ext && j.platform === platform)?.stale?.map((s) => s.reason);
    expect(why('gamma', 'pg17-gnulinux-arm64')).toEqual(['new']);
    expect(why('alpha', 'pg17-musllinux-arm64')).toEqual(['definition']);
    expect(why('alpha', 'pg17-gnulinux-amd64')).toEqual(['base-image']);
  });

  it('an image the registry lacks, or without the platform\'s architecture, is an error that names it', async () => {
    const missing = await scratchMatrix({ 'alpha.yaml': entryYaml('alpha') }, `postgres: [17]
arches:
  amd64: { runner: ubuntu-24.04, isa: x86-64 }
libcs:
  glibc:
    distro: debian
    images:
      "17": { builder: ${registry.host}/pg/builder:17, base: ${registry.host}/pg/nothing:17 }
default: { arch: amd64, libc: glibc }
`);
    const r = await runCli(['plan', '--matrix', missing, '--pin-images', '--json']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${registry.host}/pg/nothing:17: the registry has no such image`);
  });
});
