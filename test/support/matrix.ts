// Scratch matrix directories for tests: a small valid platforms.yaml and entries given as text.
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Matrix } from '../../src/matrix/index.ts';
import { changedSince, type PlannedJob } from '../../src/plan/index.ts';

export const PLATFORMS_YAML = `postgres: [15, 16, 17]
arches:
  amd64: { runner: ubuntu-24.04, isa: x86-64 }
  arm64: { runner: ubuntu-24.04-arm, isa: armv8-a }
libcs:
  glibc:
    distro: debian
    images:
      "15": { builder: example.org/pg:15, base: example.org/pg:15 }
      "16": { builder: example.org/pg:16, base: example.org/pg:16 }
      "17": { builder: example.org/pg:17, base: example.org/pg:17 }
  musl:
    distro: alpine
    images:
      "15": { builder: example.org/pg:15-alpine, base: example.org/pg:15-alpine }
      "16": { builder: example.org/pg:16-alpine, base: example.org/pg:16-alpine }
      "17": { builder: example.org/pg:17-alpine, base: example.org/pg:17-alpine }
default: { arch: amd64, libc: glibc }
`;

/** A valid entry; `extra` lines are appended (later keys must not repeat earlier ones). */
export function entryYaml(name: string, extra = '', version = '1.0.0'): string {
  return `name: ${name}
version: ${version}
abstract: The ${name} extension
license: PostgreSQL
homepage: https://example.org/${name}
source:
  url: https://example.org/${name}-${version}.tar.gz
  sha256: ${'ab'.repeat(32)}
contents:
  extensions: [${name}]
dependencies:
  pipeline: pgxs
${extra}`;
}

export async function scratchMatrix(entries: Record<string, string>, platforms = PLATFORMS_YAML): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'trunkfarm-matrix-'));
  const dir = path.join(root, 'matrix');
  await mkdir(path.join(dir, 'extensions'), { recursive: true });
  await writeFile(path.join(dir, 'platforms.yaml'), platforms);
  for (const [file, text] of Object.entries(entries)) await writeFile(path.join(dir, 'extensions', file), text);
  return dir;
}

/** The straightforward `--changed-since`: expand everything, keep the jobs of changed entry files
 * and changed platforms (SQL-only jobs count as their major's default platform). The reference that
 * planChangedSince, which expands only what changed, must equal. */
export async function filterChangedSince(matrix: Matrix, jobs: readonly PlannedJob[], ref: string): Promise<PlannedJob[]> {
  const { files, platforms } = await changedSince(matrix, ref);
  const platformOf = (j: PlannedJob) => `pg${j.pg}-${j.libc === 'musl' ? 'musllinux' : 'gnulinux'}-${j.arch}`;
  return jobs.filter((j) => files.has(j.file) || platforms.has(platformOf(j)));
}
