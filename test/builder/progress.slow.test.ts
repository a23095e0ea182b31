// What a person sees of a build: real steps whose commands run in a container of a local base
// image, reported to a terminal (TTY and not) and in full (--verbose).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Container, detectEngine, removeContainer, startContainer } from '../../src/builder/engine.ts';
import { FAILED_TAIL_LINES, streamReporter, terminalReporter } from '../../src/builder/progress.ts';
import { StepError, type StepReporter, StepRunner } from '../../src/builder/step-runner.ts';
import { requireComponents } from '../support/requirements.ts';

const BASE = 'localhost/trunkfarm/base:pg17-gnulinux-amd64';
const JOB = 'tf_demo-1.0.0+pg17-gnulinux-amd64';

/** Collects what a reporter writes, as a terminal of 80 columns or a file. */
class Screen extends Writable {
  text = '';
  columns = 80;
  constructor(readonly isTTY: boolean) {
    super();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

let container: Container;
let out: string;
beforeAll(async () => {
  requireComponents(['podman'], [BASE]);
  container = await startContainer(await detectEngine(), { image: BASE, network: 'none' });
  out = await mkdtemp(path.join(tmpdir(), 'trunkfarm-progress-'));
});
afterAll(async () => {
  await removeContainer(container);
  await rm(out, { recursive: true, force: true });
});

/** A short build: a quick step, a compile that prints a line every 0.25 s for 2 s, and a smoke
 * test that prints 50 lines and fails. */
async function build(reporter: StepReporter): Promise<{ dir: string; error: unknown }> {
  const dir = path.join(out, `${JOB}-${Math.random().toString(16).slice(2)}.partial`);
  const steps = new StepRunner(JOB, dir, reporter);
  await steps.run('source', async () => {});
  await steps.run('compile', () => steps.script(container, 'compile', 'for i in 1 2 3 4 5 6 7 8; do echo "cc -O2 -c -o src/part$i.o src/part$i.c"; sleep 0.25; done'));
  const error = await steps.run('smoke', () => steps.script(container, 'smoke', 'for i in $(seq 1 50); do echo "smoke line $i"; done; echo "ERROR: extension failed" >&2; exit 3')).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(StepError);
  reporter.failed((error as StepError).message, (error as StepError).summary);
  return { dir, error };
}

describe('the terminal reporter', () => {
  it('on a terminal: a line per step with its time, the indicator rewritten in place, the tail of a failed step and its log', async () => {
    const screen = new Screen(true);
    const { dir } = await build(terminalReporter(JOB, { out: screen, jobDir: dir0(), intervalMs: 100, afterMs: 300 }));
    const text = screen.text;
    expect(text.startsWith(`${JOB}: building (logs in `)).toBe(true);
    // Rewritten in place: carriage return and erase-line, never a line of its own.
    expect(text).toMatch(/\r\x1b\[K {2}still compiling \(\d+ s, [1-8] lines?, last: cc -O2 -c -o src\/part\d\.o src\/part\d\.c\)/);
    expect(text).not.toMatch(/\n {2}still compiling/);
    // One screen line: within the terminal's 80 columns.
    for (const drawn of text.split('\r\x1b[K').slice(1)) expect(drawn.split('\n')[0]!.length).toBeLessThan(80);
    expect(text).toMatch(/\n {2}ok {3}source {7} +0\.\d s\n/);
    expect(text).toMatch(/ {2}ok {3}compile {6} +[2-9]\.\d s\n/);
    expect(text).toMatch(/ {2}FAIL smoke {8} +\d+\.\d s\n/);
    const tail = text.slice(text.indexOf('FAIL smoke'));
    expect(tail).toContain(`  | smoke line ${50 - FAILED_TAIL_LINES + 3}\n`);
    expect(tail).not.toContain('  | smoke line 10\n');
    expect(tail).toContain('  | ERROR: extension failed\n');
    expect(tail).toContain(`  log: ${path.join(dir0(), 'logs', 'smoke.log')}\n`);
    // The failure's own summary, not the tail a second time.
    expect(tail).toMatch(new RegExp(`\\n${esc(JOB)}: step "smoke" failed: exit status 3; last lines of \\S+smoke\\.log\\n$`));
    expect(dir).toMatch(/\.partial$/);
  });

  it('elsewhere: plain lines now and then, no control characters', async () => {
    const screen = new Screen(false);
    await build(terminalReporter(JOB, { out: screen, jobDir: dir0(), intervalMs: 500, afterMs: 300 }));
    const text = screen.text;
    expect(text).not.toMatch(/[\r\x1b]/);
    const still = text.split('\n').filter((l) => l.includes('still compiling'));
    expect(still.length).toBeGreaterThanOrEqual(2);
    for (const l of still) expect(l).toMatch(new RegExp(`^${esc(JOB)}: still compiling \\(\\d+ s, \\d+ lines?(, last: cc -O2 -c -o src/part\\d\\.o src/part\\d\\.c)?\\)$`));
    expect(still.some((l) => l.includes('last: cc -O2'))).toBe(true);
    expect(text).toMatch(/ {2}ok {3}compile/);
    expect(text).toMatch(/ {2}FAIL smoke/);
  });
});

describe('the stream reporter (--verbose, GitHub Actions)', () => {
  it('shows every line of every step as it comes, and the failure with its tail', async () => {
    const screen = new Screen(false);
    await build(streamReporter(JOB, screen));
    const text = screen.text;
    for (let i = 1; i <= 8; i++) expect(text).toContain(`cc -O2 -c -o src/part${i}.o src/part${i}.c\n`);
    for (let i = 1; i <= 50; i++) expect(text).toContain(`smoke line ${i}\n`);
    expect(text).toContain(`${JOB}: compile\n`);
    expect(text).not.toContain('still compiling');
    expect(text).toMatch(new RegExp(`${esc(JOB)}: step "smoke" failed: exit status 3; last lines of \\S+:\\n`));
  });
});

function esc(text: string): string {
  return text.replace(/[.+*?()[\]{}^$|\\]/g, '\\$&');
}

/** The folder the job would be moved to (names the logs). */
function dir0(): string {
  return path.join(out, JOB);
}
