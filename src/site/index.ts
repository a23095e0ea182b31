// The status page's public surface: read an index, compute the grids, render and write the site.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.ts';
import { loadValidMatrix, type Matrix } from '../matrix/index.ts';
import type { SiteOptions } from './page-shell.ts';
import { buildModel, type CellState } from './model.ts';
import { readIndex } from './read-index.ts';
import { renderSite } from './render.ts';
import { writeSite } from './write.ts';

export { parseIndex, readIndex, type LoadedIndex } from './read-index.ts';
export {
  ANY,
  buildModel,
  CELL_STATES,
  cellId,
  columnOf,
  slug,
  type Cell,
  type CellState,
  type Column,
  type ExtensionGrid,
  type SiteModel,
} from './model.ts';
export { applyFilter, chunk, views, type Chunk, type Filter, type Shown, type View } from './views.ts';
export { cellPage, extensionDir, gridData, type GridData } from './grid.ts';
export { artifactPages, type ArtifactPage } from './artifact-page.ts';
export { pinnedImage, usage, type UsageSnippets } from './usage.ts';
export { DEFAULT_PAGE_SIZE, renderSite, type RenderOptions, type SiteFile } from './render.ts';
export { GRID_DATA, INDEX_COPY, type SiteOptions } from './page-shell.ts';
export { MARKER, writeSite, type WriteResult } from './write.ts';
export { esc, safeUrl } from './html.ts';

interface BuildSiteOptions extends SiteOptions {
  /** index.json to render. */
  index: string;
  /** Directory the site is written to (replaced atomically). */
  out: string;
  /** The matrix (a directory, or one already loaded) to tell excluded, stale and missing cells. */
  matrix?: string | Matrix;
  pageSize?: number;
}

interface SiteSummary {
  out: string;
  files: number;
  bytes: number;
  extensions: number;
  entries: number;
  withMatrix: boolean;
  counts: Record<CellState, number>;
}

/** The matrix directory `trunkfarm site` uses when none is given: `matrix`, if it is one. */
export function defaultMatrixDir(cwd = process.cwd()): string | undefined {
  const dir = path.join(cwd, 'matrix');
  return existsSync(path.join(dir, 'platforms.yaml')) ? 'matrix' : undefined;
}

function checkSiteOptions(options: SiteOptions): SiteOptions {
  const out: SiteOptions = {};
  if (options.baseUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new UserError(`--base-url: "${options.baseUrl}" is not a URL`, { exitCode: 2 });
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UserError(`--base-url must be an http(s) URL, got "${options.baseUrl}"`, { exitCode: 2 });
    out.baseUrl = url.href.endsWith('/') ? url.href : `${url.href}/`;
  }
  if (options.registry !== undefined) {
    if (!/^[A-Za-z0-9.-]+(:[0-9]{1,5})?(\/[a-z0-9._-]+)*$/.test(options.registry)) {
      throw new UserError(`--registry must be HOST[:PORT]/NAMESPACE (e.g. ghcr.io/acme), got "${options.registry}"`, { exitCode: 2 });
    }
    out.registry = options.registry;
  }
  return out;
}

export async function buildSite(options: BuildSiteOptions): Promise<SiteSummary> {
  const siteOptions = checkSiteOptions(options);
  const { index, bytes } = await readIndex(options.index);
  const matrix = typeof options.matrix === 'string' ? await loadValidMatrix(options.matrix) : options.matrix;
  const model = buildModel(index, matrix);
  const written = await writeSite(
    options.out,
    renderSite(model, index, { ...siteOptions, indexBytes: bytes, ...(options.pageSize ? { pageSize: options.pageSize } : {}) }),
  );
  return {
    out: options.out,
    ...written,
    extensions: model.extensions.length,
    entries: model.entries,
    withMatrix: model.withMatrix,
    counts: model.counts,
  };
}
