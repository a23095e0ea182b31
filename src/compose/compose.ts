// Composing: a base image's manifest with one more layer per extension, and a config whose
// rootfs.diff_ids, history and labels say so. No base byte is read or copied: the base layers are
// named by digest, so a registry that has them (or can mount them) serves the new image at once.
// The same base and trunks give the same digests, whenever and wherever composed.
import path from 'node:path';
import { cacheRoot } from '../cache/index.ts';
import { UserError } from '../errors.ts';
import { putBlob, MEDIA, ociLayerType, TITLE, type Descriptor, type ImageIndex, type ImageManifest, type RegistryClient, sha256Digest } from '../oci/index.ts';
import { type BaseImage, type ImageConfig, resolveBase } from './base.ts';
import { ComposeRefusal, type ExtensionLayer, extensionLayer } from './layer.ts';
import type { ImageRepository } from './repository.ts';
import { type ExtensionRequest, type FetchedTrunk, extensionRepository, fetchTrunk, findTrunk } from './trunks.ts';
import type { Arch } from '../types.ts';

interface Blob {
  digest: string;
  size: number;
  mediaType: string;
  bytes: Buffer;
}

/** One composed single-platform image. */
export interface ComposedImage {
  base: BaseImage;
  layers: ExtensionLayer[];
  config: Blob;
  manifest: Blob;
}

/** What a compose request produced: the image (or, for a multi-platform base, the index) to
 * tag, and everything it is made of. */
export interface Composition {
  top: Blob;
  images: ComposedImage[];
  /** Platforms of the base left out, and why (an extension not built for them). */
  skipped: { arch: Arch; reason: string }[];
}

export interface ComposeOptions {
  client: RegistryClient;
  /** Where extensions were published: `HOST/NAMESPACE` or `oci:DIR`. */
  extensions: string;
  /** Only this architecture of a multi-platform base. */
  arch?: Arch;
  /** Compose cache (an OCI layout holding the extension layers); default under the cache root. */
  cacheDir?: string;
  /** Images composed before, by their inputs (base manifest and trunk digests): a long-lived
   * caller (the server) keeps one, so that only new inputs are composed. */
  memo?: Map<string, Promise<ComposedImage>>;
}

export function defaultCacheDir(): string {
  return path.join(cacheRoot(), 'compose');
}

/** Resolves the base and every extension for each of the base's platforms, and composes. */
export async function compose(base: { repository: ImageRepository; reference: string }, requests: ExtensionRequest[], options: ComposeOptions): Promise<Composition> {
  const seen = new Set<string>();
  for (const r of requests) {
    if (seen.has(r.name)) throw new UserError(`${r.name} is asked for twice`, { exitCode: 2 });
    seen.add(r.name);
  }
  // Layers in name order: the same set of extensions is the same image, however it was asked for.
  const sorted = [...requests].sort((a, b) => (a.name < b.name ? -1 : 1));
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const bases = await resolveBase(base.repository, base.reference, { ...(options.arch && { arch: options.arch }), cacheDir: path.join(cacheDir, 'base') });
  // Each extension's tags are listed once, whatever the number of platforms.
  const published = await Promise.all(
    sorted.map(async (request) => {
      const repository = extensionRepository(options.extensions, request.name, options.client);
      return { request, repository, tags: await repository.tags() };
    }),
  );
  const images: ComposedImage[] = [];
  const skipped: Composition['skipped'] = [];
  for (const b of bases) {
    const trunks: FetchedTrunk[] = [];
    const missing: string[] = [];
    for (const { request, repository, tags } of published) {
      const found = findTrunk(repository, tags, request, b.facts);
      if ('missing' in found) missing.push(found.missing);
      else trunks.push(await fetchTrunk(found, { cacheDir: path.join(cacheDir, 'trunks') }));
    }
    if (missing.length > 0) {
      skipped.push({ arch: b.facts.arch, reason: missing.join('; ') });
      continue;
    }
    const key = JSON.stringify([b.manifest.digest, trunks.map((t) => t.sha256)]);
    let pending = options.memo?.get(key);
    if (pending === undefined) {
      pending = composeOnto(b, trunks, path.join(cacheDir, 'layout'));
      options.memo?.set(key, pending);
      pending.catch(() => options.memo?.delete(key));
    }
    images.push(await pending);
  }
  if (images.length === 0) {
    throw new ComposeRefusal(`nothing to compose onto ${base.repository.label}:${base.reference}: ${skipped.map((s) => `${s.arch}: ${s.reason}`).join('; ')}`);
  }
  const layout = path.join(cacheDir, 'layout');
  // Kept with the layers, so that the image can be served by digest later on.
  for (const i of images) for (const b of [i.config, i.manifest]) await putBlob(layout, b.bytes);
  if (bases.length === 1 || images.length === 1) return { top: images[0]!.manifest, images, skipped };
  const index: ImageIndex = {
    schemaVersion: 2,
    mediaType: MEDIA.index,
    manifests: images.map((i) => ({
      mediaType: MEDIA.manifest,
      digest: i.manifest.digest,
      size: i.manifest.size,
      platform: { architecture: i.base.facts.arch, os: 'linux', ...(i.base.config.variant ? { variant: i.base.config.variant } : {}) },
    })),
    annotations: imageAnnotations(images[0]!.base, images[0]!.layers),
  };
  const top = blob(MEDIA.index, index);
  await putBlob(layout, top.bytes);
  return { top, images, skipped };
}

