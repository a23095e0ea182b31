// One job of the plan, end to end, as a list of named steps over one job context: fetch the
// source, choose the images, start the builder with the build dependencies, compile, lay the
// installed files out as a trunk stage, prove (and fix) the shared-library closure against the
// base image, package, and test in the base image. Each step logs to OUT/JOB/logs/STEP.log; a
// failed step names itself and shows the tail of its log. The job is built in a `.partial` folder
// and moved into place at the end, so OUT never holds half a job.
import { mkdir, rename, rm } from 'node:fs/promises';
import { UserError } from '../errors.ts';
import { type BuildOptions, type BuildTarget, createJobContext, type JobContext, jobPaths } from './context.ts';
import { jobDirName, type JobResult, upToDate, writeResult } from '../job-result/index.ts';
import { streamReporter } from './progress.ts';
import { StepError } from './step-runner.ts';
import { closureStep, compileStep, dependenciesStep, imagesStep, installcheckStep, isaStep, packageStep, smokeStep, sourceStep, stageStep, startInstallcheckServer, startTester } from './steps/index.ts';

export async function buildJob(target: BuildTarget, opts: BuildOptions): Promise<JobResult> {
  const { job } = target;
  const { final } = jobPaths(opts.out, job);
  const reporter = (opts.reporter ?? ((name: string) => streamReporter(name)))(jobDirName(job), final);
  if (!opts.force) {
    const prev = await upToDate(final, job.key);
    if (prev) {
      reporter.line(`up to date (build key ${job.key.slice(0, 12)})`);
      return prev;
    }
  }
  const ctx = await createJobContext(target, opts, reporter);
  try {
    await runSteps(ctx);
    return await finish(ctx, 'built');
  } catch (err) {
    await ctx.containers.removeAll().catch((e: Error) => reporter.line(e.message));
    await Promise.all(ctx.containers.ahead);
    if (!(err instanceof UserError)) throw err;
    ctx.result.failure = { step: ctx.steps.failures[0]?.step ?? ctx.steps.current, message: err.message };
    reporter.failed(err.message, err instanceof StepError ? err.summary : undefined);
    return await finish(ctx, 'failed');
  }
}

/** The steps, side by side where one does not need the other. */
async function runSteps(ctx: JobContext): Promise<void> {
  const { steps, containers } = ctx;
  const sourcing = sourceStep(ctx);
  const imaging = imagesStep(ctx);
  await steps.settle([sourcing, imaging]);
  const [source, images] = [await sourcing, await imaging];
  if (ctx.testing) await mkdir(ctx.paths.clusters, { recursive: true });
  const builder = await dependenciesStep(ctx, images.builder);
  const builderContainer = await builder.container;

  // What the tests need of PostgreSQL itself does not depend on the extension: while it compiles,
  // the base image's container starts and gets a fresh cluster, and the builder's own server
  // starts for installcheck. A failure there fails that step, when it comes.
  const tester = ctx.testing ? startTester(ctx, images.base) : undefined;
  const icServer = ctx.installchecking ? startInstallcheckServer(ctx, builderContainer, images.builder) : undefined;
  const pg = await compileStep(ctx, builderContainer, source.epoch);
  const installcheck = icServer ? installcheckStep(ctx, builderContainer, icServer) : undefined;

  let builderGone: Promise<void> | undefined;
  const rest = (async () => {
    await stageStep(ctx, pg);
    // After stage, so that a refused build still leaves its staged files to look at.
    await isaStep(ctx);
    const closure = await closureStep(ctx, builderContainer, images.base);
    // The builder's last uses are the closure step's bundling and installcheck: it is removed
    // while the package is written and tested.
    builderGone = containers.runAhead(Promise.allSettled([installcheck]).then(() => containers.release(builder.container)));
    const packing = packageStep(ctx, { source, images, pg, closure });
    if (!tester) {
      await packing;
      return;
    }
    await steps.settle([packing, smokeStep(ctx, tester, { packing, pg, closure })]);
    // Done with the base image's container: it goes while installcheck may still run.
    await containers.release(tester.started);
  })();

  try {
    await steps.settle([installcheck, rest]);
  } finally {
    if (installcheck) steps.reporter.replay('installcheck', steps.logOf('installcheck'));
  }
  await containers.removeAll();
  await builderGone;
  await rm(ctx.paths.work, { recursive: true, force: true });
}

async function finish(ctx: JobContext, status: JobResult['status']): Promise<JobResult> {
  const record = { version: 1, job: ctx.job, status, steps: ctx.steps.records, ...ctx.result, startedAt: ctx.startedAt, finishedAt: new Date().toISOString() } as JobResult;
  await writeResult(ctx.paths.dir, record);
  await rm(ctx.paths.final, { recursive: true, force: true });
  await rename(ctx.paths.dir, ctx.paths.final);
  return record;
}
