// A synthetic farm for the site's tests and bench: a matrix directory of N extensions with realistic
// names, ranges and exclusions, and an index built from that matrix's own plan (expandJobs), with
// failures, stale builds, missing cells, superseded builds, bundled libraries with licenses, and one
// extension that has left the matrix. Deterministic for a given seed.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadValidMatrix, type Matrix } from '../../src/matrix/index.ts';
import { expandJobs } from '../../src/plan/index.ts';
import type { BundledLibrary, IndexEntry, PublishedIndexFile } from '../../src/types.ts';
import { seeded } from '../support/random.ts';

export const PLATFORMS_YAML = `postgres: [14, 15, 16, 17, 18]
arches:
  amd64: { runner: ubuntu-24.04, isa: x86-64 }
  arm64: { runner: ubuntu-24.04-arm, isa: armv8-a }
libcs:
  glibc:
    distro: debian
    images:
${[14, 15, 16, 17, 18].map((pg) => `      "${pg}": { builder: docker.io/library/postgres:${pg}-trixie, base: docker.io/library/postgres:${pg}-trixie }`).join('\n')}
  musl:
    distro: alpine
    images:
${[14, 15, 16, 17, 18].map((pg) => `      "${pg}": { builder: docker.io/library/postgres:${pg}-alpine3.22, base: docker.io/library/postgres:${pg}-alpine3.22 }`).join('\n')}
default: { arch: amd64, libc: glibc }
`;

const WORDS = [
  'vector', 'audit', 'cron', 'partman', 'repack', 'trgm', 'hashids', 'jsonschema', 'uuidv7', 'ivm', 'graphql',
  'net', 'http', 'safeupdate', 'squeeze', 'bigm', 'roaringbitmap', 'rum', 'hll', 'topn', 'orafce', 'tap',
  'routing', 'h3', 'age', 'ip4r', 'semver', 'prefix', 'periods', 'tdigest', 'similarity', 'hint_plan',
  'stat_monitor', 'qualstats', 'wait_sampling', 'failover_slots', 'later', 'mustache', 'sparse', 'quantile',
  'geohash', 'duckdb', 'search', 'lakehouse', 'ulid', 'sqids', 'gzip', 'zstd', 'crypto', 'jwt', 'base36',
  'rational', 'unit', 'financial', 'emaj', 'anon', 'ddlx', 'plan_filter', 'show_plans', 'checksums',
  'tle', 'idkit', 'smtp', 'ltree_ext', 'isbn', 'color', 'timeseries', 'chess', 'bloom_ext', 'levenshtein',
];
const PREFIXES = ['pg_', 'pg', '', 'pgx_', 'plv8_', 'postgis_', 'h3_', 'timescale_', 'omni_', 'zdb_', 'citus_', 'wal2', 'ai_', 'kv_'];
const SUFFIXES = ['', '_fdw', '_utils', '2', '_tools', '_lite', '_ext', '_contrib'];
const LICENSES = ['PostgreSQL', 'MIT', 'Apache-2.0', 'BSD-3-Clause', 'GPL-2.0-or-later', 'AGPL-3.0-only'];
const LIBRARIES: Omit<BundledLibrary, 'sha256' | 'file'>[] = [
  { soname: 'libgeos_c.so.1', size: 512_000, package: 'libgeos-c1t64', packageVersion: '3.13.1-1', license: 'LGPL-2.1-or-later' },
  { soname: 'libgeos.so.3.13.1', size: 3_900_000, package: 'libgeos3.13.1', packageVersion: '3.13.1-1', license: 'LGPL-2.1-or-later' },
  { soname: 'libproj.so.25', size: 4_200_000, package: 'libproj25', packageVersion: '9.6.0-1', license: 'MIT' },
  { soname: 'libjson-c.so.5', size: 90_000, package: 'libjson-c5', packageVersion: '0.18+ds-1', license: 'MIT' },
  { soname: 'libprotobuf-c.so.1', size: 60_000, package: 'libprotobuf-c1', packageVersion: '1.5.1-1', license: 'BSD-2-Clause' },
  { soname: 'libcurl.so.4', size: 800_000, package: 'libcurl4t64', packageVersion: '8.14.1-2', license: 'curl' },
  { soname: 'libssl.so.3', size: 700_000, package: 'libssl3t64', packageVersion: '3.5.1-1', license: 'Apache-2.0' },
  { soname: 'libsodium.so.23', size: 350_000, package: 'libsodium23', packageVersion: '1.0.18-1', license: 'ISC' },
  { soname: 'libzstd.so.1', size: 900_000, license: 'BSD-3-Clause' },
  { soname: 'libicuuc.so.76', size: 2_100_000, package: 'libicu76', packageVersion: '76.1-4' },
];

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** N distinct, plausible extension names. */
export function extensionNames(n: number, seed = 1): string[] {
  const rnd = seeded(seed);
  const all: string[] = [];
  for (const p of PREFIXES) for (const w of WORDS) for (const s of SUFFIXES) all.push(`${p}${w}${s}`);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  const names = all.filter((x) => /^[a-z][a-z0-9_-]{0,62}$/.test(x)).slice(0, n);
  for (let i = names.length; i < n; i++) names.push(`ext${i}`);
  return names;
}

