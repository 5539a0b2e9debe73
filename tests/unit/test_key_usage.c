/*
 * Key usage matched to the use, both versions, both directions. A certificate whose
 * keyUsage extension lacks digitalSignature never signs (TLS 1.3 CertificateVerify, RFC
 * 8446 4.4.2.2; TLS 1.2 ServerKeyExchange and CertificateVerify, RFC 5246 7.4.2, 7.4.6,
 * RFC 8422 5.3), and one lacking keyEncipherment never carries a TLS 1.2 RSA key exchange
 * (RFC 5246 7.4.2). Our own credentials are simply not chosen; a peer that uses one anyway
 * gets unsupported_certificate. The misbehaving peer is a clasp configuration whose
 * credential's parsed key usage a test overwrites with "any use", as a library that ignores
 * keyUsage would behave.
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
#include "pair.h"
#include "tls12_kit.h"

static test_cert encipher_rsa; /* RSA, keyEncipherment only */
static test_cert sign_rsa;     /* RSA, digitalSignature only */
static test_cert agree_ecdsa;  /* P-256, keyAgreement only */
static test_cert any_rsa;      /* RSA without a keyUsage extension: any use (RFC 5280) */
static test_cert agree_client; /* P-256, clientAuth, keyAgreement only */

static int setup(void **state)
{
    kit_setup(state);
    test_cert_opts o = {.cn = "server.test", .san = "DNS:server.test"};
    o.key_usage = "critical,keyEncipherment";
    test_issue(kit.ca, TK_RSA2048, &o, &encipher_rsa);
    o.key_usage = "critical,digitalSignature";
    test_issue(kit.ca, TK_RSA2048, &o, &sign_rsa);
    o.key_usage = "critical,keyAgreement";
    test_issue(kit.ca, TK_P256, &o, &agree_ecdsa);
    o.key_usage = "none";
    test_issue(kit.ca, TK_RSA2048, &o, &any_rsa);
    test_cert_opts c = {.cn = "client.test", .client = 1, .key_usage = "critical,keyAgreement"};
    test_issue(kit.ca, TK_P256, &c, &agree_client);
    return 0;
}

static int teardown(void **state)
{
    test_cert_free(&encipher_rsa);
    test_cert_free(&sign_rsa);
    test_cert_free(&agree_ecdsa);
    test_cert_free(&any_rsa);
    test_cert_free(&agree_client);
    return kit_teardown(state);
}

/* A peer that ignores keyUsage: its credentials claim every use. */
static void ignore_key_usage(clasp_config *cfg)
{
    for (size_t i = 0; i < cfg->n_creds; i++)
        cfg->creds[i]->key_usage = CL_KU_ANY;
}

/* The handshake fails at `failing` with err, which sends alert; the other side gets it. */
static void expect_failure(kit_pair *p, clasp_conn *failing, int err, int alert, const char *detail)
{
    assert_int_not_equal(pair_handshake(p->client, p->server), 0);
    clasp_conn *other = failing == p->client ? p->server : p->client;
    if (clasp_conn_error(failing) != err)
        print_error("error: %s\n", clasp_conn_error_detail(failing));
    assert_int_equal(clasp_conn_error(failing), err);
    assert_int_equal(clasp_conn_alert_sent(failing), alert);
    kit_move(failing, other); /* the alert, if the pump stopped before it */
    assert_int_equal(clasp_conn_alert_received(other), alert);
    if (detail)
        assert_non_null(strstr(clasp_conn_error_detail(failing), detail));
}

/* The server refuses (its only credential cannot serve), and a client refuses a server that
 * uses it anyway; `suites` narrows both sides (NULL: the version's defaults). */
static void refused_both_ways(const test_cert *cert, uint16_t version, const char *suites,
                              const char *client_detail)
{
    for (int ignoring = 0; ignoring < 2; ignoring++) {
        clasp_config *scfg = kit12_server(cert, version, version);
        clasp_config *ccfg = kit12_client(version, version);
        if (suites) {
            assert_int_equal(clasp_config_set_cipher_suites(scfg, suites), 0);
            assert_int_equal(clasp_config_set_cipher_suites(ccfg, suites), 0);
        }
        if (ignoring)
            ignore_key_usage(scfg);
        kit_pair p;
        kit_open(&p, ccfg, scfg, "server.test");
        kit_hook ch = {0};
        kit_hook_install(p.client, &ch);
        if (!ignoring)
            expect_failure(&p, p.server, CLASP_ERR_HANDSHAKE_FAILURE, CLASP_ALERT_HANDSHAKE_FAILURE,
                           NULL);
        else
            expect_failure(&p, p.client, CLASP_ERR_UNSUPPORTED_CERTIFICATE,
                           CLASP_ALERT_UNSUPPORTED_CERTIFICATE, client_detail);
        /* Refused at the Certificate: nothing encrypted to the key, no secret derived. */
        assert_int_equal(ch.count[CL_HS_CLIENT_KEY_EXCHANGE], 0);
        assert_int_equal(ch.count[CL_HS_FINISHED], 0);
        kit_close(&p);
    }
}

/* ---- TLS 1.3: every certificate signs ---- */

static void test_13_encipherment_only_rsa_never_signs(void **state)
{
    (void)state;
    refused_both_ways(&encipher_rsa, CLASP_TLS13, NULL, "does not allow digital signatures");
}

