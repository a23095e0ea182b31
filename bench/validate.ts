// Validating a matrix entry with many unknown fields (each one a located diagnostic), the way
// `trunkfarm validate` does it: loadMatrix on a directory holding platforms.yaml and the entry.
// The work must grow linearly with the number of fields: the figure is the time per field at each
// size as a ratio against the time per field at the smallest size, measured in the same run
// (flat ~1.0 is linear; the yaml package's own duplicate-key check made it grow with the size).
//
// Medians of TRUNKFARM_BENCH_ROUNDS rounds (default 5), sizes interleaved within each round.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { raiseLimits, resetLimits } from '../src/limits.ts';
import { loadMatrix } from '../src/matrix/index.ts';
import { median, ms } from './_timing.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SIZES = [1000, 5000, 20_000, 50_000];
const ROUNDS = Number(process.env.TRUNKFARM_BENCH_ROUNDS ?? 5);

function entry(fields: number): string {
  let text = `name: wide
version: 1.0.0
abstract: An entry with many unknown fields
license: PostgreSQL
homepage: https://example.org/wide
source:
  url: https://example.org/wide-1.0.0.tar.gz
  sha256: ${'a'.repeat(64)}
contents:
  extensions: [wide]
dependencies:
  pipeline: pgxs
test:
  sql: SELECT 1;
`;
  for (let i = 0; i < fields; i++) text += `unknown_field_${i}: ${i}\n`;
  return text;
}

export async function run(): Promise<void> {
  const root = await mkdtemp(path.join(tmpdir(), 'trunkfarm-bench-validate-'));
  raiseLimits([`yaml-fields=${2 * SIZES.at(-1)!}`, `matrix-file-bytes=${64 << 20}`]);
  try {
    const dirs = new Map<number, string>();
    for (const n of SIZES) {
      const dir = path.join(root, String(n));
      await mkdir(path.join(dir, 'extensions'), { recursive: true });
      await writeFile(path.join(dir, 'platforms.yaml'), await readFile(path.join(ROOT, 'matrix/platforms.yaml')));
      await writeFile(path.join(dir, 'extensions', 'wide.yaml'), entry(n));
      dirs.set(n, dir);
    }
    const times = new Map<number, number[]>(SIZES.map((n) => [n, []]));
    const once = async (n: number) => {
      const t = performance.now();
      const { diagnostics } = await loadMatrix(dirs.get(n)!);
      const elapsed = performance.now() - t;
      if (diagnostics.length !== n) throw new Error(`expected ${n} diagnostics, got ${diagnostics.length}`);
      return elapsed;
    };
    for (const n of SIZES) await once(n); // warm-up, not counted
    for (let r = 0; r < ROUNDS; r++) for (const n of SIZES) times.get(n)!.push(await once(n));
    const base = median(times.get(SIZES[0]!)!) / SIZES[0]!;
    console.log(`validate, one entry with N unknown fields (median of ${ROUNDS}); baseline: time per field at N = ${SIZES[0]}`);
    for (const n of SIZES) {
      const t = median(times.get(n)!);
      console.log(`  N = ${String(n).padStart(6)}: ${ms(t).padStart(9)}, per field ${((t / n) * 1000).toFixed(1)} µs = ${(t / n / base).toFixed(2)}x baseline`);
    }
  } finally {
    resetLimits();
    await rm(root, { recursive: true, force: true });
  }
}
