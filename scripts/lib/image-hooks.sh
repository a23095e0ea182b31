#!/usr/bin/env bash
# mmdebstrap customize hooks for scripts/local-images.sh. Each runs on the host, as root, with the
# new root file system as its first argument, and reaches inside with chroot.
#
#   image-hooks.sh glibc        ROOT ROLE PLATFORM SUITE PG
#   image-hooks.sh musl-builder ROOT PLATFORM SUITE PG SOURCE_TARBALL PG_VERSION
#   image-hooks.sh musl-base    ROOT PLATFORM SUITE PG STAGE_DIR PG_VERSION
#   image-hooks.sh snapshot     ROOT DEST
#   image-hooks.sh install      ROOT PACKAGE...
set -euo pipefail

# Where the musl build installs PostgreSQL: the prefix of the official postgres:NN-alpine images,
# so that pg_config reports the same real directories here as on GitHub.
MUSL_PREFIX=/usr/local

# /etc/trunkfarm/image.json: how the build stage finds PostgreSQL in any of the images, whatever
# the distribution put where. Values come from the image's own pg_config.
write_image_json() {
  local root=$1 role=$2 platform=$3 suite=$4 pg=$5 libc=$6 arch=$7 bindir=$8 pg_version=$9
  local pg_config="$bindir/pg_config" cc
  [[ -x "$root$pg_config" ]] || { echo "image-hooks: no pg_config at $pg_config" >&2; exit 1; }
  q() { chroot "$root" "$pg_config" "$1"; }
  cc=$(q --cc)
  mkdir -p "$root/etc/trunkfarm"
  jq -n \
    --arg role "$role" --arg platform "$platform" --argjson pg "$pg" --arg pgv "$pg_version" \
    --arg libc "$libc" --arg arch "$arch" --arg suite "$suite" \
    --arg bindir "$bindir" --arg pg_config "$pg_config" \
    --arg pkglibdir "$(q --pkglibdir)" --arg sharedir "$(q --sharedir)" \
    --arg libdir "$(q --libdir)" --arg includedir_server "$(q --includedir-server)" \
    --arg cc "$cc" \
    '{role: $role, platform: $platform, pg: $pg, pg_version: $pgv, libc: $libc, arch: $arch,
      os: (if $libc == "musl" then "musllinux" else "gnulinux" end),
      distro: "debian", suite: $suite, package_manager: "apt-get",
      bindir: $bindir, pg_config: $pg_config, pkglibdir: $pkglibdir, sharedir: $sharedir,
      libdir: $libdir, includedir_server: $includedir_server, cc: $cc, user: "postgres"}' \
    > "$root/etc/trunkfarm/image.json"
}

add_postgres_user() {
  local root=$1
  if ! chroot "$root" getent passwd postgres >/dev/null; then
    chroot "$root" useradd --system --user-group --home-dir /var/lib/postgresql --create-home \
      --shell /bin/bash postgres
  fi
}

