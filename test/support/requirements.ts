// What the test suite needs on the machine: the one list that the global set-up checks.

/** Commands the tests run. */
export const TOOLS = [
  'podman', 'runc', 'skopeo', 'docker-registry', 'patchelf', 'mmdebstrap',
  'gcc', 'musl-gcc', 'aarch64-linux-gnu-gcc', 'git', 'chromium',
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
