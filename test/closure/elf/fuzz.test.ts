// Hostile input: real ELF files mutated at random (seeded, so a failure replays), and files made
// to loop, to claim huge counts, or to stop short. Nothing but an ElfError may come out.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ElfError, parseElfBuffer } from '../../../src/closure/elf/index.ts';
import { compile, inputFile, sharedLib } from '../helpers/cc.ts';
import { seeded as prng } from '../../support/random.ts';

const SOURCE = `#include <stdio.h>
int dep(void);
int t(const char *s) { return printf("%s", s) + dep(); }
int t2(void) { return 2; }`;
const MAP = inputFile('fuzz.map', 'F_1 { global: t; local: *; };\nF_2 { global: t2; } F_1;\n');

function samples(): { name: string; bytes: Buffer }[] {
  const out: { name: string; bytes: Buffer }[] = [];
  for (const cc of ['gcc', 'musl-gcc', 'aarch64-linux-gnu-gcc', 'i686-linux-gnu-gcc', 's390x-linux-gnu-gcc', 'powerpc-linux-gnu-gcc']) {
    const dep = sharedLib('libdep.so.1', 'int dep(void){return 1;}', { cc });
    const lib = sharedLib('libfuzz.so.1', SOURCE, { cc, inputs: [dep], args: [`-Wl,--version-script=${MAP}`, '-Wl,-rpath,$ORIGIN'] });
    out.push({ name: cc, bytes: readFileSync(lib) });
  }
  out.push({ name: 'libz', bytes: readFileSync('/lib/x86_64-linux-gnu/libz.so.1') });
  out.push({ name: 'exe', bytes: readFileSync(compile({ source: 'int main(void){return 0;}', name: 'fuzz-exe' })) });
  return out;
}

/** Parses and reports anything other than success or an ElfError. */
function attempt(bytes: Buffer, label: string): 'ok' | 'elf-error' {
  try {
    parseElfBuffer(bytes, label);
    return 'ok';
  } catch (err) {
    if (err instanceof ElfError) {
      expect(err.message.startsWith(`${label}: `)).toBe(true);
      return 'elf-error';
    }
    throw new Error(`${label}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  }
}

const INTERESTING = [0, 1, 2, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff];

function mutate(src: Buffer, rand: () => number): Buffer {
  const kind = Math.floor(rand() * 5);
  let b = Buffer.from(src);
  const at = (limit: number) => Math.floor(rand() * Math.min(limit, b.length));
  // Most structure sits in the first few KiB (headers, dynamic tables) and the dynamic section.
  const hot = () => (rand() < 0.7 ? at(4096) : at(b.length));
  switch (kind) {
    case 0:
      for (let i = 0, n = 1 + Math.floor(rand() * 8); i < n; i++) b[hot()] = Math.floor(rand() * 256);
      break;
    case 1: {
      const o = hot() & ~3;
      if (o + 4 <= b.length) b.writeUInt32LE(INTERESTING[Math.floor(rand() * INTERESTING.length)] as number, o);
      break;
    }
    case 2: {
      const o = hot() & ~3;
      if (o + 8 <= b.length) {
        b.writeUInt32LE(Math.floor(rand() * 0x100000000), o);
        b.writeUInt32LE(INTERESTING[Math.floor(rand() * INTERESTING.length)] as number, o + 4);
      }
      break;
    }
    case 3:
      b = b.subarray(0, Math.floor(rand() * b.length));
      break;
    default: {
      // Copy a stretch of the file over another: plausible-looking values in the wrong place.
      const from = at(b.length);
      const to = hot();
      const len = Math.floor(rand() * 64);
      b.copy(b, to, from, Math.min(b.length, from + len));
    }
  }
  return b;
}

describe('the ELF reader on mutated files', () => {
  const all = samples();
  for (const sample of all) {
    it(`survives 2500 mutations of ${sample.name}`, () => {
      const rand = prng(0x5eed + sample.name.length * 7919 + sample.bytes.length);
      const tally = { ok: 0, 'elf-error': 0 };
      for (let i = 0; i < 2500; i++) {
        const bytes = mutate(sample.bytes, rand);
        // A few mutations on top of each other reach deeper.
        const more = rand() < 0.3 ? mutate(bytes, rand) : bytes;
        tally[attempt(more, `${sample.name}#${i}`)]++;
      }
      // Both outcomes occur: the mutations do reach the parser's checks.
      expect(tally.ok).toBeGreaterThan(0);
      expect(tally['elf-error']).toBeGreaterThan(0);
    });
  }

  it('rejects every truncation of a file with an ElfError, or reads it whole', () => {
    const sample = all[0] as { bytes: Buffer };
    const outcomes = new Set<string>();
    for (let len = 0; len < sample.bytes.length; len += len < 4096 ? 1 : 97) outcomes.add(attempt(sample.bytes.subarray(0, len), `cut${len}`));
    expect(outcomes.has('elf-error')).toBe(true);
  });
});

