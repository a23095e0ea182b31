import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  reportDiagnostics
} from "./chunk-JYD3ONNL.js";
import {
  formatDiagnostic,
  loadMatrix
} from "./chunk-4SXJNQIC.js";
import {
  UserError
} from "./chunk-YUDCMAJG.js";

// src/cli/run/validate.ts
async function run(opts) {
  const { matrix, diagnostics } = await loadMatrix(opts.matrix);
  for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}
`);
  await reportDiagnostics(diagnostics);
  if (diagnostics.length > 0) {
    process.stderr.write(`${diagnostics.length} problem(s) found
`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`ok: ${matrix.entries.length} extensions, ${matrix.platforms.length} platforms
`);
}
async function loadValidMatrixAnnotated(dir, options = {}) {
  const { matrix, diagnostics } = await loadMatrix(dir);
  if (matrix && diagnostics.length === 0) return matrix;
  await reportDiagnostics(diagnostics, options);
  throw new UserError(`the matrix has ${diagnostics.length} problem(s):
${diagnostics.map(formatDiagnostic).join("\n")}`);
}

export {
  run,
  loadValidMatrixAnnotated
};
