/*
 * The handshake trace and the key log (include/clasp/trace.h, docs/trace.md): the events a
 * TLS 1.3 and a TLS 1.2 handshake produce, in order, with the fields each message gets;
 * notes, key-schedule steps, records and alerts; a failure; that no secret ever appears in
 * an event; that the key log lines are the real secrets, proved by opening a record with
 * keys derived from them alone; the describer on its own (small buffers, hand-made and
 * damaged messages); and that tracing off costs nothing. Set CLASP_TRACE_DUMP=1 to print
 * every event.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <clasp/clasp.h>

#include "hs/keysched12.h"
#include "hs/keysched13.h"
#include "hs/params.h"
#include "hs/trace.h"
#include "msg/msg.h"
#include "pair.h"
#include "record/protect.h"
#include "tls12_kit.h"
#include "x509/x509.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- collecting events ---- */

#define MAX_EV_FIELDS 48

typedef struct rec_event {
    clasp_trace_kind kind;
    int outgoing;
    char *name;
    size_t n_fields;
    char *fname[MAX_EV_FIELDS], *fvalue[MAX_EV_FIELDS];
    uint8_t *data; /* MESSAGE: a copy of the message */
    size_t len;
    uint8_t content_type;
    uint16_t record_version;
    int protected_;
} rec_event;

typedef struct collector {
    rec_event *ev;
    size_t n, cap;
    char *lines[32]; /* key log lines */
    size_t n_lines;
} collector;

static char *dup_str(const char *s)
{
    assert_non_null(s); /* every name and value is a string, never NULL */
    char *d = strdup(s);
    assert_non_null(d);
    return d;
}

static void dump(const clasp_trace_event *ev, const char *who)
{
    static const char *kinds[] = {"?", "MESSAGE", "RECORD", "KEY", "ALERT", "NOTE"};
    fprintf(stderr, "%s %s %-7s %s", who, ev->outgoing ? "->" : "<-", kinds[ev->kind], ev->name);
    if (ev->kind == CLASP_TRACE_RECORD)
        fprintf(stderr, " v=%04x len=%zu prot=%d", ev->record_version, ev->len, ev->protected_);
    if (ev->kind == CLASP_TRACE_KEY)
        fprintf(stderr, " len=%zu", ev->len);
    fprintf(stderr, "\n");
    for (size_t i = 0; i < ev->n_fields; i++)
        fprintf(stderr, "      %s: %s\n", ev->fields[i].name, ev->fields[i].value);
}

static void on_event(void *arg, clasp_conn *conn, const clasp_trace_event *ev)
{
    collector *c = arg;
    if (getenv("CLASP_TRACE_DUMP"))
        dump(ev, conn->role == CLASP_CLIENT ? "C" : "S");
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        c->ev = realloc(c->ev, c->cap * sizeof(*c->ev));
        assert_non_null(c->ev);
    }
    rec_event *e = &c->ev[c->n++];
    memset(e, 0, sizeof(*e));
    e->kind = ev->kind;
    e->outgoing = ev->outgoing;
    e->name = dup_str(ev->name);
    assert_true(ev->n_fields <= MAX_EV_FIELDS);
    e->n_fields = ev->n_fields;
    for (size_t i = 0; i < ev->n_fields; i++) {
        e->fname[i] = dup_str(ev->fields[i].name);
        e->fvalue[i] = dup_str(ev->fields[i].value);
    }
    e->len = ev->len;
    if (ev->data) {
        e->data = malloc(ev->len ? ev->len : 1);
        assert_non_null(e->data);
        memcpy(e->data, ev->data, ev->len);
    }
    e->content_type = ev->content_type;
    e->record_version = ev->record_version;
    e->protected_ = ev->protected_;
}

static void on_keylog(void *arg, clasp_conn *conn, const char *line)
{
    collector *c = arg;
    (void)conn;
    assert_true(c->n_lines < ARRAY_LEN(c->lines));
    c->lines[c->n_lines++] = dup_str(line);
}

static void collector_free(collector *c)
{
    for (size_t i = 0; i < c->n; i++) {
        rec_event *e = &c->ev[i];
        free(e->name);
        for (size_t j = 0; j < e->n_fields; j++) {
            free(e->fname[j]);
            free(e->fvalue[j]);
        }
        free(e->data);
    }
    free(c->ev);
    for (size_t i = 0; i < c->n_lines; i++)
        free(c->lines[i]);
    memset(c, 0, sizeof(*c));
}

static void watch(clasp_config *cfg, collector *c)
{
    assert_int_equal(clasp_config_set_trace(cfg, on_event, c), 0);
    assert_int_equal(clasp_config_set_keylog(cfg, on_keylog, c), 0);
}

/* The value of a field, or NULL. */
static const char *fv(const rec_event *e, const char *name)
{
    for (size_t i = 0; i < e->n_fields; i++)
        if (strcmp(e->fname[i], name) == 0)
            return e->fvalue[i];
    return NULL;
}

static const char *must_fv(const rec_event *e, const char *name)
{
    const char *v = fv(e, name);
    if (!v)
        fail_msg("%s has no field %s", e->name, name);
    return v;
}

static void expect_field(const rec_event *e, const char *name, const char *want)
{
    assert_string_equal(must_fv(e, name), want);
}

static void expect_field_has(const rec_event *e, const char *name, const char *part)
{
    const char *v = must_fv(e, name);
    if (!strstr(v, part))
        fail_msg("%s.%s = \"%s\" lacks \"%s\"", e->name, name, v, part);
}

/* The nth (0: first) event of this kind, direction (-1: either) and name, or NULL. */
static const rec_event *find_ev(const collector *c, clasp_trace_kind kind, int outgoing,
                                const char *name, unsigned nth)
{
    for (size_t i = 0; i < c->n; i++) {
        const rec_event *e = &c->ev[i];
        if (e->kind == kind && (outgoing < 0 || e->outgoing == outgoing) &&
            strcmp(e->name, name) == 0 && nth-- == 0)
            return e;
    }
    return NULL;
}

static const rec_event *must_find(const collector *c, clasp_trace_kind kind, int outgoing,
                                  const char *name, unsigned nth)
{
    const rec_event *e = find_ev(c, kind, outgoing, name, nth);
    if (!e)
        fail_msg("no event %s (kind %d, outgoing %d, #%u)", name, kind, outgoing, nth);
    return e;
}

static size_t index_of(const collector *c, const rec_event *e)
{
    return (size_t)(e - c->ev);
}

/* The MESSAGE events must be exactly `want`: "out ClientHello", "in ServerHello", ... */
static void expect_messages(const collector *c, const char *const *want, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++) {
        const rec_event *e = &c->ev[i];
        if (e->kind != CLASP_TRACE_MESSAGE)
            continue;
        char got[64];
        snprintf(got, sizeof(got), "%s %s", e->outgoing ? "out" : "in", e->name);
        if (k >= n)
            fail_msg("message %zu: got \"%s\", expected nothing more", k, got);
        if (strcmp(got, want[k]) != 0)
            fail_msg("message %zu: got \"%s\", expected \"%s\"", k, got, want[k]);
        k++;
    }
    if (k != n)
        fail_msg("%zu messages, expected %zu (next: \"%s\")", k, n, want[k]);
}

/* Events of this kind must include `names` in this order (others may come between). */
static void expect_in_order(const collector *c, clasp_trace_kind kind, const char *const *names,
                            size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < c->n && k < n; i++)
        if (c->ev[i].kind == kind && strcmp(c->ev[i].name, names[k]) == 0)
            k++;
    if (k != n)
        fail_msg("event \"%s\" missing or out of order", names[k]);
}

/* ---- hex ---- */

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

/* Lower-case hex of exactly 2 * n digits into out. */
static void unhex(const char *hex, uint8_t *out, size_t n)
{
    assert_int_equal(strlen(hex), 2 * n);
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        assert_true(hi >= 0 && lo >= 0);
        out[i] = (uint8_t)(hi << 4 | lo);
    }
}

