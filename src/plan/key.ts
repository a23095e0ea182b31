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

export function buildKey(entry: ExtensionEntry, platform: Platform, platformName = platform.name): string {
  const input = canonicalJson({ recipe: RECIPE_VERSION, platform: platformName, entry, builder: platformDefinition(platform) });
  return createHash('sha256').update(input).digest('hex');
}
