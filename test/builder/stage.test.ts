// Staging what an install step left in DESTDIR: its symlinks are mapped with the files, and one
// that leaves PostgreSQL's directories is refused before anything moves.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { layoutStage, LAYOUT_DIRS, type PgConfig } from '../../src/builder/stage.ts';

const work = mkdtempSync(join(tmpdir(), 'trunkfarm-stage-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const pg: PgConfig = Object.fromEntries(Object.keys(LAYOUT_DIRS).map((k) => [k, `/usr/${k}`]));
pg.pkglibdir = '/usr/lib/postgresql/17/lib';
pg.sharedir = '/usr/share/postgresql/17';

let n = 0;
function destdir(files: Record<string, string>, links: Record<string, string>): { destdir: string; stage: string } {
  const d = join(work, `d${n}`);
  const stage = join(work, `s${n++}`);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(d, p, '..'), { recursive: true });
    writeFileSync(join(d, p), text);
  }
  for (const [p, target] of Object.entries(links)) {
    mkdirSync(join(d, p, '..'), { recursive: true });
    symlinkSync(target, join(d, p));
  }
  return { destdir: d, stage };
}

describe('layoutStage', () => {
  it('maps symlinks with their targets, absolute ones through DESTDIR', async () => {
    const t = destdir(
      { 'usr/lib/postgresql/17/lib/libx.so.1.0': 'lib', 'usr/share/postgresql/17/extension/x.control': 'c' },
      {
        'usr/lib/postgresql/17/lib/libx.so.1': 'libx.so.1.0',
        'usr/share/postgresql/17/extension/x.so': '../../../../lib/postgresql/17/lib/libx.so.1.0',
        'usr/share/postgresql/17/extension/y.control': '/usr/share/postgresql/17/extension/x.control',
      },
    );
    const moved = await layoutStage(t.destdir, t.stage, pg);
    expect(moved.sort()).toEqual(['pgsql/pkglib/libx.so.1', 'pgsql/pkglib/libx.so.1.0', 'pgsql/share/extension/x.control', 'pgsql/share/extension/x.so', 'pgsql/share/extension/y.control']);
    expect(readlinkSync(join(t.stage, 'pgsql/pkglib/libx.so.1'))).toBe('libx.so.1.0');
    expect(readlinkSync(join(t.stage, 'pgsql/share/extension/x.so'))).toBe('../../pkglib/libx.so.1.0');
    expect(realpathSync(join(t.stage, 'pgsql/share/extension/x.so'))).toBe(realpathSync(join(t.stage, 'pgsql/pkglib/libx.so.1.0')));
    expect(readlinkSync(join(t.stage, 'pgsql/share/extension/y.control'))).toBe('x.control');
  });

  it.each([
    ['an absolute link to the build machine', '/etc/passwd'],
    ['a relative link out of DESTDIR', '../../../../../../../../etc/passwd'],
    ['a link to a directory no installer places', '../../../../../etc'],
  ])('refuses %s, moving nothing', async (_what, target) => {
    const t = destdir({ 'usr/share/postgresql/17/extension/x.control': 'c' }, { 'usr/share/postgresql/17/extension/evil': target });
    await expect(layoutStage(t.destdir, t.stage, pg)).rejects.toThrow(`the build installed a symlink that leaves PostgreSQL's directories: /usr/share/postgresql/17/extension/evil -> ${target}`);
    expect(existsSync(t.stage)).toBe(false);
    expect(lstatSync(join(t.destdir, 'usr/share/postgresql/17/extension/evil')).isSymbolicLink()).toBe(true);
    expect(readdirSync(join(t.destdir, 'usr/share/postgresql/17/extension')).sort()).toEqual(['evil', 'x.control']);
  });
});
