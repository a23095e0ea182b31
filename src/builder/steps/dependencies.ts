// The dependencies step: the builder container started, with the toolchain and the entry's build
// dependencies installed in it when something is missing (the local builder images have the
// toolchain already).
import { createHash } from 'node:crypto';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExtensionEntry } from '../../matrix/index.ts';
import type { Platform } from '../../types.ts';
import type { JobContext } from '../context.ts';
import type { Container } from '../engine.ts';
import { CONTAINER } from '../pipeline.ts';
import { CLUSTERS_MOUNT, PGDATA_MOUNT } from '../smoke.ts';
import { cacheRoot } from '../../cache/index.ts';
import type { ChosenImage } from './images.ts';

export interface Builder {
  container: Promise<Container>;
  image: ChosenImage;
}

export function dependenciesStep(ctx: JobContext, image: ChosenImage): Promise<Builder> {
  return ctx.steps.run('dependencies', async (logFile) => {
    const { paths } = ctx;
    const container = ctx.containers.start({
      image: image.ref,
      network: 'host',
      platform: `linux/${ctx.platform.arch}`,
      mounts: [
        { source: paths.src, target: CONTAINER.src },
        { source: paths.destdir, target: CONTAINER.stage },
        { source: paths.bundle, target: CONTAINER.bundle },
        { source: paths.scripts, target: CONTAINER.scripts, readonly: true },
        ...(ctx.installchecking ? [{ source: paths.clusters, target: CLUSTERS_MOUNT, readonly: true }] : []),
      ],
      ...(ctx.installchecking ? { tmpfs: [PGDATA_MOUNT] } : {}),
    });
    const c = await container;
    // A fresh container of an image is that image: once one found nothing to install, the
    // next of the same image id would too.
    const script = dependencyScript(ctx.entry, ctx.platform);
    const known = path.join(cacheRoot(), 'dependencies', createHash('sha256').update(`${image.info.id}\n${script}`).digest('hex'));
    if (await stat(known).catch(() => undefined)) {
      await writeFile(logFile, `build dependencies present in image ${image.info.id} (found by an earlier build)\n`);
    } else {
      const r = await ctx.steps.script(c, 'dependencies', script);
      if (NOTHING_TO_INSTALL.test(r.tail)) {
        await mkdir(path.dirname(known), { recursive: true });
        await writeFile(known, `${image.info.id}\n`);
      }
    }
    return { container, image };
  });
}

/** What dependencyScript says when the image has everything already. */
const NOTHING_TO_INSTALL = /^(build dependencies present|no build dependencies to install)\b/m;

function dependencyScript(entry: ExtensionEntry, platform: Platform): string {
  if (platform.distro === 'debian') {
    const pkgs = ['build-essential', `postgresql-server-dev-${platform.pg}`, ...(entry.dependencies.packages?.build?.debian ?? [])];
    return `set -eu
if dpkg -s ${pkgs.join(' ')} >/dev/null 2>&1; then echo "build dependencies present: ${pkgs.join(' ')}"; exit 0; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq -o Acquire::Check-Valid-Until=false
apt-get install -y -qq --no-install-recommends ${pkgs.join(' ')}
`;
  }
  const pkgs = entry.dependencies.packages?.build?.alpine ?? [];
  return `set -eu
if command -v apk >/dev/null 2>&1; then apk add --no-cache build-base clang llvm ${pkgs.join(' ')}; exit 0; fi
${pkgs.length === 0 ? 'echo "no build dependencies to install"; exit 0' : `echo "this builder image has no apk to install ${pkgs.join(' ')}: musl packages come from Alpine-based builders" >&2; exit 1`}
`;
}
