import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import "./chunk-DM52VJJH.js";
import {
  PASSPHRASE_ENV,
  generateKeyFiles
} from "./chunk-YANJMYRF.js";
import "./chunk-FPGNSVBA.js";
import "./chunk-JZTTVZPV.js";
import "./chunk-3E4IOH2B.js";
import "./chunk-BS25TXF5.js";
import "./chunk-MNVUPTDJ.js";
import "./chunk-APBUJ7GA.js";
import "./chunk-YUDCMAJG.js";
import "./chunk-WQPCGQ3Y.js";

// src/cli/run/keygen.ts
async function run(opts) {
  const result = await generateKeyFiles(opts.out, opts.type, process.env[PASSPHRASE_ENV] || void 0);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}
`);
    return;
  }
  process.stdout.write(
    `wrote ${result.privatePath} (private${result.encrypted ? `, encrypted with ${PASSPHRASE_ENV}` : ""}: keep it secret) and ${result.publicPath}
${result.type} key id ${result.keyId}
`
  );
}
export {
  run
};
