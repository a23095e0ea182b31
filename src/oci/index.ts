// Everything OCI in one place: digests, media types, descriptors, the image layout reader and
// writer, and a small distribution-spec registry client (blobs, manifests, tags, referrers, Basic
// and Bearer auth, resumable uploads) with the two whole operations built on it, pushing an OCI
// layout and pulling one back. Other stages import from here only.
export { digestLike, isDigest, sha256Digest, splitDigest } from './digest.ts';
export { EMPTY_JSON, MANIFEST_ACCEPT, MEDIA, isIndexType, isManifestType, ociLayerType } from './media-types.ts';
export { REF_NAME, TITLE, type Descriptor, type ImageIndex, type ImageManifest, type OciPlatform } from './descriptor.ts';
export {
  addUntagged,
  adoptBlob,
  blobPath,
  blobTempPath,
  checkDescriptor,
  initLayout,
  listBlobs,
  mergeIndexes,
  mergeLayout,
  openLayout,
  putBlob,
  putBlobFile,
  putJson,
  readBlob,
  readIndex,
  readJsonBlob,
  readLayout,
  resolveRef,
  setRef,
  type LayoutListing,
} from './image-layout.ts';
export { memorySource, readAllBlob, type BlobInfo, type ByteRange, type ByteStream, type ContentSource } from './content.ts';
export { saveVerified } from './save.ts';

export { pushLayout, type PushOptions, type PushResult, type PushedManifest, type TagTarget } from './registry/push.ts';
export { pullToLayout, readBlob as readRegistryBlob, type PullOptions } from './registry/pull.ts';
export { createClient, diffStats, emptyStats, type ClientOptions, type ClientEvent, type RegistryClient, type TransferStats } from './registry/client.ts';
export { ENV_PASSWORD, ENV_USER, repositoryScope, resolveCredentials, type Credentials, type CredentialsOption } from './registry/auth.ts';
export { RegistryError, type RegistryErrorCode } from './registry/errors.ts';
export { formatReference, isLoopback, isRepositoryPath, isTag, parseReference, type Reference } from './registry/reference.ts';
export { blobSize, pushBlob, type BlobOutcome, type BlobReader, type Repository } from './registry/blobs.ts';
export { deleteManifest, embeddedMediaType, getManifest, headManifest, putManifest, type Manifest, type ManifestInfo, type PutResult } from './registry/manifests.ts';
export { listTags } from './registry/tags.ts';
export { attachArtifact, listReferrers, referrersTag, type Artifact, type ArtifactLayer } from './registry/referrers.ts';
