import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyFilter, buildModel, chunk, views } from '../../src/site/index.ts';
import { extensionNames, syntheticIndex, writeSyntheticMatrix } from './synthetic.ts';
import { loadValidMatrix } from '../../src/matrix/index.ts';
import { smallFarm } from './fixtures.ts';

describe('filters and pages', () => {
  it('filters by name, major, platform and failing, as the client script does', async () => {
    const { matrix, index } = await smallFarm();
    const model = buildModel(index, matrix);
    const names = (f: Parameters<typeof applyFilter>[1]) => applyFilter(model, f).map((s) => s.ext.name);
    expect(names({})).toEqual(['alpha', 'beta', 'delta', 'gamma']);
    expect(names({ q: 'AMM' })).toEqual(['gamma']);
    expect(names({ failing: true })).toEqual(['alpha']);
    expect(names({ failing: true, pg: 16 })).toEqual([]);
    const pg15 = applyFilter(model, { pg: 15 });
    expect(pg15.every((s) => s.rows.length === 1 && model.majors[s.rows[0]!] === 15)).toBe(true);
    // A platform keeps its own column and the SQL-only "any" column.
    const musl = applyFilter(model, { column: 'musllinux-arm64' });
    expect(musl.map((s) => [s.ext.name, s.cols.map((c) => s.ext.columns[c]!.id)])).toEqual([
      ['alpha', ['musllinux-arm64']],
      ['beta', ['musllinux-arm64']],
      ['delta', ['musllinux-arm64']],
      ['gamma', ['any']],
    ]);
  });

  it('pages by first letter: neighbours share a page while they fit, a crowded letter is split evenly', async () => {
    const { matrix, index } = await smallFarm();
    const model = buildModel(index, matrix);
    const names = ['pg_audit', 'pg_cron', 'pg_hint_plan', 'pg_repack', 'pgvector', 'postgis', 'age', '9lives', 'semver', 'topn', 'uuidv7'];
    const shown = names.sort().map((name) => ({ ext: { ...model.extensions[0]!, name }, rows: [0], cols: [0] }));
    const pages = chunk(shown, 2);
    expect(pages.map((p) => [p.id, p.letters, p.label, p.file, p.items.map((s) => s.ext.name)])).toEqual([
      ['other-a', '#–a', '#–a', 'index.html', ['9lives', 'age']],
      ['p-1', 'p', 'p', 'p-1.html', ['pg_audit', 'pg_cron']],
      ['p-2', 'p', 'pg_h', 'p-2.html', ['pg_hint_plan', 'pg_repack']],
      ['p-3', 'p', 'pgv', 'p-3.html', ['pgvector', 'postgis']],
      ['s-t', 's–t', 's–t', 's-t.html', ['semver', 'topn']],
      ['u', 'u', 'u', 'u.html', ['uuidv7']],
    ]);
    expect(pages.every((p) => p.items.length <= 2)).toBe(true);
    // A farm smaller than a page is one page.
    expect(chunk(shown, 50).map((p) => [p.id, p.letters, p.file])).toEqual([['other-u', '#–u', 'index.html']]);
  });

  it('has a view per major, per platform, and for failing builds', async () => {
    const { matrix, index } = await smallFarm();
    const v = views(buildModel(index, matrix));
    expect(v.map((x) => x.dir)).toEqual(['', 'pg15/', 'pg16/', 'pg17/', 'on/gnulinux-amd64/', 'on/gnulinux-arm64/', 'on/musllinux-amd64/', 'on/musllinux-arm64/', 'failing/']);
  });

  it('generates a realistic synthetic farm: every state, several majors and platforms, bundled libraries', async () => {
    expect(new Set(extensionNames(500)).size).toBe(500);
    const root = await mkdtemp(path.join(tmpdir(), 'trunkfarm-site-synthetic-'));
    const matrix = await loadValidMatrix(await writeSyntheticMatrix(120, 3, root)).finally(() => rm(root, { recursive: true, force: true }));
    const index = syntheticIndex(matrix, 3);
    const model = buildModel(index, matrix);
    expect(model.majors).toEqual([14, 15, 16, 17, 18]);
    for (const state of ['built', 'failed', 'stale', 'missing', 'excluded'] as const) expect(model.counts[state], state).toBeGreaterThan(0);
    expect(model.extensions.some((e) => e.sqlOnly)).toBe(true);
    expect(index.entries.some((e) => e.closure.bundled.some((b) => b.license))).toBe(true);
    expect(syntheticIndex(matrix, 3)).toEqual(index);
  });
});
