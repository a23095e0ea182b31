import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  DEFAULT_MATRIX
} from "./chunk-ZTQBZI5B.js";
import {
  chooseImage,
  imageInventory
} from "./chunk-KPH6HJDX.js";
import "./chunk-QDKAMVMW.js";
import "./chunk-4TVER6QU.js";
import "./chunk-JZTTVZPV.js";
import {
  bundleTree,
  checkTree,
  formatReport,
  loadInventory,
  rootfsSource
} from "./chunk-CDJG6GNL.js";
import "./chunk-UNCOO3MO.js";
import {
  reportClosure
} from "./chunk-3E4IOH2B.js";
import {
  loadValidMatrix
} from "./chunk-AOOP3KWP.js";
import "./chunk-UIOSOCKZ.js";
import "./chunk-VABCLRSN.js";
import "./chunk-BS25TXF5.js";
import "./chunk-MAW6PNMB.js";
import "./chunk-MNVUPTDJ.js";
import "./chunk-APBUJ7GA.js";
import {
  UserError
} from "./chunk-YUDCMAJG.js";
import "./chunk-WQPCGQ3Y.js";

// src/cli/run/check.ts
import { resolve } from "node:path";
function parsePlatform(name) {
  const m = /^pg(\d+)-(gnulinux|musllinux)(?:-[\d.]+)?-(amd64|arm64)$/.exec(name);
  if (m === null) throw new UserError(`--platform ${name}: expected pgMAJOR-{gnulinux|musllinux}-{amd64|arm64}, e.g. pg17-gnulinux-amd64`, { exitCode: 2 });
  return { pg: Number(m[1]), libc: m[2] === "gnulinux" ? "glibc" : "musl", arch: m[3] };
}
async function inventoryFor(flags) {
  if (flags.inventory !== void 0) {
    if (flags.platform !== void 0) return { inventory: loadInventory(flags.inventory), platform: parsePlatform(flags.platform) };
    return { inventory: loadInventory(flags.inventory) };
  }
  if (flags.platform === void 0) throw new UserError("give --platform NAME (with --image REF to capture its base) or --inventory FILE", { exitCode: 2 });
  const platform = parsePlatform(flags.platform);
  const engine = { name: flags.engine, bin: flags.engine };
  const image = flags.image ?? await matrixBaseImage(flags.platform, engine, flags.images);
  return { inventory: await imageInventory(engine, image, platform.libc), platform };
}
async function matrixBaseImage(name, engine, choice) {
  const { platforms } = await loadValidMatrix(DEFAULT_MATRIX);
  const p = platforms.find((x) => x.name === name);
  if (!p) throw new UserError(`--platform ${name}: not a platform of the matrix (see \`trunkfarm platforms\`); pass --image REF or --inventory FILE`, { exitCode: 2 });
  return (await chooseImage(engine, p.base, choice, p)).ref;
}
async function run(dir, flags) {
  const { inventory, platform } = await inventoryFor(flags);
  if (platform !== void 0) {
    const machine = platform.arch === "amd64" ? "x86_64" : "aarch64";
    if (inventory.libc !== platform.libc || inventory.machine !== machine) {
      throw new UserError(`the inventory of ${inventory.source} is ${inventory.libc} ${inventory.machine}, not the platform's ${platform.libc} ${machine}`);
    }
  }
  const options = {
    inventory,
    ...platform !== void 0 && { platform: { libc: platform.libc, arch: platform.arch }, pg: platform.pg },
    ...flags.name !== void 0 && { name: flags.name },
    ...flags.from !== void 0 && { build: resolve(flags.from) }
  };
  const result = flags.bundle ? await bundleTree(resolve(dir), { ...options, source: rootfsSource(resolve(flags.from ?? "/")) }) : checkTree(resolve(dir), options);
  if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}
`);
  else process.stdout.write(formatReport(result));
  if (process.env.GITHUB_ACTIONS === "true") await reportClosure(result, { toStderr: flags.json === true });
  if (!result.ok) process.exitCode = 1;
}
export {
  run
};
