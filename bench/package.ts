// Packing a staged tree of about 300 MB (copies of this machine's shared libraries) into a trunk,
// against `tar -c | gzip -6` plus `sha256sum` of the same tree in the same run; the same at half
// the size for linearity; and installing the trunk (--extensions-dir) at both sizes. Files are
// read once beforehand so that both sides run from the page cache.
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { installTrunk, writeTrunk, type PackageMeta } from '../src/package/index.ts';
import { ms } from './_timing.ts';

const SOURCE = '/usr/lib/x86_64-linux-gnu';
const TARGET = 300 << 20;

async function pickFiles(limit: number): Promise<{ path: string; size: number }[]> {
  const picked: { path: string; size: number }[] = [];
  let total = 0;
  for (const name of (await readdir(SOURCE)).sort()) {
    if (!/\.so(\.\d+)*$/.test(name)) continue;
    const st = await stat(join(SOURCE, name)).catch(() => undefined);
    // A realistic mix: no tiny files, and none of the 100 MB giants (libLLVM) that would make
    // the tree a handful of files.
    if (!st?.isFile() || st.size < 64 << 10 || st.size > 40 << 20) continue;
    picked.push({ path: join(SOURCE, name), size: st.size });
    total += st.size;
    if (total >= limit) break;
  }
  return picked;
}

async function makeStage(root: string, files: { path: string; size: number }[]): Promise<number> {
  await mkdir(join(root, 'pgsql/pkglib'), { recursive: true });
  await mkdir(join(root, 'pgsql/share/extension'), { recursive: true });
  await writeFile(join(root, 'pgsql/share/extension/benchpkg.control'), "default_version = '1.0.0'\n");
  await writeFile(join(root, 'LICENSE'), 'bench\n');
  let total = 0;
  for (const f of files) {
    const to = join(root, 'pgsql/pkglib', f.path.slice(SOURCE.length + 1));
    await copyFile(f.path, to);
    await readFile(to); // warm the page cache
    total += f.size;
  }
  return total;
}

function meta(): PackageMeta {
  return {
    name: 'benchpkg',
    version: '1.0.0',
    license: 'MIT',
    abstract: 'bench',
    language: 'c',
    extensions: ['benchpkg'],
    postgres: { version: '18.1', major: 18, versionNum: 180001, cflags: '', cppflags: '', ldflags: '', libs: '' },
    platform: { os: 'gnulinux', arch: 'amd64', libc: 'glibc' },
    dependencies: { extensions: [], system: [], bundled: [] },
    buildKey: 'bench',
    sourceDigest: `sha256:${'0'.repeat(64)}`,
    sourceDateEpoch: 1700000000,
  };
}

/** Wall time of a shell pipeline, and the CPU seconds its processes used (bash's `times`). */
function timeShell(script: string): { wall: number; cpu: number } {
  const start = performance.now();
  const r = spawnSync('bash', ['-c', `set -o pipefail; ${script} >/dev/null; times`], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`baseline failed: ${script}\n${r.stderr}`);
  const wall = performance.now() - start;
  // `times` prints the shell's user/sys, then its children's: "0m1.234s 0m0.100s".
  const secs = [...r.stdout.trim().split('\n').pop()!.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return { wall, cpu: secs.reduce((a, b) => a + b, 0) * 1000 };
}

/** Best of RUNS, baseline and ours interleaved, so that load from other processes on this small
 * machine hits both sides alike. */
const RUNS = 2;

interface Figures {
  ours: number;
  oursCpu: number;
  base: number;
  baseCpu: number;
  install: number;
  size: number;
}

async function measure(work: string, stage: string): Promise<Figures> {
  const best: Figures = { ours: Infinity, oursCpu: Infinity, base: Infinity, baseCpu: Infinity, install: Infinity, size: 0 };
  for (let i = 0; i < RUNS; i++) {
    const baselineOut = join(work, 'baseline.tar.gz');
    const tar = timeShell(`tar -cf - -C '${stage}' . | gzip -6 > '${baselineOut}'`);
    const sha = timeShell(`cd '${stage}' && find . -type f -print0 | xargs -0 sha256sum`);
    await rm(baselineOut);
    if (tar.wall + sha.wall < best.base) {
      best.base = tar.wall + sha.wall;
      best.baseCpu = tar.cpu + sha.cpu;
    }
    const out = join(work, `out-${i}`);
    await mkdir(out);
    const cpu = process.cpuUsage();
    let start = performance.now();
    const trunk = await writeTrunk(stage, meta(), out);
    const wall = performance.now() - start;
    if (wall < best.ours) {
      best.ours = wall;
      const used = process.cpuUsage(cpu);
      best.oursCpu = (used.user + used.system) / 1000;
    }
    best.size = trunk.size;
    const ext = join(work, `ext-${i}`);
    start = performance.now();
    await installTrunk(trunk.path, { extensionsDir: ext });
    best.install = Math.min(best.install, performance.now() - start);
    await rm(out, { recursive: true });
    await rm(ext, { recursive: true });
  }
  return best;
}

export async function run(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'trunkfarm-bench-package-'));
  try {
    const files = await pickFiles(TARGET);
    const half: typeof files = [];
    for (let bytes = 0, i = 0; bytes < TARGET / 2; i++) {
      half.push(files[i]!);
      bytes += files[i]!.size;
    }
    const fullStage = join(work, 'full');
    const halfStage = join(work, 'half');
    const fullBytes = await makeStage(fullStage, files);
    const halfBytes = await makeStage(halfStage, half);
    const mb = (n: number) => `${(n / (1 << 20)).toFixed(0)} MB`;

    const full = await measure(work, fullStage);
    const part = await measure(work, halfStage);
    const line = (label: string, bytes: number, count: number, r: Figures) => {
      console.log(
        `${label}: ${mb(bytes)} in ${count} files -> trunk ${mb(r.size)}\n` +
          `  trunkfarm pack                 ${ms(r.ours)} wall, ${ms(r.oursCpu)} CPU\n` +
          `  tar | gzip -6, then sha256sum  ${ms(r.base)} wall, ${ms(r.baseCpu)} CPU\n` +
          `  ratio pack/baseline            ${(r.ours / r.base).toFixed(2)}x wall (goal <= 0.60x), ${(r.oursCpu / r.baseCpu).toFixed(2)}x CPU\n` +
          `  install --extensions-dir       ${ms(r.install)}`,
      );
    };
    console.log(`best of ${RUNS} runs, baseline and ours interleaved; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`);
    line('full', fullBytes, files.length, full);
    line('half', halfBytes, half.length, part);
    console.log(
      `linearity (full/half): size ${(fullBytes / halfBytes).toFixed(2)}x, pack ${(full.ours / part.ours).toFixed(2)}x wall ` +
        `${(full.oursCpu / part.oursCpu).toFixed(2)}x CPU, baseline ${(full.base / part.base).toFixed(2)}x wall, install ${(full.install / part.install).toFixed(2)}x`,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
