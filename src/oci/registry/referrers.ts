// Referrers: manifests whose `subject` is another manifest (a signature bundle attached to an
// image). Registries with the referrers API index them on push (and say so with OCI-Subject);
// for the others the client keeps the spec's fallback, an image index tagged `<alg>-<hex>`.
import { UserError } from '../../errors.ts';
import { repositoryScope } from './auth.ts';
import { pushBlob } from './blobs.ts';
import type { Repository } from './blobs.ts';
import type { RegistryClient } from './client.ts';
import type { Descriptor } from '../descriptor.ts';
import { sha256Digest, splitDigest } from '../digest.ts';
import { header } from '../../http/index.ts';
import { getManifest, putManifest } from './manifests.ts';
import type { PutResult } from './manifests.ts';
import { EMPTY_JSON, MEDIA } from '../media-types.ts';

/** The fallback tag of a subject's referrers: `sha256-<hex>` (algorithm ≤ 32, hex ≤ 64 characters). */
export function referrersTag(subject: string): string {
  const [algorithm, encoded] = splitDigest(subject);
  return `${algorithm.slice(0, 32)}-${encoded.slice(0, 64)}`;
}

function where(target: Repository): string {
  return `${target.registry}/${target.repository}`;
}

function parseIndex(bytes: Uint8Array, what: string): Descriptor[] {
  try {
    const doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as { manifests?: unknown };
    if (!Array.isArray(doc.manifests)) return [];
    return doc.manifests as Descriptor[];
  } catch {
    throw new UserError(`${what}: not a JSON image index`);
  }
}

/** The referrers of `subject`, by the referrers API, or by the fallback tag where the registry
 * answers 404 for it. */
export async function listReferrers(
  client: RegistryClient,
  target: Repository,
  subject: string,
  options: { artifactType?: string } = {},
): Promise<Descriptor[]> {
  const operation = `list referrers of ${subject} in ${where(target)}`;
  const found: Descriptor[] = [];
  let url: URL | undefined;
  let filtered = false;
  for (let page = 0; page < 100; page++) {
    const res = await client.request({
      operation,
      registry: target.registry,
      method: 'GET',
      ...(url ? { url } : { path: `/v2/${target.repository}/referrers/${subject}` }),
      ...(url || !options.artifactType ? {} : { query: { artifactType: options.artifactType } }),
      headers: { accept: MEDIA.index },
      scopes: [repositoryScope(target.repository, 'pull')],
      expect: [200, 404],
    });
    if (res.status === 404) {
      if (page > 0) break;
      return fallbackReferrers(client, target, subject, options.artifactType);
    }
    filtered ||= (header(res.headers, 'oci-filters-applied') ?? '').split(',').map((s) => s.trim()).includes('artifactType');
    found.push(...parseIndex(res.body, operation));
    const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(header(res.headers, 'link') ?? '');
    if (!next) break;
    url = new URL(next[1]!, res.url);
  }
  return options.artifactType && !filtered ? found.filter((d) => d.artifactType === options.artifactType) : found;
}

async function fallbackReferrers(client: RegistryClient, target: Repository, subject: string, artifactType: string | undefined): Promise<Descriptor[]> {
  const index = await getManifest(client, target, referrersTag(subject));
  if (!index) return [];
  const all = parseIndex(index.bytes, `referrers tag ${referrersTag(subject)} in ${where(target)}`);
  return artifactType ? all.filter((d) => d.artifactType === artifactType) : all;
}

/** Records `referrer` in the fallback index of its subject, unless it is there already. The
 * read-modify-write is checked after writing and repeated if another writer won the race. */
