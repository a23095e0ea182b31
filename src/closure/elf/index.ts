// The ELF reader's public surface.
import { closeSync, openSync, readSync } from 'node:fs';
import { type ElfInfo, type ParseOptions, isElf, parseElf } from './parse.ts';
import { bufferSource, fileSource } from './source.ts';

export { ElfError, isElfError } from './error.ts';
export { type ElfInfo, type ElfType, type ParseOptions, type VersionNeed, isElf, libcOf, parseElf } from './parse.ts';
export { type ByteSource, bufferSource, fileSource } from './source.ts';
export { DF_1_NODEFLIB, DF_1_PIE, IRELATIVE, machineName } from './constants.ts';
export { type GnuProperty, type Section, type SectionTable, gnuProperties, readSections, sectionBytes, sectionStrings } from './sections.ts';

/** Reads the ELF facts of a file on disk, touching only the pages that hold them. */
export function readElf(path: string, options?: ParseOptions): ElfInfo {
  const src = fileSource(path);
  try {
    return parseElf(src, options);
  } finally {
    src.close();
  }
}

/** Parses ELF bytes already in memory; `name` is used in error messages. */
export function parseElfBuffer(bytes: Uint8Array, name: string, options?: ParseOptions): ElfInfo {
  return parseElf(bufferSource(bytes, name), options);
}

const head = Buffer.alloc(4);

/** The ELF facts of a file, or undefined when it does not start with the ELF magic: one open, and
 * four bytes read from a file that is not ELF. */
export function readElfIfElf(path: string, options?: ParseOptions): ElfInfo | undefined {
  const fd = openSync(path, 'r');
  let elf: boolean;
  try {
    elf = readSync(fd, head, 0, 4, 0) === 4 && isElf(head);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  if (!elf) {
    closeSync(fd);
    return undefined;
  }
  const src = fileSource(path, fd);
  try {
    return parseElf(src, options);
  } finally {
    src.close();
  }
}

/** Whether the file at `path` starts with the ELF magic (reads 4 bytes). */
export function isElfFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(4);
    return readSync(fd, head, 0, 4, 0) === 4 && isElf(head);
  } finally {
    closeSync(fd);
  }
}
