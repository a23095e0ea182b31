// A hand-written ELF reader. No maintained Node library reads what the closure check needs (the
// dynamic section, version needs and definitions, relocation types) both safely on hostile input
// and fast enough to read a thousand libraries in well under a second, so this one does exactly
// that and no more.
//
// It works from the program headers, as the dynamic loader does: PT_DYNAMIC gives the dynamic
// section and its addresses are mapped to file offsets through the PT_LOAD segments, so stripped
// files (no section headers) read the same as unstripped ones. Every offset, size and count is
// checked against the file before use, every loop has a bound, and nothing is allocated from a
// count in the file without that check: a bad file ends in an ElfError naming it, never a hang.
import { limit, overLimit } from '../../limits.ts';
import type { Libc } from '../../types.ts';
import {
  DF_TEXTREL,
  DT_FLAGS,
  DT_FLAGS_1,
  DT_GNU_HASH,
  DT_HASH,
  DT_JMPREL,
  DT_NEEDED,
  DT_NULL,
  DT_PLTREL,
  DT_PLTRELSZ,
  DT_REL,
  DT_RELA,
  DT_RELACOUNT,
  DT_RELAENT,
  DT_RELASZ,
  DT_RELCOUNT,
  DT_RELENT,
  DT_RELSZ,
  DT_RPATH,
  DT_RUNPATH,
  DT_SONAME,
  DT_STRSZ,
  DT_STRTAB,
  DT_SYMENT,
  DT_SYMTAB,
  DT_TEXTREL,
  DT_VERDEF,
  DT_VERDEFNUM,
  DT_VERNEED,
  DT_VERNEEDNUM,
  EM_S390,
  ET_CORE,
  ET_DYN,
  ET_EXEC,
  ET_REL,
  IRELATIVE,
  PT_DYNAMIC,
  PT_INTERP,
  PT_LOAD,
  STT_GNU_IFUNC,
  VER_FLG_BASE,
  VER_FLG_WEAK,
  machineName,
} from './constants.ts';
import { ElfError } from './error.ts';
import type { ByteSource } from './source.ts';

export type ElfType = 'exec' | 'dyn' | 'rel' | 'core' | 'other';

export interface VersionNeed {
  /** The DT_NEEDED name the versions are required from. */
  file: string;
  versions: { name: string; weak: boolean }[];
}

export interface ElfInfo {
  class: 32 | 64;
  endian: 'le' | 'be';
  /** trunkfarm's machine name: x86_64, aarch64, i386, arm, riscv64, ppc64le, s390x, ... */
  machine: string;
  /** e_machine. */
  machineId: number;
  osabi: number;
  type: ElfType;
  /** PT_INTERP: the program interpreter an executable asks for. */
  interp?: string;
  /** Whether the file has a dynamic section at all (static executables and objects do not). */
  dynamic: boolean;
  needed: string[];
  soname?: string;
  /** DT_RPATH and DT_RUNPATH, split at ':' (empty when absent). */
  rpath: string[];
  runpath: string[];
  flags: number;
  flags1: number;
  /** DT_TEXTREL or DF_TEXTREL: the loader must write to the text segment. */
  textrel: boolean;
  /** DT_VERNEED: symbol versions required, per needed library. */
  verneed: VersionNeed[];
  /** DT_VERDEF: version names this object defines (the base entry, its own soname, left out). */
  verdef: string[];
  /** Number of R_*_IRELATIVE relocations (GNU ifuncs bound locally); 0 when not scanned. */
  irelative: number;
  /** Defined STT_GNU_IFUNC symbols in the dynamic symbol table: count, and the first few names. */
  ifuncCount: number;
  ifuncs: string[];
  /** The libc the file was linked against, where its interpreter or needed libraries tell. */
  libc?: Libc;
}

export interface ParseOptions {
  /** Scan relocations for IRELATIVE (default true). */
  relocations?: boolean;
  /** Scan the dynamic symbol table for GNU ifunc symbols (default true). */
  symbols?: boolean;
}

