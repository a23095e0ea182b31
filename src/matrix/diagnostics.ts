// Problems found in matrix files, each pinned to a file, line and column, so that a person (or a
// GitHub annotation) lands on the exact spot.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, YAMLParseError, type Document, type Node } from 'yaml';

export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  /** Dotted path of the field, e.g. `source.sha256`; empty for the whole file. */
  field: string;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.field ? `${d.field}: ` : ''}${d.message}`;
}

export type Path = readonly PropertyKey[];

function fieldName(path: Path): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
}

/** A YAML document parsed with source positions, as diagnostics need it. */
interface PositionedDocument {
  doc: Document;
  lines: LineCounter;
}

export function parseWithPositions(text: string): PositionedDocument {
  const lines = new LineCounter();
  // The yaml package's own uniqueKeys check compares each key with every earlier one (20,000
  // keys took 12 s); duplicates are found here with one set per mapping instead.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : pair.key;
        if (typeof k !== 'string') continue;
        if (seen.has(k)) {
          const at = (pair.key as Node).range?.[0] ?? 0;
          doc.errors.push(new YAMLParseError([at, at + 1], 'DUPLICATE_KEY', 'Map keys must be unique'));
        }
        seen.add(k);
      }
    },
  });
  return { doc, lines };
}

/** Locates paths of a YAML document in its source text. A valid file never needs a position, so
 * a text read without them is parsed again, with them, only when a diagnostic asks. */
export class Locator {
  private parsed: PositionedDocument | undefined;

  constructor(
    readonly file: string,
    private readonly text: string,
    parsed?: PositionedDocument,
  ) {
    this.parsed = parsed;
  }

  /** Position of the value at `path`, or of its nearest existing ancestor. With `key`, the
   * position of that key inside the mapping at `path` (used for unknown fields). */
  at(path: Path, key?: string): { line: number; col: number } {
    this.parsed ??= parseWithPositions(this.text);
    let node: Node | null = this.parsed.doc.contents;
    let offset = node?.range?.[0] ?? 0;
    for (const step of path) {
      const next = childOf(node, step);
      if (!next) break;
      node = next.value;
      offset = next.keyOffset ?? node?.range?.[0] ?? offset;
      if (node?.range) offset = node.range[0];
    }
    if (key !== undefined) {
      const pair = childOf(node, key);
      if (pair?.keyOffset !== undefined) offset = pair.keyOffset;
    }
    const { line, col } = this.parsed.lines.linePos(offset);
    return { line, col };
  }

  diagnostic(path: Path, message: string, key?: string): Diagnostic {
    const field = fieldName(key === undefined ? path : [...path, key]);
    return { file: this.file, ...this.at(path, key), field, message };
  }
}

// Each mapping's keys, indexed once: locating every unknown field of a mapping must not scan it
// once per field.
const pairsByKey = new WeakMap<Node, Map<string, { value: Node | null; keyOffset?: number }>>();

function childOf(node: Node | null, step: PropertyKey): { value: Node | null; keyOffset?: number } | undefined {
  if (isMap(node)) {
    let index = pairsByKey.get(node);
    if (!index) {
      index = new Map();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const k = String(isScalar(pair.key) ? pair.key.value : pair.key);
        const keyNode = pair.key as Node | null;
        if (!index.has(k)) index.set(k, { value: (pair.value as Node | null) ?? keyNode, keyOffset: keyNode?.range?.[0] });
      }
      pairsByKey.set(node, index);
    }
    return index.get(String(step));
  }
  if (isSeq(node) && typeof step === 'number') {
    const item = node.items[step] as Node | undefined;
    return item ? { value: item } : undefined;
  }
  return undefined;
}
