/*
 * GnuTLS in the handshake benchmark: client and server sessions joined by in-memory byte
 * queues through gnutls_transport_set_push/pull_function. GnuTLS has no server session
 * cache of its own, so resumption by ID uses a small one here (its db callbacks).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "bench.h"
#include "hs_impls.h"

#define CACHE_SLOTS 64

typedef struct cached {
    unsigned char id[GNUTLS_MAX_SESSION_ID_SIZE];
    size_t id_len;
    gnutls_datum_t data;
} cached;

typedef struct gt_bench {
    gnutls_certificate_credentials_t cred[2]; /* [BENCH_CLIENT], [BENCH_SERVER] */
    gnutls_priority_t prio;
    gnutls_datum_t ticket_key; /* the server's */
    gnutls_datum_t session;    /* the client's, offered by each resumed handshake */
    const char *host;
    bench_resume resume;
    int ticket13; /* TLS 1.3 tickets: each handshake leaves the next one's */
    cached cache[CACHE_SLOTS];
    unsigned next_slot;
    bench_link *link; /* the speed benchmark's */
} gt_bench;

/* GnuTLS reads errno after a failed push or pull unless told otherwise. */
static ssize_t push(gnutls_transport_ptr_t p, const void *data, size_t n)
{
    long r = bench_end_write(p, data, n);
    if (r < 0)
        errno = ENOBUFS;
    return r;
}

static ssize_t pull(gnutls_transport_ptr_t p, void *data, size_t n)
{
    long r = bench_end_read(p, data, n);
    if (r < 0)
        errno = EAGAIN;
    return r;
}

/* Never waits: there is data or there is not. */
static int pull_timeout(gnutls_transport_ptr_t p, unsigned ms)
{
    bench_end *e = p;
    (void)ms;
    return e->in->len > e->in->off;
}

static cached *cache_find(gt_bench *b, gnutls_datum_t key)
{
    for (int i = 0; i < CACHE_SLOTS; i++)
        if (b->cache[i].id_len == key.size && key.size &&
            memcmp(b->cache[i].id, key.data, key.size) == 0)
            return &b->cache[i];
    return NULL;
}

static int cache_store(void *p, gnutls_datum_t key, gnutls_datum_t data)
{
    gt_bench *b = p;
    cached *c = &b->cache[b->next_slot++ % CACHE_SLOTS];
    if (key.size > sizeof(c->id))
        return -1;
    gnutls_free(c->data.data);
    c->data.data = gnutls_malloc(data.size);
    if (!c->data.data) {
        c->id_len = 0;
        return -1;
    }
    memcpy(c->data.data, data.data, data.size);
    c->data.size = data.size;
    memcpy(c->id, key.data, key.size);
    c->id_len = key.size;
    return 0;
}

static gnutls_datum_t cache_retrieve(void *p, gnutls_datum_t key)
{
    cached *c = cache_find(p, key);
    gnutls_datum_t out = {NULL, 0};
    if (c && (out.data = gnutls_malloc(c->data.size)) != NULL) {
        memcpy(out.data, c->data.data, c->data.size);
        out.size = c->data.size;
    }
    return out;
}

static int cache_remove(void *p, gnutls_datum_t key)
{
    cached *c = cache_find(p, key);
    if (!c)
        return -1;
    c->id_len = 0;
    return 0;
}

static void gt_teardown(void *p)
{
    gt_bench *b = p;
    if (!b)
        return;
    for (int i = 0; i < 2; i++)
        if (b->cred[i])
            gnutls_certificate_free_credentials(b->cred[i]);
    if (b->prio)
        gnutls_priority_deinit(b->prio);
    for (int i = 0; i < CACHE_SLOTS; i++)
        gnutls_free(b->cache[i].data.data);
    gnutls_free(b->ticket_key.data);
    gnutls_free(b->session.data);
    bench_links_free(b->link, 1);
    free(b);
}

