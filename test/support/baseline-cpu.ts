// Runs a package's SQL on the slowest CPU its platform promises: PostgreSQL in a container of the
// base image, the staged package copied into the base's own directories, and the server itself
// run by QEMU's user-mode emulator as the baseline's CPU model (qemu64 for x86-64: no SSSE3, no
// SSE4, no AVX). An instruction above the baseline kills it with SIGILL, as it would on such a
// machine. The emulator is this machine's static one (qemu-user-static), mounted in.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EMULATED_CPU } from '../../src/closure/index.ts';
import type { Arch, IsaBaseline } from '../../src/types.ts';

const EMULATOR: Record<Arch, string> = { amd64: '/usr/bin/qemu-x86_64-static', arm64: '/usr/bin/qemu-aarch64-static' };

export interface BaselineRun {
  /** The server's exit status: 132 is 128 + SIGILL. */
  status: number;
  output: string;
}

/** `stage`: a job's stage folder (pgsql/pkglib, pgsql/share, as the trunk holds them). `sql`: one
 * statement a line, as `postgres --single` reads them. */
export function runOnBaselineCpu(o: { image: string; arch: Arch; isa: IsaBaseline; pg: number; stage: string; sql: string[] }): BaselineRun {
  const cpu = EMULATED_CPU[o.isa];
  if (!cpu) throw new Error(`no QEMU CPU model for ${o.isa}`);
  if (!existsSync(EMULATOR[o.arch])) throw new Error(`${EMULATOR[o.arch]} is missing: install qemu-user-static (npm run setup does)`);
  const dir = mkdtempSync(path.join(tmpdir(), 'trunkfarm-baseline-'));
  try {
    writeFileSync(path.join(dir, 'smoke.sql'), `${o.sql.join('\n')}\n`);
    // initdb runs natively (it is not what is tested); the server that loads the package is emulated.
    writeFileSync(
      path.join(dir, 'run.sh'),
      `set -eu
BIN=/usr/lib/postgresql/${o.pg}/bin
cp -a /pkg/pgsql/pkglib/. "$("$BIN/pg_config" --pkglibdir)/"
cp -a /pkg/pgsql/share/. "$("$BIN/pg_config" --sharedir)/"
runuser -u postgres -- "$BIN/initdb" -D /tmp/cluster -U postgres --auth=trust --no-sync >/dev/null
status=0
runuser -u postgres -- /trunkfarm-qemu -cpu ${cpu} "$BIN/postgres" --single -D /tmp/cluster postgres < /trunkfarm/smoke.sql || status=$?
echo "server exit status $status"
`,
    );
    const r = spawnSync(
      'podman',
      ['run', '--rm', '--network', 'none', '--platform', `linux/${o.arch}`, '-v', `${o.stage}:/pkg:ro`, '-v', `${EMULATOR[o.arch]}:/trunkfarm-qemu:ro`, '-v', `${dir}:/trunkfarm:ro`, o.image, 'sh', '/trunkfarm/run.sh'],
      { encoding: 'utf8', timeout: 300_000 },
    );
    const output = `${r.stdout}${r.stderr}`;
    const status = /server exit status (\d+)/.exec(r.stdout)?.[1];
    if (r.status !== 0 || status === undefined) throw new Error(`the baseline run did not finish (exit ${r.status}):\n${output}`);
    return { status: Number(status), output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
