// Provenance shape. Where GitHub's attestations and ours overlap, the fields must be the ones
// @actions/attest's buildSLSAProvenancePredicate writes from the same run: both read the run from
// the workflow's OIDC token, served here by a loopback stand-in of the Actions token endpoint.
import { buildSLSAProvenancePredicate } from '@actions/attest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProvenance, builderImageInput, FARM_BUILD_TYPE, loadGitHubRun, readSidecar, SLSA_PROVENANCE_TYPE, writeSidecar } from '../../src/sign/index.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localBuilderId } from '../../src/sign/provenance.ts';
import { VERSION } from '../../src/version.ts';
import { startOidc, type OidcStandIn, type WorkflowClaims } from './helpers/loopback.ts';

const CLAIMS: WorkflowClaims = {
  repository: 'acme/pg-ext',
  ref: 'refs/heads/main',
  sha: '0123456789abcdef0123456789abcdef01234567',
  workflow: '.github/workflows/build.yml',
  repositoryId: '1001',
  repositoryOwnerId: '2002',
  runId: '3003',
  runAttempt: '2',
  eventName: 'push',
};

const FARM_INPUT = {
  subjects: [{ name: 'vector-0.8.0+pg17-gnulinux-amd64.trunk', digest: { sha256: 'e'.repeat(64) } }],
  entry: { name: 'vector', version: '0.8.0', pipeline: 'pgxs', source: { url: 'https://example.org/vector.tar.gz' } },
  platform: { name: 'pg17-gnulinux-amd64', builder: 'docker.io/library/postgres:17-trixie', base: 'docker.io/library/postgres:17-trixie' },
  source: { uri: 'https://example.org/vector.tar.gz', sha256: 'f'.repeat(64) },
  builderImage: { ref: 'docker.io/library/postgres:17-trixie', digest: `sha256:${'1'.repeat(64)}` },
  buildKey: 'abc123',
  startedOn: '2025-03-01T10:00:00Z',
  finishedOn: '2025-03-01T10:04:00.500Z',
};

