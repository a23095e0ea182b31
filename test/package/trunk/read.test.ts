import { copyFile, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTrunk, readTrunkMeta, writeTrunk } from '../../../src/package/index.ts';
import { file, packRaw, redigest, unpackRaw, type RawEntry } from '../craft.ts';
import { makeStage, sampleMeta, tempDir } from '../fixtures.ts';

const TOP = 'tfdemo-1.2.3+pg15-gnulinux-amd64';
let dir: string;
let good: string;
let raw: RawEntry[];

beforeAll(async () => {
  dir = await tempDir();
  const stage = await makeStage(join(dir, 'stage'));
  good = (await writeTrunk(stage, sampleMeta(), join(dir))).path;
  raw = await unpackRaw(good);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
async function hostile(mutate: (entries: RawEntry[]) => RawEntry[], name = `${TOP}.trunk`): Promise<string> {
  const d = join(dir, `case-${n++}`);
  await import('node:fs/promises').then((fs) => fs.mkdir(d));
  const path = join(d, name);
  await packRaw(path, mutate(raw.map((e) => ({ header: { ...e.header }, data: e.data }))));
  return path;
}

const setJson = (entries: RawEntry[], change: (j: Record<string, unknown>) => void) =>
  redigest(
    entries.map((e) => {
      if (e.header.name !== `${TOP}/trunk.json`) return e;
      const j = JSON.parse(e.data.toString('utf8'));
      change(j);
      return { ...e, data: Buffer.from(JSON.stringify(j)) };
    }),
  );

describe('reading trunks', () => {
  it('accepts its own trunks, and one repacked by another tar writer', async () => {
    const r = await readTrunk(good);
    expect(r.name).toBe(TOP);
    expect(r.parsedName).toMatchObject({ package: 'tfdemo', pg: 15, os: 'gnulinux', arch: 'amd64' });
    const repacked = await hostile((e) => e);
    expect((await readTrunk(repacked)).meta).toEqual(r.meta);
    expect(await readTrunkMeta(good)).toEqual(r.meta);
  });

  const refusals: [string, (e: RawEntry[]) => RawEntry[], RegExp][] = [
    ['a bad digest', (e) => e.map((x) => (x.header.name.endsWith('/LICENSE') ? { ...x, data: Buffer.from('tampered\n') } : x)), /"LICENSE" does not match its digest/],
    ['a missing file', (e) => e.filter((x) => !x.header.name.endsWith('/LICENSE')), /"LICENSE" is listed in digests but missing/],
    ['an extra file', (e) => [...e, file(`${TOP}/pgsql/pkglib/extra.so`, 'x')], /"pgsql\/pkglib\/extra.so" is not listed in digests/],
    ['a ".." entry', (e) => redigest([...e, file(`${TOP}/pgsql/../../evil`, 'x')]), /entry ".*": ".." in path/],
    ['an absolute path', (e) => [...e, file('/tmp/evil', 'x')], /absolute path/],
    ['an entry outside the top directory', (e) => [...e, file('elsewhere/x', 'x')], /outside the top directory/],
    ['a symlink outside', (e) => [...e, { header: { name: `${TOP}/pgsql/pkglib/x.so`, type: 'symlink', linkname: '../../../../etc/passwd' }, data: Buffer.alloc(0) }], /points outside the package/],
    ['an absolute symlink', (e) => [...e, { header: { name: `${TOP}/pgsql/pkglib/x.so`, type: 'symlink', linkname: '/etc/passwd' }, data: Buffer.alloc(0) }], /absolute/],
    [
      'a symlink escaping through another symlink',
      (e) => [
        ...e,
        { header: { name: `${TOP}/pgsql/share/extension/up`, type: 'symlink', linkname: '../../..' }, data: Buffer.alloc(0) },
        { header: { name: `${TOP}/pgsql/share/extension/esc`, type: 'symlink', linkname: 'up/..' }, data: Buffer.alloc(0) },
      ],
      /"pgsql\/share\/extension\/esc": target "up\/.." points outside/,
    ],
    [
      'a file below a symlink',
      (e) => redigest([...e, { header: { name: `${TOP}/pgsql/lnk`, type: 'symlink', linkname: 'share' }, data: Buffer.alloc(0) }, file(`${TOP}/pgsql/lnk/x`, 'x')]),
      /below the symlink "pgsql\/lnk"/,
    ],
    ['a device file', (e) => [...e, { header: { name: `${TOP}/pgsql/null`, type: 'character-device', devmajor: 1, devminor: 3 }, data: Buffer.alloc(0) }], /device file/],
    ['a fifo', (e) => [...e, { header: { name: `${TOP}/pgsql/fifo`, type: 'fifo' }, data: Buffer.alloc(0) }], /fifo/],
    ['a hard link', (e) => [...e, { header: { name: `${TOP}/pgsql/hl`, type: 'link', linkname: `${TOP}/LICENSE` }, data: Buffer.alloc(0) }], /hard link/],
    ['a setuid file', (e) => e.map((x) => (x.header.name.endsWith('/tfdemo-report') ? { ...x, header: { ...x.header, mode: 0o4755 } } : x)), /setuid/],
    ['a setgid directory', (e) => e.map((x) => (x.header.name === `${TOP}/pgsql/` ? { ...x, header: { ...x.header, mode: 0o2755 } } : x)), /setgid/],
    ['a duplicate entry', (e) => [...e, file(`${TOP}/LICENSE`, 'PostgreSQL licence text\n')], /appears twice/],
    ['a newer major format', (e) => setJson(e, (j) => void (j.trunk = '2.0.0')), /trunk format 2.0.0 is newer than this reader/],
    ['an older major format', (e) => setJson(e, (j) => void (j.trunk = '0.1.0')), /predates/],
    ['metadata that contradicts the name', (e) => setJson(e, (j) => void ((j.package as { version: string }).version = '9.9.9')), /trunk.json says version 9.9.9/],
    ['no trunk.json', (e) => redigest(e.filter((x) => !x.header.name.endsWith('/trunk.json'))), /no trunk.json/],
    ['no digests', (e) => e.filter((x) => !x.header.name.endsWith('/digests')), /no digests/],
    ['MD5 digests', (e) => e.map((x) => (x.header.name.endsWith('/digests') ? { ...x, data: Buffer.from('MD5 (LICENSE) = d41d8cd98f00b204e9800998ecf8427e\n') } : x)), /MD5 and SHA-1 are not allowed/],
  ];

  it.each(refusals)('refuses %s, naming the entry, and leaves nothing unpacked', async (_what, mutate, why) => {
    const path = await hostile(mutate);
    const out = join(dir, `out-${n++}`);
    await expect(readTrunk(path, { extractTo: out })).rejects.toThrow(why);
    await expect(stat(out)).rejects.toThrow(/ENOENT/);
  });

  it('warns about a newer minor format and reads it', async () => {
    const path = await hostile((e) => setJson(e, (j) => void (j.trunk = '1.7.0')));
    const r = await readTrunk(path);
    expect(r.warnings).toEqual([expect.stringMatching(/1.7.0 is newer than this reader/)]);
  });

  it('refuses a file whose name disagrees with its top directory', async () => {
    const path = await hostile((e) => e, 'other-1.2.3+pg15-gnulinux-amd64.trunk');
    await expect(readTrunk(path)).rejects.toThrow(/top directory "tfdemo-1.2.3\+pg15-gnulinux-amd64" does not match the file name/);
  });

  it('refuses ZIP, garbage and truncated files with a clear reason', async () => {
    const zip = join(dir, 'z.trunk');
    await writeFile(zip, Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(100)]));
    await expect(readTrunk(zip)).rejects.toThrow(/a ZIP trunk/);
    const junk = join(dir, 'junk.trunk');
    await writeFile(junk, 'hello');
    await expect(readTrunk(junk)).rejects.toThrow(/not a trunk/);
    const cut = join(dir, 'cut', `${TOP}.trunk`);
    await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'cut')));
    await copyFile(good, cut);
    await truncate(cut, Math.floor((await stat(good)).size / 2));
    await expect(readTrunk(cut)).rejects.toThrow();
    await expect(readTrunk(join(dir, 'nothere.trunk'))).rejects.toThrow(/no such file/);
    expect((await readFile(good)).length).toBeGreaterThan(0);
  });
});
