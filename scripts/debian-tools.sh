#!/usr/bin/env bash
# Makes sure programs and libraries that some tests drive are installed, from Debian's packages.
#
# Usage: scripts/debian-tools.sh PATH=PACKAGE...
#   e.g. scripts/debian-tools.sh /usr/bin/kcat=kcat
# Every PACKAGE whose PATH (a file the package installs) is missing is installed with apt-get, as
# root or through sudo. Exits non-zero with a message saying what to do when something is missing
# and cannot be installed.
set -euo pipefail

[ $# -gt 0 ] || { echo "usage: scripts/debian-tools.sh PATH=PACKAGE..." >&2; exit 2; }

missing=()
for pair in "$@"; do
  [ -e "${pair%%=*}" ] || missing+=("${pair#*=}")
done
[ ${#missing[@]} -gt 0 ] || exit 0

fail() {
  echo "debian-tools.sh: $1" >&2
  echo "debian-tools.sh: these tests need the Debian packages ${missing[*]};" \
       "on Debian or Ubuntu run: sudo apt-get install ${missing[*]}" >&2
  exit 1
}

command -v apt-get >/dev/null 2>&1 || fail "apt-get was not found: this is not a Debian-based system."

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  fail "installing packages needs root, and sudo is not available without a password."
fi

echo "debian-tools.sh: installing ${missing[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q >&2 || fail "apt-get update failed."
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 \
  || fail "apt-get install ${missing[*]} failed."

for pair in "$@"; do
  [ -e "${pair%%=*}" ] || fail "the packages are installed but ${pair%%=*} is missing."
done
