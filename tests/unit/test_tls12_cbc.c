/*
 * TLS 1.2 CBC-HMAC suites end to end in one process: a clasp client and a clasp server.
 *
 *  - every CBC suite, with encrypt-then-MAC (RFC 7366, what clasp negotiates whenever a CBC
 *    suite is chosen) and without it (the client's offer removed on the way, so the server
 *    falls back to MAC-then-encrypt): the handshake, records of every size both ways, the
 *    record layout on the wire, and a resumed connection;
 *  - the negotiation: encrypt_then_mac offered exactly when a CBC suite is enabled,
 *    answered only for a CBC suite, and the CBC suites never in the defaults;
 *  - resumption keeps the session's mechanism (RFC 7366 3.1), by session ID and by ticket:
 *    a server resumes only for a hello that would choose the same one, a client refuses a
 *    resumption in the other;
 *  - every byte of a protected record tampered with on the way, in both modes: the server
 *    answers bad_record_mac (or what the framing says first) and releases nothing.
 * The failures of the negotiation itself, with their alerts, are in test_tls12_alerts.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <clasp/clasp.h>

#include "msg/msg.h"
#include "e2e_checks.h"
#include "pair.h"
#include "tls12_kit.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define V12          CLASP_TLS12

static const struct {
    const char *name;
    uint16_t id;
    test_key key;
    size_t mac_len;
} cbc[] = {
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", 0xc009, TK_P256, 20},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", 0xc00a, TK_P384, 20},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 0xc013, TK_RSA2048, 20},
    {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", 0xc014, TK_RSA2048, 20},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", 0xc023, TK_P256, 32},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", 0xc024, TK_P384, 48},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", 0xc027, TK_RSA2048, 32},
    {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", 0xc028, TK_RSA2048, 48},
    {"TLS_RSA_WITH_AES_128_CBC_SHA", 0x002f, TK_RSA2048, 20},
};

/* A ClientHello edit: encrypt_then_mac removed (it must be there to remove). */
static int strip_etm(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c, (void)arg;
    kit_exts e;
    kit_exts_read(msg, len, &e);
    assert_true(kit_exts_find(&e, CL_EXT_ENCRYPT_THEN_MAC) >= 0);
    kit_exts_del(&e, CL_EXT_ENCRYPT_THEN_MAC);
    kit_exts_write(msg, len, &e, out);
    return 0;
}

/*
 * A pair on suite i only; without etm, the client's offer is removed on the way. A client
 * without tickets resumes by session ID.
 */
static void cbc_pair_tickets(kit_pair *p, size_t i, int etm, kit_hook *strip, int tickets)
{
    clasp_config *ccfg = kit12_client(V12, V12);
    clasp_config *scfg = kit12_server(&kit.server[cbc[i].key], V12, V12);
    if (!tickets)
        assert_int_equal(clasp_config_set_tickets(ccfg, 0), 0);
    assert_int_equal(clasp_config_set_cipher_suites(ccfg, cbc[i].name), 0);
    assert_int_equal(clasp_config_set_cipher_suites(scfg, cbc[i].name), 0);
    kit_open(p, ccfg, scfg, "server.test");
    *strip = (kit_hook){.type = CL_HS_CLIENT_HELLO, .edit = strip_etm};
    if (!etm)
        kit_hook_install(p->client, strip);
}

static void cbc_pair(kit_pair *p, size_t i, int etm, kit_hook *strip)
{
    cbc_pair_tickets(p, i, etm, strip, 1);
}

static size_t round16(size_t n)
{
    return (n + 15) / 16 * 16;
}

/* One record of n bytes from the client, measured on the wire, then delivered. */
static void check_layout(kit_pair *p, size_t i, int etm, size_t n)
{
    static uint8_t data[4096];
    size_t wrote, len;
    memset(data, 0x3c, n);
    assert_int_equal(clasp_conn_write(p->client, data, n, &wrote), 0);
    uint8_t *wire = kit_take(p->client, &len);
    size_t m = cbc[i].mac_len;
    /* RFC 5246 6.2.3.2: IV, then content, MAC, padding; RFC 7366: the MAC after them. */
    size_t want = etm ? 5 + 16 + round16(n + 1) + m : 5 + 16 + round16(n + m + 1);
    assert_int_equal(len, want);
    assert_int_equal(wire[0], CL_CT_APPLICATION_DATA);
    assert_int_equal(kit_feed(p->server, wire, len), 0);
    free(wire);
    uint8_t got[4096];
    size_t r;
    assert_int_equal(clasp_conn_read(p->server, got, sizeof(got), &r), 0);
    assert_int_equal(r, n);
    assert_memory_equal(got, data, n);
}

