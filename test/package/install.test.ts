// Installs into the real PostgreSQL 15 of this machine (its pg_config), under package names no
// one else uses, and removes them again.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, copyFile, lstat, mkdir, readdir, readFile, readlink, realpath, rm, rmdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installTrunk, probePgConfig, uninstallTrunk, writeTrunk, type PackageMeta } from '../../src/package/index.ts';
import { generateKeyFiles, loadSigningKey, signArtifact } from '../../src/sign/index.ts';
import { runCli } from '../support/cli.ts';
import { file, packRaw, redigest, unpackRaw, type RawEntry } from './craft.ts';
import { forPg, makeStage, PG15_CONFIG, put, sampleMeta, tempDir, uniqueName } from './fixtures.ts';

let dir: string;
let dirs: Record<string, string>;
const installed: { trunk: string; target: { pgConfig: string } | { extensionsDir: string } }[] = [];

beforeAll(async () => {
  if (!existsSync(PG15_CONFIG)) throw new Error(`these tests need ${PG15_CONFIG}: apt-get install postgresql-15`);
  dir = await tempDir();
  dirs = (await probePgConfig(PG15_CONFIG)).dirs!;
});
afterAll(async () => {
  for (const i of installed) await uninstallTrunk(i.trunk, i.target).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
/** A trunk for a fresh package name; `change` edits its metadata or stage first. */
async function trunkFor(options: { meta?: (m: PackageMeta) => PackageMeta; stage?: (s: string, name: string) => Promise<void> } = {}) {
  const name = uniqueName();
  const stage = await makeStage(join(dir, `stage-${n++}`), name);
  await options.stage?.(stage, name);
  const meta = (options.meta ?? ((m) => m))(sampleMeta({ name }));
  const out = join(dir, `out-${n++}`);
  await mkdir(out);
  const t = await writeTrunk(stage, meta, out);
  return { name, path: t.path, meta };
}

/** Every path under the PostgreSQL 15 trees the installs touch, with type and size. */
async function snapshot(): Promise<string[]> {
  const out: string[] = [];
  const walk = async (p: string): Promise<void> => {
    const st = await lstat(p).catch(() => undefined);
    if (!st) return;
    out.push(`${p} ${st.isDirectory() ? 'd' : st.isSymbolicLink() ? `l:${await readlink(p)}` : `f:${st.size}:${(st.mode & 0o7777).toString(8)}`}`);
    if (st.isDirectory()) for (const c of (await readdir(p)).sort()) await walk(join(p, c));
  };
  for (const root of ['/usr/share/postgresql/15', '/usr/lib/postgresql/15', dirs.docdir!]) await walk(root);
  return out;
}

describe('install --pg-config (real PostgreSQL 15)', () => {
  it('installs into pg_config directories, then uninstalls exactly', async () => {
    const before = await snapshot();
    const t = await trunkFor();
    const r = await installTrunk(t.path, { pgConfig: PG15_CONFIG });
    installed.push({ trunk: t.path, target: { pgConfig: PG15_CONFIG } });
    const N = t.name;
    const expected = [
      `${dirs.sharedir}/extension/${N}.control`,
      `${dirs.sharedir}/extension/${N}--1.2.3.sql`,
      `${dirs.pkglibdir}/${N}.so`,
      `${dirs.pkglibdir}/lib${N}helper.so.1`,
      `${dirs.pkglibdir}/lib${N}helper.so.1.0.0`,
      `${dirs.bindir}/${N}-report`,
      `${dirs.docdir}/extension/${N}.md`,
      `${dirs.docdir}/extension/${N}/LICENSE`,
      `${dirs.docdir}/extension/${N}/licenses/lib${N}helper/COPYING`,
      // sys/share/NAME sits at <pkglibdir>/../share/NAME: where a bundled library in pkglibdir
      // finds its data by a path relative to itself.
      `/usr/lib/postgresql/15/share/${N}/${N}.db`,
    ].sort();
    expect(r.installed).toEqual(expected);
    expect(await readlink(`${dirs.pkglibdir}/lib${N}helper.so.1`)).toBe(`lib${N}helper.so.1.0.0`);
    expect((await stat(`${dirs.pkglibdir}/${N}.so`)).mode & 0o777).toBe(0o755);
    expect((await stat(`${dirs.sharedir}/extension/${N}.control`)).mode & 0o777).toBe(0o644);
    // RFC 2's `#!perl` becomes the interpreter found on PATH.
    expect((await readFile(`${dirs.bindir}/${N}-report`, 'utf8')).split('\n')[0]).toMatch(/^#!\/.*\/perl$/);
    // pg_config installs keep '$libdir/...' as it is: there it is the right directory.
    expect(await readFile(`${dirs.sharedir}/extension/${N}--1.2.3.sql`, 'utf8')).toContain(`'$libdir/${N}'`);
    const manifest = JSON.parse(await readFile(r.manifest, 'utf8'));
    expect(manifest.files).toHaveLength(9);
    expect(manifest.symlinks).toEqual([{ path: `${dirs.pkglibdir}/lib${N}helper.so.1`, target: `lib${N}helper.so.1.0.0` }]);

    // Installing again is refused, and so is installing over a file that is not ours.
    await expect(installTrunk(t.path, { pgConfig: PG15_CONFIG })).rejects.toThrow(new RegExp(`${N} 1.2.3 is already installed`));

    const u = await uninstallTrunk(t.path, { pgConfig: PG15_CONFIG });
    installed.pop();
    expect(u.removed).toEqual(expected);
    expect(await snapshot()).toEqual(before);
    await expect(uninstallTrunk(t.path, { pgConfig: PG15_CONFIG })).rejects.toThrow(/was not installed by trunkfarm/);
  });

  it('refuses to overwrite a file it did not install', async () => {
    const t = await trunkFor();
    const theirs = `${dirs.pkglibdir}/${t.name}.so`;
    await writeFile(theirs, 'installed by someone else');
    try {
      const before = await snapshot();
      await expect(installTrunk(t.path, { pgConfig: PG15_CONFIG })).rejects.toThrow(`refusing to overwrite files not installed by trunkfarm: ${theirs}`);
      expect(await snapshot()).toEqual(before);
    } finally {
      await rm(theirs);
    }
  });

  const refusals: [string, Parameters<typeof trunkFor>[0], RegExp][] = [
    ['the wrong Postgres major', { meta: (m) => forPg(m, 16) }, /built for PostgreSQL 16, the target is PostgreSQL 15\.\d+/],
    ['the wrong libc', { meta: (m) => ({ ...m, platform: { os: 'musllinux', arch: 'amd64', libc: 'musl' } }) }, /built for musl, the target uses glibc/],
    ['the wrong arch', { meta: (m) => ({ ...m, platform: { os: 'gnulinux', arch: 'arm64', libc: 'glibc' } }) }, /built for arm64, the target is amd64/],
    ['a newer glibc', { meta: (m) => ({ ...m, platform: { ...m.platform, libcVersion: '9.99' } }) }, /needs glibc 9.99 or later/],
    ['a missing interpreter', { stage: (s, name) => put(s, `pgsql/bin/${name}-report`, '#!no-such-interpreter\n', 0o755) }, /needs the interpreter "no-such-interpreter"/],
  ];
  it.each(refusals)('refuses %s and leaves the target as it was', async (_what, options, why) => {
    const t = await trunkFor(options);
    const before = await snapshot();
    await expect(installTrunk(t.path, { pgConfig: PG15_CONFIG })).rejects.toThrow(why);
    expect(await snapshot()).toEqual(before);
  });

  const hostile: [string, (e: RawEntry[], top: string) => RawEntry[], RegExp][] = [
    ['a bad digest', (e) => e.map((x) => (x.header.name.endsWith('/LICENSE') ? { ...x, data: Buffer.from('tampered') } : x)), /does not match its digest/],
    ['a missing file', (e) => e.filter((x) => !x.header.name.endsWith('/LICENSE')), /listed in digests but missing/],
    ['an extra file', (e, top) => [...e, file(`${top}/pgsql/pkglib/extra.so`, 'x')], /not listed in digests/],
    ['a ".." entry', (e, top) => redigest([...e, file(`${top}/pgsql/../../../evil`, 'x')]), /".." in path/],
    ['an absolute path', (e) => [...e, file('/tmp/evil-trunkfarm', 'x')], /absolute path/],
    ['a symlink pointing outside', (e, top) => [...e, { header: { name: `${top}/pgsql/pkglib/evil.so`, type: 'symlink', linkname: '../../../../etc/shadow' }, data: Buffer.alloc(0) }], /points outside/],
    ['a device file', (e, top) => [...e, { header: { name: `${top}/pgsql/pkglib/null`, type: 'character-device', devmajor: 1, devminor: 3 }, data: Buffer.alloc(0) }], /device file/],
    ['a setuid file', (e) => e.map((x) => (x.header.name.endsWith('-report') ? { ...x, header: { ...x.header, mode: 0o4755 } } : x)), /setuid/],
  ];
  it.each(hostile)('refuses a trunk with %s before touching the target', async (_what, mutate, why) => {
    const t = await trunkFor();
    const top = t.path.split('/').pop()!.replace(/\.trunk$/, '');
    const entries = await unpackRaw(t.path);
    await packRaw(t.path, mutate(entries, top));
    const before = await snapshot();
    await expect(installTrunk(t.path, { pgConfig: PG15_CONFIG })).rejects.toThrow(why);
    expect(await snapshot()).toEqual(before);
  });

  it('rolls back when the commit fails half way', async () => {
    const t = await trunkFor();
    const before = await snapshot();
    await expect(
      installTrunk(t.path, { pgConfig: PG15_CONFIG }, {
        onCommitStep: (i) => {
          if (i === 4) throw new Error('disk full (simulated)');
        },
      }),
    ).rejects.toThrow('disk full (simulated)');
    expect(await snapshot()).toEqual(before);
  });

  it('recovers from a process killed half way through the commit', async () => {
    const t = await trunkFor();
    const before = await snapshot();
    try {
      const child = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support/kill-mid-install.ts'), t.path, PG15_CONFIG, '5'], {
        encoding: 'utf8',
        // Its scratch directory, which a killed process cannot remove, lands in ours.
        env: { ...process.env, TMPDIR: dir },
      });
      expect(child.signal, child.stderr).toBe('SIGKILL');
      // Killed: some files are in place, the journal says what to undo.
      const journal = `${dirs.pkglibdir}.trunkfarm/${t.name}.journal.json`;
      expect(existsSync(journal)).toBe(true);
      expect(existsSync(`${dirs.sharedir}/extension/${t.name}.control`) || existsSync(`${dirs.bindir}/${t.name}-report`)).toBe(true);
      // The next install of that package rolls back first, then installs cleanly.
      const r = await installTrunk(t.path, { pgConfig: PG15_CONFIG });
      expect(r.installed).toHaveLength(10);
      expect(existsSync(journal)).toBe(false);
    } finally {
      // Whatever happened above, leave PostgreSQL as it was: an install recovers, uninstall removes.
      await installTrunk(t.path, { pgConfig: PG15_CONFIG }).catch(() => {});
      await uninstallTrunk(t.path, { pgConfig: PG15_CONFIG });
    }
    expect(await snapshot()).toEqual(before);
  }, 120_000);

  it('refuses to uninstall a file changed since, and keeps files it did not install', async () => {
    const t = await trunkFor();
    const before = await snapshot();
    await installTrunk(t.path, { pgConfig: PG15_CONFIG });
    installed.push({ trunk: t.path, target: { pgConfig: PG15_CONFIG } });
    const control = `${dirs.sharedir}/extension/${t.name}.control`;
    const original = await readFile(control);
    await writeFile(control, 'edited by hand\n');
    const mid = await snapshot();
    await expect(uninstallTrunk(t.path, { pgConfig: PG15_CONFIG })).rejects.toThrow(`refusing to uninstall: changed since it was installed: ${control}`);
    expect(await snapshot()).toEqual(mid);
    await writeFile(control, original);
    // A file someone added to a directory the install created stays, and so does the directory.
    const added = `/usr/lib/postgresql/15/share/${t.name}/user-notes.txt`;
    await writeFile(added, 'mine\n');
    const u = await uninstallTrunk(t.path, { pgConfig: PG15_CONFIG });
    installed.pop();
    expect(u.removed).not.toContain(added);
    expect(await readFile(added, 'utf8')).toBe('mine\n');
    await rm(`/usr/lib/postgresql/15/share/${t.name}`, { recursive: true });
    await rmdir('/usr/lib/postgresql/15/share').catch(() => {}); // created by the install
    expect(await snapshot()).toEqual(before);
  });
});

describe('install --extensions-dir (PostgreSQL 18 layout)', () => {
  it('lays the package out as DIR/NAME, rewrites $libdir literals, prints the settings, uninstalls', async () => {
    const t = await trunkFor({ meta: (m) => forPg(m, 18) });
    const ext = join(dir, 'extensions');
    const cli = await runCli(['install', t.path, '--extensions-dir', ext]);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    const root = join(ext, t.name);
    expect(cli.stdout).toContain(`extension_control_path = '$system:${root}/share'`);
    expect(cli.stdout).toContain(`dynamic_library_path = '$libdir:${root}/lib'`);
    const N = t.name;
    const list = execFileSync('find', ['.', '-printf', '%y %m %p\n'], { cwd: root, encoding: 'utf8' }).trim().split('\n').sort();
    expect(list).toEqual(
      [
        'd 755 .',
        'f 644 ./.trunkfarm-install.json',
        'd 755 ./bin',
        `f 755 ./bin/${N}-report`,
        'd 755 ./lib',
        `l 777 ./lib/lib${N}helper.so.1`,
        `f 755 ./lib/lib${N}helper.so.1.0.0`,
        `f 755 ./lib/${N}.so`,
        'd 755 ./licenses',
        `d 755 ./licenses/lib${N}helper`,
        `f 644 ./licenses/lib${N}helper/COPYING`,
        `d 755 ./licenses/${N}`,
        `f 644 ./licenses/${N}/LICENSE`,
        'd 755 ./share',
        'd 755 ./share/doc',
        'd 755 ./share/doc/extension',
        `f 644 ./share/doc/extension/${N}.md`,
        'd 755 ./share/extension',
        `f 644 ./share/extension/${N}--1.2.3.sql`,
        `f 644 ./share/extension/${N}.control`,
        `d 755 ./share/${N}`,
        `f 644 ./share/${N}/${N}.db`,
      ].sort(),
    );
    const sql = await readFile(join(root, `share/extension/${N}--1.2.3.sql`), 'utf8');
    expect(sql).toContain(`AS '${N}', '${N}_hello'`);
    expect(sql).not.toContain('$libdir');
    expect(sql).toContain("AS 'MODULE_PATHNAME'");
    // The control file is left alone: PostgreSQL 18 strips `$libdir/` from module_pathname itself.
    expect(await readFile(join(root, `share/extension/${N}.control`), 'utf8')).toContain(`module_pathname = '$libdir/${N}'`);

    const again = await runCli(['install', t.path, '--extensions-dir', ext]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`${root} exists: ${N} is already installed there`);

    const u = await runCli(['install', t.path, '--extensions-dir', ext, '--uninstall']);
    expect(u.stdout).toBe(`removed ${N} 1.2.3: 10 file(s)\n`);
    expect(await readdir(ext)).toEqual([]);
  });

  it('refuses a package for PostgreSQL before 18, and checks against a pg_config when given one', async () => {
    const ext = join(dir, 'extensions-2');
    const old = await trunkFor();
    await expect(installTrunk(old.path, { extensionsDir: ext })).rejects.toThrow(/needs PostgreSQL 18 or later/);
    const pg18 = await trunkFor({ meta: (m) => forPg(m, 18) });
    await expect(installTrunk(pg18.path, { extensionsDir: ext, pgConfig: PG15_CONFIG })).rejects.toThrow(/built for PostgreSQL 18, the target is PostgreSQL 15/);
    expect(await readdir(ext)).toEqual([]);
  });

  it('leaves DIR as it was when interrupted before the final rename', async () => {
    const ext = join(dir, 'extensions-3');
    const t = await trunkFor({ meta: (m) => forPg(m, 18) });
    await expect(
      installTrunk(t.path, { extensionsDir: ext }, {
        onCommitStep: () => {
          throw new Error('interrupted (simulated)');
        },
      }),
    ).rejects.toThrow('interrupted (simulated)');
    expect(await readdir(ext)).toEqual([]);
  });
});

describe('the install command', () => {
  it('asks for a target and reports refusals as one clear message', async () => {
    const none = await runCli(['install', 'x.trunk']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('give --pg-config PATH or --extensions-dir DIR');
    const t = await trunkFor({ meta: (m) => forPg(m, 17) });
    const r = await runCli(['install', t.path, '--pg-config', PG15_CONFIG]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^trunkfarm: .*\.trunk does not fit .*pg_config \(PostgreSQL 15\.\d+, glibc 2\.\d+, amd64\):\n {2}built for PostgreSQL 17/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack
  });
});

describe('install --key: verification first, nothing written unless it passes', () => {
  let farm: { privatePath: string; publicPath: string };
  let other: { privatePath: string; publicPath: string };
  beforeAll(async () => {
    farm = await generateKeyFiles(join(dir, 'farm'), 'ecdsa-p256');
    other = await generateKeyFiles(join(dir, 'other'), 'ed25519');
  });
  const signed = async (keyPath: string) => {
    const t = await trunkFor({ meta: (m) => forPg(m, 18) });
    await signArtifact(t.path, { method: { kind: 'key', key: await loadSigningKey(keyPath) }, env: {} });
    return t;
  };
  const refused = async (trunk: string, ext: string, message: RegExp) => {
    const r = await runCli(['install', trunk, '--extensions-dir', ext, '--key', farm.publicPath]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // one clear line, no stack
    expect(existsSync(ext)).toBe(false); // not even the target directory
  };

  it('refuses a trunk changed after signing', async () => {
    const t = await signed(farm.privatePath);
    const tampered = join(dir, `tampered-${t.path.split('/').pop()}`);
    await copyFile(t.path, tampered);
    await copyFile(`${t.path}.sigstore.json`, `${tampered}.sigstore.json`);
    await appendFile(tampered, Buffer.from([0]));
    await refused(tampered, join(dir, 'ext-tampered'), /^trunkfarm: verification failed at step 2 \(subject\): the artifact's sha256 [0-9a-f]{64} is not among the signed subjects/);
  });

  it('refuses a trunk signed with another key', async () => {
    const t = await signed(other.privatePath);
    await refused(t.path, join(dir, 'ext-wrong-key'), /^trunkfarm: verification failed at step 3 \(signature\): the bundle was not signed by .*farm\.pub/);
  });

  it('refuses an unsigned trunk', async () => {
    const t = await trunkFor({ meta: (m) => forPg(m, 18) });
    await refused(t.path, join(dir, 'ext-unsigned'), /^trunkfarm: verification failed at step 1 \(bundle\): no signature: .*\.sigstore\.json does not exist, so the artifact is unsigned/);
  });

  it('refuses a signed trunk whose files do not match the digests inside it', async () => {
    const t = await trunkFor({ meta: (m) => forPg(m, 18) });
    // Same archive, one file's bytes changed but its recorded digest kept, then signed as it is.
    const entries = await unpackRaw(t.path);
    const control = entries.find((e) => e.header.name.endsWith('.control'))!;
    control.data = Buffer.from(`${control.data.toString()}# changed\n`);
    await packRaw(t.path, entries);
    await signArtifact(t.path, { method: { kind: 'key', key: await loadSigningKey(farm.privatePath) }, env: {} });
    await refused(t.path, join(dir, 'ext-contents'), /^trunkfarm: verification failed at step 5 \(contents\): /);
  });

  it('installs a trunk signed with the key', async () => {
    const t = await signed(farm.privatePath);
    const ext = join(dir, 'ext-good');
    const r = await runCli(['install', t.path, '--extensions-dir', ext, '--key', farm.publicPath]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^installed /);
    expect(await readdir(ext)).toEqual([t.name]);
  });
});

describe('install --pg-config: hostile trunks and state', () => {
  const stateDir = () => `${dirs.pkglibdir}.trunkfarm`;

  it('keeps its state where no package installs: a planted journal or manifest changes nothing', async () => {
    const sentinel = join(dir, 'sentinel.txt');
    await writeFile(sentinel, 'keep me\n');
    const sum = execFileSync('sha256sum', [sentinel], { encoding: 'utf8' }).split(' ')[0]!;
    const victim = uniqueName();
    const planted = { trunkfarm: 1, package: victim, version: '9', trunk: 'x', sha256: 'x', files: [{ path: sentinel, sha256: sum, mode: 0o644 }], symlinks: [], dirs: [dir] };
    const evil = await trunkFor({
      stage: async (s) => {
        await put(s, `pgsql/share/trunkfarm/${victim}.journal.json`, JSON.stringify({ manifest: planted, temps: [sentinel] }));
        await put(s, `pgsql/share/trunkfarm/${victim}.json`, JSON.stringify(planted));
      },
    });
    const before = await snapshot();
    await installTrunk(evil.path, { pgConfig: PG15_CONFIG });
    installed.push({ trunk: evil.path, target: { pgConfig: PG15_CONFIG } });
    const stage = await makeStage(join(dir, `stage-${n++}`), victim);
    const out = join(dir, `out-${n++}`);
    await mkdir(out);
    const v = await writeTrunk(stage, sampleMeta({ name: victim }), out);
    await installTrunk(v.path, { pgConfig: PG15_CONFIG });
    expect(await readFile(sentinel, 'utf8')).toBe('keep me\n');
    await uninstallTrunk(v.path, { pgConfig: PG15_CONFIG });
    expect(await readFile(sentinel, 'utf8')).toBe('keep me\n');
    await uninstallTrunk(evil.path, { pgConfig: PG15_CONFIG });
    installed.pop();
    await rmdir(`/usr/lib/postgresql/15/share`).catch(() => {});
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a manifest or journal in its state that names files outside the package', async () => {
    const t = await trunkFor();
    await installTrunk(t.path, { pgConfig: PG15_CONFIG });
    installed.push({ trunk: t.path, target: { pgConfig: PG15_CONFIG } });
    const manifestPath = join(stateDir(), `${t.name}.json`);
    const good = await readFile(manifestPath, 'utf8');
    const sentinel = join(dir, 'sentinel-2.txt');
    await writeFile(sentinel, 'keep me\n');
    const m = JSON.parse(good) as { files: { path: string; sha256: string; mode: number }[] };
    m.files.push({ path: sentinel, sha256: execFileSync('sha256sum', [sentinel], { encoding: 'utf8' }).split(' ')[0]!, mode: 0o644 });
    await writeFile(manifestPath, JSON.stringify(m));
    await expect(uninstallTrunk(t.path, { pgConfig: PG15_CONFIG })).rejects.toThrow(`${manifestPath}: files[${m.files.length - 1}].path "${sentinel}" is not a place this package installs to`);
    const journalPath = join(stateDir(), `${t.name}.journal.json`);
    await writeFile(manifestPath, good);
    await writeFile(journalPath, JSON.stringify({ manifest: { ...JSON.parse(good), sha256: 'other' }, temps: [sentinel] }));
    await expect(uninstallTrunk(t.path, { pgConfig: PG15_CONFIG })).rejects.toThrow(`${journalPath}: temps[0] "${sentinel}" is not a temporary of a file this package installs`);
    await rm(journalPath);
    expect(await readFile(sentinel, 'utf8')).toBe('keep me\n');
    await uninstallTrunk(t.path, { pgConfig: PG15_CONFIG });
    installed.pop();
  });

  it('maps symlinks with their targets: a link across pg_config directories points at the installed file', async () => {
    const t = await trunkFor({ stage: async (s, name) => symlink(`../../pkglib/${name}.so`, join(s, `pgsql/share/extension/${name}-module.so`)) });
    await installTrunk(t.path, { pgConfig: PG15_CONFIG });
    installed.push({ trunk: t.path, target: { pgConfig: PG15_CONFIG } });
    expect(await realpath(`${dirs.sharedir}/extension/${t.name}-module.so`)).toBe(`${dirs.pkglibdir}/${t.name}.so`);
    await uninstallTrunk(t.path, { pgConfig: PG15_CONFIG });
    installed.pop();
    expect(existsSync(`${dirs.sharedir}/extension/${t.name}-module.so`)).toBe(false);
  });

  it('refuses to write below a symlink another package put into a pg_config directory', async () => {
    const a = await trunkFor({ stage: async (s, name) => symlink('extension', join(s, `pgsql/share/${name}-alias`)) });
    await installTrunk(a.path, { pgConfig: PG15_CONFIG });
    installed.push({ trunk: a.path, target: { pgConfig: PG15_CONFIG } });
    const b = await trunkFor({ stage: async (s, name) => put(s, `pgsql/share/${a.name}-alias/${name}.sql`, 'select 1;\n') });
    await expect(installTrunk(b.path, { pgConfig: PG15_CONFIG })).rejects.toThrow(`${dirs.sharedir}/${a.name}-alias/${b.name}.sql: goes through the symlink ${dirs.sharedir}/${a.name}-alias; refusing to write through it`);
    expect(existsSync(`${dirs.sharedir}/extension/${b.name}.sql`)).toBe(false);
  });
});

describe('install --pg-config: state inside a directory packages install to (PostgreSQL under /usr/local)', () => {
  // The musl images' layout: PKGLIBDIR /usr/local/lib/postgresql inside LIBDIR /usr/local/lib, so
  // the state directory /usr/local/lib/postgresql.trunkfarm is one LIBDIR could hold.
  const prefix = () => join(dir, 'usr-local');
  const target = async () => {
    const p = prefix();
    const layout = { bindir: `${p}/bin`, libdir: `${p}/lib`, pkglibdir: `${p}/lib/postgresql`, sharedir: `${p}/share/postgresql`, docdir: `${p}/share/doc/postgresql`, includedir: `${p}/include`, pkgincludedir: `${p}/include/postgresql` };
    return { pgConfig: { ...(await probePgConfig(PG15_CONFIG)), dirs: layout } };
  };

  it('installs and uninstalls there, its state in PKGLIBDIR.trunkfarm', async () => {
    const t = await trunkFor();
    const r = await installTrunk(t.path, await target());
    expect(r.manifest).toBe(`${prefix()}/lib/postgresql.trunkfarm/${t.name}.json`);
    expect(r.installed).toContain(`${prefix()}/lib/postgresql/${t.name}.so`);
    await uninstallTrunk(t.path, await target());
    expect(existsSync(`${prefix()}/lib/postgresql/${t.name}.so`)).toBe(false);
    expect(existsSync(r.manifest)).toBe(false);
  });

  it('refuses a package file, or a link, that would land in or at the state directory, writing nothing', async () => {
    const state = `${prefix()}/lib/postgresql.trunkfarm`;
    const victim = uniqueName();
    const planted = await trunkFor({ stage: (s) => put(s, `pgsql/lib/postgresql.trunkfarm/${victim}.json`, '{}') });
    await expect(installTrunk(planted.path, await target())).rejects.toThrow(
      `destination "${state}/${victim}.json" is in the installer's state directory ${state}, where no package may install`,
    );
    const linked = await trunkFor({
      stage: async (s) => {
        await mkdir(join(s, 'pgsql/lib'));
        await symlink('../pkglib', join(s, 'pgsql/lib/postgresql.trunkfarm'));
      },
    });
    await expect(installTrunk(linked.path, await target())).rejects.toThrow(`destination "${state}" is in the installer's state directory`);
    expect(existsSync(state)).toBe(false);
    expect(existsSync(`${prefix()}/lib/postgresql/${planted.name}.so`)).toBe(false);
  });
});

describe('install --extensions-dir: a link already at the package\'s name', () => {
  it('is refused, dangling or to a directory elsewhere, and nothing is written through it', async () => {
    const t = await trunkFor({ meta: (m) => forPg(m, 18) });
    const elsewhere = join(dir, `elsewhere-${n++}`);
    await mkdir(elsewhere);
    for (const target of [join(elsewhere, 'gone'), elsewhere]) {
      const ext = join(dir, `ext-link-${n++}`);
      await mkdir(ext);
      await symlink(target, join(ext, t.name));
      const r = await runCli(['install', t.path, '--extensions-dir', ext]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`trunkfarm: ${join(ext, t.name)} exists: ${t.name} is already installed there; uninstall it first\n`);
      expect(await readdir(elsewhere)).toEqual([]);
      expect((await readdir(ext)).filter((e) => e !== t.name)).toEqual([]); // no staging left behind
    }
  });
});
