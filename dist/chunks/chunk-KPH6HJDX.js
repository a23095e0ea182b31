import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  cacheRoot
} from "./chunk-QDKAMVMW.js";
import {
  TOP_TEXT,
  installTrunk,
  pack
} from "./chunk-4TVER6QU.js";
import {
  builderImageInput,
  writeSidecar
} from "./chunk-JZTTVZPV.js";
import {
  bundleTree,
  captureImageInventory,
  checkBuildLog,
  checkObjects,
  describeFindings,
  loadInventory,
  mergeFindings,
  readMakefiles,
  saveInventory
} from "./chunk-CDJG6GNL.js";
import {
  untrustedFrame
} from "./chunk-3E4IOH2B.js";
import {
  patchPath
} from "./chunk-AOOP3KWP.js";
import {
  HttpStatusError,
  httpGet
} from "./chunk-MAW6PNMB.js";
import {
  exists,
  isWithin,
  pathWithin,
  sha256File
} from "./chunk-MNVUPTDJ.js";
import {
  UserError
} from "./chunk-YUDCMAJG.js";

// src/builder/build-job.ts
import { mkdir as mkdir9, rename as rename5, rm as rm5 } from "node:fs/promises";

// src/builder/context.ts
import { mkdir, rm } from "node:fs/promises";
import path3 from "node:path";

// src/builder/engine.ts
import { spawn as spawn2, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { PassThrough, Readable } from "node:stream";

// src/builder/process.ts
import { spawn } from "node:child_process";
import { constants } from "node:os";
function capture(cmd, args, env) {
  return new Promise((resolve2, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...env ? { env } : {} });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => stdout += d.toString());
    child.stderr.on("data", (d) => stderr += d.toString());
    child.on("error", reject);
    child.on("close", (code, signal) => resolve2({ code: code ?? 128 + signalNumber(signal), stdout, stderr }));
  });
}
function signalNumber(signal) {
  return signal ? constants.signals[signal] ?? 0 : 0;
}

