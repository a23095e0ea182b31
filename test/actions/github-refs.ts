// Resolves a workflow's `uses:` references the way GitHub does, against bare git repositories
// standing in for GitHub's (ROOT/OWNER/REPO.git): a reusable workflow at OWNER/REPO/PATH@REF is
// read at the commit REF names (a full SHA, else a tag, else a branch: a tag wins over a branch of
// the same name); a job of it runs with job.workflow_repository and job.workflow_sha naming that
// commit; actions/checkout puts a repository at a commit under a path of the workspace, and a
// local action `./PATH/...` is read from whatever was checked out there. Each `run:` step that
// sets outputs a later `with:` reads runs for real (composite.ts), so the refs a checkout gets
// are the ones the workflow computes. An action of a repository held here that is not reached
// by a full SHA, a tag or a branch is an error; one held elsewhere (third-party) must name a full
// SHA, since a tag of it cannot be checked here and may move.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { truthy } from '@actions/expressions/result';
import { parse as parseYaml, stringify } from 'yaml';
import { evaluate, runCompositeAction, substitute } from './composite.ts';

export interface Event {
  /** push, pull_request, workflow_dispatch, schedule. */
  name: string;
  /** refs/heads/BRANCH, refs/tags/TAG, or refs/pull/N/merge. */
  ref: string;
  /** The caller's default branch. */
  defaultBranch: string;
}

/** One resolved reference: where it was written, what it named, and the commit it came from. */
export interface Resolved {
  /** `caller-workflow > job > called-workflow > job > step` */
  at: string;
  uses: string;
  repository: string;
  commit: string;
  path: string;
}

export interface Resolution {
  resolved: Resolved[];
  problems: string[];
  /** Jobs of the caller's workflows that this event runs (`FILE: JOB`). */
  ran: string[];
}

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  uses?: string;
  if?: string | boolean;
  with?: Record<string, unknown>;
  needs?: string | string[];
  outputs?: Record<string, string>;
  steps?: Step[];
}
interface Workflow {
  on: unknown;
  jobs: Record<string, Job>;
}

const SHA = /^[0-9a-f]{40}$/;

export const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

export class FakeGitHub {
  constructor(readonly root: string) {}

  bare(repository: string): string {
    return path.join(this.root, `${repository}.git`);
  }

  has(repository: string): boolean {
    try {
      git(this.bare(repository), 'rev-parse', '--git-dir');
      return true;
    } catch {
      return false;
    }
  }

  /** The commit a `@REF` names, as GitHub picks it: a full SHA, else a tag, else a branch. */
  resolve(repository: string, ref: string): string | undefined {
    const dir = this.bare(repository);
    const tryRev = (rev: string) => {
      try {
        return git(dir, 'rev-parse', '--verify', '--quiet', `${rev}^{commit}`);
      } catch {
        return undefined;
      }
    };
    if (SHA.test(ref)) return tryRev(ref);
    return tryRev(`refs/tags/${ref}`) ?? tryRev(`refs/heads/${ref}`);
  }

