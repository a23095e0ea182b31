// The shell and jq inside the workflows, run as the runner runs them: each `run:` step is taken
// from its workflow file as it is, wrapped in a one-step composite action (its `env:` and the
// workflow's own `env:` intact, expressions evaluated by composite.ts with GitHub's library), and
// run with bash against fixture files. Steps before it that it reads outputs of are stood in for
// by steps that set those outputs; `gh` is a script on PATH that answers as GitHub's CLI does.
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify, parse as parseYaml } from 'yaml';
import { parseIndex } from '../../src/publish/index.ts';
import { truthy } from '@actions/expressions/result';
import { type ActionRun, evaluate, runCompositeAction } from './composite.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface WorkflowStep {
  id?: string;
  name?: string;
  if?: string;
  run?: string;
  env?: Record<string, string>;
}

interface Workflow {
  env?: Record<string, string>;
  jobs: Record<string, { steps?: WorkflowStep[] }>;
}

async function workflowStep(file: string, job: string, step: string): Promise<{ step: WorkflowStep; env: Record<string, string> }> {
  const doc = parseYaml(await readFile(path.join(ROOT, '.github/workflows', file), 'utf8')) as Workflow;
  const found = doc.jobs[job]?.steps?.find((s) => s.id === step || s.name === step);
  if (!found?.run) throw new Error(`${file}: job ${job} has no run: step ${step}`);
  return { step: found, env: doc.env ?? {} };
}

interface StepOptions {
  /** `inputs` of the workflow, as strings. */
  inputs?: Record<string, string>;
  /** Outputs of earlier steps the step reads, by step id. */
  steps?: Record<string, Record<string, string>>;
  /** A bash script run first, in the same runner (e.g. to put fixtures under RUNNER_TEMP). */
  setup?: string;
  /** The job's working directory. */
  workspace: string;
  env?: Record<string, string>;
  /** The `job`, `secrets` and extra `github` contexts the step's expressions read. */
  job?: Record<string, string>;
  secrets?: Record<string, string>;
  github?: Record<string, unknown>;
}

const cleanup: string[] = [];
afterAll(async () => {
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
});

/** Runs one `run:` step of a workflow, as the runner would, and returns the run of the wrapped step. */
async function runStep(file: string, job: string, stepName: string, o: StepOptions): Promise<ActionRun & { step: ActionRun['steps'][number] }> {
  const { step, env } = await workflowStep(file, job, stepName);
  const steps: Record<string, unknown>[] = [];
  if (o.setup) steps.push({ id: 'setup', shell: 'bash', run: o.setup });
  for (const [id, outputs] of Object.entries(o.steps ?? {})) {
    const lines = Object.entries(outputs).map(([k, v]) => `${k}=${v}`).join('\n');
    steps.push({ id, shell: 'bash', env: { LINES: lines }, run: 'printf "%s\\n" "$LINES" >> "$GITHUB_OUTPUT"' });
  }
  // Runners' default shell for run: steps on Linux is bash, as here.
  steps.push({ id: 'step', shell: 'bash', ...(step.env ? { env: step.env } : {}), run: step.run });
  const action = {
    name: `${file} ${job} ${stepName}`,
    description: 'one workflow step',
    inputs: Object.fromEntries(Object.keys(o.inputs ?? {}).map((k) => [k, { description: k }])),
    runs: { using: 'composite', steps },
  };
  const dir = await mkdtemp(path.join(tmpdir(), 'trunkfarm-workflow-step-'));
  cleanup.push(dir);
  await writeFile(path.join(dir, 'action.yml'), stringify(action));
  const run = await runCompositeAction(dir, { workspace: o.workspace, with: o.inputs ?? {}, env: { ...env, ...o.env }, contexts: { job: o.job ?? {}, secrets: o.secrets ?? {} }, ...(o.github ? { github: o.github } : {}) });
  cleanup.push(run.temp);
  const last = run.steps.find((s) => s.id === 'step')!;
  return { ...run, step: last };
}

async function scratch(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'trunkfarm-workflow-fixtures-'));
  cleanup.push(dir);
  return dir;
}

