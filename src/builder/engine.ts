// The build stage's one way to run containers: a thin layer over the docker and podman command
// lines, which agree on every command used here. Processes are spawned with node:child_process
// rather than @actions/exec: a cluster template comes out as a raw tar stream on stdout, output is
// teed to a log file and a live stream as it arrives, and a signal must be able to remove live
// containers synchronously; @actions/exec buffers lines and echoes command lines instead.
//
// Every container started here is tracked and removed on exit, SIGINT, SIGTERM and SIGHUP, so a
// build that is interrupted leaves none behind.

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PassThrough, Readable, type Writable } from 'node:stream';
import { UserError } from '../errors.ts';
import { untrustedFrame } from '../github/index.ts';
import { capture as captureProgram, type Captured, signalNumber } from './process.ts';

const ENGINE_NAMES = ['podman', 'docker'] as const;
type EngineName = (typeof ENGINE_NAMES)[number];

export interface Engine {
  readonly name: EngineName;
  /** The executable run for every command: the name itself, found on PATH. */
  readonly bin: string;
}

export interface Container {
  readonly engine: Engine;
  readonly id: string;
  readonly name: string;
}

interface Mount {
  /** Absolute path on the host. */
  source: string;
  /** Absolute path in the container. */
  target: string;
  readonly?: boolean;
}

export interface RunOptions {
  image: string;
  /** Default: `trunkfarm-<pid>-<random>`. */
  name?: string;
  mounts?: Mount[];
  env?: Record<string, string>;
  /** `host`, `none`, or an engine network name. Default: the engine's own. */
  network?: string;
  /** `linux/arm64`: needed for images of another architecture than the host's. */
  platform?: string;
  user?: string;
  workdir?: string;
  /** Folders that are a fresh tmpfs, writable by every user: scratch whose files need not be
   * deleted one by one from the container's own layer when it is removed. */
  tmpfs?: string[];
  /** Command and arguments; default keeps the container alive until it is removed. */
  command?: string[];
  /** Replaces the image's entrypoint; default: none when `command` is omitted, else the image's. */
  entrypoint?: string;
  labels?: Record<string, string>;
}

interface ExecOptions {
  env?: Record<string, string>;
  user?: string;
  workdir?: string;
  /** File that receives the command's output (appended; created with its folder). */
  log?: string;
  /** Where output streams live as it comes. Default: process.stderr. `null`: nowhere. */
  live?: Writable | null;
  /** Title of a log group around the output inside GitHub Actions. */
  group?: string;
  /** How many lines of output the result keeps for error messages. Default 30. */
  tailLines?: number;
  stdin?: string | Buffer | Readable;
  /** Kill the command after this long; its exit code is then 124, as with timeout(1). */
  timeoutMs?: number;
}

export interface ExecResult {
  /** Exit status of the command; 128+N when it died of signal N. */
  code: number;
  /** The last `tailLines` lines of its output, stdout and stderr interleaved. */
  tail: string;
}

export interface ImageInfo {
  /** Content id: `sha256:<hex>` of the image configuration. */
  id: string;
  /** Registry manifest digests the image is known by (`name@sha256:...`). */
  repoDigests: string[];
  os: string;
  arch: string;
  labels: Record<string, string>;
  created: string;
}

// ---------------------------------------------------------------------------------------------
// Choosing an engine

const detected = new Map<string, Promise<Engine>>();

/**
 * The engine to use: `override` (from `--engine`) or `TRUNKFARM_ENGINE` when given, else the first
 * that answers: podman before docker, except inside GitHub Actions where docker (whose daemon the
 * hosted runners run) comes first. `env` is the environment the engines are asked in; the answer
 * for the process's own environment is remembered.
 */
export function detectEngine(override?: string, env: NodeJS.ProcessEnv = process.env): Promise<Engine> {
  const wanted = override ?? env.TRUNKFARM_ENGINE ?? '';
  if (env !== process.env) return pickEngine(wanted, env);
  const key = `${wanted}|${env.GITHUB_ACTIONS === 'true'}`;
  let found = detected.get(key);
  if (!found) {
    found = pickEngine(wanted, env);
    detected.set(key, found);
    found.catch(() => detected.delete(key));
  }
  return found;
}

