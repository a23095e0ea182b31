// Trunk files and their signature bundles as GitHub release assets: one release per extension
// version, tagged `{extension}-v{version}` (`pgvector-v0.8.0`), holding that version's files for
// every platform (`pgvector-0.8.0+pg17-gnulinux-amd64.trunk` and `....trunk.sigstore.json`).
//
// Re-running is idempotent, and checks before it writes: every local file is compared with the
// asset of the same name first (by the sha256 GitHub reports as the asset's `digest`, or by
// downloading it where GitHub gives none). Equal: skipped, no byte sent. Different: an error naming
// both digests, before anything is uploaded, unless `replace` is set (then delete and re-upload).
// Two jobs may publish to the same release at once: a create that loses the race (422
// already_exists) adopts the winner's release, and an upload that loses it compares digests again.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../errors.ts';
import { githubError, isAlreadyExists, isRequestError, type GitHubClient } from '../github/api.ts';

/** The release tag of an extension version. */
export function releaseTag(extension: string, version: string): string {
  const tag = `${extension}-v${version}`;
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(tag) || tag.includes('..') || tag.endsWith('.') || tag.endsWith('.lock')) {
    throw new UserError(`cannot make a release tag of extension "${extension}" version "${version}": "${tag}" is not a plain git tag name`);
  }
  return tag;
}

/** The release title of an extension version: `pgvector 0.8.0`. */
export function releaseTitle(extension: string, version: string): string {
  return `${extension} ${version}`;
}

export interface ReleaseAssetInput {
  path: string;
  /** Default: the file's base name. */
  name?: string;
  /** Default: from the name (`.trunk` gzip, `.json` JSON, else octet-stream). */
  contentType?: string;
}

export interface PublishReleaseOptions {
  owner: string;
  repo: string;
  tag: string;
  /** Title, used when the release is created. Default: the tag. */
  name?: string;
  /** Description, used when the release is created. */
  body?: string;
  assets: readonly ReleaseAssetInput[];
  /** Overwrite assets whose content differs from the local file (`--replace`). */
  replace?: boolean;
  /** Commit a new tag points at (GITHUB_SHA in Actions). Default: the default branch's head. */
  targetCommitish?: string;
  log?: (line: string) => void;
}

export interface PublishedAsset {
  name: string;
  path: string;
  sha256: string;
  size: number;
  /** browser_download_url: where users download it. */
  url: string;
  action: 'uploaded' | 'replaced' | 'skipped';
}

export interface PublishedRelease {
  id: number;
  tag: string;
  /** The release page. */
  url: string;
  created: boolean;
  assets: PublishedAsset[];
  /** Bytes this run sent: 0 when everything was there already. */
  uploadedBytes: number;
}

interface RemoteAsset {
  id: number;
  name: string;
  size: number;
  state: string;
  digest?: string | null;
  browser_download_url: string;
}

interface Release {
  id: number;
  html_url: string;
  upload_url: string;
}

interface LocalAsset {
  name: string;
  path: string;
  contentType: string;
  sha256: string;
  size: number;
}

// GitHub silently renames assets with other characters (space, `~`, `:`, parentheses become `.`),
// after which nothing finds them by name again; `+` survives when sent percent-encoded, as octokit does.
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

export function defaultContentType(name: string): string {
  if (name.endsWith('.trunk')) return 'application/gzip';
  if (name.endsWith('.json')) return 'application/json';
  return 'application/octet-stream';
}

