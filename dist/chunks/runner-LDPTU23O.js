import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  core_exports,
  group,
  setOutput,
  summary
} from "./chunk-FPGNSVBA.js";
import "./chunk-WQPCGQ3Y.js";

// src/github/runner.ts
import path from "node:path";
function inActions() {
  return process.env.GITHUB_ACTIONS === "true";
}
var ENTRY_MATRIX_DIR = ".trunkfarm-matrix";
function annotationFile(file, env = process.env) {
  const entry = env.TRUNKFARM_ENTRY;
  if (!entry) return file;
  const rel = path.relative(process.cwd(), path.resolve(file));
  return path.dirname(rel) === path.join(ENTRY_MATRIX_DIR, "extensions") ? entry : file;
}
var escapeData = (s) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
var escapeProperty = (s) => escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
function annotate(a, options = {}) {
  if (!inActions()) return;
  const file = a.file ? annotationFile(a.file) : void 0;
  if (options.toStderr) {
    const props2 = Object.entries({ title: a.title, file, line: a.line, col: a.col }).filter(([, v]) => v !== void 0 && v !== "" && v !== 0).map(([k, v]) => `${k}=${escapeProperty(String(v))}`);
    process.stderr.write(`::${a.level}${props2.length ? ` ${props2.join(",")}` : ""}::${escapeData(a.message)}
`);
    return;
  }
  const props = {
    ...a.title ? { title: a.title } : {},
    ...file ? { file } : {},
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
  await summaryTables(heading, [{ header, rows }], note);
}
async function summaryTables(heading, tables, note) {
  if (!inActions() || !process.env.GITHUB_STEP_SUMMARY) return;
  const summary2 = summary.addHeading(heading, 3);
  for (const { header, rows } of tables) summary2.addTable([header.map((h) => ({ data: h, header: true })), ...rows]);
  if (note) summary2.addRaw(note, true);
  await summary2.write();
}
function setOutputs(outputs) {
  if (!inActions() || !process.env.GITHUB_OUTPUT) return;
  for (const [name, value] of Object.entries(outputs)) setOutput(name, String(value));
}
export {
  annotate,
  annotationFile,
  group2 as group,
  inActions,
  setOutputs,
  summaryTable,
  summaryTables
};
