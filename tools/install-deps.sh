#!/bin/sh
# Makes sure the Debian packages dlrt needs are installed: installs the missing
# ones when run as root, otherwise prints the one command that would and fails.
#   tools/install-deps.sh          what the build needs (libpng, libjpeg, pkg-config)
#   tools/install-deps.sh --test   plus what the tests use: netpbm, djpeg, binutils (nm, strip, readelf),
#                                  gcc and g++ (the -Werror, header and ThreadSanitizer checks)
set -eu
packages="libpng-dev libjpeg-dev pkg-config"
[ "${1:-}" = "--test" ] && packages="$packages binutils netpbm libjpeg-turbo-progs gcc g++"
# --test also: valgrind (make test-valgrind-ci), and an aarch64 cross compiler with its libc plus
# qemu-user to run what it builds (make test-neon).
[ "${1:-}" = "--test" ] && packages="$packages valgrind gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user"

if ! command -v dpkg >/dev/null 2>&1; then
  # Not Debian: trust pkg-config to find the two libraries, or say what is missing.
  if pkg-config --exists libpng libjpeg 2>/dev/null; then exit 0; fi
  echo "dlrt needs libpng, libjpeg and pkg-config (Debian: apt-get install -y $packages)" >&2
  exit 1
fi

missing=""
for package in $packages; do
  dpkg -s "$package" >/dev/null 2>&1 || missing="$missing $package"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "dlrt needs these Debian packages; install them with:" >&2
  echo "  sudo apt-get install -y$missing" >&2
  exit 1
fi
echo "installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq $missing
