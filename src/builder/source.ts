// A content-addressed cache of extension sources. An archive is stored under the sha256 of its
// bytes, a git checkout under its commit; a cached source is never fetched again. Bytes are hashed
// while they stream into a temporary file, which is renamed into place only when the digest
// matches, so a failed or mismatched download leaves nothing behind.
//
// Where an upstream cannot be reached (machines whose only way out is a Debian mirror), an archive
// source may name the Debian source package that carries the same upstream tarball: it is then
// fetched from the mirror's pool, and must still have the expected sha256.
//
// Layout under <cache root>/sources: sha256/<hex> (archives), git/<commit>.tar (git sources, as a
// tarball with one top directory), tmp/ (downloads in progress).

import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, readlink, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { cacheRoot } from '../cache/index.ts';
import { UserError } from '../errors.ts';
import { exists, isWithin, pathWithin, sha256File } from '../files/index.ts';
import { HttpStatusError, httpGet, type IncomingMessage } from '../http/index.ts';
import { debianMirror, poolUrl } from './debian-mirror.ts';
import { capture, type Captured } from './process.ts';

/** An upstream tarball of a Debian source package: `{package: 'pgvector', orig: 'pgvector_0.8.0.orig.tar.gz'}`. */
interface DebianOrig {
  package: string;
  orig: string;
}

interface ArchiveSource {
  /** Absent when Debian's copy is the only source of these bytes (a +dfsg repack). */
  url?: string;
  sha256: string;
  /** Where the same bytes can be had when `url` cannot be reached. */
  debian?: DebianOrig;
}

interface GitSource {
  git: string;
  /** A full 40-hex commit id. */
  commit: string;
}

type Source = ArchiveSource | GitSource;

interface FetchOptions {
  /** The cache root; default `$TRUNKFARM_CACHE`, else `.cache` under the working directory. */
  cacheRoot?: string;
  /** Debian mirror for fallbacks; default: the one apt uses (see debian-mirror.ts). */
  mirror?: string;
  /** Progress lines. */
  log?: (line: string) => void;
  /** Give up on a download that has not completed in this time. Default 10 minutes. */
  timeoutMs?: number;
}

interface FetchedSource {
  /** The cached archive (a tarball). */
  path: string;
  /** sha256 of its bytes. */
  sha256: string;
  /** Where it came from this time. */
  from: 'cache' | 'upstream' | 'debian';
  /** The URL (or git URL) it was fetched from, or would have been. */
  url: string;
}

const SHA256 = /^[0-9a-f]{64}$/;
const COMMIT = /^[0-9a-f]{40}$/;

function sourcesDir(opts: FetchOptions): string {
  return join(opts.cacheRoot ?? cacheRoot(), 'sources');
}

function isGitSource(src: Source): src is GitSource {
  return 'git' in src;
}

/** Fetch a source into the cache (or find it there) and return its tarball. */
export function fetchSource(src: Source, opts: FetchOptions = {}): Promise<FetchedSource> {
  return isGitSource(src) ? fetchGit(src, opts) : fetchArchive(src, opts);
}

// ---------------------------------------------------------------------------------------------
// Archives

export async function fetchArchive(src: ArchiveSource, opts: FetchOptions = {}): Promise<FetchedSource> {
  const want = src.sha256.toLowerCase();
  const name = src.url ?? src.debian?.orig;
  if (name === undefined) throw new UserError('an archive source needs a url or a Debian orig tarball');
  if (!SHA256.test(want)) throw new UserError(`invalid sha256 "${src.sha256}" for ${name}: expected 64 hex digits`);
  const dir = sourcesDir(opts);
  const path = join(dir, 'sha256', want);

  if (await isFile(path)) {
    // A cache hit is trusted only after a re-hash: a damaged file is dropped and fetched again.
    if ((await sha256File(path)) === want) return { path, sha256: want, from: 'cache', url: name };
    opts.log?.(`cached ${path} is damaged; fetching it again`);
    await rm(path, { force: true });
  }

  await mkdir(join(dir, 'sha256'), { recursive: true });
  let upstreamError: Error | undefined;
  if (src.url !== undefined) {
    try {
      opts.log?.(`fetching ${src.url}`);
      await download(src.url, want, path, dir, opts);
      return { path, sha256: want, from: 'upstream', url: src.url };
    } catch (err) {
      if (!(err instanceof Unreachable) || !src.debian) throw err;
      upstreamError = err;
    }
  }
  const debian = src.debian!;

  const mirror = opts.mirror ?? (await debianMirror());
  const url = poolUrl(mirror, debian.package, debian.orig);
  opts.log?.(upstreamError ? `${src.url} cannot be reached (${upstreamError.message}); fetching Debian's ${debian.orig}` : `fetching Debian's ${debian.orig}`);
  try {
    await download(url, want, path, dir, opts);
  } catch (err) {
    if (err instanceof Unreachable) {
      throw new UserError(upstreamError ? `cannot fetch ${src.url} (${upstreamError.message}) nor its Debian copy ${url} (${err.message})` : `cannot fetch Debian's ${debian.orig} from ${url} (${err.message})`);
    }
    throw err;
  }
  return { path, sha256: want, from: 'debian', url };
}

