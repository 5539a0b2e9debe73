/*
 * clasp in the handshake benchmark: a client and a server connection in memory, each one's
 * output fed to the other, the time inside each side's calls charged to that side.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clasp/clasp.h>

#include "base/mem.h"
#include "bench.h"
#include "hs_impls.h"
#include "pair.h"

#ifdef CLASP_BENCH_HAVE_VERIFY_CACHE
const int bench_clasp_verify_cache = 1;
#else
const int bench_clasp_verify_cache = 0;
#endif

typedef struct clasp_bench {
    clasp_config *client, *server;
    const char *host;
    bench_resume resume;
    clasp_session *session; /* the session the next handshake offers */
} clasp_bench;

static void clasp_teardown(void *p)
{
    clasp_bench *b = p;
    if (!b)
        return;
    clasp_config_free(b->client);
    clasp_config_free(b->server);
    clasp_session_free(b->session);
    free(b);
}

/* Moves output both ways until neither side has any: the handshake and what follows it. */
static int pump(clasp_conn *conn[2], bench_split *split)
{
    for (int round = 0; round < 32; round++) {
        int moved = 0;
        for (int from = 0; from < 2; from++) {
            const uint8_t *out;
            size_t len, used = 0;
            int rc;
            clasp_conn_output(conn[from], &out, &len);
            if (len == 0)
                continue;
            BENCH_ON(split, !from, rc = clasp_conn_feed(conn[!from], out, len, &used));
            clasp_conn_output_done(conn[from], used);
            if (rc != 0)
                return rc;
            moved = 1;
        }
        if (!moved)
            return clasp_conn_handshake_done(conn[0]) && clasp_conn_handshake_done(conn[1])
                       ? 0
                       : CLASP_ERR_STATE;
    }
    return CLASP_ERR_STATE;
}

static clasp_conn *client_new(const clasp_bench *b)
{
    clasp_conn *c = clasp_conn_new(b->client);
    if (c && b->session && clasp_conn_set_session(c, b->session) != 0) {
        clasp_conn_free(c);
        return NULL;
    }
    if (c && clasp_conn_set_server_name(c, b->host) != 0) {
        clasp_conn_free(c);
        return NULL;
    }
    return c;
}

/* Both connections, through the handshake and what follows it; conn[i] NULL if unmade. */
static int connect_pair(clasp_bench *b, clasp_conn *conn[2], bench_split *split)
{
    int offer = b->session != NULL;
    BENCH_ON(split, BENCH_CLIENT, conn[0] = client_new(b));
    BENCH_ON(split, BENCH_SERVER, conn[1] = clasp_conn_new(b->server));
    int rc = conn[0] && conn[1] ? pump(conn, split) : CLASP_ERR_NOMEM;
    if (rc == 0 && clasp_conn_resumed(conn[0]) != offer)
        rc = BENCH_ERR_RESUMPTION;
    return rc;
}

static void clasp_close_conn(void *conn, int who)
{
    (void)who;
    clasp_conn_free(conn);
}

/* One handshake; with desc, says what was negotiated (or why it failed) there. */
static int handshake(void *p, bench_split *split, char *desc, size_t cap)
{
    clasp_bench *b = p;
    clasp_conn *conn[2];
    int rc = connect_pair(b, conn, split);
    if (desc && rc == 0)
        bench_describe(desc, cap, clasp_conn_version(conn[0]) == CLASP_TLS13,
                       clasp_cipher_suite_name(clasp_conn_cipher_suite(conn[0])),
                       clasp_group_name(clasp_conn_group(conn[0])), clasp_conn_resumed(conn[0]));
    else if (desc) /* the side that failed first; the other may not have heard yet */
        snprintf(desc, cap, "%s",
                 rc == BENCH_ERR_RESUMPTION ? BENCH_RESUMPTION_WHY
                 : !conn[0] || !conn[1]     ? "out of memory"
                 : clasp_conn_error(conn[0]) || !clasp_conn_error(conn[1])
                     ? clasp_conn_error_detail(conn[0])
                     : clasp_conn_error_detail(conn[1]));
    /* The newest session for the next handshake: a TLS 1.3 ticket is offered once, and the
     * resumed connection brought new ones (pump() delivered them); a TLS 1.2 session stays. */
    clasp_session *next =
        rc == 0 && b->resume != RESUME_NONE ? clasp_conn_get_session(conn[0]) : NULL;
    if (next) {
        clasp_session_free(b->session);
        b->session = next;
    } else if (rc == 0 && b->resume != RESUME_NONE) {
        rc = CLASP_ERR_STATE;
    }
    BENCH_ON(split, BENCH_CLIENT, clasp_conn_free(conn[0]));
    BENCH_ON(split, BENCH_SERVER, clasp_conn_free(conn[1]));
    return rc;
}

