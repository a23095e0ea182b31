// Numbers from the ELF gABI and the processor supplements that the reader needs, and the names
// trunkfarm uses for machines (Debian's architecture spelling where the class or byte order
// decides, e.g. ppc64le, s390x).

export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;

export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const ET_CORE = 4;

export const DT_NULL = 0;
export const DT_NEEDED = 1;
export const DT_PLTRELSZ = 2;
export const DT_HASH = 4;
export const DT_STRTAB = 5;
export const DT_SYMTAB = 6;
export const DT_RELA = 7;
export const DT_RELASZ = 8;
export const DT_RELAENT = 9;
export const DT_STRSZ = 10;
export const DT_SYMENT = 11;
export const DT_SONAME = 14;
export const DT_RPATH = 15;
export const DT_REL = 17;
export const DT_RELSZ = 18;
export const DT_RELENT = 19;
export const DT_PLTREL = 20;
export const DT_TEXTREL = 22;
export const DT_JMPREL = 23;
export const DT_FLAGS = 30;
export const DT_RUNPATH = 29;
export const DT_GNU_HASH = 0x6ffffef5;
export const DT_RELACOUNT = 0x6ffffff9;
export const DT_RELCOUNT = 0x6ffffffa;
export const DT_FLAGS_1 = 0x6ffffffb;
export const DT_VERDEF = 0x6ffffffc;
export const DT_VERDEFNUM = 0x6ffffffd;
export const DT_VERNEED = 0x6ffffffe;
export const DT_VERNEEDNUM = 0x6fffffff;

export const DF_TEXTREL = 0x4;

export const DF_1_NODEFLIB = 0x800;
export const DF_1_PIE = 0x8000000;

export const VER_FLG_BASE = 0x1;
export const VER_FLG_WEAK = 0x2;

export const STT_GNU_IFUNC = 10;

const EM_386 = 3;
const EM_MIPS = 8;
const EM_PPC = 20;
const EM_PPC64 = 21;
export const EM_S390 = 22;
const EM_ARM = 40;
const EM_X86_64 = 62;
const EM_AARCH64 = 183;
const EM_RISCV = 243;
const EM_LOONGARCH = 258;

/** The relocation type a GNU ifunc resolves through, per machine: musl has no code for it. */
export const IRELATIVE: Readonly<Record<number, number>> = {
  [EM_386]: 42,
  [EM_MIPS]: 128,
  [EM_PPC]: 248,
  [EM_PPC64]: 248,
  [EM_S390]: 61,
  [EM_ARM]: 160,
  [EM_X86_64]: 37,
  [EM_AARCH64]: 1032,
  [EM_RISCV]: 58,
  [EM_LOONGARCH]: 12,
};

/** Name of a machine as trunkfarm prints it; the class and byte order split some EM_ values. */
export function machineName(em: number, elfClass: 32 | 64, endian: 'le' | 'be'): string {
  switch (em) {
    case EM_386:
      return 'i386';
    case EM_X86_64:
      return elfClass === 64 ? 'x86_64' : 'x32';
    case EM_AARCH64:
      return endian === 'le' ? 'aarch64' : 'aarch64_be';
    case EM_ARM:
      return endian === 'le' ? 'arm' : 'armeb';
    case EM_RISCV:
      return elfClass === 64 ? 'riscv64' : 'riscv32';
    case EM_PPC64:
      return endian === 'le' ? 'ppc64le' : 'ppc64';
    case EM_PPC:
      return 'ppc';
    case EM_S390:
      return elfClass === 64 ? 's390x' : 's390';
    case EM_MIPS:
      return `mips${elfClass === 64 ? '64' : ''}${endian === 'le' ? 'el' : ''}`;
    case EM_LOONGARCH:
      return elfClass === 64 ? 'loongarch64' : 'loongarch32';
    default:
      return `EM_${em}`;
  }
}
