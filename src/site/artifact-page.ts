// One page per build in the index: what it is, what it contains, where it came from, how it was
// signed, and how to use it.
import type { IndexEntry } from '../types.ts';
import { cellPage, extensionDir, STATE_HELP } from './grid.ts';
import { esc, externalLink, formatBytes, formatCount, safeUrl } from './html.ts';
import { page, rootOf, type SiteOptions } from './page-shell.ts';
import { type Cell, cellId, type ExtensionGrid, type SiteModel } from './model.ts';
import { IMAGE_VOLUME_MIN_PG, pinnedImage, usage } from './usage.ts';

export interface ArtifactPage {
  path: string;
  entry: IndexEntry;
  ext: ExtensionGrid;
  cell: Cell;
  /** The build the grid's cell shows (else an older or superseded build of the same cell). */
  current: boolean;
}

/** Where every build's page goes: the build a cell shows at the cell's own address
 * (`ext/pgvector/pg17-gnulinux-amd64.html`, stable across rebuilds), the cell's other builds next
 * to it with their key (`pg17-gnulinux-amd64-0123456789ab.html`). */
export function artifactPages(model: SiteModel): ArtifactPage[] {
  return model.extensions.flatMap(extensionArtifactPages);
}

export function extensionArtifactPages(ext: ExtensionGrid): ArtifactPage[] {
  const out: ArtifactPage[] = [];
  const used = new Set<string>();
  for (const row of ext.rows) {
    for (const cell of row) {
      if (cell.entry) out.push({ path: cellPage(ext, cell), entry: cell.entry, ext, cell, current: true });
      for (const other of cell.others) {
        // Keys are hashes, but an index is data: never let two builds share a page.
        const stem = `${extensionDir(ext)}${cellId(cell.pg, cell.column)}-${keySegment(other.key)}`;
        let path = `${stem}.html`;
        for (let n = 2; used.has(path); n++) path = `${stem}-${n}.html`;
        used.add(path);
        out.push({ path, entry: other, ext, cell, current: false });
      }
    }
  }
  return out;
}

function keySegment(key: string): string {
  const clean = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  return clean.slice(0, 12) || 'build';
}

const row = (header: string, value: string) => `<tr><th scope="row">${esc(header)}</th><td>${value}</td></tr>`;
const code = (s: string) => `<code>${esc(s)}</code>`;
const facts = (caption: string, rows: string[]) =>
  `<div class="scroll"><table class="facts"><caption class="vh">${esc(caption)}</caption><tbody>${rows.join('')}</tbody></table></div>`;
const snippet = (id: string, title: string, text: string, note = '') =>
  `<h3 id="${id}">${esc(title)}</h3>${note}<pre tabindex="0" aria-labelledby="${id}"><code>${esc(text)}</code></pre>`;

