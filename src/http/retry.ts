// The retry policy of every outgoing request: bounded tries with exponential backoff and jitter,
// a server's Retry-After honoured up to a cap, and nothing slept past the caller's deadline.

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is cut down to it rather than obeyed blindly. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 300, maxDelayMs: 10_000, maxRetryAfterMs: 60_000 };

/** Delay before retry number `retry` (1 for the first retry): half fixed, half random, so that
 * clients that failed together do not come back together. */
export function backoffDelay(policy: RetryPolicy, retry: number, retryAfterMs?: number, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(retryAfterMs, 0), policy.maxRetryAfterMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Retry-After as delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryOptions {
  policy: RetryPolicy;
  signal?: AbortSignal | undefined;
  /** Epoch milliseconds after which no retry is started (a sleep past it is not begun). */
  deadline?: number | undefined;
  /** Why a failure is worth another try, or undefined when it is not. */
  retryable(err: unknown): { reason: string; retryAfterMs?: number | undefined } | undefined;
  /** Told before each wait: what is retried, which retry this is, how long the wait, and why. */
  onRetry?(event: RetryEvent): void;
  /** The error to throw after the last attempt (to say how many there were). */
  giveUp?(err: unknown, attempts: number, why: 'attempts' | 'deadline'): unknown;
}

export interface RetryEvent {
  operation: string;
  /** 1 for the first retry. */
  retry: number;
  delayMs: number;
  reason: string;
  /** The wait the server asked for (Retry-After), when it did. */
  retryAfterMs?: number;
}

/** Runs `attempt` (numbered from 1) until it succeeds, fails for good, runs out of attempts, or
 * the next try would start after the deadline. */
export async function withRetries<T>(operation: string, attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { policy } = options;
  for (let n = 1; ; n++) {
    options.signal?.throwIfAborted();
    try {
      return await attempt(n);
    } catch (err) {
      const why = options.retryable(err);
      if (!why) throw err;
      if (n >= policy.attempts) throw options.giveUp ? options.giveUp(err, n, 'attempts') : err;
      const delayMs = backoffDelay(policy, n, why.retryAfterMs);
      if (options.deadline !== undefined && Date.now() + delayMs >= options.deadline) throw options.giveUp ? options.giveUp(err, n, 'deadline') : err;
      options.onRetry?.({ operation, retry: n, delayMs, reason: why.reason, ...(why.retryAfterMs === undefined ? {} : { retryAfterMs: why.retryAfterMs }) });
      await sleep(delayMs, options.signal);
    }
  }
}
