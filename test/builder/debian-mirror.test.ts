import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { debianMirror, fromDeb822, fromOneLine, poolUrl } from '../../src/builder/debian-mirror.ts';

const DEB822 = `Types: deb
URIs: http://security.example.org/debian-security
Suites: bookworm-security
Components: main

# the main archive
Types: deb deb-src
URIs: http://mirror.example.org/debian/ http://other.example.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;

describe('the Debian mirror from apt configuration', () => {
  it('takes the first non-security deb URI of a deb822 file', () => {
    expect(fromDeb822(DEB822)).toBe('http://mirror.example.org/debian/');
    expect(fromDeb822('Types: deb-src\nURIs: http://src.example.org/debian\nSuites: sid\n')).toBeUndefined();
    expect(fromDeb822('Enabled: no\nTypes: deb\nURIs: http://off.example.org/debian\nSuites: sid\n')).toBeUndefined();
  });

  it('reads the one-line format, options included', () => {
    const list = [
      '# deb http://commented.example.org/debian bookworm main',
      'deb http://security.example.org/debian-security bookworm-security main',
      'deb [arch=amd64 signed-by=/k.gpg] http://mirror.example.org/debian bookworm main',
    ].join('\n');
    expect(fromOneLine(list)).toBe('http://mirror.example.org/debian');
  });

  it('prefers TRUNKFARM_DEBIAN_MIRROR, then *.sources, then sources.list', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tf-apt-'));
    mkdirSync(join(dir, 'sources.list.d'));
    writeFileSync(join(dir, 'sources.list'), 'deb http://list.example.org/debian bookworm main\n');
    const config = { sourcesDir: join(dir, 'sources.list.d'), sourcesList: join(dir, 'sources.list'), env: {} };
    expect(await debianMirror(config)).toBe('http://list.example.org/debian');
    writeFileSync(join(dir, 'sources.list.d', 'debian.sources'), DEB822);
    expect(await debianMirror(config)).toBe('http://mirror.example.org/debian');
    expect(await debianMirror({ ...config, env: { TRUNKFARM_DEBIAN_MIRROR: 'http://env.example.org/d/' } })).toBe(
      'http://env.example.org/d',
    );
    await expect(debianMirror({ sourcesDir: join(dir, 'none'), sourcesList: join(dir, 'none.list'), env: {} })).rejects.toThrow(
      /no Debian mirror found/,
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds this machine\'s mirror', async () => {
    expect(await debianMirror()).toMatch(/^https?:\/\/\S+[^/]$/);
  });
});

describe('pool paths', () => {
  it('uses the first letter, or four for lib* packages', () => {
    expect(poolUrl('http://m/debian/', 'pgvector', 'pgvector_0.8.0.orig.tar.gz')).toBe(
      'http://m/debian/pool/main/p/pgvector/pgvector_0.8.0.orig.tar.gz',
    );
    expect(poolUrl('http://m/debian', 'libxml2', 'libxml2_2.9.orig.tar.xz')).toBe(
      'http://m/debian/pool/main/libx/libxml2/libxml2_2.9.orig.tar.xz',
    );
    expect(poolUrl('http://m/debian', 'postgis', 'postgis_3.5.2+dfsg.orig.tar.xz')).toBe(
      'http://m/debian/pool/main/p/postgis/postgis_3.5.2%2Bdfsg.orig.tar.xz',
    );
  });

  it('refuses names that could leave the pool', () => {
    expect(() => poolUrl('http://m', '../etc', 'x.tar.gz')).toThrow(/invalid Debian source package name/);
    expect(() => poolUrl('http://m', 'pgvector', '../../x')).toThrow(/invalid Debian file name/);
  });
});
