// OCI image layouts made for tests and benches: real tar (optionally gzip) layers of random
// files, image configs with the right diff_ids, manifests, and an index when there are several
// platforms, so skopeo and podman accept what the client pushes.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import type { Descriptor } from '../../../src/oci/index.ts';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
export const LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

export interface ImageSpec {
  /** Written as the org.opencontainers.image.ref.name annotation of the top entry. */
  tag?: string;
  /** One manifest per platform; several make an index. Default: linux/amd64. */
  platforms?: { os: string; architecture: string }[];
  /** Random file sizes, one layer each. The first layer is shared by every platform. */
  layers: number[];
  gzip?: boolean;
  /** Annotation added to every manifest, to make otherwise equal images differ. */
  label?: string;
}

export interface MadeImage {
  top: Descriptor;
  manifests: Descriptor[];
  /** Every blob written (configs and layers), not manifests. */
  blobs: Descriptor[];
  /** Path inside the image -> content, per platform `os/arch`. */
  files: Map<string, Map<string, Buffer>>;
}

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function tarOf(files: [string, Buffer][]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (c: unknown) => void chunks.push(c as Buffer));
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  pack.entry({ name: 'data/', type: 'directory', mode: 0o755, mtime: new Date(0) });
  for (const [name, content] of files) pack.entry({ name, size: content.length, mode: 0o644, mtime: new Date(0) }, content);
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export async function writeBlob(dir: string, bytes: Uint8Array): Promise<string> {
  const digest = sha256(bytes);
  const file = path.join(dir, 'blobs', 'sha256', digest.slice(7));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
  return digest;
}

async function addToIndex(dir: string, entry: Descriptor): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const file = path.join(dir, 'index.json');
  let manifests: Descriptor[] = [];
  try {
    manifests = (JSON.parse(await readFile(file, 'utf8')) as { manifests: Descriptor[] }).manifests;
  } catch {
    manifests = [];
  }
  manifests.push(entry);
  await writeFile(file, JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }, null, 2));
}

/** Writes an image (or a multi-platform index) into the layout `dir`, creating the layout. */
export async function addImage(dir: string, spec: ImageSpec): Promise<MadeImage> {
  const platforms = spec.platforms ?? [{ os: 'linux', architecture: 'amd64' }];
  const blobs: Descriptor[] = [];
  const manifests: Descriptor[] = [];
  const files = new Map<string, Map<string, Buffer>>();
  const shared = randomBytes(spec.layers[0] ?? 0);
  for (const platform of platforms) {
    const key = `${platform.os}/${platform.architecture}`;
    const contents = new Map<string, Buffer>();
    const layerDescriptors: Descriptor[] = [];
    const diffIds: string[] = [];
    for (const [i, size] of spec.layers.entries()) {
      const content = i === 0 ? shared : randomBytes(size);
      const name = `data/layer-${i}.bin`;
      contents.set(name, content);
      const plain = await tarOf([[name, content]]);
      const stored = spec.gzip ? gzipSync(plain, { level: 1 }) : plain;
      const digest = await writeBlob(dir, stored);
      diffIds.push(sha256(plain));
      const d = { mediaType: spec.gzip ? LAYER_GZIP : LAYER_TAR, digest, size: stored.length };
      layerDescriptors.push(d);
      blobs.push(d);
    }
    files.set(key, contents);
    const config = Buffer.from(JSON.stringify({ architecture: platform.architecture, os: platform.os, rootfs: { type: 'layers', diff_ids: diffIds }, config: {} }));
    const configDescriptor = { mediaType: OCI_CONFIG, digest: await writeBlob(dir, config), size: config.length };
    blobs.push(configDescriptor);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: configDescriptor,
        layers: layerDescriptors,
        ...(spec.label ? { annotations: { 'org.example.label': spec.label } } : {}),
      }),
    );
    manifests.push({ mediaType: OCI_MANIFEST, digest: await writeBlob(dir, manifest), size: manifest.length, platform });
  }
  let top: Descriptor;
  if (manifests.length === 1) {
    const { platform: _, ...only } = manifests[0]!;
    top = only;
  } else {
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
    top = { mediaType: OCI_INDEX, digest: await writeBlob(dir, index), size: index.length };
  }
  await addToIndex(dir, { ...top, ...(spec.tag ? { annotations: { 'org.opencontainers.image.ref.name': spec.tag } } : {}) });
  return { top, manifests, blobs, files };
}

/** Adds to the layout `dir` an OCI 1.1 artifact (empty config, one layer of `bytes`) whose subject
 * is `subject`, listed untagged in index.json, as a signing step leaves one; returns its digest. */
export async function addReferrer(dir: string, subject: Descriptor, artifactType: string, bytes: Buffer): Promise<string> {
  const layerDigest = await writeBlob(dir, bytes);
  const empty = await writeBlob(dir, Buffer.from('{}'));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: empty, size: 2 },
      layers: [{ mediaType: artifactType, digest: layerDigest, size: bytes.length }],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    }),
  );
  const digest = await writeBlob(dir, manifest);
  await addToIndex(dir, { mediaType: OCI_MANIFEST, digest, size: manifest.length, artifactType });
  return digest;
}
