import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  DF_1_NODEFLIB,
  DF_1_PIE,
  ElfError,
  fileSource,
  gnuProperties,
  isElf,
  isElfError,
  parseElfBuffer,
  readElf,
  readElfIfElf,
  readSections,
  require_tar_stream,
  sectionBytes,
  sectionStrings
} from "./chunk-UNCOO3MO.js";
import {
  limit
} from "./chunk-UIOSOCKZ.js";
import {
  external_exports
} from "./chunk-BS25TXF5.js";
import {
  pathWithin
} from "./chunk-MNVUPTDJ.js";
import {
  compareVersions
} from "./chunk-APBUJ7GA.js";
import {
  UserError
} from "./chunk-YUDCMAJG.js";
import {
  __toESM
} from "./chunk-WQPCGQ3Y.js";

// src/closure/inventory.ts
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync as readFileSync2, renameSync, writeFileSync } from "node:fs";
import { dirname as hostDirname } from "node:path";

// src/closure/rootfs.ts
var import_tar_stream = __toESM(require_tar_stream(), 1);
import { lstatSync, readFileSync, readdirSync, readlinkSync } from "node:fs";
var MAX_LINKS = 40;
function splitPath(path2) {
  return path2.split("/").filter((c) => c !== "" && c !== ".");
}
function joinPath(dir, name) {
  return dir === "/" ? `/${name}` : `${dir}/${name}`;
}
function dirname(path2) {
  const i = path2.lastIndexOf("/");
  return i <= 0 ? "/" : path2.slice(0, i);
}
function basename(path2) {
  return path2.slice(path2.lastIndexOf("/") + 1);
}
function normalizePath(path2) {
  const out = [];
  for (const c of splitPath(path2)) {
    if (c === "..") out.pop();
    else out.push(c);
  }
  return `/${out.join("/")}`;
}
function resolvePath(view, path2) {
  const resolved = [];
  const queue = splitPath(path2);
  const links = [];
  let hops = 0;
  let entry = { kind: "dir" };
  while (queue.length > 0) {
    const c = queue.shift();
    if (c === "..") {
      resolved.pop();
      entry = { kind: "dir" };
      continue;
    }
    const p = `/${[...resolved, c].join("/")}`;
    const e = view.lstat(p);
    if (e === void 0) return void 0;
    if (e.kind === "symlink") {
      if (++hops > MAX_LINKS || e.target === void 0) return void 0;
      links.push(p);
      if (e.target.startsWith("/")) resolved.length = 0;
      queue.unshift(...splitPath(e.target));
      entry = { kind: "dir" };
      continue;
    }
    if (queue.length > 0 && e.kind !== "dir") return void 0;
    resolved.push(c);
    entry = e;
  }
  return { path: `/${resolved.join("/")}`, entry, links };
}
function memoResolver(view) {
  const dirs = /* @__PURE__ */ new Map();
  const resolveDir = (dir) => {
    if (dirs.has(dir)) return dirs.get(dir);
    const r = resolvePath(view, dir);
    dirs.set(dir, r);
    return r;
  };
  const resolve2 = (path2, hops, links) => {
    const i = path2.lastIndexOf("/");
    const name = path2.slice(i + 1);
    if (i < 0 || name === "" || name === "." || name === "..") return resolvePath(view, path2);
    const dir = resolveDir(i === 0 ? "/" : path2.slice(0, i));
    if (dir === void 0 || dir.entry.kind !== "dir") return void 0;
    const p = joinPath(dir.path, name);
    const e = view.lstat(p);
    if (e === void 0) return void 0;
    const all = links.length === 0 ? dir.links : [...links, ...dir.links];
    if (e.kind !== "symlink") return { path: p, entry: e, links: all };
    if (hops >= MAX_LINKS || e.target === void 0) return void 0;
    return resolve2(e.target.startsWith("/") ? e.target : joinPath(dir.path, e.target), hops + 1, [...all, p]);
  };
  return (path2) => resolve2(path2, 0, []);
}
var VIEW_PARSE = { relocations: false, symbols: false };
function dirRoot(root, parse = VIEW_PARSE) {
  const base = root.replace(/\/+$/, "");
  const stats = /* @__PURE__ */ new Map();
  const elves = /* @__PURE__ */ new Map();
  const host = (p) => base === "" ? p : `${base}${p}`;
  return {
    label: root,
    lstat(path2) {
      if (path2 === "/") return { kind: "dir" };
      if (stats.has(path2)) return stats.get(path2);
      let entry;
      try {
        const st = lstatSync(host(path2), { throwIfNoEntry: false });
        if (st !== void 0) {
          if (st.isSymbolicLink()) entry = { kind: "symlink", target: readlinkSync(host(path2)) };
          else if (st.isDirectory()) entry = { kind: "dir" };
          else if (st.isFile()) entry = { kind: "file", size: st.size };
          else entry = { kind: "other" };
        }
      } catch {
        entry = void 0;
      }
      stats.set(path2, entry);
      return entry;
    },
    readdir(path2) {
      try {
        return readdirSync(host(path2));
      } catch {
        return void 0;
      }
    },
    readFile(path2, max = 1 << 24) {
      const e = this.lstat(path2);
      if (e?.kind !== "file" || (e.size ?? 0) > max) return void 0;
      try {
        return readFileSync(host(path2));
      } catch {
        return void 0;
      }
    },
    elf(path2) {
      if (elves.has(path2)) return elves.get(path2);
      let info;
      try {
        info = readElfIfElf(host(path2), parse);
      } catch (err) {
        if (err instanceof ElfError) info = err;
        else info = void 0;
      }
      elves.set(path2, info);
      return info;
    },
    hostPath(path2) {
      return host(path2);
    }
  };
}
async function tarRoot(stream, label, keep) {
  return layeredTarRoot([stream], label, keep, { whiteouts: false });
}
var WHITEOUT = ".wh.";
var OPAQUE = ".wh..wh..opq";
async function layeredTarRoot(layers, label, keep, options = {}) {
  const whiteouts = options.whiteouts ?? true;
  const entries = /* @__PURE__ */ new Map([["/", { kind: "dir" }]]);
  const children = /* @__PURE__ */ new Map();
  const remove = (path2) => {
    entries.delete(path2);
    children.get(dirname(path2))?.delete(basename(path2));
    const names = children.get(path2);
    if (names !== void 0) for (const name of [...names]) remove(joinPath(path2, name));
    children.delete(path2);
  };
  const add = (path2, entry) => {
    const old = entries.get(path2);
    if (old !== void 0 && !(old.kind === "dir" && entry.kind === "dir")) remove(path2);
    entries.set(path2, entry);
    for (let p = path2; ; ) {
      const parent = dirname(p);
      let names = children.get(parent);
      if (names === void 0) children.set(parent, names = /* @__PURE__ */ new Set());
      names.add(basename(p));
      if (parent === "/" || entries.has(parent)) break;
      entries.set(parent, { kind: "dir" });
      p = parent;
    }
  };
  const readLayer = (stream) => {
    const ex = (0, import_tar_stream.extract)();
    const done = new Promise((resolve2, reject) => {
      ex.on("entry", (header, body, next) => {
        const path2 = normalizePath(header.name);
        const name = basename(path2);
        if (whiteouts && name.startsWith(WHITEOUT)) {
          const dir = dirname(path2);
          if (name === OPAQUE) for (const child of [...children.get(dir) ?? []]) remove(joinPath(dir, child));
          else remove(joinPath(dir, name.slice(WHITEOUT.length)));
          body.on("end", () => next());
          body.resume();
          return;
        }
        const chunks = [];
        let want;
        if (header.type === "file" || header.type === "contiguous-file") want = keep(path2, header.size ?? 0);
        body.on("data", (chunk) => {
          if (want !== void 0) chunks.push(chunk);
        });
        body.on("error", reject);
        body.on("end", () => {
          if (path2 === "/") return next();
          switch (header.type) {
            case "directory":
              add(path2, { kind: "dir" });
              break;
            case "symlink":
              add(path2, { kind: "symlink", target: header.linkname ?? "" });
              break;
            case "link": {
              const target = entries.get(normalizePath(header.linkname ?? ""));
              add(path2, target !== void 0 ? { ...target } : { kind: "file", size: 0 });
              break;
            }
            case "file":
            case "contiguous-file": {
              const entry = { kind: "file", size: header.size ?? 0 };
              if (want !== void 0) {
                const data = Buffer.concat(chunks);
                if (want === "data") entry.data = data;
                else if (isElf(data)) {
                  try {
                    entry.elf = parseElfBuffer(data, `${label}:${path2}`, VIEW_PARSE);
                  } catch (err) {
                    if (!(err instanceof ElfError)) return reject(err);
                    entry.elf = err;
                  }
                }
              }
              add(path2, entry);
              break;
            }
            default:
              add(path2, { kind: "other" });
          }
          next();
        });
        body.resume();
      });
      ex.on("finish", resolve2);
      ex.on("error", reject);
      stream.on("error", reject);
    });
    stream.pipe(ex);
    return done;
  };
  for (const layer of layers) await readLayer(typeof layer === "function" ? await layer() : layer);
  return {
    label,
    lstat(path2) {
      const e = entries.get(path2 === "" ? "/" : path2);
      return e === void 0 ? void 0 : { kind: e.kind, ...e.target !== void 0 && { target: e.target }, ...e.size !== void 0 && { size: e.size } };
    },
    readdir(path2) {
      const names = children.get(path2);
      if (names !== void 0) return [...names];
      return entries.get(path2)?.kind === "dir" ? [] : void 0;
    },
    readFile(path2, max = 1 << 24) {
      const e = entries.get(path2);
      return e?.data !== void 0 && e.data.length <= max ? e.data : void 0;
    },
    elf(path2) {
      return entries.get(path2)?.elf;
    }
  };
}

