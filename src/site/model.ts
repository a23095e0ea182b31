// What the status page shows, computed once from the index and, when given, the matrix: one grid per
// extension (rows Postgres majors, columns platforms), each cell in one of five states. The matrix
// says what should exist (the plan's jobs and their build keys); the index says what does.
import { entryPlatforms, type LoadedEntry, type Matrix } from '../matrix/index.ts';
import { expandJobs } from '../plan/index.ts';
import { type Arch, type IndexEntry, type Libc, type Platform, type PublishedIndexFile, TRUNK_OS } from '../types.ts';

export const CELL_STATES = ['built', 'failed', 'stale', 'missing', 'excluded'] as const;
/** built/failed: the index has the build the plan wants (or, without a matrix, the newest build).
 * stale: the index has a build for the cell, but under another key than the plan's.
 * missing: planned, not built yet. excluded: not planned (range, exclusions, platform gone). */
export type CellState = (typeof CELL_STATES)[number];

/** The column of SQL-only packages, built once per major. */
export const ANY = 'any';

export interface Column {
  /** `gnulinux-amd64`, or `any`: with `pg17-` in front it is the platform's name. */
  id: string;
  label: string;
  arch?: Arch;
  libc?: Libc;
}

export interface Cell {
  pg: number;
  column: string;
  state: CellState;
  /** The build the cell shows and links to: the planned one, else the newest. */
  entry?: IndexEntry;
  /** The cell's other builds, newest first. */
  others: IndexEntry[];
  /** Why an excluded cell is not built. */
  reason?: string;
  /** The build key the plan wants (with a matrix). */
  plannedKey?: string;
}

export interface ExtensionGrid {
  name: string;
  /** A path segment safe on any file system and URL (see slug()). */
  slug: string;
  version: string;
  abstract?: string;
  license?: string;
  homepage?: string;
  /** CREATE EXTENSION names, from the matrix. */
  controls: string[];
  /** Modules that must be in shared_preload_libraries, from the matrix. */
  preload: string[];
  sqlOnly: boolean;
  /** False when a matrix was given and has no entry of this name (any more). */
  inMatrix: boolean;
  /** The extension's columns, in the site's column order. */
  columns: Column[];
  /** One row per site major (SiteModel.majors), one cell per column. */
  rows: Cell[][];
  counts: Record<CellState, number>;
}

export interface SiteModel {
  generatedAt: string;
  withMatrix: boolean;
  majors: number[];
  /** Every column any extension has, platform columns first, `any` last. */
  columns: Column[];
  extensions: ExtensionGrid[];
  entries: number;
  counts: Record<CellState, number>;
}

export function cellId(pg: number, column: string): string {
  return `pg${pg}-${column}`;
}

export function columnOf(e: Pick<IndexEntry, 'platform' | 'arch' | 'libc'>): string {
  return e.platform.endsWith(`-${ANY}`) ? ANY : `${TRUNK_OS[e.libc]}-${e.arch}`;
}

function emptyCounts(): Record<CellState, number> {
  return { built: 0, failed: 0, stale: 0, missing: 0, excluded: 0 };
}

