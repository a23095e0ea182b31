// Saving a blob that arrives as a stream: hashed on the way into a temporary file beside its
// destination, and renamed into place only when its size and digest are the ones expected, so
// that a content-addressed store never holds a file under a name its bytes do not match.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UserError } from '../errors.ts';
import { splitDigest } from './digest.ts';

/** Returns the bytes written; throws a UserError (naming `what`) when the content is not `expected`. */
export async function saveVerified(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array> | NodeJS.ReadableStream, file: string, expected: { digest: string; size: number }, what: string): Promise<number> {
  const [algorithm] = splitDigest(expected.digest);
  const hash = createHash(algorithm);
  let size = 0;
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await pipeline(
      source,
      new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          hash.update(chunk);
          size += chunk.length;
          callback(null, chunk);
        },
      }),
      createWriteStream(temp),
    );
    const digest = `${algorithm}:${hash.digest('hex')}`;
    if (size !== expected.size || digest !== expected.digest) {
      throw new UserError(`${what}: received ${size} bytes hashing to ${digest}, expected ${expected.size} bytes hashing to ${expected.digest}`);
    }
    await rename(temp, file);
    return size;
  } finally {
    await rm(temp, { force: true });
  }
}
