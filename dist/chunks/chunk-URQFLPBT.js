import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  installTrunk,
  pack
} from "./chunk-BMFCF7MP.js";
import {
  TOP_TEXT
} from "./chunk-XO6UH2PY.js";
import {
  builderImageInput,
  writeSidecar
} from "./chunk-6AAOZECY.js";
import {
  detectEngine,
  exec,
  execStream,
  imageInventory,
  inspectImage,
  pull,
  removeContainer,
  startContainer
} from "./chunk-CLA3NJEB.js";
import {
  cacheRoot,
  fetchSource,
  unpackSource
} from "./chunk-PSXBTL7U.js";
import {
  bundleTree
} from "./chunk-AJ56BMCY.js";
import {
  UserError
} from "./chunk-YUDCMAJG.js";

// src/build/job.ts
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

// src/build/run.ts
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { cp, mkdir as mkdir3, readdir as readdir2, readFile as readFile2, rename as rename3, rm as rm2, stat as stat2, writeFile as writeFile2 } from "node:fs/promises";
import path4 from "node:path";
import { pipeline } from "node:stream/promises";

// src/build/libraries.ts
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path2 from "node:path";

// src/build/pipeline.ts
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
          `make -j"$JOBS" ${make}`,
          `make install DESTDIR=${CONTAINER.stage} ${make}`
        ];
      case "cmake":
        return [
          `cmake -S . -B _trunkfarm_build -DCMAKE_BUILD_TYPE=Release -DPG_CONFIG="$PG_CONFIG" -DPostgreSQL_CONFIG="$PG_CONFIG" ${configure}`,
          'cmake --build _trunkfarm_build -j "$JOBS"',
          `DESTDIR=${CONTAINER.stage} cmake --install _trunkfarm_build`
        ];
      case "meson":
        return [
          `meson setup _trunkfarm_build --buildtype=release -Dpg_config="$PG_CONFIG" ${configure}`,
          "meson compile -C _trunkfarm_build",
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

// src/build/libraries.ts
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
      await mkdir(hostBundle, { recursive: true });
      const hinted = [...new Set(Object.values(context.hints).flat())];
      const dirs = [...hinted, ...defaultDirs(context.libc, context.machine)].join(" ");
      const r = await exec(c, ["sh", "-c", FIND_SCRIPT, "find-libraries", CONTAINER.bundle, dirs, ...sonames], { log, live: null, tailLines: 400 });
      if (r.code !== 0) throw new UserError(`looking up ${sonames.join(", ")} in the builder failed:
${r.tail}`);
      const out = /* @__PURE__ */ new Map();
      for (const line of r.tail.split("\n")) {
        const [kind, soname, foundAt, real, pkg, version, license] = line.split("	");
        if (kind !== "found" || !soname || !real) continue;
        const file = path2.posix.basename(real);
        found.set(soname, real);
        out.set(soname, {
          soname,
          realPath: path2.join(hostBundle, soname, file),
          linkChain: file === soname ? [soname] : [soname, file],
          source: foundAt,
          ...pkg ? { package: pkg } : {},
          ...version ? { version } : {},
          ...license ? { license } : {},
          ...existsSync(path2.join(hostBundle, soname, "copyright")) ? { licenseText: path2.join(hostBundle, soname, "copyright") } : {}
        });
      }
      return out;
    },
    async dataDir(name, lib) {
      const real = found.get(lib.soname) ?? lib.source ?? "";
      const candidates = [path2.posix.join(path2.posix.dirname(real), "..", "share", name), `/usr/share/${name}`, `/usr/local/share/${name}`];
      const target = path2.posix.join(CONTAINER.bundle, "data", name);
      const script = `for d in ${candidates.map(shellQuote).join(" ")}; do if [ -d "$d" ]; then mkdir -p ${shellQuote(target)} && cp -R "$d/." ${shellQuote(target)}/ && echo "$d" && exit 0; fi; done; exit 3`;
      const r = await exec(c, ["sh", "-c", script], { log, live: null });
      if (r.code !== 0) return void 0;
      return path2.join(hostBundle, "data", name);
    }
  };
}

