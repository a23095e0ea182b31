import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memorySource, openLayout, parseReference, pushLayout } from './imports.ts';
import { parseManifest } from '../../../src/oci/registry/manifests.ts';
import { selectTops } from '../../../src/oci/registry/push.ts';
import { OCI_INDEX, OCI_MANIFEST, addImage, writeBlob } from './fixtures.ts';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'trunkfarm-layout-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const digest = (c: string) => `sha256:${c.repeat(64)}`;

describe('openLayout', () => {
  it('reads index.json, lists blobs and reads ranges', async () => {
    const dir = path.join(scratch, 'ok');
    const image = await addImage(dir, { tag: 'v1', layers: [1000] });
    const source = await openLayout(dir);
    expect((await source.manifests()).map((m) => m.digest)).toEqual([image.top.digest]);
    const blobs = await source.listBlobs();
    expect(blobs).toEqual(expect.arrayContaining([...image.blobs, image.top].map((b) => ({ digest: b.digest, size: b.size }))));
    const chunks: Buffer[] = [];
    for await (const c of await source.readBlob(image.blobs[0]!.digest, { start: 10, end: 20 })) chunks.push(Buffer.from(c));
    expect(Buffer.concat(chunks)).toHaveLength(10);
  });

  it('says what is wrong with a directory that is not a layout', async () => {
    await expect(openLayout(path.join(scratch, 'nowhere'))).rejects.toThrow(/nowhere\/oci-layout is missing: is .*nowhere an OCI image layout\?/);
    const dir = path.join(scratch, 'bad');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"2.0.0"}');
    await expect(openLayout(dir)).rejects.toThrow('unsupported imageLayoutVersion "2.0.0" (expected 1.x)');
    await writeFile(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    await writeFile(path.join(dir, 'index.json'), '{"manifests":[{"mediaType":"x","digest":"sha256:nothex","size":1}]}');
    await expect(openLayout(dir)).rejects.toThrow('index.json manifests[0]: digest "sha256:nothex" is not a sha256 or sha512 digest');
    await writeFile(path.join(dir, 'index.json'), '{"manifests":');
    await expect(openLayout(dir)).rejects.toThrow('index.json is not valid JSON');
  });

  it('names a missing blob and its file', async () => {
    const dir = path.join(scratch, 'ok');
    const source = await openLayout(dir);
    await expect(source.readBlob(digest('e'))).rejects.toThrow(`OCI layout ${dir} has no blob ${digest('e')} (${dir}/blobs/sha256/${'e'.repeat(64)})`);
  });
});

describe('choosing what to push and how to tag it', () => {
  const m1 = { mediaType: OCI_MANIFEST, digest: digest('1'), size: 10 };
  const m2 = { mediaType: OCI_INDEX, digest: digest('2'), size: 20 };
  const ref = parseReference('r.example/ns/app');
  const named = (d: typeof m1, name: string) => ({ ...d, annotations: { 'org.opencontainers.image.ref.name': name } });

  it('tags each manifest with its ref.name, merging repeated entries', () => {
    const tops = selectTops([named(m1, 'v1'), named(m1, 'r.example/ns/app:latest'), named(m2, 'multi'), m2], ref, undefined, 'L');
    expect(tops.map((t) => [t.descriptor.digest, t.tags])).toEqual([
      [m1.digest, ['v1', 'latest']],
      [m2.digest, ['multi']],
    ]);
  });

  it('applies explicit tags (and the reference tag) to the one manifest only', () => {
    expect(selectTops([named(m1, 'ignored')], parseReference('r.example/ns/app:t'), ['a'], 'L')).toEqual([{ descriptor: named(m1, 'ignored'), tags: ['a', 't'] }]);
    expect(() => selectTops([m1, m2], ref, ['a'], 'L')).toThrow('L holds 2 manifests: tags given on the command line apply to one');
    expect(selectTops([m1, m2], parseReference(`r.example/ns/app:x@${m2.digest}`), undefined, 'L')).toEqual([{ descriptor: m2, tags: ['x'] }]);
    expect(() => selectTops([m1], ref, ['.bad'], 'L')).toThrow('".bad" is not a valid tag');
    expect(() => selectTops([], ref, undefined, 'L')).toThrow('L lists no manifests');
    expect(() => selectTops([{ ...m1, mediaType: 'application/octet-stream' }], ref, undefined, 'L')).toThrow('not a manifest or an index');
  });
});

