// One page per extension: what it is (from the matrix), its whole grid, why cells are not built,
// and every build of it in the index.
import type { IndexEntry } from '../types.ts';
import { buildsTable } from './artifact-page.ts';
import { extensionDir, gridHtml } from './grid.ts';
import { esc, externalLink, formatCount } from './html.ts';
import { page, rootOf, type SiteOptions } from './page-shell.ts';
import { CELL_STATES, cellId, type ExtensionGrid, type SiteModel } from './model.ts';

export function extensionPage(model: SiteModel, ext: ExtensionGrid, options: SiteOptions, paths: ReadonlyMap<string, string>): { path: string; html: string } {
  const path = `${extensionDir(ext)}index.html`;
  const root = rootOf(path);
  const about: string[] = [];
  const fact = (h: string, v: string) => about.push(`<tr><th scope="row">${esc(h)}</th><td>${v}</td></tr>`);
  if (ext.version) fact('Version', esc(ext.version));
  if (ext.license) fact('License', esc(ext.license));
  if (ext.homepage) fact('Homepage', externalLink(ext.homepage));
  if (ext.controls.length > 0) fact('Provides', ext.controls.map((c) => `<code>CREATE EXTENSION ${esc(c)}</code>`).join(', '));
  if (ext.preload.length > 0) fact('Preload', `${ext.preload.map((m) => `<code>${esc(m)}</code>`).join(', ')} in <code>shared_preload_libraries</code>`);
  fact('Kind', ext.sqlOnly ? 'SQL only: one package per Postgres major, for every platform' : 'compiled: one package per Postgres major and platform');
  fact('Cells', CELL_STATES.filter((s) => ext.counts[s] > 0).map((s) => `${formatCount(ext.counts[s])} ${s}`).join(', '));
  const note = ext.inMatrix ? '' : '<p class="note">This extension is no longer in the matrix: its builds stay listed, but none is planned.</p>';

  // Cells not built, grouped by reason: a range or an exclusion covers a whole row or column.
  const reasons = new Map<string, string[]>();
  for (const row of ext.rows) {
    for (const cell of row) {
      if (cell.state !== 'excluded' && cell.state !== 'missing') continue;
      const why = cell.state === 'missing' ? 'planned, not built yet' : (cell.reason ?? 'not planned');
      reasons.set(why, [...(reasons.get(why) ?? []), cellId(cell.pg, cell.column)]);
    }
  }
  const notBuilt =
    reasons.size > 0
      ? `<section aria-labelledby="h-notbuilt"><h2 id="h-notbuilt">Not built</h2><ul class="reasons">${[...reasons]
          .map(([why, cells]) => `<li>${esc(why)}: ${cells.map((c) => `<code>${esc(c)}</code>`).join(' ')}</li>`)
          .join('')}</ul></section>`
      : '';

  const builds = ext.rows.flat().flatMap((c) => [c.entry, ...c.others]).filter((e): e is IndexEntry => e !== undefined);
  const grid = gridHtml(model, { ext, rows: model.majors.map((_, i) => i), cols: ext.columns.map((_, i) => i) }, root);
  const main = `<nav class="crumbs" aria-label="Breadcrumb"><ol><li><a href="${root}">All extensions</a></li><li aria-current="page">${esc(ext.name)}</li></ol></nav>
<h1>${esc(ext.name)}</h1>
${ext.abstract ? `<p class="abstract">${esc(ext.abstract)}</p>` : ''}
${note}
<div class="scroll"><table class="facts"><caption class="vh">About ${esc(ext.name)}</caption><tbody>${about.join('')}</tbody></table></div>
<section aria-labelledby="h-grid"><h2 id="h-grid">Builds by Postgres major and platform</h2><div class="grids one">${grid}</div></section>
${notBuilt}
<section aria-labelledby="h-builds"><h2 id="h-builds">Every build in the index</h2>${builds.length > 0 ? buildsTable(builds, root, `${builds.length} builds of ${ext.name}`, paths) : '<p>None yet.</p>'}</section>`;
  return { path, html: page({ path, title: ext.name, generatedAt: model.generatedAt }, options, main) };
}
