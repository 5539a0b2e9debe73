/*
 * TLS 1.3 end to end in one process: a clasp client and a clasp server through the public
 * sans-I/O API, and what a peer may legally do that clasp must accept. Every suite, group
 * and certificate type; HelloRetryRequest; client certificates; ALPN; preferences; SNI;
 * large transfers; KeyUpdate; NewSessionTicket; record_size_limit; fragmented and coalesced
 * handshake messages; GREASE and unknown versions; close_notify and truncation.
 * The failures that must fail, each with its alert, are in test_tls13_alerts.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <clasp/clasp.h>

#include "base/mem.h"
#include "crypto/crypto.h"
#include "msg/msg.h"
#include "e2e_checks.h"
#include "pair.h"
#include "tls13_kit.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static clasp_config *client_with(const char *suites, const char *groups)
{
    clasp_config *cfg = kit_client_config();
    if (suites)
        assert_int_equal(clasp_config_set_cipher_suites(cfg, suites), 0);
    if (groups)
        assert_int_equal(clasp_config_set_groups(cfg, groups), 0);
    return cfg;
}

static void test_basic(void **state)
{
    (void)state;
    kit_pair p;
    kit_open(&p, NULL, NULL, "server.test");
    kit_handshake(&p);
    assert_int_equal(clasp_conn_cipher_suite(p.client), 0x1301);
    assert_int_equal(clasp_conn_group(p.client), 0x001d);
    assert_int_equal(clasp_conn_peer_signature_scheme(p.client), 0x0403);
    assert_int_equal(clasp_conn_peer_cert_count(p.client), 1);
    assert_string_equal(clasp_conn_server_name(p.server), "server.test");
    assert_null(clasp_conn_alpn(p.client));
    assert_int_equal(clasp_conn_resumed(p.client), 0);
    kit_exchange(&p, 100);
    assert_int_equal(clasp_conn_close(p.client), 0);
    assert_int_equal(kit_move(p.client, p.server), 0);
    expect_read(p.server, CLASP_ERR_CLOSED);
    kit_close(&p);
}

/* ---- every suite x group x certificate ---- */

static const struct {
    const char *name;
    uint16_t id;
} suites[] = {
    {"TLS_AES_128_GCM_SHA256", 0x1301},
    {"TLS_AES_256_GCM_SHA384", 0x1302},
    {"TLS_CHACHA20_POLY1305_SHA256", 0x1303},
};

static const struct {
    const char *name;
    uint16_t id;
} groups[] = {
    {"x25519", 0x001d},
    {"secp256r1", 0x0017},
    {"secp384r1", 0x0018},
};

/* The server's key and the scheme its CertificateVerify must use (RFC 8446 4.2.3). */
static const struct {
    test_key key;
    uint16_t scheme;
} certs[] = {
    {TK_RSA2048, 0x0804}, /* rsa_pss_rsae_sha256: never PKCS#1 in a CertificateVerify */
    {TK_P256, 0x0403},    /* ecdsa_secp256r1_sha256 */
    {TK_P384, 0x0503},    /* ecdsa_secp384r1_sha384 */
    {TK_ED25519, 0x0807}, /* ed25519 */
    {TK_RSA_PSS, 0x0809}, /* rsa_pss_pss_sha256 */
};

static void test_matrix(void **state)
{
    (void)state;
    for (size_t s = 0; s < ARRAY_LEN(suites); s++)
        for (size_t g = 0; g < ARRAY_LEN(groups); g++)
            for (size_t k = 0; k < ARRAY_LEN(certs); k++) {
                kit_pair p;
                kit_open(&p, client_with(suites[s].name, groups[g].name),
                         kit_server_config(&kit.server[certs[k].key]), "server.test");
                kit_handshake(&p);
                for (int side = 0; side < 2; side++) {
                    clasp_conn *c = side ? p.server : p.client;
                    assert_int_equal(clasp_conn_cipher_suite(c), suites[s].id);
                    assert_int_equal(clasp_conn_group(c), groups[g].id);
                }
                assert_int_equal(clasp_conn_peer_signature_scheme(p.client), certs[k].scheme);
                assert_int_equal(clasp_conn_peer_signature_scheme(p.server), 0);
                assert_int_equal(clasp_conn_peer_cert_count(p.client), 1);
                assert_int_equal(clasp_conn_peer_cert_count(p.server), 0);
                kit_exchange(&p, 3000);
                kit_close(&p);
            }
}

/* TLS_AES_128_CCM_SHA256 is opt-in: served only when the server lists it, then negotiated
 * with every kind of certificate, and protects data both ways. */
static void test_ccm_opt_in(void **state)
{
    (void)state;
    kit_pair p;
    kit_open(&p, client_with("TLS_AES_128_CCM_SHA256", NULL), NULL, "server.test");
    assert_int_not_equal(pair_handshake(p.client, p.server), 0);
    assert_int_equal(clasp_conn_error(p.server), CLASP_ERR_HANDSHAKE_FAILURE);
    kit_close(&p);
    for (size_t k = 0; k < ARRAY_LEN(certs); k++) {
        clasp_config *scfg = kit_server_config(&kit.server[certs[k].key]);
        assert_int_equal(
            clasp_config_set_cipher_suites(scfg, "TLS_AES_128_CCM_SHA256:TLS_AES_128_GCM_SHA256"),
            0);
        kit_open(&p, client_with("TLS_AES_256_GCM_SHA384:TLS_AES_128_CCM_SHA256", NULL), scfg,
                 "server.test");
        kit_handshake(&p);
        assert_int_equal(clasp_conn_cipher_suite(p.client), 0x1304);
        assert_int_equal(clasp_conn_cipher_suite(p.server), 0x1304);
        assert_int_equal(clasp_conn_peer_signature_scheme(p.client), certs[k].scheme);
        kit_exchange(&p, 3000);
        assert_int_equal(clasp_conn_key_update(p.client, 1), 0);
        kit_exchange(&p, 3000);
        kit_close(&p);
    }
}

/* A P-521 certificate signs with ecdsa_secp521r1_sha512 (RFC 8446 4.2.3 binds the curve);
 * a client that does not offer that scheme gets no certificate it can take. */
static void test_p521_certificate(void **state)
{
    (void)state;
    test_cert p521;
    test_cert_opts server = {.cn = "server.test", .san = "DNS:server.test"};
    test_issue(kit.ca, TK_P521, &server, &p521);
    kit_pair p;
    kit_open(&p, NULL, kit_server_config(&p521), "server.test");
    kit_handshake(&p);
    assert_int_equal(clasp_conn_peer_signature_scheme(p.client), 0x0603);
    kit_exchange(&p, 100);
    kit_close(&p);
    clasp_config *ccfg = kit_client_config();
    assert_int_equal(
        clasp_config_set_signature_schemes(ccfg, "ecdsa_secp256r1_sha256:ecdsa_secp384r1_sha384"),
        0);
    kit_open(&p, ccfg, kit_server_config(&p521), "server.test");
    assert_int_not_equal(pair_handshake(p.client, p.server), 0);
    assert_int_equal(clasp_conn_error(p.server), CLASP_ERR_HANDSHAKE_FAILURE);
    kit_close(&p);
    test_cert_free(&p521);
}

/*
 * The groups outside the default list (opt-in on both sides): a handshake with the client's
 * share of the group, and one where the server asks for it by HelloRetryRequest.
 */
