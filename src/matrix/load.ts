// Reads matrix/ into typed entries and platforms, collecting every problem at once (YAML syntax,
// schema, and the rules in rules.ts) as diagnostics with file, line and column.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { visit } from 'yaml';
import type { z } from 'zod';
import { UserError } from '../errors.ts';
import { limit } from '../limits.ts';
import { type Platform, TRUNK_OS } from '../types.ts';
import { type Diagnostic, formatDiagnostic, Locator, parseWithPositions, type Path } from './diagnostics.ts';
import { limitMessage, matrixText, notText, tooDeep, tooManyFields } from './bounds.ts';
import { parsePlainYaml } from './plain-yaml.ts';
import type { LoadedEntry, Matrix } from './loaded.ts';
import { readPatches } from './patches.ts';
import { checkEntries, checkPlatforms } from './rules.ts';
import { type ExtensionEntry, extensionEntry, type PlatformsFile, platformsFile } from './schema.ts';

interface LoadResult {
  matrix?: Matrix;
  diagnostics: Diagnostic[];
}

const PLATFORMS_FILE = 'platforms.yaml';
const EXTENSIONS_DIR = 'extensions';

/** Parses and validates one YAML text against a schema. Text in the plain subset that matrix
 * files use is read without source positions (see plain-yaml.ts); the rest, errors included,
 * by the `yaml` package with them. */
export function parseYaml<T extends z.ZodType>(
  file: string,
  text: string,
  schema: T,
): { value?: z.infer<T>; locator: Locator; diagnostics: Diagnostic[] } {
  const deep = tooDeep(text);
  if (deep) return { locator: new Locator(file, ''), diagnostics: [{ file, ...deep, field: '', message: limitMessage('yaml-depth', 'nested too deep') }] };
  let data = parsePlainYaml(text);
  let locator: Locator;
  const diagnostics: Diagnostic[] = [];
  if (data !== undefined) {
    locator = new Locator(file, text);
  } else {
    const parsed = parseWithPositions(text);
    locator = new Locator(file, text, parsed);
    for (const e of parsed.doc.errors) {
      const pos = e.linePos?.[0] ?? parsed.lines.linePos(e.pos[0]);
      diagnostics.push({ file, line: pos.line, col: pos.col, field: '', message: `YAML: ${e.message.split('\n')[0]}` });
    }
    if (diagnostics.length > 0) return { locator, diagnostics };
    try {
      data = parsed.doc.toJS({ maxAliasCount: limit('yaml-aliases') }) ?? {};
    } catch (err) {
      // The yaml package's guard against alias expansion ("billion laughs").
      if (!(err instanceof ReferenceError)) throw err;
      const pos = firstAlias(parsed);
      return { locator, diagnostics: [{ file, ...pos, field: '', message: limitMessage('yaml-aliases', 'aliases expand too far') }] };
    }
  }
  const crowded = tooManyFields(data);
  if (crowded) return { locator, diagnostics: [locator.diagnostic(crowded.slice(0, -1), limitMessage('yaml-fields', 'too many fields'), String(crowded.at(-1)))] };
  const garbled = notText(data);
  if (garbled) return { locator, diagnostics: [locator.diagnostic(garbled, 'contains a NUL or a lone UTF-16 surrogate (written as an escape): not valid text')] };

  const result = schema.safeParse(data);
  if (result.success) return { value: result.data, locator, diagnostics };
  for (const issue of result.error.issues) diagnostics.push(...issueDiagnostics(locator, issue, valueAt(data, issue.path)));
  return { locator, diagnostics };
}

