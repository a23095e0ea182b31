// The smoke test: the trunk installed as a user installs it (or the image's layer mounted as
// Kubernetes mounts it, on PostgreSQL 18) in a container of the base image, then CREATE EXTENSION
// and the entry's smoke SQL. The container and its cluster are prepared while the extension
// compiles (see smoke.ts for the scripts).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { installTrunk, type PackResult } from '../../package/index.ts';
import { freshCluster } from '../clusters.ts';
import type { JobContext } from '../context.ts';
import type { Container } from '../engine.ts';
import { CLUSTERS_MOUNT, baseInstallTarget, copyRootScript, PGDATA_MOUNT, serverScript, smokeSettings, smokeSql, startsEarly, TEST_MOUNT, volumeMount } from '../smoke.ts';
import { unpackSource } from '../source.ts';
import type { PgConfig } from '../stage.ts';
import type { ClosureOutput } from './closure.ts';
import type { ChosenImage } from './images.ts';

/** Where the smoke test's container sees the job's folder (system mode). */
const JOB_MOUNT = '/trunkfarm/job';

export interface Tester {
  /** The container, once started (for removing it). */
  started: Promise<Container>;
  /** The container with its fresh cluster (and its server, when it may start early). */
  ready: Promise<Container>;
  /** Whether the server is already running when the extension's files arrive. */
  serverStarted: boolean;
}

/** Starts the base image's container for the smoke test and gives it a fresh cluster with the
 * test's settings; its server starts early unless it must preload the extension. Work ahead of
 * the smoke step: its output goes to that step's log, and its failure fails that step. */
export function startTester(ctx: JobContext, base: ChosenImage): Tester {
  const { paths } = ctx;
  const settings = smokeSettings(ctx.entry, ctx.mode);
  const serverStarted = startsEarly(settings);
  const mounts = [
    { source: paths.test, target: TEST_MOUNT, readonly: true },
    { source: paths.clusters, target: CLUSTERS_MOUNT, readonly: true },
  ];
  // The container starts before what it tests exists, and the closure step replaces the stage
  // folder whole: the folders above are mounted, and the tree appears in them by its name.
  if (ctx.mode === 'volume') mounts.push({ source: paths.extensions, target: path.posix.dirname(volumeMount(ctx.entry.name)), readonly: true });
  else mounts.push({ source: paths.dir, target: JOB_MOUNT, readonly: true });
  const started = ctx.containers.start({ image: base.ref, platform: `linux/${ctx.platform.arch}`, network: 'none', mounts, tmpfs: [PGDATA_MOUNT], user: 'root' });
  const ready = ctx.containers.runAhead(
    started.then(async (c) => {
      await freshCluster(ctx, c, base.info.id, settings, 'smoke', serverStarted);
      return c;
    }),
  );
  return { started, ready, serverStarted };
}

export function smokeStep(ctx: JobContext, tester: Tester, made: { packing: Promise<PackResult>; pg: PgConfig; closure: ClosureOutput }): Promise<void> {
  return ctx.steps.run('smoke', async () => {
    const { paths, entry, platform } = ctx;
    await writeFile(path.join(paths.test, 'smoke.sql'), smokeSql(entry));
    const { trunk, layout, image } = await made.packing;
    // What Kubernetes mounts: the image's one layer, as it is.
    if (ctx.mode === 'volume') await unpackSource(path.join(layout, 'blobs', ...image.layer.digest.split(':')), path.join(paths.extensions, entry.name), { strip: false });
    else await installTrunk(trunk.path, { pgConfig: baseInstallTarget(made.pg, platform, made.closure.inventory.libcVersion, paths.sysroot) });
    const c = await tester.ready;
    if (ctx.mode === 'system') await ctx.steps.script(c, 'smoke', copyRootScript(`${JOB_MOUNT}/${path.relative(paths.dir, paths.sysroot)}`));
    await ctx.steps.script(c, 'smoke', serverScript(platform.pg, tester.serverStarted), { user: 'postgres' });
  });
}
