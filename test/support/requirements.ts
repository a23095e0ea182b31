// What the test suite needs on the machine, in one list, and the check that tests call before
// using a component: a missing one fails the test with a message naming it (on Debian,
// `npm run setup` installs everything).
import { spawnSync } from 'node:child_process';

/** Commands the tests run. */
export const TOOLS = [
  'podman', 'runc', 'skopeo', 'docker-registry', 'patchelf', 'mmdebstrap', 'make', 'cmake', 'ninja',
  'gcc', 'musl-gcc', 'aarch64-linux-gnu-gcc', 'i686-linux-gnu-gcc', 's390x-linux-gnu-gcc', 'powerpc-linux-gnu-gcc', 'git', 'chromium', 'cosign', 'htpasswd', 'openssl',
];

/** Images built by scripts/local-images.sh that the container tests use. */
export const LOCAL_IMAGES = [
  'localhost/trunkfarm/builder:pg15-gnulinux-amd64',
  'localhost/trunkfarm/base:pg15-gnulinux-amd64',
  'localhost/trunkfarm/builder:pg17-gnulinux-amd64',
  'localhost/trunkfarm/base:pg17-gnulinux-amd64',
  'localhost/trunkfarm/builder:pg18-gnulinux-amd64',
  'localhost/trunkfarm/base:pg18-gnulinux-amd64',
  'localhost/trunkfarm/builder:pg17-musllinux-amd64',
  'localhost/trunkfarm/base:pg17-musllinux-amd64',
  'localhost/trunkfarm/builder:pg17-gnulinux-arm64',
  'localhost/trunkfarm/base:pg17-gnulinux-arm64',
];

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

function hasImage(image: string): boolean {
  return spawnSync('podman', ['image', 'exists', image]).status === 0;
}

export function missingRequirements(tools = TOOLS, images = LOCAL_IMAGES): string[] {
  const missing = tools.filter((t) => !hasCommand(t));
  if (images.length > 0 && !hasCommand('podman')) return [...missing, ...images];
  return [...missing, ...images.filter((i) => !hasImage(i))];
}

/** Throws, naming what is missing, unless every tool and image is here. */
export function requireComponents(tools: string[], images: string[] = []): void {
  const missing = missingRequirements(tools, images);
  if (missing.length > 0) {
    throw new Error(`this test needs ${missing.join(', ')}, which this machine lacks; on Debian, run \`npm run setup\` as root`);
  }
}
