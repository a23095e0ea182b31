// The loader simulation against the real loaders of this machine, on the same files: ldd for
// every system library, and small trees that exercise each rule (RPATH inherited down the chain,
// RUNPATH not for glibc but yes for musl, $ORIGIN, $LIB, $PLATFORM, NODEFLIB, the wrong class
// passed over, names already loaded).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isElfFile, readElf } from '../../src/closure/elf/index.ts';
import { type Inventory, indexInventory, inventoryFromDir } from '../../src/closure/inventory.ts';
import { type LoaderModel, isMuslReserved, modelOf, resolveName, traceLoad } from '../../src/closure/resolve.ts';
import { dirRoot } from '../../src/closure/rootfs.ts';
import { loaderView } from '../../src/closure/view.ts';
import { compile, place, sharedLib } from './helpers/cc.ts';

const work = mkdtempSync(join(tmpdir(), 'trunkfarm-resolve-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// glibc expands $PLATFORM by this CPU (x86_64 is haswell on CPUs with AVX2), where a target's
// inventory can only name the baseline: compared with this machine's loader, ours must use what
// this loader says it uses.
const hostInventory = inventoryFromDir('/');
const hostPlatform = /^\s+(\S+) \(AT_PLATFORM;/m.exec(spawnSync('/lib64/ld-linux-x86-64.so.2', ['--help'], { encoding: 'utf8' }).stdout)?.[1];
const glibc: Inventory = { ...hostInventory, loader: { ...hostInventory.loader, platform: hostPlatform ?? hostInventory.loader.platform } };
const musl = inventoryFromDir('/', { libc: 'musl' });

/** Our answer for a main program: every DT_NEEDED name met while loading it, and where it goes. */
function ours(inv: Inventory, file: string): Map<string, string> {
  const view = loaderView({ mounts: [], base: indexInventory(inv), outside: dirRoot('/') });
  const out = new Map<string, string>();
  for (const step of traceLoad(modelOf(inv), view, { path: file, facts: readElf(file), main: true })) {
    if (!out.has(step.resolution.name)) out.set(step.resolution.name, step.resolution.found?.path ?? 'not found');
  }
  return out;
}

/** The real loader's answer, from its trace mode, without LD_LIBRARY_PATH. */
function real(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const found = /^\s+(\S+) => (\S+) \(0x/.exec(line);
    const missing = /^\s+(\S+) => not found/.exec(line) ?? /^Error loading shared library (\S+): No such file/.exec(line);
    if (found !== null) out.set(found[1] as string, found[2] as string);
    else if (missing !== null && !out.has(missing[1] as string)) out.set(missing[1] as string, 'not found');
  }
  return out;
}

const cleanEnv = { PATH: '/usr/bin:/bin' };

function glibcTrace(file: string): Map<string, string> {
  // The program itself, executed by the kernel, in trace mode (what ldd does for a program).
  const r = spawnSync(file, [], { env: { ...cleanEnv, LD_TRACE_LOADED_OBJECTS: '1' }, encoding: 'utf8' });
  return real(`${r.stdout}\n${r.stderr}`);
}

function muslTrace(file: string): Map<string, string> {
  const r = spawnSync('/lib/ld-musl-x86_64.so.1', ['--list', file], { env: cleanEnv, encoding: 'utf8' });
  return real(`${r.stdout}\n${r.stderr}`);
}

const without = (m: Map<string, string>, ...names: string[]) => new Map([...m].filter(([k]) => !names.includes(k)));

describe('the glibc rules, against ldd, for every library of this machine', () => {
  it('names the same file for every DT_NEEDED, transitively, as ldd does', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = `${dir}/${e.name}`;
        if (e.isDirectory()) walk(p);
        else if (e.isFile() && /\.so(\.|$)/.test(e.name) && isElfFile(p)) files.push(p);
      }
    };
    walk('/usr/lib/x86_64-linux-gnu');
    // One ldd run for all of them: it prints each file's list after a "file:" line.
    const out = spawnSync('ldd', files, { encoding: 'utf8', env: cleanEnv, maxBuffer: 1 << 27 }).stdout;
    const sections = new Map<string, string>();
    let current: string | undefined;
    for (const line of out.split('\n')) {
      if (line.endsWith(':') && !line.startsWith('\t')) current = line.slice(0, -1);
      else if (current !== undefined) sections.set(current, `${sections.get(current) ?? ''}${line}\n`);
    }
    let compared = 0;
    for (const file of files) {
      const text = sections.get(file) ?? '';
      if (!text.includes('=>')) continue; // static, or not loadable by ldd
      const theirs = real(text);
      const mine = ours(glibc, file);
      // ldd lists the interpreter without "=>"; our trace has it under its soname.
      for (const k of [...mine.keys()]) if (!theirs.has(k) && k.startsWith('ld-linux')) mine.delete(k);
      expect(mine, file).toEqual(theirs);
      compared++;
    }
    expect(compared).toBeGreaterThan(files.length * 0.9);
    // One ldd run over a thousand files: minutes on a loaded two-core machine.
  }, 600_000);
});

