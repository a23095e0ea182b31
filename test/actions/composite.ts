// Runs a composite action's steps the way GitHub's runner does, for the subset trunkfarm's actions
// use: inputs (defaults, `with:`, INPUT_* variables), `${{ }}` expressions in `with:`, `env:`, `if:`
// and `outputs:` evaluated by GitHub's own expression library (@actions/expressions), `run:` steps
// with their shell, GITHUB_ACTION_PATH, and the runner files GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH
// and GITHUB_STEP_SUMMARY. Workflow commands in a step's output, stdout or stderr (`::error ...::`,
// `::group::`), are parsed, as the runner does, into annotations and groups. A `uses:` step is refused: none of our
// actions nests another, and pretending to run one would prove nothing.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';
import { truthy } from '@actions/expressions/result';
import { parse as parseYaml } from 'yaml';

interface ActionFile {
  inputs?: Record<string, { default?: string; required?: boolean }>;
  outputs?: Record<string, { value: string }>;
  runs: { using: string; steps: StepDef[] };
}

interface StepDef {
  id?: string;
  name?: string;
  if?: string;
  shell?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
  'working-directory'?: string;
}

export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

export interface StepRun {
  id: string;
  outcome: 'success' | 'failure' | 'skipped';
  exitCode: number | null;
  outputs: Record<string, string>;
  stdout: string;
  stderr: string;
}

export interface ActionRun {
  conclusion: 'success' | 'failure';
  outputs: Record<string, string>;
  steps: StepRun[];
  /** The job summary: every step's GITHUB_STEP_SUMMARY, in order. */
  summary: string;
  /** Workflow commands the steps printed (annotations, groups, ...). */
  commands: WorkflowCommand[];
  /** RUNNER_TEMP of this run (the caller removes it). */
  temp: string;
}

export interface RunActionOptions {
  /** `with:` of the calling step. Values may hold expressions, evaluated in the caller's context. */
  with?: Record<string, string>;
  /** The job's environment (the runner's and the workflow's `env:`), over a clean base. */
  env?: Record<string, string>;
  /** GITHUB_WORKSPACE, the steps' working directory. */
  workspace: string;
  /** `github` context entries beyond those derived here (repository, token, event, ...). */
  github?: Record<string, unknown>;
  /** Further contexts of the calling job (`job`, `secrets`, `needs`), for expressions that read them. */
  contexts?: Record<string, unknown>;
  /** Echo each step's output to this process's stderr as it runs (for long steps). */
  echo?: boolean;
}

const CONTEXTS = ['inputs', 'github', 'env', 'steps', 'runner', 'job', 'matrix', 'strategy', 'needs', 'secrets', 'vars'];

/** The status functions of `if:`; a composite step runs after success unless told otherwise. */
function statusFunctions(failed: boolean): Map<string, FunctionDefinition> {
  const fn = (name: string, value: boolean): [string, FunctionDefinition] => [name, { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(value) }];
  return new Map([fn('success', !failed), fn('failure', failed), fn('always', true), fn('cancelled', false)]);
}

export function evaluate(expression: string, context: Record<string, unknown>, failed = false): data.ExpressionData {
  const functions = statusFunctions(failed);
  const lexed = new Lexer(expression).lex();
  const parsed = new Parser(lexed.tokens, CONTEXTS, [...functions.values()]).parse();
  const dict = JSON.parse(JSON.stringify(context), data.reviver) as data.Dictionary;
  return new Evaluator(parsed, dict, functions).evaluate();
}

/** Replaces each `${{ expr }}` in a string by its value, as the runner does for `with:` and `env:`. */
export function substitute(text: string, context: Record<string, unknown>): string {
  return text.replace(/\$\{\{(.*?)\}\}/gs, (_, expr: string) => evaluate(expr.trim(), context).coerceString());
}

/** Whether an `if:` holds; `${{ }}` around it is optional, and a condition without a status
 * function implies success(). */
