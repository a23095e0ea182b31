// An OCI image layout directory (image-spec `image-layout.md`): `oci-layout`, `index.json` whose
// descriptors carry tags as `org.opencontainers.image.ref.name`, and `blobs/<algorithm>/<hex>`.
// Content addressed: a blob's name is its digest, so writing one that exists is a no-op, and every
// write lands under a temporary name first. `skopeo` and `podman` read it as `oci:DIR:TAG`. The one
// reader and writer of layouts: packaging writes them, publish pushes from them, pull and compose
// write them, serve reads them.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.ts';
import { exists, pathWithin, writeAtomic } from '../files/index.ts';
import type { BlobInfo, ContentSource } from './content.ts';
import { REF_NAME, type Descriptor, type ImageIndex } from './descriptor.ts';
import { digestLike, isDigest, sha256Digest, splitDigest } from './digest.ts';
import { MEDIA } from './media-types.ts';
import { isTag } from './registry/reference.ts';

/** Where a blob lives in the layout; sha256 and sha512 digests (the algorithms the image spec
 * registers), so a digest read from a manifest can safely become a path. */
export function blobPath(dir: string, digest: string): string {
  if (!isDigest(digest)) throw new UserError(`unsupported digest ${JSON.stringify(digest)} (sha256 or sha512 only)`);
  const [algorithm, encoded] = splitDigest(digest);
  return join(dir, 'blobs', algorithm, encoded);
}

/** Creates the layout if needed; leaves an existing one as it is. */
export async function initLayout(dir: string): Promise<void> {
  const cannot = (err: NodeJS.ErrnoException): never => {
    throw new UserError(`cannot make an OCI layout in ${dir}: ${err.code === 'ENOTDIR' || err.code === 'EEXIST' ? 'a file is in the way' : err.message}`);
  };
  await mkdir(dir, { recursive: true }).catch(cannot);
  blobStore(dir, 'sha512'); // pull and compose save sha512 blobs at blobPath once the layout is made
  await mkdir(blobStore(dir), { recursive: true }).catch(cannot);
  const layoutFile = join(dir, 'oci-layout');
  const current = await readFile(layoutFile, 'utf8').catch(() => undefined);
  if (current === undefined) await writeAtomic(layoutFile, `${JSON.stringify({ imageLayoutVersion: MEDIA.layout })}\n`);
  else if ((JSON.parse(current) as { imageLayoutVersion?: string }).imageLayoutVersion !== MEDIA.layout)
    throw new UserError(`${layoutFile}: unsupported image layout version`);
  const index = join(dir, 'index.json');
  if (!(await exists(index))) await writeIndex(dir, { schemaVersion: 2, mediaType: MEDIA.index, manifests: [] });
}

/** The folder blobs are written to, reached through no link out of the layout: a layout copied
 * from elsewhere may hold one (blobs -> /elsewhere), and a write would follow it. */
function blobStore(dir: string, algorithm = 'sha256'): string {
  return pathWithin(dir, join('blobs', algorithm));
}

export async function putBlob(dir: string, data: Uint8Array): Promise<{ digest: string; size: number }> {
  const digest = sha256Digest(data);
  blobStore(dir);
  const path = blobPath(dir, digest);
  if (!(await exists(path))) await writeAtomic(path, data);
  return { digest, size: data.length };
}

/** A temporary path inside the blob store, for a writer that learns the digest as it goes;
 * hand it to adoptBlob afterwards. */
export function blobTempPath(dir: string): string {
  return join(blobStore(dir), `.tmp-${randomBytes(8).toString('hex')}`);
}

/** Renames a finished temporary into place under its digest (dropping it if the blob exists). */
export async function adoptBlob(dir: string, tmp: string, digest: string): Promise<void> {
  const path = blobPath(dir, digest);
  blobStore(dir, splitDigest(digest)[0]);
  if (await exists(path)) await rm(tmp, { force: true });
  else await rename(tmp, path);
}

/** Copies a file into the blob store, hashing it on the way; the digest is what was copied. */
export async function putBlobFile(dir: string, file: string): Promise<{ digest: string; size: number }> {
  const tmp = blobTempPath(dir);
  const hash = createHash('sha256');
  let size = 0;
  const fh = await open(tmp, 'wx', 0o644);
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
      let off = 0;
      while (off < chunk.length) off += (await fh.write(chunk, off)).bytesWritten;
    }
    await fh.close();
  } catch (err) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    throw err;
  }
  const digest = `sha256:${hash.digest('hex')}`;
  await adoptBlob(dir, tmp, digest);
  return { digest, size };
}

