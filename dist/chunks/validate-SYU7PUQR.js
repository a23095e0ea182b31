import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  annotate
} from "./chunk-KEETYDSH.js";
import {
  formatDiagnostic,
  loadMatrix
} from "./chunk-ISVA4IK2.js";
import "./chunk-E3AMED6D.js";
import "./chunk-WH7TZNN5.js";
import "./chunk-25ZSYNZ4.js";
import "./chunk-YUDCMAJG.js";
import "./chunk-WQPCGQ3Y.js";

// src/cli/run/validate.ts
async function run(opts) {
  const { matrix, diagnostics } = await loadMatrix(opts.matrix);
  for (const d of diagnostics) {
    process.stderr.write(`${formatDiagnostic(d)}
`);
    annotate({ level: "error", title: "matrix", message: `${d.field ? `${d.field}: ` : ""}${d.message}`, file: d.file, line: d.line, col: d.col });
  }
  if (diagnostics.length > 0) {
    process.stderr.write(`${diagnostics.length} problem(s) found
`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`ok: ${matrix.entries.length} extensions, ${matrix.platforms.length} platforms
`);
}
export {
  run
};
