// The page shell every page shares: language, viewport, the stylesheet, a skip link, a header that
// leads home, and a footer with the machine-readable index. Links are relative (`root` leads back
// to the site's root), so the site works from any path, as GitHub Pages project sites need.
import { CLIENT_JS } from './assets/client.ts';
import { STYLE } from './assets/style.ts';
import { esc } from './html.ts';

export interface SiteOptions {
  /** Absolute URL the site is published at, for canonical links and the index's address. */
  baseUrl?: string;
  /** HOST/NAMESPACE images are shown under, instead of the index's references. */
  registry?: string;
}

interface PageInfo {
  /** The page's path in the site (`ext/pgvector/index.html`). */
  path: string;
  title: string;
  /** Grid pages, the site's entry points: the stylesheet and the client script (instant
   * filtering) are inlined, which spares a first visit two requests before the grids show.
   * Other pages share the cacheable assets/site.css. */
  entryPoint?: boolean;
  generatedAt: string;
}

export const STYLESHEET = 'assets/site.css';
export const INDEX_COPY = 'index.json';
export const GRID_DATA = 'data/grid.json';

/** The way back to the root from a page: `../` per directory. */
export function rootOf(pagePath: string): string {
  return '../'.repeat(pagePath.split('/').length - 1);
}

export function page(info: PageInfo, options: SiteOptions, main: string): string {
  const root = rootOf(info.path);
  const canonical = options.baseUrl ? `<link rel="canonical" href="${esc(options.baseUrl + info.path.replace(/(^|\/)index\.html$/, '$1'))}">` : '';
  const style = info.entryPoint ? `<style>${STYLE}</style>` : `<link rel="stylesheet" href="${root}${STYLESHEET}">`;
  // At the end of the body, the inline script runs once the page is parsed, as `defer` would;
  // `</` inside its strings must not close the element.
  const script = info.entryPoint ? `<script>${CLIENT_JS.replaceAll('</', '<\\/')}</script>\n` : '';
  const indexUrl = options.baseUrl ? options.baseUrl + INDEX_COPY : `${root}${INDEX_COPY}`;
  return `<!doctype html>
<html lang="en" data-root="${esc(root)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(info.title)} · trunkfarm</title>
<link rel="icon" href="data:,">
${style}
<link rel="alternate" type="application/json" href="${esc(indexUrl)}">
${canonical}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><a class="brand" href="${root || './'}">trunkfarm</a> <span>PostgreSQL extension builds</span></header>
<main id="main" tabindex="-1">
${main}
</main>
<footer><p>Generated from <a href="${esc(indexUrl)}">index.json</a> (${esc(info.generatedAt)}).</p></footer>
${script}</body>
</html>
`;
}
