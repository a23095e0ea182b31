// Each hardening rule, fed YAML that breaks it (it must complain, on the right line) and YAML that
// keeps it (it must not).
import { describe, expect, it } from 'vitest';
import {
  checkoutWithoutCredentials,
  compositeRunsCli,
  concurrencyGroups,
  jobTimeouts,
  leastPrivilege,
  noExpressionsInRun,
  noPullRequestTarget,
  pinnedActions,
} from './rules.ts';

const SHA = '1af3b93b6815bc44a9784bd300feb67ff0d1eeb3';
const lines = (problems: { line: number }[]) => problems.map((p) => p.line);

describe('pinnedActions', () => {
  it('accepts a SHA with a version comment, local actions and our own actions', () => {
    const yaml = `steps:
  - uses: actions/checkout@${SHA} # v6.0.0
  - uses: github/codeql-action/init@${SHA} # v3.1
  - uses: ./actions/build
  - uses: ./.trunkfarm/actions/plan
  - uses: docker://alpine@sha256:${'a'.repeat(64)}
`;
    expect(pinnedActions('w.yml', yaml)).toEqual([]);
  });

  it('lets only a starter call this repository, and only at a major release tag', () => {
    const yaml = `jobs:
  a:
    uses: trunkfarm/trunkfarm/.github/workflows/reusable.yml@v1
  b:
    steps:
      - uses: trunkfarm/trunkfarm/actions/plan@v1.2.3
      - uses: trunkfarm/trunkfarm/actions/build@main
`;
    expect(lines(pinnedActions('workflows/starter.yml', yaml))).toEqual([6, 7]);
    const inside = pinnedActions('.github/workflows/reusable.yml', yaml);
    expect(lines(inside)).toEqual([3, 6, 7]);
    expect(inside[0]!.message).toContain('by path at the workflow\'s commit');
  });

  it('rejects tags, branches, short SHAs and unpinned images, each on its line', () => {
    const yaml = `jobs:
  a:
    steps:
      - uses: actions/checkout@v6
      - uses: actions/setup-node@main
      - uses: actions/upload-artifact@b7c566a # v6.0.0
      - uses: docker://alpine:3.22
  b:
    uses: someone/else/.github/workflows/x.yml@v1
`;
    const problems = pinnedActions('w.yml', yaml);
    expect(lines(problems)).toEqual([4, 5, 6, 7, 9]);
    expect(problems[0]!.message).toContain('actions/checkout@v6');
  });

  it('wants the version beside the SHA', () => {
    const problems = pinnedActions('w.yml', `steps:\n  - uses: actions/checkout@${SHA}\n  - uses: actions/checkout@${SHA} # pinned\n`);
    expect(lines(problems)).toEqual([2, 3]);
    expect(problems[0]!.message).toMatch(/# vX\.Y\.Z/);
  });
});

describe('noExpressionsInRun', () => {
  it('flags ${{ }} in run scripts of workflows and actions, and allows it in env and with', () => {
    const yaml = `jobs:
  a:
    steps:
      - env:
          TITLE: \${{ github.event.pull_request.title }}
        run: echo "$TITLE"
      - run: echo "\${{ github.event.pull_request.title }}"
      - run: |
          echo ok
          node x.js \${{ inputs.extension }}
`;
    const problems = noExpressionsInRun('w.yml', yaml);
    expect(lines(problems)).toEqual([7, 8]);
  });
});

describe('noPullRequestTarget', () => {
  it('finds it as a scalar, in a list and as a key', () => {
    expect(noPullRequestTarget('w', 'on: pull_request_target\njobs: {}\n')).toHaveLength(1);
    expect(noPullRequestTarget('w', 'on: [push, pull_request_target]\n')).toHaveLength(1);
    expect(lines(noPullRequestTarget('w', 'on:\n  push: {}\n  pull_request_target:\n    types: [opened]\n'))).toEqual([3]);
  });

  it('leaves pull_request alone', () => {
    expect(noPullRequestTarget('w', 'on:\n  pull_request:\n    branches: [main]\n')).toEqual([]);
  });
});

describe('jobTimeouts', () => {
  it('wants timeout-minutes on jobs with steps, not on reusable-workflow calls', () => {
    const yaml = `jobs:
  fine:
    runs-on: ubuntu-24.04
    timeout-minutes: 5
    steps: [{ run: 'true' }]
  endless:
    runs-on: ubuntu-24.04
    steps: [{ run: 'true' }]
  call:
    uses: ./.github/workflows/build-shard.yml
`;
    const problems = jobTimeouts('w.yml', yaml);
    expect(lines(problems)).toEqual([6]);
    expect(problems[0]!.message).toContain('endless');
  });
});

describe('leastPrivilege', () => {
  it('accepts empty top-level permissions and scoped jobs', () => {
    const yaml = `permissions: {}
jobs:
  a:
    permissions: { contents: read }
  b:
    permissions:
      id-token: write
`;
    expect(leastPrivilege('w.yml', yaml)).toEqual([]);
  });

  it('rejects a missing top level, writes at the top, write-all and jobs without permissions', () => {
    expect(leastPrivilege('w', 'jobs:\n  a:\n    permissions: {}\n')[0]!.message).toMatch(/no top-level permissions/);
    expect(lines(leastPrivilege('w', 'permissions:\n  contents: write\njobs: {}\n'))).toEqual([2]);
    const problems = leastPrivilege('w', 'permissions: read-all\njobs:\n  a:\n    permissions: write-all\n  b:\n    runs-on: x\n');
    expect(problems.map((p) => p.line)).toEqual([1, 4, 5]);
  });
});

describe('concurrencyGroups', () => {
  it('wants a workflow-level group, except in a workflow that is only called', () => {
    expect(concurrencyGroups('w', 'on: push\njobs: {}\n')).toHaveLength(1);
    expect(concurrencyGroups('w', 'on: push\nconcurrency: x\njobs: {}\n')).toEqual([]);
    expect(concurrencyGroups('w', 'on:\n  workflow_call: {}\njobs: {}\n')).toEqual([]);
  });

  it('wants a group on each writing job of a called workflow', () => {
    const yaml = `on:
  workflow_call: {}
jobs:
  build:
    permissions: { contents: read }
  publish:
    permissions: { contents: write }
  deploy:
    permissions: { pages: write }
    concurrency: pages
`;
    expect(lines(concurrencyGroups('w', yaml))).toEqual([6]);
  });
});

describe('checkoutWithoutCredentials', () => {
  it('wants persist-credentials: false on every checkout', () => {
    const yaml = `steps:
  - uses: actions/checkout@${SHA} # v6.0.0
    with: { persist-credentials: false }
  - uses: actions/checkout@${SHA} # v6.0.0
  - uses: actions/checkout@${SHA} # v6.0.0
    with:
      persist-credentials: 'false'
`;
    expect(lines(checkoutWithoutCredentials('w', yaml))).toEqual([4, 5]);
  });
});

describe('compositeRunsCli', () => {
  const action = (steps: string) => `name: x\ndescription: x\nruns:\n  using: composite\n  steps:\n${steps}`;

  it('accepts run steps with a shell that run the bundled CLI', () => {
    expect(compositeRunsCli('a', action('    - shell: bash\n      run: node "$GITHUB_ACTION_PATH/../../dist/cli.js" plan\n'))).toEqual([]);
  });

  it('rejects a step without shell, a step that runs something else, and non-composite actions', () => {
    const problems = compositeRunsCli('a', action('    - run: node "$GITHUB_ACTION_PATH/../../dist/cli.js" plan\n    - shell: bash\n      run: npx trunkfarm plan\n'));
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [6, 'a run step without shell:'],
      [8, 'a run step that does not run node "$GITHUB_ACTION_PATH/../../dist/cli.js"'],
    ]);
    expect(compositeRunsCli('a', 'runs:\n  using: node24\n  main: index.js\n')[0]!.message).toMatch(/not composite/);
  });
});
