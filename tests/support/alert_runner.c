/*
 * The alert runner (alert_runner.h): how a case runs and what it checks, and the setups,
 * edits and injections the TLS 1.2 and TLS 1.3 tables share.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <clasp/clasp.h>

#include "alert_runner.h"
#include "record/protect.h"

const uint8_t ar_secret[] = "application data the victim must never release";
const size_t ar_secret_len = sizeof(ar_secret);

/* cmocka hands a test its case alone, so the version is the group's, set by ar_run_group. */
static const ar_version *ar_v;

/* ---- setups ---- */

void setup_with(kit_pair *p, clasp_config *ccfg, clasp_config *scfg)
{
    kit_open(p, ccfg ? ccfg : ar_v->client(), scfg ? scfg : ar_v->server(&kit.server[TK_P256]),
             "server.test");
}

clasp_config *client_with(const char *suites, const char *groups, const char *schemes)
{
    clasp_config *cfg = ar_v->client();
    if (suites)
        assert_int_equal(clasp_config_set_cipher_suites(cfg, suites), 0);
    if (groups)
        assert_int_equal(clasp_config_set_groups(cfg, groups), 0);
    if (schemes)
        assert_int_equal(clasp_config_set_signature_schemes(cfg, schemes), 0);
    return cfg;
}

void s_p256(kit_pair *p)
{
    setup_with(p, client_with(NULL, "secp256r1", NULL), NULL);
}

void s_record_limit(kit_pair *p)
{
    clasp_config *ccfg = ar_v->client();
    assert_int_equal(clasp_config_set_record_size_limit(ccfg, 512), 0);
    setup_with(p, ccfg, NULL);
}

void s_alpn(kit_pair *p, const char *client, const char *server)
{
    clasp_config *ccfg = ar_v->client(), *scfg = ar_v->server(&kit.server[TK_P256]);
    assert_int_equal(clasp_config_set_alpn(ccfg, client), 0);
    assert_int_equal(clasp_config_set_alpn(scfg, server), 0);
    setup_with(p, ccfg, scfg);
}

void s_alpn_mismatch(kit_pair *p)
{
    s_alpn(p, "http/1.1", "h2");
}

void s_wrong_name(kit_pair *p)
{
    kit_open(p, ar_v->client(), ar_v->server(&kit.server[TK_P256]), "wrong.test");
}

void s_untrusted(kit_pair *p)
{
    setup_with(p, NULL, ar_v->server(&kit.untrusted));
}

void s_expired(kit_pair *p)
{
    setup_with(p, NULL, ar_v->server(&kit.expired));
}

static void s_verify(kit_pair *p, clasp_verify_mode mode, const test_cert *client_cert,
                     const char *server_schemes)
{
    clasp_config *scfg = ar_v->server(&kit.server[TK_P256]), *ccfg = ar_v->client();
    assert_int_equal(clasp_config_set_verify(scfg, mode), 0);
    if (server_schemes)
        assert_int_equal(clasp_config_set_signature_schemes(scfg, server_schemes), 0);
    if (client_cert)
        kit_add_cert(ccfg, client_cert);
    setup_with(p, ccfg, scfg);
}

void s_request(kit_pair *p)
{
    s_verify(p, CLASP_VERIFY_OPTIONAL, NULL, NULL);
}

void s_mutual(kit_pair *p)
{
    s_verify(p, CLASP_VERIFY_REQUIRE, &kit.client, NULL);
}

void s_mutual_optional(kit_pair *p)
{
    s_verify(p, CLASP_VERIFY_OPTIONAL, &kit.client, NULL);
}

void s_mutual_narrow(kit_pair *p)
{
    s_verify(p, CLASP_VERIFY_REQUIRE, &kit.client, "ecdsa_secp256r1_sha256");
}

void s_require_none(kit_pair *p)
{
    s_verify(p, CLASP_VERIFY_REQUIRE, NULL, NULL);
}

void s_untrusted_client(kit_pair *p)
{
    s_verify(p, CLASP_VERIFY_REQUIRE, &kit.untrusted_client, NULL);
}

/* ---- edits ---- */

void put_u16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

int edit_exts(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    kit_exts e;
    kit_exts_read(msg, len, &e);
    for (const xop *o = arg; o->op != X_END; o++) {
        int i = kit_exts_find(&e, o->type);
        switch (o->op) {
        case X_ADD: kit_exts_add(&e, e.n, o->type, o->data, o->len); break;
        case X_ADD_FRONT: kit_exts_add(&e, 0, o->type, o->data, o->len); break;
        case X_ADD_BEFORE_LAST: kit_exts_add(&e, e.n - 1, o->type, o->data, o->len); break;
        case X_DEL: kit_exts_del(&e, o->type); break;
        case X_SET: kit_exts_set(&e, o->type, o->data, o->len); break;
        case X_DUP:
            assert_true(i >= 0);
            kit_exts_add(&e, (size_t)i + 1, o->type, e.data[i], e.len[i]);
            break;
        }
    }
    kit_exts_write(msg, len, &e, out);
    return 0;
}

