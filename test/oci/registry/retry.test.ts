import { describe, expect, it } from 'vitest';
import { parseRange } from '../../../src/oci/registry/blobs.ts';
import { RegistryError, parseErrorCodes } from '../../../src/oci/registry/errors.ts';
import { DEFAULT_RETRY, backoffDelay, parseRetryAfter } from '../../../src/http/retry.ts';

describe('backoff', () => {
  const policy = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000 };

  it('grows exponentially within [ceiling/2, ceiling], capped', () => {
    expect(backoffDelay(policy, 1, undefined, () => 0)).toBe(50);
    expect(backoffDelay(policy, 1, undefined, () => 1)).toBe(100);
    expect(backoffDelay(policy, 3, undefined, () => 0)).toBe(200);
    expect(backoffDelay(policy, 3, undefined, () => 1)).toBe(400);
    expect(backoffDelay(policy, 10, undefined, () => 1)).toBe(1000);
  });

  it('honours Retry-After, bounded', () => {
    expect(backoffDelay(policy, 1, 3000)).toBe(3000);
    expect(backoffDelay(policy, 1, 10 * 60_000)).toBe(policy.maxRetryAfterMs);
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('upload ranges', () => {
  it('reads Range: 0-<last> in both spellings', () => {
    expect(parseRange('0-1023')).toBe(1024);
    expect(parseRange('bytes=0-99')).toBe(100);
    expect(parseRange('0-0')).toBe(0);
    expect(parseRange('5-9')).toBeUndefined();
    expect(parseRange(undefined)).toBeUndefined();
  });
});

describe('RegistryError', () => {
  const url = new URL('http://r.example/v2/ns/app/blobs/uploads/abc?_state=secret');

  it('names the operation, the request, the status and the codes, never the query', () => {
    const codes = parseErrorCodes(Buffer.from('{"errors":[{"code":"DIGEST_INVALID","message":"provided digest did not match uploaded content"}]}'), 'application/json');
    const err = new RegistryError({ operation: 'push blob sha256:x to r.example/ns/app', method: 'PUT', url, status: 400, statusText: 'Bad Request', codes });
    expect(err.message).toBe(
      'push blob sha256:x to r.example/ns/app: PUT r.example/v2/ns/app/blobs/uploads/abc answered 400 Bad Request: DIGEST_INVALID (provided digest did not match uploaded content)',
    );
    expect(err.retryable).toBe(false);
    expect(err.hasCode('DIGEST_INVALID')).toBe(true);
    expect(err.afterAttempts(3).message).toContain('(gave up after 3 attempts)');
  });

  it('retries 429, 5xx but 501, and network failures', () => {
    const make = (status?: number) => new RegistryError({ operation: 'op', method: 'GET', url, ...(status ? { status } : { network: 'connection reset' }) });
    expect([429, 500, 502, 503, 504, 408].map((s) => make(s).retryable)).toEqual([true, true, true, true, true, true]);
    expect([400, 401, 403, 404, 501].map((s) => make(s).retryable)).toEqual([false, false, false, false, false]);
    expect(make().retryable).toBe(true);
    expect(make().message).toBe('op: GET r.example/v2/ns/app/blobs/uploads/abc failed: connection reset');
  });

  it('ignores bodies that are not registry errors', () => {
    expect(parseErrorCodes(Buffer.from('<html>502</html>'), 'text/html')).toEqual([]);
    expect(parseErrorCodes(Buffer.from('{"errors":"x"}'), 'application/json')).toEqual([]);
  });
});
