/*
 * Heap held by an idle connection, clasp beside OpenSSL 3 libssl, in one run: N client and
 * server pairs complete a handshake and exchange 100 bytes each way, then sit idle; the
 * bytes still allocated (libcrypto's and libssl's allocations counted too, through
 * CRYPTO_set_mem_functions, and clasp's through clasp_set_allocator) are divided by 2N.
 * OpenSSL is shown with its defaults and with SSL_MODE_RELEASE_BUFFERS.
 *
 *   clasp-bench-memory [--tls12]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <clasp/clasp.h>

#include "pair.h"
#include "pki.h"

#define N 64

static long live; /* bytes allocated and not yet freed */

/* A size header in front of each block lets frees subtract what was added. */
static void *count_malloc(size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    size_t *p = malloc(n + 16);
    if (!p)
        return NULL;
    p[0] = n;
    live += (long)n;
    return p + 2;
}

static void count_free(void *q, const char *file, int line)
{
    (void)file;
    (void)line;
    if (!q)
        return;
    size_t *p = (size_t *)q - 2;
    live -= (long)p[0];
    free(p);
}

static void *count_realloc(void *q, size_t n, const char *file, int line)
{
    if (!q)
        return count_malloc(n, file, line);
    size_t *p = (size_t *)q - 2;
    long old = (long)p[0];
    size_t *np = realloc(p, n + 16);
    if (!np)
        return NULL;
    live += (long)n - old;
    np[0] = n;
    return np + 2;
}

static void *clasp_alloc_hook(void *ctx, size_t n)
{
    (void)ctx;
    return count_malloc(n, NULL, 0);
}

static void clasp_free_hook(void *ctx, void *p, size_t n)
{
    (void)ctx;
    (void)n;
    count_free(p, NULL, 0);
}

static test_ca *ca;
static test_cert leaf;

static long clasp_idle(int tls12)
{
    clasp_config *s = clasp_config_new(CLASP_SERVER), *c = clasp_config_new(CLASP_CLIENT);
    uint16_t v = tls12 ? CLASP_TLS12 : CLASP_TLS13;
    const test_pem *anchor = test_ca_pem(ca);
    if (clasp_config_add_cert_chain_pem(s, (const uint8_t *)leaf.chain.pem, leaf.chain.len,
                                        (const uint8_t *)leaf.key.pem, leaf.key.len) ||
        clasp_config_load_verify_pem(c, (const uint8_t *)anchor->pem, anchor->len) ||
        clasp_config_set_versions(s, v, v) || clasp_config_set_versions(c, v, v))
        abort();
    clasp_conn *a[N], *b[N];
    unsigned char data[100] = {0};
    long before = live;
    for (int i = 0; i < N; i++) {
        a[i] = clasp_conn_new(c);
        b[i] = clasp_conn_new(s);
        clasp_conn_set_server_name(a[i], "server.test");
        if (pair_handshake(a[i], b[i]) || pair_transfer(a[i], b[i], data, sizeof(data)) ||
            pair_transfer(b[i], a[i], data, sizeof(data)))
            abort();
    }
    long per = (live - before) / (2 * N);
    for (int i = 0; i < N; i++) {
        clasp_conn_free(a[i]);
        clasp_conn_free(b[i]);
    }
    clasp_config_free(s);
    clasp_config_free(c);
    return per;
}

static SSL_CTX *openssl_ctx(int server, int tls12, int release)
{
    SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    int v = tls12 ? TLS1_2_VERSION : TLS1_3_VERSION;
    SSL_CTX_set_min_proto_version(ctx, v);
    SSL_CTX_set_max_proto_version(ctx, v);
    if (release)
        SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    if (server) {
        BIO *b = BIO_new_mem_buf(leaf.key.pem, -1);
        EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
        BIO_free(b);
        b = BIO_new_mem_buf(leaf.cert.pem, -1);
        X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
        BIO_free(b);
        SSL_CTX_use_certificate(ctx, x);
        SSL_CTX_use_PrivateKey(ctx, k);
        SSL_CTX_set_num_tickets(ctx, 0);
        X509_free(x);
        EVP_PKEY_free(k);
    } else {
        BIO *b = BIO_new_mem_buf(test_ca_pem(ca)->pem, -1);
        X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
        BIO_free(b);
        X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), x);
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        X509_free(x);
    }
    return ctx;
}

/* Handshake, then 100 bytes each way (a read on each side drains the record). */
static void openssl_pair(SSL_CTX *cctx, SSL_CTX *sctx, SSL **c, SSL **s)
{
    BIO *bc, *bs;
    char buf[100] = {0};
    *c = SSL_new(cctx);
    *s = SSL_new(sctx);
    BIO_new_bio_pair(&bc, 0, &bs, 0);
    SSL_set_bio(*c, bc, bc);
    SSL_set_bio(*s, bs, bs);
    SSL_set_connect_state(*c);
    SSL_set_accept_state(*s);
    SSL_set_tlsext_host_name(*c, "server.test");
    SSL_set1_host(*c, "server.test");
    for (int i = 0; i < 32 && !(SSL_is_init_finished(*c) && SSL_is_init_finished(*s)); i++) {
        SSL_do_handshake(*c);
        SSL_do_handshake(*s);
    }
    if (SSL_write(*c, buf, 100) != 100 || SSL_read(*s, buf, 100) != 100 ||
        SSL_write(*s, buf, 100) != 100 || SSL_read(*c, buf, 100) != 100)
        abort();
}

static long openssl_idle(int tls12, int release)
{
    SSL_CTX *sctx = openssl_ctx(1, tls12, release), *cctx = openssl_ctx(0, tls12, release);
    SSL *c[N], *s[N];
    long before = live;
    for (int i = 0; i < N; i++)
        openssl_pair(cctx, sctx, &c[i], &s[i]);
    long per = (live - before) / (2 * N);
    for (int i = 0; i < N; i++) {
        SSL_free(c[i]);
        SSL_free(s[i]);
    }
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    return per;
}

int main(int argc, char **argv)
{
    int tls12 = argc > 1 && strcmp(argv[1], "--tls12") == 0;
    if (!CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free))
        return 1;
    clasp_allocator hooks = {clasp_alloc_hook, clasp_free_hook, NULL};
    clasp_set_allocator(&hooks);
    ca = test_ca_new(TK_P256, "bench CA");
    test_cert_opts o = {.cn = "server.test", .san = "DNS:server.test"};
    test_issue(ca, TK_P256, &o, &leaf);
    clasp_idle(tls12); /* warm up: one-time fetches are not per connection */
    openssl_idle(tls12, 0);
    long cl = clasp_idle(tls12), os = openssl_idle(tls12, 0), osr = openssl_idle(tls12, 1);
    printf("heap per idle %s connection (after handshake and 100 bytes each way):\n",
           tls12 ? "TLS 1.2" : "TLS 1.3");
    printf("  clasp                              %6ld bytes\n", cl);
    printf("  OpenSSL (defaults)                 %6ld bytes  (%.1fx clasp)\n", os,
           (double)os / (double)cl);
    printf("  OpenSSL (SSL_MODE_RELEASE_BUFFERS) %6ld bytes  (%.1fx clasp)\n", osr,
           (double)osr / (double)cl);
    test_cert_free(&leaf);
    test_ca_free(ca);
    return 0;
}
