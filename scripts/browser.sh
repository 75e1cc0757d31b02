#!/usr/bin/env bash
# Makes sure Chromium and its ChromeDriver are installed for the console's browser tests:
# Debian's `chromium` and `chromium-driver` packages (/usr/bin/chromium, /usr/bin/chromedriver),
# installed with apt-get as root or through sudo. Exits non-zero with a message saying what to
# do when they are missing and cannot be installed.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
CHROMEDRIVER=/usr/bin/chromedriver

if [ -x "$CHROMIUM" ] && [ -x "$CHROMEDRIVER" ]; then
  exit 0
fi

fail() {
  echo "browser.sh: $1" >&2
  echo "browser.sh: the console tests need Chromium at $CHROMIUM and ChromeDriver at $CHROMEDRIVER;" \
       "on Debian or Ubuntu run: sudo apt-get install chromium chromium-driver" >&2
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

echo "browser.sh: installing chromium and chromium-driver with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q >&2 || fail "apt-get update failed."
"${as_root[@]}" apt-get install -y -q --no-install-recommends chromium chromium-driver >&2 \
  || fail "apt-get install chromium chromium-driver failed."

[ -x "$CHROMIUM" ] && [ -x "$CHROMEDRIVER" ] || fail "the packages are installed but $CHROMIUM or $CHROMEDRIVER is missing."
echo "browser.sh: $("$CHROMEDRIVER" --version)" >&2
