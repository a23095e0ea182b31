import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  UserError
} from "./chunk-YUDCMAJG.js";

// src/build/source.ts
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir as readdir2, rename, rm, stat } from "node:fs/promises";
import { join as join2, resolve } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

// src/build/debian-mirror.ts
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
async function debianMirror(config = {}) {
  const env = config.env ?? process.env;
  const override = env.TRUNKFARM_DEBIAN_MIRROR;
  if (override) return override.replace(/\/+$/, "");
  const dir = config.sourcesDir ?? "/etc/apt/sources.list.d";
  const list = config.sourcesList ?? "/etc/apt/sources.list";
  const names = (await readdir(dir).catch(() => [])).filter((n) => n.endsWith(".sources")).sort();
  for (const name of names) {
    const uri2 = fromDeb822(await readFile(join(dir, name), "utf8"));
    if (uri2) return uri2.replace(/\/+$/, "");
  }
  const text = await readFile(list, "utf8").catch(() => "");
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

// src/build/source.ts
var SHA256 = /^[0-9a-f]{64}$/;
var COMMIT = /^[0-9a-f]{40}$/;
function cacheRoot(env = process.env, cwd = process.cwd()) {
  return env.TRUNKFARM_CACHE ? resolve(cwd, env.TRUNKFARM_CACHE) : join2(cwd, ".cache");
}
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
  const path = join2(dir, "sha256", want);
  if (await isFile(path)) {
    if (await hashFile(path) === want) return { path, sha256: want, from: "cache", url: name };
    opts.log?.(`cached ${path} is damaged; fetching it again`);
    await rm(path, { force: true });
  }
  await mkdir(join2(dir, "sha256"), { recursive: true });
  let upstreamError;
  if (src.url !== void 0) {
    try {
      opts.log?.(`fetching ${src.url}`);
      await download(src.url, want, path, dir, opts);
      return { path, sha256: want, from: "upstream", url: src.url };
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
    await download(url, want, path, dir, opts);
  } catch (err) {
    if (err instanceof Unreachable) {
      throw new UserError(upstreamError ? `cannot fetch ${src.url} (${upstreamError.message}) nor its Debian copy ${url} (${err.message})` : `cannot fetch Debian's ${debian.orig} from ${url} (${err.message})`);
    }
    throw err;
  }
  return { path, sha256: want, from: "debian", url };
}
var Unreachable = class extends Error {
};
async function download(url, want, dest, dir, opts) {
  const tmp = await tempPath(dir);
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 6e5);
  let res;
  try {
    res = await fetch(url, { signal: timeout, redirect: "follow" });
  } catch (err) {
    throw new Unreachable(describeFetchError(err));
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new Unreachable(`HTTP ${res.status}`);
  }
  const hash = createHash("sha256");
  try {
    await pipeline(
      Readable.fromWeb(res.body),
      new Transform({
        transform(chunk, _enc, done) {
          hash.update(chunk);
          done(null, chunk);
        }
      }),
      createWriteStream(tmp, { flags: "wx" })
    );
  } catch (err) {
    await rm(tmp, { force: true });
    throw new Unreachable(`download interrupted: ${describeFetchError(err)}`);
  }
  const got = hash.digest("hex");
  if (got !== want) {
    await rm(tmp, { force: true });
    throw new UserError(`sha256 mismatch for ${url}: expected ${want}, got ${got}`);
  }
  await rename(tmp, dest);
}
function describeFetchError(err) {
  const e = err;
  if (e?.name === "TimeoutError") return "timed out";
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause ? `${e.message}: ${cause}` : String(e?.message ?? err);
}
async function fetchGit(src, opts = {}) {
  const commit = src.commit.toLowerCase();
  if (!COMMIT.test(commit)) throw new UserError(`invalid git commit "${src.commit}" for ${src.git}: expected 40 hex digits`);
  const dir = sourcesDir(opts);
  const path = join2(dir, "git", `${commit}.tar`);
  if (await isFile(path)) return { path, sha256: await hashFile(path), from: "cache", url: src.git };
  await mkdir(join2(dir, "git"), { recursive: true });
  await mkdir(join2(dir, "tmp"), { recursive: true });
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
    await rename(tmp, path);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return { path, sha256: await hashFile(path), from: "upstream", url: src.git };
}
async function git(args, opts = {}) {
  const env = { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1" };
  const r = await run("git", args, env).catch((err) => {
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
  await mkdir(parent, { recursive: true });
  const tmp = await mkdtemp(join2(parent, ".unpack-"));
  try {
    const list = await run("tar", ["-tf", tarball]);
    if (list.code !== 0) throw new UserError(`${tarball} is not a readable tarball: ${list.stderr.trim()}`);
    const tops = new Set(
      list.stdout.split("\n").filter(Boolean).map((n) => n.replace(/^\.\//, "").split("/")[0]).filter((n) => n && n !== ".")
    );
    const entries = list.stdout.split("\n").filter(Boolean);
    const oneTop = options.strip !== false && tops.size === 1 && entries.some((n) => n.replace(/^\.\//, "").includes("/"));
    const args = ["-xf", tarball, "-C", tmp, "--no-same-owner", "--delay-directory-restore"];
    if (oneTop) args.push(`--strip-components=${entries[0].startsWith("./") ? 2 : 1}`);
    const r = await run("tar", args);
    if (r.code !== 0) throw new UserError(`cannot unpack ${tarball}: ${r.stderr.trim()}`);
    await chmod(tmp, 493);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
async function tempPath(dir) {
  await mkdir(join2(dir, "tmp"), { recursive: true });
  return join2(dir, "tmp", `${process.pid}-${randomBytes(6).toString("hex")}`);
}
async function hashFile(path) {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}
async function isFile(path) {
  return (await stat(path).catch(() => void 0))?.isFile() ?? false;
}
async function exists(path) {
  return await stat(path).catch(() => void 0) !== void 0;
}
function run(cmd, args, env) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...env ? { env } : {} });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => stdout += d.toString());
    child.stderr.on("data", (d) => stderr += d.toString());
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code: code ?? 1, stdout, stderr }));
  });
}

export {
  cacheRoot,
  fetchSource,
  unpackSource
};
