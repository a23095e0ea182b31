// index.json as data: reading it (with errors that say where), merging new entries into it, and
// writing it out. Pure functions; storing it is index-store.ts's business.
//
// The merge rule. Entries are keyed by build key; a "cell" is one (extension, version, platform).
//  1. Same key: the later entry (incoming over previous, later over earlier in a list) replaces the
//     earlier one, so a re-publish refreshes references; except that a failure never replaces a
//     success of the same key (equal inputs built once: the failure was a flake).
//  2. Same cell, different keys: entries are ordered by builtAt, then key. The newest success stays,
//     and the newest failure stays too when it is newer than that success (a failed rebuild must
//     not hide the last good artifact: the status page shows both). Everything older goes.
//     So a cell holds at most two entries, and it holds a failure only while it is the latest news.
//  3. Order: extension, version, platform, builtAt, key (code-unit order, locale-independent).
// Rule 2 depends only on the set of entries, not on the order they arrive in: two publishes that
// race and merge in either order leave the same cells.
import { UserError } from '../errors.ts';
import type { IndexEntry, PublishedIndexFile } from '../types.ts';
import { formatPath, indexFileSchema } from './index-schema.ts';

export function emptyIndex(now: Date = new Date()): PublishedIndexFile {
  return { version: 1, generatedAt: now.toISOString(), entries: [] };
}

const REQUIRED_STRINGS = ['key', 'extension', 'version', 'platform', 'builtAt'] as const;

/** Checks the fields the merge, the planner and the status page rely on; `where` names the entry. */
export function checkEntry(entry: unknown, where: string): IndexEntry {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw new UserError(`${where}: expected an object`);
  const e = entry as Record<string, unknown>;
  for (const field of REQUIRED_STRINGS) {
    if (typeof e[field] !== 'string' || e[field] === '') throw new UserError(`${where}: "${field}" must be a non-empty string`);
  }
  if (e.status !== 'built' && e.status !== 'failed') throw new UserError(`${where}: "status" must be "built" or "failed", not ${JSON.stringify(e.status)}`);
  if (Number.isNaN(Date.parse(e.builtAt as string))) throw new UserError(`${where}: "builtAt" is not a date: ${JSON.stringify(e.builtAt)}`);
  return entry as IndexEntry;
}

/** Parses index.json text; `source` (a path or URL) names it in errors. */
export function parseIndex(text: string, source: string): PublishedIndexFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${source}: not JSON: ${(err as Error).message}`);
  }
  const d = data as Partial<PublishedIndexFile> | null;
  if (!d || typeof d !== 'object' || Array.isArray(d)) throw new UserError(`${source}: expected an object with "version" and "entries"`);
  if (d.version !== 1) {
    const newer = typeof d.version === 'number' && d.version > 1;
    throw new UserError(`${source}: index version ${JSON.stringify(d.version)} is not 1${newer ? ': it was written by a newer trunkfarm' : ''}`);
  }
  if (!Array.isArray(d.entries)) throw new UserError(`${source}: "entries" must be a list`);
  d.entries.forEach((e, i) => checkEntry(e, `${source}: entries[${i}]`));
  const result = indexFileSchema.safeParse({ ...d, generatedAt: typeof d.generatedAt === 'string' && d.generatedAt ? d.generatedAt : 'unknown' });
  if (!result.success) {
    const lines = result.error.issues.slice(0, 10).map((i) => `  ${formatPath(i.path)}: ${i.message}`);
    const more = result.error.issues.length > 10 ? `\n  ... and ${result.error.issues.length - 10} more` : '';
    throw new UserError(`${source} is not a trunkfarm index (version 1):\n${lines.join('\n')}${more}`);
  }
  return { version: 1, generatedAt: typeof d.generatedAt === 'string' ? d.generatedAt : '', entries: d.entries };
}

/** The stored form: two-space JSON and a final newline, so diffs on the Pages branch stay readable. */
export function serializeIndex(index: PublishedIndexFile): string {
  return `${JSON.stringify(index, null, 2)}\n`;
}

const cellOf = (e: IndexEntry) => `${e.extension}\0${e.version}\0${e.platform}`;
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const time = (e: IndexEntry) => Date.parse(e.builtAt);
/** Oldest first. */
const byAge = (a: IndexEntry, b: IndexEntry) => time(a) - time(b) || cmp(a.key, b.key);
const byPlace = (a: IndexEntry, b: IndexEntry) =>
  cmp(a.extension, b.extension) || cmp(a.version, b.version) || cmp(a.platform, b.platform) || byAge(a, b);

/** Merges `incoming` into `previous` by the rule above; `now` becomes generatedAt. */
export function mergeIndex(previous: PublishedIndexFile, incoming: readonly IndexEntry[], now: Date = new Date()): PublishedIndexFile {
  incoming.forEach((e, i) => checkEntry(e, `new index entry ${i}`));
  const byKey = new Map<string, IndexEntry>();
  for (const e of [...previous.entries, ...incoming]) {
    const old = byKey.get(e.key);
    if (old && old.status === 'built' && e.status === 'failed') continue;
    byKey.set(e.key, e);
  }

  const cells = new Map<string, IndexEntry[]>();
  for (const e of byKey.values()) {
    const list = cells.get(cellOf(e));
    if (list) list.push(e);
    else cells.set(cellOf(e), [e]);
  }

  const kept: IndexEntry[] = [];
  for (const list of cells.values()) {
    list.sort(byAge);
    const built = list.filter((e) => e.status === 'built').at(-1);
    const failed = list.filter((e) => e.status === 'failed').at(-1);
    if (built) kept.push(built);
    if (failed && (!built || byAge(failed, built) > 0)) kept.push(failed);
  }
  kept.sort(byPlace);
  return { version: 1, generatedAt: now.toISOString(), entries: kept };
}

/** JSON with sorted object keys: equal data, equal text. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => cmp(a, b))) : v,
  );
}

/** Whether two indexes list the same entries with the same content (generatedAt aside). */
export function sameEntries(a: PublishedIndexFile, b: PublishedIndexFile): boolean {
  return a.entries.length === b.entries.length && a.entries.every((e, i) => canonical(e) === canonical(b.entries[i]));
}
