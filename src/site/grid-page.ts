// The grid pages: one per view and first letter. Everything here works without JavaScript: the
// navigation lists are the filters (name by letter, Postgres major, platform, failing only), each
// a link to a pre-rendered page. The form is hidden until the client script shows it; it then
// filters every extension at once, as you type.
import { CELL_STATES, type SiteModel } from './model.ts';
import { formatCount, esc } from './html.ts';
import { gridHtml, STATE_HELP } from './grid.ts';
import { page, rootOf, type SiteOptions } from './page-shell.ts';
import type { Chunk, View } from './views.ts';

export interface ViewPages {
  view: View;
  chunks: Chunk[];
  total: number;
}

function pageName(c: Chunk): string {
  return c.parts > 1 ? `${c.letters} (${c.part} of ${c.parts})` : c.letters;
}

export function gridPage(model: SiteModel, all: ViewPages[], current: ViewPages, at: number, options: SiteOptions): { path: string; html: string } {
  const { view, chunks } = current;
  const chunk = chunks[at];
  const path = view.dir + (chunk?.file ?? 'index.html');
  const root = rootOf(path);
  const href = (target: string) => (root + target).replace(/(^|\/)index\.html$/, '$1') || './';

  const sameChunk = (other: ViewPages) => other.view.dir + (other.chunks.find((c) => c.id === chunk?.id)?.file ?? 'index.html');
  const navList = (label: string, items: { text: string; target: string; current: boolean }[]) =>
    `<nav aria-label="${esc(label)}"><h3>${esc(label)}</h3><ul>${items
      .map((i) => `<li><a href="${esc(href(i.target))}"${i.current ? ' aria-current="page"' : ''}>${esc(i.text)}</a></li>`)
      .join('')}</ul></nav>`;

  const byDim = (pred: (v: View) => boolean) => all.filter((p) => pred(p.view));
  const allView = all[0]!;
  // Letters first; a letter split in parts lists its parts on a second line, by guide word.
  const letters = chunks.filter((c) => c.part === 1);
  const names =
    navList('Name', letters.map((c) => ({ text: c.letters, target: view.dir + c.file, current: c.letters === chunk?.letters }))) +
    (chunk && chunk.parts > 1
      ? navList(`Pages of ${chunk.letters}`, chunks.filter((c) => c.letters === chunk.letters).map((c) => ({ text: `${c.label}…`, target: view.dir + c.file, current: c === chunk })))
      : '');
  const majors = navList('Postgres', [
    { text: 'all', target: sameChunk(view.filter.pg === undefined ? current : allView), current: view.filter.pg === undefined },
    ...byDim((v) => v.filter.pg !== undefined).map((p) => ({ text: String(p.view.filter.pg), target: sameChunk(p), current: p === current })),
  ]);
  const platforms = navList('Platform', [
    { text: 'all', target: sameChunk(view.filter.column === undefined ? current : allView), current: view.filter.column === undefined },
    ...byDim((v) => v.filter.column !== undefined).map((p) => ({ text: model.columns.find((c) => c.id === p.view.filter.column)!.label, target: sameChunk(p), current: p === current })),
  ]);
  const failingView = all.find((p) => p.view.filter.failing)!;
  const failing = navList('Status', [
    { text: 'any status', target: sameChunk(view.filter.failing ? allView : current), current: !view.filter.failing },
    { text: `failing only (${formatCount(failingView.total)})`, target: failingView.view.dir + 'index.html', current: current === failingView },
  ]);

  const option = (value: string, text: string, selected: boolean) => `<option value="${esc(value)}"${selected ? ' selected' : ''}>${esc(text)}</option>`;
  const form = `<form id="filter" class="filter" role="search" method="get" hidden>
<div><label for="f-q">Name</label><input id="f-q" name="q" type="search" autocomplete="off" spellcheck="false"></div>
<div><label for="f-pg">Postgres</label><select id="f-pg" name="pg">${option('', 'all', view.filter.pg === undefined)}${model.majors.map((pg) => option(String(pg), String(pg), view.filter.pg === pg)).join('')}</select></div>
<div><label for="f-on">Platform</label><select id="f-on" name="on">${option('', 'all', view.filter.column === undefined)}${model.columns
    .filter((c) => c.id !== 'any')
    .map((c) => option(c.id, c.label, view.filter.column === c.id))
    .join('')}</select></div>
<div class="check"><input id="f-failing" name="failing" type="checkbox" value="1"${view.filter.failing ? ' checked' : ''}><label for="f-failing">Failing only</label></div>
<div class="buttons"><button type="submit">Filter</button> <button type="reset">Reset</button></div>
<p id="f-status" class="status" role="status" aria-live="polite"></p>
</form>`;

  const shown = chunk?.items.length ?? 0;
  const heading = chunks.length > 1 && chunk ? `${view.title}: ${pageName(chunk)}` : view.title;
  const counts = CELL_STATES.map((s) => `<li><span class="s-${s} tag">${s}</span> ${formatCount(model.counts[s])}</li>`).join('');
  const summary = `<p class="summary">${formatCount(model.extensions.length)} extensions, ${formatCount(model.entries)} builds in the index${model.withMatrix ? '' : ' (no matrix given: excluded and stale cells are not known)'}. This view: ${formatCount(current.total)} extensions, ${formatCount(shown)} on this page.</p>`;
  const legend = `<details class="legend"><summary>What the states mean</summary><dl>${CELL_STATES.map((s) => `<dt><span class="s-${s} tag">${s}</span></dt><dd>${esc(STATE_HELP[s])}</dd>`).join('')}</dl></details>`;

  const prev = chunks[at - 1];
  const next = chunks[at + 1];
  const pager =
    prev || next
      ? `<nav class="pager" aria-label="Previous and next page">${prev ? `<a href="${esc(href(view.dir + prev.file))}" rel="prev">← ${esc(pageName(prev))}</a>` : '<span></span>'}${next ? `<a href="${esc(href(view.dir + next.file))}" rel="next">${esc(pageName(next))} →</a>` : ''}</nav>`
      : '';
  const grids = chunk ? chunk.items.map((s) => gridHtml(model, s, root)).join('\n') : '<p>No extension matches.</p>';

  const main = `<h1>${esc(heading)}</h1>
${summary}
<ul class="totals" aria-label="Cells by state, whole site">${counts}</ul>
<section class="filters" aria-labelledby="filters-h">
<h2 id="filters-h">Find</h2>
${form}
<div class="browse">${names}${majors}${platforms}${failing}</div>
</section>
${legend}
<div id="grids" class="grids">
${grids}
</div>
${pager}`;
  return { path, html: page({ path, title: heading, entryPoint: true, generatedAt: model.generatedAt }, options, main) };
}
