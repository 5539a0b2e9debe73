/* The implementations the handshake benchmark can run, each where its library is built in. */
#ifndef CLASP_BENCH_HS_IMPLS_H
#define CLASP_BENCH_HS_IMPLS_H

#include "bench.h"

extern const bench_impl bench_clasp;   /* hs_clasp.c */
extern const bench_impl bench_openssl; /* hs_ossl.c, built against OpenSSL */
#ifdef CLASP_BENCH_GNUTLS
extern const bench_impl bench_gnutls; /* hs_gnutls.c */
#endif
#ifdef CLASP_BENCH_BORINGSSL_RUNNER
extern const bench_impl bench_boringssl; /* hs_boringssl.c: runs bench-peer-boringssl */
#endif

/* 1 when this clasp has clasp_config_set_verify_cache (variant 1 turns the cache off). */
extern const int bench_clasp_verify_cache;

#endif /* CLASP_BENCH_HS_IMPLS_H */