static void test_opt_in_groups(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        uint16_t id;
    } more[] = {
        {"secp521r1", 0x0019}, {"x448", 0x001e},      {"ffdhe2048", 0x0100},
        {"ffdhe3072", 0x0101}, {"ffdhe4096", 0x0102},
    };
    char list[64];
    for (size_t g = 0; g < ARRAY_LEN(more); g++)
        for (int hrr = 0; hrr < 2; hrr++) {
            snprintf(list, sizeof(list), hrr ? "x25519:%s" : "%s", more[g].name);
            clasp_config *scfg = kit_server_config(&kit.server[TK_P256]);
            assert_int_equal(clasp_config_set_groups(scfg, more[g].name), 0);
            kit_pair p;
            kit_open(&p, client_with(NULL, list), scfg, "server.test");
            kit_hook sh = {0};
            kit_hook_install(p.server, &sh);
            kit_handshake(&p);
            assert_int_equal(clasp_conn_group(p.client), more[g].id);
            assert_int_equal(clasp_conn_group(p.server), more[g].id);
            assert_int_equal(sh.count[CL_HS_SERVER_HELLO], 1 + hrr);
            kit_exchange(&p, 1000);
            kit_close(&p);
        }
}

/* ---- HelloRetryRequest ---- */

static void test_hello_retry_request(void **state)
{
    (void)state;
    clasp_config *scfg = kit_server_config(&kit.server[TK_P256]);
    assert_int_equal(clasp_config_set_groups(scfg, "secp256r1"), 0);
    kit_pair p;
    kit_open(&p, NULL, scfg, "server.test"); /* the client shares x25519 only */
    kit_hook sh = {0}, ch = {0};
    kit_hook_install(p.server, &sh);
    kit_hook_install(p.client, &ch);
    kit_handshake(&p);
    assert_int_equal(clasp_conn_group(p.client), 0x0017);
    assert_int_equal(sh.count[CL_HS_SERVER_HELLO], 2); /* HelloRetryRequest, ServerHello */
    assert_int_equal(ch.count[CL_HS_CLIENT_HELLO], 2);
    kit_exchange(&p, 1000);
    kit_close(&p);
}

/* A HelloRetryRequest when the client's two shares both miss, by client preference too. */
static void test_hello_retry_request_two_shares(void **state)
{
    (void)state;
    for (int pref = 0; pref < 2; pref++) {
        clasp_config *scfg = kit_server_config(&kit.server[TK_P384]);
        assert_int_equal(clasp_config_set_groups(scfg, "secp256r1"), 0);
        assert_int_equal(clasp_config_set_server_preference(scfg, pref), 0);
        clasp_config *ccfg = client_with(NULL, "x25519:secp384r1:secp256r1");
        assert_int_equal(clasp_config_set_key_shares(ccfg, 2), 0);
        kit_pair p;
        kit_open(&p, ccfg, scfg, "server.test");
        kit_hook sh = {0};
        kit_hook_install(p.server, &sh);
        kit_handshake(&p);
        assert_int_equal(clasp_conn_group(p.client), 0x0017);
        assert_int_equal(sh.count[CL_HS_SERVER_HELLO], 2);
        kit_exchange(&p, 100);
        kit_close(&p);
    }
}

/* ---- client certificates ---- */

static void client_auth(clasp_verify_mode mode, int with_cert)
{
    clasp_config *scfg = kit_server_config(&kit.server[TK_P256]);
    assert_int_equal(clasp_config_set_verify(scfg, mode), 0);
    clasp_config *ccfg = kit_client_config();
    if (with_cert)
        kit_add_cert(ccfg, &kit.client);
    kit_pair p;
    kit_open(&p, ccfg, scfg, "server.test");
    kit_hook sh = {0}, ch = {0};
    kit_hook_install(p.server, &sh);
    kit_hook_install(p.client, &ch);
    kit_handshake(&p);
    int asked = mode != CLASP_VERIFY_NONE;
    assert_int_equal(sh.count[CL_HS_CERTIFICATE_REQUEST], asked);
    assert_int_equal(ch.count[CL_HS_CERTIFICATE], asked);
    assert_int_equal(ch.count[CL_HS_CERTIFICATE_VERIFY], asked && with_cert);
    assert_int_equal(clasp_conn_peer_cert_count(p.server), asked && with_cert);
    assert_int_equal(clasp_conn_peer_signature_scheme(p.server), asked && with_cert ? 0x0403 : 0);
    kit_exchange(&p, 1000);
    kit_close(&p);
}

static void test_client_cert_require(void **state)
{
    (void)state;
    client_auth(CLASP_VERIFY_REQUIRE, 1);
}

static void test_client_cert_optional(void **state)
{
    (void)state;
    client_auth(CLASP_VERIFY_OPTIONAL, 1);
}

static void test_client_cert_optional_none(void **state)
{
    (void)state;
    client_auth(CLASP_VERIFY_OPTIONAL, 0);
}

static void test_client_cert_not_asked(void **state)
{
    (void)state;
    client_auth(CLASP_VERIFY_NONE, 1); /* a client certificate is never sent unasked */
}

/* ---- ALPN ---- */

static void alpn(const char *client, const char *server, const char *want)
{
    alpn_check(kit_client_config(), kit_server_config(&kit.server[TK_P256]), kit_handshake, client,
               server, want);
}

static void test_alpn(void **state)
{
    (void)state;
    alpn("http/1.1", "h2,http/1.1", "http/1.1");
    alpn("h2,http/1.1", "http/1.1,h2", "http/1.1"); /* the server's preference */
    alpn(NULL, "h2,http/1.1", NULL);                /* nothing asked, nothing chosen */
    alpn("h2", NULL, NULL);                         /* a server without ALPN ignores it */
}

/* ---- preferences ---- */

static void suite_preference(int server_pref, uint16_t want)
{
    clasp_config *ccfg = client_with(
        "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384", NULL);
    clasp_config *scfg = kit_server_config(&kit.server[TK_P256]);
    assert_int_equal(
        clasp_config_set_cipher_suites(scfg, "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256"), 0);
    assert_int_equal(clasp_config_set_server_preference(scfg, server_pref), 0);
    kit_pair p;
    kit_open(&p, ccfg, scfg, "server.test");
    kit_handshake(&p);
    assert_int_equal(clasp_conn_cipher_suite(p.client), want);
    kit_exchange(&p, 100);
    kit_close(&p);
}

static void test_suite_preference(void **state)
{
    (void)state;
    suite_preference(1, 0x1302); /* the server's first that the client offers */
    suite_preference(0, 0x1301); /* the client's first that the server accepts */
}

static void group_preference(int server_pref, uint16_t want)
{
    clasp_config *ccfg = client_with(NULL, "secp384r1:x25519:secp256r1");
    assert_int_equal(clasp_config_set_key_shares(ccfg, 2), 0);
    clasp_config *scfg = kit_server_config(&kit.server[TK_P256]);
    assert_int_equal(clasp_config_set_groups(scfg, "x25519:secp384r1"), 0);
    assert_int_equal(clasp_config_set_server_preference(scfg, server_pref), 0);
    kit_pair p;
    kit_open(&p, ccfg, scfg, "server.test");
    kit_hook sh = {0};
    kit_hook_install(p.server, &sh);
    kit_handshake(&p);
    assert_int_equal(clasp_conn_group(p.client), want);
    assert_int_equal(sh.count[CL_HS_SERVER_HELLO], 1); /* both were shared: no HRR */
    kit_close(&p);
}

