// A fast reader for the plain subset of YAML that matrix files are written in: block mappings and
// sequences, one-line flow collections, one-line plain and quoted scalars, and literal block
// scalars (`|`, `|-`). For text in that subset it returns exactly what the `yaml` package's
// `parseDocument(text).toJS()` returns (YAML 1.2, core schema); for anything else, including every
// error, it returns undefined and the caller falls back to the `yaml` package, which also pins
// problems to a line and column. Planning reads thousands of entries: building no syntax tree and
// keeping no positions makes reading an entry an order of magnitude cheaper.
//
// Everything it is unsure of is "outside the subset": tabs, CR, anchors, tags, aliases, folded or
// kept block scalars, multi-line plain, quoted or flow scalars, escapes, explicit keys, duplicate
// keys, keys that are not plain identifiers or quoted, document markers and directives.

/** Returned for text outside the subset: parse it with the `yaml` package instead. */
const OUTSIDE_SUBSET = undefined;

// Thrown from deep inside the reader, made once: a stack trace per declined file would cost.
const OUT = new Error('outside the plain YAML subset');

function outside(): never {
  throw OUT;
}

// Characters the subset never contains: tabs, CR and other controls, NEL, BOM, line separators.
const UNSUPPORTED_CHARS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;
// Plain keys: identifiers that the core schema reads as strings (checked in plainKey).
// Dots too: module settings are named prefix.name (test.settings).
const KEY = /[A-Za-z_][A-Za-z0-9_.-]{0,127}/y;
const NON_STRING_KEY = /^(?:[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const LITERAL_HEADER = /^\|(-?)(?: +(?:#.*)?)?$/;
// Characters that cannot start a plain scalar (`-`, `?` and `:` can, when a non-space follows).
const INDICATORS = ',[]{}#&*!|>\'"%@`';
const FLOW_INDICATORS = ',[]{}';

/** The JS value of a YAML document in the plain subset, or undefined when the text is outside it. */
export function parsePlainYaml(text: string): unknown {
  if (UNSUPPORTED_CHARS.test(text)) return OUTSIDE_SUBSET;
  try {
    return new Reader(text).document();
  } catch (err) {
    if (err === OUT) return OUTSIDE_SUBSET;
    throw err;
  }
}

class Reader {
  private readonly lines: string[];
  /** Index of the current line. */
  private i = 0;

  constructor(text: string) {
    this.lines = text.split('\n');
  }

  document(): Record<string, unknown> {
    if (!this.skipToContent()) outside();
    if (indentOf(this.lines[this.i]!) !== 0) outside();
    const value = this.mapping(0);
    if (this.skipToContent()) outside();
    return value;
  }

  /** Moves to the next line that is neither blank nor a comment; false at the end. */
  private skipToContent(): boolean {
    const { lines } = this;
    for (; this.i < lines.length; this.i++) {
      const line = lines[this.i]!;
      const indent = indentOf(line);
      if (indent < line.length && line[indent] !== '#') return true;
    }
    return false;
  }

  /** A block mapping whose keys start at column `indent`; the current line holds its first key
   * (after a `- ` when the mapping is a sequence item). */
  private mapping(indent: number): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    const { lines } = this;
    for (;;) {
      const line = lines[this.i]!;
      const c = line[indent];
      const key = c === '"' || c === "'" ? quoted(line, indent) : plainKey(line, indent);
      let pos = end;
      if (line[pos] !== ':') outside();
      pos++;
      if (pos < line.length && line[pos] !== ' ') outside();
      setKey(map, key, this.mappingValue(line, skipSpaces(line, pos), indent));

      if (!this.skipToContent()) return map;
      const next = indentOf(lines[this.i]!);
      if (next < indent) return map;
      if (next > indent || isSequenceItem(lines[this.i]!, next)) outside();
    }
  }

  /** The value after `key:` at `pos` of `line`; leaves the current line at or before the next
   * line of content. */
  private mappingValue(line: string, pos: number, indent: number): unknown {
    if (pos === line.length || line[pos] === '#') {
      this.i++;
      if (!this.skipToContent()) return null;
      const next = this.lines[this.i]!;
      const nextIndent = indentOf(next);
      if (isSequenceItem(next, nextIndent) && nextIndent >= indent) return this.sequence(nextIndent);
      if (nextIndent > indent) return this.mapping(nextIndent);
      return null;
    }
    if (line[pos] === '|') return this.literal(line.slice(pos), indent);
    const value = this.inlineValue(line, pos);
    this.i++;
    return value;
  }

  /** A block sequence whose `-` indicators are at column `indent`. */
  private sequence(indent: number): unknown[] {
    const items: unknown[] = [];
    const { lines } = this;
    for (;;) {
      const line = lines[this.i]!;
      const pos = skipSpaces(line, indent + 1);
      if (pos === line.length || line[pos] === '#' || isSequenceItem(line, pos)) outside();
      if (startsMappingEntry(line, pos)) {
        items.push(this.mapping(pos));
      } else {
        if (line[pos] === '|') outside();
        items.push(this.inlineValue(line, pos));
        this.i++;
      }
      if (!this.skipToContent()) return items;
      const next = lines[this.i]!;
      const nextIndent = indentOf(next);
      if (nextIndent < indent || (nextIndent === indent && !isSequenceItem(next, nextIndent))) return items;
      if (nextIndent > indent) outside();
    }
  }

  /** A value that ends on its line: a flow collection, a quoted or a plain scalar. */
  private inlineValue(line: string, pos: number): unknown {
    const c = line[pos]!;
    let value: unknown;
    if (c === '[' || c === '{') value = flowCollection(line, pos);
    else if (c === '"' || c === "'") value = quoted(line, pos);
    else return blockPlain(line, pos);
    const rest = skipSpaces(line, end);
    if (rest < line.length && !(line[rest] === '#' && line[rest - 1] === ' ')) outside();
    return value;
  }

  /** A literal block scalar: `header` is `|` or `|-` and an optional comment; its lines are
   * indented more than `parent`. */
  private literal(header: string, parent: number): string {
    const m = LITERAL_HEADER.exec(header);
    if (!m) outside();
    const strip = m[1] === '-';
    const { lines } = this;
    const start = this.i + 1;
    let first = start;
    while (first < lines.length && isBlank(lines[first]!)) first++;
    if (first === lines.length) outside();
    const n = indentOf(lines[first]!);
    if (n <= parent) outside();
    const content: string[] = [];
    let j = start;
    let last = -1;
    for (; j < lines.length; j++) {
      const line = lines[j]!;
      if (isBlank(line)) {
        if (line.length > n) outside();
        content.push('');
        continue;
      }
      if (indentOf(line) < n) break;
      content.push(line.slice(n));
      last = j;
    }
    // The last line of a file without a final newline: leave that corner to the `yaml` package.
    if (last === lines.length - 1) outside();
    this.i = j;
    // Trailing blank lines are chomped; clipping keeps the last line break, stripping drops it.
    const body = content.slice(0, last - start + 1).join('\n');
    return strip ? body : `${body}\n`;
  }
}

function indentOf(line: string): number {
  let n = 0;
  while (line.charCodeAt(n) === 32) n++;
  return n;
}

function isBlank(line: string): boolean {
  return indentOf(line) === line.length;
}

function skipSpaces(line: string, pos: number): number {
  while (line.charCodeAt(pos) === 32) pos++;
  return pos;
}

function isSequenceItem(line: string, pos: number): boolean {
  return line[pos] === '-' && (pos + 1 === line.length || line[pos + 1] === ' ');
}

// Duplicate keys are an error; `__proto__` would set the prototype of a plain object.
function setKey(map: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__' || Object.hasOwn(map, key)) outside();
  map[key] = value;
}

// Scanners return what they read and leave where it ends in `end`: no tuple to allocate and take
// apart, which costs when planning runs once in a fresh process and the code is not yet optimised.
let end = 0;

function plainKey(line: string, pos: number): string {
  KEY.lastIndex = pos;
  const m = KEY.exec(line);
  if (!m || NON_STRING_KEY.test(m[0])) outside();
  end = pos + m[0].length;
  return m[0];
}

/** Whether a sequence item at `pos` is a mapping (`- key: value`) rather than a scalar. */
function startsMappingEntry(line: string, pos: number): boolean {
  let stop: number;
  const c = line[pos];
  if (c === '"' || c === "'") {
    stop = quotedEnd(line, pos);
    if (stop < 0) return false;
  } else {
    KEY.lastIndex = pos;
    const m = KEY.exec(line);
    if (!m) return false;
    stop = pos + m[0].length;
  }
  return line[stop] === ':' && (stop + 1 === line.length || line[stop + 1] === ' ');
}

/** End of a one-line quoted scalar starting at `pos`, or -1. */
function quotedEnd(line: string, pos: number): number {
  const q = line[pos]!;
  for (let j = pos + 1; j < line.length; j++) {
    if (line[j] !== q) continue;
    if (q === "'" && line[j + 1] === "'") {
      j++;
      continue;
    }
    return j + 1;
  }
  return -1;
}

/** A one-line quoted scalar: double-quoted without escapes, or single-quoted. */
function quoted(line: string, pos: number): string {
  const stop = quotedEnd(line, pos);
  if (stop < 0) outside();
  end = stop;
  const raw = line.slice(pos + 1, stop - 1);
  if (line[pos] === '"') {
    if (raw.includes('\\')) outside();
    return raw;
  }
  return raw.includes("''") ? raw.replaceAll("''", "'") : raw;
}

function canStartPlain(line: string, pos: number, inFlow: boolean): boolean {
  const c = line[pos];
  if (c === undefined || INDICATORS.includes(c)) return false;
  if (c === '-' || c === '?' || c === ':') {
    const next = line[pos + 1];
    return next !== undefined && next !== ' ' && !(inFlow && FLOW_INDICATORS.includes(next));
  }
  return true;
}

/** A plain scalar that runs to the end of its line (or to a comment), as a mapping value or a
 * sequence item. */
function blockPlain(line: string, pos: number): unknown {
  if (!canStartPlain(line, pos, false)) outside();
  let stop = line.indexOf(' #', pos);
  if (stop < 0) stop = line.length;
  while (line.charCodeAt(stop - 1) === 32) stop--;
  const text = line.slice(pos, stop);
  // `a: b: c` is an error, and a trailing `:` would make it a key.
  if (text.includes(': ') || text.endsWith(':')) outside();
  return resolvePlain(text);
}

/** A flow collection that closes on its line: `[a, b]`, `{ k: v }`, nested. */
function flowCollection(line: string, pos: number): unknown {
  if (line[pos] === '[') {
    const items: unknown[] = [];
    pos = skipSpaces(line, pos + 1);
    if (line[pos] === ']') {
      end = pos + 1;
      return items;
    }
    for (;;) {
      items.push(flowNode(line, pos));
      pos = skipSpaces(line, end);
      if (line[pos] === ']') {
        end = pos + 1;
        return items;
      }
      if (line[pos] !== ',') outside();
      pos = skipSpaces(line, pos + 1);
      if (line[pos] === ']') outside();
    }
  }
  const map: Record<string, unknown> = {};
  pos = skipSpaces(line, pos + 1);
  if (line[pos] === '}') {
    end = pos + 1;
    return map;
  }
  for (;;) {
    const key = line[pos] === '"' || line[pos] === "'" ? quoted(line, pos) : plainKey(line, pos);
    pos = end;
    if (line[pos] !== ':' || line[pos + 1] !== ' ') outside();
    setKey(map, key, flowNode(line, skipSpaces(line, pos + 1)));
    pos = skipSpaces(line, end);
    if (line[pos] === '}') {
      end = pos + 1;
      return map;
    }
    if (line[pos] !== ',') outside();
    pos = skipSpaces(line, pos + 1);
    if (line[pos] === '}') outside();
  }
}

function flowNode(line: string, pos: number): unknown {
  const c = line[pos];
  if (c === '[' || c === '{') return flowCollection(line, pos);
  if (c === '"' || c === "'") return quoted(line, pos);
  if (!canStartPlain(line, pos, true)) outside();
  let stop = pos;
  for (; stop < line.length; stop++) {
    const ch = line[stop]!;
    if (FLOW_INDICATORS.includes(ch)) break;
    if (ch === ':') {
      const next = line[stop + 1];
      // A `:` that ends a key: `[a: b]` is a mapping inside the list, `{a: b: c}` an error.
      if (next === undefined || next === ' ' || FLOW_INDICATORS.includes(next)) outside();
    }
    if (ch === '#' && line[stop - 1] === ' ') outside();
  }
  if (stop === line.length) outside();
  end = stop;
  while (line.charCodeAt(stop - 1) === 32) stop--;
  return resolvePlain(line.slice(pos, stop));
}

// The YAML 1.2 core schema, tried in the order the `yaml` package tries it (schema/core).
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
// Plain scalars that can only be strings: most of them, so the tests above are mostly skipped.
const SURELY_STRING = /^[A-EG-MO-SU-Za-eg-mo-su-z_/]/;

function resolvePlain(s: string): unknown {
  if (SURELY_STRING.test(s)) return s;
  if (NULL.test(s)) return null;
  if (BOOL.test(s)) return s[0] === 't' || s[0] === 'T';
  if (INT_OCT.test(s)) return parseInt(s.substring(2), 8);
  if (INT.test(s)) return parseInt(s, 10);
  if (INT_HEX.test(s)) return parseInt(s.substring(2), 16);
  if (FLOAT_NAN.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? -Infinity : Infinity;
  if (FLOAT_EXP.test(s) || FLOAT.test(s)) return parseFloat(s);
  return s;
}
