// Postgres version ranges as PGXN META v2 writes them: comma-separated comparators that must all
// hold (">= 14, < 19"), a bare version ("17": that major), or "*". Only majors matter to the
// matrix, so "15.4" compares as 15.4 against a major's 15.0 .. 15.999.

const COMPARATOR = /^(<=|>=|==|!=|<|>|=)?\s*(\d+)(?:\.(\d+))?$/;

export function parseRange(range: string): ((major: number) => boolean) | string {
  const text = range.trim();
  if (text === '*' || text === '') return () => true;
  const tests: ((major: number) => boolean)[] = [];
  for (const part of text.split(',')) {
    const m = COMPARATOR.exec(part.trim());
    if (!m) return `cannot read "${part.trim()}" as a version comparator`;
    const op = m[1] ?? '==';
    const v = Number(m[2]) + Number(m[3] ?? 0) / 1000;
    const major = Number(m[2]);
    // A major stands for all its minors: it satisfies a comparator when any of them does.
    switch (op) {
      case '>=':
        tests.push((x) => x + 0.999 >= v);
        break;
      case '>':
        tests.push((x) => x + 0.999 > v);
        break;
      case '<=':
        tests.push((x) => x <= v);
        break;
      case '<':
        tests.push((x) => x < v);
        break;
      case '!=':
        tests.push((x) => x !== major);
        break;
      default:
        tests.push((x) => x === major);
    }
  }
  return (major) => tests.every((t) => t(major));
}
