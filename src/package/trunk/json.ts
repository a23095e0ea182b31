// trunk.json, format 1.1.0 (1.1 added `platform.isa`). It keeps every field of the proof of concept's 0.1.0 (`trunk`,
// `package{name,version,language,license}`, `postgres{version,major,number,libs,cppflags,cflags,
// ldflags}`, `platform{os,arch}`) with the same spelling, and adds what RFC 2 asks for and 0.1.0
// lacked: `runtime` (libc and its version), `dependencies` (other extensions, system libraries the
// base image provides, libraries bundled in the trunk) and `build` (what produced it).
import { z } from 'zod';
import type { PackageMeta } from '../meta.ts';
import { VERSION } from '../../version.ts';

export const TRUNK_JSON = 'trunk.json';
export const FORMAT_VERSION = '1.1.0';

/** trunk.json as written. Keys are emitted in this order, so the bytes are stable. */
export interface TrunkJson {
  trunk: string;
  package: {
    name: string;
    version: string;
    language: string;
    license: string;
    abstract: string;
    homepage?: string;
    source?: string;
    extensions: string[];
  };
  postgres: { version: string; major: string; number: number; libs: string; cppflags: string; cflags: string; ldflags: string };
  /** `isa`: the instruction-set baseline (`x86-64`, `armv8-a`) the binaries keep to. */
  platform: { os: string; version?: string; arch: string; isa?: string };
  runtime?: { libc: string; version?: string };
  dependencies: {
    extensions: string[];
    system: string[];
    bundled: { soname: string; file: string; package?: string; version?: string; license?: string }[];
  };
  build: { key: string; source_digest: string; source_date_epoch: number; trunkfarm: string };
}

export function trunkJson(meta: PackageMeta): TrunkJson {
  const p = meta.platform;
  return {
    trunk: FORMAT_VERSION,
    package: {
      name: meta.name,
      version: meta.version,
      language: meta.language,
      license: meta.license,
      abstract: meta.abstract,
      ...(meta.homepage ? { homepage: meta.homepage } : {}),
      ...(meta.sourceUrl ? { source: meta.sourceUrl } : {}),
      extensions: meta.extensions,
    },
    postgres: {
      version: meta.postgres.version,
      major: String(meta.postgres.major),
      number: meta.postgres.versionNum,
      libs: meta.postgres.libs,
      cppflags: meta.postgres.cppflags,
      cflags: meta.postgres.cflags,
      ldflags: meta.postgres.ldflags,
    },
    platform: { os: p.os, ...(p.osVersion ? { version: p.osVersion } : {}), arch: p.arch, ...(p.isa ? { isa: p.isa } : {}) },
    ...(p.libc === 'any' ? {} : { runtime: { libc: p.libc, ...(p.libcVersion ? { version: p.libcVersion } : {}) } }),
    dependencies: {
      extensions: meta.dependencies.extensions,
      system: meta.dependencies.system,
      bundled: meta.dependencies.bundled.map((b) => ({
        soname: b.soname,
        file: b.file,
        ...(b.package !== undefined ? { package: b.package } : {}),
        ...(b.version !== undefined ? { version: b.version } : {}),
        ...(b.license !== undefined ? { license: b.license } : {}),
      })),
    },
    build: {
      key: meta.buildKey,
      source_digest: meta.sourceDigest,
      source_date_epoch: meta.sourceDateEpoch,
      trunkfarm: VERSION,
    },
  };
}

export function serialiseTrunkJson(meta: PackageMeta): Buffer {
  return Buffer.from(`${JSON.stringify(trunkJson(meta), null, 2)}\n`);
}

