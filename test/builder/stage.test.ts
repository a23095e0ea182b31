// Staging what an install step left in DESTDIR: its symlinks are mapped with the files, and one
// that leaves PostgreSQL's directories is refused before anything moves; the licence files named
// in the entry are taken from the source, never through a link out of it.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type JobContext, stageStep } from '../../src/builder/index.ts';
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

describe('licence files', () => {
  // The stage step, as far as it reads its context: DESTDIR, the stage, the source and the entry.
  const stageCtx = (license_files: string[]) => {
    const t = destdir({ 'usr/lib/postgresql/17/lib/x.so': 'so' }, {});
    const src = join(work, `src${n++}`);
    mkdirSync(src);
    writeFileSync(join(src, 'LICENSE'), 'license');
    const ctx = {
      entry: { contents: { license_files } },
      paths: { destdir: t.destdir, stage: t.stage, src },
      steps: { run: (_: string, fn: () => Promise<unknown>) => fn() },
    } as unknown as JobContext;
    return { ctx, src, stage: t.stage };
  };

  it('copies contents.license_files from the source to licenses/', async () => {
    const { ctx, src, stage } = stageCtx(['doc/COPYING.lib']);
    mkdirSync(join(src, 'doc'));
    writeFileSync(join(src, 'doc/COPYING.lib'), 'lgpl');
    await stageStep(ctx, pg);
    expect(readFileSync(join(stage, 'licenses/COPYING.lib'), 'utf8')).toBe('lgpl');
    expect(readFileSync(join(stage, 'LICENSE'), 'utf8')).toBe('license');
  });

  it('refuses one that is a symlink out of the source, naming it', async () => {
    const secret = join(work, `secret${n++}`);
    writeFileSync(secret, 'a file of the build machine');
    const { ctx, src, stage } = stageCtx(['doc/NOTICE.txt']);
    mkdirSync(join(src, 'doc'));
    symlinkSync(secret, join(src, 'doc/NOTICE.txt'));
    await expect(stageStep(ctx, pg)).rejects.toThrow(`${join(src, 'doc/NOTICE.txt')}: a symlink to ${secret}, outside ${src}; refusing to write through it`);
    expect(existsSync(join(stage, 'licenses/NOTICE.txt'))).toBe(false);
  });

  it('refuses a directory of the source linked elsewhere', async () => {
    const elsewhere = join(work, `elsewhere${n++}`);
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, 'COPYING'), 'not the source\'s');
    const { ctx, src } = stageCtx(['doc/COPYING']);
    symlinkSync(elsewhere, join(src, 'doc'));
    await expect(stageStep(ctx, pg)).rejects.toThrow(`${join(src, 'doc')}: a symlink to ${elsewhere}, outside ${src}`);
  });
});
