// Flags shared by several commands, declared once.
import { type Command, Option } from 'commander';

export const DEFAULT_MATRIX = 'matrix';

export function matrixOption(cmd: Command): Command {
  return cmd.addOption(new Option('--matrix <dir>', 'matrix directory').default(DEFAULT_MATRIX));
}

/** Prints a table with aligned columns. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
}
