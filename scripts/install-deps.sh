#!/bin/sh
# Installs the Debian packages clasp needs to build and test, only those missing.
# apt-get as root, through sudo otherwise; nothing at all when everything is present.
set -eu

packages="build-essential cmake pkg-config libssl-dev openssl libcmocka-dev gnutls-bin"
# The sanitizer pass and the interop tests want these too; cheap, so always asked for.
packages="$packages clang libclang-rt-14-dev python3"
# The constant-time check of CBC record decoding (tests/ct/) runs under memcheck.
packages="$packages valgrind"
# The benchmarks' peers beside OpenSSL (optional at build time; CI builds and smoke-tests them).
packages="$packages libgnutls28-dev android-libboringssl-dev"
# Fleets: libclasp-memcached builds against libmemcached (optional at build time), and the
# fleet test starts a real memcached on 127.0.0.1.
packages="$packages memcached libmemcached-dev"

# --list: print the packages (one line) for callers that install them their own way.
if [ "${1:-}" = "--list" ]; then
    echo $packages
    exit 0
fi

missing=""
for p in $packages; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "install-deps: need root or sudo to install:$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
