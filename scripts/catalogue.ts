// Builds the whole catalogue on the platform cells this machine has local images for, one job at a
// time, prints the grid (entry x cell), and renders the status page from the run's index
// (`npm run catalogue -- --out DIR`). Every planned cell ends up in the grid: built, failed with
// the step and the line that says why, or not built (no local image, or not reached yet).
//
// Each job is a `trunkfarm build` of its own process, so one job's crash or hang cannot take the
// run with it, and an unchanged job (same build key) is skipped: a second run resumes. The index
// is what `trunkfarm publish --unsigned` writes from the output folder (failures included), and
// the page is `trunkfarm site` of that index with the matrix, so cells not built show as missing.
//
// Options: --out DIR (default out/catalogue), --cells A,B (default: LOCAL_CELLS, in that order),
// --only NAME,NAME (entries), --sample NAME,NAME (the entries built on SAMPLED cells), --no-build
// (grid, index and page from what OUT holds), --no-index (builds and grid only: for runs of one
// cell at a time, the last of which writes the index and page).
import { spawn } from 'node:child_process';
import { mkdir, open, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadValidMatrix } from '../src/matrix/index.ts';
import { expandJobs, type PlannedJob } from '../src/plan/index.ts';

// The cells scripts/local-images.sh makes, in build order: PostgreSQL 17 glibc amd64 first.
const LOCAL_CELLS = ['pg17-gnulinux-amd64', 'pg15-gnulinux-amd64', 'pg18-gnulinux-amd64', 'pg17-musllinux-amd64', 'pg17-gnulinux-arm64'];
// arm64 runs under QEMU here, several times slower than native: a sample of the pipelines only.
const SAMPLED: Record<string, string[]> = {
  'pg17-gnulinux-arm64': ['pgvector', 'ip4r', 'semver', 'jsquery', 'pllua', 'pgmemcache', 'bgw_replstatus'],
};

const { values: flags } = parseArgs({
  options: {
    out: { type: 'string', default: 'out/catalogue' },
    cells: { type: 'string' },
    only: { type: 'string' },
    sample: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    'no-index': { type: 'boolean', default: false },
    matrix: { type: 'string', default: 'matrix' },
  },
});
const out = path.resolve(flags.out!);
const cells = flags.cells ? flags.cells.split(',') : LOCAL_CELLS;
const only = flags.only ? new Set(flags.only.split(',')) : undefined;
const sample = flags.sample ? flags.sample.split(',') : undefined;
const cli = (args: string[]) => [path.resolve('node_modules/.bin/tsx'), path.resolve('src/cli/index.ts'), ...args];

const matrix = await loadValidMatrix(flags.matrix!);
const platformOf = (j: PlannedJob) => `pg${j.pg}-${j.libc === 'musl' ? 'musllinux' : 'gnulinux'}-${j.arch}`;
const planned = expandJobs(matrix).filter((j) => cells.includes(platformOf(j)) && (!only || only.has(j.extension)));
const inSample = (j: PlannedJob) => !(platformOf(j) in SAMPLED) || (sample ?? SAMPLED[platformOf(j)]!).includes(j.extension);

function run(argv: string[], logFile?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    void (async () => {
      const log = logFile ? await open(logFile, 'w') : undefined;
      const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', log ? log.fd : 'inherit', log ? log.fd : 'inherit'] });
      child.on('error', reject);
      child.on('close', (code) => {
        void log?.close();
        resolve(code ?? 1);
      });
    })();
  });
}

async function imageExists(ref: string): Promise<boolean> {
  return (await run(['podman', 'image', 'exists', ref])) === 0;
}

// Cells whose local images are missing are reported, not built: `trunkfarm build --images local`
// would fail every job of them for the same reason.
const missingImages = new Map<string, string>();
for (const cell of cells) {
  const p = matrix.platforms.find((x) => x.name === cell);
  if (!p) throw new Error(`--cells: ${cell} is not a platform of the matrix`);
  for (const ref of [p.builder.local, p.base.local]) if (ref && !(await imageExists(ref))) missingImages.set(cell, `no local image ${ref}`);
}

await mkdir(path.join(out, 'logs'), { recursive: true });
if (!flags['no-build']) {
  const queue = cells.flatMap((cell) => planned.filter((j) => platformOf(j) === cell && inSample(j) && !missingImages.has(cell)));
  let n = 0;
  for (const job of queue) {
    n++;
    const started = Date.now();
    const name = `${job.extension}-${job.version}+${job.platform}`;
    const code = await run(cli(['build', job.extension, '--pg', String(job.pg), '--libc', job.libc, '--arch', job.arch, '--images', 'local', '--out', out]), path.join(out, 'logs', `${name}.log`));
    const result = await readJson(path.join(out, name, 'result.json'));
    const state = result ? cellText(result) : `failed: no result (exit ${code}), see logs/${name}.log`;
    console.log(`[${n}/${queue.length}] ${name}: ${state} (${Math.round((Date.now() - started) / 1000)} s)`);
  }
}

