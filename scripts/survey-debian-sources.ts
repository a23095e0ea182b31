// Which Debian trixie source packages build PostgreSQL extensions, and whether their upstream
// tarballs (.orig) can be had from the Debian mirror this machine's apt uses
// (`npm run survey-debian`). Writes matrix/debian-sources.json (for scripts) and
// matrix/debian-sources.md (to read); catalogue entries are picked from the reachable ones.
//
// A package counts when its Build-Depends name postgresql-server-dev-all, postgresql-all or
// postgresql-server-dev-17 (trixie's PostgreSQL is 17). Each .orig is asked for with HEAD: the
// mirror may not carry every file its index lists.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { debianMirror, poolUrl } from '../src/builder/debian-mirror.ts';

const SUITE = process.argv[2] ?? 'trixie';
const PG_BUILD_DEPENDS = /(^|[\s,|(])(postgresql-server-dev-all|postgresql-all|postgresql-server-dev-17)([\s,|(]|$)/;

interface Row {
  package: string;
  version: string;
  orig: string;
  sha256: string;
  status: number | string;
}

/** Decompressed Sources index: fetch's body piped through xz, which Node cannot read itself. */
async function sourcesIndex(mirror: string): Promise<string> {
  const url = `${mirror}/dists/${SUITE}/main/source/Sources.xz`;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const packed = Buffer.from(await res.arrayBuffer());
  return new Promise((resolve, reject) => {
    const xz = spawn('xz', ['-dc'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const out: Buffer[] = [];
    xz.stdout.on('data', (d: Buffer) => out.push(d));
    xz.on('error', reject);
    xz.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out).toString('utf8')) : reject(new Error(`xz exited ${code}`))));
    xz.stdin.end(packed);
  });
}

/** deb822 stanzas as field maps; continuation lines are kept, joined by newlines. */
function stanzas(text: string): Map<string, string>[] {
  return text.split(/\n\n+/).map((block) => {
    const fields = new Map<string, string>();
    let last = '';
    for (const line of block.split('\n')) {
      if (/^\s/.test(line) && last) fields.set(last, `${fields.get(last)}\n${line.trim()}`);
      else {
        const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
        if (m) fields.set((last = m[1]!), m[2]!);
      }
    }
    return fields;
  });
}

async function head(url: string): Promise<number | string> {
  try {
    const res = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(30_000) });
    return res.status;
  } catch (err) {
    return (err as Error).message;
  }
}

const mirror = await debianMirror();
const rows: Row[] = [];
for (const s of stanzas(await sourcesIndex(mirror))) {
  const pkg = s.get('Package');
  const deps = `${s.get('Build-Depends') ?? ''},${s.get('Build-Depends-Indep') ?? ''},${s.get('Build-Depends-Arch') ?? ''}`;
  if (!pkg || !PG_BUILD_DEPENDS.test(deps)) continue;
  const orig = (s.get('Checksums-Sha256') ?? '')
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f.length === 3 && /\.orig\.tar\.(gz|xz|bz2)$/.test(f[2]!));
  if (!orig) continue; // a native package: no upstream tarball of its own
  rows.push({ package: pkg, version: s.get('Version')!, orig: orig[2]!, sha256: orig[0]!, status: 0 });
}
rows.sort((a, b) => a.package.localeCompare(b.package));
// A few at a time: the mirror is shared, and 100 HEADs need no more.
for (let i = 0; i < rows.length; i += 8) {
  await Promise.all(rows.slice(i, i + 8).map(async (r) => (r.status = await head(poolUrl(mirror, r.package, r.orig)))));
}

const missing = rows.filter((r) => r.status !== 200);
const json = { suite: SUITE, surveyed: new Date().toISOString().slice(0, 10), packages: rows };
await writeFile(new URL('../matrix/debian-sources.json', import.meta.url), `${JSON.stringify(json, null, 2)}\n`);
const md = [
  `# Debian ${SUITE} sources of PostgreSQL extensions`,
  '',
  `Written by \`npm run survey-debian\` (scripts/survey-debian-sources.ts) on ${json.surveyed}: the source packages of Debian ${SUITE}`,
  "whose Build-Depends name postgresql-server-dev-all, postgresql-all or postgresql-server-dev-17, and what the mirror apt uses answers",
  `to a HEAD of each upstream tarball. ${rows.length} packages, ${missing.length} of whose .orig answer other than 200: entries`,
  'in matrix/extensions/ are picked from the reachable ones.',
  '',
  '| package | version | orig | status |',
  '| --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.package} | ${r.version} | ${r.orig} | ${r.status} |`),
  '',
].join('\n');
await writeFile(new URL('../matrix/debian-sources.md', import.meta.url), md);
console.log(`${rows.length} source packages; ${missing.length} .orig not reachable: ${missing.map((r) => r.package).join(' ')}`);