const job = (extension: string, pg: number, platform: string) => ({
  extension,
  version: '1.0.0',
  pg,
  arch: platform.endsWith('arm64') ? 'arm64' : 'amd64',
  libc: platform.includes('musl') ? 'musl' : 'glibc',
  platform: `pg${pg}-${platform}`,
  runner: platform.endsWith('arm64') ? 'ubuntu-24.04-arm' : 'ubuntu-24.04',
  key: `${extension}-${pg}-${platform}`,
  file: `matrix/extensions/${extension}.yaml`,
});

describe('build-shard.yml: selecting the shard\'s jobs from the plan', () => {
  const shards = [{ include: [job('a', 16, 'gnulinux-amd64'), job('a', 17, 'gnulinux-arm64')] }, { include: [job('b', 17, 'musllinux-amd64')] }, { include: [] }];
  let plan: string;
  beforeAll(async () => {
    plan = path.join(await scratch(), 'trunkfarm-plan.json');
    await writeFile(plan, JSON.stringify({ jobs: shards.flatMap((s) => s.include), shards }));
  });
  // The step reads ${{ runner.temp }}/plan/trunkfarm-plan.json, where download-artifact put it.
  const select = (shard: string) =>
    runStep('build-shard.yml', 'select', 'select', { workspace: ROOT, inputs: { shard }, setup: `mkdir -p "$RUNNER_TEMP/plan" && cp "${plan}" "$RUNNER_TEMP/plan/"` });

  it('outputs the include list of the shard asked for, as compact JSON', async () => {
    for (const [i, s] of shards.slice(0, 2).entries()) {
      const run = await select(String(i));
      expect(run.conclusion, run.step.stderr).toBe('success');
      expect(run.step.outputs.include).toBe(JSON.stringify(s.include));
    }
  });

  it('fails, saying so, for a shard the plan lacks or an empty one', async () => {
    for (const shard of ['3', '2']) {
      const run = await select(shard);
      expect(run.conclusion).toBe('failure');
      expect(run.step.outputs).toEqual({});
      expect(run.commands).toContainEqual({ command: 'error', properties: { title: 'build shard' }, message: `the plan has no shard ${shard}` });
    }
  });
});

describe('reusable.yml: keeping the requested majors and platforms', () => {
  const jobs = [job('x', 16, 'gnulinux-amd64'), job('x', 16, 'musllinux-arm64'), job('x', 17, 'gnulinux-amd64'), job('x', 17, 'musllinux-arm64'), job('x', 17, 'any'), job('x', 18, 'any')];
  let plan: string;
  beforeAll(async () => {
    plan = path.join(await scratch(), 'plan.json');
    await writeFile(plan, JSON.stringify({ jobs, shards: [{ include: jobs }] }));
  });
  const select = (postgres: string, platforms: string) => runStep('reusable.yml', 'plan', 'select', { workspace: ROOT, inputs: { postgres, platforms }, steps: { plan: { plan } } });
  const platformsOf = (run: ActionRun) => (JSON.parse(run.steps.at(-1)!.outputs.jobs!) as { platform: string }[]).map((j) => j.platform);

  it('keeps every job for empty lists', async () => {
    const run = await select('[]', '[]');
    expect(run.conclusion, run.steps.at(-1)?.stderr).toBe('success');
    expect(platformsOf(run)).toEqual(jobs.map((j) => j.platform));
    expect(run.steps.at(-1)!.outputs.count).toBe('6');
    expect(run.commands).toContainEqual({ command: 'notice', properties: { title: 'trunkfarm' }, message: '6 job(s) to build' });
  });

  it('keeps the majors asked for, and on the platforms asked for, SQL-only jobs on every platform', async () => {
    expect(platformsOf(await select('[17]', '[]'))).toEqual(['pg17-gnulinux-amd64', 'pg17-musllinux-arm64', 'pg17-any']);
    expect(platformsOf(await select('[]', '["musllinux-arm64"]'))).toEqual(['pg16-musllinux-arm64', 'pg17-musllinux-arm64', 'pg17-any', 'pg18-any']);
    expect(platformsOf(await select('[16, 18]', '["gnulinux-amd64"]'))).toEqual(['pg16-gnulinux-amd64', 'pg18-any']);
    const none = await select('[15]', '[]');
    expect(none.steps.at(-1)!.outputs).toEqual({ jobs: '[]', count: '0' });
  });

  it('refuses inputs that are not JSON lists, with an annotation', async () => {
    for (const [postgres, platforms] of [['16, 17', '[]'], ['17', '[]'], ['[]', 'gnulinux-amd64']]) {
      const run = await select(postgres!, platforms!);
      expect(run.conclusion, `${postgres} ${platforms}`).toBe('failure');
      expect(run.commands.filter((c) => c.command === 'error').map((c) => c.message)).toEqual(['the postgres and platforms inputs must be JSON lists, e.g. [16, 17] and ["gnulinux-amd64"]']);
    }
  });
});

