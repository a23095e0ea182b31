// Before any test, in CI (or with TRUNKFARM_SETUP=1): make sure the real components the suite
// uses are here, setting them up on Debian as root through scripts/setup-debian.sh. Tests that
// need a component also check for it themselves (test/support/requirements.ts) and fail with a
// message naming what is missing: never a silent skip that reports green.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { missingRequirements } from './requirements.ts';

export default function setup(): () => void {
  // Jobs built once per run and shared by the test files that need them (test/support/build.ts);
  // a directory given in TRUNKFARM_TEST_BUILDS is kept from run to run instead.
  const given = process.env.TRUNKFARM_TEST_BUILDS;
  const builds = given || mkdtempSync(path.join(tmpdir(), 'trunkfarm-test-builds-'));
  process.env.TRUNKFARM_TEST_BUILDS = builds;
  const teardown = () => (given ? undefined : rmSync(builds, { recursive: true, force: true }));
  prepareMachine();
  return teardown;
}

function prepareMachine(): void {
  if (process.env.CI !== 'true' && process.env.TRUNKFARM_SETUP !== '1') return;
  const missing = missingRequirements();
  if (missing.length === 0) return;
  if (!existsSync('/etc/debian_version') || process.getuid?.() !== 0) {
    throw new Error(`the test suite needs these, which are missing:\n  ${missing.join('\n  ')}\nOn Debian, run \`npm run setup\` as root.`);
  }
  process.stderr.write(`setting up the test machine (missing: ${missing.join(', ')})\n`);
  execFileSync('bash', ['scripts/setup-debian.sh'], { stdio: 'inherit' });
}
