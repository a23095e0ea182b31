// Planning a synthetic matrix of 2,000 extensions x 5 majors x 2 arches x 2 libcs (40,000 jobs)
// from files on disk, the way `trunkfarm plan` does it: load + validate matrix/, expand with build
// keys, shard; and `--changed-since main` in a real git repository where a branch changed one entry
// (only that entry's jobs are expanded and keyed).
//
// Measured twice: in-process (the library calls the command makes, so the phases can be told
// apart), and end to end as `node cli.js plan --json` with the CLI bundled from this tree exactly
// as dist/ is (so it measures the code here, not a stale bundle), output discarded.
//
// Baselines in the same run: reading the same files and parsing them with the yaml package's
// default API (`yaml.parse`), i.e. what just reading the matrix costs before any planning; and, for
// the CLI, `node cli.js --version`, i.e. starting Node and loading the bundle's entry (commands
// load their implementation when they run).
//
// The machine is small and shared with other work, so every figure is the median of several
// rounds (TRUNKFARM_BENCH_ROUNDS, default 7), the variants interleaved within each round.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadValidMatrix } from '../src/matrix/index.ts';
import { expandJobs, planChangedSince, shard } from '../src/plan/index.ts';
import { median, ms } from './_timing.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EXTENSIONS = 2000;
const ROUNDS = Number(process.env.TRUNKFARM_BENCH_ROUNDS ?? 7);
const CHANGED = 42;

function entry(i: number, version = '1.0.0'): string {
  return `name: ext${i}
version: ${version}
abstract: Synthetic extension ${i}
license: PostgreSQL
homepage: https://example.org/ext${i}
source:
  url: https://example.org/ext${i}-${version}.tar.gz
  sha256: ${createHash('sha256').update(String(i)).digest('hex')}
contents:
  extensions: [ext${i}]
dependencies:
  postgres: { version: ">= 14" }
  pipeline: pgxs
  packages:
    build: { debian: [libfoo-dev], alpine: [foo-dev] }
test:
  sql: SELECT 1;
`;
}

/** Reads every matrix file and parses it with yaml's default API: the baseline. */
function readAndParse(dir: string): number {
  let n = 0;
  parse(readFileSync(path.join(dir, 'platforms.yaml'), 'utf8'));
  const ext = path.join(dir, 'extensions');
  for (const f of readdirSync(ext)) n += parse(readFileSync(path.join(ext, f), 'utf8')) ? 1 : 0;
  return n;
}

interface Timings {
  total: number;
  load: number;
  /** Expanding with build keys; with --changed-since, the git diff and expanding what it selects. */
  expand: number;
  shard: number;
  jobs: number;
  shards: number;
}

/** What `trunkfarm plan [--changed-since REF]` computes, timed by phase. */
async function plan(dir: string, changedSince?: string): Promise<Timings> {
  const t0 = performance.now();
  const matrix = await loadValidMatrix(dir);
  const t1 = performance.now();
  const jobs = changedSince ? await planChangedSince(matrix, changedSince) : expandJobs(matrix);
  const t2 = performance.now();
  const shards = shard(jobs);
  const t3 = performance.now();
  return { total: t3 - t0, load: t1 - t0, expand: t2 - t1, shard: t3 - t2, jobs: jobs.length, shards: shards.length };
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' },
  });
}

