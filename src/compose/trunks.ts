// Finding an extension's trunk where `trunkfarm publish` put it: in the extension's repository
// (`NAMESPACE/NAME` in a registry, `DIR/NAME` in a layout directory), the trunk file itself is an
// OCI artifact tagged `{version}-pg{major}-{platform}.trunk`. The tags alone say which versions
// exist for which platform; the newest matching version wins unless one is pinned.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { cacheRoot } from '../cache/index.ts';
import { UserError } from '../errors.ts';
import { MEDIA, TITLE, type RegistryClient, parseReference, saveVerified } from '../oci/index.ts';
import { compareSemver, parseTrunkName, type TrunkName } from '../package/index.ts';
import { EXTENSION_NAME, TRUNK_OS, type Arch, type Libc } from '../types.ts';
import { parseJson } from './base.ts';
import { type ImageRepository, layoutRepository, registryRepository } from './repository.ts';

export interface ExtensionRequest {
  name: string;
  /** Pinned version; the newest that fits when absent. */
  version?: string;
}

interface Target {
  pg: number;
  libc: Libc;
  arch: Arch;
}

interface FoundTrunk {
  name: string;
  version: string;
  /** The artifact's tag in the extension's repository. */
  tag: string;
  parsed: TrunkName;
  repository: ImageRepository;
}

export interface FetchedTrunk extends FoundTrunk {
  /** The trunk file on this machine (in the cache). */
  file: string;
  sha256: string;
  /** Digest of the artifact manifest. */
  manifestDigest: string;
}

/** `NAME` or `NAME@VERSION`. */
export function parseExtensionSpec(text: string): ExtensionRequest {
  const [name, version, extra] = text.split('@');
  if (name === undefined || !EXTENSION_NAME.test(name) || extra !== undefined || version === '') {
    throw new UserError(`--ext ${JSON.stringify(text)}: expected NAME or NAME@VERSION (a lower-case extension name as the matrix spells it)`, { exitCode: 2 });
  }
  return { name, ...(version !== undefined && { version }) };
}

/** The repository `trunkfarm publish` wrote NAME to, under `HOST/NAMESPACE` or `oci:DIR`. */
export function extensionRepository(extensions: string, name: string, client: RegistryClient): ImageRepository {
  if (extensions.startsWith('oci:')) return layoutRepository(path.join(extensions.slice('oci:'.length), name));
  const ref = parseReference(`${extensions.replace(/\/+$/, '')}/${name}`);
  return registryRepository(client, { registry: ref.registry, repository: ref.repository });
}

/** `0.8.0-pg17-gnulinux-amd64.trunk` -> the trunk name it stands for. */
export function trunkOfTag(name: string, tag: string): TrunkName | undefined {
  const m = /^(.+)-(pg\d+-.+)\.trunk$/.exec(tag);
  if (m === null) return undefined;
  try {
    return parseTrunkName(`${name}-${m[1]}+${m[2]}`);
  } catch {
    return undefined;
  }
}

function fits(t: TrunkName, target: Target): boolean {
  if (t.pg !== target.pg) return false;
  if (t.os === undefined) return true;
  return t.os === TRUNK_OS[target.libc] && t.arch === target.arch;
}

/** The trunk of `request` for `target` among the repository's `tags`, or a reason a person can act on. */
export function findTrunk(repository: ImageRepository, tags: string[], request: ExtensionRequest, target: Target): FoundTrunk | { missing: string } {
  const trunks = tags.flatMap((tag) => {
    const parsed = trunkOfTag(request.name, tag);
    return parsed === undefined ? [] : [{ tag, parsed }];
  });
  const wanted = `pg${target.pg}-${TRUNK_OS[target.libc]}-${target.arch}`;
  if (trunks.length === 0) return { missing: `nothing named ${request.name} is published at ${repository.label}` };
  const fitting = trunks.filter((t) => fits(t.parsed, target) && (request.version === undefined || t.parsed.version === request.version));
  if (fitting.length === 0) {
    const have = [...new Set(trunks.map((t) => t.tag.replace(/\.trunk$/, '')))].sort().join(', ');
    const what = request.version === undefined ? request.name : `${request.name} ${request.version}`;
    return { missing: `no ${what} for ${wanted} in ${repository.label} (it has ${have})` };
  }
  // Newest version first; for one version, a build for the platform before an `any` one.
  fitting.sort((a, b) => compareSemver(b.parsed.version, a.parsed.version) || (a.parsed.os === undefined ? 1 : 0) - (b.parsed.os === undefined ? 1 : 0));
  const best = fitting[0]!;
  return { name: request.name, version: best.parsed.version, tag: best.tag, parsed: best.parsed, repository };
}

/** Downloads the trunk file of an artifact into the cache (once per digest), checking its digest. */
export async function fetchTrunk(found: FoundTrunk, options: { cacheDir?: string } = {}): Promise<FetchedTrunk> {
  const where = `${found.repository.label}:${found.tag}`;
  const manifest = await found.repository.manifest(found.tag);
  if (manifest === undefined) throw new UserError(`${where}: the tag vanished`);
  const doc = parseJson<{ artifactType?: string; layers?: { digest: string; size: number; annotations?: Record<string, string> }[] }>(manifest.bytes, where);
  const layer = doc.layers?.[0];
  if (doc.artifactType !== MEDIA.trunkArtifact || layer === undefined || doc.layers!.length !== 1) {
    throw new UserError(`${where}: not a trunk artifact (artifactType ${MEDIA.trunkArtifact} with one layer)`);
  }
  const file = layer.annotations?.[TITLE];
  if (file === undefined || !file.endsWith('.trunk') || file.includes('/')) throw new UserError(`${where}: its layer has no trunk file name`);
  const sha256 = layer.digest.replace(/^sha256:/, '');
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new UserError(`${where}: layer digest ${layer.digest} is not sha256`);
  const dir = path.join(options.cacheDir ?? path.join(cacheRoot(), 'compose', 'trunks'), sha256);
  const target = path.join(dir, file);
  const have = await stat(target).catch(() => undefined);
  if (have?.size !== layer.size) {
    await saveVerified(await found.repository.blob(layer.digest), target, layer, `${where}: the trunk`);
  }
  return { ...found, file: target, sha256, manifestDigest: manifest.digest };
}