  read(repository: string, commit: string, file: string): string | undefined {
    try {
      return execFileSync('git', ['show', `${commit}:${file}`], { cwd: this.bare(repository), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch {
      return undefined;
    }
  }
}

/** GitHub's branch and tag filter patterns: `*` within a path segment, `**` across them. */
function globMatch(pattern: string, value: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '\u0000').replace(/\*/g, '[^/]*').replace(/\u0000/g, '.*');
  return new RegExp(`^${re}$`).test(value);
}

/** Whether a workflow's `on:` starts a run for the event. */
export function triggers(on: unknown, event: Event): boolean {
  const events: Record<string, unknown> = typeof on === 'string' ? { [on]: null } : Array.isArray(on) ? Object.fromEntries(on.map((e: string) => [e, null])) : ((on ?? {}) as Record<string, unknown>);
  if (!(event.name in events)) return false;
  const filter = (events[event.name] ?? {}) as Record<string, string[] | undefined>;
  if (event.name === 'pull_request') {
    return !filter.branches || filter.branches.some((b) => globMatch(b, event.defaultBranch));
  }
  if (event.name !== 'push') return true;
  const tag = event.ref.startsWith('refs/tags/') ? event.ref.slice('refs/tags/'.length) : undefined;
  const branch = event.ref.startsWith('refs/heads/') ? event.ref.slice('refs/heads/'.length) : undefined;
  const hasBranchFilter = filter.branches !== undefined || filter['branches-ignore'] !== undefined;
  const hasTagFilter = filter.tags !== undefined || filter['tags-ignore'] !== undefined;
  if (!hasBranchFilter && !hasTagFilter) return true;
  if (branch !== undefined) return filter.branches?.some((b) => globMatch(b, branch)) ?? false;
  if (tag !== undefined) return filter.tags?.some((t) => globMatch(t, tag)) ?? false;
  return false;
}

function jobIf(job: Job, context: Record<string, unknown>): boolean {
  if (job.if === undefined) return true;
  if (typeof job.if === 'boolean') return job.if;
  const expr = job.if.trim().replace(/^\$\{\{(.*)\}\}$/s, '$1').trim();
  return truthy(evaluate(expr, context));
}

/** Evaluates a `with:` value. Expressions reading what is unknown here (matrix, a run's outputs
 * never computed) come out empty, and then fail the checks that need them. */
function value(v: unknown, context: Record<string, unknown>): string {
  return typeof v === 'string' ? substitute(v, context) : v === undefined || v === null ? '' : String(v);
}

export interface ResolveOptions {
  /** The caller: its repository name here (OWNER/REPO) and the commit the event is for. */
  caller: { repository: string; commit: string };
  /** Caller workflow files (path in the caller repository) to consider. */
  workflows: string[];
  event: Event;
}

/** Resolves every reference of every job the event runs in the caller's workflows. */
export async function resolveCaller(github: FakeGitHub, o: ResolveOptions): Promise<Resolution> {
  const out: Resolution = { resolved: [], problems: [], ran: [] };
  const githubContext = {
    event_name: o.event.name,
    ref: o.event.ref,
    repository: o.caller.repository,
    repository_owner: o.caller.repository.split('/')[0],
    sha: o.caller.commit,
    event: { repository: { default_branch: o.event.defaultBranch, private: false } },
  };
  for (const file of o.workflows) {
    const text = github.read(o.caller.repository, o.caller.commit, file);
    if (text === undefined) {
      out.problems.push(`${file}: not in ${o.caller.repository} at ${o.caller.commit}`);
      continue;
    }
    const wf = parseYaml(text) as Workflow;
    if (!triggers(wf.on, o.event)) continue;
    for (const [id, job] of Object.entries(wf.jobs)) {
      // GitHub loads every called workflow when the run starts, skipped jobs' too.
      const runs = jobIf(job, { github: githubContext, inputs: {}, vars: {} });
      if (runs) out.ran.push(`${file}: ${id}`);
      await resolveJob(github, out, { at: `${file} > ${id}`, job, workflow: { repository: o.caller.repository, commit: o.caller.commit }, githubContext, inputs: {} });
    }
  }
  return out;
}

interface JobScope {
  at: string;
  job: Job;
  /** The repository and commit of the workflow file that defines the job. */
  workflow: { repository: string; commit: string };
  githubContext: Record<string, unknown>;
  inputs: Record<string, unknown>;
  needs?: Record<string, { outputs: Record<string, string> }>;
}

async function resolveJob(github: FakeGitHub, out: Resolution, s: JobScope): Promise<Record<string, string>> {
  if (s.job.uses) {
    await resolveCalledWorkflow(github, out, s);
    return {};
  }
  const jobContext = { workflow_repository: s.workflow.repository, workflow_sha: s.workflow.commit };
  const steps: Record<string, { outputs: Record<string, string> }> = {};
  // Where checkouts put what: a path in the workspace -> repository at a commit.
  const workspace = new Map<string, { repository: string; commit: string }>();
  const context = () => ({ github: s.githubContext, inputs: s.inputs, job: jobContext, steps, needs: s.needs ?? {}, runner: { temp: '/tmp/runner' }, env: {}, matrix: {}, secrets: {}, vars: {} });
  for (const [index, step] of (s.job.steps ?? []).entries()) {
    const at = `${s.at} > ${step.name ?? step.id ?? step.uses ?? `step ${index + 1}`}`;
    if (step.run) {
      // A step whose outputs a later step or the job's outputs read runs, unless it reads an
      // action's outputs itself (actions do not run here).
      if (step.id && readsLater(s.job, step.id) && !readsActionOutputs(s.job, step)) steps[step.id] = { outputs: await runStep(step, context()) };
      continue;
    }
    const uses = step.uses!;
    if (uses.startsWith('./')) {
      const rel = path.posix.normalize(uses.slice(2));
      const mount = [...workspace.keys()].sort((a, b) => b.length - a.length).find((p) => p === '.' || rel === p || rel.startsWith(`${p}/`));
      if (mount === undefined) {
        out.problems.push(`${at}: ${uses}: nothing is checked out there`);
        continue;
      }
      const from = workspace.get(mount)!;
      const inRepo = mount === '.' ? rel : path.posix.relative(mount, rel);
      resolveAction(github, out, at, uses, from.repository, from.commit, inRepo);
      continue;
    }
    const m = /^([^/@]+\/[^/@]+)((?:\/[^@]+)?)@(.+)$/.exec(uses);
    if (!m) {
      out.problems.push(`${at}: ${uses}: not OWNER/REPO[/PATH]@REF`);
      continue;
    }
    const [, repository, sub, ref] = m as unknown as [string, string, string, string];
    if (repository === 'actions/checkout') {
      if (!SHA.test(ref)) out.problems.push(`${at}: ${uses}: floats (pin a full SHA)`);
      const want = value(step.with?.repository, context()) || s.githubContext.repository as string;
      const wantRef = value(step.with?.ref, context());
      const where = path.posix.normalize(value(step.with?.path, context()) || '.');
      const commit = wantRef === '' ? (want === s.githubContext.repository ? (s.githubContext.sha as string) : undefined) : github.has(want) ? github.resolve(want, wantRef) : undefined;
      if (!github.has(want) || commit === undefined) {
        out.problems.push(`${at}: checkout of ${want}@${wantRef || '(default branch)'} does not resolve`);
        continue;
      }
      workspace.set(where, { repository: want, commit });
      continue;
    }
    if (repository === s.workflow.repository && ref !== s.workflow.commit) {
      out.problems.push(`${at}: ${uses}: floats: this workflow's own repository by a ref, which need not name the commit the workflow was called at`);
      continue;
    }
    if (github.has(repository)) {
      const commit = github.resolve(repository, ref);
      if (commit === undefined) {
        out.problems.push(`${at}: ${uses}: ${ref} names no commit of ${repository}`);
        continue;
      }
      resolveAction(github, out, at, uses, repository, commit, sub.replace(/^\//, ''));
    } else if (!SHA.test(ref)) {
      out.problems.push(`${at}: ${uses}: floats (a third-party action is pinned to a full SHA)`);
    }
  }
  const outputs: Record<string, string> = {};
  for (const [name, expr] of Object.entries(s.job.outputs ?? {})) outputs[name] = value(expr, context());
  return outputs;
}

/** Whether a later `with:`, `env:` or job output reads this step's outputs. */
function readsLater(job: Job, id: string): boolean {
  return JSON.stringify({ steps: job.steps, outputs: job.outputs }).includes(`steps.${id}.outputs.`);
}

function readsActionOutputs(job: Job, step: Step): boolean {
  const actions = (job.steps ?? []).filter((x) => x.uses && x.id).map((x) => x.id!);
  const text = JSON.stringify(step.env ?? {});
  return actions.some((id) => text.includes(`steps.${id}.outputs.`));
}

/** Runs a `run:` step (bash, its env evaluated) and returns its outputs. */
async function runStep(step: Step, context: Record<string, unknown>): Promise<Record<string, string>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'trunkfarm-resolve-step-'));
  try {
    const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, value(v, context)]));
    await writeFile(path.join(dir, 'action.yml'), stringify({ name: 'step', description: 'one step', runs: { using: 'composite', steps: [{ id: 'step', shell: 'bash', env, run: step.run }] } }));
    const run = await runCompositeAction(dir, { workspace: dir });
    await rm(run.temp, { recursive: true, force: true });
    return run.steps[0]!.outputs;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** An action at a commit: its action.yml there, and the files its run steps reach through
 * GITHUB_ACTION_PATH, from the same commit. */