// src/build/stage.ts
import { mkdir as mkdir2, readdir, rename as rename2, rm } from "node:fs/promises";
import path3 from "node:path";
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
  const entries = await readdir(path3.join(root, rel), { withFileTypes: true });
  const out = [];
  for (const e of entries) {
    const p = path3.join(rel, e.name);
    if (e.isDirectory()) out.push(...await walk(root, p));
    else out.push(p);
  }
  return out;
}
async function layoutStage(destdir, stage, pg) {
  const dirs = Object.entries(LAYOUT_DIRS).map(([name, layout]) => ({ prefix: pg[name].replace(/^\/+|\/+$/g, ""), layout })).sort((a, b) => b.prefix.length - a.prefix.length);
  const files = (await walk(destdir)).sort();
  if (files.length === 0) throw new UserError("the build installed no files (is DESTDIR honoured by its install step?)");
  const outside = [];
  const moves = [];
  for (const file of files) {
    const dir = dirs.find((d) => file === d.prefix || file.startsWith(`${d.prefix}/`));
    if (!dir) outside.push(`/${file}`);
    else moves.push([file, path3.join("pgsql", dir.layout, file.slice(dir.prefix.length + 1))]);
  }
  if (outside.length > 0) {
    throw new UserError(`the build installed files outside PostgreSQL's directories, which no installer could place:
  ${outside.slice(0, 20).join("\n  ")}`);
  }
  for (const [from, to] of moves) {
    await mkdir2(path3.dirname(path3.join(stage, to)), { recursive: true });
    await rename2(path3.join(destdir, from), path3.join(stage, to));
  }
  await rm(destdir, { recursive: true, force: true });
  return moves.map(([, to]) => to);
}

// src/build/smoke.ts
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
  const preload = Object.entries(entry.contents.modules ?? {}).filter(([, m]) => m.preload === "server").map(([name]) => name);
  const settings = [];
  if (preload.length > 0) settings.push(`shared_preload_libraries = '${preload.join(",")}'`);
  if (mode === "volume") {
    const root = volumeMount(entry.name);
    settings.push(`extension_control_path = '$system:${root}/share'`, `dynamic_library_path = '$libdir:${root}/lib'`);
  }
  return settings;
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

