import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadValidMatrix } from '../../src/matrix/index.ts';
import { canonicalJson, expandJobs, platformDefinition, shard } from '../../src/plan/index.ts';
import { jsonLength } from '../../src/plan/shard.ts';
import { RECIPE_VERSION } from '../../src/version.ts';
import { entryYaml, PLATFORMS_YAML, scratchMatrix } from '../support/matrix.ts';
import { seeded } from '../support/random.ts';

/** The straightforward definition: rebuild every object with sorted keys, then JSON.stringify. */
function referenceCanonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

const ODD_STRINGS = ['', 'a', 'é', 'quote"', 'back\\slash', 'new\nline', '\u0000', '\u001f', '\ud83d\ude00', '\ud800', 'z', 'A', '_', '10', '9', '-1', '__proto__'];
const ODD_LEAVES: unknown[] = [0, -0, 1.5, -3, 1e21, NaN, Infinity, -Infinity, true, false, null, undefined, () => 1, Symbol('s'), ...ODD_STRINGS];

function randomValue(rand: () => number, depth = 0): unknown {
  const r = rand();
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  if (depth > 3 || r < 0.45) return pick(ODD_LEAVES);
  if (r < 0.65) return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(rand() * 5); i > 0; i--) o[pick(ODD_STRINGS.filter((s) => s !== '__proto__'))] = randomValue(rand, depth + 1);
  return o;
}

describe('canonical JSON', () => {
  it('is exactly the straightforward definition, for odd values too', () => {
    const values: unknown[] = [
      { b: 1, a: [3, { d: 4, c: undefined }], e: null },
      { 10: 'x', 9: 'y', b: 'z', a: { 2: 1, 1: 2 } },
      Object.assign(Object.create(null) as object, { z: 1, y: 2 }),
      JSON.parse('{"__proto__": {"x": 1}, "a": 2}'),
      { when: new Date(0), s: new String('boxed'), n: new Number(2) },
      { nested: { toJSON: () => ({ z: 1, a: 2 }) } },
      new (class Point { y = 2; x = 1 })(),
      [undefined, () => 1, Symbol('s'), NaN, -0],
      'plain', 42, true, null, undefined,
    ];
    for (const v of values) expect(canonicalJson(v)).toBe(referenceCanonical(v));
    const rand = seeded(3);
    for (let i = 0; i < 3000; i++) {
      const v = randomValue(rand);
      expect(canonicalJson(v)).toBe(referenceCanonical(v));
    }
  });
});

describe('build keys', () => {
  it('of every job equal the straightforward computation', async () => {
    const platforms = `${PLATFORMS_YAML.replace('default:', `    local:\n      builder: localhost/b:{platform}\n      base: localhost/c:{platform}\ndefault:`)}`;
    const matrix = await loadValidMatrix(
      await scratchMatrix(
        {
          'plain.yaml': entryYaml('plain'),
          'sqlonly.yaml': entryYaml('sqlonly', 'language: sql\n'),
          'rich.yaml': entryYaml(
            'rich',
            '  postgres: { version: ">= 16" }\n  packages:\n    build: { debian: [libz-dev], alpine: [zlib-dev] }\n' +
              'build:\n  env: { CFLAGS: "-O2 \\"q\\"", A_1: é }\n  make: ["OPTFLAGS="]\nplatforms:\n  exclude:\n    - { libc: musl, arch: arm64 }\n' +
              'test:\n  sql: |\n    SELECT 1;\n    SELECT \'\\\';\n',
          ).replace('extensions: [rich]', 'extensions: [rich, rich_extra]\n  modules:\n    rich: { preload: server }\n    a_first: {}'),
        },
        platforms,
      ),
    );
    const jobs = expandJobs(matrix);
    expect(new Set(jobs.map((j) => j.extension))).toEqual(new Set(['plain', 'sqlonly', 'rich']));
    for (const job of jobs) {
      const { entry } = matrix.entries.find((e) => e.entry.name === job.extension)!;
      const platformName = job.platform.endsWith('-any') ? `pg${job.pg}-${job.libc === 'musl' ? 'musllinux' : 'gnulinux'}-${job.arch}` : job.platform;
      const platform = matrix.platforms.find((p) => p.name === platformName)!;
      const expected = createHash('sha256')
        .update(referenceCanonical({ builder: platformDefinition(platform), platform: job.platform, entry, recipe: RECIPE_VERSION }))
        .digest('hex');
      expect(job.key, `${job.extension} ${job.platform}`).toBe(expected);
    }
  });
});

describe('shard sizes', () => {
  it('count JSON exactly as JSON.stringify writes it', async () => {
    const jobs = expandJobs(await loadValidMatrix(await scratchMatrix({ 'a.yaml': entryYaml('a'), 'b.yaml': entryYaml('b', 'language: sql\n') })));
    const odd: object[] = [
      ...jobs,
      { s: 'quote" back\\ nl\n nul\u0000 lone\ud800 pair\ud83d\ude00 é', 'k"ey': 1, n: NaN, i: -Infinity, z: -0, e: 1e21, t: true, f: false },
      { lone: 'a\ud800b', trail: '\udfff', pair: '\ud83d\ude00', ctl: 'x\u001fy' },
      { u: undefined, fn: () => 1, sym: Symbol('s'), x: 'kept' },
      { nested: { a: [1, 'two'] }, nil: null },
      { when: new Date(0) },
      { toJSON: () => 'replaced' },
      new (class Job { extension = 'x'; pg = 17 })(),
      Object.assign(Object.create(null) as object, { a: 1 }),
      {},
    ];
    for (const v of odd) expect(jsonLength(v), JSON.stringify(v)).toBe(JSON.stringify(v).length);
    // Cut points follow the exact sizes: every shard of a tight limit fits it, none could take one more job.
    const shards = shard(jobs, 256, 1000);
    for (const [i, s] of shards.entries()) {
      expect(JSON.stringify(s.include).length).toBeLessThanOrEqual(1000);
      const next = shards[i + 1]?.include[0];
      if (next) expect(JSON.stringify([...s.include, next]).length).toBeGreaterThan(1000);
    }
  });
});
