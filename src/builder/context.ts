// What every step of a job works from: the job with its entry and platform, where its files go,
// the engine, and the containers it has started. Steps take this and what earlier steps gave
// them, and return what they made.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ExtensionEntry } from '../matrix/index.ts';
import type { Job, Platform } from '../types.ts';
import type { Container, Engine, RunOptions } from './engine.ts';
import { detectEngine, removeContainer, startContainer } from './engine.ts';
import { jobDirName, type JobResult } from '../job-result/index.ts';
import type { SmokeMode } from './smoke.ts';
import { cacheRoot } from '../cache/index.ts';
import { StepRunner, type StepReporter } from './step-runner.ts';

export type ImageChoice = 'auto' | 'local' | 'public';

/** A job with what it is built from: its matrix entry and its platform. */
export interface BuildTarget {
  job: Job;
  entry: ExtensionEntry;
  platform: Platform;
}

export interface BuildOptions {
  out: string;
  /** The matrix's folder: an entry's patches are read from it, and its `source.path` from the
   * repository around it. */
  matrixDir: string;
  engine?: string;
  images?: ImageChoice;
  /** Run the smoke test in the base image (default true). */
  test?: boolean;
  /** Rebuild even when OUT holds a build of the same key. */
  force?: boolean;
  /** What a person sees of the build, given the job's name and the folder it ends in; default:
   * every step's output as it comes (see progress.ts). */
  reporter?: (job: string, dir: string) => StepReporter;
}

interface JobPaths {
  /** The job's folder while it builds (`OUT/JOB.partial`), moved to `final` at the end. */
  dir: string;
  final: string;
  work: string;
  src: string;
  destdir: string;
  bundle: string;
  scripts: string;
  stage: string;
  logs: string;
  test: string;
  extensions: string;
  /** Where the system-mode test installs the trunk, to be copied over the base image's /. */
  sysroot: string;
  /** Cluster templates (see clusters.ts), mounted read-only into the containers that make clusters. */
  clusters: string;
}

export interface JobContext extends BuildTarget {
  /** As the job's folder is named: `pgvector-0.8.0+pg17-gnulinux-amd64`. */
  name: string;
  matrixDir: string;
  paths: JobPaths;
  engine: Engine;
  images: ImageChoice;
  /** Whether the smoke test runs, and installcheck with it when the entry asks. */
  testing: boolean;
  installchecking: boolean;
  /** PostgreSQL 18 can take an extension from a read-only mount; older majors need the files in
   * their own directories. */
  mode: SmokeMode;
  startedAt: string;
  steps: StepRunner;
  /** What the steps found, for result.json. */
  result: Partial<JobResult>;
  containers: Containers;
}

export function jobPaths(out: string, job: Pick<Job, 'extension' | 'version' | 'platform'>): JobPaths {
  const final = path.resolve(out, jobDirName(job));
  const dir = `${final}.partial`;
  const work = path.join(dir, 'work');
  return {
    dir,
    final,
    work,
    src: path.join(work, 'src'),
    destdir: path.join(work, 'destdir'),
    bundle: path.join(work, 'bundle'),
    scripts: path.join(work, 'scripts'),
    stage: path.join(dir, 'stage'),
    logs: path.join(dir, 'logs'),
    test: path.join(work, 'test'),
    extensions: path.join(work, 'extensions'),
    sysroot: path.join(work, 'sysroot'),
    clusters: path.join(cacheRoot(), 'clusters'),
  };
}

/** A fresh context for a job: its `.partial` folder made anew (the source folder is made by the
 * unpacking or copying itself) and the engine found. */
export async function createJobContext(target: BuildTarget, opts: BuildOptions, reporter: StepReporter): Promise<JobContext> {
  const paths = jobPaths(opts.out, target.job);
  await rm(paths.dir, { recursive: true, force: true });
  for (const key of ['destdir', 'bundle', 'scripts', 'stage', 'logs', 'test', 'extensions', 'sysroot'] as const) await mkdir(paths[key], { recursive: true });
  const engine = await detectEngine(opts.engine);
  const testing = opts.test !== false;
  const name = jobDirName(target.job);
  return {
    ...target,
    name,
    matrixDir: opts.matrixDir,
    paths,
    engine,
    images: opts.images ?? 'auto',
    testing,
    installchecking: testing && Boolean(target.entry.test?.installcheck),
    mode: target.platform.pg >= 18 ? 'volume' : 'system',
    startedAt: new Date().toISOString(),
    steps: new StepRunner(name, paths.dir, reporter),
    containers: new Containers(engine),
    result: {},
  };
}

/** Every container a job starts, until removed; and work started ahead of the step that needs
 * it, which must end before the job's folder is moved on failure (or a late log line would make
 * the `.partial` folder anew). */
class Containers {
  private readonly starting: Promise<Container>[] = [];
  readonly ahead: Promise<unknown>[] = [];

  constructor(private readonly engine: Engine) {}

  start(opts: RunOptions): Promise<Container> {
    const c = startContainer(this.engine, opts);
    this.starting.push(c);
    return c;
  }

  /** Removes one container now. */
  release(c: Promise<Container>): Promise<void> {
    const i = this.starting.indexOf(c);
    return i < 0 ? Promise.resolve() : removeAll(this.starting.splice(i, 1));
  }

  /** Keeps track of work that runs ahead; its failure surfaces in the step that awaits it. */
  runAhead<T>(p: Promise<T>): Promise<T> {
    this.ahead.push(p.catch(() => {}));
    return p;
  }

  removeAll(): Promise<void> {
    return removeAll(this.starting.splice(0));
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