export async function publishRelease(github: GitHubClient, options: PublishReleaseOptions): Promise<PublishedRelease> {
  const { owner, repo, tag } = options;
  const log = options.log ?? (() => {});
  const where = `release ${tag} of ${owner}/${repo}`;
  const locals = await describeLocal(options.assets);

  const { release, created } = await getOrCreateRelease(github, options);
  const ctx: Context = { github, owner, repo, tag, where, release, log, uploadedBytes: 0 };
  if (created) log(`created ${where}`);

  // Decide everything before writing anything: a conflicting asset stops the run with the
  // release as it was.
  const remote = new Map((await listAssets(ctx)).map((a) => [a.name, a]));
  const plans: { local: LocalAsset; remote?: RemoteAsset; action: PublishedAsset['action'] }[] = [];
  const conflicts: string[] = [];
  for (const local of locals) {
    const existing = remote.get(local.name);
    if (!existing) {
      plans.push({ local, action: 'uploaded' });
    } else if (existing.state !== 'uploaded') {
      // Left by an upload that failed upstream (GitHub: "can be safely deleted").
      plans.push({ local, remote: existing, action: 'uploaded' });
    } else {
      const theirs = await remoteSha256(ctx, existing);
      if (theirs === local.sha256) plans.push({ local, remote: existing, action: 'skipped' });
      else if (options.replace) plans.push({ local, remote: existing, action: 'replaced' });
      else conflicts.push(`  ${local.name}: the release has sha256:${theirs}, ${local.path} has sha256:${local.sha256}`);
    }
  }
  if (conflicts.length) {
    throw new UserError(`${where} already has assets with different content (pass --replace to overwrite them):\n${conflicts.join('\n')}`);
  }

  const results: PublishedAsset[] = [];
  for (const plan of plans) {
    let asset: RemoteAsset;
    let action = plan.action;
    if (action === 'skipped') {
      asset = plan.remote!;
      log(`${plan.local.name}: already on the release (sha256:${plan.local.sha256})`);
    } else {
      if (plan.remote) await deleteAsset(ctx, plan.remote);
      ({ asset, action } = await upload(ctx, plan.local, action, options.replace ?? false));
    }
    const { name, path: file, sha256, size } = plan.local;
    results.push({ name, path: file, sha256, size, url: asset.browser_download_url, action });
  }
  return { id: release.id, tag, url: release.html_url, created, assets: results, uploadedBytes: ctx.uploadedBytes };
}

interface Context {
  github: GitHubClient;
  owner: string;
  repo: string;
  tag: string;
  where: string;
  release: Release;
  log: (line: string) => void;
  uploadedBytes: number;
}

async function describeLocal(inputs: readonly ReleaseAssetInput[]): Promise<LocalAsset[]> {
  const seen = new Map<string, string>();
  const out: LocalAsset[] = [];
  for (const input of inputs) {
    const name = input.name ?? path.basename(input.path);
    if (!ASSET_NAME.test(name) || name.endsWith('.')) {
      throw new UserError(`release asset name "${name}" (${input.path}) may only use letters, digits, ".", "_", "+" and "-" (GitHub renames others)`);
    }
    const other = seen.get(name);
    if (other !== undefined) throw new UserError(`two release assets would be named "${name}": ${other} and ${input.path}`);
    seen.set(name, input.path);
    out.push({ name, path: input.path, contentType: input.contentType ?? defaultContentType(name), ...(await hashFile(input.path)) });
  }
  return out;
}

