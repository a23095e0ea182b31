// One job of the plan, end to end: fetch the source, build it in the builder container, lay the
// installed files out as a trunk stage, prove (and fix) the shared-library closure against the
// base image, package, test in the base image, and sign. Each step logs to OUT/JOB/logs/STEP.log;
// a failed step names itself and shows the tail of its log. The job is built in a `.partial`
// directory and moved into place at the end, so OUT never holds half a job.
import { cp, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleTree, captureImageInventory, type CheckResult, type Inventory, loadInventory, saveInventory } from '../closure/index.ts';
import { UserError } from '../errors.ts';
import type { ExtensionEntry, Matrix } from '../matrix/index.ts';
import { installTrunk, pack, type PackageMeta } from '../package/index.ts';
import { type JsonObject, writeSidecar } from '../sign/index.ts';
import type { Job, Platform } from '../types.ts';
import { type Container, detectEngine, type Engine, exec, imageExists, inspectImage, pull, withContainer } from './engine.ts';
import { jobDirName, type JobResult, type StepRecord, upToDate, writeResult } from './job.ts';
import { containerLibraries } from './libraries.ts';
import { buildScript, CONTAINER, installcheckScript, pgConfigScript } from './pipeline.ts';
import { installScript, serverScript, smokeSql, startServerScript, TEST_MOUNT, volumeMount, type SmokeMode } from './smoke.ts';
import { fetchSource, cacheRoot, unpackSource } from './source.ts';
import { layoutStage, type PgConfig, parsePgConfig } from './stage.ts';

export type ImageChoice = 'auto' | 'local' | 'public';

export interface BuildOptions {
  out: string;
  engine?: string;
  images?: ImageChoice;
  /** Run the smoke test in the base image (default true). */
  test?: boolean;
  /** Rebuild even when OUT holds a build of the same key. */
  force?: boolean;
  /** Lines of progress. */
  log?: (line: string) => void;
}

export class StepError extends UserError {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(`step "${step}" failed: ${message}`);
  }
}

/** The image to use for a platform: the local equivalent when it exists (or is demanded), else
 * the public one, pulled. */
async function chooseImage(engine: Engine, image: Platform['builder'], choice: ImageChoice, platform: Platform): Promise<string> {
  if (choice !== 'public' && image.local && (await imageExists(engine, image.local))) return image.local;
  if (choice === 'local') {
    throw new UserError(`no local image ${image.local ?? '(none declared)'} for ${platform.name}: build it with scripts/local-images.sh --only ${platform.name}`);
  }
  await pull(engine, image.ref, { platform: `linux/${platform.arch}` });
  return image.ref;
}

/** The base image's library inventory, for the platform's libc (an image may hold both: the local
 * musl base is a Debian rootfs with musl beside glibc), cached per image id. */
