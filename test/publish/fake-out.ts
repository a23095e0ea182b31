// A `trunkfarm build` output directory made without building anything, for publish tests that
// need no container engine: per job, result.json, a trunk file of random bytes and an OCI layout
// shaped as the build writes it (an image index of one platform, tagged VERSION-pgN-OS), with real
// tar layers that skopeo accepts. `revision` makes a rebuild of the same job with other bytes.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { JobResult } from '../../src/job-result/index.ts';
import type { Arch, Libc } from '../../src/types.ts';
import { addImage, OCI_INDEX, writeBlob } from '../oci/registry/fixtures.ts';

export interface FakeJobSpec {
  extension: string;
  version: string;
  pg?: number;
  arch?: Arch;
  libc?: Libc;
  status?: 'built' | 'failed';
  /** A rebuild: same job, other key and bytes. */
  revision?: number;
  /** Size of the image's one layer. Default 20 kB. */
  layerBytes?: number;
  finishedAt?: string;
}

export interface FakeJob {
  dir: string;
  result: JobResult;
  /** Absent for a failed job. */
  trunk?: string;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export async function writeFakeJob(out: string, spec: FakeJobSpec): Promise<FakeJob> {
  const pg = spec.pg ?? 17;
  const arch = spec.arch ?? 'amd64';
  const libc = spec.libc ?? 'glibc';
  const os = libc === 'glibc' ? 'gnulinux' : 'musllinux';
  const platform = `pg${pg}-${os}-${arch}`;
  const revision = spec.revision ?? 0;
  const key = sha256(Buffer.from(`${spec.extension} ${spec.version} ${platform} ${revision}`));
  const dir = path.join(out, `${spec.extension}-${spec.version}+${platform}`);
  await mkdir(dir, { recursive: true });
  const finishedAt = spec.finishedAt ?? new Date(Date.UTC(2025, 0, 1, 0, revision)).toISOString();
  const job = { extension: spec.extension, version: spec.version, pg, arch, libc, platform, runner: 'ubuntu-24.04', key };
  const base = { version: 1 as const, job, steps: [], startedAt: finishedAt, finishedAt };

  if (spec.status === 'failed') {
    const result: JobResult = { ...base, status: 'failed', failure: { step: 'compile', message: 'make: *** [all] Error 2' } };
    await writeResult(dir, result);
    return { dir, result };
  }

  const trunkName = `${spec.extension}-${spec.version}+${platform}.trunk`;
  const trunkBytes = randomBytes(3000);
  await writeFile(path.join(dir, trunkName), trunkBytes);

  // The layout: one platform's manifest under an index, as src/package writes it.
  const layout = path.join(dir, 'oci');
  const image = await addImage(layout, { layers: [spec.layerBytes ?? 20_000], platforms: [{ os: 'linux', architecture: arch }], label: `${key}` });
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ ...image.top, platform: { os: 'linux', architecture: arch } }] }));
  const indexDigest = await writeBlob(layout, index);
  const tag = `${spec.version}-pg${pg}-${os}`;
  await writeFile(
    path.join(layout, 'index.json'),
    JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_INDEX, digest: indexDigest, size: index.length, annotations: { 'org.opencontainers.image.ref.name': tag } }] }),
  );

  const result: JobResult = {
    ...base,
    status: 'built',
    source: { uri: `https://example.org/${spec.extension}-${spec.version}.tar.gz`, sha256: sha256(Buffer.from(spec.extension)), from: 'url' },
    images: { builder: { ref: `localhost/trunkfarm/builder:pg${pg}-${os}-${arch}`, id: 'b' }, base: { ref: `localhost/trunkfarm/base:pg${pg}-${os}-${arch}`, id: 'a' } },
    isa: { baseline: arch === 'arm64' ? 'armv8-a' : 'x86-64', findings: [] },
    closure: { ok: true, bundled: [], problems: [] } as unknown as JobResult['closure'],
    artifacts: {
      trunk: { file: trunkName, sha256: sha256(trunkBytes), size: trunkBytes.length, files: 3 },
      oci: { layout: 'oci', tag, digest: indexDigest, size: index.length },
    },
  };
  await writeResult(dir, result);
  return { dir, result, trunk: path.join(dir, trunkName) };
}

async function writeResult(dir: string, result: JobResult): Promise<void> {
  await writeFile(path.join(dir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
}

/** The index.json bytes at `file`, or null when there is none. */
export async function bytesOrNull(file: string): Promise<Buffer | null> {
  return readFile(file).catch(() => null);
}