static void test_group_preference(void **state)
{
    (void)state;
    group_preference(1, 0x001d);
    group_preference(0, 0x0018);
}

/* ---- key shares ---- */

/* Counts the key_share entries of the ClientHello (inspects, sends it unchanged). */
static int count_shares(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    (void)out;
    kit_exts e;
    kit_exts_read(msg, len, &e);
    int i = kit_exts_find(&e, CL_EXT_KEY_SHARE);
    assert_true(i >= 0);
    unsigned *n = arg;
    *n = 0;
    const uint8_t *d = e.data[i] + 2;
    for (size_t at = 0; at + 4 <= e.len[i] - 2; at += 4 + ((size_t)d[at + 2] << 8 | d[at + 3]))
        (*n)++;
    return 0;
}

static void test_key_shares(void **state)
{
    (void)state;
    static const struct {
        unsigned shares;
        const char *server_groups;
        uint16_t want;
    } cases[] = {
        {2, "secp256r1:x25519", 0x0017},
        {3, "secp384r1", 0x0018},
        {1, "x25519", 0x001d},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        clasp_config *ccfg = kit_client_config();
        assert_int_equal(clasp_config_set_key_shares(ccfg, cases[i].shares), 0);
        clasp_config *scfg = kit_server_config(&kit.server[TK_P256]);
        assert_int_equal(clasp_config_set_groups(scfg, cases[i].server_groups), 0);
        kit_pair p;
        kit_open(&p, ccfg, scfg, "server.test");
        unsigned n = 0;
        kit_hook ch = {.type = CL_HS_CLIENT_HELLO, .edit = count_shares, .arg = &n}, sh = {0};
        kit_hook_install(p.client, &ch);
        kit_hook_install(p.server, &sh);
        kit_handshake(&p);
        assert_int_equal(n, cases[i].shares);
        assert_int_equal(clasp_conn_group(p.server), cases[i].want);
        assert_int_equal(sh.count[CL_HS_SERVER_HELLO], 1);
        kit_close(&p);
    }
}

/* RFC 8446 4.2.8: a share for a group listed after 64 others is a share for a listed group;
 * the server reads the whole supported_groups list. */
static void test_long_supported_groups(void **state)
{
    (void)state;
    kit_pair p;
    kit_open(&p, NULL, NULL, "server.test");
    kit_hook h = {.type = CL_HS_CLIENT_HELLO, .edit = edit_long_groups};
    kit_hook_install(p.client, &h);
    kit_handshake(&p);
    assert_int_equal(clasp_conn_group(p.server), 0x001d); /* the client's one share */
    kit_close(&p);
    /* ... and without a share for it: a HelloRetryRequest for the server's first group */
    clasp_config *scfg = kit_server_config(&kit.server[TK_P256]);
    assert_int_equal(clasp_config_set_groups(scfg, "secp384r1:secp256r1"), 0);
    kit_open(&p, NULL, scfg, "server.test");
    kit_hook_install(p.client, &h);
    kit_handshake(&p);
    assert_int_equal(clasp_conn_group(p.server), 0x0018);
    kit_close(&p);
}

static clasp_config *server_p256(void)
{
    return kit_server_config(&kit.server[TK_P256]);
}

/* The chain's count bound (test_tls13_alerts.c has the client's side, and 600). */
static void test_chain_count(void **state)
{
    (void)state;
    chain_count_checks(kit_client_config, server_p256, kit_cert_repeat, kit_handshake);
}

/* ---- SNI ---- */

static void sni_open(kit_pair *p, struct sni *s, const char *host)
{
    clasp_config *scfg = kit_server_config(&kit.server[TK_P256]);
    sni_attach(s, scfg, kit_server_config(&kit.other_name));
    kit_open(p, NULL, scfg, host);
}

static void test_sni_switches_config(void **state)
{
    (void)state;
    kit_pair p;
    struct sni s;
    sni_open(&p, &s, "other.test");
    kit_handshake(&p);
    assert_int_equal(s.calls, 1);
    assert_string_equal(s.seen, "other.test");
    assert_string_equal(clasp_conn_server_name(p.server), "other.test");
    peer_cert_names(p.client, "other.test");
    kit_exchange(&p, 100);
    /* Only from the callback. */
    assert_int_equal(clasp_conn_set_config(p.server, s.other), CLASP_ERR_STATE);
    kit_close(&p);
    clasp_config_free(s.other);

    sni_open(&p, &s, "server.test");
    kit_handshake(&p);
    assert_string_equal(s.seen, "server.test");
    peer_cert_names(p.client, "server.test");
    kit_close(&p);
    clasp_config_free(s.other);

    /* An IP address is not sent as a name (RFC 6066 3); the certificate's IP SAN matches. */
    sni_open(&p, &s, "127.0.0.1");
    kit_handshake(&p);
    assert_string_equal(s.seen, "(none)");
    assert_null(clasp_conn_server_name(p.server));
    kit_close(&p);
    clasp_config_free(s.other);
}

/*
 * A name is an address or a DNS name to the ClientHello and to the verifier alike: an
 * address is never sent as SNI and is matched against IP SANs; a numeric name that is not a
 * strict address is refused before anything is sent.
 */
static void test_sni_host_forms(void **state)
{
    (void)state;
    static const struct {
        const char *name, *kept, *sni; /* sni NULL: none sent */
        int err;                       /* the client's error: 0, or the IP SAN is missing */
    } cases[] = {
        {"server.test.", "server.test", "server.test", 0},
        {"127.0.0.1.", "127.0.0.1", NULL, 0},
        {"::1", "::1", NULL, CLASP_ERR_BAD_CERTIFICATE},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        kit_pair p;
        struct sni s;
        sni_open(&p, &s, cases[i].name);
        assert_string_equal(clasp_conn_server_name(p.client), cases[i].kept);
        if (!cases[i].err) {
            kit_handshake(&p);
        } else {
            assert_int_equal(pair_handshake(p.client, p.server), cases[i].err);
            assert_non_null(strstr(clasp_conn_error_detail(p.client), "IP address mismatch"));
        }
        assert_string_equal(s.seen, cases[i].sni ? cases[i].sni : "(none)");
        kit_close(&p);
        clasp_config_free(s.other);
    }
    static const char *const refused[] = {"010.0.0.1", "1.2.3",     "0x7f.0.0.1",  "[::1]",
                                          "127.1",     "1.2.3.4..", "server..test"};
    clasp_config *ccfg = kit_client_config();
    for (size_t i = 0; i < ARRAY_LEN(refused); i++) {
        clasp_conn *c = clasp_conn_new(ccfg);
        assert_non_null(c);
        assert_int_equal(clasp_conn_set_server_name(c, refused[i]), CLASP_ERR_INVALID_ARG);
        assert_null(clasp_conn_server_name(c));
        const uint8_t *out;
        size_t n;
        clasp_conn_output(c, &out, &n);
        assert_int_equal(n, 0); /* no ClientHello: there is no name to verify */
        clasp_conn_free(c);
    }
    clasp_config_free(ccfg);
}

