// Making hostile trunks on purpose: unpack a good one into memory, change its entries, pack again
// with plain tar-stream and zlib (not our writer, which refuses to produce such things).
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import tar, { type Header } from 'tar-stream';

export interface RawEntry {
  header: Partial<Header> & { name: string };
  data: Buffer;
}

export async function unpackRaw(file: string): Promise<RawEntry[]> {
  const extract = tar.extract();
  const out: RawEntry[] = [];
  const done = (async () => {
    for await (const entry of extract as unknown as AsyncIterable<AsyncIterable<Buffer> & { header: Header }>) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c);
      out.push({ header: { ...entry.header }, data: Buffer.concat(chunks) });
    }
  })();
  extract.end(gunzipSync(await readFile(file)));
  await done;
  return out;
}

export async function packRaw(file: string, entries: RawEntry[]): Promise<void> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const c of pack as unknown as AsyncIterable<Buffer>) chunks.push(c);
  })();
  for (const e of entries) {
    const h = { ...e.header, size: e.header.type === 'file' || e.header.type === undefined ? e.data.length : 0 };
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (h.size) pack.entry(h, e.data, cb);
      else pack.entry(h, cb);
    });
  }
  pack.finalize();
  await collected;
  await writeFile(file, gzipSync(Buffer.concat(chunks)));
}

/** Rewrites `digests` (the entry named TOP/digests) to match the files now present; a symlink
 * to a file (one hop, no chains) is listed with that file's digest, as the writer does. */
export function redigest(entries: RawEntry[]): RawEntry[] {
  const top = entries[0]!.header.name.replace(/\/$/, '');
  const sums = new Map<string, string>();
  for (const e of entries) {
    if ((e.header.type ?? 'file') === 'file') sums.set(e.header.name, createHash('sha256').update(e.data).digest('hex'));
  }
  const lines: string[] = [];
  for (const e of entries) {
    const name = e.header.name;
    if (name === `${top}/digests`) continue;
    const sum = e.header.type === 'symlink' ? sums.get(posix.join(posix.dirname(name), e.header.linkname ?? '')) : sums.get(name);
    if (sum !== undefined) lines.push(`SHA256 (${name.slice(top.length + 1)}) = ${sum}\n`);
  }
  lines.sort();
  return entries.map((e) => (e.header.name === `${top}/digests` ? { ...e, data: Buffer.from(lines.join('')) } : e));
}

export function file(name: string, data: string | Buffer, mode = 0o644): RawEntry {
  return { header: { name, type: 'file', mode, mtime: new Date(0) }, data: Buffer.from(data) };
}
