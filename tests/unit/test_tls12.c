/*
 * TLS 1.2 end to end in one process: a clasp client and a clasp server through the public
 * sans-I/O API, and what a peer may legally do that clasp must accept. Every TLS 1.2 suite
 * with every certificate type and group that suits it; client certificates; ALPN; SNI;
 * resumption by session ID (the built-in cache, its bounds, expiry and threads, and an
 * external store) and when it must be refused; version negotiation (RFC 8446 4.1.3 and
 * D.1, RFC 5246 E.1, RFC 7507); renegotiation refused politely (RFC 5246 7.4.1.1, 7.2.2);
 * record_size_limit (RFC 8449) in TLS 1.2; large transfers.
 * The failures that must fail, each with its alert, are in test_tls12_alerts.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <openssl/bn.h>

#include <clasp/clasp.h>

#include "base/mem.h"
#include "crypto/crypto.h"
#include "hs/handlers.h"
#include "hs/resume.h"
#include "msg/msg.h"
#include "e2e_checks.h"
#include "pair.h"
#include "tls12_kit.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define V12          CLASP_TLS12
#define V13          CLASP_TLS13

/* RFC 8446 4.1.3: the last 8 bytes of a ServerHello.random that announce a downgrade. */
static const uint8_t downgrd_12[8] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01};
static const uint8_t downgrd_11[8] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00};

#define SH_RANDOM_TAIL 30 /* header 4, version 2, random[24..32) */

/* Resumption here is by session ID: RFC 5077 tickets have their tests in test_resume.c. */
static clasp_config *client12(void)
{
    clasp_config *cfg = kit12_client(V12, V12);
    assert_int_equal(clasp_config_set_tickets(cfg, 0), 0);
    return cfg;
}

static clasp_config *server12(test_key k)
{
    return kit12_server(&kit.server[k], V12, V12);
}

/* The extension of this type in a captured hello, or NULL (its length in *len). */
static const uint8_t *find_ext(const kit_msg *m, uint16_t type, size_t *len)
{
    kit_exts e;
    kit_exts_read(m->data, m->len, &e);
    int i = kit_exts_find(&e, type);
    if (i < 0)
        return NULL;
    *len = e.len[i];
    return e.data[i];
}

static size_t u16_at(const uint8_t *p)
{
    return (size_t)p[0] << 8 | p[1];
}

static void test_basic(void **state)
{
    (void)state;
    kit_pair p;
    kit_open(&p, client12(), server12(TK_P256), "server.test");
    kit12_handshake(&p);
    assert_int_equal(clasp_conn_cipher_suite(p.client), 0xc02b);
    assert_int_equal(clasp_conn_group(p.client), 0x001d);
    assert_int_equal(clasp_conn_peer_signature_scheme(p.client), 0x0403);
    assert_int_equal(clasp_conn_peer_signature_scheme(p.server), 0);
    assert_int_equal(clasp_conn_peer_cert_count(p.client), 1);
    assert_int_equal(clasp_conn_peer_cert_count(p.server), 0);
    assert_string_equal(clasp_conn_server_name(p.server), "server.test");
    assert_null(clasp_conn_alpn(p.client));
    assert_int_equal(clasp_conn_resumed(p.client), 0);
    kit_exchange(&p, 100);
    assert_int_equal(clasp_conn_close(p.client), 0);
    assert_int_equal(kit_move(p.client, p.server), 0);
    expect_read(p.server, CLASP_ERR_CLOSED);
    kit_close(&p);
}

/* ---- every suite x certificate x group ---- */

static const struct {
    const char *name;
    uint16_t id;
} groups[] = {
    {"x25519", 0x001d},    {"secp256r1", 0x0017}, {"secp384r1", 0x0018},
    {"secp521r1", 0x0019}, {"x448", 0x001e},
};

/*
 * The server signs ServerKeyExchange with its first scheme the client offers that fits its
 * key. TLS 1.2 does not bind ECDSA schemes to a curve (RFC 8446 4.2.3: in 1.2 they name the
 * hash only), so a P-384 key signs with ecdsa_secp256r1_sha256, the server's first.
 */
static const struct {
    const char *suite;
    uint16_t id;
    test_key key;
    uint16_t scheme;
} ecdhe[] = {
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xc02b, TK_P256, 0x0403},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xc02b, TK_P384, 0x0403},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xc02b, TK_ED25519, 0x0807},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0xc02c, TK_P256, 0x0403},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0xc02c, TK_P384, 0x0403},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0xc02c, TK_ED25519, 0x0807},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", 0xcca9, TK_P256, 0x0403},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", 0xcca9, TK_P384, 0x0403},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", 0xcca9, TK_ED25519, 0x0807},
    /* RSA: PSS with the rsaEncryption key (rsae), with the PSS key (pss) */
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xc02f, TK_RSA2048, 0x0804},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xc02f, TK_RSA_PSS, 0x0809},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 0xc030, TK_RSA2048, 0x0804},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 0xc030, TK_RSA_PSS, 0x0809},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0xcca8, TK_RSA2048, 0x0804},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0xcca8, TK_RSA_PSS, 0x0809},
};

static void check_pair(kit_pair *p, uint16_t suite, uint16_t group, uint16_t scheme)
{
    for (int side = 0; side < 2; side++) {
        clasp_conn *c = side ? p->server : p->client;
        assert_int_equal(clasp_conn_cipher_suite(c), suite);
        assert_int_equal(clasp_conn_group(c), group);
    }
    assert_int_equal(clasp_conn_peer_signature_scheme(p->client), scheme);
    assert_int_equal(clasp_conn_peer_signature_scheme(p->server), 0);
    assert_int_equal(clasp_conn_peer_cert_count(p->client), 1);
    assert_int_equal(clasp_conn_peer_cert_count(p->server), 0);
    kit_exchange(p, 3000);
}

/* The curve of an ECDSA key, which a TLS 1.2 client must list too (RFC 8422 4), or NULL. */
static const char *cert_curve(test_key k)
{
    return k == TK_P256 ? "secp256r1" : k == TK_P384 ? "secp384r1" : NULL;
}

static void test_ecdhe_matrix(void **state)
{
    (void)state;
    for (size_t s = 0; s < ARRAY_LEN(ecdhe); s++)
        for (size_t g = 0; g < ARRAY_LEN(groups); g++) {
            /* The server is held to the group; the client offers it and the cert's curve. */
            const char *curve = cert_curve(ecdhe[s].key);
            char list[64];
            int extra = curve && strcmp(curve, groups[g].name) != 0;
            snprintf(list, sizeof(list), "%s%s%s", groups[g].name, extra ? ":" : "",
                     extra ? curve : "");
            clasp_config *ccfg = client12(), *scfg = server12(ecdhe[s].key);
            assert_int_equal(clasp_config_set_cipher_suites(ccfg, ecdhe[s].suite), 0);
            assert_int_equal(clasp_config_set_groups(ccfg, list), 0);
            assert_int_equal(clasp_config_set_groups(scfg, groups[g].name), 0);
            kit_pair p;
            kit_open(&p, ccfg, scfg, "server.test");
            kit12_handshake(&p);
            check_pair(&p, ecdhe[s].id, groups[g].id, ecdhe[s].scheme);
            kit_close(&p);
        }
}

/* An ECDHE suite never takes an FFDHE group (RFC 7919 2), whatever both sides list first. */
static void test_ecdhe_skips_ffdhe(void **state)
{
    (void)state;
    for (int pref = 0; pref < 2; pref++) {
        clasp_config *ccfg = client12(), *scfg = server12(TK_P256);
        assert_int_equal(clasp_config_set_groups(ccfg, "ffdhe2048:x448:secp256r1"), 0);
        assert_int_equal(clasp_config_set_groups(scfg, "ffdhe3072:ffdhe2048:x448"), 0);
        assert_int_equal(clasp_config_set_server_preference(scfg, pref), 0);
        kit_pair p;
        kit_open(&p, ccfg, scfg, "server.test");
        kit12_handshake(&p);
        assert_int_equal(clasp_conn_group(p.client), 0x001e);
        kit_close(&p);
    }
}

/*
 * A P-521 certificate in TLS 1.2: ECDHE_ECDSA when the client lists secp521r1 (RFC 8422 4),
 * signed with the server's first ECDSA scheme the client offers (TLS 1.2 does not bind the
 * curve to the scheme); none without it.
 */
static void test_p521_certificate12(void **state)
{
    (void)state;
    test_cert p521;
    test_cert_opts server = {.cn = "server.test", .san = "DNS:server.test"};
    test_issue(kit.ca, TK_P521, &server, &p521);
    kit_pair p;
    clasp_config *ccfg = client12();
    assert_int_equal(clasp_config_set_groups(ccfg, "x25519:secp521r1"), 0);
    kit_open(&p, ccfg, kit12_server(&p521, V12, V12), "server.test");
    kit12_handshake(&p);
    check_pair(&p, 0xc02b, 0x001d, 0x0403);
    kit_close(&p);
    ccfg = client12();
    assert_int_equal(clasp_config_set_groups(ccfg, "x25519"), 0);
    assert_int_equal(clasp_config_set_signature_schemes(ccfg, "ecdsa_secp521r1_sha512"), 0);
    kit_open(&p, ccfg, kit12_server(&p521, V12, V12), "server.test");
    assert_int_not_equal(pair_handshake(p.client, p.server), 0);
    assert_int_equal(clasp_conn_error(p.server), CLASP_ERR_HANDSHAKE_FAILURE);
    kit_close(&p);
    test_cert_free(&p521);
}

/* ---- DHE_RSA over RFC 7919 groups (opt-in) ---- */

#define DHE_ALL                                                                                    \
    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256:TLS_DHE_RSA_WITH_AES_256_GCM_SHA384:"                     \
    "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"

static void dhe_pair(kit_pair *p, const char *suites, const char *cgroups, const char *sgroups,
                     test_key key)
{
    clasp_config *ccfg = client12(), *scfg = server12(key);
    assert_int_equal(clasp_config_set_cipher_suites(ccfg, suites), 0);
    assert_int_equal(clasp_config_set_groups(ccfg, cgroups), 0);
    assert_int_equal(clasp_config_set_cipher_suites(scfg, suites), 0);
    assert_int_equal(clasp_config_set_groups(scfg, sgroups), 0);
    kit_open(p, ccfg, scfg, "server.test");
}

