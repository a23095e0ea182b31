// One HTTP exchange with node:http(s) (through the environment's proxy), nothing more: no auth,
// no retries. Bodies come from a factory so that a request can be sent again (after a 401, or on
// retry) without buffering large blobs; the bytes actually handed to the socket are reported to
// the caller.
import http from 'node:http';
import https from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { proxyAuthorization, proxyFor, tunnelAgent, type Env } from './proxy.ts';

/** A body that can be produced again for each attempt. */
export interface RequestBody {
  length: number;
  open(): AsyncIterable<Uint8Array> | Iterable<Uint8Array> | Promise<AsyncIterable<Uint8Array> | Iterable<Uint8Array>>;
}

export interface HttpRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  body?: RequestBody | Uint8Array;
  /** Idle time after which a stalled request is abandoned. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called with the size of each chunk of the body written to the socket. */
  onBodyBytes?: (n: number) => void;
  /** Called once when the exchange has made no progress for `stallNoticeMs` (default 5 s), so a
   * person hears of a stall long before `timeoutMs` abandons it; again after any progress. */
  onStall?: (idleMs: number) => void;
  stallNoticeMs?: number;
}

export interface HttpResponse {
  /** The URL asked, for resolving relative Location and Link headers. */
  url: URL;
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A failure below HTTP: the connection was refused, reset, or stalled. */
export class NetworkError extends Error {
  override name = 'NetworkError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface Transport {
  /** The agent, and for plain HTTP through a proxy the proxy to ask, for a request to `url`. */
  route(url: URL): { agent: http.Agent; proxy?: URL };
  close(): void;
}

/** Keep-alive agents shared by a client's requests, going through the environment's proxy. */
export function createTransport(maxSockets: number, env: Env = process.env): Transport {
  const options = { keepAlive: true, maxSockets };
  const plain = new http.Agent(options);
  const secure = new https.Agent(options);
  const tunnels = new Map<string, https.Agent>();
  return {
    route(url) {
      const proxy = proxyFor(url, env);
      if (url.protocol !== 'https:') return proxy ? { agent: plain, proxy } : { agent: plain };
      if (!proxy) return { agent: secure };
      let tunnel = tunnels.get(proxy.href);
      if (!tunnel) tunnels.set(proxy.href, (tunnel = tunnelAgent(proxy, options)));
      return { agent: tunnel };
    },
    close() {
      plain.destroy();
      secure.destroy();
      for (const tunnel of tunnels.values()) tunnel.destroy();
    },
  };
}

const MAX_BUFFERED_BODY = 32 << 20;

/** Sends a request and reads the whole response (manifests, errors, tokens: small bodies). */
export async function send(transport: Transport, request: HttpRequest): Promise<HttpResponse> {
  const res = await open(transport, request);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BUFFERED_BODY) {
        res.destroy();
        throw new NetworkError(`response body larger than ${MAX_BUFFERED_BODY} bytes`, 'ETOOBIG');
      }
      chunks.push(chunk);
    }
  } catch (err) {
    throw asNetworkError(err);
  }
  return { url: request.url, status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.headers, body: Buffer.concat(chunks) };
}

