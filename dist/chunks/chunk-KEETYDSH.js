import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  core_exports,
  group,
  setOutput,
  summary
} from "./chunk-WH7TZNN5.js";

// src/github/runner.ts
function inActions() {
  return process.env.GITHUB_ACTIONS === "true";
}
function annotate(a) {
  if (!inActions()) return;
  const props = {
    ...a.title ? { title: a.title } : {},
    ...a.file ? { file: a.file } : {},
    ...a.line ? { startLine: a.line } : {},
    ...a.col ? { startColumn: a.col } : {}
  };
  core_exports[a.level](a.message, props);
}
async function group2(title, fn) {
  if (!inActions()) {
    process.stderr.write(`==> ${title}
`);
    return fn();
  }
  return group(title, fn);
}
async function summaryTable(heading, header, rows, note) {
  if (!inActions() || !process.env.GITHUB_STEP_SUMMARY) return;
  const summary2 = summary.addHeading(heading, 3).addTable([header.map((h) => ({ data: h, header: true })), ...rows]);
  if (note) summary2.addRaw(note, true);
  await summary2.write();
}
function setOutputs(outputs) {
  if (!inActions() || !process.env.GITHUB_OUTPUT) return;
  for (const [name, value] of Object.entries(outputs)) setOutput(name, String(value));
}

export {
  inActions,
  annotate,
  group2 as group,
  summaryTable,
  setOutputs
};
