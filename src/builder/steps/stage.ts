// The stage step: what `make install` left, laid out as a trunk's pgsql/ tree, with the source's
// licence texts.
import { cp, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../../errors.ts';
import { pathWithin } from '../../files/index.ts';
import { TOP_TEXT } from '../../package/index.ts';
import type { JobContext } from '../context.ts';
import { layoutStage, type PgConfig } from '../stage.ts';

export function stageStep(ctx: JobContext, pg: PgConfig): Promise<void> {
  return ctx.steps.run('stage', async () => {
    await layoutStage(ctx.paths.destdir, ctx.paths.stage, pg);
    await copyLicenses(ctx.paths.src, ctx.paths.stage, ctx.entry.contents.license_files ?? []);
  });
}

/** The source's licence texts go to the top of the package, as the trunk format asks; those
 * the format has no top-level name for (COPYRIGHT, LICENSE-MIT) go to licenses/. */
async function copyLicenses(src: string, stage: string, named: string[]): Promise<void> {
  for (const entry of await readdir(src, { withFileTypes: true })) {
    const name = entry.name;
    if (!entry.isFile() || !/^(LICEN[CS]E|COPYING|NOTICE|COPYRIGHT)([._-].*)?$/i.test(name)) continue;
    const to = TOP_TEXT.test(name) ? path.join(stage, name) : path.join(stage, 'licenses', name);
    await mkdir(path.dirname(to), { recursive: true });
    await cp(path.join(src, name), to);
  }
  for (const file of named) {
    // Within the source: a symlink out of it would copy a file of the build machine.
    const from = pathWithin(src, file);
    await cp(from, path.join(stage, 'licenses', path.basename(file))).catch(() => {
      throw new UserError(`contents.license_files: ${file} is not in the source`);
    });
  }
}
