// Builds one job of the project matrix with the local images, as `trunkfarm build` does.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildJob, lineReporter } from '../../src/builder/index.ts';
import type { JobResult } from '../../src/job-result/index.ts';
import { loadValidMatrix } from '../../src/matrix/index.ts';
import { expandTargets } from '../../src/plan/index.ts';
import type { Arch, Libc } from '../../src/types.ts';
import { requireComponents } from './requirements.ts';

export interface Built {
  result: JobResult;
  /** The job's output directory. */
  dir: string;
}

export async function buildOne(extension: string, pg: number, libc: Libc = 'glibc', arch: Arch = 'amd64', out?: string): Promise<Built> {
  const matrix = await loadValidMatrix('matrix');
  const loaded = matrix.entries.find((e) => e.entry.name === extension)!;
  const target = expandTargets(matrix, [loaded]).find(({ job: j }) => j.pg === pg && j.libc === libc && j.arch === arch);
  if (!target) throw new Error(`no job ${extension} pg${pg} ${libc} ${arch}`);
  const { job } = target;
  const os = libc === 'glibc' ? 'gnulinux' : 'musllinux';
  requireComponents(['podman'], [`localhost/trunkfarm/builder:pg${pg}-${os}-${arch}`, `localhost/trunkfarm/base:pg${pg}-${os}-${arch}`]);
  const dir = out ?? (await mkdtemp(path.join(tmpdir(), `trunkfarm-build-${extension}-`)));
  const lines: string[] = [];
  const result = await buildJob(target, { out: dir, matrixDir: matrix.dir, images: 'local', reporter: () => lineReporter((l) => lines.push(l)) });
  if (result.status !== 'built') {
    throw new Error(`${extension} pg${pg} ${libc} ${arch} failed at ${result.failure?.step}: ${result.failure?.message}\n${lines.join('\n')}`);
  }
  return { result, dir: path.join(dir, `${job.extension}-${job.version}+${job.platform}`) };
}

/** The run's shared output directory (made by the global setup): a job built by one test file is
 * found built by the next, as `trunkfarm build` skips a job whose key is already in its out/. */
export function sharedOut(): string {
  const dir = process.env.TRUNKFARM_TEST_BUILDS;
  if (!dir) throw new Error('TRUNKFARM_TEST_BUILDS is unset: run the tests through vitest (test/support/global-setup.ts sets it)');
  return dir;
}

/** buildOne into the shared directory, one build at a time across test processes (a lock
 * directory), so that two files asking for the same job build it once. */
export async function buildShared(extension: string, pg: number, libc: Libc = 'glibc', arch: Arch = 'amd64'): Promise<Built> {
  const out = sharedOut();
  const lock = path.join(out, '.lock');
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lock left by a test process that died (a kept TRUNKFARM_TEST_BUILDS) is taken over.
      const holder = Number(await readFile(path.join(lock, 'pid'), 'utf8').catch(() => '0'));
      if (holder > 0 && !alive(holder)) await rm(lock, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await buildOne(extension, pg, libc, arch, out);
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