static void test_sni_unrecognized_name(void **state)
{
    (void)state;
    kit_pair p;
    struct sni s;
    sni_open(&p, &s, "unknown.test");
    assert_int_equal(pair_handshake(p.client, p.server), CLASP_ERR_ALERT_RECEIVED);
    assert_int_equal(clasp_conn_error(p.server), CLASP_ERR_UNRECOGNIZED_NAME);
    assert_int_equal(clasp_conn_alert_sent(p.server), CLASP_ALERT_UNRECOGNIZED_NAME);
    assert_int_equal(clasp_conn_error(p.client), CLASP_ERR_ALERT_RECEIVED);
    assert_int_equal(clasp_conn_alert_received(p.client), CLASP_ALERT_UNRECOGNIZED_NAME);
    assert_non_null(strstr(clasp_conn_error_detail(p.client), "unrecognized_name"));
    expect_read(p.client, CLASP_ERR_ALERT_RECEIVED);
    kit_close(&p);
    clasp_config_free(s.other);
}

/* ---- bulk data ---- */

static void test_megabyte_each_way(void **state)
{
    (void)state;
    kit_pair p;
    kit_open(&p, NULL, NULL, "server.test");
    kit_handshake(&p);
    kit_exchange(&p, 1 << 20);
    kit_close(&p);
}

/* ---- KeyUpdate ---- */

static size_t secret_len(const clasp_conn *c)
{
    return clasp_conn_cipher_suite(c) == 0x1302 ? 48 : 32;
}

static void key_update(int from_client, int request)
{
    kit_pair p;
    kit_open(&p, client_with("TLS_AES_256_GCM_SHA384", NULL), NULL, "server.test");
    kit_handshake(&p);
    clasp_conn *a = from_client ? p.client : p.server, *b = from_client ? p.server : p.client;
    size_t h = secret_len(a);
    uint8_t a_write[48], a_read[48], b_write[48];
    memcpy(a_write, a->write_secret, h);
    memcpy(a_read, a->read_secret, h);
    memcpy(b_write, b->write_secret, h);

    assert_int_equal(clasp_conn_key_update(a, request), 0);
    assert_memory_not_equal(a->write_secret, a_write, h);
    assert_int_equal(kit_move(a, b), 0);
    assert_memory_equal(b->read_secret, a->write_secret, h); /* b follows */
    const uint8_t *out;
    size_t pending;
    clasp_conn_output(b, &out, &pending);
    if (request) {
        /* RFC 8446 4.6.3: update_requested is answered with b's own KeyUpdate at once. */
        assert_true(pending > 0);
        assert_memory_not_equal(b->write_secret, b_write, h);
        assert_int_equal(kit_move(b, a), 0);
        assert_memory_equal(a->read_secret, b->write_secret, h);
        assert_memory_not_equal(a->read_secret, a_read, h);
    } else {
        assert_int_equal(pending, 0);
        assert_memory_equal(b->write_secret, b_write, h);
    }
    kit_exchange(&p, 5000); /* data flows both ways under the new keys */
    /* and again, from the other side */
    assert_int_equal(clasp_conn_key_update(b, !request), 0);
    kit_exchange(&p, 100);
    kit_close(&p);
}

static void test_key_update(void **state)
{
    (void)state;
    key_update(1, 0);
    key_update(1, 1);
    key_update(0, 0);
    key_update(0, 1);
}

/* The flood limit counts KeyUpdates in a row: application data resets it. */
static void test_key_update_many(void **state)
{
    (void)state;
    kit_pair p;
    kit_open(&p, NULL, NULL, "server.test");
    kit_handshake(&p);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 32; i++)
            assert_int_equal(clasp_conn_key_update(p.client, 0), 0);
        kit_exchange(&p, 10);
    }
    assert_int_equal(clasp_conn_error(p.server), 0);
    kit_close(&p);
}

static void test_key_update_before_handshake(void **state)
{
    (void)state;
    kit_pair p;
    kit_open(&p, NULL, NULL, "server.test");
    assert_int_equal(clasp_conn_key_update(p.client, 0), CLASP_ERR_STATE);
    kit_handshake(&p);
    kit_close(&p);
}

/* ---- NewSessionTicket ---- */

static size_t put_ticket(uint8_t *m, uint32_t lifetime, const uint8_t *nonce, size_t nonce_len,
                         const uint8_t *ticket, size_t ticket_len, const uint8_t *exts,
                         size_t exts_len)
{
    cl_writer w;
    cl_writer_fixed(&w, m, 1024);
    cl_msg_open(&w, CL_HS_NEW_SESSION_TICKET);
    cl_write_u32(&w, lifetime);
    cl_write_u32(&w, 0xdeadbeef); /* ticket_age_add */
    cl_write_vec(&w, 1, nonce, nonce_len);
    cl_write_vec(&w, 2, ticket, ticket_len);
    cl_write_vec(&w, 2, exts, exts_len);
    cl_msg_close(&w);
    assert_int_equal(cl_writer_finish(&w), 0);
    return w.len;
}

/* The newest ticket the client keeps. */
static const cl_session *newest_ticket(const clasp_conn *c)
{
    assert_true(c->n_tickets > 0);
    return &c->tickets[c->n_tickets - 1]->s;
}

static void new_session_ticket(const char *suite, cl_hash_alg hash, size_t h)
{
    kit_pair p;
    clasp_config *scfg = kit_server_config(&kit.server[TK_P256]);
    assert_int_equal(clasp_config_set_tickets(scfg, 0), 0); /* only the tickets made here */
    kit_open(&p, client_with(suite, NULL), scfg, "server.test");
    kit_handshake(&p);
    assert_int_equal(p.client->n_tickets, 0);
    /* Both sides derived the resumption master secret, each from its own transcript. */
    assert_memory_equal(p.client->res_master, p.server->res_master, h);

    static const uint8_t nonce[] = {0, 1, 2, 3, 4, 5, 6, 7};
    uint8_t ticket[100];
    for (size_t i = 0; i < sizeof(ticket); i++)
        ticket[i] = (uint8_t)(0xa0 + i);
    /* early_data (max_early_data_size) and an unknown extension, which is ignored (4.6.1) */
    static const uint8_t exts[] = {0x00, 0x2a, 0x00, 0x04, 0x00, 0x00, 0x40,
                                   0x00, 0x4a, 0x4a, 0x00, 0x01, 0x00};
    uint8_t m[1024];
    size_t n =
        put_ticket(m, 7200, nonce, sizeof(nonce), ticket, sizeof(ticket), exts, sizeof(exts));
    /* A ticket made by hand, protected like any other. */
    assert_int_equal(cl_rl_write(&p.server->rl, CL_CT_HANDSHAKE, m, n), 0);
    assert_int_equal(kit_move(p.server, p.client), 0);
    assert_int_equal(clasp_conn_error(p.client), 0);

    assert_int_equal(p.client->n_tickets, 1);
    const cl_session *t = newest_ticket(p.client);
    assert_int_equal(t->version, CLASP_TLS13);
    assert_int_equal(t->ticket_len, sizeof(ticket));
    assert_memory_equal(t->ticket, ticket, sizeof(ticket));
    assert_int_equal(t->lifetime, 7200);
    assert_int_equal(t->age_add, 0xdeadbeef);
    assert_int_equal(t->suite, clasp_conn_cipher_suite(p.client));
    assert_string_equal(t->server_name, "server.test");
    /* RFC 8446 4.6.1: PSK = HKDF-Expand-Label(resumption_master_secret, "resumption",
     * ticket_nonce, Hash.length), here from the server's copy of the secret. */
    uint8_t psk[48];
    assert_int_equal(cl_hkdf_expand_label(hash, p.server->res_master, h, "resumption", nonce,
                                          sizeof(nonce), psk, h),
                     0);
    assert_int_equal(t->master_len, h);
    assert_memory_equal(t->master, psk, h);

    /* Two tickets in one record: the client keeps both, the newest last; an empty nonce is
     * legal. */
    uint8_t two[2048];
    size_t n1 = put_ticket(two, 60, nonce, 3, ticket, 10, NULL, 0);
    size_t n2 = put_ticket(two + n1, 120, NULL, 0, ticket + 1, 20, NULL, 0);
    assert_int_equal(cl_rl_write(&p.server->rl, CL_CT_HANDSHAKE, two, n1 + n2), 0);
    assert_int_equal(kit_move(p.server, p.client), 0);
    assert_int_equal(p.client->n_tickets, 3);
    t = newest_ticket(p.client);
    assert_int_equal(t->lifetime, 120);
    assert_int_equal(t->ticket_len, 20);
    assert_memory_equal(t->ticket, ticket + 1, 20);
    assert_int_equal(
        cl_hkdf_expand_label(hash, p.server->res_master, h, "resumption", NULL, 0, psk, h), 0);
    assert_memory_equal(t->master, psk, h);

    /* A lifetime of zero: "the ticket should be discarded immediately" (4.6.1). */
    n = put_ticket(m, 0, nonce, 1, ticket, 5, NULL, 0);
    assert_int_equal(cl_rl_write(&p.server->rl, CL_CT_HANDSHAKE, m, n), 0);
    assert_int_equal(kit_move(p.server, p.client), 0);
    assert_int_equal(p.client->n_tickets, 3);
    assert_int_equal(newest_ticket(p.client)->lifetime, 120);

    kit_exchange(&p, 1000);
    kit_close(&p);
}

