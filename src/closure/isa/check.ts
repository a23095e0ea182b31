// The ISA baseline check: code compiled for the build machine's CPU (-march=native) or for more
// than the platform's baseline promises (-mavx2, -march=haswell) is found in the build log's
// compiler invocations and in the compiler's own record inside the objects, and named with the
// file and the entry field that fixes it.
//
// Only flags that apply to a whole translation unit count. Run-time dispatch (GNU ifuncs,
// target_clones, __attribute__((target("avx2"))) behind a CPUID check) leaves no trace in either
// place, so it passes as it should. A file compiled whole with -mavx2 whose functions are only
// reached through such a check is declared in the entry's build.dispatch_files; -march=native is
// never right, even there.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isElfError } from '../elf/index.ts';
import type { Arch, IsaBaseline } from '../../types.ts';
import { compilerInvocations } from './commands.ts';
import { type FlagVerdict, judgeFlag } from './levels.ts';
import { readObjectRecord } from './objects.ts';

export interface IsaTarget {
  arch: Arch;
  baseline: IsaBaseline;
  /** Source files (relative to the source root) allowed flags above the baseline. */
  dispatchFiles?: readonly string[];
}

export interface IsaFinding extends FlagVerdict {
  /** Where it was seen: a compiler invocation in the build log, or an object's own record. */
  evidence: 'log' | 'object';
  /** Files it applied to (sources compiled, else outputs; objects for `object`), relative to the
   * source root, in order of first appearance. */
  files: string[];
  /** Build log lines (for `log`). */
  lines: number[];
}

/** Flags above the baseline in the compiler invocations of a build log. `sourceRoot` is where the
 * build saw the source tree (the builder's mount), stripped from the file names. */
export function checkBuildLog(log: string, target: IsaTarget, sourceRoot = ''): IsaFinding[] {
  const found = new Map<string, IsaFinding>();
  for (const inv of compilerInvocations(log)) {
    const files = inv.files.map((f) => relativeTo(f, sourceRoot));
    for (const v of judgeSwitches(inv.args, target)) {
      if (v.kind !== 'native' && files.length > 0 && files.every((f) => isDispatchFile(f, target.dispatchFiles))) continue;
      const f = found.get(v.flag) ?? { ...v, evidence: 'log' as const, files: [], lines: [] };
      found.set(v.flag, f);
      for (const file of files) if (!f.files.includes(file)) f.files.push(file);
      f.lines.push(inv.line);
    }
  }
  return [...found.values()];
}

/** Flags above the baseline that the objects under `dir` record, and x86 ISA levels they declare
 * they need. By default the `*.o` a build leaves next to its sources, one per source file; `all`
 * reads every ELF file (a stage's libraries, whose record covers all their sources at once). */
export async function checkObjects(dir: string, target: IsaTarget, options: { all?: boolean } = {}): Promise<IsaFinding[]> {
  const found = new Map<string, IsaFinding>();
  const add = (v: FlagVerdict, file: string) => {
    const f = found.get(v.flag) ?? { ...v, evidence: 'object' as const, files: [], lines: [] };
    found.set(v.flag, f);
    if (!f.files.includes(file)) f.files.push(file);
  };
  // In path order, so that a message names the same files first on every run.
  const objects = (await readdir(dir, { withFileTypes: true, recursive: true }))
    .filter((e) => e.isFile() && (options.all || e.name.endsWith('.o')))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  for (const full of objects) {
    const rel = path.relative(dir, full);
    let record;
    try {
      record = readObjectRecord(full);
    } catch (err) {
      // Not ELF (LLVM bitcode from -flto, SQL, a stray file): nothing to read there.
      if (isElfError(err)) continue;
      throw err;
    }
    const dispatch = isDispatchFile(rel, target.dispatchFiles, true);
    for (const switches of record.switches) for (const v of judgeSwitches(switches, target)) if (v.kind === 'native' || !dispatch) add(v, rel);
    if (record.x86Needed && target.arch === 'amd64' && !dispatch) {
      const v = judgeFlag('amd64', target.baseline, `-march=${record.x86Needed}`);
      if (v) add({ ...v, flag: `x86 ISA needed: ${record.x86Needed}` }, rel);
    }
  }
  return [...found.values()].sort((a, b) => a.flag.localeCompare(b.flag));
}

