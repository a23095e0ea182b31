// Installing a trunk, and removing exactly what an install put down.
//
// Order of work: open and verify the whole trunk into a private directory (every digest, the
// format version, no entry escaping, no device, no setuid), check it against the target (Postgres
// major, CPU, C library), refuse if anything would be overwritten, and only then touch the target.
//
// --pg-config: files go to pg_config's directories. They cannot all be renamed into place at once,
//   so a journal is written first, every file is copied to a temporary name beside its destination,
//   then all are renamed. A failure rolls back; a process killed half way leaves the journal, and the
//   next install or uninstall of that package rolls back from it before anything else.
// --extensions-dir DIR: the package is laid out in a staging directory in DIR and renamed to
//   DIR/NAME in one step.
// Either way a manifest of what was installed (with SHA-256 digests) is kept: PKGLIBDIR.trunkfarm/
// NAME.json (where no package may install; see install-state.ts), or
// DIR/NAME/.trunkfarm-install.json; uninstall removes those files only, and refuses if any of them
// changed since. Symlinks are installed with their targets mapped the way the files are.
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, copyFile, lstat, mkdir, mkdtemp, readFile, readlink, rename, rm, rmdir, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join, posix } from 'node:path';
import { UserError } from '../errors.ts';
import { exists } from '../files/index.ts';
import { checkPlace, parseJournal, parseManifest, statePaths, tempName, type InstallManifest, type Journal, type Places, type StatePaths } from './install-state.ts';
import { mapPaths, pgConfigDestination, searchPathSettings } from './destinations.ts';
import type { PackageMeta } from './meta.ts';
import { compatibilityProblems, probeHost, probePgConfig, type InstallTargetInfo } from './target.ts';
import { readTrunk, readTrunkMeta, type OpenedTrunk } from './trunk/read.ts';
import { comparePaths, resolveLink, withImpliedDirs, type TreeEntry } from './tree.ts';
import { volumeTree } from './volume.ts';
import { hashFile } from './stage.ts';

/** `pgConfig`: a pg_config to run, or what one would say of a PostgreSQL that is not this
 * machine's (a base image that a build tests its package in, its directories under a root). */
type PgConfigTarget = string | (InstallTargetInfo & { dirs: NonNullable<InstallTargetInfo['dirs']> });
export type InstallTarget = { pgConfig: PgConfigTarget; extensionsDir?: undefined } | { extensionsDir: string; pgConfig?: PgConfigTarget };

const probe = (pgConfig: PgConfigTarget): Promise<InstallTargetInfo> => (typeof pgConfig === 'string' ? probePgConfig(pgConfig) : Promise.resolve(pgConfig));

export interface InstallOptions {
  /** Called before each rename of the commit; an exception thrown here aborts the install, which
   * is rolled back. (Progress reporting, and how tests interrupt an install half way.) */
  onCommitStep?: (step: number, total: number) => void;
}

export interface InstallReport {
  package: string;
  version: string;
  trunk: string;
  target: string;
  /** Absolute paths of the files and symlinks installed. */
  installed: string[];
  manifest: string;
  warnings: string[];
  /** --extensions-dir: the settings to add to postgresql.conf. */
  settings?: { extension_control_path: string; dynamic_library_path: string };
  /** --extensions-dir: scripts whose '$libdir/X' literals were rewritten. */
  rewritten?: string[];
}

export interface UninstallReport {
  package: string;
  version: string;
  removed: string[];
  manifest: string;
}

export type { InstallManifest };

const VOLUME_MANIFEST = '.trunkfarm-install.json';

export async function installTrunk(file: string, target: InstallTarget, options: InstallOptions = {}): Promise<InstallReport> {
  return target.extensionsDir !== undefined
    ? installIntoExtensionsDir(file, target.extensionsDir, target.pgConfig, options)
    : installWithPgConfig(file, target.pgConfig, options);
}

