// The index stored in an OCI registry (src/publish/index-registry.ts) against Debian's
// docker-registry on loopback: records and the `latest` tag, merging with what was there, the
// interleaving in which a compare-and-swap on one tag would lose a write, two stores racing through
// updateIndex, a registry that refuses deletes, `trunkfarm publish --index-registry`, and
// `trunkfarm plan --index-registry` (the scheduled rebuild against it). What the
// registry holds is read with plain HTTP requests, not with the client under test.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadValidMatrix } from '../../src/matrix/index.ts';
import { expandJobs } from '../../src/plan/index.ts';
import { mergeIndex, parseIndex, registryIndexStore, updateIndex } from '../../src/publish/index-store.ts';
import { LATEST_NOT_MOVED } from '../../src/publish/index-registry.ts';
import { UserError } from '../../src/errors.ts';
import { startFaultProxy } from '../oci/registry/fault-proxy.ts';
import { createClient } from '../../src/oci/index.ts';
import type { PublishedIndexFile } from '../../src/types.ts';
import { generateKeyFiles } from '../../src/sign/index.ts';
import { runCompositeAction } from '../actions/composite.ts';
import { runCli } from '../support/cli.ts';
import { writeFakeJob } from './fake-out.ts';
import { entry } from './index-entries.ts';
import { startRegistry, type RegistryServer } from '../oci/registry-server.ts';

let registry: RegistryServer;
let scratch: string;
let repos = 0;

beforeAll(async () => {
  registry = await startRegistry();
  scratch = await mkdtemp(path.join(tmpdir(), 'trunkfarm-index-registry-'));
});