async function pickEngine(wanted: string, env: NodeJS.ProcessEnv): Promise<Engine> {
  if (wanted) {
    if (!isEngineName(wanted)) {
      throw new UserError(`unknown container engine "${wanted}": expected podman or docker`, { exitCode: 2 });
    }
    const problem = await probe(wanted, env);
    if (problem) throw new UserError(`container engine ${wanted} is not usable: ${problem}`);
    return { name: wanted, bin: wanted };
  }
  const order: EngineName[] = env.GITHUB_ACTIONS === 'true' ? ['docker', 'podman'] : ['podman', 'docker'];
  const problems: string[] = [];
  for (const name of order) {
    const problem = await probe(name, env);
    if (!problem) return { name, bin: name };
    problems.push(`${name}: ${problem}`);
  }
  throw new UserError(
    `no container engine found (${problems.join('; ')}); install podman (scripts/setup-debian.sh) or docker`,
  );
}

function isEngineName(name: string): name is EngineName {
  return (ENGINE_NAMES as readonly string[]).includes(name);
}

/** Why the engine cannot run containers, or '' when it can. docker needs its daemon. */
async function probe(name: EngineName, env: NodeJS.ProcessEnv): Promise<string> {
  const format = name === 'docker' ? '{{.Server.Version}}' : '{{.Client.Version}}';
  const r = await capture({ name, bin: name }, ['version', '--format', format], env).catch(
    (err: Error) => ({ code: -1, stdout: '', stderr: err.message }),
  );
  if (r.code === 0 && r.stdout.trim()) return '';
  return lastLine(r.stderr) || `exit status ${r.code}`;
}

// ---------------------------------------------------------------------------------------------
// Images

/** Whether the image is in the engine's local store. */
async function imageExists(engine: Engine, ref: string): Promise<boolean> {
  const r = await capture(engine, ['image', 'inspect', '--format', '{{.Id}}', ref]);
  return r.code === 0;
}

/**
 * Make sure the image is local: pulled from its registry when it is not. Images under
 * `localhost/` exist only where they were built, so a missing one is an error that says so.
 */
export async function pull(engine: Engine, ref: string, opts: { platform?: string } = {}): Promise<'local' | 'pulled'> {
  if (await imageExists(engine, ref)) return 'local';
  if (ref.startsWith('localhost/')) {
    throw new UserError(`image ${ref} is not in ${engine.name}'s store; build it with scripts/local-images.sh`);
  }
  const args = ['pull', ...(opts.platform ? ['--platform', opts.platform] : []), ref];
  const r = await capture(engine, args);
  if (r.code !== 0) throw new UserError(`${engine.name} pull ${ref} failed: ${lastLine(r.stderr) || `exit ${r.code}`}`);
  return 'pulled';
}

/** Identity and metadata of a local image. */
export async function inspectImage(engine: Engine, ref: string): Promise<ImageInfo> {
  const r = await capture(engine, ['image', 'inspect', ref]);
  if (r.code !== 0) throw new UserError(`cannot inspect image ${ref}: ${lastLine(r.stderr) || `exit ${r.code}`}`);
  const [raw] = JSON.parse(r.stdout) as RawImage[];
  if (!raw?.Id) throw new UserError(`cannot inspect image ${ref}: ${engine.name} returned no image`);
  return {
    id: raw.Id.startsWith('sha256:') ? raw.Id : `sha256:${raw.Id}`,
    repoDigests: raw.RepoDigests ?? [],
    os: raw.Os ?? '',
    arch: raw.Architecture ?? '',
    labels: raw.Config?.Labels ?? raw.Labels ?? {},
    created: raw.Created ?? '',
  };
}

interface RawImage {
  Id?: string;
  RepoDigests?: string[] | null;
  Os?: string;
  Architecture?: string;
  Created?: string;
  Labels?: Record<string, string> | null;
  Config?: { Labels?: Record<string, string> | null };
}

// ---------------------------------------------------------------------------------------------
// Containers

const live = new Map<string, Container>();
let hooked = false;