// src/closure/ldconfig.ts
function readLdSoConf(view, file = "/etc/ld.so.conf") {
  const dirs = [];
  const seen = /* @__PURE__ */ new Set();
  const visit = (path2, depth) => {
    if (depth > 16 || seen.has(path2)) return;
    seen.add(path2);
    const real = resolvePath(view, path2);
    const text = real === void 0 ? void 0 : view.readFile(real.path, 1 << 20)?.toString("utf8");
    if (text === void 0) return;
    for (const raw of text.split("\n")) {
      const line = raw.replace(/#.*/, "").trim();
      if (line === "") continue;
      const include = /^include\s+(.*)$/.exec(line);
      if (include !== null) {
        for (const pattern of (include[1] ?? "").split(/\s+/).filter(Boolean)) {
          const abs = pattern.startsWith("/") ? pattern : joinPath(dirname(path2), pattern);
          for (const f of glob(view, abs)) visit(f, depth + 1);
        }
        continue;
      }
      if (/^hwcap\s/.test(line)) continue;
      for (const token of line.split(/[\s:,=]+/)) {
        if (!token.startsWith("/")) continue;
        const dir = normalizePath(token);
        if (!dirs.includes(dir)) dirs.push(dir);
      }
    }
  };
  visit(file, 0);
  return dirs;
}
function glob(view, pattern) {
  const dir = dirname(pattern);
  const last = pattern.slice(dir === "/" ? 1 : dir.length + 1);
  if (!/[*?[]/.test(last)) return [pattern];
  const real = resolvePath(view, dir);
  if (real === void 0) return [];
  const re = new RegExp(
    `^${last.replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]")}$`
  );
  return (view.readdir(real.path) ?? []).filter((n) => !n.startsWith(".") && re.test(n)).sort().map((n) => joinPath(dir, n));
}
var CACHE_FLAGS = {
  x86_64: 771,
  i386: 3,
  aarch64: 2563,
  arm: 2307,
  riscv64: 4099,
  ppc64le: 1283,
  ppc64: 1283,
  s390x: 1027,
  x32: 2051,
  loongarch64: 4611
};
var NEW_MAGIC = "glibc-ld.so.cache1.1";
var OLD_MAGIC = "ld.so-1.7.0";
function parseLdCache(data, machine) {
  const want = CACHE_FLAGS[machine];
  const accept = (flags2) => want === void 0 ? (flags2 & 255) === 3 : flags2 === want;
  const out = /* @__PURE__ */ new Map();
  const cstr = (from) => {
    if (from < 0 || from >= data.length) return void 0;
    const end = data.indexOf(0, from);
    return end === -1 ? void 0 : data.toString("utf8", from, end);
  };
  let newAt = 0;
  if (data.length >= 16 && data.toString("latin1", 0, OLD_MAGIC.length) === OLD_MAGIC) {
    const nlibs2 = data.readUInt32LE(12);
    if (16 + nlibs2 * 12 > data.length) return void 0;
    newAt = 16 + nlibs2 * 12 + 7 & ~7;
    if (data.toString("latin1", newAt, newAt + NEW_MAGIC.length) !== NEW_MAGIC) {
      const strings = 16 + nlibs2 * 12;
      for (let i = 0; i < nlibs2; i++) {
        const at = 16 + i * 12;
        const flags2 = data.readInt32LE(at);
        const key = cstr(strings + data.readUInt32LE(at + 4));
        const value = cstr(strings + data.readUInt32LE(at + 8));
        if (key !== void 0 && value !== void 0 && accept(flags2) && !out.has(key)) out.set(key, value);
      }
      return out;
    }
  }
  if (data.length < newAt + 48 || data.toString("latin1", newAt, newAt + NEW_MAGIC.length) !== NEW_MAGIC) return void 0;
  const endianFlag = data[newAt + 28] ?? 0;
  const le = endianFlag === 3 ? false : endianFlag === 2 ? true : !["s390x", "ppc64"].includes(machine);
  const u32 = (o) => le ? data.readUInt32LE(o) : data.readUInt32BE(o);
  const nlibs = u32(newAt + 20);
  const entries = newAt + 48;
  if (entries + nlibs * 24 > data.length) return void 0;
  for (let i = 0; i < nlibs; i++) {
    const at = entries + i * 24;
    const flags2 = le ? data.readInt32LE(at) : data.readInt32BE(at);
    const hwcapLo = u32(at + 16 + (le ? 0 : 4));
    const hwcapHi = u32(at + 16 + (le ? 4 : 0));
    if (hwcapLo !== 0 || hwcapHi !== 0 || !accept(flags2)) continue;
    const key = cstr(newAt + u32(at + 4));
    const value = cstr(newAt + u32(at + 8));
    if (key !== void 0 && value !== void 0 && !out.has(key)) out.set(key, value);
  }
  return out;
}
var MULTIARCH = {
  x86_64: "x86_64-linux-gnu",
  i386: "i386-linux-gnu",
  aarch64: "aarch64-linux-gnu",
  arm: "arm-linux-gnueabihf",
  riscv64: "riscv64-linux-gnu",
  ppc64le: "powerpc64le-linux-gnu",
  ppc64: "powerpc64-linux-gnu",
  s390x: "s390x-linux-gnu",
  loongarch64: "loongarch64-linux-gnu",
  x32: "x86_64-linux-gnux32"
};
var AT_PLATFORM = {
  x86_64: "x86_64",
  i386: "i686",
  aarch64: "aarch64",
  arm: "v7l",
  riscv64: "riscv64",
  ppc64le: "power8",
  ppc64: "power8",
  s390x: "z13"
};
var MUSL_ARCH = {
  x86_64: "x86_64",
  i386: "i386",
  aarch64: "aarch64",
  arm: "armhf",
  riscv64: "riscv64",
  ppc64le: "powerpc64le",
  ppc64: "powerpc64",
  s390x: "s390x",
  loongarch64: "loongarch64"
};
var MUSL_DEFAULT_PATH = ["/lib", "/usr/local/lib", "/usr/lib"];
function readMuslPath(view, arch) {
  const file = `/etc/ld-musl-${arch}.path`;
  const real = resolvePath(view, file);
  const text = real === void 0 ? void 0 : view.readFile(real.path, 1 << 20)?.toString("utf8");
  if (text === void 0) return void 0;
  return { file, dirs: text.split(/[:\n]/).map((d) => d.trim()).filter((d) => d !== "") };
}

// src/closure/inventory.ts
var INVENTORY_FORMAT = "trunkfarm.inventory";
var INVENTORY_VERSION = 1;
var librarySchema = external_exports.object({
  path: external_exports.string(),
  names: external_exports.array(external_exports.string()),
  soname: external_exports.string().optional(),
  machine: external_exports.string(),
  class: external_exports.union([external_exports.literal(32), external_exports.literal(64)]),
  libc: external_exports.enum(["glibc", "musl"]).optional(),
  needed: external_exports.array(external_exports.string()),
  rpath: external_exports.array(external_exports.string()).optional(),
  runpath: external_exports.array(external_exports.string()).optional(),
  versions: external_exports.array(external_exports.string()).optional()
});
var postgresSchema = external_exports.object({
  bin: external_exports.string(),
  major: external_exports.number().int().optional(),
  pkglibdir: external_exports.string().optional(),
  libdir: external_exports.string().optional(),
  needed: external_exports.array(external_exports.string()),
  rpath: external_exports.array(external_exports.string()),
  runpath: external_exports.array(external_exports.string())
});
var inventorySchema = external_exports.object({
  format: external_exports.literal(INVENTORY_FORMAT),
  version: external_exports.literal(INVENTORY_VERSION),
  source: external_exports.string(),
  imageId: external_exports.string().optional(),
  capturedAt: external_exports.string(),
  libc: external_exports.enum(["glibc", "musl"]),
  libcVersion: external_exports.string().optional(),
  machine: external_exports.string(),
  class: external_exports.union([external_exports.literal(32), external_exports.literal(64)]),
  endian: external_exports.enum(["le", "be"]),
  /** glibc: the highest GLIBC_x.y version libc.so.6 defines. */
  glibcVersion: external_exports.string().optional(),
  /** Program interpreters present, as programs name them (`/lib64/ld-linux-x86-64.so.2`). */
  interpreters: external_exports.array(external_exports.string()),
  loader: external_exports.object({
    /** glibc: the built-in trusted directories; musl: the search path in effect. */
    defaultDirs: external_exports.array(external_exports.string()),
    /** glibc: the directories /etc/ld.so.conf names (they reach the loader through the cache). */
    confDirs: external_exports.array(external_exports.string()),
    /** glibc: /etc/ld.so.cache entries for this machine, name -> path; absent without a cache. */
    cache: external_exports.record(external_exports.string(), external_exports.string()).optional(),
    /** musl: the path file that set the search path, when one did. */
    pathFile: external_exports.string().optional(),
    /** What $LIB and $PLATFORM expand to. */
    lib: external_exports.string(),
    platform: external_exports.string()
  }),
  /** Symbolic links met on the way to the listed directories: link -> canonical target. */
  links: external_exports.record(external_exports.string(), external_exports.string()),
  /** Canonical directories whose shared libraries are all listed. */
  dirs: external_exports.array(external_exports.string()),
  libraries: external_exports.array(librarySchema),
  postgres: external_exports.array(postgresSchema)
});
var GLIBC_INTERP = /^(ld-linux[-\w.]*\.so\.\d+|ld64\.so\.[12])$/;
var MUSL_INTERP = /^ld-musl-[\w]+\.so\.1$/;
var LIBRARY_NAME = /\.so(\.|$)/;
function captureInventory(view, options = {}) {
  const links = {};
  const canonicalDir = (path2) => {
    const r = resolvePath(view, path2);
    if (r === void 0 || r.entry.kind !== "dir") return void 0;
    for (const link of r.links) {
      const target = resolvePath(view, link);
      if (target !== void 0 && target.entry.kind === "dir") links[link] = target.path;
    }
    return r.path;
  };
  const interps = [];
  for (const dir of ["/lib", "/lib64", "/usr/lib", "/usr/lib64"]) {
    const real = canonicalDir(dir);
    if (real === void 0) continue;
    for (const name of (view.readdir(real) ?? []).sort()) {
      const libc2 = GLIBC_INTERP.test(name) ? "glibc" : MUSL_INTERP.test(name) ? "musl" : void 0;
      if (libc2 === void 0) continue;
      const r = resolvePath(view, joinPath(real, name));
      const elf = r?.entry.kind === "file" ? view.elf(r.path) : void 0;
      if (elf !== void 0 && !(elf instanceof Error)) interps.push({ path: joinPath(dir, name), libc: libc2, elf });
    }
  }
  const sh = resolvePath(view, "/bin/sh");
  const shElf = sh?.entry.kind === "file" ? view.elf(sh.path) : void 0;
  const shInterp = shElf !== void 0 && !(shElf instanceof Error) ? shElf.interp : void 0;
  const primary = interps.find((i) => (options.libc === void 0 || i.libc === options.libc) && i.path === shInterp) ?? interps.find((i) => (options.libc ?? "glibc") === i.libc && (shElf === void 0 || shElf instanceof Error || i.elf.machine === shElf.machine)) ?? interps.find((i) => options.libc === void 0 || i.libc === options.libc);
  if (primary === void 0) {
    throw new UserError(`${view.label}: no ${options.libc ?? "glibc or musl"} dynamic loader found in /lib, /lib64, /usr/lib or /usr/lib64`);
  }
  const { libc } = primary;
  const { machine, class: elfClass, endian } = primary.elf;
  let defaultDirs;
  let confDirs = [];
  let cache;
  let pathFile;
  let lib = "lib";
  if (libc === "glibc") {
    const triplet = MULTIARCH[machine];
    if (triplet !== void 0 && (canonicalDir(`/lib/${triplet}`) !== void 0 || canonicalDir(`/usr/lib/${triplet}`) !== void 0)) {
      defaultDirs = [`/lib/${triplet}`, `/usr/lib/${triplet}`, "/lib", "/usr/lib"];
      lib = `lib/${triplet}`;
    } else if (elfClass === 64 && (canonicalDir("/lib64") !== void 0 || canonicalDir("/usr/lib64") !== void 0) && hasLibc(view, ["/lib64", "/usr/lib64"])) {
      defaultDirs = ["/lib64", "/usr/lib64"];
      lib = "lib64";
    } else {
      defaultDirs = ["/lib", "/usr/lib"];
    }
    confDirs = readLdSoConf(view);
    const cacheFile = resolvePath(view, "/etc/ld.so.cache");
    const data = cacheFile === void 0 ? void 0 : view.readFile(cacheFile.path, 1 << 26);
    const parsed = data === void 0 ? void 0 : parseLdCache(data, machine);
    if (parsed !== void 0) cache = Object.fromEntries(parsed);
  } else {
    const arch = /^ld-musl-([\w]+)\.so\.1$/.exec(basename(primary.path))?.[1] ?? MUSL_ARCH[machine] ?? machine;
    const file = readMuslPath(view, arch);
    defaultDirs = file?.dirs ?? MUSL_DEFAULT_PATH;
    if (file !== void 0) pathFile = file.file;
  }
  const libraries = /* @__PURE__ */ new Map();
  const scanned = /* @__PURE__ */ new Set();
  const resolve2 = memoResolver(view);
  const scan = (dir) => {
    const real = canonicalDir(dir);
    if (real === void 0 || scanned.has(real)) return;
    scanned.add(real);
    for (const name of (view.readdir(real) ?? []).sort()) {
      if (!LIBRARY_NAME.test(name)) continue;
      const path2 = joinPath(real, name);
      const r = resolve2(path2);
      if (r === void 0 || r.entry.kind !== "file") continue;
      let entry = libraries.get(r.path);
      if (entry === void 0) {
        const elf = view.elf(r.path);
        if (elf === void 0 || elf instanceof Error || elf.type !== "dyn") continue;
        entry = libraryOf(r.path, elf);
        libraries.set(r.path, entry);
      }
      if (path2 !== r.path && !entry.names.includes(path2)) entry.names.push(path2);
    }
  };
  const searchDirs = [...defaultDirs, ...confDirs];
  if (cache !== void 0) for (const path2 of Object.values(cache)) searchDirs.push(dirname(path2));
  for (const dir of searchDirs) scan(dir);
  const postgres = findPostgres(view, canonicalDir).filter((pg) => {
    const r = resolvePath(view, pg.bin);
    const elf = r === void 0 ? void 0 : view.elf(r.path);
    return elf !== void 0 && !(elf instanceof Error) && elf.machine === machine && (elf.libc ?? libc) === libc;
  });
  for (const pg of postgres) {
    if (pg.pkglibdir !== void 0) scan(pg.pkglibdir);
    for (const d of libc === "glibc" && pg.runpath.length > 0 ? [] : pg.rpath) if (d.startsWith("/")) scan(d);
    for (const d of pg.runpath) if (d.startsWith("/")) scan(d);
  }
  for (const pg of postgres) {
    const libdir = libdirOf(libraries, defaultDirs);
    if (libdir !== void 0) pg.libdir = libdir;
  }
  const all = [...libraries.values()].sort((a, b) => a.path < b.path ? -1 : 1);
  const libcLib = all.find((l) => l.soname === "libc.so.6" && l.machine === machine);
  const glibcVersion = libc === "glibc" && libcLib?.versions !== void 0 ? highestGlibc(libcLib.versions) : void 0;
  const libcVersion = libc === "glibc" ? glibcVersion : packageVersion(view, "musl");
  return {
    format: INVENTORY_FORMAT,
    version: INVENTORY_VERSION,
    source: options.source ?? view.label,
    ...options.imageId !== void 0 && { imageId: options.imageId },
    capturedAt: (/* @__PURE__ */ new Date()).toISOString(),
    libc,
    ...libcVersion !== void 0 && { libcVersion },
    machine,
    class: elfClass,
    endian,
    ...glibcVersion !== void 0 && { glibcVersion },
    interpreters: interps.filter((i) => i.elf.machine === machine && i.libc === libc).map((i) => i.path),
    loader: {
      defaultDirs,
      confDirs,
      ...cache !== void 0 && { cache },
      ...pathFile !== void 0 && { pathFile },
      lib,
      platform: AT_PLATFORM[machine] ?? machine
    },
    links: Object.fromEntries(Object.entries(links).sort(([a], [b]) => a < b ? -1 : 1)),
    dirs: [...scanned].sort(),
    libraries: all,
    postgres
  };
}
function hasLibc(view, dirs) {
  return dirs.some((d) => resolvePath(view, `${d}/libc.so.6`)?.entry.kind === "file");
}
function libraryOf(path2, elf) {
  return {
    path: path2,
    names: [],
    ...elf.soname !== void 0 && { soname: elf.soname },
    machine: elf.machine,
    class: elf.class,
    ...elf.libc !== void 0 && { libc: elf.libc },
    needed: elf.needed,
    ...elf.rpath.length > 0 && { rpath: elf.rpath },
    ...elf.runpath.length > 0 && { runpath: elf.runpath },
    ...elf.verdef.length > 0 && { versions: elf.verdef }
  };
}
function highestGlibc(versions) {
  let best;
  for (const v of versions) {
    const m = /^GLIBC_(\d+(?:\.\d+)*)$/.exec(v);
    if (m?.[1] !== void 0 && (best === void 0 || compareVersions(m[1], best) > 0)) best = m[1];
  }
  return best;
}
function packageVersion(view, name) {
  for (const [file, re] of [
    ["/lib/apk/db/installed", new RegExp(`^P:${name}\\nV:(\\S+)`, "m")],
    ["/var/lib/dpkg/status", new RegExp(`^Package: ${name}\\n(?:[^\\n]+\\n)*?Version: (\\S+)`, "m")]
  ]) {
    const r = resolvePath(view, file);
    const text = r === void 0 ? void 0 : view.readFile(r.path, 1 << 26)?.toString("utf8");
    const m = text === void 0 ? null : re.exec(text);
    if (m?.[1] !== void 0) return m[1];
  }
  return void 0;
}
function findPostgres(view, canonicalDir) {
  const expand = (pattern) => {
    const star = splitPath(pattern).findIndex((c) => c.includes("*"));
    if (star === -1) return [pattern];
    const parts = splitPath(pattern);
    const parent = `/${parts.slice(0, star).join("/")}`;
    const real = canonicalDir(parent);
    if (real === void 0) return [];
    const re = new RegExp(`^${(parts[star] ?? "").replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
    return (view.readdir(real) ?? []).filter((n) => re.test(n)).sort().map((n) => `/${[...parts.slice(0, star), n, ...parts.slice(star + 1)].join("/")}`);
  };
  const bins = ["/usr/lib/postgresql/*/bin/postgres", "/usr/pgsql-*/bin/postgres", "/usr/libexec/postgresql*/postgres", "/usr/local/pgsql/bin/postgres", "/usr/local/bin/postgres", "/usr/bin/postgres"].flatMap(expand);
  const pkglibs = ["/usr/lib/postgresql/*/lib", "/usr/pgsql-*/lib", "/usr/lib/postgresql*", "/usr/local/pgsql/lib", "/usr/local/lib/postgresql"].flatMap(expand).filter((d) => resolvePath(view, `${d}/plpgsql.so`)?.entry.kind === "file");
  const majorOf = (p) => {
    const m = /postgresql[-/]?(\d+)|pgsql-(\d+)/.exec(p);
    return m === null ? void 0 : Number(m[1] ?? m[2]);
  };
  const out = [];
  const seen = /* @__PURE__ */ new Set();
  for (const bin of bins) {
    const r = resolvePath(view, bin);
    if (r === void 0 || r.entry.kind !== "file" || seen.has(r.path)) continue;
    const elf = view.elf(r.path);
    if (elf === void 0 || elf instanceof Error) continue;
    seen.add(r.path);
    const major = majorOf(bin);
    const pkglibdir = pkglibs.find((d) => major !== void 0 && majorOf(d) === major) ?? pkglibs.find((d) => d === normalizePath(`${dirname(bin)}/../lib`) || d.startsWith(normalizePath(`${dirname(bin)}/../lib/`))) ?? (pkglibs.length === 1 ? pkglibs[0] : void 0);
    out.push({
      bin,
      ...major !== void 0 && { major },
      ...pkglibdir !== void 0 && { pkglibdir },
      needed: elf.needed,
      rpath: elf.rpath,
      runpath: elf.runpath
    });
  }
  return out;
}
function libdirOf(libraries, defaultDirs) {
  const libpq = [...libraries.values()].find((l) => l.soname === "libpq.so.5");
  if (libpq !== void 0) return dirname(libpq.names.find((n) => basename(n) === "libpq.so.5") ?? libpq.path);
  return defaultDirs[0];
}
function inventoryFromDir(root, options = {}) {
  return captureInventory(dirRoot(root), options);
}
function keepForInventory(path2) {
  if (path2 === "/etc/ld.so.cache" || path2 === "/etc/ld.so.conf" || path2.startsWith("/etc/ld.so.conf.d/") || path2.startsWith("/etc/ld-musl-")) return "data";
  if (path2 === "/lib/apk/db/installed" || path2 === "/var/lib/dpkg/status") return "data";
  const name = basename(path2);
  if (LIBRARY_NAME.test(name) || name === "postgres" || SHELLS.has(path2)) return "elf";
  return void 0;
}
var SHELLS = /* @__PURE__ */ new Set(["/bin/sh", "/usr/bin/sh", "/bin/dash", "/usr/bin/dash", "/bin/bash", "/usr/bin/bash", "/bin/busybox"]);
async function inventoryFromTar(stream, options = {}) {
  const view = await tarRoot(stream, options.source ?? "tar stream", keepForInventory);
  return captureInventory(view, options);
}
async function inventoryFromLayers(layers, options = {}) {
  const extra = options.keep;
  const keep = extra === void 0 ? keepForInventory : (path2, size) => keepForInventory(path2) ?? extra(path2, size);
  const view = await layeredTarRoot(layers, options.source ?? "image layers", keep);
  return { inventory: captureInventory(view, options), view };
}
async function captureImageInventory(engineCmd, image, options = {}) {
  const imageId = (await run(engineCmd, ["image", "inspect", "--format", "{{.Id}}", image])).trim();
  const id = (await run(engineCmd, ["create", "--label", `org.trunkfarm.pid=${process.pid}`, image, "true"])).trim();
  try {
    const child = spawn("bash", ["-c", 'set -o pipefail; "$0" export "$1" | cat', engineCmd, id], { stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stderr = "";
    child.stderr.on("data", (d) => stderr += d.toString());
    const exited = new Promise((resolve2, reject) => {
      child.on("error", reject);
      child.on("close", (code2) => resolve2(code2 ?? 1));
    });
    let inventory;
    try {
      inventory = await inventoryFromTar(child.stdout, { ...options, source: image, imageId });
    } catch (err) {
      const code2 = await Promise.race([exited, new Promise((r) => setTimeout(() => r(void 0), 2e3).unref())]).catch(() => void 0);
      if (code2 !== void 0 && code2 !== 0) throw new UserError(`${engineCmd} export ${image} failed (exit ${code2}): ${stderr.trim()}`);
      if (child.pid !== void 0) {
        try {
          process.kill(-child.pid, "SIGTERM");
        } catch {
        }
      }
      await exited.catch(() => 1);
      throw err;
    }
    const code = await exited;
    if (code !== 0) throw new UserError(`${engineCmd} export ${image} failed (exit ${code}): ${stderr.trim()}`);
    return inventory;
  } finally {
    await run(engineCmd, ["rm", "-f", id]).catch(() => void 0);
  }
}
function run(cmd, args) {
  return new Promise((resolve2, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => out += d.toString());
    child.stderr.on("data", (d) => err += d.toString());
    child.on("error", (e) => reject(new UserError(`cannot run ${cmd}: ${e.message}`)));
    child.on("close", (code) => code === 0 ? resolve2(out) : reject(new UserError(`${cmd} ${args.join(" ")} failed (exit ${code}): ${err.trim()}`)));
  });
}
function saveInventory(inventory, file) {
  mkdirSync(hostDirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(inventory, null, 1)}
`);
  renameSync(tmp, file);
}
function loadInventory(file) {
  let data;
  try {
    data = JSON.parse(readFileSync2(file, "utf8"));
  } catch (err) {
    throw new UserError(`${file}: cannot read inventory: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseInventory(data, file);
}
function parseInventory(data, name = "inventory") {
  const head = data;
  if (head === null || typeof head !== "object" || head.format !== INVENTORY_FORMAT) throw new UserError(`${name}: not a trunkfarm inventory (format is not "${INVENTORY_FORMAT}")`);
  if (head.version !== INVENTORY_VERSION) throw new UserError(`${name}: inventory version ${String(head.version)} is not the one this trunkfarm reads (${INVENTORY_VERSION}); capture it again`);
  const parsed = inventorySchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${name}: invalid inventory at ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}
function indexInventory(inventory) {
  const byPath = /* @__PURE__ */ new Map();
  const bySoname = /* @__PURE__ */ new Map();
  for (const lib of inventory.libraries) {
    byPath.set(lib.path, lib);
    for (const n of lib.names) byPath.set(n, lib);
    if (lib.soname !== void 0) bySoname.set(lib.soname, [...bySoname.get(lib.soname) ?? [], lib]);
  }
  const dirs = new Set(inventory.dirs);
  const links = new Map(Object.entries(inventory.links));
  const canonical = (path2) => {
    let parts = splitPath(normalizePath(path2));
    for (let hops = 0; hops < 40; hops++) {
      let replaced = false;
      for (let i = parts.length; i > 0; i--) {
        const target = links.get(`/${parts.slice(0, i).join("/")}`);
        if (target !== void 0) {
          parts = [...splitPath(target), ...parts.slice(i)];
          replaced = true;
          break;
        }
      }
      if (!replaced) break;
    }
    return `/${parts.join("/")}`;
  };
  return {
    inventory,
    canonical,
    lookup(path2) {
      const c = canonical(path2);
      const hit = byPath.get(c);
      if (hit !== void 0) return hit;
      return dirs.has(dirname(c)) ? "missing" : "unknown";
    },
    bySoname(soname) {
      return bySoname.get(soname) ?? [];
    }
  };
}

// src/closure/resolve.ts
function modelOf(inventory) {
  return {
    libc: inventory.libc,
    machine: inventory.machine,
    class: inventory.class,
    defaultDirs: inventory.loader.defaultDirs,
    ...inventory.loader.cache !== void 0 && { cache: new Map(Object.entries(inventory.loader.cache)) },
    lib: inventory.loader.lib,
    platform: inventory.loader.platform,
    interpreters: inventory.interpreters
  };
}
var MUSL_RESERVED = ["c", "pthread", "rt", "m", "dl", "util", "xnet"];
function isMuslReserved(name) {
  return name.startsWith("lib") && MUSL_RESERVED.some((r) => name.startsWith(`lib${r}.`));
}
function originDir(view, node) {
  if (node.main) return dirname(view.resolve(node.path)?.path ?? node.path);
  return dirname(node.path);
}
function expandGlibc(entry, node, view, model) {
  return entry.replace(/\$(\{(ORIGIN|LIB|PLATFORM)\}|(ORIGIN|LIB|PLATFORM)(?![A-Za-z0-9_]))/g, (_m, _a, braced, bare) => {
    const token = braced ?? bare;
    return token === "ORIGIN" ? originDir(view, node) : token === "LIB" ? model.lib : model.platform;
  });
}
function expandMusl(entry, node, view) {
  if (/\$(?!ORIGIN|\{ORIGIN\})/.test(entry)) return void 0;
  return entry.replace(/\$\{ORIGIN\}|\$ORIGIN/g, () => originDir(view, node));
}
function probe(view, model, path2) {
  const r = view.resolve(path2);
  if (r === void 0 || r.entry.kind !== "file") return void 0;
  const facts = view.facts(r.path);
  if (model.libc === "musl") {
    if (facts === void 0 || facts instanceof Error) return { reject: { reason: facts === void 0 ? "not an ELF file" : facts.message, fatal: true } };
    return { found: { canonical: r.path, facts } };
  }
  if (facts === void 0) return { reject: { reason: "invalid ELF header", fatal: true } };
  if (facts instanceof Error) return { reject: { reason: facts.message, fatal: true } };
  if (facts.class !== model.class) return { reject: { reason: `wrong ELF class: ELFCLASS${facts.class}`, fatal: false } };
  if (facts.machine !== model.machine) return { reject: { reason: `built for ${facts.machine}`, fatal: false } };
  if (facts.type === "exec") return { reject: { reason: "cannot dynamically load executable", fatal: true } };
  if ((facts.flags1 & DF_1_PIE) !== 0) return { reject: { reason: "cannot dynamically load position-independent executable", fatal: true } };
  return { found: { canonical: r.path, facts } };
}
function resolveName(model, view, node, name, loaded) {
  const res = { name, rejected: [], searched: [], ignored: [] };
  const take = (path2, canonical, facts, via, entry, owner) => {
    const origin = view.originOf(canonical) ?? "base";
    res.found = {
      path: path2,
      canonical,
      realPath: view.realPath(canonical),
      origin,
      via,
      ...entry !== void 0 && { entry },
      ...owner !== void 0 && { owner },
      ...facts !== void 0 && { facts }
    };
    return res;
  };
  if (model.libc === "musl" && isMuslReserved(name)) {
    const interp = model.interpreters[0] ?? "/lib/ld-musl.so.1";
    const r = view.resolve(interp);
    const facts = r === void 0 ? void 0 : view.facts(r.path);
    return take(interp, r?.path ?? interp, facts instanceof Error ? void 0 : facts, "libc");
  }
  const already = loaded?.get(name);
  if (already !== void 0) {
    res.found = { ...already, via: "loaded" };
    return res;
  }
  const tryPath = (path2, via, entry, owner) => {
    const p = probe(view, model, path2);
    if (p === void 0) return false;
    if (p.reject !== void 0) {
      res.rejected.push({ path: path2, ...p.reject });
      return p.reject.fatal;
    }
    if (p.found !== void 0) take(path2, p.found.canonical, p.found.facts, via, entry, owner);
    return true;
  };
  if (name.includes("/")) {
    const path2 = model.libc === "glibc" ? expandGlibc(name, node, view, model) : expandMusl(name, node, view) ?? name;
    if (path2.startsWith("/")) tryPath(path2, "direct");
    else res.ignored.push({ entry: name, owner: node.path, reason: "a relative path is resolved against the working directory" });
    return res;
  }
  const searchDirs = (entries, owner, via) => {
    if (model.libc === "musl" && via !== "default" && expandMusl(entries.join(":"), owner, view) === void 0) {
      res.ignored.push({ entry: entries.join(":"), owner: owner.path, reason: "musl expands only $ORIGIN and ignores a run path with any other $" });
      return false;
    }
    for (const entry of entries) {
      const dir = model.libc === "glibc" ? expandGlibc(entry, owner, view, model) : expandMusl(entry, owner, view);
      if (dir === void 0) return false;
      if (model.libc === "musl" && dir === "") continue;
      if (!dir.startsWith("/")) {
        res.ignored.push({ entry, owner: owner.path, reason: "relative to the working directory, not to the file" });
        continue;
      }
      const clean = dir === "/" ? "/" : dir.replace(/\/+$/, "");
      res.searched.push({ dir: clean, via, entry, owner: owner.path });
      if (tryPath(`${clean === "/" ? "" : clean}/${name}`, via, entry, owner.path)) return true;
    }
    return false;
  };
  if (model.libc === "musl") {
    for (let p = node; p !== void 0; p = p.parent) {
      const entries = p.facts.runpath.length > 0 ? p.facts.runpath : p.facts.rpath;
      const via = p.facts.runpath.length > 0 ? "runpath" : "rpath";
      if (entries.length > 0 && searchDirs(entries, p, via)) return res;
    }
    searchDirs(model.defaultDirs, node, "default");
    return res;
  }
  if (node.facts.runpath.length === 0) {
    for (let p = node; p !== void 0; p = p.parent) {
      if (p.facts.runpath.length === 0 && p.facts.rpath.length > 0 && searchDirs(p.facts.rpath, p, "rpath")) return res;
    }
  }
  if (node.facts.runpath.length > 0 && searchDirs(node.facts.runpath, node, "runpath")) return res;
  if ((node.facts.flags1 & DF_1_NODEFLIB) !== 0) return res;
  const cached = model.cache?.get(name);
  if (cached !== void 0) {
    res.searched.push({ dir: dirname(cached), via: "cache" });
    if (tryPath(cached, "cache")) return res;
  }
  for (const dir of model.defaultDirs) {
    res.searched.push({ dir, via: "default" });
    if (tryPath(`${dir}/${name}`, "default")) return res;
  }
  return res;
}
function noteLoaded(model, loaded, name, found) {
  loaded.set(name, found);
  if (model.libc === "glibc") {
    loaded.set(found.path, found);
    if (found.facts?.soname !== void 0 && !loaded.has(found.facts.soname)) loaded.set(found.facts.soname, found);
  }
}

// src/closure/tree.ts
import { existsSync, lstatSync as lstatSync2, readdirSync as readdirSync2 } from "node:fs";
import { basename as hostBasename, join, relative } from "node:path";
function scanTree(root, parse) {
  if (!existsSync(root) || !lstatSync2(root).isDirectory()) throw new UserError(`${root}: not a directory`);
  const kind = existsSync(join(root, "pgsql")) ? "trunk" : "volume";
  const files = [];
  const walk = (dir) => {
    for (const e of readdirSync2(dir, { withFileTypes: true }).sort((a, b) => a.name < b.name ? -1 : 1)) {
      const local = join(dir, e.name);
      if (e.isDirectory()) walk(local);
      else if (e.isFile()) {
        let elf;
        try {
          elf = readElfIfElf(local, parse);
        } catch (err) {
          if (!(err instanceof ElfError)) throw err;
          elf = err;
        }
        if (elf === void 0) continue;
        const rel = relative(root, local).split("\\").join("/");
        files.push({ path: rel, local, dir: rel.includes("/") ? rel.slice(0, rel.lastIndexOf("/")) : ".", elf });
      }
    }
  };
  walk(root);
  return { root, kind, libDir: kind === "trunk" ? "pgsql/pkglib" : "lib", files };
}
var PG_DIRS = ["pkglib", "lib", "bin", "share", "doc", "html", "include", "pkginclude", "locale", "man", "sysconf"];
function layoutsFor(tree, inventory, options = {}) {
  const name = options.name ?? hostBasename(tree.root);
  const ext = `/extensions/${name}`;
  const postgres = inventory.postgres.find((p) => options.pg === void 0 || p.major === options.pg);
  const out = [];
  const want = (l) => options.only === void 0 || options.only.includes(l);
  const dirs = (tree.kind === "trunk" ? PG_DIRS.map((d) => `pgsql/${d}`) : ["lib", "bin", "share"]).filter((d) => existsSync(join(tree.root, d)));
  for (const f of tree.files) {
    const top = tree.kind === "trunk" ? f.path.split("/").slice(0, 2).join("/") : f.path.split("/")[0];
    if (top !== void 0 && top !== f.path && !dirs.includes(top)) dirs.push(top);
  }
  const sub = (d) => tree.kind === "trunk" ? d.slice("pgsql/".length) : d;
  if (tree.kind === "trunk" && want("install")) {
    const pkglib = postgres?.pkglibdir ?? "/usr/lib/postgresql/lib";
    const place2 = {
      pkglib,
      lib: postgres?.libdir ?? inventory.loader.defaultDirs[0],
      bin: postgres === void 0 ? void 0 : postgres.bin.slice(0, postgres.bin.lastIndexOf("/"))
    };
    out.push({
      name: "install",
      mounts: dirs.map((d) => ({ runtime: place2[sub(d)] ?? `/usr/share/postgresql/${sub(d)}`, local: join(tree.root, d) })),
      moduleDirs: [pkglib],
      ...postgres !== void 0 && { postgres }
    });
  }
  if (want("volume")) {
    const volumeDir = (d) => {
      const s = sub(d);
      return `${ext}/${s === "pkglib" ? "lib" : s}`;
    };
    out.push({
      name: "volume",
      mounts: dirs.map((d) => ({ runtime: volumeDir(d), local: join(tree.root, d) })),
      moduleDirs: [`${ext}/lib`],
      ...postgres !== void 0 && { postgres }
    });
  }
  return out;
}
function runtimePath(layout, file) {
  for (const m of layout.mounts) {
    const prefix = m.local.endsWith("/") ? m.local : `${m.local}/`;
    if (file.local.startsWith(prefix) && file.local.length > prefix.length) return `${m.runtime.replace(/\/+$/, "")}/${file.local.slice(prefix.length)}`;
  }
  return void 0;
}

// src/closure/view.ts
function loaderView(options) {
  const mounts = options.mounts.map((m) => ({ ...m, view: dirRoot(m.local), prefix: `${m.runtime.replace(/\/+$/, "")}/` }));
  const base = options.base === void 0 ? void 0 : baseLayer(options.base);
  const outside = options.outside;
  const mountOf = (path2) => mounts.find((m) => path2.startsWith(m.prefix));
  const isMountAncestor = (path2) => mounts.some((m) => m.prefix.startsWith(path2 === "/" ? "/" : `${path2}/`) || `${path2}/` === m.prefix);
  const packageFacts = /* @__PURE__ */ new Map();
  const mountWith = (path2) => mounts.find((m) => path2.startsWith(m.prefix) && m.view.lstat(path2.slice(m.prefix.length - 1)) !== void 0);
  const owners = /* @__PURE__ */ new Map();
  const owner = (path2) => {
    if (owners.has(path2)) return owners.get(path2);
    let o;
    if (mountWith(path2) !== void 0) o = "package";
    else if (base?.lstat(path2) !== void 0) o = "base";
    else if (outside?.lstat(path2) !== void 0) o = "outside";
    owners.set(path2, o);
    return o;
  };
  const view = {
    resolve: (path2) => resolve2(path2),
    lstat(path2) {
      const m = mountWith(path2);
      if (m !== void 0) return m.view.lstat(path2.slice(m.prefix.length - 1));
      if (mountOf(path2) === void 0 && isMountAncestor(path2)) return { kind: "dir" };
      return base?.lstat(path2) ?? outside?.lstat(path2);
    },
    originOf: owner,
    facts(path2) {
      switch (owner(path2)) {
        case "package": {
          if (packageFacts.has(path2)) return packageFacts.get(path2);
          const m = mountWith(path2);
          if (m === void 0) return void 0;
          const local = `${m.local.replace(/\/+$/, "")}${path2.slice(m.prefix.length - 1)}`;
          const f = options.known?.get(local) ?? m.view.elf(path2.slice(m.prefix.length - 1));
          packageFacts.set(path2, f);
          return f;
        }
        case "base":
          return base?.facts(path2);
        case "outside":
          return outside?.elf(path2);
        default:
          return void 0;
      }
    },
    realPath(path2) {
      return owner(path2) === "base" ? base?.realPath(path2) ?? path2 : path2;
    },
    hostPath(path2) {
      const m = mountWith(path2);
      if (m !== void 0) return `${m.local.replace(/\/+$/, "")}${path2.slice(m.prefix.length - 1)}`;
      if (owner(path2) === "outside") return outside?.hostPath?.(path2);
      return void 0;
    }
  };
  const resolve2 = memoResolver(view);
  return view;
}
function baseLayer(index) {
  const inv = index.inventory;
  const files = /* @__PURE__ */ new Map();
  const dirs = /* @__PURE__ */ new Set(["/"]);
  const addAncestors = (path2) => {
    const parts = splitPath(path2);
    for (let i = 1; i < parts.length; i++) dirs.add(`/${parts.slice(0, i).join("/")}`);
  };
  for (const lib of inv.libraries) {
    files.set(lib.path, lib);
    addAncestors(lib.path);
    for (const n of lib.names) {
      files.set(n, lib);
      addAncestors(n);
    }
  }
  for (const d of inv.dirs) {
    dirs.add(d);
    addAncestors(d);
  }
  for (const [link, target] of Object.entries(inv.links)) {
    addAncestors(link);
    dirs.add(target);
    addAncestors(target);
  }
  const links = new Map(Object.entries(inv.links));
  const facts = /* @__PURE__ */ new Map();
  return {
    lstat(path2) {
      if (files.has(path2)) return { kind: "file" };
      const target = links.get(path2);
      if (target !== void 0) return { kind: "symlink", target };
      if (dirs.has(path2)) return { kind: "dir" };
      return void 0;
    },
    facts(path2) {
      const lib = files.get(path2);
      if (lib === void 0) return void 0;
      let f = facts.get(lib);
      if (f === void 0) {
        f = {
          machine: lib.machine,
          class: lib.class,
          type: "dyn",
          needed: lib.needed,
          rpath: lib.rpath ?? [],
          runpath: lib.runpath ?? [],
          flags1: 0,
          verdef: lib.versions ?? [],
          verneed: [],
          ...lib.soname !== void 0 && { soname: lib.soname },
          ...lib.libc !== void 0 && { libc: lib.libc }
        };
        facts.set(lib, f);
      }
      return f;
    },
    realPath(path2) {
      return files.get(path2)?.path ?? path2;
    }
  };
}

// src/closure/pkgdb.ts
function packageDb(view) {
  let index;
  let infos;
  const load = () => {
    index = /* @__PURE__ */ new Map();
    infos = /* @__PURE__ */ new Map();
    const add = (path2, pkg) => {
      const name = basename(path2);
      const list2 = index?.get(name) ?? [];
      list2.push({ path: path2, pkg });
      index?.set(name, list2);
    };
    const apk = readText(view, "/lib/apk/db/installed");
    if (apk !== void 0) {
      for (const block of apk.split(/\n\n+/)) {
        const info = { manager: "apk", name: "" };
        let dir = "/";
        for (const line of block.split("\n")) {
          const [key, value = ""] = [line.slice(0, 2), line.slice(2)];
          if (key === "P:") info.name = value;
          else if (key === "V:") info.version = value;
          else if (key === "L:") info.license = value;
          else if (key === "F:") dir = `/${value}`;
          else if (key === "R:" && info.name !== "") add(joinPath(dir, value), info.name);
        }
        if (info.name !== "") infos?.set(info.name, info);
      }
      return;
    }
    const status = readText(view, "/var/lib/dpkg/status");
    if (status === void 0) return;
    for (const block of status.split(/\n\n+/)) {
      const name = /^Package: (\S+)$/m.exec(block)?.[1];
      if (name === void 0 || !/^Status: .* installed$/m.test(block)) continue;
      const version = /^Version: (\S+)$/m.exec(block)?.[1];
      infos?.set(name, { manager: "dpkg", name, ...version !== void 0 && { version } });
    }
    const infoDir = resolvePath(view, "/var/lib/dpkg/info");
    for (const file of view.readdir(infoDir?.path ?? "/var/lib/dpkg/info") ?? []) {
      if (!file.endsWith(".list")) continue;
      const pkg = file.slice(0, -".list".length).replace(/:.*$/, "");
      const text = readText(view, `/var/lib/dpkg/info/${file}`);
      for (const line of text?.split("\n") ?? []) if (line.includes(".so")) add(line, pkg);
    }
  };
  const licenseOf = (info) => {
    if (info.manager !== "dpkg") return info.license;
    const text = readText(view, `/usr/share/doc/${info.name}/copyright`);
    if (text === void 0) return void 0;
    const names = [...new Set([...text.matchAll(/^License: *(\S.*)$/gm)].map((m) => (m[1] ?? "").trim()))];
    return names.length === 0 ? void 0 : names.join(" AND ");
  };
  return {
    owner(path2) {
      if (index === void 0) load();
      const target = resolvePath(view, path2)?.path;
      if (target === void 0) return void 0;
      for (const name of /* @__PURE__ */ new Set([basename(path2), basename(target)])) {
        for (const c of index?.get(name) ?? []) {
          if (c.path !== path2 && c.path !== target && resolvePath(view, c.path)?.path !== target) continue;
          const info = infos?.get(c.pkg) ?? { manager: "dpkg", name: c.pkg };
          if (info.manager === "dpkg" && info.license === void 0) {
            const license = licenseOf(info);
            if (license !== void 0) info.license = license;
          }
          return info;
        }
      }
      return void 0;
    }
  };
}
function readText(view, path2) {
  const r = resolvePath(view, dirname(path2));
  if (r === void 0) return void 0;
  const f = resolvePath(view, joinPath(r.path, basename(path2)));
  return f === void 0 ? void 0 : view.readFile(f.path, 1 << 26)?.toString("utf8");
}

// src/closure/data.ts
import { existsSync as existsSync2 } from "node:fs";
import { join as join2, posix } from "node:path";
var KNOWN_DATA = [
  { library: /^libproj\.so/, name: "proj", marker: "proj.db", why: "PROJ opens proj.db from ../share/proj relative to its library (EPSG codes fail without it)" },
  { library: /^libgdal\.so/, name: "gdal", why: "GDAL reads its data files (GDAL_DATA) from ../share/gdal relative to its library" }
];
function dataTarget(libDir, known) {
  if (TRUNK_LIBRARY_DIRS.has(libDir)) return posix.join("sys", "share", known.name);
  return posix.join(libDir, "..", "share", known.name);
}
var TRUNK_LIBRARY_DIRS = /* @__PURE__ */ new Set(["pgsql/pkglib", "pgsql/lib"]);
function dataPresent(root, target, known) {
  return existsSync2(join2(root, target)) && (known.marker === void 0 || existsSync2(join2(root, target, known.marker)));
}

// src/closure/check.ts
var ARCH_MACHINE = {
  amd64: { machine: "x86_64", class: 64 },
  arm64: { machine: "aarch64", class: 64 }
};
function checkTree(dir, options) {
  return checkScanned(scanTree(dir, parseOptionsFor(options)), options);
}
function parseOptionsFor(options) {
  const musl = (options.platform?.libc ?? options.inventory.libc) === "musl";
  return { relocations: musl, symbols: musl };
}
var LIBC_PARTS = /^(libc|libm|libdl|libpthread|librt|libutil|libresolv|libnsl|libanl|libmvec|libBrokenLocale|libcrypt)\.so(\.\d+)*$|^ld-linux|^ld64\.so|^libc\.musl-|^ld-musl-/;
function checkScanned(tree, options) {
  const inventory = options.inventory;
  const index = indexInventory(inventory);
  const model = modelOf(inventory);
  const layouts = options.layouts ?? layoutsFor(tree, inventory, options);
  const build = typeof options.build === "string" ? dirRoot(options.build) : options.build;
  const known = new Map(tree.files.map((f) => [f.local, f.elf]));
  const views = layouts.map((layout) => ({
    layout,
    run: loaderView({ mounts: layout.mounts, base: index, known }),
    explain: build === void 0 ? void 0 : loaderView({ mounts: layout.mounts, base: index, outside: build, known })
  }));
  const platform = options.platform;
  const want = platform === void 0 ? { machine: inventory.machine, class: inventory.class } : ARCH_MACHINE[platform.arch];
  const libc = platform?.libc ?? inventory.libc;
  const owners = build === void 0 ? void 0 : packageDb(build);
  const files = tree.files.map((file) => {
    const elf = file.elf;
    if (elf instanceof Error) {
      return { path: file.path, verdict: "fail", needed: [], runpath: [], rpath: [], resolved: {}, problems: [{ kind: "malformed", severity: "error", message: elf.message }] };
    }
    const result = {
      path: file.path,
      verdict: "ok",
      needed: elf.needed,
      runpath: elf.runpath,
      rpath: elf.rpath,
      ...elf.soname !== void 0 && { soname: elf.soname },
      machine: elf.machine,
      ...elf.libc !== void 0 && { libc: elf.libc },
      resolved: {},
      problems: []
    };
    const problems = [];
    const add = (p) => problems.push(p);
    if (elf.type === "rel" || elf.type === "core" || !elf.dynamic) return finish(result, problems);
    if (elf.machine !== want.machine || elf.class !== want.class) {
      add({ kind: "machine", severity: "error", message: `built for ${elf.machine} (ELF${elf.class}); the platform is ${want.machine} (ELF${want.class})` });
      return finish(result, problems);
    }
    if (elf.libc !== void 0 && elf.libc !== libc) {
      const evidence = elf.interp !== void 0 ? `its interpreter is ${elf.interp}` : `it needs ${elf.needed.find((n) => LIBC_PARTS.test(n)) ?? "glibc symbol versions"}`;
      add({ kind: "libc", severity: "error", message: `linked against ${elf.libc} (${evidence}); the platform's libc is ${libc}` });
    }
    if (elf.textrel) add({ kind: "textrel", severity: "error", message: "has text relocations (DT_TEXTREL): the loader must write to its code; rebuild with -fPIC" });
    if (libc === "musl" && elf.irelative > 0) {
      add({ kind: "irelative", severity: "error", message: `has ${elf.irelative} IRELATIVE relocation(s) (GNU ifunc): musl cannot process them ("unsupported relocation type")` });
    }
    if (libc === "musl" && elf.ifuncCount > 0) {
      add({ kind: "ifunc", severity: "error", message: `defines ${elf.ifuncCount} GNU ifunc symbol(s) (${elf.ifuncs.join(", ")}): musl cannot bind them ("symbol not found")` });
    }
    if (elf.interp !== void 0 && elf.libc === libc) {
      const known2 = inventory.interpreters.some((i) => i === elf.interp || index.canonical(i) === index.canonical(elf.interp));
      if (!known2) add({ kind: "interp", severity: "error", message: `asks for the program interpreter ${elf.interp}, which the base image does not have (it has ${inventory.interpreters.join(", ") || "none"})` });
    }
    for (const { layout, run: run2, explain } of views) {
      const at = runtimePath(layout, file);
      if (at === void 0) continue;
      const tag = (p) => add({ ...p, layouts: [layout.name] });
      runPathProblems(elf, layout, tag);
      const node = nodeFor(elf, at, layout, index.inventory);
      const loaded = /* @__PURE__ */ new Map();
      for (const name of elf.needed) {
        const res = resolveName(model, run2, node, name, loaded);
        if (res.found !== void 0) noteLoaded(model, loaded, name, res.found);
        if (!(name in result.resolved)) result.resolved[name] = res.found?.path ?? null;
        if (res.found === void 0) {
          notFound(res, name, node, explain, model, owners, tag, inventory);
          continue;
        }
        const facts = res.found.facts;
        if (facts !== void 0 && (facts.machine !== want.machine || facts.class !== want.class)) {
          tag({ kind: "machine", severity: "error", needed: name, path: res.found.path, message: `${name} resolves to ${res.found.path}, built for ${facts.machine}` });
        }
        if (libc === "glibc" && facts !== void 0) versionProblems(elf, name, facts, res.found.path, inventory, tag);
      }
    }
    return finish(result, mergeLayouts(problems, views.length));
  });
  const data = [];
  for (const f of tree.files) {
    const soname = f.elf instanceof Error ? void 0 : f.elf.soname;
    if (soname === void 0) continue;
    for (const known2 of KNOWN_DATA) {
      if (!known2.library.test(soname)) continue;
      const target = dataTarget(f.dir, known2);
      const present = dataPresent(tree.root, target, known2);
      data.push({ library: soname, name: known2.name, target, present, why: known2.why });
      const result = files.find((r) => r.path === f.path);
      if (!present) result?.problems.push({ kind: "data", severity: "warning", message: `${soname} needs its data at ${target} (${known2.why}): ship it there` });
    }
  }
  let glibcRequired;
  for (const f of tree.files) {
    if (f.elf instanceof Error) continue;
    for (const need of f.elf.verneed) {
      for (const v of need.versions) {
        const glibc = /^GLIBC_(\d+(?:\.\d+)*)$/.exec(v.name)?.[1];
        if (glibc !== void 0 && (glibcRequired === void 0 || compareVersions(glibc, glibcRequired) > 0)) glibcRequired = glibc;
      }
    }
  }
  return {
    ok: files.every((f) => f.verdict === "ok"),
    files,
    bundled: [],
    data,
    layouts: layouts.map((l) => ({ name: l.name, mounts: l.mounts.map((m) => ({ runtime: m.runtime, dir: m.local.slice(tree.root.replace(/\/+$/, "").length + 1) || "." })) })),
    base: { source: inventory.source, libc: inventory.libc, machine: inventory.machine, ...inventory.glibcVersion !== void 0 && { glibcVersion: inventory.glibcVersion } },
    ...glibcRequired !== void 0 && { glibcRequired }
  };
}
function finish(result, problems) {
  result.problems = problems;
  result.verdict = problems.some((p) => p.severity === "error") ? "fail" : "ok";
  return result;
}
function nodeFor(elf, at, layout, inventory) {
  const dir = at.slice(0, at.lastIndexOf("/"));
  const isModule = layout.moduleDirs.includes(dir);
  const pg = layout.postgres;
  if (isModule && pg !== void 0) {
    const server = {
      path: pg.bin,
      facts: { machine: inventory.machine, class: inventory.class, type: "dyn", needed: pg.needed, rpath: pg.rpath, runpath: pg.runpath, flags1: 0, verdef: [], verneed: [] },
      main: true
    };
    return { path: at, facts: elf, parent: server };
  }
  const main = elf.interp !== void 0 && (elf.type === "exec" || elf.type === "dyn");
  return { path: at, facts: elf, ...main && { main: true } };
}
function runPathProblems(elf, layout, add) {
  const field = elf.runpath.length > 0 ? "RUNPATH" : "RPATH";
  const entries = elf.runpath.length > 0 ? elf.runpath : elf.rpath;
  for (const entry of entries) {
    if (entry.startsWith("/")) {
      const inside = layout.mounts.some((m) => entry === m.runtime || entry.startsWith(`${m.runtime}/`));
      if (!inside) add({ kind: "absolute-runpath", severity: "warning", message: `${field} entry ${entry} is an absolute path outside the package (left over from the build?): the loader searches it wherever the package runs` });
    } else if (!/^\$(ORIGIN|\{ORIGIN\})(\/|$)/.test(entry)) {
      add({ kind: "relative-runpath", severity: "warning", message: `${field} entry "${entry}" is relative to the server's working directory, not to the file: use $ORIGIN` });
    }
    if (/\$(\{PLATFORM\}|PLATFORM(?![A-Za-z0-9_]))/.test(entry)) {
      add({ kind: "platform-runpath", severity: "warning", message: `${field} entry "${entry}" uses $PLATFORM, which the loader expands by the CPU it runs on (x86_64 may become haswell or xeon_phi): libraries found through it on one machine are missed on another` });
    }
  }
}
function notFound(res, name, node, explain, model, owners, add, inventory) {
  const fatal = res.rejected.find((r) => r.fatal);
  if (fatal !== void 0) {
    add({ kind: "not-loadable", severity: "error", needed: name, path: fatal.path, message: `${name}: the loader stops at ${fatal.path}: ${fatal.reason}` });
    return;
  }
  const leaked = res.searched.filter((s) => s.entry !== void 0 && s.entry.startsWith("/"));
  if (explain !== void 0) {
    const again = resolveName(model, explain, node, name);
    const f = again.found;
    if (f !== void 0 && f.origin === "outside") {
      const pkg = owners?.owner(f.realPath);
      const pkgText = pkg === void 0 ? "" : ` (package ${pkg.name}${pkg.version === void 0 ? "" : ` ${pkg.version}`})`;
      if (f.via === "rpath" || f.via === "runpath") {
        add({
          kind: "outside",
          severity: "error",
          needed: name,
          path: f.path,
          hint: `${f.realPath}${pkgText}`,
          message: `${name} is found only at ${f.path}, through ${f.via.toUpperCase()} entry ${f.entry}, which lies outside the package and the base image (leaked from the build); bundle it or install it in the base`
        });
      } else {
        add({
          kind: "not-found",
          severity: "error",
          needed: name,
          hint: `${f.realPath}${pkgText}`,
          message: `${name} is in neither the package nor the base image; the build environment has it at ${f.realPath}${pkgText}: bundle it (--bundle)`
        });
      }
      return;
    }
  }
  const elsewhere = indexInventoryNames(inventory, name);
  const via = leaked.length > 0 ? ` (searched ${leaked.map((s) => s.entry).join(", ")} from ${leaked[0]?.via.toUpperCase()}: not in the package or the base image)` : "";
  add({
    kind: "not-found",
    severity: "error",
    needed: name,
    ...elsewhere !== void 0 && { hint: elsewhere },
    message: `${name} is in neither the package nor the base image${via}${elsewhere === void 0 ? "" : `; the base has ${elsewhere}, outside the loader's search path`}`
  });
}
function indexInventoryNames(inventory, name) {
  return inventory.libraries.find((l) => l.soname === name)?.path;
}
function versionProblems(elf, name, dep, path2, inventory, add) {
  for (const need of elf.verneed) {
    if (need.file !== name) continue;
    if (dep.verdef.length === 0) {
      add({ kind: "symbol-version", severity: "warning", needed: name, path: path2, message: `${name} (${path2}) has no version information; the file asks for ${need.versions.map((v) => v.name).join(", ")}` });
      continue;
    }
    for (const v of need.versions) {
      if (dep.verdef.includes(v.name)) continue;
      const glibc = /^GLIBC_(\d+(?:\.\d+)*)$/.exec(v.name)?.[1];
      const severity = v.weak ? "warning" : "error";
      if (glibc !== void 0 && inventory.glibcVersion !== void 0 && compareVersions(glibc, inventory.glibcVersion) > 0) {
        add({ kind: "glibc-version", severity, needed: name, version: v.name, path: path2, message: `needs ${v.name} from ${name}; the base image's glibc provides up to GLIBC_${inventory.glibcVersion}` });
      } else {
        add({ kind: "symbol-version", severity, needed: name, version: v.name, path: path2, message: `needs version ${v.name} of ${name}, which ${path2} does not define` });
      }
    }
  }
}
function mergeLayouts(problems, layoutCount) {
  const out = /* @__PURE__ */ new Map();
  for (const p of problems) {
    const key = `${p.kind}\0${p.needed ?? ""}\0${p.version ?? ""}\0${p.kind.endsWith("runpath") ? p.message : ""}`;
    const seen = out.get(key);
    if (seen === void 0) out.set(key, { ...p });
    else if (p.layouts !== void 0) seen.layouts = [.../* @__PURE__ */ new Set([...seen.layouts ?? [], ...p.layouts])];
  }
  return [...out.values()].map((p) => {
    if (p.layouts === void 0 || p.layouts.length < layoutCount) return p;
    const { layouts: _all, ...rest } = p;
    return rest;
  });
}

// src/closure/bundle.ts
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, cpSync, existsSync as existsSync3, lstatSync as lstatSync3, mkdirSync as mkdirSync2, readFileSync as readFileSync3, readlinkSync as readlinkSync2, renameSync as renameSync2, rmSync, symlinkSync } from "node:fs";
import { join as join3, posix as posix2, resolve } from "node:path";
async function bundleTree(dir, options) {
  const root = resolve(dir);
  const work = `${root}.bundling-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  cpSync(root, work, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  let result;
  try {
    result = await bundleInPlace(work, { ...options, name: options.name ?? basename(root) });
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    throw err instanceof UserError ? new UserError(err.message.replaceAll(work, root), { exitCode: err.exitCode }) : err;
  }
  const old = `${root}.replaced-${process.pid}`;
  renameSync2(root, old);
  renameSync2(work, root);
  rmSync(old, { recursive: true, force: true });
  return result;
}
async function bundleInPlace(dir, options) {
  const parse = parseOptionsFor(options);
  const first = scanTree(dir, parse);
  const libDir = pathWithin(dir, first.libDir);
  mkdirSync2(libDir, { recursive: true });
  const want = options.platform === void 0 ? { machine: options.inventory.machine, class: options.inventory.class } : ARCH_MACHINE[options.platform.arch];
  const libc = options.platform?.libc ?? options.inventory.libc;
  const attempted = /* @__PURE__ */ new Set();
  const refused = /* @__PURE__ */ new Map();
  const bundled = /* @__PURE__ */ new Map();
  const max = options.maxLibraries ?? 500;
  for (let round = 0; round < 64; round++) {
    const result2 = checkScanned(scanTree(dir, parse), { ...options, build: void 0 });
    const wanted = /* @__PURE__ */ new Map();
    const hints = {};
    for (const f of result2.files) {
      for (const p of f.problems) {
        if (p.kind !== "not-found" && p.kind !== "outside" || p.needed === void 0) continue;
        if (LIBC_PARTS.test(p.needed)) continue;
        const b = bundled.get(p.needed);
        if (b !== void 0) b.neededBy.add(f.path);
        if (attempted.has(p.needed)) continue;
        wanted.set(p.needed, (wanted.get(p.needed) ?? /* @__PURE__ */ new Set()).add(f.path));
        const dirs = [...f.runpath, ...f.rpath].filter((d) => d.startsWith("/"));
        hints[p.needed] = [.../* @__PURE__ */ new Set([...hints[p.needed] ?? [], ...dirs])];
      }
    }
    if (wanted.size === 0) break;
    for (const n of wanted.keys()) attempted.add(n);
    const fetched = await options.source.fetch([...wanted.keys()], { machine: want.machine, class: want.class, libc, hints });
    for (const [soname, lib] of fetched) {
      if (bundled.size >= max) throw new UserError(`bundling stopped at ${max} libraries: more are missing (${soname}); is the base image the right one?`);
      const reason = unfit(lib, want, libc);
      if (reason !== void 0) {
        refused.set(soname, reason);
        continue;
      }
      const placed = place(lib, libDir, dir);
      bundled.set(soname, { lib, ...placed, neededBy: wanted.get(soname) ?? /* @__PURE__ */ new Set() });
    }
    fixRunPaths(scanTree(dir, parse), options);
  }
  fixRunPaths(scanTree(dir, parse), options);
  const copiedFrom = /* @__PURE__ */ new Map();
  for (const [soname, b] of bundled) {
    for (const known of KNOWN_DATA) {
      if (!known.library.test(soname)) continue;
      const target = dataTarget(first.libDir, known);
      if (dataPresent(dir, target, known)) continue;
      const from = await options.source.dataDir?.(known.name, b.lib);
      if (from === void 0 || known.marker !== void 0 && !existsSync3(join3(from, known.marker))) continue;
      cpSync(from, pathWithin(dir, target), { recursive: true, dereference: true });
      copiedFrom.set(target, from);
    }
  }
  const licenseFiles = /* @__PURE__ */ new Map();
  for (const [soname, b] of bundled) {
    if (b.lib.licenseText === void 0 || !existsSync3(b.lib.licenseText)) continue;
    const file = posix2.join("licenses", b.lib.package ?? soname, "copyright");
    const at = pathWithin(dir, file);
    if (!existsSync3(at)) {
      mkdirSync2(join3(dir, posix2.dirname(file)), { recursive: true });
      cpSync(b.lib.licenseText, at, { dereference: true });
    }
    licenseFiles.set(soname, file);
  }
  const result = checkScanned(scanTree(dir, parse), options);
  result.bundled = [...bundled.entries()].map(([soname, b]) => {
    const bytes = readFileSync3(join3(dir, b.file));
    return {
      soname,
      file: b.file,
      links: b.links,
      size: bytes.length,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      ...b.lib.source !== void 0 && { source: b.lib.source },
      ...b.lib.package !== void 0 && { package: b.lib.package },
      ...b.lib.version !== void 0 && { version: b.lib.version },
      ...b.lib.license !== void 0 && { license: b.lib.license },
      ...licenseFiles.has(soname) && { licenseFile: licenseFiles.get(soname) },
      neededBy: [...b.neededBy].sort()
    };
  });
  result.data = result.data.map((d) => {
    const from = copiedFrom.get(d.target);
    return from === void 0 ? d : { ...d, from };
  });
  for (const [soname, reason] of refused) {
    for (const f of result.files) for (const p of f.problems) if (p.needed === soname && (p.kind === "not-found" || p.kind === "outside")) p.message += `; not bundled: ${reason}`;
  }
  result.ok = result.files.every((f) => f.verdict === "ok");
  return result;
}
function unfit(lib, want, libc) {
  try {
    const elf = readElf(lib.realPath);
    if (elf.type !== "dyn") return `${lib.source ?? lib.realPath} is not a shared library`;
    if (elf.machine !== want.machine || elf.class !== want.class) return `${lib.source ?? lib.realPath} is built for ${elf.machine}`;
    if (elf.libc !== void 0 && elf.libc !== libc) return `${lib.source ?? lib.realPath} is linked against ${elf.libc}`;
    return void 0;
  } catch (err) {
    if (err instanceof ElfError) return err.message;
    throw err;
  }
}
function place(lib, libDir, root) {
  const chain = lib.linkChain.length > 0 ? lib.linkChain : [lib.soname];
  const realName = chain[chain.length - 1];
  const rel = (p) => posix2.relative(root, p.split("\\").join("/"));
  const target = pathWithin(root, rel(join3(libDir, realName)));
  if (existsSync3(target)) {
    if (!readFileSync3(target).equals(readFileSync3(lib.realPath))) throw new UserError(`cannot bundle ${lib.soname}: ${rel(target)} exists and differs from ${lib.source ?? lib.realPath}`);
  } else {
    copyFileSync(lib.realPath, target);
    chmodSync(target, 420);
  }
  const links = [];
  for (let i = chain.length - 2; i >= 0; i--) {
    const link = join3(libDir, chain[i]);
    const to = chain[i + 1];
    let present;
    try {
      present = lstatSync3(link).isSymbolicLink() ? readlinkSync2(link) : "";
    } catch {
      present = void 0;
    }
    if (present === void 0) symlinkSync(to, link);
    else if (present !== to) throw new UserError(`cannot bundle ${lib.soname}: ${rel(link)} exists and is not a link to ${to}`);
    links.push(rel(link));
  }
  return { file: rel(target), links };
}
function fixRunPaths(tree, options) {
  const inventory = options.inventory;
  const layouts = options.layouts ?? layoutsFor(tree, inventory, options);
  const index = indexInventory(inventory);
  const model = modelOf(inventory);
  const run2 = layouts[0] === void 0 ? void 0 : loaderView({ mounts: layouts[0].mounts, base: index });
  const libDirs = [.../* @__PURE__ */ new Set([tree.libDir, ...tree.files.map((f) => f.dir)])];
  const patched = [];
  for (const file of tree.files) {
    const elf = file.elf;
    if (elf instanceof Error || !elf.dynamic || elf.type === "rel") continue;
    const current = elf.runpath.length > 0 ? elf.runpath : elf.rpath;
    const add = [];
    for (const name of elf.needed) {
      const holder = libDirs.find((d) => d === file.dir && exists(join3(tree.root, d, name))) ?? libDirs.find((d) => exists(join3(tree.root, d, name)));
      if (holder === void 0) continue;
      for (const layout of layouts) {
        const entry = originEntry(tree, layout, file, holder);
        if (entry !== void 0 && !add.includes(entry)) add.push(entry);
      }
    }
    const serving = /* @__PURE__ */ new Set();
    if (run2 !== void 0 && layouts[0] !== void 0) {
      const at = runtimePath(layouts[0], file);
      if (at !== void 0) {
        for (const name of elf.needed) {
          const f = resolveName(model, run2, { path: at, facts: elf }, name).found;
          if (f?.entry !== void 0 && f.origin === "base" && f.entry.startsWith("/")) serving.add(f.entry);
        }
      }
    }
    const keep = current.filter((e) => /^\$(ORIGIN|\{ORIGIN\})(\/|$)/.test(e) || serving.has(e));
    const next = [...keep, ...add.filter((e) => !keep.includes(e))];
    if (next.length === current.length && next.every((e, i) => e === current[i])) continue;
    patchelf(file.local, next);
    patched.push(file.path);
  }
  return patched;
}
function exists(p) {
  try {
    lstatSync3(p);
    return true;
  } catch {
    return false;
  }
}
function originEntry(tree, layout, file, holderDir) {
  const at = runtimePath(layout, file);
  const mount = layout.mounts.find((m) => m.local === join3(tree.root, holderDir));
  if (at === void 0 || mount === void 0) return void 0;
  const rel = posix2.relative(posix2.dirname(at), mount.runtime);
  return rel === "" ? "$ORIGIN" : `$ORIGIN/${rel}`;
}
function patchelf(file, runpath) {
  const args = runpath.length === 0 ? ["--remove-rpath", file] : ["--set-rpath", runpath.join(":"), file];
  try {
    execFileSync("patchelf", args, { stdio: ["ignore", "ignore", "pipe"] });
  } catch (err) {
    const stderr = err.stderr?.toString().trim();
    throw new UserError(`patchelf ${args.join(" ")} failed: ${stderr || (err instanceof Error ? err.message : String(err))}`);
  }
}
function rootfsSource(root, options = {}) {
  const view = dirRoot(root);
  let inventory;
  const db = packageDb(view);
  const hostPath = (p) => `${root.replace(/\/+$/, "")}${p}`;
  const copyrightOf = (pkg) => {
    const doc = resolvePath(view, `/usr/share/doc/${pkg}`);
    const file = doc === void 0 ? void 0 : resolvePath(view, joinPath(doc.path, "copyright"));
    return file?.entry.kind === "file" ? { licenseText: hostPath(file.path) } : {};
  };
  return {
    async fetch(sonames, context) {
      if (inventory === void 0) {
        try {
          inventory = captureInventory(view, { libc: options.libc ?? context.libc });
        } catch (err) {
          if (!(err instanceof UserError)) throw err;
        }
      }
      const model = inventory !== void 0 ? modelOf(inventory) : defaultModel(context);
      const lview = loaderView({ mounts: [], outside: view });
      const extra = [...inventory?.loader.confDirs ?? [], "/usr/local/lib", "/usr/local/lib64"];
      const out = /* @__PURE__ */ new Map();
      for (const soname of sonames) {
        const node = {
          path: "/",
          facts: { machine: context.machine, class: context.class, type: "dyn", needed: [], rpath: [], runpath: context.hints[soname] ?? [], flags1: 0, verdef: [], verneed: [] }
        };
        let found = resolveName(model, lview, node, soname).found;
        if (found === void 0) {
          found = resolveName(model, lview, { ...node, facts: { ...node.facts, runpath: extra } }, soname).found;
        }
        if (found === void 0 || found.facts === void 0 || found.facts.machine !== context.machine) continue;
        const real = resolvePath(view, found.path);
        if (real === void 0) continue;
        const owner = db.owner(real.path);
        out.set(soname, {
          soname,
          realPath: hostPath(real.path),
          linkChain: linkChain(view, found.path),
          source: found.path,
          ...owner !== void 0 && { package: owner.name },
          ...owner?.version !== void 0 && { version: owner.version },
          ...owner?.license !== void 0 && { license: owner.license },
          ...owner?.manager === "dpkg" && copyrightOf(owner.name)
        });
      }
      return out;
    },
    async dataDir(name, lib) {
      const from = lib.source === void 0 ? void 0 : resolvePath(view, lib.source)?.path;
      const candidates = [...from === void 0 ? [] : [`${dirname(from)}/../share/${name}`, `${dirname(from)}/../../share/${name}`], `/usr/share/${name}`, `/usr/local/share/${name}`];
      for (const c of candidates) {
        const r = resolvePath(view, c);
        if (r?.entry.kind === "dir") return hostPath(r.path);
      }
      return void 0;
    }
  };
}
function defaultModel(context) {
  const triplet = MULTIARCH[context.machine];
  const glibcDirs = triplet === void 0 ? ["/lib", "/usr/lib"] : [`/lib/${triplet}`, `/usr/lib/${triplet}`, "/lib", "/usr/lib"];
  return {
    libc: context.libc,
    machine: context.machine,
    class: context.class,
    defaultDirs: context.libc === "glibc" ? glibcDirs : MUSL_DEFAULT_PATH,
    lib: triplet === void 0 ? "lib" : `lib/${triplet}`,
    platform: AT_PLATFORM[context.machine] ?? context.machine,
    interpreters: []
  };
}
function linkChain(view, path2) {
  const chain = [basename(path2)];
  let cur = path2;
  for (let i = 0; i < 40; i++) {
    const dir = resolvePath(view, dirname(cur));
    if (dir === void 0) break;
    const p = joinPath(dir.path, basename(cur));
    const e = view.lstat(p);
    if (e?.kind !== "symlink" || e.target === void 0) break;
    const next = e.target.startsWith("/") ? e.target : joinPath(dir.path, e.target);
    const name = basename(next);
    if (chain.includes(name)) break;
    chain.push(name);
    cur = next;
  }
  const real = resolvePath(view, path2);
  if (real !== void 0 && chain[chain.length - 1] !== basename(real.path)) chain.push(basename(real.path));
  return chain;
}

// src/closure/report.ts
function problemLine(p) {
  const where = p.layouts === void 0 ? "" : ` [${p.layouts.join(", ")}]`;
  return `${p.severity} ${p.kind}${where}: ${p.message}`;
}
function kib(n) {
  return n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(0)} KiB` : `${(n / (1 << 20)).toFixed(1)} MiB`;
}
function formatReport(result) {
  const lines = [];
  const max = limit("report-lines");
  for (const f of result.files) {
    lines.push(`${f.path}: ${f.verdict}`);
    for (const p of f.problems.slice(0, max)) lines.push(`  ${problemLine(p)}`);
    if (f.problems.length > max) lines.push(`  ... and ${f.problems.length - max} more problem(s) (--json lists all; --limit report-lines=N shows more)`);
  }
  for (const b of result.bundled) {
    const pkg = b.package === void 0 ? "" : `, ${b.package}${b.version === void 0 ? "" : ` ${b.version}`}${b.license === void 0 ? "" : `, ${b.license}`}`;
    lines.push(`bundled ${b.soname}: ${b.file} (${kib(b.size)}${pkg})`);
  }
  for (const d of result.data) lines.push(`data ${d.name} for ${d.library}: ${d.target} ${d.present ? "present" : "MISSING"}`);
  const failed = result.files.filter((f) => f.verdict === "fail").length;
  const base = `${result.base.source}: ${result.base.libc}${result.base.glibcVersion === void 0 ? "" : ` ${result.base.glibcVersion}`} ${result.base.machine}`;
  lines.push(`closure ${result.ok ? "ok" : "FAILED"}: ${result.files.length} ELF file(s), ${failed} failed, ${result.bundled.length} bundled (base ${base}; layouts ${result.layouts.map((l) => l.name).join(", ")})`);
  return `${lines.join("\n")}
`;
}

// src/closure/isa/check.ts
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

// src/closure/isa/commands.ts
var COMPILER = /^(?:[\w.+-]+-)?(?:cc|c\+\+|gcc|g\+\+|clang|clang\+\+|icx|icpx)(?:-\d+(?:\.\d+)*)?$/;
var WRAPPER = /^(?:ccache|sccache|distcc)$/;
var SOURCE = /\.(?:c|cc|cp|cpp|cxx|c\+\+|C|m|mm|S|s|sx|bc|ll)$/;
var MAX_LINE = 1 << 20;
function shellWords(line) {
  const words = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      word += end < 0 ? line.slice(i + 1) : line.slice(i + 1, end);
      i = end < 0 ? line.length : end;
      inWord = true;
    } else if (c === '"') {
      i++;
      for (; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === "\\" && i + 1 < line.length && '"\\$`'.includes(line[i + 1])) i++;
        word += line[i];
      }
      inWord = true;
    } else if (c === "\\" && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (c === " " || c === "	") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}
