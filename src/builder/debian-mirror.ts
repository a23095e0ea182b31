// The Debian mirror this machine's apt already uses, so that no mirror host is written anywhere
// in the project. Same rules as scripts/lib/debian-mirror.sh: TRUNKFARM_DEBIAN_MIRROR if set, else
// the first non-security `URIs:` of an enabled deb822 `deb` source in /etc/apt/sources.list.d,
// else the first such `deb` line of /etc/apt/sources.list.

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.ts';

interface AptConfig {
  /** Default /etc/apt/sources.list.d */
  sourcesDir?: string;
  /** Default /etc/apt/sources.list */
  sourcesList?: string;
  env?: NodeJS.ProcessEnv;
}

/** The mirror's base URI, without a trailing slash: the folder that holds `dists/` and `pool/`. */
export async function debianMirror(config: AptConfig = {}): Promise<string> {
  const env = config.env ?? process.env;
  const override = env.TRUNKFARM_DEBIAN_MIRROR;
  if (override) return override.replace(/\/+$/, '');
  const dir = config.sourcesDir ?? '/etc/apt/sources.list.d';
  const list = config.sourcesList ?? '/etc/apt/sources.list';

  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.sources')).sort();
  for (const name of names) {
    const uri = fromDeb822(await readFile(join(dir, name), 'utf8'));
    if (uri) return uri.replace(/\/+$/, '');
  }
  const text = await readFile(list, 'utf8').catch(() => '');
  const uri = fromOneLine(text);
  if (uri) return uri.replace(/\/+$/, '');
  throw new UserError(`no Debian mirror found in ${dir}/*.sources or ${list}; set TRUNKFARM_DEBIAN_MIRROR`);
}

/** First mirror of a deb822 sources file that serves `deb` packages and is not a security archive. */
export function fromDeb822(text: string): string | undefined {
  for (const stanza of text.split(/\n[ \t]*\n/)) {
    const fields = new Map<string, string>();
    for (const line of stanza.split('\n')) {
      if (/^\s*#/.test(line)) continue;
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (m) fields.set(m[1]!.toLowerCase(), m[2]!.trim());
    }
    const types = (fields.get('types') ?? '').split(/\s+/);
    const uri = (fields.get('uris') ?? '').split(/\s+/)[0] ?? '';
    const suites = fields.get('suites') ?? '';
    if (!types.includes('deb') || !uri || fields.get('enabled')?.toLowerCase() === 'no') continue;
    if (/-security/.test(suites) || /-security\/?$/.test(uri)) continue;
    return uri;
  }
  return undefined;
}

/** First mirror of a one-line-format sources.list that is not a security archive. */
export function fromOneLine(text: string): string | undefined {
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line.startsWith('deb ') && !line.startsWith('deb\t')) continue;
    const words = line
      .replace(/\[[^\]]*\]/, '')
      .split(/\s+/)
      .slice(1);
    const [uri, suite] = words;
    if (uri && suite && !/-security/.test(suite) && !/-security\/?$/.test(uri)) return uri;
  }
  return undefined;
}

/**
 * Where the archive keeps a source package's files: `pool/main/<prefix>/<package>/<file>`, the
 * prefix being the first four letters for `lib*` packages and the first letter otherwise.
 */
export function poolUrl(mirror: string, pkg: string, file: string, component = 'main'): string {
  if (!/^[a-z0-9][a-z0-9+.-]+$/.test(pkg)) throw new UserError(`invalid Debian source package name "${pkg}"`);
  if (!/^[A-Za-z0-9][A-Za-z0-9+.~_-]*$/.test(file)) throw new UserError(`invalid Debian file name "${file}"`);
  const prefix = pkg.startsWith('lib') && pkg.length > 3 ? pkg.slice(0, 4) : pkg[0]!;
  return `${mirror.replace(/\/+$/, '')}/pool/${component}/${prefix}/${pkg}/${encodeURIComponent(file)}`;
}
