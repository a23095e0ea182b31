// Prints "N passed, N failed[, N skipped]" from vitest's JSON report: one plain line that any
// CI log reader understands.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'test/output/results.json';
if (!existsSync(file)) {
  console.log(`no test results (${file}): the tests did not run; the lines above say why`);
  process.exit(0);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
const skipped = r.numPendingTests + r.numTodoTests;
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
