// One job of the plan, end to end: fetch the source, build it in the builder container, lay the
// installed files out as a trunk stage, prove (and fix) the shared-library closure against the
// base image, package, test in the base image, and sign. Each step logs to OUT/JOB/logs/STEP.log;
// a failed step names itself and shows the tail of its log. The job is built in a `.partial`
// directory and moved into place at the end, so OUT never holds half a job.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { bundleTree, type CheckResult } from '../closure/index.ts';
import { imageInventory } from './inventory.ts';
import { UserError } from '../errors.ts';
import type { ExtensionEntry, Matrix } from '../matrix/index.ts';
import { installTrunk, pack, type PackageMeta, TOP_TEXT } from '../package/index.ts';
// The modules, not sign/index.ts: that would load Sigstore's libraries into every build.
import { builderImageInput } from '../sign/provenance.ts';
import { writeSidecar } from '../sign/sidecar.ts';
import type { JsonObject } from '../sign/types.ts';
import type { Job, Platform } from '../types.ts';
import { type Container, detectEngine, type Engine, exec, execStream, type ImageInfo, inspectImage, pull, removeContainer, startContainer } from './engine.ts';
import { jobDirName, type JobResult, type StepRecord, upToDate, writeResult } from './job.ts';
import { containerLibraries } from './libraries.ts';
import { buildScript, CONTAINER, installcheckScript, pgConfigScript } from './pipeline.ts';
import { CLUSTER, CLUSTERS_MOUNT, copyRootScript, initdbScript, PGDATA_MOUNT, baseInstallTarget, serverScript, smokeSettings, smokeSql, startServerScript, startsEarly, TEST_MOUNT, unpackClusterScript, volumeMount, type SmokeMode } from './smoke.ts';
import { fetchSource, cacheRoot, unpackSource } from './source.ts';
import { layoutStage, type PgConfig, parsePgConfig } from './stage.ts';

/** Where the smoke test's container sees the job's folder (system mode). */
const JOB_MOUNT = '/trunkfarm/job';

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

/** The image to use for a platform, with its identity: the local equivalent when it exists (or
 * is demanded), else the public one, pulled. */
