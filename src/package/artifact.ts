// The trunk file itself as an OCI artifact, in the shape of PGXN's proof of concept ("POC:
// Distributing Trunk Binaries via OCI", 2024): artifactType MEDIA.trunkArtifact, one layer of
// type MEDIA.layerGzip (a trunk is a tar.gz) titled with the file name, and a config of type
// MEDIA.config holding {os, os.version, architecture, created}. The POC's annotations
// org.pgxn.trunk.* come along, with ours.
// Tagged `{version}-pg{major}-{platform}.trunk`.
import { basename } from 'node:path';
import type { PackageMeta } from './meta.ts';
import { FORMAT_VERSION } from './trunk/json.ts';
import { formatPlatform } from './trunk/name.ts';
import { created, standardAnnotations, trunkfarmAnnotations } from './image.ts';
import { initLayout, putBlobFile, putJson, setRef, MEDIA, TITLE, type Descriptor, type ImageManifest } from '../oci/index.ts';

export function trunkArtifactTag(meta: PackageMeta): string {
  const p = meta.platform;
  const platform = formatPlatform(p.os === 'any' ? {} : { os: p.os, osVersion: p.osVersion, arch: p.arch });
  return `${meta.version}-pg${meta.postgres.major}-${platform}.trunk`;
}

export async function writeTrunkArtifact(layoutDir: string, trunkPath: string, meta: PackageMeta): Promise<{ tag: string; manifest: Descriptor; blob: Descriptor }> {
  await initLayout(layoutDir);
  const file = basename(trunkPath);
  const stored = await putBlobFile(layoutDir, trunkPath);
  const blob: Descriptor = { mediaType: MEDIA.layerGzip, ...stored, annotations: { [TITLE]: file } };
  const p = meta.platform;
  const config = await putJson(layoutDir, MEDIA.config, {
    os: p.os === 'any' ? 'any' : 'linux',
    ...(p.osVersion ? { 'os.version': p.osVersion } : {}),
    architecture: p.arch,
    created: created(meta),
  });
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    artifactType: MEDIA.trunkArtifact,
    config,
    layers: [blob],
    annotations: {
      ...standardAnnotations(meta),
      'org.pgxn.trunk.pg.version': meta.postgres.version,
      'org.pgxn.trunk.pg.major': String(meta.postgres.major),
      'org.pgxn.trunk.pg.version_num': String(meta.postgres.versionNum),
      'org.pgxn.trunk.version': FORMAT_VERSION,
      ...trunkfarmAnnotations(meta, { file, sha256: stored.digest.slice('sha256:'.length) }),
    },
  };
  const desc = await putJson(layoutDir, MEDIA.manifest, manifest, { artifactType: MEDIA.trunkArtifact });
  const tag = trunkArtifactTag(meta);
  await setRef(layoutDir, tag, desc);
  return { tag, manifest: desc, blob };
}
