// Manifests and indexes: HEAD, GET, PUT, by digest or by tag.
import { UserError } from '../../errors.ts';
import { repositoryScope } from './auth.ts';
import type { Repository } from './blobs.ts';
import type { RegistryClient } from './client.ts';
import type { Descriptor } from '../descriptor.ts';
import { digestLike, isDigest, sha256Digest } from '../digest.ts';
import { header } from '../../http/index.ts';
import { MANIFEST_ACCEPT, isIndexType, isManifestType } from '../media-types.ts';

export interface ManifestInfo {
  digest: string;
  mediaType: string;
  size: number;
}

export interface Manifest extends ManifestInfo {
  bytes: Buffer;
}

function where(target: Repository): string {
  return `${target.registry}/${target.repository}`;
}

function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim();
}

/** What a tag or digest points at, or undefined when the repository has no such manifest. */
export async function headManifest(client: RegistryClient, target: Repository, reference: string, options: { push?: boolean } = {}): Promise<ManifestInfo | undefined> {
  const res = await client.request({
    operation: `check manifest ${reference} in ${where(target)}`,
    registry: target.registry,
    method: 'HEAD',
    path: `/v2/${target.repository}/manifests/${reference}`,
    headers: { accept: MANIFEST_ACCEPT },
    scopes: [repositoryScope(target.repository, options.push ? 'pull,push' : 'pull')],
    expect: [200, 404],
  });
  if (res.status === 404) return undefined;
  const digest = header(res.headers, 'docker-content-digest');
  if (digest === undefined || !isDigest(digest)) {
    // Some registries leave the digest out of HEAD answers: read the manifest instead.
    const manifest = await getManifest(client, target, reference, options);
    return manifest && { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.size };
  }
  return { digest, mediaType: mediaTypeOf(header(res.headers, 'content-type')), size: Number(header(res.headers, 'content-length') ?? -1) };
}

/** A manifest's bytes, checked against the digest asked for; undefined when absent. */
export async function getManifest(client: RegistryClient, target: Repository, reference: string, options: { push?: boolean; accept?: string } = {}): Promise<Manifest | undefined> {
  const operation = `get manifest ${reference} from ${where(target)}`;
  const res = await client.request({
    operation,
    registry: target.registry,
    method: 'GET',
    path: `/v2/${target.repository}/manifests/${reference}`,
    headers: { accept: options.accept ?? MANIFEST_ACCEPT },
    scopes: [repositoryScope(target.repository, options.push ? 'pull,push' : 'pull')],
    expect: [200, 404],
  });
  if (res.status === 404) return undefined;
  const bytes = res.body;
  let digest: string;
  if (isDigest(reference)) {
    digest = digestLike(reference, bytes);
    if (digest !== reference) throw new UserError(`${operation}: the registry sent content that hashes to ${digest}`);
  } else {
    digest = sha256Digest(bytes);
    const claimed = header(res.headers, 'docker-content-digest');
    if (claimed !== undefined && claimed.startsWith('sha256:') && claimed !== digest) {
      throw new UserError(`${operation}: the registry says ${claimed} but sent content that hashes to ${digest}`);
    }
  }
  let mediaType = mediaTypeOf(header(res.headers, 'content-type'));
  if (!isManifestType(mediaType)) mediaType = embeddedMediaType(bytes) ?? mediaType;
  return { digest, mediaType, size: bytes.length, bytes };
}

export interface PutResult {
  digest: string;
  /** The OCI-Subject header: the registry indexed the manifest's subject for the referrers API. */
  subject?: string;
}

/** Stores a manifest under a digest (its own) or a tag. */
export async function putManifest(client: RegistryClient, target: Repository, reference: string, bytes: Uint8Array, mediaType: string): Promise<PutResult> {
  const digest = sha256Digest(bytes);
  if (isDigest(reference) && digestLike(reference, bytes) !== reference) {
    throw new UserError(`put manifest ${reference} to ${where(target)}: the manifest's content hashes to ${digestLike(reference, bytes)}`);
  }
  const operation = isDigest(reference) ? `push manifest ${reference} to ${where(target)}` : `tag ${where(target)}:${reference} as ${digest}`;
  const res = await client.request({
    operation,
    registry: target.registry,
    method: 'PUT',
    path: `/v2/${target.repository}/manifests/${reference}`,
    headers: { 'content-type': mediaType },
    body: bytes,
    scopes: [repositoryScope(target.repository, 'pull,push')],
    expect: [200, 201, 202],
  });
  const stored = header(res.headers, 'docker-content-digest');
  if (stored !== undefined && stored.startsWith('sha256:') && stored !== digest) {
    throw new UserError(`${operation}: the registry stored the manifest as ${stored}, not ${digest} (did it rewrite it?)`);
  }
  const subject = header(res.headers, 'oci-subject');
  return { digest: isDigest(reference) ? reference : digest, ...(subject ? { subject } : {}) };
}