static void test_new_session_ticket(void **state)
{
    (void)state;
    new_session_ticket("TLS_AES_128_GCM_SHA256", CL_HASH_SHA256, 32);
    new_session_ticket("TLS_AES_256_GCM_SHA384", CL_HASH_SHA384, 48);
}

/* ---- record_size_limit (RFC 8449) ---- */

/* Every protected record in buf carries at most limit plaintext bytes (inner type, tag). */
static size_t check_records(const uint8_t *buf, size_t len, size_t limit)
{
    kit_rec recs[512];
    size_t n = kit_records(buf, len, recs, ARRAY_LEN(recs)), prot = 0;
    assert_true(n <= ARRAY_LEN(recs));
    for (size_t i = 0; i < n; i++)
        if (recs[i].type == CL_CT_APPLICATION_DATA) {
            assert_true(recs[i].len <= limit + 1 + CL_AEAD_TAG_LEN);
            prot++;
        }
    return prot;
}

static void test_record_size_limit(void **state)
{
    (void)state;
    clasp_config *ccfg = kit_client_config();
    assert_int_equal(clasp_config_set_record_size_limit(ccfg, 512), 0);
    clasp_config *scfg = kit_server_config(&kit.server[TK_RSA2048]); /* a long flight */
    assert_int_equal(clasp_config_set_record_size_limit(scfg, 1024), 0);
    kit_pair p;
    kit_open(&p, ccfg, scfg, "server.test");
    assert_int_equal(kit_move(p.client, p.server), 0);
    size_t len;
    uint8_t *flight = kit_take(p.server, &len);
    /* The server's protected flight is cut to the client's limit (the ServerHello, sent
     * before the limit applies, is not protected). */
    assert_true(check_records(flight, len, 512) >= 2);
    assert_int_equal(kit_feed(p.client, flight, len), 0);
    free(flight);
    kit_handshake(&p);

    uint8_t data[10000];
    memset(data, 0x5c, sizeof(data));
    size_t n;
    assert_int_equal(clasp_conn_write(p.server, data, sizeof(data), &n), 0);
    assert_int_equal(n, sizeof(data));
    uint8_t *out = kit_take(p.server, &len);
    assert_int_equal(check_records(out, len, 512), (sizeof(data) + 511) / 512);
    assert_int_equal(kit_feed(p.client, out, len), 0);
    free(out);
    uint8_t got[sizeof(data)];
    size_t have = 0;
    while (have < sizeof(got)) {
        assert_int_equal(clasp_conn_read(p.client, got + have, sizeof(got) - have, &n), 0);
        have += n;
    }
    assert_memory_equal(got, data, sizeof(data));

    /* RFC 8446 5.4: in TLS 1.3 the limit covers the inner content type and the padding:
     * 512 bytes of content, or 500 and 12 of padding, are just within the 513 advertised. */
    uint8_t rec[1024];
    n = kit_seal13(p.server, CL_CT_APPLICATION_DATA, data, 512, 0, rec, sizeof(rec));
    assert_int_equal(kit_feed(p.client, rec, n), 0);
    assert_int_equal(clasp_conn_read(p.client, got, sizeof(got), &n), 0);
    assert_int_equal(n, 512);
    n = kit_seal13(p.server, CL_CT_APPLICATION_DATA, data, 500, 12, rec, sizeof(rec));
    assert_int_equal(kit_feed(p.client, rec, n), 0);
    assert_int_equal(clasp_conn_read(p.client, got, sizeof(got), &n), 0);
    assert_int_equal(n, 500);

    /* The other way, the server's own limit. */
    assert_int_equal(clasp_conn_write(p.client, data, sizeof(data), &n), 0);
    out = kit_take(p.client, &len);
    assert_int_equal(check_records(out, len, 1024), (sizeof(data) + 1023) / 1024);
    assert_int_equal(kit_feed(p.server, out, len), 0);
    free(out);
    kit_close(&p);
}

/* ---- handshake messages and records ---- */

/* The ClientHello in one-byte records, and the ServerHello too. */
static void test_one_byte_records(void **state)
{
    (void)state;
    kit_pair p;
    kit_open(&p, NULL, NULL, "server.test");
    size_t len, records = move_reframed(p.client, p.server, 1, &len);
    assert_int_equal(records, len - 5); /* one record per byte */
    move_reframed(p.server, p.client, 1, NULL);
    kit_handshake(&p);
    kit_exchange(&p, 100);
    kit_close(&p);
}

static uint8_t padding[65536];

/* Pads the ClientHello's extensions to the largest legal block, 2^16 - 1 bytes. */
static int pad_hello(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    (void)arg;
    kit_exts e;
    kit_exts_read(msg, len, &e);
    size_t block = e.end - e.off - 2;
    kit_exts_add(&e, e.n, 0xfe00, padding, 0xffff - block - 4);
    kit_exts_write(msg, len, &e, out);
    return 0;
}

