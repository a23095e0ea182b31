// pathWithin: every name on the way to a path below a root, links included, resolves inside it.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.ts';
import { pathWithin } from '../../src/files/index.ts';

const work = mkdtempSync(join(tmpdir(), 'trunkfarm-within-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('pathWithin', () => {
  const root = join(work, 'root');
  mkdirSync(join(root, 'a/b'), { recursive: true });
  symlinkSync('a/b', join(root, 'inside'));
  symlinkSync(work, join(root, 'out'));
  symlinkSync(join(work, 'gone'), join(root, 'dangling'));

  it('gives the path when every link on the way stays inside, existing or not', () => {
    expect(pathWithin(root, 'inside/c/d')).toBe(join(root, 'inside/c/d'));
    expect(pathWithin(root, './a//b/')).toBe(join(root, 'a/b'));
  });

  it('refuses a link out, a dangling link and ..', () => {
    expect(() => pathWithin(root, 'out/x')).toThrow(new UserError(`${join(root, 'out')}: a symlink to ${work}, outside ${root}; refusing to write through it`));
    expect(() => pathWithin(root, 'dangling')).toThrow(`${join(root, 'dangling')}: a dangling symlink (to ${join(work, 'gone')}); refusing to write through it`);
    expect(() => pathWithin(root, 'a/../../x')).toThrow(UserError);
  });

  it('a root that does not exist is a clear error, not a crash', () => {
    expect(() => pathWithin(join(work, 'none'), 'x')).toThrow(new UserError(`cannot write below ${join(work, 'none')}: it does not exist`));
  });
});
