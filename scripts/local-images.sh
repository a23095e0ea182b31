#!/usr/bin/env bash
# Build trunkfarm's builder and base images locally, from Debian's packages, where no image
# registry can be reached.
#
# On GitHub, matrix/platforms.yaml names public images pinned by digest: Debian-based PostgreSQL
# images (PGDG packages) for glibc, and for musl the official Alpine-based postgres:NN-alpine
# images, in which PostgreSQL is compiled against Alpine's musl with prefix /usr/local and
# extensions build with Alpine's own gcc (build dependencies come from `apk add`, as musl
# packages). This script builds equivalents, tagged localhost/trunkfarm/{builder,base}:PLATFORM:
#
#   glibc  mmdebstrap rootfs of bookworm (PostgreSQL 15), trixie (17) or sid (18), for amd64 or,
#          through qemu-user-static, arm64. The builder has postgresql-NN, postgresql-server-dev-NN
#          and the build tools; the base has postgresql-NN alone, the runtime.
#   musl   PostgreSQL 17 compiled from Debian's postgresql-17 source package (its upstream tarball)
#          with musl-gcc, installed under /usr/local as in postgres:17-alpine. The builder is a
#          trixie rootfs with musl-tools and pg_config --cc = musl-gcc, so PGXS builds extensions
#          against musl; the base is a trixie minbase rootfs with musl's loader and that
#          PostgreSQL, whose /etc/ld-musl-x86_64.path lists musl libraries only. Build
#          dependencies installed with apt-get in this builder are glibc libraries: extensions
#          that need more than libc get them from Alpine on GitHub.
#
# Every image carries /etc/trunkfarm/image.json ({role, platform, pg, libc, arch, bindir,
# pg_config, pkglibdir, sharedir, ...}) and the same facts as org.trunkfarm.* labels, and runs
# PostgreSQL as the user postgres:
#   podman run --rm --user postgres IMAGE sh -c \
#     '$BINDIR/initdb -D /tmp/pgdata && $BINDIR/pg_ctl -D /tmp/pgdata -o "-k /tmp" -w start && ...'
# The Debian mirror is the one this machine's apt uses (scripts/lib/debian-mirror.sh). apt lists
# are not kept in the images: run `apt-get update` before installing build dependencies.
#
# Usage: scripts/local-images.sh [--only NAME...] [--list] [--rebuild]
#   NAME is a platform (both images, e.g. pg17-musllinux-amd64) or ROLE:PLATFORM (builder:pg15-gnulinux-amd64).
#   Images that exist already are left alone unless --rebuild. Needs root, mmdebstrap, podman, jq
#   (scripts/setup-debian.sh installs them). Work files go to $TRUNKFARM_IMAGES_WORK
#   (default /var/tmp/trunkfarm-images), logs to its logs/ folder.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/debian-mirror.sh
source "$HERE/lib/debian-mirror.sh"
# shellcheck source=lib/postgres-source.sh
source "$HERE/lib/postgres-source.sh"
HOOKS="$HERE/lib/image-hooks.sh"

PREFIX=localhost/trunkfarm
WORK=${TRUNKFARM_IMAGES_WORK:-/var/tmp/trunkfarm-images}
LOGS="$WORK/logs"

# platform suite arch libc pg
PLATFORMS=(
  "pg15-gnulinux-amd64 bookworm amd64 glibc 15"
  "pg17-gnulinux-amd64 trixie amd64 glibc 17"
  "pg18-gnulinux-amd64 sid amd64 glibc 18"
  "pg17-gnulinux-arm64 trixie arm64 glibc 17"
  "pg17-musllinux-amd64 trixie amd64 musl 17"
)
BUILD_TOOLS="build-essential,ca-certificates,pkgconf,cmake,meson"

DPKG_OPTS=(
  --dpkgopt='path-exclude=/usr/share/man/*'
  --dpkgopt='path-exclude=/usr/share/doc/*'
  --dpkgopt='path-include=/usr/share/doc/*/copyright'
  --dpkgopt='path-exclude=/usr/share/locale/*'
  --dpkgopt='path-include=/usr/share/locale/locale.alias'
)

