#!/usr/bin/env bash
# Installs what Accord's tests need on a Debian machine with Node 20: the system packages
# (Chromium for the browser tests, fluidsynth + soundfonts + sox for synthesis, clang + lld to
# check that the committed WebAssembly cost kernel is the build of its source) where missing,
# then the npm packages (`npm ci`, whose `prepare` step compiles the TypeScript).
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(chromium fluidsynth fluid-soundfont-gm timgm6mb-soundfont musescore-general-soundfont-small sox clang lld)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The Electron binary is not needed by the tests (they drive the renderer in Chromium over
# the local bridge) and cannot be downloaded on a closed network: skip it here only.
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
npm ci --no-audit --no-fund
