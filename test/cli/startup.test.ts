// Starting the CLI loads commander and the command declarations, nothing else: each command's
// implementation and its dependencies are chunks of dist/ loaded when that command runs. Which
// files a run of the committed bundle loads is recorded by a module hook, and which packages
// they hold is read from esbuild's `// node_modules/NAME/...` comment above each bundled module.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { finishedJob } from '../support/finished-job.ts';
import { entryYaml, scratchMatrix } from '../support/matrix.ts';

const CLI = path.resolve('dist/cli.js');

const HOOK = `export async function load(url, context, next) {
  if (url.startsWith('file:')) (await import('node:fs')).writeSync(2, 'loaded ' + url + '\\n');
  return next(url, context);
}`;
const REGISTER = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOK)}`)});`;

/** The packages whose code a CLI run loaded. */
function packagesLoaded(args: string[], cwd = process.cwd()): Set<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GITHUB_')));
  const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, CLI, ...args], { cwd, env, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const files = [...r.stderr.matchAll(/^loaded (file:\S+)$/gm)].map((m) => fileURLToPath(m[1]!));
  expect(files).toContain(CLI);
  const packages = new Set<string>();
  for (const file of files) {
    for (const m of readFileSync(file, 'utf8').matchAll(/^\/\/ node_modules\/((?:@[^/\n]+\/)?[^/\n]+)\//gm)) packages.add(m[1]!);
  }
  return packages;
}

describe('CLI start-up', () => {
  it('--version and --help load no package but commander', () => {
    for (const args of [['--version'], ['--help'], ['plan', '--help'], ['sign', '--help'], ['keygen', '--help']]) {
      expect([...packagesLoaded(args)], args.join(' ')).toEqual(['commander']);
    }
  });

  it('plan loads the matrix parsers, not the signing, registry and GitHub clients', async () => {
    const dir = await scratchMatrix({ 'a.yaml': entryYaml('a') });
    const loaded = packagesLoaded(['plan', '--matrix', dir, '--json']);
    expect([...loaded].sort()).toEqual(['commander', 'yaml', 'zod']);
  });

  it('build loads neither Sigstore nor the GitHub clients unless it signs or runs inside Actions', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'trunkfarm-startup-'));
    const matrix = await scratchMatrix({ 'tfquick.yaml': entryYaml('tfquick') });
    const out = path.join(dir, 'out');
    await finishedJob(matrix, 'tfquick', out, dir);
    const loaded = packagesLoaded(['build', 'tfquick', '--matrix', matrix, '--out', out, '--pg', '17', '--arch', 'amd64', '--libc', 'glibc']);
    for (const heavy of ['@sigstore/sign', '@sigstore/verify', '@actions/core', 'undici']) expect(loaded.has(heavy), heavy).toBe(false);
    await rm(dir, { recursive: true, force: true });
    await rm(path.dirname(matrix), { recursive: true, force: true });
  });

  it('a command loads its dependencies when it runs', async () => {
    // The control: keygen's implementation imports the signing module, and with it sigstore.
    const dir = await mkdtemp(path.join(tmpdir(), 'trunkfarm-startup-'));
    const loaded = packagesLoaded(['keygen', '--out', path.join(dir, 'k')]);
    expect(loaded.has('@sigstore/sign')).toBe(true);
    await rm(dir, { recursive: true, force: true });
  });
});