/** Caps on what a real file needs, so a hostile one cannot make the reader allocate or loop
 * without bound. Real dynamic sections are a few hundred bytes, real names far below 64 KiB. */
const MAX_DYNAMIC = 1 << 20;
const MAX_STRING = 1 << 16;
const MAX_PHNUM = 1 << 16;
const MAX_VERSION_ENTRIES = 1 << 16;
const MAX_IFUNC_NAMES = 5;
const CHUNK = 1 << 16;

/** Whether `bytes` starts with the ELF magic: the cheap test that lets non-ELF files be skipped. */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

interface Segment {
  vaddr: number;
  offset: number;
  filesz: number;
}

/** Reads fixed-size integers from one region with the file's byte order and class. */
class Fields {
  readonly view: DataView;
  constructor(
    readonly buf: Buffer,
    readonly le: boolean,
    readonly src: ByteSource,
    readonly base: number,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  u8(o: number): number {
    return this.view.getUint8(o);
  }
  u16(o: number): number {
    return this.view.getUint16(o, this.le);
  }
  u32(o: number): number {
    return this.view.getUint32(o, this.le);
  }
  /** A 64-bit field as a number; throws when it cannot be exact (no real offset or size is). */
  u64(o: number, what: string): number {
    const lo = this.view.getUint32(o + (this.le ? 0 : 4), this.le);
    const hi = this.view.getUint32(o + (this.le ? 4 : 0), this.le);
    if (hi > 0x1fffff) throw new ElfError(this.src.name, `${what} is too large (0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')})`, this.base + o);
    return hi * 0x100000000 + lo;
  }
  /** The high 32 bits of a 64-bit field, without judging them. */
  hi32(o: number): number {
    return this.view.getUint32(o + (this.le ? 4 : 0), this.le);
  }
  lo32(o: number): number {
    return this.view.getUint32(o + (this.le ? 0 : 4), this.le);
  }
}

const TYPES: Record<number, ElfType> = { [ET_REL]: 'rel', [ET_EXEC]: 'exec', [ET_DYN]: 'dyn', [ET_CORE]: 'core' };

export function parseElf(src: ByteSource, options: ParseOptions = {}): ElfInfo {
  const name = src.name;
  if (src.size < 16) throw new ElfError(name, `too short for an ELF header (${src.size} bytes)`);
  const ident = src.bytes(0, 16, 'ELF identification');
  if (!isElf(ident)) throw new ElfError(name, 'not an ELF file (bad magic)');
  const elfClass = ident[4] === 1 ? 32 : ident[4] === 2 ? 64 : undefined;
  if (elfClass === undefined) throw new ElfError(name, `unknown ELF class ${ident[4]}`, 4);
  const le = ident[5] === 1 ? true : ident[5] === 2 ? false : undefined;
  if (le === undefined) throw new ElfError(name, `unknown ELF data encoding ${ident[5]}`, 5);
  const is64 = elfClass === 64;
  const ehsize = is64 ? 64 : 52;
  if (src.size < ehsize) throw new ElfError(name, `truncated ELF header (${src.size} of ${ehsize} bytes)`);
  const eh = new Fields(src.bytes(0, ehsize, 'ELF header'), le, src, 0);
  const addr = (f: Fields, o: number, what: string): number => (is64 ? f.u64(o, what) : f.u32(o));

  const eType = eh.u16(16);
  const machineId = eh.u16(18);
  const phoff = addr(eh, is64 ? 32 : 28, 'e_phoff');
  const shoff = addr(eh, is64 ? 40 : 32, 'e_shoff');
  const phentsize = eh.u16(is64 ? 54 : 42);
  let phnum = eh.u16(is64 ? 56 : 44);
  const shentsize = eh.u16(is64 ? 58 : 46);
  const endian = le ? 'le' : 'be';
  const info: ElfInfo = {
    class: elfClass,
    endian,
    machine: machineName(machineId, elfClass, endian),
    machineId,
    osabi: ident[7] ?? 0,
    type: TYPES[eType] ?? 'other',
    dynamic: false,
    needed: [],
    rpath: [],
    runpath: [],
    flags: 0,
    flags1: 0,
    textrel: false,
    verneed: [],
    verdef: [],
    irelative: 0,
    ifuncCount: 0,
    ifuncs: [],
  };

  // Program headers. PN_XNUM (0xffff) moves the real count into section header 0's sh_info.
  if (phnum === 0xffff) {
    if (shoff === 0 || shentsize < (is64 ? 64 : 40)) throw new ElfError(name, 'e_phnum is PN_XNUM but there is no section header 0', is64 ? 56 : 44);
    const sh0 = new Fields(src.bytes(shoff, shentsize, 'section header 0'), le, src, shoff);
    phnum = sh0.u32(is64 ? 44 : 28);
  }
  if (phnum === 0) return info;
  const minPhent = is64 ? 56 : 32;
  if (phentsize < minPhent) throw new ElfError(name, `e_phentsize ${phentsize} is smaller than a program header (${minPhent})`, is64 ? 54 : 42);
  if (phnum > MAX_PHNUM) throw new ElfError(name, `too many program headers (${phnum})`);
  const ph = new Fields(src.bytes(phoff, phnum * phentsize, 'program header table'), le, src, phoff);
  const loads: Segment[] = [];
  let dyn: { offset: number; filesz: number } | undefined;
  let interp: { offset: number; filesz: number } | undefined;
  for (let i = 0; i < phnum; i++) {
    const o = i * phentsize;
    const type = ph.u32(o);
    if (type !== PT_LOAD && type !== PT_DYNAMIC && type !== PT_INTERP) continue;
    const offset = addr(ph, o + (is64 ? 8 : 4), 'p_offset');
    const vaddr = addr(ph, o + (is64 ? 16 : 8), 'p_vaddr');
    const filesz = addr(ph, o + (is64 ? 32 : 16), 'p_filesz');
    if (type === PT_LOAD) loads.push({ vaddr, offset, filesz });
    else if (type === PT_DYNAMIC) dyn ??= { offset, filesz };
    else interp ??= { offset, filesz };
  }

  if (interp !== undefined) {
    const len = Math.min(interp.filesz, MAX_STRING);
    const bytes = src.bytes(interp.offset, len, 'PT_INTERP');
    const end = bytes.indexOf(0);
    info.interp = bytes.toString('utf8', 0, end === -1 ? len : end);
  }
  if (dyn === undefined) return finish(info);
  info.dynamic = true;

  // The dynamic section. Entries after DT_NULL are padding.
  const dynent = is64 ? 16 : 8;
  const dynsize = Math.min(dyn.filesz, src.size - Math.min(dyn.offset, src.size));
  if (dynsize > MAX_DYNAMIC) throw new ElfError(name, `dynamic segment is implausibly large (${dyn.filesz} bytes)`, dyn.offset);
  const dy = new Fields(src.bytes(dyn.offset, dynsize - (dynsize % dynent), 'dynamic segment'), le, src, dyn.offset);
  const count = Math.floor(dynsize / dynent);
  const tags = new Map<number, number>();
  const neededAt: number[] = [];
  let sonameAt: number | undefined;
  let rpathAt: number | undefined;
  let runpathAt: number | undefined;
  for (let i = 0; i < count; i++) {
    const o = i * dynent;
    let tag: number;
    if (is64) {
      const hi = dy.hi32(o);
      tag = hi === 0 ? dy.lo32(o) : -1;
    } else {
      tag = dy.u32(o);
    }
    if (tag === DT_NULL) break;
    if (tag === -1) continue;
    const vo = o + (is64 ? 8 : 4);
    switch (tag) {
      case DT_NEEDED:
        neededAt.push(addr(dy, vo, 'DT_NEEDED'));
        break;
      case DT_SONAME:
        sonameAt = addr(dy, vo, 'DT_SONAME');
        break;
      case DT_RPATH:
        rpathAt = addr(dy, vo, 'DT_RPATH');
        break;
      case DT_RUNPATH:
        runpathAt = addr(dy, vo, 'DT_RUNPATH');
        break;
      case DT_TEXTREL:
        info.textrel = true;
        break;
      case DT_FLAGS:
      case DT_FLAGS_1:
        // Only the low 32 bits carry flags.
        if (tag === DT_FLAGS) info.flags = is64 ? dy.lo32(vo) : dy.u32(vo);
        else info.flags1 = is64 ? dy.lo32(vo) : dy.u32(vo);
        break;
      case DT_STRTAB:
      case DT_STRSZ:
      case DT_SYMTAB:
      case DT_SYMENT:
      case DT_HASH:
      case DT_GNU_HASH:
      case DT_RELA:
      case DT_RELASZ:
      case DT_RELAENT:
      case DT_RELACOUNT:
      case DT_REL:
      case DT_RELSZ:
      case DT_RELENT:
      case DT_RELCOUNT:
      case DT_JMPREL:
      case DT_PLTRELSZ:
      case DT_PLTREL:
      case DT_VERNEED:
      case DT_VERNEEDNUM:
      case DT_VERDEF:
      case DT_VERDEFNUM:
        if (!tags.has(tag)) tags.set(tag, addr(dy, vo, `dynamic tag 0x${tag.toString(16)}`));
        break;
    }
  }
  if ((info.flags & DF_TEXTREL) !== 0) info.textrel = true;

  const map = (vaddr: number, length: number, what: string): number => {
    for (const seg of loads) {
      if (vaddr >= seg.vaddr && vaddr - seg.vaddr + length <= seg.filesz) return seg.offset + (vaddr - seg.vaddr);
    }
    throw new ElfError(name, `${what} (address 0x${vaddr.toString(16)}, ${length} bytes) is not inside a loaded segment of the file`);
  };

  const strtab = tags.get(DT_STRTAB);
  const needsStrings = neededAt.length > 0 || sonameAt !== undefined || rpathAt !== undefined || runpathAt !== undefined || tags.has(DT_VERNEED) || tags.has(DT_VERDEF);
  if (strtab === undefined) {
    if (needsStrings) throw new ElfError(name, 'dynamic section names strings but has no DT_STRTAB');
    return finish(info);
  }
  const strsz = tags.get(DT_STRSZ);
  if (strsz === undefined) throw new ElfError(name, 'dynamic section has DT_STRTAB but no DT_STRSZ');
  const strOff = map(strtab, strsz, 'dynamic string table');
  const str = (index: number, what: string): string => {
    if (index >= strsz) throw new ElfError(name, `${what}: string index ${index} is past the string table (${strsz} bytes)`);
    let want = Math.min(256, strsz - index);
    for (;;) {
      const bytes = src.bytes(strOff + index, want, what);
      const end = bytes.indexOf(0);
      if (end !== -1) return bytes.toString('utf8', 0, end);
      if (want >= strsz - index || want >= MAX_STRING) throw new ElfError(name, `${what}: unterminated string`, strOff + index);
      want = Math.min(want * 16, strsz - index, MAX_STRING);
    }
  };
  info.needed = neededAt.map((i) => str(i, 'DT_NEEDED'));
  if (sonameAt !== undefined) info.soname = str(sonameAt, 'DT_SONAME');
  if (rpathAt !== undefined) info.rpath = splitPath(str(rpathAt, 'DT_RPATH'));
  if (runpathAt !== undefined) info.runpath = splitPath(str(runpathAt, 'DT_RUNPATH'));

  const verneed = tags.get(DT_VERNEED);
  if (verneed !== undefined) info.verneed = readVerneed(src, le, map(verneed, 16, 'DT_VERNEED'), tags.get(DT_VERNEEDNUM), str);
  const verdef = tags.get(DT_VERDEF);
  if (verdef !== undefined) info.verdef = readVerdef(src, le, map(verdef, 20, 'DT_VERDEF'), tags.get(DT_VERDEFNUM), str);

  if (options.relocations !== false) info.irelative = countIrelative(src, le, is64, machineId, tags, map);
  if (options.symbols !== false) scanIfuncs(src, le, is64, machineId, tags, map, str, info);
  return finish(info);
}

function finish(info: ElfInfo): ElfInfo {
  const libc = libcOf(info);
  if (libc !== undefined) info.libc = libc;
  return info;
}

function splitPath(value: string): string[] {
  return value === '' ? [] : value.split(':');
}

/** Which libc a file belongs to, from the strongest evidence it carries. */
export function libcOf(info: Pick<ElfInfo, 'interp' | 'needed' | 'verneed'>): Libc | undefined {
  if (info.interp !== undefined) {
    const base = info.interp.slice(info.interp.lastIndexOf('/') + 1);
    if (base.startsWith('ld-musl-')) return 'musl';
    if (base.startsWith('ld-linux') || base.startsWith('ld64.so') || base === 'ld.so.1') return 'glibc';
  }
  for (const n of info.needed) {
    if (n.startsWith('libc.musl-') || n === 'libc.so') return 'musl';
    if (n === 'libc.so.6' || n === 'libc.so.6.1') return 'glibc';
  }
  for (const v of info.verneed) if (v.versions.some((x) => x.name.startsWith('GLIBC_'))) return 'glibc';
  return undefined;
}

type Str = (index: number, what: string) => string;

function readVerneed(src: ByteSource, le: boolean, start: number, num: number | undefined, str: Str): VersionNeed[] {
  const out: VersionNeed[] = [];
  let budget = MAX_VERSION_ENTRIES;
  let at = start;
  const limit = num ?? MAX_VERSION_ENTRIES;
  for (let i = 0; i < limit; i++) {
    const vn = new Fields(src.bytes(at, 16, 'Verneed entry'), le, src, at);
    const version = vn.u16(0);
    if (version !== 1) throw new ElfError(src.name, `unsupported Verneed version ${version}`, at);
    const cnt = vn.u16(2);
    const need: VersionNeed = { file: str(vn.u32(4), 'Verneed file'), versions: [] };
    let aux = at + vn.u32(8);
    for (let j = 0; j < cnt; j++) {
      if (--budget < 0) throw new ElfError(src.name, 'too many version needs (loop?)');
      const va = new Fields(src.bytes(aux, 16, 'Vernaux entry'), le, src, aux);
      need.versions.push({ name: str(va.u32(8), 'Vernaux name'), weak: (va.u16(4) & VER_FLG_WEAK) !== 0 });
      const next = va.u32(12);
      if (next === 0) break;
      aux += next;
    }
    out.push(need);
    if (--budget < 0) throw new ElfError(src.name, 'too many version needs (loop?)');
    const next = vn.u32(12);
    if (next === 0) break;
    at += next;
  }
  return out;
}

function readVerdef(src: ByteSource, le: boolean, start: number, num: number | undefined, str: Str): string[] {
  const out: string[] = [];
  let budget = MAX_VERSION_ENTRIES;
  let at = start;
  const limit = num ?? MAX_VERSION_ENTRIES;
  for (let i = 0; i < limit; i++) {
    if (--budget < 0) throw new ElfError(src.name, 'too many version definitions (loop?)');
    const vd = new Fields(src.bytes(at, 20, 'Verdef entry'), le, src, at);
    const version = vd.u16(0);
    if (version !== 1) throw new ElfError(src.name, `unsupported Verdef version ${version}`, at);
    const flags = vd.u16(2);
    const cnt = vd.u16(6);
    if (cnt > 0 && (flags & VER_FLG_BASE) === 0) {
      const aux = at + vd.u32(12);
      const va = new Fields(src.bytes(aux, 8, 'Verdaux entry'), le, src, aux);
      out.push(str(va.u32(0), 'Verdaux name'));
    }
    const next = vd.u32(16);
    if (next === 0) break;
    at += next;
  }
  return out;
}

type MapFn = (vaddr: number, length: number, what: string) => number;

/** Counts IRELATIVE relocations. The leading R_*_RELATIVE entries (DT_RELACOUNT / DT_RELCOUNT,
 * usually most of the table) are skipped unread; the PLT table is read once even when an older
 * linker made DT_RELA's range include it. */
function countIrelative(src: ByteSource, le: boolean, is64: boolean, machineId: number, tags: Map<number, number>, map: MapFn): number {
  const irel = IRELATIVE[machineId];
  if (irel === undefined) return 0;
  interface Table {
    offset: number;
    size: number;
    ent: number;
    skip: number;
  }
  const tables: Table[] = [];
  const add = (addrTag: number, sizeTag: number, entTag: number, countTag: number | undefined, rela: boolean, what: string): Table | undefined => {
    const at = tags.get(addrTag);
    const size = tags.get(sizeTag);
    if (at === undefined || size === undefined || size === 0) return undefined;
    const min = rela ? (is64 ? 24 : 12) : is64 ? 16 : 8;
    const ent = tags.get(entTag) ?? min;
    if (ent < min) throw new ElfError(src.name, `${what} entry size ${ent} is smaller than a relocation (${min})`);
    const table = { offset: map(at, size, what), size, ent, skip: countTag === undefined ? 0 : (tags.get(countTag) ?? 0) };
    tables.push(table);
    return table;
  };
  add(DT_RELA, DT_RELASZ, DT_RELAENT, DT_RELACOUNT, true, 'DT_RELA table');
  add(DT_REL, DT_RELSZ, DT_RELENT, DT_RELCOUNT, false, 'DT_REL table');
  const pltrel = tags.get(DT_PLTREL);
  // An older linker's DT_RELA range can include the PLT table: scan that stretch once, as the PLT.
  const plt =
    pltrel === DT_RELA
      ? add(DT_JMPREL, DT_PLTRELSZ, DT_RELAENT, undefined, true, 'DT_JMPREL table')
      : pltrel === DT_REL
        ? add(DT_JMPREL, DT_PLTRELSZ, DT_RELENT, undefined, false, 'DT_JMPREL table')
        : undefined;
  let found = 0;
  for (const t of tables) {
    const end = t.offset + Math.floor(t.size / t.ent) * t.ent;
    let ranges: [number, number][] = [[t.offset + Math.min(t.skip * t.ent, end - t.offset), end]];
    if (plt !== undefined && t !== plt) ranges = ranges.flatMap(([a, b]) => cut(a, b, plt.offset, plt.offset + plt.size));
    for (const [a, b] of ranges) found += countType(src, le, is64, a, b, t.ent, irel);
  }
  return found;
}

/** [a, b) without [c, d). */
function cut(a: number, b: number, c: number, d: number): [number, number][] {
  if (d <= a || c >= b) return [[a, b]];
  const out: [number, number][] = [];
  if (c > a) out.push([a, c]);
  if (d < b) out.push([d, b]);
  return out;
}

function countType(src: ByteSource, le: boolean, is64: boolean, from: number, to: number, ent: number, wanted: number): number {
  // The type is the low 32 bits of an ELF64 r_info and the low byte of an ELF32 one.
  const infoAt = is64 ? 8 + (le ? 0 : 4) : 4 + (le ? 0 : 3);
  const per = Math.max(1, Math.floor(CHUNK / ent));
  let found = 0;
  for (let at = from; at + ent <= to; ) {
    const batch = Math.min(per, Math.floor((to - at) / ent));
    const buf = src.bytes(at, batch * ent, 'relocation table');
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    for (let k = 0; k < batch; k++) {
      const type = is64 ? view.getUint32(k * ent + infoAt, le) : view.getUint8(k * ent + infoAt);
      if (type === wanted) found++;
    }
    at += batch * ent;
  }
  return found;
}

/** Counts defined STT_GNU_IFUNC symbols: musl cannot bind them. The symbol count comes from the
 * hash table, as the loader knows it (DT_GNU_HASH preferred, DT_HASH otherwise). */
function scanIfuncs(src: ByteSource, le: boolean, is64: boolean, machineId: number, tags: Map<number, number>, map: MapFn, str: Str, info: ElfInfo): void {
  const symtab = tags.get(DT_SYMTAB);
  if (symtab === undefined) return;
  const syment = tags.get(DT_SYMENT) ?? (is64 ? 24 : 16);
  if (syment < (is64 ? 24 : 16)) throw new ElfError(src.name, `DT_SYMENT ${syment} is smaller than a symbol`);
  let count: number | undefined;
  const gnu = tags.get(DT_GNU_HASH);
  const sysv = tags.get(DT_HASH);
  if (gnu !== undefined) count = gnuHashCount(src, le, is64, map(gnu, 16, 'DT_GNU_HASH'));
  else if (sysv !== undefined) {
    // s390x (like alpha) uses 8-byte hash table entries.
    const wide = is64 && machineId === EM_S390;
    const at = map(sysv, wide ? 16 : 8, 'DT_HASH');
    const f = new Fields(src.bytes(at, wide ? 16 : 8, 'DT_HASH header'), le, src, at);
    count = wide ? f.u64(8, 'nchain') : f.u32(4);
  }
  if (count === undefined || count === 0) return;
  const start = map(symtab, syment, 'dynamic symbol table');
  if (count > Math.floor((src.size - start) / syment)) throw new ElfError(src.name, `dynamic symbol count ${count} runs past the end of the file`, start);
  if (count > limit('elf-entries')) throw new ElfError(src.name, `dynamic symbol count ${count}: ${overLimit('elf-entries')} (raise it with --limit elf-entries=N)`, start);
  const infoAt = is64 ? 4 : 12;
  const shndxAt = is64 ? 6 : 14;
  const per = Math.max(1, Math.floor(CHUNK / syment));
  for (let first = 0; first < count; first += per) {
    const batch = Math.min(per, count - first);
    const buf = src.bytes(start + first * syment, batch * syment, 'dynamic symbol table');
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    for (let k = 0; k < batch; k++) {
      const at = k * syment;
      if ((view.getUint8(at + infoAt) & 0xf) !== STT_GNU_IFUNC || view.getUint16(at + shndxAt, le) === 0) continue;
      info.ifuncCount++;
      if (info.ifuncs.length < MAX_IFUNC_NAMES) info.ifuncs.push(str(view.getUint32(at, le), 'symbol name'));
    }
  }
}

/** The number of dynamic symbols by DT_GNU_HASH: one past the last symbol of the longest chain. */
function gnuHashCount(src: ByteSource, le: boolean, is64: boolean, at: number): number {
  const h = new Fields(src.bytes(at, 16, 'DT_GNU_HASH header'), le, src, at);
  const nbuckets = h.u32(0);
  const symoffset = h.u32(4);
  const bloomSize = h.u32(8);
  const bucketsAt = at + 16 + bloomSize * (is64 ? 8 : 4);
  if (nbuckets === 0) return symoffset;
  const buckets = new Fields(src.bytes(bucketsAt, nbuckets * 4, 'DT_GNU_HASH buckets'), le, src, bucketsAt);
  let last = 0;
  for (let i = 0; i < nbuckets; i++) last = Math.max(last, buckets.u32(i * 4));
  if (last < symoffset) return symoffset;
  const chainsAt = bucketsAt + nbuckets * 4;
  // Walk the last chain to its end bit: bounded by the file, and by the entry limit (a sparse
  // file's hole would otherwise be read a page at a time).
  const max = limit('elf-entries');
  for (let idx = last; ; idx++) {
    if (idx - last >= max) throw new ElfError(src.name, `DT_GNU_HASH chain ${overLimit('elf-entries')} (raise it with --limit elf-entries=N)`, chainsAt);
    const o = chainsAt + (idx - symoffset) * 4;
    const v = new Fields(src.bytes(o, 4, 'DT_GNU_HASH chain'), le, src, o).u32(0);
    if ((v & 1) !== 0) return idx + 1;
  }
}

