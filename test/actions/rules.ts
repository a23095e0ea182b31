// trunkfarm's hardening rules for its workflows and actions, after GitHub's security-hardening
// guide: each rule is a small function from a file's text to the problems it finds, with the line
// of each, so that a failing test points at the offending line. GitHub's own parser
// (@actions/workflow-parser) checks the syntax; these check what the syntax allows but we do not.
import { type Document, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Scalar, visit, type YAMLMap } from 'yaml';

export interface Problem {
  file: string;
  line: number;
  rule: string;
  message: string;
}

export type Rule = (file: string, text: string) => Problem[];

/** This repository, referenced remotely: only the starter (workflows/) does, by a major tag that
 * scripts/release.mjs moves. Inside this repository (.github/workflows/, actions/) such a
 * reference would float: the reusable workflow checks out its own commit instead. */
export const FIRST_PARTY = /^trunkfarm\/trunkfarm\//;
const FIRST_PARTY_RELEASE = /^trunkfarm\/trunkfarm\/[^@\s]+@v\d+$/;
const isStarter = (file: string) => file.startsWith('workflows/');

const SHA_PIN = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[^@\s]+)?@[0-9a-f]{40}$/;
const VERSION_COMMENT = /^\s*v\d+(\.\d+){0,2}\b/;

interface Parsed {
  doc: Document;
  line: (node: { range?: [number, number, number] | null } | null | undefined) => number;
}

function load(text: string): Parsed {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  if (doc.errors.length > 0) throw new Error(`not YAML: ${doc.errors[0]!.message}`);
  return { doc, line: (node) => (node?.range ? counter.linePos(node.range[0]).line : 0) };
}

/** Every `KEY: value` pair in the document whose key is `key`, wherever it is. */
function pairsNamed(doc: Document, key: string): { key: Scalar; value: unknown }[] {
  const found: { key: Scalar; value: unknown }[] = [];
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === key) found.push({ key: pair.key, value: pair.value });
    },
  });
  return found;
}

function get(map: unknown, key: string): unknown {
  return isMap(map) ? map.get(key, true) : undefined;
}

function jobsOf(doc: Document): { id: string; node: YAMLMap; keyNode: Scalar }[] {
  const jobs = get(doc.contents, 'jobs');
  if (!isMap(jobs)) return [];
  return jobs.items.flatMap((item) => (isPair(item) && isScalar(item.key) && isMap(item.value) ? [{ id: String(item.key.value), node: item.value, keyNode: item.key }] : []));
}

/** Third-party actions and reusable workflows are pinned to a full commit SHA, with the version
 * it is in a comment (`# v6.0.0`) so that updates stay reviewable. */
export const pinnedActions: Rule = (file, text) => {
  const { doc, line } = load(text);
  const problems: Problem[] = [];
  for (const { value } of pairsNamed(doc, 'uses')) {
    if (!isScalar(value)) continue;
    const ref = String(value.value);
    const at = { file, line: line(value), rule: 'pinned-actions' };
    if (ref.startsWith('./')) continue;
    if (FIRST_PARTY.test(ref)) {
      if (!isStarter(file)) problems.push({ ...at, message: `${ref}: this repository's own files are reached by path at the workflow's commit, never by a ref that can move` });
      else if (!FIRST_PARTY_RELEASE.test(ref)) problems.push({ ...at, message: `${ref}: a starter calls trunkfarm at a major release tag (@vN)` });
      continue;
    }
    if (ref.startsWith('docker://')) {
      if (!/@sha256:[0-9a-f]{64}$/.test(ref)) problems.push({ ...at, message: `${ref}: pin the image by digest (@sha256:...)` });
      continue;
    }
    if (!SHA_PIN.test(ref)) problems.push({ ...at, message: `${ref}: pin third-party actions to a full 40-character commit SHA` });
    else if (!value.comment || !VERSION_COMMENT.test(value.comment)) problems.push({ ...at, message: `${ref}: name the pinned version in a comment (# vX.Y.Z)` });
  }
  return problems;
};

