// The composite actions and `bin/trunkfarm.js` run the committed bundle: it must be exactly what
// the sources build, or a change would ship without reaching users.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every file under dir, by path relative to it, with its text. */
async function tree(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    files.set(path.relative(dir, file), await readFile(file, 'utf8'));
  }
  return files;
}

describe('dist/', () => {
  it('is what the sources build (run `npm run build` and commit dist/)', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'trunkfarm-dist-'));
    execFileSync('node', ['scripts/bundle.mjs', '--out', out]);
    const fresh = await tree(out);
    const committed = await tree('dist');
    expect([...committed.keys()].sort(), 'dist/ holds other files than a fresh build: run `npm run build`').toEqual([...fresh.keys()].sort());
    const stale = [...fresh].filter(([file, text]) => committed.get(file) !== text).map(([file]) => file);
    expect(stale, 'dist/ differs from a fresh build: run `npm run build`').toEqual([]);
  }, 120_000);

  it('runs as `trunkfarm` through package.json bin', () => {
    const help = execFileSync('node', ['bin/trunkfarm.js', '--help'], { encoding: 'utf8' });
    expect(help).toMatch(/^Usage: trunkfarm/);
  });

  it('rebuilds in place, leaving no chunk of an earlier build', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'trunkfarm-dist-'));
    execFileSync('node', ['scripts/bundle.mjs', '--out', out]);
    const first = await tree(out);
    await writeFile(path.join(out, 'chunks', 'chunk-OLDBUILD.js'), 'export {};\n');
    execFileSync('node', ['scripts/bundle.mjs', '--out', out]);
    expect(await tree(out)).toEqual(first);
  }, 120_000);
});
