#!/usr/bin/env bash
# Prepare a Debian bookworm machine, as root, for trunkfarm's builds and tests as CI does: container
# tools, musl and cross compilers, arm64 emulation, then scripts/local-images.sh. Idempotent; quiet
# unless something fails, bar the progress of images being built. The podman configuration suits a
# root-run test machine without systemd; a containers.conf not ours is kept as *.before-trunkfarm.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LOG=${TRUNKFARM_SETUP_LOG:-/var/tmp/trunkfarm-setup.log}

# One group a line: add to the line whose tests need it.
PACKAGES=(
  podman runc skopeo uidmap docker-registry docker.io
  mmdebstrap arch-test qemu-user-static binfmt-support
  build-essential cmake ninja-build
  patchelf pax-utils binutils musl-tools gcc-aarch64-linux-gnu libc6-dev-arm64-cross
  jq curl ca-certificates git xz-utils bzip2 debian-archive-keyring
  postgresql-15 apache2-utils openssl python3-pyelftools
  gcc-i686-linux-gnu libc6-dev-i386-cross gcc-s390x-linux-gnu libc6-dev-s390x-cross
  gcc-powerpc-linux-gnu libc6-dev-powerpc-cross
)

die() { printf 'setup-debian: %s\n' "$*" >&2; exit 1; }

# run NAME COMMAND...: output to the log; on failure name the step and show the end of the log.
run() {
  local name=$1 rc=0
  shift
  printf '\n== %s: %s\n' "$name" "$*" >> "$LOG"
  "$@" >> "$LOG" 2>&1 || rc=$?
  if ((rc != 0)); then
    printf 'setup-debian: FAILED at step "%s" (exit %d); last lines of %s:\n' "$name" "$rc" "$LOG" >&2
    tail -n 30 "$LOG" | sed 's/^/  | /' >&2
    exit 1
  fi
}

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  export DEBIAN_FRONTEND=noninteractive
  run "apt-get update" apt-get -q update
  run "apt-get install ${missing[*]}" apt-get -q install -y --no-install-recommends "${missing[@]}"
}

CONF=/etc/containers/containers.conf
MARK='# trunkfarm: scripts/setup-debian.sh'
containers_conf() {
  local want
  want=$(cat <<EOF
$MARK
[containers]
default_ulimits = []

[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
events_logger = "file"
EOF
)
  if [[ -f "$CONF" ]]; then
    [[ "$(cat "$CONF")" == "$want" ]] && return 0
    head -n 1 "$CONF" | grep -qxF "$MARK" || cp -p "$CONF" "$CONF.before-trunkfarm"
  fi
  mkdir -p "$(dirname "$CONF")"
  printf '%s\n' "$want" > "$CONF.tmp"
  mv "$CONF.tmp" "$CONF"
}

# arm64 containers run through qemu-aarch64-static. The F flag (fix binary) makes the kernel open
# the interpreter at registration, so that it works inside containers and chroots too.
binfmt_arm64() {
  local dir=/proc/sys/fs/binfmt_misc entry=/proc/sys/fs/binfmt_misc/qemu-aarch64
  if ! mountpoint -q "$dir"; then
    run "mount binfmt_misc" mount -t binfmt_misc binfmt_misc "$dir"
  fi
  if [[ ! -e "$entry" ]]; then
    if ! update-binfmts --enable qemu-aarch64 >> "$LOG" 2>&1 || [[ ! -e "$entry" ]]; then
      [[ -e "$entry" ]] || run "register qemu-aarch64" sh -c \
        'cat /usr/lib/binfmt.d/qemu-aarch64.conf > /proc/sys/fs/binfmt_misc/register'
    fi
  fi
  grep -qx enabled "$entry" || die "qemu-aarch64 is registered but disabled in $entry"
  grep -q '^flags:.*F' "$entry" || die "qemu-aarch64 is registered without the F flag (see $entry): containers cannot find the interpreter"
  run "run an arm64 program" /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 --version
}

# Tests start registries of their own on loopback ports; the packaged service would hold :5000.
stop_registry_service() {
  if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
    if systemctl is-enabled --quiet docker-registry 2>/dev/null || systemctl is-active --quiet docker-registry; then
      run "stop docker-registry service" systemctl disable --now docker-registry
    fi
  elif [[ -x /etc/init.d/docker-registry ]]; then
    if /etc/init.d/docker-registry status >/dev/null 2>&1; then
      run "stop docker-registry service" /etc/init.d/docker-registry stop
    fi
  fi
  if start-stop-daemon --status --exec /usr/bin/docker-registry 2>/dev/null; then
    run "stop docker-registry" start-stop-daemon --stop --retry 5 --exec /usr/bin/docker-registry
  fi
}

main() {
  ((EUID == 0)) || die "run as root"
  [[ -r /etc/debian_version ]] || die "this script sets up Debian machines only"
  # Concurrent runs would race for apt's lock.
  exec 8> /var/lock/trunkfarm-setup.lock
  flock 8
  : > "$LOG"
  install_packages
  containers_conf
  binfmt_arm64
  stop_registry_service
  run "podman info" podman info
  # Tools that come from elsewhere than bookworm's archive or need their own steps: downloads
  # mostly, made while the images build (CPU and disk mostly).
  local tools
  (
    run "chromium" "$HERE/install-chromium.sh"
    command -v cosign >/dev/null || run "cosign" "$HERE/install-cosign.sh"
  ) &
  tools=$!
  local rc=0
  "$HERE/local-images.sh" "$@" || rc=$?
  wait "$tools" || rc=1
  ((rc == 0)) && printf 'setup-debian: machine ready in %ds (log %s)\n' "$SECONDS" "$LOG"
  return "$rc"
}

main "$@"; exit $?
