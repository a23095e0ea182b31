// Filtering and paging, shared by the pre-rendered pages (which work without JavaScript) and the
// data the client script filters instantly. A view is one filter dimension (a Postgres major, a
// platform, or failing only); its pages split the extensions by first letter.
import { ANY, type ExtensionGrid, type SiteModel } from './model.ts';

export interface Filter {
  /** Part of the extension's name, case-insensitive. */
  q?: string;
  pg?: number;
  /** A platform column id (`gnulinux-amd64`); SQL-only packages match every platform. */
  column?: string;
  failing?: boolean;
}

/** One extension's grid as a filter leaves it: indices of the rows (majors) and columns shown. */
export interface Shown {
  ext: ExtensionGrid;
  rows: number[];
  cols: number[];
}

export function applyFilter(model: SiteModel, filter: Filter): Shown[] {
  const q = filter.q?.trim().toLowerCase();
  const rows = model.majors.flatMap((pg, i) => (filter.pg === undefined || filter.pg === pg ? [i] : []));
  const out: Shown[] = [];
  for (const ext of model.extensions) {
    if (q && !ext.name.toLowerCase().includes(q)) continue;
    const cols = ext.columns.flatMap((c, i) => (filter.column === undefined || c.id === filter.column || c.id === ANY ? [i] : []));
    if (cols.length === 0 || rows.length === 0) continue;
    if (filter.failing && !rows.some((r) => cols.some((c) => ext.rows[r]![c]!.state === 'failed'))) continue;
    out.push({ ext, rows, cols });
  }
  return out;
}

export interface View {
  /** Directory of the view's pages, relative to the site root ('' or ending in '/'). */
  dir: string;
  title: string;
  filter: Filter;
}

export function views(model: SiteModel): View[] {
  return [
    { dir: '', title: 'All extensions', filter: {} },
    ...model.majors.map((pg) => ({ dir: `pg${pg}/`, title: `Postgres ${pg}`, filter: { pg } })),
    ...model.columns.filter((c) => c.id !== ANY).map((c) => ({ dir: `on/${c.id}/`, title: `On ${c.label}`, filter: { column: c.id } })),
    { dir: 'failing/', title: 'Failing builds', filter: { failing: true } },
  ];
}

export interface Chunk {
  /** `a`, `a-c`, `p-2`, `other`; the first chunk of a view is its index.html. */
  id: string;
  /** The first letters of its names: `a`, or `a–c` for neighbours merged into one page; `#` stands
   * for names that start with another character. */
  letters: string;
  /** Which part of a letter split in parts (1-based), with how many parts there are. */
  part: number;
  parts: number;
  /** What the navigation says of a part: a guide word, the shortest start of its first name that
   * tells it from the previous part (`pg_h`); for a whole page, its letters. */
  label: string;
  file: string;
  items: Shown[];
}

/** Pages of at most `size` extensions, by first letter: neighbouring letters share a page while
 * they fit, a crowded letter is split evenly in parts. */
export function chunk(items: Shown[], size: number): Chunk[] {
  const groups = new Map<string, Shown[]>();
  for (const s of items) {
    const c = s.ext.name.charAt(0).toLowerCase();
    const letter = c >= 'a' && c <= 'z' ? c : '#';
    let group = groups.get(letter);
    if (!group) groups.set(letter, (group = []));
    group.push(s);
  }
  const idOf = (letter: string) => (letter === '#' ? 'other' : letter);
  const out: Omit<Chunk, 'file'>[] = [];
  let open: { first: string; last: string; items: Shown[] } | undefined;
  const close = () => {
    if (!open) return;
    const single = open.first === open.last;
    out.push({
      id: single ? idOf(open.first) : `${idOf(open.first)}-${idOf(open.last)}`,
      letters: single ? open.first : `${open.first}–${open.last}`,
      part: 1,
      parts: 1,
      label: single ? open.first : `${open.first}–${open.last}`,
      items: open.items,
    });
    open = undefined;
  };
  for (const [letter, list] of [...groups].sort(([a], [b]) => (a === '#' ? -1 : b === '#' ? 1 : a < b ? -1 : 1))) {
    if (list.length > size) {
      close();
      const parts = Math.ceil(list.length / size);
      const per = Math.ceil(list.length / parts);
      const split = Array.from({ length: parts }, (_, k) => list.slice(k * per, (k + 1) * per));
      split.forEach((part, k) => {
        const label = k === 0 ? letter : guide(part[0]!.ext.name, split[k - 1]!.at(-1)!.ext.name);
        out.push({ id: `${idOf(letter)}-${k + 1}`, letters: letter, part: k + 1, parts, label, items: part });
      });
      continue;
    }
    if (open && open.items.length + list.length > size) close();
    if (open) {
      open.last = letter;
      open.items = [...open.items, ...list];
    } else {
      open = { first: letter, last: letter, items: list };
    }
  }
  close();
  return out.map((c, i) => ({ ...c, file: i === 0 ? 'index.html' : `${c.id}.html` }));
}

/** The shortest prefix of `name` that tells it apart from its neighbour, as dictionaries head pages. */
function guide(name: string, neighbour: string | undefined): string {
  const a = name.toLowerCase();
  const b = neighbour?.toLowerCase() ?? '';
  let n = 1;
  while (n < a.length && a.slice(0, n) === b.slice(0, n)) n++;
  return name.slice(0, n);
}