export async function addToReferrersTag(client: RegistryClient, target: Repository, subject: string, referrer: Descriptor): Promise<void> {
  const tag = referrersTag(subject);
  for (let round = 0; round < 5; round++) {
    const current = await getManifest(client, target, tag, { push: true });
    const manifests = current ? parseIndex(current.bytes, `referrers tag ${tag} in ${where(target)}`) : [];
    if (manifests.some((d) => d.digest === referrer.digest)) return;
    const index = { schemaVersion: 2, mediaType: MEDIA.index, manifests: [...manifests, referrer] };
    const bytes = Buffer.from(JSON.stringify(index));
    await putManifest(client, target, tag, bytes, MEDIA.index);
    const after = await getManifest(client, target, tag, { push: true });
    if (after && parseIndex(after.bytes, tag).some((d) => d.digest === referrer.digest)) return;
  }
  throw new UserError(`could not record referrer ${referrer.digest} under tag ${tag} in ${where(target)}: the tag kept changing under us`);
}

/** Makes sure a pushed manifest with a subject can be found as a referrer: nothing to do when the
 * registry indexed it (OCI-Subject on the push, or its referrers API lists it), else the fallback
 * tag. `pushed` is the answer to this run's push of the referrer, if it was pushed now. */
export async function ensureReferrer(client: RegistryClient, target: Repository, subject: string, referrer: Descriptor, pushed?: PutResult): Promise<void> {
  if (pushed?.subject === subject) return;
  if (pushed === undefined) {
    // Pushed by an earlier run: the registry may index referrers without our knowing.
    const res = await client.request({
      operation: `list referrers of ${subject} in ${where(target)}`,
      registry: target.registry,
      method: 'GET',
      path: `/v2/${target.repository}/referrers/${subject}`,
      headers: { accept: MEDIA.index },
      scopes: [repositoryScope(target.repository, 'pull')],
      expect: [200, 404],
    });
    if (res.status === 200 && parseIndex(res.body, `referrers of ${subject}`).some((d) => d.digest === referrer.digest)) return;
  }
  await addToReferrersTag(client, target, subject, referrer);
}

export interface ArtifactLayer {
  mediaType: string;
  bytes: Uint8Array;
  annotations?: Record<string, string>;
}

export interface Artifact {
  artifactType: string;
  layers: ArtifactLayer[];
  annotations?: Record<string, string>;
}

/** Pushes an OCI 1.1 artifact (empty config, the given layers) whose subject is `subject`, and
 * makes it findable as a referrer. Returns the artifact manifest's descriptor. */
export async function attachArtifact(client: RegistryClient, target: Repository, subject: Descriptor, artifact: Artifact): Promise<Descriptor> {
  const empty = Buffer.from('{}');
  const layers = artifact.layers.map((l) => ({
    mediaType: l.mediaType,
    digest: sha256Digest(l.bytes),
    size: l.bytes.length,
    ...(l.annotations ? { annotations: l.annotations } : {}),
  }));
  await pushBlob(client, target, { digest: EMPTY_JSON.digest, size: EMPTY_JSON.size }, async () => [empty]);
  await Promise.all(artifact.layers.map((l, i) => pushBlob(client, target, layers[i]!, async (range) => [range ? l.bytes.subarray(range.start, range.end) : l.bytes])));
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    artifactType: artifact.artifactType,
    config: { mediaType: EMPTY_JSON.mediaType, digest: EMPTY_JSON.digest, size: EMPTY_JSON.size, data: EMPTY_JSON.data },
    layers,
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    ...(artifact.annotations ? { annotations: artifact.annotations } : {}),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const descriptor: Descriptor = {
    mediaType: MEDIA.manifest,
    digest: sha256Digest(bytes),
    size: bytes.length,
    artifactType: artifact.artifactType,
    ...(artifact.annotations ? { annotations: artifact.annotations } : {}),
  };
  const pushed = await putManifest(client, target, descriptor.digest, bytes, MEDIA.manifest);
  client.stats.manifestsPushed++;
  client.emit({ type: 'manifest', repository: where(target), digest: descriptor.digest, outcome: 'pushed' });
  await ensureReferrer(client, target, subject.digest, descriptor, pushed);
  return descriptor;
}
