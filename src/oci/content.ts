// What the registry client pushes from: content-addressed blobs plus the list of top-level
// manifests. An OCI image layout directory is one such source (image-layout.ts openLayout); anything
// with these three calls is another (signature bundles built in memory, composed images).
import { UserError } from '../errors.ts';
import type { Descriptor } from './descriptor.ts';
import { digestLike, sha256Digest } from './digest.ts';

export interface BlobInfo {
  digest: string;
  size: number;
}

/** A byte range, end exclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

/** Bytes as a stream (a Readable is one) or a list of chunks. */
export type ByteStream = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

export interface ContentSource {
  /** The top-level manifests and indexes (an OCI layout's index.json `manifests`). */
  manifests(): Promise<Descriptor[]>;
  /** Every blob the source holds, manifests included. */
  listBlobs(): Promise<BlobInfo[]>;
  /** The bytes of a blob, or of a range of it. */
  readBlob(digest: string, range?: ByteRange): Promise<ByteStream>;
}

/** A whole blob in memory, checked against its digest. */
export async function readAllBlob(source: ContentSource, descriptor: BlobInfo, limit = 16 << 20): Promise<Buffer> {
  if (descriptor.size > limit) throw new UserError(`blob ${descriptor.digest} is ${descriptor.size} bytes, more than the ${limit} bytes a manifest may have`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of await source.readBlob(descriptor.digest)) {
    size += chunk.length;
    if (size > descriptor.size) break;
    chunks.push(Buffer.from(chunk));
  }
  const bytes = Buffer.concat(chunks);
  if (bytes.length !== descriptor.size) throw new UserError(`blob ${descriptor.digest} is ${size > descriptor.size ? 'longer' : 'shorter'} than the ${descriptor.size} bytes its descriptor says`);
  const actual = digestLike(descriptor.digest, bytes);
  if (actual !== descriptor.digest) throw new UserError(`blob ${descriptor.digest} does not match its digest (its content hashes to ${actual})`);
  return bytes;
}

/** A source held in memory: for artifacts built on the fly (signature bundles) and tests. */
export function memorySource(blobs: Iterable<Uint8Array>, manifests: Descriptor[] = []): ContentSource & { add(bytes: Uint8Array): string } {
  const store = new Map<string, Uint8Array>();
  const add = (bytes: Uint8Array) => {
    const digest = sha256Digest(bytes);
    store.set(digest, bytes);
    return digest;
  };
  for (const blob of blobs) add(blob);
  return {
    add,
    manifests: async () => manifests,
    listBlobs: async () => [...store].map(([digest, bytes]) => ({ digest, size: bytes.length })),
    async readBlob(digest, range) {
      const bytes = store.get(digest);
      if (!bytes) throw new UserError(`blob ${digest} is not in the in-memory content`);
      return [range ? bytes.subarray(range.start, range.end) : bytes];
    },
  };
}
