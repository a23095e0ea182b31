// Named sections of an ELF file, for what lives only there: the compiler's record of its switches
// (DWARF producer strings in .debug_str, .GCC.command.line) and the .note.gnu.property notes of
// relocatable objects. The rest of the reader works from program headers, which objects lack.
// Bounds are checked as in parse.ts: a hostile file gets an ElfError, never a huge allocation.
import { inflateSync } from 'node:zlib';
import { ElfError } from './error.ts';
import { isElf } from './parse.ts';
import type { ByteSource } from './source.ts';

export interface Section {
  name: string;
  type: number;
  flags: number;
  offset: number;
  size: number;
}

export interface SectionTable {
  class: 32 | 64;
  le: boolean;
  machineId: number;
  sections: Section[];
}

const SHT_NOBITS = 8;
const SHF_COMPRESSED = 0x800;
const ELFCOMPRESS_ZLIB = 1;
const MAX_SECTIONS = 1 << 16;
/** Debug strings of one object run to a few megabytes; more is not a real object. */
const MAX_SECTION = 256 << 20;

/** The section headers with their names (empty when the file has none). */
export function readSections(src: ByteSource): SectionTable {
  const ident = src.bytes(0, 16, 'ELF identification');
  if (!isElf(ident)) throw new ElfError(src.name, 'not an ELF file (bad magic)');
  const is64 = ident[4] === 2;
  if (ident[4] !== 1 && !is64) throw new ElfError(src.name, `unknown ELF class ${ident[4]}`, 4);
  if (ident[5] !== 1 && ident[5] !== 2) throw new ElfError(src.name, `unknown ELF data encoding ${ident[5]}`, 5);
  const le = ident[5] === 1;
  const eh = view(src.bytes(0, is64 ? 64 : 52, 'ELF header'));
  const word = (v: DataView, o: number, what: string) => (is64 ? u64(v, o, le, src, what) : v.getUint32(o, le));
  const machineId = eh.getUint16(18, le);
  const shoff = word(eh, is64 ? 40 : 32, 'e_shoff');
  const shentsize = eh.getUint16(is64 ? 58 : 46, le);
  let shnum = eh.getUint16(is64 ? 60 : 48, le);
  let shstrndx = eh.getUint16(is64 ? 62 : 50, le);
  const table: SectionTable = { class: is64 ? 64 : 32, le, machineId, sections: [] };
  if (shoff === 0) return table;
  const need = is64 ? 64 : 40;
  if (shentsize < need) throw new ElfError(src.name, `e_shentsize ${shentsize} is smaller than a section header (${need})`, is64 ? 58 : 46);
  const header = (i: number) => view(src.bytes(shoff + i * shentsize, need, `section header ${i}`));
  // SHN_UNDEF count and SHN_XINDEX string table index live in section header 0.
  if (shnum === 0) shnum = word(header(0), is64 ? 32 : 20, 'section count');
  if (shstrndx === 0xffff) shstrndx = header(0).getUint32(is64 ? 44 : 28, le);
  if (shnum > MAX_SECTIONS) throw new ElfError(src.name, `${shnum} sections is more than a real file has`);
  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const h = header(i);
    raw.push({
      nameOffset: h.getUint32(0, le),
      type: h.getUint32(4, le),
      // The flags this reader looks at are in the low word.
      flags: h.getUint32(is64 && !le ? 12 : 8, le),
      offset: word(h, is64 ? 24 : 16, 'sh_offset'),
      size: word(h, is64 ? 32 : 20, 'sh_size'),
    });
  }
  const names = raw[shstrndx];
  const strtab = names && names.type !== SHT_NOBITS ? src.bytes(names.offset, Math.min(names.size, MAX_SECTION), 'section name table') : Buffer.alloc(0);
  for (const s of raw) {
    const end = strtab.indexOf(0, s.nameOffset);
    const name = s.nameOffset < strtab.length && end >= 0 ? strtab.toString('latin1', s.nameOffset, end) : '';
    table.sections.push({ name, type: s.type, flags: s.flags, offset: s.offset, size: s.size });
  }
  return table;
}