// src/build/run.ts
var JOB_MOUNT = "/trunkfarm/job";
var StepError = class extends UserError {
  constructor(step, message) {
    super(`step "${step}" failed: ${message}`);
    this.step = step;
  }
  step;
};
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
async function newestMtime(dir) {
  let newest = 0;
  for (const e of await readdir2(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const s = await stat2(path4.join(e.parentPath, e.name));
    newest = Math.max(newest, Math.floor(s.mtimeMs / 1e3));
  }
  return newest;
}
async function buildJob(job, entry, platform, matrix, opts) {
  const log = opts.log ?? ((line) => process.stderr.write(`${line}
`));
  const name = jobDirName(job);
  const final = path4.resolve(opts.out, name);
  if (!opts.force) {
    const prev = await upToDate(final, job.key);
    if (prev) {
      log(`${name}: up to date (build key ${job.key.slice(0, 12)})`);
      return prev;
    }
  }
  const dir = `${final}.partial`;
  await rm2(dir, { recursive: true, force: true });
  const work = path4.join(dir, "work");
  const paths = {
    src: path4.join(work, "src"),
    destdir: path4.join(work, "destdir"),
    bundle: path4.join(work, "bundle"),
    scripts: path4.join(work, "scripts"),
    stage: path4.join(dir, "stage"),
    logs: path4.join(dir, "logs"),
    test: path4.join(work, "test"),
    extensions: path4.join(work, "extensions"),
    /** Where the system-mode test installs the trunk, to be copied over the base image's /. */
    sysroot: path4.join(work, "sysroot")
  };
  const clusters = path4.join(cacheRoot(), "clusters");
  for (const [key, p] of Object.entries(paths)) if (key !== "src") await mkdir3(p, { recursive: true });
  const startedAt = (/* @__PURE__ */ new Date()).toISOString();
  const steps = [];
  const failed = [];
  const result = {};
  let current = "setup";
  const logOf = (stepName) => path4.join(paths.logs, `${stepName}.log`);
  const step = async (stepName, fn) => {
    current = stepName;
    const record = { name: stepName, status: "ok", seconds: 0, log: path4.relative(dir, logOf(stepName)) };
    steps.push(record);
    const t0 = Date.now();
    log(`${name}: ${stepName}`);
    try {
      return await fn(logOf(stepName));
    } catch (err) {
      record.status = "failed";
      record.message = err.message;
      failed.push({ step: stepName, error: err });
      throw err;
    } finally {
      record.seconds = (Date.now() - t0) / 1e3;
    }
  };
  const run = async (c, stepName, script, o = {}) => {
    const logFile = logOf(stepName);
    const r = await exec(c, ["sh", "-c", script], {
      log: logFile,
      env: o.env ?? {},
      group: `${name}: ${stepName}`,
      ...o.user ? { user: o.user } : {},
      ...o.quiet ? { live: null } : {},
      ...o.stdin ? { stdin: o.stdin } : {}
    });
    if (r.code !== 0) throw new StepError(stepName, `exit status ${r.code}; last lines of ${path4.relative(opts.out, logFile)}:
${r.tail}`);
    return r;
  };
  const containers = [];
  let testerStart;
  const ahead = [];
  const release = (c) => {
    const i = containers.indexOf(c);
    return i < 0 ? Promise.resolve() : removeAll(containers.splice(i, 1));
  };
  try {
    let startTester2 = function() {
      const mounts = [
        { source: paths.test, target: TEST_MOUNT, readonly: true },
        { source: clusters, target: CLUSTERS_MOUNT, readonly: true }
      ];
      if (mode === "volume") mounts.push({ source: paths.extensions, target: path4.posix.dirname(volumeMount(entry.name)), readonly: true });
      else mounts.push({ source: dir, target: JOB_MOUNT, readonly: true });
      const c = startContainer(engine, { image: baseRef, platform: ociPlatform, network: "none", mounts, tmpfs: [PGDATA_MOUNT], user: "root" });
      containers.push(c);
      testerStart = c;
      return c.then(async (started) => {
        await freshCluster(started, baseInfo.id, settings, "test", earlyServer);
        return started;
      });
    };
    var startTester = startTester2;
    const engine = await detectEngine(opts.engine);
    const choice = opts.images ?? "auto";
    const sourcing = step("source", async () => {
      if ("path" in entry.source) {
        const repoRoot = path4.resolve(matrix.dir, "..");
        const from = path4.resolve(repoRoot, entry.source.path);
        if (!from.startsWith(`${repoRoot}${path4.sep}`) && from !== repoRoot) throw new UserError(`source.path ${entry.source.path} leaves the repository`);
        await cp(from, paths.src, { recursive: true });
        return { uri: `file:${path4.relative(repoRoot, from) || "."}`, sha256: "", from: "repository" };
      }
      const src = "git" in entry.source ? { git: entry.source.git, commit: entry.source.commit } : { ...entry.source.url ? { url: entry.source.url } : {}, sha256: entry.source.sha256, ...entry.source.debian ? { debian: entry.source.debian } : {} };
      const got = await fetchSource(src, { log });
      await unpackSource(got.path, paths.src);
      return { uri: got.url, sha256: got.sha256, from: got.from };
    });
    const imaging = step("images", async () => {
      const [builder2, base] = await Promise.all([chooseImage(engine, platform.builder, choice, platform), chooseImage(engine, platform.base, choice, platform)]);
      return { builderRef: builder2.ref, baseRef: base.ref, builderInfo: builder2.info, baseInfo: base.info };
    });
    await settle([sourcing, imaging]);
    const fetched = await sourcing;
    const { builderRef, baseRef, builderInfo, baseInfo } = await imaging;
    result.source = fetched;
    const epoch = Number(process.env.SOURCE_DATE_EPOCH ?? await newestMtime(paths.src));
    result.images = { builder: { ref: builderRef, id: builderInfo.id }, base: { ref: baseRef, id: baseInfo.id } };
    const ociPlatform = `linux/${platform.arch}`;
    const testing = opts.test !== false;
    const installchecking = testing && Boolean(entry.test?.installcheck);
    if (testing) await mkdir3(clusters, { recursive: true });
    const mode = platform.pg >= 18 ? "volume" : "system";
    const starting = startContainer(engine, {
      image: builderRef,
      network: "host",
      platform: ociPlatform,
      mounts: [
        { source: paths.src, target: CONTAINER.src },
        { source: paths.destdir, target: CONTAINER.stage },
        { source: paths.bundle, target: CONTAINER.bundle },
        { source: paths.scripts, target: CONTAINER.scripts, readonly: true },
        ...installchecking ? [{ source: clusters, target: CLUSTERS_MOUNT, readonly: true }] : []
      ],
      ...installchecking ? { tmpfs: [PGDATA_MOUNT] } : {}
    });
    containers.push(starting);
    const builder = await starting;
    await step("dependencies", async (logFile) => {
      const script = dependencyScript(entry, platform);
      const known = path4.join(cacheRoot(), "dependencies", createHash("sha256").update(`${builderInfo.id}
${script}`).digest("hex"));
      if (await stat2(known).catch(() => void 0)) {
        await writeFile2(logFile, `build dependencies present in image ${builderInfo.id} (found by an earlier build)
`);
        return;
      }
      const r = await run(builder, "dependencies", script);
      if (NOTHING_TO_INSTALL.test(r.tail)) {
        await mkdir3(path4.dirname(known), { recursive: true });
        await writeFile2(known, `${builderInfo.id}
`);
      }
    });
    const configuring = step("pg_config", async (logFile) => {
      const r = await exec(builder, ["sh", "-c", pgConfigScript(platform.pg)], { log: logFile, live: null, tailLines: 100 });
      if (r.code !== 0) throw new StepError("pg_config", r.tail);
      return parsePgConfig(r.tail);
    });
    const settings = smokeSettings(entry, mode);
    const earlyServer = startsEarly(settings);
    const tester = testing ? startTester2() : void 0;
    const icServer = installchecking ? freshCluster(builder, builderInfo.id, [], "installcheck", true) : void 0;
    for (const p of [tester, icServer]) if (p) ahead.push(p.catch(() => {
    }));
    await writeFile2(path4.join(paths.scripts, "build.sh"), buildScript(entry, platform.pg, platform.libc));
    const building = step("build", () => run(builder, "build", `sh ${CONTAINER.scripts}/build.sh`, { env: { SOURCE_DATE_EPOCH: String(epoch) } }));
    await settle([configuring, building]);
    const pg = await configuring;
    result.postgres = { version: pg.version ?? "" };
    const installcheck = installchecking ? step("installcheck", async () => {
      await icServer;
      await run(builder, "installcheck", installcheckScript(platform.pg), { quiet: true });
    }) : void 0;
    let builderGone;
    const rest = (async () => {
      await step("stage", async () => {
        await layoutStage(paths.destdir, paths.stage, pg);
        await copyLicenses(paths.src, paths.stage, entry.contents.license_files ?? []);
      });
      const inventory = await step("inventory", () => imageInventory(engine, baseRef, platform.libc, baseInfo.id));
      const checked = await step("closure", async (logFile) => {
        const checked2 = await bundleTree(paths.stage, {
          inventory,
          platform: { libc: platform.libc, arch: platform.arch },
          source: containerLibraries(builder, paths.bundle, logFile)
        });
        await writeFile2(path4.join(dir, "closure.json"), `${JSON.stringify(checked2, null, 2)}
`);
        result.closure = {
          ok: checked2.ok,
          bundled: checked2.bundled,
          data: checked2.data,
          problems: checked2.files.flatMap((f) => f.problems.map((p) => ({ file: f.path, message: p.message })))
        };
        if (!checked2.ok) {
          const problems = checked2.files.flatMap((f) => f.problems.filter((p) => p.severity === "error").map((p) => `${f.path}: ${p.message}`));
          throw new StepError("closure", `the closure check found problems:
  ${problems.join("\n  ")}`);
        }
        return checked2;
      });
      builderGone = Promise.allSettled([installcheck]).then(() => release(starting));
      ahead.push(builderGone.catch(() => {
      }));
      const packing = step("package", async () => {
        const libcVersion = platform.libc === "glibc" ? checked.glibcRequired : inventory.libcVersion;
        const written = await pack(paths.stage, packageMeta(entry, job, platform, pg, checked, fetched.sha256, epoch, libcVersion), dir);
        await writeSidecar(written.trunk.path, written.trunk.sha256, {
          entry,
          platform: { name: platform.name, builder: builderRef, base: baseRef },
          ...fetched.sha256 ? { source: { uri: fetched.uri, sha256: fetched.sha256 } } : {},
          // The manifest digest the image is pulled by when the engine knows one, else its id.
          builderImage: builderImageInput(builderRef, builderInfo),
          buildKey: job.key,
          startedOn: startedAt,
          finishedOn: (/* @__PURE__ */ new Date()).toISOString()
        });
        result.artifacts = {
          trunk: { file: path4.relative(dir, written.trunk.path), sha256: written.trunk.sha256, size: written.trunk.size, files: written.trunk.digests.size },
          oci: { layout: path4.relative(dir, written.layout), tag: written.image.tag, digest: written.image.index.digest, size: written.image.layer.size }
        };
        return written;
      });
      if (!tester) {
        await packing;
        return;
      }
      const smoke = step("test", async () => {
        await writeFile2(path4.join(paths.test, "smoke.sql"), smokeSql(entry));
        const { trunk, layout, image } = await packing;
        if (mode === "volume") await unpackSource(path4.join(layout, "blobs", ...image.layer.digest.split(":")), path4.join(paths.extensions, entry.name), { strip: false });
        else await installTrunk(trunk.path, { pgConfig: baseInstallTarget(pg, platform, inventory.libcVersion, paths.sysroot) });
        const c = await tester;
        if (mode === "system") await run(c, "test", copyRootScript(`${JOB_MOUNT}/${path4.relative(dir, paths.sysroot)}`));
        await run(c, "test", serverScript(platform.pg, earlyServer), { user: "postgres" });
      });
      await settle([packing, smoke]);
      await release(testerStart);
    })();
    try {
      await settle([installcheck, rest]);
    } finally {
      if (installcheck) await replay(logOf("installcheck"), `${name}: installcheck`);
    }
    await removeAll(containers.splice(0));
    await builderGone;
    await rm2(work, { recursive: true, force: true });
    return await finish("built");
  } catch (err) {
    await removeAll(containers.splice(0)).catch((e) => log(`${name}: ${e.message}`));
    await Promise.all(ahead);
    if (!(err instanceof UserError)) throw err;
    result.failure = { step: failed[0]?.step ?? current, message: err.message };
    log(`${name}: ${err.message}`);
    return await finish("failed");
  }
  async function freshCluster(c, imageId, settings, stepName, start) {
    const script = initdbScript(platform.pg, settings);
    const template = path4.join(clusters, `${createHash("sha256").update(`${imageId}
${script}`).digest("hex")}.tar`);
    const server = start ? startServerScript(platform.pg) : "";
    if (await stat2(template).catch(() => void 0)) {
      await run(c, stepName, `${unpackClusterScript(path4.basename(template))}${server}`, { user: "postgres", quiet: true });
      return;
    }
    await run(c, stepName, script, { user: "postgres", quiet: true });
    await saveTemplate(c, template);
    if (start) await run(c, stepName, server, { user: "postgres", quiet: true });
  }
  async function saveTemplate(c, template) {
    await mkdir3(path4.dirname(template), { recursive: true });
    const tmp = `${template}.${process.pid}.${randomBytes(4).toString("hex")}`;
    try {
      await pipeline(execStream(c, ["tar", "-c", "-f", "-", "-C", CLUSTER, "."], { user: "postgres" }), createWriteStream(tmp));
      await rename3(tmp, template);
    } catch {
      await rm2(tmp, { force: true });
    }
  }
  async function settle(running) {
    const errors = (await Promise.allSettled(running)).flatMap((r) => r.status === "rejected" ? [r.reason] : []);
    if (errors.length === 0) return;
    throw errors.find((e) => !(e instanceof UserError)) ?? failed.find((f) => errors.includes(f.error))?.error ?? errors[0];
  }
  async function finish(status) {
    const record = { version: 1, job, status, steps, ...result, startedAt, finishedAt: (/* @__PURE__ */ new Date()).toISOString() };
    await writeResult(dir, record);
    await rm2(final, { recursive: true, force: true });
    await rename3(dir, final);
    return record;
  }
}
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
async function replay(logFile, title) {
  const text = await readFile2(logFile, "utf8").catch(() => "");
  const grouped = process.env.GITHUB_ACTIONS === "true";
  process.stderr.write(`${grouped ? `::group::${title}
` : ""}${text}${grouped ? "::endgroup::\n" : ""}`);
}
async function copyLicenses(src, stage, named) {
  for (const entry of await readdir2(src, { withFileTypes: true })) {
    const name = entry.name;
    if (!entry.isFile() || !/^(LICEN[CS]E|COPYING|NOTICE|COPYRIGHT)([._-].*)?$/i.test(name)) continue;
    const to = TOP_TEXT.test(name) ? path4.join(stage, name) : path4.join(stage, "licenses", name);
    await mkdir3(path4.dirname(to), { recursive: true });
    await cp(path4.join(src, name), to);
  }
  for (const file of named) {
    await cp(path4.join(src, file), path4.join(stage, "licenses", path4.basename(file))).catch(() => {
      throw new UserError(`contents.license_files: ${file} is not in the source`);
    });
  }
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
    platform: sqlOnly ? { os: "any", arch: "any", libc: "any" } : { os: platform.os, arch: platform.arch, libc: platform.libc, ...libcVersion ? { libcVersion } : {} },
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

export {
  jobDirName,
  readResult,
  buildJob
};