async function inventoryFor(engine: Engine, image: string, id: string, libc: Platform['libc']): Promise<Inventory> {
  const file = path.join(cacheRoot(), 'inventory', `${id.replace(/^sha256:/, '')}-${libc}.json`);
  try {
    return loadInventory(file);
  } catch {
    const inventory = await captureImageInventory(engine.name, image, { libc });
    await mkdir(path.dirname(file), { recursive: true });
    saveInventory(inventory, file);
    return inventory;
  }
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

export async function buildJob(job: Job, entry: ExtensionEntry, platform: Platform, matrix: Matrix, opts: BuildOptions): Promise<JobResult> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const name = jobDirName(job);
  const final = path.resolve(opts.out, name);
  if (!opts.force) {
    const prev = await upToDate(final, job.key);
    if (prev) {
      log(`${name}: up to date (build key ${job.key.slice(0, 12)})`);
      return prev;
    }
  }
  const dir = `${final}.partial`;
  await rm(dir, { recursive: true, force: true });
  const work = path.join(dir, 'work');
  const paths = {
    src: path.join(work, 'src'),
    destdir: path.join(work, 'destdir'),
    bundle: path.join(work, 'bundle'),
    scripts: path.join(work, 'scripts'),
    stage: path.join(dir, 'stage'),
    logs: path.join(dir, 'logs'),
    test: path.join(work, 'test'),
  };
  // The source directory is created by the unpacking (or copying) itself.
  for (const [key, p] of Object.entries(paths)) if (key !== 'src') await mkdir(p, { recursive: true });

  const startedAt = new Date().toISOString();
  const steps: StepRecord[] = [];
  const result: Partial<JobResult> = {};
  let current = 'setup';
  const step = async <T>(stepName: string, fn: (logFile: string) => Promise<T>): Promise<T> => {
    current = stepName;
    const logFile = path.join(paths.logs, `${stepName}.log`);
    const t0 = Date.now();
    log(`${name}: ${stepName}`);
    try {
      const value = await fn(logFile);
      steps.push({ name: stepName, status: 'ok', seconds: (Date.now() - t0) / 1000, log: path.relative(dir, logFile) });
      return value;
    } catch (err) {
      steps.push({ name: stepName, status: 'failed', seconds: (Date.now() - t0) / 1000, log: path.relative(dir, logFile), message: (err as Error).message });
      throw err;
    }
  };
  const run = async (c: Container, stepName: string, logFile: string, script: string, env: Record<string, string> = {}, user?: string) => {
    const r = await exec(c, ['sh', '-c', script], { log: logFile, env, group: `${name}: ${stepName}`, ...(user ? { user } : {}) });
    if (r.code !== 0) throw new StepError(stepName, `exit status ${r.code}; last lines of ${path.relative(opts.out, logFile)}:\n${r.tail}`);
  };

  try {
    const engine = await detectEngine(opts.engine);
    const choice = opts.images ?? 'auto';

    const fetched = await step('source', async () => {
      if ('path' in entry.source) {
        const repoRoot = path.resolve(matrix.dir, '..');
        const from = path.resolve(repoRoot, entry.source.path);
        if (!from.startsWith(`${repoRoot}${path.sep}`) && from !== repoRoot) throw new UserError(`source.path ${entry.source.path} leaves the repository`);
        await cp(from, paths.src, { recursive: true });
        return { uri: `file:${path.relative(repoRoot, from) || '.'}`, sha256: '', from: 'repository' };
      }
      const src = 'git' in entry.source ? { git: entry.source.git, commit: entry.source.commit } : { url: entry.source.url!, sha256: entry.source.sha256, ...(entry.source.debian ? { debian: entry.source.debian } : {}) };
      const got = await fetchSource(src, { log });
      await unpackSource(got.path, paths.src);
      return { uri: got.url, sha256: got.sha256, from: got.from };
    });
    result.source = fetched;
    const epoch = Number(process.env.SOURCE_DATE_EPOCH ?? (await newestMtime(paths.src)));

    const { builderRef, baseRef, builderInfo, baseInfo } = await step('images', async () => {
      const builderRef = await chooseImage(engine, platform.builder, choice, platform);
      const baseRef = await chooseImage(engine, platform.base, choice, platform);
      const [builderInfo, baseInfo] = await Promise.all([inspectImage(engine, builderRef), inspectImage(engine, baseRef)]);
      return { builderRef, baseRef, builderInfo, baseInfo };
    });
    result.images = { builder: { ref: builderRef, id: builderInfo.id }, base: { ref: baseRef, id: baseInfo.id } };
    const ociPlatform = `linux/${platform.arch}`;

    let pg: PgConfig = {};
    let closure: CheckResult | undefined;
    await withContainer(
      engine,
      {
        image: builderRef,
        network: 'host',
        platform: ociPlatform,
        mounts: [
          { source: paths.src, target: CONTAINER.src },
          { source: paths.destdir, target: CONTAINER.stage },
          { source: paths.bundle, target: CONTAINER.bundle },
          { source: paths.scripts, target: CONTAINER.scripts, readonly: true },
        ],
      },
      async (c) => {
        await step('dependencies', (logFile) => run(c, 'dependencies', logFile, dependencyScript(entry, platform)));
        pg = await step('pg_config', async (logFile) => {
          const r = await exec(c, ['sh', '-c', pgConfigScript(platform.pg)], { log: logFile, live: null, tailLines: 100 });
          if (r.code !== 0) throw new StepError('pg_config', r.tail);
          return parsePgConfig(r.tail);
        });
        result.postgres = { version: pg.version ?? '' };
        await writeFile(path.join(paths.scripts, 'build.sh'), buildScript(entry, platform.pg, platform.libc));
        await step('build', (logFile) => run(c, 'build', logFile, `sh ${CONTAINER.scripts}/build.sh`, { SOURCE_DATE_EPOCH: String(epoch) }));
        if (entry.test?.installcheck && opts.test !== false) {
          // The regression suite needs the source tree and pg_regress, which only the builder has:
          // install into the builder's own PostgreSQL, start it, and run `make installcheck`.
          await step('installcheck', async (logFile) => {
            await run(c, 'installcheck', logFile, installcheckScript('install', platform.pg));
            await run(c, 'installcheck', logFile, startServerScript(platform.pg), {}, 'postgres');
            await run(c, 'installcheck', logFile, installcheckScript('check', platform.pg));
          });
        }
        await step('stage', async () => {
          await layoutStage(paths.destdir, paths.stage, pg);
          await copyLicenses(paths.src, paths.stage, entry.contents.license_files ?? []);
        });
        const inventory = await step('inventory', () => inventoryFor(engine, baseRef, baseInfo.id, platform.libc));
        closure = await step('closure', async (logFile) => {
          const checked = await bundleTree(paths.stage, {
            inventory,
            platform: { libc: platform.libc, arch: platform.arch },
            source: containerLibraries(c, paths.bundle, logFile),
          });
          await writeFile(path.join(dir, 'closure.json'), `${JSON.stringify(checked, null, 2)}\n`);
          if (!checked.ok) {
            const problems = checked.files.flatMap((f) => f.problems.filter((p) => p.severity === 'error').map((p) => `${f.path}: ${p.message}`));
            throw new StepError('closure', `the closure check found problems:\n  ${problems.join('\n  ')}`);
          }
          return checked;
        });
      },
    );
    const checked = closure as CheckResult | undefined;
    result.closure = {
      ok: checked?.ok ?? false,
      bundled: checked?.bundled ?? [],
      data: checked?.data ?? [],
      problems: (checked?.files ?? []).flatMap((f) => f.problems.map((p) => ({ file: f.path, message: p.message }))),
    };

    const packed = await step('package', async () => {
      const written = await pack(paths.stage, packageMeta(entry, job, platform, pg, checked, fetched.sha256, epoch), dir);
      // What signing needs to state how the trunk was made (`trunkfarm sign`, `publish`).
      await writeSidecar(written.trunk.path, written.trunk.sha256, {
        entry: entry as unknown as JsonObject,
        platform: { name: platform.name, builder: builderRef, base: baseRef },
        ...(fetched.sha256 ? { source: { uri: fetched.uri, sha256: fetched.sha256 } } : {}),
        builderImage: { ref: builderRef, digest: builderInfo.id },
        buildKey: job.key,
        startedOn: startedAt,
        finishedOn: new Date().toISOString(),
      });
      return written;
    });
    result.artifacts = {
      trunk: { file: path.relative(dir, packed.trunk.path), sha256: packed.trunk.sha256, size: packed.trunk.size, files: packed.trunk.digests.size },
      oci: { layout: path.relative(dir, packed.layout), tag: packed.image.tag, digest: packed.image.index.digest, size: packed.image.layer.size },
    };

    if (opts.test !== false) {
      // PostgreSQL 18 can take an extension from a read-only mount; older majors need the
      // files in their own directories.
      const mode: SmokeMode = platform.pg >= 18 ? 'volume' : 'system';
      await step('test', async (logFile) => {
        await writeFile(path.join(paths.test, 'smoke.sql'), smokeSql(entry));
        const mounts = [{ source: paths.test, target: TEST_MOUNT, readonly: true }];
        if (mode === 'volume') {
          const extensions = path.join(work, 'extensions');
          await installTrunk(packed.trunk.path, { extensionsDir: extensions });
          mounts.push({ source: path.join(extensions, entry.name), target: volumeMount(entry.name), readonly: true });
        } else {
          mounts.push({ source: paths.stage, target: CONTAINER.stage, readonly: true });
        }
        await withContainer(engine, { image: baseRef, platform: ociPlatform, network: 'none', mounts, user: 'root' }, async (c) => {
          if (mode === 'system') await run(c, 'test', logFile, installScript(pg));
          await run(c, 'test', logFile, serverScript(entry, platform.pg, mode), {}, 'postgres');
        });
      });
    }

    await rm(work, { recursive: true, force: true });
    return await finish('built');
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    result.failure = { step: current, message: err.message };
    log(`${name}: ${err.message}`);
    return await finish('failed');
  }

  async function finish(status: JobResult['status']): Promise<JobResult> {
    const record: JobResult = { version: 1, job, status, steps, ...result, startedAt, finishedAt: new Date().toISOString() } as JobResult;
    await writeResult(dir, record);
    await rm(final, { recursive: true, force: true });
    await rename(dir, final);
    return record;
  }
}

