// The closure check over every ELF file under /usr/lib/x86_64-linux-gnu of this machine (about a
// thousand shared libraries), as one process: the ELF parse alone, and the whole check (scan the
// tree, load the saved inventory, parse, loader-exact resolution of every DT_NEEDED, version
// checks). Baselines in the same run over the same files: `scanelf -n` (pax-utils, C, NEEDED only)
// and `lddtree` (pax-utils, Python, the dependency tree). Linearity: every other file against all.
//
// Each figure is given as CPU time (user + system, best of several runs), which other work on a
// small shared machine disturbs far less than wall time; the wall time of the whole check is given
// too, since that is what the goal is about.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkScanned, parseOptionsFor } from '../src/closure/check.ts';
import { readElf } from '../src/closure/elf/index.ts';
import { type Inventory, inventoryFromDir, loadInventory, saveInventory } from '../src/closure/inventory.ts';
import { type Tree, scanTree } from '../src/closure/tree.ts';
import { ms } from './_timing.ts';

const DIR = '/usr/lib/x86_64-linux-gnu';

interface Timing {
  wall: number;
  cpu: number;
}

/** Best wall and best CPU time of `runs` runs of fn, in milliseconds. */
function measure(runs: number, fn: () => unknown): Timing {
  let wall = Infinity;
  let cpu = Infinity;
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    fn();
    wall = Math.min(wall, performance.now() - w0);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1000);
  }
  return { wall, cpu };
}

/** A child's CPU time (user + system) as bash's `times` reports it, best of `runs`, and its wall time. */
function measureChild(runs: number, cmd: string, args: string[]): Timing {
  let wall = Infinity;
  let cpu = Infinity;
  for (let i = 0; i < runs; i++) {
    const w0 = performance.now();
    const r = spawnSync('bash', ['-c', '"$@" >/dev/null 2>&1; times', 'bash', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
    wall = Math.min(wall, performance.now() - w0);
    const children = r.stdout.trim().split('\n')[1] ?? '';
    const secs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((t, m) => t + Number(m[1]) * 60 + Number(m[2]), 0);
    cpu = Math.min(cpu, secs * 1000);
  }
  return { wall, cpu };
}

function checkFiles(tree: Tree, inventory: Inventory) {
  return checkScanned(tree, { inventory, layouts: [{ name: 'host', mounts: [{ runtime: DIR, local: DIR }], moduleDirs: [] }] });
}

const show = (t: Timing) => `${ms(t.cpu)} CPU, ${ms(t.wall)} wall`;

export async function run(): Promise<void> {
  if (!existsSync(DIR)) {
    process.stdout.write(`closure: ${DIR} not found, skipped\n`);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'trunkfarm-bench-closure-'));
  try {
    // The base inventory is captured once per platform and loaded from JSON by every check.
    let inv: Inventory | undefined;
    const capture = measure(1, () => (inv = inventoryFromDir('/')));
    if (inv === undefined) throw new Error('no inventory');
    const saved = join(work, 'inventory.json');
    saveInventory(inv, saved);

    // Warm the page cache and the JIT once, as for any "once started" figure.
    const warm = scanTree(DIR);
    const files = warm.files.map((f) => f.local);
    checkFiles(warm, inv);
    const opts = parseOptionsFor({ inventory: inv });

    const parse = measure(7, () => files.forEach((f) => readElf(f)));
    let failed = 0;
    let resolved = 0;
    const whole = measure(5, () => {
      const inventory = loadInventory(saved);
      const result = checkFiles(scanTree(DIR, parseOptionsFor({ inventory })), inventory);
      failed = result.files.filter((f) => f.verdict === 'fail').length;
      resolved = result.files.reduce((n, f) => n + Object.keys(f.resolved).length, 0);
    });

    // Linearity: every other file (the same mix of sizes) against all, inventory loaded once, each
    // parsed and resolved afresh; runs alternate so that other load hits both alike.
    const checkOf = (subset: Tree['files']) => () => checkFiles({ ...warm, files: subset.map((f) => ({ ...f, elf: readElf(f.local, opts) })) }, inv as Inventory);
    const every2 = warm.files.filter((_, i) => i % 2 === 0);
    let half: Timing = { wall: Infinity, cpu: Infinity };
    let all: Timing = { wall: Infinity, cpu: Infinity };
    let parseHalf: Timing = { wall: Infinity, cpu: Infinity };
    const min = (a: Timing, b: Timing) => ({ wall: Math.min(a.wall, b.wall), cpu: Math.min(a.cpu, b.cpu) });
    for (let i = 0; i < 7; i++) {
      half = min(half, measure(1, checkOf(every2)));
      all = min(all, measure(1, checkOf(warm.files)));
      parseHalf = min(parseHalf, measure(1, () => every2.forEach((f) => readElf(f.local))));
    }

    const scanelf = measureChild(5, 'scanelf', ['-n', ...files]);
    // lddtree is a Python script: run it with the system interpreter, which has pyelftools.
    const py = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
    const lddtree = measureChild(1, py, ['/usr/bin/lddtree', ...files]);
    const lddtreeOne = measureChild(3, py, ['/usr/bin/lddtree', files[0] as string]);

    const n = files.length;
    const rate = (t: number) => `${Math.round((n / t) * 1000)} files/s`;
    const out = [
      `closure: ${n} ELF files under ${DIR}; ${resolved} DT_NEEDED resolved; ${failed} file(s) with problems against this machine's own inventory`,
      `  inventory capture of / (once per platform, then loaded from JSON): ${show(capture)}, ${inv.libraries.length} libraries`,
      `  parse only:   ${show(parse)} (${rate(parse.cpu)} of CPU); every other file ${ms(parseHalf.cpu)} CPU: all/half = ${(parse.cpu / parseHalf.cpu).toFixed(2)}`,
      `  whole check:  ${show(whole)} (${rate(whole.wall)} wall): scan ${DIR}, load inventory, parse, resolve, versions`,
      `  linearity:    parse+resolve every other file ${ms(half.cpu)} CPU, all ${ms(all.cpu)} CPU: all/half = ${(all.cpu / half.cpu).toFixed(2)} (2.00 is linear)`,
      `  scanelf -n:   ${show(scanelf)} (C, NEEDED only): our parse takes ${(parse.cpu / scanelf.cpu).toFixed(2)}x its CPU (goal <= 5x)`,
      `  lddtree:      ${show(lddtree)} for all files in one process, ${show(lddtreeOne)} for one: the whole check is ${(lddtree.wall / whole.wall).toFixed(0)}x faster (wall) than one lddtree over the same files, ${((lddtreeOne.wall * n) / whole.wall).toFixed(0)}x faster than lddtree run per file`,
      `  goals: whole check < 1 s wall: ${whole.wall < 1000 ? 'met' : 'NOT met'}; parse within 5x scanelf: ${parse.cpu <= 5 * scanelf.cpu ? 'met' : 'NOT met'}`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