const SLUG = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Names as the matrix allows them are their own slug; anything else (the index is not validated
 * by the matrix's rules) becomes `_` and a hash, which no valid name can collide with. */
export function slug(name: string): string {
  if (SLUG.test(name)) return name;
  let h = 0x811c9dc5;
  for (const c of new TextEncoder().encode(name)) h = Math.imul(h ^ c, 0x01000193) >>> 0;
  return `_${h.toString(16).padStart(8, '0')}`;
}

/** Newest first; the key breaks ties so the order never depends on the index's order. */
function newestFirst(a: IndexEntry, b: IndexEntry): number {
  return (Date.parse(b.builtAt) || 0) - (Date.parse(a.builtAt) || 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

function platformColumn(p: Pick<Platform, 'arch' | 'libc'>): Column {
  return { id: `${TRUNK_OS[p.libc]}-${p.arch}`, label: `${p.arch} ${p.libc}`, arch: p.arch, libc: p.libc };
}

export function buildModel(index: PublishedIndexFile, matrix?: Matrix): SiteModel {
  const byExtension = new Map<string, Map<string, IndexEntry[]>>();
  for (const e of index.entries) {
    let cells = byExtension.get(e.extension);
    if (!cells) byExtension.set(e.extension, (cells = new Map()));
    const id = cellId(e.pg, columnOf(e));
    cells.set(id, [...(cells.get(id) ?? []), e]);
  }
  for (const cells of byExtension.values()) for (const list of cells.values()) list.sort(newestFirst);

  const columns = new Map<string, Column>();
  for (const p of matrix?.platforms ?? []) if (!columns.has(platformColumn(p).id)) columns.set(platformColumn(p).id, platformColumn(p));
  const extra = [...new Map(index.entries.filter((e) => columnOf(e) !== ANY).map((e) => [columnOf(e), platformColumn(e)])).values()];
  for (const c of extra.sort((a, b) => a.id.localeCompare(b.id))) if (!columns.has(c.id)) columns.set(c.id, c);
  const platformColumns = [...columns.values()];
  const anyColumn: Column = { id: ANY, label: 'any (SQL only)' };
  const allColumns = [...platformColumns, anyColumn];

  const majors = [...new Set([...(matrix?.platformsFile.postgres ?? []), ...index.entries.map((e) => e.pg)])].sort((a, b) => a - b);

  const jobs = new Map<string, string>();
  for (const j of matrix ? expandJobs(matrix) : []) jobs.set(`${j.extension}\0${cellId(j.pg, j.platform.endsWith(`-${ANY}`) ? ANY : `${TRUNK_OS[j.libc]}-${j.arch}`)}`, j.key);
  const loaded = new Map((matrix?.entries ?? []).map((l) => [l.entry.name, l]));

  const names = [...new Set([...loaded.keys(), ...byExtension.keys()])].sort(compareNames);
  const counts = emptyCounts();
  const extensions = names.map((name) => {
    const entry = loaded.get(name);
    const cells = byExtension.get(name) ?? new Map<string, IndexEntry[]>();
    const built = [...cells.values()].flat();
    const sqlOnly = entry ? entry.entry.language === 'sql' : built.length > 0 && built.every((e) => columnOf(e) === ANY);
    const has = new Set(built.map(columnOf));
    const ids = new Set(sqlOnly ? [ANY] : platformColumns.map((c) => c.id));
    for (const id of has) ids.add(id);
    const extColumns = allColumns.filter((c) => ids.has(c.id));

    const grid: ExtensionGrid = {
      name,
      slug: slug(name),
      version: entry?.entry.version ?? [...built].sort(newestFirst)[0]?.version ?? '',
      ...(entry ? { abstract: entry.entry.abstract, license: entry.entry.license, homepage: entry.entry.homepage } : {}),
      controls: entry?.entry.contents.extensions ?? [],
      preload: Object.entries(entry?.entry.contents.modules ?? {}).filter(([, m]) => m.preload === 'server').map(([n]) => n),
      sqlOnly,
      inMatrix: matrix === undefined || entry !== undefined,
      columns: extColumns,
      rows: [],
      counts: emptyCounts(),
    };
    grid.rows = majors.map((pg) =>
      extColumns.map((col) => {
        const id = cellId(pg, col.id);
        const cell = matrix
          ? plannedCell(matrix, entry, pg, col, cells.get(id) ?? [], jobs.get(`${name}\0${id}`))
          : indexCell(pg, col, cells.get(id) ?? []);
        grid.counts[cell.state]++;
        counts[cell.state]++;
        return cell;
      }),
    );
    return grid;
  });

  return { generatedAt: index.generatedAt, withMatrix: matrix !== undefined, majors, columns: allColumns.filter((c) => extensions.some((x) => x.columns.includes(c))), extensions, entries: index.entries.length, counts };
}

function indexCell(pg: number, col: Column, builds: IndexEntry[]): Cell {
  const [entry, ...others] = builds;
  return entry ? { pg, column: col.id, state: entry.status, entry, others } : { pg, column: col.id, state: 'missing', others };
}

function plannedCell(matrix: Matrix, loaded: LoadedEntry | undefined, pg: number, col: Column, builds: IndexEntry[], plannedKey: string | undefined): Cell {
  const base = { pg, column: col.id };
  if (plannedKey !== undefined) {
    const current = builds.find((e) => e.key === plannedKey);
    if (current) return { ...base, state: current.status, entry: current, others: builds.filter((e) => e !== current), plannedKey };
    const [entry, ...others] = builds;
    return entry ? { ...base, state: 'stale', entry, others, plannedKey } : { ...base, state: 'missing', others, plannedKey };
  }
  const [entry, ...others] = builds;
  return { ...base, state: 'excluded', ...(entry ? { entry } : {}), others, reason: exclusionReason(matrix, loaded, pg, col) };
}

/** Says why the plan has no job for a cell, asking the matrix's own rules (entryPlatforms) about
 * the entry with and without each of its exclusions. */
function exclusionReason(matrix: Matrix, loaded: LoadedEntry | undefined, pg: number, col: Column): string {
  if (!loaded) return 'no longer in the matrix';
  const { entry } = loaded;
  const sql = entry.language === 'sql';
  if (sql && col.id !== ANY) return 'SQL-only now: built once per major, as "any"';
  if (!sql && col.id === ANY) return 'not SQL-only now: built per platform';
  const { arch, libc } = col.id === ANY ? matrix.platformsFile.default : { arch: col.arch, libc: col.libc };
  const platform = matrix.platforms.find((p) => p.pg === pg && p.arch === arch && p.libc === libc);
  if (!platform) return `Postgres ${pg} on ${arch} ${libc} is not a platform of the matrix`;
  if (entryPlatforms({ ...entry, platforms: undefined }, [platform]).length === 0) {
    return `outside the supported Postgres versions (${entry.dependencies.postgres?.version ?? '*'})`;
  }
  for (const x of entry.platforms?.exclude ?? []) {
    if (entryPlatforms({ ...entry, platforms: { exclude: [x] } }, [platform]).length === 0) {
      const what = [x.pg !== undefined ? `pg ${x.pg}` : '', x.arch ?? '', x.libc ?? ''].filter(Boolean).join(', ');
      return `excluded (${what})${x.reason ? `: ${x.reason}` : ''}`;
    }
  }
  return 'not planned';
}

/** Extension names in a stable, locale-free order. */
function compareNames(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
}
