// Types shared by the pipeline's stages. A stage's own types live in its folder; only what crosses
// a stage boundary is here.

export const ARCHES = ['amd64', 'arm64'] as const;
export type Arch = (typeof ARCHES)[number];

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

/** A published artifact, as `index.json` lists it. */
export interface IndexEntry {
  key: string;
  extension: string;
  version: string;
  pg: number;
  arch: Arch | 'any';
  libc: Libc | 'any';
  platform: string;
  trunk?: { file: string; sha256: string; size: number; url?: string };
  oci?: { ref: string; digest: string };
  closure: { ok: boolean; bundled: string[] };
  signature?: { bundle: string };
  builtAt: string;
}
