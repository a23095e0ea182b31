// Module-only packages, smoke-test settings and source patches: how they validate, what the smoke
// test's server is given, how patches reach the build key and the source tree.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { smokeSettings, smokeSql } from '../../src/builder/smoke.ts';
import { applyPatches } from '../../src/builder/source.ts';
import { formatDiagnostic, loadMatrix, loadValidMatrix } from '../../src/matrix/index.ts';
import { expandJobs } from '../../src/plan/index.ts';
import { entryYaml, scratchMatrix } from '../support/matrix.ts';

async function problems(entries: Record<string, string>, files: Record<string, string> = {}): Promise<string[]> {
  const dir = await scratchMatrix(entries);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  const { diagnostics } = await loadMatrix(dir);
  return diagnostics.map((d) => formatDiagnostic({ ...d, file: path.basename(d.file) }));
}

const moduleOnly = (name: string, extra = '') =>
  entryYaml(name, `test:\n  sql: SELECT 1;\n${extra}`).replace(`extensions: [${name}]`, `extensions: []\n  modules:\n    ${name}: { preload: session }`);

const PATCH = `--- a/hello.c
+++ b/hello.c
@@ -1 +1 @@
-int answer = 41;
+int answer = 42;
`;

describe('module-only packages', () => {
  it('validate with modules and no control file, and create no extension', async () => {
    expect(await problems({ 'hook.yaml': moduleOnly('hook') })).toEqual([]);
    const matrix = await loadValidMatrix(await scratchMatrix({ 'hook.yaml': moduleOnly('hook') }));
    const { entry } = matrix.entries[0]!;
    expect(smokeSql(entry)).toBe('SELECT 1;\n');
    expect(smokeSettings(entry, 'system')).toEqual(["session_preload_libraries = 'hook'"]);
  });

  it('need a control file or a module', async () => {
    const text = entryYaml('none').replace('extensions: [none]', 'extensions: []');
    expect(await problems({ 'none.yaml': text })).toEqual([
      'none.yaml:10:15: contents.extensions: is empty and no modules are listed: name the control files, or list the modules of a module-only package under contents.modules',
    ]);
  });
});

describe('test.settings', () => {
  it('become lines of postgresql.conf, preloads merged with the modules\' own', async () => {
    const text = entryYaml('dec', `test:\n  settings:\n    wal_level: logical\n    max_replication_slots: 4\n    dec.greeting: "it's"\n    shared_preload_libraries: pg_stat_statements\n`).replace(
      'extensions: [dec]',
      'extensions: [dec]\n  modules:\n    dec: { preload: server }',
    );
    const matrix = await loadValidMatrix(await scratchMatrix({ 'dec.yaml': text }));
    expect(smokeSettings(matrix.entries[0]!.entry, 'volume')).toEqual([
      "shared_preload_libraries = 'dec,pg_stat_statements'",
      "wal_level = 'logical'",
      'max_replication_slots = 4',
      "dec.greeting = 'it''s'",
      "extension_control_path = '$system:/extensions/dec/share'",
      "dynamic_library_path = '$libdir:/extensions/dec/lib'",
    ]);
  });

  it('refuse names that are no setting names, multi-line values and what the harness sets', async () => {
    const text = entryYaml('bad', 'test:\n  settings:\n    "wal level": logical\n    unix_socket_directories: /x\n    ok.name: "a\\nb"\n');
    expect(await problems({ 'bad.yaml': text })).toEqual([
      'bad.yaml:15:18: test.settings.wal level: must be a server setting name, such as wal_level or cron.database_name',
      'bad.yaml:17:14: test.settings.ok.name: must be one line',
    ]);
    const owned = entryYaml('own', 'test:\n  settings:\n    unix_socket_directories: /x\n');
    expect(await problems({ 'own.yaml': owned })).toEqual(['own.yaml:15:5: test.settings.unix_socket_directories: is set by the smoke test itself: remove it']);
  });
});

