// The installcheck step: the extension's own regression suite, run in the builder (which alone has
// the source tree and pg_regress) against a server started there while the extension compiled. It
// reads what the build left and writes nothing the other steps read, so it runs beside them; its
// output goes to its log, shown once they are done so that logs do not interleave.
import { freshCluster } from '../clusters.ts';
import type { JobContext } from '../context.ts';
import type { Container } from '../engine.ts';
import { installcheckScript } from '../pipeline.ts';
import type { ChosenImage } from './images.ts';

/** Starts the builder's own server for installcheck, ahead of the step. */
export function startInstallcheckServer(ctx: JobContext, builder: Container, image: ChosenImage): Promise<void> {
  return ctx.containers.runAhead(freshCluster(ctx, builder, image.info.id, [], 'installcheck', true));
}

export function installcheckStep(ctx: JobContext, builder: Container, server: Promise<void>): Promise<void> {
  return ctx.steps.run('installcheck', async () => {
    await server;
    await ctx.steps.script(builder, 'installcheck', installcheckScript(ctx.platform.pg), { quiet: true });
  });
}
