import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  buildJob,
  jobDirName
} from "./chunk-URQFLPBT.js";
import "./chunk-BMFCF7MP.js";
import "./chunk-XO6UH2PY.js";
import "./chunk-6AAOZECY.js";
import "./chunk-CLA3NJEB.js";
import "./chunk-PSXBTL7U.js";
import "./chunk-AJ56BMCY.js";
import "./chunk-R5N6SZHY.js";
import {
  expandJobs
} from "./chunk-45CWV2IK.js";
import {
  printTable
} from "./chunk-YFM6JNZP.js";
import {
  loadValidMatrixAnnotated
} from "./chunk-MN3Q2E4U.js";
import {
  annotateBuild,
  buildTable,
  reportBuild
} from "./chunk-7W66XNCF.js";
import "./chunk-B2HH34ZW.js";
import "./chunk-XY2GKEIH.js";
import "./chunk-V2K6CCND.js";
import "./chunk-BS25TXF5.js";
import {
  UserError
} from "./chunk-YUDCMAJG.js";
import "./chunk-WQPCGQ3Y.js";

// src/cli/run/build.ts
import path from "node:path";
async function run(extension, opts) {
  const matrix = await loadValidMatrixAnnotated(opts.matrix);
  const loaded = matrix.entries.find((e) => e.entry.name === extension);
  if (!loaded) throw new UserError(`no matrix entry named "${extension}" (see \`trunkfarm plan\`)`, { exitCode: 2 });
  if (opts.version && opts.version !== loaded.entry.version) throw new UserError(`${extension}: the matrix has version ${loaded.entry.version}, not ${opts.version}`, { exitCode: 2 });
  const jobs = expandJobs(matrix, [loaded]).filter(
    (j) => (opts.pg === void 0 || j.pg === opts.pg) && (!opts.arch || j.arch === opts.arch) && (!opts.libc || j.libc === opts.libc)
  );
  if (jobs.length === 0) throw new UserError(`${extension}: no job matches those axes (its platforms: \`trunkfarm plan --extension ${extension}\`)`, { exitCode: 2 });
  const sign = opts.key ? await import("./sign-ZCRLOESY.js") : void 0;
  const key = opts.key ? await sign.loadSigningKey(opts.key) : void 0;
  const method = key ? { kind: "key", key } : void 0;
  const signer = method ? await sign.expectedSigner(method) : void 0;
  const builds = [];
  for (const job of jobs) {
    const platform = matrix.platforms.find((p) => p.pg === job.pg && p.arch === job.arch && p.libc === job.libc);
    const result = await buildJob(job, loaded.entry, platform, matrix, { out: opts.out, images: opts.images, test: opts.test, ...opts.engine ? { engine: opts.engine } : {}, ...opts.force ? { force: true } : {} });
    const build = { dir: path.join(opts.out, jobDirName(job)), result };
    builds.push(build);
    if (method && result.status === "built" && result.artifacts) {
      const signed = await sign.signArtifact(path.join(build.dir, result.artifacts.trunk.file), { method, reuse: signer });
      process.stderr.write(`${jobDirName(job)}: ${signed.reused ? "signature kept" : "signed"} (key ${signed.keyId}), ${path.relative(opts.out, signed.bundlePath)}
`);
    }
    await annotateBuild(build, loaded);
  }
  const { header, rows } = buildTable(builds, false);
  printTable(header, rows);
  await reportBuild(builds);
  if (builds.some((b) => b.result.status === "failed")) process.exitCode = 1;
}
export {
  run
};