static void check_connected(kit_pair *p, size_t i, int etm)
{
    kit12_handshake(p);
    assert_int_equal(clasp_conn_cipher_suite(p->client), cbc[i].id);
    assert_int_equal(clasp_conn_encrypt_then_mac(p->client), etm);
    assert_int_equal(clasp_conn_encrypt_then_mac(p->server), etm);
    check_layout(p, i, etm, 1);
    check_layout(p, i, etm, 100);
    kit_exchange(p, 40000); /* full 2^14-byte records and a tail, both ways */
}

/* Every CBC suite, both modes, a full handshake and then a resumed one. */
static void test_every_suite_both_modes(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cbc); i++) {
        for (int etm = 1; etm >= 0; etm--) {
            kit_pair p, again;
            kit_hook strip, strip2;
            cbc_pair(&p, i, etm, &strip);
            check_connected(&p, i, etm);
            assert_int_equal(strip.edited, etm ? 0 : 1);
            clasp_session *sess = clasp_conn_get_session(p.client);
            assert_non_null(sess);
            /* The same configurations, the session offered: resumed, in the same mode. */
            kit_open(&again, clasp_config_up_ref(p.ccfg), clasp_config_up_ref(p.scfg),
                     "server.test");
            strip2 = (kit_hook){.type = CL_HS_CLIENT_HELLO, .edit = strip_etm};
            if (!etm)
                kit_hook_install(again.client, &strip2);
            assert_int_equal(clasp_conn_set_session(again.client, sess), 0);
            clasp_session_free(sess);
            check_connected(&again, i, etm);
            assert_int_equal(clasp_conn_resumed(again.client), 1);
            assert_int_equal(clasp_conn_close(again.client), 0);
            assert_int_equal(kit_move(again.client, again.server), 0);
            expect_read(again.server, CLASP_ERR_CLOSED);
            kit_close(&again);
            kit_close(&p);
        }
    }
}

/*
 * RFC 7366 3.1: a session keeps the mechanism it was made with. A server does not resume it
 * for a hello that would choose the other one (a full handshake follows, in the hello's
 * mode), by session ID and by ticket alike.
 */
static void resume_in_mode(int tickets, int first_etm, int second_etm)
{
    kit_pair p, again;
    kit_hook strip, strip2 = {.type = CL_HS_CLIENT_HELLO, .edit = strip_etm};
    cbc_pair_tickets(&p, 4, first_etm, &strip, tickets);
    check_connected(&p, 4, first_etm);
    clasp_session *sess = clasp_conn_get_session(p.client);
    assert_non_null(sess);
    kit_open(&again, clasp_config_up_ref(p.ccfg), clasp_config_up_ref(p.scfg), "server.test");
    if (!second_etm)
        kit_hook_install(again.client, &strip2);
    assert_int_equal(clasp_conn_set_session(again.client, sess), 0);
    clasp_session_free(sess);
    check_connected(&again, 4, second_etm);
    assert_int_equal(clasp_conn_resumed(again.client), first_etm == second_etm);
    kit_close(&again);
    kit_close(&p);
}

static void test_resumption_keeps_mechanism(void **state)
{
    (void)state;
    for (int tickets = 0; tickets < 2; tickets++) {
        resume_in_mode(tickets, 1, 1);
        resume_in_mode(tickets, 0, 0);
        resume_in_mode(tickets, 1, 0);
        resume_in_mode(tickets, 0, 1);
    }
}

/* A ServerHello edit: encrypt_then_mac removed. */
static int strip_etm_sh(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c, (void)arg;
    kit_exts e;
    kit_exts_read(msg, len, &e);
    kit_exts_del(&e, CL_EXT_ENCRYPT_THEN_MAC);
    kit_exts_write(msg, len, &e, out);
    return 0;
}

