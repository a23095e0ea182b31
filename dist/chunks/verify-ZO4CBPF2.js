import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  verifyArtifact
} from "./chunk-DM52VJJH.js";
import "./chunk-YANJMYRF.js";
import "./chunk-FPGNSVBA.js";
import {
  readTrunk
} from "./chunk-4TVER6QU.js";
import "./chunk-JZTTVZPV.js";
import "./chunk-UNCOO3MO.js";
import "./chunk-3E4IOH2B.js";
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

// src/cli/run/verify.ts
var trunkContents = async (file) => (await readTrunk(file)).digests.size;
function verifyOptions(opts) {
  if (!opts.key === !opts.repo) throw new UserError("verify: pass either --key PUB or --repo OWNER/REPO", { exitCode: 2 });
  if (opts.repo && !/^[\w.-]+\/[\w.-]+$/.test(opts.repo)) throw new UserError(`--repo must be OWNER/REPO, got "${opts.repo}"`, { exitCode: 2 });
  if (opts.workflow && !opts.repo) throw new UserError("--workflow goes with --repo", { exitCode: 2 });
  return {
    ...opts.bundle ? { bundle: opts.bundle } : {},
    ...opts.key ? { key: opts.key } : {},
    ...opts.repo ? { identity: { repository: opts.repo, ...opts.workflow ? { workflow: opts.workflow } : {}, ...opts.serverUrl ? { serverUrl: opts.serverUrl } : {} } } : {},
    ...opts.trustedRoot ? { trustedRoot: opts.trustedRoot } : {},
    ...opts.sourceDigest ? { sourceDigest: opts.sourceDigest } : {},
    ...opts.builderId ? { builderId: opts.builderId } : {},
    trunkContents
  };
}
async function run(artifact, opts) {
  const options = verifyOptions(opts);
  const image = artifact.startsWith("oci:") || artifact.startsWith("docker://");
  const result = image ? await (await import("./image-signatures-BZC6GVTU.js")).verifyImage(artifact, options) : await verifyArtifact(artifact, options);
  if (opts.json) {
    const { statement: _s, ...rest } = result;
    process.stdout.write(`${JSON.stringify(rest, null, 2)}
`);
    return;
  }
  result.checks.forEach((c, i) => process.stdout.write(`ok ${i + 1} ${c.step}: ${c.detail}
`));
  process.stdout.write(`verified ${artifact}
`);
}
export {
  run,
  trunkContents,
  verifyOptions
};
