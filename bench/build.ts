// The farm's own overhead on a real build. Farm side: the real CLI, `trunkfarm build pgvector
// --pg 17 --arch amd64 --libc glibc --out FRESH_DIR` with its defaults (source from the cache,
// builder container, build, installcheck, closure check, packages, smoke test in the base image),
// bundled from this tree exactly as dist/cli.js is, so that it measures the code here and not a
// stale bundle. Baseline: a bare `podman run --rm ... make && make install` of the same source,
// freshly unpacked, in the same builder image, with the same make flags (the entry's, incl.
// OPTFLAGS=). Then the same CLI command again into the same out/: the unchanged job must be
// skipped outright. For reference, the same build with --no-test: the farm's machinery alone; and
// a second baseline that also runs the regression suite by hand (initdb, a server, make
// installcheck), i.e. the same tests the farm's default build runs after the compile.
//
// Wall time on a small machine shared with other work is noisy, so the bench runs several rounds
// (TRUNKFARM_BENCH_ROUNDS, default 3), alternating which side goes first, and reports medians and
// bests. TRUNKFARM_BENCH_CLI=FILE measures that bundle (dist/cli.js, an older one) instead.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { jobDirName, type JobResult } from '../src/job-result/index.ts';
import { shellQuote } from '../src/builder/pipeline.ts';
import { cacheRoot } from '../src/cache/index.ts';
import { fetchSource, unpackSource } from '../src/builder/source.ts';
import { loadValidMatrix } from '../src/matrix/index.ts';
import { expandJobs } from '../src/plan/index.ts';
import { median } from './_timing.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EXTENSION = 'pgvector';
const AXES = ['--pg', '17', '--arch', 'amd64', '--libc', 'glibc'];
const PLATFORM = 'pg17-gnulinux-amd64';

interface Round {
  bare: number;
  /** The bare build followed by the entry's regression suite, by hand. */
  bareTested: number;
  farm: Timed;
  /** The same with --no-test: the farm's machinery without installcheck and smoke test. */
  untested: number;
  again: number;
  result: JobResult;
}

/** A farm run: its wall time, and when (ms from its start) the build step began and ended, from
 * the CLI's own progress lines. */
interface Timed {
  wall: number;
  buildStart: number;
  buildEnd: number;
}

