// Expands the matrix into jobs: extension x Postgres major x arch x libc, minus each entry's
// range and exclusions. SQL-only packages build once per major, on the default platform.
import { entryPlatforms, type ExtensionEntry, type LoadedEntry, type Matrix } from '../matrix/index.ts';
import type { Job, Platform } from '../types.ts';
import { keyer } from './key.ts';

export interface PlannedJob extends Job {
  /** Matrix file the job comes from, as displayPath names it. */
  file: string;
}

/** A planned job with what it is built from: its entry and the platform it builds on (for an
 * SQL-only package, the major's default platform). */
export interface PlannedTarget {
  job: PlannedJob;
  entry: ExtensionEntry;
  platform: Platform;
}

/** Jobs of `entries`, sorted. With `only`, just the cells it accepts: the others are never keyed,
 * which is what makes planning a few changed jobs of a large matrix cheap. Because the sort is
 * stable, any selection comes out in the order it has within the full plan. */
export function expandJobs(
  matrix: Matrix,
  entries: readonly LoadedEntry[] = matrix.entries,
  only?: (loaded: LoadedEntry, platform: Platform) => boolean,
): PlannedJob[] {
  return expandTargets(matrix, entries, only).map((t) => t.job);
}

/** expandJobs, each job with its entry and platform. */
export function expandTargets(
  matrix: Matrix,
  entries: readonly LoadedEntry[] = matrix.entries,
  only?: (loaded: LoadedEntry, platform: Platform) => boolean,
): PlannedTarget[] {
  const targets: PlannedTarget[] = [];
  for (const loaded of entries) {
    const { entry, file } = loaded;
    let cells = entryPlatforms(entry, matrix.platforms);
    if (only) {
      cells = cells.filter((p) => only(loaded, p));
      if (cells.length === 0) continue;
    }
    const key = keyer(entry, loaded.patches);
    if (entry.language === 'sql') {
      const { arch, libc } = matrix.platformsFile.default;
      for (const p of cells) {
        if (p.arch !== arch || p.libc !== libc) continue;
        targets.push({ job: job(entry.name, entry.version, file, p, `pg${p.pg}-any`, key(p, `pg${p.pg}-any`)), entry, platform: p });
      }
    } else {
      for (const p of cells) targets.push({ job: job(entry.name, entry.version, file, p, p.name, key(p)), entry, platform: p });
    }
  }
  return targets.sort((a, b) => compareJobs(a.job, b.job));
}

function job(extension: string, version: string, file: string, p: Platform, platform: string, key: string): PlannedJob {
  return { extension, version, pg: p.pg, arch: p.arch, libc: p.libc, platform, runner: p.runner, key, file };
}

export function compareJobs(a: Job, b: Job): number {
  return (
    a.extension.localeCompare(b.extension) ||
    a.version.localeCompare(b.version) ||
    a.pg - b.pg ||
    a.libc.localeCompare(b.libc) ||
    a.arch.localeCompare(b.arch)
  );
}
