/*
 * libFuzzer target: arbitrary bytes arrive at a server that has just been created. This
 * reaches the record layer's framing and limits, the driver's record handling and the whole
 * ClientHello negotiation, HelloRetryRequest and the second ClientHello included. The
 * server's randomness is reproducible in the fuzzing build and its first certificate signs
 * with Ed25519 (deterministic), so the recorded client flights of tests/fuzz/seeds/server
 * (TLS 1.3 and 1.2, with and without a client certificate, after a HelloRetryRequest) get
 * past the client's Certificate, CertificateVerify and Finished to the records after them.
 * The first byte chooses how the input is cut into feeds.
 */
#include <stddef.h>
#include <stdint.h>

#include "peers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_one(CLASP_SERVER, data, size);
    return 0;
}
