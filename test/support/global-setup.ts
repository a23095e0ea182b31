// Before the tests: a folder for the jobs built once per run, and, before the slow tests (podman,
// the local images, the registry, Chromium), one check that the machine has everything they use.
// What is missing is an error that names it and the command that installs it (the README's
// `npm run setup && npm test` does both), never a skip that reports green. Single tests check
// what they use too (test/support/requirements.ts), for runs outside vitest's projects.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { missingRequirements } from './requirements.ts';

export default function setup(project: TestProject): () => void {
  // Jobs built once per run and shared by the test files that need them (test/support/build.ts);
  // a directory given in TRUNKFARM_TEST_BUILDS is kept from run to run instead.
  const given = process.env.TRUNKFARM_TEST_BUILDS;
  const builds = given || mkdtempSync(path.join(tmpdir(), 'trunkfarm-test-builds-'));
  process.env.TRUNKFARM_TEST_BUILDS = builds;
  if (project.name === 'slow') requireSetUp();
  return () => (given ? undefined : rmSync(builds, { recursive: true, force: true }));
}

function requireSetUp(): void {
  const missing = missingRequirements();
  if (missing.length === 0) return;
  throw new Error(
    `the slow tests (*.slow.test.ts) need these, which this machine lacks:\n  ${missing.join('\n  ')}\n` +
      'On Debian, as root, `npm run setup` installs them all (the local images take the longest: up to an hour on two busy cores; ' +
      '`npm run setup -- --only PLATFORM` builds one platform\'s), then run the tests again; ' +
      '`npm run setup && npm test` does both. `npm run test:fast` runs the tests that need none of them.',
  );
}
