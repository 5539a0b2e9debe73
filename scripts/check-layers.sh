#!/bin/sh
# Checks the rules of docs/architecture.md that a script can check:
#  - only src/crypto/ and src/x509/ include OpenSSL headers;
#  - each layer includes only layers to its left: base -> crypto -> x509 -> record -> msg ->
#    hs -> conn -> io, and msg uses base alone; below io/, no file includes <clasp/io.h>,
#    and the umbrella <clasp/clasp.h> (which pulls io.h in) only in base/*.c, which defines
#    the umbrella's own functions;
#  - every file under src/, tools/ and ext/ is named in docs/architecture.md, and add-ons
#    (ext/) include no internal header;
# and, given a build directory:
#  - the same layering for what objects call, not only what they include: every cl_* or
#    clasp_* symbol an object of layer L uses is defined in L or a layer to its left (nm);
#  - the shared library links libcrypto and never libssl, and has no fuzzing hooks;
#  - it exports every CLASP_API function of include/clasp/ and nothing else;
#  - libclasp-memcached (when built) links libclasp and libmemcached, calls only clasp's
#    exported API and exports its own API alone, and libclasp never links libmemcached.
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

bad=$(grep -rlE '#include *<clasp/(io|clasp)\.h>' src | grep -vE '^src/io/' || true)
for f in $bad; do
    case "$f" in
    src/base/*.c) grep -qE '#include *<clasp/io\.h>' "$f" || continue ;;
    esac
    echo "layering: $f (below io/) includes <clasp/io.h> or the umbrella <clasp/clasp.h>"
    fail=1
done

# Add-ons (ext/) are programs over the public API: <clasp/...> and their own headers only.
bad=$(grep -rnE '#include *"(base|crypto|x509|record|msg|hs|conn|io)/' ext || true)
if [ -n "$bad" ]; then
    echo "ext/ includes clasp's internal headers (add-ons use the public API only):"
    echo "$bad"; fail=1
fi

# docs/architecture.md names every file, as `path` or, for a pair, `path.[ch]`.
doc=docs/architecture.md
for f in $(find src tools ext -type f | sort); do
    case "$f" in *.c | *.h) pair="${f%.?}.[ch]" ;; *) pair="$f" ;; esac
    if ! grep -qF "\`$f\`" "$doc" && ! grep -qF "\`$pair\`" "$doc"; then
        echo "$doc does not name $f"; fail=1
    fi
done

# What the objects call: `nm -A` over the library's objects, one line per symbol.
check_symbols() {
    objdir="$1/CMakeFiles/clasp_objs.dir/src"
    if [ ! -d "$objdir" ]; then
        echo "no objects under $objdir (build first)"; return 1
    fi
    # shellcheck disable=SC2046
    nm -A $(find "$objdir" -name '*.o' | sort) | awk -v root="$objdir/" -v order="$order" '
    BEGIN { n = split(order, o, " "); for (i = 1; i <= n; i++) rank[o[i]] = i }
    {
        file = $1; sub(/:.*/, "", file); sub(root, "", file); sub(/\.o$/, "", file)
        layer = file; sub(/\/.*/, "", layer)
        sym = $NF; type = $(NF - 1)
        if (sym !~ /^(cl|clasp)_/) next
        if (type == "U") { nu++; ufile[nu] = file; ulayer[nu] = layer; usym[nu] = sym }
        else if (type ~ /^[TDRBC]$/) { def[sym] = layer; deffile[sym] = file }
    }
    END {
        bad = 0
        for (i = 1; i <= nu; i++) {
            s = usym[i]; from = ulayer[i]
            if (!(s in def)) continue
            to = def[s]
            if (rank[to] > rank[from] || (from == "msg" && to != "msg" && to != "base")) {
                printf "layering: src/%s (layer %s) calls %s, defined in src/%s (layer %s)\n",
                       ufile[i], from, s, deffile[s], to
                bad = 1
            }
        }
        exit bad
    }'
}

# libclasp-memcached, where built: links libclasp and libmemcached, calls clasp's exported
# API only, and exports exactly the CLASP_MEMCACHED_API functions of clasp/memcached.h.
check_memcached() {
    mlib="$1/ext/memcached/libclasp-memcached.so"
    [ -e "$mlib" ] || return 0
    mfail=0
    mdeps=$(ldd "$mlib")
    for need in libclasp.so libmemcached; do
        echo "$mdeps" | grep -q "$need" || { echo "$mlib does not link $need"; mfail=1; }
    done
    internal=$(nm -D --undefined-only "$mlib" | awk '{print $2}' | grep -E '^cl_' || true)
    if [ -n "$internal" ]; then echo "$mlib calls internal functions:"; echo "$internal"; mfail=1; fi
    mexported=$(nm -D --defined-only "$mlib" | awk '$2 ~ /[TDRB]/ {print $3}')
    leaked=$(echo "$mexported" | grep -v '^clasp_memcached_' || true)
    if [ -n "$leaked" ]; then echo "$mlib exports:"; echo "$leaked"; mfail=1; fi
    for fn in $(grep -h 'CLASP_MEMCACHED_API' include/clasp/memcached.h | grep -v '#define' |
                sed -nE 's/^[^(]*[ *](clasp_[a-z0-9_]+)\(.*/\1/p'); do
        echo "$mexported" | grep -qx "$fn" || { echo "$mlib does not export $fn"; mfail=1; }
    done
    return $mfail
}

if [ $# -ge 1 ]; then
    check_symbols "$1" || fail=1
    lib="$1/libclasp.so"
    deps=$(ldd "$lib")
    echo "$deps" | grep -q 'libcrypto\.so' || { echo "$lib does not link libcrypto"; fail=1; }
    if echo "$deps" | grep -q 'libssl\.so'; then echo "$lib links libssl"; fail=1; fi
    # The fuzzing build's reproducible randomness (crypto.h) never reaches a real library.
    if nm "$lib" | grep -q 'cl_fuzz_random'; then echo "$lib has the fuzzing hooks"; fail=1; fi
    exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /[TDRB]/ {print $3}')
    # Only the public API leaves the shared library...
    leaked=$(echo "$exported" | grep -v '^clasp_' || true)
    if [ -n "$leaked" ]; then echo "exported symbols outside clasp_*:"; echo "$leaked"; fail=1; fi
    # ... and all of it does (a function moved to a file that misses its header would not).
    for fn in $(grep -h 'CLASP_API' include/clasp/*.h | grep -v '#define' |
                sed -nE 's/^[^(]*[ *](clasp_[a-z0-9_]+)\(.*/\1/p'); do
        echo "$exported" | grep -qx "$fn" || { echo "$lib does not export $fn"; fail=1; }
    done
    if echo "$deps" | grep -q 'libmemcached'; then echo "$lib links libmemcached"; fail=1; fi
    check_memcached "$1" || fail=1
fi

[ $fail = 0 ] && echo "check-layers: ok"
exit $fail