describe('parseManifest', () => {
  it('lists the blobs of a manifest, leaving out foreign layers, and the children of an index', () => {
    const config = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digest('c'), size: 2 };
    const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: digest('d'), size: 3 };
    const foreign = { mediaType: 'application/vnd.oci.image.layer.nondistributable.v1.tar', digest: digest('f'), size: 4, urls: ['https://example.org/f'] };
    const parsed = parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer, foreign] })), OCI_MANIFEST, 'M');
    expect(parsed.blobs).toEqual([config, layer]);
    const index = parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: OCI_MANIFEST, digest: digest('a'), size: 1 }] })), OCI_INDEX, 'I');
    expect(index.children.map((c) => c.digest)).toEqual([digest('a')]);
  });

  it('refuses a manifest that contradicts its descriptor or is malformed', () => {
    expect(() => parseManifest(Buffer.from(`{"schemaVersion":2,"mediaType":"${OCI_INDEX}","manifests":[]}`), OCI_MANIFEST, 'M')).toThrow(`M: declares mediaType ${OCI_INDEX} but is described as ${OCI_MANIFEST}`);
    expect(() => parseManifest(Buffer.from('{"schemaVersion":1}'), OCI_MANIFEST, 'M')).toThrow('M: schemaVersion is 1, expected 2');
    expect(() => parseManifest(Buffer.from('{"schemaVersion":2,"layers":[]}'), OCI_MANIFEST, 'M')).toThrow('M: a manifest needs a config descriptor');
    expect(() => parseManifest(Buffer.from('{"schemaVersion":2,"config":{"digest":"x"}}'), OCI_MANIFEST, 'M')).toThrow('M config: not a valid descriptor');
  });
});

describe('pushLayout checks its source before any request', () => {
  // 127.0.0.1:1 refuses connections: reaching it would fail with another error.
  it('reports a missing blob', async () => {
    const dir = path.join(scratch, 'missing');
    const image = await addImage(dir, { tag: 'v1', layers: [100] });
    await rm(path.join(dir, 'blobs', 'sha256', image.blobs[0]!.digest.slice(7)));
    await expect(pushLayout(dir, '127.0.0.1:1/ns/app', { retry: { attempts: 1 } })).rejects.toThrow(`OCI layout ${dir} is incomplete: ${image.blobs[0]!.digest} (application/vnd.oci.image.layer.v1.tar) is missing`);
  });

  it('reports a manifest the source lacks, of another size, or not matching its digest', async () => {
    const source = memorySource([]);
    const bytes = Buffer.from('{"schemaVersion":2}');
    const real = source.add(bytes);
    const absent = { ...source, manifests: async () => [{ mediaType: OCI_MANIFEST, digest: digest('9'), size: bytes.length }] };
    await expect(pushLayout(absent, '127.0.0.1:1/ns/app')).rejects.toThrow(`blob ${digest('9')} is not in the in-memory content`);
    const sized = { ...source, manifests: async () => [{ mediaType: OCI_MANIFEST, digest: real, size: bytes.length + 1 }] };
    await expect(pushLayout(sized, '127.0.0.1:1/ns/app')).rejects.toThrow(`blob ${real} is shorter than the ${bytes.length + 1} bytes its descriptor says`);

    const dir = path.join(scratch, 'renamed');
    await mkdir(path.join(dir, 'blobs', 'sha256'), { recursive: true });
    await writeFile(path.join(dir, 'blobs', 'sha256', 'a'.repeat(64)), bytes);
    await writeFile(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    await writeFile(path.join(dir, 'index.json'), JSON.stringify({ manifests: [{ mediaType: OCI_MANIFEST, digest: digest('a'), size: bytes.length }] }));
    await expect(pushLayout(dir, '127.0.0.1:1/ns/app')).rejects.toThrow(`blob ${digest('a')} does not match its digest (its content hashes to ${real})`);
  });

  it('reports a blob that an index lists as a manifest', async () => {
    const dir = path.join(scratch, 'not-manifest');
    await mkdir(dir, { recursive: true });
    const blob = await writeBlob(dir, Buffer.from('not a manifest'));
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: 'application/octet-stream', digest: blob, size: 14 }] }));
    const indexDigest = await writeBlob(dir, index);
    await writeFile(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    await writeFile(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: OCI_INDEX, digest: indexDigest, size: index.length }] }));
    await expect(pushLayout(dir, '127.0.0.1:1/ns/app')).rejects.toThrow(`lists ${blob} of media type application/octet-stream as a manifest`);
  });
});
