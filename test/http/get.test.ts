// httpGet against a loopback server: redirects, retries on 503/429 (Retry-After honoured) and on
// dropped connections, and no retry on a 404.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpStatusError, httpGet, type RetryEvent } from '../../src/http/index.ts';

describe('httpGet', () => {
  let server: http.Server;
  let base = '';
  const hits = new Map<string, number>();

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const n = (hits.get(req.url!) ?? 0) + 1;
      hits.set(req.url!, n);
      if (req.url === '/flaky' && n === 1) return void res.writeHead(503).end();
      if (req.url === '/flaky' && n === 2) return void req.socket.destroy();
      if (req.url === '/flaky') return void res.writeHead(302, { location: '/file' }).end();
      if (req.url === '/busy' && n === 1) return void res.writeHead(429, { 'retry-after': '1' }).end();
      if (req.url === '/file' || req.url === '/busy') return void res.end('the bytes');
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const body = async (res: http.IncomingMessage) => {
    let text = '';
    for await (const c of res) text += c;
    return text;
  };

  it('retries a 503 and a dropped connection, then follows the redirect', async () => {
    const events: RetryEvent[] = [];
    const res = await httpGet(`${base}/flaky`, { retry: { baseDelayMs: 10 }, onRetry: (e) => events.push(e) });
    expect(await body(res)).toBe('the bytes');
    expect(events.map((e) => [e.retry, e.reason])).toEqual([
      [1, 'answered 503'],
      [2, 'connection reset'],
    ]);
  });

  it('waits out a 429 for as long as Retry-After says', async () => {
    const events: RetryEvent[] = [];
    const started = Date.now();
    expect(await body(await httpGet(`${base}/busy`, { onRetry: (e) => events.push(e) }))).toBe('the bytes');
    expect(events).toEqual([{ operation: `GET ${base}/busy`, retry: 1, delayMs: 1000, reason: 'answered 429', retryAfterMs: 1000 }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('does not retry a 404', async () => {
    const err = await httpGet(`${base}/missing`, { retry: { baseDelayMs: 10 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpStatusError);
    expect((err as HttpStatusError).status).toBe(404);
    expect(hits.get('/missing')).toBe(1);
  });
});