/** A chain app -> liba.so.1 -> libb.so.1 built with `cc`, laid out by `layout`. */
function chain(cc: string, appArgs: string[], layout: (t: string) => { a: string; b: string }, name: string): string {
  const t = join(work, `${cc}-${name}`);
  const b = sharedLib('libb.so.1', 'int b(void){return 1;}', { cc });
  const a = sharedLib('liba.so.1', 'int b(void); int a(void){return b();}', { cc, inputs: [b] });
  // -rpath-link: the link editor must find libb to check liba; it records nothing.
  const app = compile({ cc, source: 'int a(void); int main(void){return a() - 1;}', name: 'app', args: [...appArgs, `-Wl,-rpath-link,${dirname(b)}`], inputs: [a] });
  const where = layout(t);
  place(a, where.a);
  place(b, where.b);
  return place(app, join(t, 'bin'));
}

const RPATH = (p: string) => [`-Wl,-rpath,${p}`, '-Wl,--disable-new-dtags'];
const RUNPATH = (p: string) => [`-Wl,-rpath,${p}`, '-Wl,--enable-new-dtags'];

const cases: { name: string; args: string[]; layout: (t: string) => { a: string; b: string } }[] = [
  { name: 'rpath-inherited', args: RPATH('$ORIGIN/../rp'), layout: (t) => ({ a: join(t, 'rp'), b: join(t, 'rp') }) },
  { name: 'runpath-not-inherited', args: RUNPATH('$ORIGIN/../rp'), layout: (t) => ({ a: join(t, 'rp'), b: join(t, 'rp') }) },
  { name: 'runpath-two-dirs', args: RUNPATH('$ORIGIN/../ra:$ORIGIN/../rb'), layout: (t) => ({ a: join(t, 'ra'), b: join(t, 'rb') }) },
  { name: 'origin-braced', args: RPATH('${ORIGIN}/../rp'), layout: (t) => ({ a: join(t, 'rp'), b: join(t, 'rp') }) },
  { name: 'lib-token', args: RUNPATH('$ORIGIN/../$LIB'), layout: (t) => ({ a: join(t, glibc.loader.lib), b: join(t, 'elsewhere') }) },
  { name: 'platform-token', args: RUNPATH('$ORIGIN/../${PLATFORM}:$ORIGIN/../x'), layout: (t) => ({ a: join(t, glibc.loader.platform), b: join(t, 'x') }) },
  { name: 'absolute', args: RPATH(join(work, 'abs-a')), layout: () => ({ a: join(work, 'abs-a'), b: join(work, 'abs-a') }) },
  { name: 'nodeflib', args: [...RUNPATH('$ORIGIN/../rp'), '-Wl,-z,nodeflib'], layout: (t) => ({ a: join(t, 'rp'), b: join(t, 'rp') }) },
];