function entryYaml(name: string, rnd: () => number): string {
  const sql = rnd() < 0.15;
  const lines = [
    `name: ${name}`,
    `version: ${1 + Math.floor(rnd() * 3)}.${Math.floor(rnd() * 10)}.${Math.floor(rnd() * 5)}`,
    `abstract: ${JSON.stringify(`${name.replace(/_/g, ' ')}: ${['fast', 'safe', 'tiny', 'spatial', 'observable'][Math.floor(rnd() * 5)]} ${sql ? 'SQL functions' : 'native functions'} for PostgreSQL`)}`,
    `license: ${LICENSES[Math.floor(rnd() * LICENSES.length)]}`,
    `homepage: https://example.org/${name}`,
    ...(sql ? ['language: sql'] : []),
    'source:',
    `  url: https://example.org/${name}.tar.gz`,
    `  sha256: ${sha(name)}`,
    'contents:',
    `  extensions: [${name}]`,
    ...(!sql && rnd() < 0.1 ? ['  modules:', `    ${name}: { preload: server }`] : []),
    'dependencies:',
  ];
  const r = rnd();
  if (r < 0.15) lines.push('  postgres: { version: ">= 15" }');
  else if (r < 0.25) lines.push('  postgres: { version: ">= 16" }');
  else if (r < 0.3) lines.push('  postgres: { version: "< 18" }');
  lines.push(`  pipeline: ${sql ? 'pgxs' : ['pgxs', 'cmake', 'autoconf', 'pgrx'][Math.floor(rnd() * 4)]}`);
  if (!sql) {
    const x = rnd();
    if (x < 0.1) lines.push('platforms:', '  exclude:', '    - { libc: musl, reason: "needs glibc-only symbols" }');
    else if (x < 0.15) lines.push('platforms:', '  exclude:', '    - { arch: arm64, reason: "x86 intrinsics" }');
  }
  return `${lines.join('\n')}\n`;
}

/** Writes a matrix directory of `n` synthetic extensions and returns it. */
export async function writeSyntheticMatrix(n: number, seed = 1, root?: string): Promise<string> {
  const base = root ?? (await mkdtemp(path.join(tmpdir(), 'trunkfarm-site-matrix-')));
  const dir = path.join(base, 'matrix');
  await mkdir(path.join(dir, 'extensions'), { recursive: true });
  await writeFile(path.join(dir, 'platforms.yaml'), PLATFORMS_YAML);
  const rnd = seeded(seed);
  await Promise.all(extensionNames(n, seed).map((name) => writeFile(path.join(dir, 'extensions', `${name}.yaml`), entryYaml(name, rnd))));
  return dir;
}

export interface SyntheticRates {
  failed: number;
  stale: number;
  missing: number;
  /** Cells that also keep an older, superseded build. */
  superseded: number;
}

const DEFAULT_RATES: SyntheticRates = { failed: 0.05, stale: 0.04, missing: 0.03, superseded: 0.03 };

