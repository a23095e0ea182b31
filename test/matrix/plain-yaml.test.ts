import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { formatDiagnostic, loadMatrix } from '../../src/matrix/index.ts';
import { parsePlainYaml } from '../../src/matrix/plain-yaml.ts';
import { entryYaml, scratchMatrix } from '../support/matrix.ts';
import { seeded } from '../support/random.ts';

/** What the `yaml` package reads, or undefined when it reports an error. */
function reference(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  return doc.errors.length > 0 ? undefined : doc.toJS();
}

/** The fast reader either declines or agrees with the `yaml` package exactly. */
function agreement(text: string): 'declined' | 'agreed' | 'DISAGREED' {
  const fast = parsePlainYaml(text);
  if (fast === undefined) return 'declined';
  const ref = reference(text);
  return ref !== undefined && isDeepStrictEqual(fast, ref) && protoOk(fast) ? 'agreed' : 'DISAGREED';
}

function protoOk(v: unknown): boolean {
  if (Array.isArray(v)) return v.every(protoOk);
  if (v && typeof v === 'object') return Object.getPrototypeOf(v) === Object.prototype && Object.values(v).every(protoOk);
  return true;
}

const SCALARS = [
  'x', 'pgxs', 'Synthetic extension 1', '1', '-1', '+1', '007', '0o17', '0o8', '0x1F', '0xG', '1.0', '1.0.0', '.5', '5.', '1e3', '-1.5E-3', '1e',
  '.inf', '-.Inf', '+.INF', '.nan', '.NaN', 'nan', '~', 'null', 'Null', 'NULL', 'nULL', 'true', 'True', 'TRUE', 'tRUE', 'false', 'FALSE', 'yes', 'no', 'on',
  'https://example.org/a-1.0.tar.gz', 'https://x/#frag', 'a #c', 'a#b', 'a: b', 'a:b', 'a:', '-x', '--without-raster', '- x', '-', '?x', '? x', ':x', ': x',
  '"d q"', '"a\\nb"', '"a # b"', '"a: b"', "'s''q'", "'it''s'", "'", '"', "''", '""', '"x" y', "'x' # c", 'x y z', 'x   ', 'a,b', 'a]b', 'a}', '[',
  '[a, b]', '[]', '{}', '[ ]', '{ }', '{ a: 1, b: [x, y] }', '{a: 1}', '{a:1}', '{"a":1}', '{ "a": 1 }', "{ 'a': b }", '[a: 1]', '[a, b,]', '{ a: 1,}',
  '[--x, -y]', '[-, x]', '[a, [b, {c: d}]]', '[ "a" , b ]', '[a #c]', '[a] #c', '[a]#c', '[a] x', '{ a: b: c }', '[a:b]', '[http://x:1/y]', '[a:]',
  '{ builder: docker.io/library/postgres:14-trixie, base: x }', '{ a: }', '{ a }', '{ a: 1, a: 2 }', '{ __proto__: 1 }', '{ null: 1 }', '[1, 0x1F, .inf, ~]',
  '|', '|-', '|+', '|2', '| # c', '|#c', '>', '>-', '&a x', '*a', '!!str x', '!x y', '@x', '`x', '%x', '12:30', '2001-01-01', '1_000', '0b1', '', ' # c',
  '#c', 'é', 'a\tb', '>= 14', '">= 14, < 19"', 'SELECT 1;', "SELECT '[1,2]'::vector;", 'a  b',
];
const KEYS = [
  'a', 'b', 'c', 'name', 'x_y', 'k-1', '"q"', "'s'", '"a b"', '""', '"a"', 'null', 'True', 'false', '1', '__proto__', '"__proto__"', 'a b', '? a',
  '-a', '_', 'A1', '"x\\y"', "'it''s'", 'k',
];
const SEPARATORS = [': ', ':', ' : ', ':  ', ': ', ': '];
const INDENTS = ['', '', '', ' ', '  ', '  ', '   ', '    ', '    ', '      '];

/** A random document of block mappings, sequences, comments, literal blocks and blank lines:
 * mostly broken in some way, which is the point. */
