import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  printTable
} from "./chunk-YFM6JNZP.js";
import {
  loadValidMatrix
} from "./chunk-B2HH34ZW.js";
import "./chunk-V2K6CCND.js";
import "./chunk-BS25TXF5.js";
import "./chunk-YUDCMAJG.js";
import "./chunk-WQPCGQ3Y.js";

// src/cli/run/platforms.ts
async function run(opts) {
  const { platforms } = await loadValidMatrix(opts.matrix);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(platforms, null, 2)}
`);
    return;
  }
  printTable(
    ["PLATFORM", "RUNNER", "BUILDER", "BASE", "LOCAL BUILDER"],
    platforms.map((p) => [p.name, p.runner, p.builder.ref, p.base.ref, p.builder.local ?? "-"])
  );
}
export {
  run
};
