// The test step: a throwaway PostgreSQL in a container of the runtime base image, with the built
// package in place, then CREATE EXTENSION and the entry's smoke SQL. Two ways to put it in place,
// both through the installer users run: "system" installs the trunk into the base image's own
// directories (`trunkfarm install --pg-config`), "volume" mounts the image-volume tree read-only
// at /extensions/NAME and points PostgreSQL 18's search paths at it (what Kubernetes image volumes
// do).
import { type ExtensionEntry, PRELOAD_SETTINGS } from '../matrix/index.ts';
import type { Platform } from '../types.ts';
import { shellQuote } from './pipeline.ts';
import { LAYOUT_DIRS, type PgConfig } from './stage.ts';

export type SmokeMode = 'system' | 'volume';

export const TEST_MOUNT = '/trunkfarm/test';
/** A tmpfs for the throwaway cluster: removing the container then deletes no files. */
export const PGDATA_MOUNT = '/trunkfarm/pgdata';
export const volumeMount = (name: string) => `/extensions/${name}`;

/** SQL run with ON_ERROR_STOP: every statement must succeed. A module-only package has nothing
 * to create: its smoke SQL uses the module the way it is meant to be (a logical slot with an
 * output plugin, a session that the hook module was preloaded into). */
export function smokeSql(entry: ExtensionEntry): string {
  const create = entry.contents.extensions.map((e) => `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(e)} CASCADE;`);
  return `${[...create, entry.test?.sql ?? ''].join('\n')}\n`;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The base image's PostgreSQL as the installer sees it, its directories under `root` on this
 * machine: the builder's pg_config directories (the base and the builder come from one
 * distribution), the platform's arch and libc, and the base's libc version. The test step
 * installs the trunk there with the installer users run (`trunkfarm install --pg-config`), then
 * copies `root` over the base image's /: what is tested is what an install makes of the shipped
 * file, not the build's staging folder. */
export function baseInstallTarget(pg: PgConfig, platform: Pick<Platform, 'name' | 'arch' | 'libc'>, libcVersion: string | undefined, root: string) {
  const version = /PostgreSQL (\d+(?:\.\d+)?)/.exec(pg.version ?? '')?.[1];
  const dirs: Record<string, string> = {};
  for (const name of Object.keys(LAYOUT_DIRS)) if (!name.includes('-')) dirs[name] = `${root}${pg[name]}`;
  return {
    description: `the ${platform.name} base image (PostgreSQL ${version ?? '?'}, ${platform.libc}${libcVersion ? ` ${libcVersion}` : ''}, ${platform.arch})`,
    ...(version ? { pgVersion: version, pgMajor: Number.parseInt(version, 10) } : {}),
    arch: platform.arch,
    libc: platform.libc,
    ...(libcVersion ? { libcVersion } : {}),
    dirs,
  };
}

/** Copies an installed root (mounted at `root`) over the container's / (run as root). */
export function copyRootScript(root: string): string {
  return `set -eu\ncp -a ${shellQuote(root)}/. /\n`;
}

const FIND_BIN = (pg: number) =>
  `if [ -x /usr/lib/postgresql/${pg}/bin/initdb ]; then BIN=/usr/lib/postgresql/${pg}/bin; else BIN=$(dirname "$(command -v initdb)"); fi`;
/** The throwaway cluster's data directory. */
export const CLUSTER = `${PGDATA_MOUNT}/cluster`;
const DATA = `D=${CLUSTER}`;

/** Creates a fresh cluster (as the postgres user), listening on /tmp only. It needs nothing of
 * the extension, so it can run while the extension is still being built. */
export function initdbScript(pg: number, settings: string[] = []): string {
  return `set -eu
${FIND_BIN(pg)}
${DATA}
rm -rf "$D"
"$BIN/initdb" -D "$D" -U postgres --auth=trust --no-sync >/dev/null
cat >> "$D/postgresql.conf" <<'CONF'
${["listen_addresses = ''", "unix_socket_directories = '/tmp'", 'fsync = off', ...settings].join('\n')}
CONF
`;
}

/** Where the containers see the cache's cluster templates (read-only). */
export const CLUSTERS_MOUNT = '/trunkfarm/clusters';

/** Unpacks a template of a cluster made by initdbScript (FILE in CLUSTERS_MOUNT) as the cluster
 * instead: read from the mount, not piped through the engine, which costs CPU the compile beside
 * it would rather have. */
export function unpackClusterScript(file: string): string {
  return `set -eu
${DATA}
rm -rf "$D"
mkdir -m 700 "$D"
tar -x -f ${CLUSTERS_MOUNT}/${file} -C "$D"
`;
}

/** Starts the server of initdbScript's cluster (as the postgres user) and leaves it running. */
export function startServerScript(pg: number): string {
  return `set -eu
${FIND_BIN(pg)}
${DATA}
if ! "$BIN/pg_ctl" -D "$D" -l "$D/server.log" -w -t 60 start >/dev/null; then
  echo "PostgreSQL did not start; its log:" >&2; tail -n 40 "$D/server.log" >&2; exit 1
fi
`;
}

/** The server settings the smoke test needs: preloaded modules (server-wide, or per session for
 * hook modules), the entry's test.settings, and for image volumes the search paths into the
 * mount. */
export function smokeSettings(entry: ExtensionEntry, mode: SmokeMode): string[] {
  const extra = { ...entry.test?.settings };
  const preloads = (kind: 'server' | 'session', setting: (typeof PRELOAD_SETTINGS)[number]) => {
    const listed = Object.entries(entry.contents.modules ?? {}).filter(([, m]) => m.preload === kind).map(([name]) => name);
    const added = extra[setting];
    delete extra[setting];
    if (added !== undefined) listed.push(...String(added).split(',').map((m) => m.trim()).filter(Boolean));
    return listed.length > 0 ? [`${setting} = ${confValue(listed.join(','))}`] : [];
  };
  const settings = [...preloads('server', 'shared_preload_libraries'), ...preloads('session', 'session_preload_libraries')];
  for (const [name, value] of Object.entries(extra)) settings.push(`${name} = ${confValue(value)}`);
  if (mode === 'volume') {
    const root = volumeMount(entry.name);
    settings.push(`extension_control_path = '$system:${root}/share'`, `dynamic_library_path = '$libdir:${root}/lib'`);
  }
  return settings;
}

/** A postgresql.conf value: numbers and booleans bare, anything else quoted. */
function confValue(value: string | number | boolean): string {
  return typeof value === 'string' ? `'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'` : String(value);
}

/** Whether the smoke test's server can start before the extension's files are in place:
 * CREATE EXTENSION reads them when it runs, but a preloaded module must be there at start. */
export function startsEarly(settings: string[]): boolean {
  return !settings.some((s) => s.startsWith('shared_preload_libraries'));
}

/** Runs the smoke SQL as the postgres user against the server of a cluster made by
 * initdbScript(pg, smokeSettings(...)), starting it first unless it runs already (startsEarly),
 * with the extension's files now in place; prints the server log on failure. The container goes
 * with its server and cluster afterwards. */
export function serverScript(pg: number, started = false): string {
  return `unset LD_LIBRARY_PATH
${started ? `${FIND_BIN(pg)}\n${DATA}` : startServerScript(pg)}
status=0
"$BIN/psql" -h /tmp -U postgres -d postgres -X -v ON_ERROR_STOP=1 -f ${TEST_MOUNT}/smoke.sql || status=$?
if [ "$status" -ne 0 ]; then echo "--- server log:" >&2; tail -n 40 "$D/server.log" >&2; fi
exit "$status"
`;
}
