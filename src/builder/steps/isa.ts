// The isa step: the compile log's compiler invocations and the objects the build left beside the
// sources, checked against the platform's instruction-set baseline (closure/isa). A package
// compiled for the build machine's CPU passes every other step on that machine and crashes with
// SIGILL on an older one, so it fails here, naming the flag, the files and the entry field that
// fixes it. Nothing runs in a container: it reads what the compile step wrote.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkBuildLog, checkObjects, describeFindings, type IsaTarget, mergeFindings, readMakefiles } from '../../closure/index.ts';
import type { JobContext } from '../context.ts';
import { CONTAINER } from '../pipeline.ts';
import { StepError } from '../step-runner.ts';

export function isaStep(ctx: JobContext): Promise<void> {
  return ctx.steps.run('isa', async (logFile) => {
    const { platform, entry, paths } = ctx;
    const target: IsaTarget = { arch: platform.arch, baseline: platform.isa, ...(entry.build?.dispatch_files ? { dispatchFiles: entry.build.dispatch_files } : {}) };
    const compileLog = ctx.steps.logOf('compile');
    const fromLog = checkBuildLog(await readFile(compileLog, 'utf8'), target, CONTAINER.src);
    // The staged libraries too, for builds that leave no objects in the source tree; a library
    // holds every source's record, so with dispatch files declared only the objects can tell.
    const fromObjects = mergeFindings([...(await checkObjects(paths.src, target)), ...(target.dispatchFiles ? [] : await checkObjects(paths.stage, target, { all: true }))]);
    const findings = [...fromLog, ...fromObjects];
    ctx.result.isa = { baseline: platform.isa, findings: findings.map(({ flag, kind, beyond, evidence, files }) => ({ flag, kind, beyond, evidence, files })) };
    if (findings.length === 0) {
      await writeFile(logFile, `compiler invocations and objects keep to ${platform.isa}\n`);
      return;
    }
    // The log names what the build ran; the objects' record only adds what the log did not show.
    const shown = fromLog.length > 0 ? fromLog : fromObjects;
    const message = describeFindings(shown, { target, pipeline: entry.dependencies.pipeline, logName: path.relative(paths.dir, compileLog), makefiles: await readMakefiles(paths.src) });
    await writeFile(logFile, `${message}\n`);
    throw new StepError('isa', message);
  });
}
