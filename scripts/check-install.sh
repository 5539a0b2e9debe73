#!/bin/sh
# Installs a build into a scratch prefix, then builds and runs a consumer against it twice:
# through pkg-config (shared) and through CMake's find_package (shared and static).
set -eu
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"

cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(find "$prefix" -name clasp.pc -path '*pkgconfig*' -exec dirname {} \; | head -n 1)
[ -n "$libdir" ] || { echo "check-install: no clasp.pc installed"; exit 1; }
libdir=$(dirname "$libdir")
ls "$libdir"/libclasp.so.0 "$libdir"/libclasp.a >/dev/null

PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --cflags --libs clasp >"$tmp/flags"
# shellcheck disable=SC2046
cc -o "$tmp/consumer_pc" "$root/tests/install/consumer.c" $(cat "$tmp/flags")
LD_LIBRARY_PATH="$libdir" "$tmp/consumer_pc"

cmake -S "$root/tests/install" -B "$tmp/cm" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$tmp/cm" >/dev/null
LD_LIBRARY_PATH="$libdir" "$tmp/cm/consumer_shared"
"$tmp/cm/consumer_static"

# libclasp-memcached, installed only where it was built (with its header): the same twice.
if [ -e "$libdir/libclasp-memcached.so" ]; then
    PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --cflags --libs clasp-memcached >"$tmp/mflags"
    # shellcheck disable=SC2046
    cc -o "$tmp/consumer_mc" "$root/tests/install/consumer_memcached.c" $(cat "$tmp/mflags")
    LD_LIBRARY_PATH="$libdir" "$tmp/consumer_mc"
    [ -x "$tmp/cm/consumer_memcached_shared" ] || { echo "check-install: find_package has no clasp::clasp_memcached"; exit 1; }
    LD_LIBRARY_PATH="$libdir" "$tmp/cm/consumer_memcached_shared"
    "$tmp/cm/consumer_memcached_static"
    extra=", and libclasp-memcached"
elif [ -e "$prefix/include/clasp/memcached.h" ]; then
    echo "check-install: clasp/memcached.h installed without libclasp-memcached"; exit 1
fi
echo "check-install: ok (pkg-config and find_package, shared and static${extra:-})"