static void big_client_hello(size_t frag)
{
    kit_pair p;
    kit_open(&p, NULL, NULL, "server.test");
    kit_hook ch = {.type = CL_HS_CLIENT_HELLO, .edit = pad_hello};
    kit_hook_install(p.client, &ch);
    size_t len, rlen;
    uint8_t *hello = kit_take(p.client, &len);
    assert_true(len > 65535 + 5 * 4);
    uint8_t *re = frag ? kit_reframe(hello, len, frag, &rlen) : hello;
    if (!frag)
        rlen = len;
    assert_true(kit_records(re, rlen, NULL, 0) >= (frag ? 65535 / frag : 4));
    assert_int_equal(kit_feed(p.server, re, rlen), 0);
    if (re != hello)
        free(re);
    free(hello);
    kit_handshake(&p);
    kit_exchange(&p, 100);
    kit_close(&p);
}

static void test_big_client_hello(void **state)
{
    (void)state;
    big_client_hello(0);   /* in records of 2^14 */
    big_client_hello(700); /* in many records */
    big_client_hello(1);   /* one byte per record */
}

/* The server's encrypted flight is one record holding EncryptedExtensions through Finished,
 * and so is the client's Certificate, CertificateVerify, Finished. */
static void test_messages_in_one_record(void **state)
{
    (void)state;
    clasp_config *scfg = kit_server_config(&kit.server[TK_P256]);
    assert_int_equal(clasp_config_set_verify(scfg, CLASP_VERIFY_REQUIRE), 0);
    clasp_config *ccfg = kit_client_config();
    kit_add_cert(ccfg, &kit.client);
    kit_pair p;
    kit_open(&p, ccfg, scfg, "server.test");
    assert_int_equal(kit_move(p.client, p.server), 0);
    size_t len;
    uint8_t *flight = kit_take(p.server, &len);
    kit_rec recs[8];
    assert_int_equal(kit_records(flight, len, recs, 8), 3);
    assert_int_equal(recs[0].type, CL_CT_HANDSHAKE);
    assert_int_equal(recs[1].type, CL_CT_CHANGE_CIPHER_SPEC);
    assert_int_equal(recs[2].type, CL_CT_APPLICATION_DATA);
    assert_int_equal(kit_feed(p.client, flight, len), 0);
    free(flight);
    assert_true(clasp_conn_handshake_done(p.client));
    flight = kit_take(p.client, &len);
    assert_int_equal(kit_records(flight, len, recs, 8), 2);
    assert_int_equal(recs[0].type, CL_CT_CHANGE_CIPHER_SPEC);
    assert_int_equal(recs[1].type, CL_CT_APPLICATION_DATA);
    assert_int_equal(kit_feed(p.server, flight, len), 0);
    free(flight);
    assert_true(clasp_conn_handshake_done(p.server));
    kit_exchange(&p, 100);
    kit_close(&p);
}

/* RFC 8446 5.4: zero-length application data and padding are legal; a run of up to 32
 * empty records is accepted (the cap is clasp's, against floods). */
static void test_empty_and_padded_records(void **state)
{
    (void)state;
    kit_pair p;
    kit_open(&p, NULL, NULL, "server.test");
    kit_handshake(&p);
    uint8_t rec[2048];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 32; i++) {
            size_t n =
                kit_seal13(p.client, CL_CT_APPLICATION_DATA, NULL, 0, i * 7, rec, sizeof(rec));
            assert_int_equal(kit_feed(p.server, rec, n), 0);
        }
        size_t n = kit_seal13(p.client, CL_CT_APPLICATION_DATA, (const uint8_t *)"hello", 5, 1000,
                              rec, sizeof(rec));
        assert_int_equal(kit_feed(p.server, rec, n), 0);
        uint8_t got[16];
        assert_int_equal(clasp_conn_read(p.server, got, sizeof(got), &n), 0);
        assert_int_equal(n, 5);
        assert_memory_equal(got, "hello", 5);
    }
    kit_exchange(&p, 100);
    kit_close(&p);
}

/* ---- ignoring what is unknown: GREASE (RFC 8701), versions, extensions ---- */

/* A u16 list (16-bit length) with v in front. */
static size_t prepend_u16(const uint8_t *list, size_t len, unsigned width, uint16_t v, uint8_t *out)
{
    size_t items = len - width + 2;
    if (width == 2) {
        out[0] = (uint8_t)(items >> 8);
        out[1] = (uint8_t)items;
    } else {
        out[0] = (uint8_t)items;
    }
    out[width] = (uint8_t)(v >> 8);
    out[width + 1] = (uint8_t)v;
    memcpy(out + width + 2, list + width, len - width);
    return len + 2;
}

static int grease_hello(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    (void)arg;
    static uint8_t sgroups[64], schemes[64], versions[64], shares[512], psk_modes[8];
    kit_exts e;
    kit_exts_read(msg, len, &e);
    int i = kit_exts_find(&e, CL_EXT_SUPPORTED_GROUPS);
    kit_exts_set(&e, CL_EXT_SUPPORTED_GROUPS, sgroups,
                 prepend_u16(e.data[i], e.len[i], 2, 0x1a1a, sgroups));
    i = kit_exts_find(&e, CL_EXT_SIGNATURE_ALGORITHMS);
    kit_exts_set(&e, CL_EXT_SIGNATURE_ALGORITHMS, schemes,
                 prepend_u16(e.data[i], e.len[i], 2, 0x2a2a, schemes));
    i = kit_exts_find(&e, CL_EXT_SUPPORTED_VERSIONS);
    kit_exts_set(&e, CL_EXT_SUPPORTED_VERSIONS, versions,
                 prepend_u16(e.data[i], e.len[i], 1, 0x3a3a, versions));
    /* a share for the GREASE group, which supported_groups lists (RFC 8701 3.1) */
    i = kit_exts_find(&e, CL_EXT_KEY_SHARE);
    size_t n = e.len[i] + 5;
    shares[0] = (uint8_t)((n - 2) >> 8);
    shares[1] = (uint8_t)(n - 2);
    memcpy(shares + 2, (const uint8_t[]){0x1a, 0x1a, 0x00, 0x01, 0x00}, 5);
    memcpy(shares + 7, e.data[i] + 2, e.len[i] - 2);
    kit_exts_set(&e, CL_EXT_KEY_SHARE, shares, n);
    i = kit_exts_find(&e, CL_EXT_PSK_KEY_EXCHANGE_MODES);
    memcpy(psk_modes, (const uint8_t[]){0x02, 0x0b, 0x01}, 3); /* GREASE mode 0x0b */
    kit_exts_set(&e, CL_EXT_PSK_KEY_EXCHANGE_MODES, psk_modes, 3);
    kit_exts_add(&e, 0, 0x0a0a, NULL, 0);
    kit_exts_add(&e, e.n, 0xfafa, (const uint8_t *)"\0", 1);
    cl_writer tmp;
    assert_int_equal(cl_writer_growable(&tmp, 0, 1 << 17), 0);
    kit_exts_write(msg, len, &e, &tmp);
    assert_int_equal(cl_writer_finish(&tmp), 0);
    /* and a GREASE cipher suite first */
    size_t off = kit_ch_suites_off(tmp.buf), slen = (size_t)tmp.buf[off] << 8 | tmp.buf[off + 1];
    uint8_t suites_vec[64];
    size_t sn = prepend_u16(tmp.buf + off, slen + 2, 2, 0x4a4a, suites_vec);
    kit_splice(tmp.buf, tmp.len, off, slen + 2, suites_vec, sn, out);
    cl_writer_free(&tmp);
    return 0;
}