/** The base's manifest plus one layer per extension (each checked against the base first). */
export async function composeOnto(base: BaseImage, trunks: FetchedTrunk[], layoutDir: string): Promise<ComposedImage> {
  const layers: ExtensionLayer[] = [];
  const owner = new Map<string, string>();
  for (const trunk of trunks) {
    const layer = await extensionLayer(trunk, base.facts, layoutDir);
    for (const p of layer.paths) {
      const other = owner.get(p);
      if (other !== undefined) throw new ComposeRefusal(`${other} and ${trunk.name} both install ${p}`);
      owner.set(p, trunk.name);
    }
    layers.push(layer);
  }
  const created = [base.config.created, ...layers.map((l) => isoTime(l.meta.sourceDateEpoch))].filter((t): t is string => t !== undefined).sort().at(-1);
  const baseConfig = base.config;
  const diffIds = baseConfig.rootfs?.diff_ids ?? [];
  if (diffIds.length !== base.document.layers.length) throw new UserError(`base image ${base.repository.label}@${base.manifest.digest}: its config lists ${diffIds.length} layers, its manifest ${base.document.layers.length}`);
  const config: ImageConfig = {
    ...baseConfig,
    ...(created !== undefined && { created }),
    config: { ...baseConfig.config, Labels: { ...baseConfig.config?.Labels, ...labels(base, layers) } },
    rootfs: { type: 'layers', diff_ids: [...diffIds, ...layers.map((l) => l.diffId)] },
    ...(baseConfig.history !== undefined && {
      history: [
        ...baseConfig.history,
        ...layers.map((l) => ({ created: isoTime(l.meta.sourceDateEpoch), created_by: `trunkfarm compose: ${l.meta.name} ${l.meta.version} (${path.basename(l.trunk.file)})`, comment: l.trunk.sha256 })),
      ],
    }),
  };
  const configBlob = blob(MEDIA.config, config);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: { mediaType: MEDIA.config, digest: configBlob.digest, size: configBlob.size },
    layers: [
      ...base.document.layers.map((l): Descriptor => ({ ...l, mediaType: ociLayerType(l.mediaType) })),
      ...layers.map((l) => ({ ...l.descriptor, annotations: { [TITLE]: l.meta.name, 'org.opencontainers.image.version': l.meta.version } })),
    ],
    annotations: imageAnnotations(base, layers),
  };
  return { base, layers, config: configBlob, manifest: blob(MEDIA.manifest, manifest) };
}

function isoTime(epoch: number): string {
  return new Date(epoch * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** What is in the image, for people (`podman inspect`) and tools: `io.trunkfarm.extensions` lists
 * `name=version` pairs; per extension, its version and the digest of the trunk it came from. */
function labels(base: BaseImage, layers: ExtensionLayer[]): Record<string, string> {
  const out: Record<string, string> = {
    'io.trunkfarm.extensions': layers.map((l) => `${l.meta.name}=${l.meta.version}`).join(','),
    'io.trunkfarm.postgres.major': String(base.facts.pg),
  };
  for (const l of layers) {
    out[`io.trunkfarm.extension.${l.meta.name}.version`] = l.meta.version;
    out[`io.trunkfarm.extension.${l.meta.name}.trunk`] = `sha256:${l.trunk.sha256}`;
  }
  return out;
}

function imageAnnotations(base: BaseImage, layers: ExtensionLayer[]): Record<string, string> {
  return {
    'org.opencontainers.image.base.digest': base.manifest.digest,
    'io.trunkfarm.extensions': layers.map((l) => `${l.meta.name}=${l.meta.version}`).join(','),
    ...Object.fromEntries(layers.map((l) => [`io.trunkfarm.extension.${l.meta.name}.trunk`, `sha256:${l.trunk.sha256}`])),
  };
}

function blob(mediaType: string, value: unknown): Blob {
  const bytes = Buffer.from(JSON.stringify(value));
  return { mediaType, digest: sha256Digest(bytes), size: bytes.length, bytes };
}
