// Index entries for the index store tests: valid, and told apart by build key.
import type { IndexEntry } from '../../src/types.ts';

export function entry(key: string, extension = 'pgvector', version = '0.8.0'): IndexEntry {
  return {
    key,
    extension,
    version,
    pg: 17,
    arch: 'amd64',
    libc: 'glibc',
    platform: 'pg17-gnulinux-amd64',
    status: 'built',
    trunk: { file: `${extension}-${version}+pg17-gnulinux-amd64.trunk`, sha256: 'a'.repeat(64), size: 1000, files: 5 },
    closure: { ok: true, bundled: [], problems: [] },
    provenance: { source: 'src.tar.gz', sourceDigest: 'sha256:' + 'b'.repeat(64), builderImage: 'builder', baseImage: 'base' },
    builtAt: '2025-01-01T00:00:00.000Z',
  };
}
