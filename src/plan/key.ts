// Build keys: a content hash of everything that decides a job's output, so that equal inputs give
// equal keys and any change (entry, images, recipe) gives a new one.
import { createHash } from 'node:crypto';
import type { ExtensionEntry } from '../matrix/index.ts';
import type { Platform } from '../types.ts';
import { RECIPE_VERSION } from '../version.ts';

/** JSON with object keys sorted at every level: the same data always gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The parts of a platform that decide a build's output (the runner label does not). */
export function platformDefinition(p: Platform): unknown {
  return { name: p.name, pg: p.pg, arch: p.arch, libc: p.libc, distro: p.distro, builder: p.builder, base: p.base };
}

/** Build keys for one entry on many platforms. The entry's and each platform's canonical JSON are
 * serialised once, not once per job: planning thousands of jobs is dominated by this. */
export function keyer(entry: ExtensionEntry): (platform: Platform, platformName?: string) => string {
  const entryJson = `,"entry":${canonicalJson(entry)}`;
  const recipe = `,"recipe":${JSON.stringify(RECIPE_VERSION)}}`;
  // Keys in canonical (sorted) order: builder, entry, platform, recipe.
  return (platform, platformName = platform.name) =>
    createHash('sha256')
      .update('{"builder":')
      .update(platformJson(platform))
      .update(entryJson)
      .update(`,"platform":${JSON.stringify(platformName)}`)
      .update(recipe)
      .digest('hex');
}

const platformJsonCache = new WeakMap<Platform, string>();
function platformJson(p: Platform): string {
  let json = platformJsonCache.get(p);
  if (json === undefined) platformJsonCache.set(p, (json = canonicalJson(platformDefinition(p))));
  return json;
}

/** The key of one job: sha256 of the canonical JSON of {builder, platform, entry, recipe}. */
export function buildKey(entry: ExtensionEntry, platform: Platform, platformName = platform.name): string {
  return keyer(entry)(platform, platformName);
}
