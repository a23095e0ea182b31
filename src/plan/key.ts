// Build keys: a content hash of everything that decides a job's output, so that equal inputs give
// equal keys and any change (entry, images, recipe) gives a new one.
import { hash } from 'node:crypto';
import type { ExtensionEntry, PatchFile } from '../matrix/index.ts';
import type { Platform } from '../types.ts';
import { RECIPE_VERSION } from '../version.ts';

/** JSON with object keys sorted at every level: the same data always gives the same text. Exactly
 * `JSON.stringify(value, replacer)` with a replacer that rebuilds each object with sorted keys;
 * plain data (what entries and platforms are) is written directly, about twice as fast. */
export function canonicalJson(value: unknown): string {
  try {
    return plainCanonical(value);
  } catch (err) {
    if (err !== NOT_PLAIN) throw err;
    return replacerCanonical(value);
  }
}

function replacerCanonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

const NOT_PLAIN = new Error('not plain data');

// Object keys as written, with their colon: keys recur in every entry. Keys of array-index form
// are left to replacerCanonical: objects list them first, in numeric order, and its rebuilt
// objects do too.
const writtenKeys = new Map<string, string>();
function writtenKey(k: string): string {
  let w = writtenKeys.get(k);
  if (w === undefined) {
    if (/^[0-9]+$/.test(k)) throw NOT_PLAIN;
    w = `${JSON.stringify(k)}:`;
    if (writtenKeys.size < 10_000) writtenKeys.set(k, w);
  }
  return w;
}

function plainCanonical(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (v === null) return 'null';
      if (Array.isArray(v)) {
        if (Object.getPrototypeOf(v) !== Array.prototype) throw NOT_PLAIN;
        let out = '[';
        for (let i = 0; i < v.length; i++) {
          const item: unknown = v[i];
          if (i > 0) out += ',';
          out += item === undefined || typeof item === 'function' || typeof item === 'symbol' ? 'null' : plainCanonical(item);
        }
        return `${out}]`;
      }
      const proto: unknown = Object.getPrototypeOf(v);
      if ((proto !== Object.prototype && proto !== null) || typeof (v as { toJSON?: unknown }).toJSON === 'function') throw NOT_PLAIN;
      const keys = Object.keys(v);
      if (keys.length > 1) keys.sort();
      let out = '{';
      for (const k of keys) {
        const item = (v as Record<string, unknown>)[k];
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
        if (out.length > 1) out += ',';
        out += writtenKey(k) + plainCanonical(item);
      }
      return `${out}}`;
    }
    default:
      // undefined, functions, symbols and bigints: leave them to JSON.stringify.
      throw NOT_PLAIN;
  }
}

/** The parts of a platform that decide a build's output (the runner label does not). */
export function platformDefinition(p: Platform): unknown {
  return { name: p.name, pg: p.pg, arch: p.arch, libc: p.libc, distro: p.distro, isa: p.isa, builder: p.builder, base: p.base };
}

const RECIPE_JSON = `,"recipe":${JSON.stringify(RECIPE_VERSION)}}`;

/** Build keys for one entry on many platforms. The entry's and each platform's canonical JSON are
 * written once, not once per job, and the key text is assembled from them: planning thousands of
 * jobs is dominated by this. Keys in canonical (sorted) order: builder, entry, patches (the digests of the entry's patch files, when it has any), platform, recipe. */
export function keyer(entry: ExtensionEntry, patches?: readonly PatchFile[]): (platform: Platform, platformName?: string) => string {
  // The patches' bytes by digest, in order: entries without patches keep the keys they had.
  const patchJson = patches && patches.length > 0 ? `,"patches":${JSON.stringify(patches.map((p) => p.sha256))}` : '';
  const entryJson = `,"entry":${canonicalJson(entry)}${patchJson}`;
  return (platform, platformName = platform.name) =>
    hash('sha256', `{"builder":${platformJson(platform)}${entryJson},"platform":${JSON.stringify(platformName)}${RECIPE_JSON}`, 'hex');
}

const platformJsonCache = new WeakMap<Platform, string>();
function platformJson(p: Platform): string {
  let json = platformJsonCache.get(p);
  if (json === undefined) platformJsonCache.set(p, (json = canonicalJson(platformDefinition(p))));
  return json;
}

/** The key of one job: sha256 of the canonical JSON of {builder, entry, patches, platform, recipe}. */
export function buildKey(entry: ExtensionEntry, platform: Platform, platformName = platform.name, patches?: readonly PatchFile[]): string {
  return keyer(entry, patches)(platform, platformName);
}
