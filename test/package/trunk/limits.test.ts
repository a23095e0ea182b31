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

  it('more entries than the limit', async () => {
    const many: RawEntry[] = [...raw];
    for (let i = 0; i < 20_001; i++) many.push({ header: { name: `${TOP}/pgsql/share/d${i}/`, type: 'directory', mode: 0o755 }, data: Buffer.alloc(0) });
    const file = join(dir, `many-${n++}`, `${TOP}.trunk`);
    await mkdir(join(file, '..'));
    await packRaw(file, redigest(many));
    expect(await refusal(file)).toBe(`${file}: more than 20000 entries; the limit is 20000 entries in one trunk (raise it with --limit trunk-files=N)`);
  }, 60_000);
});
