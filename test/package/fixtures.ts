// Stages and metadata for the package tests: small real trees on disk. Every path derives from
// the package name, so that tests installing different names into one PostgreSQL never collide.
import { copyFile, mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PackageMeta } from '../../src/package/index.ts';

export const PG15_CONFIG = '/usr/lib/postgresql/15/bin/pg_config';

export async function tempDir(prefix = 'trunkfarm-pkg-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export function uniqueName(prefix = 'tft'): string {
  return `${prefix}${process.pid}${Math.random().toString(36).slice(2, 8)}`;
}

export function sampleMeta(overrides: Partial<PackageMeta> = {}): PackageMeta {
  const name = overrides.name ?? 'tfdemo';
  return {
    name,
    version: '1.2.3',
    license: 'PostgreSQL',
    abstract: 'A demonstration extension',
    homepage: `https://example.org/${name}`,
    sourceUrl: `https://example.org/${name}.git`,
    language: 'c',
    extensions: [name],
    postgres: {
      version: '15.18',
      major: 15,
      versionNum: 150018,
      cflags: '-O2',
      cppflags: '-D_GNU_SOURCE',
      ldflags: '-Wl,--as-needed',
      libs: '-lm',
    },
    platform: { os: 'gnulinux', arch: 'amd64', libc: 'glibc', libcVersion: '2.36', isa: 'x86-64' },
    dependencies: {
      extensions: [],
      system: ['libc.so.6'],
      bundled: [{ soname: `lib${name}helper.so.1`, file: `pgsql/pkglib/lib${name}helper.so.1.0.0`, package: `lib${name}helper1`, version: '1.0.0-1', license: 'MIT' }],
    },
    buildKey: 'k'.repeat(16),
    sourceDigest: `sha256:${'a'.repeat(64)}`,
    sourceDateEpoch: 1700000000,
    ...overrides,
  };
}

/** Metadata for a given Postgres major (15.18 -> 18.1 and so on). */
export function forPg(meta: PackageMeta, major: number): PackageMeta {
  return { ...meta, postgres: { ...meta.postgres, major, version: `${major}.1`, versionNum: major * 10000 + 1 } };
}

export async function put(root: string, path: string, content: string | Buffer, mode = 0o644): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content, { mode });
}

/** A stage like the build stage writes: control + SQL (one literal '$libdir/NAME'), a module, a
 * bundled library with its soname link, data under sys/share/NAME (as PROJ's share/proj), a
 * `#!perl` script, docs, licences. */
export async function makeStage(root: string, name = 'tfdemo'): Promise<string> {
  await put(root, `pgsql/share/extension/${name}.control`, `comment = 'demo'\ndefault_version = '1.2.3'\nmodule_pathname = '$libdir/${name}'\nrelocatable = true\n`);
  await put(
    root,
    `pgsql/share/extension/${name}--1.2.3.sql`,
    `CREATE FUNCTION ${name}_hello() RETURNS text AS '$libdir/${name}', '${name}_hello' LANGUAGE C STRICT;\n` +
      `CREATE FUNCTION ${name}_add(int, int) RETURNS int AS 'MODULE_PATHNAME', 'add' LANGUAGE C;\n`,
  );
  await mkdir(join(root, 'pgsql/pkglib'), { recursive: true });
  await copyFile('/usr/lib/x86_64-linux-gnu/libz.so.1', join(root, `pgsql/pkglib/${name}.so`)).catch(() => put(root, `pgsql/pkglib/${name}.so`, Buffer.alloc(4096, 7)));
  await put(root, `pgsql/pkglib/lib${name}helper.so.1.0.0`, Buffer.alloc(10000, 3), 0o644);
  await symlink(`lib${name}helper.so.1.0.0`, join(root, `pgsql/pkglib/lib${name}helper.so.1`));
  await put(root, `pgsql/bin/${name}-report`, '#!perl\nprint "ok\\n";\n', 0o755);
  await put(root, `pgsql/doc/extension/${name}.md`, `# ${name}\n`);
  await put(root, `sys/share/${name}/${name}.db`, Buffer.alloc(2048, 1));
  await put(root, `licenses/lib${name}helper/COPYING`, 'MIT licence text\n');
  await put(root, 'LICENSE', 'PostgreSQL licence text\n');
  return root;
}
