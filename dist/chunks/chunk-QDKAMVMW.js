import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);

// src/cache/index.ts
import { join, resolve } from "node:path";
function cacheRoot(env = process.env, cwd = process.cwd()) {
  return env.TRUNKFARM_CACHE ? resolve(cwd, env.TRUNKFARM_CACHE) : join(cwd, ".cache");
}

export {
  cacheRoot
};
