/*
 * Keys over a connection's life: contexts made at an epoch's first record, AEAD usage
 * limits (RFC 8446 5.5) with the automatic KeyUpdate observed by a real OpenSSL peer, TLS
 * 1.2's clean end at the limit, the receive-side bound, and the bound on queued output.
 * The limits are internal fields (cl_rl.gcm_send_limit, gcm_recv_limit) set low here so a
 * few records reach them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/ssl.h>

#include "msg/msg.h"
#include "ossl_peer.h"
#include "pair.h"
#include "tls12_kit.h"

#define AES128_13 "TLS_AES_128_GCM_SHA256"
#define CHACHA_13 "TLS_CHACHA20_POLY1305_SHA256"
#define CCM_13    "TLS_AES_128_CCM_SHA256"
#define AES128_12 "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"

static uint8_t data[20 * 16384];

static int setup(void **state)
{
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 13 + i / 251);
    return kit_setup(state);
}

/* A pair speaking `version` with `suite`; a trace callback on either side when given. */
static void open_pair(kit_pair *p, uint16_t version, const char *suite, clasp_trace_cb trace,
                      void *arg)
{
    clasp_config *c = kit12_client(version, version);
    clasp_config *s = kit12_server(&kit.server[TK_P256], version, version);
    assert_int_equal(clasp_config_set_cipher_suites(c, suite), 0);
    assert_int_equal(clasp_config_set_cipher_suites(s, suite), 0); /* CCM is opt-in */
    /* No tickets: they would be the first records from server to client, and these tests
     * count and time the records of application data alone. */
    assert_int_equal(clasp_config_set_tickets(s, 0), 0);
    if (trace) {
        assert_int_equal(clasp_config_set_trace(c, trace, arg), 0);
        assert_int_equal(clasp_config_set_trace(s, trace, arg), 0);
    }
    kit_open(p, c, s, "server.test");
    assert_int_equal(pair_handshake(p->client, p->server), 0);
    assert_int_equal(clasp_conn_version(p->client), version);
}

/* Counts the KeyUpdate messages each side received. */
typedef struct ku_count {
    clasp_conn *client;
    unsigned by_client, by_server;
} ku_count;

static void count_key_updates(void *arg, clasp_conn *conn, const clasp_trace_event *ev)
{
    ku_count *k = arg;
    if (ev->kind == CLASP_TRACE_MESSAGE && !ev->outgoing && !strcmp(ev->name, "KeyUpdate")) {
        if (conn == k->client)
            k->by_client++;
        else
            k->by_server++;
    }
}

/* One record of n bytes from `from`, read whole at `to`. */
static void one_record(clasp_conn *from, clasp_conn *to, const uint8_t *d, size_t n)
{
    uint8_t got[16384];
    size_t w, r;
    assert_int_equal(clasp_conn_write(from, d, n, &w), 0);
    assert_int_equal(w, n);
    assert_int_equal(pair_move(from, to, 0), 0);
    assert_int_equal(clasp_conn_read(to, got, sizeof(got), &r), 0);
    assert_int_equal(r, n);
    assert_memory_equal(got, d, n);
}

/* ---- contexts made at the first record ---- */

static void test_contexts_made_at_first_record(void **state)
{
    (void)state;
    kit_pair p;
    open_pair(&p, CLASP_TLS13, AES128_13, NULL, NULL);
    /* After the handshake the application keys wait; no context is held. */
    assert_true(cl_rl_write_protected(&p.client->rl) && cl_rl_read_protected(&p.server->rl));
    assert_null(p.client->rl.wprot.aead);
    assert_null(p.client->rl.rprot.aead);
    assert_null(p.server->rl.wprot.aead);
    assert_null(p.server->rl.rprot.aead);
    one_record(p.client, p.server, data, 100);
    assert_non_null(p.client->rl.wprot.aead);
    assert_non_null(p.server->rl.rprot.aead);
    assert_null(p.server->rl.wprot.aead); /* that direction is still idle */
    assert_null(p.client->rl.rprot.aead);
    kit_close(&p);
}

/* ---- TLS 1.3: automatic KeyUpdate, seen by OpenSSL ---- */

typedef struct ossl_server {
    SSL_CTX *ctx;
    SSL *ssl;
    BIO *in, *out; /* owned by ssl */
    unsigned key_updates;
} ossl_server;

static void ossl_msg(int write_p, int version, int content_type, const void *buf, size_t len,
                     SSL *ssl, void *arg)
{
    (void)version;
    (void)ssl;
    const uint8_t *m = buf;
    if (!write_p && content_type == SSL3_RT_HANDSHAKE && len > 0 && m[0] == SSL3_MT_KEY_UPDATE)
        ((ossl_server *)arg)->key_updates++;
}

