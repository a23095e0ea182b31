// The GitHub REST API client (releases, the index branch): octokit with its throttling and retry plugins set up for
// an unattended job. Rate limits (primary: 403/429 with x-ratelimit-remaining 0; secondary: "secondary
// rate limit" with retry-after) wait and retry a bounded number of times, with a log line each time;
// server errors and dropped connections (5xx) retry with backoff; nothing else retries, so a 409 or
// 422 reaches the caller at once (the index store relies on that for its compare-and-swap).
import { randomUUID } from 'node:crypto';
import { Octokit, RequestError } from 'octokit';
import { UserError } from '../errors.ts';

export type GitHubClient = InstanceType<typeof Octokit>;

interface GitHubClientOptions {
  /** Default: GITHUB_TOKEN. */
  token?: string;
  /** REST API root. Default: GITHUB_API_URL (set by Actions, and right on GitHub Enterprise Server),
   * else octokit's public default. */
  baseUrl?: string;
  /** Retries of a rate-limited request (primary or secondary limit). Default 3. */
  rateLimitRetries?: number;
  /** A rate limit that resets later than this is not waited for: the request fails. Default 900. */
  maxRateLimitWaitSeconds?: number;
  /** Retries of a request that met a 5xx or a dropped connection. Default 3 (waits 1, 4, 9 s). */
  serverErrorRetries?: number;
  /** Where warnings and retry notices go. Default: stderr. */
  log?: (line: string) => void;
}

// Every 4xx: the retry plugin retries what is not listed, and only 5xx deserve it. Rate-limit
// answers (403, 429) are the throttling plugin's, which knows how long to wait.
const CLIENT_ERRORS = Array.from({ length: 100 }, (_, i) => 400 + i);

export function createGitHubClient(options: GitHubClientOptions = {}): GitHubClient {
  const token = options.token ?? process.env.GITHUB_TOKEN;
  if (!token) throw new UserError('GITHUB_TOKEN is not set: publishing to GitHub needs a token (in Actions, `permissions: contents: write`)');
  const baseUrl = (options.baseUrl ?? process.env.GITHUB_API_URL)?.replace(/\/+$/, '');
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const rateLimitRetries = options.rateLimitRetries ?? 3;
  const maxWait = options.maxRateLimitWaitSeconds ?? 900;

  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
      const what = `GitHub ${kind} on ${request.method} ${request.url}`;
      if (retryCount >= rateLimitRetries) {
        log(`${what}: giving up after ${retryCount} retries`);
        return false;
      }
      if (retryAfter > maxWait) {
        log(`${what}: it resets in ${retryAfter} s, longer than the ${maxWait} s this job waits; giving up`);
        return false;
      }
      log(`${what}: retrying in ${retryAfter} s (retry ${retryCount + 1} of ${rateLimitRetries})`);
      return true;
    };

  return new Octokit({
    auth: token,
    ...(baseUrl ? { baseUrl } : {}),
    userAgent: 'trunkfarm',
    log: { debug: () => {}, info: () => {}, warn: log, error: log },
    throttle: {
      // The write limiter (one write at a time, a second apart: GitHub's advice against secondary
      // limits) is shared by clients with the same id; one publish process holds one client.
      id: randomUUID(),
      onRateLimit: onLimit('rate limit'),
      onSecondaryRateLimit: onLimit('secondary rate limit'),
    },
    retry: { retries: options.serverErrorRetries ?? 3, doNotRetry: CLIENT_ERRORS },
  });
}

export function isRequestError(err: unknown, status?: number): err is RequestError {
  return err instanceof RequestError && (status === undefined || err.status === status);
}

/** The message GitHub gave, with its validation errors: `Validation Failed (Release tag_name already_exists)`. */
export function githubMessage(err: RequestError): string {
  const data = err.response?.data as { message?: string; errors?: unknown[] } | undefined;
  const message = data?.message ?? err.message;
  const details = (data?.errors ?? [])
    .map((e) => (typeof e === 'string' ? e : [(e as Record<string, string>).resource, (e as Record<string, string>).field, (e as Record<string, string>).code].filter(Boolean).join(' ')))
    .filter(Boolean);
  return details.length ? `${message} (${details.join('; ')})` : message;
}

/** A failed API call as an error the user can act on; anything that is not an API error is rethrown
 * as it is (a bug, not a GitHub answer). */
export function githubError(err: unknown, doing: string): never {
  if (!(err instanceof RequestError)) throw err;
  const message = githubMessage(err);
  const hint =
    err.status === 401 ? ': the token was refused'
    : /rate limit/i.test(message) ? ''
    : err.status === 403 || err.status === 404 ? ': check that the repository exists and that the token may write to it (contents: write)'
    : '';
  throw new UserError(`GitHub: ${doing} failed with ${err.status}: ${message}${hint}`, { cause: err });
}

/** True when a 422 says the thing being created exists already (`code: already_exists`). */
export function isAlreadyExists(err: unknown): boolean {
  if (!isRequestError(err, 422)) return false;
  const errors = (err.response?.data as { errors?: { code?: string }[] } | undefined)?.errors ?? [];
  return errors.some((e) => e?.code === 'already_exists');
}
