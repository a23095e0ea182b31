// An extension as one image layer over a PostgreSQL base: the trunk's files at the base image's
// own pg_config directories (as `trunkfarm install` would place them), checked against the base's
// inventory first. The layer is a function of the trunk and those directories alone (sorted
// entries, the trunk's SOURCE_DATE_EPOCH as every mtime, root-owned, normalised modes), so every
// base with the same layout gets the same layer digest and a registry stores it once.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type CheckResult, checkTree } from '../closure/index.ts';
import { UserError } from '../errors.ts';
import { adoptBlob, blobPath, blobTempPath, initLayout, MEDIA, type Descriptor } from '../oci/index.ts';
import { comparePaths, mapPaths, pgConfigDestination, readTrunk, writeTarGz, type PackageMeta, type PgDirs, type TreeEntry, type TrunkEntry } from '../package/index.ts';
import type { BaseFacts } from './base.ts';
import type { FetchedTrunk } from './trunks.ts';

/** Bump when the layer's bytes change for the same inputs. */
const LAYER_FORMAT = 1;

export interface ExtensionLayer {
  trunk: FetchedTrunk;
  meta: PackageMeta;
  /** The layer blob, in the compose cache (an OCI layout). */
  descriptor: Descriptor;
  diffId: string;
  /** Absolute paths the layer adds, files and links. */
  paths: string[];
  /** Trunk paths with no place in a pg_config installation (headers without an includedir...). */
  skipped: string[];
}

export class ComposeRefusal extends UserError {}

