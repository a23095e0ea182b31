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
export const volumeMount = (name: string) => `/extensions/${name}`;

/** SQL run with ON_ERROR_STOP: every statement must succeed. */
export function smokeSql(entry: ExtensionEntry): string {
  const create = entry.contents.extensions.map((e) => `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(e)} CASCADE;`);
  return `${[...create, entry.test?.sql ?? ''].join('\n')}\n`;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Copies the staged files into the base image's directories (run as root). The base and the
 * builder come from the same distribution, so the builder's pg_config names the base's paths. */
export function installScript(pg: PgConfig): string {
  const pairs: [string, string][] = [
    ['share', pg.sharedir!],
    ['pkglib', pg.pkglibdir!],
    ['lib', pg.libdir!],
    ['bin', pg.bindir!],
  ];
  const lines = ['set -eu'];
  for (const [layout, dir] of pairs) {
    const from = `${CONTAINER.stage}/pgsql/${layout}`;
    lines.push(`if [ -d ${from} ]; then mkdir -p ${shellQuote(dir)} && cp -a ${from}/. ${shellQuote(dir)}/; fi`);
  }
  // Data that bundled libraries find relative to their own directory (PROJ's ../share/proj).
  lines.push(`if [ -d ${CONTAINER.stage}/sys/share ]; then mkdir -p ${shellQuote(`${pg.pkglibdir}/../share`)} && cp -a ${CONTAINER.stage}/sys/share/. ${shellQuote(`${pg.pkglibdir}/../share`)}/; fi`);
  return `${lines.join('\n')}\n`;
}

const FIND_BIN = (pg: number) =>
  `if [ -x /usr/lib/postgresql/${pg}/bin/initdb ]; then BIN=/usr/lib/postgresql/${pg}/bin; else BIN=$(dirname "$(command -v initdb)"); fi`;

/** Starts a server that stays up (as the postgres user), listening on /tmp only. */
export function startServerScript(pg: number, settings: string[] = []): string {
  return `set -eu
${FIND_BIN(pg)}
D=/tmp/trunkfarm-pgdata
rm -rf "$D"
"$BIN/initdb" -D "$D" -U postgres --auth=trust --no-sync >/dev/null
cat >> "$D/postgresql.conf" <<'CONF'
${["listen_addresses = ''", "unix_socket_directories = '/tmp'", 'fsync = off', ...settings].join('\n')}
CONF
if ! "$BIN/pg_ctl" -D "$D" -l "$D/server.log" -w -t 60 start >/dev/null; then
  echo "PostgreSQL did not start; its log:" >&2; tail -n 40 "$D/server.log" >&2; exit 1
fi
`;
}

/** Starts a server as the postgres user and runs the smoke SQL; prints the server log on failure. */
export function serverScript(entry: ExtensionEntry, pg: number, mode: SmokeMode): string {
  const preload = Object.entries(entry.contents.modules ?? {})
    .filter(([, m]) => m.preload === 'server')
    .map(([name]) => name);
  const settings: string[] = [];
  if (preload.length > 0) settings.push(`shared_preload_libraries = '${preload.join(',')}'`);
  if (mode === 'volume') {
    const root = volumeMount(entry.name);
    settings.push(`extension_control_path = '$system:${root}/share'`, `dynamic_library_path = '$libdir:${root}/lib'`);
  }
  return `unset LD_LIBRARY_PATH
${startServerScript(pg, settings)}
status=0
"$BIN/psql" -h /tmp -U postgres -d postgres -X -v ON_ERROR_STOP=1 -f ${TEST_MOUNT}/smoke.sql || status=$?
if [ "$status" -ne 0 ]; then echo "--- server log:" >&2; tail -n 40 "$D/server.log" >&2; fi
"$BIN/pg_ctl" -D "$D" -m fast -w stop >/dev/null || true
exit "$status"
`;
}
