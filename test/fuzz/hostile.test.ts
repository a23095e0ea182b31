// Seeded fuzzing of the three readers of hostile input: ELF files (the parser and the closure
// check), trunks (install into a scratch target with a sentinel beside it) and matrix files
// (validate and plan). Every case must end in success or a typed error (ElfError, UserError), in
// bounded time, with nothing outside the target changed. A failure prints its seed and case.
//
// TRUNKFARM_FUZZ_CASES sets the total number of cases (default 3,000, about a minute here);
// TRUNKFARM_FUZZ_SEED replays another seed.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTree, ElfError, inventoryFromDir, parseElfBuffer } from '../../src/closure/index.ts';
import { isUserError } from '../../src/errors.ts';
import { loadMatrix } from '../../src/matrix/index.ts';
import { installTrunk, uninstallTrunk, writeTrunk } from '../../src/package/index.ts';
import { expandJobs } from '../../src/plan/index.ts';
import { compile } from '../closure/helpers/cc.ts';
import { packRaw, redigest, unpackRaw, type RawEntry } from '../package/craft.ts';
import { forPg, makeStage, sampleMeta } from '../package/fixtures.ts';
import { entryYaml, PLATFORMS_YAML } from '../support/matrix.ts';
import { seeded } from '../support/random.ts';

const TOTAL = Number(process.env.TRUNKFARM_FUZZ_CASES ?? 3000);
const SEED = Number(process.env.TRUNKFARM_FUZZ_SEED ?? 16);
// Shares of the total: installs cost the most per case.
const ELF_CASES = Math.round(TOTAL * 0.5);
const MATRIX_CASES = Math.round(TOTAL * 0.4);
const TRUNK_CASES = TOTAL - ELF_CASES - MATRIX_CASES;
const CASE_MS = 5000;
const RSS_MAX = 1.5 * 2 ** 30;

const work = mkdtempSync(join(tmpdir(), 'trunkfarm-fuzz-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const counts: Record<string, Record<string, number>> = {};
const tally = (suite: string, outcome: string) => {
  counts[suite] ??= {};
  counts[suite][outcome] = (counts[suite][outcome] ?? 0) + 1;
};
afterAll(() => console.log(`fuzz seed ${SEED}: ${JSON.stringify(counts)}`));

/** Runs one case: success or a typed error, within the time bound; anything else fails the test. */
async function oneCase(suite: string, label: string, fn: () => Promise<void> | void, typed: (err: unknown) => boolean): Promise<void> {
  const t = performance.now();
  try {
    await fn();
    tally(suite, 'ok');
  } catch (err) {
    if (!typed(err)) throw new Error(`${suite} ${label} (seed ${SEED}): ${err instanceof Error ? err.stack : String(err)}`);
    tally(suite, 'refused');
  }
  const took = performance.now() - t;
  if (took > CASE_MS) throw new Error(`${suite} ${label} (seed ${SEED}) took ${took.toFixed(0)} ms`);
  if (process.memoryUsage().rss > RSS_MAX) throw new Error(`${suite} ${label} (seed ${SEED}): rss ${process.memoryUsage().rss}`);
}

function flip(b: Buffer, rand: () => number, hotBytes: number): Buffer {
  const out = Buffer.from(b);
  const n = 1 + Math.floor(rand() * 8);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rand() * (rand() < 0.7 ? Math.min(hotBytes, out.length) : out.length));
    if (rand() < 0.5) out[at] = Math.floor(rand() * 256);
    else if (at + 4 <= out.length) out.writeUInt32LE(pick(rand, [0, 1, 0x7fffffff, 0xffffffff, 0x80000000, Math.floor(rand() * 2 ** 32)]), at & ~3);
  }
  return rand() < 0.1 ? out.subarray(0, Math.floor(rand() * out.length)) : out;
}