/** Start a long-lived container (`run -d`); it runs until `removeContainer` or process exit. */
export async function startContainer(engine: Engine, opts: RunOptions): Promise<Container> {
  const name = opts.name ?? `trunkfarm-${process.pid}-${randomBytes(4).toString('hex')}`;
  const args = ['run', '-d', '--name', name, '--label', `org.trunkfarm.pid=${process.pid}`];
  for (const [k, v] of Object.entries(opts.labels ?? {})) args.push('--label', `${k}=${v}`);
  for (const m of opts.mounts ?? []) args.push('--volume', volume(m));
  for (const t of opts.tmpfs ?? []) args.push('--tmpfs', `${mountPath(t)}:rw,mode=1777`);
  args.push(...envArgs(opts.env));
  if (opts.network) args.push('--network', opts.network);
  if (opts.platform) args.push('--platform', opts.platform);
  if (opts.user) args.push('--user', opts.user);
  if (opts.workdir) args.push('--workdir', opts.workdir);
  let command = opts.command;
  if (!command) {
    args.push('--entrypoint', 'tail');
    command = ['-f', '/dev/null'];
  } else if (opts.entrypoint !== undefined) {
    args.push('--entrypoint', opts.entrypoint);
  }
  args.push(opts.image, ...command);

  // Track by name before the engine answers: a signal arriving mid-start still removes it.
  const pending: Container = { engine, id: name, name };
  track(pending);
  const r = await capture(engine, args);
  if (r.code !== 0) {
    await removeContainer(pending);
    throw new UserError(`cannot start a container of ${opts.image}: ${lastLine(r.stderr) || `exit ${r.code}`}`);
  }
  const container: Container = { engine, id: r.stdout.trim().split('\n').pop() ?? name, name };
  live.delete(pending.id);
  track(container);
  return container;
}

/** Remove the container, running or not. Safe to call twice. */
export async function removeContainer(c: Container): Promise<void> {
  live.delete(c.id);
  const r = await capture(c.engine, rmArgs(c));
  if (r.code !== 0 && !/no such container|no container with/i.test(r.stderr)) {
    throw new UserError(`cannot remove container ${c.name}: ${lastLine(r.stderr)}`);
  }
}

