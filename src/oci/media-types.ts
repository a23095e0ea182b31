// The media types trunkfarm writes and reads, in one table. Manifests and indexes go to a
// registry's /manifests/, everything else is a blob.

export const MEDIA = {
  /** `imageLayoutVersion` of the OCI image layouts written (not a media type, but the same spec's). */
  layout: '1.0.0',
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  layerTar: 'application/vnd.oci.image.layer.v1.tar',
  empty: 'application/vnd.oci.empty.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerLayerTar: 'application/vnd.docker.image.rootfs.diff.tar',
  /** The artifact type PGXN's proof of concept pushed trunks with (`oras push --artifact-type`). */
  trunkArtifact: 'application/vnd.pgxn.trunk.layer.v1',
  /** What a sign stage attaches to an image: a Sigstore bundle, as an OCI 1.1 artifact. */
  sigstoreBundle: 'application/vnd.dev.sigstore.bundle.v0.3+json',
} as const;

/** The empty JSON blob `{}`, the config of artifacts that have none. */
export const EMPTY_JSON = {
  mediaType: MEDIA.empty,
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
  data: 'e30=',
} as const;

export const MANIFEST_ACCEPT = [MEDIA.manifest, MEDIA.index, MEDIA.dockerManifest, MEDIA.dockerManifestList].join(', ');

export function isIndexType(mediaType: string): boolean {
  return mediaType === MEDIA.index || mediaType === MEDIA.dockerManifestList;
}

export function isManifestType(mediaType: string): boolean {
  return mediaType === MEDIA.manifest || mediaType === MEDIA.dockerManifest || isIndexType(mediaType);
}

/** Docker's layer types become OCI's in a composed image: same bytes, one vocabulary. */
export function ociLayerType(mediaType: string): string {
  if (mediaType === MEDIA.dockerLayerGzip) return MEDIA.layerGzip;
  if (mediaType === MEDIA.dockerLayerTar) return MEDIA.layerTar;
  return mediaType;
}
