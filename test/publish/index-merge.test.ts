// The index merge rule (src/publish/index-merge.ts), as pure functions: no store involved.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.ts';
import { readIndexKeys } from '../../src/plan/select.ts';
import { emptyIndex, mergeIndex, parseIndex, serializeIndex } from '../../src/publish/index-merge.ts';
import type { IndexEntry, PublishedIndexFile } from '../../src/types.ts';

function entry(over: Partial<IndexEntry> & { key: string }): IndexEntry {
  const base: IndexEntry = {
    key: over.key,
    extension: 'pgvector',
    version: '0.8.0',
    pg: 17,
    arch: 'amd64',
    libc: 'glibc',
    platform: 'pg17-gnulinux-amd64',
    status: 'built',
    trunk: { file: 'pgvector-0.8.0+pg17-gnulinux-amd64.trunk', sha256: 'a'.repeat(64), size: 1000, files: 5 },
    closure: { ok: true, bundled: [], problems: [] },
    provenance: { source: 'https://example.org/pgvector-0.8.0.tar.gz', sourceDigest: 'sha256:' + 'b'.repeat(64), builderImage: 'builder', baseImage: 'base' },
    builtAt: '2025-01-01T00:00:00.000Z',
  };
  const e = { ...base, ...over };
  if (e.status === 'failed') {
    delete e.trunk;
    e.failure ??= { step: 'build', message: 'make failed' };
  }
  return e;
}

const index = (entries: IndexEntry[]): PublishedIndexFile => ({ version: 1, generatedAt: '2025-01-01T00:00:00.000Z', entries });
const keys = (i: PublishedIndexFile) => i.entries.map((e) => e.key);
const T = (h: number) => `2025-01-01T${String(h).padStart(2, '0')}:00:00.000Z`;

describe('mergeIndex', () => {
  it('a newer successful build of the same cell supersedes the old one', () => {
    const merged = mergeIndex(index([entry({ key: 'k1', builtAt: T(1) })]), [entry({ key: 'k2', builtAt: T(2) })]);
    expect(keys(merged)).toEqual(['k2']);
  });

  it('a failed rebuild keeps the last good build, and both are listed', () => {
    const good = entry({ key: 'k1', builtAt: T(1) });
    const failed = entry({ key: 'k2', builtAt: T(2), status: 'failed' });
    const merged = mergeIndex(index([good]), [failed]);
    expect(merged.entries).toEqual([good, failed]);

    // A later success ends the story: the failure and the old build go.
    const fixed = entry({ key: 'k3', builtAt: T(3) });
    expect(keys(mergeIndex(merged, [fixed]))).toEqual(['k3']);
    // A later failure replaces the earlier failure, never the good build.
    const again = entry({ key: 'k4', builtAt: T(4), status: 'failed' });
    expect(keys(mergeIndex(merged, [again]))).toEqual(['k1', 'k4']);
  });

  it('a failure older than the good build is dropped, whatever order they arrive in', () => {
    const good = entry({ key: 'k2', builtAt: T(2) });
    const staleFailure = entry({ key: 'k1', builtAt: T(1), status: 'failed' });
    expect(keys(mergeIndex(index([good]), [staleFailure]))).toEqual(['k2']);
    expect(keys(mergeIndex(index([staleFailure]), [good]))).toEqual(['k2']);
  });

  it('an older success arriving late does not replace a newer one', () => {
    const merged = mergeIndex(index([entry({ key: 'new', builtAt: T(5) })]), [entry({ key: 'old', builtAt: T(1) })]);
    expect(keys(merged)).toEqual(['new']);
  });

  it('same key: a re-publish refreshes the entry, but a failure never replaces a success', () => {
    const first = entry({ key: 'k', builtAt: T(1) });
    const refreshed = entry({ key: 'k', builtAt: T(1), trunk: { ...first.trunk!, url: 'https://example.org/releases/x.trunk' } });
    expect(mergeIndex(index([first]), [refreshed]).entries).toEqual([refreshed]);
    const flake = entry({ key: 'k', builtAt: T(2), status: 'failed' });
    expect(mergeIndex(index([first]), [flake]).entries).toEqual([first]);
    // And the other way round: success replaces a failure of the same key.
    expect(mergeIndex(index([flake]), [first]).entries).toEqual([first]);
  });

  it('different cells never touch each other, and come out in a fixed order', () => {
    const cells = [
      entry({ key: 'c', extension: 'pg_cron', version: '1.6.4', platform: 'pg17-gnulinux-arm64', arch: 'arm64' }),
      entry({ key: 'a', extension: 'pgvector', version: '0.8.0', platform: 'pg16-gnulinux-amd64', pg: 16 }),
      entry({ key: 'b', extension: 'pgvector', version: '0.7.4' }),
      entry({ key: 'd', extension: 'pgvector', version: '0.8.0', platform: 'pg17-gnulinux-amd64' }),
      entry({ key: 'e', extension: 'pgvector', version: '0.8.0', platform: 'pg17-musllinux-amd64', libc: 'musl' }),
    ];
    const merged = mergeIndex(index(cells.slice(0, 2)), cells.slice(2));
    expect(keys(merged)).toEqual(['c', 'b', 'a', 'd', 'e']);
    expect(keys(mergeIndex(emptyIndex(), [...cells].reverse()))).toEqual(['c', 'b', 'a', 'd', 'e']);
  });

  it('does not depend on the order or batching of publishes (random histories)', () => {
    // A small seeded generator: the same histories every run.
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const all: IndexEntry[] = [];
      for (let i = 0; i < 12; i++) {
        all.push(
          entry({
            key: `k${round}-${i}`,
            version: `0.${rand(2)}.0`,
            platform: ['pg17-gnulinux-amd64', 'pg16-gnulinux-amd64'][rand(2)]!,
            builtAt: T(rand(6)),
            status: rand(3) === 0 ? 'failed' : 'built',
          }),
        );
      }
      const atOnce = mergeIndex(emptyIndex(), all);
      // Shuffle, then fold in random batches, as racing publishes would.
      const shuffled = [...all];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = rand(i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      let folded = emptyIndex();
      for (let i = 0; i < shuffled.length; ) {
        const n = 1 + rand(4);
        folded = mergeIndex(folded, shuffled.slice(i, i + n));
        i += n;
      }
      expect(keys(folded)).toEqual(keys(atOnce));
      // And the rule holds: per cell, the newest success plus a newer failure, nothing else.
      for (const e of atOnce.entries) {
        const cell = all.filter((x) => x.version === e.version && x.platform === e.platform);
        const newest = (list: IndexEntry[]) => list.sort((a, b) => a.builtAt.localeCompare(b.builtAt) || a.key.localeCompare(b.key)).at(-1);
        const good = newest(cell.filter((x) => x.status === 'built'));
        if (e.status === 'built') expect(e).toBe(good);
        else {
          expect(e).toBe(newest(cell.filter((x) => x.status === 'failed')));
          if (good) expect(e.builtAt >= good.builtAt).toBe(true);
        }
      }
    }
  });

  it('sets generatedAt and checks new entries', () => {
    const now = new Date('2025-06-01T12:00:00Z');
    expect(mergeIndex(emptyIndex(), [], now).generatedAt).toBe('2025-06-01T12:00:00.000Z');
    expect(() => mergeIndex(emptyIndex(), [{ ...entry({ key: 'k' }), status: 'done' as 'built' }])).toThrow(/new index entry 0: "status" must be "built" or "failed"/);
  });
});