export async function uninstallTrunk(file: string, target: InstallTarget): Promise<UninstallReport> {
  const meta = await readTrunkMeta(file);
  if (target.extensionsDir !== undefined) {
    const root = join(target.extensionsDir, meta.name);
    const manifestPath = join(root, VOLUME_MANIFEST);
    const manifest = await loadManifest(manifestPath, meta.name, target.extensionsDir, { root });
    const removed = await removeInstalled(manifest, root);
    await unlink(manifestPath);
    await rmdir(root).catch(() => {});
    return { package: manifest.package, version: manifest.version, removed, manifest: manifestPath };
  }
  const info = await probe(target.pgConfig);
  const paths = await statePaths(info.dirs!, meta.name);
  await recoverInterrupted(paths, meta.name);
  const manifest = await loadManifest(paths.manifest, meta.name, info.description, paths.places);
  const removed = await removeInstalled(manifest, undefined);
  await unlink(paths.manifest);
  await rmdir(paths.dir).catch(() => {});
  return { package: manifest.package, version: manifest.version, removed, manifest: paths.manifest };
}

// --- pg_config ---------------------------------------------------------------------------------

async function installWithPgConfig(file: string, pgConfig: PgConfigTarget, options: InstallOptions): Promise<InstallReport> {
  const info = await probe(pgConfig);
  const scratch = await mkdtemp(join(tmpdir(), 'trunkfarm-install-'));
  try {
    const trunk = await openChecked(file, join(scratch, 'pkg'), info, {});
    const meta = trunk.meta;
    const paths = await statePaths(info.dirs!, meta.name);
    await recoverInterrupted(paths, meta.name);
    await refuseIfInstalled(paths.manifest, meta);
    const interpreters = await findInterpreters(trunk);

    const leaves = trunk.entries.filter((e) => e.type !== 'directory');
    const mapped = mapPaths(
      leaves.map((e) => e.path),
      (p) => pgConfigDestination(p, meta.name, info.dirs!),
    );
    if (mapped.clash) throw new UserError(`${file}: "${mapped.clash[0]}" and "${mapped.clash[1]}" both install as ${mapped.clash[2]}`);
    const plan = leaves.filter((e) => mapped.map.has(e.path)).map((e) => ({ entry: e, dest: mapped.map.get(e.path)! }));
    for (const { dest } of plan) await checkPlace(dest, paths.places, 'destination');
    const links = mappedLinks(trunk, plan, (p) => pgConfigDestination(p, meta.name, info.dirs!), file);
    const existing = await existingPaths(plan.map((p) => p.dest));
    if (existing.length) throw new UserError(`refusing to overwrite files not installed by trunkfarm: ${listSome(existing)}`);

    const manifest: InstallManifest = emptyManifest(trunk);
    manifest.dirs = await missingDirs(plan.map((p) => dirname(p.dest)));
    const temps = plan.map((p) => tempName(p.dest, randomBytes(4).toString('hex')));
    for (const { entry, dest } of plan) {
      if (entry.type === 'symlink') manifest.symlinks.push({ path: dest, target: links.get(dest)! });
      else manifest.files.push({ path: dest, sha256: entry.sha256!, mode: entry.mode & 0o755 });
    }
    // The journal goes first, so that whatever follows can be undone by recoverInterrupted, also
    // after a crash.
    await mkdir(paths.dir, { recursive: true, mode: 0o755 });
    await writeJsonAtomic(paths.journal, { manifest, temps } satisfies Journal);
    try {
      for (const d of manifest.dirs) await mkdir(d).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      // Temporaries beside their destinations: same filesystem, so each rename is atomic.
      for (const [i, { entry }] of plan.entries()) {
        const staged = join(scratch, 'pkg', entry.path);
        if (entry.type === 'symlink') {
          await symlink(links.get(plan[i]!.dest)!, temps[i]!);
          continue;
        }
        const f = manifest.files.find((m) => m.path === plan[i]!.dest)!;
        const interp = entry.interpreter ? interpreters.get(entry.interpreter) : undefined;
        if (interp) {
          const data = rewriteShebang(await readFile(staged), interp);
          await writeFile(temps[i]!, data, { flag: 'wx', mode: 0o600 });
          f.sha256 = sha256(data);
        } else {
          await copyFile(staged, temps[i]!, constants.COPYFILE_EXCL);
        }
        await chmod(temps[i]!, entry.mode & 0o755);
      }
      await writeJsonAtomic(paths.journal, { manifest, temps } satisfies Journal);
      for (const [i, { dest }] of plan.entries()) {
        options.onCommitStep?.(i, plan.length);
        await rename(temps[i]!, dest);
      }
      await writeJsonAtomic(paths.manifest, manifest);
      await unlink(paths.journal);
    } catch (err) {
      await recoverInterrupted(paths, meta.name);
      throw err;
    }
    return {
      package: meta.name,
      version: meta.version,
      trunk: trunk.name,
      target: info.description,
      installed: plan.map((p) => p.dest).sort(comparePaths),
      manifest: paths.manifest,
      warnings: trunk.warnings,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Undoes a half-done install recorded in a journal: removes its temporaries, and the files it
 * renamed into place (those are recognised by digest: the install had checked that nothing was
 * there before). A journal beside a written manifest means the install had completed. */
async function recoverInterrupted(paths: StatePaths & { places: Places }, name: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(paths.journal, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new UserError(`${paths.journal}: unreadable install journal (${(err as Error).message}); inspect and remove it`);
  }
  const journal: Journal = await parseJournal(text, paths.journal, name, paths.places);
  const completed = await readFile(paths.manifest, 'utf8').then(
    (text) => (JSON.parse(text) as InstallManifest).sha256 === journal.manifest.sha256,
    () => false,
  );
  if (!completed) {
    for (const t of journal.temps) await rm(t, { force: true });
    for (const f of journal.manifest.files) {
      if ((await digestOf(f.path)) === f.sha256) await unlink(f.path);
    }
    for (const s of journal.manifest.symlinks) {
      if ((await readlink(s.path).catch(() => undefined)) === s.target) await unlink(s.path);
    }
    for (const d of [...journal.manifest.dirs].sort(comparePaths).reverse()) await rmdir(d).catch(() => {});
  }
  await unlink(paths.journal);
  if (!completed) await rmdir(paths.dir).catch(() => {});
  return true;
}

// --- extensions directory ----------------------------------------------------------------------

async function installIntoExtensionsDir(file: string, dir: string, pgConfig: PgConfigTarget | undefined, options: InstallOptions): Promise<InstallReport> {
  const info = pgConfig ? await probe(pgConfig) : await probeHost();
  await mkdir(dir, { recursive: true });
  const staging = await mkdtemp(join(dir, '.trunkfarm-staging-'));
  try {
    const early = { dir };
    const trunk = await openChecked(file, join(staging, 'pkg'), info, { minPgMajor: 18, refuseExisting: early });
    const meta = trunk.meta;
    const root = join(dir, meta.name);
    if (await present(root)) throw new UserError(`${root} exists: ${meta.name} is already installed there; uninstall it first`);
    const interpreters = await findInterpreters(trunk);

    const pkgEntries: TreeEntry[] = trunk.entries.map((e) => ({ ...e, ...(e.type === 'file' ? { source: join(staging, 'pkg', e.path) } : {}) }));
    const bySource = new Map(trunk.entries.filter((e) => e.type === 'file').map((e) => [join(staging, 'pkg', e.path), e] as const));
    const tree = await volumeTree(pkgEntries, meta.name);
    const out = join(staging, 'root');
    const manifest = emptyManifest(trunk);
    await mkdir(out);
    for (const e of tree.entries) {
      const at = join(out, e.path);
      if (e.type === 'directory') {
        await mkdir(at, { mode: 0o755 });
        manifest.dirs.push(e.path);
      } else if (e.type === 'symlink') {
        await symlink(e.linkname!, at);
        manifest.symlinks.push({ path: e.path, target: e.linkname! });
      } else {
        const pkgEntry = e.source ? bySource.get(e.source) : undefined;
        const interp = pkgEntry?.interpreter ? interpreters.get(pkgEntry.interpreter) : undefined;
        let data = e.data;
        if (interp) data = rewriteShebang(data ?? (await readFile(e.source!)), interp);
        if (data) await writeFile(at, data, { flag: 'wx' });
        else await rename(e.source!, at);
        await chmod(at, e.mode & 0o755);
        manifest.files.push({ path: e.path, sha256: data ? sha256(data) : e.sha256!, mode: e.mode & 0o755 });
      }
    }
    manifest.dirs.reverse(); // deepest first, for removal
    await writeFile(join(out, VOLUME_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o644 });
    options.onCommitStep?.(0, 1);
    await rename(out, root).catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'ENOTEMPTY' || err.code === 'EEXIST' ? new UserError(`${root} appeared while installing; nothing was changed`) : err;
    });
    return {
      package: meta.name,
      version: meta.version,
      trunk: trunk.name,
      target: `${root} for ${info.description}`,
      installed: [...manifest.files.map((f) => f.path), ...manifest.symlinks.map((s) => s.path)].sort(comparePaths).map((p) => join(root, p)),
      manifest: join(root, VOLUME_MANIFEST),
      warnings: [...trunk.warnings, ...tree.skipped.filter((p) => p.startsWith('pgsql/')).map((p) => `not placed in the extensions layout: ${p}`)],
      settings: searchPathSettings(root),
      rewritten: tree.rewritten.map((r) => r.path),
    };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

// --- shared ------------------------------------------------------------------------------------

/** Verifies the whole trunk into `extractTo`, refusing as soon as trunk.json shows it does not fit. */
async function openChecked(
  file: string,
  extractTo: string,
  info: InstallTargetInfo,
  options: { minPgMajor?: number; refuseExisting?: { dir: string } },
): Promise<OpenedTrunk> {
  const check = async (meta: PackageMeta) => {
    const problems = compatibilityProblems(meta, info, options);
    if (problems.length) throw new UserError(`${basename(file)} does not fit ${info.description}:\n  ${problems.join('\n  ')}`);
    if (options.refuseExisting && (await present(join(options.refuseExisting.dir, meta.name))))
      throw new UserError(`${join(options.refuseExisting.dir, meta.name)} exists: ${meta.name} is already installed there; uninstall it first`);
  };
  const trunk = await readTrunk(file, { extractTo, onMeta: check });
  await check(trunk.meta);
  return trunk;
}

async function refuseIfInstalled(manifestPath: string, meta: PackageMeta): Promise<void> {
  const text = await readFile(manifestPath, 'utf8').catch(() => undefined);
  if (text === undefined) return;
  const version = (() => {
    try {
      return String((JSON.parse(text) as InstallManifest).version);
    } catch {
      return '(unreadable manifest)';
    }
  })();
  throw new UserError(`${meta.name} ${version} is already installed (${manifestPath}); uninstall it first`);
}

async function loadManifest(path: string, name: string, where: string, place: Places | { root: string }): Promise<InstallManifest> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) throw new UserError(`${name} was not installed by trunkfarm into ${where} (no ${path})`);
  return parseManifest(text, path, name, place);
}

/** The target each installed symlink gets: its package target, resolved inside the package and
 * mapped like the files, written relative to the link's own destination. A link whose target is
 * not installed is refused (it would dangle or point at whatever is there). */
function mappedLinks(trunk: OpenedTrunk, plan: { entry: TreeEntry; dest: string }[], destination: (path: string) => string | null, file: string): Map<string, string> {
  const view = withImpliedDirs(new Map(trunk.entries.map((e) => [e.path, e] as const)));
  const out = new Map<string, string>();
  for (const { entry, dest } of plan) {
    if (entry.type !== 'symlink') continue;
    const r = resolveLink(view, entry.path);
    const to = r.ok ? destination(r.path) : null;
    if (to === null) throw new UserError(`${file}: symlink "${entry.path}" -> "${entry.linkname}" names ${r.ok ? `"${r.path}", which is not installed` : r.reason}`);
    out.set(dest, posix.relative(dirname(dest), to));
  }
  return out;
}

/** Checks everything first, then removes: a refusal leaves every file in place. */
async function removeInstalled(manifest: InstallManifest, root: string | undefined): Promise<string[]> {
  const abs = (p: string) => (root ? join(root, p) : p);
  const changed: string[] = [];
  for (const f of manifest.files) {
    if ((await digestOf(abs(f.path))) !== f.sha256) changed.push(abs(f.path));
  }
  for (const s of manifest.symlinks) {
    const t = await readlink(abs(s.path)).catch(() => undefined);
    if (t !== undefined && t !== s.target) changed.push(abs(s.path));
  }
  if (changed.length) throw new UserError(`refusing to uninstall: changed since it was installed: ${listSome(changed)}`);
  const removed: string[] = [];
  for (const p of [...manifest.files.map((f) => f.path), ...manifest.symlinks.map((s) => s.path)]) {
    try {
      await unlink(abs(p));
      removed.push(abs(p));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  for (const d of [...manifest.dirs].sort(comparePaths).reverse()) await rmdir(abs(d)).catch(() => {});
  return removed.sort(comparePaths);
}

function emptyManifest(trunk: OpenedTrunk): InstallManifest {
  return { trunkfarm: 1, package: trunk.meta.name, version: trunk.meta.version, trunk: trunk.name, sha256: trunk.sha256, files: [], symlinks: [], dirs: [] };
}

/** RFC 2: scripts in pgsql/bin that start with `#!cmd` get the interpreter's path on this machine. */
async function findInterpreters(trunk: OpenedTrunk): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const e of trunk.entries) {
    if (!e.interpreter || found.has(e.interpreter)) continue;
    const path = await which(e.interpreter);
    if (!path) throw new UserError(`${e.path} needs the interpreter "${e.interpreter}", which is not on PATH`);
    found.set(e.interpreter, path);
  }
  return found;
}

async function which(cmd: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir.startsWith('/')) continue;
    const p = join(dir, cmd);
    if (await access(p, constants.X_OK).then(() => true, () => false)) return p;
  }
  return undefined;
}

