import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  UserError
} from "./chunk-YUDCMAJG.js";

// src/files/index.ts
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join as join2 } from "node:path";

// src/files/within.ts
import { lstatSync, readlinkSync, realpathSync } from "node:fs";
import { isAbsolute, join, relative, sep } from "node:path";
function pathWithin(root, rel) {
  let realRoot;
  try {
    realRoot = realpathSync(root);
  } catch (err) {
    throw new UserError(`cannot write below ${root}: ${err.code === "ENOENT" ? "it does not exist" : err.message}`, { cause: err });
  }
  const parts = rel.split(/[\\/]/).filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw new UserError(`${join(root, rel)}: ".." in a path written below ${root}`);
  let cur = root;
  for (const part of parts) {
    cur = join(cur, part);
    let st;
    try {
      st = lstatSync(cur);
    } catch {
      return join(root, ...parts);
    }
    if (!st.isSymbolicLink()) continue;
    const target = readlinkSync(cur);
    let real;
    try {
      real = realpathSync(cur);
    } catch {
      throw new UserError(`${cur}: a dangling symlink (to ${target}); refusing to write through it`);
    }
    if (real !== realRoot && !real.startsWith(realRoot + sep))
      throw new UserError(`${cur}: a symlink to ${target}, outside ${root}; refusing to write through it`);
  }
  return cur;
}
function isWithin(root, p) {
  const r = relative(root, p);
  return r === "" || r !== ".." && !r.startsWith(`..${sep}`) && !isAbsolute(r);
}

// src/files/index.ts
async function sha256File(path) {
  const hash = createHash("sha256");
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk);
  } catch (err) {
    const code = err.code;
    if (code === "ENOENT") throw new UserError(`${path} does not exist`, { cause: err });
    if (code === "EISDIR") throw new UserError(`${path} is a directory, not an artifact file`, { cause: err });
    throw new UserError(`cannot read ${path}: ${err.message}`, { cause: err });
  }
  return hash.digest("hex");
}
async function writeAtomic(path, data) {
  const tmp = join2(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await writeFile(tmp, data, { flag: "wx", mode: 420 });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new UserError(`cannot write ${path}: ${err.message}`, { cause: err });
  }
}
async function exists(path, options = {}) {
  return await (options.noFollow ? lstat : stat)(path).catch(() => void 0) !== void 0;
}

export {
  pathWithin,
  isWithin,
  sha256File,
  writeAtomic,
  exists
};
