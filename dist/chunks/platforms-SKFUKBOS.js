import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  printTable
} from "./chunk-ZTQBZI5B.js";
import {
  loadValidMatrix
} from "./chunk-AOOP3KWP.js";
import "./chunk-UIOSOCKZ.js";
import "./chunk-VABCLRSN.js";
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
    ["PLATFORM", "ISA", "RUNNER", "BUILDER", "BASE", "LOCAL BUILDER"],
    platforms.map((p) => [p.name, p.isa, p.runner, p.builder.ref, p.base.ref, p.builder.local ?? "-"])
  );
}
export {
  run
};
