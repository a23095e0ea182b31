// Loopback stand-ins for the services keyless signing talks to, which cannot be reached from here:
// GitHub Actions' OIDC token endpoint, a Fulcio-like CA (API v2 signingCert), an RFC 3161
// timestamp authority, GitHub's attestations API, and an HTTP CONNECT proxy that routes the
// Sigstore host names @actions/attest derives to the TLS stand-ins. Every socket is on 127.0.0.1;
// the proxy refuses any host it does not know instead of connecting out.
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { explicit, generalizedTime, implicitConstructed, int, octets, oid, seq, set, time } from './der.ts';
import { eku, extension, issue, leaf, newKey, rootCA, san, utf8, type Issuer } from './x509.ts';

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

export interface Running {
  url: string;
  port: number;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<Running> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function json(res: ServerResponse, status: number, data: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(data));
}

// ---- OIDC -------------------------------------------------------------------------------------

export interface WorkflowClaims {
  repository: string;
  ref: string;
  sha: string;
  workflow: string; // .github/workflows/NAME.yml
  repositoryId: string;
  repositoryOwnerId: string;
  runId: string;
  runAttempt: string;
  eventName: string;
}

export interface OidcStandIn extends Running {
  /** Bearer token the runner gives ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
  requestToken: string;
  /** The JWT signing key, for the Fulcio stand-in to check tokens with. */
  publicKey: KeyObject;
  /** Audiences tokens were requested for, in order. */
  audiences: string[];
}

/** GitHub Actions' token endpoint (`GET /token?audience=`), with discovery and JWKS so that
 * @actions/attest can verify what it issues. `issuer: 'self'` makes the tokens' `iss` this server. */
export async function startOidc(claims: WorkflowClaims, issuer: 'self' | string = GITHUB_ISSUER): Promise<OidcStandIn> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const requestToken = randomBytes(16).toString('hex');
  const audiences: string[] = [];
  const kid = 'trunkfarm-test';
  let base = '';
  const server = createHttp(async (req, res) => {
    const url = new URL(req.url ?? '/', base);
    if (url.pathname === '/.well-known/openid-configuration') return json(res, 200, { issuer: base, jwks_uri: `${base}/jwks` });
    if (url.pathname === '/jwks') return json(res, 200, { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' }] });
    if (url.pathname !== '/token') return json(res, 404, { message: 'not found' });
    if (req.headers.authorization !== `Bearer ${requestToken}`) return json(res, 401, { message: 'bad request token' });
    const audience = url.searchParams.get('audience') ?? '';
    audiences.push(audience);
    const now = Math.floor(Date.now() / 1000);
    const wf = `${claims.repository}/${claims.workflow}@${claims.ref}`;
    const payload = {
      iss: issuer === 'self' ? base : issuer,
      aud: audience,
      sub: `repo:${claims.repository}:ref:${claims.ref}`,
      iat: now,
      nbf: now - 5,
      exp: now + 300,
      jti: randomBytes(8).toString('hex'),
      ref: claims.ref,
      sha: claims.sha,
      repository: claims.repository,
      repository_owner: claims.repository.split('/')[0],
      repository_id: claims.repositoryId,
      repository_owner_id: claims.repositoryOwnerId,
      repository_visibility: 'private',
      run_id: claims.runId,
      run_attempt: claims.runAttempt,
      run_number: '7',
      event_name: claims.eventName,
      workflow: 'build',
      workflow_ref: wf,
      workflow_sha: claims.sha,
      job_workflow_ref: wf,
      job_workflow_sha: claims.sha,
      runner_environment: 'github-hosted',
    };
    json(res, 200, { value: jwt(payload, privateKey, kid) });
  });
  const running = await listen(server);
  base = running.url;
  return { ...running, requestToken, publicKey, audiences };
}

function jwt(payload: object, key: KeyObject, kid: string): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${enc({ alg: 'ES256', typ: 'JWT', kid })}.${enc(payload)}`;
  const sig = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${sig.toString('base64url')}`;
}

function verifyJwt(token: string, key: KeyObject): Record<string, unknown> {
  const [h, p, s] = token.split('.');
  if (!h || !p || !s) throw new Error('not a JWT');
  if (!verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'))) {
    throw new Error('JWT signature does not verify');
  }
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
  if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) throw new Error('JWT expired');
  return claims;
}

// ---- Test PKI ---------------------------------------------------------------------------------

export interface TestPki {
  /** Root of the Fulcio-like CA and of the TSA chain: what the trusted root lists. */
  sigstoreRoot: Issuer;
  tsa: Issuer;
  /** Root the TLS stand-ins' certificates chain to (NODE_EXTRA_CA_CERTS for the client). */
  tlsRoot: Issuer;
}

export function makePki(): TestPki {
  const sigstoreRoot = rootCA('sigstore test root');
  const tsaKey = newKey();
  const tsa = leaf(
    sigstoreRoot,
    { commonName: 'sigstore test tsa', publicKey: tsaKey.publicKey, extensions: [eku(true, '1.3.6.1.5.5.7.3.8')] },
    tsaKey.privateKey,
  );
  return { sigstoreRoot, tsa, tlsRoot: rootCA('tls test root') };
}