/** Deletes a manifest by digest (and so every tag naming it). 'unsupported' where the registry
 * does not allow deletion (distribution's storage.delete off, some hosted registries). */
export async function deleteManifest(client: RegistryClient, target: Repository, digest: string): Promise<'deleted' | 'absent' | 'unsupported'> {
  const res = await client.request({
    operation: `delete manifest ${digest} from ${where(target)}`,
    registry: target.registry,
    method: 'DELETE',
    path: `/v2/${target.repository}/manifests/${digest}`,
    scopes: [repositoryScope(target.repository, 'pull,push')],
    expect: [200, 202, 404, 405, 400],
  });
  if (res.status === 404) return 'absent';
  if (res.status === 405 || res.status === 400) return 'unsupported';
  return 'deleted';
}

/** The `mediaType` a manifest declares about itself, if any. */
export function embeddedMediaType(bytes: Uint8Array): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(bytes).toString('utf8')) as { mediaType?: unknown };
    return typeof parsed.mediaType === 'string' ? parsed.mediaType : undefined;
  } catch {
    return undefined;
  }
}

export interface ParsedManifest {
  mediaType: string;
  /** Blobs the manifest needs (config and layers), foreign layers left out. */
  blobs: Descriptor[];
  /** Manifests an index lists. */
  children: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** Reads what a manifest or index refers to; `where` names it in errors. */
export function parseManifest(bytes: Uint8Array, descriptorType: string, where: string): ParsedManifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new UserError(`${where}: not valid JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new UserError(`${where}: not a JSON object`);
  if (doc.schemaVersion !== 2) throw new UserError(`${where}: schemaVersion is ${JSON.stringify(doc.schemaVersion)}, expected 2`);
  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  if (declared !== undefined && declared !== descriptorType) {
    throw new UserError(`${where}: declares mediaType ${declared} but is described as ${descriptorType}`);
  }
  const mediaType = declared ?? descriptorType;
  const descriptors = (value: unknown, field: string): Descriptor[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw new UserError(`${where}: "${field}" is not a list`);
    return value.map((d, i) => checked(d, `${where} ${field}[${i}]`));
  };
  const checked = (d: unknown, at: string): Descriptor => {
    const x = d as Partial<Descriptor> | null;
    if (typeof x !== 'object' || x === null || typeof x.mediaType !== 'string' || typeof x.digest !== 'string' || !isDigest(x.digest) || typeof x.size !== 'number' || !Number.isSafeInteger(x.size) || x.size < 0) {
      throw new UserError(`${at}: not a valid descriptor (mediaType, digest, size)`);
    }
    return x as Descriptor;
  };
  const out: ParsedManifest = { mediaType, blobs: [], children: [] };
  if (isIndexType(mediaType) || (declared === undefined && Array.isArray(doc.manifests) && doc.layers === undefined)) {
    out.children = descriptors(doc.manifests, 'manifests');
  } else {
    if (doc.config === undefined) throw new UserError(`${where}: a manifest needs a config descriptor`);
    const config = checked(doc.config, `${where} config`);
    const layers = descriptors(doc.layers, 'layers');
    out.blobs = [config, ...layers.filter((l) => !(l.urls?.length && /nondistributable|foreign/.test(l.mediaType)))];
  }
  if (doc.subject !== undefined) out.subject = checked(doc.subject, `${where} subject`);
  if (typeof doc.artifactType === 'string') out.artifactType = doc.artifactType;
  if (doc.annotations && typeof doc.annotations === 'object') out.annotations = doc.annotations as Record<string, string>;
  return out;
}
