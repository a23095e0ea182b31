// A layout directory that holds a link out of itself (copied from elsewhere, an artifact
// unpacked): writing a blob must not follow it. Refused naming the link, nothing written beside.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adoptBlob, blobTempPath, initLayout, putBlob, readBlob, sha256Digest } from '../../src/oci/index.ts';

const work = mkdtempSync(join(tmpdir(), 'trunkfarm-layout-links-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
function layoutWith(link: string): { dir: string; elsewhere: string } {
  const dir = join(work, `layout${n}`);
  const elsewhere = join(work, `elsewhere${n++}`);
  mkdirSync(elsewhere);
  mkdirSync(join(dir, link, '..'), { recursive: true });
  symlinkSync(elsewhere, join(dir, link));
  return { dir, elsewhere };
}

describe('OCI layout writes', () => {
  it('refuses blobs/ linked out of the layout, before making anything in it', async () => {
    const { dir, elsewhere } = layoutWith('blobs');
    await expect(initLayout(dir)).rejects.toThrow(`${join(dir, 'blobs')}: a symlink to ${elsewhere}, outside ${dir}; refusing to write through it`);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('refuses blobs/sha512 linked out of the layout when it is made ready', async () => {
    const { dir, elsewhere } = layoutWith('blobs/sha512');
    await expect(initLayout(dir)).rejects.toThrow(`${join(dir, 'blobs/sha512')}: a symlink to ${elsewhere}, outside ${dir}; refusing to write through it`);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('refuses blobs/sha256 linked out of the layout, for every way a blob is written', async () => {
    const { dir, elsewhere } = layoutWith('blobs/sha256');
    writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}\n');
    const refusal = `${join(dir, 'blobs/sha256')}: a symlink to ${elsewhere}, outside ${dir}; refusing to write through it`;
    await expect(putBlob(dir, Buffer.from('x'))).rejects.toThrow(refusal);
    expect(() => blobTempPath(dir)).toThrow(refusal);
    const tmp = join(work, `tmp${n++}`);
    writeFileSync(tmp, 'y');
    await expect(adoptBlob(dir, tmp, sha256Digest(Buffer.from('y')))).rejects.toThrow(refusal);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('writes and reads a blob in a layout without links', async () => {
    const dir = join(work, `plain${n++}`);
    await initLayout(dir);
    const { digest } = await putBlob(dir, Buffer.from('z'));
    expect((await readBlob(dir, digest)).toString()).toBe('z');
  });
});