/** The index a farm would publish for this matrix: one entry per planned job, give or take. */
export function syntheticIndex(matrix: Matrix, seed = 1, rates: SyntheticRates = DEFAULT_RATES): PublishedIndexFile {
  const rnd = seeded(seed * 7919);
  const entries: IndexEntry[] = [];
  const libsOf = new Map<string, BundledLibrary[]>();
  const generatedAt = Date.parse('2025-06-01T00:00:00Z');
  for (const job of expandJobs(matrix)) {
    const r = rnd();
    if (r < rates.missing) continue;
    const stale = r < rates.missing + rates.stale;
    let libs = libsOf.get(job.extension);
    if (!libs) {
      libs = job.platform.endsWith('-any') || rnd() > 0.2 ? [] : LIBRARIES.filter(() => rnd() < 0.35).map((l) => ({ ...l, file: `lib/${l.soname}`, sha256: sha(l.soname) }));
      libsOf.set(job.extension, libs);
    }
    const failed = !stale && rnd() < rates.failed;
    const entry = makeEntry(matrix, { ...job, key: stale ? sha(`${job.key}:old`) : job.key, version: stale ? '0.9.0' : job.version }, libs, failed, generatedAt - Math.floor(rnd() * 30 * 86400_000));
    entries.push(entry);
    if (!stale && rnd() < rates.superseded) {
      entries.push(makeEntry(matrix, { ...job, key: sha(`${job.key}:superseded`), version: '0.8.0' }, libs, false, generatedAt - 60 * 86400_000));
    }
  }
  // An extension that left the matrix keeps its published builds.
  const p = matrix.platforms[0]!;
  entries.push(
    makeEntry(matrix, { extension: 'retired_ext', version: '1.0.0', pg: p.pg, arch: p.arch, libc: p.libc, platform: p.name, key: sha('retired') }, [], false, generatedAt - 90 * 86400_000),
  );
  return { version: 1, generatedAt: new Date(generatedAt).toISOString(), entries };
}

interface JobLike {
  extension: string;
  version: string;
  pg: number;
  arch: IndexEntry['arch'];
  libc: IndexEntry['libc'];
  platform: string;
  key: string;
}

function makeEntry(matrix: Matrix, job: JobLike, bundled: BundledLibrary[], failed: boolean, builtAt: number): IndexEntry {
  const platform = matrix.platforms.find((p) => p.pg === job.pg && p.arch === job.arch && p.libc === job.libc);
  const suffix = job.platform.replace(/^pg\d+-/, '');
  const run = `https://github.com/acme/farm/actions/runs/${parseInt(job.key.slice(0, 8), 16)}`;
  const closureFail = failed && parseInt(job.key.slice(8, 10), 16) % 2 === 0;
  const base: IndexEntry = {
    key: job.key,
    extension: job.extension,
    version: job.version,
    pg: job.pg,
    arch: job.arch,
    libc: job.libc,
    platform: job.platform,
    status: failed ? 'failed' : 'built',
    closure: {
      ok: !closureFail,
      bundled,
      problems: closureFail ? [{ file: `lib/${job.extension}.so`, message: 'libfoo.so.2 => not found (no package provides it on the base image)' }] : [],
    },
    provenance: {
      source: `https://example.org/${job.extension}.tar.gz`,
      sourceDigest: sha(job.extension),
      builderImage: platform?.builder.ref ?? 'docker.io/library/postgres:17-trixie',
      baseImage: platform?.base.ref ?? 'docker.io/library/postgres:17-trixie',
      runUrl: run,
    },
    logUrl: `${run}/job/${parseInt(job.key.slice(10, 16), 16)}`,
    builtAt: new Date(builtAt).toISOString(),
  };
  if (failed) return { ...base, failure: closureFail ? { step: 'closure', message: 'lib/x.so needs libfoo.so.2, which neither the package nor the base image provides' } : { step: 'build', message: `make: *** [Makefile:42: ${job.extension}.o] Error 1` } };
  const size = 40_000 + (parseInt(job.key.slice(16, 22), 16) % 900_000) + bundled.reduce((n, l) => n + l.size, 0);
  const trunk = `${job.extension}-${job.version}+pg${job.pg}-${suffix}.trunk`;
  return {
    ...base,
    trunk: { file: trunk, sha256: sha(`${job.key}:trunk`), size, files: 4 + bundled.length + (parseInt(job.key.slice(22, 24), 16) % 20), url: `https://github.com/acme/farm/releases/download/${job.extension}-v${job.version}/${trunk}` },
    oci: { ref: `ghcr.io/acme/${job.extension}:${job.version}-pg${job.pg}-${suffix}`, digest: `sha256:${sha(`${job.key}:oci`)}`, size: size + 1200 },
    signature: { bundle: `https://github.com/acme/farm/releases/download/${job.extension}-v${job.version}/${trunk}.sigstore.json`, kind: 'keyless' },
  };
}

/** Matrix and index together, as the bench and the end-to-end test use them. */
export async function syntheticFarm(n: number, seed = 1, root?: string): Promise<{ matrixDir: string; matrix: Matrix; index: PublishedIndexFile }> {
  const matrixDir = await writeSyntheticMatrix(n, seed, root);
  const matrix = await loadValidMatrix(matrixDir);
  return { matrixDir, matrix, index: syntheticIndex(matrix, seed) };
}
