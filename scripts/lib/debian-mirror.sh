# shellcheck shell=bash
# The Debian mirror this machine's apt already uses, so that no mirror host is written anywhere in
# the project: TRUNKFARM_DEBIAN_MIRROR if set, else the first non-security `URIs:` of a deb822
# source in /etc/apt/sources.list.d/*.sources, else the first such `deb` line of the one-line format.
# src/builder/debian-mirror.ts follows the same rules.

debian_mirror() {
  if [[ -n "${TRUNKFARM_DEBIAN_MIRROR:-}" ]]; then
    printf '%s\n' "${TRUNKFARM_DEBIAN_MIRROR%/}"
    return 0
  fi
  local uri
  uri=$(
    {
      shopt -s nullglob
      local f
      for f in /etc/apt/sources.list.d/*.sources; do cat "$f"; echo; done
    } | awk '
      function flush() {
        if (types ~ /(^|[ \t])deb([ \t]|$)/ && enabled != "no" && uris != "" && suites !~ /-security/) {
          split(uris, u, /[ \t]+/)
          if (u[1] !~ /-security\/?$/ && !found) { print u[1]; found = 1 }
        }
        types = ""; uris = ""; suites = ""; enabled = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      tolower($1) == "types:"   { sub(/^[^:]*:[ \t]*/, ""); types = $0; next }
      tolower($1) == "uris:"    { sub(/^[^:]*:[ \t]*/, ""); uris = $0; next }
      tolower($1) == "suites:"  { sub(/^[^:]*:[ \t]*/, ""); suites = $0; next }
      tolower($1) == "enabled:" { sub(/^[^:]*:[ \t]*/, ""); enabled = tolower($0); next }
      END { flush() }
    '
  )
  if [[ -z "$uri" && -r /etc/apt/sources.list ]]; then
    uri=$(awk '
      $1 == "deb" {
        i = 2
        if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($i !~ /-security\/?$/ && $(i + 1) !~ /-security/) { print $i; exit }
      }' /etc/apt/sources.list)
  fi
  if [[ -z "$uri" ]]; then
    echo "no Debian mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list; set TRUNKFARM_DEBIAN_MIRROR" >&2
    return 1
  fi
  printf '%s\n' "${uri%/}"
}
