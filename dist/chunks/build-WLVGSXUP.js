import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  expandTargets,
  pinMatrixImages
} from "./chunk-ODAXK2KW.js";
import {
  printTable
} from "./chunk-ZTQBZI5B.js";
import {
  loadValidMatrixAnnotated
} from "./chunk-6X4MUPG3.js";
import {
  buildJob,
  jobDirName,
  terminalReporter
} from "./chunk-KPH6HJDX.js";
import "./chunk-QDKAMVMW.js";
import "./chunk-4TVER6QU.js";
import "./chunk-JZTTVZPV.js";
import "./chunk-CDJG6GNL.js";
import "./chunk-UNCOO3MO.js";
import {
  annotateBuild,
  buildTable,
  reportBuild
} from "./chunk-3E4IOH2B.js";
import "./chunk-AOOP3KWP.js";
import "./chunk-UIOSOCKZ.js";
import "./chunk-VABCLRSN.js";
import "./chunk-BS25TXF5.js";
import "./chunk-MAW6PNMB.js";
import "./chunk-MNVUPTDJ.js";
import "./chunk-APBUJ7GA.js";
import {
  UserError
} from "./chunk-YUDCMAJG.js";
import "./chunk-WQPCGQ3Y.js";

// src/cli/run/build.ts
import path from "node:path";
async function run(extension, opts) {
  const loadedMatrix = await loadValidMatrixAnnotated(opts.matrix);
  const matrix = opts.pinImages ? await pinMatrixImages(loadedMatrix) : loadedMatrix;
  const loaded = matrix.entries.find((e) => e.entry.name === extension);
  if (!loaded) throw new UserError(`no matrix entry named "${extension}" (see \`trunkfarm plan\`)`, { exitCode: 2 });
  if (opts.version && opts.version !== loaded.entry.version) throw new UserError(`${extension}: the matrix has version ${loaded.entry.version}, not ${opts.version}`, { exitCode: 2 });
  const targets = expandTargets(matrix, [loaded]).filter(
    ({ job: j }) => (opts.pg === void 0 || j.pg === opts.pg) && (!opts.arch || j.arch === opts.arch) && (!opts.libc || j.libc === opts.libc)
  );
  if (targets.length === 0) throw new UserError(`${extension}: no job matches those axes (its platforms: \`trunkfarm plan --extension ${extension}\`)`, { exitCode: 2 });
  const sign = opts.key ? await import("./sign-SZOFBCL4.js") : void 0;
  const key = opts.key ? await sign.loadSigningKey(opts.key) : void 0;
  const method = key ? { kind: "key", key } : void 0;
  const signer = method ? await sign.expectedSigner(method) : void 0;
  const streamed = opts.verbose === true || process.env.GITHUB_ACTIONS === "true";
  const reporter = streamed ? void 0 : (name, dir) => terminalReporter(name, { jobDir: dir });
  const builds = [];
  for (const target of targets) {
    const { job } = target;
    const result = await buildJob(target, { out: opts.out, matrixDir: matrix.dir, images: opts.images, test: opts.test, ...opts.engine ? { engine: opts.engine } : {}, ...opts.force ? { force: true } : {}, ...reporter ? { reporter } : {} });
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