/** Findings of several checks as one list: one finding per evidence and flag, files in order. */
export function mergeFindings(findings: readonly IsaFinding[]): IsaFinding[] {
  const merged = new Map<string, IsaFinding>();
  for (const f of findings) {
    const key = `${f.evidence} ${f.flag}`;
    const m = merged.get(key);
    if (!m) {
      merged.set(key, { ...f, beyond: [...f.beyond], files: [...f.files], lines: [...f.lines] });
      continue;
    }
    m.beyond = [...new Set([...m.beyond, ...f.beyond])].sort();
    m.files.push(...f.files.filter((x) => !m.files.includes(x)));
    m.lines.push(...f.lines);
  }
  return [...merged.values()];
}

/** The verdicts on one command line's flags, each flag once. Next to an -march=CPU above the
 * baseline, -mEXT flags fold into its verdict: compilers record -march=native as the CPU's name
 * followed by every extension the CPU has, which is one finding, not fifty. */
function judgeSwitches(args: readonly string[], target: IsaTarget): FlagVerdict[] {
  const verdicts = [...new Set(args)].flatMap((a) => judgeFlag(target.arch, target.baseline, a) ?? []);
  // A CPU newer than the tables is known by the extensions recorded with it.
  const march = verdicts.find((v) => v.flag.startsWith('-march=') && v.kind !== 'native');
  if (!march) return verdicts;
  const extension = (v: FlagVerdict) => v.kind === 'above' && !/^-m(arch|cpu|tune)=/.test(v.flag);
  const beyond = new Set([...march.beyond, ...verdicts.filter(extension).flatMap((v) => v.beyond)]);
  const folded: FlagVerdict = beyond.size > 0 ? { flag: march.flag, kind: 'above', beyond: [...beyond].sort() } : march;
  return verdicts.filter((v) => !extension(v)).map((v) => (v === march ? folded : v));
}

function relativeTo(file: string, root: string): string {
  const rel = root && file.startsWith(`${root}/`) ? file.slice(root.length + 1) : file;
  return rel.replace(/^(\.\/)+/, '');
}

/** Whether a compiled file (or, for objects, an object named after one: src/x.o, x.c.o, meson's
 * src_x.c.o) is one of the entry's dispatch files. Files match by path suffix, since builds
 * compile from subdirectories and by absolute paths. */
function isDispatchFile(file: string, dispatch: readonly string[] | undefined, object = false): boolean {
  if (!dispatch?.length) return false;
  const stem = object ? file.replace(/\.o$/, '') : file;
  return dispatch.some((d) => {
    const forms = object ? [d, d.replace(/\.[^./]+$/, ''), d.replaceAll('/', '_')] : [d];
    return forms.some((x) => stem === x || stem.endsWith(`/${x}`) || (object && stem.endsWith(`_${x}`)));
  });
}

/** The whole message for a failed check: each flag with where it was seen, and how to fix it in
 * the entry. `makefiles` are the source's top-level makefiles, for naming the variable that holds
 * the flag. */
export function describeFindings(findings: IsaFinding[], context: { target: IsaTarget; pipeline: string; logName: string; makefiles?: { file: string; text: string }[] }): string {
  const { target } = context;
  const lines = [`code compiled for more than the platform's instruction-set baseline (${target.baseline}) would crash with SIGILL ("illegal instruction") on CPUs that have only that:`];
  for (const f of findings) {
    const what =
      f.kind === 'native'
        ? 'the build machine\'s CPU, whatever it is'
        : f.kind === 'unknown'
          ? `not known to stay within ${target.baseline}`
          : `uses ${list(f.beyond, 8)}, beyond ${target.baseline}`;
    const where =
      f.evidence === 'log'
        ? `${f.lines.length} compiler invocation${f.lines.length === 1 ? '' : 's'} in ${context.logName} (line ${list(f.lines.map(String), 3)})`
        : 'the compiler\'s record in the object';
    lines.push(`  ${f.flag} (${what}): ${where}: ${list(f.files, 4)}`);
  }
  lines.push(...fixes(findings, context));
  return lines.join('\n');
}

