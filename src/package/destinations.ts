// Where each file of a package goes, for the two ways of installing it:
// - into a PostgreSQL's own directories, as `pg_config` names them (RFC 2);
// - as a self-contained directory for PostgreSQL 18's extension_control_path and
//   dynamic_library_path: the layout of an image volume mounted at /extensions/NAME, and of
//   `trunkfarm install --extensions-dir DIR` (DIR/NAME/...).
// Bundled libraries sit beside the modules (RUNPATH $ORIGIN), and data they find at
// <their dir>/../share/<x> (PROJ's proj.db) goes to share/<x> beside lib/: in both layouts that
// relative position is the same, so no environment variable is needed.
import { posix } from 'node:path';
import { LICENSE_TEXT, TOP_TEXT, type PgsqlDir } from './stage.ts';

/** pg_config's flag for each `pgsql/` directory. */
const PG_CONFIG_FLAG: Record<PgsqlDir, string> = {
  bin: 'bindir',
  doc: 'docdir',
  html: 'htmldir',
  include: 'includedir',
  pkginclude: 'pkgincludedir',
  lib: 'libdir',
  pkglib: 'pkglibdir',
  locale: 'localedir',
  man: 'mandir',
  share: 'sharedir',
  sysconf: 'sysconfdir',
};

/** pg_config's output, keyed by flag without dashes (`sharedir`, `pkglibdir`, ...). */
export type PgDirs = Record<string, string>;

/** Absolute destination of a package path in a pg_config installation, or null if the path is
 * not installed (trunk.json, digests). Licences and READMEs go with the docs. */
export function pgConfigDestination(path: string, name: string, dirs: PgDirs): string | null {
  const [top, second, ...rest] = path.split('/');
  if (top === 'pgsql' && second !== undefined && rest.length > 0) {
    const flag = PG_CONFIG_FLAG[second as PgsqlDir];
    const base = flag ? dirs[flag] : undefined;
    return base ? posix.join(base, ...rest) : null;
  }
  if (top === 'sys' && second === 'share' && rest.length > 0) {
    return dirs.pkglibdir ? posix.join(posix.dirname(dirs.pkglibdir), 'share', ...rest) : null;
  }
  const docs = dirs.docdir ? posix.join(dirs.docdir, 'extension', name) : undefined;
  if (top === 'licenses' && docs) return posix.join(docs, path);
  if (rest.length === 0 && second === undefined && TOP_TEXT.test(top!) && docs) return posix.join(docs, top!);
  return null;
}

/** Every directory pgConfigDestination places files below: a package can write anything inside
 * these, except in the installer's own state directory (see install-state.ts). */
export function pgConfigBases(name: string, dirs: PgDirs): string[] {
  const bases = Object.values(PG_CONFIG_FLAG).flatMap((flag) => (dirs[flag] ? [posix.resolve(dirs[flag])] : []));
  if (dirs.pkglibdir) bases.push(posix.resolve(posix.dirname(dirs.pkglibdir), 'share'));
  if (dirs.docdir) bases.push(posix.resolve(dirs.docdir, 'extension', name));
  return [...new Set(bases)];
}

/** Destination of a package path relative to /extensions/NAME, or null when it has no place in
 * that layout (headers, man pages, message catalogues, sysconf: PostgreSQL would not look for
 * them there; READMEs and the trunk's own metadata). */
export function volumeDestination(path: string, name: string): string | null {
  const [top, second, ...rest] = path.split('/');
  if (top === 'pgsql' && rest.length > 0) {
    switch (second) {
      case 'share':
        return posix.join('share', ...rest);
      case 'pkglib':
      case 'lib':
        return posix.join('lib', ...rest);
      case 'bin':
        return posix.join('bin', ...rest);
      case 'doc':
        return posix.join('share', 'doc', ...rest);
      default:
        return null;
    }
  }
  if (top === 'sys' && second === 'share' && rest.length > 0) return posix.join('share', ...rest);
  if (top === 'licenses' && second !== undefined) return path;
  if (second === undefined && LICENSE_TEXT.test(top!)) return posix.join('licenses', name, top!);
  return null;
}

/** Maps every path, failing on two paths that land on the same destination. */
export function mapPaths(
  paths: string[],
  destination: (path: string) => string | null,
): { map: Map<string, string>; skipped: string[]; clash?: [string, string, string] } {
  const map = new Map<string, string>();
  const seen = new Map<string, string>();
  const skipped: string[] = [];
  for (const p of paths) {
    const d = destination(p);
    if (d === null) {
      skipped.push(p);
      continue;
    }
    const other = seen.get(d);
    if (other !== undefined) return { map, skipped, clash: [other, p, d] };
    seen.set(d, p);
    map.set(p, d);
  }
  return { map, skipped };
}

/** `AS '$libdir/postgis-3'` names PostgreSQL's own pkglibdir, where a mounted extension is not;
 * plain `'postgis-3'` is searched along dynamic_library_path. PostgreSQL 18 (18.6, measured in
 * test/package/pg18-library-names.slow.test.ts) falls back to the path for `$libdir/` names by
 * itself, in control files, extension scripts and plain CREATE FUNCTION alike: rewriting the
 * scripts' literals keeps the layer from depending on that. Returns the new text and how many
 * literals changed. */
export function rewriteLibdirLiterals(sql: string): { text: string; count: number } {
  let count = 0;
  const text = sql.replace(/'\$libdir\/([^'/\\\s]+)'/g, (_m, mod: string) => {
    count++;
    return `'${mod}'`;
  });
  return { text, count };
}

/** Files whose `$libdir/` literals are rewritten in the volume layout. */
export function isExtensionScript(volumePath: string): boolean {
  return volumePath.startsWith('share/extension/') && volumePath.endsWith('.sql');
}

/** The two settings that make PostgreSQL 18 find an extension laid out at `root`. */
export function searchPathSettings(root: string): { extension_control_path: string; dynamic_library_path: string } {
  return {
    extension_control_path: `$system:${posix.join(root, 'share')}`,
    dynamic_library_path: `$libdir:${posix.join(root, 'lib')}`,
  };
}
