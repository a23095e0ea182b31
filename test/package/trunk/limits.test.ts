// Trunks that would expand without bound or end early: refused with the file named and the limit
// that stopped them, before the data behind a header is read.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.ts';
import { readTrunk, writeTrunk } from '../../../src/package/index.ts';
import { packRaw, redigest, unpackRaw, type RawEntry } from '../craft.ts';
import { makeStage, sampleMeta, tempDir } from '../fixtures.ts';

const TOP = 'tfdemo-1.2.3+pg15-gnulinux-amd64';
let dir: string;
let good: string;
let tarBytes: Buffer;
let raw: RawEntry[];

beforeAll(async () => {
  dir = await tempDir();
  good = (await writeTrunk(await makeStage(join(dir, 'stage')), sampleMeta(), dir)).path;
  tarBytes = gunzipSync(await readFile(good));
  raw = await unpackRaw(good);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

let n = 0;
async function save(tar: Buffer): Promise<string> {
  const d = join(dir, `case-${n++}`);
  await mkdir(d);
  await writeFile(join(d, `${TOP}.trunk`), gzipSync(tar));
  return join(d, `${TOP}.trunk`);
}

/** Offset of the header of the entry whose name ends with `suffix`. */
function headerOf(tar: Buffer, suffix: string): number {
  for (let off = 0; off + 512 <= tar.length; ) {
    const name = tar.subarray(off, off + 100).toString('latin1').replace(/\0.*$/s, '');
    const size = parseInt(tar.subarray(off + 124, off + 136).toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8);
    if (name.endsWith(suffix)) return off;
    off += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`no entry ${suffix}`);
}

/** The same archive with one header's size field changed (and its checksum fixed). */
function withSize(tar: Buffer, off: number, size: number): Buffer {
  const out = Buffer.from(tar);
  out.write(`${size.toString(8).padStart(11, '0')}\0`, off + 124, 'latin1');
  out.fill(' ', off + 148, off + 156);
  let sum = 0;
  for (let i = off; i < off + 512; i++) sum += out[i]!;
  out.write(`${sum.toString(8).padStart(6, '0')}\0 `, off + 148, 'latin1');
  return out;
}

/** Where the archive's entries end (its two zero blocks begin). */
function endOfEntries(tar: Buffer): number {
  let off = 0;
  while (off + 512 <= tar.length && tar[off] !== 0) off += 512 + Math.ceil(sizeAt(tar, off) / 512) * 512;
  return off;
}

function sizeAt(tar: Buffer, off: number): number {
  return parseInt(tar.subarray(off + 124, off + 136).toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8);
}

/** What the entries of `tar` (no end blocks) declare in all. */
function expandedSize(tar: Buffer): number {
  let total = 0;
  for (let off = 0; off < tar.length; off += 512 + Math.ceil(sizeAt(tar, off) / 512) * 512) total += sizeAt(tar, off);
  return total;
}

/** A regular-file header made from `template`: another name and size. */
function header(template: Buffer, name: string, size: number): Buffer {
  const out = Buffer.from(template);
  out.fill(0, 0, 100);
  out.write(name, 0, 'latin1');
  return withSize(out, 0, size);
}

const refusal = async (file: string) => {
  const err = await readTrunk(file, { extractTo: join(dir, `x-${n++}`) }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UserError);
  return (err as Error).message;
};

describe('trunk reading limits', () => {
  it('a stream that ends inside an entry', async () => {
    const file = await save(tarBytes.subarray(0, headerOf(tarBytes, '.so') + 512 + 100));
    expect(await refusal(file)).toMatch(new RegExp(`^${file.replace(/[.+]/g, '\\$&')}: damaged tar stream \\(.+\\); the file is truncated or not a trunk$`));
  });

  it('a file larger than the single-file limit, refused at its header', async () => {
    const file = await save(withSize(tarBytes, headerOf(tarBytes, 'tfdemo.db'), 2 ** 31));
    expect(await refusal(file)).toBe(
      `${file}: entry "${TOP}/sys/share/tfdemo/tfdemo.db" is 2147483648 bytes; the limit is 536870912 bytes in one file of a trunk (raise it with --limit trunk-file-bytes=N)`,
    );
  });

  it('entries each within the single-file limit that expand to more than the total, refused at the header that crosses it', async () => {
    // The good trunk's entries, then a file of 512 MiB of zeros (whole, at the single-file limit)
    // and the header of another as large: just over the 1 GiB total.
    const file = join(dir, `big-${n++}`, `${TOP}.trunk`);
    await mkdir(join(file, '..'));
    const entries = tarBytes.subarray(0, endOfEntries(tarBytes));
    const template = tarBytes.subarray(headerOf(tarBytes, 'tfdemo.db'), headerOf(tarBytes, 'tfdemo.db') + 512);
    const mib512 = 512 << 20;
    // A trunk may be any number of gzip members: the zeros are one member, compressed once.
    const zeros = gzipSync(Buffer.alloc(16 << 20), { level: 1 });
    const parts: Buffer[] = [gzipSync(entries)];
    parts.push(gzipSync(header(template, `${TOP}/pgsql/share/a.db`, mib512)), ...Array<Buffer>(32).fill(zeros));
    parts.push(gzipSync(header(template, `${TOP}/pgsql/share/b.db`, mib512)));
    await writeFile(file, Buffer.concat(parts));
    expect(await refusal(file)).toBe(
      `${file}: the entries up to "${TOP}/pgsql/share/b.db" expand to ${2 * mib512 + expandedSize(entries)} bytes; the limit is 1073741824 bytes a trunk expands to (raise it with --limit trunk-bytes=N)`,
    );
  }, 60_000);

  it('more entries than the limit', async () => {
    const many: RawEntry[] = [...raw];
    for (let i = 0; i < 20_001; i++) many.push({ header: { name: `${TOP}/pgsql/share/d${i}/`, type: 'directory', mode: 0o755 }, data: Buffer.alloc(0) });
    const file = join(dir, `many-${n++}`, `${TOP}.trunk`);
    await mkdir(join(file, '..'));
    await packRaw(file, redigest(many));
    expect(await refusal(file)).toBe(`${file}: more than 20000 entries; the limit is 20000 entries in one trunk (raise it with --limit trunk-files=N)`);
  }, 60_000);
});
