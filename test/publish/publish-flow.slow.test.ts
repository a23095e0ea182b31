// `trunkfarm publish` as a whole, on build output made without a container engine (fake-out.ts):
// the default target (OUT/oci), --registry with --github-release against a real registry on
// loopback and the GitHub stand-in (octokit through its throttling and retry plugins, talking to
// test/support/github-standin.ts, because GitHub's API cannot be reached here), and publishes that
// fail halfway through a fault-injecting proxy. What was published is checked with skopeo and
// with the stand-in's stored state, not with the code under test.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseIndex } from '../../src/publish/index.ts';
import { createClient, getManifest, headManifest, listReferrers, MEDIA } from '../../src/oci/index.ts';
import type { IndexEntry } from '../../src/types.ts';
import { runCli } from '../support/cli.ts';
import { startGitHubStandin, type GitHubStandin } from '../support/github-standin.ts';
import { bytesOrNull, writeFakeJob, type FakeJob, type FakeJobSpec } from './fake-out.ts';
import { startFaultProxy, type FaultProxy, type Rule } from '../oci/registry/fault-proxy.ts';
import { startRegistry, type RegistryServer } from '../oci/registry-server.ts';

let registry: RegistryServer;
let scratch: string;
let key: string;
let standin: GitHubStandin | undefined;
let proxy: FaultProxy | undefined;
let namespaces = 0;

beforeAll(async () => {
  registry = await startRegistry();
  scratch = await mkdtemp(path.join(tmpdir(), 'trunkfarm-publish-flow-'));
  key = path.join(scratch, 'farm');
  expect((await runCli(['keygen', '--out', key])).code).toBe(0);
});