function roughDocument(rand: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const lines: string[] = [];
  const n = 1 + Math.floor(rand() * 10);
  for (let i = 0; i < n; i++) {
    const indent = i === 0 && rand() < 0.8 ? '' : pick(INDENTS);
    const r = rand();
    if (r < 0.45) lines.push(`${indent}${pick(KEYS)}${pick(SEPARATORS)}${pick(SCALARS)}`);
    else if (r < 0.6) lines.push(`${indent}${pick(KEYS)}:`);
    else if (r < 0.72) lines.push(`${indent}- ${pick(SCALARS)}`);
    else if (r < 0.8) lines.push(`${indent}- ${pick(KEYS)}: ${pick(SCALARS)}`);
    else if (r < 0.85) lines.push(`${indent}# ${pick(SCALARS)}`);
    else if (r < 0.9) lines.push(pick(['', ' ', '    ', '      ']));
    else lines.push(`${indent}${pick(SCALARS)}`);
  }
  const text = lines.join('\n');
  return rand() < 0.9 ? `${text}\n` : text;
}

const PLAIN_SAFE = ['x', 'pgxs', 'Synthetic extension 7', '1', '-1', '1.0', '1.0.0', '0x1F', '.inf', '~', 'null', 'true', 'False', 'https://example.org/a.tar.gz', 'a#b', 'a:b', '--x', 'é ü'];
const FLOW_SAFE = ['x', '1', '1.5', 'true', 'null', '--without-raster', 'docker.io/library/postgres:14-trixie', 'a b', '"q, [x]"', "'it''s'", '"1"'];
const LITERALS = [['SELECT 1;'], ['SELECT 1;', '  indented', '', 'SELECT 2;'], ['a: b', '# not a comment', '- not an item'], ['x', '', '']];

/** A random valid document inside the subset, written in varied styles. */
function subsetDocument(rand: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const out: string[] = [];
  const flow = (depth: number): string => {
    const r = rand();
    if (depth > 1 || r < 0.5) return pick(FLOW_SAFE);
    if (r < 0.75) return `[${Array.from({ length: Math.floor(rand() * 3) }, () => flow(depth + 1)).join(', ')}]`;
    const keys = [...new Set(Array.from({ length: Math.floor(rand() * 3) }, () => pick(['a', 'b', 'c', '"d"'])))];
    return `{ ${keys.map((k) => `${k}: ${flow(depth + 1)}`).join(', ')} }`;
  };
  const mapping = (indent: number, depth: number, firstPrefix?: string) => {
    const keys = [...new Set(Array.from({ length: 1 + Math.floor(rand() * 4) }, () => pick(['name', 'version', 'a', 'b_c', 'd-e', '"15"', "'q'"])))];
    keys.forEach((key, i) => {
      const lead = i === 0 && firstPrefix !== undefined ? firstPrefix : ' '.repeat(indent);
      if (rand() < 0.15) out.push(`${' '.repeat(indent)}# comment ${i}`);
      const r = rand();
      if (depth < 3 && r < 0.25) {
        out.push(`${lead}${key}:${rand() < 0.3 ? ' # why' : ''}`);
        mapping(indent + pick([1, 2, 4]), depth + 1);
      } else if (depth < 3 && r < 0.45) {
        out.push(`${lead}${key}:`);
        sequence(indent + pick([0, 2]), depth + 1);
      } else if (r < 0.6) {
        out.push(`${lead}${key}: ${flow(0)}${rand() < 0.2 ? ' # c' : ''}`);
      } else if (r < 0.7) {
        const body = pick(LITERALS);
        const n = indent + pick([1, 2, 4]);
        out.push(`${lead}${key}: ${pick(['|', '|-', '| # c'])}`);
        for (const l of body) out.push(l === '' ? pick(['', ' '.repeat(n)]) : `${' '.repeat(n)}${l}`);
      } else {
        out.push(`${lead}${key}: ${pick(PLAIN_SAFE)}${rand() < 0.2 ? '   # c' : ''}`);
      }
    });
  };
  const sequence = (indent: number, depth: number) => {
    const n = 1 + Math.floor(rand() * 3);
    for (let i = 0; i < n; i++) {
      const r = rand();
      if (depth < 3 && r < 0.3) mapping(indent + 2, depth + 1, `${' '.repeat(indent)}- `);
      else if (r < 0.6) out.push(`${' '.repeat(indent)}- ${flow(0)}`);
      else out.push(`${' '.repeat(indent)}- ${pick(PLAIN_SAFE)}`);
    }
  };
  if (rand() < 0.3) out.push('# yaml-language-server: $schema=../../schema/extension.schema.json');
  mapping(0, 0);
  return `${out.join('\n')}\n`;
}

/** Small edits that break a valid document in typical ways. */
function mutate(text: string, rand: () => number): string {
  const pos = Math.floor(rand() * (text.length + 1));
  const r = rand();
  if (r < 0.3) return text.slice(0, pos) + text.slice(pos + 1);
  if (r < 0.6) return text.slice(0, pos) + ' ' + text.slice(pos);
  if (r < 0.8) return text.slice(0, pos) + '\n' + text.slice(pos);
  return text.slice(0, pos) + ':-[]{}#,"\'|&*'[Math.floor(rand() * 13)] + text.slice(pos);
}

