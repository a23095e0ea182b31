// The shell scripts that build an entry inside its builder container, one per pipeline. They run
// with `sh -eu` in the container; every value from the matrix is single-quoted, so arguments can
// hold spaces and `$` without reaching a shell as syntax (the schema already bars newlines).
import { UserError } from '../errors.ts';
import type { ExtensionEntry } from '../matrix/index.ts';
import type { Libc } from '../types.ts';

/** Where things are inside the builder container (bind mounts). */
export const CONTAINER = {
  src: '/trunkfarm/src',
  stage: '/trunkfarm/stage',
  bundle: '/trunkfarm/bundle',
  scripts: '/trunkfarm/scripts',
} as const;

export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./=:,+@%-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

/** `{pg_config}`, `{pg_config --DIR}` and `{pg}` in an entry's arguments stand for the builder's
 * pg_config, one of its answers, and the Postgres major. */
export function expandArgs(args: readonly string[] | undefined, pg: number): string {
  return (args ?? [])
    // `{` is not in shellQuote's bare set, so an argument holding {pg_config} is always quoted
    // and the placeholder closes and reopens the quotes around "$PG_CONFIG".
    .map((a) =>
      shellQuote(a.replaceAll('{pg}', String(pg)))
        .replaceAll('{pg_config}', `'"$PG_CONFIG"'`)
        .replace(/\{pg_config (--[a-z-]+)\}/g, `'"$("$PG_CONFIG" $1)"'`),
    )
    .join(' ');
}

/** Finds pg_config: Debian keeps one per major under /usr/lib/postgresql, Alpine and the official
 * images put it on PATH. */
function findPgConfig(pg: number): string {
  return [
    `if [ -x /usr/lib/postgresql/${pg}/bin/pg_config ]; then PG_CONFIG=/usr/lib/postgresql/${pg}/bin/pg_config`,
    'elif command -v pg_config >/dev/null 2>&1; then PG_CONFIG=$(command -v pg_config)',
    `else echo "no pg_config for PostgreSQL ${pg} in the builder image" >&2; exit 1; fi`,
    'export PG_CONFIG',
    `case "$("$PG_CONFIG" --version)" in "PostgreSQL ${pg}"*) ;; *) echo "pg_config is $("$PG_CONFIG" --version), not PostgreSQL ${pg}" >&2; exit 1;; esac`,
  ].join('\n');
}

export function buildScript(entry: ExtensionEntry, pg: number, libc: Libc = 'glibc'): string {
  const make = expandArgs(entry.build?.make, pg);
  const configure = expandArgs(entry.build?.configure, pg);
  const env = Object.entries(entry.build?.env ?? {}).map(([k, v]) => `export ${k}=${shellQuote(v)}`);
  // A glibc compiler wrapped as musl-gcc still defines __gnu_linux__, so sources that test it
  // (pgvector's target_clones) emit GNU ifuncs, which musl's loader cannot relocate. A native
  // musl toolchain (Alpine's) does not define it; neither do we. COPT reaches PGXS's CFLAGS.
  const musl = libc === 'musl' ? ['export COPT="${COPT:-} -U__gnu_linux__"'] : [];
  const head = ['set -eu', findPgConfig(pg), `JOBS=$(nproc 2>/dev/null || echo 2)`, `export DESTDIR=${CONTAINER.stage}`, ...musl, ...env, `cd ${CONTAINER.src}`];
  const steps = ((): string[] => {
    switch (entry.dependencies.pipeline) {
      case 'pgxs':
        return [
          `make -j"$JOBS" USE_PGXS=1 PG_CONFIG="$PG_CONFIG" ${make}`,
          `make install USE_PGXS=1 PG_CONFIG="$PG_CONFIG" DESTDIR=${CONTAINER.stage} ${make}`,
        ];
      case 'autoconf':
        return [
          'if [ ! -x ./configure ] && [ -x ./autogen.sh ]; then ./autogen.sh; fi',
          `./configure ${configure}`,
          // V=1: automake's silent rules would hide the compiler lines the isa step reads.
          `make -j"$JOBS" V=1 ${make}`,
          `make install DESTDIR=${CONTAINER.stage} ${make}`,
        ];
      case 'cmake':
        return [
          `cmake -S . -B _trunkfarm_build -DCMAKE_BUILD_TYPE=Release -DPG_CONFIG="$PG_CONFIG" -DPostgreSQL_CONFIG="$PG_CONFIG" ${configure}`,
          // --verbose and -v: the compiler lines, for the isa step.
          'cmake --build _trunkfarm_build -j "$JOBS" --verbose',
          `DESTDIR=${CONTAINER.stage} cmake --install _trunkfarm_build`,
        ];
      case 'meson':
        return [
          `meson setup _trunkfarm_build --buildtype=release -Dpg_config="$PG_CONFIG" ${configure}`,
          'meson compile -C _trunkfarm_build -v',
          `DESTDIR=${CONTAINER.stage} meson install -C _trunkfarm_build`,
        ];
      case 'script':
        return [entry.build?.script ?? 'echo "pipeline script needs build.script" >&2; exit 1'];
      case 'pgrx':
        throw new UserError(`${entry.name}: the pgrx pipeline is not supported yet (it needs cargo-pgrx in the builder image)`);
    }
  })();
  return `${[...head, ...steps].join('\n')}\n`;
}

/** Prints the builder's pg_config directories as `name=path` lines, for mapping the staged files. */
export function pgConfigScript(pg: number): string {
  const dirs = ['bindir', 'docdir', 'htmldir', 'includedir', 'pkgincludedir', 'includedir-server', 'libdir', 'pkglibdir', 'localedir', 'mandir', 'sharedir', 'sysconfdir'];
  return ['set -eu', findPgConfig(pg), ...dirs.map((d) => `printf '%s=%s\\n' ${d} "$("$PG_CONFIG" --${d})"`), 'printf "version=%s\\n" "$("$PG_CONFIG" --version)"', ...['cflags', 'cppflags', 'ldflags', 'libs', 'cc'].map((f) => `printf '%s=%s\\n' ${f} "$("$PG_CONFIG" --${f})"`)].join('\n') + '\n';
}

/** `make install` into the builder's own PostgreSQL, then the regression suite against the server
 * that smoke.ts's initdbScript and startServerScript started there. PGXS pipelines only. */
export function installcheckScript(pg: number): string {
  const make = `make USE_PGXS=1 PG_CONFIG="$PG_CONFIG"`;
  const check = `PGHOST=/tmp PGUSER=postgres ${make} installcheck || { cat regression.diffs 2>/dev/null | head -n 80; exit 1; }`;
  return ['set -eu', findPgConfig(pg), `cd ${CONTAINER.src}`, `${make} install`, check].join('\n') + '\n';
}
