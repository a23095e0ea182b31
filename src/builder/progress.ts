// What a person sees of a build's steps. `streamReporter` shows everything as it comes: a line as
// each step starts, and every line its commands print (inside GitHub Actions in a log group per
// command, see engine.ts).
import type { Writable } from 'node:stream';
import type { StepReporter } from './step-runner.ts';

export function streamReporter(job: string, out: Writable = process.stderr): StepReporter {
  return {
    line: (text) => void out.write(`${job}: ${text}\n`),
    started: (step) => void out.write(`${job}: ${step}\n`),
    output: () => out,
    finished: () => {},
  };
}