function fixes(findings: IsaFinding[], context: Parameters<typeof describeFindings>[1]): string[] {
  const out: string[] = [];
  const flags = [...new Set(findings.filter((f) => f.evidence === 'log' || !findings.some((g) => g.evidence === 'log')).map((f) => f.flag))];
  const make = context.pipeline === 'pgxs' || context.pipeline === 'autoconf';
  const assigned = make ? makeAssignments(context.makefiles ?? [], flags) : [];
  for (const a of assigned) {
    out.push(
      a.override
        ? `fix: source.patches: ${a.file} sets ${a.variable} with "override", which no make argument can undo: patch out ${a.flags.join(' ')}`
        : `fix: build.make: ["${a.variable}=${a.rest}"] (${a.file} sets ${a.variable} to ${a.value}; a make argument overrides it)`,
    );
  }
  const rest = flags.filter((f) => !assigned.some((a) => a.flags.includes(f)));
  if (rest.length > 0 || out.length === 0) {
    const hint: Record<string, string> = {
      pgxs: 'build.make: override the make variable that adds it (pgvector: build.make: ["OPTFLAGS="])',
      autoconf: 'build.configure: the option that turns native tuning off (or CFLAGS=...), or build.make: the make variable that adds it',
      cmake: 'build.configure: the -D option that turns native tuning off, or -DCMAKE_C_FLAGS=... without it',
      meson: 'build.configure: the -D option that turns native tuning off, or -Dc_args=... without it',
      script: 'build.script or build.env: build without it',
    };
    out.push(`fix ${rest.length > 0 ? list(rest, 4) : 'it'} in the entry: ${hint[context.pipeline] ?? 'build.make, build.env or build.configure'}; where no option can, source.patches`);
  }
  if (findings.some((f) => f.kind !== 'native')) {
    out.push('a file compiled for more on purpose, whose code runs only after a run-time CPU feature check, goes in build.dispatch_files');
  }
  return out;
}

interface Assignment {
  file: string;
  variable: string;
  /** `override VAR = ...`: a command-line assignment does not replace it. */
  override: boolean;
  value: string;
  rest: string;
  flags: string[];
}

/** Make variables assigned a value holding one of the flags (`OPTFLAGS = -march=native`,
 * `PG_CFLAGS += -mavx2 -O3`): overriding them on make's command line drops the flag. */
export function makeAssignments(makefiles: { file: string; text: string }[], flags: string[]): Assignment[] {
  const out: Assignment[] = [];
  for (const { file, text } of makefiles) {
    for (const line of text.replace(/\\\n/g, ' ').split('\n')) {
      const m = /^\s*(override\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*(?::=|::=|\+=|\?=|=)\s*(.*?)\s*(?:#.*)?$/.exec(line);
      if (!m) continue;
      const words = m[3]!.split(/\s+/).filter(Boolean);
      const hit = words.filter((w) => flags.includes(w));
      if (hit.length === 0 || out.some((a) => a.variable === m[2])) continue;
      out.push({ file, variable: m[2]!, override: Boolean(m[1]), value: m[3]!, rest: words.filter((w) => !hit.includes(w)).join(' '), flags: hit });
    }
  }
  return out;
}

/** The source's top-level makefiles, for makeAssignments. */
export async function readMakefiles(sourceDir: string): Promise<{ file: string; text: string }[]> {
  const out: { file: string; text: string }[] = [];
  for (const e of await readdir(sourceDir, { withFileTypes: true }).catch(() => [])) {
    if (!e.isFile() || !/^(GNUmakefile|[Mm]akefile|.*\.mk)$/.test(e.name)) continue;
    const text = await readFile(path.join(sourceDir, e.name), 'utf8').catch(() => '');
    if (text.length < 1 << 20) out.push({ file: e.name, text });
  }
  return out;
}

function list(items: readonly string[], max: number): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
