import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ElfError, highestGlibc } from '../../../src/closure/index.ts';
import { isElf, isElfFile, parseElfBuffer, readElf, readElfIfElf } from '../../../src/closure/elf/index.ts';
import { compile, inputFile, readelfFacts, sharedLib } from '../helpers/cc.ts';

const LIB = `
#include <stdio.h>
#include <string.h>
#include <pthread.h>
int dep(void);
static void *run(void *p) { return p; }
int t(const char *s) { pthread_t th; pthread_create(&th, 0, run, 0); return (int)strlen(s) + dep() + printf("%s", s); }
int t2(void) { return 2; }
`;
const VERSIONS = inputFile('t.map', 'T_1.0 { global: t; local: *; };\nT_2.0 { global: t2; } T_1.0;\n');

/** One library per toolchain: soname, a needed library of its own, run paths, versions. */
function toolchainLib(cc: string, newDtags: boolean) {
  const dep = sharedLib('libdep.so.2', 'int dep(void){return 1;}', { cc });
  return sharedLib(`libt-${newDtags ? 'runpath' : 'rpath'}.so.1`, LIB, {
    cc,
    soname: 'libt.so.1',
    inputs: [dep],
    args: [`-Wl,--version-script=${VERSIONS}`, '-Wl,-rpath,$ORIGIN/../lib:/opt/t/lib', newDtags ? '-Wl,--enable-new-dtags' : '-Wl,--disable-new-dtags', '-pthread'],
  });
}

const TOOLCHAINS = [
  { cc: 'gcc', machine: 'x86_64', class: 64, endian: 'le', libc: 'glibc' },
  { cc: 'musl-gcc', machine: 'x86_64', class: 64, endian: 'le', libc: 'musl' },
  { cc: 'aarch64-linux-gnu-gcc', machine: 'aarch64', class: 64, endian: 'le', libc: 'glibc' },
  { cc: 'i686-linux-gnu-gcc', machine: 'i386', class: 32, endian: 'le', libc: 'glibc' },
  { cc: 's390x-linux-gnu-gcc', machine: 's390x', class: 64, endian: 'be', libc: 'glibc' },
  { cc: 'powerpc-linux-gnu-gcc', machine: 'ppc', class: 32, endian: 'be', libc: 'glibc' },
] as const;

describe('the ELF reader against readelf', () => {
  for (const tc of TOOLCHAINS) {
    for (const newDtags of [true, false]) {
      it(`reads ${tc.cc} output (${tc.machine}, ELF${tc.class} ${tc.endian}, ${newDtags ? 'RUNPATH' : 'RPATH'})`, () => {
        const file = toolchainLib(tc.cc, newDtags);
        const info = readElf(file);
        const ref = readelfFacts(file);
        expect(info).toMatchObject({ machine: tc.machine, class: tc.class, endian: tc.endian, type: 'dyn', libc: tc.libc });
        expect(info.needed).toEqual(ref.needed);
        expect(info.soname).toBe(ref.soname);
        expect(info.runpath).toEqual(ref.runpath);
        expect(info.rpath).toEqual(ref.rpath);
        expect(newDtags ? info.runpath : info.rpath).toEqual(['$ORIGIN/../lib', '/opt/t/lib']);
        expect(Object.fromEntries(info.verneed.map((v) => [v.file, v.versions.map((x) => x.name)]))).toEqual(ref.verneed);
        expect(info.verdef).toEqual(ref.verdef);
        expect(info.verdef).toEqual(['T_1.0', 'T_2.0']);
        if (tc.libc === 'glibc') expect(info.verneed.find((v) => v.file.startsWith('libc.so'))?.versions.length).toBeGreaterThan(0);
      });
    }
  }

  it('reads an executable: interpreter, type, PIE flag', () => {
    const exe = compile({ source: 'int main(void){return 0;}', name: 'exe' });
    const info = readElf(exe);
    expect(info.interp).toBe('/lib64/ld-linux-x86-64.so.2');
    expect(info.type).toBe('dyn');
    expect(info.flags1 & 0x8000000).not.toBe(0);
    // DT_FLAGS and DT_FLAGS_1, against readelf's names for them.
    const bound = compile({ source: 'int main(void){return 0;}', name: 'exe-now', args: ['-Wl,-z,now', '-Wl,-z,origin'] });
    const dyn = execFileSync('readelf', ['-dW', bound]).toString();
    const names = (tag: string) => (new RegExp(`\\(${tag}\\)\\s+(?:Flags: )?(.*)`).exec(dyn)?.[1] ?? '').trim().split(/\s+/).filter(Boolean).sort();
    const flagBits: Record<string, number> = { ORIGIN: 0x1, SYMBOLIC: 0x2, TEXTREL: 0x4, BIND_NOW: 0x8, STATIC_TLS: 0x10 };
    const flags1Bits: Record<string, number> = { NOW: 0x1, ORIGIN: 0x80, PIE: 0x8000000 };
    const set = (value: number, bits: Record<string, number>) => Object.keys(bits).filter((k) => (value & bits[k]!) !== 0).sort();
    const boundInfo = readElf(bound);
    expect(names('FLAGS')).toEqual(['BIND_NOW', 'ORIGIN']);
    expect(set(boundInfo.flags, flagBits)).toEqual(names('FLAGS'));
    expect(set(boundInfo.flags1, flags1Bits)).toEqual(names('FLAGS_1').filter((n) => n in flags1Bits));
    expect(names('FLAGS_1')).toEqual(expect.arrayContaining(['NOW', 'PIE']));
    const noPie = readElf(compile({ source: 'int main(void){return 0;}', name: 'exe-nopie', args: ['-no-pie'] }));
    expect(noPie.type).toBe('exec');
    const musl = readElf(compile({ cc: 'musl-gcc', source: 'int main(void){return 0;}', name: 'exe-musl' }));
    expect(musl.interp).toBe('/lib/ld-musl-x86_64.so.1');
    expect(musl.libc).toBe('musl');
  });

  it('reads a file whose section headers are gone, through the dynamic segment alone', () => {
    const file = toolchainLib('gcc', true);
    const bytes = Buffer.from(readFileSync(file));
    // Zero e_shoff, e_shnum and e_shstrndx, as sstrip does.
    bytes.fill(0, 40, 48);
    bytes.fill(0, 60, 64);
    const stripped = parseElfBuffer(bytes, 'sectionless');
    expect(stripped).toEqual(readElf(file));
  });

  it('sees text relocations, IRELATIVE relocations and ifunc symbols', () => {
    const textrel = sharedLib('libtextrel.so', 'extern int g; __asm__(".text\\n.quad g\\n"); int g = 1;', { args: ['-Wl,-z,notext'] });
    expect(readElf(textrel).textrel).toBe(true);
    expect(readelfFacts(textrel).textrel).toBe(true);
    const ifunc = `static int impl(void){return 42;}
static int (*resolve(void))(void){return impl;}
__attribute__((visibility("hidden"))) int hidden_f(void) __attribute__((ifunc("resolve")));
int exported_f(void) __attribute__((ifunc("resolve")));
int g(void){return hidden_f();}`;
    const lib = readElf(sharedLib('libifunc.so', ifunc, { cc: 'musl-gcc' }));
    const relocs = execFileSync('readelf', ['-rW', sharedLib('libifunc.so', ifunc, { cc: 'musl-gcc' })]).toString();
    expect(lib.irelative).toBe((relocs.match(/R_X86_64_IRELATIVE/g) ?? []).length);
    expect(lib.irelative).toBeGreaterThan(0);
    expect(lib.ifuncs).toEqual(['exported_f']);
    const plain = readElf(sharedLib('libplain.so', 'int g(void){return 1;}', { cc: 'musl-gcc' }));
    expect([plain.irelative, plain.ifuncCount, plain.textrel]).toEqual([0, 0, false]);
    const skipped = readElf(sharedLib('libifunc.so', ifunc, { cc: 'musl-gcc' }), { relocations: false, symbols: false });
    expect([skipped.irelative, skipped.ifuncCount]).toEqual([0, 0]);
  });

  it("reads this machine's libc: the GLIBC versions it defines", () => {
    const libc = readElf('/lib/x86_64-linux-gnu/libc.so.6');
    const version = /(\d+\.\d+)\s*$/m.exec(execFileSync('ldd', ['--version']).toString().split('\n')[0] ?? '')?.[1];
    expect(highestGlibc(libc.verdef)).toBe(version);
    expect(libc.verdef).toContain('GLIBC_2.2.5');
    expect(libc.soname).toBe('libc.so.6');
  });
});

