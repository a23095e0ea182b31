// A job's output as a finished build leaves it (trunk, provenance sidecar, result.json), made
// without a container engine, so that `trunkfarm build` finds the job up to date and skips it.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { jobDirName, type JobResult } from '../../src/job-result/index.ts';
import { loadValidMatrix } from '../../src/matrix/index.ts';
import { writeTrunk } from '../../src/package/index.ts';
import { expandJobs } from '../../src/plan/index.ts';
import { writeSidecar } from '../../src/sign/index.ts';
import { makeStage, sampleMeta } from '../package/fixtures.ts';

export interface FinishedJob {
  jobDir: string;
  trunk: string;
}

/** The pg17 glibc amd64 job of entry `name` (version 1.0.0) of `matrix`, finished in `out`. */
export async function finishedJob(matrix: string, name: string, out: string, scratch: string): Promise<FinishedJob> {
  const [job] = expandJobs(await loadValidMatrix(matrix)).filter((j) => j.extension === name && j.pg === 17 && j.arch === 'amd64' && j.libc === 'glibc');
  const jobDir = path.join(out, jobDirName(job!));
  await mkdir(jobDir, { recursive: true });
  const written = await writeTrunk(await makeStage(path.join(scratch, `stage-${name}`), name), sampleMeta({ name, version: '1.0.0' }), jobDir);
  await writeSidecar(written.path, written.sha256, { buildKey: job!.key, source: { uri: `https://example.org/${name}-1.0.0.tar.gz`, sha256: 'ab'.repeat(32) } });
  const now = new Date().toISOString();
  const result: JobResult = {
    version: 1,
    job: job!,
    status: 'built',
    steps: [],
    artifacts: {
      trunk: { file: path.basename(written.path), sha256: written.sha256, size: written.size, files: written.digests.size },
      oci: { layout: 'oci', tag: '1.0.0-pg17-gnulinux', digest: `sha256:${'0'.repeat(64)}`, size: 0 },
    },
    startedAt: now,
    finishedAt: now,
  };
  await writeFile(path.join(jobDir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
  return { jobDir, trunk: written.path };
}
