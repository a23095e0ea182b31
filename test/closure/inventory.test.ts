import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.ts';
import { type Inventory, indexInventory, inventoryFromDir, inventoryFromTar, loadInventory, saveInventory } from '../../src/closure/inventory.ts';
import { glibcRoot, muslRoot } from './helpers/rootfs.ts';

const work = mkdtempSync(join(tmpdir(), 'trunkfarm-inventory-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The same inventory, whenever and from wherever it was captured. */
function comparable(inv: Inventory): Omit<Inventory, 'capturedAt' | 'source'> {
  const { capturedAt: _c, source: _s, ...rest } = inv;
  return rest;
}

const hostGlibc = /(\d+\.\d+)\s*$/m.exec(execFileSync('ldd', ['--version']).toString().split('\n')[0] ?? '')?.[1];

/** `ldconfig -p` for x86-64, name -> path, first entry of each name (the loader's pick). */
function ldconfigP(args: string[] = []): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of execFileSync('ldconfig', ['-p', ...args]).toString().split('\n')) {
    const m = /^\s+(\S+) \((.*)\) => (.*)$/.exec(line);
    if (m !== null && (m[2] ?? '').includes('x86-64') && !(m[2] ?? '').includes('hwcap') && !out.has(m[1] as string)) out.set(m[1] as string, m[3] as string);
  }
  return out;
}

