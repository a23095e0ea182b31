// Builds through a Docker engine, as the CLI does inside GitHub Actions (where it prefers docker):
// Debian's dockerd (test/support/docker-daemon.ts) with the local PostgreSQL 17 builder and base
// images loaded from podman's store. The build, its closure bundling, installcheck and the smoke
// test in the base image run in docker containers, and the same job gives the same bytes as
// through podman: the trunk's sha256 and the OCI image index's digest. Then the docker-built
// pgvector is published to a registry on loopback and `trunkfarm serve` composes it onto the base
// as docker pulls it; docker runs that image and creates the extension.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildJob, type JobResult, lineReporter } from '../../src/builder/index.ts';
import { loadValidMatrix } from '../../src/matrix/index.ts';
import { expandTargets } from '../../src/plan/index.ts';
import { defaultCacheDir, registryRepository } from '../../src/compose/index.ts';
import { createClient } from '../../src/oci/index.ts';
import { startServer } from '../../src/serve/index.ts';
import { type RegistryServer, startRegistry } from '../oci/registry-server.ts';
import { buildShared } from '../support/build.ts';
import { runCli } from '../support/cli.ts';
import { type DockerDaemon, startDocker } from '../support/docker-daemon.ts';
import { requireComponents } from '../support/requirements.ts';

const MINUTES = 60_000;
const IMAGES = ['localhost/trunkfarm/builder:pg17-gnulinux-amd64', 'localhost/trunkfarm/base:pg17-gnulinux-amd64'];

let docker: DockerDaemon | undefined;
let out: string;
const saved = process.env.DOCKER_HOST;

beforeAll(async () => {
  requireComponents(['podman'], IMAGES);
  docker = await startDocker();
  process.env.DOCKER_HOST = docker.host;
  docker.load(IMAGES);
  out = await mkdtemp(path.join(tmpdir(), 'trunkfarm-docker-build-'));
}, 20 * MINUTES);

afterAll(async () => {
  if (saved === undefined) delete process.env.DOCKER_HOST;
  else process.env.DOCKER_HOST = saved;
  await docker?.stop();
  if (out) await rm(out, { recursive: true, force: true });
}, 5 * MINUTES);

async function buildWithDocker(extension: string): Promise<{ result: JobResult; dir: string; log: string[] }> {
  const matrix = await loadValidMatrix('matrix');
  const loaded = matrix.entries.find((e) => e.entry.name === extension)!;
  const target = expandTargets(matrix, [loaded]).find(({ job: j }) => j.pg === 17 && j.libc === 'glibc' && j.arch === 'amd64')!;
  const log: string[] = [];
  const result = await buildJob(target, { out, matrixDir: matrix.dir, images: 'local', engine: 'docker', reporter: () => lineReporter((l) => log.push(l)) });
  return { result, dir: path.join(out, `${target.job.extension}-${target.job.version}+${target.job.platform}`), log };
}

describe('a build through docker', () => {
  it('the engine is docker, talking to this test\'s daemon', async () => {
    const { detectEngine } = await import('../../src/builder/index.ts');
    expect((await detectEngine('docker')).name).toBe('docker');
  });

  it('pgvector for 17: builds, passes installcheck and the smoke test, with the bytes podman gives', async () => {
    const viaDocker = await buildWithDocker('pgvector');
    expect(viaDocker.result.status, viaDocker.log.join('\n')).toBe('built');
    expect(viaDocker.result.steps.map((s) => s.name)).toEqual(expect.arrayContaining(['installcheck', 'smoke']));
    expect(await readFile(path.join(viaDocker.dir, 'logs', 'smoke.log'), 'utf8')).toMatch(/distance/);
    const viaPodman = await buildShared('pgvector', 17);
    expect(viaDocker.result.artifacts!.trunk.sha256).toBe(viaPodman.result.artifacts!.trunk.sha256);
    expect(viaDocker.result.artifacts!.oci.digest).toBe(viaPodman.result.artifacts!.oci.digest);
    expect(viaDocker.result.images!.builder.id).toBe(viaPodman.result.images!.builder.id);
  }, 30 * MINUTES);

  it('tf_linked for 17: its libyaml bundled and loaded through $ORIGIN, the same bytes as podman\'s', async () => {
    const viaDocker = await buildWithDocker('tf_linked');
    expect(viaDocker.result.status, viaDocker.log.join('\n')).toBe('built');
    expect(viaDocker.result.closure!.bundled.map((b) => b.soname)).toEqual(['libyaml-0.so.2']);
    expect(await readFile(path.join(viaDocker.dir, 'logs', 'smoke.log'), 'utf8')).toMatch(/parsed\s*\n-+\s*\n\s*t\b/);
    const viaPodman = await buildShared('tf_linked', 17);
    expect(viaDocker.result.artifacts!.trunk.sha256).toBe(viaPodman.result.artifacts!.trunk.sha256);
    expect(viaDocker.result.artifacts!.oci.digest).toBe(viaPodman.result.artifacts!.oci.digest);
  }, 30 * MINUTES);
});

describe('compose on pull, through docker', () => {
  // Never execFileSync here: the server runs in this process, and a blocked event loop cannot answer.
  const run = promisify(execFile);
  let registry: RegistryServer | undefined;
  const client = createClient({});

  afterAll(async () => {
    client.close();
    await registry?.stop();
  });

  it('docker pulls pgvector composed onto the base, runs it and creates the extension', async () => {
    requireComponents(['skopeo', 'docker-registry'], []);
    registry = await startRegistry();
    const publishDir = await mkdtemp(path.join(tmpdir(), 'trunkfarm-docker-publish-'));
    await symlink(path.join(out, 'pgvector-0.8.0+pg17-gnulinux-amd64'), path.join(publishDir, 'pgvector-0.8.0+pg17-gnulinux-amd64'));
    const published = await runCli(['publish', publishDir, '--registry', `${registry.host}/farm`, '--unsigned', '--index', path.join(publishDir, 'index.json')]);
    expect(published.code, published.stderr).toBe(0);
    await run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `containers-storage:${IMAGES[1]}`, `docker://${registry.host}/library/postgres:17-trixie`]);
    const server = await startServer(
      { bases: new Map([['postgres', registryRepository(client, { registry: registry.host, repository: 'library/postgres' })]]), extensions: `${registry.host}/farm`, client, cacheDir: defaultCacheDir() },
      { host: '127.0.0.1', port: 0 },
    );
    try {
      const name = `${server.host}/postgres/pgvector:17-trixie`;
      const env = docker!.env;
      // dockerd pulls from loopback registries over plain HTTP (127.0.0.0/8 is insecure by default).
      await run('docker', ['pull', '--quiet', name], { env });
      const script = `set -e
B=/usr/lib/postgresql/17/bin
$B/initdb -D /tmp/pgdata -A trust -U postgres >/dev/null
$B/pg_ctl -D /tmp/pgdata -l /tmp/pg.log -o "-k /tmp -c listen_addresses=" -w start >/dev/null
$B/psql -h /tmp -U postgres -d postgres -v ON_ERROR_STOP=1 -Atc "CREATE EXTENSION vector; SELECT '[1,2,3]'::vector <-> '[4,5,6]'::vector"`;
      const { stdout } = await run('docker', ['run', '--rm', '--network', 'none', '--user', 'postgres', name, 'sh', '-c', script], { env, encoding: 'utf8' });
      expect(stdout).toMatch(/^5\.196152422706632$/m);
    } finally {
      await server.close();
    }
  }, 20 * MINUTES);
});
