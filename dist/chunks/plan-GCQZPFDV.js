import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  expandJobs,
  planChangedSince,
  publishedKeys,
  readIndexKeys,
  selectStale,
  shard
} from "./chunk-45CWV2IK.js";
import {
  printTable
} from "./chunk-YFM6JNZP.js";
import {
  loadValidMatrixAnnotated
} from "./chunk-MN3Q2E4U.js";
import {
  planJson,
  reportPlan
} from "./chunk-7W66XNCF.js";
import "./chunk-B2HH34ZW.js";
import "./chunk-XY2GKEIH.js";
import "./chunk-V2K6CCND.js";
import "./chunk-BS25TXF5.js";
import {
  UserError
} from "./chunk-YUDCMAJG.js";
import "./chunk-WQPCGQ3Y.js";

// src/cli/run/plan.ts
async function registryIndexKeys(repository) {
  const { registryIndexStore } = await import("./index-registry-HDXDILBC.js");
  const store = registryIndexStore({ repository });
  try {
    return publishedKeys((await store.read()).index, `--index-registry ${repository}`);
  } finally {
    store.close();
  }
}
async function run(opts) {
  if (opts.index && opts.indexRegistry) throw new UserError("--index and --index-registry: give one", { exitCode: 2 });
  const matrix = await loadValidMatrixAnnotated(opts.matrix, { toStderr: opts.json === true });
  let entries = matrix.entries;
  if (opts.extension) {
    const wanted = new Set(opts.extension);
    const unknown = [...wanted].filter((n) => !matrix.entries.some((e) => e.entry.name === n));
    if (unknown.length > 0) {
      throw new UserError(`--extension: no matrix entry named ${unknown.join(", ")}`, { exitCode: 2 });
    }
    entries = entries.filter((e) => wanted.has(e.entry.name));
  }
  const planned = opts.changedSince ? await planChangedSince(matrix, opts.changedSince, entries) : expandJobs(matrix, entries);
  const published = opts.index ? await readIndexKeys(opts.index) : opts.indexRegistry ? await registryIndexKeys(opts.indexRegistry) : void 0;
  const jobs = published ? selectStale(planned, published) : planned;
  const shards = shard(jobs);
  let text;
  const json = () => text ??= planJson(jobs, shards);
  await reportPlan(jobs, shards, json);
  if (opts.json) {
    process.stdout.write(`{"jobs":${json().jobs},"shards":${json().shards}}
`);
    return;
  }
  printTable(
    ["EXTENSION", "VERSION", "PLATFORM", "RUNNER", "KEY"],
    jobs.map((j) => [j.extension, j.version, j.platform, j.runner, j.key.slice(0, 12)])
  );
  process.stdout.write(`${jobs.length} job(s)
`);
}
export {
  run
};
