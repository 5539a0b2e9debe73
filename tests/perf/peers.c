/* OpenSSL and GnuTLS TLS 1.2 session-ID resumption in memory, for the performance harness. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include "ossl_peer.h"
#include "peers.h"

static void die(const char *what)
{
    fprintf(stderr, "perf: %s failed\n", what);
    exit(1);
}

/* ---- OpenSSL ---- */

typedef struct ossl_state {
    SSL_CTX *sctx, *cctx;
    SSL_SESSION *session;
} ossl_state;

/* Both ends joined by a BIO pair; returns the client with its handshake done. */
static SSL *ossl_handshake(ossl_state *st, SSL_SESSION *resume)
{
    SSL *c = SSL_new(st->cctx), *s = SSL_new(st->sctx);
    BIO *bc, *bs;
    BIO_new_bio_pair(&bc, 0, &bs, 0);
    SSL_set_bio(c, bc, bc);
    SSL_set_bio(s, bs, bs);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    SSL_set_tlsext_host_name(c, "server.test");
    if (resume)
        SSL_set_session(c, resume);
    for (int i = 0; i < 32 && !(SSL_is_init_finished(c) && SSL_is_init_finished(s)); i++) {
        SSL_do_handshake(c);
        SSL_do_handshake(s);
    }
    if (!SSL_is_init_finished(c) || !SSL_is_init_finished(s) || (resume && !SSL_session_reused(c)))
        die("OpenSSL resumption");
    /* Freed unshut, a session would leave the server's cache (ssl_clear_bad_session). */
    SSL_set_shutdown(s, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_set_shutdown(c, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(s);
    return c;
}

static void *ossl_setup(const test_cert *leaf, const test_pem *anchor)
{
    ossl_state *st = calloc(1, sizeof(*st));
    st->sctx = SSL_CTX_new(TLS_server_method());
    st->cctx = SSL_CTX_new(TLS_client_method());
    if (!st->sctx || !st->cctx || ossl_use_test_cert(st->sctx, leaf) ||
        ossl_trust_pem(st->cctx, anchor))
        die("OpenSSL setup");
    SSL_CTX_set_verify(st->cctx, SSL_VERIFY_PEER, NULL);
    for (int i = 0; i < 2; i++) { /* session IDs, not tickets: TLS 1.2 only */
        SSL_CTX *ctx = i ? st->cctx : st->sctx;
        SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
        SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    }
    SSL_CTX_set_session_cache_mode(st->cctx, SSL_SESS_CACHE_CLIENT);
    SSL *c = ossl_handshake(st, NULL);
    st->session = SSL_get1_session(c);
    SSL_free(c);
    return st;
}

static void ossl_resume(void *arg)
{
    ossl_state *st = arg;
    SSL_free(ossl_handshake(st, st->session));
}

static void ossl_teardown(void *arg)
{
    ossl_state *st = arg;
    SSL_SESSION_free(st->session);
    SSL_CTX_free(st->sctx);
    SSL_CTX_free(st->cctx);
    free(st);
}

const perf_peer perf_openssl = {"OpenSSL", ossl_setup, ossl_resume, ossl_teardown};

/* ---- GnuTLS ---- */
#ifdef CLASP_PERF_GNUTLS
#include <errno.h>

#include <gnutls/gnutls.h>

typedef struct gpipe {
    unsigned char data[1 << 16];
    size_t len, off;
} gpipe;

typedef struct gend {
    gnutls_session_t s;
    gpipe *in, *out;
} gend;

#define GDB_MAX 16
typedef struct gstate {
    gnutls_certificate_credentials_t scred, ccred;
    gnutls_priority_t prio;
    gnutls_datum_t session;
    gnutls_datum_t db_key[GDB_MAX], db_val[GDB_MAX]; /* the server's session cache */
    size_t db_n;
    gpipe c2s, s2c;
} gstate;

static ssize_t gpush(gnutls_transport_ptr_t p, const void *data, size_t len)
{
    gpipe *o = ((gend *)p)->out;
    if (len > sizeof(o->data) - o->len)
        die("GnuTLS pipe");
    memcpy(o->data + o->len, data, len);
    o->len += len;
    return (ssize_t)len;
}

static ssize_t gpull(gnutls_transport_ptr_t p, void *data, size_t len)
{
    gend *e = p;
    gpipe *i = e->in;
    if (i->off == i->len) {
        i->off = i->len = 0;
        gnutls_transport_set_errno(e->s, EAGAIN);
        return -1;
    }
    size_t n = i->len - i->off < len ? i->len - i->off : len;
    memcpy(data, i->data + i->off, n);
    i->off += n;
    return (ssize_t)n;
}

static int db_store(void *arg, gnutls_datum_t key, gnutls_datum_t val)
{
    gstate *st = arg;
    size_t i = st->db_n < GDB_MAX ? st->db_n++ : 0;
    gnutls_free(st->db_key[i].data);
    gnutls_free(st->db_val[i].data);
    st->db_key[i].data = gnutls_malloc(key.size);
    st->db_val[i].data = gnutls_malloc(val.size);
    memcpy(st->db_key[i].data, key.data, key.size);
    memcpy(st->db_val[i].data, val.data, val.size);
    st->db_key[i].size = key.size;
    st->db_val[i].size = val.size;
    return 0;
}

static gnutls_datum_t db_fetch(void *arg, gnutls_datum_t key)
{
    gstate *st = arg;
    gnutls_datum_t out = {NULL, 0};
    for (size_t i = 0; i < st->db_n; i++)
        if (st->db_key[i].size == key.size && !memcmp(st->db_key[i].data, key.data, key.size)) {
            out.data = gnutls_malloc(st->db_val[i].size);
            memcpy(out.data, st->db_val[i].data, st->db_val[i].size);
            out.size = st->db_val[i].size;
        }
    return out;
}

static int db_remove(void *arg, gnutls_datum_t key)
{
    (void)arg;
    (void)key;
    return 0;
}

static void gend_init(gstate *st, gend *e, int server)
{
    if (gnutls_init(&e->s, (server ? GNUTLS_SERVER : GNUTLS_CLIENT) | GNUTLS_NO_TICKETS) < 0 ||
        gnutls_priority_set(e->s, st->prio) < 0 ||
        gnutls_credentials_set(e->s, GNUTLS_CRD_CERTIFICATE, server ? st->scred : st->ccred) < 0)
        die("GnuTLS session");
    e->in = server ? &st->c2s : &st->s2c;
    e->out = server ? &st->s2c : &st->c2s;
    gnutls_transport_set_ptr(e->s, e);
    gnutls_transport_set_push_function(e->s, gpush);
    gnutls_transport_set_pull_function(e->s, gpull);
    if (server) {
        gnutls_db_set_ptr(e->s, st);
        gnutls_db_set_store_function(e->s, db_store);
        gnutls_db_set_retrieve_function(e->s, db_fetch);
        gnutls_db_set_remove_function(e->s, db_remove);
    } else {
        gnutls_server_name_set(e->s, GNUTLS_NAME_DNS, "server.test", 11);
    }
}

static void g_handshake(gstate *st, int resume)
{
    gend c, s;
    gend_init(st, &c, 0);
    gend_init(st, &s, 1);
    if (resume)
        gnutls_session_set_data(c.s, st->session.data, st->session.size);
    int rc = -1, rs = -1;
    for (int i = 0; i < 32 && (rc || rs); i++) {
        if (rc)
            rc = gnutls_handshake(c.s);
        if (rs)
            rs = gnutls_handshake(s.s);
        if ((rc && rc != GNUTLS_E_AGAIN) || (rs && rs != GNUTLS_E_AGAIN))
            die("GnuTLS handshake");
    }
    if (rc || rs || (resume && !gnutls_session_is_resumed(c.s)))
        die("GnuTLS resumption");
    if (!resume && gnutls_session_get_data2(c.s, &st->session) < 0)
        die("GnuTLS session data");
    gnutls_deinit(c.s);
    gnutls_deinit(s.s);
}

static void *g_setup(const test_cert *leaf, const test_pem *anchor)
{
    gstate *st = calloc(1, sizeof(*st));
    gnutls_datum_t chain = {(unsigned char *)leaf->chain.pem, (unsigned)leaf->chain.len};
    gnutls_datum_t key = {(unsigned char *)leaf->key.pem, (unsigned)leaf->key.len};
    gnutls_datum_t ca = {(unsigned char *)anchor->pem, (unsigned)anchor->len};
    if (gnutls_global_init() < 0 || gnutls_certificate_allocate_credentials(&st->scred) < 0 ||
        gnutls_certificate_allocate_credentials(&st->ccred) < 0 ||
        gnutls_certificate_set_x509_key_mem2(st->scred, &chain, &key, GNUTLS_X509_FMT_PEM, NULL,
                                             0) < 0 ||
        gnutls_certificate_set_x509_trust_mem(st->ccred, &ca, GNUTLS_X509_FMT_PEM) < 0 ||
        gnutls_priority_init(&st->prio, "NORMAL:-VERS-ALL:+VERS-TLS1.2", NULL) < 0)
        die("GnuTLS setup");
    g_handshake(st, 0);
    return st;
}

static void g_resume(void *arg)
{
    g_handshake(arg, 1);
}

static void g_teardown(void *arg)
{
    gstate *st = arg;
    for (size_t i = 0; i < st->db_n; i++) {
        gnutls_free(st->db_key[i].data);
        gnutls_free(st->db_val[i].data);
    }
    gnutls_free(st->session.data);
    gnutls_priority_deinit(st->prio);
    gnutls_certificate_free_credentials(st->scred);
    gnutls_certificate_free_credentials(st->ccred);
    free(st);
    gnutls_global_deinit();
}

const perf_peer perf_gnutls = {"GnuTLS", g_setup, g_resume, g_teardown};
#endif