/** The source's licence texts go to the top of the package, as the trunk format asks. */
async function copyLicenses(src: string, stage: string, named: string[]): Promise<void> {
  for (const name of await readdir(src)) {
    if (/^(LICEN[CS]E|COPYING|NOTICE|COPYRIGHT)([._-].*)?$/i.test(name)) await cp(path.join(src, name), path.join(stage, name), { recursive: true });
  }
  for (const file of named) {
    await cp(path.join(src, file), path.join(stage, 'licenses', path.basename(file))).catch(() => {
      throw new UserError(`contents.license_files: ${file} is not in the source`);
    });
  }
}

/** Installs the toolchain and the entry's build dependencies, only when something is missing
 * (the local builder images have the toolchain already). */
function dependencyScript(entry: ExtensionEntry, platform: Platform): string {
  if (platform.distro === 'debian') {
    const pkgs = ['build-essential', `postgresql-server-dev-${platform.pg}`, ...(entry.dependencies.packages?.build?.debian ?? [])];
    return `set -eu
if dpkg -s ${pkgs.join(' ')} >/dev/null 2>&1; then echo "build dependencies present: ${pkgs.join(' ')}"; exit 0; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq -o Acquire::Check-Valid-Until=false
apt-get install -y -qq --no-install-recommends ${pkgs.join(' ')}
`;
  }
  const pkgs = entry.dependencies.packages?.build?.alpine ?? [];
  return `set -eu
if command -v apk >/dev/null 2>&1; then apk add --no-cache build-base clang llvm ${pkgs.join(' ')}; exit 0; fi
${pkgs.length === 0 ? 'echo "no build dependencies to install"; exit 0' : `echo "this builder image has no apk to install ${pkgs.join(' ')}: musl packages come from Alpine-based builders" >&2; exit 1`}
`;
}