/** `paths`: page path by build key, for the extension's builds (see extensionArtifactPages). */
export function artifactPage(model: SiteModel, a: ArtifactPage, options: SiteOptions, paths: ReadonlyMap<string, string>): string {
  const { entry: e, ext, cell } = a;
  const root = rootOf(a.path);
  const column = ext.columns.find((c) => c.id === cell.column)!;
  const where = `Postgres ${e.pg}, ${column.label}`;
  const title = `${e.extension} ${e.version} for ${where}`;

  const state = a.current
    ? `<p class="state"><span class="s-${cell.state} tag">${cell.state}</span> ${esc(stateText(cell))}</p>`
    : `<p class="state"><span class="s-${e.status} tag">${e.status}</span> An earlier build of this cell; the grid shows <a href="${esc(root + cellPage(ext, cell))}">${esc(cell.entry?.version ?? 'another build')}</a>.</p>`;
  const failure = e.failure
    ? `<section class="failure" aria-labelledby="h-failure"><h2 id="h-failure">Failure</h2><p>Step <code>${esc(e.failure.step)}</code> failed:</p><pre tabindex="0"><code>${esc(e.failure.message)}</code></pre>${e.logUrl ? `<p>${externalLink(e.logUrl, 'Build log')}</p>` : ''}</section>`
    : '';

  const artifact = facts(`The build of ${e.extension}`, [
    row('Status', `<span class="s-${e.status} tag">${e.status}</span>`),
    row('Platform', code(e.platform)),
    row('Size', e.trunk ? `${formatBytes(e.trunk.size)} <span class="muted">(${formatCount(e.trunk.size)} byte${e.trunk.size === 1 ? '' : 's'}, trunk file)</span>` : e.oci ? `${formatBytes(e.oci.size)} (image)` : '—'),
    row('Files', e.trunk ? formatCount(e.trunk.files) : '—'),
    row('Trunk file', e.trunk ? externalLink(e.trunk.url, e.trunk.file) : '—'),
    row('Image', e.oci ? code(e.oci.ref) : '—'),
    row('Signature', e.signature ? `${e.signature.kind === 'keyless' ? 'keyless (Sigstore, GitHub Actions identity)' : 'signed with the farm’s key'}: ${safeUrl(e.signature.bundle) ? externalLink(e.signature.bundle, 'bundle') : code(e.signature.bundle)}` : 'not signed'),
    row('Build log', e.logUrl ? externalLink(e.logUrl, 'log') : '—'),
    row('Built at', `<time datetime="${esc(e.builtAt)}">${esc(e.builtAt)}</time>`),
    row('Build key', code(e.key)),
  ]);

  const digests = facts('Digests', [
    row('Trunk file (sha256)', e.trunk ? code(e.trunk.sha256) : '—'),
    row('Image manifest', e.oci ? code(e.oci.digest) : '—'),
    row('Source', code(e.provenance.sourceDigest || '—')),
  ]);

  const { closure } = e;
  const problems =
    closure.problems.length > 0
      ? `<div class="scroll"><table><caption>Problems</caption><thead><tr><th scope="col">File</th><th scope="col">Problem</th></tr></thead><tbody>${closure.problems
          .map((p) => `<tr><td>${code(p.file)}</td><td>${esc(p.message)}</td></tr>`)
          .join('')}</tbody></table></div>`
      : '';
  const bundled =
    closure.bundled.length > 0
      ? `<div class="scroll"><table><caption>Bundled libraries (${closure.bundled.length})</caption><thead><tr><th scope="col">Library</th><th scope="col">Package</th><th scope="col">License</th><th scope="col">Size</th><th scope="col">sha256</th></tr></thead><tbody>${closure.bundled
          .map(
            (b) =>
              `<tr><th scope="row">${code(b.soname)}<br><span class="muted">${esc(b.file)}</span></th><td>${b.package ? `${esc(b.package)} ${esc(b.packageVersion ?? '')}` : '<span class="muted">unknown</span>'}</td><td>${b.license ? esc(b.license) : '<span class="muted">unknown</span>'}</td><td>${formatBytes(b.size)}</td><td>${code(b.sha256.slice(0, 16))}…</td></tr>`,
          )
          .join('')}</tbody></table></div>`
      : '<p>No bundled libraries: everything it links to is in the base image.</p>';
  const closureHtml = `<p><span class="${closure.ok ? 's-built' : 's-failed'} tag">${closure.ok ? 'ok' : 'fail'}</span> ${
    closure.ok ? 'Every library it loads resolves inside the package or the base image, with no LD_LIBRARY_PATH.' : 'Some files do not resolve: see the problems.'
  }</p>${problems}${bundled}`;

  const provenance = facts('Provenance', [
    row('Source', safeUrl(e.provenance.source) ? externalLink(e.provenance.source) : code(e.provenance.source)),
    row('Builder image', code(e.provenance.builderImage)),
    row('Base image', code(e.provenance.baseImage)),
    row('Workflow run', e.provenance.runUrl ? externalLink(e.provenance.runUrl) : '<span class="muted">built outside GitHub Actions</span>'),
  ]);

  const u = usage(e, { controls: ext.controls, preload: ext.preload, ...(options.registry ? { registry: options.registry } : {}) });
  const parts: string[] = [];
  if (e.status !== 'built') parts.push('<p>Nothing to install: this build failed.</p>');
  else {
    if (u.cnpg && u.imageVolume && u.postgresqlConf) {
      parts.push(
        snippet('use-cnpg', 'CloudNativePG', u.cnpg, '<p>Cluster <code>.spec.postgresql.extensions</code>: needs an operator with image-volume extensions and Kubernetes’ ImageVolume feature; the image must match the cluster’s Postgres major, libc and CPU architecture.</p>'),
        snippet('use-volume', 'Kubernetes image volume', u.imageVolume),
        snippet('use-conf', 'postgresql.conf for the image volume', u.postgresqlConf),
      );
    } else if (e.oci) {
      parts.push(`<p>The image <code>${esc(pinnedImage(e.oci, options.registry))}</code> needs PostgreSQL ${IMAGE_VOLUME_MIN_PG} or later to be mounted as an image volume (<code>extension_control_path</code>); for Postgres ${e.pg}, install the trunk file.</p>`);
    }
    if (u.install) parts.push(snippet('use-install', 'trunkfarm install', u.install));
    if (u.sql) parts.push(snippet('use-sql', 'Then, in the database', u.sql));
    if (parts.length === 0) parts.push('<p>This build has neither a trunk file nor an image in the index.</p>');
  }

  const others = [cell.entry, ...cell.others].filter((o): o is IndexEntry => o !== undefined && o !== e);
  const otherBuilds =
    others.length > 0
      ? `<section aria-labelledby="h-others"><h2 id="h-others">Other builds of this cell</h2>${buildsTable(others, root, 'Other builds', paths)}</section>`
      : '';

  const main = `<nav class="crumbs" aria-label="Breadcrumb"><ol><li><a href="${root || './'}">All extensions</a></li><li><a href="${esc(root + extensionDir(ext))}">${esc(ext.name)}</a></li><li aria-current="page">${esc(cellId(cell.pg, cell.column))}</li></ol></nav>
<h1>${esc(e.extension)} ${esc(e.version)} <span class="sub">for ${esc(where)}</span></h1>
${state}
${failure}
<section aria-labelledby="h-artifact"><h2 id="h-artifact">Artifact</h2>${artifact}</section>
<section aria-labelledby="h-closure"><h2 id="h-closure">Closure</h2>${closureHtml}</section>
<section aria-labelledby="h-provenance"><h2 id="h-provenance">Provenance</h2>${provenance}</section>
<section aria-labelledby="h-digests"><h2 id="h-digests">Digests</h2>${digests}</section>
<section aria-labelledby="h-use"><h2 id="h-use">How to use it</h2>${parts.join('\n')}</section>
${otherBuilds}`;
  return page({ path: a.path, title, generatedAt: model.generatedAt }, options, main);
}