static void test_dhe_matrix(void **state)
{
    (void)state;
    static const struct {
        const char *suite, *group;
        uint16_t id, group_id;
        test_key key;
        uint16_t scheme;
    } cases[] = {
        {"TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "ffdhe2048", 0x009e, 0x0100, TK_RSA2048, 0x0804},
        {"TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "ffdhe2048", 0x009f, 0x0100, TK_RSA2048, 0x0804},
        {"TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ffdhe2048", 0xccaa, 0x0100, TK_RSA2048,
         0x0804},
        {"TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "ffdhe2048", 0x009e, 0x0100, TK_RSA_PSS, 0x0809},
        {"TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "ffdhe3072", 0x009f, 0x0101, TK_RSA2048, 0x0804},
        {"TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ffdhe4096", 0xccaa, 0x0102, TK_RSA_PSS,
         0x0809},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        kit_pair p;
        dhe_pair(&p, cases[i].suite, cases[i].group, cases[i].group, cases[i].key);
        kit12_handshake(&p);
        check_pair(&p, cases[i].id, cases[i].group_id, cases[i].scheme);
        kit_close(&p);
    }
}

/* No FFDHE group configured: a client does not offer its DHE suites (RFC 7919 3: it "MUST be
 * able and willing to perform a DH key exchange" in what it offers), a server serves none. */
static void test_dhe_needs_a_group(void **state)
{
    (void)state;
    kit_pair p;
    dhe_pair(&p, DHE_ALL ":TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "x25519", "x25519:ffdhe2048",
             TK_RSA2048);
    kit12_handshake(&p);
    assert_int_equal(clasp_conn_cipher_suite(p.client), 0xc02f);
    kit_close(&p);
    dhe_pair(&p, DHE_ALL ":TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "x25519:ffdhe2048", "x25519",
             TK_RSA2048);
    kit12_handshake(&p);
    assert_int_equal(clasp_conn_cipher_suite(p.client), 0xc02f);
    kit_close(&p);
}

/*
 * RFC 7919 4: FFDHE groups listed and none acceptable: "the server MUST NOT select an FFDHE
 * cipher suite"; with no other suite in common, "insufficient_security(71)".
 */
static void test_dhe_no_common_group(void **state)
{
    (void)state;
    kit_pair p;
    dhe_pair(&p, DHE_ALL, "ffdhe4096", "ffdhe2048:ffdhe3072", TK_RSA2048);
    assert_int_not_equal(pair_handshake(p.client, p.server), 0);
    assert_int_equal(clasp_conn_error(p.server), CLASP_ERR_INSUFFICIENT_SECURITY);
    assert_int_equal(clasp_conn_alert_received(p.client), CLASP_ALERT_INSUFFICIENT_SECURITY);
    kit_close(&p);
    /* ... and an ECDHE suite in common: that one. */
    dhe_pair(&p, DHE_ALL ":TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ffdhe4096:x25519",
             "ffdhe2048:x25519", TK_RSA2048);
    kit12_handshake(&p);
    assert_int_equal(clasp_conn_cipher_suite(p.client), 0xc02f);
    kit_close(&p);
}

/* RFC 7919 4: "the server SHOULD select an FFDHE group at least as strong as the server's
 * public key": ffdhe4096 for an RSA-4096 key, though the server prefers ffdhe2048. */
static void test_dhe_group_as_strong_as_key(void **state)
{
    (void)state;
    test_cert rsa4096;
    test_cert_opts server = {.cn = "server.test", .san = "DNS:server.test"};
    test_issue(kit.ca, TK_RSA4096, &server, &rsa4096);
    kit_pair p;
    clasp_config *ccfg = client12(), *scfg = kit12_server(&rsa4096, V12, V12);
    assert_int_equal(clasp_config_set_cipher_suites(ccfg, DHE_ALL), 0);
    assert_int_equal(clasp_config_set_groups(ccfg, "ffdhe2048:ffdhe3072:ffdhe4096"), 0);
    assert_int_equal(clasp_config_set_cipher_suites(scfg, DHE_ALL), 0);
    assert_int_equal(clasp_config_set_groups(scfg, "ffdhe2048:ffdhe3072:ffdhe4096"), 0);
    kit_open(&p, ccfg, scfg, "server.test");
    kit12_handshake(&p);
    assert_int_equal(clasp_conn_group(p.client), 0x0102);
    kit_close(&p);
    /* An RSA-2048 key: the server's first, ffdhe2048. */
    dhe_pair(&p, DHE_ALL, "ffdhe4096:ffdhe3072:ffdhe2048", "ffdhe2048:ffdhe3072:ffdhe4096",
             TK_RSA2048);
    kit12_handshake(&p);
    assert_int_equal(clasp_conn_group(p.client), 0x0100);
    kit_close(&p);
    test_cert_free(&rsa4096);
}

/* supported_groups rewritten in the ClientHello (arg: the new body). */
static int edit_groups(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    const uint8_t *body = arg;
    kit_exts e;
    kit_exts_read(msg, len, &e);
    kit_exts_set(&e, CL_EXT_SUPPORTED_GROUPS, body, 2 + ((size_t)body[0] << 8 | body[1]));
    kit_exts_write(msg, len, &e, out);
    return 0;
}

/*
 * RFC 7919 4: a client that lists no FFDHE group does not know RFC 7919; the server "MAY ...
 * select an FFDHE cipher suite and offer an FFDHE group of its choice": its first. One that
 * lists only an FFDHE group the server does not know gets no DHE suite.
 */
static void test_dhe_client_without_ffdhe_groups(void **state)
{
    (void)state;
    static const uint8_t x25519_only[] = {0, 2, 0x00, 0x1d};
    static const uint8_t unknown_ffdhe[] = {0, 4, 0x00, 0x1d, 0x01, 0xfc};
    kit_pair p;
    dhe_pair(&p, DHE_ALL, "ffdhe3072:ffdhe2048", "ffdhe2048:ffdhe3072", TK_RSA2048);
    kit_hook h = {.type = CL_HS_CLIENT_HELLO, .edit = edit_groups, .arg = (void *)x25519_only};
    kit_hook_install(p.client, &h);
    kit12_handshake(&p);
    assert_int_equal(clasp_conn_group(p.client), 0x0100);
    assert_int_equal(clasp_conn_group(p.server), 0x0100);
    kit_close(&p);
    dhe_pair(&p, DHE_ALL ":TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ffdhe2048:x25519",
             "ffdhe2048:x25519", TK_RSA2048);
    kit_hook u = {.type = CL_HS_CLIENT_HELLO, .edit = edit_groups, .arg = (void *)unknown_ffdhe};
    kit_hook_install(p.client, &u);
    kit12_handshake(&p);
    assert_int_equal(clasp_conn_cipher_suite(p.client), 0xc02f);
    kit_close(&p);
}

/* A DH public value with a zero byte in front: the same integer, accepted (dh_Ys and dh_Yc
 * are opaque<1..2^16-1>, and RFC 5246 does not fix their length). */
static int edit_ske_ys_zero(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out,
                            void *arg)
{
    (void)arg;
    cl_server_key_exchange_dhe ske;
    uint8_t params[6 + 512 + 1 + 513];
    assert_int_equal(cl_server_key_exchange_dhe_parse(msg + 4, len - 4, &ske), 0);
    cl_writer w;
    cl_writer_fixed(&w, params, sizeof(params));
    cl_write_vec(&w, 2, ske.p, ske.p_len);
    cl_write_vec(&w, 2, ske.g, ske.g_len);
    cl_write_u16(&w, (uint16_t)(ske.ys_len + 1));
    cl_write_u8(&w, 0);
    cl_write_bytes(&w, ske.ys, ske.ys_len);
    assert_int_equal(cl_writer_finish(&w), 0);
    kit12_put_ske(c, params, w.len, out);
    return 0;
}

static int edit_cke_yc_zero(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out,
                            void *arg)
{
    (void)c, (void)arg;
    cl_write_u8(out, CL_HS_CLIENT_KEY_EXCHANGE);
    cl_write_u24(out, (uint32_t)(len - 4 + 1));
    cl_write_u16(out, (uint16_t)(len - 6 + 1));
    cl_write_u8(out, 0);
    cl_write_bytes(out, msg + 6, len - 6);
    return 0;
}

static void test_dhe_values_with_leading_zeros(void **state)
{
    (void)state;
    kit_pair p;
    dhe_pair(&p, DHE_ALL, "ffdhe2048", "ffdhe2048", TK_RSA2048);
    kit_hook s = {.type = CL_HS_SERVER_KEY_EXCHANGE, .edit = edit_ske_ys_zero};
    kit_hook c = {.type = CL_HS_CLIENT_KEY_EXCHANGE, .edit = edit_cke_yc_zero};
    kit_hook_install(p.server, &s);
    kit_hook_install(p.client, &c);
    kit12_handshake(&p);
    assert_int_equal(s.edited, 1);
    assert_int_equal(c.edited, 1);
    kit_exchange(&p, 1000);
    kit_close(&p);
}

/*
 * RFC 5246 8.1.2: "leading bytes of Z that contain all zero bits are stripped before it is
 * used as the pre_master_secret". A known answer: exponents tried until Z = Y^x mod p (computed
 * here with BIGNUMs) starts with a zero byte; the pre-master secret is Z without it, whether
 * Y comes padded or not.
 */
static void test_dh_premaster_strips_zeros(void **state)
{
    (void)state;
    const uint8_t *prime;
    size_t n, ylen, pms_len;
    uint8_t g, y[CL_MAX_KEX_PUBLIC_LEN], pms[CL_MAX_KEX_SECRET_LEN], z[CL_MAX_KEX_SECRET_LEN];
    cl_kex *peer = NULL, *k = NULL;
    assert_int_equal(cl_kex_ffdhe_params(CL_GROUP_FFDHE2048, &prime, &n, &g), 0);
    assert_int_equal(cl_kex_generate(&peer, CL_GROUP_FFDHE2048), 0);
    assert_int_equal(cl_kex_public(peer, y, sizeof(y), &ylen), 0);
    BIGNUM *bp = BN_bin2bn(prime, (int)n, NULL), *by = BN_bin2bn(y, (int)ylen, NULL);
    BIGNUM *bx = BN_new(), *bz = BN_new();
    BN_CTX *bn = BN_CTX_new();
    int found = 0;
    for (uint16_t x = 2; x < 10000 && !found; x++) {
        uint8_t xb[2] = {(uint8_t)(x >> 8), (uint8_t)x};
        assert_int_equal(BN_set_word(bx, x), 1);
        assert_int_equal(BN_mod_exp(bz, by, bx, bp, bn), 1);
        if (BN_num_bytes(bz) >= (int)n)
            continue;
        found = 1;
        int zl = BN_bn2bin(bz, z);
        assert_int_equal(cl_kex_from_private(&k, CL_GROUP_FFDHE2048, xb, 2), 0);
        assert_int_equal(cl_12_dh_premaster(k, y, ylen, pms, &pms_len), 0);
        assert_int_equal(pms_len, (size_t)zl);
        assert_memory_equal(pms, z, pms_len);
        size_t lead = 0; /* Y's own leading zeros, if it has any, make no difference */
        while (y[lead] == 0)
            lead++;
        assert_int_equal(cl_12_dh_premaster(k, y + lead, ylen - lead, pms, &pms_len), 0);
        assert_int_equal(pms_len, (size_t)zl);
        assert_memory_equal(pms, z, pms_len);
        cl_kex_free(k);
    }
    assert_true(found);
    BN_free(bp), BN_free(by), BN_free(bx), BN_free(bz);
    BN_CTX_free(bn);
    cl_kex_free(peer);
}

/*
 * RFC 8422 4: a client that lists only x25519 cannot take a P-256 certificate: a server with
 * an RSA certificate too uses ECDHE_RSA; with the P-256 one alone it fails.
 */
static void test_ecdsa_curve_not_offered(void **state)
{
    (void)state;
    clasp_config *scfg = server12(TK_P256);
    kit_add_cert(scfg, &kit.server[TK_RSA2048]);
    clasp_config *ccfg = client12();
    assert_int_equal(clasp_config_set_groups(ccfg, "x25519"), 0);
    kit_pair p;
    kit_open(&p, ccfg, scfg, "server.test");
    kit12_handshake(&p);
    assert_int_equal(clasp_conn_cipher_suite(p.client), 0xc02f); /* ECDHE_RSA_AES_128 */
    kit_close(&p);

    ccfg = client12();
    assert_int_equal(clasp_config_set_groups(ccfg, "x25519"), 0);
    kit_open(&p, ccfg, server12(TK_P256), "server.test");
    assert_int_not_equal(pair_handshake(p.client, p.server), 0);
    assert_int_equal(clasp_conn_error(p.server), CLASP_ERR_HANDSHAKE_FAILURE);
    assert_int_equal(clasp_conn_alert_received(p.client), CLASP_ALERT_HANDSHAKE_FAILURE);
    kit_close(&p);
}

/* The client's supported_groups read whole: secp256r1 after 100 unknown groups still admits
 * the P-256 certificate (RFC 8422 4) and is the ECDHE group. */
static void test_long_supported_groups(void **state)
{
    (void)state;
    kit_pair p;
    clasp_config *scfg = server12(TK_P256);
    assert_int_equal(clasp_config_set_groups(scfg, "secp256r1"), 0);
    kit_open(&p, client12(), scfg, "server.test");
    kit_hook h = {.type = CL_HS_CLIENT_HELLO, .edit = edit_long_groups};
    kit_hook_install(p.client, &h);
    kit12_handshake(&p);
    assert_int_equal(clasp_conn_group(p.server), 0x0017);
    assert_int_equal(clasp_conn_cipher_suite(p.server), 0xc02b); /* ECDHE_ECDSA_AES_128 */
    kit_close(&p);
}

static clasp_config *server12_p256(void)
{
    return server12(TK_P256);
}

/* The chain's count bound (test_tls12_alerts.c has the client's side, and 600). */
static void test_chain_count(void **state)
{
    (void)state;
    chain_count_checks(client12, server12_p256, kit12_cert_repeat, kit12_handshake);
}

/*
 * The ServerKeyExchange's scheme comes from the client's signature_algorithms (RFC 5246
 * 7.4.1.4.1, 7.4.3), the server's preference first; in TLS 1.2 an ECDSA scheme names the
 * hash, not the curve (RFC 8446 4.2.3), and PKCS#1 v1.5 is allowed (unlike TLS 1.3's
 * CertificateVerify).
 */
static void test_scheme_from_signature_algorithms(void **state)
{
    (void)state;
    static const struct {
        test_key key;
        const char *schemes;
        uint16_t want;
    } cases[] = {
        {TK_P256, "ecdsa_secp384r1_sha384", 0x0503},
        {TK_P384, "ecdsa_secp384r1_sha384:ecdsa_secp256r1_sha256", 0x0403},
        {TK_RSA2048, "rsa_pkcs1_sha384", 0x0501},
        {TK_RSA2048, "rsa_pkcs1_sha256:rsa_pss_rsae_sha512", 0x0806},
        {TK_RSA_PSS, "rsa_pss_pss_sha384", 0x080a},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        clasp_config *ccfg = client12();
        assert_int_equal(clasp_config_set_signature_schemes(ccfg, cases[i].schemes), 0);
        kit_pair p;
        kit_open(&p, ccfg, server12(cases[i].key), "server.test");
        kit12_handshake(&p);
        assert_int_equal(clasp_conn_peer_signature_scheme(p.client), cases[i].want);
        kit_exchange(&p, 100);
        kit_close(&p);
    }
}

/* RSA key exchange: no ServerKeyExchange, so no group and no signature from the server. */
static void test_rsa_key_exchange(void **state)
{
    (void)state;
    static const struct {
        const char *suite;
        uint16_t id;
    } rsa[] = {{"TLS_RSA_WITH_AES_128_GCM_SHA256", 0x009c},
               {"TLS_RSA_WITH_AES_256_GCM_SHA384", 0x009d}};
    for (size_t s = 0; s < ARRAY_LEN(rsa); s++) {
        clasp_config *ccfg = client12(), *scfg = server12(TK_RSA2048);
        assert_int_equal(clasp_config_set_cipher_suites(ccfg, rsa[s].suite), 0);
        assert_int_equal(clasp_config_set_cipher_suites(scfg, rsa[s].suite), 0);
        kit_pair p;
        kit_hook sh = {0};
        kit_open(&p, ccfg, scfg, "server.test");
        kit_hook_install(p.server, &sh);
        kit12_handshake(&p);
        assert_int_equal(sh.count[CL_HS_SERVER_KEY_EXCHANGE], 0);
        check_pair(&p, rsa[s].id, 0, 0);
        kit_close(&p);
    }
}

/* RSA key exchange is implemented but not offered by default (no forward secrecy). */
static void test_rsa_key_exchange_not_default(void **state)
{
    (void)state;
    clasp_config *scfg = server12(TK_RSA2048);
    assert_int_equal(clasp_config_set_cipher_suites(scfg, "TLS_RSA_WITH_AES_128_GCM_SHA256:"
                                                          "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
                     0);
    kit_pair p;
    kit_open(&p, client12(), scfg, "server.test");
    kit12_handshake(&p);
    assert_int_equal(clasp_conn_cipher_suite(p.client), 0xc02f);
    kit_close(&p);
}

/* ---- client certificates ---- */

/* The CertificateRequest's certificate types, signature algorithms and CA names. */
static void check_certificate_request(const kit_msg *m)
{
    cl_certificate_request12 cr;
    assert_true(m->len > 4);
    assert_int_equal(cl_certificate_request12_parse(m->data + 4, m->len - 4, &cr), 0);
    uint8_t types[2];
    assert_int_equal(cl_reader_left(&cr.cert_types), 2);
    assert_int_equal(cl_read_copy(&cr.cert_types, types, 2), 0);
    assert_int_equal(types[0], 1);  /* rsa_sign */
    assert_int_equal(types[1], 64); /* ecdsa_sign (RFC 8422 5.5) */
    uint16_t first;
    assert_int_equal(cl_read_u16(&cr.sig_algs, &first), 0);
    assert_int_equal(first, 0x0403);
    /* The one trust anchor's name: the CA that issued the client's certificate. */
    const uint8_t *dn;
    size_t dn_len;
    assert_int_equal(cl_ext_certificate_authorities_next(&cr.authorities, &dn, &dn_len), 0);
    assert_true(dn_len > 10);
    assert_int_equal(cl_reader_left(&cr.authorities), 0);
}

static void client_auth(test_key server_key, clasp_verify_mode mode, int with_cert)
{
    clasp_config *scfg = server12(server_key), *ccfg = client12();
    assert_int_equal(clasp_config_set_verify(scfg, mode), 0);
    if (with_cert)
        kit_add_cert(ccfg, &kit.client);
    kit_pair p;
    kit_msg cr = {0};
    kit_hook sh = {.type = CL_HS_CERTIFICATE_REQUEST, .edit = kit12_capture, .arg = &cr};
    kit_hook ch = {0};
    kit_open(&p, ccfg, scfg, "server.test");
    kit_hook_install(p.server, &sh);
    kit_hook_install(p.client, &ch);
    kit12_handshake(&p);
    int asked = mode != CLASP_VERIFY_NONE, sent = asked && with_cert;
    assert_int_equal(sh.count[CL_HS_CERTIFICATE_REQUEST], asked);
    if (asked)
        check_certificate_request(&cr);
    /* RFC 5246 7.4.6: asked, the client answers with a Certificate, empty when it has none. */
    assert_int_equal(ch.count[CL_HS_CERTIFICATE], asked);
    assert_int_equal(ch.count[CL_HS_CERTIFICATE_VERIFY], sent);
    assert_int_equal(clasp_conn_peer_cert_count(p.server), sent);
    assert_int_equal(clasp_conn_peer_signature_scheme(p.server), sent ? 0x0403 : 0);
    assert_int_equal(clasp_conn_peer_cert_count(p.client), 1);
    kit_exchange(&p, 1000);
    kit_close(&p);
}

static void test_client_cert_require(void **state)
{
    (void)state;
    client_auth(TK_P256, CLASP_VERIFY_REQUIRE, 1);
    client_auth(TK_RSA2048, CLASP_VERIFY_REQUIRE, 1);
}

static void test_client_cert_optional(void **state)
{
    (void)state;
    client_auth(TK_P256, CLASP_VERIFY_OPTIONAL, 1);
}

static void test_client_cert_optional_none(void **state)
{
    (void)state;
    client_auth(TK_P256, CLASP_VERIFY_OPTIONAL, 0);
}

static void test_client_cert_not_asked(void **state)
{
    (void)state;
    client_auth(TK_P256, CLASP_VERIFY_NONE, 1);
}

/* The CertificateRequest's certificate types set to rsa_sign only. */
static int rsa_sign_only(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c, (void)arg;
    kit_splice(msg, len, 4, 1 + (size_t)msg[4], "\1\1", 2, out);
    return 0;
}

/* RFC 5246 7.4.6: "If no suitable certificate is available, the client MUST send a
 * certificate message containing no certificates": the client's ECDSA certificate is not of
 * a type the server asked for; a server that does not require one goes on without. */
static void test_client_cert_type_not_requested(void **state)
{
    (void)state;
    clasp_config *scfg = server12(TK_P256), *ccfg = client12();
    assert_int_equal(clasp_config_set_verify(scfg, CLASP_VERIFY_OPTIONAL), 0);
    kit_add_cert(ccfg, &kit.client);
    kit_pair p;
    kit_hook hs = {.type = CL_HS_CERTIFICATE_REQUEST, .edit = rsa_sign_only};
    kit_hook hc = {0};
    kit_open(&p, ccfg, scfg, "server.test");
    kit_hook_install(p.server, &hs);
    kit_hook_install(p.client, &hc);
    kit12_handshake(&p);
    assert_int_equal(hs.edited, 1);
    assert_int_equal(hc.count[CL_HS_CERTIFICATE], 1);
    assert_int_equal(hc.count[CL_HS_CERTIFICATE_VERIFY], 0);
    assert_int_equal(clasp_conn_peer_cert_count(p.server), 0);
    kit_exchange(&p, 100);
    kit_close(&p);
}

/* ---- ALPN and SNI ---- */

static void alpn(const char *client, const char *server, const char *want)
{
    alpn_check(client12(), server12(TK_P256), kit12_handshake, client, server, want);
}

static void test_alpn(void **state)
{
    (void)state;
    alpn("h2,http/1.1", "http/1.1,h2", "http/1.1"); /* the server's preference */
    alpn("h2", "http/1.1,h2", "h2");
    alpn("h2", NULL, NULL);
    alpn(NULL, "h2", NULL);
}

static void sni_open(kit_pair *p, struct sni *s, const char *host)
{
    clasp_config *scfg = server12(TK_P256);
    sni_attach(s, scfg, kit12_server(&kit.other_name, V12, V12));
    kit_open(p, client12(), scfg, host);
}

static void test_sni(void **state)
{
    (void)state;
    kit_pair p;
    struct sni s;
    sni_open(&p, &s, "other.test");
    kit12_handshake(&p);
    assert_int_equal(s.calls, 1);
    assert_string_equal(s.seen, "other.test");
    assert_string_equal(clasp_conn_server_name(p.server), "other.test");
    peer_cert_names(p.client, "other.test");
    kit_exchange(&p, 100);
    kit_close(&p);
    clasp_config_free(s.other);

    sni_open(&p, &s, "server.test");
    kit12_handshake(&p);
    assert_string_equal(s.seen, "server.test");
    peer_cert_names(p.client, "server.test");
    kit_close(&p);
    clasp_config_free(s.other);

    /* An IP address is not sent as a name (RFC 6066 3). */
    sni_open(&p, &s, "127.0.0.1");
    kit12_handshake(&p);
    assert_string_equal(s.seen, "(none)");
    assert_null(clasp_conn_server_name(p.server));
    kit_close(&p);
    clasp_config_free(s.other);

    sni_open(&p, &s, "unknown.test");
    assert_int_equal(pair_handshake(p.client, p.server), CLASP_ERR_ALERT_RECEIVED);
    assert_int_equal(clasp_conn_error(p.server), CLASP_ERR_UNRECOGNIZED_NAME);
    assert_int_equal(clasp_conn_alert_sent(p.server), CLASP_ALERT_UNRECOGNIZED_NAME);
    assert_int_equal(clasp_conn_alert_received(p.client), CLASP_ALERT_UNRECOGNIZED_NAME);
    kit_close(&p);
    clasp_config_free(s.other);
}

/* ---- resumption by session ID (RFC 5246 7.3, 7.4.1.2, 7.4.1.3) ---- */

/* A full handshake; its session (the caller frees it). */
static clasp_session *full_handshake(clasp_config *ccfg, clasp_config *scfg, const char *host)
{
    kit_pair p;
    kit_open(&p, clasp_config_up_ref(ccfg), clasp_config_up_ref(scfg), host);
    kit12_handshake(&p);
    assert_int_equal(clasp_conn_resumed(p.client), 0);
    clasp_session *sess = clasp_conn_get_session(p.client);
    assert_non_null(sess);
    kit_close(&p);
    return sess;
}

/* Offers the session; returns whether the handshake resumed it (data flows either way). */
static int offer_session(clasp_config *ccfg, clasp_config *scfg, const char *host,
                         clasp_session *sess)
{
    kit_pair p;
    kit_open(&p, clasp_config_up_ref(ccfg), clasp_config_up_ref(scfg), host);
    assert_int_equal(clasp_conn_set_session(p.client, sess), 0);
    kit12_handshake(&p);
    int resumed = clasp_conn_resumed(p.client);
    kit_exchange(&p, 500);
    kit_close(&p);
    return resumed;
}

static void same_certs(clasp_conn *a, clasp_conn *b)
{
    assert_int_equal(clasp_conn_peer_cert_count(a), clasp_conn_peer_cert_count(b));
    for (size_t i = 0; i < clasp_conn_peer_cert_count(a); i++) {
        size_t la, lb;
        const uint8_t *ca = clasp_conn_peer_cert(a, i, &la), *cb = clasp_conn_peer_cert(b, i, &lb);
        assert_int_equal(la, lb);
        assert_memory_equal(ca, cb, la);
    }
}

static void test_resumption(void **state)
{
    (void)state;
    clasp_config *scfg = server12(TK_P256), *ccfg = client12();
    assert_int_equal(clasp_config_set_verify(scfg, CLASP_VERIFY_REQUIRE), 0);
    kit_add_cert(ccfg, &kit.client);

    /* A full handshake; the server names the session it caches. */
    kit_pair full;
    kit_msg sh1 = {0};
    kit_hook h1 = {.type = CL_HS_SERVER_HELLO, .edit = kit12_capture, .arg = &sh1};
    kit_open(&full, clasp_config_up_ref(ccfg), clasp_config_up_ref(scfg), "server.test");
    kit_hook_install(full.server, &h1);
    kit12_handshake(&full);
    assert_int_equal(sh1.data[KIT_HELLO_SID_OFF], 32);
    clasp_session *sess = clasp_conn_get_session(full.client);
    assert_non_null(sess);
    assert_int_equal(clasp_session_version(sess), CLASP_TLS12);
    assert_int_equal(clasp_session_is_resumable(sess), 1);

    /* The abbreviated handshake: the client offers the ID, the server echoes it and sends
     * ChangeCipherSpec and Finished at once; the client answers with its own. */
    kit_pair p;
    kit_msg ch = {0}, sh = {0};
    kit_hook hc = {.type = CL_HS_CLIENT_HELLO, .edit = kit12_capture, .arg = &ch};
    kit_hook hs = {.type = CL_HS_SERVER_HELLO, .edit = kit12_capture, .arg = &sh};
    kit_open(&p, clasp_config_up_ref(ccfg), clasp_config_up_ref(scfg), "server.test");
    assert_int_equal(clasp_conn_set_session(p.client, sess), 0);
    kit_hook_install(p.client, &hc);
    kit_hook_install(p.server, &hs);
    assert_int_equal(kit_move(p.client, p.server), 0);
    assert_memory_equal(ch.data + KIT_HELLO_SID_OFF, sh1.data + KIT_HELLO_SID_OFF, 33);
    size_t len;
    uint8_t *flight = kit_take(p.server, &len);
    kit_rec recs[8];
    assert_int_equal(kit_records(flight, len, recs, 8), 3);
    assert_int_equal(recs[0].type, CL_CT_HANDSHAKE); /* ServerHello alone */
    assert_int_equal(recs[0].body[0], CL_HS_SERVER_HELLO);
    assert_int_equal(recs[0].len, sh.len);
    assert_int_equal(recs[1].type, CL_CT_CHANGE_CIPHER_SPEC);
    assert_int_equal(recs[2].type, CL_CT_HANDSHAKE); /* Finished, protected */
    assert_int_equal(recs[2].len, 8 + 16 + 16);
    assert_memory_equal(sh.data + KIT_HELLO_SID_OFF, sh1.data + KIT_HELLO_SID_OFF, 33);
    assert_int_equal(kit_feed(p.client, flight, len), 0);
    free(flight);
    assert_int_equal(hc.count[CL_HS_CERTIFICATE], 0);
    kit12_handshake(&p);
    assert_int_equal(hs.count[CL_HS_CERTIFICATE], 0);
    assert_int_equal(hs.count[CL_HS_SERVER_KEY_EXCHANGE], 0);
    assert_int_equal(hc.count[CL_HS_CLIENT_KEY_EXCHANGE], 0);
    assert_int_equal(clasp_conn_resumed(p.client), 1);
    assert_int_equal(clasp_conn_resumed(p.server), 1);
    assert_int_equal(clasp_conn_cipher_suite(p.client), clasp_conn_cipher_suite(full.client));
    /* Both sides report the certificates the session was made with. */
    same_certs(p.client, full.client);
    same_certs(p.server, full.server);
    assert_int_equal(clasp_conn_peer_cert_count(p.server), 1);
    assert_string_equal(clasp_conn_server_name(p.server), "server.test");
    kit_exchange(&p, 3000);

    /* A resumed connection's session resumes again, and again. */
    clasp_session *again = clasp_conn_get_session(p.client);
    assert_ptr_equal(again, sess); /* the same session: the handle is shared */
    assert_int_equal(offer_session(ccfg, scfg, "server.test", again), 1);
    assert_int_equal(offer_session(ccfg, scfg, "server.test", sess), 1);
    clasp_session_free(again);
    clasp_session_free(sess);
    kit_close(&p);
    kit_close(&full);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

static void test_session_api(void **state)
{
    (void)state;
    kit_pair p;
    kit_open(&p, client12(), server12(TK_P256), "server.test");
    assert_null(clasp_conn_get_session(p.client)); /* not before the handshake */
    assert_int_equal(clasp_conn_set_session(p.client, NULL), CLASP_ERR_INVALID_ARG);
    kit12_handshake(&p);
    /* Servers have sessions in their cache, not to export; a started client takes none. */
    assert_null(clasp_conn_get_session(p.server));
    clasp_session *sess = clasp_conn_get_session(p.client);
    assert_non_null(sess);
    assert_int_equal(clasp_conn_set_session(p.client, sess), CLASP_ERR_STATE);
    assert_int_equal(clasp_conn_set_session(p.server, sess), CLASP_ERR_STATE);
    clasp_session_free(sess);
    kit_close(&p);
}

/* A copy of the cached session the ServerHello sh named; 0, or CLASP_ERR_STATE when absent. */
static int cache_entry(clasp_config *scfg, const kit_msg *sh, cl_session *out)
{
    return cl_session_cache_get(&scfg->cache, sh->data + KIT_HELLO_SID_OFF + 1,
                                sh->data[KIT_HELLO_SID_OFF], (uint64_t)time(NULL), out);
}

/* The cached session sh named, stored again as made at `created`. */
static void age_entry(clasp_config *scfg, const kit_msg *sh, uint64_t created)
{
    cl_session e;
    assert_int_equal(cache_entry(scfg, sh, &e), 0);
    e.created = created;
    assert_int_equal(cl_session_cache_put(&scfg->cache, &e), 0);
    cl_session_clear(&e);
}

/* A full handshake whose ServerHello is kept in sh; its session (the caller frees it). */
static clasp_session *full_handshake_sh(clasp_config *ccfg, clasp_config *scfg, kit_msg *sh)
{
    kit_pair p;
    kit_hook h = {.type = CL_HS_SERVER_HELLO, .edit = kit12_capture, .arg = sh};
    kit_open(&p, clasp_config_up_ref(ccfg), clasp_config_up_ref(scfg), "server.test");
    kit_hook_install(p.server, &h);
    kit12_handshake(&p);
    clasp_session *sess = clasp_conn_get_session(p.client);
    assert_non_null(sess);
    kit_close(&p);
    return sess;
}

/* RFC 5246 7.4.1.2 / F.1.4: sessions expire; an expired one gets a full handshake. */
static void test_resumption_expired(void **state)
{
    (void)state;
    clasp_config *scfg = server12(TK_P256), *ccfg = client12();
    kit_msg sh1 = {0}, sh2 = {0};
    clasp_session *s1 = full_handshake_sh(ccfg, scfg, &sh1);
    clasp_session *s2 = full_handshake_sh(ccfg, scfg, &sh2);
    uint64_t now = (uint64_t)time(NULL);
    cl_session e;
    assert_int_equal(cache_entry(scfg, &sh1, &e), 0);
    assert_int_equal(e.lifetime, 7200);
    cl_session_clear(&e);
    age_entry(scfg, &sh1, now - 7300); /* older than the default lifetime of 7200 s */
    age_entry(scfg, &sh2, now - 7000); /* still young enough */
    assert_int_equal(cl_session_cache_count(&scfg->cache), 2);
    assert_int_equal(offer_session(ccfg, scfg, "server.test", s1), 0);
    /* dropped when found expired; the full handshake instead stored a new one */
    assert_int_equal(cache_entry(scfg, &sh1, &e), CLASP_ERR_STATE);
    assert_int_equal(cl_session_cache_count(&scfg->cache), 2);
    assert_int_equal(offer_session(ccfg, scfg, "server.test", s2), 1);
    clasp_session_free(s1);
    clasp_session_free(s2);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

/* The session was made for another server name (RFC 6066 3: "the server MUST NOT accept the
 * request to resume the session if the server_name extension contains a different name"). */
static void test_resumption_other_name(void **state)
{
    (void)state;
    clasp_config *scfg = server12(TK_P256), *ccfg = client12();
    clasp_session *sess = full_handshake(ccfg, scfg, "server.test");
    /* Not offered by the client for another name; refused by the server when it is. */
    assert_int_equal(offer_session(ccfg, scfg, "127.0.0.1", sess), 0); /* no name at all */
    cl_session *forged = &sess->s; /* as if the client had bound it to no name */
    uint8_t verify_id[32];
    memcpy(verify_id, forged->verify_id, sizeof(verify_id));
    forged->server_name[0] = 0;
    kit_pair p;
    kit_open(&p, clasp_config_up_ref(ccfg), clasp_config_up_ref(scfg), "127.0.0.1");
    assert_int_equal(cl_verify_id(p.client, forged->verify_id), 0);
    assert_int_equal(clasp_conn_set_session(p.client, sess), 0);
    kit12_handshake(&p);
    assert_int_equal(clasp_conn_resumed(p.client), 0); /* offered, and refused */
    kit_close(&p);
    memcpy(forged->verify_id, verify_id, sizeof(verify_id));
    snprintf(forged->server_name, sizeof(forged->server_name), "server.test");
    assert_int_equal(offer_session(ccfg, scfg, "server.test", sess), 1);
    clasp_session_free(sess);
    sess = full_handshake(ccfg, scfg, "127.0.0.1");
    assert_int_equal(offer_session(ccfg, scfg, "server.test", sess), 0);
    clasp_session_free(sess);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

/* The session's suite is no longer offered by the client: it does not offer the session. */
static void test_resumption_client_suite_gone(void **state)
{
    (void)state;
    clasp_config *scfg = server12(TK_P256), *ccfg = client12();
    assert_int_equal(
        clasp_config_set_cipher_suites(ccfg, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"), 0);
    clasp_session *sess = full_handshake(ccfg, scfg, "server.test");
    clasp_config *c2 = client12();
    assert_int_equal(clasp_config_set_cipher_suites(c2, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
                     0);
    kit_pair p;
    kit_msg ch = {0};
    kit_hook h = {.type = CL_HS_CLIENT_HELLO, .edit = kit12_capture, .arg = &ch};
    kit_open(&p, c2, clasp_config_up_ref(scfg), "server.test");
    assert_int_equal(clasp_conn_set_session(p.client, sess), 0);
    kit_hook_install(p.client, &h);
    kit12_handshake(&p);
    assert_int_equal(ch.data[KIT_HELLO_SID_OFF], 0);
    assert_int_equal(clasp_conn_resumed(p.client), 0);
    assert_int_equal(clasp_conn_cipher_suite(p.client), 0xc02c);
    kit_close(&p);
    clasp_session_free(sess);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

/* An edit that deletes one extension (arg: its type). */
static int del_ext(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    kit_exts e;
    kit_exts_read(msg, len, &e);
    kit_exts_del(&e, *(const uint16_t *)arg);
    kit_exts_write(msg, len, &e, out);
    return 0;
}

static const uint16_t ems_type = CL_EXT_EXTENDED_MASTER_SECRET;

/*
 * RFC 7627 5.2: a server that does not require the extended master secret continues with
 * the standard one when the client does not offer it (and then MUST NOT answer it).
 */
static clasp_session *handshake_without_ems(clasp_config *ccfg, clasp_config *scfg,
                                            clasp_session *sess, int *resumed)
{
    kit_pair p;
    kit_msg sh = {0};
    kit_hook hc = {.type = CL_HS_CLIENT_HELLO, .edit = del_ext, .arg = (void *)&ems_type};
    kit_hook hs = {.type = CL_HS_SERVER_HELLO, .edit = kit12_capture, .arg = &sh};
    kit_open(&p, clasp_config_up_ref(ccfg), clasp_config_up_ref(scfg), "server.test");
    if (sess)
        assert_int_equal(clasp_conn_set_session(p.client, sess), 0);
    kit_hook_install(p.client, &hc);
    kit_hook_install(p.server, &hs);
    kit12_handshake(&p);
    size_t n;
    assert_null(find_ext(&sh, CL_EXT_EXTENDED_MASTER_SECRET, &n));
    kit_exchange(&p, 500);
    *resumed = clasp_conn_resumed(p.client);
    clasp_session *out = clasp_conn_get_session(p.client);
    assert_non_null(out);
    kit_close(&p);
    return out;
}

static void test_ems_optional(void **state)
{
    (void)state;
    clasp_config *scfg = server12(TK_P256), *ccfg = client12();
    assert_int_equal(clasp_config_set_extended_master_secret(scfg, 0), 0);
    assert_int_equal(clasp_config_set_extended_master_secret(ccfg, 0), 0);
    int resumed;
    clasp_session *sess = handshake_without_ems(ccfg, scfg, NULL, &resumed);
    assert_int_equal(resumed, 0);

    /* RFC 7627 5.3: "If the original session did not use the "extended_master_secret"
     * extension but the new ClientHello contains the extension, then the server MUST NOT
     * perform the abbreviated handshake. Instead, it SHOULD continue with a full
     * handshake". */
    kit_pair p;
    kit_msg sh = {0};
    kit_hook hs = {.type = CL_HS_SERVER_HELLO, .edit = kit12_capture, .arg = &sh};
    kit_open(&p, clasp_config_up_ref(ccfg), clasp_config_up_ref(scfg), "server.test");
    assert_int_equal(clasp_conn_set_session(p.client, sess), 0);
    kit_hook_install(p.server, &hs);
    kit12_handshake(&p);
    assert_int_equal(clasp_conn_resumed(p.client), 0);
    size_t len;
    assert_non_null(find_ext(&sh, CL_EXT_EXTENDED_MASTER_SECRET, &len));
    assert_int_equal(len, 0);
    kit_exchange(&p, 500);
    kit_close(&p);

    /* RFC 7627 5.3: with neither the session nor the hello using it, the server "SHOULD
     * abort"; clasp resumes such a session only when the extended master secret is not
     * required (clasp_config_set_extended_master_secret(cfg, 0)). */
    clasp_session *again = handshake_without_ems(ccfg, scfg, sess, &resumed);
    assert_int_equal(resumed, 1);
    clasp_session_free(again);
    clasp_session_free(sess);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

/* Bounded: the oldest session goes when the cache is full. */
static void test_session_cache_bounded(void **state)
{
    (void)state;
    clasp_config *scfg = server12(TK_P256), *ccfg = client12();
    assert_int_equal(clasp_config_set_session_cache(scfg, 2, 3600), 0);
    clasp_session *s[3];
    kit_msg sh[3];
    for (int i = 0; i < 3; i++) {
        memset(&sh[i], 0, sizeof(sh[i]));
        s[i] = full_handshake_sh(ccfg, scfg, &sh[i]);
        assert_true(cl_session_cache_count(&scfg->cache) <= 2);
    }
    cl_session e;
    assert_int_equal(cache_entry(scfg, &sh[0], &e), CLASP_ERR_STATE); /* stored first */
    assert_int_equal(cache_entry(scfg, &sh[2], &e), 0);
    assert_int_equal(e.lifetime, 3600);
    cl_session_clear(&e);
    assert_int_equal(offer_session(ccfg, scfg, "server.test", s[2]), 1);
    assert_int_equal(offer_session(ccfg, scfg, "server.test", s[1]), 1);
    assert_int_equal(offer_session(ccfg, scfg, "server.test", s[0]), 0);
    for (int i = 0; i < 3; i++)
        clasp_session_free(s[i]);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

/* RFC 5246 7.4.1.3: an empty session ID: "the session will not be cached and therefore
 * cannot be resumed". */
static void test_session_cache_disabled(void **state)
{
    (void)state;
    clasp_config *scfg = server12(TK_P256), *ccfg = client12();
    assert_int_equal(clasp_config_set_session_cache(scfg, 0, 3600), 0);
    kit_msg sh = {0};
    clasp_session *sess = full_handshake_sh(ccfg, scfg, &sh);
    assert_int_equal(sh.data[KIT_HELLO_SID_OFF], 0);
    assert_int_equal(clasp_session_is_resumable(sess), 0); /* neither an ID nor a ticket */
    kit_pair p;
    kit_msg ch = {0};
    kit_hook h = {.type = CL_HS_CLIENT_HELLO, .edit = kit12_capture, .arg = &ch};
    kit_open(&p, clasp_config_up_ref(ccfg), clasp_config_up_ref(scfg), "server.test");
    assert_int_equal(clasp_conn_set_session(p.client, sess), 0);
    kit_hook_install(p.client, &h);
    kit12_handshake(&p);
    assert_int_equal(ch.data[KIT_HELLO_SID_OFF], 0); /* nothing to offer */
    assert_int_equal(clasp_conn_resumed(p.client), 0);
    kit_close(&p);
    clasp_session_free(sess);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

/* Threads sharing one server configuration (and its cache): each makes a session and
 * resumes it. No cmocka asserts here: failures are counted. */
struct worker {
    clasp_config *ccfg, *scfg;
    int failures;
};

static int worker_handshake(struct worker *w, clasp_session *sess, clasp_session **out,
                            int *resumed)
{
    clasp_conn *c = clasp_conn_new(w->ccfg), *s = clasp_conn_new(w->scfg);
    int rc = !c || !s ? -1 : clasp_conn_set_server_name(c, "server.test");
    if (rc == 0 && sess)
        rc = clasp_conn_set_session(c, sess);
    if (rc == 0)
        rc = pair_handshake(c, s);
    if (rc == 0) {
        *resumed = clasp_conn_resumed(c) && clasp_conn_resumed(s);
        *out = clasp_conn_get_session(c);
        rc = *out ? 0 : -1;
    }
    if (rc == 0) {
        const unsigned char data[] = "threads";
        rc = pair_transfer(c, s, data, sizeof(data));
    }
    clasp_conn_free(c);
    clasp_conn_free(s);
    return rc;
}

static void *worker_run(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < 6; i++) {
        clasp_session *sess = NULL, *again = NULL;
        int resumed = 0;
        if (worker_handshake(w, NULL, &sess, &resumed) != 0 || resumed)
            w->failures++;
        else if (worker_handshake(w, sess, &again, &resumed) != 0 || !resumed)
            w->failures++;
        clasp_session_free(sess);
        clasp_session_free(again);
    }
    return NULL;
}

static void test_session_cache_threads(void **state)
{
    (void)state;
    clasp_config *scfg = server12(TK_P256), *ccfg = client12();
    /* Room for every session made here: eviction is test_session_cache_bounded's. */
    assert_int_equal(clasp_config_set_session_cache(scfg, 64, 3600), 0);
    pthread_t t[4];
    struct worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){ccfg, scfg, 0};
        assert_int_equal(pthread_create(&t[i], NULL, worker_run, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(w[i].failures, 0);
    }
    assert_int_equal(cl_session_cache_count(&scfg->cache), 4 * 6);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

/* ---- an external session store ---- */

#define STORE_SLOTS 8

struct store {
    struct {
        uint8_t id[32];
        size_t id_len;
        uint8_t data[8192];
        size_t len;
    } slot[STORE_SLOTS];
    size_t n;
    unsigned gets, hits, puts, removes;
    uint8_t removed[32];
};

static int find_slot(struct store *s, const uint8_t *id, size_t id_len)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->slot[i].id_len == id_len && memcmp(s->slot[i].id, id, id_len) == 0)
            return (int)i;
    return -1;
}

static int store_get(void *arg, const uint8_t *id, size_t id_len, uint8_t *buf, size_t cap,
                     size_t *len)
{
    struct store *s = arg;
    s->gets++;
    int i = find_slot(s, id, id_len);
    if (i < 0 || s->slot[i].len > cap)
        return -1;
    memcpy(buf, s->slot[i].data, s->slot[i].len);
    *len = s->slot[i].len;
    s->hits++;
    return 0;
}

static int store_put(void *arg, const uint8_t *id, size_t id_len, const uint8_t *session,
                     size_t len)
{
    struct store *s = arg;
    s->puts++;
    assert_true(id_len <= 32 && len <= sizeof(s->slot[0].data) && s->n < STORE_SLOTS);
    int i = find_slot(s, id, id_len);
    size_t k = i < 0 ? s->n++ : (size_t)i;
    memcpy(s->slot[k].id, id, id_len);
    s->slot[k].id_len = id_len;
    memcpy(s->slot[k].data, session, len);
    s->slot[k].len = len;
    return 0;
}

static void store_remove(void *arg, const uint8_t *id, size_t id_len)
{
    struct store *s = arg;
    s->removes++;
    assert_int_equal(id_len, 32);
    memcpy(s->removed, id, id_len);
    int i = find_slot(s, id, id_len);
    if (i >= 0)
        s->slot[i] = s->slot[--s->n];
}

static clasp_config *store_server(struct store *st, const char *suites)
{
    clasp_config *scfg = server12(TK_P256);
    clasp_session_store cb = {store_get, store_put, store_remove, st, NULL};
    assert_int_equal(clasp_config_set_session_store(scfg, &cb), 0);
    if (suites)
        assert_int_equal(clasp_config_set_cipher_suites(scfg, suites), 0);
    return scfg;
}

/* Rewrites a stored session's creation time, through the session codec. */
static void age_stored(struct store *st, size_t i, uint64_t created)
{
    cl_session s;
    assert_int_equal(cl_session_decode(&s, st->slot[i].data, st->slot[i].len), 0);
    s.created = created;
    uint8_t *enc;
    size_t len, cap;
    assert_int_equal(cl_session_encode(&s, &enc, &len, &cap), 0);
    memcpy(st->slot[i].data, enc, len);
    st->slot[i].len = len;
    cl_free_secret(enc, cap);
    cl_session_clear(&s);
}

static void test_session_store(void **state)
{
    (void)state;
    static struct store st;
    memset(&st, 0, sizeof(st));
    clasp_config *scfg = store_server(&st, NULL), *ccfg = client12();
    kit_msg sh = {0};

    /* put once per full handshake; a hello without a session ID asks nothing. */
    clasp_session *sess = full_handshake_sh(ccfg, scfg, &sh);
    assert_int_equal(st.puts, 1);
    assert_int_equal(st.gets, 0);
    assert_int_equal(st.n, 1);
    assert_memory_equal(st.slot[0].id, sh.data + KIT_HELLO_SID_OFF + 1, 32);
    assert_int_equal(cl_session_cache_count(&scfg->cache), 0); /* the built-in cache is not used */

    /* get for resumption; nothing is put again. */
    assert_int_equal(offer_session(ccfg, scfg, "server.test", sess), 1);
    assert_int_equal(st.gets, 1);
    assert_int_equal(st.hits, 1);
    assert_int_equal(st.puts, 1);
    assert_int_equal(st.removes, 0);

    /* An unknown ID: a full handshake and a new session. */
    clasp_session *other = full_handshake(ccfg, scfg, "server.test");
    assert_int_equal(st.puts, 2);

    /* An undecodable session is removed and a full handshake made instead. */
    st.slot[0].data[0] ^= 0xff; /* the magic */
    assert_int_equal(offer_session(ccfg, scfg, "server.test", sess), 0);
    assert_int_equal(st.removes, 1);
    assert_memory_equal(st.removed, sh.data + KIT_HELLO_SID_OFF + 1, 32);
    assert_int_equal(st.puts, 3);

    /* An expired one too. */
    for (size_t k = 0; k < st.n; k++)
        age_stored(&st, k, (uint64_t)time(NULL) - 7300);
    unsigned removes = st.removes;
    assert_int_equal(offer_session(ccfg, scfg, "server.test", other), 0);
    assert_int_equal(st.removes, removes + 1);
    clasp_session_free(other);
    clasp_session_free(sess);

    /* A server whose suites no longer include the session's: a full handshake with another
     * suite (the session is fine, only not for this configuration: it stays). */
    clasp_config *scfg2 = store_server(&st, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
    sess = full_handshake(ccfg, scfg, "server.test");
    removes = st.removes;
    kit_pair p;
    kit_open(&p, clasp_config_up_ref(ccfg), clasp_config_up_ref(scfg2), "server.test");
    assert_int_equal(clasp_conn_set_session(p.client, sess), 0);
    kit12_handshake(&p);
    assert_int_equal(clasp_conn_resumed(p.client), 0);
    assert_int_equal(clasp_conn_cipher_suite(p.client), 0xc02c);
    kit_close(&p);
    assert_int_equal(st.removes, removes);
    assert_int_equal(offer_session(ccfg, scfg, "server.test", sess), 1); /* still good */
    clasp_session_free(sess);
    clasp_config_free(scfg2);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

/* ---- the TLS 1.3 compatibility session ID ---- */

/* The server's ServerHello with its session ID replaced by the client's (arg: the captured
 * ClientHello). */
static int echo_client_sid(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    const kit_msg *ch = arg;
    size_t n = 1 + ch->data[KIT_HELLO_SID_OFF];
    kit_splice(msg, len, KIT_HELLO_SID_OFF, 1 + msg[KIT_HELLO_SID_OFF],
               ch->data + KIT_HELLO_SID_OFF, n, out);
    return 0;
}

/*
 * A client that also offers TLS 1.3 sends a random 32-byte session ID (RFC 8446 D.4). It is
 * not a TLS 1.2 session: a server echoing it has not resumed anything, and the client goes
 * on with a full handshake.
 */
static void test_compat_session_id(void **state)
{
    (void)state;
    for (int echo = 0; echo < 2; echo++) {
        kit_pair p;
        kit_msg ch = {0}, sh = {0};
        kit_hook hc = {.type = CL_HS_CLIENT_HELLO, .edit = kit12_capture, .arg = &ch};
        kit_hook hs = {.type = CL_HS_SERVER_HELLO,
                       .edit = echo ? echo_client_sid : kit12_capture,
                       .arg = echo ? (void *)&ch : (void *)&sh};
        kit_open(&p, kit12_client(V12, V13), server12(TK_P256), "server.test");
        kit_hook_install(p.client, &hc);
        kit_hook_install(p.server, &hs);
        kit12_handshake(&p);
        assert_int_equal(ch.data[KIT_HELLO_SID_OFF], 32);
        if (!echo)
            assert_memory_not_equal(sh.data + KIT_HELLO_SID_OFF + 1,
                                    ch.data + KIT_HELLO_SID_OFF + 1, 32);
        assert_int_equal(clasp_conn_resumed(p.client), 0);
        assert_int_equal(clasp_conn_peer_signature_scheme(p.client), 0x0403);
        assert_int_equal(clasp_conn_peer_cert_count(p.client), 1);
        kit_exchange(&p, 100);
        kit_close(&p);
    }
}

/* ---- versions ---- */

static void sh_random_tail(const kit_msg *sh, const uint8_t *want, int equal)
{
    assert_true(sh->len > SH_RANDOM_TAIL + 8);
    if (equal)
        assert_memory_equal(sh->data + SH_RANDOM_TAIL, want, 8);
    else
        assert_memory_not_equal(sh->data + SH_RANDOM_TAIL, want, 8);
}

/* A 1.2-and-1.3 client meets a 1.2-only server: TLS 1.2, and no downgrade sentinel (the
 * server cannot do 1.3, so nothing was downgraded: no false alarm). */
static void test_version_client_13_server_12(void **state)
{
    (void)state;
    kit_pair p;
    kit_msg sh = {0};
    kit_hook h = {.type = CL_HS_SERVER_HELLO, .edit = kit12_capture, .arg = &sh};
    kit_open(&p, kit12_client(V12, V13), server12(TK_P256), "server.test");
    kit_hook_install(p.server, &h);
    kit12_handshake(&p);
    size_t n;
    assert_null(find_ext(&sh, CL_EXT_SUPPORTED_VERSIONS, &n));
    sh_random_tail(&sh, downgrd_12, 0);
    sh_random_tail(&sh, downgrd_11, 0);
    kit_exchange(&p, 100);
    kit_close(&p);
}

/* RFC 8446 4.1.3: a TLS 1.3 server negotiating TLS 1.2 ends its random with DOWNGRD 01; a
 * TLS 1.2 client does not check it (RFC 8446 4.1.3 asks it only of 1.3 clients). */
static void test_version_client_12_server_13(void **state)
{
    (void)state;
    kit_pair p;
    kit_msg sh = {0};
    kit_hook h = {.type = CL_HS_SERVER_HELLO, .edit = kit12_capture, .arg = &sh};
    kit_open(&p, client12(), kit12_server(&kit.server[TK_P256], V12, V13), "server.test");
    kit_hook_install(p.server, &h);
    kit12_handshake(&p);
    sh_random_tail(&sh, downgrd_12, 1);
    kit_exchange(&p, 100);
    kit_close(&p);
}

/*
 * A 1.3-only client meets a 1.2-only server. RFC 8446 4.2.1: servers "MUST only select a
 * version of TLS present in that extension"; "If the "supported_versions" extension in the
 * ClientHello contains no versions acceptable to the server, the server MUST abort the
 * handshake with a "protocol_version" alert."
 */
static void test_version_client_13_only_server_12(void **state)
{
    (void)state;
    kit_pair p;
    kit_open(&p, kit12_client(V13, V13), server12(TK_P256), "server.test");
    assert_int_equal(pair_handshake(p.client, p.server), CLASP_ERR_ALERT_RECEIVED);
    assert_int_equal(clasp_conn_error(p.server), CLASP_ERR_PROTOCOL_VERSION);
    assert_int_equal(clasp_conn_alert_sent(p.server), CLASP_ALERT_PROTOCOL_VERSION);
    assert_int_equal(clasp_conn_error(p.client), CLASP_ERR_ALERT_RECEIVED);
    assert_int_equal(clasp_conn_alert_received(p.client), CLASP_ALERT_PROTOCOL_VERSION);
    kit_close(&p);
}

static int set_legacy_version(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out,
                              void *arg)
{
    (void)c;
    uint16_t v = *(const uint16_t *)arg;
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    kit_splice(msg, len, 4, 2, b, 2, out);
    return 0;
}

/*
 * A ClientHello without supported_versions whose legacy_version is above TLS 1.2 negotiates
 * TLS 1.2: RFC 5246 E.1 ("If a TLS server receives a ClientHello containing a version number
 * greater than the highest version supported by the server, it MUST reply according to the
 * highest version supported by the server"), RFC 8446 4.2.1 (without the extension the
 * server negotiates TLS 1.2 or prior) and D.1.
 */
static void test_legacy_version_above_12(void **state)
{
    (void)state;
    static const uint16_t versions[] = {0x0304, 0x0305, 0xfefe};
    for (size_t v = 0; v < ARRAY_LEN(versions); v++)
        for (int s13 = 0; s13 < 2; s13++) {
            kit_pair p;
            kit_msg sh = {0};
            kit_hook hc = {.type = CL_HS_CLIENT_HELLO,
                           .edit = set_legacy_version,
                           .arg = (void *)&versions[v]};
            kit_hook hs = {.type = CL_HS_SERVER_HELLO, .edit = kit12_capture, .arg = &sh};
            kit_open(&p, client12(), kit12_server(&kit.server[TK_P256], V12, s13 ? V13 : V12),
                     "server.test");
            kit_hook_install(p.client, &hc);
            kit_hook_install(p.server, &hs);
            kit12_handshake(&p);
            assert_int_equal(hc.edited, 1);
            assert_int_equal(u16_at(sh.data + 4), 0x0303);
            sh_random_tail(&sh, downgrd_12, s13);
            kit_exchange(&p, 100);
            kit_close(&p);
        }
}

/* The ClientHello with one more cipher suite at the end of its list (arg: the suite). */
static int add_suite(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    uint16_t s = *(const uint16_t *)arg;
    size_t off = kit_ch_suites_off(msg), n = u16_at(msg + off);
    uint8_t list[512];
    assert_true(n + 4 <= sizeof(list));
    list[0] = (uint8_t)((n + 2) >> 8);
    list[1] = (uint8_t)(n + 2);
    memcpy(list + 2, msg + off + 2, n);
    list[2 + n] = (uint8_t)(s >> 8);
    list[3 + n] = (uint8_t)s;
    kit_splice(msg, len, off, 2 + n, list, n + 4, out);
    return 0;
}

static const uint16_t fallback_scsv = 0x5600;

/* RFC 7507 3: TLS_FALLBACK_SCSV is refused only when the server could have done better. */
static void test_fallback_scsv_accepted(void **state)
{
    (void)state;
    /* A 1.2-only server: 1.2 is its best. */
    kit_pair p;
    kit_hook hc = {.type = CL_HS_CLIENT_HELLO, .edit = add_suite, .arg = (void *)&fallback_scsv};
    kit_open(&p, client12(), server12(TK_P256), "server.test");
    kit_hook_install(p.client, &hc);
    kit12_handshake(&p);
    kit_close(&p);
    /* A client offering 1.3 with the SCSV to a 1.3 server: no fallback happened. */
    memset(&hc, 0, sizeof(hc));
    hc = (kit_hook){.type = CL_HS_CLIENT_HELLO, .edit = add_suite, .arg = (void *)&fallback_scsv};
    kit_open(&p, kit12_client(V12, V13), kit12_server(&kit.server[TK_P256], V12, V13),
             "server.test");
    kit_hook_install(p.client, &hc);
    assert_int_equal(pair_handshake(p.client, p.server), 0);
    assert_int_equal(clasp_conn_version(p.server), CLASP_TLS13);
    kit_close(&p);
}

/*
 * A handshake from a client speaking versions cmin..cmax (with TLS_FALLBACK_SCSV when
 * fallback) for `host` to a server whose listener speaks lmin..lmax and whose servername
 * callback switches to a configuration of omin..omax for "other.test". Returns the
 * server's error (0: done, and *version is what was negotiated).
 */
static int sni_versions(uint16_t lmin, uint16_t lmax, uint16_t omin, uint16_t omax, uint16_t cmax,
                        int fallback, const char *host, uint16_t *version)
{
    kit_pair p;
    struct sni s;
    clasp_config *scfg = kit12_server(&kit.server[TK_P256], lmin, lmax);
    sni_attach(&s, scfg, kit12_server(&kit.other_name, omin, omax));
    kit_open(&p, kit12_client(V12, cmax), scfg, host);
    kit_hook hc = {.type = CL_HS_CLIENT_HELLO, .edit = add_suite, .arg = (void *)&fallback_scsv};
    if (fallback)
        kit_hook_install(p.client, &hc);
    int rc = pair_handshake(p.client, p.server);
    if (rc == 0) {
        *version = clasp_conn_version(p.server);
        assert_int_equal(clasp_conn_version(p.client), *version);
        kit_exchange(&p, 100);
    }
    rc = clasp_conn_error(p.server);
    assert_int_equal(s.calls, 1);
    kit_close(&p);
    clasp_config_free(s.other);
    return rc;
}

/*
 * The configuration the servername callback chooses decides the version, the suites and the
 * TLS_FALLBACK_SCSV check, not the listener's: the callback runs before the version is
 * chosen. Each way round, for the switched name and for the listener's own.
 */
static void test_sni_config_decides_version(void **state)
{
    (void)state;
    uint16_t v = 0;
    /* listener TLS 1.2 only, "other.test" 1.2 and 1.3 */
    assert_int_equal(sni_versions(V12, V12, V12, V13, V13, 0, "other.test", &v), 0);
    assert_int_equal(v, CLASP_TLS13);
    assert_int_equal(sni_versions(V12, V12, V12, V13, V13, 0, "server.test", &v), 0);
    assert_int_equal(v, CLASP_TLS12);
    /* listener 1.2 and 1.3, "other.test" 1.2 only: TLS 1.2, no downgrade sentinel (the
     * TLS 1.3 client would abort on one) */
    assert_int_equal(sni_versions(V12, V13, V12, V12, V13, 0, "other.test", &v), 0);
    assert_int_equal(v, CLASP_TLS12);
    assert_int_equal(sni_versions(V12, V13, V12, V12, V13, 0, "server.test", &v), 0);
    assert_int_equal(v, CLASP_TLS13);
    /* RFC 7507 3, judged by the chosen configuration's highest version: a TLS 1.2 client's
     * fallback to a name served with 1.3 is refused, to a 1.2-only name accepted */
    assert_int_equal(sni_versions(V12, V12, V12, V13, V12, 1, "other.test", &v),
                     CLASP_ERR_INAPPROPRIATE_FALLBACK);
    assert_int_equal(sni_versions(V12, V12, V12, V13, V12, 1, "server.test", &v), 0);
    assert_int_equal(sni_versions(V12, V13, V12, V12, V12, 1, "other.test", &v), 0);
    assert_int_equal(v, CLASP_TLS12);
    assert_int_equal(sni_versions(V12, V13, V12, V12, V12, 1, "server.test", &v),
                     CLASP_ERR_INAPPROPRIATE_FALLBACK);
}

/*
 * A version is served (or offered) only with a cipher suite of it: a server allowing TLS
 * 1.3 without a TLS 1.3 suite negotiates TLS 1.2 with a client offering both, and, since it
 * could not have done TLS 1.3, writes no downgrade sentinel and takes TLS_FALLBACK_SCSV from
 * a TLS 1.2 client; a client likewise offers only TLS 1.2, and so does not abort on the
 * sentinel a TLS 1.3 server writes (RFC 8446 4.1.3 binds TLS 1.3 clients only).
 */
static void test_version_needs_suites(void **state)
{
    (void)state;
    static const char suite12[] = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    kit_pair p;
    kit_msg sh = {0};
    kit_hook hs = {.type = CL_HS_SERVER_HELLO, .edit = kit12_capture, .arg = &sh};
    clasp_config *scfg = kit12_server(&kit.server[TK_P256], V12, V13);
    assert_int_equal(clasp_config_set_cipher_suites(scfg, suite12), 0);
    kit_open(&p, kit12_client(V12, V13), scfg, "server.test");
    kit_hook_install(p.server, &hs);
    kit12_handshake(&p);
    sh_random_tail(&sh, downgrd_12, 0);
    kit_close(&p);

    scfg = kit12_server(&kit.server[TK_P256], V12, V13);
    assert_int_equal(clasp_config_set_cipher_suites(scfg, suite12), 0);
    kit_hook hc = {.type = CL_HS_CLIENT_HELLO, .edit = add_suite, .arg = (void *)&fallback_scsv};
    kit_open(&p, client12(), scfg, "server.test");
    kit_hook_install(p.client, &hc);
    kit12_handshake(&p);
    kit_close(&p);

    clasp_config *ccfg = kit12_client(V12, V13);
    assert_int_equal(clasp_config_set_cipher_suites(ccfg, suite12), 0);
    kit_msg ch = {0};
    hc = (kit_hook){.type = CL_HS_CLIENT_HELLO, .edit = kit12_capture, .arg = &ch};
    memset(&hs, 0, sizeof(hs));
    hs = (kit_hook){.type = CL_HS_SERVER_HELLO, .edit = kit12_capture, .arg = &sh};
    kit_open(&p, ccfg, kit12_server(&kit.server[TK_P256], V12, V13), "server.test");
    kit_hook_install(p.client, &hc);
    kit_hook_install(p.server, &hs);
    kit12_handshake(&p);
    size_t n;
    assert_null(find_ext(&ch, CL_EXT_SUPPORTED_VERSIONS, &n));
    sh_random_tail(&sh, downgrd_12, 1);
    kit_close(&p);

    /* TLS 1.3 alone, and no suite of it: no version can be served (RFC 8446 4.1.1) */
    scfg = kit12_server(&kit.server[TK_P256], V13, V13);
    assert_int_equal(clasp_config_set_cipher_suites(scfg, suite12), 0);
    kit_open(&p, kit12_client(V12, V13), scfg, "server.test");
    assert_int_not_equal(pair_handshake(p.client, p.server), 0);
    assert_int_equal(clasp_conn_error(p.server), CLASP_ERR_HANDSHAKE_FAILURE);
    kit_close(&p);
}

/* Both sides speak both versions: TLS 1.3 wins. */
static void test_version_both(void **state)
{
    (void)state;
    kit_pair p;
    kit_open(&p, kit12_client(V12, V13), kit12_server(&kit.server[TK_P256], V12, V13),
             "server.test");
    assert_int_equal(pair_handshake(p.client, p.server), 0);
    assert_int_equal(clasp_conn_version(p.client), CLASP_TLS13);
    assert_int_equal(clasp_conn_version(p.server), CLASP_TLS13);
    kit_close(&p);
}

/* ---- renegotiation, refused (RFC 5246 7.4.1.1, 7.2.2; RFC 5746 4.2) ---- */

static const uint8_t hello_request[] = {CL_HS_HELLO_REQUEST, 0, 0, 0};

/* After the handshake a HelloRequest gets a no_renegotiation warning, and data flows on. */
static void test_hello_request_after_handshake(void **state)
{
    (void)state;
    kit_pair p;
    kit_open(&p, client12(), server12(TK_P256), "server.test");
    kit12_handshake(&p);
    for (int round = 0; round < 3; round++) {
        assert_int_equal(cl_rl_write(&p.server->rl, CL_CT_HANDSHAKE, hello_request, 4), 0);
        assert_int_equal(kit_move(p.server, p.client), 0);
        assert_int_equal(clasp_conn_error(p.client), 0);
        size_t len;
        uint8_t *out = kit_take(p.client, &len);
        kit_rec rec;
        assert_int_equal(kit_records(out, len, &rec, 1), 1);
        assert_int_equal(rec.type, CL_CT_ALERT); /* protected: 8 + 2 + 16 */
        assert_int_equal(rec.len, 8 + 2 + 16);
        assert_int_equal(kit_feed(p.server, out, len), 0);
        free(out);
        assert_int_equal(clasp_conn_error(p.server), 0);
        assert_int_equal(clasp_conn_alert_received(p.server), CLASP_ALERT_NO_RENEGOTIATION);
        assert_int_equal(clasp_conn_alert_sent(p.client), -1); /* a warning, not an error */
        kit_exchange(&p, 1000);
    }
    kit_close(&p);
}

/* During the handshake a HelloRequest is ignored (RFC 5246 7.4.1.1: "This message will be
 * ignored by the client if the client is currently negotiating a session"), and it is not
 * part of the transcript (7.4.9). */
static void test_hello_request_during_handshake(void **state)
{
    (void)state;
    kit_pair p;
    kit_open(&p, client12(), server12(TK_P256), "server.test");
    assert_int_equal(kit_move(p.client, p.server), 0);
    assert_int_equal(cl_rl_write(&p.server->rl, CL_CT_HANDSHAKE, hello_request, 4), 0);
    assert_int_equal(kit_move(p.server, p.client), 0);
    assert_int_equal(clasp_conn_error(p.client), 0);
    size_t len;
    uint8_t *out = kit_take(p.client, &len);
    kit_rec recs[4];
    assert_int_equal(kit_records(out, len, recs, 4), 3); /* CKE, CCS, Finished: no alert */
    assert_int_equal(recs[0].type, CL_CT_HANDSHAKE);
    assert_int_equal(recs[1].type, CL_CT_CHANGE_CIPHER_SPEC);
    assert_int_equal(kit_feed(p.server, out, len), 0);
    free(out);
    kit12_handshake(&p);
    kit_exchange(&p, 100);
    kit_close(&p);
}

/* Before the ServerHello too (RFC 5246 7.4.1.2: the client waits for a ServerHello; "Any
 * handshake message returned by the server, except for a HelloRequest, is treated as a fatal
 * error"). */
static void test_hello_request_before_server_hello(void **state)
{
    (void)state;
    for (int offers13 = 0; offers13 < 2; offers13++) {
        kit_pair p;
        kit_open(&p, kit12_client(V12, offers13 ? V13 : V12), server12(TK_P256), "server.test");
        assert_int_equal(cl_rl_write(&p.server->rl, CL_CT_HANDSHAKE, hello_request, 4), 0);
        kit12_handshake(&p);
        kit_exchange(&p, 100);
        kit_close(&p);
    }
}

/* A ClientHello after the handshake gets a no_renegotiation warning from the server (RFC
 * 5246 7.2.2: "Sent ... by the server in response to a client hello after initial
 * handshaking"); the connection goes on. */
static void test_client_hello_after_handshake(void **state)
{
    (void)state;
    kit_pair p;
    kit_msg ch = {0};
    kit_hook h = {.type = CL_HS_CLIENT_HELLO, .edit = kit12_capture, .arg = &ch};
    kit_open(&p, client12(), server12(TK_P256), "server.test");
    kit_hook_install(p.client, &h);
    kit12_handshake(&p);
    assert_int_equal(cl_rl_write(&p.client->rl, CL_CT_HANDSHAKE, ch.data, ch.len), 0);
    assert_int_equal(kit_move(p.client, p.server), 0);
    assert_int_equal(clasp_conn_error(p.server), 0);
    assert_int_equal(kit_move(p.server, p.client), 0);
    assert_int_equal(clasp_conn_error(p.client), 0);
    assert_int_equal(clasp_conn_alert_received(p.client), CLASP_ALERT_NO_RENEGOTIATION);
    assert_int_equal(clasp_conn_alert_sent(p.server), -1);
    assert_int_equal(clasp_conn_handshake_done(p.server), 1);
    kit_exchange(&p, 1000);
    kit_close(&p);
}

/* ---- ClientHellos of other TLS 1.2 clients ---- */

static int set_compression(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c, (void)arg;
    size_t off = kit_ch_compression_off(msg);
    kit_splice(msg, len, off, 1 + (size_t)msg[off], "\2\1\0", 3, out);
    return 0;
}

/* RFC 5246 7.4.1.2: the list "MUST contain" null; other methods beside it are fine, and the
 * server picks null (7.4.1.3). */
static void test_client_hello_compression_methods(void **state)
{
    (void)state;
    kit_pair p;
    kit_msg sh = {0};
    kit_hook hc = {.type = CL_HS_CLIENT_HELLO, .edit = set_compression};
    kit_hook hs = {.type = CL_HS_SERVER_HELLO, .edit = kit12_capture, .arg = &sh};
    kit_open(&p, client12(), server12(TK_P256), "server.test");
    kit_hook_install(p.client, &hc);
    kit_hook_install(p.server, &hs);
    kit12_handshake(&p);
    assert_int_equal(hc.edited, 1);
    assert_int_equal(sh.data[kit_sh_suite_off(sh.data) + 2], 0);
    kit_exchange(&p, 100);
    kit_close(&p);
}

/* The ClientHello with no extensions block at all. */
static int strip_extensions(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out,
                            void *arg)
{
    (void)c, (void)arg;
    size_t off = kit_ch_compression_off(msg);
    off += 1 + msg[off];
    kit_splice(msg, len, off, len - off, NULL, 0, out);
    return 0;
}

/*
 * RFC 5246 7.4.1.2: "A server MUST accept ClientHello messages both with and without the
 * extensions field". Without extensions there is no extended master secret (accepted when
 * not required: RFC 7627 5.2) and no signature_algorithms (so no signature: RSA key
 * exchange); the secure renegotiation SCSV stands in for renegotiation_info (RFC 5746 3.6).
 */
static void test_client_hello_without_extensions(void **state)
{
    (void)state;
    clasp_config *ccfg = client12(), *scfg = server12(TK_RSA2048);
    assert_int_equal(clasp_config_set_cipher_suites(ccfg, "TLS_RSA_WITH_AES_128_GCM_SHA256"), 0);
    assert_int_equal(clasp_config_set_cipher_suites(scfg, "TLS_RSA_WITH_AES_128_GCM_SHA256"), 0);
    assert_int_equal(clasp_config_set_extended_master_secret(ccfg, 0), 0);
    assert_int_equal(clasp_config_set_extended_master_secret(scfg, 0), 0);
    kit_pair p;
    kit_msg sh = {0};
    kit_hook hc = {.type = CL_HS_CLIENT_HELLO, .edit = strip_extensions};
    kit_hook hs = {.type = CL_HS_SERVER_HELLO, .edit = kit12_capture, .arg = &sh};
    kit_open(&p, ccfg, scfg, "server.test");
    kit_hook_install(p.client, &hc);
    kit_hook_install(p.server, &hs);
    kit12_handshake(&p);
    assert_null(clasp_conn_server_name(p.server));
    size_t n;
    const uint8_t *ri = find_ext(&sh, CL_EXT_RENEGOTIATION_INFO, &n);
    assert_non_null(ri);
    assert_int_equal(n, 1);
    assert_int_equal(ri[0], 0);
    assert_null(find_ext(&sh, CL_EXT_EXTENDED_MASTER_SECRET, &n));
    assert_null(find_ext(&sh, CL_EXT_EC_POINT_FORMATS, &n));
    kit_exchange(&p, 100);
    kit_close(&p);
}

/* ---- record_size_limit (RFC 8449) in TLS 1.2: no content type, no +1 ---- */

/* Every protected application data record in buf carries at most limit bytes (AES-GCM: an
 * 8-byte explicit nonce and a 16-byte tag around them). Returns how many there are. */
static size_t check_records12(const uint8_t *buf, size_t len, size_t limit)
{
    kit_rec recs[512];
    size_t n = kit_records(buf, len, recs, ARRAY_LEN(recs)), app = 0;
    assert_true(n <= ARRAY_LEN(recs));
    for (size_t i = 0; i < n; i++)
        if (recs[i].type == CL_CT_APPLICATION_DATA) {
            assert_true(recs[i].len <= 8 + limit + 16);
            app++;
        }
    return app;
}

static void read_all(clasp_conn *c, uint8_t *got, size_t want)
{
    size_t have = 0, n;
    while (have < want) {
        assert_int_equal(clasp_conn_read(c, got + have, want - have, &n), 0);
        have += n;
    }
}

static void send_checked(clasp_conn *from, clasp_conn *to, size_t limit)
{
    static uint8_t data[10000], got[10000];
    memset(data, 0x5c, sizeof(data));
    size_t n, len;
    assert_int_equal(clasp_conn_write(from, data, sizeof(data), &n), 0);
    assert_int_equal(n, sizeof(data));
    uint8_t *out = kit_take(from, &len);
    assert_int_equal(check_records12(out, len, limit), (sizeof(data) + limit - 1) / limit);
    assert_int_equal(kit_feed(to, out, len), 0);
    free(out);
    read_all(to, got, sizeof(got));
    assert_memory_equal(got, data, sizeof(data));
}

static void test_record_size_limit(void **state)
{
    (void)state;
    clasp_config *ccfg = client12(), *scfg = server12(TK_P256);
    assert_int_equal(clasp_config_set_record_size_limit(ccfg, 512), 0);
    assert_int_equal(clasp_config_set_record_size_limit(scfg, 1024), 0);
    kit_pair p;
    kit_msg ch = {0}, sh = {0};
    kit_hook hc = {.type = CL_HS_CLIENT_HELLO, .edit = kit12_capture, .arg = &ch};
    kit_hook hs = {.type = CL_HS_SERVER_HELLO, .edit = kit12_capture, .arg = &sh};
    kit_open(&p, ccfg, scfg, "server.test");
    kit_hook_install(p.client, &hc);
    kit_hook_install(p.server, &hs);
    kit12_handshake(&p);
    /* RFC 8449 4: in TLS 1.2 the limit is the plaintext size itself. */
    size_t n;
    const uint8_t *v = find_ext(&ch, CL_EXT_RECORD_SIZE_LIMIT, &n);
    assert_non_null(v);
    assert_int_equal(n, 2);
    assert_int_equal(u16_at(v), 512);
    v = find_ext(&sh, CL_EXT_RECORD_SIZE_LIMIT, &n);
    assert_non_null(v);
    assert_int_equal(u16_at(v), 1024);
    send_checked(p.server, p.client, 512);
    send_checked(p.client, p.server, 1024);

    /* Exactly at the limit is fine (one more is record_overflow: test_tls12_alerts.c). */
    uint8_t data[512], rec[600], got[512];
    memset(data, 7, sizeof(data));
    assert_int_equal(kit_feed(p.client, rec, kit_seal12(p.server, 23, data, 512, rec, sizeof(rec))),
                     0);
    read_all(p.client, got, 512);
    kit_close(&p);

    /* A client that also offers TLS 1.3 advertises 513 (1.3 counts the content type); if TLS
     * 1.2 is negotiated the server takes 513 at its word and the client accepts it. */
    ccfg = kit12_client(V12, V13);
    assert_int_equal(clasp_config_set_record_size_limit(ccfg, 512), 0);
    memset(&hc, 0, sizeof(hc));
    hc = (kit_hook){.type = CL_HS_CLIENT_HELLO, .edit = kit12_capture, .arg = &ch};
    kit_open(&p, ccfg, server12(TK_P256), "server.test");
    kit_hook_install(p.client, &hc);
    kit12_handshake(&p);
    v = find_ext(&ch, CL_EXT_RECORD_SIZE_LIMIT, &n);
    assert_non_null(v);
    assert_int_equal(u16_at(v), 513);
    send_checked(p.server, p.client, 513);
    kit_close(&p);
}

/* RFC 5246 6.2.1: a record of exactly 2^14 bytes is fine, in either cipher's records. */
static void test_largest_record(void **state)
{
    (void)state;
    static uint8_t data[CL_MAX_PLAINTEXT], got[CL_MAX_PLAINTEXT];
    static uint8_t rec[CL_TLS12_MAX_CIPHERTEXT + 5];
    static const char *suites[] = {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
                                   "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"};
    memset(data, 0xa5, sizeof(data));
    for (size_t i = 0; i < ARRAY_LEN(suites); i++) {
        clasp_config *ccfg = client12();
        assert_int_equal(clasp_config_set_cipher_suites(ccfg, suites[i]), 0);
        kit_pair p;
        kit_open(&p, ccfg, server12(TK_P256), "server.test");
        kit12_handshake(&p);
        size_t n =
            kit_seal12(p.client, CL_CT_APPLICATION_DATA, data, sizeof(data), rec, sizeof(rec));
        assert_int_equal(n, 5 + (i == 0 ? 8 : 0) + CL_MAX_PLAINTEXT + 16);
        assert_int_equal(kit_feed(p.server, rec, n), 0);
        read_all(p.server, got, sizeof(got));
        assert_memory_equal(got, data, sizeof(data));
        kit_exchange(&p, 100);
        kit_close(&p);
    }
}

/* ---- bulk data ---- */

static void test_megabyte_each_way(void **state)
{
    (void)state;
    static const char *suites[] = {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                                   "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"};
    for (size_t i = 0; i < ARRAY_LEN(suites); i++) {
        clasp_config *ccfg = client12();
        assert_int_equal(clasp_config_set_cipher_suites(ccfg, suites[i]), 0);
        kit_pair p;
        kit_open(&p, ccfg, server12(TK_P256), "server.test");
        kit12_handshake(&p);
        kit_exchange(&p, 1 << 20);
        kit_close(&p);
    }
}

/* Handshake records of one byte each way (messages fragmented across records). */
static void test_one_byte_records(void **state)
{
    (void)state;
    kit_pair p;
    kit_open(&p, client12(), server12(TK_RSA2048), "server.test");
    move_reframed(p.client, p.server, 1, NULL);
    move_reframed(p.server, p.client, 1, NULL);
    kit12_handshake(&p);
    kit_exchange(&p, 100);
    kit_close(&p);
}

/* ---- memory ---- */

/* Bytes and blocks clasp holds through its allocator (the sizes free is told included). */
static struct {
    long long bytes;
    long blocks;
} held;

static void *count_alloc(void *ctx, size_t n)
{
    (void)ctx;
    void *p = malloc(n);
    if (p) {
        held.bytes += (long long)n;
        held.blocks++;
    }
    return p;
}

static void count_free(void *ctx, void *p, size_t n)
{
    (void)ctx;
    held.bytes -= (long long)n;
    held.blocks--;
    free(p);
}

static void leak_scenarios(void)
{
    /* A client that also offers TLS 1.3, with three key shares, gets TLS 1.2 (ECDHE). */
    clasp_config *ccfg = kit12_client(V12, V13);
    assert_int_equal(clasp_config_set_key_shares(ccfg, 3), 0);
    kit_pair p;
    kit_open(&p, ccfg, server12(TK_P256), "server.test");
    kit12_handshake(&p);
    kit_exchange(&p, 20000);
    kit_close(&p);

    /* Client certificates, then resumption. */
    clasp_config *scfg = server12(TK_P256);
    ccfg = client12();
    assert_int_equal(clasp_config_set_verify(scfg, CLASP_VERIFY_REQUIRE), 0);
    kit_add_cert(ccfg, &kit.client);
    clasp_session *sess = full_handshake(ccfg, scfg, "server.test");
    assert_int_equal(offer_session(ccfg, scfg, "server.test", sess), 1);
    clasp_session_free(sess);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);

    /* RSA key exchange, a HelloRequest refused, and a close. */
    ccfg = client12();
    scfg = server12(TK_RSA2048);
    assert_int_equal(clasp_config_set_cipher_suites(ccfg, "TLS_RSA_WITH_AES_256_GCM_SHA384"), 0);
    assert_int_equal(clasp_config_set_cipher_suites(scfg, "TLS_RSA_WITH_AES_256_GCM_SHA384"), 0);
    kit_open(&p, ccfg, scfg, "server.test");
    kit12_handshake(&p);
    assert_int_equal(cl_rl_write(&p.server->rl, CL_CT_HANDSHAKE, hello_request, 4), 0);
    assert_int_equal(kit_move(p.server, p.client), 0);
    assert_int_equal(kit_move(p.client, p.server), 0);
    assert_int_equal(clasp_conn_close(p.client), 0);
    assert_int_equal(kit_move(p.client, p.server), 0);
    kit_close(&p);

    /* A failed handshake: no version in common. */
    kit_open(&p, kit12_client(V13, V13), server12(TK_P256), "server.test");
    assert_int_equal(pair_handshake(p.client, p.server), CLASP_ERR_ALERT_RECEIVED);
    kit_close(&p);
}

/* Everything clasp allocates in these handshakes is given back, with its size. */
static void test_no_leaks(void **state)
{
    (void)state;
    memset(&held, 0, sizeof(held));
    clasp_allocator a = {count_alloc, count_free, NULL};
    clasp_set_allocator(&a);
    leak_scenarios();
    clasp_set_allocator(NULL);
    assert_int_equal(held.blocks, 0);
    assert_int_equal(held.bytes, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_ecdhe_matrix),
        cmocka_unit_test(test_ecdhe_skips_ffdhe),
        cmocka_unit_test(test_p521_certificate12),
        cmocka_unit_test(test_dhe_matrix),
        cmocka_unit_test(test_dhe_needs_a_group),
        cmocka_unit_test(test_dhe_no_common_group),
        cmocka_unit_test(test_dhe_group_as_strong_as_key),
        cmocka_unit_test(test_dhe_client_without_ffdhe_groups),
        cmocka_unit_test(test_dhe_values_with_leading_zeros),
        cmocka_unit_test(test_dh_premaster_strips_zeros),
        cmocka_unit_test(test_ecdsa_curve_not_offered),
        cmocka_unit_test(test_long_supported_groups),
        cmocka_unit_test(test_chain_count),
        cmocka_unit_test(test_scheme_from_signature_algorithms),
        cmocka_unit_test(test_rsa_key_exchange),
        cmocka_unit_test(test_rsa_key_exchange_not_default),
        cmocka_unit_test(test_client_cert_require),
        cmocka_unit_test(test_client_cert_optional),
        cmocka_unit_test(test_client_cert_optional_none),
        cmocka_unit_test(test_client_cert_not_asked),
        cmocka_unit_test(test_client_cert_type_not_requested),
        cmocka_unit_test(test_alpn),
        cmocka_unit_test(test_sni),
        cmocka_unit_test(test_resumption),
        cmocka_unit_test(test_session_api),
        cmocka_unit_test(test_resumption_expired),
        cmocka_unit_test(test_resumption_other_name),
        cmocka_unit_test(test_resumption_client_suite_gone),
        cmocka_unit_test(test_ems_optional),
        cmocka_unit_test(test_session_cache_bounded),
        cmocka_unit_test(test_session_cache_disabled),
        cmocka_unit_test(test_session_cache_threads),
        cmocka_unit_test(test_session_store),
        cmocka_unit_test(test_compat_session_id),
        cmocka_unit_test(test_version_client_13_server_12),
        cmocka_unit_test(test_version_client_12_server_13),
        cmocka_unit_test(test_version_client_13_only_server_12),
        cmocka_unit_test(test_legacy_version_above_12),
        cmocka_unit_test(test_fallback_scsv_accepted),
        cmocka_unit_test(test_version_both),
        cmocka_unit_test(test_sni_config_decides_version),
        cmocka_unit_test(test_version_needs_suites),
        cmocka_unit_test(test_hello_request_after_handshake),
        cmocka_unit_test(test_hello_request_during_handshake),
        cmocka_unit_test(test_hello_request_before_server_hello),
        cmocka_unit_test(test_client_hello_after_handshake),
        cmocka_unit_test(test_client_hello_compression_methods),
        cmocka_unit_test(test_client_hello_without_extensions),
        cmocka_unit_test(test_record_size_limit),
        cmocka_unit_test(test_largest_record),
        cmocka_unit_test(test_megabyte_each_way),
        cmocka_unit_test(test_one_byte_records),
        cmocka_unit_test(test_no_leaks),
    };
    return cmocka_run_group_tests(tests, kit_setup, kit_teardown);
}
