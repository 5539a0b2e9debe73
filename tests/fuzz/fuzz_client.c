/*
 * libFuzzer target: arbitrary bytes arrive at a client (TLS 1.3 and 1.2 offered) that has
 * sent its ClientHello. Its randomness and key shares are reproducible in the fuzzing build
 * and it trusts the fixed CA (tests/fuzz/pki), so the recorded server flights of
 * tests/fuzz/seeds/client verify and decrypt: the fuzzer mutates every message of a real
 * handshake, TLS 1.3 (with HelloRetryRequest, CertificateRequest, NewSessionTicket,
 * KeyUpdate) and TLS 1.2 (ServerKeyExchange, CertificateRequest, ServerHelloDone, CCS,
 * Finished), and the records after it. The first byte chooses how the input is cut into
 * feeds, so reassembly across feeds is exercised too.
 */
#include <stddef.h>
#include <stdint.h>

#include "peers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_one(CLASP_CLIENT, data, size);
    return 0;
}