/* A server that resumes an encrypt-then-MAC session without it: the client refuses. */
static void test_client_refuses_resumption_in_other_mode(void **state)
{
    (void)state;
    kit_pair p, again;
    kit_hook strip, sh = {.type = CL_HS_SERVER_HELLO, .edit = strip_etm_sh};
    cbc_pair(&p, 4, 1, &strip);
    check_connected(&p, 4, 1);
    clasp_session *sess = clasp_conn_get_session(p.client);
    kit_open(&again, clasp_config_up_ref(p.ccfg), clasp_config_up_ref(p.scfg), "server.test");
    kit_hook_install(again.server, &sh);
    assert_int_equal(clasp_conn_set_session(again.client, sess), 0);
    clasp_session_free(sess);
    assert_int_not_equal(pair_handshake(again.client, again.server), 0);
    assert_int_equal(sh.edited, 1);
    assert_int_equal(clasp_conn_error(again.client), CLASP_ERR_HANDSHAKE_FAILURE);
    assert_non_null(strstr(clasp_conn_error_detail(again.client), "encrypt-then-MAC"));
    kit_move(again.client, again.server);
    assert_int_equal(clasp_conn_alert_received(again.server), CLASP_ALERT_HANDSHAKE_FAILURE);
    kit_close(&again);
    kit_close(&p);
}

/* The extension in a captured hello: 1 present (and empty), 0 absent. */
static int has_etm(const kit_msg *m)
{
    kit_exts e;
    kit_exts_read(m->data, m->len, &e);
    int k = kit_exts_find(&e, CL_EXT_ENCRYPT_THEN_MAC);
    if (k >= 0)
        assert_int_equal(e.len[k], 0);
    return k >= 0;
}

/* RFC 7366 2: offered with a CBC suite; 3: answered only when a CBC suite is chosen. */
static void negotiate(const char *client_suites, const char *server_suites, int offered,
                      int answered, uint16_t suite)
{
    kit_pair p;
    kit_msg ch = {0}, sh = {0};
    kit_hook hc = {.type = CL_HS_CLIENT_HELLO, .edit = kit12_capture, .arg = &ch};
    kit_hook hs = {.type = CL_HS_SERVER_HELLO, .edit = kit12_capture, .arg = &sh};
    clasp_config *ccfg = kit12_client(V12, CLASP_TLS13);
    clasp_config *scfg = kit12_server(&kit.server[TK_P256], V12, V12);
    if (client_suites)
        assert_int_equal(clasp_config_set_cipher_suites(ccfg, client_suites), 0);
    if (server_suites)
        assert_int_equal(clasp_config_set_cipher_suites(scfg, server_suites), 0);
    kit_open(&p, ccfg, scfg, "server.test");
    kit_hook_install(p.client, &hc);
    kit_hook_install(p.server, &hs);
    kit12_handshake(&p);
    assert_int_equal(has_etm(&ch), offered);
    assert_int_equal(has_etm(&sh), answered);
    assert_int_equal(clasp_conn_cipher_suite(p.client), suite);
    assert_int_equal(clasp_conn_encrypt_then_mac(p.client), answered);
    assert_int_equal(clasp_conn_encrypt_then_mac(p.server), answered);
    kit_exchange(&p, 1000);
    kit_close(&p);
}

