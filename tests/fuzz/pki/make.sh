#!/bin/sh
# The fuzzers' fixed PKI (tests/fuzz/README.md): a CA, server certificates for
# "server.test" (Ed25519, P-256, RSA-2048) and an Ed25519 client certificate, valid for a
# century so that replayed flights keep verifying. Test keys only, committed on purpose: the
# recorded seeds contain these certificates and signatures. Running this again makes new
# keys, after which the seeds must be recorded again (make fuzz-seeds).
set -eu
cd "$(dirname "$0")"
days=36500
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/ca.key"
openssl req -x509 -new -key "$tmp/ca.key" -subj "/CN=clasp fuzz CA" -days $days \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out ca.pem

leaf() { # name keyopts eku
    name=$1 eku=$2
    shift 2
    openssl genpkey "$@" -out "$name.key"
    openssl req -new -key "$name.key" -subj "/CN=$name" -out "$tmp/$name.csr"
    printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=%s\nsubjectAltName=DNS:server.test\n' \
        "$eku" >"$tmp/$name.ext"
    openssl x509 -req -in "$tmp/$name.csr" -CA ca.pem -CAkey "$tmp/ca.key" -CAcreateserial \
        -days $days -extfile "$tmp/$name.ext" -out "$tmp/$name.crt"
    cat "$tmp/$name.crt" ca.pem >"$name.pem"
}
leaf server_ed25519 serverAuth -algorithm ED25519
leaf server_p256 serverAuth -algorithm EC -pkeyopt ec_paramgen_curve:P-256
leaf server_rsa serverAuth -algorithm RSA -pkeyopt rsa_keygen_bits:2048
leaf client_ed25519 clientAuth -algorithm ED25519
rm -f ca.srl
