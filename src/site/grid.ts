// The grid of one extension: a table with a caption, Postgres majors as row headers and platforms
// as column headers, each cell's state as text (its colour comes from the class) and, where there
// is a build, a link to it. The client script (assets/client.ts) renders the same markup from
// data/grid.json: keep the two in step.
import { esc } from './html.ts';
import { type Cell, cellId, type CellState, type ExtensionGrid, type SiteModel } from './model.ts';
import type { Shown } from './views.ts';

/** Site-relative path of an extension's page directory. */
export function extensionDir(ext: Pick<ExtensionGrid, 'slug'>): string {
  return `ext/${ext.slug}/`;
}

/** Site-relative path of the page of the build a cell shows. */
export function cellPage(ext: Pick<ExtensionGrid, 'slug'>, cell: Pick<Cell, 'pg' | 'column'>): string {
  return `${extensionDir(ext)}${cellId(cell.pg, cell.column)}.html`;
}

/** Whether a cell links to a build page: the states that have a build, and excluded cells that
 * still have an old one. */
function cellHasPage(cell: Cell): boolean {
  return cell.entry !== undefined;
}

export const STATE_HELP: Record<CellState, string> = {
  built: 'the build the plan wants is published',
  failed: 'the build the plan wants failed',
  stale: 'a build is published, but the plan now wants a new one (entry, images or recipe changed)',
  missing: 'planned, not built yet',
  excluded: 'not planned: outside the extension’s Postgres range, excluded, or the platform is gone',
};

export function gridHtml(model: SiteModel, shown: Shown, root: string): string {
  const { ext, rows, cols } = shown;
  const dir = root + extensionDir(ext);
  const head = cols.map((c) => `<th scope="col">${esc(ext.columns[c]!.label)}</th>`).join('');
  const body = rows
    .map((r) => {
      const pg = model.majors[r]!;
      const cells = cols
        .map((c) => {
          const cell = ext.rows[r]![c]!;
          if (!cellHasPage(cell)) return `<td class="s-${cell.state}">${cell.state}</td>`;
          const label = `${ext.name} ${ext.version}, Postgres ${pg}, ${ext.columns[c]!.label}: ${cell.state}`;
          return `<td class="s-${cell.state}"><a href="${esc(dir + cellId(cell.pg, cell.column))}.html" aria-label="${esc(label)}">${cell.state}</a></td>`;
        })
        .join('');
      return `<tr><th scope="row">${pg}</th>${cells}</tr>`;
    })
    .join('');
  const version = ext.version ? ` <span class="ver">${esc(ext.version)}</span>` : '';
  return `<div class="card"><div class="scroll"><table class="grid"><caption><a href="${esc(dir)}">${esc(ext.name)}</a>${version}</caption><thead><tr><th scope="col">Postgres</th>${head}</tr></thead><tbody>${body}</tbody></table></div></div>`;
}

/** The compact form of the whole site the client script filters: one string of state letters
 * per extension, row by row (majors), column by column. */
const STATE_LETTER: Record<CellState, string> = { built: 'b', failed: 'f', stale: 's', missing: 'm', excluded: 'x' };

export interface GridData {
  v: 1;
  majors: number[];
  columns: { id: string; label: string }[];
  /** [name, version, slug, column indices into `columns`, states]: a state letter per cell,
   * upper case when the cell links to a build page. */
  extensions: [string, string, string, number[], string][];
}

export function gridData(model: SiteModel): GridData {
  const index = new Map(model.columns.map((c, i) => [c.id, i]));
  return {
    v: 1,
    majors: model.majors,
    columns: model.columns.map(({ id, label }) => ({ id, label })),
    extensions: model.extensions.map((ext) => [
      ext.name,
      ext.version,
      ext.slug,
      ext.columns.map((c) => index.get(c.id)!),
      ext.rows.map((row) => row.map((cell) => (cellHasPage(cell) ? STATE_LETTER[cell.state].toUpperCase() : STATE_LETTER[cell.state])).join('')).join(''),
    ]),
  };
}