function rewriteShebang(data: Buffer, interpreter: string): Buffer {
  const m = /^#![A-Za-z0-9._+-]+/.exec(data.subarray(0, 256).toString('latin1'));
  return m ? Buffer.concat([Buffer.from(`#!${interpreter}`), data.subarray(m[0].length)]) : data;
}

async function existingPaths(paths: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const p of paths) if (await present(p)) found.push(p);
  return found;
}

/** Ancestors of `dirs` that do not exist yet, parents first. */
async function missingDirs(dirs: string[]): Promise<string[]> {
  const missing = new Set<string>();
  for (const d of dirs) {
    for (let cur = d; cur !== dirname(cur); cur = dirname(cur)) {
      if (missing.has(cur)) break;
      if (await present(cur)) break;
      missing.add(cur);
    }
  }
  return [...missing].sort(comparePaths);
}

/** Anything at `p`, a link itself included. */
const present = (p: string) => exists(p, { noFollow: true });

async function digestOf(path: string): Promise<string | undefined> {
  const st = await lstat(path).catch(() => undefined);
  return st?.isFile() ? hashFile(path) : undefined;
}

async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o644 });
  await rename(tmp, path);
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function listSome(paths: string[]): string {
  return paths.length <= 5 ? paths.join(', ') : `${paths.slice(0, 5).join(', ')} and ${paths.length - 5} more`;
}