/** A Sigstore TrustedRoot (JSON) naming the test CA and TSA, no logs. */
export function trustedRootJson(pki: TestPki): object {
  const start = new Date(Date.now() - 3600_000).toISOString();
  return {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [],
    ctlogs: [],
    certificateAuthorities: [
      {
        subject: { organization: 'trunkfarm test', commonName: 'sigstore test root' },
        uri: 'https://fulcio.github.test',
        certChain: { certificates: [{ rawBytes: pki.sigstoreRoot.der.toString('base64') }] },
        validFor: { start },
      },
    ],
    timestampAuthorities: [
      {
        subject: { organization: 'trunkfarm test', commonName: 'sigstore test tsa' },
        uri: 'https://timestamp.github.test',
        certChain: { certificates: [{ rawBytes: pki.tsa.der.toString('base64') }, { rawBytes: pki.sigstoreRoot.der.toString('base64') }] },
        validFor: { start },
      },
    ],
  };
}

function tlsServer(pki: TestPki, hostnames: string[], handler: (req: IncomingMessage, res: ServerResponse) => void): Server {
  const key = newKey();
  const cert = leaf(pki.tlsRoot, { commonName: hostnames[0], publicKey: key.publicKey, extensions: [san.dns(...hostnames)] }, key.privateKey);
  return createHttps({ key: key.privateKey.export({ type: 'pkcs8', format: 'pem' }), cert: cert.pem }, handler);
}

// ---- Fulcio -----------------------------------------------------------------------------------

export interface FulcioStandIn extends Running {
  issued: string[];
}

/** `POST /api/v2/signingCert`: checks the OIDC token and the proof of possession as Fulcio does, and
 * issues a short-lived certificate with GitHub's workflow identity extensions. */
export async function startFulcio(pki: TestPki, oidcKey: KeyObject, serverUrl: string, hostname: string): Promise<FulcioStandIn> {
  const issued: string[] = [];
  const server = tlsServer(pki, [hostname], async (req, res) => {
    if (req.method !== 'POST' || req.url !== '/api/v2/signingCert') return json(res, 404, { message: 'not found' });
    try {
      const request = JSON.parse((await body(req)).toString()) as {
        credentials: { oidcIdentityToken: string };
        publicKeyRequest: { publicKey: { content: string }; proofOfPossession: string };
      };
      const claims = verifyJwt(request.credentials.oidcIdentityToken, oidcKey);
      if (claims.aud !== 'sigstore') throw new Error(`audience ${String(claims.aud)}, expected sigstore`);
      const publicKey = createPublicKey(request.publicKeyRequest.publicKey.content);
      const proof = Buffer.from(request.publicKeyRequest.proofOfPossession, 'base64');
      if (!verify('sha256', Buffer.from(String(claims.sub)), publicKey, proof)) throw new Error('proof of possession does not verify');
      const cert = issue(
        {
          publicKey,
          notAfter: new Date(Date.now() + 600_000),
          extensions: [
            san.uri(`${serverUrl}/${String(claims.job_workflow_ref)}`),
            eku(false, '1.3.6.1.5.5.7.3.3'),
            fulcioExt(1, String(claims.iss), true),
            fulcioExt(8, String(claims.iss)),
            fulcioExt(9, `${serverUrl}/${String(claims.job_workflow_ref)}`),
            fulcioExt(10, String(claims.job_workflow_sha)),
            fulcioExt(11, String(claims.runner_environment)),
            fulcioExt(12, `${serverUrl}/${String(claims.repository)}`),
            fulcioExt(13, String(claims.sha)),
            fulcioExt(14, String(claims.ref)),
            fulcioExt(21, `${serverUrl}/${String(claims.repository)}/actions/runs/${String(claims.run_id)}/attempts/${String(claims.run_attempt)}`),
          ],
        },
        pki.sigstoreRoot,
      );
      issued.push(cert.pem);
      json(res, 201, { signedCertificateEmbeddedSct: { chain: { certificates: [cert.pem, pki.sigstoreRoot.pem] } } });
    } catch (err) {
      json(res, 400, { message: (err as Error).message });
    }
  });
  return { ...(await listen(server)), issued };
}

/** Fulcio's OID arc 1.3.6.1.4.1.57264.1.N; `.1` holds the raw string, later ones a UTF8String. */
function fulcioExt(n: number, value: string, raw = false): Buffer {
  return extension(`1.3.6.1.4.1.57264.1.${n}`, raw ? Buffer.from(value) : utf8(value));
}

// ---- Timestamp authority ----------------------------------------------------------------------

export interface TsaStandIn extends Running {
  stamped: number;
}

/** `POST /api/v1/timestamp` (sigstore timestamp-authority's JSON API): answers a DER RFC 3161
 * TimeStampResp signed by the test TSA certificate. */