function resolveAction(github: FakeGitHub, out: Resolution, at: string, uses: string, repository: string, commit: string, dir: string): void {
  const file = ['action.yml', 'action.yaml'].map((f) => path.posix.join(dir, f)).find((f) => github.read(repository, commit, f) !== undefined);
  if (!file) {
    out.problems.push(`${at}: ${uses}: no action.yml in ${repository}@${commit}:${dir}`);
    return;
  }
  out.resolved.push({ at, uses, repository, commit, path: file });
  const action = parseYaml(github.read(repository, commit, file)!) as { runs: { using: string; steps?: Step[] } };
  for (const step of action.runs.steps ?? []) {
    if (step.uses) out.problems.push(`${at}: ${uses} nests ${step.uses}, which this resolver does not follow`);
    for (const [, rel] of (step.run ?? '').matchAll(/\$GITHUB_ACTION_PATH\/([^\s"']+)/g)) {
      const target = path.posix.normalize(path.posix.join(dir, rel!));
      if (github.read(repository, commit, target) === undefined) out.problems.push(`${at}: ${uses} runs ${target}, which ${repository}@${commit} lacks`);
      else out.resolved.push({ at: `${at} (${uses})`, uses: `$GITHUB_ACTION_PATH/${rel}`, repository, commit, path: target });
    }
  }
}

async function resolveCalledWorkflow(github: FakeGitHub, out: Resolution, s: JobScope): Promise<void> {
  const uses = s.job.uses!;
  const at = s.at;
  let repository: string;
  let commit: string | undefined;
  let file: string;
  if (uses.startsWith('./')) {
    ({ repository, commit } = s.workflow);
    file = uses.slice(2);
  } else {
    const m = /^([^/]+\/[^/]+)\/(\.github\/workflows\/[^@/]+)@(.+)$/.exec(uses);
    if (!m) {
      out.problems.push(`${at}: ${uses}: not OWNER/REPO/.github/workflows/FILE@REF`);
      return;
    }
    [, repository, file] = m as unknown as [string, string, string];
    const ref = m[3]!;
    if (!github.has(repository)) {
      out.problems.push(`${at}: ${uses}: no repository ${repository}`);
      return;
    }
    commit = github.resolve(repository, ref);
    if (commit === undefined) {
      out.problems.push(`${at}: ${uses}: ${ref} names no commit of ${repository}`);
      return;
    }
  }
  const text = github.read(repository, commit, file);
  if (text === undefined) {
    out.problems.push(`${at}: ${uses}: ${repository}@${commit} has no ${file}`);
    return;
  }
  out.resolved.push({ at, uses, repository, commit, path: file });
  const wf = parseYaml(text) as Workflow & { on: { workflow_call?: { inputs?: Record<string, { default?: unknown }> } } };
  const declared = wf.on?.workflow_call?.inputs ?? {};
  const inputs: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(declared)) inputs[name] = name in (s.job.with ?? {}) ? value(s.job.with![name], { github: s.githubContext, inputs: s.inputs }) : def.default;
  // Jobs in the order of their needs, so that each sees the outputs of those it needs.
  const outputs: Record<string, Record<string, string>> = {};
  const pending = Object.entries(wf.jobs);
  while (pending.length > 0) {
    const i = pending.findIndex(([, j]) => [j.needs ?? []].flat().every((n) => n in outputs));
    if (i < 0) throw new Error(`${file}: a needs cycle`);
    const [id, job] = pending.splice(i, 1)[0]!;
    const needs = Object.fromEntries([job.needs ?? []].flat().map((n) => [n, { outputs: outputs[n]! }]));
    outputs[id] = await resolveJob(github, out, { at: `${at} > ${file} > ${id}`, job, workflow: { repository, commit }, githubContext: s.githubContext, inputs, needs });
  }
}
