// The contract of the images scripts/local-images.sh builds, which the build stage relies on:
// each builder compiles a PGXS extension for its platform (musl-gcc for musl, emulated arm64), and
// the matching base image runs PostgreSQL as `postgres` and loads it, with the paths that
// /etc/trunkfarm/image.json and the org.trunkfarm.* labels announce.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  detectEngine,
  exec,
  inspectImage,
  removeContainer,
  startContainer,
  type Container,
  type Engine,
  type RunOptions,
} from '../../src/builder/engine.ts';

const PLATFORMS = [
  { name: 'pg15-gnulinux-amd64', pg: 15, libc: 'glibc', arch: 'amd64', machine: 'x86_64' },
  { name: 'pg17-gnulinux-amd64', pg: 17, libc: 'glibc', arch: 'amd64', machine: 'x86_64' },
  { name: 'pg18-gnulinux-amd64', pg: 18, libc: 'glibc', arch: 'amd64', machine: 'x86_64' },
  { name: 'pg17-musllinux-amd64', pg: 17, libc: 'musl', arch: 'amd64', machine: 'x86_64' },
  { name: 'pg17-gnulinux-arm64', pg: 17, libc: 'glibc', arch: 'arm64', machine: 'aarch64' },
] as const;

const FIXTURE = fileURLToPath(new URL('./fixtures/tf_hello', import.meta.url));

interface ImageJson {
  role: string;
  platform: string;
  pg: number;
  libc: string;
  arch: string;
  bindir: string;
  pg_config: string;
  pkglibdir: string;
  sharedir: string;
  cc: string;
  user: string;
}

let engine: Engine;
let work: string;
beforeAll(async () => {
  engine = await detectEngine();
  work = mkdtempSync(join(tmpdir(), 'tf-images-'));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs `fn` with a fresh container of `opts.image`, removed afterwards whatever happens. */
async function inContainer<T>(opts: RunOptions, fn: (c: Container) => Promise<T>): Promise<T> {
  const c = await startContainer(engine, opts);
  try {
    return await fn(c);
  } finally {
    await removeContainer(c);
  }
}

async function output(c: Container, cmd: string[], user?: string): Promise<string> {
  let out = '';
  const live = new PassThrough().on('data', (d: Buffer) => (out += d.toString()));
  const r = await exec(c, cmd, { live, ...(user ? { user } : {}) });
  expect(r.code, `${cmd.join(' ')}: ${r.tail}`).toBe(0);
  return out;
}

describe.each(PLATFORMS)('$name', (p) => {
  const builder = `localhost/trunkfarm/builder:${p.name}`;
  const base = `localhost/trunkfarm/base:${p.name}`;
  const platform = `linux/${p.arch}`;
  // Emulated arm64 compiles and starts PostgreSQL several times slower.
  const timeout = p.arch === 'arm64' ? 600_000 : 180_000;

  it('labels and image.json agree on the platform and its paths', async () => {
    for (const [ref, role] of [[builder, 'builder'], [base, 'base']] as const) {
      const info = await inspectImage(engine, ref);
      expect(info.arch).toBe(p.arch);
      await inContainer({ image: ref, platform, network: 'none' }, async (c) => {
        const json = JSON.parse(await output(c, ['cat', '/etc/trunkfarm/image.json'])) as ImageJson;
        expect(json).toMatchObject({ role, platform: p.name, pg: p.pg, libc: p.libc, arch: p.arch, user: 'postgres' });
        expect(info.labels['org.trunkfarm.bindir']).toBe(json.bindir);
        expect(info.labels['org.trunkfarm.pkglibdir']).toBe(json.pkglibdir);
        expect(info.labels['org.trunkfarm.platform']).toBe(p.name);
        await output(c, ['test', '-x', `${json.bindir}/postgres`]);
        await output(c, ['test', '-f', `${json.sharedir}/extension/plpgsql.control`]);
      });
    }
  }, timeout);

  it('builds an extension in the builder that loads in the base image', async () => {
    const log = join(work, `${p.name}.log`);
    const staged = join(work, `${p.name}-stage`);
    let json!: ImageJson;

    // The source comes in and the installed files go out through bind mounts, as in a build.
    mkdirSync(staged, { recursive: true });
    const mounts = [
      { source: FIXTURE, target: '/trunkfarm/fixture', readonly: true },
      { source: staged, target: '/stage' },
    ];
    await inContainer({ image: builder, platform, network: 'none', mounts }, async (b) => {
      json = JSON.parse(await output(b, ['cat', '/etc/trunkfarm/image.json'])) as ImageJson;
      if (p.libc === 'musl') expect(json.cc).toBe('musl-gcc');
      const built = await exec(b, ['sh', '-c', 'cp -R /trunkfarm/fixture /build && cd /build && make && make install DESTDIR=/stage'], { log, live: null });
      expect(built.code, `build tf_hello for ${p.name}: ${built.tail}`).toBe(0);
    });

    await inContainer({ image: base, platform, network: 'none', mounts: [{ source: staged, target: '/trunkfarm/stage', readonly: true }] }, async (c) => {
      await output(c, ['cp', '-R', '/trunkfarm/stage/.', '/'], 'root');
      const out = await output(
        c,
        [
          'sh',
          '-ec',
          `b=${json.bindir}
          "$b/initdb" -D /tmp/pgdata -A trust -U postgres >/dev/null
          "$b/pg_ctl" -D /tmp/pgdata -l /tmp/pg.log -o "-k /tmp -c listen_addresses=" -w start >/dev/null
          "$b/psql" -h /tmp -U postgres -d postgres -XAtc "CREATE EXTENSION tf_hello; SELECT tf_hello();"
          "$b/pg_ctl" -D /tmp/pgdata -m fast -w stop >/dev/null`,
        ],
        'postgres',
      );
      expect(out.trim().split('\n').pop()).toBe(`hello ${p.libc} ${p.machine}`);
    });

    // The module itself, read on the host: the right machine, and the right C library.
    const so = join(staged, json.pkglibdir, 'tf_hello.so');
    const header = execFileSync('readelf', ['-hdW', so]).toString();
    expect(header).toMatch(p.arch === 'arm64' ? /Machine:\s+AArch64/ : /Machine:\s+Advanced Micro Devices X86-64/);
    const needed = [...header.matchAll(/\(NEEDED\)\s+Shared library: \[(.+?)\]/g)].map((m) => m[1]);
    if (p.libc === 'musl') {
      expect(needed).toEqual(['libc.so']);
    } else {
      expect(needed).not.toContain('libc.so');
      expect(needed.every((n) => !/musl/.test(n!))).toBe(true);
    }
    expect(readFileSync(log, 'utf8')).toContain('[exit 0]');
  }, timeout);
});

describe('the musl base image', () => {
  it('lists only musl library directories for the loader', async () => {
    await inContainer({ image: 'localhost/trunkfarm/base:pg17-musllinux-amd64', network: 'none' }, async (c) => {
      const path = await output(c, ['cat', '/etc/ld-musl-x86_64.path']);
      const dirs = path.trim().split(/[\n:]/);
      expect(dirs[0]).toBe('/usr/local/lib');
      for (const d of dirs) expect(['/usr/local/lib', '/lib/x86_64-linux-musl', '/usr/lib/x86_64-linux-musl']).toContain(d);
      // PostgreSQL's own programs are musl programs.
      const ldd = await output(c, ['/lib/ld-musl-x86_64.so.1', '--list', '/usr/local/bin/postgres']);
      expect(ldd).toContain('libc.so');
      expect(ldd).not.toMatch(/libc\.so\.6|x86_64-linux-gnu/);
    });
  });
});
