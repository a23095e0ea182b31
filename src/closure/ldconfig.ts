// The configuration the dynamic loaders read: glibc's /etc/ld.so.conf (with its includes) and the
// /etc/ld.so.cache that ldconfig builds from it, musl's /etc/ld-musl-ARCH.path, and the built-in
// default directories of each.
import { type RootView, dirname, joinPath, normalizePath, resolvePath } from './rootfs.ts';

/** Directories named by /etc/ld.so.conf and the files it includes, in order, without duplicates. */
export function readLdSoConf(view: RootView, file = '/etc/ld.so.conf'): string[] {
  const dirs: string[] = [];
  const seen = new Set<string>();
  const visit = (path: string, depth: number) => {
    if (depth > 16 || seen.has(path)) return;
    seen.add(path);
    const real = resolvePath(view, path);
    const text = real === undefined ? undefined : view.readFile(real.path, 1 << 20)?.toString('utf8');
    if (text === undefined) return;
    for (const raw of text.split('\n')) {
      const line = raw.replace(/#.*/, '').trim();
      if (line === '') continue;
      const include = /^include\s+(.*)$/.exec(line);
      if (include !== null) {
        for (const pattern of (include[1] ?? '').split(/\s+/).filter(Boolean)) {
          // As ldconfig: a relative pattern is relative to the including file's directory.
          const abs = pattern.startsWith('/') ? pattern : joinPath(dirname(path), pattern);
          for (const f of glob(view, abs)) visit(f, depth + 1);
        }
        continue;
      }
      if (/^hwcap\s/.test(line)) continue;
      for (const token of line.split(/[\s:,=]+/)) {
        if (!token.startsWith('/')) continue;
        const dir = normalizePath(token);
        if (!dirs.includes(dir)) dirs.push(dir);
      }
    }
  };
  visit(file, 0);
  return dirs;
}

/** Expands `*`, `?` and `[...]` in the last component of an absolute pattern, sorted as glob(3). */
function glob(view: RootView, pattern: string): string[] {
  const dir = dirname(pattern);
  const last = pattern.slice(dir === '/' ? 1 : dir.length + 1);
  if (!/[*?[]/.test(last)) return [pattern];
  const real = resolvePath(view, dir);
  if (real === undefined) return [];
  const re = new RegExp(
    `^${last.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`,
  );
  return (view.readdir(real.path) ?? [])
    .filter((n) => !n.startsWith('.') && re.test(n))
    .sort()
    .map((n) => joinPath(dir, n));
}

/** ldconfig's arch flags for a cache entry (FLAG_ELF_LIBC6 plus the required-arch bits). */
const CACHE_FLAGS: Record<string, number> = {
  x86_64: 0x0303,
  i386: 0x0003,
  aarch64: 0x0a03,
  arm: 0x0903,
  riscv64: 0x1003,
  ppc64le: 0x0503,
  ppc64: 0x0503,
  s390x: 0x0403,
  x32: 0x0803,
  loongarch64: 0x1203,
};

const NEW_MAGIC = 'glibc-ld.so.cache1.1';
const OLD_MAGIC = 'ld.so-1.7.0';

/** The entries of an ld.so.cache that the loader of `machine` would use: name -> path, first
 * match in the file's order, as its binary search settles on. Entries for glibc-hwcaps
 * subdirectories are left out: which apply depends on the CPU, and the baseline entry for the same
 * name is always there. Returns undefined for a file that is not a cache. */
export function parseLdCache(data: Buffer, machine: string): Map<string, string> | undefined {
  const want = CACHE_FLAGS[machine];
  const accept = (flags: number) => (want === undefined ? (flags & 0xff) === 3 : flags === want);
  const out = new Map<string, string>();
  const cstr = (from: number): string | undefined => {
    if (from < 0 || from >= data.length) return undefined;
    const end = data.indexOf(0, from);
    return end === -1 ? undefined : data.toString('utf8', from, end);
  };
  let newAt = 0;
  if (data.length >= 16 && data.toString('latin1', 0, OLD_MAGIC.length) === OLD_MAGIC) {
    const nlibs = data.readUInt32LE(12);
    if (16 + nlibs * 12 > data.length) return undefined;
    newAt = (16 + nlibs * 12 + 7) & ~7;
    if (data.toString('latin1', newAt, newAt + NEW_MAGIC.length) !== NEW_MAGIC) {
      // Old format alone: strings are relative to the end of the entries.
      const strings = 16 + nlibs * 12;
      for (let i = 0; i < nlibs; i++) {
        const at = 16 + i * 12;
        const flags = data.readInt32LE(at);
        const key = cstr(strings + data.readUInt32LE(at + 4));
        const value = cstr(strings + data.readUInt32LE(at + 8));
        if (key !== undefined && value !== undefined && accept(flags) && !out.has(key)) out.set(key, value);
      }
      return out;
    }
  }
  if (data.length < newAt + 48 || data.toString('latin1', newAt, newAt + NEW_MAGIC.length) !== NEW_MAGIC) return undefined;
  // flags byte: 2 = little endian, 3 = big endian (0: unknown, take the machine's usual order).
  const endianFlag = data[newAt + 28] ?? 0;
  const le = endianFlag === 3 ? false : endianFlag === 2 ? true : !['s390x', 'ppc64'].includes(machine);
  const u32 = (o: number) => (le ? data.readUInt32LE(o) : data.readUInt32BE(o));
  const nlibs = u32(newAt + 20);
  const entries = newAt + 48;
  if (entries + nlibs * 24 > data.length) return undefined;
  for (let i = 0; i < nlibs; i++) {
    const at = entries + i * 24;
    const flags = le ? data.readInt32LE(at) : data.readInt32BE(at);
    const hwcapLo = u32(at + 16 + (le ? 0 : 4));
    const hwcapHi = u32(at + 16 + (le ? 4 : 0));
    if (hwcapLo !== 0 || hwcapHi !== 0 || !accept(flags)) continue;
    // String offsets are relative to the start of the new-format header.
    const key = cstr(newAt + u32(at + 4));
    const value = cstr(newAt + u32(at + 8));
    if (key !== undefined && value !== undefined && !out.has(key)) out.set(key, value);
  }
  return out;
}

/** The GNU triplet Debian uses for multiarch directories. */
export const MULTIARCH: Record<string, string> = {
  x86_64: 'x86_64-linux-gnu',
  i386: 'i386-linux-gnu',
  aarch64: 'aarch64-linux-gnu',
  arm: 'arm-linux-gnueabihf',
  riscv64: 'riscv64-linux-gnu',
  ppc64le: 'powerpc64le-linux-gnu',
  ppc64: 'powerpc64-linux-gnu',
  s390x: 's390x-linux-gnu',
  loongarch64: 'loongarch64-linux-gnu',
  x32: 'x86_64-linux-gnux32',
};

/** What $PLATFORM expands to (AT_PLATFORM as the kernel gives it for the baseline CPU). */
export const AT_PLATFORM: Record<string, string> = {
  x86_64: 'x86_64',
  i386: 'i686',
  aarch64: 'aarch64',
  arm: 'v7l',
  riscv64: 'riscv64',
  ppc64le: 'power8',
  ppc64: 'power8',
  s390x: 'z13',
};

/** musl's name for the architecture, as in /lib/ld-musl-ARCH.so.1 and /etc/ld-musl-ARCH.path. */
export const MUSL_ARCH: Record<string, string> = {
  x86_64: 'x86_64',
  i386: 'i386',
  aarch64: 'aarch64',
  arm: 'armhf',
  riscv64: 'riscv64',
  ppc64le: 'powerpc64le',
  ppc64: 'powerpc64',
  s390x: 's390x',
  loongarch64: 'loongarch64',
};

/** musl's search path when /etc/ld-musl-ARCH.path is missing. */
export const MUSL_DEFAULT_PATH = ['/lib', '/usr/local/lib', '/usr/lib'];

/** Reads /etc/ld-musl-ARCH.path: directories separated by newlines or colons. */
export function readMuslPath(view: RootView, arch: string): { file: string; dirs: string[] } | undefined {
  const file = `/etc/ld-musl-${arch}.path`;
  const real = resolvePath(view, file);
  const text = real === undefined ? undefined : view.readFile(real.path, 1 << 20)?.toString('utf8');
  if (text === undefined) return undefined;
  return { file, dirs: text.split(/[:\n]/).map((d) => d.trim()).filter((d) => d !== '') };
}
