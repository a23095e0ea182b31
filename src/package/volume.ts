// A package's tree re-laid for /extensions/NAME (the OCI layer, `install --extensions-dir`):
// paths mapped by volumeDestination, extension scripts' `'$libdir/X'` literals rewritten,
// symlinks re-pointed at their targets' new places, parent directories made explicit.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { UserError } from '../errors.ts';
import { isExtensionScript, mapPaths, rewriteLibdirLiterals, volumeDestination } from './destinations.ts';
import { comparePaths, resolveLink, type TreeEntry } from './tree.ts';

interface VolumeTree {
  /** Sorted, directories included, paths relative to the volume root. */
  entries: TreeEntry[];
  /** Scripts whose `$libdir/` literals were rewritten (volume paths). */
  rewritten: { path: string; count: number }[];
  /** Package paths with no place in the volume layout. */
  skipped: string[];
}

export async function volumeTree(pkg: TreeEntry[], name: string): Promise<VolumeTree> {
  const byPath = new Map(pkg.map((e) => [e.path, e] as const));
  const leaves = pkg.filter((e) => e.type !== 'directory');
  const mapped = mapPaths(
    leaves.map((e) => e.path),
    (p) => volumeDestination(p, name),
  );
  if (mapped.clash) {
    const [a, b, d] = mapped.clash;
    throw new UserError(`"${a}" and "${b}" would both be installed as ${d} under /extensions/${name}`);
  }
  const out: TreeEntry[] = [];
  const rewritten: VolumeTree['rewritten'] = [];
  for (const e of leaves) {
    const dest = mapped.map.get(e.path);
    if (dest === undefined) continue;
    if (e.type === 'symlink') {
      const r = resolveLink(byPath, e.path);
      const targetDest = r.ok ? mapped.map.get(r.path) : undefined;
      if (!r.ok || targetDest === undefined) {
        mapped.skipped.push(e.path);
        continue;
      }
      out.push({ ...e, path: dest, linkname: posix.relative(posix.dirname(dest), targetDest) });
      continue;
    }
    if (isExtensionScript(dest)) {
      const text = (e.data ?? (await readFile(e.source!))).toString('utf8');
      const r = rewriteLibdirLiterals(text);
      if (r.count > 0) {
        const data = Buffer.from(r.text);
        rewritten.push({ path: dest, count: r.count });
        out.push({ path: dest, type: 'file', mode: e.mode, size: data.length, data, sha256: createHash('sha256').update(data).digest('hex') });
        continue;
      }
    }
    out.push({ ...e, path: dest });
  }
  const dirs = new Set<string>();
  for (const e of out) {
    for (let d = posix.dirname(e.path); d !== '.'; d = posix.dirname(d)) dirs.add(d);
  }
  for (const d of dirs) out.push({ path: d, type: 'directory', mode: 0o755, size: 0 });
  out.sort((a, b) => comparePaths(a.path, b.path));
  return { entries: out, rewritten, skipped: mapped.skipped };
}
