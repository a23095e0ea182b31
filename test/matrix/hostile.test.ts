// Matrix files written to hurt: each ends in one diagnostic at its line and column, never a stack
// trace, a stack overflow or unbounded work.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { raiseLimits, resetLimits } from '../../src/limits.ts';
import { formatDiagnostic, loadMatrix } from '../../src/matrix/index.ts';
import { runCli } from '../support/cli.ts';
import { entryYaml, scratchMatrix } from '../support/matrix.ts';

async function problems(text: string | Buffer): Promise<string[]> {
  const dir = await scratchMatrix({});
  await writeFile(path.join(dir, 'extensions', 'foo.yaml'), text);
  const { diagnostics } = await loadMatrix(dir);
  return diagnostics.map((d) => formatDiagnostic({ ...d, file: path.basename(d.file) }));
}

const base = entryYaml('foo');
const baseLines = base.split('\n').length; // the line after the entry

afterEach(() => resetLimits());

describe('matrix limits and locations', () => {
  it('an alias bomb stops at the alias limit, located at the first alias', async () => {
    const bomb = ['x0: &a0 [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 9 }, (_, i) => `x${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(', ')}]`)];
    expect(await problems(`${base}${bomb.join('\n')}\n`)).toEqual([
      `foo.yaml:${baseLines + 1}:10: aliases expand too far; the limit is 100 alias uses in one YAML document (raise it with --limit yaml-aliases=N)`,
    ]);
  });

  it('nesting thousands of levels deep is refused at the level past the limit, for either parser', async () => {
    expect(await problems(`${base}deep: ${'['.repeat(5000)}${']'.repeat(5000)}\n`)).toEqual([
      `foo.yaml:${baseLines}:70: nested too deep; the limit is 64 nesting levels in one YAML document (raise it with --limit yaml-depth=N)`,
    ]);
    let block = `${base}deep:\n`;
    for (let i = 1; i < 100; i++) block += `${' '.repeat(i)}k${i}:\n`;
    const [p, ...rest] = await problems(block);
    expect(rest).toEqual([]);
    expect(p).toBe(`foo.yaml:${baseLines + 64}:65: nested too deep; the limit is 64 nesting levels in one YAML document (raise it with --limit yaml-depth=N)`);
  });

  it('too many fields: refused at the first field past the limit; --limit raises it', async () => {
    let text = base;
    for (let i = 0; i < 10_001; i++) text += `unknown_${i}: ${i}\n`;
    const [p, ...rest] = await problems(text);
    expect(rest).toEqual([]);
    // Eight fields of the entry, then unknown_0 ... unknown_9991 make 10,000.
    expect(p).toBe(`foo.yaml:${baseLines + 9992}:1: unknown_9992: too many fields; the limit is 10000 mapping keys and list items in one YAML document (raise it with --limit yaml-fields=N)`);
    raiseLimits(['yaml-fields=20000']);
    expect(await problems(text)).toHaveLength(10_001);
  });

  it('a file over the size limit is refused before parsing', async () => {
    expect(await problems(`${base}# ${'x'.repeat(1 << 20)}\n`)).toEqual([
      `foo.yaml:1:1: ${(1 << 20) + base.length + 3} bytes; the limit is 1048576 bytes in one matrix file (raise it with --limit matrix-file-bytes=N)`,
    ]);
  });

  it('YAML syntax errors carry their real line and column', async () => {
    expect(await problems(`${base}bad: "unclosed\n`)).toEqual([`foo.yaml:${baseLines + 1}:1: YAML: Missing closing "quote`]);
    expect(await problems(`${base}bad: [a, b\nnext: 1\n`)).toEqual([`foo.yaml:${baseLines + 1}:1: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`]);
    expect(await problems(`${base}name: twice\n`)).toEqual([`foo.yaml:${baseLines}:1: YAML: Map keys must be unique`]);
  });

  it('invalid UTF-8 and control characters are refused where they are', async () => {
    const bytes = Buffer.concat([Buffer.from(`${base}x: "ab`), Buffer.from([0xff]), Buffer.from('"\n')]);
    expect(await problems(bytes)).toEqual([`foo.yaml:${baseLines}:7: not valid UTF-8 (byte 0xff at offset ${base.length + 6}); save the file as UTF-8`]);
    expect(await problems(`${base}x: "ab\u0000"\n`)).toEqual([`foo.yaml:${baseLines}:7: control character U+0000 in the file`]);
  });

  it('the CLI prints these as located errors (exit 1), and --limit raises a limit', async () => {
    const dir = await scratchMatrix({ 'foo.yaml': `${base}deep: ${'['.repeat(100)}${']'.repeat(100)}\n` });
    const r = await runCli(['validate', '--matrix', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/foo\.yaml:\d+:\d+: nested too deep/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const raised = await runCli(['--limit', 'yaml-depth=200', 'validate', '--matrix', dir]);
    expect(raised.stderr).not.toMatch(/nested too deep/);
    const bad = await runCli(['--limit', 'yaml-depth=3', 'validate', '--matrix', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--limit yaml-depth=3: limits can only be raised (default 64)');
  });

  it('only https:// URLs, and no NUL or lone surrogate through an escape', async () => {
    expect(await problems(base.replace('homepage: https://', 'homepage: http://'))).toEqual(['foo.yaml:5:11: homepage: must be an https:// URL (plain http can be altered on the way)']);
    expect(await problems(`${base}  build:\n    env: { X: "a\\0b" }\n`)).toEqual([`foo.yaml:${baseLines + 1}:15: dependencies.build.env.X: contains a NUL or a lone UTF-16 surrogate (written as an escape): not valid text`]);
    expect(await problems(base.replace('abstract: The foo extension', 'abstract: "The \\ud800 extension"'))).toEqual(['foo.yaml:3:11: abstract: contains a NUL or a lone UTF-16 surrogate (written as an escape): not valid text']);
  });
});