export async function startTsa(pki: TestPki, hostname: string): Promise<TsaStandIn> {
  const state = { stamped: 0 };
  const server = tlsServer(pki, [hostname], async (req, res) => {
    if (req.method !== 'POST' || req.url !== '/api/v1/timestamp') return json(res, 404, { message: 'not found' });
    try {
      const request = JSON.parse((await body(req)).toString()) as { artifactHash: string; hashAlgorithm: string };
      if (request.hashAlgorithm !== 'sha256') throw new Error(`unsupported hash ${request.hashAlgorithm}`);
      const response = timestampResponse(pki.tsa, Buffer.from(request.artifactHash, 'base64'), new Date());
      state.stamped++;
      res.writeHead(201, { 'content-type': 'application/timestamp-reply' });
      res.end(response);
    } catch (err) {
      json(res, 400, { message: (err as Error).message });
    }
  });
  const running = await listen(server);
  return Object.defineProperty({ ...running, stamped: 0 }, 'stamped', { get: () => state.stamped });
}

const SHA256_ALG = seq(oid('2.16.840.1.101.3.4.2.1'));
const OID_TSTINFO = '1.2.840.113549.1.9.16.1.4';

export function timestampResponse(tsa: Issuer, digest: Buffer, at: Date): Buffer {
  const tstInfo = seq(
    int(1),
    oid('1.3.6.1.4.1.57264.2'),
    seq(SHA256_ALG, octets(digest)),
    int(randomBytes(8)),
    generalizedTime(at),
  );
  const certHash = createHash('sha256').update(tsa.der).digest();
  const signedAttrs = set(
    seq(oid('1.2.840.113549.1.9.3'), set(oid(OID_TSTINFO))),
    seq(oid('1.2.840.113549.1.9.5'), set(time(at))),
    seq(oid('1.2.840.113549.1.9.4'), set(octets(createHash('sha256').update(tstInfo).digest()))),
    // ESS signing-certificate-v2: which certificate signed, as RFC 5816 asks
    seq(oid('1.2.840.113549.1.9.16.2.47'), set(seq(seq(seq(octets(certHash)))))),
  );
  const signature = sign('sha256', signedAttrs, tsa.privateKey);
  const issuerAndSerial = seq(tsaIssuerName(tsa), tsaSerial(tsa));
  const signerInfo = seq(int(1), issuerAndSerial, SHA256_ALG, implicitConstructed(0, signedAttrs), seq(oid('1.2.840.10045.4.3.2')), octets(signature));
  const signedData = seq(
    int(3),
    set(SHA256_ALG),
    seq(oid(OID_TSTINFO), explicit(0, octets(tstInfo))),
    implicitConstructed(0, set(tsa.der)),
    set(signerInfo),
  );
  return seq(seq(int(0)), seq(oid('1.2.840.113549.1.7.2'), explicit(0, signedData)));
}

// The issuer name and serial, read back out of the TSA certificate's DER.
function tsaIssuerName(tsa: Issuer): Buffer {
  return tbsField(tsa.der, 3);
}
function tsaSerial(tsa: Issuer): Buffer {
  return tbsField(tsa.der, 1);
}
function tbsField(certDer: Buffer, index: number): Buffer {
  const tbs = children(children(certDer)[0]!);
  return tbs[index]!;
}
function children(der: Buffer): Buffer[] {
  const { contentStart, end } = header(der, 0);
  const out: Buffer[] = [];
  for (let i = contentStart; i < end; ) {
    const h = header(der, i);
    out.push(der.subarray(i, h.end));
    i = h.end;
  }
  return out;
}
function header(der: Buffer, at: number): { contentStart: number; end: number } {
  let len = der[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[at + 2 + i]!;
    start += n;
  }
  return { contentStart: start, end: start + len };
}

// ---- GitHub API -------------------------------------------------------------------------------

export interface GitHubApiStandIn extends Running {
  attestations: { repo: string; authorization: string | undefined; bundle: unknown }[];
}

/** `POST /repos/{owner}/{repo}/attestations`, the store @actions/attest writes to. */
export async function startGitHubApi(): Promise<GitHubApiStandIn> {
  const attestations: GitHubApiStandIn['attestations'] = [];
  const server = createHttp(async (req, res) => {
    const m = /^\/repos\/([^/]+\/[^/]+)\/attestations$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m) return json(res, 404, { message: 'Not Found' });
    const data = JSON.parse((await body(req)).toString()) as { bundle: unknown };
    attestations.push({ repo: m[1]!, authorization: req.headers.authorization, bundle: data.bundle });
    json(res, 201, { id: 4242 + attestations.length });
  });
  return { ...(await listen(server)), attestations };
}

// ---- CONNECT proxy ----------------------------------------------------------------------------

export interface ProxyStandIn extends Running {
  refused: string[];
}

/** Tunnels `CONNECT host:443` to the loopback port routed for that host; refuses anything else. */
export async function startConnectProxy(routes: Record<string, number>): Promise<ProxyStandIn> {
  const refused: string[] = [];
  const server = createHttp((_req, res) => {
    res.writeHead(405);
    res.end('CONNECT only');
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    const [host, port] = target.split(':');
    const routed = host !== undefined && port === '443' ? routes[host] : undefined;
    if (routed === undefined) {
      refused.push(target);
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = connect(routed, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  return { ...(await listen(server)), refused };
}