/** Wall time of one CLI run, its output discarded; outside GitHub Actions, as on a laptop. */
function cli(bundle: string, cwd: string, args: string[]): number {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GITHUB_') && k !== 'CI'));
  const start = performance.now();
  const r = spawnSync(process.execPath, [bundle, ...args], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const took = performance.now() - start;
  if (r.status !== 0) throw new Error(`trunkfarm ${args.join(' ')} failed: ${r.stderr.toString().trim()}`);
  return took;
}

const perSecond = (jobs: number, millis: number) => `${Math.round(jobs / (millis / 1000)).toLocaleString('en-US')} jobs/s`;

export async function run(): Promise<void> {
  const root = await mkdtemp(path.join(tmpdir(), 'trunkfarm-bench-plan-'));
  try {
    const dir = path.join(root, 'matrix');
    await mkdir(path.join(dir, 'extensions'), { recursive: true });
    await writeFile(path.join(dir, 'platforms.yaml'), await readFile(path.join(ROOT, 'matrix/platforms.yaml')));
    for (let i = 0; i < EXTENSIONS; i++) await writeFile(path.join(dir, 'extensions', `ext${i}.yaml`), entry(i));
    // A pull request: branch `pr` bumps one entry's version.
    git(root, 'init', '-q', '-b', 'main');
    git(root, 'add', '.');
    git(root, 'commit', '-qm', 'base');
    git(root, 'checkout', '-qb', 'pr');
    await writeFile(path.join(dir, 'extensions', `ext${CHANGED}.yaml`), entry(CHANGED, '1.0.1'));
    git(root, 'commit', '-qam', `bump ext${CHANGED}`);

    const bundleDir = path.join(root, 'bundle');
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/bundle.mjs'), '--out', bundleDir], { cwd: ROOT, stdio: 'inherit' });
    const bundle = path.join(bundleDir, 'cli.js');
    // The CLI must agree with the in-process figures: one changed entry selects its 20 jobs.
    const picked = JSON.parse(
      execFileSync(process.execPath, [bundle, 'plan', '--matrix', 'matrix', '--changed-since', 'main', '--json'], {
        cwd: root,
        encoding: 'utf8',
        maxBuffer: 1 << 26,
        env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GITHUB_'))),
      }),
    ) as { jobs: { extension: string }[] };
    if (!picked.jobs.every((j) => j.extension === `ext${CHANGED}`) || picked.jobs.length === 0) throw new Error('--changed-since selected the wrong jobs');

    // Warm-up round (JIT, page cache), not counted.
    readAndParse(dir);
    await plan(dir);
    const baseline: number[] = [];
    const full: Timings[] = [];
    const changed: Timings[] = [];
    const cliStart: number[] = [];
    const cliFull: number[] = [];
    const cliChanged: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const start = performance.now();
      readAndParse(dir);
      baseline.push(performance.now() - start);
      full.push(await plan(dir));
      changed.push(await plan(dir, 'main'));
      cliStart.push(cli(bundle, root, ['--version']));
      cliFull.push(cli(bundle, root, ['plan', '--matrix', 'matrix', '--json']));
      cliChanged.push(cli(bundle, root, ['plan', '--matrix', 'matrix', '--changed-since', 'main', '--json']));
    }
    const m = (list: Timings[], k: keyof Timings) => median(list.map((t) => t[k]));
    const base = median(baseline);
    const jobs = full[0]!.jobs;
    const selected = changed[0]!.jobs;

    console.log(`${jobs} jobs (${EXTENSIONS} entries) in ${full[0]!.shards} shards; medians of ${ROUNDS} rounds; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`);
    console.log(`baseline, read + yaml.parse of the ${EXTENSIONS + 1} files: ${ms(base)}`);
    console.log(
      `full plan (in-process): ${ms(m(full, 'total'))}, ${perSecond(jobs, m(full, 'total'))}, ${(m(full, 'total') / base).toFixed(2)}x the baseline` +
        ` [load+validate ${ms(m(full, 'load'))}, expand+keys ${ms(m(full, 'expand'))}, shard ${ms(m(full, 'shard'))}]`,
    );
    console.log(
      `--changed-since, one entry changed (in-process): ${selected} jobs in ${ms(m(changed, 'total'))}, ${(m(changed, 'total') / base).toFixed(2)}x the baseline` +
        ` [git diff + expand of the changed entry ${ms(m(changed, 'expand'))}]`,
    );
    const start = median(cliStart);
    console.log(`CLI \`trunkfarm --version\` (Node + bundle start-up): ${ms(start)}`);
    console.log(`CLI \`trunkfarm plan --json\`: ${ms(median(cliFull))}, ${perSecond(jobs, median(cliFull))}, ${ms(median(cliFull) - start)} after start-up`);
    console.log(`CLI \`trunkfarm plan --changed-since main --json\`: ${ms(median(cliChanged))}, ${ms(median(cliChanged) - start)} after start-up`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
