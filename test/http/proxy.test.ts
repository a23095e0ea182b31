// The environment's proxy, for real: a loopback proxy that forwards absolute-form requests and
// tunnels CONNECT, in front of loopback HTTP and HTTPS servers named by a host that only the
// proxy knows how to reach.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransport, proxyFor, send } from '../../src/http/index.ts';
import { tunnelAgent } from '../../src/http/proxy.ts';

describe('proxyFor', () => {
  const url = (u: string) => new URL(u);
  it('takes HTTPS_PROXY for https and HTTP_PROXY for http, lower case first', () => {
    const env = { HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:2', HTTP_PROXY: 'plain.example:3' };
    expect(proxyFor(url('https://ghcr.io/v2/'), env)?.href).toBe('http://lower:2/');
    expect(proxyFor(url('http://mirror.example/debian'), env)?.href).toBe('http://plain.example:3/');
    expect(proxyFor(url('https://ghcr.io/v2/'), {})).toBeUndefined();
  });
  it('leaves out NO_PROXY hosts, domain suffixes, host:port pairs, * and loopback', () => {
    const env = { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'internal.example, .corp.example, ghcr.io:8443' };
    expect(proxyFor(url('https://internal.example/x'), env)).toBeUndefined();
    expect(proxyFor(url('https://a.internal.example/x'), env)).toBeUndefined();
    expect(proxyFor(url('https://b.corp.example/x'), env)).toBeUndefined();
    expect(proxyFor(url('https://notinternal.example/x'), env)?.host).toBe('proxy:3128');
    expect(proxyFor(url('https://ghcr.io:8443/x'), env)).toBeUndefined();
    expect(proxyFor(url('https://ghcr.io/x'), env)?.host).toBe('proxy:3128');
    expect(proxyFor(url('https://127.0.0.1:5000/v2/'), env)).toBeUndefined();
    expect(proxyFor(url('https://[::1]:5000/v2/'), env)).toBeUndefined();
    expect(proxyFor(url('https://ghcr.io/x'), { ...env, NO_PROXY: '*' })).toBeUndefined();
  });
});

describe('requests through a proxy', () => {
  let dir: string;
  let target: http.Server;
  let secure: https.Server;
  let proxy: http.Server;
  let proxyPort = 0;
  const seen: string[] = [];
  const tunnels: net.Socket[] = [];
  let cert: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tf-proxy-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=registry.example',
      '-addext', 'subjectAltName=DNS:registry.example', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
    cert = readFileSync(path.join(dir, 'cert.pem'));
    const answer = (req: http.IncomingMessage, res: http.ServerResponse) => res.end(`${req.method} ${req.url} host=${req.headers.host}`);
    target = http.createServer(answer);
    secure = https.createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert }, answer);
    await Promise.all([target, secure].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))));
    const portOf = (s: net.Server) => (s.address() as AddressInfo).port;
    // The proxy reaches registry.example at the loopback servers, whatever port was asked.
    proxy = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url} auth=${req.headers['proxy-authorization'] ?? ''}`);
      const up = http.request({ host: '127.0.0.1', port: portOf(target), path: new URL(req.url!).pathname, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode!, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    });
    proxy.on('connect', (req, socket) => {
      seen.push(`CONNECT ${req.url}`);
      const up = net.connect(portOf(secure), '127.0.0.1', () => {
        tunnels.push(socket as net.Socket, up);
        socket.write('HTTP/1.1 200 Connection established\r\n\r\n');
        up.pipe(socket);
        socket.pipe(up);
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyPort = portOf(proxy);
  });

  afterAll(async () => {
    for (const socket of tunnels) socket.destroy();
    for (const s of [target, secure, proxy]) {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks the proxy for the absolute URL of a plain HTTP request, with its credentials', async () => {
    const transport = createTransport(2, { HTTP_PROXY: `http://user:p%40ss@127.0.0.1:${proxyPort}` });
    try {
      const res = await send(transport, { method: 'GET', url: new URL('http://registry.example:5000/v2/'), timeoutMs: 5000 });
      expect(res.body.toString()).toBe('GET /v2/ host=registry.example:5000');
      expect(seen).toContain(`GET http://registry.example:5000/v2/ auth=Basic ${Buffer.from('user:p@ss').toString('base64')}`);
    } finally {
      transport.close();
    }
  });

  it('tunnels HTTPS through CONNECT and checks the server certificate for the host asked', async () => {
    const agent = tunnelAgent(new URL(`http://127.0.0.1:${proxyPort}`), { ca: cert });
    try {
      const body = await new Promise<string>((resolve, reject) => {
        https.get('https://registry.example:8443/v2/', { agent }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve(text));
        }).on('error', reject);
      });
      expect(body).toBe('GET /v2/ host=registry.example:8443');
      expect(seen).toContain('CONNECT registry.example:8443');
      // Without the certificate's issuer trusted, the tunnel carries a refused handshake.
      const untrusted = tunnelAgent(new URL(`http://127.0.0.1:${proxyPort}`), {});
      await expect(new Promise((resolve, reject) => https.get('https://registry.example:8443/', { agent: untrusted }, resolve).on('error', reject))).rejects.toThrow(/self.signed|certificate/i);
      untrusted.destroy();
    } finally {
      agent.destroy();
    }
  });
});
