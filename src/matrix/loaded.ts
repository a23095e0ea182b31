// What loading the matrix yields: its platforms, and each entry with where it was read (for
// located diagnostics) and its patches. Here rather than in load.ts so that the rules load.ts
// applies can name an entry without importing their caller.
import type { Platform } from '../types.ts';
import type { Locator } from './diagnostics.ts';
import type { PatchFile } from './patches.ts';
import type { ExtensionEntry, PlatformsFile } from './schema.ts';

export interface LoadedEntry {
  entry: ExtensionEntry;
  /** Path as diagnostics name it (see displayPath). */
  file: string;
  locator: Locator;
  /** The entry's source patches, read and hashed (absent when it has none). */
  patches?: PatchFile[];
}

export interface Matrix {
  dir: string;
  platformsFile: PlatformsFile;
  platforms: Platform[];
  entries: LoadedEntry[];
}
