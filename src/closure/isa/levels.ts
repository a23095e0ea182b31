// What each instruction-set baseline includes, and what a compiler flag asks of the CPU beyond it.
// x86-64: the psABI levels and GCC's -march CPUs as GCC itself defines them (x86-cpus.ts, made
// from the compiler). arm64: the A-profile architecture versions with the extensions each makes
// mandatory, and the cores of GCC's aarch64-cores.def that extensions are commonly built for.
// A CPU or extension these tables do not know is taken to be above any baseline: the check
// would rather ask than ship a SIGILL.
import type { Arch, IsaBaseline } from '../../types.ts';
import { X86_CPUS, X86_LEVEL_FEATURES } from './x86-cpus.ts';

/** What a flag asks of the CPU beyond the baseline. */
export interface FlagVerdict {
  flag: string;
  /** `native`: the build machine's CPU, whatever it is. `above`: named extensions beyond the
   * baseline. `unknown`: a CPU or extension not in these tables. */
  kind: 'native' | 'above' | 'unknown';
  /** The extensions beyond the baseline (for `above`), as GCC names them. */
  beyond: string[];
}

const x86Memo = new Map<string, ReadonlySet<string>>();
/** The extensions `-march=NAME` turns on, for an x86-64 level or a CPU GCC knows. */
export function x86Features(name: string): ReadonlySet<string> | undefined {
  const memo = x86Memo.get(name);
  if (memo) return memo;
  let set: Set<string> | undefined;
  if (Object.hasOwn(X86_LEVEL_FEATURES, name)) set = new Set(X86_LEVEL_FEATURES[name as keyof typeof X86_LEVEL_FEATURES]);
  else if (Object.hasOwn(X86_CPUS, name)) {
    const [base, ...add] = X86_CPUS[name]!;
    const inherited = x86Features(base!);
    if (inherited) set = new Set([...inherited, ...add]);
  }
  if (set) x86Memo.set(name, set);
  return set;
}

/** Every extension GCC's x86 tables name: an `-mNAME` outside it is a code generation option. */
const X86_EXTENSIONS = new Set([...Object.values(X86_LEVEL_FEATURES).flat(), ...Object.values(X86_CPUS).flatMap(([, ...add]) => add)]);
/** Extension options newer than the table's GCC (AVX10, APX, AMX, ...) look like these. */
const X86_NEWER_EXTENSION = /^(avx[a-z0-9.]*|sse[a-z0-9.]*|amx-[a-z0-9-]+|apx[a-z]*|sha[0-9]*|sm[34]|cmpccxadd|raoint|prefetchi|usermsr|movrs)$/;

function x86Verdict(flag: string, baseline: IsaBaseline): FlagVerdict | undefined {
  const base = x86Features(baseline)!;
  const m = /^-m(arch|tune|cpu)=(.+)$/.exec(flag);
  if (m) {
    if (m[2] === 'native') return { flag, kind: 'native', beyond: [] };
    // -mtune (and -mcpu, its old spelling on x86) schedules for a CPU without using its instructions.
    if (m[1] !== 'arch') return undefined;
    const features = x86Features(m[2]!);
    if (!features) return { flag, kind: 'unknown', beyond: [] };
    const beyond = [...features].filter((f) => !base.has(f)).sort();
    return beyond.length > 0 ? { flag, kind: 'above', beyond } : undefined;
  }
  const ext = /^-m([a-z0-9][a-z0-9.-]*)$/.exec(flag)?.[1];
  if (!ext || ext.startsWith('no-')) return undefined;
  if (X86_EXTENSIONS.has(ext)) return base.has(ext) ? undefined : { flag, kind: 'above', beyond: [ext] };
  return X86_NEWER_EXTENSION.test(ext) ? { flag, kind: 'unknown', beyond: [] } : undefined;
}

/** Architecture versions, each as the version it extends and the extensions it makes mandatory
 * (GCC's names; fp and simd are in every Linux arm64 CPU). Armv9.0 extends Armv8.5, not 8.6. */
const ARM_VERSIONS: Record<string, [string | undefined, ...string[]]> = {
  'armv8-a': [undefined, 'fp', 'simd'],
  'armv8.1-a': ['armv8-a', 'crc', 'lse', 'rdma'],
  'armv8.2-a': ['armv8.1-a'],
  'armv8.3-a': ['armv8.2-a', 'rcpc', 'pauth'],
  'armv8.4-a': ['armv8.3-a', 'dotprod', 'flagm'],
  'armv8.5-a': ['armv8.4-a', 'sb', 'ssbs', 'predres'],
  'armv8.6-a': ['armv8.5-a', 'i8mm', 'bf16'],
  'armv9-a': ['armv8.5-a', 'sve', 'sve2', 'fp16'],
};

