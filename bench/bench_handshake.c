/*
 * Full handshakes per second, clasp beside OpenSSL 3 libssl, in one process and one run:
 * each side's client and server in memory (no sockets), the same certificate (ECDSA P-256,
 * SAN server.test, issued by a throwaway CA), the client verifying the chain and the host
 * name. Prints both rates and their ratio. A measurement, never a test: nothing fails on
 * a clock.
 *
 *   clasp-bench-handshake [seconds-per-config] [--tls12] [--no-verify-cache]
 *
 * clasp's client keeps its default verified-chain cache (clasp_config_set_verify_cache), so
 * after the first handshake the server's chain is not verified again (validity and name
 * still are); --no-verify-cache turns it off, to compare with a full verification each time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <clasp/clasp.h>

#include "pair.h"
#include "pki.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static test_ca *ca;
static test_cert leaf;
static int no_verify_cache;

static double clasp_rate(double seconds, int tls12)
{
    clasp_config *s = clasp_config_new(CLASP_SERVER), *c = clasp_config_new(CLASP_CLIENT);
    uint16_t v = tls12 ? CLASP_TLS12 : CLASP_TLS13;
    const test_pem *anchor = test_ca_pem(ca);
    if (clasp_config_add_cert_chain_pem(s, (const uint8_t *)leaf.chain.pem, leaf.chain.len,
                                        (const uint8_t *)leaf.key.pem, leaf.key.len) ||
        clasp_config_load_verify_pem(c, (const uint8_t *)anchor->pem, anchor->len) ||
        clasp_config_set_versions(s, v, v) || clasp_config_set_versions(c, v, v) ||
        clasp_config_set_session_cache(s, 0, 0) ||
        (no_verify_cache && clasp_config_set_verify_cache(c, 0)))
        abort();
    long n = 0;
    double t0 = now(), t;
    do {
        clasp_conn *a = clasp_conn_new(c), *b = clasp_conn_new(s);
        clasp_conn_set_server_name(a, "server.test");
        if (pair_handshake(a, b) != 0) {
            fprintf(stderr, "clasp handshake failed: %s\n", clasp_conn_error_detail(a));
            exit(1);
        }
        clasp_conn_free(a);
        clasp_conn_free(b);
        n++;
    } while ((t = now() - t0) < seconds);
    clasp_config_free(s);
    clasp_config_free(c);
    return (double)n / t;
}

static X509 *pem_cert(const char *pem)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    BIO_free(b);
    return x;
}

static SSL_CTX *openssl_server(int tls12)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    BIO *b = BIO_new_mem_buf(leaf.key.pem, -1);
    EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
    BIO_free(b);
    X509 *x = pem_cert(leaf.cert.pem);
    int v = tls12 ? TLS1_2_VERSION : TLS1_3_VERSION;
    if (!ctx || !k || !x || SSL_CTX_use_certificate(ctx, x) != 1 ||
        SSL_CTX_use_PrivateKey(ctx, k) != 1)
        abort();
    SSL_CTX_set_min_proto_version(ctx, v);
    SSL_CTX_set_max_proto_version(ctx, v);
    SSL_CTX_set_num_tickets(ctx, 0); /* like clasp: no tickets, a full handshake each time */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    X509_free(x);
    EVP_PKEY_free(k);
    return ctx;
}

static SSL_CTX *openssl_client(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    X509 *anchor = pem_cert(test_ca_pem(ca)->pem);
    if (!ctx || !anchor || X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), anchor) != 1)
        abort();
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    X509_free(anchor);
    return ctx;
}

static void openssl_one(SSL_CTX *cctx, SSL_CTX *sctx)
{
    SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
    BIO *bc, *bs;
    BIO_new_bio_pair(&bc, 0, &bs, 0);
    SSL_set_bio(c, bc, bc);
    SSL_set_bio(s, bs, bs);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    SSL_set_tlsext_host_name(c, "server.test");
    SSL_set1_host(c, "server.test");
    for (int i = 0; i < 32 && !(SSL_is_init_finished(c) && SSL_is_init_finished(s)); i++) {
        SSL_do_handshake(c);
        SSL_do_handshake(s);
    }
    if (!SSL_is_init_finished(c) || !SSL_is_init_finished(s)) {
        fprintf(stderr, "OpenSSL handshake failed\n");
        exit(1);
    }
    SSL_free(c);
    SSL_free(s);
}

static double openssl_rate(double seconds, int tls12)
{
    SSL_CTX *sctx = openssl_server(tls12), *cctx = openssl_client();
    long n = 0;
    double t0 = now(), t;
    do {
        openssl_one(cctx, sctx);
        n++;
    } while ((t = now() - t0) < seconds);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    return (double)n / t;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 3.0;
    int tls12 = 0;
    for (int i = 2; i < argc; i++) {
        tls12 |= strcmp(argv[i], "--tls12") == 0;
        no_verify_cache |= strcmp(argv[i], "--no-verify-cache") == 0;
    }
    ca = test_ca_new(TK_P256, "bench CA");
    test_cert_opts o = {.cn = "server.test", .san = "DNS:server.test"};
    test_issue(ca, TK_P256, &o, &leaf);
    /* Warm up both (algorithm fetches, lazy initialisation), then measure in turn. */
    clasp_rate(0.2, tls12);
    openssl_rate(0.2, tls12);
    double cl = clasp_rate(seconds, tls12), os = openssl_rate(seconds, tls12);
    printf("full %s handshakes (client+server in one process, ECDSA P-256, x25519, clasp's "
           "verified-chain cache %s):\n",
           tls12 ? "TLS 1.2" : "TLS 1.3", no_verify_cache ? "off" : "on");
    printf("  clasp   %8.0f /s\n  OpenSSL %8.0f /s  (libssl %s)\n  ratio   %8.2f x\n", cl, os,
           OpenSSL_version(OPENSSL_VERSION), cl / os);
    test_cert_free(&leaf);
    test_ca_free(ca);
    return 0;
}
