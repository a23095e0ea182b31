// Prints "N passed, N failed[, N skipped]" from vitest's JSON report: one plain line that any
// CI log reader understands.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'test/output/results.json';
const r = JSON.parse(readFileSync(file, 'utf8'));
const skipped = r.numPendingTests + r.numTodoTests;
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
