/*
 * OpenSSL's libssl in the handshake benchmark; compiled a second time against BoringSSL for
 * bench-peer-boringssl (the two libraries' symbols collide, so BoringSSL runs in its own
 * process). Client and server SSL objects joined in memory by a BIO over a bench_link.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "bench.h"
#include "hs_impls.h"

typedef struct ossl_bench {
    SSL_CTX *ctx[2];      /* [BENCH_CLIENT], [BENCH_SERVER] */
    SSL_SESSION *session; /* the session each resumed handshake offers */
    const char *host;
    bench_resume resume;
    bench_link *link; /* the speed benchmark's */
} ossl_bench;

static void ossl_teardown(void *p)
{
    ossl_bench *b = p;
    if (!b)
        return;
    SSL_CTX_free(b->ctx[BENCH_CLIENT]);
    SSL_CTX_free(b->ctx[BENCH_SERVER]);
    SSL_SESSION_free(b->session);
    bench_links_free(b->link, 1);
    free(b);
}

/* A BIO over one end of a bench_link, like a non-blocking socket. */
static int link_write(BIO *bio, const char *data, int n)
{
    long r = bench_end_write(BIO_get_data(bio), data, (size_t)n);
    BIO_clear_retry_flags(bio);
    if (r < 0)
        BIO_set_retry_write(bio);
    return (int)r;
}

static int link_read(BIO *bio, char *data, int n)
{
    long r = bench_end_read(BIO_get_data(bio), data, (size_t)n);
    BIO_clear_retry_flags(bio);
    if (r < 0)
        BIO_set_retry_read(bio);
    return (int)r;
}

static long link_ctrl(BIO *bio, int cmd, long num, void *ptr)
{
    (void)bio;
    (void)num;
    (void)ptr;
    return cmd == BIO_CTRL_FLUSH;
}

static BIO *link_bio(bench_end *e)
{
    static BIO_METHOD *method; /* one for the process; the benchmark has one thread */
    if (!method &&
        (method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "bench link")) != NULL) {
        BIO_meth_set_write(method, link_write);
        BIO_meth_set_read(method, link_read);
        BIO_meth_set_ctrl(method, link_ctrl);
    }
    BIO *bio = method ? BIO_new(method) : NULL;
    if (bio) {
        BIO_set_data(bio, e);
        BIO_set_init(bio, 1);
    }
    return bio;
}

/* The leaf, then every certificate after it in the PEM as the chain it is sent with. */
static int use_chain(SSL_CTX *ctx, const char *chain, const char *key)
{
    BIO *b = BIO_new_mem_buf(chain, -1);
    X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    int ok = x && SSL_CTX_use_certificate(ctx, x) == 1;
    X509_free(x);
    while (ok && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
        ok = SSL_CTX_add1_chain_cert(ctx, x) == 1;
        X509_free(x);
    }
    BIO_free(b);
    b = BIO_new_mem_buf(key, -1);
    EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
    ok = ok && k && SSL_CTX_use_PrivateKey(ctx, k) == 1;
    EVP_PKEY_free(k);
    BIO_free(b);
    ERR_clear_error(); /* the chain's end is an error in the queue */
    return ok;
}

/*
 * The client keeps the newest session it is given: a TLS 1.3 ticket is for one use (RFC
 * 8446 C.4; OpenSSL's client will not offer one twice), so each resumed handshake offers
 * the ticket the one before it received. It arrives after the handshake, and BoringSSL
 * hands it only to this callback. (TLS 1.2 gives sessions only on full handshakes.)
 */
static int new_session(SSL *ssl, SSL_SESSION *session)
{
    ossl_bench *b = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
    SSL_SESSION_free(b->session);
    b->session = session;
    return 1; /* ours now */
}

static void client_sessions(SSL_CTX *ctx, ossl_bench *b)
{
    if (b->resume == RESUME_NONE)
        return;
    SSL_CTX_set_app_data(ctx, b);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, new_session);
}

static int trust_root(SSL_CTX *ctx, const char *root)
{
    BIO *b = BIO_new_mem_buf(root, -1);
    X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    int ok = x && X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), x) == 1;
    X509_free(x);
    BIO_free(b);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    return ok;
}