/** Offsets of the dynamic entries of a little-endian ELF64 file, found the way the reader does. */
function dynamicOf(b: Buffer): { tag: number; at: number }[] {
  const phoff = Number(b.readBigUInt64LE(32));
  const phentsize = b.readUInt16LE(54);
  const phnum = b.readUInt16LE(56);
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (b.readUInt32LE(o) !== 2) continue;
    const off = Number(b.readBigUInt64LE(o + 8));
    const size = Number(b.readBigUInt64LE(o + 32));
    const out: { tag: number; at: number }[] = [];
    for (let e = off; e < off + size; e += 16) out.push({ tag: Number(b.readBigUInt64LE(e)), at: e });
    return out;
  }
  throw new Error('no PT_DYNAMIC');
}

function vaddrToOffset(b: Buffer, vaddr: number): number {
  const phoff = Number(b.readBigUInt64LE(32));
  for (let i = 0; i < b.readUInt16LE(56); i++) {
    const o = phoff + i * b.readUInt16LE(54);
    if (b.readUInt32LE(o) !== 1) continue;
    const off = Number(b.readBigUInt64LE(o + 8));
    const va = Number(b.readBigUInt64LE(o + 16));
    const filesz = Number(b.readBigUInt64LE(o + 32));
    if (vaddr >= va && vaddr < va + filesz) return off + vaddr - va;
  }
  throw new Error('unmapped');
}

/** A minimal little-endian ELF64 shared object: one PT_LOAD over the whole file (addresses are
 * file offsets), a PT_DYNAMIC with the given entries, then the payload at offset `p`. */
function craft(build: (p: number) => { dyn: [number, number][]; payload: Buffer }): Buffer {
  const probe = build(0);
  const dynAt = 64 + 2 * 56;
  const p = dynAt + 16 * (probe.dyn.length + 1);
  const { dyn, payload } = build(p);
  const b = Buffer.alloc(p + payload.length);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(b);
  b.writeUInt16LE(3, 16); // ET_DYN
  b.writeUInt16LE(62, 18); // x86_64
  b.writeUInt32LE(1, 20);
  b.writeBigUInt64LE(64n, 32); // e_phoff
  b.writeUInt16LE(64, 52);
  b.writeUInt16LE(56, 54);
  b.writeUInt16LE(2, 56);
  b.writeUInt32LE(1, 64); // PT_LOAD
  b.writeBigUInt64LE(BigInt(b.length), 64 + 32);
  b.writeBigUInt64LE(BigInt(b.length), 64 + 40);
  b.writeUInt32LE(2, 120); // PT_DYNAMIC
  b.writeBigUInt64LE(BigInt(dynAt), 120 + 8);
  b.writeBigUInt64LE(BigInt(dynAt), 120 + 16);
  b.writeBigUInt64LE(BigInt(16 * (dyn.length + 1)), 120 + 32);
  dyn.forEach(([tag, value], i) => {
    b.writeBigUInt64LE(BigInt(tag), dynAt + 16 * i);
    b.writeBigUInt64LE(BigInt(value), dynAt + 16 * i + 8);
  });
  payload.copy(b, p);
  return b;
}

