// The ISA baseline check on real builds: tiny C sources compiled here by make, cmake and ninja with
// this machine's GCC, their real logs and objects, against the tables of what each baseline holds.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkBuildLog, checkObjects, compilerInvocations, describeFindings, judgeFlag, makeAssignments, mergeFindings, objectRecord, readMakefiles, readObjectRecord, shellWords, x86Features } from '../../src/closure/isa/index.ts';
import { X86_CPUS } from '../../src/closure/isa/x86-cpus.ts';
import { ElfError, bufferSource, fileSource, readSections } from '../../src/closure/elf/index.ts';
import { seeded } from '../support/random.ts';
import { requireComponents } from '../support/requirements.ts';
import type { IsaTarget } from '../../src/closure/isa/index.ts';

const work = mkdtempSync(join(tmpdir(), 'trunkfarm-isa-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const X86: IsaTarget = { arch: 'amd64', baseline: 'x86-64' };

// A loop GCC vectorises: with AVX on, its body is ymm instructions.
const DOT = 'float dot(const float *a, const float *b, int n){ float s = 0; for (int i = 0; i < n; i++) s += a[i] * b[i]; return s; }\n';
// Run-time dispatch: an AVX2 version behind a CPUID check, the portable one otherwise.
const DISPATCH = `#include <stddef.h>
__attribute__((target("avx2,fma"))) static float dot_avx2(const float *a, const float *b, int n){ float s = 0; for (int i = 0; i < n; i++) s += a[i] * b[i]; return s; }
static float dot_plain(const float *a, const float *b, int n){ float s = 0; for (int i = 0; i < n; i++) s += a[i] * b[i]; return s; }
float dot_dispatched(const float *a, const float *b, int n){ return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? dot_avx2(a, b, n) : dot_plain(a, b, n); }
__attribute__((target_clones("default", "avx2"))) float sum(const float *a, int n){ float s = 0; for (int i = 0; i < n; i++) s += a[i]; return s; }
`;

/** Builds `files` with make and the Makefile given (pgvector's pattern: OPTFLAGS added to
 * CFLAGS); returns the directory and what make printed. */
function makeBuild(name: string, makefile: string, files: Record<string, string>, args: string[] = []): { dir: string; log: string } {
  const dir = join(work, name);
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'Makefile'), makefile);
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  const r = spawnSync('make', ['-C', dir, '--no-print-directory', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return { dir, log: r.stdout };
}

const PGVECTOR_LIKE = `OPTFLAGS = -march=native
CFLAGS += -g -O2 -fPIC $(OPTFLAGS) -ftree-vectorize -fassociative-math -fno-signed-zeros -fno-trapping-math
OBJS = src/dot.o src/dispatch.o
all: vec.so
vec.so: $(OBJS)
\t$(CC) $(CFLAGS) -shared -o $@ $(OBJS)
`;

const avxCount = (file: string) => execFileSync('objdump', ['-d', file], { encoding: 'utf8' }).split('\n').filter((l) => /\b(ymm|zmm)\d|vfmadd/.test(l)).length;

describe('the build log', () => {
  const native = makeBuild('native', PGVECTOR_LIKE, { 'src/dot.c': DOT, 'src/dispatch.c': DISPATCH });
  const portable = makeBuild('portable', PGVECTOR_LIKE, { 'src/dot.c': DOT, 'src/dispatch.c': DISPATCH }, ['OPTFLAGS=']);

  it('finds -march=native on every compile line, names the files, and the make variable that fixes it', async () => {
    expect(avxCount(join(native.dir, 'vec.so'))).toBeGreaterThan(0);
    const findings = checkBuildLog(native.log, X86, native.dir);
    expect(findings.map((f) => [f.flag, f.kind, f.evidence])).toEqual([['-march=native', 'native', 'log']]);
    // Two compile lines and the link line.
    expect(findings[0]!.files).toEqual(['src/dot.c', 'src/dispatch.c', 'vec.so']);
    expect(findings[0]!.lines).toHaveLength(3);
    const message = describeFindings(findings, { target: X86, pipeline: 'pgxs', logName: 'logs/build.log', makefiles: await readMakefiles(native.dir) });
    expect(message).toContain('-march=native (the build machine\'s CPU, whatever it is): 3 compiler invocations in logs/build.log');
    expect(message).toContain('fix: build.make: ["OPTFLAGS="] (Makefile sets OPTFLAGS to -march=native; a make argument overrides it)');
  });

  it('passes the same build with OPTFLAGS= although its dispatched functions hold AVX2 code', () => {
    expect(portable.log).not.toContain('-march');
    expect(avxCount(join(portable.dir, 'src/dispatch.o'))).toBeGreaterThan(0);
    expect(checkBuildLog(portable.log, X86, portable.dir)).toEqual([]);
  });

  it('judges extension flags against the level: -mavx2 is above x86-64 and x86-64-v2, within x86-64-v3', () => {
    const b = makeBuild('mavx2', 'CFLAGS += -O2 -mavx2 -mfma\nall: src/dot.o\n', { 'src/dot.c': DOT });
    const f = checkBuildLog(b.log, X86, b.dir);
    expect(f.map((x) => [x.flag, x.beyond])).toEqual([
      ['-mavx2', ['avx2']],
      ['-mfma', ['fma']],
    ]);
    expect(checkBuildLog(b.log, { arch: 'amd64', baseline: 'x86-64-v2' }, b.dir)).toHaveLength(2);
    expect(checkBuildLog(b.log, { arch: 'amd64', baseline: 'x86-64-v3' }, b.dir)).toEqual([]);
    // A file declared as dispatched may have them; -march=native stays refused there too.
    expect(checkBuildLog(b.log, { ...X86, dispatchFiles: ['src/dot.c'] }, b.dir)).toEqual([]);
    expect(checkBuildLog(native.log, { ...X86, dispatchFiles: ['src/dot.c', 'src/dispatch.c'] }, native.dir)).toHaveLength(1);
  });

  it('reads cmake --verbose and ninja -v logs', () => {
    const dir = join(work, 'cmake');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'dot.c'), DOT);
    writeFileSync(join(dir, 'CMakeLists.txt'), 'cmake_minimum_required(VERSION 3.10)\nproject(d C)\nadd_library(d SHARED dot.c)\ntarget_compile_options(d PRIVATE -march=haswell)\n');
    for (const gen of ['Unix Makefiles', 'Ninja']) {
      const build = join(dir, gen.replace(' ', '_'));
      execFileSync('cmake', ['-S', dir, '-B', build, '-G', gen], { stdio: 'pipe' });
      const log = execFileSync('cmake', ['--build', build, '--verbose'], { encoding: 'utf8' });
      const f = checkBuildLog(log, X86, dir);
      expect(f.map((x) => [x.flag, x.kind, x.files])).toEqual([['-march=haswell', 'above', ['dot.c']]]);
      expect(f[0]!.beyond).toEqual(expect.arrayContaining(['avx', 'avx2', 'fma', 'bmi2', 'sse4.2']));
    }
  });

  it('knows a CPU newer than its tables by the extensions recorded with it', () => {
    // How GCC 14 records -march=native on a Zen 4, which GCC 12's tables do not name.
    const line = 'gcc -march=znver4 -mmmx -mpopcnt -msse4.2 -mavx2 -mno-fma4 -mavx512f -mtune=znver4 -O2 -c -o a.o a.c';
    expect(checkBuildLog(line, X86).map((f) => [f.flag, f.kind, f.beyond])).toEqual([['-march=znver4', 'above', ['avx2', 'avx512f', 'popcnt', 'sse4.2']]]);
    expect(checkBuildLog('gcc -march=znver4 -c a.c', X86).map((f) => [f.flag, f.kind])).toEqual([['-march=znver4', 'unknown']]);
  });

  it('splits echoed command lines as the shell did', () => {
    expect(shellWords(`libtool: compile:  gcc -DX='"a b"' "-I/x y" -c a.c`)).toEqual(['libtool:', 'compile:', 'gcc', '-DX="a b"', '-I/x y', '-c', 'a.c']);
    const inv = compilerInvocations('make[1]: Entering directory\n[3/9] ccache /usr/bin/x86_64-linux-gnu-gcc-12 -mavx2 -MD -MF a.o.d -o a.o -c ../a.c\ncd /b && clang-19 -O2 -c -o x.o x.c\nchecking for cc... cc\n');
    expect(inv.map((i) => [i.line, i.compiler, i.files])).toEqual([
      [2, '/usr/bin/x86_64-linux-gnu-gcc-12', ['../a.c']],
      [3, 'clang-19', ['x.c']],
    ]);
  });

  it('finds the variable holding a flag across continued and appended assignments', () => {
    const mk = [{ file: 'Makefile', text: 'PG_CFLAGS += -O3 \\\n  -mavx2 -ftree-vectorize # fast\nOTHER = -march=native\noverride CFLAGS += -mfma\n' }];
    expect(makeAssignments(mk, ['-mavx2', '-march=native', '-mfma']).map((a) => [a.variable, a.override, a.rest, a.flags])).toEqual([
      ['PG_CFLAGS', false, '-O3 -ftree-vectorize', ['-mavx2']],
      ['OTHER', false, '', ['-march=native']],
      ['CFLAGS', true, '', ['-mfma']],
    ]);
    const findings = checkBuildLog('gcc -mfma -c -o a.o a.c\n', X86);
    expect(describeFindings(findings, { target: X86, pipeline: 'pgxs', logName: 'build.log', makefiles: mk })).toContain('fix: source.patches: Makefile sets CFLAGS with "override", which no make argument can undo: patch out -mfma');
    expect(describeFindings(findings, { target: X86, pipeline: 'cmake', logName: 'build.log' })).toContain('fix -mfma in the entry: build.configure: the -D option that turns native tuning off, or -DCMAKE_C_FLAGS=... without it; where no option can, source.patches');
  });
});

