// Before any test: make sure the real components the suite uses are here. On Debian as root it
// sets them up (as CI does, through scripts/setup-debian.sh); anywhere else it stops and names
// what is missing. Never a silent skip that reports green.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { LOCAL_IMAGES, TOOLS } from './requirements.ts';

function missingTools(): string[] {
  return TOOLS.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
}

function missingImages(): string[] {
  if (spawnSync('sh', ['-c', 'command -v podman']).status !== 0) return [...LOCAL_IMAGES];
  return LOCAL_IMAGES.filter((image) => spawnSync('podman', ['image', 'exists', image]).status !== 0);
}

function canSetUp(): boolean {
  const debian = existsSync('/etc/debian_version') || /ID(_LIKE)?=.*debian/.test(readFileSync('/etc/os-release', 'utf8'));
  return debian && process.getuid?.() === 0;
}

export default function setup(): void {
  let tools = missingTools();
  let images = missingImages();
  if (tools.length === 0 && images.length === 0) return;
  if (canSetUp()) {
    process.stderr.write(`setting up the test machine (missing: ${[...tools, ...images].join(', ')})\n`);
    execFileSync('bash', ['scripts/setup-debian.sh'], { stdio: 'inherit' });
    tools = missingTools();
    images = missingImages();
  }
  if (tools.length > 0 || images.length > 0) {
    throw new Error(
      `the test suite needs these, which are missing:\n  ${[...tools, ...images].join('\n  ')}\n` +
        'On Debian, run `npm run setup` as root (scripts/setup-debian.sh) to install them.',
    );
  }
}
