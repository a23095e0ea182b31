// Writing a trunk: `{package}-{version}+pg{major}-{platform}.trunk`, a gzip-compressed tar.
//
// Why a tarball and not RFC 2's ZIP (which the RFC leaves open): a tar keeps symlinks (bundled
// libraries come with soname links) and exact modes without extensions; a .tar.gz is already an
// OCI layer, so the same file is pushed as an OCI artifact and unpacked by container tooling; it
// streams (one pass to verify and install, no central directory at the end); and PGXN's proof of
// concept chose it for the same reasons.
//
// Entry order: the top directory, trunk.json, digests, then everything else in byte order of its
// path. Metadata first lets a reader refuse an incompatible trunk after a few kilobytes, and
// check every file against `digests` as it streams by.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { UserError } from '../../errors.ts';
import type { PackageMeta } from '../meta.ts';
import { writeTarGz } from '../archive/tar.ts';
import { readStage } from '../stage.ts';
import { resolveLink, type TreeEntry } from '../tree.ts';
import { DIGESTS, formatDigests } from './digests.ts';
import { serialiseTrunkJson, TRUNK_JSON } from './json.ts';
import { formatTrunkName, type TrunkName } from './name.ts';

export interface WrittenTrunk {
  /** Absolute path of the .trunk file. */
  path: string;
  /** Its name (the archive's top directory) without `.trunk`. */
  name: string;
  sha256: string;
  size: number;
  /** Path inside the package -> hex SHA-256, as in `digests`. */
  digests: Map<string, string>;
}

export function trunkNameOf(meta: PackageMeta): TrunkName {
  const p = meta.platform;
  return {
    package: meta.name,
    version: meta.version,
    pg: meta.postgres.major,
    ...(p.os === 'any' ? {} : { os: p.os, arch: p.arch, ...(p.osVersion ? { osVersion: p.osVersion } : {}) }),
  };
}

/** Packs a stage directory (or its already-read entries) into `outDir`. */
export async function writeTrunk(
  stage: string,
  meta: PackageMeta,
  outDir: string,
  options: { entries?: TreeEntry[] } = {},
): Promise<WrittenTrunk> {
  const name = formatTrunkName(trunkNameOf(meta));
  const entries = options.entries ?? (await readStage(stage));
  checkMetaAgainstStage(meta, entries, stage);

  const json: TreeEntry = { path: TRUNK_JSON, type: 'file', mode: 0o644, size: 0, data: serialiseTrunkJson(meta) };
  json.size = json.data!.length;
  const digests = digestsOf([json, ...entries]);
  const digestsEntry: TreeEntry = { path: DIGESTS, type: 'file', mode: 0o644, size: 0, data: Buffer.from(formatDigests(digests)) };
  digestsEntry.size = digestsEntry.data!.length;

  const path = join(outDir, `${name}.trunk`);
  const expect = new Map(entries.filter((e) => e.sha256).map((e) => [e.path, e.sha256!] as const));
  const result = await writeTarGz([json, digestsEntry, ...entries], path, { mtime: meta.sourceDateEpoch, prefix: name, expect, hashTar: false });
  return { path, name, sha256: result.sha256, size: result.size, digests };
}

/** Every file, and every symlink that resolves to a file (with that file's digest). */
function digestsOf(entries: TreeEntry[]): Map<string, string> {
  const byPath = new Map(entries.map((e) => [e.path, e] as const));
  const out = new Map<string, string>();
  for (const e of entries) {
    if (e.type === 'file') {
      out.set(e.path, e.sha256 ?? sha256(e.data!));
    } else if (e.type === 'symlink') {
      const r = resolveLink(byPath, e.path);
      if (r.ok && r.type === 'file') {
        const target = byPath.get(r.path)!;
        out.set(e.path, target.sha256 ?? sha256(target.data!));
      }
    }
  }
  return out;
}

function checkMetaAgainstStage(meta: PackageMeta, entries: TreeEntry[], stage: string): void {
  const present = new Set(entries.filter((e) => e.type !== 'directory').map((e) => e.path));
  const missing = [
    ...meta.extensions.map((x) => `pgsql/share/extension/${x}.control`),
    ...meta.dependencies.bundled.map((b) => b.file),
  ].filter((p) => !present.has(p));
  if (missing.length) throw new UserError(`${stage}: the metadata names files the stage lacks: ${missing.join(', ')}`);
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
