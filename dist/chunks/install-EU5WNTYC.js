import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  installTrunk,
  uninstallTrunk
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

// src/cli/run/install.ts
async function run(file, opts) {
  let target;
  if (opts.extensionsDir !== void 0) target = { extensionsDir: opts.extensionsDir, ...opts.pgConfig ? { pgConfig: opts.pgConfig } : {} };
  else if (opts.pgConfig !== void 0) target = { pgConfig: opts.pgConfig };
  else throw new UserError("install: give --pg-config PATH or --extensions-dir DIR", { exitCode: 2 });
  if (opts.uninstall) {
    const r2 = await uninstallTrunk(file, target);
    if (opts.json) process.stdout.write(`${JSON.stringify(r2)}
`);
    else process.stdout.write(`removed ${r2.package} ${r2.version}: ${r2.removed.length} file(s)
`);
    return;
  }
  if (opts.key || opts.repo) {
    const [{ verifyArtifact }, { verifyOptions }] = await Promise.all([import("./sign-SZOFBCL4.js"), import("./verify-ZO4CBPF2.js")]);
    await verifyArtifact(file, verifyOptions(opts));
  }
  const r = await installTrunk(file, target);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(r)}
`);
    return;
  }
  for (const w of r.warnings) process.stderr.write(`warning: ${w}
`);
  process.stdout.write(`installed ${r.package} ${r.version} into ${r.target}: ${r.installed.length} file(s)
`);
  if (r.settings) {
    process.stdout.write(
      `add to postgresql.conf (PostgreSQL 18+):
  extension_control_path = '${r.settings.extension_control_path}'
  dynamic_library_path = '${r.settings.dynamic_library_path}'
`
    );
  }
}
export {
  run
};
