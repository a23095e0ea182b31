// Publishing through a loopback proxy in front of the real registry that injects one kind of
// fault at a time (5xx, 429 with Retry-After, connections dropped mid-body, stalls) on a share of
// requests, from a fixed seed. After every run, finished or not: each tag on the registry
// verifies (signature and every manifest and blob it reaches), and a fault-free rerun reaches the
// state of a publish that never met a fault. Then the orderings the faults used to expose: every
// signature push refused leaves no new tag; a stall is reported within seconds and abandoned at
// --request-timeout.
// TRUNKFARM_FAULT_RUNS=N runs each kind N times (seeds 1..N) and prints how many publishes finished;
// TRUNKFARM_FAULT_RATE sets the share of requests that fail (default 0.2).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, getManifest, listTags, type RegistryClient, type Repository } from '../../src/oci/index.ts';
import { verifyImage } from '../../src/publish/image-signatures.ts';
import { runCli } from '../support/cli.ts';
import { type Fault, startFaultProxy } from '../oci/registry/fault-proxy.ts';
import { startRegistry, type RegistryServer } from '../oci/registry-server.ts';
import { type FakeJobSpec, writeFakeJob } from './fake-out.ts';

const RUNS = Number(process.env.TRUNKFARM_FAULT_RUNS ?? 1);
const RATE = Number(process.env.TRUNKFARM_FAULT_RATE ?? 0.2);
const KINDS: { name: string; fault: Fault; flags: string[] }[] = [
  { name: '503', fault: { kind: 'status', status: 503 }, flags: [] },
  { name: '429 with Retry-After', fault: { kind: 'status', status: 429, retryAfter: '1' }, flags: [] },
  { name: 'dropped mid-body', fault: { kind: 'cut', afterBytes: 512 }, flags: [] },
  { name: 'stall', fault: { kind: 'stall' }, flags: ['--request-timeout', '1'] },
];
// Two architectures of one version (their indexes merge under one tag) and a second extension,
// with layers big enough for chunked uploads and cuts mid-body.
const JOBS: FakeJobSpec[] = [
  { extension: 'pgvector', version: '0.8.0', arch: 'amd64', layerBytes: 300_000 },
  { extension: 'pgvector', version: '0.8.0', arch: 'arm64', layerBytes: 300_000 },
  { extension: 'tf_linked', version: '1.0.0', arch: 'amd64' },
];

let registry: RegistryServer;
let scratch: string;
let out: string;
let key: string;
let client: RegistryClient;
let namespaces = 0;
/** Tag -> digest of every image tag after a publish that met no fault. */
let faultFree: Record<string, string>;

beforeAll(async () => {
  registry = await startRegistry();
  client = createClient();
  scratch = await mkdtemp(path.join(tmpdir(), 'trunkfarm-publish-faults-'));
  key = path.join(scratch, 'farm');
  expect((await runCli(['keygen', '--out', key])).code).toBe(0);
  out = path.join(scratch, 'out');
  for (const spec of JOBS) await writeFakeJob(out, spec);
  const ns = `clean${++namespaces}`;
  expect((await publishTo(registry.host, ns)).code).toBe(0);
  faultFree = await imageTags(ns);
  expect(Object.keys(faultFree).sort()).toEqual(['pgvector:0.8.0-pg17-gnulinux', 'tf_linked:1.0.0-pg17-gnulinux']);
});

