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
#          through qemu-user-static, arm64. The base has postgresql-NN alone, the runtime; the
#          builder is that base plus postgresql-server-dev-NN and the build tools, made in the same
#          mmdebstrap run (the base is copied out before the rest is installed). The arm64 builder
#          has PGXS's tools only (no cmake, meson): under emulation each package costs minutes, and
#          what builds for arm64 here is PGXS (an entry needing more lists it as a build dependency,
#          as it must for the public images).
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
# arm64 images (QEMU, one core) are built beside the others (downloads, disk, and the musl
# compile): on two cores the whole set takes about as long as the arm64 images alone.
#
# Usage: scripts/local-images.sh [--only NAME...] [--list] [--rebuild] [--prefix REPO]
#   NAME is a platform (both images, e.g. pg17-musllinux-amd64) or ROLE:PLATFORM (builder:pg15-gnulinux-amd64).
#   Images that exist already are left alone unless --rebuild. --prefix tags them REPO/ROLE:PLATFORM
#   instead of localhost/trunkfarm/ROLE:PLATFORM (a second set beside the first, e.g. to time a
#   change). Needs root, mmdebstrap, podman, jq (scripts/setup-debian.sh installs them). Work
#   files go to $TRUNKFARM_IMAGES_WORK (default /var/tmp/trunkfarm-images), logs to its logs/ folder.
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
EMULATED_BUILD_TOOLS="build-essential,ca-certificates,pkgconf"

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
  echo "usage: scripts/local-images.sh [--only NAME...] [--list] [--rebuild] [--prefix REPO]"
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

# mmdebstrap's command line for SUITE and ARCH, in the array MM.
mmdebstrap_cmd() {
  local suite=$1 arch=$2
  MM=(mmdebstrap --mode=root --format=directory --arch="$arch" "${DPKG_OPTS[@]}")
  # sid's Release file is routinely past its Valid-Until on mirrors; the option stays in the
  # image (/etc/apt/apt.conf.d/99mmdebstrap) for the builder's own apt-get.
  [[ "$suite" == sid ]] && MM+=(--aptopt='Acquire::Check-Valid-Until "false"')
  return 0
}

# eatmydata spares dpkg's fsyncs while the rootfs is built (a quarter of the time here). Its
# customize hook unwraps dpkg again, so it comes after ours: our hooks install under it too.
EATMYDATA=--hook-dir=/usr/share/mmdebstrap/hooks/eatmydata

# build_glibc PLATFORM SUITE ARCH PG ROLE...: the glibc images named, from one mmdebstrap run.
build_glibc() {
  local platform=$1 suite=$2 arch=$3 pg=$4
  shift 4
  local roles="$*" start=$SECONDS mirror tools=$BUILD_TOOLS
  [[ "$arch" == amd64 ]] || tools=$EMULATED_BUILD_TOOLS
  local name=${roles// /+} dir="$WORK/rootfs-$platform" basedir="$WORK/rootfs-base-$platform"
  local log="$LOGS/$name-$platform.log" stamp="$WORK/base-done-$platform"
  local dev="postgresql-server-dev-$pg,$tools" hook="bash '$HOOKS'"
  mirror=$(debian_mirror)
  : > "$log"
  say "${name}:$platform ($suite $arch glibc): building; log $log"
  remove_rootfs "$dir"; remove_rootfs "$basedir"; rm -f "$stamp"
  CLEANUP_DIRS+=("$dir" "$basedir")
  mmdebstrap_cmd "$suite" "$arch"
  local include hooks=()
  case "$roles" in
    "builder base")
      include="postgresql-$pg"
      hooks=(
        --customize-hook="$hook glibc \"\$1\" base $platform $suite $pg"
        --customize-hook="$hook snapshot \"\$1\" '$basedir' && date +%s > '$stamp'"
        --customize-hook="$hook install \"\$1\" ${dev//,/ }"
        --customize-hook="$hook glibc \"\$1\" builder $platform $suite $pg"
      )
      ;;
    builder) include="postgresql-$pg,$dev"; hooks=(--customize-hook="$hook glibc \"\$1\" builder $platform $suite $pg") ;;
    base) include="postgresql-$pg"; hooks=(--customize-hook="$hook glibc \"\$1\" base $platform $suite $pg") ;;
  esac
  local mm_pid
  step "mmdebstrap $suite" "$log" "${MM[@]}" --variant=apt --include="$include" "${hooks[@]}" "$EATMYDATA" \
    "$suite" "$dir" "deb $mirror $suite main" &
  mm_pid=$!
  if [[ "$roles" == "builder base" ]]; then
    # The base is imported and verified while the builder's packages go in.
    while [[ ! -s "$stamp" ]] && kill -0 "$mm_pid" 2>/dev/null; do sleep 2; done
    if [[ -s "$stamp" ]]; then
      local t_base=$(($(cat "$stamp") - $(date +%s) + SECONDS - start))
      (finish_image base "$platform" glibc "$arch" "$basedir" "$log" "$start" "base rootfs ${t_base}s, in the builder's run") ||
        { kill "$mm_pid" 2>/dev/null; wait "$mm_pid"; exit 1; }
    fi
  fi
  wait "$mm_pid" || exit 1
  rm -f "$stamp"
  local what="rootfs $((SECONDS - start))s" role=builder
  [[ "$roles" == "builder base" ]] && what+=", the base's included"
  [[ "$roles" == base ]] && role=base
  finish_image "$role" "$platform" glibc "$arch" "$dir" "$log" "$start" "$what"
}