function firstAlias(parsed: ReturnType<typeof parseWithPositions>): { line: number; col: number } {
  let offset = 0;
  visit(parsed.doc, {
    Alias(_key, node) {
      offset = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return parsed.lines.linePos(offset);
}

function valueAt(data: unknown, at: Path): unknown {
  let v = data;
  for (const step of at) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[step] : undefined;
  return v;
}

function issueDiagnostics(locator: Locator, issue: z.core.$ZodIssue, input: unknown): Diagnostic[] {
  const at: Path = issue.path;
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => locator.diagnostic(at, KNOWN.has(key) ? `field "${key}" does not belong here` : `unknown field "${key}"${suggest(key)}`, key));
    case 'invalid_union': {
      // Report the problems of the form the author most likely meant (the one with the fewest
      // problems); when no form stands out, say which forms there are.
      const branches = [...issue.errors].sort((a, b) => a.length - b.length);
      if (branches.length > 1 && branches[0]!.length < branches[1]!.length) {
        return branches[0]!.flatMap((sub) =>
          issueDiagnostics(locator, { ...sub, path: [...at, ...sub.path] } as z.core.$ZodIssue, valueAt(input, sub.path)),
        );
      }
      return [locator.diagnostic(at, unionMessage(at))];
    }
    case 'invalid_type':
      if (input === undefined) return [locator.diagnostic(at, `required field is missing (expected ${issue.expected})`)];
      return [
        locator.diagnostic(
          at,
          `expected ${issue.expected}, got ${describe(input)}${issue.expected === 'string' && typeof input === 'number' ? ' (quote it: YAML reads it as a number)' : ''}`,
        ),
      ];
    case 'invalid_key':
      // A record's key (a setting name): its own pattern's message, not zod's "Invalid key".
      return [locator.diagnostic(at, issue.issues[0]?.message ?? issue.message)];
    case 'invalid_value':
      return [locator.diagnostic(at, `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`)];
    default:
      return [locator.diagnostic(at, issue.message)];
  }
}

function unionMessage(at: Path): string {
  if (at[at.length - 1] === 'source') {
    return 'must be one of: {url and/or debian, sha256} (an archive), {git, commit} (a full commit), or {path} (this repository)';
  }
  return 'does not match any of the allowed forms';
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

// Typos are the commonest unknown field: name the field that was probably meant.
const KNOWN_FIELDS = [
  ...Object.keys(extensionEntry.shape),
  ...Object.keys(platformsFile.shape),
  'url', 'sha256', 'git', 'commit', 'path', 'debian', 'package', 'orig', 'note', 'upstream',
  'extensions', 'modules', 'preload', 'postgres', 'pipeline', 'packages', 'build', 'run',
  'configure', 'make', 'env', 'script', 'exclude', 'pg', 'arch', 'libc', 'reason', 'sql', 'installcheck',
  'settings', 'patches', 'file',
  'license_files', 'runner', 'distro', 'images', 'local', 'builder', 'base', 'alpine',
];

const KNOWN = new Set(KNOWN_FIELDS);

/** The known field `key` is probably a typo of; never `key` itself (a known field in the wrong
 * mapping is reported as such, not as a typo of itself). */
function suggest(key: string): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const known of KNOWN) {
    if (known === key) continue;
    const d = editDistance(key.toLowerCase(), known);
    if (d < bestDistance) [best, bestDistance] = [known, d];
  }
  return best ? ` (did you mean "${best}"?)` : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The platform cells of the matrix, in a stable order (major, libc, arch). */
export function expandPlatforms(file: PlatformsFile): Platform[] {
  const out: Platform[] = [];
  for (const pg of [...file.postgres].sort((a, b) => a - b)) {
    for (const [libc, def] of Object.entries(file.libcs)) {
      const images = def?.images[String(pg)];
      if (!def || !images) continue;
      for (const [arch, archDef] of Object.entries(file.arches)) {
        if (!archDef) continue;
        const name = `pg${pg}-${TRUNK_OS[libc as Platform['libc']]}-${arch}`;
        const local = (template: string | undefined) => template?.replaceAll('{platform}', name);
        out.push({
          name,
          pg,
          arch: arch as Platform['arch'],
          libc: libc as Platform['libc'],
          os: TRUNK_OS[libc as Platform['libc']],
          distro: def.distro,
          runner: archDef.runner,
          isa: archDef.isa,
          builder: { ref: images.builder, ...(def.local ? { local: local(def.local.builder) } : {}) },
          base: { ref: images.base, ...(def.local ? { local: local(def.local.base) } : {}) },
        });
      }
    }
  }
  return out;
}

/** How diagnostics and jobs name a matrix file: relative to the working directory, which inside
 * GitHub Actions is the repository root, as annotations want. */
export function displayPath(dir: string, file: string): string {
  return path.relative(process.cwd(), path.resolve(dir, file)) || file;
}

/** Reads and validates the whole matrix directory. Never throws for bad content: every problem
 * is a diagnostic. Throws UserError only when the directory or a file cannot be read. */
export async function loadMatrix(dir: string): Promise<LoadResult> {
  const display = (f: string) => displayPath(dir, f);
  const diagnostics: Diagnostic[] = [];

  let platformsBytes: Buffer;
  try {
    platformsBytes = await readFile(path.join(dir, PLATFORMS_FILE));
  } catch (err) {
    throw new UserError(`cannot read ${path.join(dir, PLATFORMS_FILE)}: ${(err as NodeJS.ErrnoException).code ?? err}. Is --matrix pointing at a matrix directory?`);
  }
  const platformsText = matrixText(display(PLATFORMS_FILE), platformsBytes);
  const pf = 'text' in platformsText ? parseYaml(display(PLATFORMS_FILE), platformsText.text, platformsFile) : { diagnostics: [platformsText.diagnostic], value: undefined, locator: undefined };
  diagnostics.push(...pf.diagnostics);
  if (pf.value && pf.locator) diagnostics.push(...checkPlatforms(pf.value, pf.locator));

  let names: string[] = [];
  try {
    names = (await readdir(path.join(dir, EXTENSIONS_DIR))).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new UserError(`cannot read ${path.join(dir, EXTENSIONS_DIR)}: ${err}`);
  }
  // Read synchronously: for thousands of small files, one system call each from this thread is
  // several times faster than a round trip per file through libuv's thread pool.
  const entries: LoadedEntry[] = [];
  for (const n of names) {
    const file = display(path.join(EXTENSIONS_DIR, n));
    let bytes: { data: Buffer; size: number };
    try {
      bytes = readBounded(path.join(dir, EXTENSIONS_DIR, n));
    } catch (err) {
      throw new UserError(`cannot read ${path.join(dir, EXTENSIONS_DIR, n)}: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
    const text = matrixText(file, bytes.data, bytes.size);
    if ('diagnostic' in text) {
      diagnostics.push(text.diagnostic);
      continue;
    }
    const parsed = parseYaml(file, text.text, extensionEntry);
    diagnostics.push(...parsed.diagnostics);
    if (!parsed.value) continue;
    const { patches, diagnostics: patchProblems } = readPatches(dir, parsed.value, parsed.locator);
    diagnostics.push(...patchProblems);
    entries.push({ entry: parsed.value, file, locator: parsed.locator, ...(patches.length > 0 ? { patches } : {}) });
  }

  if (!pf.value) return { diagnostics };
  const platforms = expandPlatforms(pf.value);
  diagnostics.push(...checkEntries(entries, platforms));
  diagnostics.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
  return { matrix: { dir, platformsFile: pf.value, platforms, entries }, diagnostics };
}

/** A file's bytes, or its first limit+1 bytes when it is larger (enough to refuse it). */
function readBounded(file: string): { data: Buffer; size: number } {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(Math.min(size, limit('matrix-file-bytes') + 1));
    let n = 0;
    while (n < buf.length) {
      const got = readSync(fd, buf, n, buf.length - n, n);
      if (got === 0) break;
      n += got;
    }
    return { data: buf.subarray(0, n), size };
  } finally {
    closeSync(fd);
  }
}

/** Loads the matrix and fails with every diagnostic when it is not valid, after `onInvalid` (a
 * command's own report of them, such as annotations inside GitHub Actions). */
export async function loadValidMatrix(dir: string, options: { onInvalid?: (diagnostics: Diagnostic[]) => Promise<void> } = {}): Promise<Matrix> {
  const { matrix, diagnostics } = await loadMatrix(dir);
  if (diagnostics.length > 0 || !matrix) {
    await options.onInvalid?.(diagnostics);
    throw new UserError(`the matrix has ${diagnostics.length} problem(s):\n${diagnostics.map(formatDiagnostic).join('\n')}`);
  }
  return matrix;
}
