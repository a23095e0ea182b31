// The one HTTP policy for talking to the outside world over node:http: per-request stall
// timeouts, bounded retries with backoff and Retry-After, and the environment's proxy.
export { HttpStatusError, httpGet, type GetOptions } from './get.ts';
export { proxyFor } from './proxy.ts';
export { DEFAULT_RETRY, backoffDelay, parseRetryAfter, sleep, withRetries, type RetryEvent, type RetryOptions, type RetryPolicy } from './retry.ts';
export { NetworkError, createTransport, header, open, send, type HttpRequest, type HttpResponse, type RequestBody, type Transport } from './transport.ts';
// What callers of open and httpGet read, and what serve answers with: node's own types and server,
// so that no other module imports node:http.
export { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
