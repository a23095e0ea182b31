// Compiler invocations in a build log: the lines make, ninja -v, cmake --verbose and libtool echo
// before running them (`cc ... -c -o src/x.o src/x.c`, `[3/9] cc ...`, `libtool: compile:  gcc
// ...`), split into arguments the way the shell that ran them did.

export interface Invocation {
  /** 1-based line of the log. */
  line: number;
  compiler: string;
  args: string[];
  /** The source files it compiles (-c), or else the file it writes (-o): what to name. */
  files: string[];
}

/** C, C++ and assembler drivers, with a target prefix or version suffix (x86_64-linux-gnu-gcc-14,
 * clang-19, musl-gcc), behind ccache, sccache or distcc. */
const COMPILER = /^(?:[\w.+-]+-)?(?:cc|c\+\+|gcc|g\+\+|clang|clang\+\+|icx|icpx)(?:-\d+(?:\.\d+)*)?$/;
const WRAPPER = /^(?:ccache|sccache|distcc)$/;
const SOURCE = /\.(?:c|cc|cp|cpp|cxx|c\+\+|C|m|mm|S|s|sx|bc|ll)$/;
/** Lines longer than this are no command line make echoes (a generated blob, a progress bar). */
const MAX_LINE = 1 << 20;

/** Splits a command line as sh would, for the quoting build systems emit ('...', "...", \x);
 * variable expansion is left alone: the echoed line is what ran. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      word += end < 0 ? line.slice(i + 1) : line.slice(i + 1, end);
      i = end < 0 ? line.length : end;
      inWord = true;
    } else if (c === '"') {
      i++;
      for (; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) i++;
        word += line[i];
      }
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Every compiler invocation in the log, in order. A line counts when a word of it, after a
 * prefix such as `[3/9]` or `libtool: compile:` or `cd DIR &&`, is a compiler driver followed by
 * a -c, -o or source file argument. */
export function compilerInvocations(log: string): Invocation[] {
  const out: Invocation[] = [];
  const lines = log.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const text = lines[n]!;
    if (text.length > MAX_LINE || !/(?:cc|\+\+|clang|icx|icpx)\b/.test(text)) continue;
    // Commands joined by && or ; in one echoed line (cmake's `cd DIR && cc ...`).
    for (const part of text.split(/\s(?:&&|;|\|\|)\s/)) {
      const words = shellWords(part);
      const at = words.findIndex((w, i) => COMPILER.test(basename(w)) && (i === 0 || !words[i - 1]!.startsWith('-') || WRAPPER.test(basename(words[i - 1]!))));
      if (at < 0) continue;
      const args = words.slice(at + 1);
      const sources = args.filter((a, i) => SOURCE.test(a) && !a.startsWith('-') && args[i - 1] !== '-o' && args[i - 1] !== '-MF' && args[i - 1] !== '-MT' && args[i - 1] !== '-MQ');
      const output = args[args.indexOf('-o') + 1];
      if (!args.includes('-c') && !args.includes('-o') && sources.length === 0) continue;
      out.push({ line: n + 1, compiler: words[at]!, args, files: args.includes('-c') && sources.length > 0 ? sources : output && args.includes('-o') ? [output] : sources });
    }
  }
  return out;
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}
