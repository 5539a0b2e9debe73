/*
 * The performance harness: one operation repeated, for profiling and for instruction counts
 * under callgrind, and TLS 1.2 session-ID resumption rates beside OpenSSL (and GnuTLS when
 * built with it) in one run. A measurement tool, never a test: nothing fails on a clock.
 *
 *   clasp-perf OP N      repeats OP N times inside perf_measured(), after one warm-up;
 *                        count instructions with
 *                          valgrind --tool=callgrind --toggle-collect=perf_measured \
 *                              clasp-perf OP N
 *                        and divide callgrind's total by N.
 *   clasp-perf rate [S]  resumptions per second for S seconds each (default 2), with ratios.
 *   clasp-perf memory    heap held per idle connection, client and server separately.
 *
 * OPs: resume, openssl-resume, gnutls-resume (TLS 1.2 session-ID resumption, client and
 * server in memory, ECDSA P-256, root -> intermediate -> leaf), full13, full12 (full
 * handshakes; full13-nocache, full12-nocache with the client's verified-chain cache off, so
 * every handshake parses and verifies the chain), bulk13-SUITE and
 * bulk12-SUITE (one 16 KiB record written, moved and read over an open connection; SUITE is
 * aes128, aes256 or chacha; for TLS 1.2 also cbc-etm and cbc-mte, AES-128-CBC with
 * HMAC-SHA256, encrypt-then-MAC or the constant-time MAC-then-encrypt decoding), kex-GROUP
 * (one side of a key exchange: a key share made and the shared secret derived with a peer's
 * share; GROUP is x25519, secp256r1, ...).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <clasp/clasp.h>

#include "crypto/crypto.h"
#include "heap_count.h"
#include "hs/params.h"
#include "pair.h"
#include "peers.h"
#include "pki.h"

static test_ca *ca, *inter; /* root -> intermediate -> leaf, as servers send them */
static test_cert leaf;

static void die(const char *what)
{
    fprintf(stderr, "perf: %s failed\n", what);
    exit(1);
}

/* ---- clasp ---- */

typedef struct clasp_state {
    clasp_config *s, *c;
    clasp_session *session; /* TLS 1.2: the session resumed by ID */
    clasp_conn *a, *b;      /* an open connection, for the bulk operations */
    int mte;                /* CBC without encrypt-then-MAC */
    unsigned char *data;
} clasp_state;

static clasp_conn *handshake(clasp_state *st, int resume)
{
    clasp_conn *a = clasp_conn_new(st->c), *b = clasp_conn_new(st->s);
    clasp_conn_set_server_name(a, "server.test");
    if (resume && clasp_conn_set_session(a, st->session))
        die("clasp_conn_set_session");
    if (pair_handshake(a, b) || (resume && !clasp_conn_resumed(a)))
        die("clasp handshake");
    clasp_conn_free(b);
    return a;
}

/* CBC suites: the server enables them too (never a default); the client offers RFC 7366
 * or, for cbc-mte, not. */
static int cbc_setup(clasp_state *st, const char *suites)
{
    if (!suites || !strstr(suites, "_CBC_"))
        return 0;
    return clasp_config_set_cipher_suites(st->s, suites) ||
           clasp_config_set_encrypt_then_mac(st->c, st->mte ? 0 : 1);
}

static clasp_state *clasp_setup(uint16_t version, const char *suites, int mte, int vcache)
{
    clasp_state *st = calloc(1, sizeof(*st));
    st->mte = mte;
    st->s = clasp_config_new(CLASP_SERVER);
    st->c = clasp_config_new(CLASP_CLIENT);
    const test_pem *anchor = test_ca_pem(ca);
    if (clasp_config_add_cert_chain_pem(st->s, (const uint8_t *)leaf.chain.pem, leaf.chain.len,
                                        (const uint8_t *)leaf.key.pem, leaf.key.len) ||
        clasp_config_load_verify_pem(st->c, (const uint8_t *)anchor->pem, anchor->len) ||
        clasp_config_set_versions(st->s, version, version) ||
        clasp_config_set_versions(st->c, version, version) ||
        (suites && clasp_config_set_cipher_suites(st->c, suites)) || cbc_setup(st, suites) ||
        clasp_config_set_tickets(st->s, 0) || clasp_config_set_tickets(st->c, 0) ||
        (!vcache && clasp_config_set_verify_cache(st->c, 0)))
        die("clasp setup"); /* no tickets: TLS 1.2 resumes by session ID, TLS 1.3 sends none */
    if (version == CLASP_TLS12) {
        clasp_conn *a = handshake(st, 0);
        if (!(st->session = clasp_conn_get_session(a)))
            die("clasp_conn_get_session");
        clasp_conn_free(a);
    }
    return st;
}

static void clasp_teardown(clasp_state *st)
{
    clasp_conn_free(st->a);
    clasp_conn_free(st->b);
    clasp_session_free(st->session);
    clasp_config_free(st->s);
    clasp_config_free(st->c);
    free(st->data);
    free(st);
}

