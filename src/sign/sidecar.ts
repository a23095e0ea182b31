// The provenance sidecar: what a build leaves beside an artifact (`FILE.provenance-input.json`) so
// that signing later, by `trunkfarm sign`, records the same provenance as signing during the build.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.ts';
import { writeAtomic } from '../files/index.ts';
import { SIDECAR_SUFFIX, type JsonObject, type ProvenanceInput, type ProvenanceSidecar } from './types.ts';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits');
const uri = z.string().refine((s) => URL.canParse(s), 'expected a URI');
const date = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 date');

const sidecarSchema = z.strictObject({
  version: z.literal(1),
  artifact: z.strictObject({ name: z.string().min(1), sha256: hex64 }),
  entry: z.record(z.string(), z.unknown()).optional(),
  platform: z.strictObject({ name: z.string().min(1), builder: z.string().min(1), base: z.string().min(1) }).optional(),
  source: z
    .union([
      z.strictObject({ uri, sha256: hex64 }),
      z.strictObject({ uri, gitCommit: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'expected a full commit hash') }),
    ])
    .optional(),
  builderImage: z
    .strictObject({
      ref: z.string().min(1),
      digest: z.string().regex(/^(sha256:)?[0-9a-f]{64}$/, 'expected sha256:<64 hex digits>'),
      digestOf: z.enum(['manifest', 'image-config']).optional(),
    })
    .optional(),
  buildKey: z.string().min(1).optional(),
  startedOn: date.optional(),
  finishedOn: date.optional(),
});

export function sidecarPath(artifact: string): string {
  return `${artifact}${SIDECAR_SUFFIX}`;
}

/** Reads and checks a sidecar; `undefined` when the file does not exist. */
export async function readSidecar(path: string): Promise<ProvenanceSidecar | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${path}: not JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = sidecarSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    throw new UserError(`${path}: ${where}: ${issue.message}`);
  }
  return parsed.data as ProvenanceSidecar;
}

/** Writes the sidecar for an artifact; the build calls this beside each artifact it leaves. */
export async function writeSidecar(artifact: string, sha256: string, input: Omit<ProvenanceInput, 'subjects' | 'github' | 'builderId'>): Promise<string> {
  const sidecar: ProvenanceSidecar = { version: 1, artifact: { name: basename(artifact), sha256 }, ...input };
  const path = sidecarPath(artifact);
  await writeAtomic(path, `${JSON.stringify(sidecar, null, 2)}\n`);
  return path;
}

/** The provenance inputs a sidecar holds, for the artifact with this digest. */
export function sidecarToInput(sidecar: ProvenanceSidecar, path: string, digest: string): Omit<ProvenanceInput, 'subjects'> {
  if (sidecar.artifact.sha256 !== digest) {
    throw new UserError(
      `${path} describes ${sidecar.artifact.name} with sha256 ${sidecar.artifact.sha256}, but the artifact's sha256 is ${digest}: the sidecar belongs to another build`,
    );
  }
  const { version: _v, artifact: _a, entry, ...rest } = sidecar;
  return { ...rest, ...(entry ? { entry: entry as JsonObject } : {}) };
}
