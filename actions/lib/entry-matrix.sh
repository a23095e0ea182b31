#!/usr/bin/env bash
# For an extension's own repository: writes a matrix directory holding trunkfarm's platforms.yaml
# and the repository's entry file as extensions/NAME.yaml, and prints its path. The directory lies
# at the top of the working directory, so `source: {path: .}` in the entry names the repository.
# Usage: entry-matrix.sh ENTRY_FILE
set -euo pipefail

entry=${1:?usage: entry-matrix.sh ENTRY_FILE}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=.trunkfarm-matrix

if [ ! -f "$entry" ]; then
  echo "trunkfarm: entry file \"$entry\" not found (the \"entry\" input names a matrix entry YAML in this repository)" >&2
  exit 1
fi
# The matrix requires extensions/NAME.yaml to be named after the entry; names are
# [a-z][a-z0-9_-]*, so a line match is exact. `trunkfarm validate` checks the rest.
name=$(sed -n -E "s/^name:[[:space:]]*[\"']?([a-z][a-z0-9_-]*)[\"']?[[:space:]]*(#.*)?\$/\\1/p" "$entry" | head -n 1)
if [ -z "$name" ]; then
  echo "trunkfarm: $entry: no top-level \"name: NAME\" line (NAME: lowercase letters, digits, \"_\" or \"-\")" >&2
  exit 1
fi
rm -rf "$dir"
mkdir -p "$dir/extensions"
cp "$root/matrix/platforms.yaml" "$dir/platforms.yaml"
cp "$entry" "$dir/extensions/$name.yaml"
echo "$dir"
