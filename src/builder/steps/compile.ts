// The compile step: the entry built and installed (DESTDIR) in the builder container, with the
// builder's pg_config read beside it.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExtensionEntry } from '../../matrix/index.ts';
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
    const building = ctx.steps.script(builder, 'compile', `sh ${CONTAINER.scripts}/build.sh`, { env: { SOURCE_DATE_EPOCH: String(epoch) } }).catch((err: unknown) => {
      throw err instanceof StepError ? withMajorHint(err, ctx.entry, ctx.platform.pg) : err;
    });
    await ctx.steps.settle([configuring, building]);
    const pg = await configuring;
    ctx.result.postgres = { version: pg.version ?? '' };
    return pg;
  });
}

// What a compiler says when an extension meets a server API it was not written for: a function
// or member that changed or went, or the extension's own check of PG_VERSION_NUM.
const API_MISMATCH = [
  /PG_VERSION_NUM/,
  /\b(unsupported|not supported|requires) (PostgreSQL|Postgres|server|version)/i,
  /implicit declaration of function/,
  /too (few|many) arguments to function/,
  /has no member named/,
  /incompatible (pointer )?type/,
  /unknown type name/,
  /undeclared \(first use in this function\)/,
  /conflicting types for/,
];

/** A failed compile that looks like an API mismatch with this major gets the entry field that
 * keeps the extension off the majors it does not support. */
export function withMajorHint(err: StepError, entry: ExtensionEntry, pg: number): StepError {
  if (!err.tail || !API_MISMATCH.some((re) => re.test(err.tail!))) return err;
  const range = entry.dependencies.postgres?.version;
  const hint =
    `${entry.name} ${entry.version} may not support PostgreSQL ${pg}: if its upstream does not, limit the majors it is built for ` +
    `with dependencies.postgres.version in its matrix entry (${range ? `now "${range}"` : 'unset now, so every major'}): "< ${pg}" if ${pg} is too new for it, ">= ${pg + 1}" if too old`;
  return new StepError(err.step, err.detail, err.tail, hint);
}