describe('fuzz', () => {
  it(`ELF: ${ELF_CASES} mutated real files through the parser and the closure check`, async () => {
    const rand = seeded(SEED);
    const samples = [readFileSync('/usr/lib/x86_64-linux-gnu/libz.so.1'), readFileSync(compile({ source: 'int main(void){return 0;}', name: 'fuzz-main' }))];
    const inventory = inventoryFromDir('/');
    const tree = join(work, 'elf', 'pgsql', 'pkglib');
    mkdirSync(tree, { recursive: true });
    const elfTyped = (err: unknown) => err instanceof ElfError || isUserError(err);
    for (let i = 0; i < ELF_CASES; i++) {
      const bytes = flip(pick(rand, samples), rand, 4096);
      await oneCase('elf', `case ${i}`, () => void parseElfBuffer(bytes, `case-${i}`), elfTyped);
      // Every tenth case also through the closure check, from a file on disk.
      if (i % 10 === 0) {
        writeFileSync(join(tree, 'm.so'), bytes);
        await oneCase('check', `case ${i}`, () => void checkTree(join(work, 'elf'), { inventory }), elfTyped);
      }
    }
  }, 120_000);

  describe('trunks', () => {
    let raw: RawEntry[];
    beforeAll(async () => {
      const stage = await makeStage(join(work, 'stage'), 'tffuzz');
      const good = await writeTrunk(stage, forPg(sampleMeta({ name: 'tffuzz' }), 18), work);
      raw = await unpackRaw(good.path);
    });

    const NAMES = ['..', '../../x', '/etc/x', 'a/../../b', 'pgsql/share/../../..', 'pgsql/pkglib/x.so', 'licenses/x', 'pgsql/share/extension'];
    function mutateTrunk(rand: () => number): RawEntry[] {
      const entries = raw.map((e) => ({ header: { ...e.header }, data: e.data }));
      const top = entries[0]!.header.name.replace(/\/$/, '');
      for (let k = 0, n = 1 + Math.floor(rand() * 3); k < n; k++) {
        const e = pick(rand, entries.slice(1));
        switch (Math.floor(rand() * 6)) {
          case 0:
            e.header.name = `${top}/${pick(rand, NAMES)}`;
            break;
          case 1:
            entries.push({ header: { name: `${top}/${pick(rand, NAMES)}`, type: 'symlink', linkname: pick(rand, ['/etc', '../../../..', '..', 'x', '../../pkglib/tffuzz.so']), mode: 0o777 }, data: Buffer.alloc(0) });
            break;
          case 2:
            e.header.mode = pick(rand, [0o4755, 0o2755, 0o1777, 0o777, 0]);
            break;
          case 3:
            e.data = flip(e.data, rand, e.data.length);
            break;
          case 4:
            e.header.type = pick(rand, ['link', 'fifo', 'character-device', 'directory', 'symlink'] as const);
            e.header.linkname = pick(rand, ['/etc/passwd', '../x', 'tffuzz.so']);
            break;
          default:
            entries.push({ header: { ...e.header }, data: e.data }); // a duplicate
        }
      }
      return rand() < 0.8 ? redigest(entries) : entries;
    }

    it(`${TRUNK_CASES} mutated trunks through install and uninstall, a sentinel beside the target`, async () => {
      const rand = seeded(SEED + 1);
      const scratch = join(work, 'scratch');
      mkdirSync(scratch);
      const sentinel = join(scratch, 'sentinel');
      writeFileSync(sentinel, 'keep\n');
      const target = join(scratch, 'extensions');
      for (let i = 0; i < TRUNK_CASES; i++) {
        const file = join(work, 'trunks', String(i), 'tffuzz-1.2.3+pg18-gnulinux-amd64.trunk');
        mkdirSync(join(file, '..'), { recursive: true });
        await packRaw(file, mutateTrunk(rand));
        await oneCase(
          'trunk',
          `case ${i}`,
          async () => {
            await installTrunk(file, { extensionsDir: target });
            await uninstallTrunk(file, { extensionsDir: target });
          },
          isUserError,
        );
        // Nothing but the target beside the sentinel, the sentinel as it was, the target empty again.
        expect(readdirSync(scratch).sort()).toEqual(['extensions', 'sentinel']);
        expect(readFileSync(sentinel, 'utf8')).toBe('keep\n');
        expect(statSync(sentinel).size).toBe(5);
        expect(readdirSync(target)).toEqual([]);
        rmSync(join(file, '..'), { recursive: true });
      }
    }, 180_000);
  });

  it(`matrix: ${MATRIX_CASES} mutated entries through validate and plan`, async () => {
    const rand = seeded(SEED + 2);
    const dir = join(work, 'matrix');
    mkdirSync(join(dir, 'extensions'), { recursive: true });
    writeFileSync(join(dir, 'platforms.yaml'), PLATFORMS_YAML);
    const base = entryYaml('foo');
    const PIECES = ['[', ']', '{', '}', ':', '- ', '&a ', '*a', '!!str ', '"', "'", '|', '>', '#', '\t', '\\0', '\u0000', '\uffff', '? ', '---\n', '%YAML 1.1\n', '\n  ', '[[[[[[[[[[', 'http://x', '..', '/etc/passwd', '$(id)', '\u00e9', '\ud83d\ude00'];
    for (let i = 0; i < MATRIX_CASES; i++) {
      const lines = base.split('\n');
      for (let k = 0, n = 1 + Math.floor(rand() * 4); k < n; k++) {
        const at = Math.floor(rand() * lines.length);
        const line = lines[at]!;
        switch (Math.floor(rand() * 4)) {
          case 0: {
            const col = Math.floor(rand() * (line.length + 1));
            lines[at] = line.slice(0, col) + pick(rand, PIECES) + line.slice(col);
            break;
          }
          case 1:
            lines.splice(at, 1);
            break;
          case 2:
            lines.splice(at, 0, line);
            break;
          default:
            lines[at] = ' '.repeat(Math.floor(rand() * 6)) + line.trimStart();
        }
      }
      let text = lines.join('\n');
      if (rand() < 0.05) text += `x: ${'['.repeat(2000)}${']'.repeat(2000)}\n`;
      const bytes = rand() < 0.05 ? Buffer.concat([Buffer.from(text), Buffer.from([0xc3, 0x28])]) : Buffer.from(text);
      writeFileSync(join(dir, 'extensions', 'foo.yaml'), bytes);
      await oneCase(
        'matrix',
        `case ${i}: ${JSON.stringify(text.slice(0, 2000))}`,
        async () => {
          const { matrix, diagnostics } = await loadMatrix(dir);
          for (const d of diagnostics) {
            expect(d.line).toBeGreaterThan(0);
            expect(d.col).toBeGreaterThan(0);
          }
          if (matrix && diagnostics.length === 0) expandJobs(matrix);
          else throw Object.assign(new Error('invalid'), { invalid: true });
        },
        (err) => (err as { invalid?: boolean }).invalid === true || isUserError(err),
      );
    }
  }, 120_000);
});