/** No `${{ }}` inside a `run:` script: the runner pastes the value into the script before the
 * shell sees it, so any expression is a script-injection hazard. Pass values through `env:`. */
export const noExpressionsInRun: Rule = (file, text) => {
  const { doc, line } = load(text);
  return pairsNamed(doc, 'run')
    .filter(({ value }) => isScalar(value) && String(value.value).includes('${{'))
    .map(({ value }) => ({ file, line: line(value as Scalar), rule: 'no-expressions-in-run', message: 'run: holds a ${{ }} expression; pass the value through env: and use "$NAME"' }));
};

/** `pull_request_target` runs with the base repository's secrets and a write token: with a
 * checkout of the pull request it hands both to its code. */
export const noPullRequestTarget: Rule = (file, text) => {
  const { doc, line } = load(text);
  const on = isMap(doc.contents) ? doc.contents.items.find((p) => isScalar(p.key) && (p.key.value === 'on' || p.key.value === true)) : undefined;
  if (!on) return [];
  const events: { name: string; node: unknown }[] = [];
  if (isScalar(on.value)) {
    events.push({ name: String(on.value.value), node: on.value });
  } else if (isSeq(on.value)) {
    for (const item of on.value.items) if (isScalar(item)) events.push({ name: String(item.value), node: item });
  } else if (isMap(on.value)) {
    for (const p of on.value.items) if (isScalar(p.key)) events.push({ name: String(p.key.value), node: p.key });
  }
  return events
    .filter((e) => e.name === 'pull_request_target')
    .map((e) => ({ file, line: line(e.node as Scalar), rule: 'no-pull-request-target', message: 'pull_request_target gives pull-request code the repository\'s secrets and write token: use pull_request' }));
};

const isReusableCall = (job: YAMLMap) => job.has('uses');

/** A job that runs steps stops after its own time limit rather than GitHub's six hours. (A job
 * that calls a reusable workflow may not set one; the called jobs do.) */
export const jobTimeouts: Rule = (file, text) => {
  const { doc, line } = load(text);
  return jobsOf(doc)
    .filter(({ node }) => !isReusableCall(node) && !node.has('timeout-minutes'))
    .map(({ id, keyNode }) => ({ file, line: line(keyNode), rule: 'job-timeouts', message: `job ${id} has no timeout-minutes` }));
};

const WRITE_ALL = new Set(['write-all']);

/** The token's permissions are declared: at the top (none or read-only there) and per job, so
 * that each job holds only what it needs. */
export const leastPrivilege: Rule = (file, text) => {
  const { doc, line } = load(text);
  const problems: Problem[] = [];
  const top = get(doc.contents, 'permissions');
  const rule = 'least-privilege';
  if (top === undefined) {
    problems.push({ file, line: 1, rule, message: 'no top-level permissions: declare `permissions: {}` (or contents: read) so jobs start from nothing' });
  } else if (isScalar(top) ? WRITE_ALL.has(String(top.value)) || top.value === 'read-all' : isMap(top) && top.items.some((p) => isScalar(p.value) && p.value.value === 'write')) {
    problems.push({ file, line: line(top as Scalar), rule, message: 'top-level permissions grant more than read: grant writes per job' });
  }
  for (const { id, node, keyNode } of jobsOf(doc)) {
    const perms = node.get('permissions', true);
    if (perms === undefined) problems.push({ file, line: line(keyNode), rule, message: `job ${id} declares no permissions` });
    else if (isScalar(perms) && (WRITE_ALL.has(String(perms.value)) || perms.value === 'read-all')) problems.push({ file, line: line(perms), rule, message: `job ${id}: ${String(perms.value)}; list the scopes it needs` });
  }
  return problems;
};