function compilerInvocations(log) {
  const out = [];
  const lines = log.split("\n");
  for (let n = 0; n < lines.length; n++) {
    const text = lines[n];
    if (text.length > MAX_LINE || !/(?:cc|\+\+|clang|icx|icpx)\b/.test(text)) continue;
    for (const part of text.split(/\s(?:&&|;|\|\|)\s/)) {
      const words = shellWords(part);
      const at = words.findIndex((w, i) => COMPILER.test(basename2(w)) && (i === 0 || !words[i - 1].startsWith("-") || WRAPPER.test(basename2(words[i - 1]))));
      if (at < 0) continue;
      const args = words.slice(at + 1);
      const sources = args.filter((a, i) => SOURCE.test(a) && !a.startsWith("-") && args[i - 1] !== "-o" && args[i - 1] !== "-MF" && args[i - 1] !== "-MT" && args[i - 1] !== "-MQ");
      const output = args[args.indexOf("-o") + 1];
      if (!args.includes("-c") && !args.includes("-o") && sources.length === 0) continue;
      out.push({ line: n + 1, compiler: words[at], args, files: args.includes("-c") && sources.length > 0 ? sources : output && args.includes("-o") ? [output] : sources });
    }
  }
  return out;
}
function basename2(p) {
  return p.slice(p.lastIndexOf("/") + 1);
}