describe('source.patches', () => {
  const patched = (reason = 'the answer is off by one') =>
    entryYaml('hello').replace(/(  sha256: .*\n)/, `$1  patches:\n    - { file: 01-answer.patch, reason: ${reason} }\n`);

  it('must exist under matrix/patches/NAME/', async () => {
    expect(await problems({ 'hello.yaml': patched() })).toEqual([
      'hello.yaml:10:15: source.patches[0].file: patches/hello/01-answer.patch does not exist in the matrix directory: add it, or remove this patch',
    ]);
    expect(await problems({ 'hello.yaml': patched() }, { 'patches/hello/01-answer.patch': PATCH })).toEqual([]);
  });

  it('are allowed under every kind of source: an archive, a git commit, a folder of the repository', async () => {
    const forms = {
      git: '  git: https://example.org/hello.git\n  commit: ' + 'a'.repeat(40) + '\n',
      path: '  path: vendor/hello\n',
    };
    for (const form of Object.values(forms)) {
      const text = patched().replace(/  url: .*\n  sha256: .*\n/, form);
      expect(await problems({ 'hello.yaml': text }, { 'patches/hello/01-answer.patch': PATCH })).toEqual([]);
      expect(await problems({ 'hello.yaml': text })).toEqual([
        expect.stringMatching(/^hello\.yaml:\d+:\d+: source\.patches\[0\]\.file: patches\/hello\/01-answer\.patch does not exist/),
      ]);
    }
  });

  it('a known field in the wrong mapping is said to be misplaced, never "did you mean" itself', async () => {
    const misplaced = entryYaml('hello', 'patches:\n  - { file: 01-answer.patch, reason: off by one }\n');
    expect(await problems({ 'hello.yaml': misplaced })).toEqual(['hello.yaml:13:1: patches: field "patches" does not belong here']);
    // A near miss still gets its suggestion, one that differs from what was written.
    const typo = patched().replace('  patches:', '  Patches:');
    expect(await problems({ 'hello.yaml': typo }, { 'patches/hello/01-answer.patch': PATCH })).toEqual([
      'hello.yaml:9:3: source.Patches: unknown field "Patches" (did you mean "patches"?)',
    ]);
  });

  it('are part of the build key, by content', async () => {
    const keys = async (patch: string | undefined) => {
      const dir = await scratchMatrix({ 'hello.yaml': patch === undefined ? entryYaml('hello') : patched() });
      if (patch !== undefined) {
        await mkdir(path.join(dir, 'patches', 'hello'), { recursive: true });
        await writeFile(path.join(dir, 'patches', 'hello', '01-answer.patch'), patch);
      }
      return expandJobs(await loadValidMatrix(dir)).map((j) => j.key);
    };
    const [plain, one, other] = [await keys(undefined), await keys(PATCH), await keys(PATCH.replace('42', '43'))];
    expect(new Set([...plain, ...one, ...other]).size).toBe(plain.length * 3);
    expect(await keys(PATCH)).toEqual(one);
  });

  it('apply in order, and one that does not apply fails with its name', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'trunkfarm-patch-'));
    const src = path.join(dir, 'src');
    await mkdir(src);
    await writeFile(path.join(src, 'hello.c'), 'int answer = 41;\n');
    await writeFile(path.join(dir, 'a.patch'), PATCH);
    await writeFile(path.join(dir, 'b.patch'), PATCH.replaceAll('41', 'X').replace('-int answer = X;\n+int answer = 42;', '-int answer = 42;\n+int answer = 43;'));
    await applyPatches(src, [{ file: 'a.patch', path: path.join(dir, 'a.patch') }, { file: 'b.patch', path: path.join(dir, 'b.patch') }]);
    expect(await readFile(path.join(src, 'hello.c'), 'utf8')).toBe('int answer = 43;\n');
    await expect(applyPatches(src, [{ file: 'a.patch', path: path.join(dir, 'a.patch') }])).rejects.toThrow(/^a\.patch does not apply to the source: /);
    expect(await readFile(path.join(src, 'hello.c'), 'utf8')).toBe('int answer = 43;\n');
    expect(execFileSync('ls', [src]).toString().trim()).toBe('hello.c');
  });
});
