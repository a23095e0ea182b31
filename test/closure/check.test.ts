// checkTree on staged trunk trees made of real compiled files, against this machine's own
// inventory (glibc, and musl as installed beside it).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CheckResult, type FileResult, type Inventory, checkTree, inventoryFromDir } from '../../src/closure/index.ts';
import { LOADER, compile, place, sharedLib } from './helpers/cc.ts';

const work = mkdtempSync(join(tmpdir(), 'trunkfarm-check-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const glibc = inventoryFromDir('/');
const musl = inventoryFromDir('/', { libc: 'musl' });

let n = 0;
/** A trunk tree named `name` with the given files (tree path -> compiled file) and a control file. */
function tree(name: string, files: Record<string, string>): string {
  const root = join(work, `${n++}`, name);
  mkdirSync(join(root, 'pgsql/share/extension'), { recursive: true });
  writeFileSync(join(root, 'pgsql/share/extension', `${name}.control`), "module_pathname = '$libdir/x'\n");
  writeFileSync(join(root, 'pgsql/share/extension', `${name}--1.0.sql`), 'SELECT 1;\n');
  for (const [path, file] of Object.entries(files)) place(file, join(root, path, '..'), path.slice(path.lastIndexOf('/') + 1));
  return root;
}

const file = (r: CheckResult, path: string) => r.files.find((f) => f.path === path) as FileResult;
const kinds = (f: FileResult) => f.problems.map((p) => p.kind).sort();

const MODULE = 'int fn(void){return 1;}';

describe('checkTree', () => {
  it('passes a module whose needs the base provides, in both layouts, and skips files that are not ELF', () => {
    const mod = sharedLib('ok.so', '#include <zlib.h>\nconst char *fn(void){return zlibVersion();}', { inputs: ['/usr/lib/x86_64-linux-gnu/libz.so.1'] });
    const root = tree('okext', { 'pgsql/pkglib/okext.so': mod });
    const r = checkTree(root, { inventory: glibc });
    expect(r.ok).toBe(true);
    expect(r.files.map((f) => f.path)).toEqual(['pgsql/pkglib/okext.so']);
    expect(r.layouts.map((l) => [l.name, l.mounts.find((m) => m.dir === 'pgsql/pkglib')?.runtime])).toEqual([
      ['install', glibc.postgres[0]?.pkglibdir ?? '/usr/lib/postgresql/lib'],
      ['volume', '/extensions/okext/lib'],
    ]);
    const f = file(r, 'pgsql/pkglib/okext.so');
    expect(f.verdict).toBe('ok');
    expect(f.problems).toEqual([]);
    // Where the real loader finds it on this machine.
    const real = /libz\.so\.1 => (\S+)/.exec(execFileSync('ldd', [mod]).toString())?.[1];
    expect(real).toBeDefined();
    expect(f.resolved['libz.so.1']).toBe(real);
  });

  it('flags a dependency found nowhere, and says where the build had it', () => {
    const build = join(work, 'build-missing');
    const dep = sharedLib('libgone.so.4', 'int gone(void){return 4;}');
    place(dep, join(build, 'usr/lib/x86_64-linux-gnu'));
    const mod = sharedLib('missing.so', 'int gone(void); int fn(void){return gone();}', { inputs: [dep] });
    const root = tree('missing', { 'pgsql/pkglib/missing.so': mod });
    const plain = file(checkTree(root, { inventory: glibc }), 'pgsql/pkglib/missing.so');
    expect(plain.verdict).toBe('fail');
    expect(plain.problems).toEqual([{ kind: 'not-found', severity: 'error', needed: 'libgone.so.4', message: 'libgone.so.4 is in neither the package nor the base image' }]);
    expect(plain.resolved).toEqual({ 'libgone.so.4': null });
    const explained = file(checkTree(root, { inventory: glibc, build }), 'pgsql/pkglib/missing.so');
    expect(explained.problems[0]?.message).toBe('libgone.so.4 is in neither the package nor the base image; the build environment has it at /usr/lib/x86_64-linux-gnu/libgone.so.4: bundle it (--bundle)');
    // The real loader agrees: dlopen of the module fails on it.
    const loader = compile({ source: LOADER, name: 'loader', args: ['-ldl'] });
    const run = spawnSync(loader, [join(root, 'pgsql/pkglib/missing.so')], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    expect(run.stdout).toContain('libgone.so.4: cannot open shared object file');
  });

  it('flags a dependency reached only through an absolute RUNPATH leaked from the build', () => {
    const leak = join(work, 'build-tree', 'lib');
    const dep = sharedLib('libleak.so.1', 'int leak(void){return 1;}');
    place(dep, leak);
    const mod = sharedLib('leaky.so', 'int leak(void); int fn(void){return leak();}', { inputs: [dep], args: [`-Wl,-rpath,${leak}`] });
    const root = tree('leaky', { 'pgsql/pkglib/leaky.so': mod });
    const f = file(checkTree(root, { inventory: glibc, build: '/' }), 'pgsql/pkglib/leaky.so');
    expect(kinds(f)).toEqual(['absolute-runpath', 'outside']);
    const outside = f.problems.find((p) => p.kind === 'outside');
    expect(outside).toMatchObject({ severity: 'error', needed: 'libleak.so.1', path: `${leak}/libleak.so.1` });
    expect(outside?.message).toContain(`through RUNPATH entry ${leak}, which lies outside the package and the base image`);
    expect(f.problems.find((p) => p.kind === 'absolute-runpath')).toMatchObject({ severity: 'warning' });
    // Here, where the build tree exists, the real loader does find it: only the package and the
    // base image will exist at run time.
    expect(execFileSync('ldd', [join(root, 'pgsql/pkglib/leaky.so')]).toString()).toContain(`${leak}/libleak.so.1`);
  });

  it('warns of a run path through $PLATFORM, which each CPU expands its own way', () => {
    const mod = sharedLib('plat.so', MODULE, { args: ['-Wl,--enable-new-dtags,-rpath,$ORIGIN/${PLATFORM}'] });
    const f = file(checkTree(tree('plat', { 'pgsql/pkglib/plat.so': mod }), { inventory: glibc }), 'pgsql/pkglib/plat.so');
    expect(f.verdict).toBe('ok');
    expect(f.problems).toEqual([expect.objectContaining({ kind: 'platform-runpath', severity: 'warning', message: expect.stringContaining('$PLATFORM') })]);
  });

  it('flags GLIBC versions newer than the base provides', () => {
    // pthread_create moved into libc in 2.34: a module using it needs GLIBC_2.34.
    const mod = sharedLib('threads.so', '#include <pthread.h>\nstatic void *r(void *p){return p;}\nint fn(void){pthread_t t; return pthread_create(&t, 0, r, 0);}', { args: ['-pthread'] });
    const root = tree('threads', { 'pgsql/pkglib/threads.so': mod });
    const fits = checkTree(root, { inventory: glibc });
    expect(fits.ok).toBe(true);
    // The oldest glibc it runs on, which the package states.
    expect(fits.glibcRequired).toBe('2.34');
    const old = olderGlibc(glibc, '2.17');
    const f = file(checkTree(root, { inventory: old }), 'pgsql/pkglib/threads.so');
    expect(f.verdict).toBe('fail');
    expect(f.problems).toContainEqual(expect.objectContaining({ kind: 'glibc-version', needed: 'libc.so.6', version: 'GLIBC_2.34', message: "needs GLIBC_2.34 from libc.so.6; the base image's glibc provides up to GLIBC_2.17" }));
  });

  it('flags a module for another machine', () => {
    const root = tree('arm', { 'pgsql/pkglib/arm.so': sharedLib('arm.so', MODULE, { cc: 'aarch64-linux-gnu-gcc' }) });
    const f = file(checkTree(root, { inventory: glibc }), 'pgsql/pkglib/arm.so');
    expect(f.problems).toEqual([{ kind: 'machine', severity: 'error', message: 'built for aarch64 (ELF64); the platform is x86_64 (ELF64)' }]);
    const r = checkTree(root, { inventory: glibc, platform: { libc: 'glibc', arch: 'arm64' } });
    expect(file(r, 'pgsql/pkglib/arm.so').problems.map((p) => p.kind)).not.toContain('machine');
  });

  it('flags a musl binary on a glibc platform', () => {
    const mod = sharedLib('m.so', MODULE, { cc: 'musl-gcc' });
    const exe = compile({ cc: 'musl-gcc', source: 'int main(void){return 0;}', name: 'tool' });
    const root = tree('muslext', { 'pgsql/pkglib/muslext.so': mod, 'pgsql/bin/tool': exe });
    const r = checkTree(root, { inventory: glibc });
    const m = file(r, 'pgsql/pkglib/muslext.so');
    expect(m.problems).toContainEqual({ kind: 'libc', severity: 'error', message: "linked against musl (it needs libc.so); the platform's libc is glibc" });
    const t = file(r, 'pgsql/bin/tool');
    expect(t.problems).toContainEqual({ kind: 'libc', severity: 'error', message: "linked against musl (its interpreter is /lib/ld-musl-x86_64.so.1); the platform's libc is glibc" });
    expect(r.ok).toBe(false);
  });

  it('flags a glibc binary on a musl platform, and passes a musl one', () => {
    const root = tree('onmusl', { 'pgsql/pkglib/g.so': sharedLib('g.so', '#include <stdio.h>\nint fn(void){return puts("x");}'), 'pgsql/pkglib/m.so': sharedLib('m.so', MODULE, { cc: 'musl-gcc' }) });
    const r = checkTree(root, { inventory: musl });
    expect(kinds(file(r, 'pgsql/pkglib/g.so'))).toEqual(['libc']);
    expect(file(r, 'pgsql/pkglib/m.so')).toMatchObject({ verdict: 'ok', problems: [], resolved: { 'libc.so': '/lib/ld-musl-x86_64.so.1' } });
  });

  it('flags GNU ifuncs in a module for musl: IRELATIVE relocations and ifunc symbols', () => {
    const ifunc = `static int impl(void){return 42;}
static int (*pick(void))(void){return impl;}
__attribute__((visibility("hidden"))) int local_f(void) __attribute__((ifunc("pick")));
int fn(void) __attribute__((ifunc("pick")));
int g(void){return local_f();}`;
    const mod = sharedLib('ifunc.so', ifunc, { cc: 'musl-gcc' });
    const root = tree('ifunc', { 'pgsql/pkglib/ifunc.so': mod });
    const f = file(checkTree(root, { inventory: musl }), 'pgsql/pkglib/ifunc.so');
    expect(kinds(f)).toEqual(['ifunc', 'irelative']);
    expect(f.problems.find((p) => p.kind === 'irelative')?.message).toMatch(/has 1 IRELATIVE relocation\(s\) \(GNU ifunc\): musl cannot process them/);
    expect(f.problems.find((p) => p.kind === 'ifunc')?.message).toContain('(fn)');
    // The real musl loader refuses it the same way.
    const loader = compile({ cc: 'musl-gcc', source: LOADER, name: 'loader-musl' });
    const run = spawnSync(loader, [join(root, 'pgsql/pkglib/ifunc.so')], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    expect(run.stdout).toMatch(/unsupported relocation type 37|symbol not found/);
    // On glibc the same file is fine.
    expect(file(checkTree(root, { inventory: glibc }), 'pgsql/pkglib/ifunc.so').problems.map((p) => p.kind)).not.toContain('irelative');
  });

  it('flags text relocations', () => {
    const mod = sharedLib('textrel.so', 'extern int g; __asm__(".text\\n.quad g\\n"); int g = 1; int fn(void){return g;}', { args: ['-Wl,-z,notext'] });
    const f = file(checkTree(tree('textrel', { 'pgsql/pkglib/textrel.so': mod }), { inventory: glibc }), 'pgsql/pkglib/textrel.so');
    expect(kinds(f)).toEqual(['textrel']);
  });

  it('reports a malformed ELF file as a failure of that file', () => {
    const root = tree('broken', { 'pgsql/pkglib/ok.so': sharedLib('ok2.so', MODULE) });
    writeFileSync(join(root, 'pgsql/pkglib/broken.so'), Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(20)]));
    const r = checkTree(root, { inventory: glibc });
    expect(file(r, 'pgsql/pkglib/broken.so').problems).toEqual([{ kind: 'malformed', severity: 'error', message: `${join(root, 'pgsql/pkglib/broken.so')}: truncated ELF header (27 of 64 bytes)` }]);
    expect(file(r, 'pgsql/pkglib/ok.so').verdict).toBe('ok');
  });

  it("counts libraries the base's PostgreSQL provides (libpq) as provided", () => {
    const libpq = glibc.libraries.find((l) => l.soname === 'libpq.so.5');
    if (libpq === undefined) return;
    const mod = sharedLib('usespq.so', 'int PQlibVersion(void); int fn(void){return PQlibVersion();}', { inputs: [libpq.path] });
    const f = file(checkTree(tree('pq', { 'pgsql/pkglib/pq.so': mod }), { inventory: glibc }), 'pgsql/pkglib/pq.so');
    expect(f).toMatchObject({ verdict: 'ok', problems: [] });
    expect(f.needed).toContain('libpq.so.5');
    expect(f.resolved['libpq.so.5']).toMatch(/\/libpq\.so\.5$/);
  });

  it('resolves a module next to its own libraries through $ORIGIN, in both layouts', () => {
    const dep = sharedLib('libown.so.1', 'int own(void){return 1;}');
    const mod = sharedLib('own.so', 'int own(void); int fn(void){return own();}', { inputs: [dep], args: ['-Wl,-rpath,$ORIGIN'] });
    const root = tree('own', { 'pgsql/pkglib/own.so': mod, 'pgsql/pkglib/libown.so.1': dep });
    const r = checkTree(root, { inventory: glibc });
    expect(r.ok).toBe(true);
    expect(file(r, 'pgsql/pkglib/own.so').resolved['libown.so.1']).toBe(`${glibc.postgres[0]?.pkglibdir ?? '/usr/lib/postgresql/lib'}/libown.so.1`);
    const volume = checkTree(root, { inventory: glibc, only: ['volume'] });
    expect(file(volume, 'pgsql/pkglib/own.so').resolved['libown.so.1']).toBe('/extensions/own/lib/libown.so.1');
  });
});

/** The inventory of a base whose glibc stops at `version`. */
function olderGlibc(inv: Inventory, version: string): Inventory {
  const keep = (v: string) => {
    const m = /^GLIBC_(\d+)\.(\d+)/.exec(v);
    if (m === null) return true;
    const [maj, min] = version.split('.').map(Number);
    return Number(m[1]) < (maj as number) || (Number(m[1]) === maj && Number(m[2]) <= (min as number));
  };
  return { ...inv, glibcVersion: version, libraries: inv.libraries.map((l) => (l.versions === undefined ? l : { ...l, versions: l.versions.filter(keep) })) };
}
