// Signatures of OCI images. Each published image gets a statement of its own whose subject is the
// image: named by its reference without tag and identified by the digest of its index, as GitHub's
// attestations of images are. The bundle is attached to the image as a referrer, in the shape
// cosign uses (specs/BUNDLE_SPEC.md of sigstore/cosign): an OCI 1.1 manifest with artifactType
// and one layer of type application/vnd.dev.sigstore.bundle.v0.3+json, an empty config, and
// `subject` the image.
// - In a registry, through the referrers API or its tag fallback, so `cosign verify-attestation
//   --new-bundle-format` and `trunkfarm verify docker://REF` find it.
// - In an OCI image layout, the same manifest stored in the layout and listed in its index.json
//   without a tag: the layout is the image's only home, and this is how a layout holds referrers
//   (`oras discover --oci-layout` lists it, `oras cp -r` carries it along to a registry). Its
//   bundle is a plain blob file, which `cosign verify-blob-attestation --bundle` checks against
//   the index blob beside it (the index's sha256 is the subject); `trunkfarm verify oci:DIR:TAG`
//   finds it by scanning index.json.
import { createHash } from 'node:crypto';
import { UserError } from '../errors.ts';
import { blobPath, putBlob, type Descriptor, repositoryScope, attachArtifact, blobSize, createClient, getManifest, listReferrers, parseReference, readRegistryBlob, readBlob, readIndex, readJsonBlob, resolveRef, type RegistryClient, type Repository, EMPTY_JSON, isManifestType, MEDIA } from '../oci/index.ts';
import { bundleCovers, readBundleText, signSubject, verifySubject, type BundleCandidate, type SignerExpectation, type SigningMethod, type VerifyOptions, type VerifyResult } from '../sign/index.ts';
import { sha256File, writeAtomic } from '../files/index.ts';

/** A bundle is a few kilobytes; anything far larger attached as one is not read. */
const MAX_BUNDLE_BYTES = 4 << 20;

/** Where an image lives: a registry repository, or an OCI image layout directory. */
export type ImageHome = { kind: 'registry'; client: RegistryClient; repository: Repository } | { kind: 'layout'; dir: string };

export interface SignImageOptions {
  method: SigningMethod;
  /** Who this run signs as (expectedSigner): a bundle of that signer already attached is kept. */
  signer: SignerExpectation;
  /** The artifact file whose provenance the image shares (the trunk built with it). */
  provenanceOf?: string;
  env?: NodeJS.ProcessEnv;
}

export interface SignImageResult {
  /** False when a bundle attached earlier already signs this digest as this signer. */
  signed: boolean;
  /** Blob bytes sent to the registry for the signature (0 for a layout, or when kept). */
  uploadedBytes: number;
}

/** Signs the image `image` (its index or manifest descriptor), named `name`, and attaches the
 * bundle to it, unless a bundle attached earlier already signs that digest as this signer. */
export async function signImage(home: ImageHome, name: string, image: Descriptor, options: SignImageOptions): Promise<SignImageResult> {
  const hex = digestHex(image.digest);
  for (const found of await attachedBundles(home, image.digest)) {
    if (bundleCovers(found.text, hex, options.signer)) return { signed: false, uploadedBytes: 0 };
  }
  const { bundle } = await signSubject(
    { name, digest: { sha256: hex } },
    { method: options.method, ...(options.provenanceOf ? { provenanceOf: options.provenanceOf } : {}), ...(options.env ? { env: options.env } : {}) },
  );
  const bytes = Buffer.from(JSON.stringify(bundle));
  const subject = { mediaType: image.mediaType, digest: image.digest, size: image.size };
  if (home.kind === 'layout') {
    await attachToLayout(home.dir, subject, bytes);
    return { signed: true, uploadedBytes: 0 };
  }
  const before = home.client.stats.blobBytesUploaded;
  await attachArtifact(home.client, home.repository, subject, {
    artifactType: MEDIA.sigstoreBundle,
    layers: [{ mediaType: MEDIA.sigstoreBundle, bytes, annotations: { 'org.opencontainers.image.title': bundleTitle(bytes) } }],
    annotations: bundleAnnotations(),
  });
  return { signed: true, uploadedBytes: home.client.stats.blobBytesUploaded - before };
}

/** signImage for each of `images` (once per digest, undefined ones skipped): a job's own image
 * index and the index its tag names after merging with other architectures' images. Returns the
 * digests signed now and the bytes sent. */
export async function signImages(home: ImageHome, name: string, images: (Descriptor | undefined)[], options: SignImageOptions): Promise<{ signed: string[]; uploadedBytes: number }> {
  const result = { signed: [] as string[], uploadedBytes: 0 };
  const seen = new Set<string>();
  for (const image of images) {
    if (!image || seen.has(image.digest)) continue;
    seen.add(image.digest);
    const one = await signImage(home, name, image, options);
    result.uploadedBytes += one.uploadedBytes;
    if (one.signed) result.signed.push(image.digest);
  }
  return result;
}

