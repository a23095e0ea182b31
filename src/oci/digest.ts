// Content addressing: a blob is its digest. Only the algorithms the OCI image spec registers are
// accepted, so a digest read from a layout or a registry can safely become a path or a URL part.
import { createHash } from 'node:crypto';

const ENCODED: Record<string, RegExp> = {
  sha256: /^[a-f0-9]{64}$/,
  sha512: /^[a-f0-9]{128}$/,
};

export function isDigest(text: string): boolean {
  const colon = text.indexOf(':');
  if (colon < 0) return false;
  const pattern = ENCODED[text.slice(0, colon)];
  return pattern !== undefined && pattern.test(text.slice(colon + 1));
}

/** `[algorithm, encoded]` of a digest; throws on anything that is not one. */
export function splitDigest(digest: string): [string, string] {
  if (!isDigest(digest)) throw new Error(`not a sha256 or sha512 digest: ${JSON.stringify(digest)}`);
  const colon = digest.indexOf(':');
  return [digest.slice(0, colon), digest.slice(colon + 1)];
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** The digest of `bytes` computed with the same algorithm as `expected`. */
export function digestLike(expected: string, bytes: Uint8Array): string {
  const [algorithm] = splitDigest(expected);
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}