async function hashFile(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of createReadStream(file)) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new UserError(`release asset ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
  return { sha256: hash.digest('hex'), size };
}

async function findRelease(github: GitHubClient, owner: string, repo: string, tag: string): Promise<Release | null> {
  try {
    return (await github.rest.repos.getReleaseByTag({ owner, repo, tag })).data;
  } catch (err) {
    if (isRequestError(err, 404)) return null;
    githubError(err, `looking up release ${tag} of ${owner}/${repo}`);
  }
}

async function getOrCreateRelease(github: GitHubClient, o: PublishReleaseOptions): Promise<{ release: Release; created: boolean }> {
  const found = await findRelease(github, o.owner, o.repo, o.tag);
  if (found) return { release: found, created: false };
  try {
    const { data } = await github.rest.repos.createRelease({
      owner: o.owner,
      repo: o.repo,
      tag_name: o.tag,
      name: o.name ?? o.tag,
      ...(o.body === undefined ? {} : { body: o.body }),
      ...(o.targetCommitish === undefined ? {} : { target_commitish: o.targetCommitish }),
      // Releases of many extensions share the repository: none of them is "the latest".
      make_latest: 'false',
    });
    return { release: data, created: true };
  } catch (err) {
    if (!isAlreadyExists(err)) githubError(err, `creating release ${o.tag} of ${o.owner}/${o.repo}`);
  }
  // Another job created it between our lookup and our create; it may take GitHub a moment to show it.
  for (let i = 0; i < 5; i++) {
    const release = await findRelease(github, o.owner, o.repo, o.tag);
    if (release) return { release, created: false };
    await sleep(250 * 2 ** i);
  }
  throw new UserError(`GitHub says release ${o.tag} of ${o.owner}/${o.repo} exists but does not show it: is it a draft? Publish or delete the draft`);
}

async function listAssets(ctx: Context): Promise<RemoteAsset[]> {
  try {
    return await ctx.github.paginate(ctx.github.rest.repos.listReleaseAssets, { owner: ctx.owner, repo: ctx.repo, release_id: ctx.release.id, per_page: 100 });
  } catch (err) {
    githubError(err, `listing the assets of ${ctx.where}`);
  }
}

/** The asset's sha256: from GitHub's `digest` where given, else by downloading it. */
async function remoteSha256(ctx: Context, asset: RemoteAsset): Promise<string> {
  if (asset.digest?.startsWith('sha256:')) return asset.digest.slice('sha256:'.length);
  try {
    const { data } = await ctx.github.rest.repos.getReleaseAsset({
      owner: ctx.owner,
      repo: ctx.repo,
      asset_id: asset.id,
      headers: { accept: 'application/octet-stream' },
    });
    return createHash('sha256')
      .update(Buffer.from(data as unknown as ArrayBuffer))
      .digest('hex');
  } catch (err) {
    githubError(err, `downloading asset ${asset.name} of ${ctx.where} to compare it`);
  }
}

async function deleteAsset(ctx: Context, asset: RemoteAsset): Promise<void> {
  try {
    await ctx.github.rest.repos.deleteReleaseAsset({ owner: ctx.owner, repo: ctx.repo, asset_id: asset.id });
  } catch (err) {
    if (isRequestError(err, 404)) return;
    githubError(err, `deleting asset ${asset.name} of ${ctx.where}`);
  }
}

/** Uploads one file. If the name is taken meanwhile (another job, or a half-failed attempt of
 * ours), looks again: debris is cleared, an equal asset is kept, a different one is an error. */
async function upload(ctx: Context, local: LocalAsset, action: 'uploaded' | 'replaced', replace: boolean): Promise<{ asset: RemoteAsset; action: PublishedAsset['action'] }> {
  const bytes = await readFile(local.path).catch((err: Error) => {
    throw new UserError(`release asset ${local.path}: ${err.message}`);
  });
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== local.sha256) throw new UserError(`release asset ${local.path} changed while it was being published`);

  for (let attempt = 1; ; attempt++) {
    try {
      const { data } = await ctx.github.rest.repos.uploadReleaseAsset({
        owner: ctx.owner,
        repo: ctx.repo,
        release_id: ctx.release.id,
        name: local.name,
        // Typed as a string, sent as any fetch body: the bytes go as they are.
        data: bytes as unknown as string,
        // The hypermedia upload URL: uploads live on their own host (and under /api/uploads on GHES).
        url: ctx.release.upload_url,
        headers: { 'content-type': local.contentType },
      });
      ctx.uploadedBytes += bytes.length;
      if (data.name !== local.name) throw new UserError(`GitHub stored ${local.path} on ${ctx.where} as "${data.name}", not "${local.name}"`);
      if (data.digest && data.digest !== `sha256:${sha256}`) {
        throw new UserError(`GitHub stored ${local.name} on ${ctx.where} with digest ${data.digest}, but ${local.path} has sha256:${sha256}: re-run with --replace`);
      }
      ctx.log(`${local.name}: ${action} (${bytes.length} bytes)`);
      return { asset: data, action };
    } catch (err) {
      if (!isAlreadyExists(err) || attempt >= 3) githubError(err, `uploading ${local.name} to ${ctx.where}`);
    }
    const existing = (await listAssets(ctx)).find((a) => a.name === local.name);
    if (!existing) continue;
    if (existing.state === 'uploaded') {
      const theirs = await remoteSha256(ctx, existing);
      if (theirs === local.sha256) return { asset: existing, action: 'skipped' };
      if (!replace) {
        throw new UserError(`${ctx.where}: another publish uploaded ${local.name} meanwhile with sha256:${theirs}; ${local.path} has sha256:${local.sha256} (pass --replace to overwrite it)`);
      }
    }
    await deleteAsset(ctx, existing);
  }
}
