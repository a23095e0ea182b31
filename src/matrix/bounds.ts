// What a matrix file may be before it is parsed at all: its size, valid UTF-8 without control
// characters, and a nesting depth (both YAML parsers recurse, so depth is checked on the text);
// and after parsing, how many fields it has. Each problem is a diagnostic at its line and column.
import { limit, LIMITS, type LimitName } from '../limits.ts';
import type { Diagnostic, Path } from './diagnostics.ts';

const fatal = new TextDecoder('utf-8', { fatal: true });

export function limitMessage(name: LimitName, found: string): string {
  return `${found}; the limit is ${limit(name)} ${LIMITS[name].what} (raise it with --limit ${name}=N)`;
}

/** The file's text, or the diagnostic that refuses it. */
export function matrixText(file: string, bytes: Buffer, size = bytes.length): { text: string } | { diagnostic: Diagnostic } {
  const at = (line: number, col: number, message: string) => ({ diagnostic: { file, line, col, field: '', message } });
  if (size > limit('matrix-file-bytes')) return at(1, 1, limitMessage('matrix-file-bytes', `${size} bytes`));
  let text: string;
  try {
    text = fatal.decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const pos = lineCol(bytes.subarray(0, bad).toString('utf8'), bad);
    return at(pos.line, pos.col, `not valid UTF-8 (byte 0x${bytes[bad]!.toString(16).padStart(2, '0')} at offset ${bad}); save the file as UTF-8`);
  }
  const control = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(text);
  if (control) {
    const pos = lineCol(text, control.index);
    return at(pos.line, pos.col, `control character U+${control[0].charCodeAt(0).toString(16).padStart(4, '0')} in the file`);
  }
  return { text };
}

function firstInvalidUtf8(bytes: Buffer): number {
  // Decoding grows one byte at a time only around the failure: bisect on the prefix that decodes.
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  return Math.min(lo, bytes.length - 1);
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, col: offset - start + 1 };
}

const BLOCK_SCALAR = /(?:^|:|-)\s*[|>][-+0-9]*\s*(?:#.*)?$/;

/** Where the text nests deeper than the limit (block indentation, `- ` items and flow brackets
 * counted together), or undefined. A linear scan, no recursion. */
export function tooDeep(text: string): { line: number; col: number } | undefined {
  const max = limit('yaml-depth');
  const lines = text.split('\n');
  const indents: number[] = [];
  let flow = 0;
  let scalarIndent = -1;
  for (const [n, line] of lines.entries()) {
    const indent = line.length - line.trimStart().length;
    const content = line.trimStart();
    if (scalarIndent >= 0) {
      if (content === '' || indent > scalarIndent) continue;
      scalarIndent = -1;
    }
    if (content === '' || content.startsWith('#')) continue;
    if (flow === 0) {
      while (indents.length > 0 && indents[indents.length - 1]! >= indent) indents.pop();
      indents.push(indent);
    }
    let items = 0; // `- - x`: each leading item indicator nests one more level
    let quote = '';
    for (let i = indent; i < line.length; i++) {
      const c = line[i]!;
      if (quote) {
        if (c === '\\' && quote === '"') i++;
        else if (c === quote) quote = '';
        continue;
      }
      if (c === '"' || c === "'") quote = c;
      else if (c === '#' && (i === 0 || line[i - 1] === ' ')) break;
      else if (c === '[' || c === '{') flow++;
      else if (c === ']' || c === '}') flow = Math.max(0, flow - 1);
      else if (c === '-' && line[i + 1] === ' ' && /^[\s-]*$/.test(line.slice(indent, i))) items++;
      if (indents.length + items + flow > max) return { line: n + 1, col: i + 1 };
    }
    if (flow === 0 && BLOCK_SCALAR.test(line)) scalarIndent = indent;
  }
  return undefined;
}

/** The path of the first field beyond the limit of keys and items, or undefined. */
export function tooManyFields(data: unknown): Path | undefined {
  const max = limit('yaml-fields');
  let count = 0;
  const stack: { value: unknown; path: PropertyKey[] }[] = [{ value: data, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    const children: [PropertyKey, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    for (const [k, v] of children) {
      if (++count > max) return [...path, k];
      stack.push({ value: v, path: [...path, k] });
    }
  }
  return undefined;
}

// NUL and unpaired surrogates can still arrive through escapes ("\0", "\ud800"): no text field
// may hold them (they are not text, and C strings end at a NUL).
const NOT_TEXT = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The path of the first string (value or key) that is not valid text, or undefined. */
export function notText(data: unknown): Path | undefined {
  const stack: { value: unknown; path: PropertyKey[] }[] = [{ value: data, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      if (NOT_TEXT.test(value)) return path;
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    const children: [PropertyKey, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    for (const [k, v] of children) {
      if (typeof k === 'string' && NOT_TEXT.test(k)) return path;
      stack.push({ value: v, path: [...path, k] });
    }
  }
  return undefined;
}
