import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  pack,
  parsePackageMeta
} from "./chunk-4TVER6QU.js";
import "./chunk-UNCOO3MO.js";
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

// src/cli/run/pack.ts
import { readFile } from "node:fs/promises";
async function run(stage, opts) {
  const text = await readFile(opts.meta, "utf8").catch(() => {
    throw new UserError(`--meta: cannot read ${opts.meta}`, { exitCode: 2 });
  });
  let raw;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${opts.meta}: not JSON (${err.message})`);
  }
  const r = await pack(stage, parsePackageMeta(raw, opts.meta), opts.out);
  const summary = {
    trunk: { file: r.trunk.path, sha256: r.trunk.sha256, size: r.trunk.size },
    oci: {
      layout: r.layout,
      image: { tag: r.image.tag, digest: r.image.index.digest, manifests: r.image.manifests.map((m) => m.digest) },
      artifact: { tag: r.artifact.tag, digest: r.artifact.manifest.digest },
      rewritten: r.image.rewritten
    }
  };
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(summary)}
`);
    return;
  }
  process.stdout.write(
    `${r.trunk.path}
  sha256 ${r.trunk.sha256}, ${r.trunk.size} bytes
${r.layout}
  ${r.image.tag} -> ${r.image.index.digest}
  ${r.artifact.tag} -> ${r.artifact.manifest.digest}
` + r.image.rewritten.map((p) => `  rewrote '$libdir/...' in ${p}
`).join("")
  );
}
export {
  run
};
