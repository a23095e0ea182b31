// One job's packaging: a stage directory and its metadata become a trunk file and, from the same
// files, an OCI image layout holding the image-volume image and the trunk as an artifact.
import { mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { PackageMeta } from './meta.ts';
import { writeExtensionImage, type WrittenImage } from './image.ts';
import { writeTrunkArtifact } from './artifact.ts';
import { type Descriptor } from '../oci/index.ts';
import { readStage } from './stage.ts';
import { writeTrunk, type WrittenTrunk } from './trunk/write.ts';

export interface PackResult {
  trunk: WrittenTrunk;
  /** The OCI image layout directory (`OUT/oci`). */
  layout: string;
  image: WrittenImage;
  artifact: { tag: string; manifest: Descriptor };
}

export async function pack(stage: string, meta: PackageMeta, outDir: string): Promise<PackResult> {
  const out = resolve(outDir);
  await mkdir(out, { recursive: true });
  const entries = await readStage(stage);
  // The trunk and the image's layer are compressed side by side; the image's manifest, which
  // names the trunk's digest, waits for it.
  const writing = writeTrunk(stage, meta, out, { entries });
  const layout = join(out, 'oci');
  const ref = writing.then((t) => ({ file: basename(t.path), sha256: t.sha256 }));
  const [trunk, image] = await Promise.all([writing, writeExtensionImage(layout, entries, meta, { trunk: ref })]);
  const artifact = await writeTrunkArtifact(layout, trunk.path, meta);
  return { trunk, layout, image, artifact: { tag: artifact.tag, manifest: artifact.manifest } };
}
