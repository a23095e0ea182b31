// Bundling, proven with the real loader: a module needing libfoo (in /usr/local/lib of the build,
// reached through a leaked RUNPATH) which needs libbar; after bundling, dlopen() of the module
// works in a clean process with no LD_LIBRARY_PATH, from wherever the tree is moved.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.ts';
import { type Inventory, bundleTree, checkTree, inventoryFromDir, readElf, rootfsSource } from '../../src/closure/index.ts';
import { LOADER, compile, place, sharedLib } from './helpers/cc.ts';

const work = mkdtempSync(join(tmpdir(), 'trunkfarm-bundle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const glibc = inventoryFromDir('/');
const cleanEnv = { PATH: '/usr/bin:/bin' };
const loader = () => compile({ source: LOADER, name: 'loader', args: ['-ldl'] });
const dlopen = (module: string) => spawnSync(loader(), [module], { encoding: 'utf8', env: cleanEnv }).stdout.trim();

function trunk(name: string, module: string): string {
  const root = join(work, name, name);
  place(module, join(root, 'pgsql/pkglib'), `${name}.so`);
  mkdirSync(join(root, 'pgsql/share/extension'), { recursive: true });
  writeFileSync(join(root, 'pgsql/share/extension', `${name}.control`), `module_pathname = '$libdir/${name}'\n`);
  return root;
}

/** A build environment: libfoo in /usr/local/lib with its link chain and a leaked RUNPATH, libbar
 * from a dpkg package with a version and a license. */
function buildRoot(): { root: string; module: string } {
  const root = join(work, 'build');
  const bar = sharedLib('libbar.so.1', 'int bar(void){return 7;}');
  const foo = sharedLib('libfoo.so.1.2.3', 'int bar(void); int foo(void){return 6 * bar();}', { soname: 'libfoo.so.1', inputs: [bar], args: ['-Wl,-rpath,/usr/local/lib'] });
  place(bar, join(root, 'usr/lib/x86_64-linux-gnu'));
  place(foo, join(root, 'usr/local/lib'));
  symlinkSync('libfoo.so.1.2.3', join(root, 'usr/local/lib/libfoo.so.1'));
  mkdirSync(join(root, 'var/lib/dpkg/info'), { recursive: true });
  writeFileSync(join(root, 'var/lib/dpkg/status'), 'Package: libbar1\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.0-1\n\nPackage: other\nStatus: install ok installed\nVersion: 1\n');
  writeFileSync(join(root, 'var/lib/dpkg/info/libbar1:amd64.list'), '/.\n/usr/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu/libbar.so.1\n');
  mkdirSync(join(root, 'usr/share/doc/libbar1'), { recursive: true });
  writeFileSync(join(root, 'usr/share/doc/libbar1/copyright'), 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: MIT\n\nFiles: compat/*\nLicense: BSD-3-clause\n');
  const module = sharedLib('mod.so', 'int foo(void); int fn(void){return foo();}', { inputs: [foo], args: ['-Wl,-rpath,/usr/local/lib', `-Wl,-rpath-link,${join(root, 'usr/lib/x86_64-linux-gnu')}`] });
  return { root, module };
}

const sha256 = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

describe('bundleTree', () => {
  const build = buildRoot();

  it('bundles the missing chain, sets $ORIGIN run paths, and the real loader then loads the module', async () => {
    const root = trunk('chain', build.module);
    const before = checkTree(root, { inventory: glibc });
    expect(before.files[0]?.problems.map((p) => p.kind)).toEqual(['absolute-runpath', 'not-found']);
    expect(dlopen(join(root, 'pgsql/pkglib/chain.so'))).toMatch(/^ERROR libfoo\.so\.1: cannot open shared object file/);

    const r = await bundleTree(root, { inventory: glibc, source: rootfsSource(build.root) });
    expect(r.ok).toBe(true);
    expect(r.files.map((f) => [f.path, f.verdict, f.runpath, f.problems])).toEqual([
      ['pgsql/pkglib/chain.so', 'ok', ['$ORIGIN'], []],
      ['pgsql/pkglib/libbar.so.1', 'ok', [], []],
      ['pgsql/pkglib/libfoo.so.1.2.3', 'ok', ['$ORIGIN'], []],
    ]);
    expect(readlinkSync(join(root, 'pgsql/pkglib/libfoo.so.1'))).toBe('libfoo.so.1.2.3');
    expect(r.bundled).toEqual([
      {
        soname: 'libfoo.so.1',
        file: 'pgsql/pkglib/libfoo.so.1.2.3',
        links: ['pgsql/pkglib/libfoo.so.1'],
        size: readFileSync(join(root, 'pgsql/pkglib/libfoo.so.1.2.3')).length,
        sha256: sha256(join(root, 'pgsql/pkglib/libfoo.so.1.2.3')),
        source: '/usr/local/lib/libfoo.so.1',
        neededBy: ['pgsql/pkglib/chain.so'],
      },
      {
        soname: 'libbar.so.1',
        file: 'pgsql/pkglib/libbar.so.1',
        links: [],
        size: readFileSync(join(root, 'pgsql/pkglib/libbar.so.1')).length,
        sha256: sha256(join(root, 'pgsql/pkglib/libbar.so.1')),
        source: '/usr/lib/x86_64-linux-gnu/libbar.so.1',
        package: 'libbar1',
        version: '2.0-1',
        license: 'MIT AND BSD-3-clause',
        licenseFile: 'licenses/libbar1/copyright',
        neededBy: ['pgsql/pkglib/libfoo.so.1.2.3'],
      },
    ]);
    // The package's licence text travels with it; libfoo, from /usr/local, has no package.
    expect(readFileSync(join(root, 'licenses/libbar1/copyright'), 'utf8')).toBe(readFileSync(join(build.root, 'usr/share/doc/libbar1/copyright'), 'utf8'));

    // The real loader, in a clean process: 6 * 7.
    expect(dlopen(join(root, 'pgsql/pkglib/chain.so'))).toBe('OK 42');
    // ... and the resolver names the files ldd names, with the tree where it lies now.
    const here = [{ name: 'here', mounts: [{ runtime: join(root, 'pgsql/pkglib'), local: join(root, 'pgsql/pkglib') }], moduleDirs: [] }];
    const at = checkTree(root, { inventory: glibc, layouts: here });
    for (const f of at.files) {
      const ldd = execFileSync('ldd', [join(root, f.path)], { env: cleanEnv }).toString();
      for (const [name, path] of Object.entries(f.resolved)) expect(ldd, `${f.path}: ${name}`).toContain(`${name} => ${path} (`);
    }

    // Relocatable: the same tree, moved elsewhere, still loads.
    const moved = join(work, 'moved-somewhere-else');
    renameSync(join(work, 'chain'), moved);
    expect(dlopen(join(moved, 'chain/pgsql/pkglib/chain.so'))).toBe('OK 42');
  });

  it('gives every bundled library its own run path: without it the chain breaks', async () => {
    const root = trunk('own', build.module);
    await bundleTree(root, { inventory: glibc, source: rootfsSource(build.root) });
    execFileSync('patchelf', ['--remove-rpath', join(root, 'pgsql/pkglib/libfoo.so.1.2.3')]);
    const r = checkTree(root, { inventory: glibc });
    expect(r.files.find((f) => f.path === 'pgsql/pkglib/libfoo.so.1.2.3')?.problems).toEqual([{ kind: 'not-found', severity: 'error', needed: 'libbar.so.1', message: 'libbar.so.1 is in neither the package nor the base image' }]);
    expect(dlopen(join(root, 'pgsql/pkglib/own.so'))).toMatch(/^ERROR libbar\.so\.1: cannot open shared object file/);
  });

  it('copies the data a bundled PROJ needs to sys/share/proj, and says so when it cannot', async () => {
    const proj = sharedLib('libproj.so.25.9.1.1', 'int proj_context_create(void){return 1;}', { soname: 'libproj.so.25' });
    const withData = join(work, 'build-proj');
    place(proj, join(withData, 'usr/lib/x86_64-linux-gnu'));
    symlinkSync('libproj.so.25.9.1.1', join(withData, 'usr/lib/x86_64-linux-gnu/libproj.so.25'));
    mkdirSync(join(withData, 'usr/share/proj'), { recursive: true });
    writeFileSync(join(withData, 'usr/share/proj/proj.db'), 'SQLite format 3\0');
    const module = sharedLib('usesproj.so', 'int proj_context_create(void); int fn(void){return proj_context_create();}', { inputs: [proj] });

    const root = trunk('geo', module);
    const r = await bundleTree(root, { inventory: glibc, source: rootfsSource(withData) });
    expect(r.ok).toBe(true);
    expect(r.data).toEqual([{ library: 'libproj.so.25', name: 'proj', target: 'sys/share/proj', present: true, from: join(withData, 'usr/share/proj'), why: expect.stringContaining('proj.db') }]);
    expect(readFileSync(join(root, 'sys/share/proj/proj.db'), 'utf8')).toBe('SQLite format 3\0');

    rmSync(join(withData, 'usr/share/proj'), { recursive: true });
    const bare = trunk('geo2', module);
    const r2 = await bundleTree(bare, { inventory: glibc, source: rootfsSource(withData) });
    expect(r2.data).toEqual([{ library: 'libproj.so.25', name: 'proj', target: 'sys/share/proj', present: false, why: expect.any(String) }]);
    expect(r2.files.find((f) => f.path === 'pgsql/pkglib/libproj.so.25.9.1.1')?.problems).toEqual([expect.objectContaining({ kind: 'data', severity: 'warning' })]);
    expect(r2.ok).toBe(true);
    expect(existsSync(join(bare, 'sys/share/proj'))).toBe(false);
  });

  it("bundles a real library from this machine, with its package, version and license", async () => {
    // A base without zlib: the module's libz.so.1 must travel with it.
    const noZlib: Inventory = {
      ...glibc,
      libraries: glibc.libraries.filter((l) => l.soname !== 'libz.so.1'),
      loader: { ...glibc.loader, cache: Object.fromEntries(Object.entries(glibc.loader.cache ?? {}).filter(([k]) => k !== 'libz.so.1')) },
    };
    const module = sharedLib('zmod.so', '#include <zlib.h>\nint fn(void){return zlibVersion()[0] == 0x31 ? 1 : 0;}', { inputs: ['/usr/lib/x86_64-linux-gnu/libz.so.1'] });
    const root = trunk('zext', module);
    const before = checkTree(root, { inventory: noZlib });
    expect(before.ok).toBe(false);
    const r = await bundleTree(root, { inventory: noZlib, source: rootfsSource('/') });
    expect(r.ok).toBe(true);
    const z = r.bundled.find((b) => b.soname === 'libz.so.1');
    const version = execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'zlib1g']).toString();
    expect(z).toMatchObject({ package: 'zlib1g', version, links: ['pgsql/pkglib/libz.so.1'] });
    expect(z?.license).toContain('Zlib');
    expect(readElf(join(root, 'pgsql/pkglib/zext.so')).runpath).toEqual(['$ORIGIN']);
    expect(dlopen(join(root, 'pgsql/pkglib/zext.so'))).toBe('OK 1');
  });

  it('bundles for musl too, and the real musl loader loads the result', async () => {
    const musl = inventoryFromDir('/', { libc: 'musl' });
    const root = join(work, 'build-musl');
    const bar = sharedLib('libbar.so.1', 'int bar(void){return 7;}', { cc: 'musl-gcc' });
    const foo = sharedLib('libfoo.so.1', 'int bar(void); int foo(void){return 6 * bar();}', { cc: 'musl-gcc', inputs: [bar] });
    place(bar, join(root, 'usr/lib'));
    place(foo, join(root, 'usr/local/lib'));
    const module = sharedLib('mmod.so', 'int foo(void); int fn(void){return foo();}', { cc: 'musl-gcc', inputs: [foo], args: [`-Wl,-rpath-link,${join(root, 'usr/lib')}`] });
    const tree = trunk('muslchain', module);
    const r = await bundleTree(tree, { inventory: musl, source: rootfsSource(root, { libc: 'musl' }) });
    expect(r.ok).toBe(true);
    expect(r.bundled.map((b) => b.soname)).toEqual(['libfoo.so.1', 'libbar.so.1']);
    const muslLoader = compile({ cc: 'musl-gcc', source: LOADER, name: 'loader-musl' });
    expect(spawnSync(muslLoader, [join(tree, 'pgsql/pkglib/muslchain.so')], { encoding: 'utf8', env: cleanEnv }).stdout.trim()).toBe('OK 42');
  });

  it('leaves the tree as it was when bundling fails', async () => {
    const root = trunk('unchanged', build.module);
    const before = readdirSync(join(root, 'pgsql/pkglib'));
    const failing = { fetch: async () => Promise.reject(new UserError('the builder is gone')) };
    await expect(bundleTree(root, { inventory: glibc, source: failing })).rejects.toThrow('the builder is gone');
    expect(readdirSync(join(root, 'pgsql/pkglib'))).toEqual(before);
    expect(readElf(join(root, 'pgsql/pkglib/unchanged.so')).runpath).toEqual(['/usr/local/lib']);
    expect(readdirSync(join(root, '..'))).toEqual(['unchanged']);
  });

  describe('never writes through a symlink the tree holds', () => {
    /** A tree whose module lies in pgsql/lib (so that pkglib may be anything), and an outside
     * directory that must stay empty. */
    const hostile = (name: string) => {
      const root = join(work, name, name);
      place(build.module, join(root, 'pgsql/lib'), `${name}.so`);
      const outside = join(work, `${name}-outside`);
      mkdirSync(outside);
      return { root, outside };
    };
    const refused = async (root: string, message: string) => {
      const err = await bundleTree(root, { inventory: glibc, source: rootfsSource(build.root) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toBe(message);
    };

    it('pgsql/pkglib -> /elsewhere', async () => {
      const { root, outside } = hostile('linkedlib');
      symlinkSync(outside, join(root, 'pgsql/pkglib'));
      await refused(root, `${root}/pgsql/pkglib: a symlink to ${outside}, outside ${root}; refusing to write through it`);
      expect(readdirSync(outside)).toEqual([]);
    });

    it('a dangling link at a bundled library\'s name', async () => {
      const { root, outside } = hostile('danglinglib');
      mkdirSync(join(root, 'pgsql/pkglib'));
      symlinkSync(join(outside, 'planted.so'), join(root, 'pgsql/pkglib/libfoo.so.1.2.3'));
      await refused(root, `${root}/pgsql/pkglib/libfoo.so.1.2.3: a dangling symlink (to ${outside}/planted.so); refusing to write through it`);
      expect(readdirSync(outside)).toEqual([]);
    });

    it('licenses -> /elsewhere', async () => {
      const { root, outside } = hostile('linkedlicenses');
      symlinkSync(outside, join(root, 'licenses'));
      await refused(root, `${root}/licenses: a symlink to ${outside}, outside ${root}; refusing to write through it`);
      expect(readdirSync(outside)).toEqual([]);
    });
  });

  it('points an executable in pgsql/bin at the bundled libraries from its own directory', async () => {
    const pg = glibc.postgres[0];
    if (pg === undefined) return;
    const foo = join(build.root, 'usr/local/lib/libfoo.so.1');
    const tool = compile({ source: 'int foo(void); int main(void){return foo() == 42 ? 0 : 1;}', name: 'tool', inputs: [foo], args: [`-Wl,-rpath-link,${join(build.root, 'usr/lib/x86_64-linux-gnu')}`] });
    const root = trunk('withtool', build.module);
    place(tool, join(root, 'pgsql/bin'));
    const r = await bundleTree(root, { inventory: glibc, source: rootfsSource(build.root) });
    expect(r.ok).toBe(true);
    // pkglib is bin/../lib both installed (${pg.pkglibdir}) and mounted (/extensions/NAME/lib).
    expect(r.files.find((f) => f.path === 'pgsql/bin/tool')).toMatchObject({ runpath: ['$ORIGIN/../lib'], resolved: { 'libfoo.so.1': `${pg.bin.replace(/bin\/postgres$/, '')}bin/../lib/libfoo.so.1` } });
    const volume = checkTree(root, { inventory: glibc, only: ['volume'] });
    expect(volume.files.find((f) => f.path === 'pgsql/bin/tool')?.resolved['libfoo.so.1']).toBe('/extensions/withtool/bin/../lib/libfoo.so.1');
  });
});
