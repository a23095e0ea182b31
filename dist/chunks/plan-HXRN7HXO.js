import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  compareJobs,
  expandJobs,
  expandTargets,
  explainStale,
  pinMatrixImages,
  planChangedSince,
  publishedBuilds,
  readIndexBuilds,
  shard,
  staleByPackages
} from "./chunk-ODAXK2KW.js";
import {
  printTable
} from "./chunk-ZTQBZI5B.js";
import {
  loadValidMatrixAnnotated
} from "./chunk-6X4MUPG3.js";
import {
  planJson,
  reportPlan
} from "./chunk-3E4IOH2B.js";
import "./chunk-AOOP3KWP.js";
import "./chunk-UIOSOCKZ.js";
import "./chunk-VABCLRSN.js";
import "./chunk-BS25TXF5.js";
import "./chunk-APBUJ7GA.js";
import {
  UserError
} from "./chunk-YUDCMAJG.js";
import "./chunk-WQPCGQ3Y.js";

// src/cli/run/plan.ts
async function registryIndexBuilds(repository) {
  const { registryIndexStore } = await import("./index-registry-DU344VSU.js");
  const store = registryIndexStore({ repository });
  try {
    return publishedBuilds((await store.read()).index, `--index-registry ${repository}`);
  } finally {
    store.close();
  }
}
async function run(opts) {
  if (opts.index && opts.indexRegistry) throw new UserError("--index and --index-registry: give one", { exitCode: 2 });
  if (opts.checkPackages && !opts.index && !opts.indexRegistry) throw new UserError("--check-packages compares with the packages published builds bundled: give --index or --index-registry", { exitCode: 2 });
  const loadedMatrix = await loadValidMatrixAnnotated(opts.matrix, { toStderr: opts.json === true });
  const matrix = opts.pinImages ? await pinMatrixImages(loadedMatrix) : loadedMatrix;
  let entries = matrix.entries;
  if (opts.extension) {
    const wanted = new Set(opts.extension);
    const unknown = [...wanted].filter((n) => !matrix.entries.some((e) => e.entry.name === n));
    if (unknown.length > 0) {
      throw new UserError(`--extension: no matrix entry named ${unknown.join(", ")}`, { exitCode: 2 });
    }
    entries = entries.filter((e) => wanted.has(e.entry.name));
  }
  const builds = opts.index ? await readIndexBuilds(opts.index) : opts.indexRegistry ? await registryIndexBuilds(opts.indexRegistry) : void 0;
  const changed = opts.changedSince ? await planChangedSince(matrix, opts.changedSince, entries) : void 0;
  let jobs;
  if (builds) {
    const keys = changed && new Set(changed.map((j) => j.key));
    const targets = expandTargets(matrix, entries).filter((t) => !keys || keys.has(t.job.key));
    jobs = explainStale(targets, builds);
    if (opts.checkPackages) {
      const stale = new Set(jobs.map((j) => j.key));
      const { detectEngine } = await import("./builder-OG64KOHB.js");
      const engine = await detectEngine(opts.engine);
      jobs = [...jobs, ...await staleByPackages(targets.filter((t) => !stale.has(t.job.key)), builds, engine)].sort(compareJobs);
    }
  } else {
    jobs = changed ?? expandJobs(matrix, entries);
  }
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
