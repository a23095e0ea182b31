// The compile step: the entry built and installed (DESTDIR) in the builder container, with the
// builder's pg_config read beside it.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { JobContext } from '../context.ts';
import { type Container, exec } from '../engine.ts';
import { buildScript, CONTAINER, pgConfigScript } from '../pipeline.ts';
import { type PgConfig, parsePgConfig } from '../stage.ts';
import { StepError } from '../step-runner.ts';

export function compileStep(ctx: JobContext, builder: Container, epoch: number): Promise<PgConfig> {
  return ctx.steps.run('compile', async (logFile) => {
    const configuring = exec(builder, ['sh', '-c', pgConfigScript(ctx.platform.pg)], { log: path.join(path.dirname(logFile), 'pg_config.log'), live: null, tailLines: 100 }).then((r) => {
      if (r.code !== 0) throw new StepError('compile', `pg_config: ${r.tail}`);
      return parsePgConfig(r.tail);
    });
    await writeFile(path.join(ctx.paths.scripts, 'build.sh'), buildScript(ctx.entry, ctx.platform.pg, ctx.platform.libc));
    const building = ctx.steps.script(builder, 'compile', `sh ${CONTAINER.scripts}/build.sh`, { env: { SOURCE_DATE_EPOCH: String(epoch) } });
    await ctx.steps.settle([configuring, building]);
    const pg = await configuring;
    ctx.result.postgres = { version: pg.version ?? '' };
    return pg;
  });
}