/** The server could not be reached or did not serve the file: worth trying another copy. */
class Unreachable extends Error {}

async function download(url: string, want: string, dest: string, dir: string, opts: FetchOptions): Promise<void> {
  const tmp = await tempPath(dir);
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 600_000);
  let res: IncomingMessage;
  try {
    res = await httpGet(url, { signal: timeout, ...(opts.log ? { onRetry: (e) => opts.log!(`${e.operation}: ${e.reason}; retry ${e.retry} in ${(e.delayMs / 1000).toFixed(1)} s`) } : {}) });
  } catch (err) {
    throw new Unreachable(err instanceof HttpStatusError ? `HTTP ${err.status}` : describeFetchError(err));
  }
  const hash = createHash('sha256');
  try {
    await pipeline(
      res,
      new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          done(null, chunk);
        },
      }),
      createWriteStream(tmp, { flags: 'wx' }),
    );
  } catch (err) {
    await rm(tmp, { force: true });
    throw new Unreachable(`download interrupted: ${describeFetchError(err)}`);
  }
  const got = hash.digest('hex');
  if (got !== want) {
    await rm(tmp, { force: true });
    throw new UserError(`sha256 mismatch for ${url}: expected ${want}, got ${got}`);
  }
  await rename(tmp, dest);
}

function describeFetchError(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string; name?: string } };
  if (e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError') return 'timed out';
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause ? `${e.message}: ${cause}` : String(e?.message ?? err);
}

// ---------------------------------------------------------------------------------------------
// Git

/**
 * Fetch one commit of a git repository and keep it as a tarball (`git archive`, one top directory
 * named `src`). `git archive` of a commit is deterministic for a given git version: file times are
 * the commit's time, modes are normalised.
 */
