/*
 * Test PKI made in memory with libcrypto: a CA and certificates it issues, as PEM. Nothing
 * is committed to the repository; every run makes fresh keys.
 */
#ifndef CLASP_TEST_PKI_H
#define CLASP_TEST_PKI_H

#include <stddef.h>
#include <stdint.h>

typedef enum test_key {
    TK_RSA2048,
    TK_RSA4096,
    TK_P256,
    TK_P384,
    TK_ED25519,
    TK_RSA_PSS,
    TK_RSA1024, /* too weak: for the tests that must refuse it */
    TK_P521,
} test_key;

typedef struct test_pem {
    char *pem; /* NUL-terminated */
    size_t len;
} test_pem;

typedef struct test_cert {
    test_pem cert;  /* the certificate (leaf only) */
    test_pem chain; /* leaf then the issuing chain, as a server sends it */
    test_pem key;   /* PKCS#8 private key */
} test_cert;

typedef struct test_ca test_ca;

/* A self-signed CA (basicConstraints CA:TRUE, keyCertSign). */
test_ca *test_ca_new(test_key kt, const char *cn);
/* An intermediate CA issued by parent. */
test_ca *test_ca_intermediate(test_ca *parent, test_key kt, const char *cn);
void test_ca_free(test_ca *ca);
/* The CA certificate as PEM (a trust anchor). */
const test_pem *test_ca_pem(const test_ca *ca);
/* An empty CRL the CA signs (nothing revoked), valid from a day ago for 30 days, as PEM. */
void test_ca_crl(const test_ca *ca, test_pem *out);

typedef struct test_cert_opts {
    const char *cn;
    const char *san;      /* e.g. "DNS:server.test,IP:127.0.0.1", or NULL */
    int client;           /* EKU clientAuth instead of serverAuth */
    long not_before_days; /* relative to now; default 0 means -1 day */
    long not_after_days;  /* default 0 means +30 days */
    /* keyUsage, as openssl.cnf writes it ("critical,keyEncipherment"); NULL means
     * "critical,digitalSignature,keyEncipherment"; "none" leaves the extension out */
    const char *key_usage;
} test_cert_opts;

/* Issues a leaf; aborts the test on failure. Free with test_cert_free. */
void test_issue(test_ca *ca, test_key kt, const test_cert_opts *o, test_cert *out);
void test_cert_free(test_cert *c);

#endif /* CLASP_TEST_PKI_H */
