// An image's layers read into one view as a container engine stacks them (OCI whiteouts).
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { layeredTarRoot } from '../../src/closure/rootfs.ts';

async function layer(files: Record<string, string | null>): Promise<Readable> {
  const pack = tar.pack();
  for (const [name, text] of Object.entries(files)) {
    if (text === null) pack.entry({ name, type: 'directory' });
    else pack.entry({ name }, text);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as AsyncIterable<Buffer>) chunks.push(c);
  return Readable.from([Buffer.concat(chunks)]);
}

describe('layered root filesystem', () => {
  it('applies whiteouts and opaque directories of later layers', async () => {
    const view = await layeredTarRoot(
      [
        await layer({ 'a/x': 'x', 'a/y': 'y', 'b/z': 'z', 'c/d/e': 'e' }),
        () => layer({ 'a/.wh.x': '', 'b/.wh..wh..opq': '', 'b/w': 'w', 'c/.wh.d': '' }),
        () => layer({ 'c/d': 'now a file', 'a/y': 'y2' }),
      ],
      'test',
      () => 'data',
    );
    expect(view.lstat('/a/x')).toBeUndefined();
    expect(view.readFile('/a/y')?.toString()).toBe('y2');
    expect(view.readdir('/b')?.sort()).toEqual(['w']);
    expect(view.lstat('/c/d')?.kind).toBe('file');
    expect(view.lstat('/c/d/e')).toBeUndefined();
    expect(view.readdir('/a')).toEqual(['y']);
  });

  it('keeps whiteout names as plain files when told the stream is one root filesystem', async () => {
    const view = await layeredTarRoot([await layer({ 'a/.wh.x': '' })], 'test', () => undefined, { whiteouts: false });
    expect(view.lstat('/a/.wh.x')?.kind).toBe('file');
  });
});
