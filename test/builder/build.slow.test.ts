// Real builds of real extensions with the local images (podman): source, container build,
// closure check with bundling, packages, and the smoke test in the runtime base image.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, readlink, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildJob, lineReporter } from '../../src/builder/index.ts';
import { readElf } from '../../src/closure/index.ts';
import { readTrunk, readTrunkMeta } from '../../src/package/index.ts';
import { loadValidMatrix } from '../../src/matrix/index.ts';
import { expandTargets } from '../../src/plan/index.ts';
import { buildOne, buildShared } from '../support/build.ts';

const MINUTES = 60_000;

describe('building pgvector for PostgreSQL 17 (glibc, amd64)', () => {
  it('builds, passes installcheck and the closure check, packages, loads in the base image, and skips an unchanged rebuild', async () => {
    const { result, dir } = await buildOne('pgvector', 17);
    expect(result.steps.map((s) => [s.name, s.status])).toEqual([
      ['source', 'ok'], ['images', 'ok'], ['dependencies', 'ok'], ['compile', 'ok'], ['installcheck', 'ok'],
      ['stage', 'ok'], ['isa', 'ok'], ['closure', 'ok'], ['package', 'ok'], ['smoke', 'ok'],
    ]);
    expect(result.source!.sha256).toBe('867a2c328d4928a5a9d6f052cd3bc78c7d60228a9b914ad32aa3db88e9de27b0');
    expect(result.closure).toMatchObject({ ok: true, bundled: [] });
    const trunk = path.join(dir, result.artifacts!.trunk.file);
    expect(path.basename(trunk)).toBe('pgvector-0.8.0+pg17-gnulinux-amd64.trunk');
    expect((await stat(trunk)).size).toBe(result.artifacts!.trunk.size);
    // Portable code: no -march=native in what the build ran.
    expect(await readFile(path.join(dir, 'logs', 'compile.log'), 'utf8')).not.toMatch(/-march=native/);
    expect(await readFile(path.join(dir, 'logs', 'smoke.log'), 'utf8')).toMatch(/CREATE EXTENSION/);
    // The oldest glibc it runs on: the newest GLIBC_ symbol version it asks for, which the base
    // image provides.
    const meta = await readTrunkMeta(trunk);
    expect(meta.platform.libcVersion).toMatch(/^2\.\d+$/);
    const closure = JSON.parse(await readFile(path.join(dir, 'closure.json'), 'utf8')) as { base: { glibcVersion: string } };
    const minor = (v: string) => Number(v.split('.')[1]);
    expect(minor(meta.platform.libcVersion!)).toBeLessThanOrEqual(minor(closure.base.glibcVersion));

    // The same key again: skipped outright, the artifact untouched.
    const matrix = await loadValidMatrix('matrix');
    const loaded = matrix.entries.find((e) => e.entry.name === 'pgvector')!;
    const target = expandTargets(matrix, [loaded]).find(({ job }) => job.platform === 'pg17-gnulinux-amd64')!;
    const lines: string[] = [];
    const again = await buildJob(target, { out: path.dirname(dir), matrixDir: matrix.dir, images: 'local', reporter: () => lineReporter((l) => lines.push(l)) });
    expect(lines).toEqual([expect.stringMatching(/up to date/)]);
    expect(again.finishedAt).toBe(result.finishedAt);
  }, 15 * MINUTES);
});

describe('bundling a library the base image lacks', () => {
  it('tf_linked carries libyaml with a $ORIGIN run path and loads with no LD_LIBRARY_PATH', async () => {
    const { result, dir } = await buildOne('tf_linked', 17);
    expect(result.closure!.ok).toBe(true);
    expect(result.closure!.bundled.map((b) => b.soname)).toEqual(['libyaml-0.so.2']);
    const pkglib = path.join(dir, 'stage', 'pgsql', 'pkglib');
    const module = readElf(path.join(pkglib, 'tf_linked.so'));
    expect(module.runpath).toEqual(['$ORIGIN']);
    expect(module.needed).toContain('libyaml-0.so.2');
    expect(await readlink(path.join(pkglib, 'libyaml-0.so.2'))).toMatch(/^libyaml-0\.so\.2\.\d/);
    // Same base image and settings as pgvector's smoke test above: its cluster is a copy of the
    // template initdb made then.
    expect(await readFile(path.join(dir, 'logs', 'smoke.log'), 'utf8')).toMatch(/tar -x -f \/trunkfarm\/clusters\/[0-9a-f]{64}\.tar -C "\$D"/);
    expect(await readFile(path.join(dir, 'logs', 'smoke.log'), 'utf8')).toMatch(/parsed\s*\n-+\s*\n\s*t\b/);
  }, 15 * MINUTES);
});

