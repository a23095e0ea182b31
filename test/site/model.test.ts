import { describe, expect, it } from 'vitest';
import { buildModel, type Cell, type ExtensionGrid, type SiteModel } from '../../src/site/index.ts';
import { smallFarm } from './fixtures.ts';

function cell(model: SiteModel, ext: string, pg: number, column: string): Cell {
  const grid = model.extensions.find((e) => e.name === ext);
  if (!grid) throw new Error(`no grid for ${ext}`);
  const c = grid.rows[model.majors.indexOf(pg)]?.[grid.columns.findIndex((x) => x.id === column)];
  if (!c) throw new Error(`no cell ${ext} pg${pg} ${column}`);
  return c;
}
const grid = (model: SiteModel, name: string): ExtensionGrid => model.extensions.find((e) => e.name === name)!;

describe('cell states from the index and the matrix', () => {
  it('tells built, failed, stale, missing and excluded apart, with the plan\'s keys', async () => {
    const { matrix, index } = await smallFarm();
    const model = buildModel(index, matrix);
    expect(model.majors).toEqual([15, 16, 17]);
    expect(model.columns.map((c) => c.id)).toEqual(['gnulinux-amd64', 'gnulinux-arm64', 'musllinux-amd64', 'musllinux-arm64', 'any']);
    expect(model.extensions.map((e) => e.name)).toEqual(['alpha', 'beta', 'delta', 'gamma']);

    expect(cell(model, 'alpha', 15, 'gnulinux-amd64')).toMatchObject({ state: 'built', entry: { version: '1.0.0' } });
    expect(cell(model, 'alpha', 15, 'gnulinux-arm64')).toMatchObject({ state: 'failed' });
    const stale = cell(model, 'alpha', 16, 'gnulinux-amd64');
    expect(stale).toMatchObject({ state: 'stale', entry: { key: 'e'.repeat(64), version: '0.9.0' } });
    expect(stale.plannedKey).toMatch(/^[0-9a-f]{64}$/);
    expect(stale.plannedKey).not.toBe(stale.entry!.key);
    expect(cell(model, 'alpha', 16, 'gnulinux-arm64')).toMatchObject({ state: 'missing', others: [] });
    expect(cell(model, 'alpha', 16, 'gnulinux-arm64').entry).toBeUndefined();

    // The planned build wins over a newer-looking or older one; the rest are "others".
    const superseded = cell(model, 'alpha', 17, 'gnulinux-amd64');
    expect(superseded.state).toBe('built');
    expect(superseded.entry!.version).toBe('1.0.0');
    expect(superseded.others.map((e) => e.key)).toEqual(['f'.repeat(64)]);

    // Excluded, with the reason the matrix gives, and the old build still linked.
    expect(cell(model, 'beta', 15, 'gnulinux-amd64')).toMatchObject({ state: 'excluded', reason: 'outside the supported Postgres versions (>= 16)', entry: { key: '1'.repeat(64) } });
    expect(cell(model, 'beta', 16, 'musllinux-arm64')).toMatchObject({ state: 'excluded', reason: 'excluded (arm64, musl): no musl arm64 runner' });
    expect(cell(model, 'beta', 16, 'musllinux-arm64').entry).toBeUndefined();
    expect(cell(model, 'beta', 16, 'musllinux-amd64').state).toBe('missing');

    // SQL-only: one "any" column; an old per-platform build shows as excluded beside it.
    const gamma = grid(model, 'gamma');
    expect(gamma.sqlOnly).toBe(true);
    expect(gamma.columns.map((c) => c.id)).toEqual(['gnulinux-amd64', 'any']);
    expect(cell(model, 'gamma', 15, 'any').state).toBe('built');
    expect(cell(model, 'gamma', 16, 'any').state).toBe('missing');
    expect(cell(model, 'gamma', 16, 'gnulinux-amd64')).toMatchObject({ state: 'excluded', reason: 'SQL-only now: built once per major, as "any"' });

    // Gone from the matrix: nothing is planned, its last build stays linked.
    const delta = grid(model, 'delta');
    expect(delta.inMatrix).toBe(false);
    expect(cell(model, 'delta', 17, 'gnulinux-amd64')).toMatchObject({ state: 'excluded', reason: 'no longer in the matrix', entry: { key: '3'.repeat(64) } });
    expect(cell(model, 'delta', 15, 'gnulinux-amd64')).toMatchObject({ state: 'excluded', reason: 'no longer in the matrix' });

    // Counts add up to the cells.
    const cells = model.extensions.reduce((n, e) => n + e.rows.length * e.columns.length, 0);
    expect(Object.values(model.counts).reduce((a, b) => a + b, 0)).toBe(cells);
    expect(grid(model, 'alpha').counts).toEqual({ built: 2, failed: 1, stale: 1, missing: 8, excluded: 0 });
  });

  it('without a matrix, shows each cell\'s newest build and nothing planned', async () => {
    const { index } = await smallFarm();
    const model = buildModel(index);
    expect(model.withMatrix).toBe(false);
    expect(model.majors).toEqual([15, 16, 17]);
    expect(cell(model, 'alpha', 16, 'gnulinux-amd64')).toMatchObject({ state: 'built', entry: { version: '0.9.0' } });
    expect(cell(model, 'alpha', 17, 'gnulinux-amd64')).toMatchObject({ state: 'built', entry: { version: '1.0.0' } });
    expect(cell(model, 'beta', 15, 'gnulinux-amd64').state).toBe('built');
    expect(model.counts.excluded).toBe(0);
    expect(model.counts.stale).toBe(0);
    // Columns come from the index alone: only glibc builds, so no musl column.
    expect(grid(model, 'alpha').columns.map((c) => c.id)).toEqual(['gnulinux-amd64', 'gnulinux-arm64']);
    // gamma has a per-platform and an "any" build: it is not SQL-only as far as the index knows.
    expect(grid(model, 'gamma').columns.map((c) => c.id)).toEqual(['gnulinux-amd64', 'gnulinux-arm64', 'any']);
  });
});
