// Pins each platform's builder and base images to the digest their tag names in the registry now,
// for the platform's architecture: `postgres:17-trixie` becomes `postgres:17-trixie@sha256:...`
// (the per-architecture manifest, not the multi-arch index, so that a re-push for one architecture
// touches only its jobs). Build keys hash the platform's images, so a base re-pushed under the same
// tag gives its jobs new keys, and a scheduled plan against the published index rebuilds exactly
// those. Pulling `NAME:TAG@DIGEST` then fetches the bytes the key names, whatever the tag says by
// then. Images already pinned, and the `local` images (never in a registry), stay as they are.
import { UserError } from '../errors.ts';
import type { Matrix } from '../matrix/index.ts';
import type { Descriptor, RegistryClient } from '../oci/index.ts';
import type { ImageRef, Platform } from '../types.ts';

/** `NAME:TAG@sha256:...` -> `sha256:...`; undefined for an unpinned reference. */
export function pinnedDigest(ref: string): string | undefined {
  return /@(sha256:[0-9a-f]{64})$/.exec(ref)?.[1];
}

/** The reference without its digest: what a pinned image was pinned from. */
export function unpinned(ref: string): string {
  return ref.replace(/@sha256:[0-9a-f]{64}$/, '');
}

interface PinOptions {
  client?: RegistryClient;
}

/** The matrix with every platform's images pinned (see above); one registry lookup per image and
 * architecture. */
export async function pinMatrixImages(matrix: Matrix, opts: PinOptions = {}): Promise<Matrix> {
  // The registry client loads only here: a plan that pins nothing does not pay for it.
  const oci = await import('../oci/index.ts');
  const client = opts.client ?? oci.createClient({});
  const lookups = new Map<string, Promise<string>>();
  const pin = async (image: ImageRef, arch: Platform['arch']): Promise<ImageRef> => {
    if (pinnedDigest(image.ref)) return image;
    const id = `${image.ref} ${arch}`;
    let p = lookups.get(id);
    if (!p) lookups.set(id, (p = archDigest(oci, client, image.ref, arch).then((digest) => `${image.ref}@${digest}`)));
    return { ...image, ref: await p };
  };
  const platforms = await Promise.all(matrix.platforms.map(async (p) => ({ ...p, builder: await pin(p.builder, p.arch), base: await pin(p.base, p.arch) })));
  return { ...matrix, platforms };
}

/** The digest of the manifest a tag names for linux/ARCH: the tag's own when it names a single
 * manifest, else the matching entry of its index. */
async function archDigest(oci: typeof import('../oci/index.ts'), client: RegistryClient, ref: string, arch: Platform['arch']): Promise<string> {
  const r = oci.parseReference(ref);
  const target = { registry: r.registry, repository: r.repository };
  const manifest = await oci.getManifest(client, target, r.tag ?? 'latest');
  if (!manifest) throw new UserError(`${ref}: the registry has no such image (pinning needs each platform's images in their registry)`);
  if (!oci.isIndexType(manifest.mediaType)) return manifest.digest;
  const { manifests = [] } = JSON.parse(manifest.bytes.toString('utf8')) as { manifests?: Descriptor[] };
  const match = manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === arch);
  if (!match) throw new UserError(`${ref}: its index has no linux/${arch} image (it has ${manifests.map((m) => (m.platform ? `${m.platform.os}/${m.platform.architecture}` : 'unnamed')).join(', ') || 'none'})`);
  return match.digest;
}