/* Both sides: the scenario's one version, suite and group. */
static int pin(SSL_CTX *ctx, const bench_scenario_info *si)
{
    int v = si->tls12 ? TLS1_2_VERSION : TLS1_3_VERSION;
    int ok = SSL_CTX_set_min_proto_version(ctx, v) == 1 &&
             SSL_CTX_set_max_proto_version(ctx, v) == 1 &&
             SSL_CTX_set1_curves_list(ctx, si->tls12 ? "X25519:P-256" : "X25519") == 1;
    if (si->tls12)
        return ok && SSL_CTX_set_cipher_list(ctx, si->rsa ? "ECDHE-RSA-AES128-GCM-SHA256"
                                                          : "ECDHE-ECDSA-AES128-GCM-SHA256") == 1;
#ifdef OPENSSL_IS_BORINGSSL
    return ok; /* its TLS 1.3 suites are fixed: AES-128-GCM first on AES-NI machines */
#else
    return ok && SSL_CTX_set_ciphersuites(ctx, BENCH_SUITE13) == 1;
#endif
}

/*
 * The server caches sessions only for resumption by ID, and issues tickets (one, in TLS
 * 1.3) only for resumption by ticket: full handshakes are measured without either.
 */
static void server_sessions(SSL_CTX *ctx, bench_resume resume)
{
    SSL_CTX_set_session_cache_mode(ctx, resume == RESUME_ID ? SSL_SESS_CACHE_SERVER
                                                            : SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(ctx, resume == RESUME_TICKET ? 1 : 0);
    if (resume != RESUME_TICKET)
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
}

/* Reads what followed the handshake (tickets; a client's Finished, see pump); none waits. */
static int drain(SSL *ssl, bench_split *split, int who)
{
    char byte;
    int rc;
    BENCH_ON(split, who, rc = SSL_read(ssl, &byte, 1));
    return rc <= 0 && SSL_get_error(ssl, rc) == SSL_ERROR_WANT_READ ? 0 : -1;
}

/*
 * Each side's handshake steps in turn, then the server and the client read what followed.
 * BoringSSL's TLS 1.3 server finishes its handshake before the client's Finished arrives
 * (it may send data at once), reads that Finished in SSL_read, and holds its tickets back
 * until it writes: a server answering a request would, so an empty write sends them.
 */
static int step(void *ssl)
{
    int rc = SSL_do_handshake(ssl);
    if (rc == 1)
        return 1;
    rc = SSL_get_error(ssl, rc);
    return rc == SSL_ERROR_WANT_READ || rc == SSL_ERROR_WANT_WRITE ? 0 : -1;
}

static int pump(void *ssl[2], bench_split *split)
{
    if (bench_alternate(ssl, step, split) != 0)
        return -1;
    if (drain(ssl[BENCH_SERVER], split, BENCH_SERVER) != 0)
        return -1;
#ifdef OPENSSL_IS_BORINGSSL
    BENCH_ON(split, BENCH_SERVER, (void)SSL_write(ssl[BENCH_SERVER], "", 0));
#endif
    return drain(ssl[BENCH_CLIENT], split, BENCH_CLIENT);
}

static SSL *ssl_new(const ossl_bench *b, bench_link *link, int who)
{
    SSL *s = SSL_new(b->ctx[who]);
    BIO *bio = s ? link_bio(&link->end[who]) : NULL;
    int ok = bio != NULL;
    if (ok)
        SSL_set_bio(s, bio, bio);
    if (ok && who == BENCH_SERVER)
        SSL_set_accept_state(s);
    else if (ok)
        SSL_set_connect_state(s);
    if (ok && who == BENCH_CLIENT)
        ok = SSL_set_tlsext_host_name(s, b->host) == 1 && SSL_set1_host(s, b->host) == 1 &&
             (!b->session || SSL_set_session(s, b->session) == 1);
    if (!ok)
        SSL_free(s);
    return ok ? s : NULL;
}

static void describe(SSL *s, char *desc, size_t cap)
{
#ifdef OPENSSL_IS_BORINGSSL
    const char *group = SSL_get_curve_name(SSL_get_curve_id(s));
#else
    const char *group = SSL_group_to_name(s, SSL_get_negotiated_group(s));
#endif
    bench_describe(desc, cap, SSL_version(s) == TLS1_3_VERSION,
                   SSL_CIPHER_standard_name(SSL_get_current_cipher(s)), group,
                   SSL_session_reused(s));
}

/* Both sides over link, through the handshake and what follows it; ssl[i] NULL if unmade. */
static int connect_pair(ossl_bench *b, bench_link *link, void *ssl[2], bench_split *split)
{
    int offer = b->session != NULL;
    bench_link_reset(link);
    BENCH_ON(split, BENCH_CLIENT, ssl[0] = ssl_new(b, link, BENCH_CLIENT));
    BENCH_ON(split, BENCH_SERVER, ssl[1] = ssl_new(b, link, BENCH_SERVER));
    int rc = ssl[0] && ssl[1] ? pump(ssl, split) : -1;
    if (rc == 0 && SSL_session_reused(ssl[0]) != offer)
        rc = BENCH_ERR_RESUMPTION;
    ERR_clear_error();
    return rc;
}

/*
 * Closed as if close_notify had gone both ways (clasp's free sends nothing either): OpenSSL
 * drops from its cache the session of an SSL freed open.
 */
static void ossl_close_conn(void *conn, int who)
{
    (void)who;
    if (conn)
        SSL_set_shutdown(conn, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(conn);
}

/* One handshake; with desc, says what was negotiated there (or that it failed). */
static int handshake(void *p, bench_split *split, char *desc, size_t cap)
{
    ossl_bench *b = p;
    void *ssl[2];
    int rc = connect_pair(b, b->link, ssl, split);
    if (desc && rc == 0)
        describe(ssl[0], desc, cap);
    else if (desc)
        snprintf(desc, cap, "%s",
                 rc == BENCH_ERR_RESUMPTION ? BENCH_RESUMPTION_WHY : "handshake failed");
    if (rc == 0 && b->resume != RESUME_NONE && !b->session)
        rc = -1; /* no session to resume */
    BENCH_ON(split, BENCH_CLIENT, ossl_close_conn(ssl[0], BENCH_CLIENT));
    BENCH_ON(split, BENCH_SERVER, ossl_close_conn(ssl[1], BENCH_SERVER));
    return rc;
}

static int ossl_transfer(void *from, void *to)
{
    char data[BENCH_EXCHANGE] = {0}, got[BENCH_EXCHANGE];
    return SSL_write(from, data, sizeof(data)) == (int)sizeof(data) &&
                   SSL_read(to, got, sizeof(got)) == (int)sizeof(got)
               ? 0
               : -1;
}

static int ossl_open_pair(void *ctx, bench_link *link, void *conn[2])
{
    void *ssl[2];
    bench_split split = {{0, 0}};
    int rc = connect_pair(ctx, link, ssl, &split);
    return bench_open_pair_finish(rc, ssl, ossl_transfer, ossl_close_conn, conn);
}

static int ossl_once(void *p, bench_split *split)
{
    return handshake(p, split, NULL, 0);
}

static int configure(ossl_bench *b, const bench_scenario_info *si, const bench_pki *pki,
                     int variant)
{
    b->ctx[BENCH_CLIENT] = SSL_CTX_new(TLS_client_method());
    b->ctx[BENCH_SERVER] = SSL_CTX_new(TLS_server_method());
    for (int who = 0; who < 2; who++) {
        if (!b->ctx[who] || !pin(b->ctx[who], si))
            return 0;
        if (variant == 1)
            SSL_CTX_set_mode(b->ctx[who], SSL_MODE_RELEASE_BUFFERS);
    }
    server_sessions(b->ctx[BENCH_SERVER], si->resume);
    client_sessions(b->ctx[BENCH_CLIENT], b);
    return use_chain(b->ctx[BENCH_SERVER], pki->chain[si->rsa], pki->key[si->rsa]) &&
           trust_root(b->ctx[BENCH_CLIENT], pki->root[si->rsa]);
}

static bench_status ossl_setup(void **ctx, bench_scenario sc, const bench_pki *pki,
                               const char *host, int variant, char *desc, size_t cap)
{
    const bench_scenario_info *si = &bench_scenarios[sc];
    ossl_bench *b = calloc(1, sizeof(*b));
    if (!b)
        return BENCH_FAILED;
    b->host = host;
    b->resume = si->resume;
    b->link = bench_links_new(1);
    int configured = b->link && configure(b, si, pki, variant);
    return bench_setup_finish(b, configured, si->resume, handshake, ossl_teardown, ctx, desc, cap);
}

static const char *ossl_version(void)
{
#ifdef OPENSSL_IS_BORINGSSL
    return BENCH_BORINGSSL_VERSION;
#else
    return OpenSSL_version(OPENSSL_VERSION_STRING);
#endif
}

const bench_impl bench_openssl = {
#ifdef OPENSSL_IS_BORINGSSL
    .name = "BoringSSL",
#else
    .name = "OpenSSL",
#endif
    .version = ossl_version,
    .setup = ossl_setup,
    .once = ossl_once,
    .teardown = ossl_teardown,
    .open_pair = ossl_open_pair,
    .close_conn = ossl_close_conn};
