// A build bundles libraries from its builder's distribution; when the distribution ships a newer
// version of a bundled library's package, the job is stale though its key is not. `plan --index
// --check-packages` asks the builder image itself (the local Debian builder for PostgreSQL 17,
// whose apt reaches this machine's Debian mirror): a build that bundled libyaml-0-2 at an older
// version than Debian's is stale, one that bundled a version no older is not.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadValidMatrix } from '../../src/matrix/index.ts';
import { expandTargets } from '../../src/plan/index.ts';
import { parseIndex } from '../../src/publish/index.ts';
import type { IndexEntry } from '../../src/types.ts';
import { runCli } from '../support/cli.ts';
import { entryYaml, scratchMatrix } from '../support/matrix.ts';
import { requireComponents } from '../support/requirements.ts';

const BUILDER = 'localhost/trunkfarm/builder:pg17-gnulinux-amd64';

let dir: string;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('plan --check-packages', () => {
  let matrix: string;
  let index: string;

  beforeAll(async () => {
    requireComponents(['podman'], [BUILDER]);
    dir = await mkdtemp(path.join(tmpdir(), 'trunkfarm-stale-packages-'));
    matrix = await scratchMatrix(
      { 'old.yaml': entryYaml('old'), 'current.yaml': entryYaml('current'), 'plain.yaml': entryYaml('plain') },
      `postgres: [17]
arches:
  amd64: { runner: ubuntu-24.04, isa: x86-64 }
libcs:
  glibc:
    distro: debian
    images:
      "17": { builder: ${BUILDER}, base: localhost/trunkfarm/base:pg17-gnulinux-amd64 }
default: { arch: amd64, libc: glibc }
`,
    );
    // Published builds of every job: `old` bundled libyaml at a version before any Debian ships,
    // `current` at one no Debian version exceeds, `plain` bundled nothing.
    const bundled: Record<string, string | undefined> = { old: '0.1.0-1', current: '99:0', plain: undefined };
    const entries: IndexEntry[] = expandTargets(await loadValidMatrix(matrix)).map(({ job, platform }) => ({
      key: job.key,
      extension: job.extension,
      version: job.version,
      pg: job.pg,
      arch: job.arch,
      libc: job.libc,
      platform: job.platform,
      status: 'built',
      closure: {
        ok: true,
        bundled: bundled[job.extension] ? [{ soname: 'libyaml-0.so.2', file: 'lib/libyaml-0.so.2', sha256: 'cd'.repeat(32), size: 1, package: 'libyaml-0-2', packageVersion: bundled[job.extension] }] : [],
        problems: [],
      },
      provenance: { source: 'https://example.org/x.tar.gz', sourceDigest: `sha256:${'ab'.repeat(32)}`, builderImage: platform.builder.ref, baseImage: platform.base.ref },
      builtAt: '2026-12-01T00:00:00Z',
    }));
    index = path.join(dir, 'index.json');
    const text = JSON.stringify({ version: 1, generatedAt: '2026-12-01T00:00:00Z', entries });
    parseIndex(text, index);
    await writeFile(index, text);
  }, 60_000);

  it('without it, nothing is stale: every key is published', async () => {
    const r = await runCli(['plan', '--matrix', matrix, '--index', index, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).jobs).toEqual([]);
  });

  it('with it, the job whose bundled package Debian has a newer version of, saying which', async () => {
    const r = await runCli(['plan', '--matrix', matrix, '--index', index, '--check-packages', '--engine', 'podman', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const jobs = JSON.parse(r.stdout).jobs as { extension: string; stale: { reason: string; message: string }[] }[];
    expect(jobs.map((j) => j.extension)).toEqual(['old']);
    expect(jobs[0]!.stale).toEqual([{ reason: 'bundled-package', message: expect.stringMatching(new RegExp(`^bundled libyaml-0-2 0\\.1\\.0-1; ${BUILDER} has 0\\.2\\.\\d+-\\d+`)) }]);
  }, 300_000);

  it('wants an index to compare with', async () => {
    const r = await runCli(['plan', '--matrix', matrix, '--check-packages']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--check-packages compares with the packages published builds bundled: give --index or --index-registry');
  });
});
