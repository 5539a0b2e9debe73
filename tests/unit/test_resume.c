/*
 * Resumption everywhere (docs/api.md, "Sessions and resumption"): ticket keys and sealed
 * tickets; TLS 1.3 tickets and PSK resumption (psk_dhe_ke, psk_ke, after a
 * HelloRetryRequest; stateless and stateful tickets); TLS 1.2 tickets (RFC 5077) with and
 * without the extended master secret; binding to the server name, the configuration and
 * its client-certificate policy; dropping sessions after a fatal alert; export and import;
 * and the negative table, each case with its exact alert or a clean full handshake.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <clasp/clasp.h>

#include "base/mem.h"
#include "hs/resume.h"
#include "hs/ticket.h"
#include "msg/msg.h"
#include "record/protect.h"
#include "pair.h"
#include "tls12_kit.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* ---- a clock the tests move ---- */

static uint64_t now_ms; /* milliseconds since the epoch */

static uint64_t test_clock(void *arg)
{
    (void)arg;
    return now_ms;
}

static void dbg(void *arg, clasp_conn *c, const clasp_trace_event *ev)
{
    (void)c;
    if (ev->kind != CLASP_TRACE_NOTE && ev->kind != CLASP_TRACE_MESSAGE)
        return;
    fprintf(stderr, "%s %s %s", (const char *)arg, ev->outgoing ? "->" : "<-", ev->name);
    for (size_t i = 0; ev->kind == CLASP_TRACE_NOTE && i < ev->n_fields; i++)
        fprintf(stderr, " %s=%s", ev->fields[i].name, ev->fields[i].value);
    fprintf(stderr, "\n");
}

static clasp_config *timed(clasp_config *cfg)
{
    if (getenv("DBG"))
        clasp_config_set_trace(cfg, dbg, cfg->role ? "S" : "C");
    cfg->clock_ms = test_clock;
    return cfg;
}

/* The real time to start with: clasp_session_is_resumable reads the real clock. */
static int reset_clock(void **state)
{
    (void)state;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    now_ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
    return 0;
}

/* ---- configurations and connections ---- */

static clasp_config *server13(void)
{
    return timed(kit_server_config(&kit.server[TK_P256]));
}

static clasp_config *client13(void)
{
    return timed(kit_client_config());
}

/* What a connection did, seen from both sides. */
typedef struct run {
    int rc; /* pair_handshake's result */
    int resumed_client, resumed_server;
    uint16_t group;
    unsigned certs_sent; /* Certificate messages the server sent */
    unsigned tickets_sent;
    clasp_session *session; /* the client's newest, after the handshake (owned) */
} run;

/*
 * One connection: the client offers `offer` (may be NULL); hooks (may be NULL) edit the
 * client's and the server's messages. The session the client holds afterwards is kept.
 */
static void connect_with(clasp_config *ccfg, clasp_config *scfg, const char *host,
                         clasp_session *offer, kit_hook *ch, kit_hook *sh, run *r)
{
    kit_pair p;
    kit_hook count = {0};
    memset(r, 0, sizeof(*r));
    kit_open(&p, clasp_config_up_ref(ccfg), clasp_config_up_ref(scfg), host);
    if (offer)
        assert_int_equal(clasp_conn_set_session(p.client, offer), 0);
    if (ch)
        kit_hook_install(p.client, ch);
    kit_hook_install(p.server, sh ? sh : &count);
    r->rc = pair_handshake(p.client, p.server);
    r->resumed_client = clasp_conn_resumed(p.client);
    r->resumed_server = clasp_conn_resumed(p.server);
    r->group = clasp_conn_group(p.client);
    kit_hook *h = sh ? sh : &count;
    r->certs_sent = h->count[CL_HS_CERTIFICATE];
    r->tickets_sent = h->count[CL_HS_NEW_SESSION_TICKET];
    if (r->rc == 0) {
        assert_int_equal(clasp_conn_group(p.server), r->group);
        kit_exchange(&p, 300);
        r->session = clasp_conn_get_session(p.client);
    }
    kit_close(&p);
}

static void connect13(clasp_config *ccfg, clasp_config *scfg, clasp_session *offer, run *r)
{
    connect_with(ccfg, scfg, "server.test", offer, NULL, NULL, r);
    assert_int_equal(r->rc, 0);
}

/* A full handshake; its newest session (the caller frees it). */
static __attribute__((unused)) clasp_session *first_session(clasp_config *ccfg, clasp_config *scfg)
{
    run r;
    connect13(ccfg, scfg, NULL, &r);
    assert_int_equal(r.resumed_client, 0);
    assert_non_null(r.session);
    return r.session;
}

/* ---- TLS 1.3: tickets and resumption ---- */

static void test_tls13_resumption(void **state)
{
    (void)state;
    clasp_config *ccfg = client13(), *scfg = server13();
    run r;
    connect13(ccfg, scfg, NULL, &r);
    assert_int_equal(r.tickets_sent, 2); /* the default count */
    assert_int_equal(r.certs_sent, 1);
    clasp_session *s = r.session;
    assert_int_equal(clasp_session_version(s), CLASP_TLS13);
    assert_int_equal(clasp_session_is_resumable(s), 1);

    /* psk_dhe_ke: no certificate, a fresh key exchange, both sides say resumed */
    connect13(ccfg, scfg, s, &r);
    assert_int_equal(r.resumed_client, 1);
    assert_int_equal(r.resumed_server, 1);
    assert_int_equal(r.certs_sent, 0);
    assert_int_equal(r.group, CL_GROUP_X25519);
    assert_int_equal(r.tickets_sent, 2); /* a resumed connection gets new tickets */
    /* each ticket is used once by the client: the one offered is not offerable again */
    assert_int_equal(clasp_session_is_resumable(s), 0);
    clasp_session *again = r.session;
    assert_ptr_not_equal(again, s);
    connect13(ccfg, scfg, again, &r);
    assert_int_equal(r.resumed_client, 1);
    clasp_session_free(r.session);
    clasp_session_free(again);
    clasp_session_free(s);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup(test_tls13_resumption, reset_clock),
};

int main(void)
{
    return cmocka_run_group_tests(tests, kit_setup, kit_teardown);
}
