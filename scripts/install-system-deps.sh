#!/usr/bin/env bash
# Debian packages the desk needs on a fresh machine (run as root).
#   app: Qt's offscreen and X11 (xcb) libraries and a font.
#   all: also the PostgreSQL server for the shared-database tests, a C compiler (the bundle
#        build trims Qt's ICU data with it), poppler (pdftotext,
#        pdftoppm) and zbar (zbarimg) with which the tests read the PDFs and QR codes printed,
#        and iproute2 (a network namespace whose link the tests drop).
# Usage: scripts/install-system-deps.sh [app|all]     (default: all)
set -euo pipefail
what=${1:-all}
if [ "$(id -u)" != 0 ]; then echo "run as root (apt-get)" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
qt="libegl1 libgl1 libfontconfig1 libxkbcommon0 libglib2.0-0 libdbus-1-3 fonts-dejavu-core
    libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0
    libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0"
extra="postgresql poppler-utils zbar-tools gcc libc6-dev iproute2"
packages=$qt
[ "$what" = all ] && packages="$qt $extra"
# Skip apt entirely when everything is already there (a workstation run twice).
# shellcheck disable=SC2086
if dpkg -s $packages >/dev/null 2>&1; then
  exit 0
fi
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $packages >/dev/null
