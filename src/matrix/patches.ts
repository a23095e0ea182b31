// An entry's source patches: files under matrix/patches/NAME/, named by `source.patches` and
// applied in that order. Their bytes are part of the build key (src/plan/key.ts), so editing a
// patch rebuilds the entry as editing the entry would.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic, Locator } from './diagnostics.ts';
import type { ExtensionEntry } from './schema.ts';

const PATCHES_DIR = 'patches';

export interface PatchFile {
  file: string;
  /** Absolute path of the patch file. */
  path: string;
  sha256: string;
}

/** Where an entry's patch files live: `<matrix>/patches/NAME/FILE`. */
export function patchPath(matrixDir: string, entry: Pick<ExtensionEntry, 'name'>, file: string): string {
  return path.resolve(matrixDir, PATCHES_DIR, entry.name, file);
}

/** Reads an entry's patch files and hashes them; one that cannot be read is a diagnostic on its
 * `file` field. */
export function readPatches(matrixDir: string, entry: ExtensionEntry, at: Locator): { patches: PatchFile[]; diagnostics: Diagnostic[] } {
  const listed = 'patches' in entry.source ? (entry.source.patches ?? []) : [];
  const patches: PatchFile[] = [];
  const diagnostics: Diagnostic[] = [];
  listed.forEach(({ file }, i) => {
    const where = patchPath(matrixDir, entry, file);
    try {
      const bytes = readFileSync(where);
      patches.push({ file, path: where, sha256: createHash('sha256').update(bytes).digest('hex') });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const shown = path.join(PATCHES_DIR, entry.name, file);
      diagnostics.push(at.diagnostic(['source', 'patches', i, 'file'], code === 'ENOENT' ? `${shown} does not exist in the matrix directory: add it, or remove this patch` : `cannot read ${shown}: ${code ?? (err as Error).message}`));
    }
  });
  return { patches, diagnostics };
}
