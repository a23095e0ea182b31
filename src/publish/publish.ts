// Publishes what `trunkfarm build` left in an output directory: signs each trunk (key, or keyless
// inside GitHub Actions), pushes each job's OCI layout to a registry (or merges it into one local
// OCI layout), attaches trunks and signatures to GitHub Releases, and updates index.json last, so
// that the index never points at an artifact that is not there.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type JobResult, readResult } from '../builder/index.ts';
import { UserError } from '../errors.ts';
import { chooseSigningMethod, expectedSigner, loadSigningKey, signArtifact } from '../sign/index.ts';
import type { IndexEntry } from '../types.ts';
// api.ts by path: octokit is not in the github barrel (see github/index.ts).
import { createGitHubClient } from '../github/api.ts';
import { fileIndexStore, githubIndexStore, type IndexStore, registryIndexStore, updateIndex } from './index-store.ts';
import { signImages } from './image-signatures.ts';
import { createClient, mergeLayout, resolveRef, MEDIA, parseReference, pushLayout, type ClientEvent, type RegistryClient, type TagTarget } from '../oci/index.ts';
import { publishRelease, type ReleaseAssetInput, releaseTag, releaseTitle } from './releases.ts';

export interface PublishOptions {
  /** `HOST/NAMESPACE`: each extension goes to `HOST/NAMESPACE/NAME`. */
  registry?: string;
  /** A directory of local OCI layouts, one per extension (the default target without a registry). */
  ociLayout?: string;
  /** `OWNER/REPO` to attach trunks to releases of (GITHUB_REPOSITORY by default). */
  githubRelease?: string;
  replace?: boolean;
  /** Signing key; without it, keyless inside GitHub Actions. */
  key?: string;
  /** Publish unsigned artifacts (never the default). */
  unsigned?: boolean;
  /** Index: a local file (default OUT/index.json), */
  index?: string;
  /** or index.json on this branch of the repository (--github-release or GITHUB_REPOSITORY), */
  indexBranch?: string;
  /** or in this registry repository, HOST/NAMESPACE/NAME (true: REGISTRY/trunkfarm-index). */
  indexRegistry?: string | boolean;
  /** A registry request that makes no progress for this long is abandoned (and retried). Default 60 s. */
  requestTimeoutMs?: number;
  /** The whole publish stops after this long, saying what was done. Default: none. */
  deadlineMs?: number;
  /** Stops the publish at its next registry request (a signal received); its reason is the error. */
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface PublishResult {
  entries: IndexEntry[];
  uploadedBytes: number;
  index: string;
}

async function builtJobs(out: string): Promise<{ dir: string; result: JobResult }[]> {
  let names: string[];
  try {
    names = await readdir(out);
  } catch {
    throw new UserError(`${out}: no such output directory (run \`trunkfarm build\` first)`);
  }
  const jobs: { dir: string; result: JobResult }[] = [];
  for (const name of names.sort()) {
    if (name.endsWith('.partial')) continue;
    const dir = path.join(out, name);
    const result = await readResult(dir);
    if (result) jobs.push({ dir, result });
  }
  if (jobs.length === 0) throw new UserError(`${out}: holds no built jobs (no */result.json)`);
  return jobs;
}

export async function publish(out: string, opts: PublishOptions): Promise<PublishResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const jobs = await builtJobs(out);
  // One client for the registry and the index kept in one, with the timeouts and the deadline,
  // telling a person about each retry and each stalled request.
  const needsClient = !!opts.registry || (opts.indexRegistry !== undefined && opts.indexRegistry !== false);
  const client = needsClient
    ? createClient({
        ...(opts.requestTimeoutMs ? { timeoutMs: opts.requestTimeoutMs } : {}),
        ...(opts.deadlineMs ? { deadline: Date.now() + opts.deadlineMs } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        onEvent: (e) => {
          const line = progressLine(e);
          if (line) log(line);
        },
      })
    : undefined;
  try {
    return await publishWith(out, opts, jobs, client, log);
  } finally {
    client?.close();
  }
}

/** A line for a person: each retry (what, why, how long the wait) and each stalled request. */
export function progressLine(e: ClientEvent): string | undefined {
  if (e.type === 'retry') {
    const wait = `${(e.delayMs / 1000).toFixed(1)} s${e.retryAfter ? ', as the registry asked' : ''}`;
    return `retry ${e.attempt} of ${e.attempts - 1} in ${wait}: ${e.error}`;
  }
  if (e.type === 'wait') return `waiting: ${e.request} (${e.operation}) has made no progress for ${Math.round(e.idleMs / 1000)} s; abandoned at ${Math.round(e.timeoutMs / 1000)} s (--request-timeout)`;
  return undefined;
}

async function publishWith(out: string, opts: PublishOptions, jobs: { dir: string; result: JobResult }[], client: RegistryClient | undefined, log: (line: string) => void): Promise<PublishResult> {
  // Where the index goes is settled first: a bad option fails before anything is published.
  const store = indexStore(out, opts, log, client);
  const built = jobs.filter((j) => j.result.status === 'built' && j.result.artifacts);
  let uploadedBytes = 0;

  // 1. Signatures, beside each trunk.
  const method = opts.unsigned ? undefined : chooseSigningMethod(opts.key ? { key: await loadSigningKey(opts.key) } : {});
  // A bundle that already signs a trunk's bytes as this signer is kept: signing again would give
  // other bytes (ECDSA, keyless), and a re-publish would upload them for nothing.
  const signer = method ? await expectedSigner(method) : undefined;
  const bundles = new Map<string, string>();
  for (const { dir, result } of built) {
    const trunk = path.join(dir, result.artifacts!.trunk.file);
    if (!method) continue;
    const signed = await signArtifact(trunk, { method, reuse: signer! });
    bundles.set(dir, signed.bundlePath);
    log(signed.reused ? `kept the signature of ${path.basename(trunk)} (it signs these bytes already)` : `signed ${path.basename(trunk)} (${signed.method})`);
  }

  // 2. Images: to the registry, or into one local layout.
  const ociRefs = new Map<string, { ref: string; digest: string; size: number }>();
  for (const { dir, result } of built) {
    const a = result.artifacts!;
    const layout = path.join(dir, a.oci.layout);
    if (opts.registry && client) {
      const target = `${opts.registry.replace(/\/+$/, '')}/${result.job.extension}`;
      const ref = parseReference(target);
      const home = { kind: 'registry' as const, client, repository: { registry: ref.registry, repository: ref.repository } };
      const own = { mediaType: MEDIA.index, digest: a.oci.digest, size: await indexSize(layout, a.oci.digest) };
      // Signatures before tags: the image's own provenance (subject its index digest), and the
      // same for what each tag is about to name (the trunk artifact; the index merged with other
      // architectures' images), attached as referrers before any tag moves. Jobs of one version
      // built per architecture share its tag: their indexes are merged.
      const beforeTags = async (targets: TagTarget[]) => {
        // Its bytes go through the client during the push: pushed.stats counts them.
        const signed = await signImages(home, target, [own, ...targets.map((t) => t.descriptor)], { method: method!, signer: signer!, provenanceOf: path.join(dir, a.trunk.file) });
        for (const digest of signed.signed) log(`signed ${target}@${digest} (${method!.kind})`);
      };
      const pushed = await pushLayout(layout, target, { client, mergeIndexTags: true, ...(method ? { beforeTags } : {}) });
      uploadedBytes += pushed.stats.blobBytesUploaded;
      ociRefs.set(dir, { ref: `${target}:${a.oci.tag}`, digest: a.oci.digest, size: a.oci.size });
      const s = pushed.stats;
      const tags = pushed.manifests.flatMap((m) => m.tags);
      log(`pushed ${target}: ${tags.join(', ')} (${s.blobsUploaded} blobs uploaded, ${s.blobBytesUploaded} bytes; ${s.blobsPresent + s.blobsMounted} present or mounted; ${s.tagsMoved} tags moved${s.retries ? `; ${s.retries} retries` : ''})`);
    } else {
      // One layout per extension, as a registry has one repository per extension: tags such as
      // 1.0.0-pg17-gnulinux only name one image within an extension.
      const into = path.join(opts.ociLayout ?? path.join(out, 'oci'), result.job.extension);
      await mergeLayout(layout, into);
      if (method) {
        // The job's image index and the one its tag names (merged with other architectures').
        const own = { mediaType: MEDIA.index, digest: a.oci.digest, size: await indexSize(layout, a.oci.digest) };
        const signed = await signImages({ kind: 'layout', dir: into }, result.job.extension, [own, await resolveRef(into, a.oci.tag)], { method, signer: signer!, provenanceOf: path.join(dir, a.trunk.file) });
        for (const digest of signed.signed) log(`signed oci:${into}@${digest} (${method.kind})`);
      }
      ociRefs.set(dir, { ref: `oci:${into}:${a.oci.tag}`, digest: a.oci.digest, size: a.oci.size });
    }
  }

  // 3. Releases: one per extension version, with every platform's trunk and signature, and the
  // build log of each of its jobs (failed ones too), which outlives the workflow run's logs.
  const releaseUrls = new Map<string, string>();
  const logFiles = new Map<string, string>();
  if (opts.githubRelease) {
    const [owner, repo] = opts.githubRelease.split('/');
    if (!owner || !repo) throw new UserError(`--github-release ${opts.githubRelease}: expected OWNER/REPO`, { exitCode: 2 });
    const github = createGitHubClient({ log });
    const builtDirs = new Set(built.map((j) => j.dir));
    const byVersion = new Map<string, typeof jobs>();
    for (const j of jobs) {
      const k = `${j.result.job.extension}@${j.result.job.version}`;
      byVersion.set(k, [...(byVersion.get(k) ?? []), j]);
    }
    for (const group of byVersion.values()) {
      // A version none of whose jobs built gets no release: its logs stay with the run.
      if (!group.some((j) => builtDirs.has(j.dir))) continue;
      const { extension, version } = group[0]!.result.job;
      const assets: ReleaseAssetInput[] = [];
      for (const { dir, result } of group) {
        const logFile = await writeJobLog(dir, result);
        if (logFile) logFiles.set(dir, logFile);
        if (result.artifacts && builtDirs.has(dir)) {
          const bundle = bundles.get(dir);
          assets.push({ path: path.join(dir, result.artifacts.trunk.file) }, ...(bundle ? [{ path: bundle, contentType: 'application/json' }] : []));
        }
        if (logFile) assets.push({ path: logFile, contentType: 'text/plain; charset=utf-8' });
      }
      const release = await publishRelease(github, { owner, repo, tag: releaseTag(extension, version), name: releaseTitle(extension, version), assets, ...(opts.replace ? { replace: true } : {}), log });
      uploadedBytes += release.uploadedBytes;
      for (const asset of release.assets) releaseUrls.set(asset.path, asset.url);
    }
  }

  // 4. The index, last.
  const run = workflowRun();
  const entries = jobs.map(({ dir, result }) => {
    const logFile = logFiles.get(dir);
    const logUrl = (logFile && releaseUrls.get(logFile)) ?? run?.logUrl;
    return indexEntry(dir, result, ociRefs.get(dir), bundles.get(dir), releaseUrls, method?.kind, run?.runUrl, logUrl);
  });
  await updateIndex(store, entries);
  log(`index: ${entries.length} entries written to ${store.location}`);
  return { entries, uploadedBytes, index: store.location };
}

/** The workflow run publishing, inside GitHub Actions: its page, and the page of this attempt,
 * whose jobs' logs include the builds' (the build jobs run in the same workflow run). */
export function workflowRun(env: NodeJS.ProcessEnv = process.env): { runUrl: string; logUrl: string } | undefined {
  if (!env.GITHUB_RUN_ID || !env.GITHUB_REPOSITORY) return undefined;
  const runUrl = `${(env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, '')}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
  return { runUrl, logUrl: env.GITHUB_RUN_ATTEMPT ? `${runUrl}/attempts/${env.GITHUB_RUN_ATTEMPT}` : runUrl };
}

/** One text file of a job's step logs, in the order the steps ran, beside its result.json:
 * OUT/JOB/JOB.log. Its bytes depend only on the logs, so publishing again uploads nothing. */
async function writeJobLog(dir: string, result: JobResult): Promise<string | undefined> {
  const parts: string[] = [];
  for (const s of result.steps) {
    if (!s.log) continue;
    const text = await readFile(path.join(dir, s.log), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    parts.push(`==> ${s.name} (${s.status})\n${text}${text.endsWith('\n') || text === '' ? '' : '\n'}`);
  }
  if (parts.length === 0) return undefined;
  const file = path.join(dir, `${path.basename(dir)}.log`);
  await writeFile(file, parts.join(''));
  return file;
}

async function indexSize(layout: string, digest: string): Promise<number> {
  return (await stat(path.join(layout, 'blobs', 'sha256', digest.replace(/^sha256:/, '')))).size;
}

function indexStore(out: string, opts: PublishOptions, log: (line: string) => void, client: RegistryClient | undefined): IndexStore {
  if (opts.indexRegistry !== undefined && opts.indexRegistry !== false) {
    if (opts.index !== undefined || opts.indexBranch) throw new UserError('--index-registry goes without --index and --index-branch: the index has one home', { exitCode: 2 });
    if (opts.indexRegistry === true && !opts.registry) throw new UserError('--index-registry without a repository needs --registry (the index goes to REGISTRY/trunkfarm-index)', { exitCode: 2 });
    const repository = opts.indexRegistry === true ? `${opts.registry!.replace(/\/+$/, '')}/trunkfarm-index` : opts.indexRegistry;
    return registryIndexStore({ repository, log, ...(client ? { client } : {}) });
  }
  if (opts.indexBranch) {
    const repository = opts.githubRelease ?? process.env.GITHUB_REPOSITORY ?? '';
    const [owner, repo] = repository.split('/');
    if (!owner || !repo) throw new UserError('--index-branch needs the repository: --github-release OWNER/REPO or GITHUB_REPOSITORY', { exitCode: 2 });
    return githubIndexStore(createGitHubClient({}), { owner, repo, branch: opts.indexBranch });
  }
  return fileIndexStore(opts.index ?? path.join(out, 'index.json'));
}

function indexEntry(
  dir: string,
  r: JobResult,
  oci: { ref: string; digest: string; size: number } | undefined,
  bundle: string | undefined,
  releaseUrls: Map<string, string>,
  kind: 'key' | 'keyless' | undefined,
  runUrl: string | undefined,
  logUrl: string | undefined,
): IndexEntry {
  const a = r.artifacts;
  const trunkPath = a ? path.join(dir, a.trunk.file) : undefined;
  return {
    key: r.job.key,
    extension: r.job.extension,
    version: r.job.version,
    pg: r.job.pg,
    arch: r.job.arch,
    libc: r.job.libc,
    platform: r.job.platform,
    ...(r.isa ? { isa: r.isa.baseline } : {}),
    status: r.status,
    ...(r.failure ? { failure: r.failure } : {}),
    ...(a && trunkPath ? { trunk: { file: path.basename(trunkPath), sha256: a.trunk.sha256, size: a.trunk.size, files: a.trunk.files, ...(releaseUrls.get(trunkPath) ? { url: releaseUrls.get(trunkPath) } : {}) } } : {}),
    ...(oci ? { oci } : {}),
    closure: {
      ok: r.closure?.ok ?? false,
      bundled: (r.closure?.bundled ?? []).map((b) => ({ soname: b.soname, file: b.file, sha256: b.sha256, size: b.size, ...(b.package ? { package: b.package } : {}), ...(b.version ? { packageVersion: b.version } : {}), ...(b.license ? { license: b.license } : {}) })),
      problems: r.closure?.problems ?? [],
    },
    ...(bundle && kind ? { signature: { bundle: releaseUrls.get(bundle) ?? path.basename(bundle), kind } } : {}),
    provenance: {
      source: r.source?.uri ?? '',
      sourceDigest: r.source?.sha256 ? `sha256:${r.source.sha256}` : '',
      builderImage: r.images?.builder.ref ?? '',
      baseImage: r.images?.base.ref ?? '',
      ...(runUrl ? { runUrl } : {}),
    },
    ...(logUrl ? { logUrl } : {}),
    builtAt: r.finishedAt,
  };
}