static void test_13_agreement_only_ecdsa_never_signs(void **state)
{
    (void)state;
    refused_both_ways(&agree_ecdsa, CLASP_TLS13, NULL, "does not allow digital signatures");
}

/* With another credential beside it, the server passes over the one that cannot sign. */
static void test_13_server_passes_over_it(void **state)
{
    (void)state;
    clasp_config *scfg = kit_server_config(&encipher_rsa);
    kit_add_cert(scfg, &kit.server[TK_P256]);
    kit_pair p;
    kit_open(&p, NULL, scfg, "server.test");
    kit_handshake(&p);
    assert_int_equal(clasp_conn_peer_signature_scheme(p.client), 0x0403);
    kit_close(&p);

    /* No keyUsage extension: any use (RFC 5280 4.2.1.3). */
    kit_open(&p, NULL, kit_server_config(&any_rsa), "server.test");
    kit_handshake(&p);
    assert_int_equal(clasp_conn_peer_signature_scheme(p.client), 0x0804);
    kit_close(&p);
}

/* ---- TLS 1.2: signing suites need digitalSignature, RSA key exchange keyEncipherment ---- */

#define RSA_KX    "TLS_RSA_WITH_AES_128_GCM_SHA256"
#define ECDHE_RSA "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"

static void test_12_signature_only_rsa_never_takes_rsa_key_exchange(void **state)
{
    (void)state;
    refused_both_ways(&sign_rsa, CLASP_TLS12, RSA_KX, "does not allow key encipherment");
}

static void test_12_encipherment_only_rsa_never_signs(void **state)
{
    (void)state;
    refused_both_ways(&encipher_rsa, CLASP_TLS12, ECDHE_RSA, "does not allow digital signatures");
}

static void test_12_agreement_only_ecdsa_never_signs(void **state)
{
    (void)state;
    refused_both_ways(&agree_ecdsa, CLASP_TLS12, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                      "does not allow digital signatures");
}

/* Offered both key exchanges, the server picks the one its certificate allows. */
static void suite_chosen(const test_cert *cert, uint16_t want)
{
    clasp_config *scfg = kit12_server(cert, CLASP_TLS12, CLASP_TLS12);
    clasp_config *ccfg = kit12_client(CLASP_TLS12, CLASP_TLS12);
    assert_int_equal(clasp_config_set_cipher_suites(scfg, RSA_KX ":" ECDHE_RSA), 0);
    assert_int_equal(clasp_config_set_cipher_suites(ccfg, RSA_KX ":" ECDHE_RSA), 0);
    kit_pair p;
    kit_open(&p, ccfg, scfg, "server.test");
    kit12_handshake(&p);
    assert_int_equal(clasp_conn_cipher_suite(p.client), want);
    kit_close(&p);
}

static void test_12_server_picks_the_allowed_key_exchange(void **state)
{
    (void)state;
    suite_chosen(&sign_rsa, 0xc02f);     /* RSA key exchange is first, but not allowed */
    suite_chosen(&encipher_rsa, 0x009c); /* ECDHE_RSA would sign */
    suite_chosen(&any_rsa, 0x009c);      /* no keyUsage: the server's first choice */
}

/* ---- client certificates: the client signs its CertificateVerify ---- */

static void client_cert(uint16_t version)
{
    for (int ignoring = 0; ignoring < 2; ignoring++) {
        clasp_config *scfg = kit12_server(&kit.server[TK_P256], version, version);
        clasp_config *ccfg = kit12_client(version, version);
        assert_int_equal(clasp_config_set_verify(scfg, CLASP_VERIFY_OPTIONAL), 0);
        kit_add_cert(ccfg, &agree_client);
        if (ignoring)
            ignore_key_usage(ccfg);
        kit_pair p;
        kit_open(&p, ccfg, scfg, "server.test");
        kit_hook ch = {0};
        kit_hook_install(p.client, &ch);
        if (!ignoring) {
            /* Nothing fits: an empty Certificate (RFC 8446 4.4.2, RFC 5246 7.4.6). */
            assert_int_equal(pair_handshake(p.client, p.server), 0);
            assert_int_equal(ch.count[CL_HS_CERTIFICATE], 1);
            assert_int_equal(ch.count[CL_HS_CERTIFICATE_VERIFY], 0);
            assert_int_equal(clasp_conn_peer_cert_count(p.server), 0);
        } else {
            expect_failure(&p, p.server, CLASP_ERR_UNSUPPORTED_CERTIFICATE,
                           CLASP_ALERT_UNSUPPORTED_CERTIFICATE,
                           "does not allow digital signatures");
        }
        kit_close(&p);
    }
}

static void test_13_client_certificate(void **state)
{
    (void)state;
    client_cert(CLASP_TLS13);
}

static void test_12_client_certificate(void **state)
{
    (void)state;
    client_cert(CLASP_TLS12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_13_encipherment_only_rsa_never_signs),
        cmocka_unit_test(test_13_agreement_only_ecdsa_never_signs),
        cmocka_unit_test(test_13_server_passes_over_it),
        cmocka_unit_test(test_12_signature_only_rsa_never_takes_rsa_key_exchange),
        cmocka_unit_test(test_12_encipherment_only_rsa_never_signs),
        cmocka_unit_test(test_12_agreement_only_ecdsa_never_signs),
        cmocka_unit_test(test_12_server_picks_the_allowed_key_exchange),
        cmocka_unit_test(test_13_client_certificate),
        cmocka_unit_test(test_12_client_certificate),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
