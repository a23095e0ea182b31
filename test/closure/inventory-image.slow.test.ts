// Capturing the inventory of a real image with podman: create + export + rm. The image is a
// Debian bookworm made here with mmdebstrap from the machine's own apt mirror, imported once and
// kept under a name of its own for later runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.ts';
import { captureImageInventory, inventoryFromDir, loadInventory } from '../../src/closure/inventory.ts';
import { runCli } from '../support/cli.ts';
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
