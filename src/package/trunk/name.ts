// Trunk file names, exactly as PGXN RFC 2 spells them:
//   {package}-{version}+{pg}-{platform}.trunk
// Everything after the package name is one SemVer (the `+` opens build metadata), which is why the
// platform parts are joined with hyphens and may only use SemVer's build-metadata characters.
import { UserError } from '../../errors.ts';

/** A parsed trunk name. `os` absent means platform `any`. */
export interface TrunkName {
  package: string;
  version: string;
  pg: number;
  os?: string;
  osVersion?: string;
  arch?: string;
}

// semver.org's recommended expression, less build metadata (a trunk's version may not carry any).
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?$/;
// Characters SemVer allows in build metadata, one dot-separated identifier at a time.
const BUILD_META = /^[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*$/;
// A package name that is also a safe single path segment (the RFC's examples include `pgAdmin`).
const PACKAGE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const PART = /^[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*$/;

export function isSemver(version: string): boolean {
  return SEMVER.test(version);
}

/** `any`, `gnulinux-amd64`, `musllinux-1.2-amd64`. */
export function formatPlatform(p: { os?: string; osVersion?: string; arch?: string }): string {
  if (!p.os || p.os === 'any') return 'any';
  return [p.os, p.osVersion, p.arch].filter((x) => x !== undefined && x !== '').join('-');
}

/** The name without `.trunk`: also the archive's top directory. */
export function formatTrunkName(n: TrunkName): string {
  const problems: string[] = [];
  if (!PACKAGE.test(n.package) || n.package.includes('+')) problems.push(`package name "${n.package}"`);
  if (!isSemver(n.version)) problems.push(`version "${n.version}" (SemVer without build metadata)`);
  if (!Number.isInteger(n.pg) || n.pg <= 0) problems.push(`Postgres major ${n.pg}`);
  for (const [what, v] of [['os', n.os], ['OS version', n.osVersion], ['arch', n.arch]] as const) {
    if (v !== undefined && !PART.test(v)) problems.push(`${what} "${v}"`);
  }
  if (n.os && n.os !== 'any' && !n.arch) problems.push('an OS without an arch');
  if (problems.length) throw new UserError(`cannot name a trunk with ${problems.join(', ')}`);
  return `${n.package}-${n.version}+pg${n.pg}-${formatPlatform(n)}`;
}

export function trunkFileName(n: TrunkName): string {
  return `${formatTrunkName(n)}.trunk`;
}

/** Parses a trunk file name or top directory name (with or without `.trunk`). */
export function parseTrunkName(input: string): TrunkName {
  const fail = (why: string): never => {
    throw new UserError(`not a trunk name: ${JSON.stringify(input)}: ${why}`);
  };
  const name = input.endsWith('.trunk') ? input.slice(0, -'.trunk'.length) : input;
  const plus = name.indexOf('+');
  if (plus < 0) fail('no "+" between version and platform');
  const left = name.slice(0, plus);
  const right = name.slice(plus + 1);
  if (!BUILD_META.test(right)) fail(`"${right}" is not SemVer build metadata (pg and platform, hyphen-separated)`);

  // The right-most dash whose right side is a SemVer splits package from version.
  let pkg: string | undefined;
  let version: string | undefined;
  for (let dash = left.lastIndexOf('-'); dash > 0; dash = left.lastIndexOf('-', dash - 1)) {
    if (isSemver(left.slice(dash + 1))) {
      pkg = left.slice(0, dash);
      version = left.slice(dash + 1);
      break;
    }
  }
  if (pkg === undefined || version === undefined) return fail(`no "-{SemVer}" version in "${left}"`);
  if (!PACKAGE.test(pkg)) fail(`bad package name "${pkg}"`);

  const parts = right.split('-');
  const pgMatch = /^pg([1-9]\d*)$/.exec(parts[0] ?? '');
  if (!pgMatch) fail(`"${parts[0]}" is not a Postgres major like pg16`);
  const pg = Number(pgMatch![1]);
  const rest = parts.slice(1);
  if (rest.some((p) => !PART.test(p))) fail(`empty or malformed platform part in "${right}"`);
  if (rest.length > 1 && rest[0] === 'any') fail('platform "any" takes no further parts');
  switch (rest.length) {
    case 1:
      if (rest[0] !== 'any') fail(`a one-part platform must be "any", not "${rest[0]}"`);
      return { package: pkg, version, pg };
    case 2:
      return { package: pkg, version, pg, os: rest[0]!, arch: rest[1]! };
    case 3:
      return { package: pkg, version, pg, os: rest[0]!, osVersion: rest[1]!, arch: rest[2]! };
    default:
      return fail(`expected 2 to 4 hyphen-separated parts after "+", found ${parts.length}`);
  }
}

/** SemVer precedence (semver.org §11): numeric core, then a pre-release sorts before its release,
 * identifiers compared numerically when both are numbers, else in ASCII order. */
export function compareSemver(a: string, b: string): number {
  const split = (v: string) => {
    const dash = v.indexOf('-');
    return { core: (dash < 0 ? v : v.slice(0, dash)).split('.').map(Number), pre: dash < 0 ? [] : v.slice(dash + 1).split('.') };
  };
  const x = split(a);
  const y = split(b);
  for (let i = 0; i < 3; i++) if ((x.core[i] ?? 0) !== (y.core[i] ?? 0)) return (x.core[i] ?? 0) - (y.core[i] ?? 0);
  if (x.pre.length === 0 || y.pre.length === 0) return y.pre.length - x.pre.length;
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    const p = x.pre[i];
    const q = y.pre[i];
    if (p === undefined || q === undefined) return p === undefined ? -1 : 1;
    if (p === q) continue;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn) return Number(p) - Number(q);
    if (pn !== qn) return pn ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return 0;
}
