// Composing images from extension layers, end to end on this machine: real builds of pgvector
// (glibc and musl) and PostGIS published to a real registry on loopback (Debian's
// docker-registry), the local PostgreSQL 17 runtime images pushed there as bases, `trunkfarm
// compose` pushing a composed image, and `trunkfarm serve` composing on pull for podman, which
// then runs the image and creates the extensions.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCacheDir, registryRepository } from '../../src/compose/index.ts';
import { createClient } from '../../src/oci/index.ts';
import { type RunningServer, startServer } from '../../src/serve/server.ts';
import { buildShared } from '../support/build.ts';
import { runCli } from '../support/cli.ts';
import { requireComponents } from '../support/requirements.ts';
import { type RegistryServer, startRegistry } from '../oci/registry-server.ts';

const MINUTES = 60_000;
const GLIBC_BASE = 'localhost/trunkfarm/base:pg17-gnulinux-amd64';
const MUSL_BASE = 'localhost/trunkfarm/base:pg17-musllinux-amd64';

let registry: RegistryServer;
let server: RunningServer;
const client = createClient({});
const pulled: string[] = [];

// Never execFileSync: the server runs in this process, and a blocked event loop cannot answer.
const exec = promisify(execFile);

async function skopeo(args: string[]): Promise<string> {
  return (await exec('skopeo', args, { encoding: 'utf8', maxBuffer: 64 << 20 })).stdout;
}

async function podman(args: string[]): Promise<string> {
  return (await exec('podman', args, { encoding: 'utf8', maxBuffer: 64 << 20 })).stdout;
}

/** Starts PostgreSQL in the image as the user postgres and runs `sql`. */
async function runSql(image: string, bindir: string, sql: string): Promise<string> {
  const script = `set -e
B=${bindir}
$B/initdb -D /tmp/pgdata -A trust -U postgres >/dev/null
$B/pg_ctl -D /tmp/pgdata -l /tmp/pg.log -o "-k /tmp -c listen_addresses=" -w start >/dev/null
$B/psql -h /tmp -U postgres -d postgres -v ON_ERROR_STOP=1 -Atc "$1"`;
  return podman(['run', '--rm', '--network', 'none', '--user', 'postgres', image, 'sh', '-c', script, 'sh', sql]);
}

beforeAll(async () => {
  requireComponents(['podman', 'skopeo', 'docker-registry'], [GLIBC_BASE, MUSL_BASE]);
  registry = await startRegistry();
  // What `trunkfarm publish` puts in a registry, for the three jobs (a directory of links to the
  // run's shared builds, so that only these are published).
  const out = await mkdtemp(path.join(tmpdir(), 'trunkfarm-compose-out-'));
  for (const [ext, libc] of [['pgvector', 'glibc'], ['postgis', 'glibc'], ['pgvector', 'musl']] as const) {
    const { dir } = await buildShared(ext, 17, libc);
    await symlink(dir, path.join(out, path.basename(dir)));
  }
  const published = await runCli(['publish', out, '--registry', `${registry.host}/farm`, '--unsigned', '--index', path.join(out, 'index.json')]);
  expect(published.code, published.stderr).toBe(0);
  for (const [image, tag] of [[GLIBC_BASE, '17-trixie'], [MUSL_BASE, '17-musl']]) {
    await skopeo(['copy', '--quiet', '--dest-tls-verify=false', `containers-storage:${image}`, `docker://${registry.host}/library/postgres:${tag}`]);
  }
  server = await startServer(
    { bases: new Map([['postgres', registryRepository(client, { registry: registry.host, repository: 'library/postgres' })]]), extensions: `${registry.host}/farm`, client, cacheDir: defaultCacheDir() },
    { host: '127.0.0.1', port: 0 },
  );
}, 60 * MINUTES);

afterAll(async () => {
  for (const image of pulled) execFileSync('podman', ['rmi', '--force', image], { stdio: 'ignore' });
  await server?.close();
  client.close();
  await registry?.stop();
});