/** Cores as GCC's aarch64-cores.def defines them: the architecture and the extensions added. */
const ARM_CPUS: Record<string, [string, ...string[]]> = {
  generic: ['armv8-a'],
  xgene1: ['armv8-a'],
  'cortex-a34': ['armv8-a', 'crc'],
  'cortex-a35': ['armv8-a', 'crc'],
  'cortex-a53': ['armv8-a', 'crc'],
  'cortex-a57': ['armv8-a', 'crc'],
  'cortex-a72': ['armv8-a', 'crc'],
  'cortex-a73': ['armv8-a', 'crc'],
  thunderx: ['armv8-a', 'crc', 'crypto'],
  thunderx2t99: ['armv8.1-a', 'crypto'],
  'cortex-a55': ['armv8.2-a', 'fp16', 'rcpc', 'dotprod'],
  'cortex-a75': ['armv8.2-a', 'fp16', 'rcpc', 'dotprod'],
  'cortex-a76': ['armv8.2-a', 'fp16', 'rcpc', 'dotprod', 'ssbs'],
  'cortex-a77': ['armv8.2-a', 'fp16', 'rcpc', 'dotprod', 'ssbs'],
  'cortex-a78': ['armv8.2-a', 'fp16', 'rcpc', 'dotprod', 'ssbs', 'profile'],
  'cortex-x1': ['armv8.2-a', 'fp16', 'rcpc', 'dotprod', 'ssbs', 'profile'],
  'neoverse-n1': ['armv8.2-a', 'fp16', 'rcpc', 'dotprod', 'profile'],
  'neoverse-e1': ['armv8.2-a', 'fp16', 'rcpc', 'dotprod', 'ssbs'],
  a64fx: ['armv8.2-a', 'fp16', 'sve'],
  'neoverse-v1': ['armv8.4-a', 'fp16', 'sve', 'rcpc', 'i8mm', 'bf16', 'profile', 'rng'],
  'neoverse-512tvb': ['armv8.4-a', 'fp16', 'sve', 'rcpc', 'i8mm', 'bf16', 'profile', 'rng'],
  'cortex-a510': ['armv9-a', 'sve2-bitperm', 'memtag', 'i8mm', 'bf16'],
  'cortex-a710': ['armv9-a', 'sve2-bitperm', 'memtag', 'i8mm', 'bf16'],
  'cortex-x2': ['armv9-a', 'sve2-bitperm', 'memtag', 'i8mm', 'bf16'],
  'neoverse-n2': ['armv9-a', 'sve2-bitperm', 'memtag', 'i8mm', 'bf16', 'rng'],
  'neoverse-v2': ['armv9-a', 'sve2-bitperm', 'memtag', 'i8mm', 'bf16', 'rng'],
};

/** Extensions that stand for others (GCC's +crypto: AES and SHA-2). */
const ARM_ALIASES: Record<string, string[]> = { crypto: ['aes', 'sha2'] };

/** What `-march=armvX[+ext...]` turns on; each version is itself a feature (`armv8.2-a`), since
 * a version adds instructions no extension name covers. */
export function armFeatures(arch: string): Set<string> | undefined {
  const [version, ...exts] = arch.split('+');
  if (!version || !Object.hasOwn(ARM_VERSIONS, version)) return undefined;
  const set = new Set<string>();
  for (let v: string | undefined = version; v; v = ARM_VERSIONS[v]![0]) for (const f of [v, ...ARM_VERSIONS[v]!.slice(1)]) set.add(f!);
  const named = (ext: string) => (Object.hasOwn(ARM_ALIASES, ext) ? ARM_ALIASES[ext]! : [ext]);
  for (const e of exts) {
    if (e.startsWith('no')) for (const f of named(e.slice(2))) set.delete(f);
    else for (const f of named(e)) set.add(f);
  }
  return set;
}

function armVerdict(flag: string, baseline: IsaBaseline): FlagVerdict | undefined {
  const m = /^-m(arch|tune|cpu)=(.+)$/.exec(flag);
  if (!m) return undefined;
  const [name, ...exts] = m[2]!.split('+');
  if (name === 'native') return { flag, kind: 'native', beyond: [] };
  if (m[1] === 'tune') return undefined;
  const cpu = m[1] === 'cpu' && Object.hasOwn(ARM_CPUS, name!) ? ARM_CPUS[name!] : undefined;
  if (m[1] === 'cpu' && !cpu) return { flag, kind: 'unknown', beyond: [] };
  const features = armFeatures([...(cpu ?? [name!]), ...exts].join('+'));
  if (!features) return { flag, kind: 'unknown', beyond: [] };
  const base = armFeatures(baseline)!;
  const beyond = [...features].filter((f) => !base.has(f)).sort();
  return beyond.length > 0 ? { flag, kind: 'above', beyond } : undefined;
}

/** What one compiler flag asks of the CPU beyond the platform's baseline; undefined when it
 * stays within it (or is no instruction-set flag at all). */
export function judgeFlag(arch: Arch, baseline: IsaBaseline, flag: string): FlagVerdict | undefined {
  return arch === 'amd64' ? x86Verdict(flag, baseline) : armVerdict(flag, baseline);
}

/** The QEMU CPU model closest to a baseline, for running a package as the slowest CPU of its
 * platform would: qemu64 is x86-64 without SSSE3, SSE4 or AVX; Nehalem is x86-64-v2, Haswell v3
 * (QEMU's emulator has AVX2 since 7.2, but no AVX-512 for v4); cortex-a57 is ARMv8.0 with the
 * real core's CRC and crypto extensions. */
export const EMULATED_CPU: Partial<Record<IsaBaseline, string>> = {
  'x86-64': 'qemu64',
  'x86-64-v2': 'Nehalem',
  'x86-64-v3': 'Haswell-noTSX',
  'armv8-a': 'cortex-a57',
};