/** A section's contents, inflated when it is SHF_COMPRESSED (zlib); undefined when absent. */
export function sectionBytes(src: ByteSource, table: SectionTable, name: string): Buffer | undefined {
  const s = table.sections.find((x) => x.name === name && x.type !== SHT_NOBITS);
  if (!s) return undefined;
  if (s.size > MAX_SECTION) throw new ElfError(src.name, `section ${name} is ${s.size} bytes, more than a real one`);
  const bytes = src.bytes(s.offset, s.size, `section ${name}`);
  if (!(s.flags & SHF_COMPRESSED)) return bytes;
  const chdr = table.class === 64 ? 24 : 12;
  if (bytes.length < chdr) throw new ElfError(src.name, `compressed section ${name} is shorter than its header`, s.offset);
  const v = view(bytes);
  const type = v.getUint32(0, table.le);
  const size = table.class === 64 ? u64(v, 8, table.le, src, 'ch_size') : v.getUint32(4, table.le);
  if (type !== ELFCOMPRESS_ZLIB) throw new ElfError(src.name, `section ${name} is compressed with type ${type}, not zlib`, s.offset);
  if (size > MAX_SECTION) throw new ElfError(src.name, `section ${name} inflates to ${size} bytes, more than a real one`, s.offset);
  try {
    return inflateSync(bytes.subarray(chdr), { maxOutputLength: Math.max(size, 1) });
  } catch (err) {
    throw new ElfError(src.name, `section ${name} does not inflate: ${(err as Error).message}`, s.offset);
  }
}

/** The NUL-terminated strings of a string section, in order. */
export function sectionStrings(bytes: Buffer): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = bytes.indexOf(0); i >= 0; start = i + 1, i = bytes.indexOf(0, start)) {
    if (i > start) out.push(bytes.toString('utf8', start, i));
  }
  if (start < bytes.length) out.push(bytes.toString('utf8', start));
  return out;
}

export interface GnuProperty {
  type: number;
  data: Buffer;
}

/** The properties of a .note.gnu.property section (NT_GNU_PROPERTY_TYPE_0 notes owned by GNU). */
export function gnuProperties(bytes: Buffer, table: Pick<SectionTable, 'class' | 'le'>, file: string): GnuProperty[] {
  const v = view(bytes);
  const align = table.class === 64 ? 8 : 4;
  const out: GnuProperty[] = [];
  let o = 0;
  while (o + 12 <= bytes.length) {
    const namesz = v.getUint32(o, table.le);
    const descsz = v.getUint32(o + 4, table.le);
    const type = v.getUint32(o + 8, table.le);
    const nameAt = o + 12;
    const descAt = nameAt + pad(namesz, 4);
    const next = descAt + pad(descsz, align);
    if (descAt + descsz > bytes.length) throw new ElfError(file, `a note in .note.gnu.property runs past the section's end`);
    if (type === 5 && bytes.toString('latin1', nameAt, nameAt + namesz) === 'GNU\0') {
      let p = descAt;
      while (p + 8 <= descAt + descsz) {
        const prType = v.getUint32(p, table.le);
        const size = v.getUint32(p + 4, table.le);
        if (p + 8 + size > descAt + descsz) throw new ElfError(file, `property 0x${prType.toString(16)} runs past its note's end`);
        out.push({ type: prType, data: bytes.subarray(p + 8, p + 8 + size) });
        p += 8 + pad(size, align);
      }
    }
    o = next;
  }
  return out;
}

const pad = (n: number, a: number) => Math.ceil(n / a) * a;

function view(b: Buffer): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function u64(v: DataView, o: number, le: boolean, src: ByteSource, what: string): number {
  const lo = v.getUint32(o + (le ? 0 : 4), le);
  const hi = v.getUint32(o + (le ? 4 : 0), le);
  if (hi > 0x1fffff) throw new ElfError(src.name, `${what} is too large`);
  return hi * 0x100000000 + lo;
}
