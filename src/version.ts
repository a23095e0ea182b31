// Versions: trunkfarm's own, the build recipe's, and how dotted release numbers (glibc's, musl's)
// compare.

/** trunkfarm's own version, recorded in packages and provenance. */
export const VERSION = '0.1.0';

/** Version of the build recipe: bump it when a change to how jobs are built should make every
 * published artifact stale. It is part of every build key. */
export const RECIPE_VERSION = '1';

/** Compares dotted version numbers (2.9 < 2.10). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
