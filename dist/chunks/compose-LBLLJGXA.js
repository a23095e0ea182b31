import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  compose,
  defaultCacheDir,
  parseExtensionSpec,
  parseImageRef,
  pushComposition,
  writeCompositionLayout
} from "./chunk-UFI37PEM.js";
import "./chunk-QDKAMVMW.js";
import "./chunk-4TVER6QU.js";
import "./chunk-CDJG6GNL.js";
import "./chunk-UNCOO3MO.js";
import "./chunk-UIOSOCKZ.js";
import "./chunk-VABCLRSN.js";
import "./chunk-BS25TXF5.js";
import {
  createClient,
  isTag,
  parseReference
} from "./chunk-MAW6PNMB.js";
import "./chunk-MNVUPTDJ.js";
import "./chunk-APBUJ7GA.js";
import {
  UserError
} from "./chunk-YUDCMAJG.js";
import "./chunk-WQPCGQ3Y.js";

// src/cli/run/compose.ts
import path from "node:path";
async function run(flags) {
  if (flags.to === void 0 === (flags.ociLayout === void 0)) throw new UserError("compose: give one of --to REF or --oci-layout DIR", { exitCode: 2 });
  if (flags.ext.length === 0) throw new UserError("compose: give at least one --ext NAME[@VERSION]", { exitCode: 2 });
  const requests = flags.ext.map(parseExtensionSpec);
  const target = flags.to === void 0 ? void 0 : parseReference(flags.to);
  if (target !== void 0 && target.tag === void 0) throw new UserError(`--to ${flags.to}: name a tag (HOST/REPO:TAG)`, { exitCode: 2 });
  const client = createClient({});
  try {
    const base = parseImageRef(flags.base, client);
    const cacheDir = defaultCacheDir();
    const composition = await compose(base, requests, { client, extensions: flags.extensions, cacheDir, ...flags.arch && { arch: flags.arch } });
    const layoutDir = path.join(cacheDir, "layout");
    let where;
    let moved;
    if (target !== void 0) {
      const pushed = await pushComposition(composition, layoutDir, target, client);
      where = `${target.registry}/${target.repository}:${target.tag}`;
      moved = { uploadedBytes: pushed.stats.blobBytesUploaded, blobsUploaded: pushed.stats.blobsUploaded, blobsMounted: pushed.stats.blobsMounted, blobsPresent: pushed.stats.blobsPresent, manifestsPushed: pushed.stats.manifestsPushed };
    } else {
      const tag = flags.tag ?? defaultTag(base.reference, requests.map((r) => r.name));
      if (!isTag(tag)) throw new UserError(`--tag ${tag}: not a valid tag`, { exitCode: 2 });
      const written = await writeCompositionLayout(composition, layoutDir, flags.ociLayout, tag);
      where = `oci:${flags.ociLayout}:${tag}`;
      moved = { bytesWritten: written.bytesWritten };
    }
    if (flags.json) process.stdout.write(`${JSON.stringify({ reference: where, ...summary(composition), transfer: moved }, null, 2)}
`);
    else process.stdout.write(describe(composition, where, moved));
  } finally {
    client.close();
  }
}
function defaultTag(baseReference, names) {
  const base = baseReference.startsWith("sha256:") ? "composed" : baseReference;
  return [base, ...[...names].sort()].join("-").slice(0, 128);
}
function summary(c) {
  return {
    digest: c.top.digest,
    mediaType: c.top.mediaType,
    images: c.images.map((i) => ({
      arch: i.base.facts.arch,
      digest: i.manifest.digest,
      base: { repository: i.base.repository.label, digest: i.base.manifest.digest, layers: i.base.document.layers.length, postgres: i.base.facts.pg, libc: i.base.facts.libc },
      extensions: i.layers.map((l) => ({ name: l.meta.name, version: l.meta.version, trunk: `sha256:${l.trunk.sha256}`, layer: l.descriptor.digest, size: l.descriptor.size, files: l.paths.length }))
    })),
    skipped: c.skipped
  };
}
function describe(c, where, moved) {
  const lines = [`composed ${where}@${c.top.digest}`];
  for (const i of c.images) {
    lines.push(`  linux/${i.base.facts.arch} ${i.manifest.digest}: ${i.base.document.layers.length} base layer(s) + ${i.layers.length} (PostgreSQL ${i.base.facts.pg}, ${i.base.facts.libc})`);
    for (const l of i.layers) lines.push(`    + ${l.meta.name} ${l.meta.version}: ${l.paths.length} file(s), layer ${l.descriptor.digest} (${l.descriptor.size} bytes)`);
  }
  for (const s of c.skipped) lines.push(`  linux/${s.arch} left out: ${s.reason}`);
  lines.push(`  ${Object.entries(moved).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  return `${lines.join("\n")}
`;
}
export {
  run,
  summary
};
