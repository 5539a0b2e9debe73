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
 *    answers bad_record_mac (or what the framing says first) and releases nothing;
 *  - a record traced step by step (clasp_config_set_trace_records): its fields are the
 *    bytes on the wire, and its MAC, recomputed with libcrypto from the key log's master
 *    secret, is the record's real MAC.
 * The failures of the negotiation itself, with their alerts, are in test_tls12_alerts.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <clasp/clasp.h>

#include "hs/keysched12.h"
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

/*
 * RFC 7366 2: offered with a CBC suite; 3: answered only when a CBC suite is chosen.
 * client_etm, server_etm: clasp_config_set_encrypt_then_mac on each side.
 */
static void negotiate(const char *client_suites, const char *server_suites, int client_etm,
                      int server_etm, int offered, int answered, uint16_t suite)
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
    assert_int_equal(clasp_config_set_encrypt_then_mac(ccfg, client_etm), 0);
    assert_int_equal(clasp_config_set_encrypt_then_mac(scfg, server_etm), 0);
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
    negotiate(NULL, NULL, 1, 1, 0, 0, 0xc02b);
    /* the server's defaults do not include CBC: GCM is chosen, encrypt_then_mac not answered */
    negotiate(both, NULL, 1, 1, 1, 0, 0xc02b);
    /* the server prefers GCM over the CBC suite it also enables */
    negotiate(both,
              "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", 1,
              1, 1, 0, 0xc02b);
    /* CBC chosen: encrypt_then_mac answered */
    negotiate(both, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", 1, 1, 1, 1, 0xc023);
}

/* clasp_config_set_encrypt_then_mac(cfg, 0): a client does not offer it, a server does not
 * accept it; either way the records are MAC-then-encrypt. */
