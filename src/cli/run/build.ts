import path from 'node:path';
import { buildJob, terminalReporter } from '../../builder/index.ts';
import { UserError } from '../../errors.ts';
import { annotateBuild, buildTable, reportBuild } from '../../github/index.ts';
import { jobDirName, type JobResult } from '../../job-result/index.ts';
import { expandTargets, pinMatrixImages } from '../../plan/index.ts';
import { printTable } from '../options.ts';
import { loadValidMatrixAnnotated } from './validate.ts';

export interface BuildFlags {
  matrix: string;
  version?: string;
  pg?: number;
  arch?: string;
  libc?: string;
  out: string;
  engine?: string;
  images: 'auto' | 'local' | 'public';
  test: boolean;
  force?: boolean;
  /** Sign each built trunk with this key (FILE.sigstore.json beside it). */
  key?: string;
  /** Pin the images to their digests first (see plan/pin.ts): the key then binds them. */
  pinImages?: boolean;
  /** Every line of every step's output as it comes, rather than a line per step. */
  verbose?: boolean;
}

export async function run(extension: string, opts: BuildFlags): Promise<void> {
  const loadedMatrix = await loadValidMatrixAnnotated(opts.matrix);
  const matrix = opts.pinImages ? await pinMatrixImages(loadedMatrix) : loadedMatrix;
  const loaded = matrix.entries.find((e) => e.entry.name === extension);
  if (!loaded) throw new UserError(`no matrix entry named "${extension}" (see \`trunkfarm plan\`)`, { exitCode: 2 });
  if (opts.version && opts.version !== loaded.entry.version) throw new UserError(`${extension}: the matrix has version ${loaded.entry.version}, not ${opts.version}`, { exitCode: 2 });
  const targets = expandTargets(matrix, [loaded]).filter(
    ({ job: j }) => (opts.pg === undefined || j.pg === opts.pg) && (!opts.arch || j.arch === opts.arch) && (!opts.libc || j.libc === opts.libc),
  );
  if (targets.length === 0) throw new UserError(`${extension}: no job matches those axes (its platforms: \`trunkfarm plan --extension ${extension}\`)`, { exitCode: 2 });

  // The key is read before anything is built: a wrong path or passphrase fails at once.
  // Sigstore's libraries load only then: a build without --key does not pay for them.
  const sign = opts.key ? await import('../../sign/index.ts') : undefined;
  const key = opts.key ? await sign!.loadSigningKey(opts.key) : undefined;
  const method = key ? ({ kind: 'key', key } as const) : undefined;
  const signer = method ? await sign!.expectedSigner(method) : undefined;
  // Inside Actions the log shows everything, grouped per command, as --verbose does; the job log
  // is where a reader looks, and it folds.
  const streamed = opts.verbose === true || process.env.GITHUB_ACTIONS === 'true';
  const reporter = streamed ? undefined : (name: string, dir: string) => terminalReporter(name, { jobDir: dir });
  const builds: { dir: string; result: JobResult }[] = [];
  for (const target of targets) {
    const { job } = target;
    const result = await buildJob(target, { out: opts.out, matrixDir: matrix.dir, images: opts.images, test: opts.test, ...(opts.engine ? { engine: opts.engine } : {}), ...(opts.force ? { force: true } : {}), ...(reporter ? { reporter } : {}) });
    const build = { dir: path.join(opts.out, jobDirName(job)), result };
    builds.push(build);
    // Built now or found up to date: either way the trunk leaves signed (a bundle that signs its
    // bytes with this key already is kept).
    if (method && result.status === 'built' && result.artifacts) {
      const signed = await sign!.signArtifact(path.join(build.dir, result.artifacts.trunk.file), { method, reuse: signer! });
      process.stderr.write(`${jobDirName(job)}: ${signed.reused ? 'signature kept' : 'signed'} (key ${signed.keyId}), ${path.relative(opts.out, signed.bundlePath)}\n`);
    }
    // Inside Actions: closure problems on their staged files, a failed step on the entry's line.
    await annotateBuild(build, loaded);
  }
  const { header, rows } = buildTable(builds, false);
  printTable(header, rows);
  await reportBuild(builds);
  if (builds.some((b) => b.result.status === 'failed')) process.exitCode = 1;
}