// src/closure/isa/x86-cpus.ts
var X86_LEVEL_FEATURES = {
  "x86-64": ["fxsr", "mmx", "sse", "sse2"],
  "x86-64-v2": ["crc32", "cx16", "fxsr", "mmx", "mwait", "popcnt", "sahf", "sse", "sse2", "sse3", "sse4", "sse4.1", "sse4.2", "ssse3"],
  "x86-64-v3": ["avx", "avx2", "bmi", "bmi2", "crc32", "cx16", "f16c", "fma", "fxsr", "lzcnt", "mmx", "movbe", "mwait", "popcnt", "sahf", "sse", "sse2", "sse3", "sse4", "sse4.1", "sse4.2", "ssse3", "xsave"],
  "x86-64-v4": ["avx", "avx2", "avx512bw", "avx512cd", "avx512dq", "avx512f", "avx512vl", "bmi", "bmi2", "crc32", "cx16", "f16c", "fma", "fxsr", "lzcnt", "mmx", "movbe", "mwait", "popcnt", "sahf", "sse", "sse2", "sse3", "sse4", "sse4.1", "sse4.2", "ssse3", "xsave"]
};
var X86_CPUS = {
  nocona: ["x86-64", "cx16", "mwait", "sse3"],
  core2: ["nocona", "sahf", "ssse3"],
  nehalem: ["x86-64-v2"],
  corei7: ["x86-64-v2"],
  westmere: ["x86-64-v2", "pclmul"],
  sandybridge: ["westmere", "avx", "xsave", "xsaveopt"],
  "corei7-avx": ["sandybridge"],
  ivybridge: ["sandybridge", "f16c", "fsgsbase", "rdrnd"],
  "core-avx-i": ["ivybridge"],
  haswell: ["x86-64-v3", "fsgsbase", "hle", "pclmul", "rdrnd", "xsaveopt"],
  "core-avx2": ["haswell"],
  broadwell: ["haswell", "adx", "prfchw", "rdseed"],
  skylake: ["broadwell", "aes", "clflushopt", "sgx", "xsavec", "xsaves"],
  "skylake-avx512": ["skylake", "avx512bw", "avx512cd", "avx512dq", "avx512f", "avx512vl", "clwb", "pku"],
  cannonlake: ["skylake", "avx512bw", "avx512cd", "avx512dq", "avx512f", "avx512ifma", "avx512vbmi", "avx512vl", "pku", "sha"],
  "icelake-client": ["cannonlake", "avx512bitalg", "avx512vbmi2", "avx512vnni", "avx512vpopcntdq", "gfni", "rdpid", "vaes", "vpclmulqdq"],
  rocketlake: ["broadwell", "aes", "avx512bitalg", "avx512bw", "avx512cd", "avx512dq", "avx512f", "avx512ifma", "avx512vbmi", "avx512vbmi2", "avx512vl", "avx512vnni", "avx512vpopcntdq", "clflushopt", "gfni", "pku", "rdpid", "sha", "vaes", "vpclmulqdq", "xsavec", "xsaves"],
  "icelake-server": ["icelake-client", "clwb", "pconfig", "wbnoinvd"],
  cascadelake: ["skylake-avx512", "avx512vnni"],
  tigerlake: ["icelake-client", "avx512vp2intersect", "clwb", "kl", "movdir64b", "movdiri", "widekl"],
  cooperlake: ["cascadelake", "avx512bf16"],
  sapphirerapids: ["icelake-server", "amx-bf16", "amx-int8", "amx-tile", "avx512bf16", "avx512fp16", "avx512vp2intersect", "avxvnni", "cldemote", "enqcmd", "movdir64b", "movdiri", "ptwrite", "serialize", "tsxldtrk", "uintr", "waitpkg"],
  alderlake: ["x86-64-v3", "adx", "aes", "avxvnni", "cldemote", "clflushopt", "clwb", "fsgsbase", "gfni", "hreset", "kl", "movdir64b", "movdiri", "pclmul", "pconfig", "pku", "prfchw", "ptwrite", "rdpid", "rdrnd", "rdseed", "serialize", "sgx", "sha", "vaes", "vpclmulqdq", "waitpkg", "widekl", "xsavec", "xsaveopt", "xsaves"],
  bonnell: ["core2", "movbe"],
  atom: ["bonnell"],
  silvermont: ["westmere", "movbe", "prfchw", "rdrnd"],
  slm: ["silvermont"],
  goldmont: ["silvermont", "aes", "clflushopt", "fsgsbase", "rdseed", "sha", "xsave", "xsavec", "xsaveopt", "xsaves"],
  "goldmont-plus": ["goldmont", "ptwrite", "rdpid", "sgx"],
  tremont: ["goldmont-plus", "cldemote", "clwb", "gfni", "movdir64b", "movdiri", "waitpkg"],
  knl: ["broadwell", "avx512cd", "avx512er", "avx512f", "avx512pf", "prefetchwt1"],
  knm: ["knl", "avx5124fmaps", "avx5124vnniw", "avx512vpopcntdq"],
  "eden-x2": ["x86-64", "mwait", "sahf", "sse3"],
  nano: ["eden-x2", "ssse3"],
  "nano-1000": ["nano"],
  "nano-2000": ["nano"],
  "nano-3000": ["nano", "sse4.1"],
  "nano-x2": ["nano-3000"],
  "eden-x4": ["nano-3000"],
  "nano-x4": ["nano-3000"],
  k8: ["x86-64", "3dnow", "3dnowa"],
  "k8-sse3": ["k8", "mwait", "sse3"],
  opteron: ["k8"],
  "opteron-sse3": ["k8-sse3"],
  athlon64: ["k8"],
  "athlon64-sse3": ["k8-sse3"],
  "athlon-fx": ["k8"],
  amdfam10: ["k8-sse3", "abm", "cx16", "lzcnt", "popcnt", "prfchw", "sahf", "sse4a"],
  barcelona: ["amdfam10"],
  bdver1: ["westmere", "abm", "aes", "avx", "fma4", "lwp", "lzcnt", "prfchw", "sse4a", "xop", "xsave"],
  bdver2: ["bdver1", "bmi", "f16c", "fma", "tbm"],
  bdver3: ["bdver2", "fsgsbase", "xsaveopt"],
  bdver4: ["bdver3", "avx2", "bmi2", "movbe", "mwaitx", "rdrnd"],
  znver1: ["goldmont", "abm", "adx", "avx", "avx2", "bmi", "bmi2", "clzero", "f16c", "fma", "lzcnt", "mwaitx", "sse4a"],
  znver2: ["znver1", "clwb", "rdpid", "wbnoinvd"],
  znver3: ["znver2", "pku", "vaes", "vpclmulqdq"],
  btver1: ["core2", "abm", "lzcnt", "popcnt", "prfchw", "sse4a", "xsave"],
  btver2: ["sandybridge", "abm", "aes", "bmi", "f16c", "lzcnt", "movbe", "prfchw", "sse4a"]
};

