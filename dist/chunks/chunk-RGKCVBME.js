import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  bundleCovers,
  readBundleText,
  signSubject,
  verifySubject
} from "./chunk-DM52VJJH.js";
import {
  EMPTY_JSON,
  MEDIA,
  attachArtifact,
  blobPath,
  blobSize,
  createClient,
  getManifest,
  isManifestType,
  listReferrers,
  parseReference,
  putBlob,
  readBlob,
  readBlob2,
  readIndex,
  readJsonBlob,
  resolveRef
} from "./chunk-MAW6PNMB.js";
import {
  sha256File,
  writeAtomic
} from "./chunk-MNVUPTDJ.js";
import {
  UserError
} from "./chunk-YUDCMAJG.js";

// src/publish/image-signatures.ts
import { createHash } from "node:crypto";
var MAX_BUNDLE_BYTES = 4 << 20;
async function signImage(home, name, image, options) {
  const hex = digestHex(image.digest);
  for (const found of await attachedBundles(home, image.digest)) {
    if (bundleCovers(found.text, hex, options.signer)) return { signed: false, uploadedBytes: 0 };
  }
  const { bundle } = await signSubject(
    { name, digest: { sha256: hex } },
    { method: options.method, ...options.provenanceOf ? { provenanceOf: options.provenanceOf } : {}, ...options.env ? { env: options.env } : {} }
  );
  const bytes = Buffer.from(JSON.stringify(bundle));
  const subject = { mediaType: image.mediaType, digest: image.digest, size: image.size };
  if (home.kind === "layout") {
    await attachToLayout(home.dir, subject, bytes);
    return { signed: true, uploadedBytes: 0 };
  }
  const before = home.client.stats.blobBytesUploaded;
  await attachArtifact(home.client, home.repository, subject, {
    artifactType: MEDIA.sigstoreBundle,
    layers: [{ mediaType: MEDIA.sigstoreBundle, bytes, annotations: { "org.opencontainers.image.title": bundleTitle(bytes) } }],
    annotations: bundleAnnotations()
  });
  return { signed: true, uploadedBytes: home.client.stats.blobBytesUploaded - before };
}
async function signImages(home, name, images, options) {
  const result = { signed: [], uploadedBytes: 0 };
  const seen = /* @__PURE__ */ new Set();
  for (const image of images) {
    if (!image || seen.has(image.digest)) continue;
    seen.add(image.digest);
    const one = await signImage(home, name, image, options);
    result.uploadedBytes += one.uploadedBytes;
    if (one.signed) result.signed.push(image.digest);
  }
  return result;
}
async function attachedBundles(home, digest) {
  return home.kind === "layout" ? layoutBundles(home.dir, digest) : registryBundles(home.client, home.repository, digest);
}
function bundleAnnotations() {
  return { "dev.sigstore.bundle.content": "dsse-envelope", "dev.sigstore.bundle.predicateType": "https://slsa.dev/provenance/v1" };
}
function bundleTitle(bytes) {
  return `sha256-${createHash("sha256").update(bytes).digest("hex")}.sigstore.json`;
}
function digestHex(digest) {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!m) throw new UserError(`unsupported image digest "${digest}" (sha256 only)`);
  return m[1];
}
async function attachToLayout(dir, subject, bundle) {
  await putBlob(dir, Buffer.from("{}"));
  const layer = await putBlob(dir, bundle);
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    artifactType: MEDIA.sigstoreBundle,
    config: EMPTY_JSON,
    layers: [{ mediaType: MEDIA.sigstoreBundle, ...layer, annotations: { "org.opencontainers.image.title": bundleTitle(bundle) } }],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: bundleAnnotations()
  };
  const stored = await putBlob(dir, Buffer.from(JSON.stringify(manifest)));
  const descriptor = { mediaType: MEDIA.manifest, ...stored, artifactType: MEDIA.sigstoreBundle, annotations: bundleAnnotations() };
  const index = await readIndex(dir);
  if (!index.manifests.some((d) => d.digest === descriptor.digest)) {
    index.manifests.push(descriptor);
    await writeAtomic(`${dir}/index.json`, `${JSON.stringify(index)}
`);
  }
  return descriptor;
}
async function layoutBundles(dir, digest) {
  const found = [];
  for (const d of (await readIndex(dir)).manifests) {
    if (d.mediaType !== MEDIA.manifest || d.artifactType !== MEDIA.sigstoreBundle) continue;
    const m = await readJsonBlob(dir, d.digest);
    if (m.subject?.digest !== digest) continue;
    for (const layer of m.layers ?? []) {
      if (layer.mediaType !== MEDIA.sigstoreBundle || layer.size > MAX_BUNDLE_BYTES) continue;
      found.push({ label: blobPath(dir, layer.digest), text: (await readBlob(dir, layer.digest)).toString("utf8") });
    }
  }
  return found;
}
async function registryBundles(client, repo, digest) {
  const found = [];
  for (const d of await listReferrers(client, repo, digest, { artifactType: MEDIA.sigstoreBundle })) {
    const manifest = await getManifest(client, repo, d.digest);
    if (!manifest) continue;
    const m = JSON.parse(manifest.bytes.toString("utf8"));
    if (m.subject?.digest !== digest) continue;
    for (const layer of m.layers ?? []) {
      if (layer.mediaType !== MEDIA.sigstoreBundle || layer.size > MAX_BUNDLE_BYTES) continue;
      const bytes = await readBlob2(client, repo, layer, MAX_BUNDLE_BYTES);
      found.push({ label: `${repo.registry}/${repo.repository}@${d.digest}`, text: bytes.toString("utf8") });
    }
  }
  return found;
}
async function verifyImage(spec, options) {
  const explicit = async () => options.bundle === void 0 ? [] : [{ label: options.bundle, text: await readBundleText(options.bundle, true) }];
  if (spec.startsWith("oci:")) {
    const { dir, reference } = parseLayoutSpec(spec.slice("oci:".length));
    const top = await layoutTop(dir, reference, spec);
    const bundles = options.bundle !== void 0 ? await explicit() : await layoutBundles(dir, top.digest);
    return verifySubject({ label: spec, sha256: digestHex(top.digest) }, bundles, options, () => layoutContents(dir, top));
  }
  if (!spec.startsWith("docker://")) throw new UserError(`${spec}: an image is oci:DIR[:TAG] or docker://HOST/REPO[:TAG]`, { exitCode: 2 });
  const ref = parseReference(spec.slice("docker://".length));
  const repo = { registry: ref.registry, repository: ref.repository };
  const client = createClient({});
  try {
    const top = await getManifest(client, repo, ref.digest ?? ref.tag ?? "latest");
    if (!top) throw new UserError(`${spec}: no such image`);
    const actual = top.digest;
    const bundles = options.bundle !== void 0 ? await explicit() : await registryBundles(client, repo, actual);
    return await verifySubject(
      { label: spec, sha256: digestHex(actual) },
      bundles,
      options,
      () => registryContents(client, repo, { mediaType: top.mediaType, digest: actual, size: top.bytes.length })
    );
  } finally {
    client.close();
  }
}
function parseLayoutSpec(rest) {
  const at = rest.lastIndexOf("@sha256:");
  if (at > 0) return { dir: rest.slice(0, at), reference: rest.slice(at + 1) };
  const colon = rest.lastIndexOf(":");
  if (colon > 0 && /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(rest.slice(colon + 1))) return { dir: rest.slice(0, colon), reference: rest.slice(colon + 1) };
  return { dir: rest };
}
async function layoutTop(dir, reference, spec) {
  if (reference?.startsWith("sha256:")) {
    const entry = (await readIndex(dir)).manifests.find((d) => d.digest === reference);
    if (entry) return entry;
    const bytes = await readBlob(dir, reference);
    const mediaType = JSON.parse(bytes.toString("utf8")).mediaType ?? MEDIA.manifest;
    return { mediaType, digest: reference, size: bytes.length };
  }
  if (reference !== void 0) {
    const found = await resolveRef(dir, reference);
    if (!found) throw new UserError(`${spec}: ${dir} has no tag ${reference}`);
    return found;
  }
  const tagged = (await readIndex(dir)).manifests.filter((d) => d.annotations?.["org.opencontainers.image.ref.name"]);
  if (tagged.length !== 1) {
    throw new UserError(`${spec}: name the image, oci:${dir}:TAG (tags: ${tagged.map((d) => d.annotations["org.opencontainers.image.ref.name"]).join(", ") || "none"})`, { exitCode: 2 });
  }
  return tagged[0];
}
async function walkImage(top, manifest, blob) {
  const count = { manifests: 0, blobs: 0 };
  const seen = /* @__PURE__ */ new Set();
  const visit = async (d) => {
    if (seen.has(d.digest)) return;
    seen.add(d.digest);
    if (isManifestType(d.mediaType)) {
      count.manifests++;
      const doc = JSON.parse((await manifest(d)).toString("utf8"));
      for (const child of [...doc.manifests ?? [], ...doc.config ? [doc.config] : [], ...doc.layers ?? []]) await visit(child);
      return;
    }
    count.blobs++;
    await blob(d);
  };
  await visit(top);
  return count;
}
async function layoutContents(dir, top) {
  const { manifests, blobs } = await walkImage(
    top,
    (d) => readBlob(dir, d.digest),
    async (d) => {
      const hex = await sha256File(blobPath(dir, d.digest)).catch((err) => {
        throw new UserError(`blob ${d.digest} of the image is missing from ${dir}`, { cause: err });
      });
      if (`sha256:${hex}` !== d.digest) throw new UserError(`blob ${d.digest} of the image in ${dir} was altered: its content hashes to sha256:${hex}`);
    }
  );
  return `${manifests} manifests and ${blobs} blobs of the image match their digests`;
}
async function registryContents(client, repo, top) {
  const where = `${repo.registry}/${repo.repository}`;
  const { manifests, blobs } = await walkImage(
    top,
    async (d) => {
      const m = await getManifest(client, repo, d.digest);
      if (!m) throw new UserError(`${where} lacks manifest ${d.digest} of the image`);
      return m.bytes;
    },
    async (d) => {
      if (await blobSize(client, repo, d.digest) === void 0) throw new UserError(`${where} lacks blob ${d.digest} of the image`);
    }
  );
  return `${manifests} manifests served by digest and ${blobs} blobs present`;
}

export {
  signImage,
  signImages,
  attachedBundles,
  attachToLayout,
  verifyImage
};
