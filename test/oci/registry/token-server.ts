// A loopback token server for docker-registry's `auth: token`: it checks Basic credentials and
// signs JWTs (RS256, with the x5c header the registry verifies against its root bundle) granting
// the scopes asked for. The key and self-signed certificate come from the openssl CLI.
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey, randomUUID, sign } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { requireBinary } from '../registry-server.ts';

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  certFile: string;
  /** Every token request: the scopes asked, and the user (undefined: anonymous). */
  requests: { user?: string; scopes: string[]; granted: string[] }[];
  stop(): Promise<void>;
}

export interface TokenServerOptions {
  users: Record<string, string>;
  /** Grant anonymous callers pull access (as public ghcr.io images are). */
  anonymousPull?: boolean;
  /** Token lifetime in seconds. */
  expiresIn?: number;
}

function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  requireBinary('/usr/bin/openssl', 'openssl');
  const dir = await mkdtemp(path.join(tmpdir(), 'trunkfarm-token-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=trunkfarm test token issuer'], { stdio: 'ignore' });
  const key = createPrivateKey(await readFile(keyFile));
  const certDer = new X509Certificate(await readFile(certFile)).raw.toString('base64');
  const service = 'trunkfarm-test-registry';
  const issuer = 'trunkfarm-test-issuer';
  const requests: TokenServer['requests'] = [];

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://token');
    const scopes = url.searchParams.getAll('scope');
    let user: string | undefined;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) {
      const [name, password] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(/:(.*)/s);
      if (!name || options.users[name] !== password) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'invalid username or password' }] }));
        requests.push({ user: name, scopes, granted: [] });
        return;
      }
      user = name;
    }
    const access = scopes.flatMap((scope) => {
      const [type, rest] = [scope.slice(0, scope.indexOf(':')), scope.slice(scope.indexOf(':') + 1)];
      const name = rest.slice(0, rest.lastIndexOf(':'));
      const wanted = rest.slice(rest.lastIndexOf(':') + 1).split(',');
      const actions = user ? wanted : options.anonymousPull ? wanted.filter((a) => a === 'pull') : [];
      return actions.length ? [{ type, name, actions }] : [];
    });
    requests.push({ user, scopes, granted: access.map((a) => `${a.type}:${a.name}:${a.actions.join(',')}`) });
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = options.expiresIn ?? 300;
    const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [certDer] }));
    const claims = base64url(JSON.stringify({ iss: issuer, sub: user ?? '', aud: service, exp: now + expiresIn, nbf: now - 5, iat: now, jti: randomUUID(), access }));
    const signature = base64url(sign('sha256', Buffer.from(`${header}.${claims}`), key));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token: `${header}.${claims}.${signature}`, expires_in: expiresIn, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('token server: no address');
  return {
    realm: `http://127.0.0.1:${address.port}/token`,
    service,
    issuer,
    certFile,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