/* What each side's session needs beyond the shared priorities and credentials. */
static int session_extras(gt_bench *b, gnutls_session_t s, int who)
{
    if (who == BENCH_CLIENT) {
        gnutls_session_set_verify_cert(s, b->host, 0);
        return gnutls_server_name_set(s, GNUTLS_NAME_DNS, b->host, strlen(b->host)) == 0 &&
               (!b->session.size ||
                gnutls_session_set_data(s, b->session.data, b->session.size) == 0);
    }
    if (b->resume == RESUME_ID) {
        gnutls_db_set_retrieve_function(s, cache_retrieve);
        gnutls_db_set_store_function(s, cache_store);
        gnutls_db_set_remove_function(s, cache_remove);
        gnutls_db_set_ptr(s, b);
    }
    return b->resume != RESUME_TICKET ||
           gnutls_session_ticket_enable_server(s, &b->ticket_key) == 0;
}

static gnutls_session_t session_new(gt_bench *b, int who, bench_end *e)
{
    unsigned flags = (who == BENCH_CLIENT ? GNUTLS_CLIENT : GNUTLS_SERVER) | GNUTLS_NONBLOCK;
    if (b->resume != RESUME_TICKET)
        flags |= GNUTLS_NO_TICKETS; /* the server sends none; clients ask for none */
    gnutls_session_t s;
    if (gnutls_init(&s, flags) < 0)
        return NULL;
    gnutls_transport_set_ptr(s, e);
    gnutls_transport_set_push_function(s, push);
    gnutls_transport_set_pull_function(s, pull);
    gnutls_transport_set_pull_timeout_function(s, pull_timeout);
    if (gnutls_priority_set(s, b->prio) < 0 ||
        gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, b->cred[who]) < 0 ||
        !session_extras(b, s, who)) {
        gnutls_deinit(s);
        return NULL;
    }
    return s;
}

/* Each side's handshake steps in turn, then the client reads what followed (tickets). */
static int step(void *session)
{
    int rc = gnutls_handshake(session);
    return rc == 0 ? 1 : gnutls_error_is_fatal(rc) ? -1 : 0;
}

static int pump(void *s[2], bench_split *split)
{
    if (bench_alternate(s, step, split) != 0)
        return -1;
    char byte;
    ssize_t n;
    BENCH_ON(split, BENCH_CLIENT, n = gnutls_record_recv(s[BENCH_CLIENT], &byte, 1));
    return n == GNUTLS_E_AGAIN ? 0 : -1;
}

static void describe(gnutls_session_t s, char *desc, size_t cap)
{
    const char *group = gnutls_group_get_name(gnutls_group_get(s));
    bench_describe(desc, cap, gnutls_protocol_get_version(s) == GNUTLS_TLS1_3,
                   gnutls_ciphersuite_get(s), group, gnutls_session_is_resumed(s));
}

/*
 * The client keeps the newest session: a TLS 1.3 ticket is for one use (RFC 8446 C.4), so
 * each resumed handshake offers the ticket the one before it received.
 */
static int keep_session(gt_bench *b, gnutls_session_t client)
{
    gnutls_free(b->session.data);
    b->session.data = NULL;
    b->session.size = 0;
    return gnutls_session_get_data2(client, &b->session) < 0 ? -1 : 0;
}

/* Both sessions over link, through the handshake and what follows it; s[i] NULL if unmade. */
static int connect_pair(gt_bench *b, bench_link *link, void *s[2], bench_split *split)
{
    int offer = b->session.size > 0;
    bench_link_reset(link);
    BENCH_ON(split, BENCH_CLIENT, s[0] = session_new(b, BENCH_CLIENT, &link->end[BENCH_CLIENT]));
    BENCH_ON(split, BENCH_SERVER, s[1] = session_new(b, BENCH_SERVER, &link->end[BENCH_SERVER]));
    int rc = s[0] && s[1] ? pump(s, split) : -1;
    if (rc == 0 && (int)gnutls_session_is_resumed(s[0]) != offer)
        rc = BENCH_ERR_RESUMPTION;
    return rc;
}

static void gt_close_conn(void *conn, int who)
{
    (void)who;
    if (conn)
        gnutls_deinit(conn);
}

