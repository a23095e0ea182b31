// Bounds on the work hostile input can cause: every reader of matrix files, ELF files, trunks and
// closure reports stops at these with an error that names the limit, instead of running out of
// time, memory or stack. The defaults are far above anything real; `--limit NAME=N` raises one for
// the run (README, "Limits").
import { UserError } from './errors.ts';

export const LIMITS = {
  'matrix-file-bytes': { value: 1 << 20, what: 'bytes in one matrix file' },
  'yaml-aliases': { value: 100, what: 'alias uses in one YAML document' },
  'yaml-depth': { value: 64, what: 'nesting levels in one YAML document' },
  'yaml-fields': { value: 10_000, what: 'mapping keys and list items in one YAML document' },
  'elf-entries': { value: 1_000_000, what: 'entries in one ELF table (sections, segments, dynamic entries, symbols, hash chain steps)' },
  'elf-read-bytes': { value: 256 << 20, what: 'bytes read from one ELF file' },
  'trunk-bytes': { value: 1 << 30, what: 'bytes a trunk expands to' },
  'trunk-files': { value: 20_000, what: 'entries in one trunk' },
  'trunk-file-bytes': { value: 512 << 20, what: 'bytes in one file of a trunk' },
  'report-lines': { value: 200, what: 'items listed per file in a closure report (the rest are counted)' },
} satisfies Record<string, { value: number; what: string }>;

export type LimitName = keyof typeof LIMITS;

const raised = new Map<LimitName, number>();

export function limit(name: LimitName): number {
  return raised.get(name) ?? LIMITS[name].value;
}

/** Applies `NAME=N` settings (from --limit); a limit may only be raised. */
export function raiseLimits(settings: string[]): void {
  for (const s of settings) {
    const m = /^([a-z-]+)=(\d+)$/.exec(s);
    const name = m?.[1] as LimitName | undefined;
    if (!m || name === undefined || !(name in LIMITS))
      throw new UserError(`--limit ${s}: expected NAME=N with NAME one of ${Object.keys(LIMITS).join(', ')}`, { exitCode: 2 });
    const n = Number(m[2]);
    if (n < LIMITS[name].value) throw new UserError(`--limit ${s}: limits can only be raised (default ${LIMITS[name].value})`, { exitCode: 2 });
    raised.set(name, n);
  }
}

/** Back to the defaults (tests). */
export function resetLimits(): void {
  raised.clear();
}

/** `found` message for "more than the limit". */
export function overLimit(name: LimitName): string {
  return `more than ${limit(name)} ${LIMITS[name].what}`;
}