static void test_encrypt_then_mac_off(void **state)
{
    (void)state;
    for (int c = 0; c < 2; c++)
        for (int sv = 0; sv < 2; sv++)
            if (!c || !sv)
                negotiate(cbc[4].name, cbc[4].name, c, sv, c, 0, cbc[4].id);
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

/* ---- a record told step by step ---- */

typedef struct told {
    int records;        /* record events with fields */
    char names[16][16]; /* their field names, in order */
    char values[16][512];
    size_t n;
    uint8_t master[48], client_random[32], server_random[32];
} told;

static void on_trace(void *arg, clasp_conn *c, const clasp_trace_event *ev)
{
    (void)c;
    told *t = arg;
    if (ev->kind == CLASP_TRACE_MESSAGE && ev->outgoing == 0 && ev->data &&
        strcmp(ev->name, "ServerHello") == 0)
        memcpy(t->server_random, ev->data + 6, 32);
    if (ev->kind != CLASP_TRACE_RECORD || !ev->n_fields)
        return;
    t->records++;
    for (size_t i = 0; i < ev->n_fields && i < 16; i++) {
        snprintf(t->names[i], sizeof(t->names[i]), "%s", ev->fields[i].name);
        snprintf(t->values[i], sizeof(t->values[i]), "%s", ev->fields[i].value);
    }
    t->n = ev->n_fields;
}

static void unhex(const char *p, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(p + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

static void on_keylog(void *arg, clasp_conn *c, const char *line)
{
    (void)c;
    told *t = arg;
    if (strncmp(line, "CLIENT_RANDOM ", 14) == 0) {
        unhex(line + 14, t->client_random, 32);
        unhex(line + 14 + 65, t->master, 48);
    }
}

static const char *value(const told *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->names[i], name) == 0)
            return t->values[i];
    fail_msg("no field %s", name);
    return NULL;
}

/* The hex that starts a field's value after `after` (or at its start). */
static void field_bytes(const told *t, const char *name, const char *after, uint8_t *out, size_t n)
{
    const char *v = value(t, name);
    if (after) {
        v = strstr(v, after);
        assert_non_null(v);
        v += strlen(after);
    }
    unhex(v, out, n);
}

static void trace_steps(int etm)
{
    told t = {0};
    kit_pair p;
    size_t wrote, len;
    uint8_t data[100];
    clasp_config *ccfg = kit12_client(V12, V12);
    clasp_config *scfg = kit12_server(&kit.server[TK_P256], V12, V12);
    assert_int_equal(clasp_config_set_cipher_suites(ccfg, cbc[4].name), 0);
    assert_int_equal(clasp_config_set_cipher_suites(scfg, cbc[4].name), 0);
    assert_int_equal(clasp_config_set_trace(ccfg, on_trace, &t), 0);
    assert_int_equal(clasp_config_set_keylog(ccfg, on_keylog, &t), 0);
    assert_int_equal(clasp_config_set_trace_records(ccfg, 1), 0);
    assert_int_equal(clasp_config_set_encrypt_then_mac(ccfg, etm), 0);
    kit_open(&p, ccfg, scfg, "server.test");
    kit12_handshake(&p);
    assert_int_equal(clasp_conn_encrypt_then_mac(p.client), etm);
    assert_int_equal(t.records, 0); /* Finished is a handshake record: not told */
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 3);
    assert_int_equal(clasp_conn_write(p.client, data, sizeof(data), &wrote), 0);
    uint8_t *wire = kit_take(p.client, &len);
    assert_int_equal(t.records, 1);
    static const char *mte[] = {"protection", "fragment", "compression", "mac_input", "mac",
                                "padding",    "iv",       "ciphertext",  "header"};
    static const char *etm_order[] = {"protection", "fragment",  "compression", "padding", "iv",
                                      "ciphertext", "mac_input", "mac",         "header"};
    assert_int_equal(t.n, 9);
    for (size_t i = 0; i < 9; i++)
        assert_string_equal(t.names[i], etm ? etm_order[i] : mte[i]);
    /* the bytes on the wire */
    uint8_t header[5], iv[16], ct[64], frag[64], mac[32], want[32];
    field_bytes(&t, "header", NULL, header, 5);
    field_bytes(&t, "iv", NULL, iv, 16);
    field_bytes(&t, "ciphertext", "bytes: ", ct, 64);
    field_bytes(&t, "fragment", "): ", frag, 64);
    field_bytes(&t, "mac", "bytes: ", mac, 32);
    assert_memory_equal(header, wire, 5);
    assert_memory_equal(iv, wire + 5, 16);
    assert_memory_equal(ct, wire + 21, 64);
    assert_memory_equal(frag, data, 64);
    assert_non_null(strstr(value(&t, "fragment"), "100 bytes"));
    /* the MAC is the record's: recomputed from the master secret with libcrypto */
    uint8_t kb[2 * 32 + 2 * 16], in[13 + 16 + 128];
    unsigned int n = 0;
    assert_int_equal(cl_tls12_key_block(CL_HASH_SHA256, t.master, t.client_random, t.server_random,
                                        kb, sizeof(kb)),
                     0);
    size_t enc = etm ? 112 : 144, in_len;
    in[0] = in[1] = in[2] = in[3] = in[4] = in[5] = in[6] = 0, in[7] = 1; /* after Finished */
    in[8] = 23, in[9] = 3, in[10] = 3;
    if (etm) { /* RFC 7366: the IV and ciphertext, their length */
        in[11] = 0, in[12] = (uint8_t)(16 + enc);
        memcpy(in + 13, wire + 5, 16 + enc);
        in_len = 13 + 16 + enc;
        assert_memory_equal(mac, wire + 5 + 16 + enc, 32); /* and it is on the wire */
    } else {
        in[11] = 0, in[12] = 100;
        memcpy(in + 13, data, 100);
        in_len = 13 + 100;
    }
    assert_non_null(HMAC(EVP_sha256(), kb, 32, in, in_len, want, &n));
    assert_memory_equal(mac, want, 32);
    assert_int_equal(len, 5 + 16 + enc + (etm ? 32 : 0));
    /* one record was asked for: the next is not told */
    assert_int_equal(kit_feed(p.server, wire, len), 0);
    free(wire);
    assert_int_equal(clasp_conn_write(p.client, data, 10, &wrote), 0);
    free(kit_take(p.client, &len));
    assert_int_equal(t.records, 1);
    kit_close(&p);
}

/* AEAD records are never told step by step: their MAC and encryption are one step. */
static void no_steps_for_aead(void)
{
    told t = {0};
    kit_pair p;
    size_t wrote;
    clasp_config *ccfg = kit12_client(V12, V12);
    assert_int_equal(clasp_config_set_trace(ccfg, on_trace, &t), 0);
    assert_int_equal(clasp_config_set_trace_records(ccfg, 5), 0);
    kit_open(&p, ccfg, kit12_server(&kit.server[TK_P256], V12, V12), "server.test");
    kit12_handshake(&p);
    assert_int_equal(clasp_conn_write(p.client, (const uint8_t *)"aead", 4, &wrote), 0);
    free(kit_take(p.client, &wrote));
    assert_int_equal(t.records, 0);
    kit_close(&p);
}

static void test_trace_record_steps(void **state)
{
    (void)state;
    trace_steps(0);
    trace_steps(1);
    no_steps_for_aead();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_suite_both_modes),
        cmocka_unit_test(test_negotiation),
        cmocka_unit_test(test_encrypt_then_mac_off),
        cmocka_unit_test(test_resumption_keeps_mechanism),
        cmocka_unit_test(test_client_refuses_resumption_in_other_mode),
        cmocka_unit_test(test_not_default),
        cmocka_unit_test(test_tamper_every_byte),
        cmocka_unit_test(test_trace_record_steps),
    };
    return cmocka_run_group_tests(tests, kit_setup, kit_teardown);
}
