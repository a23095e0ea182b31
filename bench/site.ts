// The status page for a synthetic farm of 2,000 extensions (five majors, four platforms, about
// 30,000 builds), loaded in a real headless Chromium from a loopback server. Page loads are read
// from the browser's Performance API (navigation: response end, DOMContentLoaded, load), best of
// several cold loads; the baseline, alternated with it in the same run, is a plain HTML page of
// the same byte size (paragraphs of text: the cost of the bytes alone).
// Generating the site is compared with writing the same number of files and bytes.
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { buildSite } from '../src/site/index.ts';
import { launchChromium } from '../test/site/browser.ts';
import { serveDirectory } from '../test/site/serve.ts';
import { syntheticFarm } from '../test/site/synthetic.ts';
import { bestOf, ms } from './_timing.ts';

const EXTENSIONS = 2000;
const RUNS = 9;

interface Load {
  response: number;
  dcl: number;
  load: number;
}

// Run in the page (kept as text: this project compiles without the DOM's types).
const NAVIGATION_TIMING = `(() => {
  const n = performance.getEntriesByType('navigation')[0];
  return { response: n.responseEnd - n.startTime, dcl: n.domContentLoadedEventEnd - n.startTime, load: n.loadEventEnd - n.startTime };
})()`;
const TYPE_AND_WAIT = `(q) => new Promise((resolve) => {
  const status = document.getElementById('f-status');
  const input = document.getElementById('f-q');
  const start = performance.now();
  new MutationObserver((_, obs) => {
    if (/match/.test(status.textContent || '')) { obs.disconnect(); resolve(performance.now() - start); }
  }).observe(status, { childList: true, characterData: true, subtree: true });
  input.value = q;
  input.dispatchEvent(new Event('input', { bubbles: true }));
})`;

async function load(browser: Browser, url: string): Promise<Load> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'load' });
  const t = await page.evaluate<Load>(NAVIGATION_TIMING);
  await context.close();
  return t;
}

/** Best of RUNS cold loads (a new browser context each time: no cache) of a page and of its
 * baseline, alternated so that both see the same machine. */
async function measure(browser: Browser, url: string, baselineUrl: string): Promise<{ page: Load; baseline: Load }> {
  const best = (a: Load | undefined, b: Load) => (a && a.load <= b.load ? a : b);
  let page: Load | undefined;
  let baseline: Load | undefined;
  for (let i = 0; i < RUNS; i++) {
    page = best(page, await load(browser, url));
    baseline = best(baseline, await load(browser, baselineUrl));
  }
  return { page: page!, baseline: baseline! };
}

/** Time from typing into the name filter to the results being drawn, cold (the first keystroke
 * fetches data/grid.json) and warm. */
async function filterTimes(browser: Browser, url: string): Promise<{ cold: number; warm: number; matches: string }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'load' });
  const type = (text: string) => page.evaluate<number>(`(${TYPE_AND_WAIT})(${JSON.stringify(text)})`);
  const cold = await type('pg');
  let warm = Infinity;
  for (const q of ['cron', 'vec', 'a']) warm = Math.min(warm, await type(q));
  const matches = (await page.textContent('#f-status')) ?? '';
  await context.close();
  return { cold, warm, matches };
}

async function largestHtml(dir: string): Promise<{ file: string; size: number }> {
  let best = { file: '', size: 0 };
  for (const name of await readdir(dir, { recursive: true })) {
    if (!name.endsWith('.html')) continue;
    const { size } = await stat(path.join(dir, name));
    if (size > best.size) best = { file: name, size };
  }
  return best;
}

function plainPage(bytes: number): string {
  const head = '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Plain</title></head><body>\n';
  const para = '<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.</p>\n';
  return `${head}${para.repeat(Math.max(0, Math.round((bytes - head.length) / para.length)))}</body></html>\n`;
}

export async function run(): Promise<void> {
  const root = await mkdtemp(path.join(tmpdir(), 'trunkfarm-bench-site-'));
  try {
    await bench(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function bench(root: string): Promise<void> {
  const farm = await syntheticFarm(EXTENSIONS, 1);
  await writeFile(path.join(root, 'index.json'), JSON.stringify(farm.index));
  const out = path.join(root, 'site');

  let summary: Awaited<ReturnType<typeof buildSite>> | undefined;
  const generate = await bestOf(1, async () => {
    summary = await buildSite({ index: path.join(root, 'index.json'), out, matrix: farm.matrix });
  });
  const s = summary!;
  // Baseline: the same number of files and bytes, written with the same concurrency.
  const raw = path.join(root, 'raw');
  const per = Buffer.alloc(Math.round(s.bytes / s.files), 'x');
  const writeOnly = await bestOf(1, async () => {
    const inFlight = new Set<Promise<void>>();
    for (let i = 0; i < s.files; i++) {
      const dir = path.join(raw, String(i % 2000));
      if (i < 2000) await mkdir(dir, { recursive: true });
      const p: Promise<void> = writeFile(path.join(dir, `${i}.html`), per).finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= 32) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  });
  console.log(
    `site for ${s.extensions} extensions, ${s.entries} builds: ${s.files} files, ${(s.bytes / 1e6).toFixed(0)} MB in ${ms(generate)}; writing as many files and bytes alone: ${ms(writeOnly)} (${(generate / writeOnly).toFixed(1)}x)`,
  );

  const largest = await largestHtml(out);
  const server = await serveDirectory(out);
  const browser = await launchChromium();
  try {
    const fmt = (t: Load) => `response ${ms(t.response)}, DOMContentLoaded ${ms(t.dcl)}, load ${ms(t.load)}`;
    const first = farm.matrix.entries[0]!.entry.name;
    // A PostgreSQL 18 build with bundled libraries: the page with the most to show.
    const artifact = farm.index.entries
      .filter((e) => e.pg === 18 && e.status === 'built' && e.closure.bundled.length > 0)
      .map((e) => `ext/${e.extension}/${e.platform}.html`)
      .find((f) => existsSync(path.join(out, f)))!;
    const pages: [string, string][] = [
      ['index.html', 'index.html'],
      ['pg18/ (one major)', 'pg18/index.html'],
      ['failing/', 'failing/index.html'],
      [`largest page (${largest.file})`, largest.file],
      ['an extension page', `ext/${first}/index.html`],
      ['an artifact page', artifact],
    ];
    for (const [name, p] of pages) {
      const size = (await stat(path.join(out, p))).size;
      const plain = `plain-${size}.html`;
      await writeFile(path.join(out, plain), plainPage(size));
      const t = await measure(browser, server.url + p, server.url + plain);
      console.log(`${name}, ${(size / 1000).toFixed(0)} kB: ${fmt(t.page)} (${t.page.load < 1000 ? 'under' : 'OVER'} one second)`);
      console.log(`  plain HTML page of the same size: ${fmt(t.baseline)}; the page's load takes ${(t.page.load / t.baseline.load).toFixed(1)}x`);
    }
    const f = await filterTimes(browser, server.url);
    const data = (await stat(path.join(out, 'data/grid.json'))).size;
    console.log(`filter as you type over all ${s.extensions} extensions: first keystroke ${ms(f.cold)} (fetches data/grid.json, ${(data / 1000).toFixed(0)} kB), then ${ms(f.warm)} ("${f.matches}")`);
  } finally {
    await browser.close();
    await server.close();
  }
}