describe('reusable.yml: the artifacts and digests outputs', () => {
  const result = (name: string, status: 'built' | 'failed', closure?: boolean) => {
    const [, extension, version, platform] = /^(.+)-(\d+\.\d+\.\d+)\+(.+)$/.exec(name)!;
    return {
      job: { extension, version, platform },
      status,
      ...(closure === undefined ? {} : { closure: { ok: closure } }),
      ...(status === 'built' ? { artifacts: { trunk: { file: `${name}.trunk`, sha256: 'a'.repeat(64), size: 1234 }, oci: { digest: `sha256:${'b'.repeat(64)}` } } } : {}),
    };
  };

  it('lists each job\'s result, and maps each trunk to its digest', async () => {
    const workspace = await scratch();
    const results = [result('myext-1.0.0+pg17-gnulinux-amd64', 'built', true), result('myext-1.0.0+pg17-musllinux-arm64', 'failed', false), result('myext-1.0.0+pg16-gnulinux-amd64', 'failed')];
    for (const r of results) {
      const dir = path.join(workspace, 'out', `${r.job.extension}-${r.job.version}+${r.job.platform}`);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'result.json'), JSON.stringify(r));
    }
    // Not a job: a directory without result.json is ignored.
    await mkdir(path.join(workspace, 'out', 'oci'));
    const run = await runStep('reusable.yml', 'collect', 'collect', { workspace });
    expect(run.conclusion, run.step.stderr).toBe('success');
    const artifacts = JSON.parse(run.step.outputs.artifacts!) as Record<string, unknown>[];
    expect(artifacts).toEqual([
      { job: 'myext-1.0.0+pg16-gnulinux-amd64', status: 'failed', artifact: 'trunkfarm-build-myext-1.0.0+pg16-gnulinux-amd64', trunk: '', sha256: '', size: 0, 'oci-digest': '', closure: '' },
      { job: 'myext-1.0.0+pg17-gnulinux-amd64', status: 'built', artifact: 'trunkfarm-build-myext-1.0.0+pg17-gnulinux-amd64', trunk: 'myext-1.0.0+pg17-gnulinux-amd64.trunk', sha256: 'a'.repeat(64), size: 1234, 'oci-digest': `sha256:${'b'.repeat(64)}`, closure: 'ok' },
      { job: 'myext-1.0.0+pg17-musllinux-arm64', status: 'failed', artifact: 'trunkfarm-build-myext-1.0.0+pg17-musllinux-arm64', trunk: '', sha256: '', size: 0, 'oci-digest': '', closure: 'problems' },
    ]);
    expect(JSON.parse(run.step.outputs.digests!)).toEqual({ 'myext-1.0.0+pg17-gnulinux-amd64.trunk': `sha256:${'a'.repeat(64)}` });
  });

  it('fails when no build left a result', async () => {
    const workspace = await scratch();
    await mkdir(path.join(workspace, 'out'));
    const run = await runStep('reusable.yml', 'collect', 'collect', { workspace });
    expect(run.conclusion).toBe('failure');
    expect(run.commands).toContainEqual({ command: 'error', properties: { title: 'trunkfarm' }, message: 'no build left a result.json' });
  });
});

