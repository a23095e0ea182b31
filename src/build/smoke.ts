// The test step: a throwaway PostgreSQL in a container of the runtime base image, with the built
// files in place, then CREATE EXTENSION and the entry's smoke SQL. Two ways to put files in place:
// "system" copies them into the base image's own directories (what `trunkfarm install
// --pg-config` does), "volume" mounts the image-volume tree read-only at /extensions/NAME and
// points PostgreSQL 18's search paths at it (what Kubernetes image volumes do).
import type { ExtensionEntry } from '../matrix/index.ts';
import { CONTAINER, shellQuote } from './pipeline.ts';
import type { PgConfig } from './stage.ts';

export type SmokeMode = 'system' | 'volume';

export const TEST_MOUNT = '/trunkfarm/test';
/** A tmpfs for the throwaway cluster: removing the container then deletes no files. */
export const PGDATA_MOUNT = '/trunkfarm/pgdata';
export const volumeMount = (name: string) => `/extensions/${name}`;

/** SQL run with ON_ERROR_STOP: every statement must succeed. */
export function smokeSql(entry: ExtensionEntry): string {
  const create = entry.contents.extensions.map((e) => `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(e)} CASCADE;`);
  return `${[...create, entry.test?.sql ?? ''].join('\n')}\n`;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Copies the staged files, mounted at `stage`, into the base image's directories (run as root).
 * The base and the builder come from the same distribution, so the builder's pg_config names the
 * base's paths. */
export function installScript(pg: PgConfig, stage: string = CONTAINER.stage): string {
  const pairs: [string, string][] = [
    ['share', pg.sharedir!],
    ['pkglib', pg.pkglibdir!],
    ['lib', pg.libdir!],
    ['bin', pg.bindir!],
  ];
  const lines = ['set -eu'];
  for (const [layout, dir] of pairs) {
    const from = `${stage}/pgsql/${layout}`;
    lines.push(`if [ -d ${from} ]; then mkdir -p ${shellQuote(dir)} && cp -a ${from}/. ${shellQuote(dir)}/; fi`);
  }
  // Data that bundled libraries find relative to their own directory (PROJ's ../share/proj).
  lines.push(`if [ -d ${stage}/sys/share ]; then mkdir -p ${shellQuote(`${pg.pkglibdir}/../share`)} && cp -a ${stage}/sys/share/. ${shellQuote(`${pg.pkglibdir}/../share`)}/; fi`);
  return `${lines.join('\n')}\n`;
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

/** Unpacks a tarball of a cluster made by initdbScript (on stdin) as the cluster instead. */
export function unpackClusterScript(): string {
  return `set -eu
${DATA}
rm -rf "$D"
mkdir -m 700 "$D"
tar -x -f - -C "$D"
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

/** The server settings the smoke test needs: preloaded modules, and for image volumes the
 * search paths into the mount. */
export function smokeSettings(entry: ExtensionEntry, mode: SmokeMode): string[] {
  const preload = Object.entries(entry.contents.modules ?? {})
    .filter(([, m]) => m.preload === 'server')
    .map(([name]) => name);
  const settings: string[] = [];
  if (preload.length > 0) settings.push(`shared_preload_libraries = '${preload.join(',')}'`);
  if (mode === 'volume') {
    const root = volumeMount(entry.name);
    settings.push(`extension_control_path = '$system:${root}/share'`, `dynamic_library_path = '$libdir:${root}/lib'`);
  }
  return settings;
}

/** Starts the server of a cluster made by initdbScript(pg, smokeSettings(...)) as the postgres
 * user, with the extension's files now in place, and runs the smoke SQL; prints the server log on
 * failure. */
export function serverScript(pg: number): string {
  return `unset LD_LIBRARY_PATH
${startServerScript(pg)}
status=0
"$BIN/psql" -h /tmp -U postgres -d postgres -X -v ON_ERROR_STOP=1 -f ${TEST_MOUNT}/smoke.sql || status=$?
if [ "$status" -ne 0 ]; then echo "--- server log:" >&2; tail -n 40 "$D/server.log" >&2; fi
"$BIN/pg_ctl" -D "$D" -m fast -w stop >/dev/null || true
exit "$status"
`;
}
