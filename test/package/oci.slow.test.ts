// The OCI image layout, checked with the real tools: skopeo reads it, copies it into podman's
// storage, and podman mounts the image where PostgreSQL 18 would find the extension.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pack } from '../../src/package/index.ts';
import { MEDIA, mergeLayout, putBlob, readBlob, readJsonBlob, readLayout, resolveRef, type ImageIndex, type ImageManifest } from '../../src/oci/index.ts';
import { runCli } from '../support/cli.ts';
import { requireComponents } from '../support/requirements.ts';
import { forPg, makeStage, put, sampleMeta, tempDir, uniqueName } from './fixtures.ts';

const BASE = 'localhost/trunkfarm/base:pg18-gnulinux-amd64';
let dir: string;
const images: string[] = [];

beforeAll(async () => {
  requireComponents(['skopeo', 'podman']);
  dir = await tempDir();
});
afterAll(async () => {
  for (const i of images) spawnSync('podman', ['rmi', '-f', i]);
  await rm(dir, { recursive: true, force: true });
});

const skopeo = (...args: string[]) => execFileSync('skopeo', args, { encoding: 'utf8' });

async function files(root: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const walk = async (rel: string) => {
    for (const name of await readdir(join(root, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${name.name}` : name.name;
      if (name.isDirectory()) await walk(p);
      else out.set(p, await readFile(join(root, p)));
    }
  };
  await walk('');
  return out;
}

describe('OCI image layout', () => {
  it('is deterministic, and skopeo inspects both the image and the trunk artifact', async () => {
    const stage = await makeStage(join(dir, 'stage'));
    const meta = forPg(sampleMeta(), 18);
    const a = await pack(stage, meta, join(dir, 'a'));
    const b = await pack(stage, meta, join(dir, 'b'));
    const fa = await files(a.layout);
    const fb = await files(b.layout);
    expect([...fa.keys()]).toEqual([...fb.keys()]);
    for (const [k, v] of fa) expect(v.equals(fb.get(k)!), k).toBe(true);
    expect(a.image.tag).toBe('1.2.3-pg18-gnulinux');
    expect(a.artifact.tag).toBe('1.2.3-pg18-gnulinux-amd64.trunk');

    const inspected = JSON.parse(skopeo('inspect', `oci:${a.layout}:${a.image.tag}`));
    expect(inspected).toMatchObject({ Architecture: 'amd64', Os: 'linux', Created: '2023-11-14T22:13:20Z' });
    expect(inspected.Layers).toEqual([a.image.layer.digest]);
    const index = JSON.parse(skopeo('inspect', '--raw', `oci:${a.layout}:${a.image.tag}`)) as ImageIndex;
    expect(index.mediaType).toBe(MEDIA.index);
    expect(index.manifests).toHaveLength(1);
    expect(index.manifests[0]!.platform).toEqual({ architecture: 'amd64', os: 'linux' });
    expect(index.annotations).toMatchObject({
      'org.opencontainers.image.created': '2023-11-14T22:13:20Z',
      'org.opencontainers.image.title': 'tfdemo',
      'org.opencontainers.image.version': '1.2.3',
      'org.opencontainers.image.licenses': 'PostgreSQL',
      'org.opencontainers.image.source': 'https://example.org/tfdemo.git',
      'org.opencontainers.image.url': 'https://example.org/tfdemo',
      'io.trunkfarm.postgres.major': '18',
      'io.trunkfarm.libc': 'glibc',
    });
    const manifest = await readJsonBlob<ImageManifest>(a.layout, index.manifests[0]!.digest);
    expect(manifest.annotations).toMatchObject({ 'io.trunkfarm.trunk.sha256': a.trunk.sha256, 'io.trunkfarm.build.key': meta.buildKey, 'io.trunkfarm.isa': 'x86-64' });

    const art = JSON.parse(skopeo('inspect', '--raw', `oci:${a.layout}:${a.artifact.tag}`)) as ImageManifest;
    expect(art.artifactType).toBe('application/vnd.pgxn.trunk.layer.v1');
    expect(art.layers[0]).toMatchObject({ mediaType: MEDIA.layerGzip, annotations: { 'org.opencontainers.image.title': 'tfdemo-1.2.3+pg18-gnulinux-amd64.trunk' } });
    expect(art.annotations).toMatchObject({ 'org.pgxn.trunk.pg.major': '18', 'org.pgxn.trunk.pg.version_num': '180001' });
    expect((await readBlob(a.layout, art.layers[0]!.digest)).equals(await readFile(a.trunk.path))).toBe(true);
    expect(JSON.parse(skopeo('inspect', `oci:${a.layout}:${a.artifact.tag}`))).toMatchObject({ Architecture: 'amd64', Os: 'linux' });

    const listing = await readLayout(a.layout);
    expect(listing.refs.map((r) => r.tag)).toEqual([a.image.tag, a.artifact.tag]);
    expect([...listing.manifests.values()].map((m) => m.artifactType ?? m.mediaType).sort()).toEqual(
      [MEDIA.index, MEDIA.manifest, MEDIA.trunkArtifact].sort(),
    );
    // Layer, config and manifest of the image, index, trunk, artifact config and manifest.
    expect(listing.blobs).toHaveLength(7);

    // Content addressing: storing an existing blob again leaves it alone.
    const path = join(a.layout, 'blobs/sha256', a.image.layer.digest.slice(7));
    const before = (await stat(path)).mtimeMs;
    await putBlob(a.layout, await readFile(path));
    expect((await stat(path)).mtimeMs).toBe(before);
  });

  it('gives an `any` package one manifest per architecture over one layer, and merges arch layouts', async () => {
    const name = uniqueName('tfoci');
    const stage = await makeStage(join(dir, `stage-${name}`), name);
    const anyMeta = { ...forPg(sampleMeta({ name }), 18), platform: { os: 'any' as const, arch: 'any' as const, libc: 'any' as const } };
    const r = await pack(stage, anyMeta, join(dir, `any-${name}`));
    const index = await readJsonBlob<ImageIndex>(r.layout, r.image.index.digest);
    expect(index.manifests.map((m) => m.platform)).toEqual([
      { architecture: 'amd64', os: 'linux' },
      { architecture: 'arm64', os: 'linux', variant: 'v8' },
    ]);
    const layers = await Promise.all(index.manifests.map(async (m) => (await readJsonBlob<ImageManifest>(r.layout, m.digest)).layers[0]!.digest));
    expect(new Set(layers).size).toBe(1);
    expect(JSON.parse(skopeo('inspect', '--override-arch', 'arm64', `oci:${r.layout}:${r.image.tag}`))).toMatchObject({ Architecture: 'arm64' });

    // Two jobs, two architectures, two layouts: merged into one index under one tag.
    const amd = await pack(stage, forPg(sampleMeta({ name }), 18), join(dir, `amd-${name}`));
    const arm = await pack(stage, { ...forPg(sampleMeta({ name }), 18), platform: { os: 'gnulinux', arch: 'arm64', libc: 'glibc' } }, join(dir, `arm-${name}`));
    const merged = join(dir, `merged-${name}`);
    await mergeLayout(amd.layout, merged);
    await mergeLayout(arm.layout, merged);
    const tag = await resolveRef(merged, amd.image.tag);
    const mergedIndex = await readJsonBlob<ImageIndex>(merged, tag!.digest);
    expect(mergedIndex.manifests.map((m) => m.platform?.architecture)).toEqual(['amd64', 'arm64']);
    expect((await readLayout(merged)).refs.map((x) => x.tag)).toEqual([amd.image.tag, amd.artifact.tag, arm.artifact.tag]);
    expect(JSON.parse(skopeo('inspect', '--override-arch', 'arm64', `oci:${merged}:${amd.image.tag}`))).toMatchObject({ Architecture: 'arm64' });
    // Writing the arm64 image into the amd64 layout does the same in place.
    const again = await pack(stage, { ...forPg(sampleMeta({ name }), 18), platform: { os: 'gnulinux', arch: 'arm64', libc: 'glibc' } }, join(dir, `amd-${name}`));
    expect((await readJsonBlob<ImageIndex>(again.layout, again.image.index.digest)).manifests).toHaveLength(2);
  });

  it('copies into containers-storage and mounts as an image volume under /extensions/NAME', async () => {
    requireComponents(['skopeo', 'podman'], [BASE]);
    const name = uniqueName('tfvol');
    const stage = await makeStage(join(dir, `stage-${name}`), name);
    // Large enough for a multi-member gzip layer.
    const big = Buffer.alloc(9 << 20);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
    await put(stage, `pgsql/pkglib/${name}_big.so`, big);
    const r = await pack(stage, forPg(sampleMeta({ name }), 18), join(dir, `vol-${name}`));
    const image = `localhost/trunkfarm-test/${name}:${r.image.tag}`;
    skopeo('copy', '--quiet', `oci:${r.layout}:${r.image.tag}`, `containers-storage:${image}`);
    images.push(image);
    const script = [
      `cd /extensions/${name}`,
      'find . | sort',
      `readlink lib/lib${name}helper.so.1`,
      `grep -c "'\\$libdir/" share/extension/${name}--1.2.3.sql || true`,
      `sha256sum lib/${name}_big.so`,
    ].join(' && ');
    const out = execFileSync(
      'podman',
      ['run', '--rm', '--mount', `type=image,source=${image},target=/extensions/${name}`, BASE, 'sh', '-c', script],
      { encoding: 'utf8' },
    );
    expect(out).toContain(`./share/extension/${name}.control`);
    expect(out).toContain(`./lib/${name}.so`);
    expect(out).toContain(`./share/${name}/${name}.db`);
    expect(out).toContain(`./licenses/${name}/LICENSE`);
    expect(out).not.toContain('./pgsql');
    expect(out).toContain(`lib${name}helper.so.1.0.0\n0\n`);
    const { createHash } = await import('node:crypto');
    expect(out).toContain(createHash('sha256').update(big).digest('hex'));
  }, 300_000);
});

describe('the pack command', () => {
  it('writes the trunk and the layout, and prints a JSON summary', async () => {
    const stage = await makeStage(join(dir, 'stage-cli'));
    const metaFile = join(dir, 'meta.json');
    await mkdir(join(dir, 'cli'));
    await import('node:fs/promises').then((fs) => fs.writeFile(metaFile, JSON.stringify(sampleMeta())));
    const r = await runCli(['pack', stage, '--meta', metaFile, '--out', join(dir, 'cli'), '--json']);
    expect(r.stderr).toBe('');
    const summary = JSON.parse(r.stdout);
    expect(summary.trunk.file).toBe(join(dir, 'cli', 'tfdemo-1.2.3+pg15-gnulinux-amd64.trunk'));
    expect(summary.oci.image.tag).toBe('1.2.3-pg15-gnulinux');
    expect(summary.oci.rewritten).toEqual(['share/extension/tfdemo--1.2.3.sql']);
    await import('node:fs/promises').then((fs) => fs.writeFile(metaFile, JSON.stringify({ ...sampleMeta(), version: '1.0', platform: { os: 'gnulinux', arch: 'any', libc: 'musl' } })));
    const bad = await runCli(['pack', stage, '--meta', metaFile, '--out', join(dir, 'cli2')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('invalid package metadata');
    expect(bad.stderr).toContain('version: not a SemVer version');
    expect(bad.stderr).toContain('platform: os, arch and libc disagree');
  });
});
