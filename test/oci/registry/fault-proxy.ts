// A loopback HTTP proxy between the client and a registry that logs every request and injects
// faults: dropped connections, requests cut off mid-body, answers lost after the registry acted,
// 5xx and 429 answers, stalls and delays, by rule or at random from a seed.
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { seeded } from '../../support/random.ts';

export type Fault =
  /** Close the connection without reading the request. */
  | { kind: 'drop' }
  /** Forward the request but break both connections after `afterBytes` of its body. */
  | { kind: 'cut'; afterBytes: number }
  /** Let the registry act, then close the client's connection instead of answering. */
  | { kind: 'lose-answer' }
  /** Answer this status without asking the registry. */
  | { kind: 'status'; status: number; retryAfter?: string }
  /** Read the request and never answer. */
  | { kind: 'stall' }
  /** Wait, then forward. */
  | { kind: 'delay'; ms: number };

export interface Rule {
  method?: string;
  path?: RegExp;
  /** Apply to the nth matching request only (1-based); every matching request otherwise. */
  nth?: number;
  /** How many times the rule fires; unlimited when absent. */
  times?: number;
  fault: Fault;
}

export interface LogEntry {
  n: number;
  method: string;
  path: string;
  at: number;
  fault?: Fault['kind'];
  status?: number;
  /** Request body bytes that reached the registry. */
  forwarded: number;
}

export interface ProxyOptions {
  rules?: Rule[];
  /** Random faults: each request gets one of `faults` with probability `rate`. */
  chaos?: { seed: number; rate: number; faults: Fault[] };
  /** Request body bytes per second forwarded (slows uploads down, for kill tests). */
  throttle?: number;
}

export interface FaultProxy {
  host: string;
  port: number;
  log: LogEntry[];
  options: ProxyOptions;
  /** Resolves once no request is on its way to the registry: a client killed after sending a
   * whole body leaves the proxy still forwarding it, and the registry may store it after that. */
  settled(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}


export async function startFaultProxy(target: string, options: ProxyOptions = {}): Promise<FaultProxy> {
  const [targetHost, targetPort] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const log: LogEntry[] = [];
  const matches = new Map<Rule, number>();
  const fired = new Map<Rule, number>();
  const sockets = new Set<Socket>();
  const random = seeded(options.chaos?.seed ?? 1);
  let inFlight = 0;
  const proxy: FaultProxy = {
    host: '',
    port: 0,
    log,
    options,
    settled: async (timeoutMs = 10_000) => {
      for (const end = Date.now() + timeoutMs; inFlight > 0; ) {
        if (Date.now() > end) throw new Error(`fault proxy: ${inFlight} request(s) still in flight after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop: async () => undefined,
  };

  const pick = (req: IncomingMessage): Fault | undefined => {
    for (const rule of proxy.options.rules ?? []) {
      if (rule.method && rule.method !== req.method) continue;
      if (rule.path && !rule.path.test(req.url ?? '')) continue;
      const seen = (matches.get(rule) ?? 0) + 1;
      matches.set(rule, seen);
      if (rule.nth !== undefined && rule.nth !== seen) continue;
      if (rule.times !== undefined && (fired.get(rule) ?? 0) >= rule.times) continue;
      fired.set(rule, (fired.get(rule) ?? 0) + 1);
      return rule.fault;
    }
    const chaos = proxy.options.chaos;
    if (chaos && chaos.faults.length > 0 && random() < chaos.rate) return chaos.faults[Math.floor(random() * chaos.faults.length)];
    return undefined;
  };

  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const entry: LogEntry = { n: log.length + 1, method: req.method ?? '', path: req.url ?? '', at: Date.now(), forwarded: 0 };
    log.push(entry);
    const fault = pick(req);
    if (fault) entry.fault = fault.kind;
    switch (fault?.kind) {
      case 'drop':
        req.socket.destroy();
        return;
      case 'stall':
        req.resume();
        return;
      case 'status':
        req.resume();
        req.on('end', () => {
          const body = JSON.stringify({ errors: [{ code: fault.status === 429 ? 'TOOMANYREQUESTS' : 'UNAVAILABLE', message: 'injected by the fault proxy' }] });
          res.writeHead(fault.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}) });
          res.end(body);
          entry.status = fault.status;
        });
        return;
      case 'delay':
        setTimeout(() => forward(req, res, entry, undefined), fault.ms);
        return;
      default:
        forward(req, res, entry, fault);
    }
  });

  const forward = (req: IncomingMessage, res: ServerResponse, entry: LogEntry, fault: Fault | undefined) => {
    const upstream = http.request({ host: targetHost, port: targetPort, method: req.method, path: req.url, headers: req.headers, agent: false });
    inFlight++;
    upstream.once('close', () => inFlight--);
    upstream.on('error', () => {
      if (!res.headersSent) req.socket.destroy();
    });
    upstream.on('response', (answer) => {
      entry.status = answer.statusCode;
      if (fault?.kind === 'lose-answer') {
        answer.resume();
        answer.on('end', () => req.socket.destroy());
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    const cutAt = fault?.kind === 'cut' ? fault.afterBytes : Infinity;
    const throttle = proxy.options.throttle;
    req.on('data', (chunk: Buffer) => {
      if (entry.forwarded + chunk.length >= cutAt) {
        upstream.write(chunk.subarray(0, Math.max(0, cutAt - entry.forwarded)));
        entry.forwarded = cutAt;
        // Give the registry a moment to take in the partial body, then break both sides.
        setTimeout(() => {
          upstream.destroy();
          req.socket.destroy();
        }, 50);
        req.pause();
        return;
      }
      entry.forwarded += chunk.length;
      const more = upstream.write(chunk);
      if (throttle) {
        req.pause();
        setTimeout(() => req.resume(), (chunk.length / throttle) * 1000);
      } else if (!more) {
        req.pause();
        upstream.once('drain', () => req.resume());
      }
    });
    req.on('end', () => {
      if (entry.forwarded < cutAt) upstream.end();
    });
    req.on('error', () => upstream.destroy());
  };

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('fault proxy: no address');
  proxy.port = address.port;
  proxy.host = `127.0.0.1:${address.port}`;
  proxy.stop = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return proxy;
}