const writes = (job: YAMLMap) => {
  const perms = job.get('permissions', true);
  return isMap(perms) && perms.items.some((p) => isScalar(p.value) && p.value.value === 'write');
};

/** A job that may write (publish, sign, deploy) runs under a concurrency group, its own or its
 * workflow's, so that two runs never write at once; and a workflow that runs on events of its own
 * (not only workflow_call) has a concurrency group. */
export const concurrencyGroups: Rule = (file, text) => {
  const { doc, line } = load(text);
  const problems: Problem[] = [];
  const workflowGroup = get(doc.contents, 'concurrency') !== undefined;
  const on = get(doc.contents, 'on');
  const onlyCalled = isMap(on) && on.items.length === 1 && isScalar(on.items[0]!.key) && on.items[0]!.key.value === 'workflow_call';
  if (!workflowGroup && !onlyCalled) problems.push({ file, line: 1, rule: 'concurrency', message: 'no workflow-level concurrency group' });
  for (const { id, node, keyNode } of jobsOf(doc)) {
    if (writes(node) && !workflowGroup && !node.has('concurrency')) problems.push({ file, line: line(keyNode), rule: 'concurrency', message: `job ${id} may write but has no concurrency group` });
  }
  return problems;
};

/** actions/checkout leaves the token in .git/config unless told not to; no job here pushes with git. */
export const checkoutWithoutCredentials: Rule = (file, text) => {
  const { doc, line } = load(text);
  const problems: Problem[] = [];
  visit(doc, {
    Map(_, map) {
      const uses = map.get('uses', true);
      if (!isScalar(uses) || !String(uses.value).startsWith('actions/checkout@')) return;
      const persist = get(map.get('with', true), 'persist-credentials');
      if (!isScalar(persist) || persist.value !== false) problems.push({ file, line: line(uses), rule: 'checkout-credentials', message: 'actions/checkout without persist-credentials: false' });
    },
  });
  return problems;
};

/** A composite action: every run step names its shell, and runs the committed bundle from the
 * action's own folder, so a user of OWNER/trunkfarm/actions/NAME@v1 needs no npm install. */
export const compositeRunsCli: Rule = (file, text) => {
  const { doc, line } = load(text);
  const problems: Problem[] = [];
  const runs = get(doc.contents, 'runs');
  const using = get(runs, 'using');
  if (!isScalar(using) || using.value !== 'composite') return [{ file, line: line(using as Scalar), rule: 'composite', message: 'runs.using is not composite' }];
  const steps = get(runs, 'steps');
  if (!isSeq(steps) || steps.items.length === 0) return [{ file, line: line(runs as YAMLMap), rule: 'composite', message: 'no steps' }];
  for (const step of steps.items) {
    if (!isMap(step)) continue;
    const run = step.get('run', true);
    if (!isScalar(run)) continue;
    if (!step.has('shell')) problems.push({ file, line: line(run), rule: 'composite', message: 'a run step without shell:' });
    if (!String(run.value).includes('node "$GITHUB_ACTION_PATH/../../dist/cli.js"')) {
      problems.push({ file, line: line(run), rule: 'composite', message: 'a run step that does not run node "$GITHUB_ACTION_PATH/../../dist/cli.js"' });
    }
  }
  return problems;
};

export const WORKFLOW_RULES: Rule[] = [pinnedActions, noExpressionsInRun, noPullRequestTarget, jobTimeouts, leastPrivilege, concurrencyGroups, checkoutWithoutCredentials];
export const ACTION_RULES: Rule[] = [pinnedActions, noExpressionsInRun, compositeRunsCli, checkoutWithoutCredentials];

export function check(rules: Rule[], file: string, text: string): Problem[] {
  return rules.flatMap((rule) => rule(file, text));
}

export function formatProblems(problems: Problem[]): string {
  return problems.map((p) => `${p.file}:${p.line}: ${p.rule}: ${p.message}`).join('\n');
}