static void test_negotiation(void **state)
{
    (void)state;
    const char *both = "TLS_AES_128_GCM_SHA256:TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:"
                       "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256";
    /* the defaults: no CBC suite, no encrypt_then_mac */
    negotiate(NULL, NULL, 0, 0, 0xc02b);
    /* the server's defaults do not include CBC: GCM is chosen, encrypt_then_mac not answered */
    negotiate(both, NULL, 1, 0, 0xc02b);
    /* the server prefers GCM over the CBC suite it also enables */
    negotiate(both,
              "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", 1,
              0, 0xc02b);
    /* CBC chosen: encrypt_then_mac answered */
    negotiate(both, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", 1, 1, 0xc023);
}

/* The CBC suites: named, enabled by name only, all of them in one list with the others; a
 * client offering only CBC finds nothing in common with a server's defaults. */
static void test_not_default(void **state)
{
    (void)state;
    clasp_config *cfg = clasp_config_new(CLASP_CLIENT);
    for (size_t i = 0; i < ARRAY_LEN(cbc); i++) {
        assert_string_equal(clasp_cipher_suite_name(cbc[i].id), cbc[i].name);
        /* enabled by name, alone or among others */
        assert_int_equal(clasp_config_set_cipher_suites(cfg, cbc[i].name), 0);
    }
    /* all the suites clasp has fit in one list */
    assert_int_equal(
        clasp_config_set_cipher_suites(
            cfg, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:"
                 "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:"
                 "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:"
                 "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256:"
                 "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:TLS_RSA_WITH_AES_128_GCM_SHA256:"
                 "TLS_RSA_WITH_AES_256_GCM_SHA384:TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA:"
                 "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA:TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA:"
                 "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA:TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256:"
                 "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384:TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256:"
                 "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384:TLS_RSA_WITH_AES_128_CBC_SHA"),
        0);
    clasp_config_free(cfg);
    /* A client offering only CBC meets a server with the defaults: nothing in common. */
    kit_pair p;
    clasp_config *ccfg = kit12_client(V12, V12);
    assert_int_equal(clasp_config_set_cipher_suites(ccfg, cbc[0].name), 0);
    kit_open(&p, ccfg, kit12_server(&kit.server[TK_P256], V12, V12), "server.test");
    assert_int_not_equal(pair_handshake(p.client, p.server), 0);
    assert_int_equal(clasp_conn_error(p.server), CLASP_ERR_HANDSHAKE_FAILURE);
    kit_close(&p);
}

/*
 * What the server must answer to the client's record with byte b flipped: the framing's
 * verdict for the header's version (protocol_version) and length (shorter: the record ends
 * there and fails to authenticate; longer: awaited, 0), bad_record_mac for every other byte,
 * the type included (it is in the MAC).
 */
static int tamper_expect(size_t b, uint8_t now, size_t len, size_t claimed)
{
    if (b == 0 && (now < CL_CT_CHANGE_CIPHER_SPEC || now > CL_CT_APPLICATION_DATA))
        return CLASP_ERR_UNEXPECTED_MESSAGE; /* RFC 5246 6: an unknown type */
    if (b == 1 || b == 2)
        return CLASP_ERR_PROTOCOL_VERSION;
    if ((b == 3 || b == 4) && claimed > len - 5)
        return 0;
    return CLASP_ERR_BAD_RECORD_MAC;
}

static void tamper_one(size_t i, int etm, size_t b, uint8_t flip)
{
    kit_pair p;
    kit_hook strip;
    size_t wrote, len, got;
    uint8_t buf[256];
    cbc_pair(&p, i, etm, &strip);
    kit12_handshake(&p);
    assert_int_equal(clasp_conn_write(p.client,
                                      (const uint8_t *)"a secret of fifty bytes, which "
                                                       "must never be read",
                                      50, &wrote),
                     0);
    uint8_t *wire = kit_take(p.client, &len);
    assert_true(b < len);
    wire[b] ^= flip;
    size_t claimed = (size_t)wire[3] << 8 | wire[4];
    int want = tamper_expect(b, wire[b], len, claimed);
    kit_feed(p.server, wire, len);
    int rc = clasp_conn_read(p.server, buf, sizeof(buf), &got);
    if (want == 0) {
        assert_int_equal(rc, CLASP_WANT_READ);
    } else {
        if (rc != want)
            fail_msg("%s, %s: byte %zu ^ 0x%02x: read gave %d, expected %d (%s)", cbc[i].name,
                     etm ? "EtM" : "MtE", b, flip, rc, want, clasp_conn_error_detail(p.server));
        assert_int_equal(clasp_conn_error(p.server), want);
        assert_int_equal(clasp_conn_alert_sent(p.server), clasp_err_alert(want));
    }
    free(wire);
    kit_close(&p);
}

static void test_tamper_every_byte(void **state)
{
    (void)state;
    for (int etm = 1; etm >= 0; etm--) {
        /* the record of 50 bytes with HMAC-SHA1: header, IV, then 80 or 64 + 20 bytes */
        size_t len = etm ? 5 + 16 + round16(50 + 1) + 20 : 5 + 16 + round16(50 + 20 + 1);
        for (size_t b = 0; b < len; b++)
            tamper_one(0, etm, b, 0x01);
        tamper_one(0, etm, 4, 0x10); /* a length 16 shorter: whole blocks, not authentic */
        tamper_one(0, etm, 0, 0x17); /* the type 23 ^ 0x17 = 0: unknown */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_suite_both_modes),
        cmocka_unit_test(test_negotiation),
        cmocka_unit_test(test_resumption_keeps_mechanism),
        cmocka_unit_test(test_client_refuses_resumption_in_other_mode),
        cmocka_unit_test(test_not_default),
        cmocka_unit_test(test_tamper_every_byte),
    };
    return cmocka_run_group_tests(tests, kit_setup, kit_teardown);
}