say() { printf 'local-images: %s\n' "$*"; }
die() { printf 'local-images: %s\n' "$*" >&2; exit 1; }

usage() {
  echo "usage: scripts/local-images.sh [--only NAME...] [--list] [--rebuild]"
  echo "  NAME: a platform (pg17-musllinux-amd64) or ROLE:PLATFORM (builder:pg15-gnulinux-amd64)"
}

# step NAME LOG COMMAND...: run COMMAND with its output in LOG; on failure name the step and show
# the end of the log.
step() {
  local name=$1 log=$2
  shift 2
  printf '\n== %s: %s\n' "$name" "$*" >> "$log"
  local rc=0
  "$@" >> "$log" 2>&1 || rc=$?
  if ((rc != 0)); then
    printf 'local-images: FAILED at step "%s" (exit %d); last lines of %s:\n' "$name" "$rc" "$log" >&2
    tail -n 40 "$log" | sed 's/^/  | /' >&2
    exit 1
  fi
}

image_exists() { podman image exists "$1"; }

# The PostgreSQL install of the musl builder image, minus what only builds need.
musl_stage_from_builder() {
  local builder=$1 stage=$2 ctr
  remove_rootfs "$stage"; mkdir -p "$stage"
  ctr=$(podman create "$builder" true)
  podman cp "$ctr:/usr/local/." "$stage/" || { podman rm -f "$ctr" >/dev/null; return 1; }
  podman rm -f "$ctr" >/dev/null
  # /usr/local holds Debian's empty folders too (python3's dist-packages, ca-certificates): keep
  # only PostgreSQL's files.
  find "$stage" -mindepth 1 -maxdepth 1 ! -name bin ! -name lib ! -name share -exec rm -rf {} +
  find "$stage/lib" -mindepth 1 -maxdepth 1 ! -name 'lib*.so*' ! -name postgresql -exec rm -rf {} +
  find "$stage/share" -mindepth 1 -maxdepth 1 ! -name postgresql -exec rm -rf {} +
  rm -rf "$stage/lib/postgresql/pgxs"
}

# Import a rootfs directory as an image, with the facts of its image.json as labels and PATH.
import_rootfs() {
  local dir=$1 ref=$2 arch=$3 json="$1/etc/trunkfarm/image.json"
  local bindir changes=() key
  bindir=$(jq -r .bindir "$json")
  for key in role platform pg pg_version libc arch bindir pg_config pkglibdir sharedir; do
    changes+=(--change "LABEL org.trunkfarm.$key=$(jq -r ".$key" "$json")")
  done
  changes+=(
    --change "ENV PATH=$bindir:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    --change "ENV LANG=C.UTF-8"
    --change 'CMD ["/bin/bash"]'
  )
  tar -C "$dir" --numeric-owner --xattrs -cf - . |
    podman import --quiet --os linux --arch "$arch" "${changes[@]}" - "$ref"
}

# What every image promises, checked on the imported image before it gets its real tag.
verify_image() {
  local ref=$1 role=$2 libc=$3 arch=$4 bindir
  bindir=$(podman image inspect --format '{{index .Labels "org.trunkfarm.bindir"}}' "$ref")
  local run=(podman run --rm --network none --platform "linux/$arch")
  if [[ "$role" == base ]]; then
    "${run[@]}" --user postgres "$ref" sh -ec '
      test "$(id -un)" = postgres
      "$1/initdb" -D /tmp/pgdata -A trust -U postgres >/dev/null
      "$1/pg_ctl" -D /tmp/pgdata -l /tmp/pg.log -o "-k /tmp -c listen_addresses=" -w start >/dev/null
      "$1/psql" -h /tmp -U postgres -d postgres -Atc "select version()"
      "$1/pg_ctl" -D /tmp/pgdata -m fast -w stop >/dev/null' sh "$bindir"
  else
    "${run[@]}" "$ref" sh -ec '
      pg_config --version
      cc=$(pg_config --cc)
      case "$2" in musl) test "$cc" = musl-gcc ;; esac
      echo "int main(void) { return 0; }" > /tmp/t.c
      $cc -o /tmp/t /tmp/t.c && /tmp/t
      test -f "$(pg_config --pgxs)"' sh "$bindir" "$libc"
  fi
}

