// Which distribution package owns a file, with its version and license, from the package
// manager's own database inside a root filesystem: dpkg (Debian, Ubuntu) or apk (Alpine). Used to
// say where a missing library comes from and to record what a bundled library is.
import { type RootView, basename, dirname, joinPath, resolvePath } from './rootfs.ts';

interface PackageInfo {
  manager: 'dpkg' | 'apk';
  name: string;
  version?: string;
  /** License names as the package declares them (DEP-5 `License:` fields, apk `L:`), joined with AND. */
  license?: string;
}

interface PackageDb {
  /** The package that installed the file at `path` (any path leading to it). */
  owner(path: string): PackageInfo | undefined;
}

/** Reads the database lazily, on the first question. */
export function packageDb(view: RootView): PackageDb {
  let index: Map<string, { path: string; pkg: string }[]> | undefined;
  let infos: Map<string, PackageInfo> | undefined;
  const load = () => {
    index = new Map();
    infos = new Map();
    const add = (path: string, pkg: string) => {
      const name = basename(path);
      const list = index?.get(name) ?? [];
      list.push({ path, pkg });
      index?.set(name, list);
    };
    const apk = readText(view, '/lib/apk/db/installed');
    if (apk !== undefined) {
      for (const block of apk.split(/\n\n+/)) {
        const info: PackageInfo = { manager: 'apk', name: '' };
        let dir = '/';
        for (const line of block.split('\n')) {
          const [key, value = ''] = [line.slice(0, 2), line.slice(2)];
          if (key === 'P:') info.name = value;
          else if (key === 'V:') info.version = value;
          else if (key === 'L:') info.license = value;
          else if (key === 'F:') dir = `/${value}`;
          else if (key === 'R:' && info.name !== '') add(joinPath(dir, value), info.name);
        }
        if (info.name !== '') infos?.set(info.name, info);
      }
      return;
    }
    const status = readText(view, '/var/lib/dpkg/status');
    if (status === undefined) return;
    for (const block of status.split(/\n\n+/)) {
      const name = /^Package: (\S+)$/m.exec(block)?.[1];
      if (name === undefined || !/^Status: .* installed$/m.test(block)) continue;
      const version = /^Version: (\S+)$/m.exec(block)?.[1];
      infos?.set(name, { manager: 'dpkg', name, ...(version !== undefined && { version }) });
    }
    const infoDir = resolvePath(view, '/var/lib/dpkg/info');
    for (const file of view.readdir(infoDir?.path ?? '/var/lib/dpkg/info') ?? []) {
      if (!file.endsWith('.list')) continue;
      const pkg = file.slice(0, -'.list'.length).replace(/:.*$/, '');
      const text = readText(view, `/var/lib/dpkg/info/${file}`);
      for (const line of text?.split('\n') ?? []) if (line.includes('.so')) add(line, pkg);
    }
  };
  const licenseOf = (info: PackageInfo): string | undefined => {
    if (info.manager !== 'dpkg') return info.license;
    const text = readText(view, `/usr/share/doc/${info.name}/copyright`);
    if (text === undefined) return undefined;
    const names = [...new Set([...text.matchAll(/^License: *(\S.*)$/gm)].map((m) => (m[1] ?? '').trim()))];
    return names.length === 0 ? undefined : names.join(' AND ');
  };
  return {
    owner(path) {
      if (index === undefined) load();
      const target = resolvePath(view, path)?.path;
      if (target === undefined) return undefined;
      for (const name of new Set([basename(path), basename(target)])) {
        for (const c of index?.get(name) ?? []) {
          if (c.path !== path && c.path !== target && resolvePath(view, c.path)?.path !== target) continue;
          const info = infos?.get(c.pkg) ?? { manager: 'dpkg', name: c.pkg };
          if (info.manager === 'dpkg' && info.license === undefined) {
            const license = licenseOf(info);
            if (license !== undefined) info.license = license;
          }
          return info;
        }
      }
      return undefined;
    },
  };
}

function readText(view: RootView, path: string): string | undefined {
  const r = resolvePath(view, dirname(path));
  if (r === undefined) return undefined;
  const f = resolvePath(view, joinPath(r.path, basename(path)));
  return f === undefined ? undefined : view.readFile(f.path, 1 << 26)?.toString('utf8');
}
