// The composite actions and `bin/trunkfarm.js` run the committed bundle: it must be exactly what
// the sources build, or a change would ship without reaching users.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

describe('dist/', () => {
  it('is what the sources build (run `npm run build` and commit dist/)', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'trunkfarm-dist-'));
    execFileSync('node', ['scripts/bundle.mjs', '--out', out]);
    const fresh = await readFile(path.join(out, 'cli.js'), 'utf8');
    const committed = await readFile('dist/cli.js', 'utf8');
    expect(committed === fresh, 'dist/cli.js differs from a fresh build: run `npm run build`').toBe(true);
  }, 120_000);

  it('runs as `trunkfarm` through package.json bin', () => {
    const help = execFileSync('node', ['bin/trunkfarm.js', '--help'], { encoding: 'utf8' });
    expect(help).toMatch(/^Usage: trunkfarm/);
  });
});
