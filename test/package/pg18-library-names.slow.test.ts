// Which library names PostgreSQL 18 resolves by itself for an extension mounted read-only at
// /extensions/NAME with only extension_control_path and dynamic_library_path set: ip4r's real
// image layer (as `trunkfarm build` ships it), and copies of it whose install script names the
// module as '$libdir/ip4r' (as PostGIS's scripts do) or as plain 'ip4r'. Measured on Debian's 18.6:
// every form loads, also in a plain CREATE FUNCTION, so the volume layout's rewrite of '$libdir/X'
// literals (package/destinations.ts) is a safeguard, not what makes the mount work.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJsonBlob, type ImageIndex, type ImageManifest } from '../../src/oci/index.ts';
import { buildShared } from '../support/build.ts';

const BASE = 'localhost/trunkfarm/base:pg18-gnulinux-amd64';
const SCRIPT = 'ip4r/share/extension/ip4r--2.4.sql';
let work: string;
let shipped: string;

/** The image's one layer, unpacked as a volume mount would show it, under DIR/ip4r. */
async function unpackLayer(layout: string, tag: string, dest: string): Promise<void> {
  const index = JSON.parse(await readFile(path.join(layout, 'index.json'), 'utf8')) as ImageIndex;
  const ref = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag)!;
  const image = await readJsonBlob<ImageIndex>(layout, ref.digest);
  const manifest = await readJsonBlob<ImageManifest>(layout, image.manifests[0]!.digest);
  await mkdir(path.join(dest, 'ip4r'), { recursive: true });
  execFileSync('tar', ['-xzf', path.join(layout, 'blobs', ...manifest.layers[0]!.digest.split(':')), '-C', path.join(dest, 'ip4r')]);
}

/** A copy of the shipped tree whose install script names the module `name` instead of
 * MODULE_PATHNAME (which the control file's '$libdir/ip4r' fills in). */
async function variant(name: string): Promise<string> {
  const dir = path.join(work, name.replace(/\W/g, '_'));
  await cp(shipped, dir, { recursive: true });
  const file = path.join(dir, SCRIPT);
  const sql = await readFile(file, 'utf8');
  expect(sql).toContain("AS 'MODULE_PATHNAME'");
  await writeFile(file, sql.replaceAll('MODULE_PATHNAME', name));
  return dir;
}

/** Runs SQL in a PostgreSQL 18 container with `extensions` mounted read-only at /extensions. */
function psql(extensions: string, ...commands: string[]): { code: number | null; out: string } {
  const conf = "extension_control_path = '$system:/extensions/ip4r/share'\ndynamic_library_path = '$libdir:/extensions/ip4r/lib'\n";
  const script = `set -e
B=/usr/lib/postgresql/18/bin
su postgres -c "$B/initdb -D /tmp/d -U postgres --auth=trust --no-sync >/dev/null"
printf '%s' "$CONF" >> /tmp/d/postgresql.conf
su postgres -c "$B/pg_ctl -D /tmp/d -o '-k /tmp -c listen_addresses=' -w start >/dev/null"
exec su postgres -c "$B/psql -h /tmp -X -v ON_ERROR_STOP=1 -f /sql/run.sql"`;
  const sqlDir = mkdtempSync(path.join(work, 'sql-'));
  chmodSync(sqlDir, 0o755); // read by the container's postgres user
  writeFileSync(path.join(sqlDir, 'run.sql'), `${commands.join('\n')}\n`, { mode: 0o644 });
  const r = spawnSync('podman', ['run', '--rm', '--network', 'none', '-e', `CONF=${conf}`, '-v', `${extensions}:/extensions:ro`, '-v', `${sqlDir}:/sql:ro`, BASE, 'sh', '-c', script], { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const QUERY = "SELECT '10.0.0.0/8'::ip4r >>= '10.1.2.3'::ip4 AS inside;";

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'trunkfarm-pg18-names-'));
  const { result, dir } = await buildShared('ip4r', 18);
  shipped = path.join(work, 'shipped');
  await unpackLayer(path.join(dir, result.artifacts!.oci.layout), result.artifacts!.oci.tag, shipped);
}, 15 * 60_000);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('PostgreSQL 18 with an extension on a read-only mount', () => {
  it("takes the control file's module_pathname = '$libdir/ip4r' from the mount (the layer as shipped)", async () => {
    expect(await readFile(path.join(shipped, 'ip4r/share/extension/ip4r.control'), 'utf8')).toContain("module_pathname = '$libdir/ip4r'");
    const r = psql(shipped, 'CREATE EXTENSION ip4r;', QUERY);
    expect(r.out).toMatch(/inside\s*\n-+\s*\n\s*t\b/);
    expect(r.code).toBe(0);
  }, 120_000);

  it("resolves '$libdir/ip4r' written in the install script, and a plain 'ip4r', from dynamic_library_path", async () => {
    for (const name of ['$libdir/ip4r', 'ip4r']) {
      const r = psql(await variant(name), 'CREATE EXTENSION ip4r;', QUERY);
      expect(r.out, name).toMatch(/inside\s*\n-+\s*\n\s*t\b/);
      expect(r.code, name).toBe(0);
    }
  }, 120_000);

  it("resolves '$libdir/ip4r' in a CREATE FUNCTION outside any extension too, and fails on a module that is nowhere", async () => {
    const r = psql(shipped, "CREATE FUNCTION f(cstring) RETURNS int AS '$libdir/ip4r', 'ip4_in' LANGUAGE C;", "SELECT 'created' AS status;");
    expect(r.out).toMatch(/created/);
    const missing = psql(shipped, "CREATE FUNCTION g(cstring) RETURNS int AS '$libdir/nosuchlib', 'f' LANGUAGE C;");
    expect(missing.code).not.toBe(0);
    expect(missing.out).toMatch(/ERROR:  could not access file "[^"]*nosuchlib"/);
  }, 120_000);
});