/* clasp needs no link: its pump hands each side's output to the other. */
static int clasp_transfer(void *from, void *to)
{
    unsigned char data[BENCH_EXCHANGE] = {0};
    return pair_transfer(from, to, data, sizeof(data));
}

static int clasp_open_pair(void *ctx, bench_link *link, void *conn[2])
{
    clasp_conn *c[2];
    bench_split split = {{0, 0}};
    (void)link;
    int rc = connect_pair(ctx, c, &split);
    void *v[2] = {c[0], c[1]};
    return bench_open_pair_finish(rc, v, clasp_transfer, clasp_close_conn, conn);
}

static int clasp_once(void *p, bench_split *split)
{
    return handshake(p, split, NULL, 0);
}

static int configure(clasp_bench *b, const bench_scenario_info *si, const bench_pki *pki,
                     int variant)
{
    uint16_t v = si->tls12 ? CLASP_TLS12 : CLASP_TLS13;
    const char *suite = si->tls12 ? (si->rsa ? BENCH_SUITE12_RSA : BENCH_SUITE12) : BENCH_SUITE13;
    const char *root = pki->root[si->rsa], *chain = pki->chain[si->rsa], *key = pki->key[si->rsa];
    if (!b->client || !b->server)
        return -1;
    for (int i = 0; i < 2; i++) {
        clasp_config *cfg = i ? b->server : b->client;
        if (clasp_config_set_versions(cfg, v, v) || clasp_config_set_cipher_suites(cfg, suite) ||
            clasp_config_set_groups(cfg, bench_groups(si)))
            return -1;
    }
#ifdef CLASP_BENCH_HAVE_VERIFY_CACHE
    if (variant == 1 && clasp_config_set_verify_cache(b->client, 0) != 0)
        return -1;
#else
    (void)variant;
#endif
    /*
     * As for the peers: the server caches sessions only for resumption by ID, and issues
     * tickets (one, in TLS 1.3) only for resumption by ticket, so full handshakes are
     * measured without either; a client asks for TLS 1.2 tickets only when they are measured.
     */
    if ((si->resume != RESUME_ID && clasp_config_set_session_cache(b->server, 0, 7200) != 0) ||
        clasp_config_set_tickets(b->server, si->resume == RESUME_TICKET) != 0 ||
        clasp_config_set_tickets(b->client, si->resume == RESUME_TICKET) != 0)
        return -1;
    return clasp_config_add_cert_chain_pem(b->server, (const uint8_t *)chain, strlen(chain),
                                           (const uint8_t *)key, strlen(key)) ||
           clasp_config_load_verify_pem(b->client, (const uint8_t *)root, strlen(root));
}

static bench_status clasp_setup(void **ctx, bench_scenario sc, const bench_pki *pki,
                                const char *host, int variant, char *desc, size_t cap)
{
    const bench_scenario_info *si = &bench_scenarios[sc];
    clasp_bench *b = calloc(1, sizeof(*b));
    if (!b)
        return BENCH_FAILED;
    b->client = clasp_config_new(CLASP_CLIENT);
    b->server = clasp_config_new(CLASP_SERVER);
    b->host = host;
    b->resume = si->resume;
    return bench_setup_finish(b, configure(b, si, pki, variant) == 0, si->resume, handshake,
                              clasp_teardown, ctx, desc, cap);
}

const bench_impl bench_clasp = {.name = "clasp",
                                .version = clasp_version,
                                .setup = clasp_setup,
                                .once = clasp_once,
                                .teardown = clasp_teardown,
                                .open_pair = clasp_open_pair,
                                .close_conn = clasp_close_conn};