/** Sends a request and returns the response as soon as its head arrives; the caller reads the body. */
export async function open(transport: Transport, request: HttpRequest): Promise<IncomingMessage> {
  const { url } = request;
  const headers: Record<string, string> = { ...request.headers };
  const body = request.body;
  const length = body === undefined ? 0 : body instanceof Uint8Array ? body.length : body.length;
  if (body !== undefined || ['PUT', 'POST', 'PATCH'].includes(request.method)) headers['content-length'] = String(length);
  const { agent, proxy } = transport.route(url);
  let req: http.ClientRequest;
  if (proxy) {
    // Plain HTTP through a proxy: ask it for the absolute URL.
    const auth = proxyAuthorization(proxy);
    headers.host = url.host;
    if (auth) headers['proxy-authorization'] = auth;
    req = http.request({ host: proxy.hostname, port: proxy.port || 80, path: url.href, method: request.method, headers, agent, signal: request.signal });
  } else {
    req = (url.protocol === 'https:' ? https : http).request(url, { method: request.method, headers, agent, signal: request.signal });
  }
  req.setTimeout(request.timeoutMs, () => {
    req.destroy(new NetworkError(`no progress for ${request.timeoutMs / 1000} s`, 'ETIMEDOUT'));
  });
  if (request.onStall) watchStall(req, request.onStall, request.stallNoticeMs ?? 5000);
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
  });
  // A registry may answer (401, 413, 5xx) before reading the whole body and close the
  // connection: the answer is what matters then, not the broken write.
  response.catch(() => undefined);
  try {
    if (body instanceof Uint8Array) {
      if (body.length > 0) {
        await write(req, body);
        request.onBodyBytes?.(body.length);
      }
    } else if (body !== undefined) {
      let sent = 0;
      for await (const chunk of await body.open()) {
        if (sent + chunk.length > body.length) throw new Error(`request body is longer than the ${body.length} bytes announced`);
        await write(req, chunk);
        sent += chunk.length;
        request.onBodyBytes?.(chunk.length);
      }
      if (sent !== body.length) throw new Error(`request body ended after ${sent} of ${body.length} bytes`);
    }
    req.end();
  } catch (err) {
    if (!(err instanceof NetworkError) && !isSocketError(err)) {
      req.destroy();
      throw err;
    }
  }
  try {
    return await response;
  } catch (err) {
    throw asNetworkError(err);
  }
}

/** Progress is any byte moving on the socket, either way: a person is told once the exchange has
 * stood still for `noticeMs`, until it moves again or ends. */
function watchStall(req: http.ClientRequest, onStall: (idleMs: number) => void, noticeMs: number): void {
  let seen = -1;
  let since = Date.now();
  let told = false;
  const timer = setInterval(() => {
    const socket = req.socket;
    const moved = socket ? socket.bytesRead + socket.bytesWritten : 0;
    if (moved !== seen) {
      seen = moved;
      since = Date.now();
      told = false;
    } else if (!told && Date.now() - since >= noticeMs) {
      told = true;
      onStall(Date.now() - since);
    }
  }, Math.max(50, Math.min(1000, noticeMs / 4)));
  timer.unref();
  req.once('close', () => clearInterval(timer));
}

function write(req: http.ClientRequest, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    if (req.destroyed) {
      reject(new NetworkError('connection closed while sending the body', 'ECONNRESET'));
      return;
    }
    const onError = (err: Error) => {
      cleanup();
      reject(asNetworkError(err));
    };
    const onClose = () => {
      cleanup();
      reject(new NetworkError('connection closed while sending the body', 'ECONNRESET'));
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      req.off('error', onError);
      req.off('close', onClose);
      req.off('drain', onDrain);
    };
    req.on('error', onError);
    req.on('close', onClose);
    if (req.write(chunk)) {
      cleanup();
      resolve();
    } else {
      req.on('drain', onDrain);
    }
  });
}

const SOCKET_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET']);

function isSocketError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && SOCKET_CODES.has(code);
}

function asNetworkError(err: unknown): Error {
  if (err instanceof NetworkError) return err;
  const e = err as { code?: unknown; message?: unknown; name?: unknown };
  if (e?.name === 'AbortError') return err as Error;
  if (typeof e?.code === 'string' && (SOCKET_CODES.has(e.code) || e.code.startsWith('ERR_STREAM') || e.code === 'ERR_HTTP_REQUEST_TIMEOUT')) {
    return new NetworkError(describeSocketError(e.code, String(e.message ?? '')), e.code);
  }
  if (e?.message === 'aborted' || e?.message === 'socket hang up') return new NetworkError(String(e.message), 'ECONNRESET');
  return err as Error;
}

function describeSocketError(code: string, message: string): string {
  switch (code) {
    case 'ECONNRESET':
      return 'connection reset';
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'EPIPE':
      return 'connection closed while sending';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host not found (${message})`;
    default:
      return message || code;
  }
}

/** A header's single value (the last one when repeated). */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[value.length - 1] : value;
}
