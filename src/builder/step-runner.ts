// Runs a job's named steps: each is timed, recorded in the order it starts (some run side by
// side), logs to OUT/JOB/logs/STEP.log, and is announced to the job's reporter, which decides
// what a person sees of it (see progress.ts).
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { UserError } from '../errors.ts';
import { type Container, exec, type ExecResult } from './engine.ts';
import type { StepRecord } from '../job-result/index.ts';

export class StepError extends UserError {
  /** The message without the log's tail, for whoever has seen the log already. */
  readonly summary: string;

  constructor(
    readonly step: string,
    readonly detail: string,
    /** The last lines of the step's log, for result.json and whoever has not seen them. */
    readonly tail?: string,
    /** What to do about it, after the tail. */
    hint?: string,
  ) {
    const end = hint === undefined ? '' : `\n${hint}`;
    super(`step "${step}" failed: ${detail}${tail === undefined ? '' : `:\n${tail}`}${end}`);
    this.summary = `step "${step}" failed: ${detail}${end}`;
  }
}

/** What a build shows of its steps as they run. */
export interface StepReporter {
  /** A line about the job as a whole (up to date, a failure, a fetch). */
  line(text: string): void;
  started(step: string): void;
  /** Where a step's command output goes as it comes (besides its log), or null for nowhere. */
  output(step: string): Writable | null;
  finished(record: StepRecord, logFile: string): void;
  /** The job failed: its message, and the same without the log's tail (StepError.summary). */
  failed(message: string, summary?: string): void;
  /** A step ran quietly beside others (into its log only): its output, now that they are done. */
  replay(step: string, logFile: string): void;
}

export class StepRunner {
  readonly records: StepRecord[] = [];
  /** The steps that failed, in the order they failed. */
  readonly failures: { step: string; error: unknown }[] = [];
  /** The step started last: what a failure outside any step is charged to. */
  current = 'setup';

  constructor(
    /** The job's name, as its folder is named. */
    readonly job: string,
    /** The job's folder (while it builds). */
    readonly dir: string,
    readonly reporter: StepReporter,
  ) {}

  logOf(step: string): string {
    return path.join(this.dir, 'logs', `${step}.log`);
  }

  async run<T>(step: string, fn: (logFile: string) => Promise<T>): Promise<T> {
    this.current = step;
    const logFile = this.logOf(step);
    const record: StepRecord = { name: step, status: 'ok', seconds: 0, log: path.relative(this.dir, logFile) };
    this.records.push(record);
    const t0 = Date.now();
    this.reporter.started(step);
    try {
      return await fn(logFile);
    } catch (err) {
      record.status = 'failed';
      record.message = (err as Error).message;
      this.failures.push({ step, error: err });
      throw err;
    } finally {
      record.seconds = (Date.now() - t0) / 1000;
      this.reporter.finished(record, logFile);
    }
  }

  /** Waits for steps running side by side; when some failed, throws the error of the first
   * failure (a bug, not a UserError, before any). */
  async settle(running: (Promise<unknown> | undefined)[]): Promise<void> {
    const errors = (await Promise.allSettled(running)).flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (errors.length === 0) return;
    throw errors.find((e) => !(e instanceof UserError)) ?? this.failures.find((f) => errors.includes(f.error))?.error ?? errors[0];
  }

  /** Runs a shell script in a container for `step`, into the step's log; a non-zero exit fails
   * the step with the end of its log. `quiet`: into the log only, for commands that run beside
   * another step's. */
  async script(c: Container, step: string, script: string, o: { env?: Record<string, string>; user?: string; quiet?: boolean; stdin?: Readable } = {}): Promise<ExecResult> {
    const logFile = this.logOf(step);
    const r = await exec(c, ['sh', '-c', script], {
      log: logFile,
      env: o.env ?? {},
      // A log group inside GitHub Actions.
      group: `${this.job}: ${step}`,
      ...(o.user ? { user: o.user } : {}),
      live: o.quiet ? null : this.reporter.output(step),
      ...(o.stdin ? { stdin: o.stdin } : {}),
    });
    if (r.code !== 0) throw new StepError(step, `exit status ${r.code}; last lines of ${path.relative(path.dirname(this.dir), logFile).replace(/\.partial(?=\/)/, '')}`, r.tail);
    return r;
  }
}