async function chooseImage(engine: Engine, image: Platform['builder'], choice: ImageChoice, platform: Platform): Promise<{ ref: string; info: ImageInfo }> {
  if (choice !== 'public' && image.local) {
    // One inspect answers both whether it is here and what it is.
    const info = await inspectImage(engine, image.local).catch(() => undefined);
    if (info) return { ref: image.local, info };
  }
  if (choice === 'local') {
    throw new UserError(`no local image ${image.local ?? '(none declared)'} for ${platform.name}: build it with scripts/local-images.sh --only ${platform.name}`);
  }
  await pull(engine, image.ref, { platform: `linux/${platform.arch}` });
  return { ref: image.ref, info: await inspectImage(engine, image.ref) };
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
    extensions: path.join(work, 'extensions'),
    /** Where the system-mode test installs the trunk, to be copied over the base image's /. */
    sysroot: path.join(work, 'sysroot'),
  };
  // Cluster templates (see freshCluster), mounted read-only into the containers that make clusters.
  const clusters = path.join(cacheRoot(), 'clusters');
  // The source directory is created by the unpacking (or copying) itself.
  for (const [key, p] of Object.entries(paths)) if (key !== 'src') await mkdir(p, { recursive: true });

  const startedAt = new Date().toISOString();
  // Steps are recorded in the order they start; some run side by side (see below).
  const steps: StepRecord[] = [];
  const failed: { step: string; error: unknown }[] = [];
  const result: Partial<JobResult> = {};
  let current = 'setup';
  const logOf = (stepName: string) => path.join(paths.logs, `${stepName}.log`);
  const step = async <T>(stepName: string, fn: (logFile: string) => Promise<T>): Promise<T> => {
    current = stepName;
    const record: StepRecord = { name: stepName, status: 'ok', seconds: 0, log: path.relative(dir, logOf(stepName)) };
    steps.push(record);
    const t0 = Date.now();
    log(`${name}: ${stepName}`);
    try {
      return await fn(logOf(stepName));
    } catch (err) {
      record.status = 'failed';
      record.message = (err as Error).message;
      failed.push({ step: stepName, error: err });
      throw err;
    } finally {
      record.seconds = (Date.now() - t0) / 1000;
    }
  };
  // `quiet`: output goes to the log file only, for commands that run beside another step's.
  const run = async (c: Container, stepName: string, script: string, o: { env?: Record<string, string>; user?: string; quiet?: boolean; stdin?: Readable } = {}) => {
    const logFile = logOf(stepName);
    const r = await exec(c, ['sh', '-c', script], {
      log: logFile,
      env: o.env ?? {},
      group: `${name}: ${stepName}`,
      ...(o.user ? { user: o.user } : {}),
      ...(o.quiet ? { live: null } : {}),
      ...(o.stdin ? { stdin: o.stdin } : {}),
    });
    if (r.code !== 0) throw new StepError(stepName, `exit status ${r.code}; last lines of ${path.relative(opts.out, logFile)}:\n${r.tail}`);
    return r;
  };

  // Every container this job starts, until removed.
  const containers: Promise<Container>[] = [];
  let testerStart: Promise<Container> | undefined;
  // Work started ahead of the step that needs it; on failure it must end before the job's folder
  // is moved, or a late log line would make the `.partial` folder anew.
  const ahead: Promise<unknown>[] = [];
  const release = (c: Promise<Container>) => {
    const i = containers.indexOf(c);
    return i < 0 ? Promise.resolve() : removeAll(containers.splice(i, 1));
  };
  try {
    const engine = await detectEngine(opts.engine);
    const choice = opts.images ?? 'auto';

    // The source and the images are independent; so are the compilation and pg_config below.
    const sourcing = step('source', async () => {
      if ('path' in entry.source) {
        const repoRoot = path.resolve(matrix.dir, '..');
        const from = path.resolve(repoRoot, entry.source.path);
        if (!from.startsWith(`${repoRoot}${path.sep}`) && from !== repoRoot) throw new UserError(`source.path ${entry.source.path} leaves the repository`);
        await cp(from, paths.src, { recursive: true });
        return { uri: `file:${path.relative(repoRoot, from) || '.'}`, sha256: '', from: 'repository' };
      }
      const src = 'git' in entry.source ? { git: entry.source.git, commit: entry.source.commit } : { ...(entry.source.url ? { url: entry.source.url } : {}), sha256: entry.source.sha256, ...(entry.source.debian ? { debian: entry.source.debian } : {}) };
      const got = await fetchSource(src, { log });
      await unpackSource(got.path, paths.src);
      return { uri: got.url, sha256: got.sha256, from: got.from };
    });
    const imaging = step('images', async () => {
      const [builder, base] = await Promise.all([chooseImage(engine, platform.builder, choice, platform), chooseImage(engine, platform.base, choice, platform)]);
      return { builderRef: builder.ref, baseRef: base.ref, builderInfo: builder.info, baseInfo: base.info };
    });
    await settle([sourcing, imaging]);
    const fetched = await sourcing;
    const { builderRef, baseRef, builderInfo, baseInfo } = await imaging;
    result.source = fetched;
    const epoch = Number(process.env.SOURCE_DATE_EPOCH ?? (await newestMtime(paths.src)));
    result.images = { builder: { ref: builderRef, id: builderInfo.id }, base: { ref: baseRef, id: baseInfo.id } };
    const ociPlatform = `linux/${platform.arch}`;
    const testing = opts.test !== false;
    const installchecking = testing && Boolean(entry.test?.installcheck);
    if (testing) await mkdir(clusters, { recursive: true });
    // PostgreSQL 18 can take an extension from a read-only mount; older majors need the files in
    // their own directories.
    const mode: SmokeMode = platform.pg >= 18 ? 'volume' : 'system';

    const starting = startContainer(engine, {
      image: builderRef,
      network: 'host',
      platform: ociPlatform,
      mounts: [
        { source: paths.src, target: CONTAINER.src },
        { source: paths.destdir, target: CONTAINER.stage },
        { source: paths.bundle, target: CONTAINER.bundle },
        { source: paths.scripts, target: CONTAINER.scripts, readonly: true },
        ...(installchecking ? [{ source: clusters, target: CLUSTERS_MOUNT, readonly: true }] : []),
      ],
      ...(installchecking ? { tmpfs: [PGDATA_MOUNT] } : {}),
    });
    containers.push(starting);
    const builder = await starting;

    await step('dependencies', async (logFile) => {
      // A fresh container of an image is that image: once one found nothing to install, the
      // next of the same image id would too.
      const script = dependencyScript(entry, platform);
      const known = path.join(cacheRoot(), 'dependencies', createHash('sha256').update(`${builderInfo.id}\n${script}`).digest('hex'));
      if (await stat(known).catch(() => undefined)) {
        await writeFile(logFile, `build dependencies present in image ${builderInfo.id} (found by an earlier build)\n`);
        return;
      }
      const r = await run(builder, 'dependencies', script);
      if (NOTHING_TO_INSTALL.test(r.tail)) {
        await mkdir(path.dirname(known), { recursive: true });
        await writeFile(known, `${builderInfo.id}\n`);
      }
    });
    const configuring = step('pg_config', async (logFile) => {
      const r = await exec(builder, ['sh', '-c', pgConfigScript(platform.pg)], { log: logFile, live: null, tailLines: 100 });
      if (r.code !== 0) throw new StepError('pg_config', r.tail);
      return parsePgConfig(r.tail);
    });

    // What the tests need of PostgreSQL itself does not depend on the extension: while it
    // compiles, the base image's container starts and gets a fresh cluster, and the builder's own
    // server starts for installcheck. Their output goes to the test and installcheck logs; a
    // failure there fails that step, when it comes.
    // The smoke test's server starts while the extension compiles, unless it must preload it.
    const settings = smokeSettings(entry, mode);
    const earlyServer = startsEarly(settings);
    const tester = testing ? startTester() : undefined;
    const icServer = installchecking
      ? freshCluster(builder, builderInfo.id, [], 'installcheck', true)
      : undefined;
    for (const p of [tester, icServer]) if (p) ahead.push(p.catch(() => {}));

    await writeFile(path.join(paths.scripts, 'build.sh'), buildScript(entry, platform.pg, platform.libc));
    const building = step('build', () => run(builder, 'build', `sh ${CONTAINER.scripts}/build.sh`, { env: { SOURCE_DATE_EPOCH: String(epoch) } }));
    await settle([configuring, building]);
    const pg = await configuring;
    result.postgres = { version: pg.version ?? '' };

    // The regression suite needs the source tree and pg_regress, which only the builder has. It
    // reads what the build left and writes nothing the other steps read, so it runs beside them;
    // its output is shown once they are done, so that logs do not interleave.
    const installcheck = installchecking
      ? step('installcheck', async () => {
          await icServer;
          await run(builder, 'installcheck', installcheckScript(platform.pg), { quiet: true });
        })
      : undefined;

    let builderGone: Promise<void> | undefined;
    const rest = (async () => {
      await step('stage', async () => {
        await layoutStage(paths.destdir, paths.stage, pg);
        await copyLicenses(paths.src, paths.stage, entry.contents.license_files ?? []);
      });
      const inventory = await step('inventory', () => imageInventory(engine, baseRef, platform.libc, baseInfo.id));
      const checked = await step('closure', async (logFile) => {
        const checked = await bundleTree(paths.stage, {
          inventory,
          platform: { libc: platform.libc, arch: platform.arch },
          source: containerLibraries(builder, paths.bundle, logFile),
        });
        await writeFile(path.join(dir, 'closure.json'), `${JSON.stringify(checked, null, 2)}\n`);
        result.closure = {
          ok: checked.ok,
          bundled: checked.bundled,
          data: checked.data,
          problems: checked.files.flatMap((f) => f.problems.map((p) => ({ file: f.path, message: p.message }))),
        };
        if (!checked.ok) {
          const problems = checked.files.flatMap((f) => f.problems.filter((p) => p.severity === 'error').map((p) => `${f.path}: ${p.message}`));
          throw new StepError('closure', `the closure check found problems:\n  ${problems.join('\n  ')}`);
        }
        return checked;
      });
      // The builder's last uses are the closure step's bundling and installcheck: it is removed
      // while the package is written and tested.
      builderGone = Promise.allSettled([installcheck]).then(() => release(starting));
      ahead.push(builderGone.catch(() => {}));

      const packing = step('package', async () => {
        // The libc version a package states is the oldest it runs on: for glibc, the newest symbol
        // version its files ask for; musl has no symbol versions, so the base image's musl.
        const libcVersion = platform.libc === 'glibc' ? checked.glibcRequired : inventory.libcVersion;
        const written = await pack(paths.stage, packageMeta(entry, job, platform, pg, checked, fetched.sha256, epoch, libcVersion), dir);
        // What signing needs to state how the trunk was made (`trunkfarm sign`, `publish`).
        await writeSidecar(written.trunk.path, written.trunk.sha256, {
          entry: entry as unknown as JsonObject,
          platform: { name: platform.name, builder: builderRef, base: baseRef },
          ...(fetched.sha256 ? { source: { uri: fetched.uri, sha256: fetched.sha256 } } : {}),
          // The manifest digest the image is pulled by when the engine knows one, else its id.
          builderImage: builderImageInput(builderRef, builderInfo),
          buildKey: job.key,
          startedOn: startedAt,
          finishedOn: new Date().toISOString(),
        });
        result.artifacts = {
          trunk: { file: path.relative(dir, written.trunk.path), sha256: written.trunk.sha256, size: written.trunk.size, files: written.trunk.digests.size },
          oci: { layout: path.relative(dir, written.layout), tag: written.image.tag, digest: written.image.index.digest, size: written.image.layer.size },
        };
        return written;
      });
      if (!tester) {
        await packing;
        return;
      }
      // What is tested is the trunk as a user installs it.
      const smoke = step('test', async () => {
        await writeFile(path.join(paths.test, 'smoke.sql'), smokeSql(entry));
        const { trunk, layout, image } = await packing;
        // What Kubernetes mounts: the image's one layer, as it is.
        if (mode === 'volume') await unpackSource(path.join(layout, 'blobs', ...image.layer.digest.split(':')), path.join(paths.extensions, entry.name), { strip: false });
        else await installTrunk(trunk.path, { pgConfig: baseInstallTarget(pg, platform, inventory.libcVersion, paths.sysroot) });
        const c = await tester;
        if (mode === 'system') await run(c, 'test', copyRootScript(`${JOB_MOUNT}/${path.relative(dir, paths.sysroot)}`));
        await run(c, 'test', serverScript(platform.pg, earlyServer), { user: 'postgres' });
      });
      await settle([packing, smoke]);
      // Done with the base image's container: it goes while installcheck may still run.
      await release(testerStart!);
    })();

    try {
      await settle([installcheck, rest]);
    } finally {
      if (installcheck) await replay(logOf('installcheck'), `${name}: installcheck`);
    }
    await removeAll(containers.splice(0));
    await builderGone;
    await rm(work, { recursive: true, force: true });
    return await finish('built');

    /** The base image's container for the smoke test, its cluster made with the test's settings. */
    function startTester(): Promise<Container> {
      const mounts = [
        { source: paths.test, target: TEST_MOUNT, readonly: true },
        { source: clusters, target: CLUSTERS_MOUNT, readonly: true },
      ];
      // The container starts before what it tests exists, and the closure step replaces the stage
      // folder whole: the folders above are mounted, and the tree appears in them by its name.
      if (mode === 'volume') mounts.push({ source: paths.extensions, target: path.posix.dirname(volumeMount(entry.name)), readonly: true });
      else mounts.push({ source: dir, target: JOB_MOUNT, readonly: true });
      const c = startContainer(engine, { image: baseRef, platform: ociPlatform, network: 'none', mounts, tmpfs: [PGDATA_MOUNT], user: 'root' });
      containers.push(c);
      testerStart = c;
      return c.then(async (started) => {
        await freshCluster(started, baseInfo.id, settings, 'test', earlyServer);
        return started;
      });
    }
  } catch (err) {
    await removeAll(containers.splice(0)).catch((e: Error) => log(`${name}: ${e.message}`));
    await Promise.all(ahead);
    if (!(err instanceof UserError)) throw err;
    result.failure = { step: failed[0]?.step ?? current, message: err.message };
    log(`${name}: ${err.message}`);
    return await finish('failed');
  }

  /** Gives the container a fresh cluster of its image with these settings, as initdb would make
   * it. initdb costs a second of CPU, so (as PostgreSQL's own test suites do) the first cluster of
   * an image is kept, by image id and settings, as a template that later ones are copied from. */
  async function freshCluster(c: Container, imageId: string, settings: string[], stepName: string, start: boolean): Promise<void> {
    const script = initdbScript(platform.pg, settings);
    const template = path.join(clusters, `${createHash('sha256').update(`${imageId}\n${script}`).digest('hex')}.tar`);
    // With `start`, its server is started too: in the same exec when there is a template (each
    // exec is an engine process whose CPU the compile beside it would rather have).
    const server = start ? startServerScript(platform.pg) : '';
    if (await stat(template).catch(() => undefined)) {
      await run(c, stepName, `${unpackClusterScript(path.basename(template))}${server}`, { user: 'postgres', quiet: true });
      return;
    }
    await run(c, stepName, script, { user: 'postgres', quiet: true });
    await saveTemplate(c, template);
    if (start) await run(c, stepName, server, { user: 'postgres', quiet: true });
  }

  /** Keeps the container's fresh cluster as the template of later ones. */
  async function saveTemplate(c: Container, template: string): Promise<void> {
    await mkdir(path.dirname(template), { recursive: true });
    const tmp = `${template}.${process.pid}.${randomBytes(4).toString('hex')}`;
    try {
      await pipeline(execStream(c, ['tar', '-c', '-f', '-', '-C', CLUSTER, '.'], { user: 'postgres' }), createWriteStream(tmp));
      await rename(tmp, template);
    } catch {
      // Only a template lost: the cluster itself is made.
      await rm(tmp, { force: true });
    }
  }

  /** Waits for steps running side by side; when some failed, throws the error of the first
   * failure (a bug, not a UserError, before any). */
  async function settle(running: (Promise<unknown> | undefined)[]): Promise<void> {
    const errors = (await Promise.allSettled(running)).flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (errors.length === 0) return;
    throw errors.find((e) => !(e instanceof UserError)) ?? failed.find((f) => errors.includes(f.error))?.error ?? errors[0];
  }

  async function finish(status: JobResult['status']): Promise<JobResult> {
    const record: JobResult = { version: 1, job, status, steps, ...result, startedAt, finishedAt: new Date().toISOString() } as JobResult;
    await writeResult(dir, record);
    await rm(final, { recursive: true, force: true });
    await rename(dir, final);
    return record;
  }
}