// src/closure/isa/levels.ts
var x86Memo = /* @__PURE__ */ new Map();
function x86Features(name) {
  const memo = x86Memo.get(name);
  if (memo) return memo;
  let set;
  if (Object.hasOwn(X86_LEVEL_FEATURES, name)) set = new Set(X86_LEVEL_FEATURES[name]);
  else if (Object.hasOwn(X86_CPUS, name)) {
    const [base, ...add] = X86_CPUS[name];
    const inherited = x86Features(base);
    if (inherited) set = /* @__PURE__ */ new Set([...inherited, ...add]);
  }
  if (set) x86Memo.set(name, set);
  return set;
}
var X86_EXTENSIONS = /* @__PURE__ */ new Set([...Object.values(X86_LEVEL_FEATURES).flat(), ...Object.values(X86_CPUS).flatMap(([, ...add]) => add)]);
var X86_NEWER_EXTENSION = /^(avx[a-z0-9.]*|sse[a-z0-9.]*|amx-[a-z0-9-]+|apx[a-z]*|sha[0-9]*|sm[34]|cmpccxadd|raoint|prefetchi|usermsr|movrs)$/;
function x86Verdict(flag, baseline) {
  const base = x86Features(baseline);
  const m = /^-m(arch|tune|cpu)=(.+)$/.exec(flag);
  if (m) {
    if (m[2] === "native") return { flag, kind: "native", beyond: [] };
    if (m[1] !== "arch") return void 0;
    const features = x86Features(m[2]);
    if (!features) return { flag, kind: "unknown", beyond: [] };
    const beyond = [...features].filter((f) => !base.has(f)).sort();
    return beyond.length > 0 ? { flag, kind: "above", beyond } : void 0;
  }
  const ext = /^-m([a-z0-9][a-z0-9.-]*)$/.exec(flag)?.[1];
  if (!ext || ext.startsWith("no-")) return void 0;
  if (X86_EXTENSIONS.has(ext)) return base.has(ext) ? void 0 : { flag, kind: "above", beyond: [ext] };
  return X86_NEWER_EXTENSION.test(ext) ? { flag, kind: "unknown", beyond: [] } : void 0;
}
var ARM_VERSIONS = {
  "armv8-a": [void 0, "fp", "simd"],
  "armv8.1-a": ["armv8-a", "crc", "lse", "rdma"],
  "armv8.2-a": ["armv8.1-a"],
  "armv8.3-a": ["armv8.2-a", "rcpc", "pauth"],
  "armv8.4-a": ["armv8.3-a", "dotprod", "flagm"],
  "armv8.5-a": ["armv8.4-a", "sb", "ssbs", "predres"],
  "armv8.6-a": ["armv8.5-a", "i8mm", "bf16"],
  "armv9-a": ["armv8.5-a", "sve", "sve2", "fp16"]
};
var ARM_CPUS = {
  generic: ["armv8-a"],
  xgene1: ["armv8-a"],
  "cortex-a34": ["armv8-a", "crc"],
  "cortex-a35": ["armv8-a", "crc"],
  "cortex-a53": ["armv8-a", "crc"],
  "cortex-a57": ["armv8-a", "crc"],
  "cortex-a72": ["armv8-a", "crc"],
  "cortex-a73": ["armv8-a", "crc"],
  thunderx: ["armv8-a", "crc", "crypto"],
  thunderx2t99: ["armv8.1-a", "crypto"],
  "cortex-a55": ["armv8.2-a", "fp16", "rcpc", "dotprod"],
  "cortex-a75": ["armv8.2-a", "fp16", "rcpc", "dotprod"],
  "cortex-a76": ["armv8.2-a", "fp16", "rcpc", "dotprod", "ssbs"],
  "cortex-a77": ["armv8.2-a", "fp16", "rcpc", "dotprod", "ssbs"],
  "cortex-a78": ["armv8.2-a", "fp16", "rcpc", "dotprod", "ssbs", "profile"],
  "cortex-x1": ["armv8.2-a", "fp16", "rcpc", "dotprod", "ssbs", "profile"],
  "neoverse-n1": ["armv8.2-a", "fp16", "rcpc", "dotprod", "profile"],
  "neoverse-e1": ["armv8.2-a", "fp16", "rcpc", "dotprod", "ssbs"],
  a64fx: ["armv8.2-a", "fp16", "sve"],
  "neoverse-v1": ["armv8.4-a", "fp16", "sve", "rcpc", "i8mm", "bf16", "profile", "rng"],
  "neoverse-512tvb": ["armv8.4-a", "fp16", "sve", "rcpc", "i8mm", "bf16", "profile", "rng"],
  "cortex-a510": ["armv9-a", "sve2-bitperm", "memtag", "i8mm", "bf16"],
  "cortex-a710": ["armv9-a", "sve2-bitperm", "memtag", "i8mm", "bf16"],
  "cortex-x2": ["armv9-a", "sve2-bitperm", "memtag", "i8mm", "bf16"],
  "neoverse-n2": ["armv9-a", "sve2-bitperm", "memtag", "i8mm", "bf16", "rng"],
  "neoverse-v2": ["armv9-a", "sve2-bitperm", "memtag", "i8mm", "bf16", "rng"]
};
var ARM_ALIASES = { crypto: ["aes", "sha2"] };
function armFeatures(arch) {
  const [version, ...exts] = arch.split("+");
  if (!version || !Object.hasOwn(ARM_VERSIONS, version)) return void 0;
  const set = /* @__PURE__ */ new Set();
  for (let v = version; v; v = ARM_VERSIONS[v][0]) for (const f of [v, ...ARM_VERSIONS[v].slice(1)]) set.add(f);
  const named = (ext) => Object.hasOwn(ARM_ALIASES, ext) ? ARM_ALIASES[ext] : [ext];
  for (const e of exts) {
    if (e.startsWith("no")) for (const f of named(e.slice(2))) set.delete(f);
    else for (const f of named(e)) set.add(f);
  }
  return set;
}
function armVerdict(flag, baseline) {
  const m = /^-m(arch|tune|cpu)=(.+)$/.exec(flag);
  if (!m) return void 0;
  const [name, ...exts] = m[2].split("+");
  if (name === "native") return { flag, kind: "native", beyond: [] };
  if (m[1] === "tune") return void 0;
  const cpu = m[1] === "cpu" && Object.hasOwn(ARM_CPUS, name) ? ARM_CPUS[name] : void 0;
  if (m[1] === "cpu" && !cpu) return { flag, kind: "unknown", beyond: [] };
  const features = armFeatures([...cpu ?? [name], ...exts].join("+"));
  if (!features) return { flag, kind: "unknown", beyond: [] };
  const base = armFeatures(baseline);
  const beyond = [...features].filter((f) => !base.has(f)).sort();
  return beyond.length > 0 ? { flag, kind: "above", beyond } : void 0;
}
function judgeFlag(arch, baseline, flag) {
  return arch === "amd64" ? x86Verdict(flag, baseline) : armVerdict(flag, baseline);
}
var EMULATED_CPU = {
  "x86-64": "qemu64",
  "x86-64-v2": "Nehalem",
  "x86-64-v3": "Haswell-noTSX",
  "armv8-a": "cortex-a57"
};

