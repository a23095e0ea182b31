// Reads index.json, the publish stage's output, and checks it has the shape of PublishedIndexFile
// before anything is rendered from it: a bad field is reported with its path, never as a crash
// halfway through writing pages.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { UserError } from '../errors.ts';
import { ARCHES, LIBCS, type PublishedIndexFile } from '../types.ts';

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

const indexFile = z.object({
  version: z.literal(1),
  generatedAt: text,
  entries: z.array(indexEntry),
});

export interface LoadedIndex {
  index: PublishedIndexFile;
  /** The file's bytes, copied into the site as they are. */
  bytes: Buffer;
}

/** Parses and checks an index; `source` names it in errors. */
export function parseIndex(bytes: Buffer, source: string): PublishedIndexFile {
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new UserError(`${source}: not valid JSON: ${(err as Error).message}`);
  }
  const result = indexFile.safeParse(data);
  if (!result.success) {
    const lines = result.error.issues.slice(0, 10).map((i) => `  ${formatPath(i.path)}: ${i.message}`);
    const more = result.error.issues.length > 10 ? `\n  ... and ${result.error.issues.length - 10} more` : '';
    throw new UserError(`${source} is not a trunkfarm index (version 1):\n${lines.join('\n')}${more}`);
  }
  const index = result.data as PublishedIndexFile;
  const seen = new Map<string, number>();
  index.entries.forEach((e, i) => {
    const first = seen.get(e.key);
    if (first !== undefined) throw new UserError(`${source}: entries[${i}]: build key ${e.key} is already used by entries[${first}]`);
    seen.set(e.key, i);
  });
  return index;
}

export async function readIndex(file: string): Promise<LoadedIndex> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`--index ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message}`);
  }
  return { index: parseIndex(bytes, file), bytes };
}

function formatPath(at: readonly PropertyKey[]): string {
  return at.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${String(p)}` : String(p)), '') || '(top level)';
}
