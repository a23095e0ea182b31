// `trunkfarm publish` end to end: two real builds (pgvector and tf_linked for PostgreSQL 17) are
// signed with a key, pushed to a real registry on loopback (Debian's docker-registry), checked
// with skopeo, their signature bundles found as referrers of the images, verified, and published
// again with zero blob bytes uploaded. Also the default target, with neither --registry nor
// --oci-layout: one OCI layout per extension under OUT/oci that skopeo accepts.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIndex } from '../../src/publish/index.ts';
import { createClient, listReferrers, MEDIA, parseReference } from '../../src/oci/index.ts';
import type { IndexEntry } from '../../src/types.ts';
import { buildOne } from '../support/build.ts';
import { runCli } from '../support/cli.ts';
import { type RegistryServer, startRegistry } from '../oci/registry-server.ts';

const MINUTES = 60_000;
let registry: RegistryServer;
let out: string;
let key: string;

beforeAll(async () => {
  registry = await startRegistry();
  out = await mkdtemp(path.join(tmpdir(), 'trunkfarm-publish-'));
  await buildOne('pgvector', 17, 'glibc', 'amd64', out);
  await buildOne('tf_linked', 17, 'glibc', 'amd64', out);
  const keys = await mkdtemp(path.join(tmpdir(), 'trunkfarm-keys-'));
  key = path.join(keys, 'farm');
  expect((await runCli(['keygen', '--out', key])).code).toBe(0);
}, 30 * MINUTES);

afterAll(async () => registry?.stop());

describe('trunkfarm publish', () => {
  it('signs, pushes to a registry, writes the index last, and re-publishes nothing', async () => {
    const first = await runCli(['publish', out, '--registry', `${registry.host}/farm`, '--key', `${key}.key`]);
    expect(first.stderr).not.toMatch(/internal error/);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/pgvector\s+0\.8\.0\s+pg17-gnulinux-amd64\s+built\s+127\.0\.0\.1:\d+\/farm\/pgvector:0\.8\.0-pg17-gnulinux/);

    const index = parseIndex(await readFile(path.join(out, 'index.json'), 'utf8'), 'index.json');
    expect(index.entries.map((e) => `${e.extension}/${e.platform}/${e.status}`)).toEqual(['pgvector/pg17-gnulinux-amd64/built', 'tf_linked/pg17-gnulinux-amd64/built']);
    const linked = index.entries.find((e) => e.extension === 'tf_linked')!;
    expect(linked.closure.bundled.map((b) => b.soname)).toEqual(['libyaml-0.so.2']);
    expect(linked.signature?.kind).toBe('key');

    // What the registry holds is what the index says, as skopeo sees it.
    const inspected = JSON.parse(execFileSync('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${linked.oci!.ref}`], { encoding: 'utf8' })) as { mediaType: string; manifests: unknown[] };
    expect(inspected.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    const digest = execFileSync('skopeo', ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${linked.oci!.ref}`], { encoding: 'utf8' }).trim();
    expect(digest).toMatch(/^sha256:/);

    // Each image carries its signature bundle as a referrer (the tag fallback on this registry).
    const bundles = async (e: IndexEntry) => {
      const ref = parseReference(e.oci!.ref);
      const client = createClient();
      try {
        return await listReferrers(client, { registry: ref.registry, repository: ref.repository }, e.oci!.digest, { artifactType: MEDIA.sigstoreBundle });
      } finally {
        client.close();
      }
    };
    for (const e of index.entries) expect(await bundles(e)).toHaveLength(1);

    const trunk = path.join(out, 'tf_linked-1.0.0+pg17-gnulinux-amd64', linked.trunk!.file);
    const verified = await runCli(['verify', trunk, '--key', `${key}.pub`]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/ok 5 contents: \d+ file digests match/);

    const again = await runCli(['publish', out, '--registry', `${registry.host}/farm`, '--key', `${key}.key`]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^0 bytes uploaded/m);
    // Nothing attached twice.
    for (const e of index.entries) expect(await bundles(e)).toHaveLength(1);
  }, 10 * MINUTES);

  it('writes one OCI layout per extension under OUT/oci when no registry is given', async () => {
    const layouts = await mkdtemp(path.join(tmpdir(), 'trunkfarm-layouts-'));
    const r = await runCli(['publish', out, '--key', `${key}.key`, '--index', path.join(layouts, 'index.json')]);
    expect(r.code).toBe(0);
    const raw = execFileSync('skopeo', ['inspect', '--raw', `oci:${path.join(out, 'oci', 'pgvector')}:0.8.0-pg17-gnulinux`], { encoding: 'utf8' });
    expect(JSON.parse(raw).mediaType).toBe('application/vnd.oci.image.index.v1+json');
  }, 10 * MINUTES);
});