describe('parseIndex', () => {
  it('reads what serializeIndex wrote', () => {
    const i = mergeIndex(emptyIndex(), [entry({ key: 'k1' }), entry({ key: 'k2', version: '0.7.4' })]);
    expect(parseIndex(serializeIndex(i), 'index.json')).toEqual(i);
  });

  it('names the file and the entry that is wrong', () => {
    const bad = (text: string) => {
      try {
        parseIndex(text, 'site/index.json');
      } catch (err) {
        expect(err).toBeInstanceOf(UserError);
        return (err as Error).message;
      }
      throw new Error('parsed');
    };
    expect(bad('{')).toMatch(/^site\/index.json: not JSON/);
    expect(bad('[]')).toMatch(/expected an object/);
    expect(bad('{"version":2,"entries":[]}')).toMatch(/index version 2 is not 1: it was written by a newer trunkfarm/);
    expect(bad('{"version":1}')).toMatch(/"entries" must be a list/);
    const entries = [entry({ key: 'k1' }), { ...entry({ key: 'k2' }), key: 7 }];
    expect(bad(JSON.stringify({ version: 1, generatedAt: '', entries }))).toBe('site/index.json: entries[1]: "key" must be a non-empty string');
    const undated = [{ ...entry({ key: 'k' }), builtAt: 'yesterday' }];
    expect(bad(JSON.stringify({ version: 1, entries: undated }))).toMatch(/entries\[0\]: "builtAt" is not a date/);
  });

  it('is what the planner reads (trunkfarm plan --index)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'trunkfarm-index-'));
    try {
      const i = mergeIndex(emptyIndex(), [entry({ key: 'k1' }), entry({ key: 'k2', builtAt: T(2), status: 'failed' })]);
      await writeFile(path.join(dir, 'index.json'), serializeIndex(i));
      // A failed build is kept in the index but is not "published": the next rebuild retries it.
      expect([...(await readIndexKeys(path.join(dir, 'index.json')))].sort()).toEqual(['k1']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
