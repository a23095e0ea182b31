// The shape of index.json, checked wherever it is read (publish merges into it, the planner and the
// status page read it), so a bad field is reported with its path, never as a crash halfway.
import { z } from 'zod';
import { ARCHES, LIBCS } from '../types.ts';

const text = z.string().min(1);

const bundledLibrary = z.object({
  soname: text,
  file: text,
  sha256: text,
  size: z.number().int().nonnegative(),
  package: z.string().optional(),
  packageVersion: z.string().optional(),
  license: z.string().optional(),
});

const indexEntry = z.object({
  key: z.string().min(1).max(256),
  extension: text,
  version: text,
  pg: z.number().int().min(1).max(999),
  arch: z.enum(ARCHES),
  libc: z.enum(LIBCS),
  platform: text,
  isa: z.string().optional(),
  status: z.enum(['built', 'failed']),
  failure: z.object({ step: z.string(), message: z.string() }).optional(),
  trunk: z
    .object({ file: text, sha256: text, size: z.number().int().nonnegative(), files: z.number().int().nonnegative(), url: z.string().optional() })
    .optional(),
  oci: z.object({ ref: text, digest: text, size: z.number().int().nonnegative() }).optional(),
  closure: z.object({
    ok: z.boolean(),
    bundled: z.array(bundledLibrary),
    problems: z.array(z.object({ file: z.string(), message: z.string() })),
  }),
  signature: z.object({ bundle: text, kind: z.enum(['key', 'keyless']) }).optional(),
  provenance: z.object({
    source: z.string(),
    sourceDigest: z.string(),
    builderImage: z.string(),
    baseImage: z.string(),
    runUrl: z.string().optional(),
  }),
  logUrl: z.string().optional(),
  builtAt: text,
});

export const indexFileSchema = z.object({
  version: z.literal(1),
  generatedAt: text,
  entries: z.array(indexEntry),
});


/** `entries[2].arch`-style paths for zod issues. */
export function formatPath(at: readonly PropertyKey[]): string {
  return at.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${String(p)}` : String(p)), '') || '(top level)';
}