/** The bundles attached to the image `digest`, in a registry or a layout. */
export async function attachedBundles(home: ImageHome, digest: string): Promise<BundleCandidate[]> {
  return home.kind === 'layout' ? layoutBundles(home.dir, digest) : registryBundles(home.client, home.repository, digest);
}

function bundleAnnotations(): Record<string, string> {
  return { 'dev.sigstore.bundle.content': 'dsse-envelope', 'dev.sigstore.bundle.predicateType': 'https://slsa.dev/provenance/v1' };
}

function bundleTitle(bytes: Buffer): string {
  return `sha256-${createHash('sha256').update(bytes).digest('hex')}.sigstore.json`;
}

function digestHex(digest: string): string {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!m) throw new UserError(`unsupported image digest "${digest}" (sha256 only)`);
  return m[1]!;
}

// ---------------------------------------------------------------------------------------------
// OCI image layouts

/** Stores the bundle and its referrer manifest in the layout and lists the manifest in index.json
 * (untagged), unless it is listed already. */
export async function attachToLayout(dir: string, subject: Descriptor, bundle: Buffer): Promise<Descriptor> {
  await putBlob(dir, Buffer.from('{}'));
  const layer = await putBlob(dir, bundle);
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    artifactType: MEDIA.sigstoreBundle,
    config: EMPTY_JSON,
    layers: [{ mediaType: MEDIA.sigstoreBundle, ...layer, annotations: { 'org.opencontainers.image.title': bundleTitle(bundle) } }],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: bundleAnnotations(),
  };
  const stored = await putBlob(dir, Buffer.from(JSON.stringify(manifest)));
  const descriptor: Descriptor = { mediaType: MEDIA.manifest, ...stored, artifactType: MEDIA.sigstoreBundle, annotations: bundleAnnotations() };
  const index = await readIndex(dir);
  if (!index.manifests.some((d) => d.digest === descriptor.digest)) {
    index.manifests.push(descriptor);
    await writeAtomic(`${dir}/index.json`, `${JSON.stringify(index)}\n`);
  }
  return descriptor;
}

