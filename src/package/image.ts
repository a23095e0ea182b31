// The extension as an image for a Kubernetes image volume mounted at /extensions/NAME: one layer
// holding share/extension/*.control|*.sql, lib/*.so with the bundled libraries beside them (their
// RUNPATH is $ORIGIN: no /system directory, no LD_LIBRARY_PATH), share/<x> data and licenses/.
// One image index per (extension, version, Postgres major, libc), tagged
// `{version}-pg{major}-{os}` (os: gnulinux, musllinux, any), with one manifest per architecture.
import { UserError } from '../errors.ts';
import type { PackageMeta } from './meta.ts';
import { writeTarGz } from './archive/tar.ts';
import type { TreeEntry } from './tree.ts';
import { volumeTree } from './volume.ts';
import { adoptBlob, blobTempPath, initLayout, mergeIndexes, putJson, readJsonBlob, resolveRef, setRef, MEDIA, TITLE, isTag, type Descriptor, type ImageIndex, type ImageManifest, type OciPlatform } from '../oci/index.ts';
import { ARCHES } from '../types.ts';

export interface WrittenImage {
  tag: string;
  /** The image index that `tag` names. */
  index: Descriptor;
  /** The manifests this call wrote (one per architecture). */
  manifests: Descriptor[];
  layer: { digest: string; size: number; diffId: string };
  /** Extension scripts whose `'$libdir/X'` literals were rewritten. */
  rewritten: string[];
  /** Package paths with no place under /extensions/NAME. */
  skipped: string[];
}

export function imageTag(meta: PackageMeta): string {
  const tag = `${meta.version}-pg${meta.postgres.major}-${meta.platform.os}`;
  if (!isTag(tag)) throw new UserError(`cannot make an image tag from version "${meta.version}"`);
  return tag;
}

export function created(meta: PackageMeta): string {
  return new Date(meta.sourceDateEpoch * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function ociPlatform(arch: string): OciPlatform {
  return { architecture: arch, os: 'linux', ...(arch === 'arm64' ? { variant: 'v8' } : {}) };
}

/** org.opencontainers.image.* from the metadata. */
export function standardAnnotations(meta: PackageMeta): Record<string, string> {
  return {
    'org.opencontainers.image.created': created(meta),
    [TITLE]: meta.name,
    'org.opencontainers.image.description': meta.abstract,
    'org.opencontainers.image.version': meta.version,
    'org.opencontainers.image.licenses': meta.license,
    ...(meta.sourceUrl ? { 'org.opencontainers.image.source': meta.sourceUrl } : {}),
    ...(meta.homepage ? { 'org.opencontainers.image.url': meta.homepage } : {}),
  };
}

/** Ours: what a registry cannot select on but a client must check. */
export function trunkfarmAnnotations(meta: PackageMeta, trunk?: { file: string; sha256: string }): Record<string, string> {
  return {
    'io.trunkfarm.postgres.major': String(meta.postgres.major),
    'io.trunkfarm.postgres.version': meta.postgres.version,
    'io.trunkfarm.libc': meta.platform.libc,
    ...(meta.platform.libcVersion ? { 'io.trunkfarm.libc.version': meta.platform.libcVersion } : {}),
    ...(meta.platform.isa ? { 'io.trunkfarm.isa': meta.platform.isa } : {}),
    'io.trunkfarm.extensions': meta.extensions.join(','),
    'io.trunkfarm.build.key': meta.buildKey,
    ...(trunk ? { 'io.trunkfarm.trunk.file': trunk.file, 'io.trunkfarm.trunk.sha256': trunk.sha256 } : {}),
  };
}

/** Writes the layer, a config and manifest per architecture, and the image index (merged with
 * what `tag` already names, so the arm64 job and the amd64 job can write into one layout). */
export async function writeExtensionImage(
  layoutDir: string,
  pkg: TreeEntry[],
  meta: PackageMeta,
  options: { trunk?: { file: string; sha256: string } | Promise<{ file: string; sha256: string }> } = {},
): Promise<WrittenImage> {
  await initLayout(layoutDir);
  const tag = imageTag(meta);
  const tree = await volumeTree(pkg, meta.name);
  const tmp = blobTempPath(layoutDir);
  const tarred = await writeTarGz(tree.entries, tmp, { mtime: meta.sourceDateEpoch });
  const layerDigest = `sha256:${tarred.sha256}`;
  await adoptBlob(layoutDir, tmp, layerDigest);
  const layer: Descriptor = { mediaType: MEDIA.layerGzip, digest: layerDigest, size: tarred.size };
  const diffId = `sha256:${tarred.tarSha256}`;

  // The trunk may still be being written: only the manifests name it, not the layer.
  const trunk = await options.trunk;
  const perImage = { ...standardAnnotations(meta), ...trunkfarmAnnotations(meta, trunk) };
  const arches = meta.platform.arch === 'any' ? [...ARCHES] : [meta.platform.arch];
  const manifests: Descriptor[] = [];
  for (const arch of arches) {
    const platform = ociPlatform(arch);
    const config = await putJson(layoutDir, MEDIA.config, {
      created: created(meta),
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant ? { variant: platform.variant } : {}),
      config: { Labels: { [TITLE]: meta.name } },
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created: created(meta), created_by: `trunkfarm: ${meta.name} ${meta.version} for /extensions/${meta.name}` }],
    });
    const manifest: ImageManifest = { schemaVersion: 2, mediaType: MEDIA.manifest, config, layers: [layer], annotations: perImage };
    const d = await putJson(layoutDir, MEDIA.manifest, manifest, { platform, annotations: trunkfarmAnnotations(meta, trunk) });
    manifests.push(d);
  }

  const fresh: ImageIndex = {
    schemaVersion: 2,
    mediaType: MEDIA.index,
    manifests,
    annotations: {
      ...standardAnnotations(meta),
      'io.trunkfarm.postgres.major': String(meta.postgres.major),
      'io.trunkfarm.libc': meta.platform.libc,
    },
  };
  const before = await resolveRef(layoutDir, tag);
  const index = before?.mediaType === MEDIA.index ? mergeIndexes(await readJsonBlob<ImageIndex>(layoutDir, before.digest), fresh) : fresh;
  const indexDesc = await putJson(layoutDir, MEDIA.index, index);
  await setRef(layoutDir, tag, indexDesc);
  return { tag, index: indexDesc, manifests, layer: { digest: layerDigest, size: tarred.size, diffId }, rewritten: tree.rewritten.map((r) => r.path), skipped: tree.skipped };
}
