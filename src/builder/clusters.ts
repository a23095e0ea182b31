// Fresh PostgreSQL clusters for the tests. initdb costs a second of CPU, so (as PostgreSQL's own
// test suites do) the first cluster of an image is kept, by image id and settings, as a template
// in the cache that later ones are unpacked from.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { JobContext } from './context.ts';
import { type Container, execStream } from './engine.ts';
import { CLUSTER, initdbScript, startServerScript, unpackClusterScript } from './smoke.ts';

/** Gives the container a fresh cluster of its image with these settings, as initdb would make it;
 * with `start`, its server is started too. Output goes to `step`'s log only. */
export async function freshCluster(ctx: JobContext, c: Container, imageId: string, settings: string[], step: string, start: boolean): Promise<void> {
  const script = initdbScript(ctx.platform.pg, settings);
  const template = path.join(ctx.paths.clusters, `${createHash('sha256').update(`${imageId}\n${script}`).digest('hex')}.tar`);
  // The server starts in the same exec when there is a template (each exec is an engine process
  // whose CPU the compile beside it would rather have).
  const server = start ? startServerScript(ctx.platform.pg) : '';
  const quietly = { user: 'postgres', quiet: true };
  if (await stat(template).catch(() => undefined)) {
    await ctx.steps.script(c, step, `${unpackClusterScript(path.basename(template))}${server}`, quietly);
    return;
  }
  await ctx.steps.script(c, step, script, quietly);
  await saveTemplate(c, template);
  if (start) await ctx.steps.script(c, step, server, quietly);
}

/** Keeps the container's fresh cluster as the template of later ones. */
async function saveTemplate(c: Container, template: string): Promise<void> {
  await mkdir(path.dirname(template), { recursive: true });
  const tmp = `${template}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await pipeline(execStream(c, ['tar', '-c', '-f', '-', '-C', CLUSTER, '.'], { user: 'postgres' }), createWriteStream(tmp));
    await rename(tmp, template);
  } catch {
    // Only a template lost: the cluster itself is made.
    await rm(tmp, { force: true });
  }
}
