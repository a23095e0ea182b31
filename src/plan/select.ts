// Chooses which jobs to run: those a pull request changed (--changed-since REF), or those whose
// build key the published index does not have yet (--index FILE: the scheduled rebuild).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { UserError } from '../errors.ts';
import { displayPath, expandPlatforms, type LoadedEntry, type Matrix, parseYaml, platformsFile } from '../matrix/index.ts';
import type { IndexEntry, Platform, PublishedIndexFile } from '../types.ts';
import { canonicalJson, platformDefinition } from './key.ts';
import { expandJobs, type PlannedJob, type PlannedTarget } from './expand.ts';
import { pinnedDigest, unpinned } from './pin.ts';

const run = promisify(execFile);

async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { code?: string | number; stderr?: string };
    if (e.code === 'ENOENT') throw new UserError('git is not installed; --changed-since needs it');
    throw new UserError(`git ${args.join(' ')} failed in ${cwd}: ${(e.stderr ?? String(err)).trim().split('\n')[0]}`);
  }
}

/** What changed in the matrix since a git ref: entry files (as jobs name them, see displayPath)
 * and platforms whose definition changed. */
export interface MatrixChanges {
  files: Set<string>;
  platforms: Set<string>;
}

/** Entry files changed since `ref` (committed or not), and platforms whose definition changed. A
 * changed platforms.yaml changes only the cells whose definition it changed. */
export async function changedSince(matrix: Matrix, ref: string): Promise<MatrixChanges> {
  const dir = path.resolve(matrix.dir);
  // Both at once: each is a process start, and the check only decides which error to show.
  const [isCommit, diff] = await Promise.allSettled([
    git(dir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]),
    git(dir, ['diff', '--name-only', '--relative', '--no-renames', ref, '--', '.']),
  ]);
  if (isCommit.status === 'rejected') {
    throw new UserError(`--changed-since: "${ref}" is not a commit in this repository (fetch it first: shallow clones lack history)`);
  }
  if (diff.status === 'rejected') throw diff.reason;
  const changed = diff.value.split('\n').filter(Boolean);
  return {
    files: new Set(changed.map((f) => displayPath(dir, f))),
    platforms: changed.includes('platforms.yaml') ? await platformsChangedSince(dir, ref, matrix.platforms) : new Set<string>(),
  };
}

/** The plan of what changed since `ref`, among `entries`: every job of a changed entry file, and
 * every entry's jobs on a changed platform: exactly what filtering the full plan keeps
 * (test/support/matrix.ts filterChangedSince), in the same order, but only those are expanded and
 * keyed. A deleted entry has no jobs. */
export async function planChangedSince(matrix: Matrix, ref: string, entries: readonly LoadedEntry[] = matrix.entries): Promise<PlannedJob[]> {
  const { files, platforms } = await changedSince(matrix, ref);
  if (platforms.size === 0) return expandJobs(matrix, entries.filter((e) => files.has(e.file)));
  return expandJobs(matrix, entries, (e, p) => files.has(e.file) || platforms.has(p.name));
}

async function platformsChangedSince(dir: string, ref: string, current: Platform[]): Promise<Set<string>> {
  let before: Platform[] = [];
  try {
    const text = await git(dir, ['show', `${ref}:./platforms.yaml`]);
    const parsed = parseYaml('platforms.yaml', text, platformsFile);
    if (parsed.value) before = expandPlatforms(parsed.value);
  } catch {
    // platforms.yaml did not exist at ref: every platform is new.
  }
  const old = new Map(before.map((p) => [p.name, canonicalJson(platformDefinition(p))]));
  return new Set(current.filter((p) => old.get(p.name) !== canonicalJson(platformDefinition(p))).map((p) => p.name));
}

export async function readIndexKeys(file: string): Promise<Set<string>> {
  return new Set(publishedBuilds(await readIndexData(file), `--index ${file}`).map((e) => e.key));
}

/** The builds an index file lists (see publishedBuilds). */
export async function readIndexBuilds(file: string): Promise<Partial<IndexEntry>[]> {
  return publishedBuilds(await readIndexData(file), `--index ${file}`);
}

async function readIndexData(file: string): Promise<unknown> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new UserError(`--index ${file}: ${reason}`);
  }
  return data;
}

/** The build keys an index (as JSON data) has published; `where` names it in errors. */
export function publishedKeys(data: unknown, where: string): Set<string> {
  return new Set(publishedBuilds(data, where).map((e) => e.key));
}

/** The successful builds an index (as JSON data) lists, each with its key: a failed one is tried
 * again by the next rebuild, so it does not count as published. */
export function publishedBuilds(data: unknown, where: string): (Partial<IndexEntry> & { key: string })[] {
  const entries = (data as Partial<PublishedIndexFile> | null)?.entries;
  if (!Array.isArray(entries)) throw new UserError(`${where}: expected an object with an "entries" list`);
  return (entries as Partial<IndexEntry>[]).filter((e): e is Partial<IndexEntry> & { key: string } => e.status !== 'failed' && typeof e.key === 'string');
}

/** Why a job needs building again: its build key is new to the index. */
export interface Staleness {
  /** new: no build of this job is published; builder-image, base-image: the image its tag names
   * moved (pinned plans only); definition: the entry, the platform or the recipe changed;
   * bundled-package: the builder has a newer version of a package the build bundled. */
  reason: 'new' | 'builder-image' | 'base-image' | 'definition' | 'bundled-package';
  message: string;
}

/** Each stale target with why: compared with the latest published build of the same job
 * (extension, version, platform). */
export function explainStale(targets: readonly PlannedTarget[], builds: readonly Partial<IndexEntry>[]): (PlannedJob & { stale: Staleness[] })[] {
  const latest = new Map<string, Partial<IndexEntry>>();
  const id = (j: { extension?: string; version?: string; platform?: string }) => `${j.extension}\u0000${j.version}\u0000${j.platform}`;
  for (const b of builds) {
    const prev = latest.get(id(b));
    if (!prev || (b.builtAt ?? '') >= (prev.builtAt ?? '')) latest.set(id(b), b);
  }
  const published = new Set(builds.map((b) => b.key));
  return targets
    .filter((t) => !published.has(t.job.key))
    .map(({ job, platform }) => {
      const prev = latest.get(id(job));
      if (!prev) return { ...job, stale: [{ reason: 'new', message: 'no build of this job is published' }] };
      const moved: Staleness[] = [];
      for (const [reason, now, then] of [
        ['builder-image', platform.builder.ref, prev.provenance?.builderImage],
        ['base-image', platform.base.ref, prev.provenance?.baseImage],
      ] as const) {
        const [a, b] = [pinnedDigest(now), then && pinnedDigest(then)];
        if (a && b && a !== b && then && unpinned(then) === unpinned(now)) moved.push({ reason, message: `${unpinned(now)} moved: ${b} -> ${a}` });
      }
      return { ...job, stale: moved.length > 0 ? moved : [{ reason: 'definition', message: 'the entry, its platform or the recipe changed' }] };
    });
}

/** Jobs whose build key is not yet published. */
export function selectStale(jobs: readonly PlannedJob[], published: ReadonlySet<string>): PlannedJob[] {
  return jobs.filter((j) => !published.has(j.key));
}
