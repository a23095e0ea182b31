// Parallel, deterministic gzip: the input is cut into fixed-size chunks, each compressed on its
// own as one gzip member, and the members are written in input order. RFC 1952 allows a file to be
// a series of members and every gunzip (GNU gzip, zlib's gunzip, Go's compress/gzip used by
// containers/image, Python's gzip) reads them as one stream. Because chunk boundaries depend only
// on the input bytes, the output does not depend on scheduling or on how many cores ran it.
// zlib's asynchronous API runs each member in libuv's thread pool, so both cores compress while the
// main thread reads files, writes tar headers and hashes.
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { gzip } from 'node:zlib';

/** 4 MiB: large enough that restarting the dictionary costs under 0.5% of size, small enough to
 * keep both cores busy on a package of a few tens of MB. Changing it changes every output byte. */
const CHUNK_SIZE = 4 << 20;
const LEVEL = 6;

interface GzipWriter {
  write(data: Buffer): Promise<void>;
  /** Flushes everything; returns the sizes and SHA-256 of the input and of the output. */
  end(): Promise<{ size: number; sha256: string; rawSize: number; rawSha256: string }>;
}

export function gzipWriter(out: FileHandle, options: { concurrency?: number; hashInput?: boolean } = {}): GzipWriter {
  // One more member in flight than cores, so a core never waits for the main thread to cut the
  // next chunk; leaving thread-pool room for file reads, which use the same pool.
  const concurrency = options.concurrency ?? Math.min(3, availableParallelism() + 1);
  // The input's digest is an OCI layer's diff_id; a trunk does not need it.
  const rawHash = options.hashInput === false ? undefined : createHash('sha256');
  const outHash = createHash('sha256');
  let rawSize = 0;
  let outSize = 0;
  let held: Buffer[] = [];
  let heldBytes = 0;
  const inFlight: Promise<Buffer>[] = [];

  const compress = (chunk: Buffer): Promise<Buffer> =>
    new Promise((resolve, reject) => gzip(chunk, { level: LEVEL }, (err, res) => (err ? reject(err) : resolve(res))));

  async function flushOldest(): Promise<void> {
    const member = await inFlight.shift()!;
    outHash.update(member);
    outSize += member.length;
    let off = 0;
    while (off < member.length) off += (await out.write(member, off)).bytesWritten;
  }

  async function dispatch(chunk: Buffer): Promise<void> {
    const p = compress(chunk);
    p.catch(() => {}); // observed when flushed; avoids an unhandled rejection meanwhile
    inFlight.push(p);
    if (inFlight.length >= concurrency) await flushOldest();
  }

  function cut(n: number): Buffer {
    const all = held.length === 1 ? held[0]! : Buffer.concat(held, heldBytes);
    const chunk = all.subarray(0, n);
    const rest = all.subarray(n);
    held = rest.length ? [rest] : [];
    heldBytes = rest.length;
    // Producers here (file streams, tar headers) hand over fresh buffers and never reuse them.
    return chunk;
  }

  return {
    async write(data) {
      if (data.length === 0) return;
      rawHash?.update(data);
      rawSize += data.length;
      held.push(data);
      heldBytes += data.length;
      while (heldBytes >= CHUNK_SIZE) await dispatch(cut(CHUNK_SIZE));
    },
    async end() {
      if (heldBytes > 0 || rawSize === 0) await dispatch(cut(heldBytes));
      while (inFlight.length) await flushOldest();
      return { size: outSize, sha256: outHash.digest('hex'), rawSize, rawSha256: rawHash?.digest('hex') ?? '' };
    },
  };
}