/** Stores a JSON document as a blob and returns its descriptor. Compact, keys in the order given. */
export async function putJson(dir: string, mediaType: string, value: unknown, extra: Partial<Descriptor> = {}): Promise<Descriptor> {
  const { digest, size } = await putBlob(dir, Buffer.from(JSON.stringify(value)));
  return { mediaType, digest, size, ...extra };
}

export async function readBlob(dir: string, digest: string): Promise<Buffer> {
  const data = await readFile(blobPath(dir, digest)).catch(() => {
    throw new UserError(`${dir}: blob ${digest} is missing`);
  });
  const actual = digestLike(digest, data);
  if (actual !== digest) throw new UserError(`${dir}: blob ${digest} is corrupt (its content hashes to ${actual})`);
  return data;
}

export async function readJsonBlob<T>(dir: string, digest: string): Promise<T> {
  return JSON.parse((await readBlob(dir, digest)).toString('utf8')) as T;
}

export async function readIndex(dir: string): Promise<ImageIndex> {
  const text = await readFile(join(dir, 'index.json'), 'utf8').catch(() => {
    throw new UserError(`${dir}: not an OCI image layout (no index.json)`);
  });
  const index = JSON.parse(text) as ImageIndex;
  if (index.schemaVersion !== 2 || !Array.isArray(index.manifests)) throw new UserError(`${dir}/index.json: not an image index`);
  return index;
}

/** Points `tag` at `descriptor`, replacing what it pointed at before. Entries stay sorted by tag. */
export async function setRef(dir: string, tag: string, descriptor: Descriptor): Promise<void> {
  if (!isTag(tag)) throw new UserError(`"${tag}" is not a valid tag`);
  const index = await readIndex(dir);
  const others = index.manifests.filter((d) => d.annotations?.[REF_NAME] !== tag);
  const entry: Descriptor = { ...descriptor, annotations: { ...descriptor.annotations, [REF_NAME]: tag } };
  index.manifests = [...others, entry].sort((a, b) => cmp(a.annotations?.[REF_NAME] ?? '', b.annotations?.[REF_NAME] ?? ''));
  await writeIndex(dir, index);
}

export async function resolveRef(dir: string, tag: string): Promise<Descriptor | undefined> {
  return (await readIndex(dir)).manifests.find((d) => d.annotations?.[REF_NAME] === tag);
}

export interface LayoutListing {
  refs: { tag: string; descriptor: Descriptor }[];
  /** Every manifest and index reachable from index.json, by digest. */
  manifests: Map<string, { mediaType: string; artifactType?: string; descriptor: Descriptor }>;
  blobs: { digest: string; size: number }[];
}

/** What a layout holds: tags, the manifests and indexes they reach, and every blob on disk. */
export async function readLayout(dir: string): Promise<LayoutListing> {
  const index = await readIndex(dir);
  const refs = index.manifests.map((d) => ({ tag: d.annotations?.[REF_NAME] ?? '', descriptor: d }));
  const manifests: LayoutListing['manifests'] = new Map();
  const visit = async (d: Descriptor): Promise<void> => {
    if (manifests.has(d.digest)) return;
    if (d.mediaType === MEDIA.index) {
      manifests.set(d.digest, { mediaType: d.mediaType, descriptor: d });
      const child = await readJsonBlob<ImageIndex>(dir, d.digest);
      for (const m of child.manifests) await visit(m);
    } else if (d.mediaType === MEDIA.manifest) {
      const m = await readJsonBlob<{ artifactType?: string }>(dir, d.digest);
      manifests.set(d.digest, { mediaType: d.mediaType, descriptor: d, ...(m.artifactType ? { artifactType: m.artifactType } : {}) });
    }
  };
  for (const d of index.manifests) await visit(d);
  return { refs, manifests, blobs: await listBlobs(dir) };
}

/** Every blob file of the layout, sorted by digest (temporaries and stray names left out). */
export async function listBlobs(dir: string): Promise<BlobInfo[]> {
  const blobs: BlobInfo[] = [];
  const algorithms = await readdir(join(dir, 'blobs')).catch(() => [] as string[]);
  for (const algorithm of algorithms.sort()) {
    const names = await readdir(join(dir, 'blobs', algorithm)).catch(() => [] as string[]);
    for (const name of names.sort()) {
      const digest = `${algorithm}:${name}`;
      if (!isDigest(digest)) continue;
      const info = await stat(join(dir, 'blobs', algorithm, name));
      if (info.isFile()) blobs.push({ digest, size: info.size });
    }
  }
  return blobs;
}

/** Copies `src`'s blobs into `dst` and its tags too; a tag naming an image index in both is merged
 * (the union of their manifests, `src` winning for the same platform), so per-architecture
 * layouts combine into one index per tag. */
