// Where bundled libraries come from during a build: the builder container itself, which has the
// extension's build dependencies installed. The closure stage asks for sonames round by round;
// each round is one `exec` of a small POSIX script that finds each library the way the loader
// would (run-path hints, ld.so.cache, the default directories) and copies the real file into the
// bind-mounted bundle directory. It works the same with docker and podman.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { FetchedLibrary, LibrarySource } from '../closure/index.ts';
import { UserError } from '../errors.ts';
import { type Container, exec } from './engine.ts';
import { CONTAINER, shellQuote } from './pipeline.ts';

const FIND_SCRIPT = String.raw`
set -eu
out="$1"; shift
dirs="$1"; shift
for so in "$@"; do
  p=""
  for d in $dirs; do
    if [ -e "$d/$so" ]; then p="$d/$so"; break; fi
  done
  if [ -z "$p" ] && command -v ldconfig >/dev/null 2>&1; then
    p=$(ldconfig -p 2>/dev/null | awk -v s="$so" '$1 == s { print $NF; exit }')
  fi
  if [ -z "$p" ]; then echo "missing	$so"; continue; fi
  real=$(readlink -f "$p")
  mkdir -p "$out/$so"
  cp "$real" "$out/$so/"
  pkg=""; ver=""; lic=""
  if command -v dpkg >/dev/null 2>&1; then
    pkg=$(dpkg -S "$real" 2>/dev/null | head -n1 | cut -d: -f1 || true)
    if [ -z "$pkg" ]; then pkg=$(dpkg -S "$p" 2>/dev/null | head -n1 | cut -d: -f1 || true); fi
    if [ -n "$pkg" ]; then
      ver=$(dpkg-query -W -f '${'${Version}'}' "$pkg" 2>/dev/null || true)
      doc="/usr/share/doc/$pkg/copyright"
      if [ -f "$doc" ]; then
        lic=$(awk '/^License:/ { sub(/^License: */, ""); print; exit }' "$doc")
        cp -L "$doc" "$out/$so/copyright"
      fi
    fi
  elif command -v apk >/dev/null 2>&1; then
    owner=$(apk info --who-owns "$real" 2>/dev/null | awk '{ print $NF }' || true)
    if [ -n "$owner" ]; then
      pkg=$(apk info -e "$owner" 2>/dev/null || echo "$owner")
      lic=$(apk info --license "$owner" 2>/dev/null | awk 'NR == 2 { print; exit }')
      ver="$owner"
    fi
  fi
  printf 'found\t%s\t%s\t%s\t%s\t%s\t%s\n' "$so" "$p" "$real" "$pkg" "$ver" "$lic"
done
`;

/** Default library directories of the loader, per libc and machine, searched after run paths. */
function defaultDirs(libc: string, machine: string): string[] {
  const triplet = machine === 'aarch64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
  return libc === 'musl' ? ['/lib', '/usr/local/lib', '/usr/lib'] : [`/lib/${triplet}`, `/usr/lib/${triplet}`, '/lib64', '/usr/lib64', '/lib', '/usr/lib'];
}

/** A LibrarySource that copies libraries out of a running builder container. `hostBundle` is the
 * host side of the container's CONTAINER.bundle mount. */
export function containerLibraries(c: Container, hostBundle: string, log: string): LibrarySource {
  const found = new Map<string, string>();
  return {
    async fetch(sonames, context) {
      await mkdir(hostBundle, { recursive: true });
      const hinted = [...new Set(Object.values(context.hints).flat())];
      const dirs = [...hinted, ...defaultDirs(context.libc, context.machine)].join(' ');
      const r = await exec(c, ['sh', '-c', FIND_SCRIPT, 'find-libraries', CONTAINER.bundle, dirs, ...sonames], { log, live: null, tailLines: 400 });
      if (r.code !== 0) throw new UserError(`looking up ${sonames.join(', ')} in the builder failed:\n${r.tail}`);
      const out = new Map<string, FetchedLibrary>();
      for (const line of r.tail.split('\n')) {
        const [kind, soname, foundAt, real, pkg, version, license] = line.split('\t');
        if (kind !== 'found' || !soname || !real) continue;
        const file = path.posix.basename(real);
        found.set(soname, real);
        out.set(soname, {
          soname,
          realPath: path.join(hostBundle, soname, file),
          linkChain: file === soname ? [soname] : [soname, file],
          source: foundAt,
          ...(pkg ? { package: pkg } : {}),
          ...(version ? { version } : {}),
          ...(license ? { license } : {}),
          ...(existsSync(path.join(hostBundle, soname, 'copyright')) ? { licenseText: path.join(hostBundle, soname, 'copyright') } : {}),
        });
      }
      return out;
    },
    async dataDir(name, lib) {
      // Look where the library would: ../share/NAME beside its real directory, then the
      // distribution's usual place.
      const real = found.get(lib.soname) ?? lib.source ?? '';
      const candidates = [path.posix.join(path.posix.dirname(real), '..', 'share', name), `/usr/share/${name}`, `/usr/local/share/${name}`];
      const target = path.posix.join(CONTAINER.bundle, 'data', name);
      const script = `for d in ${candidates.map(shellQuote).join(' ')}; do if [ -d "$d" ]; then mkdir -p ${shellQuote(target)} && cp -R "$d/." ${shellQuote(target)}/ && echo "$d" && exit 0; fi; done; exit 3`;
      const r = await exec(c, ['sh', '-c', script], { log, live: null });
      if (r.code !== 0) return undefined;
      return path.join(hostBundle, 'data', name);
    },
  };
}