const schema = z.object({
  trunk: z.string(),
  package: z.object({
    name: z.string(),
    version: z.string(),
    language: z.string(),
    license: z.string(),
    abstract: z.string().default(''),
    homepage: z.string().optional(),
    source: z.string().optional(),
    extensions: z.array(z.string()).default([]),
  }),
  postgres: z.object({
    version: z.string(),
    major: z.union([z.string().regex(/^\d+$/), z.number().int()]),
    number: z.number().int(),
    libs: z.string().default(''),
    cppflags: z.string().default(''),
    cflags: z.string().default(''),
    ldflags: z.string().default(''),
  }),
  platform: z.object({ os: z.string(), version: z.string().optional(), arch: z.string(), isa: z.string().optional() }),
  runtime: z.object({ libc: z.string(), version: z.string().optional() }).optional(),
  dependencies: z
    .object({
      extensions: z.array(z.string()).default([]),
      system: z.array(z.string()).default([]),
      bundled: z
        .array(
          z.object({
            soname: z.string(),
            file: z.string(),
            package: z.string().optional(),
            version: z.string().optional(),
            license: z.string().optional(),
          }),
        )
        .default([]),
    })
    .default({ extensions: [], system: [], bundled: [] }),
  build: z
    .object({ key: z.string(), source_digest: z.string(), source_date_epoch: z.number().int() })
    .partial()
    .default({}),
});

/** Splits `1.2.3` into numbers; undefined when it is not three dot-separated integers. */
function formatVersionParts(v: string): [number, number, number] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** What a reader makes of a format version: fine, a warning (newer minor), or an error. */
export function checkFormatVersion(v: unknown): { warning?: string; error?: string } {
  const ours = formatVersionParts(FORMAT_VERSION)!;
  const theirs = typeof v === 'string' ? formatVersionParts(v) : undefined;
  if (!theirs) return { error: `trunk format version ${JSON.stringify(v)} is not MAJOR.MINOR.PATCH` };
  if (theirs[0] > ours[0]) return { error: `trunk format ${v} is newer than this reader (${FORMAT_VERSION}); upgrade trunkfarm` };
  if (theirs[0] < ours[0]) return { error: `trunk format ${v} predates ${ours[0]}.0.0 (no libc or dependency data); rebuild the trunk` };
  if (theirs[1] > ours[1]) return { warning: `trunk format ${v} is newer than this reader (${FORMAT_VERSION}); fields it added are ignored` };
  return {};
}

/** Parses trunk.json back into PackageMeta (after checkFormatVersion). Throws a plain message. */
export function parseTrunkJson(text: string): PackageMeta {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON: ${(err as Error).message}`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    throw new Error(r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  }
  const j = r.data;
  const libc = j.runtime?.libc ?? (j.platform.os === 'any' ? 'any' : j.platform.os === 'musllinux' ? 'musl' : 'glibc');
  return {
    name: j.package.name,
    version: j.package.version,
    license: j.package.license,
    abstract: j.package.abstract,
    ...(j.package.homepage !== undefined ? { homepage: j.package.homepage } : {}),
    ...(j.package.source !== undefined ? { sourceUrl: j.package.source } : {}),
    language: j.package.language,
    extensions: j.package.extensions,
    postgres: {
      version: j.postgres.version,
      major: Number(j.postgres.major),
      versionNum: j.postgres.number,
      cflags: j.postgres.cflags,
      cppflags: j.postgres.cppflags,
      ldflags: j.postgres.ldflags,
      libs: j.postgres.libs,
    },
    platform: {
      os: j.platform.os as PackageMeta['platform']['os'],
      arch: j.platform.arch as PackageMeta['platform']['arch'],
      libc: libc as PackageMeta['platform']['libc'],
      ...(j.runtime?.version !== undefined ? { libcVersion: j.runtime.version } : {}),
      ...(j.platform.version !== undefined ? { osVersion: j.platform.version } : {}),
      ...(j.platform.isa !== undefined ? { isa: j.platform.isa } : {}),
    },
    dependencies: j.dependencies,
    buildKey: j.build.key ?? '',
    sourceDigest: j.build.source_digest ?? '',
    sourceDateEpoch: j.build.source_date_epoch ?? 0,
  };
}
