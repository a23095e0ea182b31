// The site in a real headless Chromium (Debian's chromium, driven by playwright-core), served from
// loopback as GitHub Pages would serve it: the grid against the index, the filters with and
// without JavaScript, the keyboard, a phone's viewport, and screenshots for review.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandJobs } from '../../src/plan/index.ts';
import { buildSite, slug } from '../../src/site/index.ts';
import type { IndexEntry, PublishedIndexFile } from '../../src/types.ts';
import { launchChromium } from './browser.ts';
import { HOSTILE_NAME, hostileEntry } from './fixtures.ts';
import { serveDirectory, type StaticServer } from './serve.ts';
import { syntheticFarm } from './synthetic.ts';

const SCREENSHOTS = path.resolve('test/output/site');

// Globals of the page, for the functions that run there (the project compiles without the DOM lib).
declare const document: { activeElement: PageElement | null; documentElement: { scrollWidth: number; clientWidth: number } };
declare function getComputedStyle(el: unknown): { outlineStyle: string; outlineWidth: string; overflowX: string };
interface PageElement {
  id: string;
  className: string;
  tagName: string;
  closest(selector: string): unknown;
  getBoundingClientRect(): { left: number; right: number };
}

let browser: Browser;
let server: StaticServer;
let root: string | undefined;
let index: PublishedIndexFile;
/** What the grid must show, worked out from the index and the plan here, not by the site's code. */
const expected = new Map<string, { state: string; key?: string }>();

const cellKey = (ext: string, pg: number, column: string) => `${ext}|${pg}|${column}`;
const columnLabel = (e: { platform: string; arch: string; libc: string }) => (e.platform.endsWith('-any') ? 'any (SQL only)' : `${e.arch} ${e.libc}`);

beforeAll(async () => {
  browser = await launchChromium();
  root = await mkdtemp(path.join(tmpdir(), 'trunkfarm-site-e2e-'));
  const farm = await syntheticFarm(240, 5, root);
  index = { ...farm.index, entries: [...farm.index.entries, hostileEntry()] };
  await writeFile(path.join(root, 'index.json'), JSON.stringify(index));
  await buildSite({ index: path.join(root, 'index.json'), out: path.join(root, 'site'), matrix: farm.matrix });
  server = await serveDirectory(path.join(root, 'site'));
  await mkdir(SCREENSHOTS, { recursive: true });

  const planned = new Map(expandJobs(farm.matrix).map((j) => [cellKey(j.extension, j.pg, columnLabel(j)), j.key]));
  const byCell = new Map<string, IndexEntry[]>();
  for (const e of index.entries) {
    const k = cellKey(e.extension, e.pg, columnLabel(e));
    byCell.set(k, [...(byCell.get(k) ?? []), e]);
  }
  for (const [k, entries] of byCell) {
    const want = planned.get(k);
    const current = entries.find((e) => e.key === want);
    if (current) expected.set(k, { state: current.status, key: current.key });
    else if (want) expected.set(k, { state: 'stale' });
    else expected.set(k, { state: 'excluded' });
  }
  for (const k of planned.keys()) if (!expected.has(k)) expected.set(k, { state: 'missing' });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

interface SeenCell {
  ext: string;
  pg: number;
  column: string;
  state: string;
  text: string;
  href: string | null;
}

/** Reads the grid tables of the page, as the visitor sees them. */
function readGrids(page: Page): Promise<SeenCell[]> {
  return page.$$eval('#grids table.grid', (tables) =>
    tables.flatMap((t) => {
      const ext = t.querySelector('caption a')!.textContent!;
      const columns = [...t.querySelectorAll('thead th')].slice(1).map((th) => th.textContent!);
      return [...t.querySelectorAll('tbody tr')].flatMap((tr) => {
        const pg = Number(tr.querySelector('th')!.textContent);
        return [...tr.querySelectorAll('td')].map((td, i) => ({
          ext,
          pg,
          column: columns[i]!,
          state: td.className.replace(/^s-/, ''),
          text: td.textContent!,
          href: td.querySelector('a')?.getAttribute('href') ?? null,
        }));
      });
    }),
  );
}

async function newPage(options: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page; dialogs: string[]; errors: string[] }> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, dialogs, errors };
}

/** Absolute addresses of the links a selector finds. */
async function links(page: Page, selector: string): Promise<string[]> {
  const hrefs = await page.$$eval(selector, (as) => as.map((a) => a.getAttribute('href')!));
  return hrefs.map((h) => new URL(h, page.url()).href);
}

/** Every page of the view the page is on, through its own navigation: the letters, then the
 * parts of a crowded letter. */
