// What a registry client holds between requests: the options as resolved, one keep-alive transport,
// per-registry authentication state and cached tokens, where blobs were seen (for cross-repository
// mounts), the upload slots and the byte counters.
import { createTransport, type Transport } from '../../http/index.ts';
import { DEFAULT_RETRY, type RetryPolicy } from '../../http/index.ts';
import { VERSION } from '../../version.ts';
import { TokenCache, resolveCredentials, type BearerRealm, type Credentials } from './auth.ts';
import { emptyStats, type ClientEvent, type ClientOptions, type TransferStats } from './client.ts';

export interface RegistryAuthState {
  /** Set once the registry's /v2/ answered: how it wants to be spoken to. */
  ready?: Promise<void> | undefined;
  scheme: 'none' | 'basic' | 'bearer';
  bearer?: BearerRealm;
  tokens: TokenCache;
  credentials?: Credentials;
}

export interface ClientContext {
  readonly options: ClientOptions;
  readonly env: Record<string, string | undefined>;
  readonly retryPolicy: RetryPolicy;
  readonly timeoutMs: number;
  readonly stallNoticeMs: number;
  /** The caller's signal, aborted at the deadline too. */
  readonly signal: AbortSignal | undefined;
  readonly deadline: number | undefined;
  readonly startedAt: number;
  readonly concurrency: number;
  readonly chunkSize: number;
  readonly transport: Transport;
  readonly stats: TransferStats;
  readonly userAgent: string;
  /** Token requests in flight, so concurrent requests needing the same scopes share one. */
  readonly inflight: Map<string, Promise<string>>;
  stateOf(registry: string): RegistryAuthState;
  emit(event: ClientEvent): void;
  slot<T>(task: () => Promise<T>): Promise<T>;
  remember(registry: string, repository: string, digest: string): void;
  locations(registry: string, digest: string): string[];
}

export function createContext(options: ClientOptions = {}): ClientContext {
  const env = options.env ?? process.env;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const states = new Map<string, RegistryAuthState>();
  const signals = [options.signal, options.deadline === undefined ? undefined : AbortSignal.timeout(Math.max(0, options.deadline - Date.now()))].filter((s) => s !== undefined);
  const seen = new Map<string, Map<string, Set<string>>>();
  return {
    options,
    env,
    retryPolicy: { ...DEFAULT_RETRY, ...options.retry },
    timeoutMs: options.timeoutMs ?? 60_000,
    stallNoticeMs: options.stallNoticeMs ?? 5000,
    signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0],
    deadline: options.deadline,
    startedAt: Date.now(),
    concurrency,
    chunkSize: Math.max(1, options.chunkSize ?? 32 << 20),
    transport: createTransport(concurrency + 4, env),
    stats: emptyStats(),
    userAgent: `trunkfarm/${VERSION}`,
    inflight: new Map(),
    stateOf(registry) {
      let state = states.get(registry);
      if (!state) {
        state = { scheme: 'none', tokens: new TokenCache() };
        const credentials = resolveCredentials(registry, options.credentials, env);
        if (credentials) state.credentials = credentials;
        states.set(registry, state);
      }
      return state;
    },
    emit: (event) => options.onEvent?.(event),
    slot: slots(concurrency),
    remember(registry, repository, digest) {
      let byDigest = seen.get(registry);
      if (!byDigest) seen.set(registry, (byDigest = new Map()));
      let repos = byDigest.get(digest);
      if (!repos) byDigest.set(digest, (repos = new Set()));
      repos.add(repository);
    },
    locations: (registry, digest) => [...(seen.get(registry)?.get(digest) ?? [])],
  };
}

/** Runs each task when one of `limit` slots is free. */
export function slots(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return <T>(task: () => Promise<T>): Promise<T> => {
    // A finishing task hands its slot straight to the next waiter, so none is ever over the limit.
    const acquired = active < limit ? (active++, Promise.resolve()) : new Promise<void>((resolve) => waiting.push(resolve));
    return acquired.then(async () => {
      try {
        return await task();
      } finally {
        const next = waiting.shift();
        if (next) next();
        else active--;
      }
    });
  };
}