describe("the ELF reader on this machine's libraries", () => {
  it('agrees with scanelf on NEEDED, SONAME and run paths for every library under /usr/lib/x86_64-linux-gnu', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = `${dir}/${e.name}`;
        if (e.isDirectory()) walk(p);
        else if (e.isFile() && /\.so(\.|$)/.test(e.name) && isElfFile(p)) files.push(p);
      }
    };
    walk('/usr/lib/x86_64-linux-gnu');
    expect(files.length).toBeGreaterThan(100);
    const out = spawnSync('scanelf', ['-BF', '%F;%n;%S;%r', ...files], { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout;
    const lines = out.trim().split('\n');
    expect(lines.length).toBe(files.length);
    const clean = (x: string | undefined) => (x ?? '').trim().replace(/^-$/, '');
    for (const line of lines) {
      const [file, needed, soname, paths] = line.split(';');
      const info = readElf(file as string);
      expect([info.needed.join(','), info.soname ?? '', [...info.rpath, ...info.runpath].join(':')], file).toEqual([clean(needed), clean(soname), clean(paths)]);
    }
  });
});

describe('cheap and clear on what is not ELF', () => {
  it('skips non-ELF files by their first four bytes', () => {
    expect(isElf(Buffer.from('\x7fELF'))).toBe(true);
    expect(isElf(Buffer.from('#!/b'))).toBe(false);
    expect(isElf(Buffer.alloc(2))).toBe(false);
    expect(isElfFile('/etc/hostname')).toBe(false);
    expect(readElfIfElf('/etc/hostname')).toBeUndefined();
    // libc.so is a linker script, not ELF.
    expect(isElfFile('/usr/lib/x86_64-linux-gnu/libc.so')).toBe(false);
  });

  it('names the file in the error', () => {
    expect(() => parseElfBuffer(Buffer.from('not an elf file at all'), 'notes.txt')).toThrow(ElfError);
    expect(() => parseElfBuffer(Buffer.from('not an elf file at all'), 'notes.txt')).toThrow(/^notes\.txt: not an ELF file/);
    const lib = readFileSync(toolchainLib('gcc', true));
    expect(() => parseElfBuffer(lib.subarray(0, 200), 'cut.so')).toThrow(/^cut\.so: .*outside the file/);
    expect(statSync(toolchainLib('gcc', true)).size).toBe(lib.length);
  });
});
