// What a person sees of a build's steps. Two reporters:
// - streamReporter: everything as it comes, a line as each step starts and every line its commands
//   print (inside GitHub Actions in a log group per command, see engine.ts): `--verbose`, and CI.
// - terminalReporter: one line per step with its time, a "still compiling (N lines, last: ...)"
//   indicator while a long step runs (rewritten in place on a terminal, a plain line now and then
//   otherwise), where the logs are, and the last lines of a failed step's log. Every line of
//   output is in the logs either way.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { untrustedFrame } from '../github/index.ts';
import type { StepRecord } from '../job-result/index.ts';
import type { StepReporter } from './step-runner.ts';

export function streamReporter(job: string, out: Writable = process.stderr): StepReporter {
  return {
    line: (text) => void out.write(`${job}: ${text}\n`),
    started: (step) => void out.write(`${job}: ${step}\n`),
    output: () => out,
    finished: () => {},
    failed: (message) => void out.write(`${job}: ${message}\n`),
    // A step that ran beside others logged quietly: its output is shown once they are done, so
    // that logs do not interleave.
    replay(step, logFile) {
      const text = readLog(logFile);
      const grouped = process.env.GITHUB_ACTIONS === 'true';
      // The log is the extension's output: the runner must not obey workflow commands in it.
      const frame = untrustedFrame();
      out.write(`${grouped ? `::group::${job}: ${step}\n` : ''}${frame.begin}${text}${frame.end(text)}${grouped ? '::endgroup::\n' : ''}`);
    },
  };
}

/** Lines of a failed step's log shown under it. */
export const FAILED_TAIL_LINES = 40;

interface TerminalOptions {
  /** Where the lines go; default stderr (stdout keeps the summary table). */
  out?: Writable & { isTTY?: boolean; columns?: number };
  /** Rewrite the indicator in place: default whether `out` is a terminal. */
  tty?: boolean;
  /** How often the indicator is redrawn (TTY) or printed (otherwise). Default 1 s / 30 s. */
  intervalMs?: number;
  /** A step shows the indicator once it has run this long. Default 3 s / 30 s. */
  afterMs?: number;
  /** The folder the job's folder is moved to when done (its logs are named from there). */
  jobDir: string;
}

/** What the indicator says a running step is doing. */
const DOING: Record<string, string> = {
  source: 'fetching the source',
  images: 'pulling images',
  dependencies: 'installing build dependencies',
  compile: 'compiling',
  installcheck: 'running installcheck',
  closure: 'checking the closure',
  package: 'packaging',
  smoke: 'running the smoke test',
};

interface Running {
  step: string;
  startedAt: number;
  /** Whether its commands' output comes here (else it runs quietly, into its log only). */
  shown: boolean;
  lines: number;
  last: string;
  partial: string;
}