describe('an extension that needs shared_preload_libraries', () => {
  it('tf_preload loads through shared_preload_libraries in the base image', async () => {
    const { result, dir } = await buildOne('tf_preload', 17);
    expect(result.status).toBe('built');
    expect(await readFile(path.join(dir, 'logs', 'smoke.log'), 'utf8')).toMatch(/preloaded\s*\n-+\s*\n\s*t\b/);
  }, 15 * MINUTES);
});

describe('PostgreSQL 18 from a read-only image volume', () => {
  it('ip4r loads from /extensions/ip4r with only extension_control_path and dynamic_library_path', async () => {
    const { dir } = await buildShared('ip4r', 18);
    const log = await readFile(path.join(dir, 'logs', 'smoke.log'), 'utf8');
    expect(log).toMatch(/contains6\s*\n-+\s*\n\s*t\b/);
  }, 15 * MINUTES);

  it('tf_linked loads its bundled libyaml from the mounted layer through $ORIGIN', async () => {
    const { result, dir } = await buildOne('tf_linked', 18);
    expect(result.closure!.bundled.map((b) => b.soname)).toEqual(['libyaml-0.so.2']);
    const log = await readFile(path.join(dir, 'logs', 'smoke.log'), 'utf8');
    expect(log).toMatch(/parsed\s*\n-+\s*\n\s*t\b/);
  }, 15 * MINUTES);
});

describe('a SQL-only package', () => {
  it('pgtap builds one platform-independent "any" trunk per major', async () => {
    const { result, dir } = await buildOne('pgtap', 17);
    expect(result.job.platform).toBe('pg17-any');
    expect(path.basename(result.artifacts!.trunk.file)).toBe('pgtap-1.3.3+pg17-any.trunk');
    expect(await readFile(path.join(dir, 'logs', 'smoke.log'), 'utf8')).toMatch(/ok 2 - arithmetic/);
  }, 15 * MINUTES);
});

describe('other majors and libcs', () => {
  it('pgvector builds for PostgreSQL 15 (bookworm)', async () => {
    const { result } = await buildOne('pgvector', 15);
    expect(result.steps.find((s) => s.name === 'smoke')?.status).toBe('ok');
    expect(path.basename(result.artifacts!.trunk.file)).toBe('pgvector-0.8.0+pg15-gnulinux-amd64.trunk');
  }, 20 * MINUTES);

  it('pgvector builds for musl without GNU ifuncs and loads in the musl PostgreSQL 17', async () => {
    const { result, dir } = await buildShared('pgvector', 17, 'musl');
    const module = readElf(path.join(dir, 'stage', 'pgsql', 'pkglib', 'vector.so'));
    expect(module.interp ?? null).toBeNull();
    expect(module.needed).toContain('libc.so');
    expect(result.closure!.ok).toBe(true);
    expect(result.steps.find((s) => s.name === 'installcheck')?.status).toBe('ok');
    expect(path.basename(result.artifacts!.trunk.file)).toBe('pgvector-0.8.0+pg17-musllinux-amd64.trunk');
  }, 20 * MINUTES);
});

describe('arm64, under QEMU emulation', () => {
  it('pgvector builds for arm64, passes installcheck and the closure check, and loads in the arm64 base image', async () => {
    const { result, dir } = await buildShared('pgvector', 17, 'glibc', 'arm64');
    expect(result.steps.filter((s) => s.status !== 'ok')).toEqual([]);
    expect(result.steps.map((s) => s.name)).toEqual(expect.arrayContaining(['installcheck', 'closure', 'smoke']));
    expect(readElf(path.join(dir, 'stage', 'pgsql', 'pkglib', 'vector.so')).machine).toBe('aarch64');
    expect(path.basename(result.artifacts!.trunk.file)).toBe('pgvector-0.8.0+pg17-gnulinux-arm64.trunk');
    expect(await readFile(path.join(dir, 'logs', 'smoke.log'), 'utf8')).toMatch(/distance\s*\n-+\s*\n\s*2\.449489742783178/);
  }, 40 * MINUTES);
});