function packageMeta(entry: ExtensionEntry, job: Job, platform: Platform, pg: PgConfig, closure: CheckResult | undefined, sourceSha: string, epoch: number): PackageMeta {
  const version = (pg.version ?? '').replace(/^PostgreSQL\s+/, '').split(/\s/)[0] ?? '';
  const [maj, min] = version.split('.').map((n) => Number.parseInt(n, 10));
  const sqlOnly = entry.language === 'sql';
  const bundledSonames = new Set((closure?.bundled ?? []).map((b) => b.soname));
  return {
    name: entry.name,
    version: entry.version,
    license: entry.license,
    abstract: entry.abstract,
    homepage: entry.homepage,
    ...('url' in entry.source && entry.source.url ? { sourceUrl: entry.source.url } : 'git' in entry.source ? { sourceUrl: entry.source.git } : {}),
    language: entry.language,
    extensions: entry.contents.extensions,
    postgres: { version, major: platform.pg, versionNum: (maj ?? platform.pg) * 10000 + (min ?? 0), cflags: pg.cflags ?? '', cppflags: pg.cppflags ?? '', ldflags: pg.ldflags ?? '', libs: pg.libs ?? '' },
    platform: sqlOnly ? { os: 'any', arch: 'any', libc: 'any' } : { os: platform.os, arch: platform.arch, libc: platform.libc },
    dependencies: {
      extensions: entry.dependencies.extensions ?? [],
      system: [...new Set((closure?.files ?? []).flatMap((f) => f.needed).filter((n) => !bundledSonames.has(n)))].sort(),
      bundled: (closure?.bundled ?? []).map((b) => ({ soname: b.soname, file: b.file, ...(b.package ? { package: b.package } : {}), ...(b.version ? { version: b.version } : {}), ...(b.license ? { license: b.license } : {}) })),
    },
    buildKey: job.key,
    sourceDigest: `sha256:${sourceSha || '0'.repeat(64)}`,
    sourceDateEpoch: epoch,
  };
}
