// The README's quick start is what CI runs: .ci/run runs its command 2 word for word, after the
// `npm ci` of command 1, so that the command a new user types is the one that is known to pass.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** The commands of the README's quick start: the lines of its first sh block that are not comments. */
function quickStart(): string[] {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error('README.md: no sh block under "## Quick start"');
  return block.split('\n').filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
}

describe('the quick start', () => {
  it('has two commands, the first starting with npm ci', () => {
    const commands = quickStart();
    expect(commands).toHaveLength(2);
    expect(commands[0]).toMatch(/^npm ci && npm run setup -- --only \S+ && npx trunkfarm build /);
  });

  it('is what .ci/run runs: npm ci, then command 2 as written', () => {
    const [, second] = quickStart();
    const ci = readFileSync('.ci/run', 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
    const npmCi = ci.findIndex((l) => /^npm ci\b/.test(l));
    const run = ci.findIndex((l) => l.startsWith(`${second!} `) || l === second);
    expect(npmCi, '.ci/run runs npm ci').toBeGreaterThanOrEqual(0);
    expect(run, `.ci/run runs the README's command 2 (${second})`).toBeGreaterThan(npmCi);
  });

  it('names the Node versions it is tested on, which package.json\'s engines admit', () => {
    const readme = readFileSync('README.md', 'utf8');
    const engines = (JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } }).engines.node;
    expect(readme).toContain(`Node.js ${engines.replace(/^>=/, '')} or later`);
    expect(readme).toMatch(/tested on Node\.js 20\s+and\s+24/);
  });
});