int edit_hello_version(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    uint8_t v[2];
    put_u16(v, *(const uint16_t *)arg);
    kit_splice(msg, len, 4, 2, v, 2, out);
    return 0;
}

int edit_session_id(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    const xbytes *x = arg;
    kit_splice(msg, len, KIT_HELLO_SID_OFF, 1 + (size_t)msg[KIT_HELLO_SID_OFF], x->p, x->n, out);
    return 0;
}

int edit_ch_compression(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    const xbytes *x = arg;
    size_t off = kit_ch_compression_off(msg);
    kit_splice(msg, len, off, 1 + (size_t)msg[off], x->p, x->n, out);
    return 0;
}

int edit_sh_suite(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    uint8_t v[2];
    put_u16(v, *(const uint16_t *)arg);
    kit_splice(msg, len, kit_sh_suite_off(msg), 2, v, 2, out);
    return 0;
}

int edit_sh_compression(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c, (void)arg;
    kit_splice(msg, len, kit_sh_suite_off(msg) + 2, 1, "\1", 1, out);
    return 0;
}

int edit_cv_scheme(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    uint8_t v[2];
    put_u16(v, *(const uint16_t *)arg);
    kit_splice(msg, len, 4, 2, v, 2, out);
    return 0;
}

int edit_cv_empty(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c, (void)arg;
    kit_splice(msg, len, 6, len - 6, "\0\0", 2, out);
    return 0;
}

/* ---- injections ---- */

void feed_server(kit_pair *p, const uint8_t *rec, size_t n)
{
    kit_feed(p->server, rec, n);
}

void start_app_data(kit_pair *p)
{
    feed_server(p, B(23, 3, 3, 0, 5, 'h', 'e', 'l', 'l', 'o'));
}

void start_ccs(kit_pair *p)
{
    feed_server(p, B(20, 3, 3, 0, 1, 1));
}

void start_big_plaintext(kit_pair *p)
{
    feed_server(p, B(22, 3, 1, 0x40, 0x01)); /* 2^14 + 1: refused on its header */
}

void after_tamper(kit_pair *p)
{
    size_t n;
    assert_int_equal(clasp_conn_write(p->client, (const uint8_t *)"tamper", 6, &n), 0);
    p->client->rl.tbuf[p->client->rl.tlen - 1] ^= 1;
}

/* The header is authenticated: RFC 8446 5.2, RFC 5246 6.2.3.3. */
void after_header_version(kit_pair *p)
{
    size_t n;
    assert_int_equal(clasp_conn_write(p->client, (const uint8_t *)"version", 7, &n), 0);
    p->client->rl.tbuf[p->client->rl.thead + 2] = 1;
}

static void run_injection(const inj *in, clasp_conn *bad, clasp_conn *victim)
{
    /* Room for the larger of the two versions' records (TLS 1.2's). */
    static uint8_t rec[CL_TLS12_MAX_CIPHERTEXT + 5];
    kit_move(bad, victim); /* nothing may overtake what is already queued */
    if (in->unlimited)
        bad->rl.max_frag_out = CL_MAX_PLAINTEXT;
    for (unsigned i = 0; i < (in->count ? in->count : 1); i++) {
        switch (in->how) {
        case I_WRITE:
            assert_int_equal(cl_rl_write(&bad->rl, in->type, in->data, in->len), 0);
            break;
        case I_SEAL: kit_feed(victim, rec, ar_v->seal(bad, in, rec, sizeof(rec))); break;
        case I_RAW: kit_feed(victim, in->data, in->len); break;
        case I_KEY_UPDATE: assert_int_equal(clasp_conn_key_update(bad, 0), 0); break;
        }
    }
}

/* ---- the run ---- */

/* The misbehaving side sends application data as soon as it has keys for it. */
static void leak(clasp_conn *bad, int *leaked)
{
    if (*leaked || clasp_conn_error(bad))
        return;
    *leaked = ar_v->leak(bad);
}