afterAll(async () => {
  client?.close();
  await registry?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function publishTo(host: string, ns: string, flags: string[] = []) {
  return runCli(['publish', out, '--registry', `${host}/${ns}`, '--key', `${key}.key`, '--index', path.join(scratch, `${ns}.json`), ...flags]);
}

const repos = (ns: string): Repository[] => ['pgvector', 'tf_linked'].map((e) => ({ registry: registry.host, repository: `${ns}/${e}` }));

/** Image tags (not the sha256-* tags signatures hang from) of the namespace, and their digests. */
async function imageTags(ns: string): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  for (const repo of repos(ns)) {
    for (const tag of await listTags(client, repo).catch(() => [])) {
      if (tag.startsWith('sha256-')) continue;
      found[`${repo.repository.split('/')[1]}:${tag}`] = (await getManifest(client, repo, tag))!.digest;
    }
  }
  return found;
}

/** Every tag of the namespace verifies: image tags against their signatures and contents, the
 * signatures' own tags by reaching only manifests and blobs the registry holds. */
async function checkRegistry(ns: string): Promise<number> {
  let checked = 0;
  for (const repo of repos(ns)) {
    for (const tag of await listTags(client, repo).catch(() => [])) {
      const ref = `docker://${repo.registry}/${repo.repository}:${tag}`;
      if (tag.startsWith('sha256-')) {
        const top = await getManifest(client, repo, tag);
        for (const d of (JSON.parse(top!.bytes.toString('utf8')) as { manifests: { digest: string }[] }).manifests) {
          expect(await getManifest(client, repo, d.digest), `${ref} names ${d.digest}`).toBeDefined();
        }
      } else {
        const result = await verifyImage(ref, { key: `${key}.pub` });
        expect(result.checks.map((c) => c.step)).toContain('contents');
      }
      checked++;
    }
  }
  return checked;
}

describe('publish through a registry that fails', () => {
  it.each(KINDS)('$name on a share of requests (TRUNKFARM_FAULT_RATE, 20%): every tag verifies after every run, and a fault-free rerun finishes', async ({ fault, flags }) => {
    let finished = 0;
    for (let seed = 1; seed <= RUNS; seed++) {
      const proxy = await startFaultProxy(registry.host, { chaos: { seed, rate: RATE, faults: [fault] } });
      const ns = `f${++namespaces}`;
      try {
        const run = await publishTo(proxy.host, ns, flags);
        expect(run.stderr).not.toMatch(/internal error/);
        if (run.code === 0) finished++;
        else {
          // A failure is one line saying what failed, no stack.
          const said = /^trunkfarm: (.*)$/m.exec(run.stderr);
          expect(said, run.stderr).not.toBeNull();
          if (RUNS > 1) process.stderr.write(`seed ${seed}: ${said![1]!.slice(0, 240)}\n`);
        }
        // Each retry is a line saying what failed and how long the wait.
        if (fault.kind === 'status') expect(run.stderr).toMatch(new RegExp(`^retry 1 of 4 in \\d+\\.\\d s${fault.status === 429 ? ', as the registry asked' : ''}: .* answered ${fault.status}`, 'm'));
        await checkRegistry(ns);
        proxy.options.chaos = undefined;
        const rerun = await publishTo(proxy.host, ns, flags);
        expect(rerun.stderr, rerun.stderr).not.toMatch(/internal error/);
        expect(rerun.code, rerun.stderr).toBe(0);
        expect(await imageTags(ns)).toEqual(faultFree);
        expect(await checkRegistry(ns)).toBeGreaterThanOrEqual(Object.keys(faultFree).length);
      } finally {
        await proxy.stop();
      }
    }
    if (RUNS > 1) process.stderr.write(`faults ${fault.kind}${fault.kind === 'status' ? ` ${fault.status}` : ''}: ${finished} of ${RUNS} publishes finished at ${RATE * 100}% faults\n`);
  }, RUNS * 60_000);

  it('with every signature push refused, moves no tag', async () => {
    const proxy = await startFaultProxy(registry.host, {
      rules: [{ method: 'PUT', path: /\/manifests\/sha256-[0-9a-f]{64}$/, fault: { kind: 'status', status: 429, retryAfter: '0' } }],
    });
    const ns = `f${++namespaces}`;
    try {
      const run = await publishTo(proxy.host, ns);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/answered 429.*gave up after 5 attempts/);
      expect(await imageTags(ns)).toEqual({});
      expect(run.stderr).not.toMatch(/^pushed /m);
    } finally {
      await proxy.stop();
    }
  });

  it('reports a stalled request within seconds and abandons it at --request-timeout', async () => {
    const proxy = await startFaultProxy(registry.host, { rules: [{ method: 'PUT', path: /\/blobs\/uploads\//, nth: 1, fault: { kind: 'stall' } }] });
    const ns = `f${++namespaces}`;
    try {
      const started = Date.now();
      const run = await publishTo(proxy.host, ns, ['--request-timeout', '7']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/^waiting: PUT 127\.0\.0\.1:\d+\/v2\/[^ ]+\/blobs\/uploads\/[^ ]+ \(push blob sha256:[0-9a-f]{64} to [^)]+\) has made no progress for 5 s; abandoned at 7 s \(--request-timeout\)$/m);
      expect(run.stderr).toMatch(/^retry 1 of 4 in \d+\.\d s: push blob sha256:[0-9a-f]{64} to \S+: PUT \S+ failed: no progress for 7 s$/m);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(await imageTags(ns)).toEqual(faultFree);
    } finally {
      await proxy.stop();
    }
  });
});
