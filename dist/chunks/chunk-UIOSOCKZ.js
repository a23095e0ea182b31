import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  UserError
} from "./chunk-YUDCMAJG.js";

// src/limits.ts
var LIMITS = {
  "matrix-file-bytes": { value: 1 << 20, what: "bytes in one matrix file" },
  "yaml-aliases": { value: 100, what: "alias uses in one YAML document" },
  "yaml-depth": { value: 64, what: "nesting levels in one YAML document" },
  "yaml-fields": { value: 1e4, what: "mapping keys and list items in one YAML document" },
  "elf-entries": { value: 1e6, what: "entries in one ELF table (sections, segments, dynamic entries, symbols, hash chain steps)" },
  "elf-read-bytes": { value: 256 << 20, what: "bytes read from one ELF file" },
  "trunk-bytes": { value: 1 << 30, what: "bytes a trunk expands to" },
  "trunk-files": { value: 2e4, what: "entries in one trunk" },
  "trunk-file-bytes": { value: 512 << 20, what: "bytes in one file of a trunk" },
  "report-lines": { value: 200, what: "items listed per file in a closure report (the rest are counted)" }
};
var raised = /* @__PURE__ */ new Map();
function limit(name) {
  return raised.get(name) ?? LIMITS[name].value;
}
function raiseLimits(settings) {
  for (const s of settings) {
    const m = /^([a-z-]+)=(\d+)$/.exec(s);
    const name = m?.[1];
    if (!m || name === void 0 || !(name in LIMITS))
      throw new UserError(`--limit ${s}: expected NAME=N with NAME one of ${Object.keys(LIMITS).join(", ")}`, { exitCode: 2 });
    const n = Number(m[2]);
    if (n < LIMITS[name].value) throw new UserError(`--limit ${s}: limits can only be raised (default ${LIMITS[name].value})`, { exitCode: 2 });
    raised.set(name, n);
  }
}
function overLimit(name) {
  return `more than ${limit(name)} ${LIMITS[name].what}`;
}

export {
  LIMITS,
  limit,
  raiseLimits,
  overLimit
};
