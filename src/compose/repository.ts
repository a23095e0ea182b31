// One image repository to read from, wherever it lives: a registry repository (`HOST/NAMESPACE/NAME`)
// or an OCI image layout directory (`oci:DIR`). Composing reads base images and extension trunks
// through this, so that both work against a registry or a directory alike.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { UserError } from '../errors.ts';
import { type Descriptor, type RegistryClient, type Repository, blobSize, getManifest, listTags, parseReference, repositoryScope, digestLike, isDigest, embeddedMediaType, REF_NAME } from '../oci/index.ts';

export interface FetchedManifest {
  digest: string;
  mediaType: string;
  size: number;
  bytes: Buffer;
}

export interface ImageRepository {
  /** `HOST/NAMESPACE/NAME` or `oci:DIR`, for messages. */
  readonly label: string;
  /** Set for a registry repository: where blobs can be mounted from. */
  readonly remote?: Repository;
  /** Set for a layout: its directory. */
  readonly dir?: string;
  /** The manifest or index a tag or digest names; undefined when there is none. */
  manifest(reference: string): Promise<FetchedManifest | undefined>;
  /** A blob's bytes as a stream (unchecked: callers that need to, hash as they read). */
  blob(digest: string): Promise<Readable>;
  tags(): Promise<string[]>;
  /** A blob's size when the repository holds it. */
  blobSize(digest: string): Promise<number | undefined>;
}

/** `oci:DIR` (also `oci:DIR:TAG` is split by parseImageRef) or `HOST/NAMESPACE/NAME`. */
export function openRepository(spec: string, client: RegistryClient): ImageRepository {
  if (spec.startsWith('oci:')) return layoutRepository(spec.slice('oci:'.length));
  const ref = parseReference(spec);
  if (ref.tag !== undefined || ref.digest !== undefined) throw new UserError(`${spec}: name a repository here, without a tag or digest`);
  return registryRepository(client, { registry: ref.registry, repository: ref.repository });
}

/** An image reference as the compose commands take it: `HOST/REPO:TAG`, `HOST/REPO@DIGEST`, or
 * `oci:DIR:TAG` / `oci:DIR@DIGEST` (skopeo's spelling) for a layout directory. */
export function parseImageRef(text: string, client: RegistryClient): { repository: ImageRepository; reference: string } {
  if (text.startsWith('oci:')) {
    const rest = text.slice('oci:'.length);
    const at = rest.lastIndexOf('@');
    const colon = rest.lastIndexOf(':');
    if (at > 0) return { repository: layoutRepository(rest.slice(0, at)), reference: rest.slice(at + 1) };
    if (colon > 0 && !rest.slice(colon + 1).includes('/')) return { repository: layoutRepository(rest.slice(0, colon)), reference: rest.slice(colon + 1) };
    throw new UserError(`${text}: name the image in the layout, as oci:DIR:TAG or oci:DIR@DIGEST`);
  }
  const ref = parseReference(text);
  const reference = ref.digest ?? ref.tag;
  if (reference === undefined) throw new UserError(`${text}: name a tag or a digest (HOST/REPO:TAG)`);
  return { repository: registryRepository(client, { registry: ref.registry, repository: ref.repository }), reference };
}

export function registryRepository(client: RegistryClient, repo: Repository): ImageRepository {
  const label = `${repo.registry}/${repo.repository}`;
  return {
    label,
    remote: repo,
    async manifest(reference) {
      return getManifest(client, repo, reference);
    },
    async blob(digest) {
      return client.stream({
        operation: `get blob ${digest} from ${label}`,
        registry: repo.registry,
        method: 'GET',
        path: `/v2/${repo.repository}/blobs/${digest}`,
        scopes: [repositoryScope(repo.repository, 'pull')],
        expect: [200],
      });
    },
    tags: () => listTags(client, repo),
    async blobSize(digest) {
      const size = await blobSize(client, repo, digest);
      return size === -1 ? undefined : size;
    },
  };
}

export function layoutRepository(dir: string): ImageRepository {
  const label = `oci:${dir}`;
  const index = async (): Promise<Descriptor[]> => {
    let text: string;
    try {
      text = await readFile(path.join(dir, 'index.json'), 'utf8');
    } catch {
      // As a registry answers for a repository nobody pushed to: nothing in it.
      return [];
    }
    try {
      const parsed = JSON.parse(text) as { manifests?: Descriptor[] };
      return Array.isArray(parsed.manifests) ? parsed.manifests : [];
    } catch {
      throw new UserError(`${path.join(dir, 'index.json')}: not valid JSON`);
    }
  };
  const blobFile = (digest: string) => {
    if (!isDigest(digest)) throw new UserError(`${label}: ${JSON.stringify(digest)} is not a digest`);
    const [algorithm, hex] = digest.split(':') as [string, string];
    return path.join(dir, 'blobs', algorithm, hex);
  };
  return {
    label,
    dir,
    async manifest(reference) {
      const entries = await index();
      const desc = isDigest(reference) ? undefined : entries.find((d) => d.annotations?.[REF_NAME] === reference);
      const digest = isDigest(reference) ? reference : desc?.digest;
      if (digest === undefined) return undefined;
      const bytes = await readFile(blobFile(digest)).catch(() => undefined);
      if (bytes === undefined) return undefined;
      if (digestLike(digest, bytes) !== digest) throw new UserError(`${label}: blob ${digest} does not match its digest`);
      const mediaType = desc?.mediaType ?? entries.find((d) => d.digest === digest)?.mediaType ?? embeddedMediaType(bytes) ?? '';
      return { digest, mediaType, size: bytes.length, bytes };
    },
    async blob(digest) {
      const file = blobFile(digest);
      await stat(file).catch(() => {
        throw new UserError(`${label} has no blob ${digest}`);
      });
      return createReadStream(file);
    },
    async blobSize(digest) {
      return (await stat(blobFile(digest)).catch(() => undefined))?.size;
    },
    async tags() {
      return (await index()).map((d) => d.annotations?.[REF_NAME]).filter((t): t is string => t !== undefined);
    },
  };
}
