// HTML building blocks. Every value that comes from the index or the matrix goes through esc() (text
// and attributes alike), and only http(s) URLs ever become links: an index is data, not markup.

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an HTML text node or a quoted attribute value. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** The URL itself when it is absolute http(s), else undefined: `javascript:` and friends never
 * reach an href. */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** A link when the URL is safe; else the text, and the URL as code (shown, never followed). */
export function externalLink(url: string | undefined, text: string = url ?? ''): string {
  const safe = safeUrl(url);
  if (safe) return `<a href="${esc(safe)}">${esc(text)}</a>`;
  return url && url !== text ? `${esc(text)} <code>${esc(url)}</code>` : esc(text);
}

/** "1.2 MB" in binary-free SI units, as download sizes are usually quoted. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  do {
    v /= 1000;
    u++;
  } while (v >= 1000 && u < units.length - 1);
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** A number with thousands separators, independent of the machine's locale. */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Quotes a word for a POSIX shell when it needs it. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

/** A YAML scalar: plain when unambiguous, else double-quoted (JSON strings are valid YAML). */
export function yamlScalar(s: string): string {
  return /^[A-Za-z0-9_./@-][A-Za-z0-9_./@:+-]*$/.test(s) && !/^(true|false|null|yes|no|on|off|~|[-+]?\d[\d.e+-]*)$/i.test(s)
    ? s
    : JSON.stringify(s);
}
