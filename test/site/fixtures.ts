// A small hand-made farm whose every cell state is known: a scratch matrix and an index built from
// its plan's keys, for the unit tests.
import { loadValidMatrix, type Matrix } from '../../src/matrix/index.ts';
import { expandJobs, type PlannedJob } from '../../src/plan/index.ts';
import type { IndexEntry, PublishedIndexFile } from '../../src/types.ts';
import { entryYaml, scratchMatrix } from '../support/matrix.ts';

export const HOSTILE_ABSTRACT = '<img src=x onerror="alert(1)"> & "quoted" \'too\'';
export const HOSTILE_NAME = '<script>alert("name")</script>&\'x';

export function entry(fields: Partial<IndexEntry> & Pick<IndexEntry, 'key' | 'extension' | 'pg' | 'arch' | 'libc' | 'platform'>): IndexEntry {
  return {
    version: '1.0.0',
    status: 'built',
    trunk: { file: `${fields.extension}-1.0.0+${fields.platform}.trunk`, sha256: 'a'.repeat(64), size: 123_456, files: 7, url: `https://example.org/${fields.extension}.trunk` },
    oci: { ref: `registry.example/acme/${fields.extension}:1.0.0-${fields.platform}`, digest: `sha256:${'b'.repeat(64)}`, size: 130_000 },
    closure: { ok: true, bundled: [], problems: [] },
    signature: { bundle: 'https://example.org/x.sigstore.json', kind: 'keyless' },
    provenance: { source: 'https://example.org/src.tar.gz', sourceDigest: 'c'.repeat(64), builderImage: 'example.org/pg:17', baseImage: 'example.org/pg:17', runUrl: 'https://github.com/acme/farm/actions/runs/1' },
    logUrl: 'https://github.com/acme/farm/actions/runs/1/job/2',
    builtAt: '2025-05-01T00:00:00Z',
    ...fields,
  };
}

function fromJob(job: PlannedJob, fields: Partial<IndexEntry> = {}): IndexEntry {
  return entry({ key: job.key, extension: job.extension, version: job.version, pg: job.pg, arch: job.arch, libc: job.libc, platform: job.platform, ...fields });
}

export interface SmallFarm {
  matrix: Matrix;
  index: PublishedIndexFile;
}

/**
 * alpha: every platform. pg15 glibc amd64 built, pg15 glibc arm64 failed, pg16 glibc amd64 stale,
 *   pg16 glibc arm64 missing, pg17 glibc amd64 built with an older superseded build.
 * beta: ">= 16", musl arm64 excluded with a reason; an old pg15 build (now out of range).
 * gamma: SQL only, pg15 built; an old per-platform build from before it was SQL only. Its
 *   abstract is hostile (the matrix allows any text there).
 * delta: not in the matrix, one build.
 */
export async function smallFarm(): Promise<SmallFarm> {
  const dir = await scratchMatrix({
    'alpha.yaml': entryYaml('alpha'),
    'beta.yaml': entryYaml('beta', '  postgres:\n    version: ">= 16"\nplatforms:\n  exclude:\n    - { libc: musl, arch: arm64, reason: "no musl arm64 runner" }\n'),
    'gamma.yaml': entryYaml('gamma', 'language: sql\n').replace('abstract: The gamma extension', `abstract: ${JSON.stringify(HOSTILE_ABSTRACT)}`),
  });
  const matrix = await loadValidMatrix(dir);
  const jobs = expandJobs(matrix);
  const job = (ext: string, platform: string) => {
    const j = jobs.find((x) => x.extension === ext && x.platform === platform);
    if (!j) throw new Error(`no job ${ext} ${platform}`);
    return j;
  };
  const entries: IndexEntry[] = [
    fromJob(job('alpha', 'pg15-gnulinux-amd64'), {
      closure: {
        ok: true,
        bundled: [{ soname: 'libgeos_c.so.1', file: 'lib/libgeos_c.so.1', sha256: 'd'.repeat(64), size: 512_000, package: 'libgeos-c1t64', packageVersion: '3.13.1-1', license: 'LGPL-2.1-or-later' }],
        problems: [],
      },
    }),
    fromJob(job('alpha', 'pg15-gnulinux-arm64'), {
      status: 'failed',
      failure: { step: 'build', message: 'make: *** [Makefile:1: alpha.o] Error 1' },
      trunk: undefined,
      oci: undefined,
      signature: undefined,
      closure: { ok: false, bundled: [], problems: [{ file: 'lib/alpha.so', message: 'libfoo.so.2 => not found' }] },
    }),
    fromJob(job('alpha', 'pg16-gnulinux-amd64'), { key: 'e'.repeat(64), version: '0.9.0' }),
    fromJob(job('alpha', 'pg17-gnulinux-amd64'), { builtAt: '2025-05-02T00:00:00Z' }),
    fromJob(job('alpha', 'pg17-gnulinux-amd64'), { key: 'f'.repeat(64), version: '0.8.0', builtAt: '2025-04-01T00:00:00Z' }),
    entry({ key: '1'.repeat(64), extension: 'beta', pg: 15, arch: 'amd64', libc: 'glibc', platform: 'pg15-gnulinux-amd64' }),
    fromJob(job('gamma', 'pg15-any')),
    entry({ key: '2'.repeat(64), extension: 'gamma', pg: 16, arch: 'amd64', libc: 'glibc', platform: 'pg16-gnulinux-amd64' }),
    entry({ key: '3'.repeat(64), extension: 'delta', pg: 17, arch: 'amd64', libc: 'glibc', platform: 'pg17-gnulinux-amd64' }),
  ];
  return { matrix, index: { version: 1, generatedAt: '2025-05-03T00:00:00Z', entries } };
}

/** An index-only build whose every text field is hostile. */
export function hostileEntry(): IndexEntry {
  return entry({
    key: '9'.repeat(64),
    extension: HOSTILE_NAME,
    version: '1.0"><img src=x onerror=alert(2)>',
    pg: 18,
    arch: 'amd64',
    libc: 'glibc',
    platform: 'pg18-<b>gnulinux</b>-amd64',
    // Built, so that the usage snippets carry its values too; the failure field still renders.
    status: 'built',
    failure: { step: '<i>build</i>', message: '</pre><iframe src="javascript:alert(3)"></iframe>' },
    trunk: { file: "x'; rm -rf ~; echo '.trunk", sha256: '<x>', size: 1, files: 1, url: 'javascript:alert(4)' },
    oci: { ref: 'evil.example/x"\n  - name: injected:1', digest: 'sha256:<y>', size: 1 },
    closure: { ok: false, bundled: [{ soname: '<svg onload=alert(5)>', file: 'lib/<x>', sha256: '<z>', size: 1, license: '<svg onload=alert(6)>' }], problems: [{ file: '<a href=x>', message: '<script>alert(7)</script>' }] },
    signature: { bundle: 'javascript:alert(8)', kind: 'key' },
    provenance: { source: 'javascript:alert(9)', sourceDigest: '<d>', builderImage: '<img src=x>', baseImage: '<img src=y>', runUrl: 'javascript:alert(10)' },
    logUrl: 'JaVaScRiPt:alert(11)',
    builtAt: '2026-01-02T03:04:05Z', // a non-date is refused when the index is read
  });
}
