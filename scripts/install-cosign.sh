#!/usr/bin/env bash
# Installs cosign, the independent verifier the signing tests cross-check our bundles with.
# Debian bookworm has no cosign package; trixie's is a static Go binary that needs only libc6, so
# fetch that one .deb through a throw-away apt configuration (the machine's own sources and state
# are left untouched) and install it with dpkg. Idempotent; needs root.
set -euo pipefail

SUITE="${COSIGN_SUITE:-trixie}"

if command -v cosign >/dev/null 2>&1; then
  echo "cosign already installed: $(cosign version 2>/dev/null | awk '/GitVersion/{print $2}')"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-cosign.sh: must run as root (it installs a .deb with dpkg)" >&2
  exit 1
fi

# The mirror the machine already uses, from deb822 sources or the one-line format.
mirror=""
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  mirror=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' "$f")
  [ -n "$mirror" ] && break
done
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
  mirror=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' /etc/apt/sources.list)
fi
if [ -z "$mirror" ]; then
  echo "install-cosign.sh: no Debian mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $SUITE main" >"$work/sources.list"
apt_opts=(
  -o "Dir::Etc::sourcelist=$work/sources.list"
  -o "Dir::Etc::sourceparts=/nonexistent"
  -o "Dir::State::Lists=$work/lists"
  -o "Dir::Cache=$work/cache"
  -o "APT::Sandbox::User=root"
)
apt-get "${apt_opts[@]}" update -qq
(cd "$work" && apt-get "${apt_opts[@]}" download cosign)
# apt-get (not dpkg) so a concurrent apt or dpkg run is waited for rather than failing.
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 "$work"/cosign_*.deb
cosign version | awk '/GitVersion/{print "installed cosign " $2}'
