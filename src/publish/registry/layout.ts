// A reader (and, for pulls, a writer) of the OCI image layout: `oci-layout`, `index.json` and
// `blobs/<algorithm>/<encoded>`. Kept to what pushing and pulling need.
import { createReadStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../../errors.ts';
import { isDigest, splitDigest } from './digest.ts';
import type { BlobInfo, ContentSource, Descriptor } from './content.ts';

export const LAYOUT_VERSION = '1.0.0';

export function blobPath(dir: string, digest: string): string {
  const [algorithm, encoded] = splitDigest(digest);
  return path.join(dir, 'blobs', algorithm, encoded);
}

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `${file} is missing: is ${path.dirname(file)} an OCI image layout?` : `cannot read ${what} ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

export function checkDescriptor(value: unknown, where: string): Descriptor {
  const d = value as Partial<Descriptor> | null;
  if (typeof d !== 'object' || d === null) throw new UserError(`${where}: not a descriptor object`);
  if (typeof d.mediaType !== 'string' || d.mediaType === '') throw new UserError(`${where}: mediaType is missing`);
  if (typeof d.digest !== 'string' || !isDigest(d.digest)) throw new UserError(`${where}: digest ${JSON.stringify(d.digest)} is not a sha256 or sha512 digest`);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) throw new UserError(`${where}: size ${JSON.stringify(d.size)} is not a byte count`);
  return d as Descriptor;
}

/** Opens an OCI image layout directory as a content source. */
export async function openLayout(dir: string): Promise<ContentSource> {
  const marker = (await readJson(path.join(dir, 'oci-layout'), 'layout marker')) as { imageLayoutVersion?: unknown };
  if (typeof marker?.imageLayoutVersion !== 'string' || !marker.imageLayoutVersion.startsWith('1.')) {
    throw new UserError(`${path.join(dir, 'oci-layout')}: unsupported imageLayoutVersion ${JSON.stringify(marker?.imageLayoutVersion)} (expected 1.x)`);
  }
  const indexFile = path.join(dir, 'index.json');
  const index = (await readJson(indexFile, 'layout index')) as { manifests?: unknown };
  if (!Array.isArray(index?.manifests)) throw new UserError(`${indexFile}: "manifests" is not a list`);
  const manifests = index.manifests.map((m, i) => checkDescriptor(m, `${indexFile} manifests[${i}]`));

  return {
    manifests: async () => manifests,
    async listBlobs() {
      const blobs: BlobInfo[] = [];
      let algorithms: string[];
      try {
        algorithms = await readdir(path.join(dir, 'blobs'));
      } catch {
        return blobs;
      }
      for (const algorithm of algorithms) {
        for (const encoded of await readdir(path.join(dir, 'blobs', algorithm))) {
          const digest = `${algorithm}:${encoded}`;
          if (!isDigest(digest)) continue;
          const info = await stat(path.join(dir, 'blobs', algorithm, encoded));
          if (info.isFile()) blobs.push({ digest, size: info.size });
        }
      }
      return blobs;
    },
    async readBlob(digest, range) {
      const file = blobPath(dir, digest);
      if (range && range.end <= range.start) return [];
      const stream = createReadStream(file, range ? { start: range.start, end: range.end - 1 } : {});
      // Surface a missing blob here, as a clear error, rather than mid-upload.
      await new Promise<void>((resolve, reject) => {
        stream.once('open', () => resolve());
        stream.once('error', (err: NodeJS.ErrnoException) =>
          reject(err.code === 'ENOENT' ? new UserError(`OCI layout ${dir} has no blob ${digest} (${file})`) : err),
        );
      });
      return stream;
    },
  };
}

/** Writes `bytes` to `file` through a temporary name, so a reader never sees half a file. */
export async function writeAtomic(file: string, bytes: Uint8Array | string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await writeFile(temp, bytes);
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** Creates the layout marker and the blob directory; index.json is written last by the caller. */
export async function initLayout(dir: string): Promise<void> {
  await mkdir(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeAtomic(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: LAYOUT_VERSION }));
}

/** Writes index.json, merging with the one present: an entry with the same ref.name annotation is replaced. */
export async function writeLayoutIndex(dir: string, entries: Descriptor[]): Promise<void> {
  const file = path.join(dir, 'index.json');
  let existing: Descriptor[] = [];
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { manifests?: Descriptor[] };
    existing = parsed.manifests ?? [];
  } catch {
    existing = [];
  }
  const refName = (d: Descriptor) => d.annotations?.['org.opencontainers.image.ref.name'];
  const kept = existing.filter((old) => !entries.some((d) => (refName(d) !== undefined ? refName(d) === refName(old) : d.digest === old.digest && refName(old) === undefined)));
  await writeAtomic(file, `${JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [...kept, ...entries] }, null, 2)}\n`);
}
