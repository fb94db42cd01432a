#!/usr/bin/env bash
# Installs everything RingMiner needs to build, test and run on Debian 12 (as root, or with sudo available).
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config git
  qt6-base-dev qt6-base-dev-tools libqcustomplot-dev libgl-dev
  libtorch-dev
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev
  libsqlite3-dev libcfitsio-dev libcurl4-openssl-dev nlohmann-json3-dev libnanoflann-dev
  libopenmpi-dev openmpi-bin
  python3 python3-astropy python3-sklearn python3-pil python3-numpy python3-scipy
  xvfb xauth
  libxml2-dev help2man dpkg-dev lintian appstream desktop-file-utils shared-mime-info shellcheck man-db file
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages are installed"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
