// Deterministic tar.gz: entries in the order given, every header with the same mtime, uid/gid 0,
// empty user and group names and the entry's normalised mode; the bytes depend on the tree's
// content alone. Written to a temporary file beside the target and renamed into place, so a
// reader never sees half an archive.
import { createHash, randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { basename, dirname, join } from 'node:path';
import tar, { type Header } from 'tar-stream';
import { UserError } from '../../errors.ts';
import type { TreeEntry } from '../tree.ts';
import { readChunks } from '../stage.ts';
import { gzipWriter } from './gzip.ts';

type HeaderArgument = Partial<Header> & Pick<Header, 'name'>;

interface TarGzResult {
  /** The compressed file. */
  size: number;
  sha256: string;
  /** The uncompressed tar (an OCI layer's diff_id); tarSha256 is '' when hashTar is false. */
  tarSize: number;
  tarSha256: string;
}

interface TarGzOptions {
  /** Seconds since the epoch, for every entry. */
  mtime: number;
  /** Directory name prepended to every path (and written as the first entry). */
  prefix?: string;
  /** Hex SHA-256 per file path, checked while the file is read: a file that changed since it was
   * hashed fails the write instead of producing an archive whose digests lie. */
  expect?: Map<string, string>;
  /** Compute tarSha256 (default true; an OCI layer needs it, a trunk does not). */
  hashTar?: boolean;
}

export async function writeTarGz(entries: TreeEntry[], outPath: string, options: TarGzOptions): Promise<TarGzResult> {
  const tmp = join(dirname(outPath), `.${basename(outPath)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', 0o644);
  let ok = false;
  try {
    const gz = gzipWriter(fh, { hashInput: options.hashTar !== false });
    const pack = tar.pack();
    const producer = addAll(pack, entries, options);
    producer.catch((err: unknown) => pack.destroy(err as Error));
    try {
      // A producer failure (a file that changed, say) destroys the pack with its error, which
      // surfaces here; a consumer failure (disk full) destroys the pack and so stops the producer.
      for await (const chunk of pack as AsyncIterable<Buffer>) await gz.write(chunk);
    } catch (err) {
      pack.destroy(err as Error);
      throw err;
    }
    await producer;
    const sums = await gz.end();
    await fh.sync();
    await fh.close();
    await rename(tmp, outPath);
    ok = true;
    return { size: sums.size, sha256: sums.sha256, tarSize: sums.rawSize, tarSha256: sums.rawSha256 };
  } finally {
    if (!ok) {
      await fh.close().catch(() => {});
      await rm(tmp, { force: true });
    }
  }
}

async function addAll(pack: tar.Pack, entries: TreeEntry[], options: TarGzOptions): Promise<void> {
  const mtime = new Date(options.mtime * 1000);
  const base = { mtime, uid: 0, gid: 0, uname: '', gname: '' };
  const name = (p: string) => (options.prefix ? `${options.prefix}/${p}` : p);
  // Directories end in `/`, as tar(1) writes them.
  if (options.prefix) await entry(pack, { ...base, name: `${options.prefix}/`, type: 'directory', mode: 0o755 });
  for (const e of entries) {
    if (e.type === 'directory') {
      await entry(pack, { ...base, name: `${name(e.path)}/`, type: 'directory', mode: e.mode });
    } else if (e.type === 'symlink') {
      await entry(pack, { ...base, name: name(e.path), type: 'symlink', mode: e.mode, linkname: e.linkname! });
    } else if (e.data) {
      await entry(pack, { ...base, name: name(e.path), type: 'file', mode: e.mode, size: e.data.length }, e.data);
    } else {
      await streamFile(pack, { ...base, name: name(e.path), type: 'file', mode: e.mode, size: e.size }, e, options.expect);
    }
  }
  pack.finalize();
}

function entry(pack: tar.Pack, header: HeaderArgument, data?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error | null) => (err ? reject(err) : resolve());
    if (data) pack.entry(header, data, done);
    else pack.entry(header, done);
  });
}

async function streamFile(pack: tar.Pack, header: HeaderArgument, e: TreeEntry, expect?: Map<string, string>): Promise<void> {
  const hash = createHash('sha256');
  let settle!: (err?: Error | null) => void;
  const done = new Promise<void>((res, rej) => (settle = (err) => (err ? rej(err) : res())));
  done.catch(() => {}); // awaited below; a failure before then surfaces through the pack
  const sink = pack.entry(header, (err) => settle(err)) as unknown as NodeJS.WritableStream;
  let n = 0;
  for await (const chunk of readChunks(e.source!, e.size)) {
    n += chunk.length;
    if (n > e.size) break;
    hash.update(chunk);
    if (!sink.write(chunk)) await once(sink, 'drain');
  }
  const sum = hash.digest('hex');
  const want = expect?.get(e.path);
  if (n !== e.size || (want !== undefined && want !== sum)) {
    throw new UserError(`${e.source}: changed while it was being packed; pack again from a quiet stage`);
  }
  sink.end();
  await done;
}