static void ossl_open(ossl_server *o)
{
    memset(o, 0, sizeof(*o));
    o->ctx = SSL_CTX_new(TLS_server_method());
    assert_non_null(o->ctx);
    assert_int_equal(ossl_use_test_cert(o->ctx, &kit.server[TK_P256]), 0);
    SSL_CTX_set_min_proto_version(o->ctx, TLS1_3_VERSION);
    SSL_CTX_set_num_tickets(o->ctx, 0);
    o->ssl = SSL_new(o->ctx);
    o->in = BIO_new(BIO_s_mem());
    o->out = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(o->in, -1);
    SSL_set_bio(o->ssl, o->in, o->out);
    SSL_set_accept_state(o->ssl);
    SSL_set_msg_callback(o->ssl, ossl_msg);
    SSL_set_msg_callback_arg(o->ssl, o);
}

/* clasp's output to OpenSSL, and back. */
static void to_ossl(clasp_conn *c, ossl_server *o)
{
    const uint8_t *out;
    size_t len;
    clasp_conn_output(c, &out, &len);
    if (len)
        assert_int_equal(BIO_write(o->in, out, (int)len), (int)len);
    clasp_conn_output_done(c, len);
}

static void from_ossl(ossl_server *o, clasp_conn *c)
{
    uint8_t buf[4096];
    int n;
    while ((n = BIO_read(o->out, buf, sizeof(buf))) > 0)
        assert_int_equal(kit_feed(c, buf, (size_t)n), 0);
}

static void test_key_update_before_gcm_limit(void **state)
{
    (void)state;
    clasp_config *cfg = kit_client_config();
    assert_int_equal(clasp_config_set_cipher_suites(cfg, AES128_13), 0);
    clasp_conn *c = clasp_conn_new(cfg);
    assert_int_equal(clasp_conn_set_server_name(c, "server.test"), 0);
    ossl_server o;
    ossl_open(&o);
    for (int i = 0; i < 10 && !(clasp_conn_handshake_done(c) && SSL_is_init_finished(o.ssl)); i++) {
        to_ossl(c, &o);
        SSL_do_handshake(o.ssl);
        from_ossl(&o, c);
    }
    assert_true(clasp_conn_handshake_done(c) && SSL_is_init_finished(o.ssl));
    c->rl.gcm_send_limit = 3; /* two records of data, then the KeyUpdate */
    for (size_t i = 0; i < 10; i++) {
        size_t w;
        assert_int_equal(clasp_conn_write(c, data + 1000 * i, 1000, &w), 0);
        assert_true(c->rl.wprot.seq <= 3);
    }
    to_ossl(c, &o);
    uint8_t got[10000];
    size_t have = 0;
    while (have < sizeof(got)) {
        int n = SSL_read(o.ssl, got + have, (int)(sizeof(got) - have));
        assert_true(n > 0);
        have += (size_t)n;
    }
    assert_memory_equal(got, data, sizeof(got));
    /* Before data records 3, 5, 7 and 9: four KeyUpdates, and OpenSSL took each. */
    assert_int_equal(o.key_updates, 4);
    SSL_free(o.ssl);
    SSL_CTX_free(o.ctx);
    clasp_conn_free(c);
    clasp_config_free(cfg);
}

/*
 * Between two clasp ends, n bytes in full records from the server, whose AES-GCM bounds are
 * lowered: how many KeyUpdates the client saw. Data must arrive intact either way.
 */
static unsigned key_updates_seen(const char *suite, uint64_t send_limit, uint64_t recv_limit,
                                 size_t n)
{
    ku_count k = {0};
    kit_pair p;
    open_pair(&p, CLASP_TLS13, suite, count_key_updates, &k);
    k.client = p.client;
    p.server->rl.gcm_send_limit = send_limit;
    p.client->rl.gcm_recv_limit = recv_limit;
    assert_int_equal(pair_transfer(p.server, p.client, data, n), 0);
    assert_int_equal(pair_transfer(p.client, p.server, data, 5000), 0);
    kit_close(&p);
    return k.by_client;
}

/* The reader sees each KeyUpdate and never more records under a key than the bound. */
static void test_key_update_full_records(void **state)
{
    (void)state;
    /* 20 records, three per key; the reader's bound (4) is never met. */
    assert_int_equal(key_updates_seen(AES128_13, 4, 4, sizeof(data)), 6);
}