function stateText(cell: Cell): string {
  switch (cell.state) {
    case 'stale':
      return 'The plan now wants a new build of this cell (its entry, images or recipe changed); this is the newest published one.';
    case 'excluded':
      return `The plan no longer builds this cell (${cell.reason ?? 'excluded'}); this is the last published build.`;
    default:
      return `${STATE_HELP[cell.state].replace(/^./, (c) => c.toUpperCase())}.`;
  }
}

/** A table of builds with links to their pages. */
export function buildsTable(entries: IndexEntry[], root: string, caption: string, paths: ReadonlyMap<string, string>): string {
  return `<div class="scroll"><table><caption>${esc(caption)}</caption><thead><tr><th scope="col">Platform</th><th scope="col">Version</th><th scope="col">Status</th><th scope="col">Built at</th></tr></thead><tbody>${entries
    .map((o) => {
      const href = paths.get(o.key);
      const platform = href ? `<a href="${esc(root + href)}">${esc(o.platform)}</a>` : esc(o.platform);
      return `<tr><th scope="row">${platform}</th><td>${esc(o.version)}</td><td><span class="s-${o.status} tag">${o.status}</span></td><td><time datetime="${esc(o.builtAt)}">${esc(o.builtAt)}</time></td></tr>`;
    })
    .join('')}</tbody></table></div>`;
}