/* One handshake; with desc, says what was negotiated there (or that it failed). */
static int handshake(void *p, bench_split *split, char *desc, size_t cap)
{
    gt_bench *b = p;
    void *s[2];
    int offer = b->session.size > 0, rc = connect_pair(b, b->link, s, split);
    if (desc && rc == 0)
        describe(s[0], desc, cap);
    else if (desc)
        snprintf(desc, cap, "%s",
                 rc == BENCH_ERR_RESUMPTION ? BENCH_RESUMPTION_WHY : "handshake failed");
    if (rc == 0 && b->resume != RESUME_NONE && (!offer || b->ticket13))
        BENCH_ON(split, BENCH_CLIENT, rc = keep_session(b, s[0]));
    BENCH_ON(split, BENCH_CLIENT, gt_close_conn(s[0], BENCH_CLIENT));
    BENCH_ON(split, BENCH_SERVER, gt_close_conn(s[1], BENCH_SERVER));
    return rc;
}

static int gt_transfer(void *from, void *to)
{
    unsigned char data[BENCH_EXCHANGE] = {0}, got[BENCH_EXCHANGE];
    return gnutls_record_send(from, data, sizeof(data)) == (ssize_t)sizeof(data) &&
                   gnutls_record_recv(to, got, sizeof(got)) == (ssize_t)sizeof(got)
               ? 0
               : -1;
}

static int gt_open_pair(void *ctx, bench_link *link, void *conn[2])
{
    void *s[2];
    bench_split split = {{0, 0}};
    int rc = connect_pair(ctx, link, s, &split);
    return bench_open_pair_finish(rc, s, gt_transfer, gt_close_conn, conn);
}

static int gt_once(void *p, bench_split *split)
{
    return handshake(p, split, NULL, 0);
}

static int credentials(gt_bench *b, const bench_scenario_info *si, const bench_pki *pki)
{
    const char *root = pki->root[si->rsa], *chain = pki->chain[si->rsa], *key = pki->key[si->rsa];
    gnutls_datum_t r = {(unsigned char *)root, (unsigned)strlen(root)};
    gnutls_datum_t c = {(unsigned char *)chain, (unsigned)strlen(chain)};
    gnutls_datum_t k = {(unsigned char *)key, (unsigned)strlen(key)};
    return gnutls_certificate_allocate_credentials(&b->cred[BENCH_CLIENT]) == 0 &&
           gnutls_certificate_allocate_credentials(&b->cred[BENCH_SERVER]) == 0 &&
           gnutls_certificate_set_x509_trust_mem(b->cred[BENCH_CLIENT], &r, GNUTLS_X509_FMT_PEM) ==
               1 &&
           gnutls_certificate_set_x509_key_mem2(b->cred[BENCH_SERVER], &c, &k, GNUTLS_X509_FMT_PEM,
                                                NULL, 0) >= 0;
}

/* The scenario's one version, suite and group, as for every implementation. */
static const char *priorities(const bench_scenario_info *si)
{
    if (!si->tls12)
        return "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM:-GROUP-ALL:+GROUP-X25519";
    return si->rsa ? "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM:-GROUP-ALL:"
                     "+GROUP-X25519:+GROUP-SECP256R1:-KX-ALL:+ECDHE-RSA"
                   : "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM:-GROUP-ALL:"
                     "+GROUP-X25519:+GROUP-SECP256R1:-KX-ALL:+ECDHE-ECDSA";
}

static bench_status gt_setup(void **ctx, bench_scenario sc, const bench_pki *pki, const char *host,
                             int variant, char *desc, size_t cap)
{
    const bench_scenario_info *si = &bench_scenarios[sc];
    gt_bench *b = calloc(1, sizeof(*b));
    (void)variant;
    if (!b)
        return BENCH_FAILED;
    b->host = host;
    b->resume = si->resume;
    b->ticket13 = si->resume == RESUME_TICKET && !si->tls12;
    b->link = bench_links_new(1);
    int configured =
        b->link && credentials(b, si, pki) &&
        gnutls_priority_init(&b->prio, priorities(si), NULL) >= 0 &&
        (si->resume != RESUME_TICKET || gnutls_session_ticket_key_generate(&b->ticket_key) >= 0);
    return bench_setup_finish(b, configured, si->resume, handshake, gt_teardown, ctx, desc, cap);
}

static const char *gt_version(void)
{
    return gnutls_check_version(NULL);
}

const bench_impl bench_gnutls = {.name = "GnuTLS",
                                 .version = gt_version,
                                 .setup = gt_setup,
                                 .once = gt_once,
                                 .teardown = gt_teardown,
                                 .open_pair = gt_open_pair,
                                 .close_conn = gt_close_conn};
