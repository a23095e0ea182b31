// What the build stage hands to packaging besides the staged files: one typed object, also
// readable from a JSON file (`trunkfarm pack --meta`). Field names are camelCase here; trunk.json
// spells them the way PGXN's proof of concept did (see trunk/json.ts).
import { z } from 'zod';
import { ARCHES, LIBCS, type Arch, type Libc, type TrunkOs } from '../types.ts';
import { UserError } from '../errors.ts';
import { isSemver } from './trunk/name.ts';

/** A shared library the closure check copied into the package (next to the modules). */
export interface BundledLibrary {
  /** DT_SONAME, e.g. `libgeos_c.so.1`. */
  soname: string;
  /** Path inside the package, e.g. `pgsql/pkglib/libgeos_c.so.1.19.0`. */
  file: string;
  /** Distribution package it came from, and that package's version and licence (SPDX). */
  package?: string;
  version?: string;
  license?: string;
}

/** Where a package runs. `os: 'any'` (SQL-only) goes with `arch: 'any'` and `libc: 'any'`. */
export interface PackagePlatform {
  os: TrunkOs | 'any';
  arch: Arch | 'any';
  libc: Libc | 'any';
  /** Oldest libc the binaries need (`2.36`, `1.2.3`); checked at install when known. */
  libcVersion?: string;
  /** Instruction-set baseline the binaries were checked against (`x86-64`, `armv8-a`): they run
   * on every CPU of that level. */
  isa?: string;
  /** The RFC's optional OS-version part of the file name (`musllinux-1.2-amd64`). Leave unset for
   * `gnulinux-amd64`; set it when the version matters to the reader of the name. */
  osVersion?: string;
}

export interface PackageMeta {
  /** Package (distribution) name: lowercase, no `+`. */
  name: string;
  /** SemVer without build metadata. */
  version: string;
  /** SPDX licence expression. */
  license: string;
  abstract: string;
  homepage?: string;
  /** URL of the source repository or archive. */
  sourceUrl?: string;
  /** `c`, `sql`, `rust`, ... as PGXN META names it. */
  language: string;
  /** Control-file names of the extensions inside (`postgis`, `postgis_topology`, ...). */
  extensions: string[];
  postgres: {
    /** Full version built against, `17.6`. */
    version: string;
    major: number;
    /** `PG_VERSION_NUM`, 170006. */
    versionNum: number;
    /** pg_config's build flags, as recorded by the proof of concept. */
    cflags: string;
    cppflags: string;
    ldflags: string;
    libs: string;
  };
  platform: PackagePlatform;
  dependencies: {
    /** Other extensions needed first (`CREATE EXTENSION ... CASCADE` names). */
    extensions: string[];
    /** Sonames the closure check found in the base image. */
    system: string[];
    bundled: BundledLibrary[];
  };
  /** The job's build key (src/plan). */
  buildKey: string;
  /** `sha256:<hex>` of the source archive. */
  sourceDigest: string;
  /** Seconds since the epoch: every mtime and `created` in the artifacts. */
  sourceDateEpoch: number;
}

const NAME = /^[a-z0-9][a-z0-9_.-]*$/;

const bundled = z.object({
  soname: z.string().min(1),
  file: z.string().min(1),
  package: z.string().optional(),
  version: z.string().optional(),
  license: z.string().optional(),
});

export const packageMetaSchema = z.object({
  name: z.string().regex(NAME, 'lowercase letters, digits, "_", "." and "-" only'),
  version: z.string().refine(isSemver, 'not a SemVer version (build metadata not allowed)'),
  license: z.string().min(1),
  abstract: z.string(),
  homepage: z.string().optional(),
  sourceUrl: z.string().optional(),
  language: z.string().min(1),
  extensions: z.array(z.string().min(1)),
  postgres: z.object({
    version: z.string().min(1),
    major: z.number().int().min(9),
    versionNum: z.number().int().positive(),
    cflags: z.string(),
    cppflags: z.string(),
    ldflags: z.string(),
    libs: z.string(),
  }),
  platform: z
    .object({
      os: z.enum(['gnulinux', 'musllinux', 'any']),
      arch: z.enum([...ARCHES, 'any']),
      libc: z.enum([...LIBCS, 'any']),
      libcVersion: z.string().regex(/^\d+(\.\d+)*$/).optional(),
      isa: z.string().regex(/^[a-z0-9][a-z0-9.-]{0,31}$/).optional(),
      osVersion: z.string().regex(/^[0-9A-Za-z._]+$/).optional(),
    })
    .refine((p) => platformConsistent(p), 'os, arch and libc disagree (gnulinux = glibc, musllinux = musl, any = any)'),
  dependencies: z.object({
    extensions: z.array(z.string()),
    system: z.array(z.string()),
    bundled: z.array(bundled),
  }),
  buildKey: z.string().min(1),
  sourceDigest: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256:<64 hex digits>'),
  sourceDateEpoch: z.number().int().min(0),
});

function platformConsistent(p: { os: string; arch: string; libc: string }): boolean {
  if (p.os === 'any') return p.arch === 'any' && p.libc === 'any';
  return p.arch !== 'any' && p.libc === (p.os === 'gnulinux' ? 'glibc' : 'musl');
}

/** Validates untrusted metadata (a META.json); `where` names it in errors. */
export function parsePackageMeta(value: unknown, where: string): PackageMeta {
  const result = packageMetaSchema.safeParse(value);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new UserError(`${where}: invalid package metadata\n${lines.join('\n')}`);
  }
  return result.data as PackageMeta;
}