describe('the glibc rules, against the real loader, on small trees', () => {
  for (const c of cases) {
    it(c.name, () => {
      const app = chain('gcc', c.args, c.layout, c.name);
      const theirs = glibcTrace(app);
      expect(theirs.size).toBeGreaterThan(0);
      expect(without(ours(glibc, app), 'ld-linux-x86-64.so.2')).toEqual(theirs);
    });
  }

  it('passes over a library of the wrong class and takes the next', () => {
    const app = chain(
      'gcc',
      RUNPATH('$ORIGIN/../r32:$ORIGIN/../r64'),
      (t) => {
        place(sharedLib('liba.so.1', 'int a(void){return 0;}', { cc: 'i686-linux-gnu-gcc' }), join(t, 'r32'));
        return { a: join(t, 'r64'), b: join(t, 'r64') };
      },
      'wrong-class',
    );
    const theirs = glibcTrace(app);
    expect(theirs.get('liba.so.1')).toMatch(/\/r64\/liba\.so\.1$/);
    expect(without(ours(glibc, app), 'ld-linux-x86-64.so.2')).toEqual(theirs);
  });

  it('takes a name already loaded without searching', () => {
    // app needs liba and libb through its RUNPATH; liba (no run path) needs libb: loaded already.
    const t = join(work, 'loaded');
    const b = sharedLib('libb.so.1', 'int b(void){return 1;}');
    const a = sharedLib('liba.so.1', 'int b(void); int a(void){return b();}', { inputs: [b] });
    const app = compile({ source: 'int a(void); int b(void); int main(void){return a() - b();}', name: 'app2', args: RUNPATH('$ORIGIN/../rp'), inputs: [a, b] });
    place(a, join(t, 'rp'));
    place(b, join(t, 'rp'));
    const exe = place(app, join(t, 'bin'));
    const theirs = glibcTrace(exe);
    expect(theirs.get('libb.so.1')).toContain('/rp/libb.so.1');
    expect(without(ours(glibc, exe), 'ld-linux-x86-64.so.2')).toEqual(theirs);
  });
});

describe('the musl rules, against the real musl loader, on small trees', () => {
  for (const c of cases.filter((x) => !['lib-token', 'platform-token', 'nodeflib'].includes(x.name))) {
    it(c.name, () => {
      const app = chain('musl-gcc', c.args, c.layout, c.name);
      const theirs = muslTrace(app);
      expect(theirs.size).toBeGreaterThan(0);
      expect(ours(musl, app)).toEqual(theirs);
    });
  }

  it('ignores a run path with a token other than $ORIGIN', () => {
    const app = chain('musl-gcc', RUNPATH('$ORIGIN/../rp:$LIB'), (t) => ({ a: join(t, 'rp'), b: join(t, 'rp') }), 'lib-token');
    const theirs = muslTrace(app);
    expect(theirs.get('liba.so.1')).toBe('not found');
    expect(ours(musl, app)).toEqual(theirs);
  });
});

describe('rules the real loaders cannot be made to show here', () => {
  const model: LoaderModel = { ...modelOf(glibc), cache: new Map() };
  const view = loaderView({ mounts: [{ runtime: '/x', local: work }], base: indexInventory(glibc) });
  const facts = { machine: 'x86_64', class: 64 as const, type: 'dyn' as const, needed: [], flags1: 0, verdef: [], verneed: [] };

  it('glibc ignores DT_RPATH in an object that also has DT_RUNPATH', () => {
    mkdirSync(join(work, 'rpath-only'), { recursive: true });
    place(sharedLib('libq.so.1', 'int q(void){return 1;}'), join(work, 'rpath-only'));
    const node = { path: '/x/a.so', facts: { ...facts, rpath: ['/x/rpath-only'], runpath: ['/x/none'] } };
    expect(resolveName(model, view, node, 'libq.so.1').found).toBeUndefined();
    const rpathOnly = { path: '/x/a.so', facts: { ...facts, rpath: ['/x/rpath-only'], runpath: [] } };
    expect(resolveName(model, view, rpathOnly, 'libq.so.1').found?.path).toBe('/x/rpath-only/libq.so.1');
  });

  it('glibc never searches a run path relative to the working directory', () => {
    const node = { path: '/x/a.so', facts: { ...facts, rpath: [], runpath: ['lib', ''] } };
    const r = resolveName(model, view, node, 'libq.so.1');
    expect(r.ignored.map((i) => i.entry)).toEqual(['lib', '']);
  });

  it('musl answers libc, libpthread, libm, libdl, librt with itself', () => {
    for (const n of ['libc.so', 'libc.so.6', 'libpthread.so.0', 'libm.so.6', 'libdl.so.2', 'librt.so.1', 'libc.musl-x86_64.so.1']) expect(isMuslReserved(n), n).toBe(true);
    for (const n of ['libcrypto.so.3', 'libmagic.so.1', 'libz.so.1']) expect(isMuslReserved(n), n).toBe(false);
  });
});

