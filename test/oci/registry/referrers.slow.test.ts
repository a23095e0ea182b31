// The referrers API branches of src/oci/registry/referrers.ts. Debian's docker-registry 2.8
// has no referrers API (push.slow.test.ts covers the tag fallback on it), so here a loopback proxy
// in front of the real registry (referrers-proxy.ts) answers GET /v2/<name>/referrers/<digest>
// with Link paging and artifactType filtering and answers OCI-Subject to manifest pushes, as
// registries that implement OCI 1.1 do; blobs and manifests are still stored by the registry.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { attachArtifact, createClient, getManifest, listReferrers, listTags, MEDIA, pushLayout, referrersTag } from '../../../src/oci/index.ts';
import type { Descriptor, RegistryClient } from '../../../src/oci/index.ts';
import { startRegistry } from '../registry-server.ts';
import type { RegistryServer } from '../registry-server.ts';
import { addImage, addReferrer } from './fixtures.ts';
import type { MadeImage } from './fixtures.ts';
import { startReferrersProxy } from './referrers-proxy.ts';
import type { ReferrersProxy, ReferrersProxyOptions } from './referrers-proxy.ts';

const SBOM = 'application/vnd.example.sbom+json';

let registry: RegistryServer;
let scratch: string;
let proxy: ReferrersProxy | undefined;
let client: RegistryClient | undefined;
let repos = 0;

beforeAll(async () => {
  registry = await startRegistry();
  scratch = await mkdtemp(path.join(tmpdir(), 'trunkfarm-referrers-'));
});

