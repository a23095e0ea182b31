// Small root filesystems made of this machine's real files: a merged-/usr glibc system with an
// ld.so.conf, a real ld.so.cache (ldconfig -r) and a PostgreSQL, and an Alpine-style musl one.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { compile, sharedLib } from './cc.ts';

function put(root: string, path: string, from: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  copyFileSync(from, join(root, path));
}

function link(root: string, path: string, target: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  symlinkSync(target, join(root, path));
}

const MULTI = '/usr/lib/x86_64-linux-gnu';

/** Copies a host library with its soname link (libz.so.1 -> libz.so.1.2.13). */
function hostLib(root: string, name: string): void {
  const real = realpathSync(`${MULTI}/${name}`);
  put(root, `${MULTI}/${basename(real)}`, real);
  if (basename(real) !== name) link(root, `${MULTI}/${name}`, basename(real));
}

export interface GlibcRoot {
  root: string;
  /** A library only /etc/ld.so.conf.d names: reachable through the cache alone. */
  confLib: string;
}

export function glibcRoot(root: string, options: { libs?: string[]; pg?: number } = {}): GlibcRoot {
  for (const d of ['usr/lib', 'usr/lib64', 'usr/bin', 'etc/ld.so.conf.d', 'opt/conf/lib']) mkdirSync(join(root, d), { recursive: true });
  link(root, 'lib', 'usr/lib');
  link(root, 'lib64', 'usr/lib64');
  link(root, 'bin', 'usr/bin');
  for (const name of ['ld-linux-x86-64.so.2', 'libc.so.6', 'libm.so.6', 'libz.so.1', ...(options.libs ?? [])]) hostLib(root, name);
  link(root, 'usr/lib64/ld-linux-x86-64.so.2', `../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2`);
  put(root, 'usr/bin/sh', realpathSync('/bin/sh'));
  writeFileSync(join(root, 'etc/ld.so.conf'), '# as Debian\ninclude /etc/ld.so.conf.d/*.conf\n');
  writeFileSync(join(root, 'etc/ld.so.conf.d/x86_64-linux-gnu.conf'), '/usr/local/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n');
  writeFileSync(join(root, 'etc/ld.so.conf.d/zz-conf.conf'), '/opt/conf/lib\n');
  writeFileSync(join(root, 'etc/ld.so.conf.d/ignored.txt'), '/opt/not-a-conf-file\n');
  const confLib = sharedLib('libconf.so.3', 'int conf(void){return 3;}');
  put(root, 'opt/conf/lib/libconf.so.3', confLib);
  if (options.pg !== undefined) {
    const bin = compile({ source: 'int main(void){return 0;}', name: 'postgres', args: ['-Wl,-rpath,/usr/lib/postgresql/lib-rpath', '-Wl,--disable-new-dtags'] });
    put(root, `usr/lib/postgresql/${options.pg}/bin/postgres`, bin);
    put(root, `usr/lib/postgresql/${options.pg}/lib/plpgsql.so`, sharedLib('plpgsql.so', 'int plpgsql(void){return 0;}'));
  }
  // A real cache, as ldconfig writes it inside an image.
  execFileSync('ldconfig', ['-r', root]);
  return { root, confLib: '/opt/conf/lib/libconf.so.3' };
}

/** An Alpine-style musl root: /lib/ld-musl-x86_64.so.1 is libc, libc.musl-x86_64.so.1 links to
 * it, /etc/ld-musl-x86_64.path adds a directory, apk's database has the version. */
export function muslRoot(root: string): string {
  mkdirSync(join(root, 'etc'), { recursive: true });
  put(root, 'lib/ld-musl-x86_64.so.1', realpathSync('/usr/lib/x86_64-linux-musl/libc.so'));
  link(root, 'lib/libc.musl-x86_64.so.1', 'ld-musl-x86_64.so.1');
  put(root, 'bin/sh', compile({ cc: 'musl-gcc', source: 'int main(void){return 0;}', name: 'sh' }));
  writeFileSync(join(root, 'etc/ld-musl-x86_64.path'), '/lib\n/usr/local/lib:/usr/lib\n/opt/m/lib\n');
  put(root, 'opt/m/lib/libm1.so.1', sharedLib('libm1.so.1', 'int m1(void){return 1;}', { cc: 'musl-gcc' }));
  mkdirSync(join(root, 'lib/apk/db'), { recursive: true });
  writeFileSync(join(root, 'lib/apk/db/installed'), 'C:Q1abc\nP:musl\nV:1.2.5-r9\nA:x86_64\nL:MIT\nF:lib\nR:ld-musl-x86_64.so.1\nR:libc.musl-x86_64.so.1\n\n');
  return root;
}