describe('farm.yml: fetching the published index', () => {
  const INDEX = JSON.stringify({ version: 1, generatedAt: '2025-01-01T00:00:00Z', entries: [] });
  let bin: string;
  let calls: string;
  beforeAll(async () => {
    const dir = await scratch();
    bin = path.join(dir, 'bin');
    calls = path.join(dir, 'calls');
    await mkdir(bin);
    await writeFile(path.join(dir, 'index.json'), INDEX);
    // Answers as `gh api` does: the body on stdout, or an error naming the HTTP status on stderr.
    await writeFile(
      path.join(bin, 'gh'),
      `#!/bin/bash
printf '%s\\n' "$*" >> "${calls}"
case "$FAKE_GH" in
  ok) cat "${path.join(dir, 'index.json')}" ;;
  404) echo 'gh: Not Found (HTTP 404)' >&2; exit 1 ;;
  *) echo 'gh: Server Error (HTTP 502)' >&2; exit 1 ;;
esac
`,
    );
    await chmod(path.join(bin, 'gh'), 0o755);
  });
  const fetch = async (job: 'plan' | 'site', answer: string) => {
    await writeFile(calls, '');
    return runStep('farm.yml', job, job === 'plan' ? 'index' : 'Fetch the index', { workspace: ROOT, env: { FAKE_GH: answer, PATH: `${bin}:${process.env.PATH}` } });
  };

  it('plan: outputs the file holding the index, fetched from the index branch', async () => {
    const run = await fetch('plan', 'ok');
    expect(run.conclusion, run.step.stderr).toBe('success');
    expect(run.step.outputs.file).toBe(path.join(run.temp, 'index.json'));
    expect(await readFile(run.step.outputs.file!, 'utf8')).toBe(INDEX);
    expect(await readFile(calls, 'utf8')).toBe('api -H Accept: application/vnd.github.raw+json repos/trunkfarm/trunkfarm/contents/index.json?ref=gh-pages\n');
  });

  it('plan: without an index yet (404), outputs no file, so every job is planned, and says so', async () => {
    const run = await fetch('plan', '404');
    expect(run.conclusion, run.step.stderr).toBe('success');
    expect(run.step.outputs).toEqual({});
    expect(run.commands).toContainEqual({ command: 'notice', properties: { title: 'farm' }, message: 'no index.json on gh-pages yet: planning every job' });
  });

  it('plan and site: fail on any other error, showing it', async () => {
    for (const job of ['plan', 'site'] as const) {
      const run = await fetch(job, '502');
      expect(run.conclusion, job).toBe('failure');
      expect(run.step.stderr).toContain('HTTP 502');
    }
  });

  it('site: renders from an empty index when there is none yet (404)', async () => {
    const ok = await fetch('site', 'ok');
    expect(ok.conclusion, ok.step.stderr).toBe('success');
    expect(await readFile(path.join(ok.temp, 'index.json'), 'utf8')).toBe(INDEX);
    const missing = await fetch('site', '404');
    expect(missing.conclusion, missing.step.stderr).toBe('success');
    expect(parseIndex(await readFile(path.join(missing.temp, 'index.json'), 'utf8'), 'index.json').entries).toEqual([]);
  });

  it('is skipped when extensions are named or everything is rebuilt (workflow_dispatch), so those are rebuilt in full', async () => {
    const { step } = await workflowStep('farm.yml', 'plan', 'index');
    const runs = (inputs: Record<string, unknown>) => truthy(evaluate(step.if!.replace(/^\$\{\{(.*)\}\}$/s, '$1').trim(), { inputs }));
    // push and schedule: no inputs.
    expect(runs({})).toBe(true);
    expect(runs({ extension: '', all: false })).toBe(true);
    expect(runs({ extension: 'pgvector', all: false })).toBe(false);
    expect(runs({ extension: 'pgvector postgis', all: false })).toBe(false);
    expect(runs({ extension: '', all: true })).toBe(false);
  });
});

describe('reusable.yml: finding the commit of the workflow', () => {
  const find = (job: Record<string, string>) => runStep('reusable.yml', 'plan', 'trunkfarm', { workspace: ROOT, job });
  const sha = 'c'.repeat(40);

  it('outputs the repository and the SHA of the job context', async () => {
    const run = await find({ workflow_repository: 'trunkfarm/trunkfarm', workflow_sha: sha });
    expect(run.conclusion, run.step.stderr).toBe('success');
    expect(run.step.outputs).toEqual({ repository: 'trunkfarm/trunkfarm', sha });
  });

  it('fails, saying why, where the job context lacks them (GitHub Enterprise Server)', async () => {
    for (const job of [{}, { workflow_repository: 'trunkfarm/trunkfarm', workflow_sha: 'main' }] as Record<string, string>[]) {
      const run = await find(job);
      expect(run.conclusion).toBe('failure');
      expect(run.commands.filter((c) => c.command === 'error').map((c) => c.message)).toEqual([expect.stringContaining('gives no job.workflow_repository and job.workflow_sha')]);
    }
  });
});

