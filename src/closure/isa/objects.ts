// What an object file says of the flags it was compiled with: GCC's DWARF producer strings
// (`GNU C17 12.2.0 -march=znver3 -mavx2 ... -O2`, written whenever -g is on, since
// -grecord-gcc-switches is GCC's default), the .GCC.command.line section of -frecord-gcc-switches,
// and the x86 ISA level an object declares it needs (.note.gnu.property, from -mneeded or
// `-Wa,-mx86-used-note` builds). Only *needed* counts: the ISA *used* note lists the instructions
// that appear anywhere, including those behind a run-time CPU check.
import { type ByteSource, fileSource, gnuProperties, readSections, sectionBytes, sectionStrings } from '../elf/index.ts';

export interface ObjectRecord {
  /** Flags from each producer string or command-line record, one list per compilation unit. */
  switches: string[][];
  /** The x86-64 level the object declares it needs, when it declares one. */
  x86Needed?: string;
}

const GNU_PROPERTY_X86_ISA_1_NEEDED = 0xc0008002;
const X86_LEVEL_BITS: [number, string][] = [
  [8, 'x86-64-v4'],
  [4, 'x86-64-v3'],
  [2, 'x86-64-v2'],
  [1, 'x86-64'],
];
/** A DWARF producer string: `GNU C17 12.2.0 ...`, `GNU C++17 ...`, `clang version 19.1.7 ...`. */
const PRODUCER = /^(?:GNU [A-Z][\w+]* \d[\w.-]*|(?:\S+ )?clang version \S+)(?: \([^)]*\))*/;

export function readObjectRecord(file: string): ObjectRecord {
  const src = fileSource(file);
  try {
    return objectRecord(src);
  } finally {
    src.close();
  }
}

/** readObjectRecord of bytes from any source; throws ElfError on a malformed file. */
export function objectRecord(src: ByteSource): ObjectRecord {
  const table = readSections(src);
  const switches: string[][] = [];
  for (const name of ['.debug_str', '.debug_line_str']) {
    const bytes = sectionBytes(src, table, name);
    if (!bytes) continue;
    for (const s of sectionStrings(bytes)) {
      const head = PRODUCER.exec(s);
      if (head) switches.push(flags(s.slice(head[0].length)));
    }
  }
  // GCC writes its producer string there too; older ones wrote one switch per string.
  const recorded = sectionBytes(src, table, '.GCC.command.line');
  if (recorded) switches.push(sectionStrings(recorded).flatMap((s) => flags(s.slice(PRODUCER.exec(s)?.[0].length ?? 0))));
  const record: ObjectRecord = { switches };
  const notes = sectionBytes(src, table, '.note.gnu.property');
  if (notes) {
    const needed = gnuProperties(notes, table, src.name).find((p) => p.type === GNU_PROPERTY_X86_ISA_1_NEEDED && p.data.length >= 4);
    if (needed) {
      const bits = table.le ? needed.data.readUInt32LE(0) : needed.data.readUInt32BE(0);
      const level = X86_LEVEL_BITS.find(([bit]) => bits & bit)?.[1];
      if (level) record.x86Needed = level;
    }
  }
  return record;
}

const flags = (text: string) => text.split(' ').filter((w) => w.startsWith('-'));
