// A plain download (source archives): GET with redirects followed, the environment's proxy, a
// per-request stall timeout, and the retry policy for refused, reset, 5xx and 429 answers, up to
// the point where the body starts to arrive.
import type { IncomingMessage } from 'node:http';
import { DEFAULT_RETRY, parseRetryAfter, withRetries, type RetryEvent, type RetryPolicy } from './retry.ts';
import { NetworkError, createTransport, header, open, type Transport } from './transport.ts';

export interface GetOptions {
  /** A request that makes no progress for this long is abandoned (and retried). Default 60 s. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  onRetry?: (event: RetryEvent) => void;
}

/** An answer that is not a success, after the retries it was worth. */
export class HttpStatusError extends Error {
  override name = 'HttpStatusError';
  constructor(
    readonly status: number,
    readonly url: URL,
    readonly retryAfterMs?: number,
  ) {
    super(`GET ${url.host}${url.pathname} answered ${status}`);
  }
}

const MAX_REDIRECTS = 5;
let shared: Transport | undefined;

/** The 2xx response to a GET of `url` (its body unread), after redirects and retries. */
export function httpGet(url: string | URL, options: GetOptions = {}): Promise<IncomingMessage> {
  shared ??= createTransport(4);
  const transport = shared;
  const start = new URL(url);
  return withRetries(
    `GET ${start.href}`,
    async () => {
      let at = start;
      for (let hop = 0; ; hop++) {
        const res = await open(transport, {
          method: 'GET',
          url: at,
          headers: { ...options.headers },
          timeoutMs: options.timeoutMs ?? 60_000,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        const status = res.statusCode ?? 0;
        const location = header(res.headers, 'location');
        if (status >= 300 && status < 400 && location && hop < MAX_REDIRECTS) {
          res.resume();
          at = new URL(location, at);
          continue;
        }
        if (status >= 200 && status < 300) return res;
        res.resume();
        throw new HttpStatusError(status, at, status === 429 || status === 503 ? parseRetryAfter(header(res.headers, 'retry-after')) : undefined);
      }
    },
    {
      policy: { ...DEFAULT_RETRY, ...options.retry },
      signal: options.signal,
      retryable(err) {
        if (err instanceof NetworkError) return { reason: err.message };
        if (err instanceof HttpStatusError && (err.status === 429 || err.status === 408 || (err.status >= 500 && err.status !== 501))) {
          return { reason: `answered ${err.status}`, retryAfterMs: err.retryAfterMs };
        }
        return undefined;
      },
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
    },
  );
}
