import { describe, expect, it } from 'vitest';
import { buildModel, type GridData, renderSite, type SiteFile, slug } from '../../src/site/index.ts';
import { CLIENT_JS } from '../../src/site/assets/client.ts';
import { entry, HOSTILE_ABSTRACT, HOSTILE_NAME, hostileEntry, smallFarm } from './fixtures.ts';

const clientScript = `<script>${CLIENT_JS.replaceAll('</', '<\\/')}</script>`;

function files(list: Iterable<SiteFile>): Map<string, string> {
  return new Map([...list].map((f) => [f.path, typeof f.data === 'string' ? f.data : Buffer.from(f.data).toString('utf8')]));
}

/** The cells of the grid tables in a page: [caption text, row header, column header, state, href]. */
function gridCells(html: string): { ext: string; pg: number; column: string; state: string; href?: string }[] {
  const out: { ext: string; pg: number; column: string; state: string; href?: string }[] = [];
  for (const table of html.match(/<table class="grid">[\s\S]*?<\/table>/g) ?? []) {
    const ext = /<caption><a [^>]*>([^<]*)<\/a>/.exec(table)![1]!;
    const columns = [...table.match(/<thead>[\s\S]*?<\/thead>/)![0].matchAll(/<th scope="col">([^<]*)<\/th>/g)].map((m) => m[1]!).slice(1);
    for (const row of table.match(/<tr><th scope="row">\d+<\/th>[\s\S]*?<\/tr>/g) ?? []) {
      const pg = Number(/<th scope="row">(\d+)</.exec(row)![1]);
      [...row.matchAll(/<td class="s-(\w+)">(?:<a href="([^"]*)"[^>]*>(\w+)<\/a>|(\w+))<\/td>/g)].forEach((m, i) => {
        expect(m[3] ?? m[4], 'a cell says its state in words').toBe(m[1]);
        out.push({ ext, pg, column: columns[i]!, state: m[1]!, ...(m[2] ? { href: m[2] } : {}) });
      });
    }
  }
  return out;
}

