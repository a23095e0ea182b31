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

/** Where a library in `libDir` (relative to the tree) finds its data, relative to the tree. */
export function dataTarget(libDir: string, known: KnownData): string {
  return posix.join(libDir, '..', 'share', known.name);
}

export function dataPresent(root: string, target: string, known: KnownData): boolean {
  return existsSync(join(root, target)) && (known.marker === undefined || existsSync(join(root, target, known.marker)));
}
