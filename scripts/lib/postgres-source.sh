# shellcheck shell=bash
# The upstream tarball of Debian's postgresql-NN source package, for the musl images of
# scripts/local-images.sh (which provides step, die and WORK).

# Used when the mirror no longer holds the upstream tarball of the version its index names (a
# partial mirror): this one's sha256 matches both Debian's postgresql-17_17.11-0+deb13u1.dsc and
# the checksum published for ftp.postgresql.org's postgresql-17.11.tar.bz2.
PG17_FALLBACK="17.11 dd27f2b3c59e73ed14aa3324901242bf69a032a6347805f274e6260322d42979"

# The orig tarball of Debian's postgresql-NN source package in SUITE, verified against the signed
# index (or the pinned fallback above), cached under $WORK/src. Prints "PATH VERSION".
postgres_source() {
  local suite=$1 pg=$2 log=$3 mirror apt_dir line uri file sha version
  mirror=$(debian_mirror)
  apt_dir="$WORK/apt-$suite-src"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$WORK/src"
  # A private apt configuration: deb-src lines never touch the host's sources.
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
    > "$apt_dir/sources.list"
  local apt=(apt-get -o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/nonexistent
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o Debug::NoLocking=1
    -o Acquire::Check-Valid-Until=false -o APT::Sandbox::User=root)
  step "apt-get update (deb-src $suite)" "$log" "${apt[@]}" update
  line=$("${apt[@]}" source --print-uris "postgresql-$pg" 2>>"$log" | grep -E "\.orig\.tar\.[a-z0-9]+' " | head -n 1) ||
    die "no postgresql-$pg source package in $suite's index (see $log)"
  read -r uri file _ sha <<< "$line"
  uri=${uri//\'/}
  sha=${sha#SHA256:}
  version=${file#postgresql-"$pg"_}
  version=${version%.orig.tar.*}
  local candidates=("$uri $file $sha $version")
  if [[ "$pg" == 17 ]]; then
    read -r version sha <<< "$PG17_FALLBACK"
    file="postgresql-17_$version.orig.tar.bz2"
    candidates+=("$mirror/pool/main/p/postgresql-17/$file $file $sha $version")
  fi
  local c
  for c in "${candidates[@]}"; do
    read -r uri file sha version <<< "$c"
    local dest="$WORK/src/$file"
    if [[ -f "$dest" ]] && echo "$sha  $dest" | sha256sum --status -c -; then
      echo "$dest $version"; return 0
    fi
    if curl -fsSL --retry 2 -o "$dest.part" "$uri" 2>>"$log"; then
      if echo "$sha  $dest.part" | sha256sum --status -c -; then
        mv "$dest.part" "$dest"
        echo "$dest $version"; return 0
      fi
      echo "checksum mismatch for $uri: expected $sha, got $(sha256sum < "$dest.part" | cut -d' ' -f1)" >> "$log"
    fi
    rm -f "$dest.part"
    echo "could not fetch $uri; trying the next candidate" >> "$log"
  done
  die "no usable postgresql-$pg upstream tarball from the mirror (see $log)"
}