afterAll(async () => {
  await registry?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

afterEach(async () => {
  client?.close();
  client = undefined;
  await proxy?.stop();
  proxy = undefined;
});

/** A fresh repository holding one pushed image, reached through a new proxy. */
async function setup(options: Partial<ReferrersProxyOptions> = {}): Promise<{ target: { registry: string; repository: string }; image: MadeImage; dir: string }> {
  proxy = await startReferrersProxy(registry.host, options);
  client = createClient();
  const repository = `referrers/r${++repos}`;
  const dir = await mkdtemp(path.join(scratch, 'layout-'));
  const image = await addImage(dir, { tag: 'v1', layers: [4000] });
  await pushLayout(dir, `${proxy.host}/${repository}`, { client });
  return { target: { registry: proxy.host, repository }, image, dir };
}

const referrerGets = () => proxy!.log.filter((e) => e.method === 'GET' && e.path.includes('/referrers/'));
const fallbackRequests = (subject: string) => proxy!.log.filter((e) => e.path.endsWith(`/manifests/${referrersTag(subject)}`));

async function attach(target: { registry: string; repository: string }, subject: Descriptor, artifactType: string, n: number): Promise<Descriptor> {
  return attachArtifact(client!, target, subject, {
    artifactType,
    layers: [{ mediaType: artifactType, bytes: Buffer.from(JSON.stringify({ n })) }],
    annotations: { 'org.example.n': String(n) },
  });
}

describe('referrers through the referrers API', () => {
  it('attaches without the fallback tag when the registry answers OCI-Subject, and lists through the API', async () => {
    const { target, image } = await setup();
    const artifact = await attach(target, image.top, MEDIA.sigstoreBundle, 1);
    // The registry indexed it: no sha256-<hex> tag was read or written.
    expect(fallbackRequests(image.top.digest)).toEqual([]);
    expect(await listTags(client!, { registry: registry.host, repository: target.repository })).toEqual(['v1']);

    const listed = await listReferrers(client!, target, image.top.digest);
    expect(listed).toEqual([{ mediaType: MEDIA.manifest, digest: artifact.digest, size: artifact.size, artifactType: MEDIA.sigstoreBundle, annotations: { 'org.example.n': '1' } }]);
    expect(referrerGets()).toHaveLength(1);
    expect(fallbackRequests(image.top.digest)).toEqual([]);
    // The artifact itself is in the registry, subject and all.
    const stored = JSON.parse((await getManifest(client!, { registry: registry.host, repository: target.repository }, artifact.digest))!.bytes.toString('utf8')) as { subject: { digest: string } };
    expect(stored.subject.digest).toBe(image.top.digest);
    // A subject nobody refers to: an empty list from the API, not a look at the fallback tag.
    const none = `sha256:${'1'.repeat(64)}`;
    expect(await listReferrers(client!, target, none)).toEqual([]);
    expect(fallbackRequests(none)).toEqual([]);
  });

  it.each([false, true])('follows Link pages to the end (absolute links: %s)', async (absoluteLinks) => {
    const { target, image } = await setup({ pageSize: 2, absoluteLinks });
    const made: Descriptor[] = [];
    for (let n = 0; n < 5; n++) made.push(await attach(target, image.top, n % 2 === 0 ? MEDIA.sigstoreBundle : SBOM, n));
    const before = referrerGets().length;
    const all = await listReferrers(client!, target, image.top.digest);
    expect(all.map((d) => d.digest)).toEqual(made.map((d) => d.digest));
    const pages = referrerGets().slice(before);
    expect(pages.map((p) => new URL(p.path, 'http://x').searchParams.get('page'))).toEqual([null, '1', '2']);
  });

  it('asks the registry to filter by artifactType, keeping the filter across pages', async () => {
    const { target, image } = await setup({ pageSize: 2 });
    const made: Descriptor[] = [];
    for (let n = 0; n < 5; n++) made.push(await attach(target, image.top, n % 2 === 0 ? MEDIA.sigstoreBundle : SBOM, n));
    const before = referrerGets().length;
    const bundles = await listReferrers(client!, target, image.top.digest, { artifactType: MEDIA.sigstoreBundle });
    expect(bundles.map((d) => d.digest)).toEqual([made[0]!.digest, made[2]!.digest, made[4]!.digest]);
    const pages = referrerGets().slice(before).map((p) => new URL(p.path, 'http://x').searchParams);
    // Three matches in pages of two; the filter goes with the first request and stays in the links.
    expect(pages.map((q) => [q.get('artifactType'), q.get('page')])).toEqual([
      [MEDIA.sigstoreBundle, null],
      [MEDIA.sigstoreBundle, '1'],
    ]);
  });

  it('filters by itself when the registry ignores artifactType', async () => {
    const { target, image } = await setup({ filter: false, pageSize: 3 });
    const made: Descriptor[] = [];
    for (let n = 0; n < 4; n++) made.push(await attach(target, image.top, n % 2 === 0 ? MEDIA.sigstoreBundle : SBOM, n));
    const sboms = await listReferrers(client!, target, image.top.digest, { artifactType: SBOM });
    expect(sboms.map((d) => d.digest)).toEqual([made[1]!.digest, made[3]!.digest]);
    expect(referrerGets().at(-1)!.path).toContain('page=1');
  });

  it('keeps the fallback tag too when the registry stores a subject without answering OCI-Subject', async () => {
    const { target, image } = await setup({ subjectHeader: false });
    const artifact = await attach(target, image.top, MEDIA.sigstoreBundle, 1);
    // Without OCI-Subject the client cannot tell the registry indexed it: it writes the fallback.
    const tag = referrersTag(image.top.digest);
    expect(await listTags(client!, { registry: registry.host, repository: target.repository })).toEqual(expect.arrayContaining([tag]));
    const fallback = JSON.parse((await getManifest(client!, target, tag))!.bytes.toString('utf8')) as { manifests: Descriptor[] };
    expect(fallback.manifests.map((d) => d.digest)).toEqual([artifact.digest]);
    // The API answers, so listing uses it (and finds the same artifact).
    expect((await listReferrers(client!, target, image.top.digest)).map((d) => d.digest)).toEqual([artifact.digest]);
  });

  it('checks the API for a referrer an earlier run pushed, and falls back only when the API does not list it', async () => {
    const { target, image, dir } = await setup();
    // A layout holding an artifact whose subject is the image, as `trunkfarm sign` leaves one.
    const manifestDigest = await addReferrer(dir, image.top, MEDIA.sigstoreBundle, Buffer.from('{"bundle":true}'));

    // Through the proxy: indexed on push; pushed again, the API is asked and lists it.
    await pushLayout(dir, `${target.registry}/${target.repository}`, { client: client! });
    expect(fallbackRequests(image.top.digest)).toEqual([]);
    const gets = referrerGets().length;
    const again = await pushLayout(dir, `${target.registry}/${target.repository}`, { client: client! });
    expect(again.stats.manifestsPushed).toBe(0);
    expect(referrerGets().length).toBe(gets + 1);
    expect(fallbackRequests(image.top.digest)).toEqual([]);

    // Pushed by an earlier run straight to the registry, where nothing indexed it: the API (now in
    // front of it) does not list it, so the client records it under the fallback tag.
    const direct = `referrers/r${++repos}`;
    await pushLayout(dir, `${registry.host}/${direct}`, { client: client! });
    const viaProxy = { registry: proxy!.host, repository: direct };
    const fallbackIndex = async () => getManifest(client!, { registry: registry.host, repository: direct }, referrersTag(image.top.digest));
    const before = await fallbackIndex();
    expect(before).toBeDefined(); // the direct push used the fallback, the registry having no API
    await client!.request({ operation: 'delete fallback', registry: registry.host, method: 'DELETE', path: `/v2/${direct}/manifests/${before!.digest}`, scopes: [], expect: [202] });
    expect(await fallbackIndex()).toBeUndefined();
    await pushLayout(dir, `${viaProxy.registry}/${viaProxy.repository}`, { client: client! });
    const after = await fallbackIndex();
    expect((JSON.parse(after!.bytes.toString('utf8')) as { manifests: Descriptor[] }).manifests.map((d) => d.digest)).toEqual([manifestDigest]);
  });
});
