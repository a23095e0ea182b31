// Types shared by the pipeline's stages. A stage's own types live in its folder; only what crosses
// a stage boundary is here.

export const ARCHES = ['amd64', 'arm64'] as const;
export type Arch = (typeof ARCHES)[number];

/** The instruction-set baselines a platform may promise, per architecture, as GCC's `-march`
 * spells them: the x86-64 psABI levels, and the Arm A-profile architecture versions. A package
 * runs on every CPU of its platform's baseline; closure/isa holds what each includes. */
export const ISA_BASELINES = {
  amd64: ['x86-64', 'x86-64-v2', 'x86-64-v3', 'x86-64-v4'],
  arm64: ['armv8-a', 'armv8.1-a', 'armv8.2-a', 'armv8.3-a', 'armv8.4-a', 'armv8.5-a', 'armv8.6-a', 'armv9-a'],
} as const satisfies Record<Arch, readonly string[]>;
export type IsaBaseline = (typeof ISA_BASELINES)[Arch][number];

/** An extension's name, as entries, trunk names and composed image names spell it: no room for
 * shell syntax or path traversal. Here, not in the matrix schema, so that compose and serve need
 * not load the matrix loader for it. */
export const EXTENSION_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

export const LIBCS = ['glibc', 'musl'] as const;
export type Libc = (typeof LIBCS)[number];

/** Trunk (PGXN RFC 2) operating-system names, after Python's manylinux / musllinux. */
export type TrunkOs = 'gnulinux' | 'musllinux';
export const TRUNK_OS: Record<Libc, TrunkOs> = { glibc: 'gnulinux', musl: 'musllinux' };

/** The family of a distribution decides which package names a matrix entry gives. */
export type Distro = 'debian' | 'alpine';

/** An image as the matrix names it: the public reference used on GitHub, and the tag of the
 * equivalent image that `scripts/local-images.sh` builds where no image registry is reachable. */
export interface ImageRef {
  ref: string;
  local?: string;
}

/** One (Postgres major, libc, arch) cell of the matrix: what a binary package is built for. */
export interface Platform {
  /** As trunk files name it: `pg17-gnulinux-amd64`. */
  name: string;
  pg: number;
  arch: Arch;
  libc: Libc;
  os: TrunkOs;
  distro: Distro;
  /** GitHub runner label for this architecture. */
  runner: string;
  /** Instruction-set baseline: the oldest CPU the platform's packages must run on. */
  isa: IsaBaseline;
  /** Image the extension is compiled in. */
  builder: ImageRef;
  /** Image the artifact will run on; its libraries count as provided. */
  base: ImageRef;
}

/** One job of the plan: an extension version built for one platform. SQL-only extensions
 * build once per Postgres major, on that major's default platform, as platform `any`. */
export interface Job {
  extension: string;
  version: string;
  pg: number;
  arch: Arch;
  libc: Libc;
  /** Platform name, or `pg17-any` for SQL-only packages. */
  platform: string;
  runner: string;
  /** Content hash of everything that decides the job's output. */
  key: string;
}

/** What the closure check says of one file. */
export type Verdict = 'ok' | 'fail';

/** A library the closure check copied into a package. */
export interface BundledLibrary {
  soname: string;
  file: string;
  sha256: string;
  size: number;
  /** Distribution package it came from, with version and license, where known. */
  package?: string;
  packageVersion?: string;
  license?: string;
}

/** One build of one job, as `index.json` lists it: what was built, from what, and where it is.
 * The job's fields but its runner name, which is the farm's business, not the reader's. */
export interface IndexEntry extends Omit<Job, 'runner'> {
  /** The instruction-set baseline its binaries were checked against (`x86-64`, `armv8-a`). */
  isa?: string;
  status: 'built' | 'failed';
  /** Failed step and its message, for failed builds. */
  failure?: { step: string; message: string };
  trunk?: { file: string; sha256: string; size: number; files: number; url?: string };
  oci?: { ref: string; digest: string; size: number };
  closure: { ok: boolean; bundled: BundledLibrary[]; problems: { file: string; message: string }[] };
  /** Signature bundle reference (URL or OCI referrer digest). */
  signature?: { bundle: string; kind: 'key' | 'keyless' };
  provenance: { source: string; sourceDigest: string; builderImage: string; baseImage: string; runUrl?: string };
  logUrl?: string;
  builtAt: string;
}

/** `index.json`: every published build, keyed by build key. */
export interface PublishedIndexFile {
  version: 1;
  generatedAt: string;
  entries: IndexEntry[];
}