# build_image ROLE PLATFORM SUITE ARCH LIBC PG
build_image() {
  local role=$1 platform=$2 suite=$3 arch=$4 libc=$5 pg=$6
  local ref="$PREFIX/$role:$platform" log="$LOGS/$role-$platform.log" dir="$WORK/rootfs-$role-$platform"
  local tmpref="$PREFIX/$role:$platform-unverified" start=$SECONDS mirror
  mirror=$(debian_mirror)
  : > "$log"
  say "$role:$platform ($suite $arch $libc): building; log $log"
  remove_rootfs "$dir"
  CLEANUP_DIRS+=("$dir")

  # eatmydata spares dpkg's fsyncs while the rootfs is built (a quarter of the time here).
  local mm=(mmdebstrap --mode=root --format=directory --arch="$arch" "${DPKG_OPTS[@]}"
    --hook-dir=/usr/share/mmdebstrap/hooks/eatmydata)
  # sid's Release file is routinely past its Valid-Until on mirrors; the option stays in the
  # image (/etc/apt/apt.conf.d/99mmdebstrap) for the builder's own apt-get.
  [[ "$suite" == sid ]] && mm+=(--aptopt='Acquire::Check-Valid-Until "false"')
  local mirror_line="deb $mirror $suite main"
  case "$libc/$role" in
    glibc/builder)
      step "mmdebstrap $suite" "$log" "${mm[@]}" --variant=apt \
        --include="postgresql-$pg,postgresql-server-dev-$pg,$BUILD_TOOLS" \
        --customize-hook="bash '$HOOKS' glibc \"\$1\" builder $platform $suite $pg" \
        "$suite" "$dir" "$mirror_line"
      ;;
    glibc/base)
      step "mmdebstrap $suite" "$log" "${mm[@]}" --variant=apt --include="postgresql-$pg" \
        --customize-hook="bash '$HOOKS' glibc \"\$1\" base $platform $suite $pg" \
        "$suite" "$dir" "$mirror_line"
      ;;
    musl/builder)
      local src tarball version
      src=$(postgres_source "$suite" "$pg" "$log")
      read -r tarball version <<< "$src"
      say "$role:$platform: compiling PostgreSQL $version with musl-gcc (about 10 minutes)"
      step "mmdebstrap $suite and compile PostgreSQL $version" "$log" "${mm[@]}" --variant=apt \
        --include="$BUILD_TOOLS,musl-tools,musl-dev,linux-libc-dev,bison,flex,perl,passwd" \
        --customize-hook="bash '$HOOKS' musl-builder \"\$1\" $platform $suite $pg '$tarball' $version" \
        "$suite" "$dir" "$mirror_line"
      ;;
    musl/base)
      local builder="$PREFIX/builder:$platform" stage="$WORK/stage-$platform" version
      image_exists "$builder" || build_image builder "$platform" "$suite" "$arch" "$libc" "$pg"
      CLEANUP_DIRS+=("$stage")
      step "copy PostgreSQL out of $builder" "$log" musl_stage_from_builder "$builder" "$stage"
      version=$(podman image inspect --format '{{index .Labels "org.trunkfarm.pg_version"}}' "$builder")
      step "mmdebstrap $suite minbase" "$log" "${mm[@]}" --variant=minbase --include=musl,passwd \
        --customize-hook="bash '$HOOKS' musl-base \"\$1\" $platform $suite $pg '$stage' $version" \
        "$suite" "$dir" "$mirror_line"
      remove_rootfs "$stage"
      ;;
  esac
  local t_rootfs=$((SECONDS - start))
  step "podman import" "$log" import_rootfs "$dir" "$tmpref" "$arch"
  remove_rootfs "$dir"
  local t0=$SECONDS
  step "verify $role image" "$log" verify_image "$tmpref" "$role" "$libc" "$arch"
  local t_verify=$((SECONDS - t0))
  local old
  old=$(podman image inspect --format '{{.Id}}' "$ref" 2>/dev/null || true)
  step "tag $ref" "$log" podman tag "$tmpref" "$ref"
  step "untag $tmpref" "$log" podman untag "$tmpref" "$tmpref"
  # A rebuilt image replaces its predecessor, unless a container still uses that.
  if [[ -n "$old" && "$old" != "$(podman image inspect --format '{{.Id}}' "$ref")" ]]; then
    podman rmi "$old" >> "$log" 2>&1 || true
  fi
  local what="verified in ${t_verify}s"
  [[ "$role" == base ]] && what="PostgreSQL started and stopped as postgres in ${t_verify}s"
  say "$role:$platform: built in $((SECONDS - start))s (rootfs ${t_rootfs}s; $what); $(
    podman image inspect --format '{{.Size}}' "$ref" | awk '{printf "%d MB", $1 / 1e6}')"
}

