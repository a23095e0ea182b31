// The registry client: one session (context.ts) and the operations over it, each a function of
// its own (session.ts: how a registry wants to be spoken to and the credentials or token for a
// request; send.ts: one request with authentication, redirects and retries). createClient puts
// them behind the RegistryClient interface that blobs, manifests, tags, referrers, push and pull use.
import type { HttpResponse, IncomingMessage, RequestBody } from '../../http/index.ts';
import type { RetryPolicy } from '../../http/index.ts';
import type { CredentialsOption } from './auth.ts';
import { createContext } from './context.ts';
import { request, retrying, stream } from './send.ts';

export interface ClientOptions {
  /** Credentials for every registry, or per registry; else taken from the environment. */
  credentials?: CredentialsOption;
  /** Where TRUNKFARM_REGISTRY_USER/PASSWORD and GITHUB_TOKEN are read; process.env by default. */
  env?: Record<string, string | undefined>;
  /** Force plain HTTP (true) or HTTPS (false); by default loopback registries get plain HTTP. */
  plainHttp?: boolean;
  retry?: Partial<RetryPolicy>;
  /** A request that makes no progress for this long is abandoned (and retried). Default 60 s. */
  timeoutMs?: number;
  /** Epoch milliseconds by which everything must be done: requests still running then are
   * abandoned, and no retry starts that would wait past it. */
  deadline?: number;
  /** A request standing still this long is reported (a `wait` event) before the timeout. Default 5 s. */
  stallNoticeMs?: number;
  /** Blobs uploaded at once. */
  concurrency?: number;
  /** Blobs larger than this are uploaded in chunks of this size. */
  chunkSize?: number;
  signal?: AbortSignal;
  onEvent?: (event: ClientEvent) => void;
}

export type ClientEvent =
  | { type: 'blob'; repository: string; digest: string; size: number; outcome: 'present' | 'mounted' | 'uploaded' }
  | { type: 'manifest'; repository: string; digest: string; outcome: 'present' | 'pushed' }
  | { type: 'tag'; repository: string; tag: string; digest: string; outcome: 'moved' | 'unchanged' }
  /** A request failed and is tried again after `delayMs` (`retryAfter`: as long as the registry
   * asked); `attempt` is the try that failed, out of at most `attempts`. */
  | { type: 'retry'; operation: string; attempt: number; attempts: number; delayMs: number; retryAfter: boolean; error: string }
  /** A request has made no progress for `idleMs`; it is abandoned at `timeoutMs`. */
  | { type: 'wait'; operation: string; request: string; idleMs: number; timeoutMs: number };

export interface TransferStats {
  requests: number;
  retries: number;
  tokenRequests: number;
  blobsPresent: number;
  blobsMounted: number;
  blobsUploaded: number;
  /** Blob bytes handed to the network, resent bytes included. */
  blobBytesUploaded: number;
  manifestsPresent: number;
  manifestsPushed: number;
  tagsMoved: number;
  tagsUnchanged: number;
}

export function emptyStats(): TransferStats {
  return {
    requests: 0,
    retries: 0,
    tokenRequests: 0,
    blobsPresent: 0,
    blobsMounted: 0,
    blobsUploaded: 0,
    blobBytesUploaded: 0,
    manifestsPresent: 0,
    manifestsPushed: 0,
    tagsMoved: 0,
    tagsUnchanged: 0,
  };
}

export function diffStats(after: TransferStats, before: TransferStats): TransferStats {
  const out = emptyStats();
  for (const key of Object.keys(out) as (keyof TransferStats)[]) out[key] = after[key] - before[key];
  return out;
}

export interface RegistryRequest {
  /** What the caller was doing, for error messages: `push blob sha256:… to HOST/REPO`. */
  operation: string;
  registry: string;
  method: string;
  /** A path below the registry's base URL (`/v2/…`), or an absolute URL (upload locations). */
  path?: string;
  url?: URL;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: RequestBody | Uint8Array;
  /** Token scopes the request needs. */
  scopes: string[];
  /** Statuses the caller handles; any other is an error. */
  expect: number[];
  /** false: a single attempt, the caller decides what to do on failure. */
  retry?: boolean;
  /** Count the body's bytes as uploaded blob bytes. */
  blobBody?: boolean;
}

export interface RegistryClient {
  readonly stats: TransferStats;
  readonly concurrency: number;
  readonly chunkSize: number;
  readonly retryPolicy: RetryPolicy;
  readonly signal: AbortSignal | undefined;
  request(req: RegistryRequest): Promise<HttpResponse>;
  /** A GET whose body the caller streams (blobs); follows redirects to storage. */
  stream(req: RegistryRequest): Promise<IncomingMessage>;
  /** Runs `attempt` until it succeeds or fails for good, sleeping between tries. */
  retrying<T>(operation: string, attempt: (n: number) => Promise<T>): Promise<T>;
  /** Runs `task` when one of the `concurrency` upload slots is free. */
  slot<T>(task: () => Promise<T>): Promise<T>;
  /** Records that `digest` is present in a repository, so later pushes can mount it from there. */
  remember(registry: string, repository: string, digest: string): void;
  /** Repositories of the registry known to hold `digest`. */
  locations(registry: string, digest: string): string[];
  emit(event: ClientEvent): void;
  close(): void;
}


export function createClient(options: ClientOptions = {}): RegistryClient {
  const ctx = createContext(options);
  return {
    stats: ctx.stats,
    concurrency: ctx.concurrency,
    chunkSize: ctx.chunkSize,
    retryPolicy: ctx.retryPolicy,
    signal: ctx.signal,
    request: (req) => request(ctx, req),
    stream: (req) => stream(ctx, req),
    retrying: (operation, attempt) => retrying(ctx, operation, attempt),
    slot: ctx.slot,
    remember: ctx.remember,
    locations: ctx.locations,
    emit: ctx.emit,
    close: () => ctx.transport.close(),
  };
}
