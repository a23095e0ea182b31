// Keyless signing and verification, end to end, against loopback stand-ins.
//
// Sigstore's and GitHub's servers cannot be reached from here, so this test stands them in on
// 127.0.0.1 at the HTTP level (test/sign/helpers/loopback.ts): GitHub Actions' OIDC token
// endpoint, a Fulcio-like CA that checks the token and the proof of possession and issues a real
// X.509 certificate with GitHub's workflow identity extensions (signed by a test root generated
// here), an RFC 3161 timestamp authority (GitHub's Sigstore instance timestamps instead of using a
// transparency log), and GitHub's attestations API. The real `trunkfarm sign` runs in a child
// process and drives the real @actions/attest and @sigstore/sign code: @actions/attest derives
// https://fulcio.HOST and https://timestamp.HOST from GITHUB_SERVER_URL (here the reserved name
// github.test), and the child reaches them through HTTPS_PROXY, a loopback CONNECT proxy that
// tunnels exactly those two names to the TLS stand-ins and refuses everything else;
// NODE_EXTRA_CA_CERTS makes it trust their test TLS root. Verification then runs our verifier
// against a trusted root naming the test CA and TSA, and cosign cross-checks the same bundle.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCovers, expectedSigner, generateKeyFiles, VerificationFailure, verifyArtifact, type VerifyOptions } from '../../src/sign/index.ts';
import { sha256File } from '../../src/files/index.ts';
import { cleanEnv, runCli, type CliResult } from './helpers/cli.ts';
import { cosignVerifyAttestation, requireCosign } from './helpers/cosign.ts';
import {
  GITHUB_ISSUER,
  makePki,
  startConnectProxy,
  startFulcio,
  startGitHubApi,
  startOidc,
  startTsa,
  trustedRootJson,
  type FulcioStandIn,
  type GitHubApiStandIn,
  type OidcStandIn,
  type ProxyStandIn,
  type TsaStandIn,
  type WorkflowClaims,
} from './helpers/loopback.ts';

const SERVER = 'https://github.test';
const CLAIMS: WorkflowClaims = {
  repository: 'acme/pg-ext',
  ref: 'refs/heads/main',
  sha: '89abcdef0123456789abcdef0123456789abcdef',
  workflow: '.github/workflows/build.yml',
  repositoryId: '101',
  repositoryOwnerId: '202',
  runId: '303',
  runAttempt: '1',
  eventName: 'push',
};
const IDENTITY = `${SERVER}/${CLAIMS.repository}/${CLAIMS.workflow}@${CLAIMS.ref}`;

