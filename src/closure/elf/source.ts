// Where the reader's bytes come from: a buffer already in memory (tar entries, tests), or an open
// file read in 64 KiB pages on demand, so a 100 MB library costs the few pages that hold its
// headers, dynamic section, string table and version tables, not a full read.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { limit, overLimit } from '../../limits.ts';
import { ElfError } from './error.ts';

export interface ByteSource {
  /** The file's name, for error messages. */
  readonly name: string;
  readonly size: number;
  /** `length` bytes at `offset`. The result may share memory with the source: treat it as read-only.
   * Throws ElfError when the range is not inside the file. */
  bytes(offset: number, length: number, what: string): Buffer;
}

function checkRange(src: ByteSource, offset: number, length: number, what: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > src.size) {
    throw new ElfError(src.name, `${what} lies outside the file (${length} bytes at ${offset}, file is ${src.size} bytes)`);
  }
}

export function bufferSource(data: Uint8Array, name: string): ByteSource {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const src: ByteSource = {
    name,
    size: buf.length,
    bytes(offset, length, what) {
      checkRange(src, offset, length, what);
      return buf.subarray(offset, offset + length);
    },
  };
  return src;
}

const PAGE = 1 << 16;
/** Page buffers returned by closed sources, reused by the next: reading a thousand files then
 * allocates a handful of pages instead of a thousand. Parsed facts never point into them. */
const pool: Buffer[] = [];
const POOL_MAX = 8;

interface FileSource extends ByteSource {
  close(): void;
}

/** Reads `path` lazily. Pages are kept until close(); a range that spans pages is read on its own.
 * Give `fd` to use a file already open (it is closed by close()). */
export function fileSource(path: string, fd?: number): FileSource {
  const handle = fd ?? openSync(path, 'r');
  let size: number;
  try {
    size = fstatSync(handle).size;
  } catch (err) {
    closeSync(handle);
    throw err;
  }
  const pages = new Map<number, Buffer>();
  const taken: Buffer[] = [];
  // Every table is bounded by the file's size, but a sparse file's size is no bound on work.
  const budget = limit('elf-read-bytes');
  let read = 0;
  const readInto = (buf: Buffer, offset: number, length: number): Buffer => {
    read += length;
    if (read > budget) throw new ElfError(path, `${overLimit('elf-read-bytes')} (raise it with --limit elf-read-bytes=N)`, offset);
    let done = 0;
    while (done < length) {
      const n = readSync(handle, buf, done, length - done, offset + done);
      if (n === 0) throw new ElfError(path, 'file shrank while being read', offset + done);
      done += n;
    }
    return buf.subarray(0, length);
  };
  const src: FileSource = {
    name: path,
    size,
    bytes(offset, length, what) {
      checkRange(src, offset, length, what);
      if (length === 0) return Buffer.alloc(0);
      const first = Math.floor(offset / PAGE);
      if (Math.floor((offset + length - 1) / PAGE) !== first) return readInto(Buffer.allocUnsafe(length), offset, length);
      let page = pages.get(first);
      if (page === undefined) {
        const buf = pool.pop() ?? Buffer.allocUnsafe(PAGE);
        taken.push(buf);
        page = readInto(buf, first * PAGE, Math.min(PAGE, size - first * PAGE));
        pages.set(first, page);
      }
      const start = offset - first * PAGE;
      return page.subarray(start, start + length);
    },
    close() {
      pages.clear();
      for (const b of taken.splice(0)) if (pool.length < POOL_MAX) pool.push(b);
      closeSync(handle);
    },
  };
  return src;
}