/* ChaCha20-Poly1305 has no such limit: the AES-GCM bounds do not touch it. */
static void test_chacha_no_limit(void **state)
{
    (void)state;
    assert_int_equal(key_updates_seen(CHACHA_13, 2, 2, 10 * 16384), 0);
}

/* ---- TLS 1.2: the connection ends cleanly at the limit ---- */

static void test_tls12_ends_at_gcm_limit(void **state)
{
    (void)state;
    kit_pair p;
    open_pair(&p, CLASP_TLS12, AES128_12, NULL, NULL);
    assert_int_equal(p.client->rl.wprot.seq, 1); /* the Finished */
    p.client->rl.gcm_send_limit = 4;
    one_record(p.client, p.server, data, 100);
    one_record(p.client, p.server, data + 100, 100);
    size_t w;
    assert_int_equal(clasp_conn_write(p.client, data, 100, &w), CLASP_ERR_KEY_LIMIT);
    assert_int_equal(w, 0);
    assert_non_null(strstr(clasp_conn_error_detail(p.client), "RFC 8446 5.5"));
    assert_int_equal(clasp_conn_alert_sent(p.client), CLASP_ALERT_CLOSE_NOTIFY);
    assert_int_equal(p.client->rl.wprot.seq, 4); /* the close_notify was the last */
    assert_int_equal(clasp_conn_write(p.client, data, 100, &w), CLASP_ERR_KEY_LIMIT);
    /* The peer sees an orderly end. */
    assert_int_equal(pair_move(p.client, p.server, 0), 0);
    uint8_t buf[16];
    size_t r;
    assert_int_equal(clasp_conn_read(p.server, buf, sizeof(buf), &r), CLASP_ERR_CLOSED);
    assert_int_equal(clasp_conn_alert_received(p.server), CLASP_ALERT_CLOSE_NOTIFY);
    kit_close(&p);
}

/* ---- the receive-side bound ---- */

static void expect_refused(kit_pair *p)
{
    size_t w, r;
    uint8_t buf[64];
    assert_int_equal(clasp_conn_write(p->client, data, 50, &w), 0);
    assert_int_equal(pair_move(p->client, p->server, 0), CLASP_ERR_UNEXPECTED_MESSAGE);
    assert_non_null(strstr(clasp_conn_error_detail(p->server), "RFC 8446 5.5"));
    assert_int_equal(clasp_conn_alert_sent(p->server), CLASP_ALERT_UNEXPECTED_MESSAGE);
    assert_int_equal(pair_move(p->server, p->client, 0), CLASP_ERR_ALERT_RECEIVED);
    assert_int_equal(clasp_conn_read(p->client, buf, sizeof(buf), &r), CLASP_ERR_ALERT_RECEIVED);
}

static void test_peer_past_gcm_limit(void **state)
{
    (void)state;
    kit_pair p;
    open_pair(&p, CLASP_TLS13, AES128_13, NULL, NULL);
    p.server->rl.gcm_recv_limit = 5;
    p.client->rl.gcm_send_limit = UINT32_MAX; /* a peer that never updates its keys */
    for (size_t i = 0; i < 5; i++)
        one_record(p.client, p.server, data + 10 * i, 10);
    expect_refused(&p);
    kit_close(&p);

    /* TLS 1.2: the peer's Finished counts too. */
    open_pair(&p, CLASP_TLS12, AES128_12, NULL, NULL);
    p.server->rl.gcm_recv_limit = 3;
    p.client->rl.gcm_send_limit = UINT32_MAX;
    one_record(p.client, p.server, data, 10);
    one_record(p.client, p.server, data, 10);
    expect_refused(&p);
    kit_close(&p);
}

/*
 * AES-CCM's limits are half of AES-GCM's (layer.c says why): with the bounds set at 8, a
 * key seals three records, as AES-GCM's does at 4; and a peer is refused after 4 records.
 */
static void test_ccm_half_limits(void **state)
{
    (void)state;
    assert_int_equal(key_updates_seen(CCM_13, 8, 8, sizeof(data)), 6);
    kit_pair p;
    open_pair(&p, CLASP_TLS13, CCM_13, NULL, NULL);
    p.server->rl.gcm_recv_limit = 8;
    p.client->rl.gcm_send_limit = UINT32_MAX;
    for (size_t i = 0; i < 4; i++)
        one_record(p.client, p.server, data + 10 * i, 10);
    expect_refused(&p);
    kit_close(&p);
}