/** Removes the containers, side by side; throws the first failure once all are done. */
async function removeAll(starting: Promise<Container>[]): Promise<void> {
  const removed = await Promise.allSettled(
    starting.map(async (s) => {
      // One that failed to start was removed then.
      const c = await s.catch(() => undefined);
      if (c) await removeContainer(c);
    }),
  );
  const failure = removed.find((r) => r.status === 'rejected');
  if (failure) throw (failure as PromiseRejectedResult).reason;
}

/** Shows, after the fact, the output of a step that ran beside others. */
async function replay(logFile: string, title: string): Promise<void> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  const grouped = process.env.GITHUB_ACTIONS === 'true';
  process.stderr.write(`${grouped ? `::group::${title}\n` : ''}${text}${grouped ? '::endgroup::\n' : ''}`);
}

/** The source's licence texts go to the top of the package, as the trunk format asks; those
 * the format has no top-level name for (COPYRIGHT, LICENSE-MIT) go to licenses/. */
async function copyLicenses(src: string, stage: string, named: string[]): Promise<void> {
  for (const entry of await readdir(src, { withFileTypes: true })) {
    const name = entry.name;
    if (!entry.isFile() || !/^(LICEN[CS]E|COPYING|NOTICE|COPYRIGHT)([._-].*)?$/i.test(name)) continue;
    const to = TOP_TEXT.test(name) ? path.join(stage, name) : path.join(stage, 'licenses', name);
    await mkdir(path.dirname(to), { recursive: true });
    await cp(path.join(src, name), to);
  }
  for (const file of named) {
    await cp(path.join(src, file), path.join(stage, 'licenses', path.basename(file))).catch(() => {
      throw new UserError(`contents.license_files: ${file} is not in the source`);
    });
  }
}