# build_musl ROLE PLATFORM SUITE PG
build_musl() {
  local role=$1 platform=$2 suite=$3 pg=$4
  local log="$LOGS/$role-$platform.log" dir="$WORK/rootfs-$role-$platform" start=$SECONDS mirror
  mirror=$(debian_mirror)
  : > "$log"
  say "$role:$platform ($suite amd64 musl): building; log $log"
  remove_rootfs "$dir"
  CLEANUP_DIRS+=("$dir")
  mmdebstrap_cmd "$suite" amd64
  local mirror_line="deb $mirror $suite main"
  case "$role" in
    builder)
      local src tarball version
      src=$(postgres_source "$suite" "$pg" "$log")
      read -r tarball version <<< "$src"
      say "$role:$platform: compiling PostgreSQL $version with musl-gcc (about 10 minutes)"
      step "mmdebstrap $suite and compile PostgreSQL $version" "$log" "${MM[@]}" "$EATMYDATA" --variant=apt \
        --include="$BUILD_TOOLS,musl-tools,musl-dev,linux-libc-dev,bison,flex,perl,passwd" \
        --customize-hook="bash '$HOOKS' musl-builder \"\$1\" $platform $suite $pg '$tarball' $version" \
        "$suite" "$dir" "$mirror_line"
      ;;
    base)
      local builder="$PREFIX/builder:$platform" stage="$WORK/stage-$platform" version
      image_exists "$builder" || build_musl builder "$platform" "$suite" "$pg"
      CLEANUP_DIRS+=("$stage")
      step "copy PostgreSQL out of $builder" "$log" musl_stage_from_builder "$builder" "$stage"
      version=$(podman image inspect --format '{{index .Labels "org.trunkfarm.pg_version"}}' "$builder")
      step "mmdebstrap $suite minbase" "$log" "${MM[@]}" "$EATMYDATA" --variant=minbase --include=musl,passwd \
        --customize-hook="bash '$HOOKS' musl-base \"\$1\" $platform $suite $pg '$stage' $version" \
        "$suite" "$dir" "$mirror_line"
      remove_rootfs "$stage"
      ;;
  esac
  finish_image "$role" "$platform" musl amd64 "$dir" "$log" "$start" "rootfs $((SECONDS - start))s"
}

# finish_image ROLE PLATFORM LIBC ARCH DIR LOG START WHAT: import DIR, verify the image, and give
# it its tag; START is when its build began (bash's SECONDS), WHAT how its rootfs was made.
finish_image() {
  local role=$1 platform=$2 libc=$3 arch=$4 dir=$5 log=$6 start=$7 what=$8
  local ref="$PREFIX/$role:$platform" tmpref="$PREFIX/$role:$platform-unverified"
  step "podman import $role" "$log" import_rootfs "$dir" "$tmpref" "$arch"
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
  local checked="verified in ${t_verify}s"
  [[ "$role" == base ]] && checked="PostgreSQL started and stopped as postgres in ${t_verify}s"
  say "$role:$platform: built in $((SECONDS - start))s ($what; $checked); $(
    podman image inspect --format '{{.Size}}' "$ref" | awk '{printf "%d MB", $1 / 1e6}')"
}

# build_platform PLATFORM SUITE ARCH LIBC PG ROLE...
build_platform() {
  local platform=$1 suite=$2 arch=$3 libc=$4 pg=$5 role
  shift 5
  if [[ "$arch" != amd64 && ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]]; then
    die "$platform needs qemu-aarch64 registered in binfmt_misc: run scripts/setup-debian.sh"
  fi
  if [[ "$libc" == glibc ]]; then
    build_glibc "$platform" "$suite" "$arch" "$pg" "$@"
  else
    # The musl base is made from the musl builder: builders come first.
    for role in "$@"; do build_musl "$role" "$platform" "$suite" "$pg"; done
  fi
}

# run_lane "PLATFORM SUITE ARCH LIBC PG ROLE..."...: one platform after the other.
run_lane() {
  local job
  set +m
  trap cleanup EXIT
  for job in "$@"; do
    # shellcheck disable=SC2086 # a job is words
    build_platform $job
  done
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
      --prefix) shift; PREFIX=${1:?--prefix needs a repository, e.g. localhost/trunkfarm-next} ;;
      --prefix=*) PREFIX=${1#--prefix=} ;;
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

  # What each platform lacks, in two lanes: arm64 (QEMU) and the rest.
  local s jobs=() job='' last='' emulated=() native=() t0=$SECONDS count=0
  for s in "${selected[@]}"; do
    read -r role platform suite arch libc pg <<< "$s"
    [[ -z "$rebuild" ]] && image_exists "$PREFIX/$role:$platform" && continue
    if [[ "$platform" != "$last" ]]; then
      [[ -n "$job" ]] && jobs+=("$job")
      job="$platform $suite $arch $libc $pg"; last=$platform
    fi
    job+=" $role"; count=$((count + 1))
  done
  [[ -n "$job" ]] && jobs+=("$job")
  ((${#jobs[@]})) || return 0
  for job in "${jobs[@]}"; do
    read -r _ _ arch _ <<< "$job"
    if [[ "$arch" == amd64 ]]; then native+=("$job"); else emulated+=("$job"); fi
  done
  local pids=() pid failed=0
  # Each lane runs in a process group of its own (set -m), where an interrupt is passed on:
  # without job control, background commands would ignore it.
  trap 'for pid in "${pids[@]}"; do kill -INT -- "-$pid" 2>/dev/null || true; done; wait; exit 130' INT TERM
  set -m
  if ((${#emulated[@]})); then (run_lane "${emulated[@]}") & pids+=($!); fi
  if ((${#native[@]})); then (run_lane "${native[@]}") & pids+=($!); fi
  set +m
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  ((failed == 0)) || die "some images failed (above); the others are built"
  say "$count image(s) built in $((SECONDS - t0))s"
}

main "$@"; exit $?
