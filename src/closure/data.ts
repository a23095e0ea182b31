// Data that libraries find relative to themselves, which ELF closure cannot see: a bundled PROJ
// without proj.db loads fine and fails at the first EPSG code. The package must ship it at
// `<libdir>/../share/<name>`, which is `/extensions/NAME/share/<name>` when mounted as a volume.
import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';

export interface KnownData {
  /** Matches the soname of the library that reads the data. */
  library: RegExp;
  /** Directory name under share/. */
  name: string;
  /** A file that must be there for the data to count as present. */
  marker?: string;
  why: string;
}

export const KNOWN_DATA: KnownData[] = [
  { library: /^libproj\.so/, name: 'proj', marker: 'proj.db', why: 'PROJ opens proj.db from ../share/proj relative to its library (EPSG codes fail without it)' },
  { library: /^libgdal\.so/, name: 'gdal', why: 'GDAL reads its data files (GDAL_DATA) from ../share/gdal relative to its library' },
];

/** Where the data of a library in `libDir` (relative to the tree) goes, relative to the tree. In a
 * trunk tree, `pgsql/pkglib/../share` would be `pgsql/share`, which installs to pg_config's
 * sharedir (/usr/share/postgresql/17), not beside pkglibdir where the library looks
 * (/usr/lib/postgresql/17/share): trunks keep such data in `sys/share`, which each layout places
 * at the library's `../share` (see package/destinations.ts). */
export function dataTarget(libDir: string, known: KnownData): string {
  if (TRUNK_LIBRARY_DIRS.has(libDir)) return posix.join('sys', 'share', known.name);
  return posix.join(libDir, '..', 'share', known.name);
}

const TRUNK_LIBRARY_DIRS = new Set(['pgsql/pkglib', 'pgsql/lib']);

export function dataPresent(root: string, target: string, known: KnownData): boolean {
  return existsSync(join(root, target)) && (known.marker === undefined || existsSync(join(root, target, known.marker)));
}
