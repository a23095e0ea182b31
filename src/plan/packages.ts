// Bundled libraries are frozen into a package: when the builder's distribution ships a newer
// version of a bundled library's package (a fix in libcurl, libproj ...), the job needs building
// again although nothing in its key changed. The builder image itself is asked, after refreshing
// its package index: `apt-cache policy` / `apk policy` give the candidate version, and the
// distribution's own comparison (`dpkg --compare-versions`, `apk version -t`) says whether it is
// newer than the version the build bundled (index.json's closure.bundled[].packageVersion).
import type { Engine } from '../builder/index.ts';
import { UserError } from '../errors.ts';
import type { Distro, IndexEntry } from '../types.ts';
import type { PlannedJob, PlannedTarget } from './expand.ts';
import type { Staleness } from './select.ts';

export interface InstalledPackage {
  name: string;
  version: string;
}

export interface NewerPackage extends InstalledPackage {
  /** The version the builder's distribution offers now. */
  candidate: string;
}

const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]*$/;
const VERSION = /^[A-Za-z0-9.+~:_-]+$/;

// Reads "NAME VERSION" lines on stdin, prints "NAME VERSION CANDIDATE" for each newer candidate.
const SCRIPTS: Record<Distro, string> = {
  debian: `set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq -o Acquire::Check-Valid-Until=false >&2
while read -r name have; do
  cand=$(apt-cache policy "$name" | sed -n 's/^ *Candidate: //p')
  case "$cand" in '' | '(none)') continue ;; esac
  if dpkg --compare-versions "$cand" gt "$have"; then echo "$name $have $cand"; fi
done
`,
  alpine: `set -eu
apk update -q >&2
while read -r name have; do
  cand=$(apk policy "$name" 2>/dev/null | sed -n 's/^  \\([^ ]*\\):$/\\1/p' | head -n 1)
  [ -n "$cand" ] || continue
  if [ "$(apk version -t "$cand" "$have")" = '>' ]; then echo "$name $have $cand"; fi
done
`,
};

/** The packages among `installed` for which the builder image's distribution has a newer version. */
export async function newerPackages(engine: Engine, image: string, arch: string, distro: Distro, installed: readonly InstalledPackage[]): Promise<NewerPackage[]> {
  const wanted = installed.filter((p) => PACKAGE_NAME.test(p.name) && VERSION.test(p.version));
  if (wanted.length === 0) return [];
  const { exec, pull, removeContainer, startContainer } = await import('../builder/index.ts');
  await pull(engine, image, { platform: `linux/${arch}` });
  const c = await startContainer(engine, { image, network: 'host', platform: `linux/${arch}`, user: '0' });
  try {
    const r = await exec(c, ['sh', '-c', SCRIPTS[distro]], { stdin: wanted.map((p) => `${p.name} ${p.version}\n`).join(''), live: null, tailLines: 100_000 });
    if (r.code !== 0) throw new UserError(`${image}: cannot ask its package manager for newer versions (exit ${r.code}):\n${r.tail}`);
    return r.tail
      .split('\n')
      .map((line) => line.trim().split(' '))
      .filter((f) => f.length === 3 && wanted.some((p) => p.name === f[0] && p.version === f[1]))
      .map(([name, version, candidate]) => ({ name: name!, version: version!, candidate: candidate! }));
  } finally {
    await removeContainer(c);
  }
}

/** Jobs whose key the index has, but whose latest build bundled a package the builder now has a
 * newer version of: each with why. One container per builder image and architecture. */
export async function staleByPackages(
  targets: readonly PlannedTarget[],
  builds: readonly Partial<IndexEntry>[],
  engine: Engine,
): Promise<(PlannedJob & { stale: Staleness[] })[]> {
  const byKey = new Map(builds.map((b) => [b.key, b]));
  const groups = new Map<string, { platform: PlannedTarget['platform']; jobs: { target: PlannedTarget; bundled: InstalledPackage[] }[] }>();
  for (const t of targets) {
    const build = byKey.get(t.job.key);
    const bundled = (build?.closure?.bundled ?? []).flatMap((b) => (b.package && b.packageVersion ? [{ name: b.package, version: b.packageVersion }] : []));
    if (bundled.length === 0) continue;
    const id = `${t.platform.builder.ref} ${t.platform.arch}`;
    const g = groups.get(id) ?? { platform: t.platform, jobs: [] };
    g.jobs.push({ target: t, bundled });
    groups.set(id, g);
  }
  const out: (PlannedJob & { stale: Staleness[] })[] = [];
  for (const { platform, jobs } of groups.values()) {
    const all = [...new Map(jobs.flatMap((j) => j.bundled).map((p) => [`${p.name} ${p.version}`, p])).values()];
    const newer = await newerPackages(engine, platform.builder.ref, platform.arch, platform.distro, all);
    for (const { target, bundled } of jobs) {
      const hits = newer.filter((n) => bundled.some((b) => b.name === n.name && b.version === n.version));
      if (hits.length > 0) {
        out.push({ ...target.job, stale: hits.map((n) => ({ reason: 'bundled-package' as const, message: `bundled ${n.name} ${n.version}; ${platform.builder.ref} has ${n.candidate}` })) });
      }
    }
  }
  return out;
}