static void test_grease(void **state)
{
    (void)state;
    for (int pref = 0; pref < 2; pref++) {
        clasp_config *scfg = kit_server_config(&kit.server[TK_P256]);
        assert_int_equal(clasp_config_set_server_preference(scfg, pref), 0);
        kit_pair p;
        kit_open(&p, NULL, scfg, "server.test");
        kit_hook ch = {.type = CL_HS_CLIENT_HELLO, .edit = grease_hello};
        kit_hook_install(p.client, &ch);
        kit_handshake(&p);
        assert_int_equal(ch.edited, 1);
        assert_int_equal(clasp_conn_cipher_suite(p.client), 0x1301);
        assert_int_equal(clasp_conn_group(p.client), 0x001d);
        kit_exchange(&p, 100);
        kit_close(&p);
    }
}

/* supported_versions with versions above TLS 1.3 (0x0305) and a draft (0x7f1c). */
static int future_versions(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    (void)arg;
    static const uint8_t versions[] = {8, 0x03, 0x05, 0x7f, 0x1c, 0x03, 0x04, 0x03, 0x03};
    kit_exts e;
    kit_exts_read(msg, len, &e);
    kit_exts_set(&e, CL_EXT_SUPPORTED_VERSIONS, versions, sizeof(versions));
    kit_exts_write(msg, len, &e, out);
    return 0;
}

static void test_unknown_versions(void **state)
{
    (void)state;
    kit_pair p;
    kit_open(&p, NULL, NULL, "server.test");
    kit_hook ch = {.type = CL_HS_CLIENT_HELLO, .edit = future_versions};
    kit_hook_install(p.client, &ch);
    kit_handshake(&p);
    assert_int_equal(ch.edited, 1);
    kit_exchange(&p, 100);
    kit_close(&p);
}

/* RFC 8446 4.3.2: unknown extensions in a CertificateRequest are ignored. */
static int grease_request(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    (void)arg;
    kit_exts e;
    kit_exts_read(msg, len, &e);
    kit_exts_add(&e, 0, 0x5a5a, NULL, 0);
    kit_exts_add(&e, e.n, 0xfe01, (const uint8_t *)"abc", 3);
    kit_exts_write(msg, len, &e, out);
    return 0;
}

static void test_unknown_in_certificate_request(void **state)
{
    (void)state;
    clasp_config *scfg = kit_server_config(&kit.server[TK_P256]);
    assert_int_equal(clasp_config_set_verify(scfg, CLASP_VERIFY_OPTIONAL), 0);
    clasp_config *ccfg = kit_client_config();
    kit_add_cert(ccfg, &kit.client);
    kit_pair p;
    kit_open(&p, ccfg, scfg, "server.test");
    kit_hook cr = {.type = CL_HS_CERTIFICATE_REQUEST, .edit = grease_request};
    kit_hook_install(p.server, &cr);
    kit_handshake(&p);
    assert_int_equal(cr.edited, 1);
    assert_int_equal(clasp_conn_peer_cert_count(p.server), 1);
    kit_close(&p);
}

/* RFC 8446 6.1: user_canceled is not fatal. */
static void test_user_canceled(void **state)
{
    (void)state;
    kit_pair p;
    kit_open(&p, NULL, NULL, "server.test");
    kit_handshake(&p);
    assert_int_equal(cl_rl_write(&p.client->rl, CL_CT_ALERT, (const uint8_t[]){1, 90}, 2), 0);
    assert_int_equal(kit_move(p.client, p.server), 0);
    assert_int_equal(clasp_conn_error(p.server), 0);
    assert_int_equal(clasp_conn_alert_received(p.server), CLASP_ALERT_USER_CANCELED);
    kit_exchange(&p, 100);
    kit_close(&p);
}

/* ---- the end of a connection ---- */

static void test_close_notify(void **state)
{
    (void)state;
    kit_pair p;
    kit_open(&p, NULL, NULL, "server.test");
    kit_handshake(&p);
    assert_int_equal(clasp_conn_close(p.client), 0);
    size_t n;
    assert_int_equal(clasp_conn_write(p.client, (const uint8_t *)"x", 1, &n), CLASP_ERR_STATE);
    assert_int_equal(clasp_conn_key_update(p.client, 0), CLASP_ERR_STATE);
    assert_int_equal(kit_move(p.client, p.server), 0);
    expect_read(p.server, CLASP_ERR_CLOSED);
    assert_int_equal(clasp_conn_alert_received(p.server), CLASP_ALERT_CLOSE_NOTIFY);
    assert_int_equal(clasp_conn_feed_eof(p.server), CLASP_ERR_CLOSED);
    assert_int_equal(clasp_conn_error(p.server), 0); /* an orderly end is no error */
    /* The server's write side is still open (RFC 8446 6.1): it answers, then closes. */
    const uint8_t last[] = "last words";
    assert_int_equal(pair_transfer(p.server, p.client, last, sizeof(last)), 0);
    assert_int_equal(clasp_conn_close(p.server), 0);
    assert_int_equal(kit_move(p.server, p.client), 0);
    expect_read(p.client, CLASP_ERR_CLOSED);
    kit_close(&p);
}

/* RFC 8446 6.1: "Any data received after a closure alert has been received MUST be
 * ignored." */
static void test_data_after_close_notify_ignored(void **state)
{
    (void)state;
    kit_pair p;
    kit_open(&p, NULL, NULL, "server.test");
    kit_handshake(&p);
    assert_int_equal(clasp_conn_close(p.client), 0);
    assert_int_equal(cl_rl_write(&p.client->rl, CL_CT_APPLICATION_DATA, (const uint8_t *)"late", 4),
                     0);
    assert_int_equal(kit_move(p.client, p.server), 0);
    expect_read(p.server, CLASP_ERR_CLOSED);
    expect_read(p.server, CLASP_ERR_CLOSED);
    kit_close(&p);
}

static void test_truncation(void **state)
{
    (void)state;
    kit_pair p;
    kit_open(&p, NULL, NULL, "server.test");
    kit_handshake(&p);
    kit_exchange(&p, 100);
    assert_int_equal(clasp_conn_feed_eof(p.client), CLASP_ERR_TRUNCATED);
    assert_int_equal(clasp_conn_error(p.client), CLASP_ERR_TRUNCATED);
    assert_int_equal(clasp_conn_alert_sent(p.client), -1); /* the peer is gone: no alert */
    expect_read(p.client, CLASP_ERR_TRUNCATED);
    kit_close(&p);

    /* in the middle of the handshake too */
    kit_open(&p, NULL, NULL, "server.test");
    assert_int_equal(kit_move(p.client, p.server), 0);
    assert_int_equal(clasp_conn_feed_eof(p.client), CLASP_ERR_TRUNCATED);
    assert_int_equal(clasp_conn_handshake_done(p.client), 0);
    kit_close(&p);
}

/* ---- rejected 0-RTT data (RFC 8446 4.2.10) ---- */

/* Adds an empty early_data extension to the ClientHello, as a client with a ticket would. */
static int offer_early_data(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out,
                            void *arg)
{
    (void)c;
    (void)arg;
    kit_exts e;
    kit_exts_read(msg, len, &e);
    kit_exts_add(&e, e.n, CL_EXT_EARLY_DATA, NULL, 0);
    kit_exts_write(msg, len, &e, out);
    return 0;
}

