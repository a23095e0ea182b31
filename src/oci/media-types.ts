// Media types the client must tell apart: manifests and indexes are pushed to /manifests/,
// everything else is a blob.

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

/** What a sign stage attaches to an image: a Sigstore bundle, as an OCI 1.1 artifact. */
export const SIGSTORE_BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

/** The empty JSON blob `{}`, the config of artifacts that have none. */
export const EMPTY_JSON = {
  mediaType: OCI_EMPTY,
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
  data: 'e30=',
} as const;

export const MANIFEST_ACCEPT = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST].join(', ');

export function isIndexType(mediaType: string): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST;
}

export function isManifestType(mediaType: string): boolean {
  return mediaType === OCI_MANIFEST || mediaType === DOCKER_MANIFEST || isIndexType(mediaType);
}

/** Layers a registry never holds: they are fetched from their `urls`. */
export function isForeignLayer(mediaType: string): boolean {
  return mediaType.includes('.nondistributable.') || mediaType === 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip';
}