afterAll(async () => {
  await registry?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

afterEach(async () => {
  await standin?.close();
  standin = undefined;
  await proxy?.stop();
  proxy = undefined;
});

const JOBS: FakeJobSpec[] = [
  { extension: 'pgvector', version: '0.8.0', arch: 'amd64' },
  { extension: 'pgvector', version: '0.8.0', arch: 'arm64' },
  { extension: 'pgvector', version: '0.7.4', arch: 'amd64' },
  { extension: 'tf_linked', version: '1.0.0', arch: 'amd64' },
  { extension: 'pg_broken', version: '0.1.0', arch: 'amd64', status: 'failed' },
];

async function fakeOut(specs: FakeJobSpec[], out?: string): Promise<{ out: string; jobs: FakeJob[] }> {
  const dir = out ?? (await mkdtemp(path.join(scratch, 'out-')));
  const jobs: FakeJob[] = [];
  for (const spec of specs) jobs.push(await writeFakeJob(dir, spec));
  return { out: dir, jobs };
}

const skopeo = (...args: string[]) => execFileSync('skopeo', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** skopeo copies everything the reference reaches (fails on a missing blob) and names its digest. */
function copyAll(ref: string): string {
  const dest = path.join(scratch, `copy-${Math.random().toString(36).slice(2)}`);
  skopeo('copy', '--all', '--preserve-digests', '--src-tls-verify=false', ref.startsWith('oci:') ? ref : `docker://${ref}`, `oci:${dest}:x`);
  return (JSON.parse(readFileSync(path.join(dest, 'index.json'), 'utf8')) as { manifests: { digest: string }[] }).manifests[0]!.digest;
}

function platformsOf(ref: string): string[] {
  const raw = JSON.parse(skopeo('inspect', '--raw', '--tls-verify=false', ref.startsWith('oci:') ? ref : `docker://${ref}`)) as { manifests: { platform: { architecture: string } }[] };
  return raw.manifests.map((m) => m.platform.architecture).sort();
}

async function readIndexFile(file: string): Promise<IndexEntry[]> {
  return parseIndex(await readFile(file, 'utf8'), file).entries;
}

function entry(entries: IndexEntry[], job: FakeJob): IndexEntry {
  const found = entries.find((e) => e.key === job.result.job.key);
  if (!found) throw new Error(`index has no entry for ${job.dir}`);
  return found;
}

describe('publish without a target', () => {
  it('writes OUT/oci, one OCI layout per extension, and the index beside it', async () => {
    const { out, jobs } = await fakeOut(JOBS);
    const r = await runCli(['publish', out, '--unsigned']);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`index: ${path.join(out, 'index.json')}`);

    // Both architectures of pgvector 0.8.0 under one tag, as per-architecture layouts merge.
    expect(platformsOf(`oci:${path.join(out, 'oci', 'pgvector')}:0.8.0-pg17-gnulinux`)).toEqual(['amd64', 'arm64']);
    expect(platformsOf(`oci:${path.join(out, 'oci', 'pgvector')}:0.7.4-pg17-gnulinux`)).toEqual(['amd64']);
    copyAll(`oci:${path.join(out, 'oci', 'pgvector')}:0.8.0-pg17-gnulinux`);
    copyAll(`oci:${path.join(out, 'oci', 'tf_linked')}:1.0.0-pg17-gnulinux`);

    const entries = await readIndexFile(path.join(out, 'index.json'));
    expect(entries).toHaveLength(JOBS.length);
    expect(entry(entries, jobs[3]!).oci).toEqual({ ref: `oci:${path.join(out, 'oci', 'tf_linked')}:1.0.0-pg17-gnulinux`, digest: jobs[3]!.result.artifacts!.oci.digest, size: jobs[3]!.result.artifacts!.oci.size });
    expect(entry(entries, jobs[4]!)).toMatchObject({ status: 'failed', failure: { step: 'compile' } });
    expect(entry(entries, jobs[4]!).oci).toBeUndefined();
  });
});

describe('publish --registry --github-release', () => {
  it('makes one release per extension version with trunks and bundles, records the URLs, attaches bundles as referrers, and re-runs idempotently', async () => {
    standin = await startGitHubStandin();
    const env = { GITHUB_TOKEN: standin.token, GITHUB_API_URL: standin.apiUrl };
    const { out, jobs } = await fakeOut(JOBS);
    const ns = `${registry.host}/gh${++namespaces}`;
    const args = ['publish', out, '--registry', ns, '--github-release', 'farm/packages', '--key', `${key}.key`];

    const first = await runCli(args, env);
    expect(first.stderr).not.toMatch(/internal error/);
    expect(first.code).toBe(0);
    expect(standin.state.unhandled).toEqual([]);

    // Releases: one per extension version; none for the failed job.
    const tags = standin.state.releases.map((r) => r.tag).sort();
    expect(tags).toEqual(['pgvector-v0.7.4', 'pgvector-v0.8.0', 'tf_linked-v1.0.0']);
    const v080 = standin.release('farm', 'packages', 'pgvector-v0.8.0')!;
    expect(v080.name).toBe('pgvector 0.8.0');
    expect(v080.makeLatest).toBe('false');
    expect(v080.assets.map((a) => a.name).sort()).toEqual([
      'pgvector-0.8.0+pg17-gnulinux-amd64.trunk',
      'pgvector-0.8.0+pg17-gnulinux-amd64.trunk.sigstore.json',
      'pgvector-0.8.0+pg17-gnulinux-arm64.trunk',
      'pgvector-0.8.0+pg17-gnulinux-arm64.trunk.sigstore.json',
    ]);
    expect(standin.release('farm', 'packages', 'pgvector-v0.7.4')!.assets).toHaveLength(2);
    for (const job of jobs.filter((j) => j.trunk)) {
      const release = standin.release('farm', 'packages', `${job.result.job.extension}-v${job.result.job.version}`)!;
      const trunk = release.assets.find((a) => a.name === path.basename(job.trunk!))!;
      expect(trunk.bytes.equals(await readFile(job.trunk!))).toBe(true);
      expect(trunk.contentType).toBe('application/gzip');
      const bundle = release.assets.find((a) => a.name === `${path.basename(job.trunk!)}.sigstore.json`)!;
      expect(bundle.bytes.equals(await readFile(`${job.trunk!}.sigstore.json`))).toBe(true);
    }

    // The index records where each trunk and bundle can be downloaded, and the image.
    const indexFile = path.join(out, 'index.json');
    const entries = await readIndexFile(indexFile);
    const amd = entry(entries, jobs[0]!);
    expect(amd.trunk!.url).toBe(`${standin.apiUrl}/farm/packages/releases/download/pgvector-v0.8.0/${encodeURIComponent('pgvector-0.8.0+pg17-gnulinux-amd64.trunk')}`);
    expect(amd.signature).toEqual({ bundle: `${amd.trunk!.url}.sigstore.json`, kind: 'key' });
    expect(entry(entries, jobs[3]!).trunk!.url).toMatch(/\/releases\/download\/tf_linked-v1\.0\.0\/tf_linked-1\.0\.0%2Bpg17-gnulinux-amd64\.trunk$/);
    expect(entry(entries, jobs[4]!)).toMatchObject({ status: 'failed' });
    expect(entry(entries, jobs[4]!).trunk).toBeUndefined();
    for (const job of jobs.filter((j) => j.trunk)) {
      const e = entry(entries, job);
      const res = await fetch(e.trunk!.url!);
      expect(Buffer.from(await res.arrayBuffer()).equals(await readFile(job.trunk!))).toBe(true);
      expect(e.oci!.ref).toBe(`${ns}/${job.result.job.extension}:${job.result.artifacts!.oci.tag}`);
    }

    // The registry: both architectures under the 0.8.0 tag, each job's image complete, and each
    // job's bundle attached to its image as a referrer.
    expect(platformsOf(`${ns}/pgvector:0.8.0-pg17-gnulinux`)).toEqual(['amd64', 'arm64']);
    const client = createClient();
    try {
      for (const job of jobs.filter((j) => j.trunk)) {
        const repo = { registry: registry.host, repository: `${ns.slice(registry.host.length + 1)}/${job.result.job.extension}` };
        const referrers = await listReferrers(client, repo, job.result.artifacts!.oci.digest, { artifactType: MEDIA.sigstoreBundle });
        expect(referrers).toHaveLength(1);
        const manifest = JSON.parse((await getManifest(client, repo, referrers[0]!.digest))!.bytes.toString('utf8')) as { subject: { digest: string }; layers: { mediaType: string }[] };
        expect(manifest.subject.digest).toBe(job.result.artifacts!.oci.digest);
        expect(manifest.layers.map((l) => l.mediaType)).toEqual([MEDIA.sigstoreBundle]);
      }
    } finally {
      client.close();
    }

    // Again: nothing uploaded anywhere, nothing written, the index's bytes unchanged.
    const before = await readFile(indexFile);
    const writes = standin.state.requests.filter((r) => r.method !== 'GET').length;
    const uploaded = standin.state.uploadedBytes;
    const again = await runCli(args, env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^0 bytes uploaded/m);
    expect(standin.state.uploadedBytes).toBe(uploaded);
    expect(standin.state.requests.filter((r) => r.method !== 'GET').length).toBe(writes);
    expect((await readFile(indexFile)).equals(before)).toBe(true);
    expect(standin.state.releases).toHaveLength(3);
    const client2 = createClient();
    try {
      const repo = { registry: registry.host, repository: `${ns.slice(registry.host.length + 1)}/pgvector` };
      expect(await listReferrers(client2, repo, jobs[0]!.result.artifacts!.oci.digest)).toHaveLength(1);
    } finally {
      client2.close();
    }
  });

  it('stops before uploading when a release asset differs, leaving the index as it was', async () => {
    standin = await startGitHubStandin();
    const env = { GITHUB_TOKEN: standin.token, GITHUB_API_URL: standin.apiUrl };
    const { out } = await fakeOut([JOBS[3]!]);
    const args = ['publish', out, '--github-release', 'farm/packages', '--key', `${key}.key`];
    expect((await runCli(args, env)).code).toBe(0);
    const before = await readFile(path.join(out, 'index.json'));

    // The same job built again with other bytes under the same file name.
    await fakeOut([{ ...JOBS[3]!, revision: 1 }], out);
    const uploaded = standin.state.uploadedBytes;
    const r = await runCli(args, env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/release tf_linked-v1\.0\.0 of farm\/packages already has assets with different content \(pass --replace/);
    expect(standin.state.uploadedBytes).toBe(uploaded);
    expect((await readFile(path.join(out, 'index.json'))).equals(before)).toBe(true);

    const replaced = await runCli([...args, '--replace'], env);
    expect(replaced.code).toBe(0);
    const entries = await readIndexFile(path.join(out, 'index.json'));
    expect(entries.map((e) => e.trunk?.sha256)).toEqual([(await writeOrRead(out)).sha256]);
  });
});

/** The trunk of the one tf_linked job in `out`, as result.json describes it. */
async function writeOrRead(out: string): Promise<{ sha256: string }> {
  const result = JSON.parse(await readFile(path.join(out, 'tf_linked-1.0.0+pg17-gnulinux-amd64', 'result.json'), 'utf8')) as { artifacts: { trunk: { sha256: string } } };
  return result.artifacts.trunk;
}

describe('a publish that fails halfway', () => {
  const cases: { name: string; rules: Rule[]; error: RegExp }[] = [
    {
      name: 'the registry answers 500 to every manifest of the second extension',
      rules: [{ method: 'PUT', path: /\/v2\/[^/]+\/tf_linked\/manifests\//, fault: { kind: 'status', status: 500 } }],
      error: /push manifest sha256:[0-9a-f]{64} to 127\.0\.0\.1:\d+\/[^/]+\/tf_linked: .*500.*gave up after 5 attempts/,
    },
    {
      name: 'the connection drops while the signature bundle is being attached',
      rules: [{ method: 'PUT', path: /\/manifests\/sha256-[0-9a-f]{64}$/, fault: { kind: 'drop' } }],
      error: /tag 127\.0\.0\.1:\d+\/[^/]+\/pgvector:sha256-[0-9a-f]{64} as sha256:[0-9a-f]{64}: .*gave up after 5 attempts/,
    },
  ];

  it.each(cases)('$name: the index stays byte for byte, no tag is broken, and a second run finishes', async ({ rules, error }) => {
    proxy = await startFaultProxy(registry.host);
    const ns = `f${++namespaces}`;
    const specs = [JOBS[0]!, JOBS[3]!];
    const { out, jobs: old } = await fakeOut(specs);
    const args = ['publish', out, '--registry', `${proxy.host}/${ns}`, '--key', `${key}.key`];
    expect((await runCli(args)).code).toBe(0);
    const indexFile = path.join(out, 'index.json');
    const before = await readFile(indexFile);

    // Both jobs rebuilt with new bytes, then published through a failing registry.
    const { jobs: fresh } = await fakeOut(specs.map((s) => ({ ...s, revision: 1 })), out);
    proxy.options.rules = rules;
    const failed = await runCli(args);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(error);
    expect(failed.stderr).not.toMatch(/internal error/);
    expect((await bytesOrNull(indexFile))!.equals(before)).toBe(true);

    // Every tag names a complete image: the old one, or the new one.
    for (const [i, job] of old.entries()) {
      const ref = `${registry.host}/${ns}/${job.result.job.extension}:${job.result.artifacts!.oci.tag}`;
      expect([job.result.artifacts!.oci.digest, fresh[i]!.result.artifacts!.oci.digest]).toContain(copyAll(ref));
    }

    proxy.options.rules = [];
    const second = await runCli(args);
    expect(second.stderr).not.toMatch(/internal error/);
    expect(second.code).toBe(0);
    const entries = await readIndexFile(indexFile);
    const client = createClient();
    try {
      for (const job of fresh) {
        const ref = `${registry.host}/${ns}/${job.result.job.extension}:${job.result.artifacts!.oci.tag}`;
        expect(copyAll(ref)).toBe(job.result.artifacts!.oci.digest);
        expect(entry(entries, job).oci).toEqual({ ref: `${proxy.host}/${ns}/${job.result.job.extension}:${job.result.artifacts!.oci.tag}`, digest: job.result.artifacts!.oci.digest, size: job.result.artifacts!.oci.size });
        const repo = { registry: registry.host, repository: `${ns}/${job.result.job.extension}` };
        expect(await listReferrers(client, repo, job.result.artifacts!.oci.digest, { artifactType: MEDIA.sigstoreBundle })).toHaveLength(1);
        expect(await headManifest(client, repo, job.result.artifacts!.oci.digest)).toBeDefined();
      }
    } finally {
      client.close();
    }
    // The rebuilt jobs replaced the old ones in the index (same cell, newer build).
    expect(entries.map((e) => e.key).sort()).toEqual(fresh.map((j) => j.result.job.key).sort());
  });
});
