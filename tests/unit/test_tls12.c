/*
 * TLS 1.2 end to end in one process: clasp client and server through the public API.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <clasp/clasp.h>

#include "pair.h"
#include "tls13_kit.h"

static clasp_config *server12(test_key kt, const char *suites)
{
    clasp_config *cfg = clasp_config_new(CLASP_SERVER);
    assert_non_null(cfg);
    kit_add_cert(cfg, &kit.server[kt]);
    assert_int_equal(clasp_config_set_versions(cfg, CLASP_TLS12, CLASP_TLS12), 0);
    if (suites)
        assert_int_equal(clasp_config_set_cipher_suites(cfg, suites), 0);
    const test_pem *ca = test_ca_pem(kit.ca);
    assert_int_equal(clasp_config_load_verify_pem(cfg, (const uint8_t *)ca->pem, ca->len), 0);
    return cfg;
}

static clasp_config *client12(const char *suites)
{
    clasp_config *cfg = clasp_config_new(CLASP_CLIENT);
    assert_non_null(cfg);
    if (suites)
        assert_int_equal(clasp_config_set_cipher_suites(cfg, suites), 0);
    const test_pem *ca = test_ca_pem(kit.ca);
    assert_int_equal(clasp_config_load_verify_pem(cfg, (const uint8_t *)ca->pem, ca->len), 0);
    return cfg;
}

static void handshake(kit_pair *p)
{
    int rc = pair_handshake(p->client, p->server);
    if (rc)
        fprintf(stderr, "client: %s\nserver: %s\n", clasp_conn_error_detail(p->client),
                clasp_conn_error_detail(p->server));
    assert_int_equal(rc, 0);
    assert_int_equal(clasp_conn_version(p->client), CLASP_TLS12);
    assert_int_equal(clasp_conn_version(p->server), CLASP_TLS12);
}

static void data_both_ways(kit_pair *p)
{
    unsigned char data[3000];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (unsigned char)(i * 13);
    assert_int_equal(pair_transfer(p->client, p->server, data, sizeof(data)), 0);
    assert_int_equal(pair_transfer(p->server, p->client, data, sizeof(data)), 0);
}

static void run_suite(test_key kt, const char *suite, uint16_t id)
{
    kit_pair p;
    const char *rsa_kx = strstr(suite, "TLS_RSA_") ? suite : NULL;
    kit_open(&p, client12(rsa_kx), server12(kt, rsa_kx ? rsa_kx : NULL), "server.test");
    handshake(&p);
    assert_int_equal(clasp_conn_cipher_suite(p.client), id);
    assert_int_equal(clasp_conn_cipher_suite(p.server), id);
    data_both_ways(&p);
    kit_close(&p);
}

static void test_suites(void **state)
{
    (void)state;
    run_suite(TK_P256, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xc02b);
    run_suite(TK_RSA2048, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xc02f);
    run_suite(TK_RSA2048, "TLS_RSA_WITH_AES_128_GCM_SHA256", 0x009c);
    run_suite(TK_RSA2048, "TLS_RSA_WITH_AES_256_GCM_SHA384", 0x009d);
}

static void test_client_auth_and_resumption(void **state)
{
    (void)state;
    clasp_config *scfg = server12(TK_P256, NULL);
    clasp_config *ccfg = client12(NULL);
    assert_int_equal(clasp_config_set_verify(scfg, CLASP_VERIFY_REQUIRE), 0);
    kit_add_cert(ccfg, &kit.client);
    kit_pair p;
    kit_open(&p, clasp_config_up_ref(ccfg), clasp_config_up_ref(scfg), "server.test");
    handshake(&p);
    assert_int_equal(clasp_conn_resumed(p.client), 0);
    assert_int_equal(clasp_conn_peer_cert_count(p.server), 1);
    uint8_t sess[8192];
    size_t n;
    assert_int_equal(clasp_conn_get_session(p.client, sess, sizeof(sess), &n), 0);
    kit_close(&p);

    kit_open(&p, ccfg, scfg, "server.test");
    assert_int_equal(clasp_conn_set_session(p.client, sess, n), 0);
    handshake(&p);
    assert_int_equal(clasp_conn_resumed(p.client), 1);
    assert_int_equal(clasp_conn_resumed(p.server), 1);
    assert_int_equal(clasp_conn_peer_cert_count(p.server), 1);
    data_both_ways(&p);
    kit_close(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_suites),
        cmocka_unit_test(test_client_auth_and_resumption),
    };
    return cmocka_run_group_tests(tests, kit_setup, kit_teardown);
}
