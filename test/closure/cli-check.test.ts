// `trunkfarm check`, run in-process through the real CLI entry.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inventoryFromDir, saveInventory } from '../../src/closure/index.ts';
import { runCli } from '../support/cli.ts';
import { place, sharedLib } from './helpers/cc.ts';

const work = mkdtempSync(join(tmpdir(), 'trunkfarm-cli-check-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const inventoryFile = join(work, 'host.json');
saveInventory(inventoryFromDir('/'), inventoryFile);
const muslFile = join(work, 'musl.json');
saveInventory(inventoryFromDir('/', { libc: 'musl' }), muslFile);

function tree(name: string, module: string): string {
  const root = join(work, name);
  place(module, join(root, 'pgsql/pkglib'), `${name}.so`);
  mkdirSync(join(root, 'pgsql/share/extension'), { recursive: true });
  writeFileSync(join(root, 'pgsql/share/extension', `${name}.control`), 'comment = x\n');
  return root;
}

const good = tree('good', sharedLib('good.so', '#include <zlib.h>\nconst char *fn(void){return zlibVersion();}', { inputs: ['/usr/lib/x86_64-linux-gnu/libz.so.1'] }));
const dep = sharedLib('libabsent.so.9', 'int absent(void){return 9;}');
const bad = tree('bad', sharedLib('bad.so', 'int absent(void); int fn(void){return absent();}', { inputs: [dep] }));

describe('trunkfarm check', () => {
  it('prints the result as JSON and exits 0 when every file passes', async () => {
    const r = await runCli(['check', good, '--inventory', inventoryFile, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(true);
    expect(out.files).toEqual([expect.objectContaining({ path: 'pgsql/pkglib/good.so', verdict: 'ok', needed: ['libz.so.1'], runpath: [], problems: [] })]);
  });

  it('exits 1 and says why when a file fails', async () => {
    const json = await runCli(['check', bad, '--inventory', inventoryFile, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).files[0].problems).toEqual([{ kind: 'not-found', severity: 'error', needed: 'libabsent.so.9', message: 'libabsent.so.9 is in neither the package nor the base image' }]);
    const text = await runCli(['check', bad, '--inventory', inventoryFile]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('pgsql/pkglib/bad.so: fail\n  error not-found: libabsent.so.9 is in neither the package nor the base image\n');
    expect(text.stdout).toMatch(/closure FAILED: 1 ELF file\(s\), 1 failed, 0 bundled/);
  });

  it('bundles with --bundle --from, then passes', async () => {
    const from = join(work, 'from');
    place(dep, join(from, 'usr/lib/x86_64-linux-gnu'));
    const root = tree('tobundle', sharedLib('bad.so', 'int absent(void); int fn(void){return absent();}', { inputs: [dep] }));
    const r = await runCli(['check', root, '--inventory', inventoryFile, '--bundle', '--from', from, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.bundled.map((b: { soname: string; file: string }) => [b.soname, b.file])).toEqual([['libabsent.so.9', 'pgsql/pkglib/libabsent.so.9']]);
  });

  it('names a platform the matrix lacks, and one whose libc the inventory does not have', async () => {
    const cache = join(work, 'cache');
    const unknown = await runCli(['check', good, '--platform', 'pg99-gnulinux-amd64'], { TRUNKFARM_CACHE: cache });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--platform pg99-gnulinux-amd64: not a platform of the matrix/);
    const wrong = await runCli(['check', good, '--platform', 'pg17-musllinux-amd64', '--inventory', inventoryFile]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/is glibc x86_64, not the platform's musl x86_64/);
    const nonsense = await runCli(['check', good, '--platform', 'postgres-17']);
    expect(nonsense.code).toBe(2);
    expect(nonsense.stderr).toMatch(/expected pgMAJOR-\{gnulinux\|musllinux\}-\{amd64\|arm64\}/);
  });

  it('checks against a musl platform', async () => {
    const glibcModule = tree('gl', sharedLib('gl.so', '#include <stdio.h>\nint fn(void){return puts("x");}'));
    const r = await runCli(['check', glibcModule, '--inventory', muslFile, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).files[0].problems.map((p: { kind: string }) => p.kind)).toEqual(['libc']);
    const musl = tree('mu', sharedLib('mu.so', '#include <stdio.h>\nint fn(void){return puts("x");}', { cc: 'musl-gcc' }));
    expect((await runCli(['check', musl, '--inventory', muslFile])).code).toBe(0);
  });

  it('inside GitHub Actions, turns problems into annotations and writes a summary table', async () => {
    const summary = join(work, 'summary.md');
    writeFileSync(summary, '');
    const env = { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary };
    const text = await runCli(['check', bad, '--inventory', inventoryFile], env);
    expect(text.stdout).toContain('::error title=closure%3A pgsql/pkglib/bad.so::error not-found: libabsent.so.9 is in neither the package nor the base image');
    const table = readFileSync(summary, 'utf8');
    expect(table).toContain('<th>File</th>');
    expect(table).toContain('<td>pgsql/pkglib/bad.so</td><td>fail</td><td>libabsent.so.9</td>');
    // With --json, stdout stays JSON; the workflow commands go to stderr.
    const json = await runCli(['check', bad, '--inventory', inventoryFile, '--json'], env);
    expect(JSON.parse(json.stdout).ok).toBe(false);
    expect(json.stderr).toContain('::error title=closure%3A pgsql/pkglib/bad.so::error not-found:');
  });
});