# An interrupted mmdebstrap may leave /proc, /sys or /dev mounted inside its root: unmount
# them first, and never cross into another file system.
remove_rootfs() {
  local d=$1 m
  [[ -e "$d" ]] || return 0
  while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(awk -v d="$d/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r)
  rm -rf --one-file-system "$d"
}

CLEANUP_DIRS=()
cleanup() {
  local d
  for d in "${CLEANUP_DIRS[@]}"; do remove_rootfs "$d"; done
}

main() {
  local only=() list='' rebuild=''
  while (($#)); do
    case "$1" in
      --only) shift; while (($#)) && [[ "$1" != --* ]]; do only+=("$1"); shift; done; continue ;;
      --only=*) only+=("${1#--only=}") ;;
      --list) list=1 ;;
      --rebuild) rebuild=1 ;;
      -h|--help) usage; exit 0 ;;
      *) usage >&2; die "unknown argument: $1" ;;
    esac
    shift
  done

  local p platform suite arch libc pg role selected=() name known
  for name in "${only[@]}"; do
    known=
    for p in "${PLATFORMS[@]}"; do
      read -r platform _ <<< "$p"
      for role in builder base; do
        [[ "$name" == "$platform" || "$name" == "$role:$platform" || "$name" == "$PREFIX/$role:$platform" ]] && known=1
      done
    done
    [[ -n "$known" ]] || die "unknown image '$name'; known: $(for p in "${PLATFORMS[@]}"; do printf '%s ' "${p%% *}"; done)"
  done
  for p in "${PLATFORMS[@]}"; do
    read -r platform suite arch libc pg <<< "$p"
    # The musl base is made from the musl builder, so builders come first.
    for role in builder base; do
      if ((${#only[@]})); then
        local want=
        for name in "${only[@]}"; do
          [[ "$name" == "$platform" || "$name" == "$role:$platform" || "$name" == "$PREFIX/$role:$platform" ]] && want=1
        done
        [[ -n "$want" ]] || continue
      fi
      selected+=("$role $platform $suite $arch $libc $pg")
    done
  done

  if [[ -n "$list" ]]; then
    local s
    for s in "${selected[@]}"; do
      read -r role platform suite arch libc pg <<< "$s"
      local state=missing
      image_exists "$PREFIX/$role:$platform" && state=present
      printf '%-48s %-8s %s %s %s pg%s\n' "$PREFIX/$role:$platform" "$state" "$suite" "$arch" "$libc" "$pg"
    done
    return 0
  fi

  ((EUID == 0)) || die "run as root (mmdebstrap --mode=root, podman import)"
  local tool
  for tool in mmdebstrap podman jq curl; do
    command -v "$tool" >/dev/null || die "$tool is missing: run scripts/setup-debian.sh first"
  done
  mkdir -p "$WORK" "$LOGS"
  # Tests may call this concurrently; one build at a time.
  exec 9> "$WORK/lock"
  flock 9
  trap cleanup EXIT
  trap 'exit 130' INT TERM

  local s
  for s in "${selected[@]}"; do
    read -r role platform suite arch libc pg <<< "$s"
    if [[ -z "$rebuild" ]] && image_exists "$PREFIX/$role:$platform"; then
      continue
    fi
    if [[ "$arch" != amd64 && ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]]; then
      die "$role:$platform needs qemu-aarch64 registered in binfmt_misc: run scripts/setup-debian.sh"
    fi
    build_image "$role" "$platform" "$suite" "$arch" "$libc" "$pg"
  done
}

main "$@"; exit $?