// The grid: one row per entry, one column per cell.
interface Result {
  status: 'built' | 'failed';
  job: { key: string };
  failure?: { step: string; message: string };
  startedAt: string;
  finishedAt: string;
}
async function readJson(file: string): Promise<Result | undefined> {
  return JSON.parse(await readFile(file, 'utf8').catch(() => 'null')) ?? undefined;
}

/** `ok`, or `failed: STEP: the line of its log that says why`. */
function cellText(r: Result): string {
  if (r.status === 'built') return 'ok';
  const lines = (r.failure?.message ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
  // Compiler command lines name -Werror=... flags: they are not what went wrong.
  const command = /^(\S*\/)?(gcc|cc|clang|g\+\+|c\+\+)(-\d+)?\s/;
  const telling = lines.filter((l) => /error|fatal|cannot|not found|no such|undefined|failed|refused|missing|does not|will not|linked against/i.test(l) && !/exit status \d+(; last lines of|$)/.test(l) && !/^make(\[\d+\])?: \*\*\*/.test(l) && !command.test(l));
  const why = (telling.at(-1) ?? lines.at(-1) ?? '').replace(/\s+/g, ' ').slice(0, 160);
  return `failed: ${r.failure?.step ?? '?'}: ${why}`;
}

/** `2026-12-04 18:42` of an ISO time. */
const utc = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
const current = new Map<string, Result[]>();
const names = [...new Set(planned.map((j) => j.extension))].sort();
const grid: Record<string, Record<string, string>> = {};
for (const name of names) {
  grid[name] = {};
  const entry = matrix.entries.find((e) => e.entry.name === name)!.entry;
  for (const cell of cells) {
    // SQL-only packages build once per major, in the default platform's column.
    const job = planned.find((j) => j.extension === name && platformOf(j) === cell);
    if (!job) {
      grid[name][cell] = entry.language === 'sql' ? 'n/a (SQL-only: built once per major)' : 'excluded (out of its range or excluded)';
      continue;
    }
    const result = await readJson(path.join(out, `${job.extension}-${job.version}+${job.platform}`, 'result.json'));
    if (result?.job.key === job.key) current.set(cell, [...(current.get(cell) ?? []), result!]);
    grid[name][cell] =
      result?.job.key === job.key ? cellText(result!)
      // A build of an older version of the entry stays in view, dated, until this one is built.
      : result ? `was ${cellText(result)} (measured ${utc(result.finishedAt)}, before the entry last changed)`
      : missingImages.has(cell) ? `not built: ${missingImages.get(cell)}`
      : !inSample(job) ? 'not built: not in the sample for this cell'
      : 'not built yet';
  }
}

const table = [`| entry | ${cells.join(' | ')} |`, `| --- |${cells.map(() => ' --- |').join('')}`, ...names.map((n) => `| ${n} | ${cells.map((c) => grid[n]![c]!.replaceAll('|', '\\|')).join(' | ')} |`)].join('\n');
// Totals by state: the text before the first ":" or " (" of each cell ("failed", "not built", ...).
const counts = new Map<string, number>();
for (const text of Object.values(grid).flatMap((row) => Object.values(row))) {
  const state = text.split(/:| \(/)[0]!;
  counts.set(state, (counts.get(state) ?? 0) + 1);
}
const totals = [...counts].map(([state, n]) => `${state}: ${n}`).join(', ');
// When each column's results were measured: columns are often built in separate runs.
const spans = cells.filter((c) => current.has(c)).map((c) => {
  const rs = current.get(c)!;
  const first = rs.map((r) => r.startedAt).sort()[0]!;
  const last = rs.map((r) => r.finishedAt).sort().at(-1)!;
  return `${c} ${utc(first)} to ${utc(last)}`;
});
const measured = `Measured (UTC): ${spans.join('; ')}`;
await writeFile(path.join(out, 'grid.md'), `${table}\n\n${totals}\n\n${measured}\n`);
await writeFile(path.join(out, 'grid.json'), `${JSON.stringify({ cells, grid }, null, 2)}\n`);
console.log(`\n${table}\n\n${totals}\n\n${measured}`);

// The index (failures included) and the status page rendered from it.
const built = (await readdir(out)).some((n) => n.includes('+'));
if (built && !flags['no-index']) {
  const index = path.join(out, 'index.json');
  if ((await run(cli(['publish', out, '--unsigned', '--index', index]), path.join(out, 'logs', 'publish.log'))) !== 0) {
    console.error(`publish failed: see ${path.join(out, 'logs', 'publish.log')}`);
    process.exit(1);
  }
  const site = path.join(out, 'site');
  if ((await run(cli(['site', '--index', index, '--out', site, '--matrix', flags.matrix!]))) !== 0) process.exit(1);
  console.log(`index: ${index}\nstatus page: ${path.join(site, 'index.html')}\ngrid: ${path.join(out, 'grid.md')}`);
}
