import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  cacheRoot
} from "./chunk-PSXBTL7U.js";
import {
  captureImageInventory,
  loadInventory,
  saveInventory
} from "./chunk-AJ56BMCY.js";
import {
  UserError
} from "./chunk-YUDCMAJG.js";

// src/build/engine.ts
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync } from "node:fs";
import { constants } from "node:os";
import { dirname, posix } from "node:path";
import { PassThrough, Readable } from "node:stream";
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
  const r = await capture({ name, bin: name }, ["version", "--format", format], void 0, env).catch(
    (err) => ({ code: -1, stdout: "", stderr: err.message })
  );
  if (r.code === 0 && r.stdout.trim()) return "";
  return lastLine(r.stderr) || `exit status ${r.code}`;
}
async function imageExists(engine, ref) {
  const r = await capture(engine, ["image", "inspect", "--format", "{{.Id}}", ref]);
  return r.code === 0;
}
async function pull(engine, ref, opts = {}) {
  if (await imageExists(engine, ref)) return "local";
  if (ref.startsWith("localhost/")) {
    throw new UserError(`image ${ref} is not in ${engine.name}'s store; build it with scripts/local-images.sh`);
  }
  const args = ["pull", ...opts.platform ? ["--platform", opts.platform] : [], ref];
  const r = await capture(engine, args);
  if (r.code !== 0) throw new UserError(`${engine.name} pull ${ref} failed: ${lastLine(r.stderr) || `exit ${r.code}`}`);
  return "pulled";
}
async function inspectImage(engine, ref) {
  const r = await capture(engine, ["image", "inspect", ref]);
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
  const r = await capture(engine, args);
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
  const r = await capture(c.engine, rmArgs(c));
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
  let logFile;
  if (opts.log) {
    mkdirSync(dirname(opts.log), { recursive: true });
    logFile = createWriteStream(opts.log, { flags: "a" });
    logFile.write(`$ ${cmd.join(" ")}
`);
  }
  const tail = tailBuffer(opts.tailLines ?? 30);
  try {
    const code = await new Promise((resolve, reject) => {
      const child = spawn(c.engine.bin, args, { stdio: [opts.stdin === void 0 ? "ignore" : "pipe", "pipe", "pipe"] });
      let timedOut = false;
      const timer = opts.timeoutMs === void 0 ? void 0 : setTimeout(() => {
        timedOut = true;
        child.kill("SIGKILL");
      }, opts.timeoutMs);
      const onData = (chunk) => {
        tail.push(chunk);
        logFile?.write(chunk);
        liveOut?.write(chunk);
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
          resolve(124);
        } else {
          resolve(status ?? 128 + signalNumber(signal));
        }
      });
      if (opts.stdin !== void 0) feed(child.stdin, opts.stdin);
    });
    if (logFile) logFile.write(`[exit ${code}]
`);
    return { code, tail: tail.text() };
  } finally {
    if (liveOut && grouped) liveOut.write("::endgroup::\n");
    if (logFile) await new Promise((resolve) => logFile.end(resolve));
  }
}
function execStream(c, cmd, opts = {}) {
  return streamOut(c.engine, ["exec", ...opts.user ? ["--user", opts.user] : [], c.id, ...cmd], `run ${cmd[0]} in ${c.name}`);
}
function streamOut(engine, args, what) {
  const out = new PassThrough();
  const child = spawn(engine.bin, args, { stdio: ["ignore", "pipe", "pipe"] });
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
function capture(engine, args, stdin, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(engine.bin, args, { stdio: [stdin ? "pipe" : "ignore", "pipe", "pipe"], ...env ? { env } : {} });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => stdout += d.toString());
    child.stderr.on("data", (d) => stderr += d.toString());
    child.on("error", (err) => reject(notFound(engine, err)));
    child.on("close", (code, signal) => resolve({ code: code ?? 128 + signalNumber(signal), stdout, stderr }));
    if (stdin) feed(child.stdin, stdin);
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
function signalNumber(signal) {
  return signal ? constants.signals[signal] ?? 0 : 0;
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

// src/build/inventory.ts
import { mkdir } from "node:fs/promises";
import path from "node:path";
async function imageInventory(engine, image, libc, id) {
  const imageId = id ?? (await inspectImage(engine, image)).id;
  const file = path.join(cacheRoot(), "inventory", `${imageId.replace(/^sha256:/, "")}-${libc}.json`);
  try {
    return loadInventory(file);
  } catch {
    const inventory = await captureImageInventory(engine.name, image, { libc });
    await mkdir(path.dirname(file), { recursive: true });
    saveInventory(inventory, file);
    return inventory;
  }
}

export {
  detectEngine,
  imageExists,
  pull,
  inspectImage,
  startContainer,
  removeContainer,
  exec,
  execStream,
  imageInventory
};
