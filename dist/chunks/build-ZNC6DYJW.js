import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  buildJob,
  jobDirName
} from "./chunk-KI2AMJMH.js";
import "./chunk-6D6XYR3L.js";
import "./chunk-5UBCXD52.js";
import "./chunk-2EWOSPEP.js";
import "./chunk-I4N5F56U.js";
import "./chunk-7JXDGPQC.js";
import {
  summaryTable
} from "./chunk-KEETYDSH.js";
import {
  expandJobs
} from "./chunk-NEODTMAO.js";
import {
  reportBuild
} from "./chunk-MT7YFW4Q.js";
import {
  printTable
} from "./chunk-HHPHQWZF.js";
import {
  loadValidMatrix
} from "./chunk-ISVA4IK2.js";
import "./chunk-E3AMED6D.js";
import {
  expectedSigner,
  signArtifact
} from "./chunk-RIT732JZ.js";
import {
  loadSigningKey
} from "./chunk-3G24UW4F.js";
import "./chunk-WH7TZNN5.js";
import "./chunk-XY2GKEIH.js";
import "./chunk-25ZSYNZ4.js";
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
  const key = opts.key ? await loadSigningKey(opts.key) : void 0;
  const method = key ? { kind: "key", key } : void 0;
  const signer = method ? await expectedSigner(method) : void 0;
  const builds = [];
  let failed = 0;
  for (const job of jobs) {
    const platform = matrix.platforms.find((p) => p.pg === job.pg && p.arch === job.arch && p.libc === job.libc);
    const result = await buildJob(job, loaded.entry, platform, matrix, { out: opts.out, images: opts.images, test: opts.test, ...opts.engine ? { engine: opts.engine } : {}, ...opts.force ? { force: true } : {} });
    if (result.status === "failed") failed++;
    const build = { dir: path.join(opts.out, jobDirName(job)), result };
    builds.push(build);
    if (method && result.status === "built" && result.artifacts) {
      const signed = await signArtifact(path.join(build.dir, result.artifacts.trunk.file), { method, reuse: signer });
      process.stderr.write(`${jobDirName(job)}: ${signed.reused ? "signature kept" : "signed"} (key ${signed.keyId}), ${path.relative(opts.out, signed.bundlePath)}
`);
    }
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
