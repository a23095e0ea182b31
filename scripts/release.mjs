// Cuts a release: vX.Y.Z on a commit whose dist/ is what its sources build and whose references
// to this repository (the starter workflow, the README) name the major tag vX, then moves vX to
// it. The reusable workflow needs no rewriting: it checks out the commit it was called at (see
// .github/workflows/reusable.yml), so only callers' references carry a version.
//
// Usage: node scripts/release.mjs X.Y.Z [--push REMOTE] [--branch BRANCH] [--no-build]
//   --push REMOTE   push the release commit to BRANCH (default main), vX.Y.Z, and vX (moved)
//   --no-build      keep dist/ as committed (when a step before has rebuilt and compared it)
// Run from the top of a clean checkout with every tag fetched (`git fetch --tags`).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { push: { type: 'string' }, branch: { type: 'string', default: 'main' }, 'no-build': { type: 'boolean', default: false } } });

function fail(message) {
  process.stderr.write(`release: ${message}\n`);
  process.exit(1);
}

const git = (...args) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();

const version = positionals[0] ?? fail('usage: node scripts/release.mjs X.Y.Z [--push REMOTE] [--branch BRANCH] [--no-build]');
const m = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.exec(version);
if (!m) fail(`"${version}" is not a version X.Y.Z (digits, no leading v)`);
const parts = m.slice(1).map(Number);
const major = `v${parts[0]}`;
const tag = `v${version}`;

if (git('status', '--porcelain') !== '') fail('the working tree has changes: commit or remove them first');
const released = git('tag', '--list', 'v*.*.*')
  .split('\n')
  .map((t) => /^v(\d+)\.(\d+)\.(\d+)$/.exec(t))
  .filter(Boolean)
  .map((t) => t.slice(1).map(Number));
const newer = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
const latest = released.sort(newer).at(-1);
if (latest && newer(parts, latest) <= 0) fail(`${tag} is not newer than the latest release v${latest.join('.')}`);

// Our own workflows must not reach this repository by a ref: it would float (see above).
for (const file of git('ls-files', '.github/workflows').split('\n').filter(Boolean)) {
  const floating = readFileSync(file, 'utf8')
    .split('\n')
    .map((line, i) => [i + 1, line])
    .filter(([, line]) => /^\s*(-\s+)?uses:\s*['"]?trunkfarm\/trunkfarm\//.test(line));
  for (const [line, text] of floating) fail(`${file}:${line}: ${text.trim()}: reach this repository's actions by path in a checkout at job.workflow_sha`);
}

// Where callers' references to this repository live; each names the major tag.
const REFERENCING = ['README.md', 'workflows/extension-repo.yml'];
const REFERENCE = /\b(trunkfarm\/trunkfarm\/(?:actions\/[a-z-]+|\.github\/workflows\/[a-z-]+\.ya?ml))@v\d+\b/g;
const changed = [];
const edit = (file, fn) => {
  const before = readFileSync(file, 'utf8');
  const after = fn(before);
  if (after !== before) {
    writeFileSync(file, after);
    changed.push(file);
  }
};
for (const file of REFERENCING) edit(file, (text) => text.replace(REFERENCE, `$1@${major}`));
edit('package.json', (text) => text.replace(/^(\s*"version":\s*)"[^"]*"/m, `$1"${version}"`));
edit('package-lock.json', (text) => {
  const lock = JSON.parse(text);
  lock.version = version;
  if (lock.packages?.['']) lock.packages[''].version = version;
  return `${JSON.stringify(lock, null, 2)}\n`;
});

// dist/ is what these sources build, byte for byte: the actions run it.
if (!values['no-build']) {
  execFileSync(process.execPath, ['scripts/bundle.mjs'], { stdio: 'inherit' });
  if (git('status', '--porcelain', '--', 'dist') !== '') changed.push('dist');
}

if (changed.length > 0) {
  git('add', '--', ...changed);
  git('commit', '--quiet', '-m', `Release ${tag}`);
}
git('tag', '--annotate', '--message', `Release ${tag}`, tag);
git('tag', '--force', '--annotate', '--message', `Release ${tag}`, major, tag);
const commit = git('rev-parse', `${tag}^{commit}`);
process.stdout.write(`${tag} and ${major} at ${commit}${changed.length > 0 ? ` (changed: ${changed.join(', ')})` : ''}\n`);

if (values.push) {
  git('push', '--quiet', values.push, `HEAD:refs/heads/${values.branch}`, `refs/tags/${tag}`, `+refs/tags/${major}`);
  process.stdout.write(`pushed ${values.branch}, ${tag} and ${major} to ${values.push}\n`);
}
