import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MARKER, writeSite, type SiteFile } from '../../src/site/index.ts';
import { runCli } from '../support/cli.ts';
import { smallFarm } from './fixtures.ts';

const scratches: string[] = [];
async function scratch(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'trunkfarm-site-'));
  scratches.push(dir);
  return dir;
}
afterAll(() => Promise.all(scratches.map((d) => rm(d, { recursive: true, force: true }))));

describe('writing the site', () => {
  it('replaces a previous site whole, and leaves no temporary directory', async () => {
    const root = await scratch();
    const out = path.join(root, 'site');
    await writeSite(out, [{ path: 'index.html', data: 'one' }, { path: 'old/page.html', data: 'x' }]);
    await writeSite(out, [{ path: 'index.html', data: 'two' }]);
    expect(await readFile(path.join(out, 'index.html'), 'utf8')).toBe('two');
    expect(existsSync(path.join(out, 'old'))).toBe(false);
    expect((await readdir(root)).sort()).toEqual(['site']);
  });

  it('leaves the previous site as it was when rendering fails halfway', async () => {
    const root = await scratch();
    const out = path.join(root, 'site');
    await writeSite(out, [{ path: 'index.html', data: 'good' }]);
    function* broken(): Generator<SiteFile> {
      yield { path: 'index.html', data: 'half' };
      throw new Error('render failed');
    }
    await expect(writeSite(out, broken())).rejects.toThrow('render failed');
    expect(await readFile(path.join(out, 'index.html'), 'utf8')).toBe('good');
    expect((await readdir(root)).sort()).toEqual(['site']);
  });

  it('refuses to replace a directory it did not write', async () => {
    const root = await scratch();
    await mkdir(path.join(root, 'docs'));
    await writeFile(path.join(root, 'docs', 'keep.txt'), 'mine');
    await expect(writeSite(path.join(root, 'docs'), [{ path: 'index.html', data: '' }])).rejects.toThrow(`no ${MARKER} file`);
    expect(await readFile(path.join(root, 'docs', 'keep.txt'), 'utf8')).toBe('mine');
  });
});

describe('trunkfarm site', () => {
  it('writes the site from an index and a matrix, and says what it wrote', async () => {
    const { matrix, index } = await smallFarm();
    const root = await scratch();
    await writeFile(path.join(root, 'index.json'), JSON.stringify(index));
    const out = path.join(root, 'public');
    const r = await runCli(['site', '--index', path.join(root, 'index.json'), '--out', out, '--matrix', matrix.dir, '--base-url', 'https://acme.example/farm']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*public: \d+ files, [\d.]+ MB; 4 extensions, 9 builds; cells: 3 built, 1 failed, 1 stale, 16 missing, 21 excluded\n$/);
    expect(await readFile(path.join(out, 'index.json'), 'utf8')).toBe(JSON.stringify(index));
    expect(await readFile(path.join(out, 'index.html'), 'utf8')).toContain('<link rel="canonical" href="https://acme.example/farm/">');
    for (const f of ['assets/site.css', 'data/grid.json', '.nojekyll', 'ext/alpha/index.html', 'pg15/index.html', 'on/musllinux-arm64/index.html', 'failing/index.html']) {
      expect(existsSync(path.join(out, f)), f).toBe(true);
    }
  });

  it('reports a bad index with the field that is wrong, and writes nothing', async () => {
    const root = await scratch();
    const { index } = await smallFarm();
    const bad = { ...index, entries: index.entries.map((e, i) => (i === 2 ? { ...e, arch: 'sparc' } : e)) };
    await writeFile(path.join(root, 'index.json'), JSON.stringify(bad));
    const r = await runCli(['site', '--index', path.join(root, 'index.json'), '--out', path.join(root, 'out')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is not a trunkfarm index (version 1):\n  entries[2].arch:');
    expect(r.stderr).not.toContain('    at ');
    expect(existsSync(path.join(root, 'out'))).toBe(false);

    const dup = { ...index, entries: [...index.entries, index.entries[0]] };
    await writeFile(path.join(root, 'dup.json'), JSON.stringify(dup));
    const d = await runCli(['site', '--index', path.join(root, 'dup.json'), '--out', path.join(root, 'out')]);
    expect(d.stderr).toMatch(/entries\[9\]: build key [0-9a-f]{64} is already used by entries\[0\]/);

    const missing = await runCli(['site', '--index', path.join(root, 'nope.json'), '--out', path.join(root, 'out')]);
    expect(missing).toMatchObject({ code: 1, stderr: `trunkfarm: --index ${path.join(root, 'nope.json')}: no such file\n` });
    const url = await runCli(['site', '--index', path.join(root, 'index.json'), '--out', path.join(root, 'out'), '--base-url', 'javascript:alert(1)']);
    expect(url).toMatchObject({ code: 2 });
    expect(url.stderr).toContain('--base-url must be an http(s) URL');
  });
});
