// The OCI registry client of the publish stage: a small distribution-spec client (blobs,
// manifests, tags, referrers, Basic and Bearer auth, retries, resumable uploads) and the two
// operations the stage needs, pushing an OCI layout and pulling one back.
export { pushLayout } from './push.ts';
export type { PushOptions, PushResult, PushedManifest } from './push.ts';
export { pullToLayout, readBlob } from './pull.ts';
export type { PullOptions } from './pull.ts';

export { createClient, emptyStats } from './client.ts';
export type { ClientOptions, ClientEvent, RegistryClient, TransferStats } from './client.ts';
export type { Credentials, CredentialsOption } from './auth.ts';
export { resolveCredentials, ENV_USER, ENV_PASSWORD } from './auth.ts';
export type { RetryPolicy } from './retry.ts';
export { RegistryError } from './errors.ts';
export type { RegistryErrorCode } from './errors.ts';

export { parseReference, formatReference, isLoopback, isRepositoryPath } from './reference.ts';
export type { Reference } from './reference.ts';

export { blobSize, pushBlob } from './blobs.ts';
export type { Repository, BlobOutcome, BlobReader } from './blobs.ts';
export { deleteManifest, headManifest, getManifest, putManifest } from './manifests.ts';
export type { ManifestInfo, Manifest, PutResult } from './manifests.ts';
export { listTags } from './tags.ts';
export { listReferrers, attachArtifact, referrersTag } from './referrers.ts';
export type { Artifact, ArtifactLayer } from './referrers.ts';

export { openLayout } from './layout.ts';
export { memorySource } from './content.ts';
export type { ContentSource, Descriptor, BlobInfo, ByteRange, ByteStream, Platform } from './content.ts';
export * as mediaTypes from './media-types.ts';
