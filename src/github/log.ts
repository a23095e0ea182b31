// Output of an extension's own build and test scripts goes to the job log, where the runner would
// obey any workflow command in it (`::add-mask::`, `::error::`, `::set-output::` ...): a build
// script must not steer the workflow. Such output is framed by `::stop-commands::TOKEN` and
// `::TOKEN::`, with a token the output cannot know, and the runner takes the lines between as text.
import { randomBytes } from 'node:crypto';

export interface UntrustedFrame {
  /** Written before the output. */
  begin: string;
  /** Written after it, on a line of its own (`end(lastChunk)` adds the newline a partial last line lacks). */
  end: (last?: string | Uint8Array) => string;
}

const NONE: UntrustedFrame = { begin: '', end: () => '' };

/** A frame for one piece of untrusted output; empty outside GitHub Actions. */
export function untrustedFrame(env: NodeJS.ProcessEnv = process.env): UntrustedFrame {
  if (env.GITHUB_ACTIONS !== 'true') return NONE;
  const token = randomBytes(16).toString('hex');
  return {
    begin: `::stop-commands::${token}\n`,
    end: (last) => {
      const lastByte = typeof last === 'string' ? last.at(-1) : last && last.length > 0 ? String.fromCharCode(last[last.length - 1]!) : undefined;
      return `${lastByte === undefined || lastByte === '\n' ? '' : '\n'}::${token}::\n`;
    },
  };
}
