// The instruction-set baseline, for real: pgvector's Makefile adds -march=native unless the entry
// says OPTFLAGS=. Built without it, the job fails at its isa step, naming the flag and the entry
// field; built as the project matrix has it, it passes. Both packages are then run by PostgreSQL
// on an emulated x86-64 baseline CPU (QEMU's qemu64): the first dies with SIGILL, the second
// answers, although it too holds AVX code (behind pgvector's run-time CPU checks).
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildJob, lineReporter } from '../../src/builder/index.ts';
import { loadValidMatrix } from '../../src/matrix/index.ts';
import { expandTargets } from '../../src/plan/index.ts';
import { runOnBaselineCpu } from '../support/baseline-cpu.ts';
import { buildShared } from '../support/build.ts';
import { requireComponents } from '../support/requirements.ts';

const PLATFORM = 'pg17-gnulinux-amd64';
const BASE = `localhost/trunkfarm/base:${PLATFORM}`;
const SQL = ['CREATE EXTENSION vector;', 'SELECT l2_distance(array_fill(1.5, ARRAY[64])::vector, array_fill(0.5, ARRAY[64])::vector);'];

const scratch: string[] = [];
afterAll(() => Promise.all(scratch.map((d) => rm(d, { recursive: true, force: true }))));

/** The project's pgvector entry as a new user would first write it: no OPTFLAGS=. */
async function nativeEntryMatrix(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'trunkfarm-isa-matrix-'));
  scratch.push(dir);
  await mkdir(path.join(dir, 'extensions'));
  await writeFile(path.join(dir, 'platforms.yaml'), await readFile('matrix/platforms.yaml'));
  const entry = await readFile('matrix/extensions/pgvector.yaml', 'utf8');
  const native = entry.replace(/^build:\n(?:  #.*\n)*  make: \["OPTFLAGS="\]\n/m, '').replace('  installcheck: true\n', '');
  expect(native).not.toContain('OPTFLAGS=');
  await writeFile(path.join(dir, 'extensions', 'pgvector.yaml'), native);
  return dir;
}

/** AVX instructions (ymm and zmm registers, fused multiply-adds) in a library's code. */
const avx = (file: string) =>
  execFileSync('objdump', ['-d', file], { encoding: 'utf8', maxBuffer: 64 << 20 })
    .split('\n')
    .filter((l) => /%[yz]mm\d|vfmadd/.test(l)).length;

describe('a package built for the build machine\'s CPU', () => {
  it('fails its build naming -march=native and build.make, and dies with SIGILL on a baseline CPU where the portable build runs', async () => {
    requireComponents(['podman', 'qemu-x86_64-static', 'objdump'], [`localhost/trunkfarm/builder:${PLATFORM}`, BASE]);
    const portable = await buildShared('pgvector', 17);
    expect(portable.result.isa).toEqual({ baseline: 'x86-64', findings: [] });

    const matrix = await loadValidMatrix(await nativeEntryMatrix());
    const target = expandTargets(matrix, matrix.entries).find(({ job }) => job.platform === PLATFORM)!;
    const out = await mkdtemp(path.join(tmpdir(), 'trunkfarm-isa-native-'));
    scratch.push(out);
    const native = await buildJob(target, { out, matrixDir: matrix.dir, images: 'local', test: false, reporter: () => lineReporter(() => {}) });
    expect(native.status).toBe('failed');
    expect(native.failure?.step).toBe('isa');
    expect(native.failure?.message).toMatch(/-march=native \(the build machine's CPU, whatever it is\): 20 compiler invocations in logs\/compile\.log/);
    expect(native.failure?.message).toContain('src/bitutils.c, src/bitvec.c, src/halfutils.c, src/halfvec.c and 16 more');
    expect(native.failure?.message).toContain('fix: build.make: ["OPTFLAGS="] (Makefile sets OPTFLAGS to -march=native');
    const fromLog = native.isa?.findings.find((f) => f.evidence === 'log');
    expect(fromLog).toMatchObject({ flag: '-march=native', kind: 'native' });
    expect(fromLog?.files).toEqual(expect.arrayContaining(['src/vector.c', 'src/hnsw.c', 'vector.so']));
    // The objects say it too, by the CPU's name, in case no log had shown it: one finding.
    const fromObjects = native.isa?.findings.filter((f) => f.evidence === 'object');
    expect(fromObjects?.map((f) => f.flag)).toEqual([expect.stringMatching(/^-march=/)]);
    expect(fromObjects?.[0]?.beyond).toEqual(expect.arrayContaining(['avx', 'avx2']));
    expect(fromObjects?.[0]?.files).toEqual(expect.arrayContaining(['src/vector.o', 'pgsql/pkglib/vector.so']));

    const nativeStage = path.join(out, `pgvector-0.8.0+${PLATFORM}`, 'stage');
    const portableStage = path.join(portable.dir, 'stage');
    const counts = { native: avx(path.join(nativeStage, 'pgsql/pkglib/vector.so')), portable: avx(path.join(portableStage, 'pgsql/pkglib/vector.so')) };
    expect(counts.native).toBeGreaterThan(counts.portable);

    const run = (stage: string) => runOnBaselineCpu({ image: BASE, arch: 'amd64', isa: 'x86-64', pg: 17, stage, sql: SQL });
    const crashed = run(nativeStage);
    expect(crashed.status, crashed.output).toBe(132);
    expect(crashed.output).toContain('uncaught target signal 4 (Illegal instruction)');
    const answered = run(portableStage);
    expect(answered.status, answered.output).toBe(0);
    expect(answered.output).toContain('l2_distance = "8"');
    console.log(`vector.so AVX instructions: native ${counts.native}, portable ${counts.portable}; on qemu64 native exits ${crashed.status}, portable ${answered.status}`);
  }, 1_200_000);
});