static void tohex(const uint8_t *p, size_t n, char *out, int upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

/* ---- configurations ---- */

static const char *const suites13 =
    "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256";
static const char *const suites13_listed =
    "TLS_CHACHA20_POLY1305_SHA256, TLS_AES_256_GCM_SHA384, TLS_AES_128_GCM_SHA256";

/* A TLS 1.3 pair with a client certificate; the server takes only `suite`. */
static void open13(kit_pair *p, const char *suite, int hrr, collector *cc, collector *sc)
{
    clasp_config *scfg = kit_server_config(&kit.server[TK_P256]);
    assert_int_equal(clasp_config_set_verify(scfg, CLASP_VERIFY_REQUIRE), 0);
    assert_int_equal(clasp_config_set_cipher_suites(scfg, suite), 0);
    if (hrr) /* the client shares x25519 only: a HelloRetryRequest for secp256r1 */
        assert_int_equal(clasp_config_set_groups(scfg, "secp256r1"), 0);
    clasp_config *ccfg = kit_client_config();
    assert_int_equal(clasp_config_set_cipher_suites(ccfg, suites13), 0);
    kit_add_cert(ccfg, &kit.client);
    if (cc)
        watch(ccfg, cc);
    if (sc)
        watch(scfg, sc);
    kit_open(p, ccfg, scfg, "server.test");
}

/*
 * TLS 1.2 configurations, RSA key exchange, a client certificate (the seeds' classic flow).
 * A used configuration is frozen, so the collectors are set here, once: each handshake of
 * the pair of configurations reports to them (collector_free empties them in between).
 */
static void configs12_rsa(clasp_config **ccfg, clasp_config **scfg, collector *cc, collector *sc)
{
    static const char suite[] = "TLS_RSA_WITH_AES_128_GCM_SHA256";
    *scfg = kit12_server(&kit.server[TK_RSA2048], CLASP_TLS12, CLASP_TLS12);
    *ccfg = kit12_client(CLASP_TLS12, CLASP_TLS12);
    assert_int_equal(clasp_config_set_cipher_suites(*scfg, suite), 0);
    assert_int_equal(clasp_config_set_cipher_suites(*ccfg, suite), 0);
    assert_int_equal(clasp_config_set_verify(*scfg, CLASP_VERIFY_REQUIRE), 0);
    assert_int_equal(clasp_config_set_tickets(*ccfg, 0), 0); /* resumption by session ID */
    kit_add_cert(*ccfg, &kit.client);
    watch(*ccfg, cc);
    watch(*scfg, sc);
}

static void open12(kit_pair *p, clasp_config *ccfg, clasp_config *scfg)
{
    kit_open(p, clasp_config_up_ref(ccfg), clasp_config_up_ref(scfg), "server.test");
}

/* ---- TLS 1.3 ---- */

/* After the client's Finished, the server's two NewSessionTickets (its default). */
static const char *const flow13[] = {
    "out ClientHello",     "in ServerHello",         "out ChangeCipherSpec",
    "in ChangeCipherSpec", "in EncryptedExtensions", "in CertificateRequest",
    "in Certificate",      "in CertificateVerify",   "in Finished",
    "out Certificate",     "out CertificateVerify",  "out Finished",
    "in NewSessionTicket", "in NewSessionTicket",
};

static const char *const flow13_hrr[] = {
    "out ClientHello",        "in HelloRetryRequest",  "out ChangeCipherSpec",
    "out ClientHello",        "in ChangeCipherSpec",   "in ServerHello",
    "in EncryptedExtensions", "in CertificateRequest", "in Certificate",
    "in CertificateVerify",   "in Finished",           "out Certificate",
    "out CertificateVerify",  "out Finished",          "in NewSessionTicket",
    "in NewSessionTicket",
};

static const char *const flow13_server[] = {
    "in ClientHello",          "out ServerHello",        "out ChangeCipherSpec",
    "out EncryptedExtensions", "out CertificateRequest", "out Certificate",
    "out CertificateVerify",   "out Finished",           "in ChangeCipherSpec",
    "in Certificate",          "in CertificateVerify",   "in Finished",
    "out NewSessionTicket",    "out NewSessionTicket",
};

static void check_client_hello13(const rec_event *ch)
{
    expect_field(ch, "legacy_version", "TLS 1.2 (0x0303)");
    assert_int_equal(strlen(must_fv(ch, "random")), 64);
    expect_field(ch, "cipher_suites", suites13_listed);
    expect_field(ch, "compression_methods", "null");
    expect_field(ch, "supported_versions", "TLS 1.3");
    expect_field(ch, "server_name", "server.test");
    expect_field_has(ch, "supported_groups", "x25519");
    expect_field_has(ch, "signature_algorithms", "ecdsa_secp256r1_sha256");
    expect_field_has(ch, "extensions", "supported_versions");
    expect_field_has(ch, "extensions", "key_share");
    assert_int_equal(strlen(must_fv(ch, "session_id")), 64); /* compat mode: 32 bytes */
    assert_null(fv(ch, "length"));
}

/* Fields of the messages the client received and sent. */
static void check_fields13(const collector *c, clasp_conn *client, size_t hash_len)
{
    check_client_hello13(must_find(c, CLASP_TRACE_MESSAGE, 1, "ClientHello", 0));
    const rec_event *sh = must_find(c, CLASP_TRACE_MESSAGE, 0, "ServerHello", 0);
    expect_field(sh, "version", "TLS 1.3");
    expect_field(sh, "cipher_suite", cl_suite_find(clasp_conn_cipher_suite(client))->name);
    expect_field(sh, "key_share", cl_group_name(clasp_conn_group(client)));
    expect_field(sh, "compression_method", "null");
    assert_null(fv(sh, "downgrade_sentinel"));
    expect_field_has(sh, "extensions", "supported_versions");
    const rec_event *ee = must_find(c, CLASP_TRACE_MESSAGE, 0, "EncryptedExtensions", 0);
    expect_field(ee, "server_name", "acknowledged");
    const rec_event *cr = must_find(c, CLASP_TRACE_MESSAGE, 0, "CertificateRequest", 0);
    expect_field(cr, "context", "empty");
    expect_field_has(cr, "signature_algorithms", "ecdsa_secp256r1_sha256");
    expect_field(cr, "certificate_authorities", "CN=clasp test CA");
    const rec_event *cert = must_find(c, CLASP_TRACE_MESSAGE, 0, "Certificate", 0);
    expect_field(cert, "context", "empty");
    expect_field(cert, "certificates", "1");
    expect_field_has(cert, "certificate[0]", "subject=CN=server.test");
    expect_field_has(cert, "certificate[0]", "issuer=CN=clasp test CA");
    expect_field_has(cert, "certificate[0]", "key=ECDSA P-256");
    const rec_event *mine = must_find(c, CLASP_TRACE_MESSAGE, 1, "Certificate", 0);
    expect_field_has(mine, "certificate[0]", "CN=client.test");
    const rec_event *cv = must_find(c, CLASP_TRACE_MESSAGE, 0, "CertificateVerify", 0);
    expect_field(cv, "signature_scheme", "ecdsa_secp256r1_sha256");
    assert_non_null(strstr(must_fv(cv, "signature"), " bytes"));
    char want[16];
    snprintf(want, sizeof(want), "%zu bytes", hash_len);
    expect_field(must_find(c, CLASP_TRACE_MESSAGE, 0, "Finished", 0), "verify_data", want);
    expect_field(must_find(c, CLASP_TRACE_MESSAGE, 1, "Finished", 0), "verify_data", want);
}

static const char *const notes13[] = {"version", "certificate_verified", "signature_checked",
                                      "finished_verified", "handshake_done"};
static const char *const keys13[] = {
    "early_secret",
    "handshake_secret",
    "client_handshake_traffic_secret",
    "server_handshake_traffic_secret",
    "master_secret",
    "client_application_traffic_secret_0",
    "server_application_traffic_secret_0",
};

static void check_keys(const collector *c, const char *const *names, size_t n, size_t len)
{
    expect_in_order(c, CLASP_TRACE_KEY, names, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(must_find(c, CLASP_TRACE_KEY, 1, names[i], 0)->len, len);
}

/* The first record the client sends is a plaintext handshake record (RFC 8446 5.1: 0x0301
 * for the first ClientHello); everything after its ChangeCipherSpec is protected. */
static void check_records13(const collector *c)
{
    const rec_event *first = NULL, *last = NULL;
    for (size_t i = 0; i < c->n; i++) {
        const rec_event *e = &c->ev[i];
        if (e->kind != CLASP_TRACE_RECORD || !e->outgoing)
            continue;
        if (!first)
            first = e;
        last = e;
    }
    assert_non_null(first);
    assert_string_equal(first->name, "handshake");
    assert_int_equal(first->content_type, CL_CT_HANDSHAKE);
    assert_int_equal(first->record_version, 0x0301);
    assert_int_equal(first->protected_, 0);
    const rec_event *ccs = must_find(c, CLASP_TRACE_RECORD, 1, "change_cipher_spec", 0);
    assert_int_equal(ccs->protected_, 0);
    size_t protected_after = 0;
    for (size_t i = index_of(c, ccs) + 1; i < c->n; i++) {
        const rec_event *e = &c->ev[i];
        if (e->kind == CLASP_TRACE_RECORD && e->outgoing) {
            assert_int_equal(e->protected_, 1);
            assert_int_equal(e->record_version, 0x0303);
            protected_after++;
        }
    }
    assert_true(protected_after >= 1);
    assert_string_equal(last->name, "handshake"); /* the inner type: Certificate..Finished */
    /* Incoming records are reported too, the server's first in plaintext. */
    const rec_event *in = must_find(c, CLASP_TRACE_RECORD, 0, "handshake", 0);
    assert_int_equal(in->protected_, 0);
}

static void handshake13(const char *suite, size_t hash_len)
{
    collector cc = {0}, sc = {0};
    kit_pair p;
    open13(&p, suite, 0, &cc, &sc);
    kit_handshake(&p);
    expect_messages(&cc, flow13, ARRAY_LEN(flow13));
    expect_messages(&sc, flow13_server, ARRAY_LEN(flow13_server));
    check_fields13(&cc, p.client, hash_len);
    expect_in_order(&cc, CLASP_TRACE_NOTE, notes13, ARRAY_LEN(notes13));
    expect_in_order(&sc, CLASP_TRACE_NOTE, notes13, ARRAY_LEN(notes13));
    expect_field(must_find(&cc, CLASP_TRACE_NOTE, -1, "version", 0), "chosen", "TLS 1.3");
    expect_field(must_find(&cc, CLASP_TRACE_NOTE, -1, "handshake_done", 0), "cipher_suite", suite);
    expect_field(must_find(&cc, CLASP_TRACE_NOTE, -1, "certificate_verified", 0), "host",
                 "server.test");
    const rec_event *chosen = must_find(&sc, CLASP_TRACE_NOTE, -1, "suite_chosen", 0);
    expect_field(chosen, "suite", suite);
    expect_field_has(chosen, "why", "the server's order of preference");
    assert_null(find_ev(&cc, CLASP_TRACE_NOTE, -1, "suite_chosen", 0)); /* servers choose */
    /* the anchor the chain ended at, by name */
    expect_field(must_find(&cc, CLASP_TRACE_NOTE, -1, "certificate_verified", 0), "trust",
                 "CN=clasp test CA");
    check_keys(&cc, keys13, ARRAY_LEN(keys13), hash_len);
    check_keys(&sc, keys13, ARRAY_LEN(keys13), hash_len);
    check_records13(&cc);
    assert_null(find_ev(&cc, CLASP_TRACE_ALERT, -1, "close_notify", 0));
    assert_null(find_ev(&cc, CLASP_TRACE_NOTE, -1, "failure", 0));
    kit_exchange(&p, 100);
    kit_close(&p);
    collector_free(&cc);
    collector_free(&sc);
}

static void test_tls13_client_auth(void **state)
{
    (void)state;
    handshake13("TLS_AES_128_GCM_SHA256", 32);
    handshake13("TLS_AES_256_GCM_SHA384", 48);
}

static void test_tls13_hello_retry_request(void **state)
{
    (void)state;
    collector cc = {0};
    kit_pair p;
    open13(&p, "TLS_AES_128_GCM_SHA256", 1, &cc, NULL);
    kit_handshake(&p);
    expect_messages(&cc, flow13_hrr, ARRAY_LEN(flow13_hrr));
    const rec_event *hrr = must_find(&cc, CLASP_TRACE_MESSAGE, 0, "HelloRetryRequest", 0);
    expect_field(hrr, "cipher_suite", "TLS_AES_128_GCM_SHA256");
    expect_field(hrr, "selected_group", "secp256r1");
    expect_field(hrr, "cookie", "32 bytes");
    expect_field_has(hrr, "extensions", "key_share");
    expect_field_has(hrr, "extensions", "cookie");
    expect_field(must_find(&cc, CLASP_TRACE_MESSAGE, 1, "ClientHello", 0), "key_shares", "x25519");
    const rec_event *ch2 = must_find(&cc, CLASP_TRACE_MESSAGE, 1, "ClientHello", 1);
    expect_field(ch2, "key_shares", "secp256r1");
    expect_field(ch2, "cookie", "32 bytes");
    expect_field_has(ch2, "extensions", "cookie");
    /* The second hello has the same random (RFC 8446 4.1.2). */
    assert_string_equal(
        must_fv(ch2, "random"),
        must_fv(must_find(&cc, CLASP_TRACE_MESSAGE, 1, "ClientHello", 0), "random"));
    const rec_event *note = must_find(&cc, CLASP_TRACE_NOTE, -1, "hello_retry_request", 0);
    expect_field(note, "group", "secp256r1");
    assert_true(index_of(&cc, hrr) < index_of(&cc, note));
    expect_field(must_find(&cc, CLASP_TRACE_MESSAGE, 0, "ServerHello", 0), "key_share",
                 "secp256r1");
    expect_in_order(&cc, CLASP_TRACE_NOTE, notes13, ARRAY_LEN(notes13));
    check_keys(&cc, keys13, ARRAY_LEN(keys13), 32);
    kit_close(&p);
    collector_free(&cc);
}

/* ---- TLS 1.2 ---- */

static const char *const flow12[] = {
    "out ClientHello",      "in ServerHello",  "in Certificate",        "in CertificateRequest",
    "in ServerHelloDone",   "out Certificate", "out ClientKeyExchange", "out CertificateVerify",
    "out ChangeCipherSpec", "out Finished",    "in ChangeCipherSpec",   "in Finished",
};

static const char *const flow12_resumed[] = {
    "out ClientHello", "in ServerHello",       "in ChangeCipherSpec",
    "in Finished",     "out ChangeCipherSpec", "out Finished",
};

static const char *const flow12_resumed_server[] = {
    "in ClientHello", "out ServerHello",     "out ChangeCipherSpec",
    "out Finished",   "in ChangeCipherSpec", "in Finished",
};

static void check_fields12(const collector *c)
{
    const rec_event *ch = must_find(c, CLASP_TRACE_MESSAGE, 1, "ClientHello", 0);
    expect_field(ch, "legacy_version", "TLS 1.2 (0x0303)");
    expect_field_has(ch, "cipher_suites", "TLS_RSA_WITH_AES_128_GCM_SHA256");
    expect_field(ch, "extended_master_secret", "offered");
    assert_null(fv(ch, "supported_versions"));
    const rec_event *sh = must_find(c, CLASP_TRACE_MESSAGE, 0, "ServerHello", 0);
    expect_field(sh, "version", "TLS 1.2");
    expect_field(sh, "cipher_suite", "TLS_RSA_WITH_AES_128_GCM_SHA256");
    expect_field(sh, "extended_master_secret", "yes");
    assert_null(fv(sh, "key_share"));
    assert_int_equal(strlen(must_fv(sh, "session_id")), 64);
    const rec_event *cert = must_find(c, CLASP_TRACE_MESSAGE, 0, "Certificate", 0);
    assert_null(fv(cert, "context")); /* TLS 1.2 has none */
    expect_field(cert, "certificates", "1");
    expect_field_has(cert, "certificate[0]", "subject=CN=server.test");
    expect_field_has(cert, "certificate[0]", "key=RSA 2048");
    const rec_event *cr = must_find(c, CLASP_TRACE_MESSAGE, 0, "CertificateRequest", 0);
    expect_field(cr, "certificate_types", "rsa_sign, ecdsa_sign");
    expect_field_has(cr, "signature_algorithms", "ecdsa_secp256r1_sha256");
    expect_field(cr, "certificate_authorities", "CN=clasp test CA");
    assert_int_equal(must_find(c, CLASP_TRACE_MESSAGE, 0, "ServerHelloDone", 0)->n_fields, 0);
    const rec_event *cke = must_find(c, CLASP_TRACE_MESSAGE, 1, "ClientKeyExchange", 0);
    expect_field_has(cke, "key_exchange", "encrypted to the server's public key");
    expect_field(cke, "encrypted_pre_master_secret", "256 bytes");
    const rec_event *cv = must_find(c, CLASP_TRACE_MESSAGE, 1, "CertificateVerify", 0);
    expect_field(cv, "signature_scheme", "ecdsa_secp256r1_sha256");
    expect_field(must_find(c, CLASP_TRACE_MESSAGE, 0, "Finished", 0), "verify_data", "12 bytes");
}

static const char *const keys12[] = {"pre_master_secret", "extended_master_secret", "key_block",
                                     "client_write_key", "client_write_iv"};

static void check_keys12(const collector *c)
{
    expect_in_order(c, CLASP_TRACE_KEY, keys12, ARRAY_LEN(keys12));
    assert_int_equal(must_find(c, CLASP_TRACE_KEY, 1, "pre_master_secret", 0)->len, 48);
    assert_int_equal(must_find(c, CLASP_TRACE_KEY, 1, "extended_master_secret", 0)->len, 48);
    assert_int_equal(must_find(c, CLASP_TRACE_KEY, 1, "key_block", 0)->len, 2 * 16 + 2 * 4);
    assert_int_equal(must_find(c, CLASP_TRACE_KEY, 1, "client_write_key", 0)->len, 16);
    assert_int_equal(must_find(c, CLASP_TRACE_KEY, 1, "server_write_key", 0)->len, 16);
    assert_null(find_ev(c, CLASP_TRACE_KEY, -1, "master_secret", 0)); /* EMS replaces it */
}

static void test_tls12_rsa_client_auth_and_resumption(void **state)
{
    (void)state;
    clasp_config *ccfg, *scfg;
    collector cc = {0}, sc = {0};
    configs12_rsa(&ccfg, &scfg, &cc, &sc);
    kit_pair p;
    open12(&p, ccfg, scfg);
    kit12_handshake(&p);
    expect_messages(&cc, flow12, ARRAY_LEN(flow12));
    check_fields12(&cc);
    check_keys12(&cc);
    check_keys12(&sc);
    static const char *const notes[] = {"version", "certificate_verified", "finished_verified",
                                        "handshake_done"};
    expect_in_order(&cc, CLASP_TRACE_NOTE, notes, ARRAY_LEN(notes));
    static const char *const snotes[] = {"version", "certificate_verified", "signature_checked",
                                         "finished_verified", "handshake_done"};
    expect_in_order(&sc, CLASP_TRACE_NOTE, snotes, ARRAY_LEN(snotes));
    /* RSA key exchange: the server signs nothing, Finished proves its key. */
    assert_null(find_ev(&cc, CLASP_TRACE_NOTE, -1, "signature_checked", 0));
    assert_null(find_ev(&cc, CLASP_TRACE_NOTE, -1, "resumed", 0));
    assert_null(find_ev(&sc, CLASP_TRACE_NOTE, -1, "session_not_resumed", 0)); /* none offered */
    must_find(&sc, CLASP_TRACE_NOTE, -1, "session_stored", 0);
    clasp_session *sess = clasp_conn_get_session(p.client);
    assert_non_null(sess);
    kit_close(&p);
    collector_free(&cc);
    collector_free(&sc);

    /* Resumption: the server's ChangeCipherSpec and Finished come first. */
    open12(&p, ccfg, scfg);
    assert_int_equal(clasp_conn_set_session(p.client, sess), 0);
    kit12_handshake(&p);
    assert_int_equal(clasp_conn_resumed(p.client), 1);
    expect_messages(&cc, flow12_resumed, ARRAY_LEN(flow12_resumed));
    expect_messages(&sc, flow12_resumed_server, ARRAY_LEN(flow12_resumed_server));
    for (int side = 0; side < 2; side++) {
        const collector *c = side ? &sc : &cc;
        const rec_event *resumed = must_find(c, CLASP_TRACE_NOTE, -1, "resumed", 0);
        expect_field(resumed, "by", "session ID");
        assert_true(index_of(c, resumed) <
                    index_of(c, must_find(c, CLASP_TRACE_NOTE, -1, "handshake_done", 0)));
        assert_null(find_ev(c, CLASP_TRACE_KEY, -1, "pre_master_secret", 0));
        must_find(c, CLASP_TRACE_KEY, 1, "key_block", 0);
        assert_null(find_ev(c, CLASP_TRACE_NOTE, -1, "session_not_resumed", 0));
    }
    kit_close(&p);
    collector_free(&cc);
    collector_free(&sc);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);

    /* A server that never saw the session: both sides say why it is a full handshake. */
    configs12_rsa(&ccfg, &scfg, &cc, &sc);
    open12(&p, ccfg, scfg);
    assert_int_equal(clasp_conn_set_session(p.client, sess), 0);
    clasp_session_free(sess);
    kit12_handshake(&p);
    assert_int_equal(clasp_conn_resumed(p.client), 0);
    expect_field_has(must_find(&sc, CLASP_TRACE_NOTE, -1, "session_not_resumed", 0), "why",
                     "not in the cache");
    expect_field_has(must_find(&cc, CLASP_TRACE_NOTE, -1, "session_not_resumed", 0), "why",
                     "a new one");
    assert_null(find_ev(&cc, CLASP_TRACE_NOTE, -1, "resumed", 0));
    kit_close(&p);
    collector_free(&cc);
    collector_free(&sc);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

/* ECDHE: the ServerKeyExchange and the client's public key; a TLS 1.3 server that speaks
 * TLS 1.2 marks its random (RFC 8446 4.1.3). */
static void test_tls12_ecdhe_and_downgrade(void **state)
{
    (void)state;
    collector cc = {0};
    clasp_config *ccfg = kit12_client(CLASP_TLS12, CLASP_TLS12);
    clasp_config *scfg = kit12_server(&kit.server[TK_P256], CLASP_TLS12, CLASP_TLS13);
    watch(ccfg, &cc);
    kit_pair p;
    kit_open(&p, ccfg, scfg, "server.test");
    kit12_handshake(&p);
    static const char *const flow[] = {
        "out ClientHello",      "in ServerHello",     "in Certificate",
        "in ServerKeyExchange", "in ServerHelloDone", "out ClientKeyExchange",
        "out ChangeCipherSpec", "out Finished",       "in NewSessionTicket",
        "in ChangeCipherSpec",  "in Finished",
    };
    expect_messages(&cc, flow, ARRAY_LEN(flow));
    const rec_event *sh = must_find(&cc, CLASP_TRACE_MESSAGE, 0, "ServerHello", 0);
    expect_field(sh, "version", "TLS 1.2");
    expect_field(sh, "downgrade_sentinel", "DOWNGRD 01 (TLS 1.2)");
    expect_field(sh, "cipher_suite", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    const rec_event *ske = must_find(&cc, CLASP_TRACE_MESSAGE, 0, "ServerKeyExchange", 0);
    expect_field(ske, "curve_type", "named_curve");
    expect_field(ske, "group", "x25519");
    expect_field(ske, "public_key", "32 bytes");
    expect_field(ske, "signature_scheme", "ecdsa_secp256r1_sha256");
    expect_field_has(ske, "signature", " bytes");
    const rec_event *cke = must_find(&cc, CLASP_TRACE_MESSAGE, 1, "ClientKeyExchange", 0);
    expect_field(cke, "key_exchange", "ECDHE public key");
    expect_field(cke, "public_key", "32 bytes");
    const rec_event *sig = must_find(&cc, CLASP_TRACE_NOTE, -1, "signature_checked", 0);
    expect_field(sig, "message", "ServerKeyExchange");
    expect_field(sig, "scheme", "ecdsa_secp256r1_sha256");
    assert_true(index_of(&cc, ske) < index_of(&cc, sig));
    must_find(&cc, CLASP_TRACE_KEY, 1, "pre_master_secret", 0);
    kit_close(&p);
    collector_free(&cc);
}

/* DHE: the group p and g make, and both public values. */
static void test_tls12_dhe(void **state)
{
    (void)state;
    collector cc = {0};
    static const char dhe[] = "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256";
    clasp_config *ccfg = kit12_client(CLASP_TLS12, CLASP_TLS12);
    clasp_config *scfg = kit12_server(&kit.server[TK_RSA2048], CLASP_TLS12, CLASP_TLS12);
    assert_int_equal(clasp_config_set_cipher_suites(ccfg, dhe), 0);
    assert_int_equal(clasp_config_set_cipher_suites(scfg, dhe), 0);
    assert_int_equal(clasp_config_set_groups(ccfg, "ffdhe3072"), 0);
    assert_int_equal(clasp_config_set_groups(scfg, "ffdhe3072"), 0);
    watch(ccfg, &cc);
    kit_pair p;
    kit_open(&p, ccfg, scfg, "server.test");
    kit12_handshake(&p);
    const rec_event *ske = must_find(&cc, CLASP_TRACE_MESSAGE, 0, "ServerKeyExchange", 0);
    expect_field(ske, "key_exchange", "DHE");
    expect_field(ske, "group", "ffdhe3072");
    expect_field(ske, "public_key", "384 bytes");
    expect_field(ske, "signature_scheme", "rsa_pss_rsae_sha256");
    assert_null(fv(ske, "curve_type"));
    const rec_event *cke = must_find(&cc, CLASP_TRACE_MESSAGE, 1, "ClientKeyExchange", 0);
    expect_field(cke, "key_exchange", "DHE public key");
    expect_field(cke, "public_key", "384 bytes");
    kit_close(&p);
    collector_free(&cc);
}

/* ---- after the handshake: KeyUpdate and NewSessionTicket (TLS 1.3) ---- */

static void test_post_handshake_messages(void **state)
{
    (void)state;
    collector cc = {0};
    kit_pair p;
    open13(&p, "TLS_AES_128_GCM_SHA256", 0, &cc, NULL);
    kit_handshake(&p);
    collector_free(&cc);
    assert_int_equal(clasp_conn_key_update(p.client, 1), 0);
    assert_int_equal(kit_move(p.client, p.server), 0);
    kit_exchange(&p, 10); /* the server answers with its own KeyUpdate */
    /* a ticket made by hand (its fields known here), protected like any other */
    uint8_t m[256], ticket[100] = {0};
    cl_writer w;
    cl_writer_fixed(&w, m, sizeof(m));
    cl_msg_open(&w, CL_HS_NEW_SESSION_TICKET);
    cl_write_u32(&w, 7200);
    cl_write_u32(&w, 0x01020304); /* ticket_age_add */
    cl_write_vec(&w, 1, (const uint8_t *)"12345678", 8);
    cl_write_vec(&w, 2, ticket, sizeof(ticket));
    cl_write_u16(&w, 0);
    cl_msg_close(&w);
    assert_int_equal(cl_writer_finish(&w), 0);
    assert_int_equal(cl_rl_write(&p.server->rl, CL_CT_HANDSHAKE, m, w.len), 0);
    assert_int_equal(kit_move(p.server, p.client), 0);
    static const char *const flow[] = {"out KeyUpdate", "in KeyUpdate", "in NewSessionTicket"};
    expect_messages(&cc, flow, ARRAY_LEN(flow));
    expect_field(must_find(&cc, CLASP_TRACE_MESSAGE, 1, "KeyUpdate", 0), "request_update",
                 "update_requested");
    expect_field(must_find(&cc, CLASP_TRACE_MESSAGE, 0, "KeyUpdate", 0), "request_update",
                 "update_not_requested");
    const rec_event *nst = must_find(&cc, CLASP_TRACE_MESSAGE, 0, "NewSessionTicket", 0);
    expect_field(nst, "lifetime", "7200 s");
    expect_field(nst, "ticket", "100 bytes");
    expect_field(nst, "nonce", "8 bytes");
    assert_non_null(find_ev(&cc, CLASP_TRACE_KEY, 1, "next_application_traffic_secret", 1));
    kit_close(&p);
    collector_free(&cc);
}

/* ---- a failure ---- */

static void check_failure(int tls12)
{
    collector cc = {0}, sc = {0};
    kit_pair p;
    clasp_config *ccfg = tls12 ? kit12_client(CLASP_TLS12, CLASP_TLS12) : kit_client_config();
    clasp_config *scfg = tls12 ? kit12_server(&kit.server[TK_P256], CLASP_TLS12, CLASP_TLS12)
                               : kit_server_config(&kit.server[TK_P256]);
    watch(ccfg, &cc);
    watch(scfg, &sc);
    kit_open(&p, ccfg, scfg, "wrong.test");
    assert_int_equal(pair_handshake(p.client, p.server), CLASP_ERR_BAD_CERTIFICATE);
    assert_int_equal(kit_move(p.client, p.server), CLASP_ERR_ALERT_RECEIVED);
    const rec_event *failure = must_find(&cc, CLASP_TRACE_NOTE, -1, "failure", 0);
    expect_field_has(failure, "detail", "wrong.test");
    expect_field(failure, "detail", clasp_conn_error_detail(p.client));
    expect_field(failure, "alert", "bad_certificate");
    expect_field(failure, "error", clasp_strerror(CLASP_ERR_BAD_CERTIFICATE));
    const rec_event *alert = must_find(&cc, CLASP_TRACE_ALERT, 1, "bad_certificate", 0);
    expect_field(alert, "level", "fatal");
    expect_field(alert, "description", "42");
    assert_true(index_of(&cc, failure) < index_of(&cc, alert));
    /* The alert is the client's last record, and nothing says the handshake completed. */
    const rec_event *rec = must_find(&cc, CLASP_TRACE_RECORD, 1, "alert", 0);
    assert_int_equal(rec->content_type, CL_CT_ALERT);
    assert_int_equal(rec->protected_, !tls12); /* TLS 1.3: under the handshake keys */
    assert_null(find_ev(&cc, CLASP_TRACE_NOTE, -1, "certificate_verified", 0));
    assert_null(find_ev(&cc, CLASP_TRACE_NOTE, -1, "handshake_done", 0));
    /* The server hears it. */
    must_find(&sc, CLASP_TRACE_ALERT, 0, "bad_certificate", 0);
    expect_field_has(must_find(&sc, CLASP_TRACE_NOTE, -1, "failure", 0), "detail",
                     "bad_certificate");
    assert_null(find_ev(&sc, CLASP_TRACE_ALERT, 1, "bad_certificate", 0));
    kit_close(&p);
    collector_free(&cc);
    collector_free(&sc);
}

static void test_failure_wrong_host(void **state)
{
    (void)state;
    check_failure(0);
    check_failure(1);
}

/* A client without a certificate: noted by a server that only asks, refused by one that
 * requires it (the failure note says so, and no acceptance is noted). */
static void check_no_client_certificate(int tls12, clasp_verify_mode mode)
{
    clasp_config *scfg = tls12 ? kit12_server(&kit.server[TK_P256], CLASP_TLS12, CLASP_TLS12)
                               : kit_server_config(&kit.server[TK_P256]);
    assert_int_equal(clasp_config_set_verify(scfg, mode), 0);
    collector cc = {0}, sc = {0};
    clasp_config *ccfg = tls12 ? kit12_client(CLASP_TLS12, CLASP_TLS12) : kit_client_config();
    watch(ccfg, &cc);
    watch(scfg, &sc);
    kit_pair p;
    kit_open(&p, ccfg, scfg, "server.test");
    int rc = pair_handshake(p.client, p.server);
    const rec_event *none = find_ev(&sc, CLASP_TRACE_NOTE, -1, "no_client_certificate", 0);
    if (mode == CLASP_VERIFY_OPTIONAL) {
        assert_int_equal(rc, 0);
        assert_non_null(none);
        expect_field_has(none, "why", "does not require");
    } else {
        assert_int_not_equal(rc, 0);
        assert_null(none);
        expect_field_has(must_find(&sc, CLASP_TRACE_NOTE, -1, "failure", 0), "detail",
                         "no certificate");
    }
    kit_close(&p);
    collector_free(&cc);
    collector_free(&sc);
}

static void test_no_client_certificate(void **state)
{
    (void)state;
    for (int tls12 = 0; tls12 < 2; tls12++) {
        check_no_client_certificate(tls12, CLASP_VERIFY_OPTIONAL);
        check_no_client_certificate(tls12, CLASP_VERIFY_REQUIRE);
    }
}

/* ---- the key log ---- */

typedef struct keylog_line {
    char label[40];
    uint8_t random[32];
    uint8_t secret[64];
    size_t secret_len;
} keylog_line;

/* "LABEL <64 hex> <hex>": the secret must be want_hex hex digits long. */
static void parse_line(const char *line, keylog_line *out, size_t want_hex)
{
    const char *sp1 = strchr(line, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    assert_non_null(sp2);
    assert_true((size_t)(sp1 - line) < sizeof(out->label));
    memcpy(out->label, line, (size_t)(sp1 - line));
    out->label[sp1 - line] = '\0';
    assert_int_equal(sp2 - sp1 - 1, 64);
    char rnd[65];
    memcpy(rnd, sp1 + 1, 64);
    rnd[64] = '\0';
    unhex(rnd, out->random, 32);
    assert_int_equal(strlen(sp2 + 1), want_hex);
    out->secret_len = want_hex / 2;
    unhex(sp2 + 1, out->secret, out->secret_len);
}

/* The client's first application record: n bytes written, taken off its output as sent. */
static uint8_t *client_app_record(kit_pair *p, const char *msg, size_t *rec_len)
{
    size_t w = 0;
    assert_int_equal(clasp_conn_write(p->client, (const uint8_t *)msg, strlen(msg), &w), 0);
    assert_int_equal(w, strlen(msg));
    uint8_t *out = kit_take(p->client, rec_len);
    kit_rec recs[2];
    assert_int_equal(kit_records(out, *rec_len, recs, 2), 1);
    assert_int_equal(recs[0].type, CL_CT_APPLICATION_DATA);
    return out;
}

/* Opens rec with (key, iv) at sequence seq; the plaintext must be msg. */
static void open_and_check(uint16_t version, cl_aead_alg aead, const uint8_t *key,
                           const uint8_t *iv, size_t iv_len, uint64_t seq, uint8_t *rec, size_t len,
                           const char *msg)
{
    cl_record_prot prot;
    memset(&prot, 0, sizeof(prot));
    assert_int_equal(
        cl_record_prot_init(&prot, version, aead, 0, key, cl_aead_key_len(aead), iv, iv_len), 0);
    prot.seq = seq;
    uint8_t type;
    size_t off, pt_len;
    assert_int_equal(cl_record_open(&prot, rec, len, &type, &off, &pt_len), 0);
    assert_int_equal(type, CL_CT_APPLICATION_DATA);
    assert_int_equal(pt_len, strlen(msg));
    assert_memory_equal(rec + off, msg, pt_len);
    cl_record_prot_clear(&prot);
}

static void keylog13(const char *suite, size_t hash_len)
{
    static const char *const labels[] = {"CLIENT_HANDSHAKE_TRAFFIC_SECRET",
                                         "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                                         "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0"};
    static const char msg[] = "decrypted with the key log alone";
    collector cc = {0}, sc = {0};
    kit_pair p;
    open13(&p, suite, 0, &cc, &sc);
    kit_handshake(&p);
    uint8_t client_random[32];
    unhex(must_fv(must_find(&cc, CLASP_TRACE_MESSAGE, 1, "ClientHello", 0), "random"),
          client_random, 32);
    keylog_line l[4];
    for (int side = 0; side < 2; side++) { /* both sides log the same four lines */
        const collector *c = side ? &sc : &cc;
        assert_int_equal(c->n_lines, 4);
        for (size_t i = 0; i < 4; i++) {
            parse_line(c->lines[i], &l[i], 2 * hash_len);
            assert_string_equal(l[i].label, labels[i]);
            assert_memory_equal(l[i].random, client_random, 32);
            assert_string_equal(c->lines[i], cc.lines[i]);
        }
    }
    /* Proof: CLIENT_TRAFFIC_SECRET_0 alone opens the client's first application record. */
    const cl_suite *s = cl_suite_find(clasp_conn_cipher_suite(p.client));
    uint8_t key[CL_MAX_AEAD_KEY_LEN], iv[CL_AEAD_NONCE_LEN];
    assert_int_equal(cl_ks13_traffic_key_iv(s->hash, l[2].secret, s->aead, key, iv), 0);
    size_t len;
    uint8_t *rec = client_app_record(&p, msg, &len);
    uint8_t *copy = malloc(len);
    assert_non_null(copy);
    memcpy(copy, rec, len);
    open_and_check(CL_TLS13_VERSION, s->aead, key, iv, sizeof(iv), 0, copy, len, msg);
    /* and the record was real: the server reads it */
    assert_int_equal(kit_feed(p.server, rec, len), 0);
    uint8_t got[64];
    size_t n = 0;
    assert_int_equal(clasp_conn_read(p.server, got, sizeof(got), &n), 0);
    assert_int_equal(n, strlen(msg));
    free(copy);
    free(rec);
    kit_close(&p);
    collector_free(&cc);
    collector_free(&sc);
}

static void test_keylog_tls13(void **state)
{
    (void)state;
    keylog13("TLS_AES_128_GCM_SHA256", 32);
    keylog13("TLS_AES_256_GCM_SHA384", 48);
    keylog13("TLS_CHACHA20_POLY1305_SHA256", 32);
}

static void test_keylog_tls12(void **state)
{
    (void)state;
    static const char msg[] = "TLS 1.2, decrypted with CLIENT_RANDOM";
    clasp_config *ccfg, *scfg;
    collector cc = {0}, sc = {0};
    configs12_rsa(&ccfg, &scfg, &cc, &sc);
    kit_pair p;
    open12(&p, ccfg, scfg);
    kit12_handshake(&p);
    keylog_line l;
    assert_int_equal(cc.n_lines, 1);
    assert_int_equal(sc.n_lines, 1);
    assert_string_equal(cc.lines[0], sc.lines[0]);
    parse_line(cc.lines[0], &l, 96);
    assert_string_equal(l.label, "CLIENT_RANDOM");
    /* The server random is gone with the handshake state: the trace has it. */
    uint8_t client_random[32], server_random[32];
    unhex(must_fv(must_find(&cc, CLASP_TRACE_MESSAGE, 1, "ClientHello", 0), "random"),
          client_random, 32);
    unhex(must_fv(must_find(&cc, CLASP_TRACE_MESSAGE, 0, "ServerHello", 0), "random"),
          server_random, 32);
    assert_memory_equal(l.random, client_random, 32);
    const cl_suite *s = cl_suite_find(clasp_conn_cipher_suite(p.client));
    size_t kl = cl_aead_key_len(s->aead), ivl = 4; /* AES-GCM: the 4-byte salt */
    uint8_t kb[2 * 32 + 2 * 12];
    assert_int_equal(
        cl_tls12_key_block(s->hash, l.secret, client_random, server_random, kb, 2 * kl + 2 * ivl),
        0);
    size_t len;
    uint8_t *rec = client_app_record(&p, msg, &len);
    /* client_write_key, then client_write_IV after both keys; sequence 1: Finished was 0 */
    open_and_check(CL_TLS12_VERSION, s->aead, kb, kb + 2 * kl, ivl, 1, rec, len, msg);
    free(rec);
    clasp_session *sess = clasp_conn_get_session(p.client);
    assert_non_null(sess);
    kit_close(&p);
    collector_free(&cc);
    collector_free(&sc);

    /* A resumed handshake logs the session's master secret with its own client random. */
    open12(&p, ccfg, scfg);
    assert_int_equal(clasp_conn_set_session(p.client, sess), 0);
    clasp_session_free(sess);
    kit12_handshake(&p);
    assert_int_equal(clasp_conn_resumed(p.client), 1);
    assert_int_equal(cc.n_lines, 1);
    assert_int_equal(sc.n_lines, 1);
    assert_string_equal(cc.lines[0], sc.lines[0]);
    keylog_line again;
    parse_line(cc.lines[0], &again, 96);
    assert_string_equal(again.label, "CLIENT_RANDOM");
    assert_memory_equal(again.secret, l.secret, 48);
    assert_memory_not_equal(again.random, l.random, 32);
    kit_close(&p);
    collector_free(&cc);
    collector_free(&sc);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

/* ---- no secret in any event ---- */

/* Every secret (key log lines) and every key derived from them, to search the trace for. */
typedef struct secrets {
    uint8_t v[32][64];
    size_t len[32];
    size_t n;
} secrets;

static void add_secret(secrets *s, const uint8_t *p, size_t n)
{
    assert_true(s->n < ARRAY_LEN(s->v) && n <= sizeof(s->v[0]));
    memcpy(s->v[s->n], p, n);
    s->len[s->n++] = n;
}

static void secrets13(const collector *c, secrets *s, const cl_suite *suite)
{
    for (size_t i = 0; i < c->n_lines; i++) {
        keylog_line l;
        parse_line(c->lines[i], &l, 2 * cl_hash_len(suite->hash));
        add_secret(s, l.secret, l.secret_len);
        uint8_t key[CL_MAX_AEAD_KEY_LEN], iv[CL_AEAD_NONCE_LEN];
        assert_int_equal(cl_ks13_traffic_key_iv(suite->hash, l.secret, suite->aead, key, iv), 0);
        add_secret(s, key, cl_aead_key_len(suite->aead));
        add_secret(s, iv, sizeof(iv));
    }
}

static void secrets12(const collector *c, secrets *s, const cl_suite *suite)
{
    keylog_line l;
    uint8_t cr[32], sr[32], kb[2 * 32 + 2 * 12];
    assert_int_equal(c->n_lines, 1);
    parse_line(c->lines[0], &l, 96);
    add_secret(s, l.secret, l.secret_len);
    unhex(must_fv(must_find(c, CLASP_TRACE_MESSAGE, -1, "ClientHello", 0), "random"), cr, 32);
    unhex(must_fv(must_find(c, CLASP_TRACE_MESSAGE, -1, "ServerHello", 0), "random"), sr, 32);
    size_t kl = cl_aead_key_len(suite->aead);
    assert_int_equal(cl_tls12_key_block(suite->hash, l.secret, cr, sr, kb, 2 * kl + 8), 0);
    add_secret(s, kb, kl);      /* client_write_key */
    add_secret(s, kb + kl, kl); /* server_write_key */
}

static int mem_has(const void *hay, size_t hay_len, const void *needle, size_t n)
{
    const uint8_t *h = hay;
    for (size_t i = 0; n <= hay_len && i <= hay_len - n; i++)
        if (memcmp(h + i, needle, n) == 0)
            return 1;
    return 0;
}

/* No 8-byte window of any secret appears in any field or message, raw or in hex. */
#define WINDOW 8

static void window_absent(const collector *c, const uint8_t *w)
{
    char lower[2 * WINDOW + 1], upper[2 * WINDOW + 1];
    tohex(w, WINDOW, lower, 0);
    tohex(w, WINDOW, upper, 1);
    for (size_t i = 0; i < c->n; i++) {
        const rec_event *e = &c->ev[i];
        if (e->data && mem_has(e->data, e->len, w, WINDOW))
            fail_msg("secret bytes in the data of %s", e->name);
        for (size_t j = 0; j < e->n_fields; j++) {
            const char *v = e->fvalue[j];
            if (strstr(v, lower) || strstr(v, upper) || mem_has(v, strlen(v), w, WINDOW))
                fail_msg("secret in %s.%s = %s", e->name, e->fname[j], v);
        }
    }
}

static void no_secrets(const collector *c, const secrets *s)
{
    assert_true(c->n > 20);
    for (size_t k = 0; k < s->n; k++)
        for (size_t off = 0; off + WINDOW <= s->len[k]; off++)
            window_absent(c, s->v[k] + off);
}

/* Keeps the verify_data of each Finished a side sends (the message goes out unchanged). */
static int keep_finished(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c, (void)out;
    add_secret(arg, msg + CL_HS_HEADER_LEN, len - CL_HS_HEADER_LEN);
    return 0;
}

/* Both sides' Finished values go into s as the handshake runs. */
static void watch_finished(kit_pair *p, kit_hook h[2], secrets *s)
{
    for (int i = 0; i < 2; i++) {
        h[i] = (kit_hook){.type = CL_HS_FINISHED, .edit = keep_finished, .arg = s};
        kit_hook_install(i ? p->server : p->client, &h[i]);
    }
}

/*
 * Resumption by ticket: neither the ticket's PSK nor the resumption master secret it came
 * from, nor the resumed connection's secrets, appear in either side's events.
 */
static void no_secrets_resuming(void)
{
    collector cc = {0}, sc = {0};
    kit_pair p;
    open13(&p, "TLS_AES_128_GCM_SHA256", 0, &cc, &sc);
    kit_handshake(&p);
    kit_exchange(&p, 100);
    clasp_session *s = clasp_conn_get_session(p.client);
    assert_non_null(s);
    secrets sec = {0};
    add_secret(&sec, s->s.master, s->s.master_len); /* the PSK */
    add_secret(&sec, p.client->res_master, 32);
    no_secrets(&cc, &sec);
    no_secrets(&sc, &sec);
    kit_pair r;
    kit_open(&r, clasp_config_up_ref(p.ccfg), clasp_config_up_ref(p.scfg), "server.test");
    kit_close(&p);
    collector_free(&cc);
    collector_free(&sc);
    assert_int_equal(clasp_conn_set_session(r.client, s), 0);
    kit_handshake(&r);
    kit_exchange(&r, 100);
    assert_int_equal(clasp_conn_resumed(r.client), 1);
    secrets13(&cc, &sec, cl_suite_find(clasp_conn_cipher_suite(r.client)));
    must_find(&sc, CLASP_TRACE_NOTE, -1, "binder_verified", 0);
    no_secrets(&cc, &sec);
    no_secrets(&sc, &sec);
    clasp_session_free(s);
    kit_close(&r);
    collector_free(&cc);
    collector_free(&sc);
}

static void test_no_secrets_in_events(void **state)
{
    (void)state;
    kit_hook h[2];
    for (int hrr = 0; hrr < 2; hrr++) {
        collector cc = {0}, sc = {0};
        kit_pair p;
        open13(&p, "TLS_AES_256_GCM_SHA384", hrr, &cc, &sc);
        secrets s = {0};
        watch_finished(&p, h, &s);
        kit_handshake(&p);
        kit_exchange(&p, 100);
        assert_int_equal(s.n, 2); /* the two Finished values, 48 bytes each */
        secrets13(&cc, &s, cl_suite_find(clasp_conn_cipher_suite(p.client)));
        assert_int_equal(s.n, 14);
        no_secrets(&cc, &s);
        no_secrets(&sc, &s);
        kit_close(&p);
        collector_free(&cc);
        collector_free(&sc);
    }
    clasp_config *ccfg, *scfg;
    collector cc = {0}, sc = {0};
    configs12_rsa(&ccfg, &scfg, &cc, &sc);
    kit_pair p;
    open12(&p, ccfg, scfg);
    secrets s = {0};
    watch_finished(&p, h, &s);
    kit12_handshake(&p);
    kit_exchange(&p, 100);
    assert_int_equal(s.n, 2); /* the two Finished values, 12 bytes each */
    secrets12(&cc, &s, cl_suite_find(clasp_conn_cipher_suite(p.client)));
    no_secrets(&cc, &s);
    no_secrets(&sc, &s);
    no_secrets_resuming();
    kit_close(&p);
    collector_free(&cc);
    collector_free(&sc);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

/* ---- the describer on its own ---- */

/* A tiny buffer: values are cut with "...", nothing is written past the end. */
static void test_describe_small_buffer(void **state)
{
    (void)state;
    collector cc = {0};
    kit_pair p;
    open13(&p, "TLS_AES_128_GCM_SHA256", 0, &cc, NULL);
    kit_handshake(&p);
    const rec_event *ch = must_find(&cc, CLASP_TRACE_MESSAGE, 1, "ClientHello", 0);
    clasp_conn fake;
    memset(&fake, 0, sizeof(fake));
    clasp_trace_field f[32], full[32];
    char whole[4096];
    size_t n_full = cl_trace_describe(&fake, ch->data, ch->len, full, 32, whole, sizeof(whole));
    assert_true(n_full >= 10);
    for (size_t cap = 0; cap < 700; cap++) {
        char *buf = malloc(cap + 1);
        assert_non_null(buf);
        memset(buf, 0x7f, cap + 1); /* a guard byte behind */
        size_t n = cl_trace_describe(&fake, ch->data, ch->len, f, ARRAY_LEN(f), buf, cap);
        assert_int_equal((unsigned char)buf[cap], 0x7f);
        assert_true(n <= n_full);
        /* The first fields, each whole or cut with "..." (then it is the last). */
        for (size_t i = 0; i < n; i++) {
            assert_true(f[i].value >= buf && f[i].value + strlen(f[i].value) < buf + cap);
            assert_string_equal(f[i].name, full[i].name);
            size_t l = strlen(f[i].value);
            if (strcmp(f[i].value, full[i].value) == 0)
                continue;
            assert_int_equal(i, n - 1);
            assert_true(l >= 3 && strcmp(f[i].value + l - 3, "...") == 0);
            assert_memory_equal(f[i].value, full[i].value, l - 3);
        }
        free(buf);
    }
    /* Few field slots: the first ones, in order. */
    char buf[4096];
    assert_int_equal(cl_trace_describe(&fake, ch->data, ch->len, f, 2, buf, sizeof(buf)), 2);
    assert_string_equal(f[0].name, "legacy_version");
    assert_string_equal(f[1].name, "random");
    /* A message that does not parse is described by its length. */
    uint8_t bad[8];
    memcpy(bad, ch->data, 4);
    bad[1] = bad[2] = 0;
    bad[3] = 4;
    memset(bad + 4, 0xff, 4);
    assert_int_equal(cl_trace_describe(&fake, bad, sizeof(bad), f, 32, buf, sizeof(buf)), 1);
    assert_string_equal(f[0].name, "length");
    assert_string_equal(f[0].value, "8 bytes");
    /* No fields for the empty messages; a KeyUpdate says what it asks. */
    static const uint8_t done[4] = {CL_HS_SERVER_HELLO_DONE, 0, 0, 0};
    static const uint8_t ku[5] = {CL_HS_KEY_UPDATE, 0, 0, 1, 1};
    assert_int_equal(cl_trace_describe(&fake, done, 4, f, 32, buf, sizeof(buf)), 0);
    assert_int_equal(cl_trace_describe(&fake, ku, 5, f, 32, buf, sizeof(buf)), 1);
    assert_string_equal(f[0].value, "update_requested");
    kit_close(&p);
    collector_free(&cc);
}

/* A hello with what a real client may send: GREASE, SCSVs, compression methods, ALPN. */
static void test_describe_client_hello_values(void **state)
{
    (void)state;
    /* legacy_version, random, session_id, suites, compression, extensions */
    static const uint8_t body[] = {
        0x03, 0x03, /* TLS 1.2 */
        1,    2,    3,    4,    5,    6,    7,    8,    9,    10,   11,   12,
        13,   14,   15,   16,   17,   18,   19,   20,   21,   22,   23,   24,
        25,   26,   27,   28,   29,   30,   31,   32,   0,                      /* no session ID */
        0,    10,   0x1a, 0x1a, 0x13, 0x01, 0xc0, 0x2f, 0x00, 0xff, 0x56, 0x00, /* suites */
        2,    0,    1,                                                          /* null, DEFLATE */
        0,    34,                                                               /* extensions */
        0x0a, 0x0a, 0,    0,                                                    /* GREASE, empty */
        0,    16,   0,    12,   0,    10,   2,    'h',  '2',  6,    'a',  '\n',
        'b',  '/',  '1',  '.',                                      /* alpn: h2, a\nb/1. */
        0,    23,   0,    0,                                        /* extended_master_secret */
        0,    10,   0,    6,    0,    4,    0x00, 0x1d, 0x00, 0x16, /* x25519, secp256k1 */
    };
    uint8_t msg[4 + sizeof(body)] = {CL_HS_CLIENT_HELLO, 0, 0, (uint8_t)sizeof(body)};
    memcpy(msg + 4, body, sizeof(body));
    clasp_conn fake;
    memset(&fake, 0, sizeof(fake));
    clasp_trace_field f[32];
    char buf[4096];
    size_t n = cl_trace_describe(&fake, msg, sizeof(msg), f, 32, buf, sizeof(buf));
    rec_event e = {.name = "ClientHello", .n_fields = n};
    for (size_t i = 0; i < n; i++) {
        e.fname[i] = (char *)f[i].name;
        e.fvalue[i] = (char *)f[i].value;
    }
    expect_field(&e, "legacy_version", "TLS 1.2 (0x0303)");
    expect_field(&e, "random", "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20");
    expect_field(&e, "session_id", "empty");
    expect_field(&e, "cipher_suites",
                 "0x1a1a (unknown), TLS_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "
                 "TLS_EMPTY_RENEGOTIATION_INFO_SCSV, TLS_FALLBACK_SCSV");
    expect_field(&e, "compression_methods", "null, 1 (unknown)");
    assert_null(fv(&e, "supported_versions"));
    expect_field(&e, "alpn", "h2, a\\x0ab/1.");
    expect_field(&e, "extended_master_secret", "offered");
    expect_field(&e, "supported_groups", "x25519, 0x0016 (unknown)");
    expect_field(&e, "extensions",
                 "0x0a0a, application_layer_protocol_negotiation, extended_master_secret, "
                 "supported_groups");
}

/* Version-dependent formats and the messages no kit handshake sends. */
static void test_describe_other_messages(void **state)
{
    (void)state;
    clasp_conn c12;
    memset(&c12, 0, sizeof(c12));
    c12.version = CL_TLS12_VERSION;
    clasp_trace_field f[8];
    char buf[512];
    static const uint8_t nst12[] = {
        CL_HS_NEW_SESSION_TICKET, 0, 0, 11, 0, 0, 1, 44, 0, 5, 1, 2, 3, 4, 5};
    assert_int_equal(cl_trace_describe(&c12, nst12, sizeof(nst12), f, 8, buf, sizeof(buf)), 2);
    assert_string_equal(f[0].name, "lifetime_hint");
    assert_string_equal(f[0].value, "300 s");
    assert_string_equal(f[1].name, "ticket");
    assert_string_equal(f[1].value, "5 bytes");
    static const uint8_t empty_cert12[] = {CL_HS_CERTIFICATE, 0, 0, 3, 0, 0, 0};
    assert_int_equal(
        cl_trace_describe(&c12, empty_cert12, sizeof(empty_cert12), f, 8, buf, sizeof(buf)), 1);
    assert_string_equal(f[0].name, "certificates");
    assert_string_equal(f[0].value, "0");
    /* The same bytes are no TLS 1.3 Certificate (a context byte, then a 24-bit list). */
    clasp_conn c13;
    memset(&c13, 0, sizeof(c13));
    c13.version = CL_TLS13_VERSION;
    static const uint8_t cert13[] = {CL_HS_CERTIFICATE, 0, 0, 4, 0, 0, 0, 0};
    assert_int_equal(cl_trace_describe(&c13, cert13, sizeof(cert13), f, 8, buf, sizeof(buf)), 2);
    assert_string_equal(f[0].value, "empty");
    assert_string_equal(f[1].value, "0");
    static const uint8_t hello_request[] = {CL_HS_HELLO_REQUEST, 0, 0, 0};
    assert_int_equal(cl_trace_describe(&c12, hello_request, 4, f, 8, buf, sizeof(buf)), 0);
    static const uint8_t eoed[] = {CL_HS_END_OF_EARLY_DATA, 0, 0, 0};
    assert_int_equal(cl_trace_describe(&c13, eoed, 4, f, 8, buf, sizeof(buf)), 0);
    /* Unknown types, bad lengths, a ClientKeyExchange before any suite: the length. */
    static const uint8_t odd[] = {99, 0, 0, 2, 1, 2};
    static const uint8_t short_len[] = {CL_HS_FINISHED, 0, 0, 9, 1, 2};
    static const uint8_t cke[] = {CL_HS_CLIENT_KEY_EXCHANGE, 0, 0, 2, 1, 9};
    const uint8_t *bad[] = {odd, short_len, cke};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        assert_int_equal(cl_trace_describe(&c12, bad[i], 6, f, 8, buf, sizeof(buf)), 1);
        assert_string_equal(f[0].name, "length");
        assert_string_equal(f[0].value, "6 bytes");
    }
    assert_int_equal(cl_trace_describe(&c12, odd, 3, f, 8, buf, sizeof(buf)), 1);
    assert_string_equal(f[0].value, "3 bytes");
}

/* Every field is a terminated string inside buf; the count is within cap. */
static void check_description(const clasp_conn *c, const uint8_t *m, size_t len)
{
    clasp_trace_field f[32];
    char buf[1024];
    size_t n = cl_trace_describe(c, m, len, f, ARRAY_LEN(f), buf, sizeof(buf));
    assert_true(n <= ARRAY_LEN(f));
    for (size_t i = 0; i < n; i++) {
        assert_true(f[i].value >= buf && f[i].value < buf + sizeof(buf));
        assert_true(memchr(f[i].value, 0, (size_t)(buf + sizeof(buf) - f[i].value)) != NULL);
        assert_non_null(f[i].name);
    }
}

/* Each message of real handshakes damaged byte by byte and cut at every length, read as
 * either version and either key exchange: the describer never reads or writes out of
 * bounds (run it under AddressSanitizer) and always returns well-formed fields. */
static void describe_damaged(const collector *c)
{
    static const uint16_t suites[] = {0x009c, 0xc02b};
    static const uint16_t versions[] = {CL_TLS12_VERSION, CL_TLS13_VERSION};
    static const uint8_t edits[] = {0x00, 0xff, 0x01};
    clasp_conn fake;
    for (size_t i = 0; i < c->n; i++) {
        const rec_event *e = &c->ev[i];
        if (e->kind != CLASP_TRACE_MESSAGE || e->len < 4 || !e->data) /* Finished: no data */
            continue;
        uint8_t *m = malloc(e->len);
        assert_non_null(m);
        /* the suite matters to a ClientKeyExchange only */
        size_t contexts = e->data[0] == CL_HS_CLIENT_KEY_EXCHANGE ? 4 : 2;
        for (size_t k = 0; k < contexts; k++) {
            memset(&fake, 0, sizeof(fake));
            fake.version = versions[k & 1];
            fake.suite_info = cl_suite_find(suites[k >> 1]);
            for (size_t cut = 0; cut <= e->len; cut++)
                check_description(&fake, e->data, cut);
            for (size_t pos = 0; pos < e->len && pos < 400; pos++)
                for (size_t x = 0; x < ARRAY_LEN(edits); x++) {
                    memcpy(m, e->data, e->len);
                    m[pos] = x == 2 ? (uint8_t)(m[pos] ^ 1) : edits[x];
                    check_description(&fake, m, e->len);
                }
        }
        free(m);
    }
}

static void test_describe_damaged_messages(void **state)
{
    (void)state;
    collector cc = {0}, ec = {0}, rc = {0}, unused = {0};
    kit_pair p;
    open13(&p, "TLS_AES_256_GCM_SHA384", 1, &cc, NULL);
    kit_handshake(&p);
    kit_close(&p);
    clasp_config *ccfg = kit12_client(CLASP_TLS12, CLASP_TLS12);
    watch(ccfg, &ec);
    kit_open(&p, ccfg, kit12_server(&kit.server[TK_P256], CLASP_TLS12, CLASP_TLS12), "server.test");
    kit12_handshake(&p);
    kit_close(&p);
    clasp_config *scfg;
    configs12_rsa(&ccfg, &scfg, &rc, &unused);
    open12(&p, ccfg, scfg);
    kit12_handshake(&p);
    kit_close(&p);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
    describe_damaged(&cc);
    describe_damaged(&ec);
    describe_damaged(&rc);
    collector_free(&cc);
    collector_free(&ec);
    collector_free(&rc);
    collector_free(&unused);
}

/* cl_dn_text: one name, one line, escaped; anything else refused. */
static void test_dn_text(void **state)
{
    (void)state;
    /* SEQUENCE { SET { SEQUENCE { OID commonName, UTF8String "a\nb" } } } */
    static const uint8_t dn[] = {0x30, 0x0e, 0x31, 0x0c, 0x30, 0x0a, 0x06, 0x03,
                                 0x55, 0x04, 0x03, 0x0c, 0x03, 'a',  '\n', 'b'};
    char line[64];
    assert_int_equal(cl_dn_text(dn, sizeof(dn), line, sizeof(line)), 0);
    assert_non_null(strstr(line, "CN=a"));
    assert_null(strchr(line, '\n')); /* a peer cannot break a log line */
    assert_int_equal(cl_dn_text(dn, sizeof(dn), line, 6), 0);
    assert_string_equal(line, "CN...");
    uint8_t longer[sizeof(dn) + 1];
    memcpy(longer, dn, sizeof(dn));
    longer[sizeof(dn)] = 0;
    assert_int_equal(cl_dn_text(longer, sizeof(longer), line, sizeof(line)),
                     CLASP_ERR_BAD_CERTIFICATE);
    assert_string_equal(line, "");
    assert_int_equal(cl_dn_text(dn, sizeof(dn) - 1, line, sizeof(line)), CLASP_ERR_BAD_CERTIFICATE);
    assert_int_equal(cl_dn_text(dn, 0, line, sizeof(line)), CLASP_ERR_BAD_CERTIFICATE);
    assert_int_equal(cl_dn_text(dn, sizeof(dn), line, 0), CLASP_ERR_INVALID_ARG);
}

/* ---- tracing costs nothing when off ---- */

static size_t n_allocs;

static void *count_alloc(void *ctx, size_t n)
{
    (void)ctx;
    n_allocs++;
    return malloc(n);
}

static void count_free(void *ctx, void *p, size_t n)
{
    (void)ctx, (void)n;
    free(p);
}

/* Certificates the events described (each summary decodes the certificate's key). */
static size_t summaries(const collector *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n; i++)
        for (size_t j = 0; j < c->ev[i].n_fields; j++)
            n += strncmp(c->ev[i].fname[j], "certificate[", 12) == 0;
    return n;
}

static size_t handshake_allocs(int traced, size_t *described)
{
    collector cc = {0}, sc = {0};
    kit_pair p;
    open13(&p, "TLS_AES_128_GCM_SHA256", 0, traced ? &cc : NULL, traced ? &sc : NULL);
    n_allocs = 0;
    kit_handshake(&p);
    size_t n = n_allocs;
    *described = summaries(&cc) + summaries(&sc);
    kit_close(&p);
    collector_free(&cc);
    collector_free(&sc);
    return n;
}

/*
 * Events are built on the stack: the only allocation tracing adds is the key a certificate
 * summary decodes (through clasp's allocator), one per certificate described. So off, the
 * describer never ran, and tracing costs no memory beyond that.
 */
static void test_trace_off_costs_nothing(void **state)
{
    (void)state;
    const clasp_allocator counting = {count_alloc, count_free, NULL};
    size_t none, described;
    clasp_set_allocator(&counting); /* over malloc and free, like the default */
    size_t off = handshake_allocs(0, &none), on = handshake_allocs(1, &described);
    clasp_set_allocator(NULL);
    assert_true(off > 0);
    assert_int_equal(none, 0);
    assert_int_equal(described, 4); /* the server's and the client's, each seen twice */
    assert_int_equal(on, off + described);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls13_client_auth),
        cmocka_unit_test(test_tls13_hello_retry_request),
        cmocka_unit_test(test_tls12_rsa_client_auth_and_resumption),
        cmocka_unit_test(test_tls12_ecdhe_and_downgrade),
        cmocka_unit_test(test_tls12_dhe),
        cmocka_unit_test(test_post_handshake_messages),
        cmocka_unit_test(test_failure_wrong_host),
        cmocka_unit_test(test_no_client_certificate),
        cmocka_unit_test(test_keylog_tls13),
        cmocka_unit_test(test_keylog_tls12),
        cmocka_unit_test(test_no_secrets_in_events),
        cmocka_unit_test(test_describe_small_buffer),
        cmocka_unit_test(test_describe_client_hello_values),
        cmocka_unit_test(test_describe_other_messages),
        cmocka_unit_test(test_describe_damaged_messages),
        cmocka_unit_test(test_dn_text),
        cmocka_unit_test(test_trace_off_costs_nothing),
    };
    return cmocka_run_group_tests(tests, kit_setup, kit_teardown);
}
