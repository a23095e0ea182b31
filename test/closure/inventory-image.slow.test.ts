// Capturing the inventory of a real image with podman: create + export + rm. The image is a
// Debian bookworm made here with mmdebstrap from the machine's own apt mirror, imported once and
// kept under a name of its own for later runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.ts';
import { captureImageInventory, inventoryFromDir, loadInventory } from '../../src/closure/inventory.ts';
import { runCli } from '../support/cli.ts';
import { requireComponents } from '../support/requirements.ts';
import { place, sharedLib } from './helpers/cc.ts';

const IMAGE = 'localhost/closure-test:bookworm';

function podman(args: string[]): string {
  return execFileSync('podman', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** The first `URIs:` of the machine's Debian sources: the mirror apt already uses. */
function mirror(): string {
  for (const f of readdirSync('/etc/apt/sources.list.d').filter((n) => n.endsWith('.sources'))) {
    const m = /^URIs:\s*(\S+)/m.exec(readFileSync(join('/etc/apt/sources.list.d', f), 'utf8'));
    if (m?.[1] !== undefined) return m[1];
  }
  throw new Error('no URIs: in /etc/apt/sources.list.d/*.sources');
}

function ensureImage(): void {
  if (spawnSync('podman', ['image', 'exists', IMAGE]).status === 0) return;
  const dir = mkdtempSync(join(tmpdir(), 'trunkfarm-mmdebstrap-'));
  try {
    const tar = join(dir, 'rootfs.tar');
    execFileSync('mmdebstrap', ['--variant=apt', 'bookworm', tar, `deb ${mirror()} bookworm main`], { stdio: 'ignore' });
    podman(['import', tar, IMAGE]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ours = () => podman(['ps', '-a', '--filter', `ancestor=${IMAGE}`, '--format', '{{.ID}}']);

describe('captureImageInventory with podman', () => {
  beforeAll(ensureImage, 600_000);

  it('captures a real image through create, export and rm, and leaves no container', async () => {
    const before = ours();
    const inv = await captureImageInventory('podman', IMAGE);
    expect(ours()).toBe(before);
    expect(inv.source).toBe(IMAGE);
    expect(inv.imageId).toBe(podman(['image', 'inspect', '--format', '{{.Id}}', IMAGE]));
    expect(inv).toMatchObject({ libc: 'glibc', machine: 'x86_64', class: 64 });

    // The image's own tools agree: its glibc version, and its loader cache as ldconfig prints it.
    const ldd = podman(['run', '--rm', IMAGE, 'ldd', '--version']).split('\n')[0] ?? '';
    expect(inv.glibcVersion).toBe(/(\d+\.\d+)\s*$/.exec(ldd)?.[1]);
    const cache = new Map<string, string>();
    for (const line of podman(['run', '--rm', IMAGE, 'ldconfig', '-p']).split('\n')) {
      const m = /^\s+(\S+) \((.*)\) => (.*)$/.exec(line);
      if (m !== null && (m[2] ?? '').includes('x86-64') && !cache.has(m[1] as string)) cache.set(m[1] as string, m[3] as string);
    }
    expect(new Map(Object.entries(inv.loader.cache ?? {}))).toEqual(cache);
    expect(inv.libraries.find((l) => l.soname === 'libc.so.6')?.versions).toContain(`GLIBC_${inv.glibcVersion}`);
    expect(inv.libraries.find((l) => l.soname === 'libapt-pkg.so.6.0')).toBeDefined();

    // The same image read as a directory (podman image mount) gives the same inventory.
    const dir = podman(['image', 'mount', IMAGE]);
    try {
      const fromDir = inventoryFromDir(dir);
      const strip = ({ capturedAt: _c, source: _s, imageId: _i, ...rest }: typeof inv) => rest;
      expect(strip(inv)).toEqual(strip(fromDir));
    } finally {
      podman(['image', 'unmount', IMAGE]);
    }
  });

  it('fails with the engine message for a missing image, leaving nothing behind', async () => {
    // This process's containers only: other test files run builds meanwhile.
    const mine = () => podman(['ps', '-a', '--filter', `label=org.trunkfarm.pid=${process.pid}`, '--format', '{{.ID}}']);
    const before = mine();
    await expect(captureImageInventory('podman', 'localhost/closure-test:no-such-tag')).rejects.toThrow(UserError);
    await expect(captureImageInventory('podman', 'localhost/closure-test:no-such-tag')).rejects.toThrow(/no-such-tag/);
    expect(mine()).toBe(before);
  });

  it('trunkfarm check --platform --image captures the base on demand into the cache, then reuses it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trunkfarm-cli-image-'));
    try {
      const root = join(dir, 'zext');
      place(sharedLib('zuse.so', '#include <zlib.h>\nconst char *fn(void){return zlibVersion();}', { inputs: ['/usr/lib/x86_64-linux-gnu/libz.so.1'] }), join(root, 'pgsql/pkglib'));
      const env = { TRUNKFARM_CACHE: join(dir, 'cache') };
      const first = await runCli(['check', root, '--platform', 'pg17-gnulinux-amd64', '--image', IMAGE, '--json'], env);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      // Cached by image id and libc, shared with `trunkfarm build`: a changed base is captured anew.
      const id = podman(['image', 'inspect', '--format', '{{.Id}}', IMAGE]).replace(/^sha256:/, '');
      const cached = join(dir, `cache/inventory/${id}-glibc.json`);
      expect(existsSync(cached)).toBe(true);
      expect(loadInventory(cached).source).toBe(IMAGE);
      const out = JSON.parse(first.stdout);
      expect(out.files[0].resolved['libz.so.1']).toBe('/lib/x86_64-linux-gnu/libz.so.1');
      const before = ours();
      const second = await runCli(['check', root, '--platform', 'pg17-gnulinux-amd64', '--image', IMAGE], env);
      expect(second.code).toBe(0);
      expect(ours()).toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('trunkfarm check --platform chooses the base image as build does (--images)', () => {
  const MUSL_BASE = 'localhost/trunkfarm/base:pg17-musllinux-amd64';
  let dir: string;
  let root: string;
  beforeAll(() => {
    requireComponents(['podman', 'musl-gcc'], [MUSL_BASE]);
    dir = mkdtempSync(join(tmpdir(), 'trunkfarm-cli-images-'));
    root = join(dir, 'mext');
    place(sharedLib('muse.so', '#include <stdio.h>\nint fn(void){return puts("x");}', { cc: 'musl-gcc' }), join(root, 'pgsql/pkglib'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the local image when present (auto, the default), and only it with --images local', async () => {
    const id = podman(['image', 'inspect', '--format', '{{.Id}}', MUSL_BASE]).replace(/^sha256:/, '');
    for (const choice of [[], ['--images', 'auto'], ['--images', 'local']]) {
      const env = { TRUNKFARM_CACHE: join(dir, `cache-${choice.join('') || 'default'}`) };
      const r = await runCli(['check', root, '--platform', 'pg17-musllinux-amd64', ...choice, '--json'], env);
      expect(r.stderr, choice.join(' ')).toBe('');
      expect(r.code).toBe(0);
      expect(loadInventory(join(env.TRUNKFARM_CACHE, `inventory/${id}-musl.json`)).source).toBe(MUSL_BASE);
      expect(JSON.parse(r.stdout).files[0].resolved['libc.so']).toBeDefined();
    }
  });

  it('with --images public asks for the public image, though the local one is here', async () => {
    const env = { TRUNKFARM_CACHE: join(dir, 'cache-public') };
    const r = await runCli(['check', root, '--platform', 'pg17-musllinux-amd64', '--images', 'public'], env);
    const publicRef = 'docker.io/library/postgres:17-alpine3.22';
    // Pulled where the registry answers; here, where it does not, the failed pull names it.
    if (r.code === 0) expect(readdirSync(join(env.TRUNKFARM_CACHE, 'inventory')).map((f) => loadInventory(join(env.TRUNKFARM_CACHE, 'inventory', f)).source)).toEqual([publicRef]);
    else expect(r.stderr).toContain(publicRef);
    expect(r.stderr).not.toContain(MUSL_BASE);
  });

  it('with --images local refuses a platform that has no local image, naming the command that builds one', async () => {
    const r = await runCli(['check', root, '--platform', 'pg14-gnulinux-amd64', '--images', 'local'], { TRUNKFARM_CACHE: join(dir, 'cache-none') });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no local image localhost/trunkfarm/base:pg14-gnulinux-amd64 for pg14-gnulinux-amd64: build it with scripts/local-images.sh');
  });
});
