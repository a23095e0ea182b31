import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compatibilityProblems, probeHost, probePgConfig, readElfInfo, type InstallTargetInfo } from '../../src/package/index.ts';
import { requireComponents } from '../support/requirements.ts';
import { PG15_CONFIG, sampleMeta, tempDir } from './fixtures.ts';

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('reading the target from ELF headers', () => {
  it('tells glibc from musl, and amd64 from arm64, in binaries built here', async () => {
    requireComponents(['gcc', 'musl-gcc', 'aarch64-linux-gnu-gcc']);
    const src = join(dir, 'hello.c');
    await writeFile(src, 'int main(void) { return 0; }\n');
    const build = (cc: string, out: string, extra: string[] = []) => {
      execFileSync(cc, [...extra, '-o', join(dir, out), src]);
      return join(dir, out);
    };
    expect(await readElfInfo(build('gcc', 'glibc'))).toEqual({ arch: 'amd64', interpreter: '/lib64/ld-linux-x86-64.so.2', libc: 'glibc' });
    expect(await readElfInfo(build('musl-gcc', 'musl'))).toEqual({ arch: 'amd64', interpreter: '/lib/ld-musl-x86_64.so.1', libc: 'musl' });
    expect(await readElfInfo(build('aarch64-linux-gnu-gcc', 'arm64'))).toEqual({ arch: 'arm64', interpreter: '/lib/ld-linux-aarch64.so.1', libc: 'glibc' });
    // A static binary names no loader: its libc cannot be told from the program headers.
    expect(await readElfInfo(build('gcc', 'static', ['-static']))).toMatchObject({ arch: 'amd64' });
    expect((await readElfInfo(join(dir, 'static')))?.interpreter).toBeUndefined();
    expect(await readElfInfo(src)).toBeUndefined();
    expect(await readElfInfo(join(dir, 'nothere'))).toBeUndefined();
  });

  it('probes a real pg_config: version, directories, libc and arch', async () => {
    if (!existsSync(PG15_CONFIG)) throw new Error(`this test needs ${PG15_CONFIG} (apt-get install postgresql-15)`);
    const t = await probePgConfig(PG15_CONFIG);
    expect(t.pgMajor).toBe(15);
    expect(t.pgVersion).toMatch(/^15\.\d+$/);
    expect(t).toMatchObject({ arch: 'amd64', libc: 'glibc' });
    expect(t.libcVersion).toMatch(/^2\.\d+$/);
    expect(t.dirs).toMatchObject({ sharedir: '/usr/share/postgresql/15', pkglibdir: '/usr/lib/postgresql/15/lib', bindir: '/usr/lib/postgresql/15/bin' });
    // Debian's /usr/bin/pg_config is a shell wrapper: the server binary tells the libc then.
    if (existsSync('/usr/bin/pg_config') && !(await readElfInfo('/usr/bin/pg_config'))) {
      expect(await probePgConfig('/usr/bin/pg_config')).toMatchObject({ libc: 'glibc', arch: 'amd64' });
    }
    await expect(probePgConfig(join(dir, 'no-pg_config'))).rejects.toThrow(/cannot run pg_config/);
    const host = await probeHost();
    expect(host).toMatchObject({ arch: 'amd64', libc: 'glibc' });
  });
});

describe('compatibility', () => {
  const target: InstallTargetInfo = { description: 't', pgMajor: 15, pgVersion: '15.18', arch: 'amd64', libc: 'glibc', libcVersion: '2.36' };
  it('accepts a matching package and an `any` package', () => {
    expect(compatibilityProblems(sampleMeta(), target)).toEqual([]);
    expect(compatibilityProblems(sampleMeta({ platform: { os: 'any', arch: 'any', libc: 'any' } }), { description: 't', pgMajor: 15 })).toEqual([]);
    expect(compatibilityProblems(sampleMeta({ platform: { os: 'gnulinux', arch: 'amd64', libc: 'glibc', libcVersion: '2.31' } }), target)).toEqual([]);
  });
  it('names each mismatch', () => {
    const m = sampleMeta();
    expect(compatibilityProblems({ ...m, postgres: { ...m.postgres, major: 16 } }, target)).toEqual(['built for PostgreSQL 16, the target is PostgreSQL 15.18']);
    expect(compatibilityProblems(sampleMeta({ platform: { os: 'musllinux', arch: 'amd64', libc: 'musl' } }), target)).toEqual(['built for musl, the target uses glibc']);
    expect(compatibilityProblems(sampleMeta({ platform: { os: 'gnulinux', arch: 'arm64', libc: 'glibc' } }), target)).toEqual(['built for arm64, the target is amd64']);
    expect(compatibilityProblems(sampleMeta({ platform: { os: 'gnulinux', arch: 'amd64', libc: 'glibc', libcVersion: '2.41' } }), target)).toEqual([
      'needs glibc 2.41 or later, the target has 2.36',
    ]);
    expect(compatibilityProblems(m, { description: 't', pgMajor: 15 })).toEqual([
      "cannot tell the target's CPU architecture (built for amd64)",
      "cannot tell the target's C library (built for glibc)",
    ]);
    expect(compatibilityProblems(m, { ...target, pgMajor: undefined }, { minPgMajor: 18 })).toEqual(['built for PostgreSQL 15; this layout needs PostgreSQL 18 or later']);
  });
});