describe('rendering the site', () => {
  it('renders every cell of every grid with its state, linked to a page that exists', async () => {
    const { matrix, index } = await smallFarm();
    const model = buildModel(index, matrix);
    const site = files(renderSite(model, index));
    // The "all" view's pages: index.html and one per letter, at the root.
    const cells = [...site].filter(([p]) => /^[^/]+\.html$/.test(p)).flatMap(([, html]) => gridCells(html)).sort((a, b) => (a.ext < b.ext ? -1 : a.ext > b.ext ? 1 : 0));
    const expected = model.extensions.flatMap((e) => e.rows.flatMap((row, r) => row.map((c, i) => ({ ext: e.name, pg: model.majors[r], column: e.columns[i]!.label, state: c.state }))));
    expect(cells.map(({ href: _h, ...c }) => c)).toEqual(expected);
    for (const c of cells.filter((x) => x.href)) expect(site.has(c.href!), `${c.href} exists`).toBe(true);
    // Exactly the cells with a build link somewhere: built, failed, stale, and excluded with an old build.
    expect(cells.filter((c) => c.href).length).toBe(model.extensions.flatMap((e) => e.rows.flat()).filter((c) => c.entry).length);

    // One page per build, each naming its key; the cell's page shows the planned build.
    const artifactPages = [...site.keys()].filter((p) => /^ext\/[^/]+\/pg\d+-[^/]+\.html$/.test(p));
    expect(artifactPages).toHaveLength(index.entries.length);
    for (const e of index.entries) expect(artifactPages.filter((p) => site.get(p)!.includes(`<code>${e.key}</code>`)), e.key).toHaveLength(1);
    const alpha17 = site.get('ext/alpha/pg17-gnulinux-amd64.html')!;
    expect(alpha17).toContain('alpha 1.0.0');
    expect(alpha17).toContain('Other builds of this cell');
    expect(site.get(`ext/alpha/pg17-gnulinux-amd64-${'f'.repeat(12)}.html`)).toContain('An earlier build of this cell');
  });

  it('shows what an artifact page promises: size, files, libraries, closure, provenance, signature, digests, log, usage', async () => {
    const { matrix, index } = await smallFarm();
    const site = files(renderSite(buildModel(index, matrix), index));
    const built = site.get('ext/alpha/pg15-gnulinux-amd64.html')!;
    for (const text of [
      '123 kB', '123,456 bytes', '<th scope="row">Files</th><td>7</td>', 'libgeos_c.so.1', 'LGPL-2.1-or-later', 'libgeos-c1t64 3.13.1-1',
      'Every library it loads resolves', 'https://example.org/src.tar.gz', 'example.org/pg:17', 'https://github.com/acme/farm/actions/runs/1',
      'keyless (Sigstore', 'a'.repeat(64), `sha256:${'b'.repeat(64)}`, 'https://github.com/acme/farm/actions/runs/1/job/2',
      'trunkfarm install alpha-1.0.0+pg15-gnulinux-amd64.trunk --pg-config', 'CREATE EXTENSION alpha;',
    ]) expect(built, text).toContain(text);
    // PostgreSQL 15 cannot mount image volumes: no stanza, a reason instead.
    expect(built).not.toContain('postgresql.cnpg.io');
    expect(built).toContain('needs PostgreSQL 18 or later');

    const failed = site.get('ext/alpha/pg15-gnulinux-arm64.html')!;
    expect(failed).toContain('Step <code>build</code> failed');
    expect(failed).toContain('libfoo.so.2 =&gt; not found');
    expect(failed).toContain('Nothing to install');
    expect(failed).not.toContain('trunkfarm install');
  });

  it('gives PostgreSQL 18 builds the CloudNativePG stanza and an image volume, pinned by digest', async () => {
    const { matrix, index } = await smallFarm();
    const e = entry({ key: '7'.repeat(64), extension: 'delta', pg: 18, arch: 'amd64', libc: 'glibc', platform: 'pg18-gnulinux-amd64' });
    const idx = { ...index, entries: [...index.entries, e] };
    const site = files(renderSite(buildModel(idx, matrix), idx, { registry: 'ghcr.io/acme' }));
    const page = site.get('ext/delta/pg18-gnulinux-amd64.html')!;
    const image = `ghcr.io/acme/delta@sha256:${'b'.repeat(64)}`;
    expect(page).toContain(`    extensions:\n      - name: delta\n        image:\n          reference: ${image}`);
    expect(page).toContain(`      reference: ${image}\n      pullPolicy: IfNotPresent`);
    expect(page).toContain('mountPath: /extensions/delta');
    expect(page).toContain('extension_control_path = &#39;$system:/extensions/delta/share&#39;');
    expect(page).toContain('dynamic_library_path = &#39;$libdir:/extensions/delta/lib&#39;');
    expect(page).toContain('curl -fL -o delta-1.0.0+pg18-gnulinux-amd64.trunk https://example.org/delta.trunk');
  });

  it('escapes every value from the index and the matrix, and links only http(s) URLs', async () => {
    const { matrix, index } = await smallFarm();
    const idx = { ...index, entries: [...index.entries, hostileEntry()] };
    const site = files(renderSite(buildModel(idx, matrix), idx, { baseUrl: 'https://acme.example/farm/' }));
    const hostileSlug = slug(HOSTILE_NAME);
    expect(hostileSlug).toMatch(/^_[0-9a-f]{8}$/);
    const pages = [...site].filter(([p]) => p.endsWith('.html'));
    expect(pages.some(([p]) => p.startsWith(`ext/${hostileSlug}/`))).toBe(true);
    for (const [p, html] of pages) {
      for (const bad of ['<script>alert', '<img src=x', '<iframe', '<svg', '<b>gnulinux', '<i>build', '<a href=x>', '<time>']) {
        expect(html.includes(bad), `${p} contains ${bad}`).toBe(false);
      }
      expect(/href="\s*javascript:/i.test(html), `${p} links a javascript: URL`).toBe(false);
      const scripts = html.match(/<script\b[\s\S]*?<\/script>/g) ?? [];
      expect(scripts.length <= 1 && scripts.every((x) => x === clientScript), `${p}: the only script is the site's`).toBe(true);
    }
    const artifact = site.get(`ext/${hostileSlug}/pg18-gnulinux-amd64.html`)!;
    expect(artifact).toContain('&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;&amp;&#39;x');
    expect(artifact).toContain('&lt;/pre&gt;&lt;iframe');
    // Shell and YAML get their own quoting inside the (escaped) snippets.
    expect(artifact).toContain('trunkfarm install &#39;x&#39;\\&#39;&#39;; rm -rf ~; echo &#39;\\&#39;&#39;.trunk&#39;');
    expect(artifact).toContain('reference: &quot;evil.example/x\\&quot;\\n  - name: injected@sha256:&lt;y&gt;&quot;');
    expect(artifact).toContain('log <code>JaVaScRiPt:alert(11)</code>'); // shown, not linked
    const gamma = site.get('ext/gamma/index.html')!;
    expect(gamma).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &quot;quoted&quot; &#39;too&#39;');
    expect(gamma).not.toContain(HOSTILE_ABSTRACT);
    // The client script's data is JSON: the raw name, for the script to escape.
    const data = JSON.parse(site.get('data/grid.json')!) as GridData;
    expect(data.extensions.find((e) => e[0] === HOSTILE_NAME)?.[2]).toBe(hostileSlug);
  });

  it('marks pages up for assistive technology: lang, captions, header scopes, labels', async () => {
    const { matrix, index } = await smallFarm();
    const site = files(renderSite(buildModel(index, matrix), index));
    for (const [p, html] of site) {
      if (!p.endsWith('.html')) continue;
      expect(html, p).toMatch(/^<!doctype html>\n<html lang="en"/);
      expect(html, p).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
      expect(html.match(/<table/g)?.length ?? 0, `${p}: every table has a caption`).toBe(html.match(/<caption/g)?.length ?? 0);
      expect(html.match(/<th[ >]/g)?.length ?? 0, `${p}: every header cell has a scope`).toBe(html.match(/<th scope="(row|col)">/g)?.length ?? 0);
      for (const [, id] of html.matchAll(/<(?:input|select)[^>]* id="([^"]+)"/g)) expect(html, `${p}: #${id} has a label`).toContain(`<label for="${id}">`);
      expect(html, p).toContain('<a class="skip" href="#main">');
    }
  });
});