describe('the ELF reader on crafted hostile files', () => {
  const lib = readFileSync(sharedLib('libfuzz.so.1', SOURCE, { inputs: [sharedLib('libdep.so.1', 'int dep(void){return 1;}')], args: [`-Wl,--version-script=${MAP}`, '-Wl,-rpath,$ORIGIN'] }));
  const setDyn = (b: Buffer, tag: number, value: bigint) => {
    const e = dynamicOf(b).find((d) => d.tag === tag);
    if (e === undefined) throw new Error(`no tag ${tag}`);
    b.writeBigUInt64LE(value, e.at + 8);
  };
  const valueOf = (b: Buffer, tag: number) => Number(b.readBigUInt64LE((dynamicOf(b).find((d) => d.tag === tag)?.at ?? 0) + 8));
  const DT_VERDEF = 0x6ffffffc;
  const DT_VERDEFNUM = 0x6ffffffd;

  it('ends a Vernaux chain that claims 65535 entries at the end of the file', () => {
    // Offsets only move forward (u32), so a chain cannot cycle: it has to end at the file's end.
    const strings = Buffer.from('\0libx.so.1\0V_1\0');
    const b = craft((p) => {
      const aux = Buffer.alloc(16 * 64);
      for (let o = 0; o < aux.length; o += 16) {
        aux.writeUInt32LE(12, o + 8); // vna_name: "V_1"
        aux.writeUInt32LE(16, o + 12); // vna_next: the next 16 bytes, forever
      }
      const vn = Buffer.alloc(16);
      vn.writeUInt16LE(1, 0);
      vn.writeUInt16LE(0xffff, 2); // vn_cnt
      vn.writeUInt32LE(1, 4); // vn_file: "libx.so.1"
      vn.writeUInt32LE(16, 8); // vn_aux: right after
      return {
        dyn: [
          [5, p],
          [10, strings.length],
          [0x6ffffffe, p + strings.length],
          [0x6fffffff, 1],
        ],
        payload: Buffer.concat([strings, vn, aux]),
      };
    });
    expect(() => parseElfBuffer(b, 'vernaux')).toThrow(/vernaux: Vernaux entry lies outside the file/);
  });

  it('refuses counts that run past the file', () => {
    const b = Buffer.from(lib);
    const vd = vaddrToOffset(b, valueOf(b, DT_VERDEF));
    setDyn(b, DT_VERDEFNUM, 0xffffffffn);
    b.writeUInt32LE(20, vd + 16); // vd_next: every entry 20 bytes on, past the end soon
    expect(() => parseElfBuffer(b, 'verdef-run')).toThrow(ElfError);
  });

  it('refuses a string table larger than the file and offsets beyond 2^53', () => {
    const b = Buffer.from(lib);
    setDyn(b, 10 /* DT_STRSZ */, 0x7fffffffffn);
    expect(() => parseElfBuffer(b, 'strsz')).toThrow(/strsz: .*not inside a loaded segment/);
    const c = Buffer.from(lib);
    c.writeBigUInt64LE(0xffffffffffff0000n, 32); // e_phoff
    expect(() => parseElfBuffer(c, 'phoff')).toThrow(/phoff: e_phoff is too large/);
  });

  it('refuses a huge program header count (PN_XNUM with a giant sh_info)', () => {
    const b = Buffer.from(lib);
    b.writeUInt16LE(0xffff, 56);
    const shoff = Number(b.readBigUInt64LE(40));
    b.writeUInt32LE(0xffffffff, shoff + 44);
    expect(() => parseElfBuffer(b, 'xnum')).toThrow(/too many program headers/);
  });

  it('refuses a dynamic segment claimed to be gigabytes long without reading it', () => {
    const b = Buffer.from(lib);
    const phoff = Number(b.readBigUInt64LE(32));
    for (let i = 0; i < b.readUInt16LE(56); i++) {
      const o = phoff + i * 56;
      if (b.readUInt32LE(o) === 2) b.writeBigUInt64LE(0x40000000n, o + 32);
    }
    // Clipped to the file, then past the 1 MiB cap or read to the file's end: never allocated as claimed.
    expect(['ok', 'elf-error']).toContain(attempt(b, 'dynsize'));
  });

  it('stops at the end of the file when a GNU hash chain never ends', () => {
    const b = craft((p) => {
      const gh = Buffer.alloc(16 + 8 + 4 + 4 * 256);
      gh.writeUInt32LE(1, 0); // nbuckets
      gh.writeUInt32LE(1, 4); // symoffset
      gh.writeUInt32LE(1, 8); // bloom size (words)
      gh.writeUInt32LE(1, 24); // bucket[0]: symbol 1
      // chain words from 28 on: all even (no end bit), up to the end of the file
      for (let o = 28; o < gh.length; o += 4) gh.writeUInt32LE(2, o);
      return {
        dyn: [
          [5, p],
          [10, 1],
          [6, p + 8],
          [0x6ffffef5, p + 8],
        ],
        payload: Buffer.concat([Buffer.alloc(8), gh]),
      };
    });
    expect(() => parseElfBuffer(b, 'gnuhash')).toThrow(/gnuhash: DT_GNU_HASH chain lies outside the file/);
  });
});
