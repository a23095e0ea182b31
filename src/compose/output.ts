// Where a composition goes: a registry (`--to HOST/REPO:TAG`) or an OCI layout (`--oci-layout
// DIR`). Both see it as one content source: the new configs and manifests from memory, the
// extension layers from the compose cache, the base layers from the base's repository. Pushed to
// the base's own registry, base layers are found or mounted, never uploaded.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { UserError } from '../errors.ts';
import { blobPath, initLayout, putBlob, setRef, REF_NAME, diffStats, saveVerified, type BlobInfo, type ContentSource, type Descriptor, type PushResult, type Reference, type RegistryClient, type Repository, RegistryError, pushBlob, pushLayout } from '../oci/index.ts';
import type { Composition } from './compose.ts';

/** The composition as a content source whose one top-level manifest is tagged `tag`. */
export function compositionSource(composition: Composition, layoutDir: string, tag: string): ContentSource {
  const memory = new Map<string, Buffer>([[composition.top.digest, composition.top.bytes]]);
  const blobs = new Map<string, BlobInfo>([[composition.top.digest, composition.top]]);
  const cached = new Set<string>();
  const base = new Map<string, (typeof composition.images)[number]['base']>();
  for (const image of composition.images) {
    for (const b of [image.config, image.manifest]) {
      memory.set(b.digest, b.bytes);
      blobs.set(b.digest, b);
    }
    for (const l of image.layers) {
      cached.add(l.descriptor.digest);
      blobs.set(l.descriptor.digest, l.descriptor);
    }
    for (const l of image.base.document.layers) {
      base.set(l.digest, image.base);
      blobs.set(l.digest, l);
    }
  }
  const top: Descriptor = { mediaType: composition.top.mediaType, digest: composition.top.digest, size: composition.top.size, annotations: { [REF_NAME]: tag } };
  return {
    manifests: async () => [top],
    listBlobs: async () => [...blobs.values()].map((b) => ({ digest: b.digest, size: b.size })),
    async readBlob(digest, range) {
      const bytes = memory.get(digest);
      if (bytes !== undefined) return [range ? bytes.subarray(range.start, range.end) : bytes];
      if (cached.has(digest)) return createReadStream(blobPath(layoutDir, digest), range ? { start: range.start, end: range.end - 1 } : {});
      const from = base.get(digest);
      if (from === undefined) throw new UserError(`composition has no blob ${digest}`);
      const stream = await from.repository.blob(digest);
      return range ? skipTo(stream, range.start, range.end) : stream;
    },
  };
}

async function* skipTo(stream: AsyncIterable<Uint8Array>, start: number, end: number): AsyncIterable<Uint8Array> {
  let at = 0;
  for await (const chunk of stream) {
    const from = Math.max(0, start - at);
    const to = Math.min(chunk.length, end - at);
    if (to > from) yield chunk.subarray(from, to);
    at += chunk.length;
    if (at >= end) break;
  }
}

/** Pushes the composition and tags it. Base layers are mounted from the base's repository, and
 * each extension layer is kept in its extension's repository and mounted from there, so that a
 * layer crosses the network once per registry however many images use it. */
export async function pushComposition(composition: Composition, layoutDir: string, target: Reference, client: RegistryClient): Promise<PushResult> {
  const tag = target.tag;
  if (tag === undefined) throw new UserError(`--to ${target.registry}/${target.repository}: name a tag`, { exitCode: 2 });
  const before = { ...client.stats };
  const sameRegistry = (r: Repository | undefined): r is Repository => r !== undefined && r.registry === target.registry;
  const homes = new Set<string>();
  for (const image of composition.images) {
    for (const layer of image.layers) {
      const home = layer.trunk.repository.remote;
      if (!sameRegistry(home) || home.repository === target.repository) continue;
      try {
        await pushBlob(client, home, layer.descriptor, (range) => Promise.resolve(createReadStream(blobPath(layoutDir, layer.descriptor.digest), range ? { start: range.start, end: range.end - 1 } : {})));
        homes.add(home.repository);
      } catch (err) {
        // No push access to the extension's repository: the layer goes straight to the target.
        if (!(err instanceof RegistryError)) throw err;
      }
    }
  }
  const bases = composition.images.map((i) => i.base.repository.remote).filter(sameRegistry).map((r) => r.repository);
  const mountFrom = [...new Set([...bases, ...homes])].filter((r) => r !== target.repository);
  const pushed = await pushLayout(compositionSource(composition, layoutDir, tag), { registry: target.registry, repository: target.repository }, { client, mountFrom });
  // What the whole compose moved, the layers parked in extension repositories included.
  return { ...pushed, stats: diffStats(client.stats, before) };
}

/** Writes the composition into an OCI layout directory, base layers included, under `tag`. */
export async function writeCompositionLayout(composition: Composition, layoutDir: string, dir: string, tag: string): Promise<{ bytesWritten: number }> {
  await initLayout(dir);
  const source = compositionSource(composition, layoutDir, tag);
  let bytesWritten = 0;
  for (const b of await source.listBlobs()) {
    if (b.digest === composition.top.digest) continue;
    const have = await stat(blobPath(dir, b.digest)).catch(() => undefined);
    if (have?.size === b.size) continue;
    bytesWritten += await saveVerified(await source.readBlob(b.digest), blobPath(dir, b.digest), b, `blob ${b.digest}`);
  }
  await putBlob(dir, composition.top.bytes);
  await setRef(dir, tag, { mediaType: composition.top.mediaType, digest: composition.top.digest, size: composition.top.size });
  return { bytesWritten };
}