/** Checks the trunk against the base and makes (or finds in the cache) its layer. */
export async function extensionLayer(trunk: FetchedTrunk, base: BaseFacts, cacheDir: string): Promise<ExtensionLayer> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'trunkfarm-compose-'));
  try {
    const pkg = path.join(scratch, 'pkg');
    const opened = await readTrunk(trunk.file, { extractTo: pkg });
    const meta = opened.meta;
    refuseMismatch(trunk, meta, base);
    if (meta.platform.os !== 'any') {
      const closure = checkTree(pkg, { inventory: base.inventory, platform: { libc: base.libc, arch: base.arch }, pg: base.pg, only: ['install'], name: meta.name });
      if (!closure.ok) throw new ComposeRefusal(`${trunk.name} ${trunk.version}: does not load in this base image:\n${problems(closure)}`);
    }
    const { entries, paths, skipped } = layerEntries(opened.entries, pkg, meta.name, base.dirs, trunk.file);
    clashWithBase(trunk, paths, base);

    await initLayout(cacheDir);
    const key = createHash('sha256').update(JSON.stringify([LAYER_FORMAT, trunk.sha256, sortedDirs(base.dirs)])).digest('hex');
    const record = path.join(cacheDir, 'layers', `${key}.json`);
    const known = await readFile(record, 'utf8').then((t) => JSON.parse(t) as { descriptor: Descriptor; diffId: string }).catch(() => undefined);
    if (known !== undefined && (await stat(blobPath(cacheDir, known.descriptor.digest)).then((st) => st.size === known.descriptor.size, () => false))) {
      return { trunk, meta, descriptor: known.descriptor, diffId: known.diffId, paths, skipped };
    }
    const tmp = blobTempPath(cacheDir);
    const tarred = await writeTarGz(entries, tmp, { mtime: meta.sourceDateEpoch });
    const digest = `sha256:${tarred.sha256}`;
    await adoptBlob(cacheDir, tmp, digest);
    const descriptor: Descriptor = { mediaType: MEDIA.layerGzip, digest, size: tarred.size };
    const diffId = `sha256:${tarred.tarSha256}`;
    await mkdir(path.dirname(record), { recursive: true });
    await writeFile(`${record}.tmp`, JSON.stringify({ descriptor, diffId }));
    await rename(`${record}.tmp`, record);
    return { trunk, meta, descriptor, diffId, paths, skipped };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function sortedDirs(dirs: PgDirs): [string, string][] {
  return Object.entries(dirs).sort(([a], [b]) => (a < b ? -1 : 1));
}

/** Postgres major, libc and architecture: what no closure check can make up for. */
function refuseMismatch(trunk: FetchedTrunk, meta: PackageMeta, base: BaseFacts): void {
  const what = `${trunk.name} ${trunk.version} (${path.basename(trunk.file)})`;
  if (meta.name !== trunk.name) throw new ComposeRefusal(`${what}: the trunk is package ${meta.name}, not ${trunk.name}`);
  if (meta.postgres.major !== base.pg) throw new ComposeRefusal(`${what}: built for PostgreSQL ${meta.postgres.major}, the base image runs PostgreSQL ${base.pg}`);
  const p = meta.platform;
  if (p.libc !== 'any' && p.libc !== base.libc) throw new ComposeRefusal(`${what}: built for ${p.libc}, the base image is ${base.libc}`);
  if (p.arch !== 'any' && p.arch !== base.arch) throw new ComposeRefusal(`${what}: built for ${p.arch}, the base image is ${base.arch}`);
}

function problems(result: CheckResult): string {
  return result.files
    .flatMap((f) => f.problems.filter((p) => p.severity === 'error').map((p) => `  ${f.path}: ${p.kind}: ${p.message}`))
    .concat(result.data.filter((d) => !d.present).map((d) => `  ${d.target}: ${d.why}`))
    .join('\n');
}

/** Files an extension would put over the base's own: refused, since a layer would hide them. */
function clashWithBase(trunk: FetchedTrunk, paths: string[], base: BaseFacts): void {
  const present = new Set(base.files);
  const clash = paths.filter((p) => present.has(p));
  if (clash.length > 0) {
    throw new ComposeRefusal(`${trunk.name} ${trunk.version}: the base image already has ${clash.slice(0, 3).join(', ')}${clash.length > 3 ? ` and ${clash.length - 3} more` : ''}; compose onto an image without ${trunk.name}`);
  }
}

/** The layer's tar entries: the trunk's files and links at their installed paths, and the
 * directories the extension adds below pg_config's (the base's own directories stay as they are). */
function layerEntries(trunkEntries: TrunkEntry[], pkg: string, name: string, dirs: PgDirs, file: string): { entries: TreeEntry[]; paths: string[]; skipped: string[] } {
  const leaves = trunkEntries.filter((e) => e.type !== 'directory');
  const mapped = mapPaths(
    leaves.map((e) => e.path),
    (p) => pgConfigDestination(p, name, dirs),
  );
  if (mapped.clash) throw new UserError(`${file}: "${mapped.clash[0]}" and "${mapped.clash[1]}" both install as ${mapped.clash[2]}`);
  const roots = Object.values(dirs).sort((a, b) => b.length - a.length);
  const out = new Map<string, TreeEntry>();
  const addDirs = (dest: string) => {
    const root = roots.find((r) => dest.startsWith(`${r}/`));
    for (let d = path.posix.dirname(dest); root !== undefined && d.length > root.length; d = path.posix.dirname(d)) {
      const rel = d.slice(1);
      if (!out.has(rel)) out.set(rel, { path: rel, type: 'directory', mode: 0o755, size: 0 });
    }
  };
  for (const e of leaves) {
    const dest = mapped.map.get(e.path);
    if (dest === undefined) continue;
    addDirs(dest);
    const rel = dest.slice(1);
    if (e.type === 'symlink') {
      // A link keeps pointing at the same package file, wherever that file now lies.
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(e.path), e.linkname!));
      const targetDest = mapped.map.get(target);
      if (targetDest === undefined) throw new UserError(`${file}: symlink ${e.path} points at ${e.linkname}, which is not installed`);
      out.set(rel, { path: rel, type: 'symlink', mode: 0o777, size: 0, linkname: path.posix.relative(path.posix.dirname(dest), targetDest) });
    } else {
      out.set(rel, { path: rel, type: 'file', mode: e.mode, size: e.size, source: path.join(pkg, e.path), ...(e.sha256 !== undefined && { sha256: e.sha256 }) });
    }
  }
  const entries = [...out.values()].sort((a, b) => comparePaths(a.path, b.path));
  return { entries, paths: entries.filter((e) => e.type !== 'directory').map((e) => `/${e.path}`), skipped: mapped.skipped };
}
