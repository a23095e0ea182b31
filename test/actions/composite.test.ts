// The composite-action interpreter the end-to-end tests rely on, on a scratch action that uses
// each feature: inputs and defaults, expressions in env and with, step outputs, GITHUB_ENV,
// GITHUB_PATH, the job summary, workflow commands, if: with status functions, and failure.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActionRun, evaluate, runCompositeAction, substitute } from './composite.ts';

const ACTION = `name: scratch
description: exercises the interpreter
inputs:
  who:
    description: a name
    required: true
  greeting:
    description: with a default
    default: hello
  fail:
    description: make the second step fail
    default: 'false'
  token:
    description: an expression default
    default: \${{ github.token }}
outputs:
  message:
    description: from the first step
    value: \${{ steps.first.outputs.message }}
  path-seen:
    description: from the third step
    value: \${{ steps.third.outputs.tool }}
  second:
    description: from the failing step
    value: \${{ steps.second.outputs.partial }}
runs:
  using: composite
  steps:
    - id: first
      shell: bash
      env:
        WHO: \${{ inputs.who }}
        GREETING: \${{ inputs.greeting }}
        HERE: \${{ github.action_path }}
      run: |
        echo "message=$GREETING, $WHO" >> "$GITHUB_OUTPUT"
        printf 'multi<<EOF\\na\\nb\\nEOF\\n' >> "$GITHUB_OUTPUT"
        echo "FROM_FIRST=carried" >> "$GITHUB_ENV"
        echo "$HERE/bin" >> "$GITHUB_PATH"
        echo "### first" >> "$GITHUB_STEP_SUMMARY"
        echo "::warning file=x.yaml,line=2::careful%0Anow"
        test "$INPUT_WHO" = "$WHO"
    - id: second
      shell: sh
      env:
        PREVIOUS: \${{ steps.first.outputs.message }}
        CARRIED: \${{ env.FROM_FIRST }}
        FAIL: \${{ inputs.fail }}
        TOKEN: \${{ inputs.token }}
      run: |
        echo "partial=$PREVIOUS/$CARRIED/$TOKEN" >> "$GITHUB_OUTPUT"
        if [ "$FAIL" = true ]; then exit 7; fi
    - id: third
      if: inputs.fail != 'true'
      shell: bash
      run: echo "tool=$(tool)" >> "$GITHUB_OUTPUT"
    - id: cleanup
      if: always()
      shell: bash
      run: echo "cleanup ran" >> "$GITHUB_STEP_SUMMARY"
    - id: on-failure
      if: \${{ failure() }}
      shell: bash
      run: echo "failure seen" >> "$GITHUB_STEP_SUMMARY"
`;

describe('runCompositeAction', () => {
  let dir: string;
  const runs: ActionRun[] = [];
  const run = async (inputs: Record<string, string>) => {
    const r = await runCompositeAction(dir, { workspace: dir, with: inputs, github: { token: 'tok' } });
    runs.push(r);
    return r;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'trunkfarm-composite-'));
    await writeFile(path.join(dir, 'action.yml'), ACTION);
    await mkdir(path.join(dir, 'bin'));
    await writeFile(path.join(dir, 'bin/tool'), '#!/bin/sh\necho tool-on-path\n');
    await chmod(path.join(dir, 'bin/tool'), 0o755);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    for (const r of runs) await rm(r.temp, { recursive: true, force: true });
  });

  it('passes inputs, outputs, env and path from step to step, and collects the summary and commands', async () => {
    const r = await run({ who: '${{ github.repository_owner }}' });
    expect(r.conclusion, r.steps.map((s) => s.stderr).join('')).toBe('success');
    expect(r.outputs).toEqual({ message: 'hello, trunkfarm', 'path-seen': 'tool-on-path', second: 'hello, trunkfarm/carried/tok' });
    expect(r.steps[0]!.outputs.multi).toBe('a\nb');
    expect(r.steps.map((s) => s.outcome)).toEqual(['success', 'success', 'success', 'success', 'skipped']);
    expect(r.summary).toBe('### first\ncleanup ran\n');
    expect(r.commands).toEqual([{ command: 'warning', properties: { file: 'x.yaml', line: '2' }, message: 'careful\nnow' }]);
  });

  it('stops at a failed step: later steps run only under always() or failure(), outputs still evaluate', async () => {
    const r = await run({ who: 'x', fail: 'true' });
    expect(r.conclusion).toBe('failure');
    expect(r.steps.map((s) => [s.id, s.outcome])).toEqual([['first', 'success'], ['second', 'failure'], ['third', 'skipped'], ['cleanup', 'success'], ['on-failure', 'success']]);
    expect(r.steps[1]!.exitCode).toBe(7);
    expect(r.outputs.second).toBe('hello, x/carried/tok');
    expect(r.outputs['path-seen']).toBe('');
    expect(r.summary).toBe('### first\ncleanup ran\nfailure seen\n');
  });

  it('refuses unknown and missing inputs', async () => {
    await expect(runCompositeAction(dir, { workspace: dir, with: { who: 'x', whom: 'y' } })).rejects.toThrow('unexpected input "whom"');
    await expect(runCompositeAction(dir, { workspace: dir, with: {} })).rejects.toThrow('input "who" is required');
  });
});

describe('expressions', () => {
  it('evaluates as GitHub does', () => {
    const ctx = { inputs: { n: '3', s: '' }, steps: { a: { outputs: { j: '[1,2]' } } } };
    expect(substitute('n=${{ inputs.n }} j=${{ fromJSON(steps.a.outputs.j)[1] }} s=${{ inputs.s || \'none\' }}', ctx)).toBe('n=3 j=2 s=none');
    expect(evaluate("inputs.n == 3 && startsWith('trunkfarm', 'trunk')", ctx).coerceString()).toBe('true');
    expect(substitute('${{ steps.missing.outputs.x }}', ctx)).toBe('');
  });
});