// src/builder/engine.ts
var ENGINE_NAMES = ["podman", "docker"];
var detected = /* @__PURE__ */ new Map();
function detectEngine(override, env = process.env) {
  const wanted = override ?? env.TRUNKFARM_ENGINE ?? "";
  if (env !== process.env) return pickEngine(wanted, env);
  const key = `${wanted}|${env.GITHUB_ACTIONS === "true"}`;
  let found = detected.get(key);
  if (!found) {
    found = pickEngine(wanted, env);
    detected.set(key, found);
    found.catch(() => detected.delete(key));
  }
  return found;
}
async function pickEngine(wanted, env) {
  if (wanted) {
    if (!isEngineName(wanted)) {
      throw new UserError(`unknown container engine "${wanted}": expected podman or docker`, { exitCode: 2 });
    }
    const problem = await probe(wanted, env);
    if (problem) throw new UserError(`container engine ${wanted} is not usable: ${problem}`);
    return { name: wanted, bin: wanted };
  }
  const order = env.GITHUB_ACTIONS === "true" ? ["docker", "podman"] : ["podman", "docker"];
  const problems = [];
  for (const name of order) {
    const problem = await probe(name, env);
    if (!problem) return { name, bin: name };
    problems.push(`${name}: ${problem}`);
  }
  throw new UserError(
    `no container engine found (${problems.join("; ")}); install podman (scripts/setup-debian.sh) or docker`
  );
}
function isEngineName(name) {
  return ENGINE_NAMES.includes(name);
}
async function probe(name, env) {
  const format = name === "docker" ? "{{.Server.Version}}" : "{{.Client.Version}}";
  const r = await capture2({ name, bin: name }, ["version", "--format", format], env).catch(
    (err) => ({ code: -1, stdout: "", stderr: err.message })
  );
  if (r.code === 0 && r.stdout.trim()) return "";
  return lastLine(r.stderr) || `exit status ${r.code}`;
}
async function imageExists(engine, ref) {
  const r = await capture2(engine, ["image", "inspect", "--format", "{{.Id}}", ref]);
  return r.code === 0;
}
async function pull(engine, ref, opts = {}) {
  if (await imageExists(engine, ref)) return "local";
  if (ref.startsWith("localhost/")) {
    throw new UserError(`image ${ref} is not in ${engine.name}'s store; build it with scripts/local-images.sh`);
  }
  const args = ["pull", ...opts.platform ? ["--platform", opts.platform] : [], ref];
  const r = await capture2(engine, args);
  if (r.code !== 0) throw new UserError(`${engine.name} pull ${ref} failed: ${lastLine(r.stderr) || `exit ${r.code}`}`);
  return "pulled";
}
async function inspectImage(engine, ref) {
  const r = await capture2(engine, ["image", "inspect", ref]);
  if (r.code !== 0) throw new UserError(`cannot inspect image ${ref}: ${lastLine(r.stderr) || `exit ${r.code}`}`);
  const [raw] = JSON.parse(r.stdout);
  if (!raw?.Id) throw new UserError(`cannot inspect image ${ref}: ${engine.name} returned no image`);
  return {
    id: raw.Id.startsWith("sha256:") ? raw.Id : `sha256:${raw.Id}`,
    repoDigests: raw.RepoDigests ?? [],
    os: raw.Os ?? "",
    arch: raw.Architecture ?? "",
    labels: raw.Config?.Labels ?? raw.Labels ?? {},
    created: raw.Created ?? ""
  };
}
var live = /* @__PURE__ */ new Map();
var hooked = false;
async function startContainer(engine, opts) {
  const name = opts.name ?? `trunkfarm-${process.pid}-${randomBytes(4).toString("hex")}`;
  const args = ["run", "-d", "--name", name, "--label", `org.trunkfarm.pid=${process.pid}`];
  for (const [k, v] of Object.entries(opts.labels ?? {})) args.push("--label", `${k}=${v}`);
  for (const m of opts.mounts ?? []) args.push("--volume", volume(m));
  for (const t of opts.tmpfs ?? []) args.push("--tmpfs", `${mountPath(t)}:rw,mode=1777`);
  args.push(...envArgs(opts.env));
  if (opts.network) args.push("--network", opts.network);
  if (opts.platform) args.push("--platform", opts.platform);
  if (opts.user) args.push("--user", opts.user);
  if (opts.workdir) args.push("--workdir", opts.workdir);
  let command = opts.command;
  if (!command) {
    args.push("--entrypoint", "tail");
    command = ["-f", "/dev/null"];
  } else if (opts.entrypoint !== void 0) {
    args.push("--entrypoint", opts.entrypoint);
  }
  args.push(opts.image, ...command);
  const pending = { engine, id: name, name };
  track(pending);
  const r = await capture2(engine, args);
  if (r.code !== 0) {
    await removeContainer(pending);
    throw new UserError(`cannot start a container of ${opts.image}: ${lastLine(r.stderr) || `exit ${r.code}`}`);
  }
  const container = { engine, id: r.stdout.trim().split("\n").pop() ?? name, name };
  live.delete(pending.id);
  track(container);
  return container;
}
async function removeContainer(c) {
  live.delete(c.id);
  const r = await capture2(c.engine, rmArgs(c));
  if (r.code !== 0 && !/no such container|no container with/i.test(r.stderr)) {
    throw new UserError(`cannot remove container ${c.name}: ${lastLine(r.stderr)}`);
  }
}
function track(c) {
  live.set(c.id, c);
  if (hooked) return;
  hooked = true;
  process.on("exit", removeAllSync);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    const onSignal = () => {
      removeAllSync();
      process.removeListener(signal, onSignal);
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}
function removeAllSync() {
  for (const c of live.values()) spawnSync(c.engine.bin, rmArgs(c), { stdio: "ignore" });
  live.clear();
}
function rmArgs(c) {
  return ["rm", "-f", "-v", ...c.engine.name === "podman" ? ["--time", "0"] : [], c.id];
}
function volume(m) {
  return `${mountPath(m.source)}:${mountPath(m.target)}${m.readonly ? ":ro" : ""}`;
}
function mountPath(p) {
  if (!p.startsWith("/") || p.includes(":") || p.includes(",")) {
    throw new UserError(`cannot mount "${p}": paths must be absolute, without ':' or ','`);
  }
  return p;
}
function envArgs(env) {
  const args = [];
  for (const [k, v] of Object.entries(env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new UserError(`invalid environment variable name "${k}"`);
    args.push("--env", `${k}=${v}`);
  }
  return args;
}
async function exec(c, cmd, opts = {}) {
  const args = ["exec", ...opts.stdin !== void 0 ? ["-i"] : [], ...envArgs(opts.env)];
  if (opts.user) args.push("--user", opts.user);
  if (opts.workdir) args.push("--workdir", opts.workdir);
  args.push(c.id, ...cmd);
  const liveOut = opts.live === void 0 ? process.stderr : opts.live;
  const grouped = Boolean(opts.group) && process.env.GITHUB_ACTIONS === "true";
  if (liveOut && grouped) liveOut.write(`::group::${opts.group}
`);
  const frame = untrustedFrame();
  let lastChunk;
  if (liveOut) liveOut.write(frame.begin);
  let logFile;
  if (opts.log) {
    mkdirSync(dirname(opts.log), { recursive: true });
    logFile = createWriteStream(opts.log, { flags: "a" });
    logFile.write(`$ ${cmd.join(" ")}
`);
  }
  const tail = tailBuffer(opts.tailLines ?? 30);
  try {
    const code = await new Promise((resolve2, reject) => {
      const child = spawn2(c.engine.bin, args, { stdio: [opts.stdin === void 0 ? "ignore" : "pipe", "pipe", "pipe"] });
      let timedOut = false;
      const timer = opts.timeoutMs === void 0 ? void 0 : setTimeout(() => {
        timedOut = true;
        child.kill("SIGKILL");
      }, opts.timeoutMs);
      const onData = (chunk) => {
        tail.push(chunk);
        logFile?.write(chunk);
        liveOut?.write(chunk);
        lastChunk = chunk;
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.on("error", (err) => reject(notFound(c.engine, err)));
      child.on("close", (status, signal) => {
        if (timer) clearTimeout(timer);
        if (timedOut) {
          const note = `
[killed after ${opts.timeoutMs} ms]
`;
          tail.push(Buffer.from(note));
          logFile?.write(note);
          resolve2(124);
        } else {
          resolve2(status ?? 128 + signalNumber(signal));
        }
      });
      if (opts.stdin !== void 0) feed(child.stdin, opts.stdin);
    });
    if (logFile) logFile.write(`[exit ${code}]
`);
    return { code, tail: tail.text() };
  } finally {
    if (liveOut) liveOut.write(frame.end(lastChunk));
    if (liveOut && grouped) liveOut.write("::endgroup::\n");
    if (logFile) await new Promise((resolve2) => logFile.end(resolve2));
  }
}
function execStream(c, cmd, opts = {}) {
  return streamOut(c.engine, ["exec", ...opts.user ? ["--user", opts.user] : [], c.id, ...cmd], `run ${cmd[0]} in ${c.name}`);
}
function streamOut(engine, args, what) {
  const out = new PassThrough();
  const child = spawn2(engine.bin, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => stderr += d.toString());
  child.stdout.pipe(out, { end: false });
  child.on("error", (err) => out.destroy(notFound(engine, err)));
  child.on("close", (code) => {
    if (code === 0) out.end();
    else out.destroy(new UserError(`cannot ${what}: ${lastLine(stderr) || `exit ${code}`}`));
  });
  out.on("close", () => {
    if (child.exitCode === null) child.kill();
  });
  return out;
}
function capture2(engine, args, env) {
  return capture(engine.bin, args, env).catch((err) => {
    throw notFound(engine, err);
  });
}
function feed(sink, input) {
  sink.on("error", () => {
  });
  if (input instanceof Readable) input.pipe(sink);
  else sink.end(input);
}
function notFound(engine, err) {
  if (err.code === "ENOENT") return new UserError(`${engine.bin} not found on PATH`);
  return err;
}
function lastLine(text) {
  const lines = text.trim().split("\n");
  return (lines[lines.length - 1] ?? "").replace(/^Error: /, "");
}
function tailBuffer(max) {
  let lines = [];
  let partial = "";
  return {
    push(chunk) {
      const parts = (partial + chunk.toString()).split("\n");
      partial = parts.pop() ?? "";
      lines.push(...parts);
      if (lines.length > max) lines = lines.slice(-max);
    },
    text() {
      return (partial ? [...lines, partial] : lines).slice(-max).join("\n");
    }
  };
}

// src/job-result/index.ts
import { readFile, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
var RESULT_FILE = "result.json";
function jobDirName(job) {
  return `${job.extension}-${job.version}+${job.platform}`;
}
async function readResult(dir) {
  try {
    return JSON.parse(await readFile(path.join(dir, RESULT_FILE), "utf8"));
  } catch {
    return void 0;
  }
}
async function writeResult(dir, result) {
  const tmp = path.join(dir, `.${RESULT_FILE}.${process.pid}`);
  await writeFile(tmp, `${JSON.stringify(result, null, 2)}
`);
  await rename(tmp, path.join(dir, RESULT_FILE));
}
async function upToDate(dir, key) {
  const prev = await readResult(dir);
  if (prev?.status !== "built" || prev.job.key !== key || !prev.artifacts) return void 0;
  const trunk = await stat(path.join(dir, prev.artifacts.trunk.file)).catch(() => void 0);
  return trunk?.size === prev.artifacts.trunk.size ? prev : void 0;
}

// src/builder/step-runner.ts
import path2 from "node:path";
var StepError = class extends UserError {
  constructor(step, detail, tail, hint) {
    const end = hint === void 0 ? "" : `
${hint}`;
    super(`step "${step}" failed: ${detail}${tail === void 0 ? "" : `:
${tail}`}${end}`);
    this.step = step;
    this.detail = detail;
    this.tail = tail;
    this.summary = `step "${step}" failed: ${detail}${end}`;
  }
  step;
  detail;
  tail;
  /** The message without the log's tail, for whoever has seen the log already. */
  summary;
};
var StepRunner = class {
  constructor(job, dir, reporter) {
    this.job = job;
    this.dir = dir;
    this.reporter = reporter;
  }
  job;
  dir;
  reporter;
  records = [];
  /** The steps that failed, in the order they failed. */
  failures = [];
  /** The step started last: what a failure outside any step is charged to. */
  current = "setup";
  logOf(step) {
    return path2.join(this.dir, "logs", `${step}.log`);
  }
  async run(step, fn) {
    this.current = step;
    const logFile = this.logOf(step);
    const record = { name: step, status: "ok", seconds: 0, log: path2.relative(this.dir, logFile) };
    this.records.push(record);
    const t0 = Date.now();
    this.reporter.started(step);
    try {
      return await fn(logFile);
    } catch (err) {
      record.status = "failed";
      record.message = err.message;
      this.failures.push({ step, error: err });
      throw err;
    } finally {
      record.seconds = (Date.now() - t0) / 1e3;
      this.reporter.finished(record, logFile);
    }
  }
  /** Waits for steps running side by side; when some failed, throws the error of the first
   * failure (a bug, not a UserError, before any). */
  async settle(running) {
    const errors = (await Promise.allSettled(running)).flatMap((r) => r.status === "rejected" ? [r.reason] : []);
    if (errors.length === 0) return;
    throw errors.find((e) => !(e instanceof UserError)) ?? this.failures.find((f) => errors.includes(f.error))?.error ?? errors[0];
  }
  /** Runs a shell script in a container for `step`, into the step's log; a non-zero exit fails
   * the step with the end of its log. `quiet`: into the log only, for commands that run beside
   * another step's. */
  async script(c, step, script, o = {}) {
    const logFile = this.logOf(step);
    const r = await exec(c, ["sh", "-c", script], {
      log: logFile,
      env: o.env ?? {},
      // A log group inside GitHub Actions.
      group: `${this.job}: ${step}`,
      ...o.user ? { user: o.user } : {},
      live: o.quiet ? null : this.reporter.output(step),
      ...o.stdin ? { stdin: o.stdin } : {}
    });
    if (r.code !== 0) throw new StepError(step, `exit status ${r.code}; last lines of ${path2.relative(path2.dirname(this.dir), logFile).replace(/\.partial(?=\/)/, "")}`, r.tail);
    return r;
  }
};

// src/builder/context.ts
function jobPaths(out, job) {
  const final = path3.resolve(out, jobDirName(job));
  const dir = `${final}.partial`;
  const work = path3.join(dir, "work");
  return {
    dir,
    final,
    work,
    src: path3.join(work, "src"),
    destdir: path3.join(work, "destdir"),
    bundle: path3.join(work, "bundle"),
    scripts: path3.join(work, "scripts"),
    stage: path3.join(dir, "stage"),
    logs: path3.join(dir, "logs"),
    test: path3.join(work, "test"),
    extensions: path3.join(work, "extensions"),
    sysroot: path3.join(work, "sysroot"),
    clusters: path3.join(cacheRoot(), "clusters")
  };
}
async function createJobContext(target, opts, reporter) {
  const paths = jobPaths(opts.out, target.job);
  await rm(paths.dir, { recursive: true, force: true });
  for (const key of ["destdir", "bundle", "scripts", "stage", "logs", "test", "extensions", "sysroot"]) await mkdir(paths[key], { recursive: true });
  const engine = await detectEngine(opts.engine);
  const testing = opts.test !== false;
  const name = jobDirName(target.job);
  return {
    ...target,
    name,
    matrixDir: opts.matrixDir,
    paths,
    engine,
    images: opts.images ?? "auto",
    testing,
    installchecking: testing && Boolean(target.entry.test?.installcheck),
    mode: target.platform.pg >= 18 ? "volume" : "system",
    startedAt: (/* @__PURE__ */ new Date()).toISOString(),
    steps: new StepRunner(name, paths.dir, reporter),
    containers: new Containers(engine),
    result: {}
  };
}
var Containers = class {
  constructor(engine) {
    this.engine = engine;
  }
  engine;
  starting = [];
  ahead = [];
  start(opts) {
    const c = startContainer(this.engine, opts);
    this.starting.push(c);
    return c;
  }
  /** Removes one container now. */
  release(c) {
    const i = this.starting.indexOf(c);
    return i < 0 ? Promise.resolve() : removeAll(this.starting.splice(i, 1));
  }
  /** Keeps track of work that runs ahead; its failure surfaces in the step that awaits it. */
  runAhead(p) {
    this.ahead.push(p.catch(() => {
    }));
    return p;
  }
  removeAll() {
    return removeAll(this.starting.splice(0));
  }
};
async function removeAll(starting) {
  const removed = await Promise.allSettled(
    starting.map(async (s) => {
      const c = await s.catch(() => void 0);
      if (c) await removeContainer(c);
    })
  );
  const failure = removed.find((r) => r.status === "rejected");
  if (failure) throw failure.reason;
}

// src/builder/progress.ts
import { readFileSync } from "node:fs";
import path4 from "node:path";
import { Writable } from "node:stream";
function streamReporter(job, out = process.stderr) {
  return {
    line: (text) => void out.write(`${job}: ${text}
`),
    started: (step) => void out.write(`${job}: ${step}
`),
    output: () => out,
    finished: () => {
    },
    failed: (message) => void out.write(`${job}: ${message}
`),
    // A step that ran beside others logged quietly: its output is shown once they are done, so
    // that logs do not interleave.
    replay(step, logFile) {
      const text = readLog(logFile);
      const grouped = process.env.GITHUB_ACTIONS === "true";
      const frame = untrustedFrame();
      out.write(`${grouped ? `::group::${job}: ${step}
` : ""}${frame.begin}${text}${frame.end(text)}${grouped ? "::endgroup::\n" : ""}`);
    }
  };
}
var FAILED_TAIL_LINES = 40;
var DOING = {
  source: "fetching the source",
  images: "pulling images",
  dependencies: "installing build dependencies",
  compile: "compiling",
  installcheck: "running installcheck",
  closure: "checking the closure",
  package: "packaging",
  smoke: "running the smoke test"
};
function terminalReporter(job, options) {
  const out = options.out ?? process.stderr;
  const tty = options.tty ?? out.isTTY === true;
  const interval = options.intervalMs ?? (tty ? 1e3 : 3e4);
  const after = options.afterMs ?? (tty ? 3e3 : 3e4);
  const logs = path4.join(options.jobDir, "logs");
  const relative2 = path4.relative(process.cwd(), logs);
  const logsDir = relative2.startsWith("..") || path4.isAbsolute(relative2) ? logs : relative2;
  const running = /* @__PURE__ */ new Map();
  let shownTail = false;
  let drawn = false;
  let timer;
  const print = (text) => {
    if (drawn) out.write("\r\x1B[K");
    drawn = false;
    out.write(text);
  };
  const indicator = (now, width) => {
    const r = [...running.values()].sort((a, b) => Number(b.shown) - Number(a.shown) || a.startedAt - b.startedAt)[0];
    if (!r || now - r.startedAt < after) return void 0;
    const doing = DOING[r.step] ?? `running ${r.step}`;
    const seconds = Math.round((now - r.startedAt) / 1e3);
    const head = `still ${doing} (${seconds} s${r.shown ? `, ${r.lines} line${r.lines === 1 ? "" : "s"}` : ""}`;
    return r.last ? `${head}, last: ${shorten(r.last, width - head.length - 9)})` : `${head})`;
  };
  const tick = () => {
    if (tty) {
      const width = Math.max(40, (out.columns || 100) - 1);
      const text = indicator(Date.now(), width - 2);
      if (!text) return;
      out.write(`\r\x1B[K  ${text.slice(0, width - 2)}`);
      drawn = true;
    } else {
      const text = indicator(Date.now(), 120);
      if (text) print(`${job}: ${text}
`);
    }
  };
  const stopWhenIdle = () => {
    if (running.size === 0 && timer) {
      clearInterval(timer);
      timer = void 0;
    }
  };
  let announced = false;
  return {
    line: (text) => print(`  ${text}
`),
    started(step) {
      if (!announced) print(`${job}: building (logs in ${logsDir}/)
`);
      announced = true;
      running.set(step, { step, startedAt: Date.now(), shown: false, lines: 0, last: "", partial: "" });
      timer ??= setInterval(tick, interval).unref();
    },
    output(step) {
      const r = running.get(step);
      if (r) r.shown = true;
      return new Writable({
        write(chunk, _encoding, done) {
          const r2 = running.get(step);
          if (r2) countLines(r2, chunk.toString());
          done();
        }
      });
    },
    finished(record, logFile) {
      running.delete(record.name);
      stopWhenIdle();
      const mark = record.status === "ok" ? "ok  " : "FAIL";
      print(`  ${mark} ${record.name.padEnd(12)} ${record.seconds.toFixed(1).padStart(6)} s
`);
      if (record.status !== "failed") return;
      const tail = lastLines(readLog(logFile), FAILED_TAIL_LINES);
      if (tail) {
        shownTail = true;
        print(`${tail.replace(/^/gm, "  | ")}
`);
      }
      print(`  log: ${path4.join(logsDir, path4.basename(logFile))}
`);
    },
    failed(message, summary) {
      print(`${job}: ${shownTail && summary ? summary : message}
`);
    },
    replay: () => {
    }
  };
}
function lineReporter(onLine) {
  return { line: onLine, started: () => {
  }, output: () => null, finished: () => {
  }, failed: (message) => onLine(message), replay: () => {
  } };
}
function countLines(r, text) {
  const parts = (r.partial + text).split("\n");
  r.partial = parts.pop() ?? "";
  for (const part of parts) {
    r.lines++;
    const line = part.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/[\x00-\x1f\x7f]/g, "").trim();
    if (line) r.last = line;
  }
}
function shorten(line, max) {
  if (line.length <= max) return line;
  const keep = Math.max(10, max - 3);
  const start = Math.floor(keep / 3);
  return `${line.slice(0, start)} \u2026 ${line.slice(line.length - (keep - start))}`;
}
function readLog(file) {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}
function lastLines(text, n) {
  return text.replace(/\n+$/, "").split("\n").slice(-n).join("\n");
}

// src/builder/steps/source.ts
import { cp, readdir as readdir3, stat as stat3 } from "node:fs/promises";
import path5 from "node:path";

// src/builder/source.ts
import { createHash, randomBytes as randomBytes2 } from "node:crypto";
import { createWriteStream as createWriteStream2 } from "node:fs";
import { chmod, mkdir as mkdir2, mkdtemp, readdir as readdir2, readFile as readFile3, readlink, rename as rename2, rm as rm2, stat as stat2 } from "node:fs/promises";
import { dirname as dirname2, isAbsolute, join as join2, relative, resolve } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

// src/builder/debian-mirror.ts
import { readdir, readFile as readFile2 } from "node:fs/promises";
import { join } from "node:path";
async function debianMirror(config = {}) {
  const env = config.env ?? process.env;
  const override = env.TRUNKFARM_DEBIAN_MIRROR;
  if (override) return override.replace(/\/+$/, "");
  const dir = config.sourcesDir ?? "/etc/apt/sources.list.d";
  const list = config.sourcesList ?? "/etc/apt/sources.list";
  const names = (await readdir(dir).catch(() => [])).filter((n) => n.endsWith(".sources")).sort();
  for (const name of names) {
    const uri2 = fromDeb822(await readFile2(join(dir, name), "utf8"));
    if (uri2) return uri2.replace(/\/+$/, "");
  }
  const text = await readFile2(list, "utf8").catch(() => "");
  const uri = fromOneLine(text);
  if (uri) return uri.replace(/\/+$/, "");
  throw new UserError(`no Debian mirror found in ${dir}/*.sources or ${list}; set TRUNKFARM_DEBIAN_MIRROR`);
}
function fromDeb822(text) {
  for (const stanza of text.split(/\n[ \t]*\n/)) {
    const fields = /* @__PURE__ */ new Map();
    for (const line of stanza.split("\n")) {
      if (/^\s*#/.test(line)) continue;
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (m) fields.set(m[1].toLowerCase(), m[2].trim());
    }
    const types = (fields.get("types") ?? "").split(/\s+/);
    const uri = (fields.get("uris") ?? "").split(/\s+/)[0] ?? "";
    const suites = fields.get("suites") ?? "";
    if (!types.includes("deb") || !uri || fields.get("enabled")?.toLowerCase() === "no") continue;
    if (/-security/.test(suites) || /-security\/?$/.test(uri)) continue;
    return uri;
  }
  return void 0;
}
function fromOneLine(text) {
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (!line.startsWith("deb ") && !line.startsWith("deb	")) continue;
    const words = line.replace(/\[[^\]]*\]/, "").split(/\s+/).slice(1);
    const [uri, suite] = words;
    if (uri && suite && !/-security/.test(suite) && !/-security\/?$/.test(uri)) return uri;
  }
  return void 0;
}
function poolUrl(mirror, pkg, file, component = "main") {
  if (!/^[a-z0-9][a-z0-9+.-]+$/.test(pkg)) throw new UserError(`invalid Debian source package name "${pkg}"`);
  if (!/^[A-Za-z0-9][A-Za-z0-9+.~_-]*$/.test(file)) throw new UserError(`invalid Debian file name "${file}"`);
  const prefix = pkg.startsWith("lib") && pkg.length > 3 ? pkg.slice(0, 4) : pkg[0];
  return `${mirror.replace(/\/+$/, "")}/pool/${component}/${prefix}/${pkg}/${encodeURIComponent(file)}`;
}

// src/builder/source.ts
var SHA256 = /^[0-9a-f]{64}$/;
var COMMIT = /^[0-9a-f]{40}$/;
function sourcesDir(opts) {
  return join2(opts.cacheRoot ?? cacheRoot(), "sources");
}
function isGitSource(src) {
  return "git" in src;
}
function fetchSource(src, opts = {}) {
  return isGitSource(src) ? fetchGit(src, opts) : fetchArchive(src, opts);
}
async function fetchArchive(src, opts = {}) {
  const want = src.sha256.toLowerCase();
  const name = src.url ?? src.debian?.orig;
  if (name === void 0) throw new UserError("an archive source needs a url or a Debian orig tarball");
  if (!SHA256.test(want)) throw new UserError(`invalid sha256 "${src.sha256}" for ${name}: expected 64 hex digits`);
  const dir = sourcesDir(opts);
  const path17 = join2(dir, "sha256", want);
  if (await isFile(path17)) {
    if (await sha256File(path17) === want) return { path: path17, sha256: want, from: "cache", url: name };
    opts.log?.(`cached ${path17} is damaged; fetching it again`);
    await rm2(path17, { force: true });
  }
  await mkdir2(join2(dir, "sha256"), { recursive: true });
  let upstreamError;
  if (src.url !== void 0) {
    try {
      opts.log?.(`fetching ${src.url}`);
      await download(src.url, want, path17, dir, opts);
      return { path: path17, sha256: want, from: "upstream", url: src.url };
    } catch (err) {
      if (!(err instanceof Unreachable) || !src.debian) throw err;
      upstreamError = err;
    }
  }
  const debian = src.debian;
  const mirror = opts.mirror ?? await debianMirror();
  const url = poolUrl(mirror, debian.package, debian.orig);
  opts.log?.(upstreamError ? `${src.url} cannot be reached (${upstreamError.message}); fetching Debian's ${debian.orig}` : `fetching Debian's ${debian.orig}`);
  try {
    await download(url, want, path17, dir, opts);
  } catch (err) {
    if (err instanceof Unreachable) {
      throw new UserError(upstreamError ? `cannot fetch ${src.url} (${upstreamError.message}) nor its Debian copy ${url} (${err.message})` : `cannot fetch Debian's ${debian.orig} from ${url} (${err.message})`);
    }
    throw err;
  }
  return { path: path17, sha256: want, from: "debian", url };
}
var Unreachable = class extends Error {
};
async function download(url, want, dest, dir, opts) {
  const tmp = await tempPath(dir);
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 6e5);
  let res;
  try {
    res = await httpGet(url, { signal: timeout, ...opts.log ? { onRetry: (e) => opts.log(`${e.operation}: ${e.reason}; retry ${e.retry} in ${(e.delayMs / 1e3).toFixed(1)} s`) } : {} });
  } catch (err) {
    throw new Unreachable(err instanceof HttpStatusError ? `HTTP ${err.status}` : describeFetchError(err));
  }
  const hash = createHash("sha256");
  try {
    await pipeline(
      res,
      new Transform({
        transform(chunk, _enc, done) {
          hash.update(chunk);
          done(null, chunk);
        }
      }),
      createWriteStream2(tmp, { flags: "wx" })
    );
  } catch (err) {
    await rm2(tmp, { force: true });
    throw new Unreachable(`download interrupted: ${describeFetchError(err)}`);
  }
  const got = hash.digest("hex");
  if (got !== want) {
    await rm2(tmp, { force: true });
    throw new UserError(`sha256 mismatch for ${url}: expected ${want}, got ${got}`);
  }
  await rename2(tmp, dest);
}
function describeFetchError(err) {
  const e = err;
  if (e?.name === "TimeoutError" || e?.cause?.name === "TimeoutError") return "timed out";
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause ? `${e.message}: ${cause}` : String(e?.message ?? err);
}
async function fetchGit(src, opts = {}) {
  const commit = src.commit.toLowerCase();
  if (!COMMIT.test(commit)) throw new UserError(`invalid git commit "${src.commit}" for ${src.git}: expected 40 hex digits`);
  const dir = sourcesDir(opts);
  const path17 = join2(dir, "git", `${commit}.tar`);
  if (await isFile(path17)) return { path: path17, sha256: await sha256File(path17), from: "cache", url: src.git };
  await mkdir2(join2(dir, "git"), { recursive: true });
  await mkdir2(join2(dir, "tmp"), { recursive: true });
  const work = await mkdtemp(join2(dir, "tmp", "git-"));
  try {
    opts.log?.(`fetching ${src.git} at ${commit}`);
    await git(["init", "--quiet", "--bare", work]);
    const single = await git(["-C", work, "fetch", "--quiet", "--depth=1", src.git, commit], { check: false });
    if (single.code !== 0) {
      await git(["-C", work, "fetch", "--quiet", src.git, "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]);
    }
    const type = await git(["-C", work, "cat-file", "-t", commit], { check: false });
    if (type.code !== 0 || type.stdout.trim() !== "commit") {
      throw new UserError(`commit ${commit} is not in ${src.git}`);
    }
    const tmp = await tempPath(dir);
    await git([
      "-C",
      work,
      "-c",
      "tar.umask=0022",
      "-c",
      "core.autocrlf=false",
      "archive",
      "--format=tar",
      "--prefix=src/",
      "-o",
      tmp,
      commit
    ]);
    await rename2(tmp, path17);
  } finally {
    await rm2(work, { recursive: true, force: true });
  }
  return { path: path17, sha256: await sha256File(path17), from: "upstream", url: src.git };
}
async function git(args, opts = {}) {
  const env = { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1" };
  const r = await capture("git", args, env).catch((err) => {
    throw err.code === "ENOENT" ? new UserError("git not found on PATH: git sources need it") : err;
  });
  if (r.code !== 0 && opts.check !== false) {
    throw new UserError(`git ${args.join(" ")} failed: ${r.stderr.trim().split("\n").pop() ?? ""}`);
  }
  return r;
}
async function unpackSource(tarball, dest, options = {}) {
  const target = resolve(dest);
  if (await exists(target)) throw new UserError(`cannot unpack ${tarball}: ${target} exists already`);
  const parent = resolve(target, "..");
  await mkdir2(parent, { recursive: true });
  const tmp = await mkdtemp(join2(parent, ".unpack-"));
  try {
    const list = await capture("tar", ["-tf", tarball]);
    if (list.code !== 0) throw new UserError(`${tarball} is not a readable tarball: ${list.stderr.trim()}`);
    const tops = new Set(
      list.stdout.split("\n").filter(Boolean).map((n) => n.replace(/^\.\//, "").split("/")[0]).filter((n) => n && n !== ".")
    );
    const entries = list.stdout.split("\n").filter(Boolean);
    const outside = entries.find((n) => n.startsWith("/") || n.split("/").includes(".."));
    if (outside !== void 0) throw new UserError(`${tarball}: entry "${outside}" names a path outside the source; refusing to unpack it`);
    const oneTop = options.strip !== false && tops.size === 1 && entries.some((n) => n.replace(/^\.\//, "").includes("/"));
    const args = ["-xf", tarball, "-C", tmp, "--no-same-owner", "--delay-directory-restore"];
    if (oneTop) args.push(`--strip-components=${entries[0].startsWith("./") ? 2 : 1}`);
    const r = await capture("tar", args);
    if (r.code !== 0) throw new UserError(`cannot unpack ${tarball}: ${r.stderr.trim()}`);
    await checkSourceTree(tarball, tmp);
    await chmod(tmp, 493);
    await rename2(tmp, target);
  } catch (err) {
    await rm2(tmp, { recursive: true, force: true });
    throw err;
  }
}
async function checkSourceTree(from, dir) {
  for (const e of await readdir2(dir, { withFileTypes: true, recursive: true })) {
    const full = join2(e.parentPath, e.name);
    const rel = relative(dir, full);
    if (e.isSymbolicLink()) {
      const target = await readlink(full);
      if (isAbsolute(target) || !isWithin(dir, resolve(dirname2(full), target)))
        throw new UserError(`${from}: entry "${rel}" is a symlink to ${target}, outside the source; refusing to use it`);
    } else if (!e.isFile() && !e.isDirectory()) {
      throw new UserError(`${from}: entry "${rel}" is a device, FIFO or socket; a source holds only files, directories and symlinks`);
    }
  }
}
async function applyPatches(dir, patches, log) {
  for (const p of patches) {
    await checkPatchPaths(dir, p);
    log?.(`applying ${p.file}`);
    const r = await capture("patch", ["-p1", "--batch", "--forward", "--no-backup-if-mismatch", "--reject-file=-", "-d", dir, "-i", p.path]).catch((err) => {
      throw err.code === "ENOENT" ? new UserError("patch not found on PATH: entries with source.patches need it") : err;
    });
    if (r.code !== 0) throw new UserError(`${p.file} does not apply to the source: ${(r.stdout + r.stderr).trim().split("\n").slice(-6).join("\n")}`);
  }
}
async function checkPatchPaths(dir, p) {
  const lines = (await readFile3(p.path, "utf8")).split("\n");
  for (const [i, line] of lines.entries()) {
    const m = /^(?:---|\+\+\+) ([^\t\n]+)/.exec(line) ?? /^diff --git (\S+) (\S+)/.exec(line) ?? /^(?:rename|copy) (?:from|to) (.+)$/.exec(line);
    if (!m) continue;
    for (const name of m.slice(1)) {
      if (name === "/dev/null") continue;
      const rel = (line.startsWith("rename") || line.startsWith("copy") ? name : name.split("/").slice(1).join("/")).trim();
      const where = `${p.file}:${i + 1}`;
      if (rel.split("/").includes("..")) throw new UserError(`${where}: the patch touches ${rel}, outside the source`);
      try {
        pathWithin(dir, rel);
      } catch (err) {
        throw new UserError(`${where}: ${err.message}`, { cause: err });
      }
    }
  }
}
async function tempPath(dir) {
  await mkdir2(join2(dir, "tmp"), { recursive: true });
  return join2(dir, "tmp", `${process.pid}-${randomBytes2(6).toString("hex")}`);
}
async function isFile(path17) {
  return (await stat2(path17).catch(() => void 0))?.isFile() ?? false;
}

// src/builder/steps/source.ts
function sourceStep(ctx) {
  return ctx.steps.run("source", async () => {
    const record = await placeSource(ctx);
    ctx.result.source = record;
    const patches = ("patches" in ctx.entry.source ? ctx.entry.source.patches ?? [] : []).map(({ file }) => ({ file, path: patchPath(ctx.matrixDir, ctx.entry, file) }));
    await applyPatches(ctx.paths.src, patches, (line) => ctx.steps.reporter.line(line));
    return { sha256: record.sha256, uri: record.uri, epoch: Number(process.env.SOURCE_DATE_EPOCH ?? await newestMtime(ctx.paths.src)) };
  });
}
var WORKSPACE_ADDITIONS = /* @__PURE__ */ new Set([".trunkfarm", ".trunkfarm-matrix"]);
async function placeSource(ctx) {
  const { source } = ctx.entry;
  if ("path" in source) {
    const repoRoot = path5.resolve(ctx.matrixDir, "..");
    const from = path5.resolve(repoRoot, source.path);
    if (!from.startsWith(`${repoRoot}${path5.sep}`) && from !== repoRoot) throw new UserError(`source.path ${source.path} leaves the repository`);
    pathWithin(repoRoot, source.path);
    const notSource = (p) => path5.dirname(p) === repoRoot && WORKSPACE_ADDITIONS.has(path5.basename(p));
    await cp(from, ctx.paths.src, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true, filter: (p) => !notSource(p) });
    await checkSourceTree(from, ctx.paths.src);
    return { uri: `file:${path5.relative(repoRoot, from) || "."}`, sha256: "", from: "repository" };
  }
  const src = "git" in source ? { git: source.git, commit: source.commit } : { ...source.url ? { url: source.url } : {}, sha256: source.sha256, ...source.debian ? { debian: source.debian } : {} };
  const got = await fetchSource(src, { log: (line) => ctx.steps.reporter.line(line) });
  await unpackSource(got.path, ctx.paths.src);
  return { uri: got.url, sha256: got.sha256, from: got.from };
}
async function newestMtime(dir) {
  let newest = 0;
  for (const e of await readdir3(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const s = await stat3(path5.join(e.parentPath, e.name));
    newest = Math.max(newest, Math.floor(s.mtimeMs / 1e3));
  }
  return newest;
}

// src/builder/steps/images.ts
function imagesStep(ctx) {
  return ctx.steps.run("images", async () => {
    const [builder, base] = await Promise.all([chooseImage(ctx.engine, ctx.platform.builder, ctx.images, ctx.platform), chooseImage(ctx.engine, ctx.platform.base, ctx.images, ctx.platform)]);
    ctx.result.images = { builder: { ref: builder.ref, id: builder.info.id }, base: { ref: base.ref, id: base.info.id } };
    return { builder, base };
  });
}
async function chooseImage(engine, image, choice, platform) {
  if (choice !== "public" && image.local) {
    const info = await inspectImage(engine, image.local).catch(() => void 0);
    if (info) return { ref: image.local, info };
  }
  if (choice === "local") {
    throw new UserError(`no local image ${image.local ?? "(none declared)"} for ${platform.name}: build it with scripts/local-images.sh --only ${platform.name}`);
  }
  await pull(engine, image.ref, { platform: `linux/${platform.arch}` });
  return { ref: image.ref, info: await inspectImage(engine, image.ref) };
}

// src/builder/steps/dependencies.ts
import { createHash as createHash2 } from "node:crypto";
import { mkdir as mkdir4, stat as stat4, writeFile as writeFile2 } from "node:fs/promises";
import path7 from "node:path";

// src/builder/pipeline.ts
var CONTAINER = {
  src: "/trunkfarm/src",
  stage: "/trunkfarm/stage",
  bundle: "/trunkfarm/bundle",
  scripts: "/trunkfarm/scripts"
};
function shellQuote(s) {
  return /^[A-Za-z0-9_./=:,+@%-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}
function expandArgs(args, pg) {
  return (args ?? []).map(
    (a) => shellQuote(a.replaceAll("{pg}", String(pg))).replaceAll("{pg_config}", `'"$PG_CONFIG"'`).replace(/\{pg_config (--[a-z-]+)\}/g, `'"$("$PG_CONFIG" $1)"'`)
  ).join(" ");
}
function findPgConfig(pg) {
  return [
    `if [ -x /usr/lib/postgresql/${pg}/bin/pg_config ]; then PG_CONFIG=/usr/lib/postgresql/${pg}/bin/pg_config`,
    "elif command -v pg_config >/dev/null 2>&1; then PG_CONFIG=$(command -v pg_config)",
    `else echo "no pg_config for PostgreSQL ${pg} in the builder image" >&2; exit 1; fi`,
    "export PG_CONFIG",
    `case "$("$PG_CONFIG" --version)" in "PostgreSQL ${pg}"*) ;; *) echo "pg_config is $("$PG_CONFIG" --version), not PostgreSQL ${pg}" >&2; exit 1;; esac`
  ].join("\n");
}
function buildScript(entry, pg, libc = "glibc") {
  const make = expandArgs(entry.build?.make, pg);
  const configure = expandArgs(entry.build?.configure, pg);
  const env = Object.entries(entry.build?.env ?? {}).map(([k, v]) => `export ${k}=${shellQuote(v)}`);
  const musl = libc === "musl" ? ['export COPT="${COPT:-} -U__gnu_linux__"'] : [];
  const head = ["set -eu", findPgConfig(pg), `JOBS=$(nproc 2>/dev/null || echo 2)`, `export DESTDIR=${CONTAINER.stage}`, ...musl, ...env, `cd ${CONTAINER.src}`];
  const steps = (() => {
    switch (entry.dependencies.pipeline) {
      case "pgxs":
        return [
          `make -j"$JOBS" USE_PGXS=1 PG_CONFIG="$PG_CONFIG" ${make}`,
          `make install USE_PGXS=1 PG_CONFIG="$PG_CONFIG" DESTDIR=${CONTAINER.stage} ${make}`
        ];
      case "autoconf":
        return [
          "if [ ! -x ./configure ] && [ -x ./autogen.sh ]; then ./autogen.sh; fi",
          `./configure ${configure}`,
          // V=1: automake's silent rules would hide the compiler lines the isa step reads.
          `make -j"$JOBS" V=1 ${make}`,
          `make install DESTDIR=${CONTAINER.stage} ${make}`
        ];
      case "cmake":
        return [
          `cmake -S . -B _trunkfarm_build -DCMAKE_BUILD_TYPE=Release -DPG_CONFIG="$PG_CONFIG" -DPostgreSQL_CONFIG="$PG_CONFIG" ${configure}`,
          // --verbose and -v: the compiler lines, for the isa step.
          'cmake --build _trunkfarm_build -j "$JOBS" --verbose',
          `DESTDIR=${CONTAINER.stage} cmake --install _trunkfarm_build`
        ];
      case "meson":
        return [
          `meson setup _trunkfarm_build --buildtype=release -Dpg_config="$PG_CONFIG" ${configure}`,
          "meson compile -C _trunkfarm_build -v",
          `DESTDIR=${CONTAINER.stage} meson install -C _trunkfarm_build`
        ];
      case "script":
        return [entry.build?.script ?? 'echo "pipeline script needs build.script" >&2; exit 1'];
      case "pgrx":
        throw new UserError(`${entry.name}: the pgrx pipeline is not supported yet (it needs cargo-pgrx in the builder image)`);
    }
  })();
  return `${[...head, ...steps].join("\n")}
`;
}
function pgConfigScript(pg) {
  const dirs = ["bindir", "docdir", "htmldir", "includedir", "pkgincludedir", "includedir-server", "libdir", "pkglibdir", "localedir", "mandir", "sharedir", "sysconfdir"];
  return ["set -eu", findPgConfig(pg), ...dirs.map((d) => `printf '%s=%s\\n' ${d} "$("$PG_CONFIG" --${d})"`), 'printf "version=%s\\n" "$("$PG_CONFIG" --version)"', ...["cflags", "cppflags", "ldflags", "libs", "cc"].map((f) => `printf '%s=%s\\n' ${f} "$("$PG_CONFIG" --${f})"`)].join("\n") + "\n";
}
function installcheckScript(pg) {
  const make = `make USE_PGXS=1 PG_CONFIG="$PG_CONFIG"`;
  const check = `PGHOST=/tmp PGUSER=postgres ${make} installcheck || { cat regression.diffs 2>/dev/null | head -n 80; exit 1; }`;
  return ["set -eu", findPgConfig(pg), `cd ${CONTAINER.src}`, `${make} install`, check].join("\n") + "\n";
}

// src/builder/stage.ts
import { mkdir as mkdir3, readdir as readdir4, readlink as readlink2, rename as rename3, rm as rm3, symlink, unlink } from "node:fs/promises";
import path6 from "node:path";
var LAYOUT_DIRS = {
  bindir: "bin",
  docdir: "doc",
  htmldir: "html",
  "includedir-server": "include/server",
  pkgincludedir: "pkginclude",
  includedir: "include",
  pkglibdir: "pkglib",
  libdir: "lib",
  localedir: "locale",
  mandir: "man",
  sharedir: "share",
  sysconfdir: "sysconf"
};
function parsePgConfig(text) {
  const out = {};
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  for (const dir of Object.keys(LAYOUT_DIRS)) {
    if (!out[dir]?.startsWith("/")) throw new UserError(`pg_config gave no absolute --${dir} (got ${JSON.stringify(out[dir] ?? "")})`);
  }
  return out;
}
async function walk(root, rel = "") {
  const entries = await readdir4(path6.join(root, rel), { withFileTypes: true });
  const out = [];
  for (const e of entries) {
    const p = path6.join(rel, e.name);
    if (e.isDirectory()) out.push(...await walk(root, p));
    else out.push(p);
  }
  return out;
}
async function layoutStage(destdir, stage, pg) {
  const dirs = Object.entries(LAYOUT_DIRS).map(([name, layout]) => ({ prefix: pg[name].replace(/^\/+|\/+$/g, ""), layout })).sort((a, b) => b.prefix.length - a.prefix.length);
  const files = (await walk(destdir)).sort();
  if (files.length === 0) throw new UserError("the build installed no files (is DESTDIR honoured by its install step?)");
  const staged = (file) => {
    const dir = dirs.find((d) => file === d.prefix || file.startsWith(`${d.prefix}/`));
    return dir ? path6.posix.join("pgsql", dir.layout, file.slice(dir.prefix.length + 1)) : void 0;
  };
  const outside = [];
  const moves = [];
  for (const file of files) {
    const to = staged(file);
    if (to === void 0) outside.push(`/${file}`);
    else moves.push([file, to]);
  }
  if (outside.length > 0) {
    throw new UserError(`the build installed files outside PostgreSQL's directories, which no installer could place:
  ${outside.slice(0, 20).join("\n  ")}`);
  }
  const links = /* @__PURE__ */ new Map();
  for (const [from, to] of moves) {
    const target = await readlink2(path6.join(destdir, from)).catch(() => void 0);
    if (target === void 0) continue;
    const resolved = path6.posix.normalize(target.startsWith("/") ? target.slice(1) : path6.posix.join(path6.posix.dirname(from), target));
    const mapped = resolved === ".." || resolved.startsWith("../") ? void 0 : staged(resolved);
    if (mapped === void 0) throw new UserError(`the build installed a symlink that leaves PostgreSQL's directories: /${from} -> ${target}`);
    links.set(to, path6.posix.relative(path6.posix.dirname(to), mapped));
  }
  for (const [from, to] of moves) {
    await mkdir3(path6.dirname(path6.join(stage, to)), { recursive: true });
    const link = links.get(to);
    if (link === void 0) await rename3(path6.join(destdir, from), path6.join(stage, to));
    else {
      await unlink(path6.join(destdir, from));
      await symlink(link, path6.join(stage, to));
    }
  }
  await rm3(destdir, { recursive: true, force: true });
  return moves.map(([, to]) => to);
}

// src/builder/smoke.ts
var TEST_MOUNT = "/trunkfarm/test";
var PGDATA_MOUNT = "/trunkfarm/pgdata";
var volumeMount = (name) => `/extensions/${name}`;
function smokeSql(entry) {
  const create = entry.contents.extensions.map((e) => `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(e)} CASCADE;`);
  return `${[...create, entry.test?.sql ?? ""].join("\n")}
`;
}
function quoteIdent(name) {
  return `"${name.replaceAll('"', '""')}"`;
}
function baseInstallTarget(pg, platform, libcVersion, root) {
  const version = /PostgreSQL (\d+(?:\.\d+)?)/.exec(pg.version ?? "")?.[1];
  const dirs = {};
  for (const name of Object.keys(LAYOUT_DIRS)) if (!name.includes("-")) dirs[name] = `${root}${pg[name]}`;
  return {
    description: `the ${platform.name} base image (PostgreSQL ${version ?? "?"}, ${platform.libc}${libcVersion ? ` ${libcVersion}` : ""}, ${platform.arch})`,
    ...version ? { pgVersion: version, pgMajor: Number.parseInt(version, 10) } : {},
    arch: platform.arch,
    libc: platform.libc,
    ...libcVersion ? { libcVersion } : {},
    dirs
  };
}
function copyRootScript(root) {
  return `set -eu
cp -a ${shellQuote(root)}/. /
`;
}
var FIND_BIN = (pg) => `if [ -x /usr/lib/postgresql/${pg}/bin/initdb ]; then BIN=/usr/lib/postgresql/${pg}/bin; else BIN=$(dirname "$(command -v initdb)"); fi`;
var CLUSTER = `${PGDATA_MOUNT}/cluster`;
var DATA = `D=${CLUSTER}`;
function initdbScript(pg, settings = []) {
  return `set -eu
${FIND_BIN(pg)}
${DATA}
rm -rf "$D"
"$BIN/initdb" -D "$D" -U postgres --auth=trust --no-sync >/dev/null
cat >> "$D/postgresql.conf" <<'CONF'
${["listen_addresses = ''", "unix_socket_directories = '/tmp'", "fsync = off", ...settings].join("\n")}
CONF
`;
}
var CLUSTERS_MOUNT = "/trunkfarm/clusters";
function unpackClusterScript(file) {
  return `set -eu
${DATA}
rm -rf "$D"
mkdir -m 700 "$D"
tar -x -f ${CLUSTERS_MOUNT}/${file} -C "$D"
`;
}
function startServerScript(pg) {
  return `set -eu
${FIND_BIN(pg)}
${DATA}
if ! "$BIN/pg_ctl" -D "$D" -l "$D/server.log" -w -t 60 start >/dev/null; then
  echo "PostgreSQL did not start; its log:" >&2; tail -n 40 "$D/server.log" >&2; exit 1
fi
`;
}
function smokeSettings(entry, mode) {
  const extra = { ...entry.test?.settings };
  const preloads = (kind, setting) => {
    const listed = Object.entries(entry.contents.modules ?? {}).filter(([, m]) => m.preload === kind).map(([name]) => name);
    const added = extra[setting];
    delete extra[setting];
    if (added !== void 0) listed.push(...String(added).split(",").map((m) => m.trim()).filter(Boolean));
    return listed.length > 0 ? [`${setting} = ${confValue(listed.join(","))}`] : [];
  };
  const settings = [...preloads("server", "shared_preload_libraries"), ...preloads("session", "session_preload_libraries")];
  for (const [name, value] of Object.entries(extra)) settings.push(`${name} = ${confValue(value)}`);
  if (mode === "volume") {
    const root = volumeMount(entry.name);
    settings.push(`extension_control_path = '$system:${root}/share'`, `dynamic_library_path = '$libdir:${root}/lib'`);
  }
  return settings;
}
function confValue(value) {
  return typeof value === "string" ? `'${value.replaceAll("\\", "\\\\").replaceAll("'", "''")}'` : String(value);
}
function startsEarly(settings) {
  return !settings.some((s) => s.startsWith("shared_preload_libraries"));
}
function serverScript(pg, started = false) {
  return `unset LD_LIBRARY_PATH
${started ? `${FIND_BIN(pg)}
${DATA}` : startServerScript(pg)}
status=0
"$BIN/psql" -h /tmp -U postgres -d postgres -X -v ON_ERROR_STOP=1 -f ${TEST_MOUNT}/smoke.sql || status=$?
if [ "$status" -ne 0 ]; then echo "--- server log:" >&2; tail -n 40 "$D/server.log" >&2; fi
exit "$status"
`;
}

// src/builder/steps/dependencies.ts
function dependenciesStep(ctx, image) {
  return ctx.steps.run("dependencies", async (logFile) => {
    const { paths } = ctx;
    const container = ctx.containers.start({
      image: image.ref,
      network: "host",
      platform: `linux/${ctx.platform.arch}`,
      mounts: [
        { source: paths.src, target: CONTAINER.src },
        { source: paths.destdir, target: CONTAINER.stage },
        { source: paths.bundle, target: CONTAINER.bundle },
        { source: paths.scripts, target: CONTAINER.scripts, readonly: true },
        ...ctx.installchecking ? [{ source: paths.clusters, target: CLUSTERS_MOUNT, readonly: true }] : []
      ],
      ...ctx.installchecking ? { tmpfs: [PGDATA_MOUNT] } : {}
    });
    const c = await container;
    const script = dependencyScript(ctx.entry, ctx.platform);
    const known = path7.join(cacheRoot(), "dependencies", createHash2("sha256").update(`${image.info.id}
${script}`).digest("hex"));
    if (await stat4(known).catch(() => void 0)) {
      await writeFile2(logFile, `build dependencies present in image ${image.info.id} (found by an earlier build)
`);
    } else {
      const r = await ctx.steps.script(c, "dependencies", script);
      if (NOTHING_TO_INSTALL.test(r.tail)) {
        await mkdir4(path7.dirname(known), { recursive: true });
        await writeFile2(known, `${image.info.id}
`);
      }
    }
    return { container, image };
  });
}
var NOTHING_TO_INSTALL = /^(build dependencies present|no build dependencies to install)\b/m;
function dependencyScript(entry, platform) {
  if (platform.distro === "debian") {
    const pkgs2 = ["build-essential", `postgresql-server-dev-${platform.pg}`, ...entry.dependencies.packages?.build?.debian ?? []];
    return `set -eu
if dpkg -s ${pkgs2.join(" ")} >/dev/null 2>&1; then echo "build dependencies present: ${pkgs2.join(" ")}"; exit 0; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq -o Acquire::Check-Valid-Until=false
apt-get install -y -qq --no-install-recommends ${pkgs2.join(" ")}
`;
  }
  const pkgs = entry.dependencies.packages?.build?.alpine ?? [];
  return `set -eu
if command -v apk >/dev/null 2>&1; then apk add --no-cache build-base clang llvm ${pkgs.join(" ")}; exit 0; fi
${pkgs.length === 0 ? 'echo "no build dependencies to install"; exit 0' : `echo "this builder image has no apk to install ${pkgs.join(" ")}: musl packages come from Alpine-based builders" >&2; exit 1`}
`;
}

// src/builder/steps/compile.ts
import { writeFile as writeFile3 } from "node:fs/promises";
import path8 from "node:path";
function compileStep(ctx, builder, epoch) {
  return ctx.steps.run("compile", async (logFile) => {
    const configuring = exec(builder, ["sh", "-c", pgConfigScript(ctx.platform.pg)], { log: path8.join(path8.dirname(logFile), "pg_config.log"), live: null, tailLines: 100 }).then((r) => {
      if (r.code !== 0) throw new StepError("compile", `pg_config: ${r.tail}`);
      return parsePgConfig(r.tail);
    });
    await writeFile3(path8.join(ctx.paths.scripts, "build.sh"), buildScript(ctx.entry, ctx.platform.pg, ctx.platform.libc));
    const building = ctx.steps.script(builder, "compile", `sh ${CONTAINER.scripts}/build.sh`, { env: { SOURCE_DATE_EPOCH: String(epoch) } }).catch((err) => {
      throw err instanceof StepError ? withMajorHint(err, ctx.entry, ctx.platform.pg) : err;
    });
    await ctx.steps.settle([configuring, building]);
    const pg = await configuring;
    ctx.result.postgres = { version: pg.version ?? "" };
    return pg;
  });
}
var API_MISMATCH = [
  /PG_VERSION_NUM/,
  /\b(unsupported|not supported|requires) (PostgreSQL|Postgres|server|version)/i,
  /implicit declaration of function/,
  /too (few|many) arguments to function/,
  /has no member named/,
  /incompatible (pointer )?type/,
  /unknown type name/,
  /undeclared \(first use in this function\)/,
  /conflicting types for/
];
function withMajorHint(err, entry, pg) {
  if (!err.tail || !API_MISMATCH.some((re) => re.test(err.tail))) return err;
  const range = entry.dependencies.postgres?.version;
  const hint = `${entry.name} ${entry.version} may not support PostgreSQL ${pg}: if its upstream does not, limit the majors it is built for with dependencies.postgres.version in its matrix entry (${range ? `now "${range}"` : "unset now, so every major"}): "< ${pg}" if ${pg} is too new for it, ">= ${pg + 1}" if too old`;
  return new StepError(err.step, err.detail, err.tail, hint);
}

// src/builder/clusters.ts
import { createHash as createHash3, randomBytes as randomBytes3 } from "node:crypto";
import { createWriteStream as createWriteStream3 } from "node:fs";
import { mkdir as mkdir5, rename as rename4, rm as rm4, stat as stat5 } from "node:fs/promises";
import path9 from "node:path";
import { pipeline as pipeline2 } from "node:stream/promises";
async function freshCluster(ctx, c, imageId, settings, step, start) {
  const script = initdbScript(ctx.platform.pg, settings);
  const template = path9.join(ctx.paths.clusters, `${createHash3("sha256").update(`${imageId}
${script}`).digest("hex")}.tar`);
  const server = start ? startServerScript(ctx.platform.pg) : "";
  const quietly = { user: "postgres", quiet: true };
  if (await stat5(template).catch(() => void 0)) {
    await ctx.steps.script(c, step, `${unpackClusterScript(path9.basename(template))}${server}`, quietly);
    return;
  }
  await ctx.steps.script(c, step, script, quietly);
  await saveTemplate(c, template);
  if (start) await ctx.steps.script(c, step, server, quietly);
}
async function saveTemplate(c, template) {
  await mkdir5(path9.dirname(template), { recursive: true });
  const tmp = `${template}.${process.pid}.${randomBytes3(4).toString("hex")}`;
  try {
    await pipeline2(execStream(c, ["tar", "-c", "-f", "-", "-C", CLUSTER, "."], { user: "postgres" }), createWriteStream3(tmp));
    await rename4(tmp, template);
  } catch {
    await rm4(tmp, { force: true });
  }
}

// src/builder/steps/installcheck.ts
function startInstallcheckServer(ctx, builder, image) {
  return ctx.containers.runAhead(freshCluster(ctx, builder, image.info.id, [], "installcheck", true));
}
function installcheckStep(ctx, builder, server) {
  return ctx.steps.run("installcheck", async () => {
    await server;
    await ctx.steps.script(builder, "installcheck", installcheckScript(ctx.platform.pg), { quiet: true });
  });
}

// src/builder/steps/stage.ts
import { cp as cp2, mkdir as mkdir6, readdir as readdir5 } from "node:fs/promises";
import path10 from "node:path";
function stageStep(ctx, pg) {
  return ctx.steps.run("stage", async () => {
    await layoutStage(ctx.paths.destdir, ctx.paths.stage, pg);
    await copyLicenses(ctx.paths.src, ctx.paths.stage, ctx.entry.contents.license_files ?? []);
  });
}
async function copyLicenses(src, stage, named) {
  for (const entry of await readdir5(src, { withFileTypes: true })) {
    const name = entry.name;
    if (!entry.isFile() || !/^(LICEN[CS]E|COPYING|NOTICE|COPYRIGHT)([._-].*)?$/i.test(name)) continue;
    const to = TOP_TEXT.test(name) ? path10.join(stage, name) : path10.join(stage, "licenses", name);
    await mkdir6(path10.dirname(to), { recursive: true });
    await cp2(path10.join(src, name), to);
  }
  for (const file of named) {
    const from = pathWithin(src, file);
    await cp2(from, path10.join(stage, "licenses", path10.basename(file))).catch(() => {
      throw new UserError(`contents.license_files: ${file} is not in the source`);
    });
  }
}

// src/builder/steps/isa.ts
import { readFile as readFile4, writeFile as writeFile4 } from "node:fs/promises";
import path11 from "node:path";
function isaStep(ctx) {
  return ctx.steps.run("isa", async (logFile) => {
    const { platform, entry, paths } = ctx;
    const target = { arch: platform.arch, baseline: platform.isa, ...entry.build?.dispatch_files ? { dispatchFiles: entry.build.dispatch_files } : {} };
    const compileLog = ctx.steps.logOf("compile");
    const fromLog = checkBuildLog(await readFile4(compileLog, "utf8"), target, CONTAINER.src);
    const fromObjects = mergeFindings([...await checkObjects(paths.src, target), ...target.dispatchFiles ? [] : await checkObjects(paths.stage, target, { all: true })]);
    const findings = [...fromLog, ...fromObjects];
    ctx.result.isa = { baseline: platform.isa, findings: findings.map(({ flag, kind, beyond, evidence, files }) => ({ flag, kind, beyond, evidence, files })) };
    if (findings.length === 0) {
      await writeFile4(logFile, `compiler invocations and objects keep to ${platform.isa}
`);
      return;
    }
    const shown = fromLog.length > 0 ? fromLog : fromObjects;
    const message = describeFindings(shown, { target, pipeline: entry.dependencies.pipeline, logName: path11.relative(paths.dir, compileLog), makefiles: await readMakefiles(paths.src) });
    await writeFile4(logFile, `${message}
`);
    throw new StepError("isa", message);
  });
}

// src/builder/steps/closure.ts
import { writeFile as writeFile5 } from "node:fs/promises";
import path14 from "node:path";

// src/builder/inventory.ts
import { mkdir as mkdir7 } from "node:fs/promises";
import path12 from "node:path";
async function imageInventory(engine, image, libc, id) {
  const imageId = id ?? (await inspectImage(engine, image)).id;
  const file = path12.join(cacheRoot(), "inventory", `${imageId.replace(/^sha256:/, "")}-${libc}.json`);
  try {
    return loadInventory(file);
  } catch {
    const inventory = await captureImageInventory(engine.name, image, { libc });
    await mkdir7(path12.dirname(file), { recursive: true });
    saveInventory(inventory, file);
    return inventory;
  }
}

// src/builder/libraries.ts
import { existsSync } from "node:fs";
import { mkdir as mkdir8 } from "node:fs/promises";
import path13 from "node:path";
var FIND_SCRIPT = String.raw`
set -eu
out="$1"; shift
dirs="$1"; shift
for so in "$@"; do
  p=""
  for d in $dirs; do
    if [ -e "$d/$so" ]; then p="$d/$so"; break; fi
  done
  if [ -z "$p" ] && command -v ldconfig >/dev/null 2>&1; then
    p=$(ldconfig -p 2>/dev/null | awk -v s="$so" '$1 == s { print $NF; exit }')
  fi
  if [ -z "$p" ]; then echo "missing	$so"; continue; fi
  real=$(readlink -f "$p")
  mkdir -p "$out/$so"
  cp "$real" "$out/$so/"
  pkg=""; ver=""; lic=""
  if command -v dpkg >/dev/null 2>&1; then
    pkg=$(dpkg -S "$real" 2>/dev/null | head -n1 | cut -d: -f1 || true)
    if [ -z "$pkg" ]; then pkg=$(dpkg -S "$p" 2>/dev/null | head -n1 | cut -d: -f1 || true); fi
    if [ -n "$pkg" ]; then
      ver=$(dpkg-query -W -f '${"${Version}"}' "$pkg" 2>/dev/null || true)
      doc="/usr/share/doc/$pkg/copyright"
      if [ -f "$doc" ]; then
        lic=$(awk '/^License:/ { sub(/^License: */, ""); print; exit }' "$doc")
        cp -L "$doc" "$out/$so/copyright"
      fi
    fi
  elif command -v apk >/dev/null 2>&1; then
    owner=$(apk info --who-owns "$real" 2>/dev/null | awk '{ print $NF }' || true)
    if [ -n "$owner" ]; then
      pkg=$(apk info -e "$owner" 2>/dev/null || echo "$owner")
      lic=$(apk info --license "$owner" 2>/dev/null | awk 'NR == 2 { print; exit }')
      ver="$owner"
    fi
  fi
  printf 'found\t%s\t%s\t%s\t%s\t%s\t%s\n' "$so" "$p" "$real" "$pkg" "$ver" "$lic"
done
`;
function defaultDirs(libc, machine) {
  const triplet = machine === "aarch64" ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
  return libc === "musl" ? ["/lib", "/usr/local/lib", "/usr/lib"] : [`/lib/${triplet}`, `/usr/lib/${triplet}`, "/lib64", "/usr/lib64", "/lib", "/usr/lib"];
}
function containerLibraries(c, hostBundle, log) {
  const found = /* @__PURE__ */ new Map();
  return {
    async fetch(sonames, context) {
      await mkdir8(hostBundle, { recursive: true });
      const hinted = [...new Set(Object.values(context.hints).flat())];
      const dirs = [...hinted, ...defaultDirs(context.libc, context.machine)].join(" ");
      const r = await exec(c, ["sh", "-c", FIND_SCRIPT, "find-libraries", CONTAINER.bundle, dirs, ...sonames], { log, live: null, tailLines: 400 });
      if (r.code !== 0) throw new UserError(`looking up ${sonames.join(", ")} in the builder failed:
${r.tail}`);
      const out = /* @__PURE__ */ new Map();
      for (const line of r.tail.split("\n")) {
        const [kind, soname, foundAt, real, pkg, version, license] = line.split("	");
        if (kind !== "found" || !soname || !real) continue;
        const file = path13.posix.basename(real);
        found.set(soname, real);
        out.set(soname, {
          soname,
          realPath: path13.join(hostBundle, soname, file),
          linkChain: file === soname ? [soname] : [soname, file],
          source: foundAt,
          ...pkg ? { package: pkg } : {},
          ...version ? { version } : {},
          ...license ? { license } : {},
          ...existsSync(path13.join(hostBundle, soname, "copyright")) ? { licenseText: path13.join(hostBundle, soname, "copyright") } : {}
        });
      }
      return out;
    },
    async dataDir(name, lib) {
      const real = found.get(lib.soname) ?? lib.source ?? "";
      const candidates = [path13.posix.join(path13.posix.dirname(real), "..", "share", name), `/usr/share/${name}`, `/usr/local/share/${name}`];
      const target = path13.posix.join(CONTAINER.bundle, "data", name);
      const script = `for d in ${candidates.map(shellQuote).join(" ")}; do if [ -d "$d" ]; then mkdir -p ${shellQuote(target)} && cp -R "$d/." ${shellQuote(target)}/ && echo "$d" && exit 0; fi; done; exit 3`;
      const r = await exec(c, ["sh", "-c", script], { log, live: null });
      if (r.code !== 0) return void 0;
      return path13.join(hostBundle, "data", name);
    }
  };
}

// src/builder/steps/closure.ts
function closureStep(ctx, builder, base) {
  return ctx.steps.run("closure", async (logFile) => {
    const inventory = await imageInventory(ctx.engine, base.ref, ctx.platform.libc, base.info.id);
    const checked = await bundleTree(ctx.paths.stage, {
      inventory,
      platform: { libc: ctx.platform.libc, arch: ctx.platform.arch },
      source: containerLibraries(builder, ctx.paths.bundle, logFile)
    });
    await writeFile5(path14.join(ctx.paths.dir, "closure.json"), `${JSON.stringify(checked, null, 2)}
`);
    ctx.result.closure = {
      ok: checked.ok,
      bundled: checked.bundled,
      data: checked.data,
      problems: checked.files.flatMap((f) => f.problems.map((p) => ({ file: f.path, message: p.message })))
    };
    if (!checked.ok) {
      const problems = checked.files.flatMap((f) => f.problems.filter((p) => p.severity === "error").map((p) => `${f.path}: ${p.message}`));
      throw new StepError("closure", `the closure check found problems:
  ${problems.join("\n  ")}`);
    }
    return { checked, inventory };
  });
}

// src/builder/steps/package.ts
import path15 from "node:path";
function packageStep(ctx, made) {
  return ctx.steps.run("package", async () => {
    const { entry, job, platform } = ctx;
    const { source, images, pg, closure } = made;
    const libcVersion = platform.libc === "glibc" ? closure.checked.glibcRequired : closure.inventory.libcVersion;
    const written = await pack(ctx.paths.stage, packageMeta(entry, job, platform, pg, closure.checked, source.sha256, source.epoch, libcVersion), ctx.paths.dir);
    await writeSidecar(written.trunk.path, written.trunk.sha256, {
      entry,
      platform: { name: platform.name, builder: images.builder.ref, base: images.base.ref },
      ...source.sha256 ? { source: { uri: source.uri, sha256: source.sha256 } } : {},
      // The manifest digest the image is pulled by when the engine knows one, else its id.
      builderImage: builderImageInput(images.builder.ref, images.builder.info),
      buildKey: job.key,
      startedOn: ctx.startedAt,
      finishedOn: (/* @__PURE__ */ new Date()).toISOString()
    });
    const dir = ctx.paths.dir;
    ctx.result.artifacts = {
      trunk: { file: path15.relative(dir, written.trunk.path), sha256: written.trunk.sha256, size: written.trunk.size, files: written.trunk.digests.size },
      oci: { layout: path15.relative(dir, written.layout), tag: written.image.tag, digest: written.image.index.digest, size: written.image.layer.size }
    };
    return written;
  });
}
function packageMeta(entry, job, platform, pg, closure, sourceSha, epoch, libcVersion) {
  const version = (pg.version ?? "").replace(/^PostgreSQL\s+/, "").split(/\s/)[0] ?? "";
  const [maj, min] = version.split(".").map((n) => Number.parseInt(n, 10));
  const sqlOnly = entry.language === "sql";
  const shipped = /* @__PURE__ */ new Set([...(closure?.bundled ?? []).map((b) => b.soname), ...(closure?.files ?? []).flatMap((f) => f.soname ? [f.soname] : [])]);
  return {
    name: entry.name,
    version: entry.version,
    license: entry.license,
    abstract: entry.abstract,
    homepage: entry.homepage,
    ..."url" in entry.source && entry.source.url ? { sourceUrl: entry.source.url } : "git" in entry.source ? { sourceUrl: entry.source.git } : {},
    language: entry.language,
    extensions: entry.contents.extensions,
    postgres: { version, major: platform.pg, versionNum: (maj ?? platform.pg) * 1e4 + (min ?? 0), cflags: pg.cflags ?? "", cppflags: pg.cppflags ?? "", ldflags: pg.ldflags ?? "", libs: pg.libs ?? "" },
    platform: sqlOnly ? { os: "any", arch: "any", libc: "any" } : { os: platform.os, arch: platform.arch, libc: platform.libc, ...libcVersion ? { libcVersion } : {}, isa: platform.isa },
    dependencies: {
      extensions: entry.dependencies.extensions ?? [],
      system: [...new Set((closure?.files ?? []).flatMap((f) => f.needed).filter((n) => !shipped.has(n)))].sort(),
      bundled: (closure?.bundled ?? []).map((b) => ({ soname: b.soname, file: b.file, ...b.package ? { package: b.package } : {}, ...b.version ? { version: b.version } : {}, ...b.license ? { license: b.license } : {} }))
    },
    buildKey: job.key,
    sourceDigest: `sha256:${sourceSha || "0".repeat(64)}`,
    sourceDateEpoch: epoch
  };
}

// src/builder/steps/smoke.ts
import { writeFile as writeFile6 } from "node:fs/promises";
import path16 from "node:path";
var JOB_MOUNT = "/trunkfarm/job";
function startTester(ctx, base) {
  const { paths } = ctx;
  const settings = smokeSettings(ctx.entry, ctx.mode);
  const serverStarted = startsEarly(settings);
  const mounts = [
    { source: paths.test, target: TEST_MOUNT, readonly: true },
    { source: paths.clusters, target: CLUSTERS_MOUNT, readonly: true }
  ];
  if (ctx.mode === "volume") mounts.push({ source: paths.extensions, target: path16.posix.dirname(volumeMount(ctx.entry.name)), readonly: true });
  else mounts.push({ source: paths.dir, target: JOB_MOUNT, readonly: true });
  const started = ctx.containers.start({ image: base.ref, platform: `linux/${ctx.platform.arch}`, network: "none", mounts, tmpfs: [PGDATA_MOUNT], user: "root" });
  const ready = ctx.containers.runAhead(
    started.then(async (c) => {
      await freshCluster(ctx, c, base.info.id, settings, "smoke", serverStarted);
      return c;
    })
  );
  return { started, ready, serverStarted };
}
function smokeStep(ctx, tester, made) {
  return ctx.steps.run("smoke", async () => {
    const { paths, entry, platform } = ctx;
    await writeFile6(path16.join(paths.test, "smoke.sql"), smokeSql(entry));
    const { trunk, layout, image } = await made.packing;
    if (ctx.mode === "volume") await unpackSource(path16.join(layout, "blobs", ...image.layer.digest.split(":")), path16.join(paths.extensions, entry.name), { strip: false });
    else await installTrunk(trunk.path, { pgConfig: baseInstallTarget(made.pg, platform, made.closure.inventory.libcVersion, paths.sysroot) });
    const c = await tester.ready;
    if (ctx.mode === "system") await ctx.steps.script(c, "smoke", copyRootScript(`${JOB_MOUNT}/${path16.relative(paths.dir, paths.sysroot)}`));
    await ctx.steps.script(c, "smoke", serverScript(platform.pg, tester.serverStarted), { user: "postgres" });
  });
}

// src/builder/build-job.ts
async function buildJob(target, opts) {
  const { job } = target;
  const { final } = jobPaths(opts.out, job);
  const reporter = (opts.reporter ?? ((name) => streamReporter(name)))(jobDirName(job), final);
  if (!opts.force) {
    const prev = await upToDate(final, job.key);
    if (prev) {
      reporter.line(`up to date (build key ${job.key.slice(0, 12)})`);
      return prev;
    }
  }
  const ctx = await createJobContext(target, opts, reporter);
  try {
    await runSteps(ctx);
    return await finish(ctx, "built");
  } catch (err) {
    await ctx.containers.removeAll().catch((e) => reporter.line(e.message));
    await Promise.all(ctx.containers.ahead);
    if (!(err instanceof UserError)) throw err;
    ctx.result.failure = { step: ctx.steps.failures[0]?.step ?? ctx.steps.current, message: err.message };
    reporter.failed(err.message, err instanceof StepError ? err.summary : void 0);
    return await finish(ctx, "failed");
  }
}
async function runSteps(ctx) {
  const { steps, containers } = ctx;
  const sourcing = sourceStep(ctx);
  const imaging = imagesStep(ctx);
  await steps.settle([sourcing, imaging]);
  const [source, images] = [await sourcing, await imaging];
  if (ctx.testing) await mkdir9(ctx.paths.clusters, { recursive: true });
  const builder = await dependenciesStep(ctx, images.builder);
  const builderContainer = await builder.container;
  const tester = ctx.testing ? startTester(ctx, images.base) : void 0;
  const icServer = ctx.installchecking ? startInstallcheckServer(ctx, builderContainer, images.builder) : void 0;
  const pg = await compileStep(ctx, builderContainer, source.epoch);
  const installcheck = icServer ? installcheckStep(ctx, builderContainer, icServer) : void 0;
  let builderGone;
  const rest = (async () => {
    await stageStep(ctx, pg);
    await isaStep(ctx);
    const closure = await closureStep(ctx, builderContainer, images.base);
    builderGone = containers.runAhead(Promise.allSettled([installcheck]).then(() => containers.release(builder.container)));
    const packing = packageStep(ctx, { source, images, pg, closure });
    if (!tester) {
      await packing;
      return;
    }
    await steps.settle([packing, smokeStep(ctx, tester, { packing, pg, closure })]);
    await containers.release(tester.started);
  })();
  try {
    await steps.settle([installcheck, rest]);
  } finally {
    if (installcheck) steps.reporter.replay("installcheck", steps.logOf("installcheck"));
  }
  await containers.removeAll();
  await builderGone;
  await rm5(ctx.paths.work, { recursive: true, force: true });
}
async function finish(ctx, status) {
  const record = { version: 1, job: ctx.job, status, steps: ctx.steps.records, ...ctx.result, startedAt: ctx.startedAt, finishedAt: (/* @__PURE__ */ new Date()).toISOString() };
  await writeResult(ctx.paths.dir, record);
  await rm5(ctx.paths.final, { recursive: true, force: true });
  await rename5(ctx.paths.dir, ctx.paths.final);
  return record;
}

export {
  detectEngine,
  pull,
  startContainer,
  removeContainer,
  exec,
  jobDirName,
  readResult,
  StepError,
  createJobContext,
  streamReporter,
  terminalReporter,
  lineReporter,
  sourceStep,
  imagesStep,
  chooseImage,
  dependenciesStep,
  compileStep,
  withMajorHint,
  startInstallcheckServer,
  installcheckStep,
  stageStep,
  isaStep,
  imageInventory,
  closureStep,
  packageStep,
  startTester,
  smokeStep,
  buildJob
};
