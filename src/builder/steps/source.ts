// The source step: the entry's source, fetched (or copied from the repository) and unpacked into
// the job's source folder, its patches applied.
import { cp, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../../errors.ts';
import { pathWithin } from '../../files/index.ts';
import { patchPath } from '../../matrix/index.ts';
import type { JobContext } from '../context.ts';
import type { JobResult } from '../../job-result/index.ts';
import { applyPatches, checkSourceTree, fetchSource, unpackSource } from '../source.ts';

export interface SourceOutput {
  /** The archive's sha256 ('' for a source in the repository). */
  sha256: string;
  uri: string;
  /** SOURCE_DATE_EPOCH for everything the job makes. */
  epoch: number;
}

export function sourceStep(ctx: JobContext): Promise<SourceOutput> {
  return ctx.steps.run('source', async () => {
    const record = await placeSource(ctx);
    ctx.result.source = record;
    const patches = ('patches' in ctx.entry.source ? (ctx.entry.source.patches ?? []) : []).map(({ file }) => ({ file, path: patchPath(ctx.matrixDir, ctx.entry, file) }));
    await applyPatches(ctx.paths.src, patches, (line) => ctx.steps.reporter.line(line));
    return { sha256: record.sha256, uri: record.uri, epoch: Number(process.env.SOURCE_DATE_EPOCH ?? (await newestMtime(ctx.paths.src))) };
  });
}

const WORKSPACE_ADDITIONS = new Set(['.trunkfarm', '.trunkfarm-matrix']);

async function placeSource(ctx: JobContext): Promise<NonNullable<JobResult['source']>> {
  const { source } = ctx.entry;
  if ('path' in source) {
    const repoRoot = path.resolve(ctx.matrixDir, '..');
    const from = path.resolve(repoRoot, source.path);
    if (!from.startsWith(`${repoRoot}${path.sep}`) && from !== repoRoot) throw new UserError(`source.path ${source.path} leaves the repository`);
    pathWithin(repoRoot, source.path); // nor through a symlink
    // Not the extension's: what the actions put at the top of a caller's workspace (trunkfarm's
    // own checkout, .trunkfarm, in the reusable workflow; the generated matrix, .trunkfarm-matrix).
    const notSource = (p: string) => path.dirname(p) === repoRoot && WORKSPACE_ADDITIONS.has(path.basename(p));
    // Timestamps kept: SOURCE_DATE_EPOCH is the newest of them, so the same tree gives the same
    // bytes (a copy's own times would date every build differently).
    // Links copied as they are (cp would make a relative one absolute, into the repository).
    await cp(from, ctx.paths.src, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true, filter: (p) => !notSource(p) });
    await checkSourceTree(from, ctx.paths.src);
    return { uri: `file:${path.relative(repoRoot, from) || '.'}`, sha256: '', from: 'repository' };
  }
  const src = 'git' in source ? { git: source.git, commit: source.commit } : { ...(source.url ? { url: source.url } : {}), sha256: source.sha256, ...(source.debian ? { debian: source.debian } : {}) };
  const got = await fetchSource(src, { log: (line) => ctx.steps.reporter.line(line) });
  await unpackSource(got.path, ctx.paths.src);
  return { uri: got.url, sha256: got.sha256, from: got.from };
}

/** Newest mtime in the source tree: a SOURCE_DATE_EPOCH that the same source always gives. */
async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const s = await stat(path.join(e.parentPath, e.name));
    newest = Math.max(newest, Math.floor(s.mtimeMs / 1000));
  }
  return newest;
}
