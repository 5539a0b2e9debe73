#!/bin/sh
# Checks the rules of docs/architecture.md that a grep can check:
#  - only src/crypto/ and src/x509/ include OpenSSL headers;
#  - each layer includes only layers to its left: base -> crypto -> x509 -> record -> msg ->
#    hs -> conn -> io, and msg uses base alone;
#  - the shared library links libcrypto and never libssl (when a build dir is given).
set -eu
cd "$(dirname "$0")/.."
order="base crypto x509 record msg hs conn io"
rank() { i=0; for l in $order; do [ "$l" = "$1" ] && { echo $i; return; }; i=$((i+1)); done; echo -1; }
fail=0

bad=$(grep -rlE '#include *<openssl/' src | grep -vE '^src/(crypto|x509)/' || true)
if [ -n "$bad" ]; then
    echo "OpenSSL headers outside src/crypto and src/x509:"; echo "$bad"; fail=1
fi

for f in $(find src -name '*.[ch]'); do
    from=$(echo "$f" | cut -d/ -f2)
    rf=$(rank "$from")
    for inc in $(grep -oE '#include *"[a-z0-9_]+/' "$f" | sed -E 's/.*"([a-z0-9_]+)\//\1/' | sort -u); do
        ri=$(rank "$inc")
        [ "$ri" -ge 0 ] || continue
        if [ "$ri" -gt "$rf" ] || { [ "$from" = msg ] && [ "$inc" != base ] && [ "$inc" != msg ]; }; then
            echo "layering: $f (layer $from) includes $inc/"; fail=1
        fi
    done
done

if [ $# -ge 1 ]; then
    lib="$1/libclasp.so"
    deps=$(ldd "$lib")
    echo "$deps" | grep -q 'libcrypto\.so' || { echo "$lib does not link libcrypto"; fail=1; }
    if echo "$deps" | grep -q 'libssl\.so'; then echo "$lib links libssl"; fail=1; fi
    # Only the public API leaves the shared library.
    leaked=$(nm -D --defined-only "$lib" | awk '$2 ~ /[TDRB]/ {print $3}' | grep -v '^clasp_' || true)
    if [ -n "$leaked" ]; then echo "exported symbols outside clasp_*:"; echo "$leaked"; fail=1; fi
fi

[ $fail = 0 ] && echo "check-layers: ok"
exit $fail
