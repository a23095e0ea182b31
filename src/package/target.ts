// What an install targets, and whether a package fits it: the Postgres major from
// `pg_config --version`, the CPU and C library from the ELF header of the target's binaries
// (PT_INTERP names the dynamic loader: ld-linux-* is glibc, ld-musl-* is musl), read with the
// closure stage's ELF reader.
import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { UserError } from '../errors.ts';
import { compareVersions } from '../version.ts';
import { readElfIfElf } from '../closure/elf/index.ts';
import type { PackageMeta } from './meta.ts';
import type { PgDirs } from './destinations.ts';

const run = promisify(execFile);

export interface InstallTargetInfo {
  /** One line for messages: `/usr/lib/postgresql/15/bin/pg_config (PostgreSQL 15.18, glibc 2.36, amd64)`. */
  description: string;
  pgVersion?: string;
  pgMajor?: number;
  arch?: string;
  libc?: 'glibc' | 'musl';
  libcVersion?: string;
  /** pg_config's directories (sharedir, pkglibdir, ...), when a pg_config was given. */
  dirs?: PgDirs;
}

interface ElfInfo {
  /** amd64, arm64, or the closure reader's machine name for others. */
  arch: string;
  /** PT_INTERP: the dynamic loader, absent for static binaries. */
  interpreter?: string;
  libc?: 'glibc' | 'musl';
}

const ARCH_NAMES: Record<string, string> = { x86_64: 'amd64', aarch64: 'arm64' };

/** e_machine, PT_INTERP and the libc they imply, through the closure stage's ELF reader;
 * undefined when the file is missing or not ELF (a shell wrapper, say). */
export async function readElfInfo(path: string): Promise<ElfInfo | undefined> {
  let info;
  try {
    info = readElfIfElf(path, { relocations: false, symbols: false });
  } catch {
    return undefined;
  }
  if (!info) return undefined;
  return {
    arch: ARCH_NAMES[info.machine] ?? info.machine,
    ...(info.interp !== undefined ? { interpreter: info.interp } : {}),
    ...(info.libc ? { libc: info.libc } : {}),
  };
}

/** Runs pg_config once (no flags: it prints every setting) and inspects its binaries. */
export async function probePgConfig(pgConfig: string): Promise<InstallTargetInfo> {
  let stdout: string;
  try {
    ({ stdout } = await run(pgConfig, [], { maxBuffer: 1 << 20 }));
  } catch (err) {
    throw new UserError(`cannot run pg_config ${pgConfig}: ${(err as Error).message.split('\n')[0]}`);
  }
  const values = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const m = /^([A-Z_-]+) = (.*)$/.exec(line);
    if (m) values.set(m[1]!, m[2]!);
  }
  const version = values.get('VERSION') ?? '';
  const vm = /PostgreSQL (\d+)(?:\.(\d+))?/.exec(version);
  if (!vm) throw new UserError(`${pgConfig}: cannot read the PostgreSQL version from "${version}"`);
  const dirs: PgDirs = {};
  for (const key of ['BINDIR', 'DOCDIR', 'HTMLDIR', 'INCLUDEDIR', 'PKGINCLUDEDIR', 'LIBDIR', 'PKGLIBDIR', 'LOCALEDIR', 'MANDIR', 'SHAREDIR', 'SYSCONFDIR']) {
    const v = values.get(key);
    if (v) dirs[key.toLowerCase()] = v;
  }
  for (const need of ['sharedir', 'pkglibdir']) {
    if (!dirs[need]) throw new UserError(`${pgConfig}: prints no ${need.toUpperCase()}`);
  }

  // pg_config may be a shell wrapper (Debian's /usr/bin/pg_config is); then the server binary tells.
  let elf: ElfInfo | undefined;
  for (const candidate of [pgConfig, dirs.bindir ? join(dirs.bindir, 'postgres') : undefined]) {
    if (!candidate) continue;
    const info = await readElfInfo(await realpath(candidate).catch(() => candidate));
    if (info && (elf === undefined || (!elf.interpreter && info.interpreter))) elf = info;
    if (elf?.interpreter) break;
  }
  const libc = elf?.libc;
  const libcVersion = libc ? await libcVersionOf(libc, elf?.interpreter) : undefined;
  const pgVersion = vm[2] !== undefined ? `${vm[1]}.${vm[2]}` : vm[1]!;
  return {
    description: `${pgConfig} (PostgreSQL ${pgVersion}, ${[libc, libcVersion].filter(Boolean).join(' ') || 'unknown libc'}, ${elf?.arch ?? 'unknown arch'})`,
    pgVersion,
    pgMajor: Number(vm[1]),
    ...(elf ? { arch: elf.arch } : {}),
    ...(libc ? { libc } : {}),
    ...(libcVersion ? { libcVersion } : {}),
    dirs,
  };
}

/** The machine trunkfarm runs on, for `--extensions-dir` without a pg_config. */
export async function probeHost(): Promise<InstallTargetInfo> {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const info = await readElfInfo(process.execPath);
  const libc = info?.libc;
  const libcVersion = libc ? await libcVersionOf(libc, info?.interpreter) : undefined;
  return {
    description: `this machine (${[libc, libcVersion].filter(Boolean).join(' ') || 'unknown libc'}, ${arch})`,
    arch,
    ...(libc ? { libc } : {}),
    ...(libcVersion ? { libcVersion } : {}),
  };
}

async function libcVersionOf(libc: 'glibc' | 'musl', interpreter: string | undefined): Promise<string | undefined> {
  if (libc === 'glibc') {
    // The target ran on this machine's loader, so the runtime glibc is this process's.
    const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
    return header?.glibcVersionRuntime;
  }
  if (!interpreter) return undefined;
  // musl's loader run bare prints "musl libc (x86_64)\nVersion 1.2.4" and exits 1.
  const out = await run(interpreter, []).then(
    (r) => r.stderr,
    (err: { stderr?: string }) => err.stderr ?? '',
  );
  return /Version ([\d.]+)/.exec(out)?.[1];
}

/** Why `meta` cannot be installed on `target`; empty when it can. */
export function compatibilityProblems(meta: PackageMeta, target: InstallTargetInfo, options: { minPgMajor?: number } = {}): string[] {
  const problems: string[] = [];
  const pg = meta.postgres.major;
  if (target.pgMajor !== undefined && target.pgMajor !== pg)
    problems.push(`built for PostgreSQL ${pg}, the target is PostgreSQL ${target.pgVersion ?? target.pgMajor}`);
  if (options.minPgMajor !== undefined && pg < options.minPgMajor)
    problems.push(`built for PostgreSQL ${pg}; this layout needs PostgreSQL ${options.minPgMajor} or later`);
  const p = meta.platform;
  if (p.os === 'any') return problems;
  if (p.os !== 'gnulinux' && p.os !== 'musllinux') problems.push(`built for OS "${p.os}", the target is Linux`);
  if (target.arch === undefined) problems.push(`cannot tell the target's CPU architecture (built for ${p.arch})`);
  else if (target.arch !== p.arch) problems.push(`built for ${p.arch}, the target is ${target.arch}`);
  if (target.libc === undefined) problems.push(`cannot tell the target's C library (built for ${p.libc})`);
  else if (target.libc !== p.libc) problems.push(`built for ${p.libc}, the target uses ${target.libc}`);
  else if (p.libcVersion && target.libcVersion && compareVersions(target.libcVersion, p.libcVersion) < 0)
    problems.push(`needs ${p.libc} ${p.libcVersion} or later, the target has ${target.libcVersion}`);
  return problems;
}