# musl's loader reads /etc/ld-musl-x86_64.path only, and without it searches glibc's /lib and
# /usr/lib. Debian's musl assembles that file from /etc/ld-musl-x86_64.d/*.path with ld-musl-config
# (whose grep prefixes each line with its file name once there are two files): write it here, with
# PostgreSQL's library directory first and musl's own after it, nothing of glibc's.
musl_library_path() {
  local root=$1 d="$1/etc/ld-musl-x86_64.d"
  printf '%s\n' "$MUSL_PREFIX/lib" > "$d/trunkfarm-postgresql.path"
  { cat "$d/trunkfarm-postgresql.path"; cat "$d"/*.path; } | grep -v -e '^#' -e '^$' | awk '!seen[$0]++' \
    > "$root/etc/ld-musl-x86_64.path"
}

# Every ELF file under the PostgreSQL prefix must be a musl object whose libraries are musl's own
# or PostgreSQL's: a glibc header or library leaking into the build shows up here.
check_musl_objects() {
  local root=$1 f interp needed lib
  local dirs=("$root$MUSL_PREFIX/lib" "$root/usr/lib/x86_64-linux-musl" "$root/lib/x86_64-linux-musl")
  while IFS= read -r -d '' f; do
    [[ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" == '177ELF' ]] || continue
    interp=$(readelf -lW "$f" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
    if [[ -n "$interp" && "$interp" != /lib/ld-musl-x86_64.so.1 ]]; then
      echo "image-hooks: $f uses the interpreter $interp, not musl's" >&2; exit 1
    fi
    needed=$(readelf -dW "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
    for lib in $needed; do
      [[ "$lib" == libc.so ]] && continue
      local d found=
      for d in "${dirs[@]}"; do [[ -e "$d/$lib" ]] && found=1; done
      [[ -n "$found" ]] || { echo "image-hooks: $f needs $lib, which no musl directory holds" >&2; exit 1; }
    done
  done < <(find "$root$MUSL_PREFIX/bin" "$root$MUSL_PREFIX/lib" -type f -print0)
}

hook_glibc() {
  local root=$1 role=$2 platform=$3 suite=$4 pg=$5
  local arch libc=glibc bindir="/usr/lib/postgresql/$pg/bin" version
  arch=$(chroot "$root" dpkg --print-architecture)
  # postgresql-common creates a cluster "main" on install; images carry none, tests make their own.
  if [[ -d "$root/etc/postgresql/$pg/main" ]]; then
    chroot "$root" pg_dropcluster "$pg" main
  fi
  version=$(chroot "$root" dpkg-query -W -f '${Version}' "postgresql-$pg")
  write_image_json "$root" "$role" "$platform" "$suite" "$pg" "$libc" "$arch" "$bindir" "$version"
}

hook_musl_builder() {
  local root=$1 platform=$2 suite=$3 pg=$4 tarball=$5 version=$6
  local inc=/usr/include/x86_64-linux-musl jobs
  # musl-gcc searches only musl's include directory. Give it a copy of the kernel's user-space
  # headers (linux-libc-dev's files, nothing of glibc's), as Alpine's linux-headers does.
  chroot "$root" sh -ec '
    inc=$1
    dpkg -L linux-libc-dev | while IFS= read -r f; do
      [ -f "$f" ] || continue
      case "$f" in
        /usr/include/x86_64-linux-gnu/*) rel=${f#/usr/include/x86_64-linux-gnu/} ;;
        /usr/include/*) rel=${f#/usr/include/} ;;
        *) continue ;;
      esac
      mkdir -p "$inc/${rel%/*}"
      [ -e "$inc/$rel" ] || cp -p "$f" "$inc/$rel"
    done' sh "$inc"
  add_postgres_user "$root"
  mkdir -p "$root/usr/src/postgresql"
  tar -xf "$tarball" -C "$root/usr/src/postgresql" --strip-components=1 --no-same-owner
  jobs=$(nproc)
  # Only libc: no readline, ICU or zlib, so that nothing outside musl and PostgreSQL is needed at
  # run time (the official Alpine images link those from Alpine's musl packages instead).
  chroot "$root" sh -ec '
    cd /usr/src/postgresql
    ./configure --prefix="$1" CC=musl-gcc --without-readline --without-icu --without-zlib
    make -j"$2"
    make -j"$2" -C contrib
    make install
    make -C contrib install' sh "$MUSL_PREFIX" "$jobs"
  rm -rf "$root/usr/src/postgresql"
  musl_library_path "$root"
  check_musl_objects "$root"
  write_image_json "$root" builder "$platform" "$suite" "$pg" musl amd64 "$MUSL_PREFIX/bin" "$version"
}

hook_musl_base() {
  local root=$1 platform=$2 suite=$3 pg=$4 stage=$5 version=$6
  cp -a "$stage/." "$root$MUSL_PREFIX/"
  musl_library_path "$root"
  check_musl_objects "$root"
  add_postgres_user "$root"
  write_image_json "$root" base "$platform" "$suite" "$pg" musl amd64 "$MUSL_PREFIX/bin" "$version"
}

# A copy of the root file system as it stands, finished as mmdebstrap finishes its own output
# (which it does only for ROOT, at the end): one run makes the base, copied here, and then the
# builder on top of it, so that nothing the two share is unpacked twice (under QEMU, unpacking is
# most of an arm64 image's time). mmdebstrap's /proc, /sys and /dev/pts mounts stay behind.
hook_snapshot() {
  local root=$1 dest=$2 f m apt_uid
  rm -rf --one-file-system "$dest"
  cp -a --one-file-system "$root" "$dest"
  # Mount points are copied with the mode of what is mounted on them (proc's 0555).
  while read -r m; do chmod 0755 "$dest${m#"$root"}"; done < <(awk -v r="$root/" 'index($2, r) == 1 { print $2 }' /proc/mounts)
  # dpkg is still wrapped in eatmydata, which mmdebstrap's own hook undoes: run it on the copy.
  /usr/share/mmdebstrap/hooks/eatmydata/customize.sh "$dest"
  # mmdebstrap's clean-up (setup_mounts' tasks and run_cleanup): its stand-ins that keep
  # daemons from starting, apt's lists and caches, its temporary apt configuration, logs that
  # differ from run to run, and what /run and /tmp hold.
  rm -f "$dest/usr/sbin/policy-rc.d"
  [[ -e "$dest/sbin/start-stop-daemon.REAL" ]] && mv -f "$dest/sbin/start-stop-daemon.REAL" "$dest/sbin/start-stop-daemon"
  find "$dest/var/lib/apt/lists" -mindepth 1 -maxdepth 1 ! -name lock ! -name partial -exec rm -rf {} +
  apt_uid=$(awk -F: '$1 == "_apt" { print $3 }' "$dest/etc/passwd")
  [[ -n "$apt_uid" ]] && chown "$apt_uid:0" "$dest/var/lib/apt/lists/partial" && chmod 0700 "$dest/var/lib/apt/lists/partial"
  find "$dest/var/cache/apt" \( -name '*.deb' -o -name '*.bin' \) -type f -delete
  rm -f "$dest/etc/apt/apt.conf.d/00mmdebstrap" "$dest"/usr/bin/qemu-*-static
  for f in /var/log/dpkg.log /var/log/apt/history.log /var/log/apt/term.log /var/log/alternatives.log \
    /var/cache/ldconfig/aux-cache /var/log/apt/eipp.log.xz /var/lib/dbus/machine-id; do
    rm -f "$dest$f"
  done
  [[ -e "$dest/etc/machine-id" ]] && : > "$dest/etc/machine-id"
  find "$dest/run" -mindepth 1 -maxdepth 1 ! -name lock -exec rm -rf {} +
  find "$dest/tmp" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
}

# More packages into ROOT the way mmdebstrap installs its --include list: apt on the host with
# mmdebstrap's configuration, dpkg inside the root (so still under eatmydata).
hook_install() {
  local root=$1
  shift
  APT_CONFIG=${MMDEBSTRAP_APT_CONFIG:?run as an mmdebstrap hook} apt-get \
    -o Dir::Bin::dpkg=env -o DPkg::Options::=--unset=TMPDIR -o DPkg::Options::=dpkg \
    -o "DPkg::Chroot-Directory=$root" --yes install "$@"
}

cmd=${1:?usage: image-hooks.sh glibc|musl-builder|musl-base|snapshot|install ROOT ...}
shift
case "$cmd" in
  glibc) hook_glibc "$@" ;;
  musl-builder) hook_musl_builder "$@" ;;
  musl-base) hook_musl_base "$@" ;;
  snapshot) hook_snapshot "$@" ;;
  install) hook_install "$@" ;;
  *) echo "image-hooks: unknown hook $cmd" >&2; exit 2 ;;
esac
