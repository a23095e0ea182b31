// Flags shared by several commands, declared once, and what every command's action is made of.
import { type Command, Option } from 'commander';
import type { ImageChoice } from '../builder/index.ts';

export const DEFAULT_MATRIX = 'matrix';

export function matrixOption(cmd: Command): Command {
  return cmd.addOption(new Option('--matrix <dir>', 'matrix directory').default(DEFAULT_MATRIX));
}

const IMAGE_CHOICES: readonly ImageChoice[] = ['auto', 'local', 'public'];

/** Which of a platform's images `build` and `check` use (src/builder/steps/images.ts chooses). */
export function imagesOption(): Option {
  return new Option('--images <choice>', 'local images, public ones, or local when present').choices(IMAGE_CHOICES).default('auto');
}

/** Prints a table with aligned columns. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
}

/** A command's action handler that loads the command's implementation (run/NAME.ts) when the
 * command runs, not when the CLI starts: `--version`, `--help` and every other command then skip
 * reading and evaluating its dependencies (sigstore, octokit, undici...), which the bundle keeps
 * in chunks of their own (scripts/bundle.mjs). */
export function lazy<A extends unknown[]>(load: () => Promise<{ run: (...args: A) => Promise<void> }>): (...args: A) => Promise<void> {
  return async (...args) => (await load()).run(...args);
}