#define BULK_LEN 16384

static void bulk_open(clasp_state *st)
{
    st->a = clasp_conn_new(st->c);
    st->b = clasp_conn_new(st->s);
    clasp_conn_set_server_name(st->a, "server.test");
    st->data = calloc(1, BULK_LEN);
    if (pair_handshake(st->a, st->b))
        die("clasp handshake");
}

/* One full record from a to b: sealed, moved, opened and read out. */
static void bulk_one(clasp_state *st)
{
    size_t n;
    if (clasp_conn_write(st->a, st->data, BULK_LEN, &n) || n != BULK_LEN ||
        pair_move(st->a, st->b, 0) || clasp_conn_read(st->b, st->data, BULK_LEN, &n) ||
        n != BULK_LEN)
        die("bulk record");
}

/* ---- the operations ---- */

typedef struct op {
    const char *name;
    void (*one)(void *state);
    void *state;
} op;

static void resume_one(void *st)
{
    clasp_conn_free(handshake(st, 1));
}

static void full_one(void *st)
{
    clasp_conn_free(handshake(st, 0));
}

static void bulk_one_op(void *st)
{
    bulk_one(st);
}

#define CBC_SUITE "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"

static const struct {
    const char *name, *suite;
} bulk_suites[] = {
    {"bulk12-cbc-etm", CBC_SUITE},
    {"bulk12-cbc-mte", CBC_SUITE},
    {"bulk13-aes128", "TLS_AES_128_GCM_SHA256"},
    {"bulk13-aes256", "TLS_AES_256_GCM_SHA384"},
    {"bulk13-chacha", "TLS_CHACHA20_POLY1305_SHA256"},
    {"bulk12-aes128", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
    {"bulk12-aes256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
    {"bulk12-chacha", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
};

/* One side of a key exchange, as each side of a handshake does it. */
typedef struct kex_state {
    uint16_t group;
    uint8_t peer[CL_MAX_KEX_PUBLIC_LEN];
    size_t peer_len;
} kex_state;

static void kex_one(void *arg)
{
    kex_state *st = arg;
    cl_kex *k = NULL;
    uint8_t secret[CL_MAX_KEX_SECRET_LEN];
    size_t n;
    if (cl_kex_generate(&k, st->group) ||
        cl_kex_derive(k, st->peer, st->peer_len, secret, sizeof(secret), &n))
        die("key exchange");
    cl_kex_free(k);
}

static void *kex_setup(const char *group_name)
{
    kex_state *st = calloc(1, sizeof(*st));
    cl_kex *peer = NULL;
    st->group = cl_group_by_name(group_name, strlen(group_name));
    if (!st->group || cl_kex_generate(&peer, st->group) ||
        cl_kex_public(peer, st->peer, sizeof(st->peer), &st->peer_len))
        die("key exchange setup");
    cl_kex_free(peer);
    return st;
}

/* Sets up the named operation; 0 when there is none of that name. */
static int op_setup(const char *name, op *o)
{
    o->name = name;
    if (!strcmp(name, "resume")) {
        o->state = clasp_setup(CLASP_TLS12, NULL, 0, 1);
        o->one = resume_one;
        return 1;
    }
    /* full13, full12; with -nocache the client's verified-chain cache is off */
    if (!strncmp(name, "full1", 5) && (name[5] == '2' || name[5] == '3') &&
        (!name[6] || !strcmp(name + 6, "-nocache"))) {
        o->state = clasp_setup(name[5] == '3' ? CLASP_TLS13 : CLASP_TLS12, NULL, 0, !name[6]);
        o->one = full_one;
        return 1;
    }
    for (size_t i = 0; i < sizeof(bulk_suites) / sizeof(bulk_suites[0]); i++)
        if (!strcmp(name, bulk_suites[i].name)) {
            clasp_state *st = clasp_setup(name[5] == '3' ? CLASP_TLS13 : CLASP_TLS12,
                                          bulk_suites[i].suite, strstr(name, "mte") != NULL, 1);
            bulk_open(st);
            o->state = st;
            o->one = bulk_one_op;
            return 1;
        }
    if (!strncmp(name, "kex-", 4)) {
        o->state = kex_setup(name + 4);
        o->one = kex_one;
        return 1;
    }
    const perf_peer *peer = NULL;
    if (!strcmp(name, "openssl-resume"))
        peer = &perf_openssl;
#ifdef CLASP_PERF_GNUTLS
    if (!strcmp(name, "gnutls-resume"))
        peer = &perf_gnutls;
#endif
    if (!peer)
        return 0;
    o->state = peer->setup(&leaf, test_ca_pem(ca));
    o->one = peer->resume;
    return 1;
}

static void op_teardown(op *o)
{
    if (!strcmp(o->name, "openssl-resume"))
        perf_openssl.teardown(o->state);
#ifdef CLASP_PERF_GNUTLS
    else if (!strcmp(o->name, "gnutls-resume"))
        perf_gnutls.teardown(o->state);
#endif
    else if (!strncmp(o->name, "kex-", 4))
        free(o->state);
    else
        clasp_teardown(o->state);
}

/* callgrind counts only what runs in here (--toggle-collect=perf_measured). */
__attribute__((noinline)) void perf_measured(op *o, long n);
__attribute__((noinline)) void perf_measured(op *o, long n)
{
    for (long i = 0; i < n; i++)
        o->one(o->state);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double rate(const char *name, double seconds)
{
    op o;
    if (!op_setup(name, &o))
        return 0;
    o.one(o.state); /* warm-up */
    long n = 0;
    double t0 = now(), t;
    do {
        perf_measured(&o, 16);
        n += 16;
    } while ((t = now() - t0) < seconds);
    op_teardown(&o);
    return (double)n / t;
}

static void rates(double seconds)
{
    double cl = rate("resume", seconds), os = rate("openssl-resume", seconds);
    printf("TLS 1.2 session-ID resumptions (client+server in one process, ECDSA P-256):\n");
    printf("  clasp    %8.0f /s\n  OpenSSL  %8.0f /s   clasp/OpenSSL %.2f x\n", cl, os, cl / os);
#ifdef CLASP_PERF_GNUTLS
    double gn = rate("gnutls-resume", seconds);
    printf("  GnuTLS   %8.0f /s   clasp/GnuTLS  %.2f x\n", gn, cl / gn);
#endif
}

/* ---- heap per idle connection, each side separately ---- */

#define IDLE_N 64

/*
 * N pairs handshake and exchange 100 bytes each way, then sit idle; freeing the servers and
 * then the clients tells what each side held. What stays (a TLS 1.2 server's session cache)
 * belongs to the configuration.
 */
static void idle_memory(uint16_t version, int exchange)
{
    clasp_state *st = clasp_setup(version, NULL, 0, 1);
    static clasp_conn *a[IDLE_N], *b[IDLE_N];
    unsigned char data[100] = {0};
    long before = heap_live;
    for (int i = 0; i < IDLE_N; i++) {
        a[i] = clasp_conn_new(st->c);
        b[i] = clasp_conn_new(st->s);
        clasp_conn_set_server_name(a[i], "server.test");
        if (pair_handshake(a[i], b[i]) ||
            (exchange && (pair_transfer(a[i], b[i], data, sizeof(data)) ||
                          pair_transfer(b[i], a[i], data, sizeof(data)))))
            die("idle pair");
    }
    long all = heap_live;
    for (int i = 0; i < IDLE_N; i++)
        clasp_conn_free(b[i]);
    long server = (all - heap_live) / IDLE_N, mid = heap_live;
    for (int i = 0; i < IDLE_N; i++)
        clasp_conn_free(a[i]);
    long client = (mid - heap_live) / IDLE_N;
    printf("heap per idle %s connection, %-28s client %5ld bytes, server %5ld bytes\n",
           version == CLASP_TLS12 ? "TLS 1.2" : "TLS 1.3",
           exchange ? "after 100 bytes each way:" : "after the handshake alone:", client, server);
    if ((heap_live - before) / IDLE_N)
        printf("  (the configuration kept %ld bytes per pair)\n", (heap_live - before) / IDLE_N);
    clasp_teardown(st);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "memory") && heap_count_install()) /* before anything */
        die("counting allocator");
    if (argc < 2) {
        fprintf(stderr, "usage: clasp-perf OP N | rate [seconds] | memory\n");
        return 2;
    }
    ca = test_ca_new(TK_P256, "perf CA");
    inter = test_ca_intermediate(ca, TK_P256, "perf intermediate CA");
    test_cert_opts opts = {.cn = "server.test", .san = "DNS:server.test"};
    test_issue(inter, TK_P256, &opts, &leaf);
    int rc = 0;
    if (!strcmp(argv[1], "rate")) {
        rates(argc > 2 ? atof(argv[2]) : 2.0);
    } else if (!strcmp(argv[1], "memory")) {
        idle_memory(CLASP_TLS13, 1); /* warm-up: one-time fetches are not per connection */
        printf("--\n");
        for (int exchange = 0; exchange < 2; exchange++) {
            idle_memory(CLASP_TLS13, exchange);
            idle_memory(CLASP_TLS12, exchange);
        }
    } else {
        op o;
        long n = argc > 2 ? atol(argv[2]) : 100;
        if (!op_setup(argv[1], &o)) {
            fprintf(stderr, "perf: no operation %s\n", argv[1]);
            rc = 2;
        } else {
            o.one(o.state); /* warm-up: lazy initialisation is not per operation */
            perf_measured(&o, n);
            op_teardown(&o);
        }
    }
    test_cert_free(&leaf);
    test_ca_free(inter);
    test_ca_free(ca);
    return rc;
}
