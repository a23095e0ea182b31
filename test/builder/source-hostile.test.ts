// Hostile sources: a tarball whose entries name paths outside it, link out of it, or are device
// nodes and FIFOs; a patch that touches a path outside the source or through a link out of it.
// Each is refused naming the entry (or the patch's line), with nothing left in the build folder
// and nothing changed beside it.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar, { type Header } from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPatches, unpackSource } from '../../src/builder/source.ts';
import { UserError } from '../../src/errors.ts';

const work = mkdtempSync(join(tmpdir(), 'trunkfarm-source-hostile-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Beside every target: what must stay as it is.
const sentinel = join(work, 'sentinel');
mkdirSync(sentinel);
writeFileSync(join(sentinel, 'f'), 'orig\n');
const untouched = () => expect(readdirSync(sentinel).map((n) => [n, readFileSync(join(sentinel, n), 'utf8')])).toEqual([['f', 'orig\n']]);

async function tarball(name: string, entries: (Partial<Header> & { name: string; data?: string })[]): Promise<string> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const c of pack as unknown as AsyncIterable<Buffer>) chunks.push(c);
  })();
  for (const { data, ...h } of [{ name: 'pkg-1/Makefile', data: 'all:\n' }, ...entries]) {
    await new Promise<void>((resolve, reject) => pack.entry(h, data ?? '', (err) => (err ? reject(err) : resolve())));
  }
  pack.finalize();
  await collected;
  const file = join(work, `${name}.tar.gz`);
  writeFileSync(file, gzipSync(Buffer.concat(chunks)));
  return file;
}

async function refused(file: string): Promise<string> {
  const build = mkdtempSync(join(work, 'build-'));
  const err = await unpackSource(file, join(build, 'src')).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UserError);
  expect(readdirSync(build)).toEqual([]); // neither the target nor a half-unpacked temporary
  untouched();
  return (err as Error).message;
}

describe('unpacking a hostile tarball', () => {
  it('an entry named with ..', async () => {
    const file = await tarball('dotdot', [{ name: 'pkg-1/../../sentinel/f', data: 'pwned\n' }]);
    expect(await refused(file)).toBe(`${file}: entry "pkg-1/../../sentinel/f" names a path outside the source; refusing to unpack it`);
  });

  it('an absolute entry name', async () => {
    const file = await tarball('absolute', [{ name: `${sentinel}/f`, data: 'pwned\n' }]);
    expect(await refused(file)).toMatch(`names a path outside the source`);
  });

  it('a symlink out of the source, and a file written through it', async () => {
    const file = await tarball('through', [
      { name: 'pkg-1/out', type: 'symlink', linkname: sentinel },
      { name: 'pkg-1/out/f', data: 'pwned\n' },
    ]);
    expect(await refused(file)).toMatch(new RegExp(`^cannot unpack ${file}: .*out/f`, 's'));
  });

  it('a symlink to a file of the build machine', async () => {
    const file = await tarball('abs-link', [{ name: 'pkg-1/LICENSE', type: 'symlink', linkname: '/etc/passwd' }]);
    expect(await refused(file)).toBe(`${file}: entry "LICENSE" is a symlink to /etc/passwd, outside the source; refusing to use it`);
  });

  it('a relative symlink that climbs out', async () => {
    const file = await tarball('rel-link', [{ name: 'pkg-1/doc/up', type: 'symlink', linkname: '../../sentinel' }]);
    expect(await refused(file)).toBe(`${file}: entry "doc/up" is a symlink to ../../sentinel, outside the source; refusing to use it`);
  });

  it('a hard link to a file outside', async () => {
    const file = await tarball('hard-link', [{ name: 'pkg-1/h', type: 'link', linkname: `${sentinel}/f` }]);
    expect(await refused(file)).toMatch(new RegExp(`^cannot unpack ${file}: .*Cannot hard link`, 's'));
  });

  it('a block device and a FIFO', async () => {
    const dev = await tarball('device', [{ name: 'pkg-1/disk', type: 'block-device', devmajor: 8, devminor: 0 }]);
    expect(await refused(dev)).toBe(`${dev}: entry "disk" is a device, FIFO or socket; a source holds only files, directories and symlinks`);
    const fifo = await tarball('fifo', [{ name: 'pkg-1/COPYING', type: 'fifo' }]);
    expect(await refused(fifo)).toBe(`${fifo}: entry "COPYING" is a device, FIFO or socket; a source holds only files, directories and symlinks`);
  });

  it('links that stay inside are kept', async () => {
    const file = await tarball('inside', [
      { name: 'pkg-1/src/', type: 'directory' },
      { name: 'pkg-1/src/a.c', data: 'int a;\n' },
      { name: 'pkg-1/b.c', type: 'symlink', linkname: 'src/a.c' },
      { name: 'pkg-1/c.c', type: 'link', linkname: 'pkg-1/src/a.c' },
    ]);
    const to = join(work, 'inside');
    await unpackSource(file, to);
    expect(readFileSync(join(to, 'b.c'), 'utf8')).toBe('int a;\n');
    expect(readFileSync(join(to, 'c.c'), 'utf8')).toBe('int a;\n');
  });
});

describe('patches that reach out of the source', () => {
  const patch = (name: string, target: string) => {
    const file = join(work, name);
    writeFileSync(file, `--- a/${target}\n+++ b/${target}\n@@ -1 +1 @@\n-orig\n+pwned\n`);
    return { file: name, path: file };
  };
  const source = () => {
    const dir = mkdtempSync(join(work, 'src-'));
    writeFileSync(join(dir, 'a.c'), 'orig\n');
    symlinkSync(sentinel, join(dir, 'up'));
    symlinkSync(join(sentinel, 'f'), join(dir, 'f'));
    return dir;
  };

  it('a path with ..', async () => {
    const p = patch('dotdot.patch', '../sentinel/f');
    await expect(applyPatches(source(), [p])).rejects.toThrow(new UserError('dotdot.patch:1: the patch touches ../sentinel/f, outside the source'));
    untouched();
  });

  it('a path through a directory linked out of the source', async () => {
    const dir = source();
    const p = patch('through.patch', 'up/f');
    await expect(applyPatches(dir, [p])).rejects.toThrow(new UserError(`through.patch:1: ${join(dir, 'up')}: a symlink to ${sentinel}, outside ${dir}; refusing to write through it`));
    untouched();
  });

  it('a file that is a link out of the source', async () => {
    const dir = source();
    await expect(applyPatches(dir, [patch('link.patch', 'f')])).rejects.toThrow(`link.patch:1: ${join(dir, 'f')}: a symlink to ${join(sentinel, 'f')}, outside ${dir}`);
    untouched();
  });

  it('a patch inside the source applies', async () => {
    const dir = source();
    await applyPatches(dir, [patch('fine.patch', 'a.c')]);
    expect(readFileSync(join(dir, 'a.c'), 'utf8')).toBe('pwned\n');
  });
});