/** A reporter for a person at a terminal (or reading a plain log of one): see the top of file. */
export function terminalReporter(job: string, options: TerminalOptions): StepReporter {
  const out = options.out ?? process.stderr;
  const tty = options.tty ?? out.isTTY === true;
  const interval = options.intervalMs ?? (tty ? 1000 : 30_000);
  const after = options.afterMs ?? (tty ? 3000 : 30_000);
  const logs = path.join(options.jobDir, 'logs');
  // Named from here when it is below here, else in full.
  const relative = path.relative(process.cwd(), logs);
  const logsDir = relative.startsWith('..') || path.isAbsolute(relative) ? logs : relative;
  const running = new Map<string, Running>();
  let shownTail = false;
  let drawn = false;
  let timer: NodeJS.Timeout | undefined;

  // Everything printed goes through here, so the indicator line is cleared first.
  const print = (text: string) => {
    if (drawn) out.write('\r\x1b[K');
    drawn = false;
    out.write(text);
  };
  const indicator = (now: number, width: number): string | undefined => {
    // The step that has run longest, those whose output is shown first: installcheck runs
    // quietly beside the others, into its log alone.
    const r = [...running.values()].sort((a, b) => Number(b.shown) - Number(a.shown) || a.startedAt - b.startedAt)[0];
    if (!r || now - r.startedAt < after) return undefined;
    const doing = DOING[r.step] ?? `running ${r.step}`;
    const seconds = Math.round((now - r.startedAt) / 1000);
    const head = `still ${doing} (${seconds} s${r.shown ? `, ${r.lines} line${r.lines === 1 ? '' : 's'}` : ''}`;
    return r.last ? `${head}, last: ${shorten(r.last, width - head.length - 9)})` : `${head})`;
  };
  const tick = () => {
    if (tty) {
      // One screen line, or rewriting it in place would scroll.
      // (A terminal of unknown size, as under script(1), says 0 columns.)
      const width = Math.max(40, (out.columns || 100) - 1);
      const text = indicator(Date.now(), width - 2);
      if (!text) return;
      out.write(`\r\x1b[K  ${text.slice(0, width - 2)}`);
      drawn = true;
    } else {
      const text = indicator(Date.now(), 120);
      if (text) print(`${job}: ${text}\n`);
    }
  };
  const stopWhenIdle = () => {
    if (running.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  // An up-to-date job says so in one line; one that builds says first where its logs are.
  let announced = false;
  return {
    line: (text) => print(`  ${text}\n`),
    started(step) {
      if (!announced) print(`${job}: building (logs in ${logsDir}/)\n`);
      announced = true;
      running.set(step, { step, startedAt: Date.now(), shown: false, lines: 0, last: '', partial: '' });
      // The timer is what keeps a long step on screen; it must not keep the process alive.
      timer ??= setInterval(tick, interval).unref();
    },
    output(step) {
      const r = running.get(step);
      if (r) r.shown = true;
      return new Writable({
        write(chunk: Buffer, _encoding, done) {
          const r = running.get(step);
          if (r) countLines(r, chunk.toString());
          done();
        },
      });
    },
    finished(record: StepRecord, logFile: string) {
      running.delete(record.name);
      stopWhenIdle();
      const mark = record.status === 'ok' ? 'ok  ' : 'FAIL';
      print(`  ${mark} ${record.name.padEnd(12)} ${record.seconds.toFixed(1).padStart(6)} s\n`);
      if (record.status !== 'failed') return;
      const tail = lastLines(readLog(logFile), FAILED_TAIL_LINES);
      if (tail) {
        shownTail = true;
        print(`${tail.replace(/^/gm, '  | ')}\n`);
      }
      print(`  log: ${path.join(logsDir, path.basename(logFile))}\n`);
    },
    failed(message, summary) {
      // The log's tail is on screen already: the message's own copy of it would repeat it.
      print(`${job}: ${shownTail && summary ? summary : message}\n`);
    },
    replay: () => {},
  };
}

/** A reporter that hands the job's lines (up to date, fetches, the failure) to `onLine` and shows
 * nothing of the steps: for callers that read result.json and the logs afterwards. */
export function lineReporter(onLine: (text: string) => void): StepReporter {
  return { line: onLine, started: () => {}, output: () => null, finished: () => {}, failed: (message) => onLine(message), replay: () => {} };
}

function countLines(r: Running, text: string): void {
  const parts = (r.partial + text).split('\n');
  r.partial = parts.pop() ?? '';
  for (const part of parts) {
    r.lines++;
    // Colours and carriage returns are for terminals that show the whole output.
    const line = part.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/[\x00-\x1f\x7f]/g, '').trim();
    if (line) r.last = line;
  }
}

/** A long line's start and end (a compiler line's end names its file): `gcc -Wall … -c x.c`. */
function shorten(line: string, max: number): string {
  if (line.length <= max) return line;
  const keep = Math.max(10, max - 3);
  const start = Math.floor(keep / 3);
  return `${line.slice(0, start)} … ${line.slice(line.length - (keep - start))}`;
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function lastLines(text: string, n: number): string {
  return text.replace(/\n+$/, '').split('\n').slice(-n).join('\n');
}
