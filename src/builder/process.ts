// A program run to its end with its output collected: the container engine's short commands and
// the source step's git, tar and patch. Processes whose output is streamed as it comes (a compile,
// a cluster template's tar) are engine.ts's.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

export interface Captured {
  /** The exit status, or 128 + the signal's number for a killed process, as a shell reports it. */
  code: number;
  stdout: string;
  stderr: string;
}

/** Rejects only when the program does not start (ENOENT: not on PATH). */
export function capture(cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<Captured> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(env ? { env } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? 128 + signalNumber(signal), stdout, stderr }));
  });
}

export function signalNumber(signal: NodeJS.Signals | null): number {
  return signal ? (constants.signals[signal] ?? 0) : 0;
}
