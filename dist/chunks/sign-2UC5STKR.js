import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  chooseSigningMethod,
  signArtifact
} from "./chunk-DM52VJJH.js";
import {
  loadSigningKey
} from "./chunk-YANJMYRF.js";
import "./chunk-FPGNSVBA.js";
import "./chunk-JZTTVZPV.js";
import "./chunk-3E4IOH2B.js";
import "./chunk-BS25TXF5.js";
import "./chunk-MNVUPTDJ.js";
import "./chunk-APBUJ7GA.js";
import "./chunk-YUDCMAJG.js";
import "./chunk-WQPCGQ3Y.js";

// src/cli/run/sign.ts
async function run(artifact, opts) {
  const key = opts.key ? await loadSigningKey(opts.key) : void 0;
  const method = chooseSigningMethod({ ...key ? { key } : {}, ...opts.sigstore ? { sigstore: opts.sigstore } : {}, store: opts.store });
  const result = await signArtifact(artifact, { method, ...opts.provenanceFrom ? { sidecar: opts.provenanceFrom } : {} });
  if (opts.json) {
    const { statement, ...rest } = result;
    process.stdout.write(`${JSON.stringify({ ...rest, builderId: builderOf(statement.predicate) }, null, 2)}
`);
    return;
  }
  if (result.provenance === "minimal") {
    process.stderr.write(
      `trunkfarm: no provenance inputs (${opts.provenanceFrom ?? `${artifact}.provenance-input.json`} is missing): signing a minimal statement, subject and signer only
`
    );
  }
  const by = result.method === "key" ? `key ${result.keyId}` : `keyless${result.attestationId ? `, attestation ${result.attestationId}` : ""}`;
  process.stdout.write(`signed ${artifact} (sha256 ${result.sha256}) with ${by}
wrote ${result.bundlePath}
`);
}
function builderOf(predicate) {
  return predicate?.runDetails?.builder?.id;
}
export {
  run
};
