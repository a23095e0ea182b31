// The client's operations taken one at a time over a context: upload slots and the retry loop.
import { describe, expect, it } from 'vitest';
import { type ClientEvent } from '../../../src/oci/index.ts';
import { createContext, slots } from '../../../src/oci/registry/context.ts';
import { RegistryError } from '../../../src/oci/registry/errors.ts';
import { retrying } from '../../../src/oci/registry/send.ts';

describe('slots', () => {
  it('never runs more than the limit at once, and runs every task', async () => {
    const slot = slots(2);
    let running = 0;
    let most = 0;
    const done = await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        slot(async () => {
          most = Math.max(most, ++running);
          await new Promise((resolve) => setTimeout(resolve, 5 + (i % 3)));
          running--;
          return i;
        }),
      ),
    );
    expect(most).toBe(2);
    expect(done).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});

describe('retrying', () => {
  const url = new URL('http://127.0.0.1:1/v2/r/blobs/sha256:00');
  const busy = () => new RegistryError({ operation: 'check blob', method: 'HEAD', url, status: 503 });

  it('retries what is worth it, counts and reports each retry, and says how many attempts it made', async () => {
    const events: ClientEvent[] = [];
    const ctx = createContext({ retry: { attempts: 3, baseDelayMs: 1 }, onEvent: (e) => events.push(e) });
    let calls = 0;
    const err = await retrying(ctx, 'check blob', async () => {
      calls++;
      throw busy();
    }).catch((e: unknown) => e);
    ctx.transport.close();
    expect(calls).toBe(3);
    expect(ctx.stats.retries).toBe(2);
    expect(events.map((e) => e.type === 'retry' && e.attempt)).toEqual([1, 2]);
    expect((err as RegistryError).attempts).toBe(3);
    expect((err as Error).message).toMatch(/answered 503 \(gave up after 3 attempts\)$/);
  });

  it('does not retry a refusal', async () => {
    const ctx = createContext({ retry: { baseDelayMs: 1 } });
    let calls = 0;
    const denied = new RegistryError({ operation: 'push', method: 'PUT', url, status: 403 });
    await expect(retrying(ctx, 'push', async () => (calls++, Promise.reject(denied)))).rejects.toBe(denied);
    ctx.transport.close();
    expect(calls).toBe(1);
  });
});