let dir: string;
let oidc: OidcStandIn;
let fulcio: FulcioStandIn;
let tsa: TsaStandIn;
let api: GitHubApiStandIn;
let proxy: ProxyStandIn;
let rootPath: string;
let env: NodeJS.ProcessEnv;
let artifact: string;
let signed: CliResult;
const pki = makePki();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trunkfarm-keyless-'));
  oidc = await startOidc(CLAIMS, GITHUB_ISSUER);
  fulcio = await startFulcio(pki, oidc.publicKey, SERVER, 'fulcio.github.test');
  tsa = await startTsa(pki, 'timestamp.github.test');
  api = await startGitHubApi();
  proxy = await startConnectProxy({ 'fulcio.github.test': fulcio.port, 'timestamp.github.test': tsa.port });

  rootPath = join(dir, 'trusted-root.json');
  await writeFile(rootPath, JSON.stringify(trustedRootJson(pki)));
  const tlsRoot = join(dir, 'tls-root.pem');
  await writeFile(tlsRoot, pki.tlsRoot.pem);
  const event = join(dir, 'event.json');
  await writeFile(event, JSON.stringify({ repository: { full_name: CLAIMS.repository, visibility: 'private' } }));

  env = cleanEnv({
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: SERVER,
    GITHUB_API_URL: api.url,
    GITHUB_REPOSITORY: CLAIMS.repository,
    GITHUB_EVENT_NAME: CLAIMS.eventName,
    GITHUB_EVENT_PATH: event,
    GITHUB_TOKEN: 'ghs_loopbacktoken',
    ACTIONS_ID_TOKEN_REQUEST_URL: `${oidc.url}/token?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.requestToken,
    HTTPS_PROXY: proxy.url,
    NO_PROXY: '127.0.0.1,localhost',
    NODE_EXTRA_CA_CERTS: tlsRoot,
  });

  artifact = join(dir, 'vector-0.8.0+pg17-gnulinux-amd64.bin');
  await writeFile(artifact, 'a keyless artifact\n');
  signed = await runCli(['sign', artifact, '--json'], { env });
}, 120_000);

afterAll(async () => {
  await Promise.all([oidc, fulcio, tsa, api, proxy].filter(Boolean).map((s) => s.close()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function failure(options: VerifyOptions): Promise<VerificationFailure> {
  try {
    await verifyArtifact(artifact, options);
  } catch (err) {
    if (err instanceof VerificationFailure) return err;
    throw err;
  }
  throw new Error('verification passed, but it should have failed');
}

describe('keyless signing in GitHub Actions', () => {
  it('signs through @actions/attest: Fulcio certificate, RFC 3161 timestamp, attestation stored', async () => {
    expect(signed.stderr).not.toMatch(/error/i);
    expect(signed.code).toBe(0);
    const out = JSON.parse(signed.stdout);
    expect(out).toMatchObject({ method: 'keyless', attestationId: '4243', provenance: 'minimal', sha256: await sha256File(artifact) });
    expect(proxy.refused).toEqual([]);
    expect(fulcio.issued).toHaveLength(1);
    expect(tsa.stamped).toBe(1);
    expect(oidc.audiences).toContain('sigstore');

    const bundle = JSON.parse(await readFile(`${artifact}.sigstore.json`, 'utf8'));
    expect(bundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(bundle.verificationMaterial.certificate.rawBytes).toBeTruthy();
    expect(bundle.verificationMaterial.timestampVerificationData.rfc3161Timestamps).toHaveLength(1);
    expect(api.attestations).toHaveLength(1);
    expect(api.attestations[0]).toMatchObject({ repo: CLAIMS.repository, authorization: 'token ghs_loopbacktoken', bundle });

    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString());
    expect(statement.predicate.runDetails.builder.id).toBe(IDENTITY);
    expect(statement.predicate.runDetails.metadata.invocationId).toBe(`${SERVER}/${CLAIMS.repository}/actions/runs/303/attempts/1`);
    expect(statement.predicate.buildDefinition.externalParameters.workflow).toEqual({
      ref: CLAIMS.ref,
      repository: `${SERVER}/${CLAIMS.repository}`,
      path: CLAIMS.workflow,
    });
  });

  it('verifies against the trusted root and the workflow identity', async () => {
    const result = await verifyArtifact(artifact, {
      identity: { repository: CLAIMS.repository, workflow: 'build.yml', serverUrl: SERVER },
      trustedRoot: rootPath,
      builderId: IDENTITY,
    });
    expect(result.signer).toEqual({ kind: 'certificate', identity: IDENTITY, issuer: GITHUB_ISSUER });
    expect(result.checks.map((c) => c.step)).toEqual(['bundle', 'subject', 'signature', 'provenance', 'contents']);
  });

  it('and through the CLI', async () => {
    const r = await runCli(['verify', artifact, '--repo', CLAIMS.repository, '--server-url', SERVER, '--trusted-root', rootPath], { env: cleanEnv() });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`ok 3 signature: signed by ${IDENTITY} (issuer ${GITHUB_ISSUER})`);
    expect(r.code).toBe(0);
  });

  it('rejects a different repository identity', async () => {
    const f = await failure({ identity: { repository: 'acme/other', serverUrl: SERVER }, trustedRoot: rootPath });
    expect(f.step).toBe('signature');
    expect(f.message).toContain(`signed by ${IDENTITY}, not by a workflow of acme/other`);
  });

  it('rejects another workflow of the same repository', async () => {
    const f = await failure({ identity: { repository: CLAIMS.repository, workflow: 'release.yml', serverUrl: SERVER }, trustedRoot: rootPath });
    expect(f.message).toContain('not by workflow .github/workflows/release.yml of acme/pg-ext');
  });

  it('rejects another server (github.com) and another issuer', async () => {
    const f = await failure({ identity: { repository: CLAIMS.repository }, trustedRoot: rootPath });
    expect(f.message).toContain('expected https://github.com/acme/pg-ext/.github/workflows/');
    const g = await failure({ identity: { repository: CLAIMS.repository, serverUrl: SERVER, issuer: 'https://issuer.example' }, trustedRoot: rootPath });
    expect(g.message).toContain(`the certificate's OIDC issuer is ${GITHUB_ISSUER}, expected https://issuer.example`);
  });

  it('rejects a certificate from a CA the trusted root does not name', async () => {
    const strangers = join(dir, 'other-root.json');
    await writeFile(strangers, JSON.stringify(trustedRootJson(makePki())));
    const f = await failure({ identity: { repository: CLAIMS.repository, serverUrl: SERVER }, trustedRoot: strangers });
    expect(f.step).toBe('signature');
    expect(f.message).toContain('does not verify against the trusted root');
  });

  it('rejects a bundle whose timestamp was stripped', async () => {
    const bundle = JSON.parse(await readFile(`${artifact}.sigstore.json`, 'utf8'));
    bundle.verificationMaterial.timestampVerificationData.rfc3161Timestamps = [];
    const stripped = join(dir, 'stripped.sigstore.json');
    await writeFile(stripped, JSON.stringify(bundle));
    const f = await failure({ bundle: stripped, identity: { repository: CLAIMS.repository, serverUrl: SERVER }, trustedRoot: rootPath });
    expect(f.message).toContain('the bundle has no timestamp');
  });

  it('a keyless bundle checked with --key says to use --repo', async () => {
    const { publicPath } = await generateKeyFiles(join(dir, 'k'));
    const f = await failure({ key: publicPath });
    expect(f.message).toContain('signed keyless');
  });

  it('cosign accepts the bundle with the same trusted root and identity, and rejects another one', async () => {
    await requireCosign();
    const root = trustedRootJson(pki);
    const common = ['--certificate-oidc-issuer', GITHUB_ISSUER, '--use-signed-timestamps', '--insecure-ignore-tlog', '--insecure-ignore-sct'];
    const ok = await cosignVerifyAttestation(artifact, `${artifact}.sigstore.json`, ['--certificate-identity', IDENTITY, ...common], root, dir);
    expect(ok.output).toContain('Verified OK');
    const wrong = await cosignVerifyAttestation(
      artifact,
      `${artifact}.sigstore.json`,
      ['--certificate-identity', IDENTITY.replace('acme/pg-ext', 'acme/other'), ...common],
      root,
      dir,
    );
    expect(wrong.ok).toBe(false);
  });

  it('a later run of the same workflow keeps the bundle; another identity, other bytes or a broken signature do not', async () => {
    // What publish and build ask before signing again: the run's identity, from its OIDC token.
    const signer = await expectedSigner({ kind: 'keyless', token: 'ghs_loopbacktoken' }, env);
    expect(signer).toEqual({ kind: 'identity', identity: IDENTITY, issuer: GITHUB_ISSUER });
    const text = await readFile(`${artifact}.sigstore.json`, 'utf8');
    const sha256 = await sha256File(artifact);
    expect(bundleCovers(text, sha256, signer)).toBeDefined();
    expect(bundleCovers(text, sha256, { kind: 'identity', identity: IDENTITY.replace('acme/pg-ext', 'acme/other'), issuer: GITHUB_ISSUER })).toBeUndefined();
    expect(bundleCovers(text, sha256, { kind: 'identity', identity: IDENTITY, issuer: 'https://issuer.example' })).toBeUndefined();
    expect(bundleCovers(text, '0'.repeat(64), signer)).toBeUndefined();
    const broken = JSON.parse(text);
    const sig = Buffer.from(broken.dsseEnvelope.signatures[0].sig, 'base64');
    sig[sig.length - 1]! ^= 1;
    broken.dsseEnvelope.signatures[0].sig = sig.toString('base64');
    expect(bundleCovers(JSON.stringify(broken), sha256, signer)).toBeUndefined();
  });

  it('without id-token permission or GITHUB_TOKEN, says what is missing', async () => {
    const noOidc = await runCli(['sign', artifact], { env: { ...env, ACTIONS_ID_TOKEN_REQUEST_URL: '' } });
    expect(noOidc.code).toBe(2);
    expect(noOidc.stderr).toContain('grant `permissions: id-token: write`');
    const noToken = await runCli(['sign', artifact], { env: { ...env, GITHUB_TOKEN: '' } });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('set GITHUB_TOKEN');
  });
});