describe('PostGIS, whose libraries the base image lacks', () => {
  it('bundles GEOS, PROJ and their dependencies with proj.db, and transforms coordinates with no LD_LIBRARY_PATH', async () => {
    const { result, dir } = await buildShared('postgis', 17);
    const bundled = result.closure!.bundled.map((b) => b.soname);
    expect(bundled).toEqual(expect.arrayContaining([expect.stringMatching(/^libgeos_c\.so/), expect.stringMatching(/^libproj\.so/), expect.stringMatching(/^libjson-c\.so/)]));
    for (const b of result.closure!.bundled) expect(b.package, b.soname).toBeTruthy();
    const log = await readFile(path.join(dir, 'logs', 'smoke.log'), 'utf8');
    expect(log).toMatch(/POINT\(261845\.\d+ 62505\d+\.\d+\)/);
    // EPSG codes given as text are found only in proj.db: the bundled PROJ found its data where
    // the installer put it (pkglibdir/../share/proj), with no PROJ_DATA.
    expect(log).toMatch(/POINT\(652\d{3}\.\d+ 6862\d{3}\.\d+\)/);
    const trunk = await readTrunk(path.join(dir, result.artifacts!.trunk.file));
    const paths = trunk.entries.map((e) => e.path);
    expect(paths).toContain('sys/share/proj/proj.db');
    expect(paths.filter((p) => p.startsWith('pgsql/share/proj'))).toEqual([]);
    // Each bundled package's licence text travels with it, and the metadata points at it.
    for (const b of result.closure!.bundled) {
      expect(b.licenseFile, b.soname).toBe(`licenses/${b.package}/copyright`);
      expect(paths).toContain(b.licenseFile);
    }
    // System libraries are what the base image provides: nothing the package ships itself.
    const system = trunk.meta.dependencies.system;
    expect(system).toEqual(expect.arrayContaining(['libc.so.6']));
    for (const b of result.closure!.bundled) expect(system).not.toContain(b.soname);
  }, 30 * MINUTES);
});

describe('a build step that fails while the test containers are still being prepared', () => {
  it('fails the job by the step\'s name, and leaves no container and no .partial folder', async () => {
    const matrix = await loadValidMatrix('matrix');
    const loaded = matrix.entries.find((e) => e.entry.name === 'tf_preload')!;
    const target = expandTargets(matrix, [loaded]).find(({ job }) => job.platform === 'pg17-gnulinux-amd64')!;
    // Fails at once, while the base image's container starts and the builder's server for
    // installcheck is being made.
    const entry = {
      ...loaded.entry,
      dependencies: { ...loaded.entry.dependencies, pipeline: 'script' as const },
      build: { script: 'echo broken on purpose >&2; exit 3' },
      test: { ...loaded.entry.test, installcheck: true },
    };
    const out = await mkdtemp(path.join(tmpdir(), 'trunkfarm-build-failing-'));
    const result = await buildJob({ ...target, entry }, { out, matrixDir: matrix.dir, images: 'local', reporter: () => lineReporter(() => {}) });
    expect(result.status).toBe('failed');
    expect(result.failure).toMatchObject({ step: 'compile', message: expect.stringContaining('broken on purpose') });
    expect(result.steps.find((s) => s.name === 'compile')?.status).toBe('failed');
    expect(result.steps.map((s) => s.name)).not.toContain('installcheck');
    expect(await readdir(out)).toEqual(['tf_preload-1.0.0+pg17-gnulinux-amd64']);
    const left = spawnSync('podman', ['ps', '-a', '--quiet', '--filter', `label=org.trunkfarm.pid=${process.pid}`], { encoding: 'utf8' });
    expect(left.stdout.trim()).toBe('');
  }, 5 * MINUTES);
});