describe('reusable.yml: runner labels', () => {
  const jobs = [job('x', 17, 'gnulinux-amd64'), job('x', 17, 'gnulinux-arm64')];
  let plan: string;
  beforeAll(async () => {
    plan = path.join(await scratch(), 'plan.json');
    await writeFile(plan, JSON.stringify({ jobs, shards: [{ include: jobs }] }));
  });
  const runners = async (amd64: string, arm64: string) => {
    const run = await runStep('reusable.yml', 'plan', 'select', { workspace: ROOT, inputs: { postgres: '[]', platforms: '[]', 'runner-amd64': amd64, 'runner-arm64': arm64 }, steps: { plan: { plan } } });
    expect(run.conclusion, run.step.stderr).toBe('success');
    return (JSON.parse(run.step.outputs.jobs!) as { runner: string }[]).map((j) => j.runner);
  };

  it('keeps platforms.yaml\'s labels unless an input names another, per architecture', async () => {
    expect(await runners('', '')).toEqual(['ubuntu-24.04', 'ubuntu-24.04-arm']);
    expect(await runners('', 'my-arm-runner')).toEqual(['ubuntu-24.04', 'my-arm-runner']);
    expect(await runners('big-amd64', '')).toEqual(['big-amd64', 'ubuntu-24.04-arm']);
  });
});

describe('reusable.yml: choosing how to sign', () => {
  const choose = (inputs: { signing: string }, opts: { key?: string; private?: boolean; oidc?: boolean } = {}) =>
    runStep('reusable.yml', 'publish', 'signing', {
      workspace: ROOT,
      inputs,
      secrets: opts.key ? { 'signing-key': opts.key } : {},
      github: { event: { repository: { private: opts.private ?? false } } },
      env: opts.oidc === false ? {} : { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/token' },
    });
  const KEY = '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----';

  it('auto: the key when given one (written to a file only the runner user reads)', async () => {
    const run = await choose({ signing: 'auto' }, { key: KEY });
    expect(run.conclusion, run.step.stderr).toBe('success');
    expect(run.step.outputs).toMatchObject({ mode: 'key', sign: 'true', key: path.join(run.temp, 'trunkfarm-signing-key.pem') });
    expect(await readFile(run.step.outputs.key!, 'utf8')).toBe(`${KEY}\n`);
    expect((await stat(run.step.outputs.key!)).mode & 0o777).toBe(0o600);
  });

  it('auto: keyless in a public repository with an OIDC token', async () => {
    const run = await choose({ signing: 'auto' });
    expect(run.step.outputs).toEqual({ mode: 'keyless', key: '', sign: 'true' });
    expect(run.commands).toEqual([]);
  });

  it('auto: unsigned, with a notice that says why, in a private repository or without an OIDC token', async () => {
    for (const [opts, why] of [[{ private: true }, 'private repository need GitHub Enterprise Cloud'], [{ oidc: false }, 'no OIDC token']] as const) {
      const run = await choose({ signing: 'auto' }, opts);
      expect(run.conclusion, run.step.stderr).toBe('success');
      expect(run.step.outputs).toEqual({ mode: 'none', key: '', sign: 'false' });
      expect(run.commands).toEqual([{ command: 'notice', properties: { title: 'trunkfarm' }, message: expect.stringContaining(why) }]);
    }
  });

  it('key without the secret, or an unknown mode, fails saying so', async () => {
    const keyless = await choose({ signing: 'key' });
    expect(keyless.conclusion).toBe('failure');
    expect(keyless.commands.map((c) => c.message)).toEqual(['signing: key needs the signing-key secret']);
    const bad = await choose({ signing: 'sometimes' });
    expect(bad.commands.map((c) => c.message)).toEqual(['the "signing" input must be auto, keyless, key or none']);
    expect((await choose({ signing: 'none' }, { key: KEY })).step.outputs).toEqual({ mode: 'none', key: '', sign: 'false' });
  });
});
