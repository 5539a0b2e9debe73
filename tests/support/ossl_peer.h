/*
 * OpenSSL libssl as a peer in memory: a test certificate into an SSL_CTX, a CA as its trust
 * anchor. Kept apart from pki.c so that only the programs that use libssl link it.
 */
#ifndef CLASP_TEST_OSSL_PEER_H
#define CLASP_TEST_OSSL_PEER_H

#include <openssl/ssl.h>

#include "pki.h"

/* The certificate (leaf only) and its key; 0 on success. */
int ossl_use_test_cert(SSL_CTX *ctx, const test_cert *c);
/* Trusts the certificate in anchor (PEM); 0 on success. */
int ossl_trust_pem(SSL_CTX *ctx, const test_pem *anchor);

#endif /* CLASP_TEST_OSSL_PEER_H */
