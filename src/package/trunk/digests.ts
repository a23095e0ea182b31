// The `digests` file: BSD-style lines `SHA256 (path) = hex`, as `shasum --tag -a 256` and
// `sha256sum --tag` print them, so `sha256sum -c digests` works in an unpacked trunk. A symlink to
// a file is listed with the digest of the file it resolves to, which is what those tools compute.
import { comparePaths } from '../tree.ts';

export const DIGESTS = 'digests';
const LINE = /^SHA256 \((.+)\) = ([0-9a-f]{64})$/;
const WEAK = /^(MD5|SHA1) \(/;

export function formatDigests(digests: Map<string, string>): string {
  const paths = [...digests.keys()].sort(comparePaths);
  return paths.map((p) => `SHA256 (${p}) = ${digests.get(p)}\n`).join('');
}

/** Parses a digests file; returns the map, or the first problem with its line number. */
export function parseDigests(text: string): { digests: Map<string, string> } | { error: string } {
  const digests = new Map<string, string>();
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const [i, line] of lines.entries()) {
    const m = LINE.exec(line);
    if (!m) {
      const why = WEAK.test(line) ? 'MD5 and SHA-1 are not allowed' : 'expected "SHA256 (path) = <64 hex digits>"';
      return { error: `line ${i + 1}: ${why}` };
    }
    if (digests.has(m[1]!)) return { error: `line ${i + 1}: "${m[1]}" listed twice` };
    digests.set(m[1]!, m[2]!);
  }
  return { digests };
}