describe('trunkfarm compose', () => {
  it('pushes the base layers plus one layer per extension, mounting the base instead of uploading it', async () => {
    const base = `${registry.host}/library/postgres:17-trixie`;
    const args = ['compose', '--base', base, '--ext', 'postgis', '--ext', 'pgvector', '--extensions', `${registry.host}/farm`, '--json'];
    const first = await runCli([...args, '--to', `${registry.host}/composed/gis:17`]);
    expect(first.code, first.stderr).toBe(0);
    const result = JSON.parse(first.stdout) as { digest: string; images: { extensions: { name: string; layer: string; size: number }[] }[]; transfer: Record<string, number> };
    expect(result.images[0]!.extensions.map((e) => e.name)).toEqual(['pgvector', 'postgis']);
    const extBytes = result.images[0]!.extensions.reduce((n, e) => n + e.size, 0);
    // The base layer is mounted, never uploaded; only the extension layers (parked in their
    // extensions' repositories, then mounted) and the config travel.
    expect(result.transfer.blobsMounted).toBe(3);
    expect(result.transfer.uploadedBytes).toBeGreaterThanOrEqual(extBytes);
    expect(result.transfer.uploadedBytes).toBeLessThan(extBytes + 64 * 1024);

    const baseLayers = (JSON.parse(await skopeo(['inspect', '--tls-verify=false', '--raw', `docker://${base}`])) as { layers: { digest: string }[] }).layers.map((l) => l.digest);
    const composed = JSON.parse(await skopeo(['inspect', '--tls-verify=false', `docker://${registry.host}/composed/gis:17`])) as { Digest: string; Layers: string[]; Labels: Record<string, string> };
    expect(composed.Digest).toBe(result.digest);
    expect(composed.Layers).toEqual([...baseLayers, ...result.images[0]!.extensions.map((e) => e.layer)]);
    expect(composed.Labels['io.trunkfarm.extensions']).toBe('pgvector=0.8.0,postgis=3.5.2');

    // Composing again, into another repository: the same digest, and only the new manifest moves
    // (config and layers are found or mounted).
    const again = await runCli([...args, '--to', `${registry.host}/elsewhere/gis:17`]);
    expect(again.code, again.stderr).toBe(0);
    const second = JSON.parse(again.stdout) as typeof result;
    expect(second.digest).toBe(result.digest);
    expect(second.transfer.blobsUploaded).toBe(1); // the config
    expect(second.transfer.blobsMounted).toBe(3);
    expect(second.transfer.uploadedBytes).toBeLessThan(16 * 1024);
  }, 20 * MINUTES);

  it('refuses extensions that were not built for the base, with the reason', async () => {
    const r = await runCli(['compose', '--base', `${registry.host}/library/postgres:17-musl`, '--ext', 'postgis', '--extensions', `${registry.host}/farm`, '--oci-layout', await mkdtemp(path.join(tmpdir(), 'trunkfarm-refused-'))]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no postgis for pg17-musllinux-amd64 in 127\.0\.0\.1:\d+\/farm\/postgis \(it has 3\.5\.2-pg17-gnulinux-amd64\)/);
  }, 10 * MINUTES);
});

describe('trunkfarm serve', () => {
  it('composes on pull: podman runs the image and creates both extensions', async () => {
    const name = `${server.host}/postgres/pgvector/postgis:17-trixie`;
    await podman(['pull', '--quiet', '--tls-verify=false', name]);
    pulled.push(name);
    const out = await runSql(
      name,
      '/usr/lib/postgresql/17/bin',
      "CREATE EXTENSION vector; CREATE EXTENSION postgis; SELECT '[1,2,3]'::vector <-> '[4,5,6]'::vector; SELECT ST_AsText(ST_Transform(ST_SetSRID(ST_MakePoint(2.35, 48.85), 4326), 3857));",
    );
    expect(out).toMatch(/^5\.196152422706632$/m);
    expect(out).toMatch(/^POINT\(261600\.8\d+ 6249447\.7\d+\)$/m);

    // skopeo sees base + 2 layers; asking twice gives one digest, the one compose pushed; every
    // blob (base layers streamed from the registry behind) copies with its digest checked.
    const inspect = async () => JSON.parse(await skopeo(['inspect', '--tls-verify=false', `docker://${name}`])) as { Digest: string; Layers: string[] };
    const a = await inspect();
    const b = await inspect();
    expect(a.Layers).toHaveLength(3);
    expect(b.Digest).toBe(a.Digest);
    const pushed = JSON.parse(await skopeo(['inspect', '--tls-verify=false', `docker://${registry.host}/composed/gis:17`])) as { Digest: string };
    expect(a.Digest).toBe(pushed.Digest);
    const copy = await mkdtemp(path.join(tmpdir(), 'trunkfarm-served-'));
    await skopeo(['copy', '--quiet', '--src-tls-verify=false', `docker://${name}`, `oci:${copy}:x`]);
  }, 20 * MINUTES);

  it('composes onto a musl base with PostgreSQL under /usr/local, picking the musl build', async () => {
    const name = `${server.host}/postgres/pgvector:17-musl`;
    await podman(['pull', '--quiet', '--tls-verify=false', name]);
    pulled.push(name);
    expect(await runSql(name, '/usr/local/bin', "CREATE EXTENSION vector; SELECT '[3,4]'::vector <-> '[0,0]'::vector;")).toMatch(/^5$/m);
    const labels = JSON.parse(await podman(['image', 'inspect', '--format', '{{json .Labels}}', name])) as Record<string, string>;
    expect(labels['io.trunkfarm.extensions']).toBe('pgvector=0.8.0');
  }, 20 * MINUTES);

  it('answers names it cannot compose with registry error codes and a reason', async () => {
    const get = async (p: string) => {
      const res = await fetch(`${server.url}${p}`);
      return { status: res.status, body: (await res.json()) as { errors: { code: string; message: string }[] } };
    };
    const unknownBase = await get('/v2/mysql/pgvector/manifests/8');
    expect(unknownBase.status).toBe(404);
    expect(unknownBase.body.errors[0]!.code).toBe('NAME_UNKNOWN');
    const refused = await get('/v2/postgres/postgis/manifests/17-musl');
    expect(refused.status).toBe(404);
    expect(refused.body.errors[0]).toMatchObject({ code: 'MANIFEST_UNKNOWN', message: expect.stringMatching(/no postgis for pg17-musllinux-amd64/) });
    const missing = await get('/v2/postgres/nosuch/manifests/17-trixie');
    expect(missing.body.errors[0]!.message).toMatch(/nothing named nosuch is published/);
    const pinned = await get('/v2/postgres/pgvector--9.9.9/manifests/17-trixie');
    expect(pinned.body.errors[0]!.message).toMatch(/no pgvector 9\.9\.9 for pg17-gnulinux-amd64/);
    const write = await fetch(`${server.url}/v2/postgres/blobs/uploads/`, { method: 'POST' });
    expect(write.status).toBe(405);
  }, 5 * MINUTES);
});
