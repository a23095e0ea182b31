// Every file of the site, page by page, as a generator: a big index is never held in memory as
// pages at once.
import type { PublishedIndexFile } from '../types.ts';
import { artifactPage, extensionArtifactPages } from './artifact-page.ts';
import { STYLE } from './assets/style.ts';
import { extensionPage } from './extension-page.ts';
import { gridData } from './grid.ts';
import { gridPage, type ViewPages } from './grid-page.ts';
import { GRID_DATA, INDEX_COPY, type SiteOptions, STYLESHEET } from './page-shell.ts';
import type { SiteModel } from './model.ts';
import { applyFilter, chunk, views } from './views.ts';

export interface SiteFile {
  /** Path inside the site, `/`-separated. */
  path: string;
  data: string | Uint8Array;
}

export interface RenderOptions extends SiteOptions {
  /** Extensions per grid page (a letter with more is split). */
  pageSize?: number;
  /** index.json as published, copied byte for byte; else the parsed index, re-serialised. */
  indexBytes?: Uint8Array;
}

export const DEFAULT_PAGE_SIZE = 50;

export function* renderSite(model: SiteModel, index: PublishedIndexFile, options: RenderOptions = {}): Generator<SiteFile> {
  const size = options.pageSize ?? DEFAULT_PAGE_SIZE;
  yield { path: STYLESHEET, data: STYLE };
  yield { path: INDEX_COPY, data: options.indexBytes ?? `${JSON.stringify(index, null, 2)}\n` };
  yield { path: GRID_DATA, data: JSON.stringify(gridData(model)) };
  // GitHub Pages runs Jekyll unless told not to, and Jekyll drops paths starting with "_".
  yield { path: '.nojekyll', data: '' };

  const all: ViewPages[] = views(model).map((view) => {
    const shown = applyFilter(model, view.filter);
    return { view, chunks: chunk(shown, size), total: shown.length };
  });
  for (const current of all) {
    for (let i = 0; i < Math.max(1, current.chunks.length); i++) {
      const { path, html } = gridPage(model, all, current, i, options);
      yield { path, data: html };
    }
  }

  for (const ext of model.extensions) {
    const pages = extensionArtifactPages(ext);
    const paths = new Map(pages.map((p) => [p.entry.key, p.path]));
    const { path, html } = extensionPage(model, ext, options, paths);
    yield { path, data: html };
    for (const p of pages) yield { path: p.path, data: artifactPage(model, p, options, paths) };
  }
}