// src/closure/isa/objects.ts
var GNU_PROPERTY_X86_ISA_1_NEEDED = 3221258242;
var X86_LEVEL_BITS = [
  [8, "x86-64-v4"],
  [4, "x86-64-v3"],
  [2, "x86-64-v2"],
  [1, "x86-64"]
];
var PRODUCER = /^(?:GNU [A-Z][\w+]* \d[\w.-]*|(?:\S+ )?clang version \S+)(?: \([^)]*\))*/;
function readObjectRecord(file) {
  const src = fileSource(file);
  try {
    return objectRecord(src);
  } finally {
    src.close();
  }
}
function objectRecord(src) {
  const table = readSections(src);
  const switches = [];
  for (const name of [".debug_str", ".debug_line_str"]) {
    const bytes = sectionBytes(src, table, name);
    if (!bytes) continue;
    for (const s of sectionStrings(bytes)) {
      const head = PRODUCER.exec(s);
      if (head) switches.push(flags(s.slice(head[0].length)));
    }
  }
  const recorded = sectionBytes(src, table, ".GCC.command.line");
  if (recorded) switches.push(sectionStrings(recorded).flatMap((s) => flags(s.slice(PRODUCER.exec(s)?.[0].length ?? 0))));
  const record = { switches };
  const notes = sectionBytes(src, table, ".note.gnu.property");
  if (notes) {
    const needed = gnuProperties(notes, table, src.name).find((p) => p.type === GNU_PROPERTY_X86_ISA_1_NEEDED && p.data.length >= 4);
    if (needed) {
      const bits = table.le ? needed.data.readUInt32LE(0) : needed.data.readUInt32BE(0);
      const level = X86_LEVEL_BITS.find(([bit]) => bits & bit)?.[1];
      if (level) record.x86Needed = level;
    }
  }
  return record;
}
var flags = (text) => text.split(" ").filter((w) => w.startsWith("-"));

