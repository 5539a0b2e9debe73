/*
 * The benchmarks' PKI, made fresh each run with tests/support/pki: for ECDSA P-256 and for
 * RSA-2048, a root CA, an intermediate it issued, and a leaf for BENCH_HOST the intermediate
 * issued. The server sends leaf + intermediate; the client trusts the root alone.
 */
#ifndef CLASP_BENCH_PKI_H
#define CLASP_BENCH_PKI_H

#include "bench.h"
#include "pki.h"

typedef struct bench_chains {
    test_ca *root[2], *inter[2]; /* [0] ECDSA P-256, [1] RSA-2048 (NULL when not made) */
    test_cert leaf[2];
    bench_pki pki; /* the PEM text of the above */
} bench_chains;

/* The ECDSA chain, and the RSA one when with_rsa (its keys take a moment to make). */
void bench_chains_make(bench_chains *c, int with_rsa);
void bench_chains_free(bench_chains *c);

#endif /* CLASP_BENCH_PKI_H */
