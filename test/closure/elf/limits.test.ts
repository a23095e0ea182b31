// A sparse ELF file whose DT_GNU_HASH chain runs into a gigabyte hole: the reader stops at its
// entry limit instead of reading (and caching) the hole.
import { copyFileSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync, writeSync, closeSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ElfError, readElf } from '../../../src/closure/elf/index.ts';

const work = mkdtempSync(join(tmpdir(), 'trunkfarm-elf-limits-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('ELF reading bounds', () => {
  it('a hash chain into a sparse hole ends in an ElfError, quickly', () => {
    const file = join(work, 'sparse.so');
    copyFileSync('/usr/lib/x86_64-linux-gnu/libz.so.1', file);
    // DT_GNU_HASH's address is its file offset in libz (its first LOAD maps offset 0 at 0).
    const dyn = execFileSync('readelf', ['-dW', file], { encoding: 'utf8' });
    const at = Number(/\(GNU_HASH\)\s+(0x[0-9a-f]+)/.exec(dyn)![1]);
    const bytes = readFileSync(file);
    const nbuckets = bytes.readUInt32LE(at);
    const symoffset = bytes.readUInt32LE(at + 4);
    const bloom = bytes.readUInt32LE(at + 8);
    const chains = at + 16 + bloom * 8 + nbuckets * 4;
    // Every bucket's chain now starts past the end of the real bytes, in zeros without an end bit.
    const start = symoffset + Math.ceil((bytes.length - chains) / 4) + 16;
    const fd = openSync(file, 'r+');
    const buf = Buffer.alloc(4);
    buf.writeUInt32LE(start);
    for (let i = 0; i < nbuckets; i++) writeSync(fd, buf, 0, 4, at + 16 + bloom * 8 + i * 4);
    closeSync(fd);
    truncateSync(file, 2 ** 30);
    const t = performance.now();
    const err = (() => {
      try {
        readElf(file);
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ElfError);
    expect((err as Error).message).toMatch(/DT_GNU_HASH chain more than 1000000 entries in one ELF table .*\(raise it with --limit elf-entries=N\)/);
    expect(performance.now() - t).toBeLessThan(5000);
  });
});