async function layoutBundles(dir: string, digest: string): Promise<BundleCandidate[]> {
  const found: BundleCandidate[] = [];
  for (const d of (await readIndex(dir)).manifests) {
    if (d.mediaType !== MEDIA.manifest || d.artifactType !== MEDIA.sigstoreBundle) continue;
    const m = await readJsonBlob<{ subject?: Descriptor; layers?: Descriptor[] }>(dir, d.digest);
    if (m.subject?.digest !== digest) continue;
    for (const layer of m.layers ?? []) {
      if (layer.mediaType !== MEDIA.sigstoreBundle || layer.size > MAX_BUNDLE_BYTES) continue;
      found.push({ label: blobPath(dir, layer.digest), text: (await readBlob(dir, layer.digest)).toString('utf8') });
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Registries

async function registryBundles(client: RegistryClient, repo: Repository, digest: string): Promise<BundleCandidate[]> {
  const found: BundleCandidate[] = [];
  for (const d of await listReferrers(client, repo, digest, { artifactType: MEDIA.sigstoreBundle })) {
    const manifest = await getManifest(client, repo, d.digest);
    if (!manifest) continue;
    const m = JSON.parse(manifest.bytes.toString('utf8')) as { subject?: Descriptor; layers?: Descriptor[] };
    if (m.subject?.digest !== digest) continue;
    for (const layer of m.layers ?? []) {
      if (layer.mediaType !== MEDIA.sigstoreBundle || layer.size > MAX_BUNDLE_BYTES) continue;
      const bytes = await readRegistryBlob(client, repo, layer, MAX_BUNDLE_BYTES);
      found.push({ label: `${repo.registry}/${repo.repository}@${d.digest}`, text: bytes.toString('utf8') });
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Verifying an image: `oci:DIR[:TAG|@DIGEST]` or `docker://HOST/REPO[:TAG|@DIGEST]`

/** Verifies an image with the bundles attached to it (or the one `options.bundle` names): steps
 * 1-4 as for files, with the image's index digest as the subject, then (`contents`) every
 * manifest and blob the image reaches against its digest. */
export async function verifyImage(spec: string, options: VerifyOptions): Promise<VerifyResult> {
  const explicit = async (): Promise<BundleCandidate[]> => (options.bundle === undefined ? [] : [{ label: options.bundle, text: await readBundleText(options.bundle, true) }]);
  if (spec.startsWith('oci:')) {
    const { dir, reference } = parseLayoutSpec(spec.slice('oci:'.length));
    const top = await layoutTop(dir, reference, spec);
    const bundles = options.bundle !== undefined ? await explicit() : await layoutBundles(dir, top.digest);
    return verifySubject({ label: spec, sha256: digestHex(top.digest) }, bundles, options, () => layoutContents(dir, top));
  }
  if (!spec.startsWith('docker://')) throw new UserError(`${spec}: an image is oci:DIR[:TAG] or docker://HOST/REPO[:TAG]`, { exitCode: 2 });
  const ref = parseReference(spec.slice('docker://'.length));
  const repo: Repository = { registry: ref.registry, repository: ref.repository };
  const client = createClient({});
  try {
    // getManifest checks the bytes against the digest asked for, or the one the registry claims.
    const top = await getManifest(client, repo, ref.digest ?? ref.tag ?? 'latest');
    if (!top) throw new UserError(`${spec}: no such image`);
    const actual = top.digest;
    const bundles = options.bundle !== undefined ? await explicit() : await registryBundles(client, repo, actual);
    return await verifySubject({ label: spec, sha256: digestHex(actual) }, bundles, options, () =>
      registryContents(client, repo, { mediaType: top.mediaType, digest: actual, size: top.bytes.length }),
    );
  } finally {
    client.close();
  }
}

/** `DIR`, `DIR:TAG` or `DIR@sha256:HEX`, as skopeo reads `oci:` references. */
function parseLayoutSpec(rest: string): { dir: string; reference?: string } {
  const at = rest.lastIndexOf('@sha256:');
  if (at > 0) return { dir: rest.slice(0, at), reference: rest.slice(at + 1) };
  const colon = rest.lastIndexOf(':');
  if (colon > 0 && /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(rest.slice(colon + 1))) return { dir: rest.slice(0, colon), reference: rest.slice(colon + 1) };
  return { dir: rest };
}

async function layoutTop(dir: string, reference: string | undefined, spec: string): Promise<Descriptor> {
  if (reference?.startsWith('sha256:')) {
    const entry = (await readIndex(dir)).manifests.find((d) => d.digest === reference);
    if (entry) return entry;
    const bytes = await readBlob(dir, reference);
    const mediaType = (JSON.parse(bytes.toString('utf8')) as { mediaType?: string }).mediaType ?? MEDIA.manifest;
    return { mediaType, digest: reference, size: bytes.length };
  }
  if (reference !== undefined) {
    const found = await resolveRef(dir, reference);
    if (!found) throw new UserError(`${spec}: ${dir} has no tag ${reference}`);
    return found;
  }
  const tagged = (await readIndex(dir)).manifests.filter((d) => d.annotations?.['org.opencontainers.image.ref.name']);
  if (tagged.length !== 1) {
    throw new UserError(`${spec}: name the image, oci:${dir}:TAG (tags: ${tagged.map((d) => d.annotations!['org.opencontainers.image.ref.name']).join(', ') || 'none'})`, { exitCode: 2 });
  }
  return tagged[0]!;
}

/** Walks every manifest and blob the image reaches, once each: `manifest` returns a manifest's
 * bytes (checked against its digest), `blob` checks a blob. Returns how many of each. */
async function walkImage(top: Descriptor, manifest: (d: Descriptor) => Promise<Buffer>, blob: (d: Descriptor) => Promise<void>): Promise<{ manifests: number; blobs: number }> {
  const count = { manifests: 0, blobs: 0 };
  const seen = new Set<string>();
  const visit = async (d: Descriptor): Promise<void> => {
    if (seen.has(d.digest)) return;
    seen.add(d.digest);
    if (isManifestType(d.mediaType)) {
      count.manifests++;
      const doc = JSON.parse((await manifest(d)).toString('utf8')) as { manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] };
      for (const child of [...(doc.manifests ?? []), ...(doc.config ? [doc.config] : []), ...(doc.layers ?? [])]) await visit(child);
      return;
    }
    count.blobs++;
    await blob(d);
  };
  await visit(top);
  return count;
}

/** Every manifest and blob the image reaches is in the layout with the content its digest names. */
async function layoutContents(dir: string, top: Descriptor): Promise<string> {
  const { manifests, blobs } = await walkImage(
    top,
    (d) => readBlob(dir, d.digest),
    async (d) => {
      const hex = await sha256File(blobPath(dir, d.digest)).catch((err: unknown) => {
        throw new UserError(`blob ${d.digest} of the image is missing from ${dir}`, { cause: err });
      });
      if (`sha256:${hex}` !== d.digest) throw new UserError(`blob ${d.digest} of the image in ${dir} was altered: its content hashes to sha256:${hex}`);
    },
  );
  return `${manifests} manifests and ${blobs} blobs of the image match their digests`;
}

/** Every manifest the image reaches is served with the content its digest names, and every blob
 * it names is present (the registry addresses blobs by content). */
async function registryContents(client: RegistryClient, repo: Repository, top: Descriptor): Promise<string> {
  const where = `${repo.registry}/${repo.repository}`;
  const { manifests, blobs } = await walkImage(
    top,
    async (d) => {
      const m = await getManifest(client, repo, d.digest);
      if (!m) throw new UserError(`${where} lacks manifest ${d.digest} of the image`);
      return m.bytes;
    },
    async (d) => {
      if ((await blobSize(client, repo, d.digest)) === undefined) throw new UserError(`${where} lacks blob ${d.digest} of the image`);
    },
  );
  return `${manifests} manifests served by digest and ${blobs} blobs present`;
}
