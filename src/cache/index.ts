// Where trunkfarm keeps what it can fetch or compute again (sources, inventories, cluster
// templates, compose layers): one root for every stage.
import { join, resolve } from 'node:path';

/** The cache root: `$TRUNKFARM_CACHE` (relative to `cwd`), else `<cwd>/.cache`. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  return env.TRUNKFARM_CACHE ? resolve(cwd, env.TRUNKFARM_CACHE) : join(cwd, '.cache');
}