export async function run(): Promise<void> {
  const rounds = Number(process.env.TRUNKFARM_BENCH_ROUNDS ?? 3);
  const matrix = await loadValidMatrix(path.join(ROOT, 'matrix'));
  const loaded = matrix.entries.find((e) => e.entry.name === EXTENSION)!;
  const entry = loaded.entry;
  const job = expandJobs(matrix, [loaded]).find((j) => j.platform === PLATFORM)!;
  const platform = matrix.platforms.find((p) => p.name === PLATFORM)!;
  const image = platform.builder.local!;
  if (!('url' in entry.source) || !entry.source.url) throw new Error(`${EXTENSION} has no archive source`);
  if (!(entry.build?.make ?? []).includes('OPTFLAGS=')) throw new Error(`${EXTENSION}'s entry no longer asks for OPTFLAGS=: revisit this bench`);

  const work = await mkdtemp(path.join(tmpdir(), 'trunkfarm-bench-build-'));
  try {
    // Both sides start from the cached archive; fetching it is not what is measured.
    const fetched = await fetchSource(
      { url: entry.source.url, sha256: entry.source.sha256, ...(entry.source.debian ? { debian: entry.source.debian } : {}) },
      { cacheRoot: cacheRoot(process.env, ROOT) },
    );
    let cli = process.env.TRUNKFARM_BENCH_CLI ? path.resolve(process.env.TRUNKFARM_BENCH_CLI) : '';
    if (!cli) {
      cli = path.join(work, 'dist', 'cli.js');
      mustRun('node', [path.join(ROOT, 'scripts/bundle.mjs'), '--out', path.dirname(cli)], ROOT);
    }

    // What the farm's pgxs pipeline runs, written out by hand: same image, same flags.
    const pgConfig = `/usr/lib/postgresql/${platform.pg}/bin/pg_config`;
    const flags = `USE_PGXS=1 PG_CONFIG=${pgConfig} ${(entry.build?.make ?? []).map(shellQuote).join(' ')}`;
    const bareScript = `set -eu; cd /src; make -j"$(nproc)" ${flags}; make install ${flags} DESTDIR=/tmp/stage; test -f /tmp/stage/usr/lib/postgresql/${platform.pg}/lib/vector.so`;
    // The same, then the regression suite the entry asks for, done by hand the plain way: install
    // into the image's PostgreSQL, initdb, start a server, make installcheck.
    const bin = `/usr/lib/postgresql/${platform.pg}/bin`;
    const bareTestedScript = `${bareScript}; make install ${flags} >/dev/null
mkdir -p /tmp/pg && chown postgres /tmp/pg
su postgres -c '${bin}/initdb -D /tmp/pg/d -U postgres --auth=trust --no-sync >/dev/null && ${bin}/pg_ctl -D /tmp/pg/d -o "-k /tmp -c listen_addresses= -c fsync=off" -w start >/dev/null'
PGHOST=/tmp PGUSER=postgres make installcheck ${flags}`;

    const bare = async (i: number, script = bareScript, name = 'bare'): Promise<number> => {
      const src = path.join(work, `${name}-${i}`);
      await unpackSource(fetched.path, src);
      const log = path.join(work, `${name}-${i}.log`);
      const t = await timed('podman', ['run', '--rm', '--network', 'host', '-v', `${src}:/src`, image, 'sh', '-c', script], log);
      await rm(src, { recursive: true, force: true });
      return t.wall;
    };
    const farm = (out: string, log: string, ...more: string[]) => timed('node', [cli, 'build', EXTENSION, ...AXES, '--out', out, ...more], log, `${jobDirName(job)}: `);

    const results: Round[] = [];
    console.log(`${rounds} rounds, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at start`);
    for (let i = 0; i < rounds; i++) {
      const out = path.join(work, `out-${i}`);
      const farmFirst = i % 2 === 1;
      let b = 0;
      let bt = 0;
      if (!farmFirst) {
        b = await bare(i);
        bt = await bare(i, bareTestedScript, 'bare-tested');
      }
      const f = await farm(out, path.join(work, `farm-${i}.log`));
      const jobDir = path.join(out, jobDirName(job));
      const result = JSON.parse(readFileSync(path.join(jobDir, 'result.json'), 'utf8')) as JobResult;
      if (result.status !== 'built') throw new Error(`round ${i}: build failed: ${result.failure?.message}`);
      if (!result.steps.some((s) => s.name === 'test') || !result.steps.some((s) => s.name === 'installcheck')) {
        throw new Error(`round ${i}: the build ran no smoke test or no installcheck: it is not the default build`);
      }
      const againLog = path.join(work, `again-${i}.log`);
      const a = (await farm(out, againLog)).wall;
      const after = JSON.parse(readFileSync(path.join(jobDir, 'result.json'), 'utf8')) as JobResult;
      if (after.startedAt !== result.startedAt || !readFileSync(againLog, 'utf8').includes('up to date')) {
        throw new Error(`round ${i}: the unchanged job was built again instead of skipped`);
      }
      const u = (await farm(path.join(work, `untested-${i}`), path.join(work, `untested-${i}.log`), '--no-test')).wall;
      if (farmFirst) {
        b = await bare(i);
        bt = await bare(i, bareTestedScript, 'bare-tested');
      }
      results.push({ bare: b, bareTested: bt, farm: f, untested: u, again: a, result });
      const ratio = (f.wall / b - 1) * 100;
      console.log(
        `  round ${i + 1}: bare ${s(b)}, farm ${s(f.wall)} (${ratio >= 0 ? '+' : ''}${ratio.toFixed(0)}%; before the build ${s(f.buildStart)}, build ${s(f.buildEnd - f.buildStart)}, after it ${s(f.wall - f.buildEnd)}), unchanged again ${s(a)} (skipped), --no-test ${s(u)}, bare with installcheck ${s(bt)}`,
      );
      await rm(out, { recursive: true, force: true });
      await rm(path.join(work, `untested-${i}`), { recursive: true, force: true });
    }

    const med = (f: (r: Round) => number) => median(results.map(f));
    const best = (f: (r: Round) => number) => Math.min(...results.map(f));
    const pct = (farmMs: number, bareMs: number) => `${((farmMs / bareMs - 1) * 100).toFixed(0)}%`;
    const [mBare, mFarm, bBare, bFarm] = [med((r) => r.bare), med((r) => r.farm.wall), best((r) => r.bare), best((r) => r.farm.wall)];
    console.log(`bare podman run + make install: median ${s(mBare)}, best ${s(bBare)}`);
    console.log(`trunkfarm build ${EXTENSION} ${AXES.join(' ')}: median ${s(mFarm)}, best ${s(bFarm)}`);
    console.log(`  -> overhead: ${pct(mFarm, mBare)} median to median, ${pct(bFarm, bBare)} best to best, median of rounds ${median(results.map((r) => (r.farm.wall / r.bare - 1) * 100)).toFixed(0)}% (goal < 20%)`);
    console.log(`with --no-test (no installcheck, no smoke test): median ${s(med((r) => r.untested))} -> overhead ${pct(med((r) => r.untested), mBare)} median to median, median of rounds ${median(results.map((r) => (r.untested / r.bare - 1) * 100)).toFixed(0)}%`);
    // The same tests on both sides: the farm's installcheck against one done by hand; the farm
    // also runs the smoke test in the base image, which the hand-made side does not.
    console.log(`bare podman run + make install + installcheck (initdb, server, make installcheck): median ${s(med((r) => r.bareTested))} -> the default farm build against it: ${pct(mFarm, med((r) => r.bareTested))} median to median, median of rounds ${median(results.map((r) => (r.farm.wall / r.bareTested - 1) * 100)).toFixed(0)}%`);
    console.log(`unchanged job again (whole CLI process): median ${s(med((r) => r.again))}, skipped: build key already in out/`);
    // The compile is the same work on both sides and the noisiest part: what the farm adds is
    // better seen as the time around its build step.
    console.log(`farm time around the compile (medians): ${s(med((r) => r.farm.buildStart))} before it (node, matrix, source, images, builder container, dependencies), ${s(med((r) => r.farm.wall - r.farm.buildEnd))} after it (installcheck, stage, closure, package, smoke test, removing the containers)`);
    const stepNames = results[0]!.result.steps.map((st) => st.name);
    const step = (name: string) => med((r) => (r.result.steps.find((st) => st.name === name)?.seconds ?? 0) * 1000);
    console.log(`steps (medians, from result.json; some run side by side): ${stepNames.map((n) => `${n} ${s(step(n))}`).join(', ')}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Wall time of a command, its output going to `log`, and when the lines `${progress}build` and
 * the one after it came; a failure shows the end of the log. */
async function timed(cmd: string, args: string[], log: string, progress?: string): Promise<Timed> {
  const file = createWriteStream(log);
  const t = performance.now();
  const marks: number[] = [];
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let partial = '';
  let inBuild = false;
  const onData = (chunk: Buffer) => {
    file.write(chunk);
    if (!progress) return;
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith(progress) || !/^\w+$/.test(line.slice(progress.length))) continue;
      // The build step's line, then the next step's: the build has ended.
      if (line.slice(progress.length) === 'build') inBuild = true;
      else if (!inBuild || marks.length === 2) continue;
      marks.push(performance.now() - t);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const wall = performance.now() - t;
  await new Promise((resolve) => file.end(resolve));
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${code}):\n${readFileSync(log, 'utf8').split('\n').slice(-20).join('\n')}`);
  return { wall, buildStart: marks[0] ?? 0, buildEnd: marks[1] ?? marks[0] ?? 0 };
}

function mustRun(cmd: string, args: string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
}

function s(msec: number): string {
  return msec < 1000 ? `${msec.toFixed(0)} ms` : `${(msec / 1000).toFixed(1)} s`;
}
