#!/usr/bin/env bash
# Makes sure Chromium and its ChromeDriver are installed for the console's browser tests:
# Debian's `chromium` and `chromium-driver` packages (/usr/bin/chromium, /usr/bin/chromedriver),
# installed with apt-get as root or through sudo. Exits non-zero with a message saying what to
# do when they are missing and cannot be installed.
set -euo pipefail
"$(dirname "${BASH_SOURCE[0]}")/debian-tools.sh" /usr/bin/chromium=chromium /usr/bin/chromedriver=chromium-driver
echo "browser.sh: $(/usr/bin/chromedriver --version)" >&2
