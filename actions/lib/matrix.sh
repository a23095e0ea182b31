#!/usr/bin/env bash
# The matrix directory an action hands the CLI, printed on stdout. The actions run in the caller's
# workspace, which is trunkfarm's own repository only in trunkfarm's workflows, so:
# - ENTRY (an extension repository's entry file): a directory .trunkfarm-matrix at the top of the
#   workspace, holding the platforms (below) and the entry as extensions/NAME.yaml; at the top, so
#   that `source: {path: .}` in the entry names the repository.
# - MATRIX: that directory; without a platforms.yaml of its own, a copy in .trunkfarm-matrix gets
#   the platforms below.
# - neither: ./matrix when the workspace has one (with its platforms.yaml), else trunkfarm's own
#   matrix at the action's commit (its catalogue of extensions).
# The platforms: the PLATFORMS file when given, else MATRIX's or ./matrix's platforms.yaml, else
# trunkfarm's own, from the commit the action runs from.
# Usage: matrix.sh MATRIX ENTRY PLATFORMS (each may be empty)
set -euo pipefail

matrix=${1-}
entry=${2-}
platforms=${3-}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=.trunkfarm-matrix

fail() {
  echo "trunkfarm: $*" >&2
  exit 1
}

if [ -n "$platforms" ] && [ ! -f "$platforms" ]; then
  fail "platforms file \"$platforms\" not found (the \"platforms\" input names a platforms.yaml in this repository)"
fi
if [ -n "$matrix" ] && [ ! -d "$matrix" ]; then
  fail "matrix directory \"$matrix\" not found (the \"matrix\" input names a directory holding extensions/NAME.yaml)"
fi
if [ -z "$entry" ] && [ -z "$matrix" ]; then
  if [ -f matrix/platforms.yaml ]; then matrix=matrix; else matrix="$root/matrix"; fi
fi
if [ -z "$platforms" ]; then
  if [ -n "$matrix" ] && [ -f "$matrix/platforms.yaml" ]; then platforms="$matrix/platforms.yaml"; else platforms="$root/matrix/platforms.yaml"; fi
fi

if [ -n "$entry" ]; then
  [ -f "$entry" ] || fail "entry file \"$entry\" not found (the \"entry\" input names a matrix entry YAML in this repository)"
  # The matrix requires extensions/NAME.yaml to be named after the entry; names are
  # [a-z][a-z0-9_-]*, so a line match is exact. `trunkfarm validate` checks the rest.
  name=$(sed -n -E "s/^name:[[:space:]]*[\"']?([a-z][a-z0-9_-]*)[\"']?[[:space:]]*(#.*)?\$/\\1/p" "$entry" | head -n 1)
  [ -n "$name" ] || fail "$entry: no top-level \"name: NAME\" line (NAME: lowercase letters, digits, \"_\" or \"-\")"
  rm -rf "$dir"
  mkdir -p "$dir/extensions"
  cp "$platforms" "$dir/platforms.yaml"
  cp "$entry" "$dir/extensions/$name.yaml"
  echo "$dir"
elif [ "$platforms" -ef "$matrix/platforms.yaml" ]; then
  echo "$matrix"
else
  [ -d "$matrix/extensions" ] || fail "matrix directory \"$matrix\" has no extensions/ directory"
  rm -rf "$dir"
  mkdir -p "$dir"
  cp "$platforms" "$dir/platforms.yaml"
  cp -R "$matrix/extensions" "$dir/extensions"
  echo "$dir"
fi
