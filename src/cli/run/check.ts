import { chooseImage, type Engine, type ImageChoice, imageInventory } from '../../builder/index.ts';
import { loadValidMatrix } from '../../matrix/index.ts';
import { DEFAULT_MATRIX } from '../options.ts';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type CheckResult,
  type Inventory,
  type PlatformInfo,
  bundleTree,
  captureImageInventory,
  checkTree,
  formatReport,
  loadInventory,
  rootfsSource,
  saveInventory,
} from '../../closure/index.ts';
import { UserError } from '../../errors.ts';
import { reportClosure } from '../../github/index.ts';

interface CheckFlags {
  platform?: string;
  inventory?: string;
  image?: string;
  engine: 'podman' | 'docker';
  images: ImageChoice;
  bundle?: boolean;
  from?: string;
  name?: string;
  json?: boolean;
}

/** `pg17-gnulinux-amd64` -> its libc and arch. */
function parsePlatform(name: string): PlatformInfo & { pg: number } {
  const m = /^pg(\d+)-(gnulinux|musllinux)(?:-[\d.]+)?-(amd64|arm64)$/.exec(name);
  if (m === null) throw new UserError(`--platform ${name}: expected pgMAJOR-{gnulinux|musllinux}-{amd64|arm64}, e.g. pg17-gnulinux-amd64`, { exitCode: 2 });
  return { pg: Number(m[1]), libc: m[2] === 'gnulinux' ? 'glibc' : 'musl', arch: m[3] as PlatformInfo['arch'] };
}

async function inventoryFor(flags: CheckFlags): Promise<{ inventory: Inventory; platform?: PlatformInfo & { pg: number } }> {
  if (flags.inventory !== undefined) {
    if (flags.platform !== undefined) return { inventory: loadInventory(flags.inventory), platform: parsePlatform(flags.platform) };
    return { inventory: loadInventory(flags.inventory) };
  }
  if (flags.platform === undefined) throw new UserError('give --platform NAME (with --image REF to capture its base) or --inventory FILE', { exitCode: 2 });
  const platform = parsePlatform(flags.platform);
  const engine = { name: flags.engine, bin: flags.engine };
  const image = flags.image ?? (await matrixBaseImage(flags.platform, engine, flags.images));
  return { inventory: await imageInventory(engine, image, platform.libc), platform };
}

/** The platform's base image as the matrix names it, chosen as `build` chooses it. */
async function matrixBaseImage(name: string, engine: Engine, choice: ImageChoice): Promise<string> {
  const { platforms } = await loadValidMatrix(DEFAULT_MATRIX);
  const p = platforms.find((x) => x.name === name);
  if (!p) throw new UserError(`--platform ${name}: not a platform of the matrix (see \`trunkfarm platforms\`); pass --image REF or --inventory FILE`, { exitCode: 2 });
  return (await chooseImage(engine, p.base, choice, p)).ref;
}

export async function run(dir: string, flags: CheckFlags): Promise<void> {
  const { inventory, platform } = await inventoryFor(flags);
  if (platform !== undefined) {
    const machine = platform.arch === 'amd64' ? 'x86_64' : 'aarch64';
    if (inventory.libc !== platform.libc || inventory.machine !== machine) {
      throw new UserError(`the inventory of ${inventory.source} is ${inventory.libc} ${inventory.machine}, not the platform's ${platform.libc} ${machine}`);
    }
  }
  const options = {
    inventory,
    ...(platform !== undefined && { platform: { libc: platform.libc, arch: platform.arch }, pg: platform.pg }),
    ...(flags.name !== undefined && { name: flags.name }),
    ...(flags.from !== undefined && { build: resolve(flags.from) }),
  };
  const result: CheckResult = flags.bundle ? await bundleTree(resolve(dir), { ...options, source: rootfsSource(resolve(flags.from ?? '/')) }) : checkTree(resolve(dir), options);
  if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(formatReport(result));
  if (process.env.GITHUB_ACTIONS === 'true') await reportClosure(result, { toStderr: flags.json === true });
  if (!result.ok) process.exitCode = 1;
}