/* A sender that updates its keys in time never meets the receiver's bound. */
static void test_limits_agree(void **state)
{
    (void)state;
    kit_pair p;
    open_pair(&p, CLASP_TLS13, AES128_13, NULL, NULL);
    p.server->rl.gcm_recv_limit = 5;
    p.client->rl.gcm_send_limit = 5;
    for (size_t i = 0; i < 30; i++)
        one_record(p.client, p.server, data + 10 * i, 10);
    kit_close(&p);
}

/* ---- the bound on queued output ---- */

#define TMAX  300
#define SLACK 1000 /* the answers one record can ask for (at most 32 KeyUpdates) */

static size_t output_len(clasp_conn *c)
{
    const uint8_t *out;
    size_t len;
    clasp_conn_output(c, &out, &len);
    return len;
}

/* Reads what c has; returns the read's last result (WANT_READ or WANT_WRITE). */
static int read_all(clasp_conn *c, uint8_t *got, size_t *have)
{
    for (;;) {
        size_t r;
        int rc = clasp_conn_read(c, got + *have, 1, &r);
        if (rc)
            return rc;
        *have += r;
    }
}

/*
 * The peer sends a byte of data and a request (asker) after another and never reads what
 * we answer: our output stays bounded, reading says CLASP_WANT_WRITE, and once the output
 * is sent everything arrives in order.
 */
static void flood(kit_pair *p, clasp_conn *sender, clasp_conn *victim,
                  void (*ask)(kit_pair *p, clasp_conn *sender))
{
    uint8_t got[200];
    size_t have = 0, w;
    int blocked = 0;
    victim->rl.tmax = TMAX;
    for (size_t i = 0; i < sizeof(got); i++) {
        assert_int_equal(clasp_conn_write(sender, data + i, 1, &w), 0);
        ask(p, sender);
        assert_int_equal(pair_move(sender, victim, 0), 0);
        int rc = read_all(victim, got, &have);
        blocked |= rc == CLASP_WANT_WRITE;
        assert_true(rc == CLASP_WANT_READ || rc == CLASP_WANT_WRITE);
        assert_true(output_len(victim) <= TMAX + SLACK);
    }
    assert_true(blocked);
    assert_true(have < sizeof(got));
    /* The victim's answers leave (for a sender that would refuse so many of them: dropped
     * here), and what waited is processed. */
    while (have < sizeof(got)) {
        clasp_conn_output_done(victim, output_len(victim));
        assert_int_equal(pair_move(sender, victim, 0), 0);
        int rc = read_all(victim, got, &have);
        assert_true(rc == CLASP_WANT_READ || rc == CLASP_WANT_WRITE);
    }
    assert_memory_equal(got, data, sizeof(got));
    assert_int_equal(clasp_conn_error(victim), 0);
}

static void ask_key_update(kit_pair *p, clasp_conn *sender)
{
    (void)p;
    assert_int_equal(clasp_conn_key_update(sender, 1), 0);
}

/* A renegotiation request: a ClientHello (its body is never parsed), sealed in order. */
static void ask_renegotiation(kit_pair *p, clasp_conn *sender)
{
    (void)p;
    static const uint8_t ch[] = {CL_HS_CLIENT_HELLO, 0, 0, 4, 3, 3, 0, 0};
    assert_int_equal(cl_rl_write(&sender->rl, CL_CT_HANDSHAKE, ch, sizeof(ch)), 0);
}

static void test_key_update_flood_output_bounded(void **state)
{
    (void)state;
    kit_pair p;
    open_pair(&p, CLASP_TLS13, AES128_13, NULL, NULL);
    flood(&p, p.server, p.client, ask_key_update);
    kit_close(&p);
}

/* TLS 1.2: each renegotiation request is answered with a no_renegotiation warning. */
static void test_renegotiation_flood_output_bounded(void **state)
{
    (void)state;
    kit_pair p;
    open_pair(&p, CLASP_TLS12, AES128_12, NULL, NULL);
    flood(&p, p.client, p.server, ask_renegotiation);
    kit_close(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_contexts_made_at_first_record),
        cmocka_unit_test(test_key_update_before_gcm_limit),
        cmocka_unit_test(test_key_update_full_records),
        cmocka_unit_test(test_chacha_no_limit),
        cmocka_unit_test(test_ccm_half_limits),
        cmocka_unit_test(test_tls12_ends_at_gcm_limit),
        cmocka_unit_test(test_peer_past_gcm_limit),
        cmocka_unit_test(test_limits_agree),
        cmocka_unit_test(test_key_update_flood_output_bounded),
        cmocka_unit_test(test_renegotiation_flood_output_bounded),
    };
    return cmocka_run_group_tests(tests, setup, kit_teardown);
}