// src/closure/isa/check.ts
function checkBuildLog(log, target, sourceRoot = "") {
  const found = /* @__PURE__ */ new Map();
  for (const inv of compilerInvocations(log)) {
    const files = inv.files.map((f) => relativeTo(f, sourceRoot));
    for (const v of judgeSwitches(inv.args, target)) {
      if (v.kind !== "native" && files.length > 0 && files.every((f2) => isDispatchFile(f2, target.dispatchFiles))) continue;
      const f = found.get(v.flag) ?? { ...v, evidence: "log", files: [], lines: [] };
      found.set(v.flag, f);
      for (const file of files) if (!f.files.includes(file)) f.files.push(file);
      f.lines.push(inv.line);
    }
  }
  return [...found.values()];
}
async function checkObjects(dir, target, options = {}) {
  const found = /* @__PURE__ */ new Map();
  const add = (v, file) => {
    const f = found.get(v.flag) ?? { ...v, evidence: "object", files: [], lines: [] };
    found.set(v.flag, f);
    if (!f.files.includes(file)) f.files.push(file);
  };
  const objects = (await readdir(dir, { withFileTypes: true, recursive: true })).filter((e) => e.isFile() && (options.all || e.name.endsWith(".o"))).map((e) => path.join(e.parentPath, e.name)).sort();
  for (const full of objects) {
    const rel = path.relative(dir, full);
    let record;
    try {
      record = readObjectRecord(full);
    } catch (err) {
      if (isElfError(err)) continue;
      throw err;
    }
    const dispatch = isDispatchFile(rel, target.dispatchFiles, true);
    for (const switches of record.switches) for (const v of judgeSwitches(switches, target)) if (v.kind === "native" || !dispatch) add(v, rel);
    if (record.x86Needed && target.arch === "amd64" && !dispatch) {
      const v = judgeFlag("amd64", target.baseline, `-march=${record.x86Needed}`);
      if (v) add({ ...v, flag: `x86 ISA needed: ${record.x86Needed}` }, rel);
    }
  }
  return [...found.values()].sort((a, b) => a.flag.localeCompare(b.flag));
}
function mergeFindings(findings) {
  const merged = /* @__PURE__ */ new Map();
  for (const f of findings) {
    const key = `${f.evidence} ${f.flag}`;
    const m = merged.get(key);
    if (!m) {
      merged.set(key, { ...f, beyond: [...f.beyond], files: [...f.files], lines: [...f.lines] });
      continue;
    }
    m.beyond = [.../* @__PURE__ */ new Set([...m.beyond, ...f.beyond])].sort();
    m.files.push(...f.files.filter((x) => !m.files.includes(x)));
    m.lines.push(...f.lines);
  }
  return [...merged.values()];
}
function judgeSwitches(args, target) {
  const verdicts = [...new Set(args)].flatMap((a) => judgeFlag(target.arch, target.baseline, a) ?? []);
  const march = verdicts.find((v) => v.flag.startsWith("-march=") && v.kind !== "native");
  if (!march) return verdicts;
  const extension = (v) => v.kind === "above" && !/^-m(arch|cpu|tune)=/.test(v.flag);
  const beyond = /* @__PURE__ */ new Set([...march.beyond, ...verdicts.filter(extension).flatMap((v) => v.beyond)]);
  const folded = beyond.size > 0 ? { flag: march.flag, kind: "above", beyond: [...beyond].sort() } : march;
  return verdicts.filter((v) => !extension(v)).map((v) => v === march ? folded : v);
}
function relativeTo(file, root) {
  const rel = root && file.startsWith(`${root}/`) ? file.slice(root.length + 1) : file;
  return rel.replace(/^(\.\/)+/, "");
}
function isDispatchFile(file, dispatch, object = false) {
  if (!dispatch?.length) return false;
  const stem = object ? file.replace(/\.o$/, "") : file;
  return dispatch.some((d) => {
    const forms = object ? [d, d.replace(/\.[^./]+$/, ""), d.replaceAll("/", "_")] : [d];
    return forms.some((x) => stem === x || stem.endsWith(`/${x}`) || object && stem.endsWith(`_${x}`));
  });
}
function describeFindings(findings, context) {
  const { target } = context;
  const lines = [`code compiled for more than the platform's instruction-set baseline (${target.baseline}) would crash with SIGILL ("illegal instruction") on CPUs that have only that:`];
  for (const f of findings) {
    const what = f.kind === "native" ? "the build machine's CPU, whatever it is" : f.kind === "unknown" ? `not known to stay within ${target.baseline}` : `uses ${list(f.beyond, 8)}, beyond ${target.baseline}`;
    const where = f.evidence === "log" ? `${f.lines.length} compiler invocation${f.lines.length === 1 ? "" : "s"} in ${context.logName} (line ${list(f.lines.map(String), 3)})` : "the compiler's record in the object";
    lines.push(`  ${f.flag} (${what}): ${where}: ${list(f.files, 4)}`);
  }
  lines.push(...fixes(findings, context));
  return lines.join("\n");
}
function fixes(findings, context) {
  const out = [];
  const flags2 = [...new Set(findings.filter((f) => f.evidence === "log" || !findings.some((g) => g.evidence === "log")).map((f) => f.flag))];
  const make = context.pipeline === "pgxs" || context.pipeline === "autoconf";
  const assigned = make ? makeAssignments(context.makefiles ?? [], flags2) : [];
  for (const a of assigned) {
    out.push(
      a.override ? `fix: source.patches: ${a.file} sets ${a.variable} with "override", which no make argument can undo: patch out ${a.flags.join(" ")}` : `fix: build.make: ["${a.variable}=${a.rest}"] (${a.file} sets ${a.variable} to ${a.value}; a make argument overrides it)`
    );
  }
  const rest = flags2.filter((f) => !assigned.some((a) => a.flags.includes(f)));
  if (rest.length > 0 || out.length === 0) {
    const hint = {
      pgxs: 'build.make: override the make variable that adds it (pgvector: build.make: ["OPTFLAGS="])',
      autoconf: "build.configure: the option that turns native tuning off (or CFLAGS=...), or build.make: the make variable that adds it",
      cmake: "build.configure: the -D option that turns native tuning off, or -DCMAKE_C_FLAGS=... without it",
      meson: "build.configure: the -D option that turns native tuning off, or -Dc_args=... without it",
      script: "build.script or build.env: build without it"
    };
    out.push(`fix ${rest.length > 0 ? list(rest, 4) : "it"} in the entry: ${hint[context.pipeline] ?? "build.make, build.env or build.configure"}; where no option can, source.patches`);
  }
  if (findings.some((f) => f.kind !== "native")) {
    out.push("a file compiled for more on purpose, whose code runs only after a run-time CPU feature check, goes in build.dispatch_files");
  }
  return out;
}
function makeAssignments(makefiles, flags2) {
  const out = [];
  for (const { file, text } of makefiles) {
    for (const line of text.replace(/\\\n/g, " ").split("\n")) {
      const m = /^\s*(override\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*(?::=|::=|\+=|\?=|=)\s*(.*?)\s*(?:#.*)?$/.exec(line);
      if (!m) continue;
      const words = m[3].split(/\s+/).filter(Boolean);
      const hit = words.filter((w) => flags2.includes(w));
      if (hit.length === 0 || out.some((a) => a.variable === m[2])) continue;
      out.push({ file, variable: m[2], override: Boolean(m[1]), value: m[3], rest: words.filter((w) => !hit.includes(w)).join(" "), flags: hit });
    }
  }
  return out;
}
async function readMakefiles(sourceDir) {
  const out = [];
  for (const e of await readdir(sourceDir, { withFileTypes: true }).catch(() => [])) {
    if (!e.isFile() || !/^(GNUmakefile|[Mm]akefile|.*\.mk)$/.test(e.name)) continue;
    const text = await readFile(path.join(sourceDir, e.name), "utf8").catch(() => "");
    if (text.length < 1 << 20) out.push({ file: e.name, text });
  }
  return out;
}
function list(items, max) {
  return items.length <= max ? items.join(", ") : `${items.slice(0, max).join(", ")} and ${items.length - max} more`;
}

export {
  resolvePath,
  INVENTORY_FORMAT,
  INVENTORY_VERSION,
  captureInventory,
  highestGlibc,
  inventoryFromDir,
  inventoryFromTar,
  inventoryFromLayers,
  captureImageInventory,
  saveInventory,
  loadInventory,
  parseInventory,
  KNOWN_DATA,
  checkTree,
  bundleTree,
  rootfsSource,
  problemLine,
  formatReport,
  EMULATED_CPU,
  checkBuildLog,
  checkObjects,
  mergeFindings,
  describeFindings,
  readMakefiles
};
