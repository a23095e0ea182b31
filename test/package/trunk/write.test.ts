import { execFileSync } from 'node:child_process';
import { chmod, cp, mkdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTrunk, trunkJson, writeTrunk } from '../../../src/package/index.ts';
import { makeStage, put, sampleMeta, tempDir } from '../fixtures.ts';
import { rm } from 'node:fs/promises';

const dirs: string[] = [];
async function scratch(): Promise<string> {
  const d = await tempDir();
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('writing trunks', () => {
  it('gives byte-identical files for the same staged content, whatever the mtimes, umask and path', async () => {
    const d = await scratch();
    const a = await makeStage(join(d, 'a'));
    const b = join(d, 'elsewhere', 'b');
    await mkdir(join(d, 'elsewhere'));
    await cp(a, b, { recursive: true, verbatimSymlinks: true });
    // Other times, other permission bits on the second copy.
    await utimes(join(b, 'LICENSE'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    await utimes(join(b, 'pgsql/pkglib/tfdemo.so'), new Date(), new Date(1999, 1, 1));
    await chmod(join(b, 'pgsql/share/extension/tfdemo.control'), 0o600);
    await chmod(join(b, 'pgsql/pkglib/libtfdemohelper.so.1.0.0'), 0o700);
    await chmod(join(b, 'pgsql/doc'), 0o700);
    await chmod(join(b, 'pgsql/bin/tfdemo-report'), 0o700);
    const t1 = await writeTrunk(a, sampleMeta(), await scratch());
    const t2 = await writeTrunk(a, sampleMeta(), await scratch());
    const t3 = await writeTrunk(b, sampleMeta(), await scratch());
    const bytes = await readFile(t1.path);
    expect((await readFile(t2.path)).equals(bytes)).toBe(true);
    expect((await readFile(t3.path)).equals(bytes)).toBe(true);
    expect(t3.sha256).toBe(t1.sha256);
    // ...and different content gives a different file.
    await writeFile(join(b, 'LICENSE'), 'changed\n');
    const t4 = await writeTrunk(b, sampleMeta(), await scratch());
    expect(t4.sha256).not.toBe(t1.sha256);
  });

  it('writes the layout RFC 2 describes, with normalised headers, readable by GNU tar and sha256sum', async () => {
    const d = await scratch();
    const stage = await makeStage(join(d, 'stage'));
    const t = await writeTrunk(stage, sampleMeta(), await scratch());
    expect(t.path.endsWith('/tfdemo-1.2.3+pg15-gnulinux-amd64.trunk')).toBe(true);
    const listing = execFileSync('tar', ['--numeric-owner', '--full-time', '-tvzf', t.path], { encoding: 'utf8' }).trim().split('\n');
    const top = 'tfdemo-1.2.3+pg15-gnulinux-amd64';
    const names = listing.map((l) => l.split(/\s+/).slice(5).join(' '));
    expect(names.slice(0, 3)).toEqual([`${top}/`, `${top}/trunk.json`, `${top}/digests`]);
    const rest = names.slice(3).map((n) => n.replace(/ -> .*/, ''));
    expect(rest).toEqual([...rest].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
    for (const line of listing) {
      const [mode, owner, , date, time] = line.split(/\s+/);
      expect(owner).toBe('0/0');
      expect(`${date} ${time}`).toBe('2023-11-14 22:13:20');
      expect(['drwxr-xr-x', '-rw-r--r--', '-rwxr-xr-x', 'lrwxrwxrwx']).toContain(mode);
    }
    expect(listing.find((l) => l.includes('pgsql/pkglib/libtfdemohelper.so.1 '))).toMatch(/^lrwxrwxrwx .* -> libtfdemohelper\.so\.1\.0\.0$/);
    expect(listing.find((l) => l.endsWith('pgsql/pkglib/libtfdemohelper.so.1.0.0'))).toMatch(/^-rwxr-xr-x/); // .so: 0755
    expect(listing.find((l) => l.endsWith('trunk.json'))).toMatch(/^-rw-r--r--/);

    const out = await scratch();
    execFileSync('tar', ['-xzf', t.path, '-C', out]);
    const check = execFileSync('sha256sum', ['-c', 'digests'], { cwd: join(out, top), encoding: 'utf8' });
    expect(check).toContain('trunk.json: OK');
    expect(check).toContain('pgsql/pkglib/libtfdemohelper.so.1: OK');
    expect(check.split('\n').filter(Boolean).every((l) => l.endsWith(': OK'))).toBe(true);

    const json = JSON.parse(await readFile(join(out, top, 'trunk.json'), 'utf8'));
    expect(json).toEqual(JSON.parse(JSON.stringify(trunkJson(sampleMeta()))));
    expect(json.trunk).toBe('1.1.0');
    expect(json.runtime).toEqual({ libc: 'glibc', version: '2.36' });
    expect(json.platform).toEqual({ os: 'gnulinux', arch: 'amd64', isa: 'x86-64' });
    expect(json.postgres).toMatchObject({ version: '15.18', major: '15', number: 150018 });
    expect(json.dependencies.bundled[0]).toMatchObject({ soname: 'libtfdemohelper.so.1', license: 'MIT' });
    // No build paths or host names in the metadata.
    const text = await readFile(join(out, top, 'trunk.json'), 'utf8');
    expect(text).not.toContain(stage);
    expect(text).not.toContain(execFileSync('hostname', { encoding: 'utf8' }).trim());
  });

  it('round-trips: what is read back is what was staged', async () => {
    const d = await scratch();
    const stage = await makeStage(join(d, 'stage'));
    const meta = sampleMeta();
    const t = await writeTrunk(stage, meta, await scratch());
    const out = join(await scratch(), 'x');
    const r = await readTrunk(t.path, { extractTo: out });
    expect(r.meta).toEqual(meta);
    expect(r.sha256).toBe(t.sha256);
    expect(r.warnings).toEqual([]);
    expect(r.format).toBe('1.1.0');
    expect(r.digests).toEqual(t.digests);
    for (const e of r.entries.filter((x) => x.type === 'file' && x.path !== 'trunk.json' && x.path !== 'digests')) {
      expect((await readFile(join(out, e.path))).equals(await readFile(join(stage, e.path)))).toBe(true);
    }
    expect(r.entries.find((e) => e.path === 'pgsql/bin/tfdemo-report')?.interpreter).toBe('perl');
  });

  it('splits large content into several gzip members that every gunzip reads', async () => {
    const d = await scratch();
    const stage = await makeStage(join(d, 'stage'));
    // 9 MiB of not very compressible data: at least three 4 MiB members.
    const big = Buffer.alloc(9 << 20);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
    await put(stage, 'pgsql/pkglib/big.so', big);
    const t = await writeTrunk(stage, sampleMeta(), await scratch());
    const raw = await readFile(t.path);
    let members = 0;
    for (let i = 0; i + 3 < raw.length; i++) if (raw[i] === 0x1f && raw[i + 1] === 0x8b && raw[i + 2] === 8 && raw[i + 3] === 0) members++;
    expect(members).toBeGreaterThanOrEqual(3);
    execFileSync('gzip', ['-t'], { input: raw });
    const r = await readTrunk(t.path);
    expect(r.entries.find((e) => e.path === 'pgsql/pkglib/big.so')?.size).toBe(big.length);
  });

  it('packages a licence that contents.license_files placed under licenses/, the fix its refusal names', async () => {
    const stage = await makeStage(join(await scratch(), 'stage'));
    await rm(join(stage, 'LICENSE'));
    await rm(join(stage, 'licenses'), { recursive: true });
    await put(stage, 'licenses/README.md', 'Licence: GPL-2.0-or-later\n');
    const t = await writeTrunk(stage, sampleMeta(), await scratch());
    expect((await readTrunk(t.path)).entries.map((e) => e.path)).toContain('licenses/README.md');
  });

  it('refuses stages it cannot package faithfully', async () => {
    const cases: [string, (s: string) => Promise<void>, RegExp][] = [
      ['a fifo', async (s) => void execFileSync('mkfifo', [join(s, 'pgsql/pkglib/fifo')]), /fifo or socket/],
      ['a symlink outside', async (s) => symlink('../../../../etc/passwd', join(s, 'pgsql/pkglib/evil.so')), /outside the package/],
      ['an absolute symlink', async (s) => symlink('/etc/passwd', join(s, 'pgsql/pkglib/evil.so')), /absolute/],
      ['a dangling symlink', async (s) => symlink('nothere.so', join(s, 'pgsql/pkglib/evil.so')), /not in the package/],
      ['a setuid file', async (s) => { await put(s, 'pgsql/bin/su', 'x', 0o755); await chmod(join(s, 'pgsql/bin/su'), 0o4755); }, /setuid/],
      ['an unknown pgsql dir', async (s) => put(s, 'pgsql/etc/x', 'x'), /pg_config directories/],
      ['junk at the top', async (s) => put(s, 'Makefile', 'all:'), /unexpected at the top/],
      ['a reserved name', async (s) => put(s, 'trunk.json', '{}'), /unexpected at the top/],
      ['no licence', async (s) => { await rm(join(s, 'LICENSE')); await rm(join(s, 'licenses'), { recursive: true }); }, /no licence text .*list that file in the matrix entry's contents\.license_files/],
      ['a missing control file', async (s) => rm(join(s, 'pgsql/share/extension/tfdemo.control')), /lacks: pgsql\/share\/extension\/tfdemo.control/],
    ];
    for (const [what, spoil, why] of cases) {
      const d = await scratch();
      const stage = await makeStage(join(d, 'stage'));
      await spoil(stage);
      const out = await scratch();
      await expect(writeTrunk(stage, sampleMeta(), out), what).rejects.toThrow(why);
      expect(execFileSync('ls', ['-A', out], { encoding: 'utf8' }), `${what}: no output left`).toBe('');
    }
  });
});