export async function mergeLayout(src: string, dst: string): Promise<void> {
  await initLayout(dst);
  const listing = await readLayout(src);
  for (const b of listing.blobs) {
    if (!(await exists(blobPath(dst, b.digest)))) await putBlobFile(dst, blobPath(src, b.digest));
  }
  for (const { tag, descriptor } of listing.refs) {
    if (!tag) continue;
    const mine = await resolveRef(dst, tag);
    if (mine && mine.mediaType === MEDIA.index && descriptor.mediaType === MEDIA.index && mine.digest !== descriptor.digest) {
      const a = await readJsonBlob<ImageIndex>(dst, mine.digest);
      const b = await readJsonBlob<ImageIndex>(dst, descriptor.digest);
      const merged = mergeIndexes(a, b);
      await setRef(dst, tag, await putJson(dst, MEDIA.index, merged));
    } else {
      const { [REF_NAME]: _drop, ...rest } = descriptor.annotations ?? {};
      await setRef(dst, tag, { ...descriptor, annotations: rest });
    }
  }
}

/** `base` with `add`'s manifests, replacing any for the same platform; sorted by platform. */
export function mergeIndexes(base: ImageIndex, add: ImageIndex): ImageIndex {
  const key = (d: Descriptor) => (d.platform ? `${d.platform.os}/${d.platform.architecture}/${d.platform.variant ?? ''}` : d.digest);
  const byKey = new Map(base.manifests.map((d) => [key(d), d] as const));
  for (const d of add.manifests) byKey.set(key(d), d);
  return { ...base, ...(add.annotations ? { annotations: add.annotations } : {}), manifests: [...byKey.values()].sort((x, y) => cmp(key(x), key(y))) };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function writeIndex(dir: string, index: ImageIndex): Promise<void> {
  await writeAtomic(join(dir, 'index.json'), `${JSON.stringify(index)}\n`);
}

/** Lists `descriptor` in index.json without a tag, unless an untagged entry for it is there. */
export async function addUntagged(dir: string, descriptor: Descriptor): Promise<void> {
  const index = await readIndex(dir);
  if (index.manifests.some((d) => d.digest === descriptor.digest && d.annotations?.[REF_NAME] === undefined)) return;
  index.manifests.push(descriptor);
  await writeIndex(dir, index);
}

export function checkDescriptor(value: unknown, where: string): Descriptor {
  const d = value as Partial<Descriptor> | null;
  if (typeof d !== 'object' || d === null) throw new UserError(`${where}: not a descriptor object`);
  if (typeof d.mediaType !== 'string' || d.mediaType === '') throw new UserError(`${where}: mediaType is missing`);
  if (typeof d.digest !== 'string' || !isDigest(d.digest)) throw new UserError(`${where}: digest ${JSON.stringify(d.digest)} is not a sha256 or sha512 digest`);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) throw new UserError(`${where}: size ${JSON.stringify(d.size)} is not a byte count`);
  return d as Descriptor;
}

/** Opens an OCI image layout directory as a content source (what a push reads from). */
export async function openLayout(dir: string): Promise<ContentSource> {
  const markerFile = join(dir, 'oci-layout');
  const marker = (await readJsonFile(markerFile, 'layout marker')) as { imageLayoutVersion?: unknown };
  if (typeof marker?.imageLayoutVersion !== 'string' || !marker.imageLayoutVersion.startsWith('1.')) {
    throw new UserError(`${markerFile}: unsupported imageLayoutVersion ${JSON.stringify(marker?.imageLayoutVersion)} (expected 1.x)`);
  }
  const indexFile = join(dir, 'index.json');
  const index = (await readJsonFile(indexFile, 'layout index')) as { manifests?: unknown };
  if (!Array.isArray(index?.manifests)) throw new UserError(`${indexFile}: "manifests" is not a list`);
  const manifests = index.manifests.map((m, i) => checkDescriptor(m, `${indexFile} manifests[${i}]`));
  return {
    manifests: async () => manifests,
    listBlobs: () => listBlobs(dir),
    async readBlob(digest, range) {
      const file = blobPath(dir, digest);
      if (range && range.end <= range.start) return [];
      const stream = createReadStream(file, range ? { start: range.start, end: range.end - 1 } : {});
      // Surface a missing blob here, as a clear error, rather than mid-upload.
      await new Promise<void>((resolve, reject) => {
        stream.once('open', () => resolve());
        stream.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? new UserError(`OCI layout ${dir} has no blob ${digest} (${file})`) : err));
      });
      return stream;
    },
  };
}

async function readJsonFile(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `${file} is missing: is ${dirname(file)} an OCI image layout?` : `cannot read ${what} ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}
