// Writing into a tree that may hold symlinks it got from elsewhere (a package's install step, a
// trunk): a write must not follow one of them out of the tree. Every name on the way, the last
// included, is resolved and checked one at a time; a dangling link is refused. (Node has no
// openat/O_NOFOLLOW on every component; the trees checked here are private to the process writing
// them, so resolving first and writing after is enough.)
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { UserError } from '../errors.ts';

/** `root/rel`, once every symlink on the way to it (itself included) is checked to resolve inside
 * `root`. `rel` is relative and has no `..` (a caller's own name). */
export function pathWithin(root: string, rel: string): string {
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch (err) {
    throw new UserError(`cannot write below ${root}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (err as Error).message}`, { cause: err });
  }
  const parts = rel.split(/[\\/]/).filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new UserError(`${join(root, rel)}: ".." in a path written below ${root}`);
  let cur = root;
  for (const part of parts) {
    cur = join(cur, part);
    let st;
    try {
      st = lstatSync(cur);
    } catch {
      return join(root, ...parts); // the rest does not exist yet: it will be created as written
    }
    if (!st.isSymbolicLink()) continue;
    const target = readlinkSync(cur);
    let real: string;
    try {
      real = realpathSync(cur);
    } catch {
      throw new UserError(`${cur}: a dangling symlink (to ${target}); refusing to write through it`);
    }
    if (real !== realRoot && !real.startsWith(realRoot + sep))
      throw new UserError(`${cur}: a symlink to ${target}, outside ${root}; refusing to write through it`);
  }
  return cur;
}

/** Whether `p` is `root` or below it, lexically (both absolute). */
export function isWithin(root: string, p: string): boolean {
  const r = relative(root, p);
  return r === '' || (r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r));
}