describe("this machine's inventory", () => {
  const inv = inventoryFromDir('/');
  const index = indexInventory(inv);

  it('describes the libc and the loader', () => {
    expect(inv).toMatchObject({ libc: 'glibc', machine: 'x86_64', class: 64, endian: 'le', glibcVersion: hostGlibc, libcVersion: hostGlibc });
    expect(inv.interpreters).toContain('/lib64/ld-linux-x86-64.so.2');
    expect(inv.loader.defaultDirs).toEqual(['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib', '/usr/lib']);
    expect(inv.links['/lib']).toBe('/usr/lib');
  });

  it('reads /etc/ld.so.cache as ldconfig -p does, and lists every library it names', () => {
    const ref = ldconfigP();
    expect(new Map(Object.entries(inv.loader.cache ?? {}))).toEqual(ref);
    for (const [name, path] of ref) {
      const lib = index.lookup(path);
      expect(typeof lib === 'object' ? (lib.soname ?? name) : lib, path).toBe(typeof lib === 'object' && lib.soname !== undefined ? lib.soname : name);
    }
  });

  it('finds the installed PostgreSQL', () => {
    const majors = readdirSync('/usr/lib/postgresql', { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => Number(d.name));
    expect(inv.postgres.map((p) => p.major).sort()).toEqual(majors.sort());
    for (const pg of inv.postgres) {
      expect(pg.pkglibdir).toBe(`/usr/lib/postgresql/${pg.major}/lib`);
      expect(pg.libdir).toBe('/usr/lib/x86_64-linux-gnu');
      expect(inv.dirs).toContain(pg.pkglibdir);
    }
  });
});

describe('inventories of small root filesystems', () => {
  const g = glibcRoot(join(work, 'glibc'), { pg: 16 });

  it('captures a merged-/usr glibc root with an ld.so.conf and its cache', () => {
    const inv = inventoryFromDir(g.root);
    expect(inv).toMatchObject({ libc: 'glibc', machine: 'x86_64', glibcVersion: hostGlibc });
    expect(inv.loader.confDirs).toEqual(['/usr/local/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/opt/conf/lib']);
    expect(inv.loader.cache).toEqual(Object.fromEntries(ldconfigP(['-C', join(g.root, 'etc/ld.so.cache')])));
    expect(inv.loader.cache?.['libconf.so.3']).toBe(g.confLib);
    expect(inv.links).toMatchObject({ '/lib': '/usr/lib', '/lib64': '/usr/lib64' });
    expect(inv.interpreters).toEqual(['/lib64/ld-linux-x86-64.so.2', '/usr/lib64/ld-linux-x86-64.so.2']);
    const index = indexInventory(inv);
    expect(index.lookup('/lib/x86_64-linux-gnu/libz.so.1')).toMatchObject({ soname: 'libz.so.1' });
    expect(index.lookup('/lib/x86_64-linux-gnu/libnope.so.1')).toBe('missing');
    expect(index.lookup('/srv/libz.so.1')).toBe('unknown');
    expect(inv.postgres).toEqual([
      { bin: '/usr/lib/postgresql/16/bin/postgres', major: 16, pkglibdir: '/usr/lib/postgresql/16/lib', libdir: '/lib/x86_64-linux-gnu', needed: ['libc.so.6'], rpath: ['/usr/lib/postgresql/lib-rpath'], runpath: [] },
    ]);
  });

  it('gives the same inventory from a tar stream as from the directory', async () => {
    const fromDir = inventoryFromDir(g.root);
    // `podman export` writes names without a leading ./; GNU tar of `.` writes them with one.
    const plain = join(work, 'plain.tar');
    execFileSync('tar', ['-C', g.root, '-cf', plain, ...readdirSync(g.root)]);
    const dotted = join(work, 'dotted.tar');
    execFileSync('tar', ['-C', g.root, '-cf', dotted, '.']);
    for (const file of [plain, dotted]) {
      const fromTar = await inventoryFromTar(createReadStream(file), { source: 'x' });
      expect(comparable(fromTar)).toEqual(comparable(fromDir));
    }
  });

  it('captures a musl root: its path file, its libc, apk version', async () => {
    const root = muslRoot(join(work, 'musl'));
    const inv = inventoryFromDir(root);
    expect(inv).toMatchObject({ libc: 'musl', machine: 'x86_64', libcVersion: '1.2.5-r9', interpreters: ['/lib/ld-musl-x86_64.so.1'] });
    expect(inv.glibcVersion).toBeUndefined();
    expect(inv.loader).toMatchObject({ defaultDirs: ['/lib', '/usr/local/lib', '/usr/lib', '/opt/m/lib'], pathFile: '/etc/ld-musl-x86_64.path' });
    expect(indexInventory(inv).lookup('/opt/m/lib/libm1.so.1')).toMatchObject({ soname: 'libm1.so.1' });
    const tar = join(work, 'musl.tar');
    execFileSync('tar', ['-C', root, '-cf', tar, '.']);
    expect(comparable(await inventoryFromTar(createReadStream(tar)))).toEqual(comparable(inv));
  });

  it('says so when a root has no dynamic loader', () => {
    expect(() => inventoryFromDir(join(work, 'glibc', 'opt'))).toThrow(UserError);
    expect(() => inventoryFromDir(join(work, 'glibc', 'opt'))).toThrow(/no glibc or musl dynamic loader found/);
  });
});

describe('saved inventories', () => {
  const inv = inventoryFromDir(glibcRoot(join(work, 'saved')).root);

  it('round-trip through JSON', () => {
    const file = join(work, 'out', 'inv.json');
    saveInventory(inv, file);
    expect(loadInventory(file)).toEqual(inv);
    expect(readdirSync(join(work, 'out'))).toEqual(['inv.json']);
  });

  it('are refused, with the reason, when they are not ours, newer, or damaged', () => {
    const write = (name: string, data: string) => {
      const f = join(work, name);
      writeFileSync(f, data);
      return f;
    };
    expect(() => loadInventory(write('a.json', '{not json'))).toThrow(/a\.json: cannot read inventory/);
    expect(() => loadInventory(write('b.json', JSON.stringify({ format: 'other' })))).toThrow(/b\.json: not a trunkfarm inventory/);
    expect(() => loadInventory(write('c.json', JSON.stringify({ ...inv, version: 2 })))).toThrow(/c\.json: inventory version 2 is not the one this trunkfarm reads \(1\)/);
    const { libraries: _l, ...noLibs } = inv;
    expect(() => loadInventory(write('d.json', JSON.stringify(noLibs)))).toThrow(/d\.json: invalid inventory at libraries/);
    expect(() => loadInventory(join(work, 'missing.json'))).toThrow(UserError);
  });
});
