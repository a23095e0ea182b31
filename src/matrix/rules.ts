// Rules that span fields or files, which a JSON Schema cannot say: names that match file names,
// duplicates, version ranges and exclusions that select nothing, pipelines and their scripts.
import path from 'node:path';
import type { Platform } from '../types.ts';
import type { Diagnostic, Locator } from './diagnostics.ts';
import type { LoadedEntry } from './loaded.ts';
import { parseRange } from './range.ts';
import type { ExtensionEntry, PlatformsFile } from './schema.ts';

export function checkPlatforms(file: PlatformsFile, at: Locator): Diagnostic[] {
  const out: Diagnostic[] = [];
  const majors = new Set<number>();
  file.postgres.forEach((pg, i) => {
    if (majors.has(pg)) out.push(at.diagnostic(['postgres', i], `Postgres ${pg} is listed twice`));
    majors.add(pg);
  });
  for (const [libc, def] of Object.entries(file.libcs)) {
    if (!def) continue;
    for (const pg of majors) {
      if (!def.images[String(pg)]) out.push(at.diagnostic(['libcs', libc, 'images'], `no builder and base images for Postgres ${pg}`));
    }
    for (const key of Object.keys(def.images)) {
      if (!majors.has(Number(key))) out.push(at.diagnostic(['libcs', libc, 'images'], `images for Postgres ${key}, which "postgres" does not list`, key));
    }
  }
  if (!file.arches[file.default.arch]) out.push(at.diagnostic(['default', 'arch'], `"${file.default.arch}" is not one of the arches`));
  if (!file.libcs[file.default.libc]) out.push(at.diagnostic(['default', 'libc'], `"${file.default.libc}" is not one of the libcs`));
  return out;
}

/** Platform cells an entry builds on: its Postgres range, minus its exclusions. */
export function entryPlatforms(entry: ExtensionEntry, platforms: Platform[]): Platform[] {
  const inRange = rangeOf(entry);
  const excludes = entry.platforms?.exclude ?? [];
  return platforms.filter((p) => inRange(p.pg) && !excludes.some((x) => matches(x, p)));
}

function rangeOf(entry: ExtensionEntry): (pg: number) => boolean {
  const range = parseRange(entry.dependencies.postgres?.version ?? '*');
  return typeof range === 'string' ? () => false : range;
}

function matches(x: { pg?: number; arch?: string; libc?: string }, p: Platform): boolean {
  return (x.pg === undefined || x.pg === p.pg) && (x.arch === undefined || x.arch === p.arch) && (x.libc === undefined || x.libc === p.libc);
}

/** Settings whose values test.settings adds to the modules' own preloads. */
export const PRELOAD_SETTINGS = ['shared_preload_libraries', 'session_preload_libraries'] as const;

// Settings the smoke test's server needs as they are: where it listens, where it finds the
// package's files (PostgreSQL 18's image-volume mode sets the paths).
const HARNESS_SETTINGS = new Set(['listen_addresses', 'unix_socket_directories', 'port', 'extension_control_path', 'dynamic_library_path', 'data_directory', 'hba_file', 'ident_file', 'config_file', 'local_preload_libraries']);

export function checkEntries(entries: LoadedEntry[], platforms: Platform[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const byName = new Map<string, LoadedEntry>();
  const byExtension = new Map<string, LoadedEntry>();

  for (const loaded of entries) {
    const { entry, file, locator: at } = loaded;
    const stem = path.basename(file).replace(/\.ya?ml$/, '');
    if (stem !== entry.name) out.push(at.diagnostic(['name'], `is "${entry.name}" but the file is named ${path.basename(file)}: name the file ${entry.name}.yaml`));

    const first = byName.get(entry.name);
    if (first) out.push(at.diagnostic(['name'], `"${entry.name}" is already defined in ${first.file}`));
    else byName.set(entry.name, loaded);

    entry.contents.extensions.forEach((ext, i) => {
      const owner = byExtension.get(ext);
      if (owner && owner !== loaded) out.push(at.diagnostic(['contents', 'extensions', i], `extension "${ext}" is already provided by ${owner.file}`));
      else byExtension.set(ext, loaded);
    });

    const rangeText = entry.dependencies.postgres?.version;
    if (rangeText !== undefined) {
      const range = parseRange(rangeText);
      if (typeof range === 'string') out.push(at.diagnostic(['dependencies', 'postgres', 'version'], range));
      else if (!platforms.some((p) => range(p.pg))) {
        const majors = [...new Set(platforms.map((p) => p.pg))].join(', ');
        out.push(at.diagnostic(['dependencies', 'postgres', 'version'], `"${rangeText}" selects none of the matrix's Postgres majors (${majors})`));
      }
    }

    const inRange = rangeOf(entry);
    (entry.platforms?.exclude ?? []).forEach((x, i) => {
      if (x.pg === undefined && x.arch === undefined && x.libc === undefined) {
        out.push(at.diagnostic(['platforms', 'exclude', i], 'an exclusion needs at least one of pg, arch, libc'));
      } else if (!platforms.some((p) => inRange(p.pg) && matches(x, p))) {
        out.push(at.diagnostic(['platforms', 'exclude', i], 'matches no platform this entry would build: remove it'));
      }
    });

    if (entry.dependencies.pipeline === 'script' && !entry.build?.script) {
      out.push(at.diagnostic(['dependencies', 'pipeline'], 'pipeline "script" needs build.script'));
    }
    if (entry.build?.script !== undefined && entry.dependencies.pipeline !== 'script') {
      out.push(at.diagnostic(['build', 'script'], `is only used with pipeline "script" (this entry uses "${entry.dependencies.pipeline}")`));
    }
    if (entry.contents.extensions.length === 0 && Object.keys(entry.contents.modules ?? {}).length === 0) {
      out.push(at.diagnostic(['contents', 'extensions'], 'is empty and no modules are listed: name the control files, or list the modules of a module-only package under contents.modules'));
    }
    for (const name of Object.keys(entry.test?.settings ?? {})) {
      if (HARNESS_SETTINGS.has(name.toLowerCase())) {
        out.push(at.diagnostic(['test', 'settings'], `is set by the smoke test itself${name === 'local_preload_libraries' ? ' (use contents.modules.NAME.preload: session)' : ''}: remove it`, name));
      }
    }
    for (const [module] of Object.entries(entry.contents.modules ?? {})) {
      if (entry.language === 'sql') out.push(at.diagnostic(['contents', 'modules', module], 'a SQL-only package has no loadable modules'));
    }
  }
  return out;
}
