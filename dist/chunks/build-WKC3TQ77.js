import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  buildJob,
  jobDirName
} from "./chunk-CHQBU2P2.js";
import "./chunk-A23DCUEQ.js";
import "./chunk-XREWSZNJ.js";
import "./chunk-5IO7DYBX.js";
import "./chunk-SPO2HY6K.js";
import "./chunk-5KQDVAMP.js";
import "./chunk-OAOXXPHI.js";
import {
  summaryTable
} from "./chunk-3JKYBHCW.js";
import {
  expandJobs
} from "./chunk-ROS6NLMU.js";
import {
  reportBuild
} from "./chunk-W2MWMNHC.js";
import {
  printTable
} from "./chunk-YFM6JNZP.js";
import {
  loadValidMatrix
} from "./chunk-4SXJNQIC.js";
import "./chunk-E3AMED6D.js";
import "./chunk-LVP3V3JW.js";
import "./chunk-3G24UW4F.js";
import "./chunk-QFUYMEF4.js";
import "./chunk-XY2GKEIH.js";
import "./chunk-BS25TXF5.js";
import {
  UserError
} from "./chunk-YUDCMAJG.js";
import "./chunk-WQPCGQ3Y.js";

// src/cli/run/build.ts
import path from "node:path";
async function run(extension, opts) {
  const matrix = await loadValidMatrix(opts.matrix);
  const loaded = matrix.entries.find((e) => e.entry.name === extension);
  if (!loaded) throw new UserError(`no matrix entry named "${extension}" (see \`trunkfarm plan\`)`, { exitCode: 2 });
  if (opts.version && opts.version !== loaded.entry.version) throw new UserError(`${extension}: the matrix has version ${loaded.entry.version}, not ${opts.version}`, { exitCode: 2 });
  const jobs = expandJobs(matrix, [loaded]).filter(
    (j) => (opts.pg === void 0 || j.pg === opts.pg) && (!opts.arch || j.arch === opts.arch) && (!opts.libc || j.libc === opts.libc)
  );
  if (jobs.length === 0) throw new UserError(`${extension}: no job matches those axes (its platforms: \`trunkfarm plan --extension ${extension}\`)`, { exitCode: 2 });
  const rows = [];
  const builds = [];
  let failed = 0;
  for (const job of jobs) {
    const platform = matrix.platforms.find((p) => p.pg === job.pg && p.arch === job.arch && p.libc === job.libc);
    const result = await buildJob(job, loaded.entry, platform, matrix, { out: opts.out, images: opts.images, test: opts.test, ...opts.engine ? { engine: opts.engine } : {}, ...opts.force ? { force: true } : {} });
    if (result.status === "failed") failed++;
    builds.push({ dir: path.join(opts.out, jobDirName(job)), result });
    rows.push([
      jobDirName(job),
      result.status === "built" ? "built" : `failed (${result.failure?.step})`,
      result.artifacts ? `${(result.artifacts.trunk.size / 1024).toFixed(0)} KiB` : "-",
      result.closure ? result.closure.ok ? `ok${result.closure.bundled.length ? `, ${result.closure.bundled.length} bundled` : ""}` : "problems" : "-",
      result.artifacts?.trunk.sha256.slice(0, 16) ?? "-"
    ]);
  }
  const header = ["JOB", "STATUS", "TRUNK", "CLOSURE", "SHA256"];
  printTable(header, rows);
  await summaryTable("trunkfarm build", header, rows);
  await reportBuild(builds);
  if (failed > 0) process.exitCode = 1;
}
export {
  run
};