export async function fetchGit(src: GitSource, opts: FetchOptions = {}): Promise<FetchedSource> {
  const commit = src.commit.toLowerCase();
  if (!COMMIT.test(commit)) throw new UserError(`invalid git commit "${src.commit}" for ${src.git}: expected 40 hex digits`);
  const dir = sourcesDir(opts);
  const path = join(dir, 'git', `${commit}.tar`);
  if (await isFile(path)) return { path, sha256: await sha256File(path), from: 'cache', url: src.git };

  await mkdir(join(dir, 'git'), { recursive: true });
  await mkdir(join(dir, 'tmp'), { recursive: true });
  const work = await mkdtemp(join(dir, 'tmp', 'git-'));
  try {
    opts.log?.(`fetching ${src.git} at ${commit}`);
    await git(['init', '--quiet', '--bare', work]);
    // Fetching the commit alone is quickest, where the server allows it (GitHub does); else all refs.
    const single = await git(['-C', work, 'fetch', '--quiet', '--depth=1', src.git, commit], { check: false });
    if (single.code !== 0) {
      await git(['-C', work, 'fetch', '--quiet', src.git, '+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*']);
    }
    const type = await git(['-C', work, 'cat-file', '-t', commit], { check: false });
    if (type.code !== 0 || type.stdout.trim() !== 'commit') {
      throw new UserError(`commit ${commit} is not in ${src.git}`);
    }
    const tmp = await tempPath(dir);
    await git(['-C', work, '-c', 'tar.umask=0022', '-c', 'core.autocrlf=false', 'archive', '--format=tar',
      '--prefix=src/', '-o', tmp, commit]);
    await rename(tmp, path);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return { path, sha256: await sha256File(path), from: 'upstream', url: src.git };
}

async function git(args: string[], opts: { check?: boolean } = {}): Promise<Captured> {
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1' };
  const r = await capture('git', args, env).catch((err: Error & { code?: string }) => {
    throw err.code === 'ENOENT' ? new UserError('git not found on PATH: git sources need it') : err;
  });
  if (r.code !== 0 && opts.check !== false) {
    throw new UserError(`git ${args.join(' ')} failed: ${r.stderr.trim().split('\n').pop() ?? ''}`);
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Unpacking

/**
 * Unpack a source tarball (any compression tar recognises) into `dest`, which must not exist yet,
 * dropping the top directory when every entry sits under one (not with `strip: false`, for an
 * image layer, whose root is the mount's). The tree appears whole or not at all: it is unpacked
 * next to `dest` and renamed.
 */
export async function unpackSource(tarball: string, dest: string, options: { strip?: boolean } = {}): Promise<void> {
  const target = resolve(dest);
  if (await exists(target)) throw new UserError(`cannot unpack ${tarball}: ${target} exists already`);
  const parent = resolve(target, '..');
  await mkdir(parent, { recursive: true });
  const tmp = await mkdtemp(join(parent, '.unpack-'));
  try {
    const list = await capture('tar', ['-tf', tarball]);
    if (list.code !== 0) throw new UserError(`${tarball} is not a readable tarball: ${list.stderr.trim()}`);
    const tops = new Set(
      list.stdout
        .split('\n')
        .filter(Boolean)
        .map((n) => n.replace(/^\.\//, '').split('/')[0])
        .filter((n) => n && n !== '.'),
    );
    const entries = list.stdout.split('\n').filter(Boolean);
    // GNU tar already refuses to write through these; a source has no business holding them.
    const outside = entries.find((n) => n.startsWith('/') || n.split('/').includes('..'));
    if (outside !== undefined) throw new UserError(`${tarball}: entry "${outside}" names a path outside the source; refusing to unpack it`);
    const oneTop = options.strip !== false && tops.size === 1 && entries.some((n) => n.replace(/^\.\//, '').includes('/'));
    const args = ['-xf', tarball, '-C', tmp, '--no-same-owner', '--delay-directory-restore'];
    if (oneTop) args.push(`--strip-components=${entries[0]!.startsWith('./') ? 2 : 1}`);
    const r = await capture('tar', args);
    if (r.code !== 0) throw new UserError(`cannot unpack ${tarball}: ${r.stderr.trim()}`);
    await checkSourceTree(tarball, tmp);
    // mkdtemp makes it 0700; a tree others read (a container's postgres user) wants tar's 0755.
    await chmod(tmp, 0o755);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** A source (what tar left, or a copy from the repository) is plain files, directories and symlinks
 * that stay in the tree: a link to the build machine's files would be read (or written, by a build
 * step or a patch) through, a device node or FIFO read as a file (a FIFO blocks the reader). */
export async function checkSourceTree(from: string, dir: string): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const full = join(e.parentPath, e.name);
    const rel = relative(dir, full);
    if (e.isSymbolicLink()) {
      const target = await readlink(full);
      if (isAbsolute(target) || !isWithin(dir, resolve(dirname(full), target)))
        throw new UserError(`${from}: entry "${rel}" is a symlink to ${target}, outside the source; refusing to use it`);
    } else if (!e.isFile() && !e.isDirectory()) {
      throw new UserError(`${from}: entry "${rel}" is a device, FIFO or socket; a source holds only files, directories and symlinks`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Patching

/**
 * Applies patches to an unpacked source tree, in order, with `patch -p1`: the format `diff -u`
 * and `git diff` write, which patch(1) applies outside a git work tree too (`git apply` would
 * apply to the enclosing repository instead). A patch that does not apply cleanly fails the build
 * rather than leaving rejects behind.
 */
export async function applyPatches(dir: string, patches: readonly { file: string; path: string }[], log?: (line: string) => void): Promise<void> {
  for (const p of patches) {
    await checkPatchPaths(dir, p);
    log?.(`applying ${p.file}`);
    const r = await capture('patch', ['-p1', '--batch', '--forward', '--no-backup-if-mismatch', '--reject-file=-', '-d', dir, '-i', p.path]).catch((err: Error & { code?: string }) => {
      throw err.code === 'ENOENT' ? new UserError('patch not found on PATH: entries with source.patches need it') : err;
    });
    if (r.code !== 0) throw new UserError(`${p.file} does not apply to the source: ${(r.stdout + r.stderr).trim().split('\n').slice(-6).join('\n')}`);
  }
}

/** Every file a patch names, with its first component stripped as -p1 does, is inside the source
 * and reached through no link out of it. GNU patch refuses such names itself; others need not. */
async function checkPatchPaths(dir: string, p: { file: string; path: string }): Promise<void> {
  const lines = (await readFile(p.path, 'utf8')).split('\n');
  for (const [i, line] of lines.entries()) {
    const m = /^(?:---|\+\+\+) ([^\t\n]+)/.exec(line) ?? /^diff --git (\S+) (\S+)/.exec(line) ?? /^(?:rename|copy) (?:from|to) (.+)$/.exec(line);
    if (!m) continue;
    for (const name of m.slice(1)) {
      if (name === '/dev/null') continue;
      const rel = (line.startsWith('rename') || line.startsWith('copy') ? name : name.split('/').slice(1).join('/')).trim();
      const where = `${p.file}:${i + 1}`;
      if (rel.split('/').includes('..')) throw new UserError(`${where}: the patch touches ${rel}, outside the source`);
      try {
        pathWithin(dir, rel);
      } catch (err) {
        throw new UserError(`${where}: ${(err as Error).message}`, { cause: err });
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

async function tempPath(dir: string): Promise<string> {
  await mkdir(join(dir, 'tmp'), { recursive: true });
  return join(dir, 'tmp', `${process.pid}-${randomBytes(6).toString('hex')}`);
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