async function viewPages(page: Page): Promise<string[]> {
  const pages = new Set<string>();
  for (const letter of await links(page, 'nav[aria-label="Name"] a')) {
    pages.add(letter);
    await page.goto(letter);
    for (const part of await links(page, 'nav[aria-label^="Pages of"] a')) pages.add(part);
  }
  return [...pages];
}

describe('the status page in Chromium', () => {
  it('shows every cell the index and the plan imply, with the right state, linked to its build', async () => {
    const { context, page, errors } = await newPage({ javaScriptEnabled: false });
    const seen: SeenCell[] = [];
    await page.goto(server.url);
    for (const url of await viewPages(page)) {
      await page.goto(url);
      seen.push(...(await readGrids(page)));
    }
    const byKey = new Map(seen.map((c) => [cellKey(c.ext, c.pg, c.column), c]));
    expect(byKey.size, 'no cell appears twice').toBe(seen.length);
    for (const [k, want] of expected) {
      const got = byKey.get(k);
      expect(got, `cell ${k} is on the page`).toBeDefined();
      expect(got!.state, `state of ${k}`).toBe(want.state);
      expect(got!.text, `${k} says its state in words`).toBe(want.state);
      if (want.state === 'built' || want.state === 'failed' || want.state === 'stale') expect(got!.href, `${k} links to its build`).not.toBeNull();
    }
    // Cells beyond those: only ones with nothing planned and nothing built, shown as excluded.
    for (const c of seen.filter((x) => !expected.has(cellKey(x.ext, x.pg, x.column)))) expect(c.state).toBe('excluded');

    // Every built or failed cell in the index leads to the page of exactly that build.
    const sample = [...expected].filter(([, v]) => v.key).filter((_, i) => i % 97 === 0);
    for (const [k, want] of sample) {
      const href = byKey.get(k)!.href!;
      await page.goto(new URL(href, server.url + 'index.html').href);
      expect(await page.textContent('main'), k).toContain(want.key);
      expect(await page.textContent('.state .tag'), k).toBe(want.state);
    }
    expect(errors).toEqual([]);
    await context.close();
  });

  it('filters without JavaScript, through pre-rendered pages: by name, by major, failing only', async () => {
    const { context, page } = await newPage({ javaScriptEnabled: false });
    await page.goto(server.url);
    expect(await page.isVisible('#filter'), 'the form needs JavaScript and stays hidden').toBe(false);

    // By name: the letter, then the part of a crowded letter whose guide word comes before the name.
    const target = [...expected.keys()].map((k) => k.split('|')[0]!).filter((n) => n.startsWith('p')).sort()[40]!;
    await page.click('nav[aria-label="Name"] a:text-is("p")');
    const guides = await page.$$eval('nav[aria-label^="Pages of"] a', (as) => as.map((a) => a.textContent!.replace('…', '')));
    const hrefs = await links(page, 'nav[aria-label^="Pages of"] a');
    expect(guides.length, 'p is split in parts').toBeGreaterThan(1);
    await page.goto(hrefs[guides.filter((g) => g <= target).length - 1]!);
    const names = await page.$$eval('#grids caption a', (as) => as.map((a) => a.textContent!));
    expect(names).toContain(target);
    expect(names.every((n) => n.startsWith('p'))).toBe(true);

    // By major: every grid keeps only that row, on every page of the view.
    await page.click('nav[aria-label="Postgres"] a:text-is("17")');
    expect(new URL(page.url()).pathname).toMatch(/\/pg17\//);
    const rows = await page.$$eval('#grids tbody th', (ths) => ths.map((th) => th.textContent));
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows)).toEqual(new Set(['17']));

    // Failing only: exactly the extensions with a failed cell, over all the view's pages.
    await page.click('nav[aria-label="Status"] a:has-text("failing only")');
    expect(new URL(page.url()).pathname).toBe('/failing/');
    const failing = new Set<string>();
    for (const href of await viewPages(page)) {
      await page.goto(href);
      const cells = await readGrids(page);
      for (const ext of new Set(cells.map((c) => c.ext))) {
        expect(cells.some((c) => c.ext === ext && c.state === 'failed'), `${ext} has a failed cell`).toBe(true);
        failing.add(ext);
      }
    }
    const expectedFailing = new Set([...expected].filter(([, v]) => v.state === 'failed').map(([k]) => k.split('|')[0]!));
    expect(failing).toEqual(expectedFailing);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'failing-nojs-desktop.png') });
    await context.close();
  });

  it('filters by platform: pre-rendered on/PLATFORM/ pages without JavaScript, the Platform select with it', async () => {
    const column = 'arm64 musl';
    const allowed = new Set([column, 'any (SQL only)']);
    const nojs = await newPage({ javaScriptEnabled: false });
    await nojs.page.goto(server.url);
    await nojs.page.click(`nav[aria-label="Platform"] a:text-is("${column}")`);
    expect(new URL(nojs.page.url()).pathname).toMatch(/^\/on\/musllinux-arm64\//);
    const seen: SeenCell[] = [];
    for (const url of await viewPages(nojs.page)) {
      await nojs.page.goto(url);
      seen.push(...(await readGrids(nojs.page)));
    }
    // Only that platform's column, and SQL-only packages' (which run on every platform).
    expect(new Set(seen.map((c) => c.column))).toEqual(allowed);
    const byKey = new Map(seen.map((c) => [cellKey(c.ext, c.pg, c.column), c]));
    expect(byKey.size, 'no cell appears twice').toBe(seen.length);
    // Every cell the index and plan give that column is there, in its state.
    const wanted = [...expected].filter(([k]) => allowed.has(k.split('|')[2]!));
    expect(wanted.length).toBeGreaterThan(0);
    for (const [k, want] of wanted) expect(byKey.get(k)?.state, k).toBe(want.state);
    const extensions = new Set(seen.map((c) => c.ext));
    await nojs.page.screenshot({ path: path.join(SCREENSHOTS, 'platform-nojs-desktop.png') });
    await nojs.context.close();

    const js = await newPage({ viewport: { width: 1280, height: 900 } });
    await js.page.goto(server.url);
    await expect.poll(() => js.page.isVisible('#filter')).toBe(true);
    await js.page.selectOption('#f-on', 'musllinux-arm64');
    // The same extensions as the pre-rendered view, the first 60 drawn.
    await expect.poll(() => js.page.textContent('#f-status')).toBe(`${extensions.size} extensions match${extensions.size > 60 ? ', showing 60' : ''}.`);
    expect(new URL(js.page.url()).search).toBe('?on=musllinux-arm64');
    const drawn = await readGrids(js.page);
    expect(drawn.length).toBeGreaterThan(0);
    for (const c of drawn) {
      expect(allowed.has(c.column), `${c.ext}: column ${c.column}`).toBe(true);
      expect(c.state, cellKey(c.ext, c.pg, c.column)).toBe(byKey.get(cellKey(c.ext, c.pg, c.column))?.state);
    }
    // With a major too: one row per grid.
    await js.page.selectOption('#f-pg', '17');
    await expect.poll(async () => new Set((await readGrids(js.page)).map((c) => `${c.pg} ${allowed.has(c.column)}`))).toEqual(new Set(['17 true']));
    // A shared address opens with its platform picked.
    await js.page.goto(`${server.url}?on=musllinux-arm64`);
    await expect.poll(() => js.page.inputValue('#f-on')).toBe('musllinux-arm64');
    expect(js.errors).toEqual([]);
    await js.context.close();
  });

  it('filters instantly with JavaScript, over every extension', async () => {
    const { context, page, dialogs, errors } = await newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(server.url);
    await expect.poll(() => page.isVisible('#filter')).toBe(true);
    const allNames = [...new Set([...expected.keys()].map((k) => k.split('|')[0]!))];

    await page.fill('#f-q', 'cron');
    const want = allNames.filter((n) => n.includes('cron'));
    expect(want.length).toBeGreaterThan(1);
    await expect.poll(() => page.textContent('#f-status')).toBe(`${want.length} extensions match${want.length > 60 ? ', showing 60' : ''}.`);
    const names = await page.$$eval('#grids caption a', (as) => as.map((a) => a.textContent!));
    expect(names.sort()).toEqual(want.sort().slice(0, 60));
    expect(new URL(page.url()).search).toBe('?q=cron');
    // The script draws the same cells as the pre-rendered pages.
    for (const c of await readGrids(page)) {
      const k = cellKey(c.ext, c.pg, c.column);
      expect(c.state, k).toBe(expected.get(k)?.state ?? 'excluded');
    }

    await page.selectOption('#f-pg', '16');
    await expect.poll(async () => new Set(await page.$$eval('#grids tbody th', (ths) => ths.map((th) => th.textContent)))).toEqual(new Set(['16']));

    await page.fill('#f-q', '');
    await page.check('#f-failing');
    const failing16 = new Set([...expected].filter(([k, v]) => v.state === 'failed' && k.split('|')[1] === '16').map(([k]) => k.split('|')[0]!));
    await expect.poll(() => page.textContent('#f-status')).toMatch(new RegExp(`^${failing16.size} extensions match`));
    for (const c of await readGrids(page)) expect(c.pg).toBe(16);

    // A hostile name is text, in the results too.
    await page.click('button[type="reset"]');
    await page.fill('#f-q', '<script>');
    await expect.poll(() => page.textContent('#f-status')).toBe('1 extension matches.');
    expect(await page.textContent('#grids caption a')).toBe(HOSTILE_NAME);

    // Clearing the filter brings the page's own grids back.
    await page.fill('#f-q', '');
    await expect.poll(() => page.textContent('#f-status')).toBe('');
    expect(await page.$$eval('#grids caption a', (as) => as[0]!.textContent)).toBe(allNames.sort()[0]);

    // A shared address opens with its filter.
    await page.goto(`${server.url}?q=cron&failing=1`);
    await expect.poll(() => page.inputValue('#f-q')).toBe('cron');
    expect(await page.isChecked('#f-failing')).toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'filter-js-desktop.png') });
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('can be used with the keyboard alone, with a visible focus', async () => {
    for (const javaScriptEnabled of [true, false]) {
      const { context, page } = await newPage({ javaScriptEnabled });
      await page.goto(server.url);
      await page.keyboard.press('Tab');
      const skip = await page.evaluate(() => {
        const el = document.activeElement!;
        return { cls: el.className, left: el.getBoundingClientRect().left };
      });
      expect(skip.cls).toBe('skip');
      expect(skip.left, 'the skip link shows when focused').toBeGreaterThanOrEqual(0);

      const reached = new Set<string>();
      for (let i = 0; i < 80 && !(reached.has('grid-link') && reached.has('nav-link')); i++) {
        await page.keyboard.press('Tab');
        const f = await page.evaluate(() => {
          const el = document.activeElement!;
          const style = getComputedStyle(el);
          const kind = el.id === 'f-q' ? 'name-input' : el.closest('table.grid td') ? 'grid-link' : el.closest('.browse') ? 'nav-link' : el.tagName;
          return { kind, outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
        });
        reached.add(f.kind);
        expect(f.outline, `focus on ${f.kind} is visible`).not.toBe('none');
        expect(f.width).toBeGreaterThanOrEqual(2);
      }
      expect(reached.has('nav-link')).toBe(true);
      expect(reached.has('grid-link')).toBe(true);
      expect(reached.has('name-input')).toBe(javaScriptEnabled);

      // Enter on a focused link follows it.
      if (!javaScriptEnabled) {
        await page.focus('nav[aria-label="Postgres"] a:text-is("15")');
        await page.keyboard.press('Enter');
        await page.waitForURL(/\/pg15\//);
      }
      await context.close();
    }
  });

  it('fits a phone: no page-level horizontal scrolling, the grids scroll in their own box', async () => {
    const { context, page, dialogs } = await newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const artifact = index.entries.find((e) => e.pg === 18 && e.status === 'built' && e.closure.bundled.length > 2 && !e.platform.endsWith('-any'))!;
    const hostile = hostileEntry();
    const pages: [string, string][] = [
      ['index', ''],
      ['pg17', 'pg17/'],
      ['extension', `ext/${slug(artifact.extension)}/`],
      ['artifact', `ext/${slug(artifact.extension)}/${artifact.platform}.html`],
      ['hostile', `ext/${slug(hostile.extension)}/pg18-gnulinux-amd64.html`],
    ];
    for (const [name, p] of pages) {
      await page.goto(server.url + p);
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
      expect(scrollWidth, `${name}: no horizontal overflow at 390px`).toBeLessThanOrEqual(clientWidth);
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-phone.png`), fullPage: name !== 'index' && name !== 'pg17' });
    }
    // Every grid stays inside its scrolling container.
    await page.goto(server.url);
    const boxes = await page.$$eval('.card .scroll', (els) => els.map((el) => ({ overflow: getComputedStyle(el).overflowX, right: el.getBoundingClientRect().right })));
    expect(boxes.every((b) => b.overflow === 'auto' && b.right <= 390)).toBe(true);

    // The hostile build's page is text: no element, no dialog came from its values.
    await page.goto(server.url + pages[4]![1]);
    expect(await page.$$eval('main img, main iframe, main svg, main script', (els) => els.length)).toBe(0);
    expect(await page.textContent('h1')).toContain(HOSTILE_NAME);
    expect(dialogs).toEqual([]);
    await context.close();

    const desktop = await newPage({ viewport: { width: 1280, height: 900 } });
    for (const [name, p] of pages.slice(0, 4)) {
      await desktop.page.goto(server.url + p);
      await desktop.page.screenshot({ path: path.join(SCREENSHOTS, `${name}-desktop.png`), fullPage: name === 'artifact' || name === 'extension' });
    }
    await desktop.context.close();
  });
});