describe('the objects', () => {
  it('reads the switches GCC records (-march=native as the CPU it found) and the ISA level an object needs', async () => {
    const b = makeBuild('objects', 'CFLAGS += -g -O2\nall: src/native.o src/plain.o src/dispatch.o src/needed.o\nsrc/native.o: CFLAGS += -march=native\nsrc/needed.o: CFLAGS += -mneeded -march=x86-64-v3\n', {
      'src/native.c': DOT,
      'src/plain.c': DOT,
      'src/dispatch.c': DISPATCH,
      'src/needed.c': DOT,
    });
    const native = readObjectRecord(join(b.dir, 'src/native.o'));
    expect(native.switches[0]).toEqual(expect.arrayContaining(['-g', '-O2']));
    expect(native.switches[0]!.find((s) => s.startsWith('-march='))).not.toBe('-march=native');
    expect(readObjectRecord(join(b.dir, 'src/plain.o')).switches).toEqual([expect.arrayContaining(['-march=x86-64', '-mtune=generic'])]);
    expect(readObjectRecord(join(b.dir, 'src/needed.o')).x86Needed).toBe('x86-64-v3');

    const findings = await checkObjects(b.dir, X86);
    // This machine's CPU is above x86-64 (or newer than the tables: then it is "unknown").
    const host = findings.find((f) => f.files.includes('src/native.o'))!;
    expect(host.flag).toMatch(/^-march=/);
    expect(['above', 'unknown']).toContain(host.kind);
    expect(findings.filter((f) => f.files.includes('src/native.o'))).toHaveLength(1);
    expect(findings.find((f) => f.flag === 'x86 ISA needed: x86-64-v3')?.files).toEqual(['src/needed.o']);
    // The -march=x86-64-v3 the object records is reported too, once, with what it adds.
    expect(findings.find((f) => f.flag === '-march=x86-64-v3')?.beyond).toEqual(expect.arrayContaining(['avx2', 'fma']));
    // Dispatched code and plain code pass; a dispatch file may need v3.
    expect(findings.flatMap((f) => f.files)).not.toContain('src/plain.o');
    expect(findings.flatMap((f) => f.files)).not.toContain('src/dispatch.o');
    expect((await checkObjects(b.dir, { ...X86, dispatchFiles: ['src/needed.c'] })).flatMap((f) => f.files)).not.toContain('src/needed.o');
    expect(await checkObjects(b.dir, { ...X86, baseline: 'x86-64-v4', dispatchFiles: ['src/native.c'] })).toEqual([]);
  });

  it('reads a linked library\'s record of all its sources, and merges it with the objects\'', async () => {
    const b = makeBuild('library', 'CFLAGS += -g -O2 -fPIC\nall: lib/vec.so\nsrc/native.o: CFLAGS += -march=x86-64-v3\nlib/vec.so: src/native.o src/plain.o\n\tmkdir -p lib && $(CC) -shared -o $@ $^\n', {
      'src/native.c': DOT,
      'src/plain.c': DOT.replace('dot', 'dot2'),
    });
    const library = await checkObjects(join(b.dir, 'lib'), X86, { all: true });
    expect(library.map((f) => [f.flag, f.files])).toEqual([['-march=x86-64-v3', ['vec.so']]]);
    // Only *.o by default: the Makefile and the library are skipped.
    const objects = await checkObjects(b.dir, X86);
    expect(objects.map((f) => [f.flag, f.files])).toEqual([['-march=x86-64-v3', ['src/native.o']]]);
    expect(mergeFindings([...objects, ...library]).map((f) => [f.flag, f.files])).toEqual([['-march=x86-64-v3', ['src/native.o', 'vec.so']]]);
  });

  it('reads -frecord-gcc-switches, which needs no debug information', () => {
    const b = makeBuild('recorded', 'CFLAGS += -O2 -frecord-gcc-switches -mavx2\nall: src/a.o\n', { 'src/a.c': DOT });
    expect(readObjectRecord(join(b.dir, 'src/a.o')).switches).toEqual([expect.arrayContaining(['-mavx2', '-O2'])]);
  });

  it('gives nothing but an ElfError for a mutated object', () => {
    const b = makeBuild('fuzz', 'CFLAGS += -g -O2 -mneeded -march=x86-64-v2 -frecord-gcc-switches\nall: src/a.o\n', { 'src/a.c': DOT });
    const bytes = execFileSync('cat', [join(b.dir, 'src/a.o')]);
    const random = seeded(20);
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      const copy = Buffer.from(bytes);
      for (let n = 1 + Math.floor(random() * 8); n > 0; n--) copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
      try {
        objectRecord(bufferSource(copy, `mutant ${i}`));
      } catch (err) {
        if (!(err instanceof ElfError)) throw new Error(`mutant ${i}: ${(err as Error).name}: ${(err as Error).message}`);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
  });

  it('refuses a truncated section table with an ElfError', () => {
    const b = makeBuild('truncated', 'all: src/a.o\n', { 'src/a.c': DOT });
    const bytes = execFileSync('cat', [join(b.dir, 'src/a.o')]);
    const cut = join(b.dir, 'cut.o');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
    const src = fileSource(cut);
    try {
      expect(() => readSections(src)).toThrow(ElfError);
    } finally {
      src.close();
    }
  });
});

describe('the baseline tables', () => {
  it('hold what this machine\'s GCC turns on for each x86-64 level and CPU it knows', () => {
    const valid = /valid arguments to .-march=. switch are: ([^\n]*)/.exec(spawnSync('gcc', ['-march=?', '-x', 'c', '-c', '-o', '/dev/null', '/dev/null'], { encoding: 'utf8' }).stderr)![1]!.split(/\s+/);
    const names = ['x86-64', 'x86-64-v2', 'x86-64-v3', 'x86-64-v4', ...Object.keys(X86_CPUS)].filter((n) => valid.includes(n));
    expect(names.length).toBeGreaterThan(40);
    for (const name of names) {
      const out = execFileSync('gcc', [`-march=${name}`, '-Q', '--help=target'], { encoding: 'utf8' });
      const table = x86Features(name)!;
      const enabled = [...out.matchAll(/^\s+-m([a-z0-9.-]+)\s+\[enabled\]/gm)].map((m) => m[1]!);
      // Every extension the table names for it is on, and every extension it knows that is on.
      expect([...table].filter((f) => !enabled.includes(f)), name).toEqual([]);
      expect(enabled.filter((f) => judgeFlag('amd64', 'x86-64', `-m${f}`) && !table.has(f)), name).toEqual([]);
    }
  });

  it('hold what GCC turns on for each Arm version and core, by the feature macros it defines', () => {
    requireComponents(['aarch64-linux-gnu-gcc']);
    const MACROS: Record<string, string> = { CRC32: 'crc', ATOMICS: 'lse', QRDMX: 'rdma', DOTPROD: 'dotprod', FP16_SCALAR_ARITHMETIC: 'fp16', SVE: 'sve', SVE2: 'sve2', MATMUL_INT8: 'i8mm', BF16_SCALAR_ARITHMETIC: 'bf16', AES: 'aes', SHA2: 'sha2', RNG: 'rng', MEMORY_TAGGING: 'memtag', SVE2_BITPERM: 'sve2-bitperm' };
    const versions = ['armv8-a', 'armv8.1-a', 'armv8.2-a', 'armv8.3-a', 'armv8.4-a', 'armv8.5-a', 'armv8.6-a', 'armv9-a'].map((a) => `-march=${a}`);
    const cores = ['cortex-a35', 'cortex-a53', 'cortex-a57', 'cortex-a72', 'cortex-a73', 'thunderx', 'thunderx2t99', 'cortex-a55', 'cortex-a76', 'cortex-a78', 'neoverse-n1', 'a64fx', 'neoverse-v1', 'cortex-a710', 'neoverse-n2'].map((c) => `-mcpu=${c}`);
    for (const flag of [...versions, ...cores]) {
      const out = execFileSync('aarch64-linux-gnu-gcc', [flag, '-E', '-dM', '-x', 'c', '/dev/null'], { encoding: 'utf8' });
      const compiler = [...out.matchAll(/__ARM_FEATURE_([A-Z0-9_]+) /g)].flatMap((m) => MACROS[m[1]!] ?? []).sort();
      const beyond = judgeFlag('arm64', 'armv8-a', flag)?.beyond ?? [];
      expect(beyond.filter((f) => Object.values(MACROS).includes(f)).sort(), flag).toEqual(compiler);
    }
  });

  it('find an arm64 object compiled for more than armv8-a by its producer string', async () => {
    requireComponents(['aarch64-linux-gnu-gcc']);
    const b = makeBuild('arm64', 'CC = aarch64-linux-gnu-gcc\nCFLAGS += -g -O2\nall: src/v82.o src/v80.o\nsrc/v82.o: CFLAGS += -march=armv8.2-a+dotprod\n', { 'src/v82.c': DOT, 'src/v80.c': DOT });
    const target = { arch: 'arm64', baseline: 'armv8-a' } as const;
    expect((await checkObjects(b.dir, target)).map((f) => [f.flag, f.files])).toEqual([['-march=armv8.2-a+dotprod', ['src/v82.o']]]);
    expect(checkBuildLog(b.log, target, b.dir).map((f) => [f.flag, f.files])).toEqual([['-march=armv8.2-a+dotprod', ['src/v82.c']]]);
    expect(await checkObjects(b.dir, { arch: 'arm64', baseline: 'armv8.4-a' })).toEqual([]);
  });

  it('order the arm64 architecture versions and know what common cores add', () => {
    expect(judgeFlag('arm64', 'armv8-a', '-mcpu=native')?.kind).toBe('native');
    expect(judgeFlag('arm64', 'armv8-a', '-march=armv8-a')).toBeUndefined();
    expect(judgeFlag('arm64', 'armv8-a', '-march=armv8-a+crc')?.beyond).toEqual(['crc']);
    expect(judgeFlag('arm64', 'armv8-a', '-march=armv8.2-a+dotprod')?.beyond).toEqual(['armv8.1-a', 'armv8.2-a', 'crc', 'dotprod', 'lse', 'rdma']);
    expect(judgeFlag('arm64', 'armv8-a', '-mcpu=neoverse-n1')?.kind).toBe('above');
    expect(judgeFlag('arm64', 'armv8.1-a', '-mcpu=cortex-a72')).toBeUndefined();
    expect(judgeFlag('arm64', 'armv8.1-a', '-mcpu=cortex-a72+crypto')?.beyond).toEqual(['aes', 'sha2']);
    expect(judgeFlag('arm64', 'armv8-a', '-mcpu=some-future-core')?.kind).toBe('unknown');
    expect(judgeFlag('arm64', 'armv8-a', '-mtune=cortex-a76')).toBeUndefined();
    expect(judgeFlag('arm64', 'armv8-a', '-mbranch-protection=standard')).toBeUndefined();
  });

  it('leave code generation options alone and take unknown extensions and CPUs as above', () => {
    for (const f of ['-m64', '-mfpmath=sse', '-mno-red-zone', '-mtune=native'.replace('native', 'haswell'), '-mno-avx2', '-mcmodel=large', '-msse2']) expect(judgeFlag('amd64', 'x86-64', f), f).toBeUndefined();
    expect(judgeFlag('amd64', 'x86-64', '-mtune=native')?.kind).toBe('native');
    expect(judgeFlag('amd64', 'x86-64', '-mavx10.1')?.kind).toBe('unknown');
    expect(judgeFlag('amd64', 'x86-64', '-march=pantherlake-next')?.kind).toBe('unknown');
    expect(judgeFlag('amd64', 'x86-64-v2', '-march=nehalem')).toBeUndefined();
    expect(judgeFlag('amd64', 'x86-64-v2', '-march=westmere')?.beyond).toEqual(['pclmul']);
    // Names a log may hold that are also properties of every object.
    for (const name of ['toString', 'constructor', '__proto__']) {
      expect(judgeFlag('amd64', 'x86-64', `-march=${name}`)?.kind).toBe('unknown');
      expect(judgeFlag('arm64', 'armv8-a', `-mcpu=${name}`)?.kind).toBe('unknown');
      expect(judgeFlag('arm64', 'armv8-a', `-march=${name}`)?.kind).toBe('unknown');
      expect(judgeFlag('arm64', 'armv8-a', `-march=armv8-a+${name}`)?.beyond).toEqual([name]);
    }
  });
});
