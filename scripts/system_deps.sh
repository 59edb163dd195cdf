#!/usr/bin/env bash
# Debian/Ubuntu system libraries Qt (xcb, offscreen), fonts for tests, Xvfb for screenshots,
# Chromium and its driver for the API page's browser test (tests/server/test_browser.py).
# Installs only what is missing; silently skips on machines without apt-get.
set -euo pipefail
command -v apt-get >/dev/null 2>&1 || exit 0
PKGS=(libgl1 libegl1 libglib2.0-0 libfontconfig1 libxkbcommon0 libxkbcommon-x11-0 libdbus-1-3
      libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
      libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxrender1 libxi6 libsm6 libice6
      fonts-dejavu-core fonts-noto-cjk xvfb xauth xdotool x11-utils
      gcc binutils icu-devtools chromium chromium-driver)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