/** What dependencyScript says when the image has everything already. */
const NOTHING_TO_INSTALL = /^(build dependencies present|no build dependencies to install)\b/m;

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

function packageMeta(entry: ExtensionEntry, job: Job, platform: Platform, pg: PgConfig, closure: CheckResult | undefined, sourceSha: string, epoch: number, libcVersion: string | undefined): PackageMeta {
  const version = (pg.version ?? '').replace(/^PostgreSQL\s+/, '').split(/\s/)[0] ?? '';
  const [maj, min] = version.split('.').map((n) => Number.parseInt(n, 10));
  const sqlOnly = entry.language === 'sql';
  // System libraries: what the files need that the package does not ship (bundled or its own).
  const shipped = new Set([...(closure?.bundled ?? []).map((b) => b.soname), ...(closure?.files ?? []).flatMap((f) => (f.soname ? [f.soname] : []))]);
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
    platform: sqlOnly ? { os: 'any', arch: 'any', libc: 'any' } : { os: platform.os, arch: platform.arch, libc: platform.libc, ...(libcVersion ? { libcVersion } : {}) },
    dependencies: {
      extensions: entry.dependencies.extensions ?? [],
      system: [...new Set((closure?.files ?? []).flatMap((f) => f.needed).filter((n) => !shipped.has(n)))].sort(),
      bundled: (closure?.bundled ?? []).map((b) => ({ soname: b.soname, file: b.file, ...(b.package ? { package: b.package } : {}), ...(b.version ? { version: b.version } : {}), ...(b.license ? { license: b.license } : {}) })),
    },
    buildKey: job.key,
    sourceDigest: `sha256:${sourceSha || '0'.repeat(64)}`,
    sourceDateEpoch: epoch,
  };
}