static void drive(kit_pair *p, clasp_conn *bad, int may_leak)
{
    int leaked = !may_leak;
    for (int round = 0; round < 16; round++) {
        kit_move(p->client, p->server);
        leak(bad, &leaked);
        kit_move(p->server, p->client);
        leak(bad, &leaked);
        if (clasp_conn_error(p->client) || clasp_conn_error(p->server))
            return;
        if (clasp_conn_handshake_done(p->client) && clasp_conn_handshake_done(p->server))
            return;
    }
}

static void report(const acase *tc, clasp_conn *victim, clasp_conn *bad)
{
    print_message("%s\n  victim: error %d (%s), alert sent %d\n  other: error %d (%s), "
                  "alert received %d, sent %d\n",
                  tc->name, clasp_conn_error(victim), clasp_conn_error_detail(victim),
                  clasp_conn_alert_sent(victim), clasp_conn_error(bad),
                  clasp_conn_error_detail(bad), clasp_conn_alert_received(bad),
                  clasp_conn_alert_sent(bad));
}

/* A case that misbehaves after a completed handshake; the secret follows what must fail. */
static void misbehave_after(const acase *tc, kit_pair *p, clasp_conn *bad, clasp_conn *victim)
{
    if (clasp_conn_error(victim) || clasp_conn_error(bad))
        report(tc, victim, bad);
    assert_true(clasp_conn_handshake_done(p->client) && clasp_conn_handshake_done(p->server));
    if (tc->after)
        run_injection(tc->after, bad, victim);
    else
        tc->after_fn(p);
    int leaked = 0;
    leak(bad, &leaked);
    kit_move(bad, victim);
}

/* The victim failed as the case says; no plaintext after an error, and the error stays. */
static void check_victim(const acase *tc, clasp_conn *victim, clasp_conn *bad)
{
    if (clasp_conn_error(victim) != tc->err || clasp_conn_alert_sent(victim) != tc->alert ||
        clasp_conn_alert_received(bad) != tc->alert)
        report(tc, victim, bad);
    assert_int_equal(clasp_conn_error(victim), tc->err);
    assert_int_equal(clasp_conn_alert_sent(victim), tc->alert);
    if (tc->why)
        assert_non_null(strstr(clasp_conn_error_detail(victim), tc->why));
    uint8_t buf[256];
    size_t n = 12345;
    assert_int_equal(clasp_conn_read(victim, buf, sizeof(buf), &n), tc->err);
    assert_int_equal(n, 0);
    assert_int_equal(clasp_conn_write(victim, buf, 10, &n), tc->err);
    assert_int_equal(clasp_conn_handshake_done(victim), 0);
}

/* The misbehaving side got the alert, and sent none back. */
static void check_bad(const acase *tc, clasp_conn *bad)
{
    assert_int_equal(clasp_conn_alert_received(bad), tc->alert);
    assert_int_equal(clasp_conn_error(bad), CLASP_ERR_ALERT_RECEIVED);
    assert_int_equal(clasp_conn_alert_sent(bad), -1);
    assert_non_null(strstr(clasp_conn_error_detail(bad), clasp_alert_name(tc->alert)));
}

static void run_case(void **state)
{
    const acase *tc = *state;
    kit_pair p;
    if (tc->setup)
        tc->setup(&p);
    else
        setup_with(&p, NULL, NULL);
    clasp_conn *bad = tc->bad == BAD_CLIENT ? p.client : p.server;
    clasp_conn *victim = tc->bad == BAD_CLIENT ? p.server : p.client;
    kit_hook hook = {.type = tc->msg, .nth = tc->nth, .edit = tc->edit, .arg = (void *)tc->arg};
    kit_hook_install(bad, &hook);

    int after = tc->after || tc->after_fn;
    if (tc->start)
        tc->start(&p);
    drive(&p, bad, !after);
    if (tc->then)
        tc->then(&p);
    if (after)
        misbehave_after(tc, &p, bad, victim);
    if (tc->edit)
        assert_true(hook.edited > 0);
    kit_move(victim, bad); /* the alert */
    check_victim(tc, victim, bad);
    check_bad(tc, bad);
    kit_close(&p);
}

int ar_run_group(const char *group, const acase *cases, size_t n, const ar_version *v,
                 const struct CMUnitTest *extra, size_t n_extra)
{
    struct CMUnitTest *tests = calloc(n + n_extra, sizeof(*tests));
    assert_non_null(tests);
    for (size_t i = 0; i < n; i++) {
        tests[i].name = cases[i].name;
        tests[i].test_func = run_case;
        tests[i].initial_state = (void *)&cases[i];
    }
    memcpy(tests + n, extra, n_extra * sizeof(*extra));
    ar_v = v;
    int rc = _cmocka_run_group_tests(group, tests, n + n_extra, kit_setup, kit_teardown);
    free(tests);
    return rc;
}