function track(c: Container): void {
  live.set(c.id, c);
  if (hooked) return;
  hooked = true;
  process.on('exit', removeAllSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      removeAllSync();
      process.removeListener(signal, onSignal);
      // Die of the signal as if we had not been listening, unless someone else handles it.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

function removeAllSync(): void {
  for (const c of live.values()) spawnSync(c.engine.bin, rmArgs(c), { stdio: 'ignore' });
  live.clear();
}

// podman's `rm -f` first waits 10 s for the container to heed SIGTERM (our keep-alive does not);
// docker's kills at once.
function rmArgs(c: Container): string[] {
  return ['rm', '-f', '-v', ...(c.engine.name === 'podman' ? ['--time', '0'] : []), c.id];
}

function volume(m: Mount): string {
  return `${mountPath(m.source)}:${mountPath(m.target)}${m.readonly ? ':ro' : ''}`;
}

function mountPath(p: string): string {
  if (!p.startsWith('/') || p.includes(':') || p.includes(',')) {
    throw new UserError(`cannot mount "${p}": paths must be absolute, without ':' or ','`);
  }
  return p;
}

function envArgs(env: Record<string, string> | undefined): string[] {
  const args: string[] = [];
  for (const [k, v] of Object.entries(env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new UserError(`invalid environment variable name "${k}"`);
    args.push('--env', `${k}=${v}`);
  }
  return args;
}

// ---------------------------------------------------------------------------------------------
// Running commands inside

/**
 * Run a command in the container, streaming its output live and into `opts.log`. Resolves with
 * its exit code and the end of its output; a failing command is not an error here: the caller
 * says what it means (see StepRunner.script).
 */
export async function exec(c: Container, cmd: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const args = ['exec', ...(opts.stdin !== undefined ? ['-i'] : []), ...envArgs(opts.env)];
  if (opts.user) args.push('--user', opts.user);
  if (opts.workdir) args.push('--workdir', opts.workdir);
  args.push(c.id, ...cmd);

  const liveOut = opts.live === undefined ? process.stderr : opts.live;
  const grouped = Boolean(opts.group) && process.env.GITHUB_ACTIONS === 'true';
  if (liveOut && grouped) liveOut.write(`::group::${opts.group}\n`);
  // What the command prints is the extension's, not ours: the runner must not obey it.
  const frame = untrustedFrame();
  let lastChunk: Buffer | undefined;
  if (liveOut) liveOut.write(frame.begin);
  let logFile: ReturnType<typeof createWriteStream> | undefined;
  if (opts.log) {
    mkdirSync(dirname(opts.log), { recursive: true });
    logFile = createWriteStream(opts.log, { flags: 'a' });
    logFile.write(`$ ${cmd.join(' ')}\n`);
  }
  const tail = tailBuffer(opts.tailLines ?? 30);

  try {
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(c.engine.bin, args, { stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
      let timedOut = false;
      const timer =
        opts.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              timedOut = true;
              child.kill('SIGKILL');
            }, opts.timeoutMs);
      const onData = (chunk: Buffer): void => {
        tail.push(chunk);
        logFile?.write(chunk);
        liveOut?.write(chunk);
        lastChunk = chunk;
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.on('error', (err) => reject(notFound(c.engine, err)));
      child.on('close', (status, signal) => {
        if (timer) clearTimeout(timer);
        if (timedOut) {
          const note = `\n[killed after ${opts.timeoutMs} ms]\n`;
          tail.push(Buffer.from(note));
          logFile?.write(note);
          resolve(124);
        } else {
          resolve(status ?? 128 + signalNumber(signal));
        }
      });
      if (opts.stdin !== undefined) feed(child.stdin!, opts.stdin);
    });
    if (logFile) logFile.write(`[exit ${code}]\n`);
    return { code, tail: tail.text() };
  } finally {
    if (liveOut) liveOut.write(frame.end(lastChunk));
    if (liveOut && grouped) liveOut.write('::endgroup::\n');
    if (logFile) await new Promise<void>((resolve) => logFile!.end(resolve));
  }
}

// ---------------------------------------------------------------------------------------------
// Streams out

/** The standard output of a command run in the container, as a byte stream that errors when the
 * command fails. */
export function execStream(c: Container, cmd: string[], opts: { user?: string } = {}): Readable {
  return streamOut(c.engine, ['exec', ...(opts.user ? ['--user', opts.user] : []), c.id, ...cmd], `run ${cmd[0]} in ${c.name}`);
}

// The child's stdout, which errors (rather than ends) when the command fails, so that a consumer
// never mistakes a truncated stream for a whole one.
function streamOut(engine: Engine, args: string[], what: string): Readable {
  const out = new PassThrough();
  const child = spawn(engine.bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.pipe(out, { end: false });
  child.on('error', (err) => out.destroy(notFound(engine, err)));
  child.on('close', (code) => {
    if (code === 0) out.end();
    else out.destroy(new UserError(`cannot ${what}: ${lastLine(stderr) || `exit ${code}`}`));
  });
  out.on('close', () => {
    if (child.exitCode === null) child.kill();
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Helpers

function capture(engine: Engine, args: string[], env?: NodeJS.ProcessEnv): Promise<Captured> {
  return captureProgram(engine.bin, args, env).catch((err: Error) => {
    throw notFound(engine, err);
  });
}

function feed(sink: Writable, input: string | Buffer | Readable): void {
  // The command may exit without reading all of its input; that is its answer, not our error.
  sink.on('error', () => {});
  if (input instanceof Readable) input.pipe(sink);
  else sink.end(input);
}

function notFound(engine: Engine, err: Error & { code?: string }): Error {
  if (err.code === 'ENOENT') return new UserError(`${engine.bin} not found on PATH`);
  return err;
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').replace(/^Error: /, '');
}

/** The last `max` lines of a byte stream, without keeping the whole of it. */
function tailBuffer(max: number): { push(chunk: Buffer): void; text(): string } {
  let lines: string[] = [];
  let partial = '';
  return {
    push(chunk) {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
      if (lines.length > max) lines = lines.slice(-max);
    },
    text() {
      return (partial ? [...lines, partial] : lines).slice(-max).join('\n');
    },
  };
}