afterAll(async () => {
  await registry?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const fresh = () => `${registry.host}/farm${++repos}/trunkfarm-index`;

/** Tags and the index under a tag, over plain HTTP. */
async function tags(server: RegistryServer, repository: string): Promise<string[]> {
  const res = await fetch(`http://${server.host}/v2/${repository}/tags/list`);
  return res.status === 404 ? [] : (((await res.json()) as { tags: string[] | null }).tags ?? []).sort();
}

async function pulled(server: RegistryServer, repository: string, tag: string): Promise<{ index: PublishedIndexFile; manifest: { artifactType: string; layers: { mediaType: string; annotations: Record<string, string> }[] } }> {
  const res = await fetch(`http://${server.host}/v2/${repository}/manifests/${tag}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
  expect(res.status).toBe(200);
  const manifest = (await res.json()) as { artifactType: string; layers: { mediaType: string; digest: string; annotations: Record<string, string> }[] };
  const blob = await fetch(`http://${server.host}/v2/${repository}/blobs/${manifest.layers[0]!.digest}`);
  return { index: parseIndex(await blob.text(), tag), manifest };
}

const keys = (index: PublishedIndexFile) => index.entries.map((e) => e.key).sort();
const repositoryOf = (ref: string) => ref.slice(registry.host.length + 1);

describe('registryIndexStore', () => {
  it('says the entries are stored but latest did not move, with its own exit status, when the registry keeps refusing latest', async () => {
    const proxy = await startFaultProxy(registry.host, { rules: [{ method: 'PUT', path: /\/manifests\/latest$/, fault: { kind: 'status', status: 503 } }] });
    const name = `farm${++repos}/trunkfarm-index`;
    const client = createClient({ retry: { baseDelayMs: 5 } });
    const store = registryIndexStore({ repository: `${proxy.host}/${name}`, client });
    try {
      const err = await updateIndex(store, [entry('k1')]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).exitCode).toBe(LATEST_NOT_MOVED);
      expect((err as Error).message).toMatch(
        new RegExp(`^index ${proxy.host}/${name}:latest: the entries of this publish are stored \\(records under rec-\\* tags, which trunkfarm plan and publish read\\), but latest was not moved: .*answered 503.*gave up after 5 attempts.*run the publish again`),
      );
      // The record is there, latest is not; without the faults the next update moves it.
      expect((await tags(registry, name)).filter((t) => t !== 'latest')).toHaveLength(1);
      expect(await tags(registry, name)).not.toContain('latest');
      proxy.options.rules = [];
      expect((await updateIndex(store, [entry('k1')])).written).toBe(false);
      expect(keys((await pulled(registry, name, 'latest')).index)).toEqual(['k1']);
    } finally {
      client.close();
      await proxy.stop();
    }
  });

  it('stores the index as a record and under latest, merges with what is there, and writes nothing when nothing changes', async () => {
    const ref = fresh();
    const store = registryIndexStore({ repository: ref });
    try {
      expect(store.location).toBe(`${ref}:latest`);
      expect(await store.read()).toMatchObject({ version: null, index: { entries: [] } });

      const first = await updateIndex(store, [entry('k1'), entry('k2', 'tf_linked', '1.0.0')]);
      expect(first.written).toBe(true);
      const stored = await tags(registry, repositoryOf(ref));
      expect(stored).toHaveLength(2);
      expect(stored).toContain('latest');
      expect(stored.find((t) => t !== 'latest')).toMatch(/^rec-\d{13}-[0-9a-f]{12}$/);
      const latest = await pulled(registry, repositoryOf(ref), 'latest');
      expect(keys(latest.index)).toEqual(['k1', 'k2']);
      expect(latest.manifest.artifactType).toBe('application/vnd.trunkfarm.index.v1+json');
      expect(latest.manifest.layers[0]!.annotations['org.opencontainers.image.title']).toBe('index.json');

      // Nothing new: no write, the same tags.
      const again = await updateIndex(store, [entry('k1')]);
      expect(again.written).toBe(false);
      expect(await tags(registry, repositoryOf(ref))).toEqual(stored);

      // New entries merge with the stored ones; the record read is replaced by the new one.
      await updateIndex(store, [entry('k3', 'pg_cron', '1.6.4')]);
      const after = await tags(registry, repositoryOf(ref));
      expect(after).toHaveLength(2);
      expect(after).not.toEqual(stored);
      expect(keys((await pulled(registry, repositoryOf(ref), 'latest')).index)).toEqual(['k1', 'k2', 'k3']);
      expect(keys((await store.read()).index)).toEqual(['k1', 'k2', 'k3']);
    } finally {
      store.close();
    }
  });

  it('keeps both writes of two publishes that read the same index, where one tag swap would lose one', async () => {
    const ref = fresh();
    const a = registryIndexStore({ repository: ref });
    const b = registryIndexStore({ repository: ref });
    try {
      await updateIndex(a, [entry('base')]);
      // Both read; A writes; B writes on top of what it read, blind to A.
      const readA = await a.read();
      const readB = await b.read();
      expect(readA.version).toBe(readB.version);
      expect(await a.write(mergeIndex(readA.index, [entry('from-a', 'a_ext')]), readA.version)).toBe('ok');
      expect(await b.write(mergeIndex(readB.index, [entry('from-b', 'b_ext')]), readB.version)).toBe('conflict');
      // Neither is lost: the store is both records.
      expect(keys((await a.read()).index)).toEqual(['base', 'from-a', 'from-b']);
      // B, told of the conflict, merges again; one record remains, and latest has it all.
      const redo = await updateIndex(b, [entry('from-b', 'b_ext')]);
      expect(keys(redo.index)).toEqual(['base', 'from-a', 'from-b']);
      await updateIndex(b, [entry('later', 'c_ext')]);
      expect((await tags(registry, repositoryOf(ref))).filter((t) => t.startsWith('rec-'))).toHaveLength(1);
      expect(keys((await pulled(registry, repositoryOf(ref), 'latest')).index)).toEqual(['base', 'from-a', 'from-b', 'later']);
    } finally {
      a.close();
      b.close();
    }
  });

  it('loses no entry when two stores race through updateIndex', async () => {
    const ref = fresh();
    const stores = [registryIndexStore({ repository: ref }), registryIndexStore({ repository: ref })];
    try {
      await Promise.all(
        stores.map(async (store, w) => {
          const out = [];
          for (let i = 0; i < 6; i++) out.push(await updateIndex(store, [entry(`w${w}-${i}`, `ext${w}x${i}`)], { backoffMs: 10 }));
          return out;
        }),
      );
      const everything = stores.flatMap((_, w) => Array.from({ length: 6 }, (_, i) => `w${w}-${i}`)).sort();
      expect(keys((await stores[0]!.read()).index)).toEqual(everything);
      // latest caught up once both were done.
      expect(keys((await pulled(registry, repositoryOf(ref), 'latest')).index)).toEqual(everything);
      // Records read were deleted as they were covered: at most the last write of each remains.
      expect((await tags(registry, repositoryOf(ref))).filter((t) => t.startsWith('rec-')).length).toBeLessThanOrEqual(2);
    } finally {
      for (const s of stores) s.close();
    }
  });

  it('works where the registry does not delete manifests, its records piling up', async () => {
    const noDelete = await startRegistry({ delete: false });
    const lines: string[] = [];
    const store = registryIndexStore({ repository: `${noDelete.host}/farm/trunkfarm-index`, log: (l) => lines.push(l) });
    try {
      await updateIndex(store, [entry('k1')]);
      await updateIndex(store, [entry('k2', 'other')]);
      await updateIndex(store, [entry('k3', 'third')]);
      expect((await tags(noDelete, 'farm/trunkfarm-index')).filter((t) => t.startsWith('rec-'))).toHaveLength(3);
      expect(keys((await store.read()).index)).toEqual(['k1', 'k2', 'k3']);
      expect(keys((await pulled(noDelete, 'farm/trunkfarm-index', 'latest')).index)).toEqual(['k1', 'k2', 'k3']);
      expect(lines.filter((l) => l.includes('does not delete manifests'))).toHaveLength(1);
    } finally {
      store.close();
      await noDelete.stop();
    }
  });

  it('names the repository when a tag of it is not an index record', async () => {
    const ref = fresh();
    const client = createClient();
    try {
      // A record tag naming some other artifact.
      const store = registryIndexStore({ repository: ref, client });
      await updateIndex(store, [entry('k1')]);
      const record = (await tags(registry, repositoryOf(ref))).find((t) => t.startsWith('rec-'))!;
      const other = await fetch(`http://${registry.host}/v2/${repositoryOf(ref)}/manifests/${record}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
      const doc = (await other.json()) as { layers: { mediaType: string }[] };
      doc.layers[0]!.mediaType = 'application/octet-stream';
      const put = await fetch(`http://${registry.host}/v2/${repositoryOf(ref)}/manifests/${record}`, { method: 'PUT', headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, body: JSON.stringify(doc) });
      expect(put.status).toBe(201);
      await expect(store.read()).rejects.toThrow(`${ref}:${record} holds no application/vnd.trunkfarm.index.v1+json layer: is this repository trunkfarm's index?`);
    } finally {
      client.close();
    }
  });
});

describe('trunkfarm publish --index-registry', () => {
  it('keeps the index in HOST/NAMESPACE/trunkfarm-index next to the images, and not in OUT', async () => {
    const out = await mkdtemp(path.join(scratch, 'out-'));
    const job = await writeFakeJob(out, { extension: 'pgvector', version: '0.8.0' });
    const ns = `${registry.host}/cli${++repos}`;
    const r = await runCli(['publish', out, '--registry', ns, '--unsigned', '--index-registry']);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`index: ${ns}/trunkfarm-index:latest`);
    const latest = await pulled(registry, `${repositoryOf(ns)}/trunkfarm-index`, 'latest');
    expect(latest.index.entries.map((e) => [e.key, e.oci?.ref])).toEqual([[job.result.job.key, `${ns}/pgvector:0.8.0-pg17-gnulinux`]]);
    await expect(stat(path.join(out, 'index.json'))).rejects.toThrow();
    const before = await tags(registry, `${repositoryOf(ns)}/trunkfarm-index`);
    expect((await runCli(['publish', out, '--registry', ns, '--unsigned', '--index-registry'])).code).toBe(0);
    expect(await tags(registry, `${repositoryOf(ns)}/trunkfarm-index`)).toEqual(before);

    // Any repository may be named; without --registry one must be.
    const elsewhere = `${registry.host}/other${repos}/farm-index`;
    expect((await runCli(['publish', out, '--unsigned', '--index-registry', elsewhere])).code).toBe(0);
    expect(keys((await pulled(registry, repositoryOf(elsewhere), 'latest')).index)).toEqual([job.result.job.key]);
    const missing = await runCli(['publish', out, '--unsigned', '--index-registry']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--index-registry without a repository needs --registry/);
    const both = await runCli(['publish', out, '--unsigned', '--index-registry', elsewhere, '--index', path.join(out, 'i.json')]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--index-registry goes without --index and --index-branch/);
  });
});

describe('trunkfarm plan --index-registry', () => {
  it('plans only the jobs the index kept in a registry lacks', async () => {
    const matrix = await loadValidMatrix('matrix');
    const planned = expandJobs(matrix, matrix.entries.filter((e) => e.entry.name === 'pgvector'));
    const [done, failed] = planned;
    const ref = fresh();
    const store = registryIndexStore({ repository: ref });
    try {
      await updateIndex(store, [entry(done!.key), { ...entry(failed!.key), status: 'failed' }]);
    } finally {
      store.close();
    }
    const r = await runCli(['plan', '--extension', 'pgvector', '--index-registry', ref, '--json']);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    const keysPlanned = (JSON.parse(r.stdout) as { jobs: { key: string }[] }).jobs.map((j) => j.key);
    // The published job is left out; a failed one is planned again.
    expect(keysPlanned).toEqual(planned.filter((j) => j !== done).map((j) => j.key));
    const both = await runCli(['plan', '--index-registry', ref, '--index', 'index.json']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--index and --index-registry: give one/);
  });
});

describe('actions/publish with index-registry', () => {
  it('keeps the index next to the images with true, and in a named repository', async () => {
    const out = await mkdtemp(path.join(scratch, 'action-out-'));
    const job = await writeFakeJob(out, { extension: 'pgvector', version: '0.8.0' });
    const { privatePath } = await generateKeyFiles(path.join(out, 'farm'), 'ed25519');
    const ns = `${registry.host}/action${++repos}`;
    const publish = (indexRegistry: string) =>
      runCompositeAction(path.resolve('actions/publish'), { workspace: path.resolve('.'), with: { out, registry: ns, key: privatePath, 'index-registry': indexRegistry } });
    const run = await publish('true');
    expect(run.conclusion, run.steps.map((s) => s.stderr).join('\n')).toBe('success');
    expect(run.outputs.index).toBe(`${ns}/trunkfarm-index:latest`);
    expect(keys((await pulled(registry, `${repositoryOf(ns)}/trunkfarm-index`, 'latest')).index)).toEqual([job.result.job.key]);
    const named = `${registry.host}/action${repos}/elsewhere`;
    const again = await publish(named);
    expect(again.conclusion).toBe('success');
    expect(again.outputs.index).toBe(`${named}:latest`);
    expect(keys((await pulled(registry, repositoryOf(named), 'latest')).index)).toEqual([job.result.job.key]);
  });
});
