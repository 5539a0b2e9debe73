/*
 * The peers the performance harness measures clasp beside, in memory, on the same
 * certificate: OpenSSL 3 libssl always, GnuTLS when it was found at configure time.
 */
#ifndef CLASP_PERF_PEERS_H
#define CLASP_PERF_PEERS_H

#include "pki.h"

/* One peer's TLS 1.2 session-ID resumption: set up once, then one resumption per call. */
typedef struct perf_peer {
    const char *name;
    void *(*setup)(const test_cert *leaf, const test_pem *anchor);
    void (*resume)(void *state); /* aborts on failure */
    void (*teardown)(void *state);
} perf_peer;

extern const perf_peer perf_openssl;
#ifdef CLASP_PERF_GNUTLS
extern const perf_peer perf_gnutls;
#endif

#endif /* CLASP_PERF_PEERS_H */