function condition(text: string | undefined, context: Record<string, unknown>, failed: boolean): boolean {
  if (text === undefined) return !failed;
  const expr = text.trim().replace(/^\$\{\{(.*)\}\}$/s, '$1').trim();
  const hasStatus = /\b(success|failure|always|cancelled)\s*\(/.test(expr);
  return truthy(evaluate(hasStatus ? expr : `success() && (${expr})`, context, failed));
}

/** Parses a GITHUB_OUTPUT or GITHUB_ENV file: `name=value` lines and `name<<DELIMITER` blocks. */
export function parseKeyValueFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]!);
      if (i >= lines.length) throw new Error(`unterminated ${name}<<${delimiter} block`);
      out[name!] = value.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`not name=value or name<<DELIMITER: ${JSON.stringify(line)}`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

const unescapeData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProperty = (s: string) => unescapeData(s).replace(/%3A/g, ':').replace(/%2C/g, ',');

/** The runner's workflow commands: `::name key=value,key=value::message` lines. */
export function parseCommands(output: string): WorkflowCommand[] {
  const commands: WorkflowCommand[] = [];
  for (const line of output.split(/\r?\n/)) {
    const m = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) continue;
    const properties: Record<string, string> = {};
    for (const pair of (m[2] ?? '').split(',').filter(Boolean)) {
      const eq = pair.indexOf('=');
      if (eq > 0) properties[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1));
    }
    commands.push({ command: m[1]!, properties, message: unescapeData(m[3]!) });
  }
  return commands;
}

/** The runner's default shells: `bash --noprofile --norc -eo pipefail {0}` and `sh -e {0}`. */
function shellCommand(shell: string, script: string): [string, string[]] {
  switch (shell) {
    case 'bash':
      return ['bash', ['--noprofile', '--norc', '-eo', 'pipefail', script]];
    case 'sh':
      return ['sh', ['-e', script]];
    default:
      throw new Error(`shell "${shell}" is not one this interpreter runs (bash, sh)`);
  }
}

function run(cmd: string, args: string[], opts: { cwd: string; env: Record<string, string>; echo: boolean }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => (out.push(b), opts.echo && process.stderr.write(b)));
    child.stderr.on('data', (b: Buffer) => (err.push(b), opts.echo && process.stderr.write(b)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
  });
}