/** Every leaf of `obj` as [path, value]. */
function leaves(obj: unknown, prefix = ''): [string, unknown][] {
  if (typeof obj !== 'object' || obj === null) return [[prefix, obj]];
  return Object.entries(obj).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

describe('on GitHub Actions, against @actions/attest', () => {
  let oidc: OidcStandIn;
  const saved = { ...process.env };

  beforeAll(async () => {
    // `self`: the token's issuer is the stand-in, so @actions/attest can fetch its JWKS and verify.
    oidc = await startOidc(CLAIMS, 'self');
    Object.assign(process.env, {
      GITHUB_ACTIONS: 'true',
      GITHUB_SERVER_URL: 'https://github.com',
      ACTIONS_ID_TOKEN_REQUEST_URL: `${oidc.url}/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.requestToken,
    });
  });
  afterAll(async () => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    await oidc.close();
  });

  it('carries every field GitHub writes, with the same value, beside the farm fields', async () => {
    const github = await buildSLSAProvenancePredicate(oidc.url);
    const ours = buildProvenance({ ...FARM_INPUT, github: await loadGitHubRun(process.env) });
    expect(ours.predicateType).toBe(github.type);

    const theirs = leaves(github.params).filter(([path]) => path !== 'buildDefinition.buildType');
    expect(theirs).toHaveLength(11); // workflow (3), github (4), repository dependency (2), builder id, invocation id
    const mine = new Map(leaves(ours.predicate));
    for (const [path, value] of theirs) expect([path, mine.get(path)]).toEqual([path, value]);

    // The shared values, spelled out once, as GitHub documents them.
    const p = ours.predicate!;
    expect(p.buildDefinition.externalParameters.workflow).toEqual({
      ref: 'refs/heads/main',
      repository: 'https://github.com/acme/pg-ext',
      path: '.github/workflows/build.yml',
    });
    expect(p.runDetails.builder.id).toBe('https://github.com/acme/pg-ext/.github/workflows/build.yml@refs/heads/main');
    expect(p.runDetails.metadata?.invocationId).toBe('https://github.com/acme/pg-ext/actions/runs/3003/attempts/2');
    expect(p.buildDefinition.resolvedDependencies?.[0]).toEqual({
      uri: 'git+https://github.com/acme/pg-ext@refs/heads/main',
      digest: { gitCommit: CLAIMS.sha },
    });

    // Ours alone: the build type, the farm's parameters and dependencies, the run's times.
    expect(github.params).toMatchObject({ buildDefinition: { buildType: 'https://actions.github.io/buildtypes/workflow/v1' } });
    expect(p.buildDefinition.buildType).toBe(FARM_BUILD_TYPE);
    expect(p.buildDefinition.externalParameters.entry).toEqual(FARM_INPUT.entry);
    expect(p.buildDefinition.externalParameters.platform).toEqual(FARM_INPUT.platform);
    expect(p.buildDefinition.internalParameters?.trunkfarm).toEqual({ version: VERSION, buildKey: 'abc123' });
    expect(p.buildDefinition.resolvedDependencies?.slice(1)).toEqual([
      { name: 'source', uri: FARM_INPUT.source.uri, digest: { sha256: FARM_INPUT.source.sha256 } },
      { name: 'builder-image', uri: FARM_INPUT.builderImage.ref, digest: { sha256: '1'.repeat(64) } },
    ]);
    expect(p.runDetails.metadata).toMatchObject({ startedOn: '2025-03-01T10:00:00.000Z', finishedOn: '2025-03-01T10:04:00.500Z' });
  });
});

describe('outside GitHub', () => {
  it('names the local farm as builder and has no GitHub fields', () => {
    const s = buildProvenance({ ...FARM_INPUT, builderId: 'https://farm.example/builders/rack-1' });
    expect(s._type).toBe('https://in-toto.io/Statement/v1');
    expect(s.predicateType).toBe(SLSA_PROVENANCE_TYPE);
    expect(s.subject).toEqual(FARM_INPUT.subjects);
    const p = s.predicate!;
    expect(p.runDetails.builder.id).toBe('https://farm.example/builders/rack-1');
    expect(p.buildDefinition.externalParameters.workflow).toBeUndefined();
    expect(p.buildDefinition.internalParameters?.github).toBeUndefined();
    expect(p.runDetails.metadata?.invocationId).toBeUndefined();
    expect(p.buildDefinition.resolvedDependencies?.map((d) => d.name)).toEqual(['source', 'builder-image']);
  });

  it('a git source is recorded by commit', () => {
    const s = buildProvenance({ subjects: FARM_INPUT.subjects, source: { uri: 'git+https://example.org/ext.git@refs/tags/v1', gitCommit: 'a'.repeat(40) } });
    expect(s.predicate!.buildDefinition.resolvedDependencies).toEqual([
      { name: 'source', uri: 'git+https://example.org/ext.git@refs/tags/v1', digest: { gitCommit: 'a'.repeat(40) } },
    ]);
  });

  it('the local builder id is TRUNKFARM_BUILDER_ID, or this host under the farm prefix', () => {
    expect(localBuilderId({ TRUNKFARM_BUILDER_ID: 'https://farm.example/x' })).toBe('https://farm.example/x');
    expect(localBuilderId({})).toMatch(/^https:\/\/trunkfarm\.dev\/builders\/local\/[^/]+$/);
    expect(() => localBuilderId({ TRUNKFARM_BUILDER_ID: 'not a uri' })).toThrow(/must be a URI/);
  });

  it('the builder image is recorded by the manifest digest it is pulled by, else by its image id, and says which', async () => {
    const ref = 'docker.io/library/postgres:17-trixie';
    const id = `sha256:${'c'.repeat(64)}`;
    const manifest = `sha256:${'d'.repeat(64)}`;
    // The engine lists the digests of the image in each repository it came from; the one of ref's.
    const pulled = builderImageInput(ref, { id, repoDigests: [`ghcr.io/other/postgres@sha256:${'9'.repeat(64)}`, `docker.io/library/postgres@${manifest}`] });
    expect(pulled).toEqual({ ref, digest: manifest, digestOf: 'manifest' });
    const local = builderImageInput('localhost/trunkfarm/builder:pg17', { id, repoDigests: [] });
    expect(local).toEqual({ ref: 'localhost/trunkfarm/builder:pg17', digest: id, digestOf: 'image-config' });
    expect(builderImageInput('localhost:5000/builder:pg17', { id, repoDigests: [`localhost:5000/builder@${manifest}`] }).digestOf).toBe('manifest');

    const deps = (image: ReturnType<typeof builderImageInput>) => buildProvenance({ ...FARM_INPUT, builderImage: image }).predicate!.buildDefinition.resolvedDependencies!;
    expect(deps(pulled).at(-1)).toEqual({ name: 'builder-image', uri: ref, digest: { sha256: 'd'.repeat(64) }, annotations: { digestOf: 'manifest' } });
    expect(deps(local).at(-1)).toEqual({ name: 'builder-image', uri: 'localhost/trunkfarm/builder:pg17', digest: { sha256: 'c'.repeat(64) }, annotations: { digestOf: 'image-config' } });

    // The build hands it to signing through the sidecar, which keeps the label.
    const dir = await mkdtemp(join(tmpdir(), 'trunkfarm-sidecar-'));
    try {
      const file = await writeSidecar(join(dir, 'x.trunk'), 'e'.repeat(64), { builderImage: pulled });
      expect((await readSidecar(file))?.builderImage).toEqual(pulled);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses bad digests and dates with the field named', () => {
    expect(() => buildProvenance({ subjects: [{ name: 'x', digest: { sha256: 'xyz' } }] })).toThrow(/subject x needs a sha256 digest/);
    expect(() => buildProvenance({ ...FARM_INPUT, builderImage: { ref: 'r', digest: 'sha512:00' } })).toThrow(/builder image digest/);
    expect(() => buildProvenance({ ...FARM_INPUT, startedOn: 'yesterday' })).toThrow(/startedOn is not a date/);
    expect(() => buildProvenance({ subjects: [] })).toThrow(/no subjects/);
  });
});
