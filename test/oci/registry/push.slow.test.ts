// Pushes to a real registry (Debian's docker-registry on loopback) and checks the result with
// skopeo and podman, not with the client itself.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachArtifact, createClient, headManifest, listReferrers, listTags, MEDIA, memorySource, pullToLayout, pushLayout, referrersTag, RegistryError } from '../../../src/oci/index.ts';
import type { ClientEvent, RegistryClient } from '../../../src/oci/index.ts';
import { startRegistry } from '../registry-server.ts';
import type { RegistryServer } from '../registry-server.ts';
import { startFaultProxy } from './fault-proxy.ts';
import { addImage, addReferrer } from './fixtures.ts';

let registry: RegistryServer;
let scratch: string;

beforeAll(async () => {
  registry = await startRegistry();
  scratch = await mkdtemp(path.join(tmpdir(), 'trunkfarm-push-'));
});

afterAll(async () => {
  await registry?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function skopeo(...args: string[]): string {
  return execFileSync('skopeo', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function inspectRaw(ref: string): { digest: string; json: Record<string, unknown> } {
  const raw = skopeo('inspect', '--tls-verify=false', '--raw', `docker://${ref}`);
  const digest = skopeo('manifest-digest', writeTemp(raw)).trim();
  return { digest, json: JSON.parse(raw) as Record<string, unknown> };
}

let temps = 0;
function writeTemp(text: string): string {
  const file = path.join(scratch, `raw-${temps++}.json`);
  execFileSync('sh', ['-c', 'cat > "$1"', 'sh', file], { input: text });
  return file;
}

async function layout(name: string): Promise<string> {
  return mkdtemp(path.join(scratch, `${name}-`));
}

describe('pushLayout', () => {
  it('pushes an image that skopeo reads back, and re-pushing uploads no blob bytes', async () => {
    const dir = await layout('single');
    const image = await addImage(dir, { tag: 'v1', layers: [2000, 150_000], gzip: true });
    const target = `${registry.host}/trunkfarm/single`;

    const first = await pushLayout(dir, target);
    expect(first.manifests).toEqual([
      { digest: image.top.digest, mediaType: MEDIA.manifest, size: image.top.size, reference: `${target}@${image.top.digest}`, tags: ['v1'] },
    ]);
    const layerBytes = image.blobs.reduce((n, b) => n + b.size, 0);
    expect(first.stats.blobsUploaded).toBe(image.blobs.length);
    expect(first.stats.blobBytesUploaded).toBe(layerBytes);
    expect(first.stats.tagsMoved).toBe(1);

    const seen = inspectRaw(`${target}:v1`);
    expect(seen.digest).toBe(image.top.digest);
    const inspected = JSON.parse(skopeo('inspect', '--tls-verify=false', `docker://${target}:v1`)) as { Digest: string; Layers: string[]; Architecture: string };
    expect(inspected.Digest).toBe(image.top.digest);
    expect(inspected.Layers).toEqual(image.blobs.filter((b) => b.mediaType !== 'application/vnd.oci.image.config.v1+json').map((b) => b.digest));

    const again = await pushLayout(dir, target);
    expect(again.stats.blobBytesUploaded).toBe(0);
    expect(again.stats.blobsUploaded).toBe(0);
    expect(again.stats.blobsPresent).toBe(image.blobs.length);
    expect(again.stats.manifestsPushed).toBe(0);
    expect(again.stats.tagsMoved).toBe(0);
    expect(again.stats.tagsUnchanged).toBe(1);
  });

  it('pushes a two-platform index that skopeo copies back and podman pulls and mounts', async () => {
    const dir = await layout('multi');
    const image = await addImage(dir, {
      tag: '1.0',
      layers: [50_000, 80_000],
      gzip: true,
      platforms: [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64' },
      ],
    });
    const target = `${registry.host}/trunkfarm/multi`;
    const result = await pushLayout(dir, target, { tags: ['1.0', 'latest'] });
    expect(result.manifests[0]!.tags).toEqual(['1.0', 'latest']);
    // The first layer is shared by both platforms: uploaded once.
    expect(result.stats.blobsUploaded).toBe(new Set(image.blobs.map((b) => b.digest)).size);

    for (const tag of ['1.0', 'latest']) {
      const seen = inspectRaw(`${target}:${tag}`);
      expect(seen.digest).toBe(image.top.digest);
      expect((seen.json.manifests as { digest: string }[]).map((m) => m.digest)).toEqual(image.manifests.map((m) => m.digest));
    }
    const arm = JSON.parse(skopeo('inspect', '--tls-verify=false', '--override-arch', 'arm64', `docker://${target}:1.0`)) as { Architecture: string };
    expect(arm.Architecture).toBe('arm64');
    const armChild = JSON.parse(skopeo('inspect', '--tls-verify=false', `docker://${target}@${image.manifests[1]!.digest}`)) as { Architecture: string; Digest: string };
    expect(armChild).toMatchObject({ Architecture: 'arm64', Digest: image.manifests[1]!.digest });

    // skopeo copies everything back, digests preserved: the registry holds every blob.
    const copy = await layout('copy');
    skopeo('copy', '--all', '--preserve-digests', '--src-tls-verify=false', `docker://${target}:1.0`, `oci:${copy}:1.0`);
    const index = JSON.parse(await readFile(path.join(copy, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    expect(index.manifests[0]!.digest).toBe(image.top.digest);
    const copied = new Set((await readdir(path.join(copy, 'blobs', 'sha256'))).map((h) => `sha256:${h}`));
    for (const blob of image.blobs) expect(copied.has(blob.digest)).toBe(true);

    // podman pulls the amd64 image and sees the files the layers hold.
    const name = `${target}:1.0`;
    try {
      execFileSync('podman', ['pull', '--quiet', '--tls-verify=false', '--arch', 'amd64', name], { stdio: ['ignore', 'pipe', 'pipe'] });
      const mount = execFileSync('podman', ['image', 'mount', name], { encoding: 'utf8' }).trim();
      try {
        const expected = image.files.get('linux/amd64')!;
        for (const [file, content] of expected) expect((await readFile(path.join(mount, file))).equals(content)).toBe(true);
      } finally {
        execFileSync('podman', ['image', 'unmount', name]);
      }
    } finally {
      execFileSync('podman', ['rmi', '--force', name], { stdio: 'ignore' });
    }
  });

  it('moves a tag to a new image only after that image is complete', async () => {
    const dir1 = await layout('v1');
    const dir2 = await layout('v2');
    const v1 = await addImage(dir1, { layers: [10_000] });
    const v2 = await addImage(dir2, { layers: [12_000] });
    const target = `${registry.host}/trunkfarm/moving`;
    await pushLayout(dir1, `${target}:stable`);
    expect(inspectRaw(`${target}:stable`).digest).toBe(v1.top.digest);

    const proxy = await startFaultProxy(registry.host);
    try {
      const result = await pushLayout(dir2, `${proxy.host}/trunkfarm/moving:stable`);
      expect(result.stats.tagsMoved).toBe(1);
      const tagPut = proxy.log.findIndex((e) => e.method === 'PUT' && e.path === '/v2/trunkfarm/moving/manifests/stable');
      expect(tagPut).toBeGreaterThan(0);
      const before = proxy.log.slice(0, tagPut);
      // Every blob was uploaded and the manifest stored by digest, then checked, before the tag moved.
      for (const blob of v2.blobs) {
        expect(before.some((e) => e.method === 'PUT' && e.path.includes('/blobs/uploads/') && e.path.includes(encodeURIComponent(blob.digest)))).toBe(true);
        expect(before.some((e) => e.method === 'HEAD' && e.path === `/v2/trunkfarm/moving/blobs/${blob.digest}` && e.n > before.find((p) => p.path.includes(encodeURIComponent(blob.digest)) && p.method === 'PUT')!.n)).toBe(true);
      }
      expect(before.some((e) => e.method === 'PUT' && e.path === `/v2/trunkfarm/moving/manifests/${v2.top.digest}`)).toBe(true);
    } finally {
      await proxy.stop();
    }
    expect(inspectRaw(`${target}:stable`).digest).toBe(v2.top.digest);
  });

  it('uploads big blobs in chunks, and small ones whole', async () => {
    const dir = await layout('chunks');
    const image = await addImage(dir, { tag: 'c', layers: [700_000, 1000] });
    const big = image.blobs[0]!;
    const proxy = await startFaultProxy(registry.host);
    try {
      const result = await pushLayout(dir, `${proxy.host}/trunkfarm/chunks`, { chunkSize: 256 * 1024 });
      expect(result.stats.blobBytesUploaded).toBe(image.blobs.reduce((n, b) => n + b.size, 0));
      const patches = proxy.log.filter((e) => e.method === 'PATCH');
      expect(patches).toHaveLength(Math.ceil(big.size / (256 * 1024)));
      expect(patches.map((p) => p.forwarded)).toEqual([262_144, 262_144, big.size - 2 * 262_144]);
      const puts = proxy.log.filter((e) => e.method === 'PUT' && e.path.includes('/blobs/uploads/'));
      expect(puts.find((p) => p.path.includes(encodeURIComponent(big.digest)))!.forwarded).toBe(0);
      for (const small of image.blobs.slice(1)) expect(puts.find((p) => p.path.includes(encodeURIComponent(small.digest)))!.forwarded).toBe(small.size);
    } finally {
      await proxy.stop();
    }
    expect(inspectRaw(`${registry.host}/trunkfarm/chunks:c`).digest).toBe(image.top.digest);
  });

  it('mounts blobs from another repository of the registry instead of uploading them', async () => {
    const dir = await layout('mount');
    const image = await addImage(dir, { tag: 'm', layers: [40_000, 60_000] });
    const client = createClient();
    try {
      await pushLayout(dir, `${registry.host}/trunkfarm/mount-a`, { client });
      const second = await pushLayout(dir, `${registry.host}/trunkfarm/mount-b`, { client });
      expect(second.stats.blobsMounted).toBe(image.blobs.length);
      expect(second.stats.blobBytesUploaded).toBe(0);
    } finally {
      client.close();
    }
    // A fresh client learns where to mount from the mountFrom option.
    const third = await pushLayout(dir, `${registry.host}/trunkfarm/mount-c`, { mountFrom: ['trunkfarm/mount-a'] });
    expect(third.stats.blobsMounted).toBe(image.blobs.length);
    expect(third.stats.blobBytesUploaded).toBe(0);
    for (const repo of ['mount-b', 'mount-c']) expect(inspectRaw(`${registry.host}/trunkfarm/${repo}:m`).digest).toBe(image.top.digest);
  });

  it('attaches a signature bundle as a referrer, through the tag fallback on this registry', async () => {
    const dir = await layout('signed');
    const image = await addImage(dir, { tag: 's', layers: [5000] });
    const target = { registry: registry.host, repository: 'trunkfarm/signed' };
    const client = createClient();
    try {
      await pushLayout(dir, `${registry.host}/trunkfarm/signed`, { client });
      const bundle = Buffer.from(JSON.stringify({ mediaType: MEDIA.sigstoreBundle, verificationMaterial: {}, dsseEnvelope: {} }));
      const artifact = await attachArtifact(client, target, image.top, {
        artifactType: MEDIA.sigstoreBundle,
        layers: [{ mediaType: MEDIA.sigstoreBundle, bytes: bundle }],
        annotations: { 'org.opencontainers.image.created': '2025-01-01T00:00:00Z' },
      });
      expect(artifact.artifactType).toBe(MEDIA.sigstoreBundle);

      // docker-registry 2.8 has no referrers API: the index lives under the sha256-<hex> tag.
      const tag = referrersTag(image.top.digest);
      expect(tag).toBe(image.top.digest.replace(':', '-'));
      const fallback = inspectRaw(`${registry.host}/trunkfarm/signed:${tag}`);
      expect(fallback.json.mediaType).toBe(MEDIA.index);
      expect(fallback.json.manifests).toEqual([
        { mediaType: MEDIA.manifest, digest: artifact.digest, size: artifact.size, artifactType: MEDIA.sigstoreBundle, annotations: { 'org.opencontainers.image.created': '2025-01-01T00:00:00Z' } },
      ]);
      const stored = inspectRaw(`${registry.host}/trunkfarm/signed@${artifact.digest}`).json as { subject: { digest: string }; artifactType: string };
      expect(stored.subject.digest).toBe(image.top.digest);
      expect(stored.artifactType).toBe(MEDIA.sigstoreBundle);

      // A second artifact joins the first; attaching the same one again adds nothing.
      const other = await attachArtifact(client, target, image.top, { artifactType: 'application/vnd.example.sbom', layers: [{ mediaType: 'application/json', bytes: Buffer.from('{}\n') }] });
      await attachArtifact(client, target, image.top, { artifactType: MEDIA.sigstoreBundle, layers: [{ mediaType: MEDIA.sigstoreBundle, bytes: bundle }], annotations: { 'org.opencontainers.image.created': '2025-01-01T00:00:00Z' } });
      const all = await listReferrers(client, target, image.top.digest);
      expect(all.map((d) => d.digest).sort()).toEqual([artifact.digest, other.digest].sort());
      const bundles = await listReferrers(client, target, image.top.digest, { artifactType: MEDIA.sigstoreBundle });
      expect(bundles.map((d) => d.digest)).toEqual([artifact.digest]);
      expect(await listReferrers(client, target, `sha256:${'0'.repeat(64)}`)).toEqual([]);
    } finally {
      client.close();
    }
  });

  it('pushes a layout that holds an artifact with a subject, and records the referrer', async () => {
    const dir = await layout('with-referrer');
    const image = await addImage(dir, { tag: 'r', layers: [3000] });
    const manifestDigest = await addReferrer(dir, image.top, MEDIA.sigstoreBundle, Buffer.from('{"bundle":true}'));

    const client = createClient();
    try {
      await pushLayout(dir, `${registry.host}/trunkfarm/with-referrer`, { client });
      const target = { registry: registry.host, repository: 'trunkfarm/with-referrer' };
      expect((await listReferrers(client, target, image.top.digest)).map((d) => d.digest)).toEqual([manifestDigest]);
      expect(await listTags(client, target)).toEqual(expect.arrayContaining(['r', referrersTag(image.top.digest)]));
      // Idempotent: the fallback index is not rewritten.
      const again = await pushLayout(dir, `${registry.host}/trunkfarm/with-referrer`, { client });
      expect(again.stats.manifestsPushed).toBe(0);
      expect(await listReferrers(client, target, image.top.digest)).toHaveLength(1);
    } finally {
      client.close();
    }
  });

  it('merges per-architecture indexes under one tag with mergeIndexTags, leaving out children the registry lost', async () => {
    const target = `${registry.host}/trunkfarm/merged`;
    const repo = { registry: registry.host, repository: 'trunkfarm/merged' };
    const made = [];
    for (const architecture of ['amd64', 'arm64', 'arm64']) {
      const dir = await layout(`merge-${architecture}`);
      const image = await addImage(dir, { tag: 'v1', layers: [1000], platforms: [{ os: 'linux', architecture }, { os: 'freebsd', architecture }] });
      made.push({ dir, image });
    }
    const platformsUnder = (ref: string) => (inspectRaw(ref).json.manifests as { digest: string; platform: { os: string; architecture: string } }[]).map((m) => `${m.platform.os}/${m.platform.architecture} ${m.digest}`);
    const client = createClient();
    try {
      await pushLayout(made[0]!.dir, target, { client, mergeIndexTags: true });
      const second = await pushLayout(made[1]!.dir, target, { client, mergeIndexTags: true });
      expect(second.stats.tagsMoved).toBe(1);
      const both = [...made[0]!.image.manifests, ...made[1]!.image.manifests].map((m) => `${m.platform!.os}/${m.platform!.architecture} ${m.digest}`).sort();
      expect(platformsUnder(`${target}:v1`)).toEqual(both);
      // Again: the tag already holds both; nothing moves.
      const again = await pushLayout(made[0]!.dir, target, { client, mergeIndexTags: true });
      expect(again.stats.tagsUnchanged).toBe(1);
      expect(again.stats.tagsMoved).toBe(0);
      // A rebuild of arm64 replaces arm64's manifests, and a child deleted from the registry meanwhile
      // (amd64's freebsd manifest) is left out rather than named by the tag.
      const lost = made[0]!.image.manifests.find((m) => m.platform!.os === 'freebsd')!;
      await client.request({ operation: 'delete', registry: registry.host, method: 'DELETE', path: `/v2/trunkfarm/merged/manifests/${lost.digest}`, scopes: [], expect: [202] });
      await pushLayout(made[2]!.dir, target, { client, mergeIndexTags: true });
      const kept = [...made[0]!.image.manifests.filter((m) => m !== lost), ...made[2]!.image.manifests].map((m) => `${m.platform!.os}/${m.platform!.architecture} ${m.digest}`).sort();
      expect(platformsUnder(`${target}:v1`)).toEqual(kept);
      skopeo('copy', '--all', '--src-tls-verify=false', `docker://${target}:v1`, `oci:${await layout('merged-copy')}:x`);
      // Without the option the tag is simply moved.
      await pushLayout(made[1]!.dir, target, { client });
      expect((await headManifest(client, repo, 'v1'))!.digest).toBe(made[1]!.image.top.digest);
    } finally {
      client.close();
    }
  });

  it('pulls an index back into a layout that skopeo reads', async () => {
    const dir = await layout('to-pull');
    const image = await addImage(dir, {
      tag: 'p',
      layers: [30_000, 20_000],
      platforms: [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64' },
      ],
    });
    await pushLayout(dir, `${registry.host}/trunkfarm/pull`);
    const out = path.join(await layout('pulled'), 'oci');
    const entry = await pullToLayout(`${registry.host}/trunkfarm/pull:p`, out, { chunkSize: 10_000 });
    expect(entry.digest).toBe(image.top.digest);
    for (const blob of [...image.blobs, ...image.manifests]) {
      expect(await readFile(path.join(out, 'blobs', 'sha256', blob.digest.slice(7)))).toEqual(await readFile(path.join(dir, 'blobs', 'sha256', blob.digest.slice(7))));
    }
    const inspected = JSON.parse(skopeo('inspect', '--raw', `oci:${out}:p`)) as { manifests: unknown[] };
    expect(inspected.manifests).toHaveLength(2);
  });

  it('pushes from any ContentSource, not only a layout directory', async () => {
    const source = memorySource([]);
    const layer = randomBytes(5000);
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA.manifest,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: source.add(config), size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: source.add(layer), size: layer.length }],
      }),
    );
    const descriptor = { mediaType: MEDIA.manifest, digest: source.add(manifest), size: manifest.length };
    const result = await pushLayout({ ...source, manifests: async () => [descriptor] }, `${registry.host}/trunkfarm/memory:m`);
    expect(result.stats.blobBytesUploaded).toBe(layer.length + config.length);
    expect(inspectRaw(`${registry.host}/trunkfarm/memory:m`).digest).toBe(descriptor.digest);
  });

  it('refuses an incomplete or corrupt layout without moving the tag', async () => {
    const dir = await layout('broken');
    const image = await addImage(dir, { tag: 'b', layers: [4000] });
    const layer = image.blobs[0]!;
    const file = path.join(dir, 'blobs', 'sha256', layer.digest.slice(7));
    const content = await readFile(file);

    await rm(file);
    const missing = await pushLayout(dir, `${registry.host}/trunkfarm/broken`).catch((e: Error) => e);
    expect((missing as Error).message).toMatch(new RegExp(`OCI layout .* is incomplete: ${layer.digest} \\(application/vnd.oci.image.layer.v1.tar\\) is missing`));

    // Same size, other bytes: the registry rejects the digest, and no tag appears.
    const corrupt = Buffer.from(content);
    corrupt[100] = corrupt[100]! ^ 0xff;
    await writeFile(file, corrupt);
    const events: ClientEvent[] = [];
    const err = await pushLayout(dir, `${registry.host}/trunkfarm/broken`, { onEvent: (e) => events.push(e), retry: { attempts: 2, baseDelayMs: 10 } }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(`push blob ${layer.digest} to ${registry.host}/trunkfarm/broken`);
    expect((err as Error).message).toContain('DIGEST_INVALID');
    expect((err as Error).message).toContain('the source is corrupt');
    const client: RegistryClient = createClient();
    try {
      expect(await headManifest(client, { registry: registry.host, repository: 'trunkfarm/broken' }, 'b')).toBeUndefined();
    } finally {
      client.close();
    }
    expect(events.some((e) => e.type === 'tag')).toBe(false);
  });

  it('names the operation, path, status and codes when the registry refuses', async () => {
    const dir = await layout('refused');
    await addImage(dir, { tag: 't', layers: [100] });
    // docker-registry refuses a manifest whose config blob it does not hold; push one by hand.
    const client = createClient();
    try {
      const { putManifest } = await import('../../../src/oci/index.ts');
      const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.manifest, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'1'.repeat(64)}`, size: 3 }, layers: [] }));
      const err = await putManifest(client, { registry: registry.host, repository: 'trunkfarm/refused' }, 'x', bytes, MEDIA.manifest).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RegistryError);
      const e = err as RegistryError;
      expect(e.status).toBe(400);
      expect(e.path).toBe('/v2/trunkfarm/refused/manifests/x');
      expect(e.codes.map((c) => c.code)).toContain('MANIFEST_BLOB_UNKNOWN');
      expect(e.message).toMatch(/^tag .*trunkfarm\/refused:x as sha256:[0-9a-f]{64}: PUT .*\/v2\/trunkfarm\/refused\/manifests\/x answered 400 Bad Request: MANIFEST_BLOB_UNKNOWN/);
    } finally {
      client.close();
    }
  });
});