/** The environment a runner gives a step, without this machine's own GitHub variables. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(GITHUB_|RUNNER_|INPUT_|ACTIONS_)/.test(k)) env[k] = v;
  }
  return env;
}

export async function runCompositeAction(actionDir: string, options: RunActionOptions): Promise<ActionRun> {
  const action = parseYaml(await readFile(path.join(actionDir, 'action.yml'), 'utf8')) as ActionFile;
  if (action.runs?.using !== 'composite') throw new Error(`${actionDir}: not a composite action`);
  const temp = await mkdtemp(path.join(tmpdir(), 'trunkfarm-runner-'));
  const github: Record<string, unknown> = {
    action_path: path.resolve(actionDir),
    workspace: options.workspace,
    repository: 'trunkfarm/trunkfarm',
    repository_owner: 'trunkfarm',
    token: 'test-token',
    event_name: 'workflow_dispatch',
    ...options.github,
  };
  const runner = { temp, os: 'Linux', arch: process.arch === 'arm64' ? 'ARM64' : 'X64' };
  const jobEnv: Record<string, string> = { ...options.env };
  const callerContext = { ...options.contexts, github, runner, env: jobEnv };

  // Inputs: `with:` (evaluated in the caller's context), else the default (in the action's).
  const inputs: Record<string, string> = {};
  const declared = action.inputs ?? {};
  for (const name of Object.keys(options.with ?? {})) {
    if (!(name in declared)) throw new Error(`${actionDir}: unexpected input "${name}"`);
  }
  for (const [name, def] of Object.entries(declared)) {
    const given = options.with?.[name];
    if (given !== undefined) inputs[name] = substitute(given, callerContext);
    else if (def.default !== undefined) inputs[name] = substitute(String(def.default), { github, runner, env: jobEnv });
    else if (def.required) throw new Error(`${actionDir}: input "${name}" is required`);
    else inputs[name] = '';
  }

  const steps: Record<string, { outputs: Record<string, string>; outcome: string; conclusion: string }> = {};
  const runs: StepRun[] = [];
  const commands: WorkflowCommand[] = [];
  const summaries: string[] = [];
  const extraPath: string[] = [];
  let failed = false;

  for (const [index, step] of action.runs.steps.entries()) {
    const id = step.id ?? `__${index}`;
    const context = () => ({ ...options.contexts, inputs, github, runner, env: jobEnv, steps });
    if (step.uses) throw new Error(`${actionDir}: step ${id} uses ${step.uses}; this interpreter runs only run: steps`);
    if (!step.run) throw new Error(`${actionDir}: step ${id} has neither run nor uses`);
    if (!step.shell) throw new Error(`${actionDir}: step ${id} has no shell (a composite run step must name one)`);
    if (!condition(step.if, context(), failed)) {
      steps[id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
      runs.push({ id, outcome: 'skipped', exitCode: null, outputs: {}, stdout: '', stderr: '' });
      continue;
    }
    const files = { output: path.join(temp, `output-${index}`), env: path.join(temp, `env-${index}`), path: path.join(temp, `path-${index}`), summary: path.join(temp, `summary-${index}`) };
    for (const f of Object.values(files)) await writeFile(f, '');
    const script = path.join(temp, `step-${index}.sh`);
    // The runner substitutes expressions in run: too; our rules forbid them there, so a leftover
    // `${{` would reach the shell verbatim and fail loudly.
    await writeFile(script, step.run);
    const stepEnv: Record<string, string> = {};
    for (const [k, v] of Object.entries(step.env ?? {})) stepEnv[k] = substitute(String(v), context());
    const env: Record<string, string> = {
      ...baseEnv(),
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: options.workspace,
      GITHUB_REPOSITORY: String(github.repository),
      GITHUB_EVENT_NAME: String(github.event_name),
      GITHUB_ACTION_PATH: String(github.action_path),
      GITHUB_OUTPUT: files.output,
      GITHUB_ENV: files.env,
      GITHUB_PATH: files.path,
      GITHUB_STEP_SUMMARY: files.summary,
      RUNNER_TEMP: temp,
      RUNNER_OS: runner.os,
      ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.replace(/ /g, '_').toUpperCase()}`, v])),
      ...jobEnv,
      ...stepEnv,
    };
    if (extraPath.length > 0) env.PATH = [...extraPath, env.PATH ?? ''].join(path.delimiter);
    const [cmd, args] = shellCommand(step.shell, script);
    const cwd = step['working-directory'] ? path.resolve(options.workspace, substitute(step['working-directory'], context())) : options.workspace;
    const result = await run(cmd, args, { cwd, env, echo: options.echo ?? false });
    const outputs = parseKeyValueFile(await readFile(files.output, 'utf8'));
    Object.assign(jobEnv, parseKeyValueFile(await readFile(files.env, 'utf8')));
    extraPath.unshift(...(await readFile(files.path, 'utf8')).split('\n').filter(Boolean).reverse());
    summaries.push(await readFile(files.summary, 'utf8'));
    // The runner reads workflow commands from both streams (the build's log groups go to stderr).
    commands.push(...parseCommands(result.stdout), ...parseCommands(result.stderr));
    const outcome = result.code === 0 ? 'success' : 'failure';
    if (outcome === 'failure') failed = true;
    steps[id] = { outputs, outcome, conclusion: outcome };
    runs.push({ id, outcome, exitCode: result.code, outputs, stdout: result.stdout, stderr: result.stderr });
  }

  // Outputs are evaluated after the steps, failed ones included, as the runner does.
  const outputs: Record<string, string> = {};
  for (const [name, def] of Object.entries(action.outputs ?? {})) outputs[name] = substitute(def.value, { inputs, github, runner, env: jobEnv, steps });
  return { conclusion: failed ? 'failure' : 'success', outputs, steps: runs, summary: summaries.join(''), commands, temp };
}