/* Feeds c records of early data (application_data, body n random bytes, keys unknown). */
static int feed_early_data(clasp_conn *c, const size_t *sizes, size_t count)
{
    static uint8_t rec[CL_RECORD_HEADER_LEN + CL_TLS13_MAX_CIPHERTEXT];
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        assert_true(sizes[i] <= CL_TLS13_MAX_CIPHERTEXT);
        uint8_t h[CL_RECORD_HEADER_LEN] = {CL_CT_APPLICATION_DATA, 3, 3, (uint8_t)(sizes[i] >> 8),
                                           (uint8_t)sizes[i]};
        memcpy(rec, h, sizeof(h));
        assert_int_equal(cl_random(rec + sizeof(h), sizes[i]), 0);
        rc = kit_feed(c, rec, sizeof(h) + sizes[i]);
    }
    return rc;
}

/* Opens a pair whose client offers early_data and hands the server the first ClientHello. */
static void open_with_early_data(kit_pair *p, clasp_config *scfg, kit_hook *hook)
{
    kit_open(p, NULL, scfg, "server.test");
    *hook = (kit_hook){.type = CL_HS_CLIENT_HELLO, .nth = 1, .edit = offer_early_data};
    kit_hook_install(p->client, hook);
    assert_int_equal(kit_move(p->client, p->server), 0);
    assert_int_equal(hook->edited, 1);
}

static void expect_bad_record_mac(clasp_conn *c, int rc)
{
    assert_int_equal(rc, CLASP_ERR_BAD_RECORD_MAC);
    assert_int_equal(clasp_conn_alert_sent(c), CLASP_ALERT_BAD_RECORD_MAC);
}

/* Records that fail under the handshake keys are skipped, up to the bound, then the
 * handshake goes on; once a record opens, a failing one is bad_record_mac again. */
static void test_early_data_skipped(void **state)
{
    (void)state;
    kit_pair p;
    kit_hook hook;
    open_with_early_data(&p, NULL, &hook);
    /* counted without the 17 bytes of tag and content type, an empty record as 1:
     * 1 + 83 + 4983 + the rest */
    const size_t sizes[] = {17, 100, 5000, CL_EARLY_DATA_SKIP_MAX - 1 - 83 - 4983 + 17};
    assert_int_equal(feed_early_data(p.server, sizes, ARRAY_LEN(sizes)), 0);
    kit_handshake(&p);
    kit_exchange(&p, 1000);
    const size_t one = 100;
    expect_bad_record_mac(p.server, feed_early_data(p.server, &one, 1));
    kit_close(&p);
}

/* One byte over the bound is bad_record_mac, as any record that fails. */
static void test_early_data_over_bound(void **state)
{
    (void)state;
    kit_pair p;
    kit_hook hook;
    open_with_early_data(&p, NULL, &hook);
    const size_t sizes[] = {10000 + 17, CL_EARLY_DATA_SKIP_MAX - 10000 + 1 + 17};
    expect_bad_record_mac(p.server, feed_early_data(p.server, sizes, ARRAY_LEN(sizes)));
    kit_close(&p);
}

/* Empty records count too: a flood of them meets the bound. */
static void test_early_data_empty_flood(void **state)
{
    (void)state;
    kit_pair p;
    kit_hook hook;
    open_with_early_data(&p, NULL, &hook);
    size_t sizes[CL_EARLY_DATA_SKIP_MAX + 1];
    for (size_t i = 0; i < ARRAY_LEN(sizes); i++)
        sizes[i] = 17;
    expect_bad_record_mac(p.server, feed_early_data(p.server, sizes, ARRAY_LEN(sizes)));
    kit_close(&p);
}

/* Without early_data in the ClientHello nothing is skipped. */
static void test_early_data_not_offered(void **state)
{
    (void)state;
    kit_pair p;
    kit_open(&p, NULL, NULL, "server.test");
    assert_int_equal(kit_move(p.client, p.server), 0);
    const size_t one = 100;
    expect_bad_record_mac(p.server, feed_early_data(p.server, &one, 1));
    kit_close(&p);
}

/* After a HelloRetryRequest the early records are skipped before any keys; the second
 * ClientHello ends that, so a stray record after it fails. */
static void test_early_data_after_hello_retry(void **state)
{
    (void)state;
    for (int stray = 0; stray < 2; stray++) {
        clasp_config *scfg = kit_server_config(&kit.server[TK_P256]);
        assert_int_equal(clasp_config_set_groups(scfg, "secp256r1"), 0);
        kit_pair p;
        kit_hook hook;
        open_with_early_data(&p, scfg, &hook);
        const size_t sizes[] = {300, 4000};
        assert_int_equal(feed_early_data(p.server, sizes, ARRAY_LEN(sizes)), 0);
        assert_int_equal(kit_move(p.server, p.client), 0); /* HelloRetryRequest */
        assert_int_equal(kit_move(p.client, p.server), 0); /* the second ClientHello */
        if (stray) {
            expect_bad_record_mac(p.server, feed_early_data(p.server, sizes, 1));
        } else {
            kit_handshake(&p);
            assert_int_equal(clasp_conn_group(p.client), 0x0017);
            kit_exchange(&p, 1000);
        }
        kit_close(&p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_matrix),
        cmocka_unit_test(test_hello_retry_request),
        cmocka_unit_test(test_hello_retry_request_two_shares),
        cmocka_unit_test(test_client_cert_require),
        cmocka_unit_test(test_client_cert_optional),
        cmocka_unit_test(test_client_cert_optional_none),
        cmocka_unit_test(test_client_cert_not_asked),
        cmocka_unit_test(test_alpn),
        cmocka_unit_test(test_suite_preference),
        cmocka_unit_test(test_group_preference),
        cmocka_unit_test(test_key_shares),
        cmocka_unit_test(test_opt_in_groups),
        cmocka_unit_test(test_ccm_opt_in),
        cmocka_unit_test(test_p521_certificate),
        cmocka_unit_test(test_long_supported_groups),
        cmocka_unit_test(test_chain_count),
        cmocka_unit_test(test_sni_switches_config),
        cmocka_unit_test(test_sni_host_forms),
        cmocka_unit_test(test_sni_unrecognized_name),
        cmocka_unit_test(test_megabyte_each_way),
        cmocka_unit_test(test_key_update),
        cmocka_unit_test(test_key_update_many),
        cmocka_unit_test(test_key_update_before_handshake),
        cmocka_unit_test(test_new_session_ticket),
        cmocka_unit_test(test_record_size_limit),
        cmocka_unit_test(test_one_byte_records),
        cmocka_unit_test(test_big_client_hello),
        cmocka_unit_test(test_messages_in_one_record),
        cmocka_unit_test(test_empty_and_padded_records),
        cmocka_unit_test(test_grease),
        cmocka_unit_test(test_unknown_versions),
        cmocka_unit_test(test_unknown_in_certificate_request),
        cmocka_unit_test(test_user_canceled),
        cmocka_unit_test(test_close_notify),
        cmocka_unit_test(test_data_after_close_notify_ignored),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_early_data_skipped),
        cmocka_unit_test(test_early_data_over_bound),
        cmocka_unit_test(test_early_data_empty_flood),
        cmocka_unit_test(test_early_data_not_offered),
        cmocka_unit_test(test_early_data_after_hello_retry),
    };
    return cmocka_run_group_tests(tests, kit_setup, kit_teardown);
}
