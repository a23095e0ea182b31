import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  reportDiagnostics
} from "./chunk-3E4IOH2B.js";
import {
  formatDiagnostic,
  loadMatrix,
  loadValidMatrix
} from "./chunk-AOOP3KWP.js";

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
function loadValidMatrixAnnotated(dir, options = {}) {
  return loadValidMatrix(dir, { onInvalid: (diagnostics) => reportDiagnostics(diagnostics, options) });
}

export {
  run,
  loadValidMatrixAnnotated
};