describe('the plain YAML reader', () => {
  it('reads every file of the project matrix as the yaml package does', () => {
    const files = ['matrix/platforms.yaml', ...readdirSync('matrix/extensions').map((f) => path.join('matrix/extensions', f))];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect(parsePlainYaml(text), file).toEqual(reference(text));
      expect(parsePlainYaml(text), file).not.toBeUndefined();
    }
  });

  it('reads the core schema scalars as the yaml package does', () => {
    for (const s of SCALARS) {
      for (const text of [`k: ${s}\n`, `k: [${s}]\n`, `k: { v: ${s} }\n`, `- ${s}\n`, `k:\n  - ${s}\n`]) {
        expect([text, agreement(text)]).not.toEqual([text, 'DISAGREED']);
      }
    }
    expect(parsePlainYaml('a: 0o17\nb: 0x1F\nc: -.Inf\nd: 1e3\ne: ~\nf: True\ng: 1.0.0\nh: "1"\ni: .nan\n')).toEqual({
      a: 15, b: 31, c: -Infinity, d: 1000, e: null, f: true, g: '1.0.0', h: '1', i: NaN,
    });
  });

  it('agrees with the yaml package on valid documents in the subset, and reads them all', () => {
    const rand = seeded(1);
    for (let i = 0; i < 800; i++) {
      const text = subsetDocument(rand);
      expect([text, agreement(text)]).toEqual([text, 'agreed']);
    }
  });

  it('declines or agrees on broken and unusual documents', () => {
    const rand = seeded(2);
    const seen = { declined: 0, agreed: 0 };
    for (let i = 0; i < 2000; i++) {
      const text = i % 2 === 0 ? roughDocument(rand) : mutate(subsetDocument(rand), rand);
      const verdict = agreement(text);
      expect([text, verdict]).not.toEqual([text, 'DISAGREED']);
      seen[verdict as 'declined' | 'agreed']++;
    }
    // Both outcomes occur, so the comparison is exercised.
    expect(seen.agreed).toBeGreaterThan(200);
    expect(seen.declined).toBeGreaterThan(200);
  });

  it('declines what it does not read: errors, anchors, tags, folded blocks, tabs, duplicates', () => {
    for (const text of [
      'a: &x 1\nb: *x\n', 'a: !!str 1\n', 'a: >\n  folded\n', 'a: |+\n  kept\n', 'a:\tb\n', 'a: 1\r\n', 'a: 1\na: 2\n', '---\na: 1\n',
      'a: "esc\\n"\n', 'a: b: c\n', 'a:\n  b\n  c\n', '- a\n', '', '# only a comment\n', '__proto__: {}\n', 'a: [1,\n  2]\n', 'a: |\n  no final newline',
    ]) {
      expect(parsePlainYaml(text), text).toBeUndefined();
    }
  });

  it('leaves entries outside the subset to the yaml package, which loads them the same way', async () => {
    const folded = entryYaml('folded').replace('abstract: The folded extension', 'abstract: >\n  The folded\n  extension');
    const escaped = entryYaml('escaped', 'test:\n  sql: "SELECT \'a\\tb\';"\n');
    expect(parsePlainYaml(folded)).toBeUndefined();
    expect(parsePlainYaml(escaped)).toBeUndefined();
    const { matrix, diagnostics } = await loadMatrix(await scratchMatrix({ 'folded.yaml': folded, 'escaped.yaml': escaped }));
    expect(diagnostics).toEqual([]);
    const byName = new Map(matrix!.entries.map((e) => [e.entry.name, e.entry]));
    expect(byName.get('folded')!.abstract).toBe('The folded extension\n');
    expect(byName.get('escaped')!.test?.sql).toBe("SELECT 'a\tb';");
  });

  it('pins problems of entries it read to their line and column', async () => {
    // The reader keeps no positions: a diagnostic parses the file again, with them.
    const text = entryYaml('foo').replace('pipeline: pgxs', 'pipeline: make');
    expect(parsePlainYaml(text)).not.toBeUndefined();
    const { diagnostics } = await loadMatrix(await scratchMatrix({ 'foo.yaml': text }));
    expect(diagnostics.map((d) => formatDiagnostic({ ...d, file: path.basename(d.file) }))).toEqual([
      'foo.yaml:12:13: dependencies.pipeline: must be one of "pgxs", "cmake", "meson", "autoconf", "pgrx", "script"',
    ]);
  });
});
