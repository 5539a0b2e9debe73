/*
 * TLS 1.3 end to end in one process: a clasp client and a clasp server through the public
 * sans-I/O API. Every suite, group and certificate type; HelloRetryRequest; client
 * certificates; ALPN; KeyUpdate; close_notify; and the failures that must fail.
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
#include "pki.h"

static struct {
    test_ca *ca, *other_ca;
    test_cert server[6]; /* by test_key */
    test_cert client;
} pki;

static const test_key server_keys[] = {TK_RSA2048, TK_P256, TK_P384, TK_ED25519, TK_RSA_PSS};

static int make_pki(void **state)
{
    (void)state;
    pki.ca = test_ca_new(TK_P256, "clasp test CA");
    pki.other_ca = test_ca_new(TK_P256, "some other CA");
    test_cert_opts server = {.cn = "server.test", .san = "DNS:server.test,IP:127.0.0.1"};
    for (size_t i = 0; i < sizeof(server_keys) / sizeof(server_keys[0]); i++)
        test_issue(pki.ca, server_keys[i], &server, &pki.server[server_keys[i]]);
    test_cert_opts client = {.cn = "client.test", .client = 1};
    test_issue(pki.ca, TK_P256, &client, &pki.client);
    return 0;
}

static int free_pki(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(pki.server) / sizeof(pki.server[0]); i++)
        test_cert_free(&pki.server[i]);
    test_cert_free(&pki.client);
    test_ca_free(pki.ca);
    test_ca_free(pki.other_ca);
    return 0;
}

static void add_cert(clasp_config *cfg, const test_cert *c)
{
    assert_int_equal(clasp_config_add_cert_chain_pem(cfg, (const uint8_t *)c->chain.pem,
                                                     c->chain.len, (const uint8_t *)c->key.pem,
                                                     c->key.len),
                     CLASP_OK);
}

static clasp_config *server_config(test_key kt)
{
    clasp_config *cfg = clasp_config_new(CLASP_SERVER);
    assert_non_null(cfg);
    add_cert(cfg, &pki.server[kt]);
    const test_pem *ca = test_ca_pem(pki.ca);
    assert_int_equal(clasp_config_load_verify_pem(cfg, (const uint8_t *)ca->pem, ca->len), 0);
    return cfg;
}

static clasp_config *client_config(void)
{
    clasp_config *cfg = clasp_config_new(CLASP_CLIENT);
    assert_non_null(cfg);
    const test_pem *ca = test_ca_pem(pki.ca);
    assert_int_equal(clasp_config_load_verify_pem(cfg, (const uint8_t *)ca->pem, ca->len), 0);
    return cfg;
}

typedef struct pair {
    clasp_config *ccfg, *scfg;
    clasp_conn *client, *server;
} pair;

static void pair_open(pair *p, clasp_config *ccfg, clasp_config *scfg, const char *host)
{
    p->ccfg = ccfg;
    p->scfg = scfg;
    p->client = clasp_conn_new(ccfg);
    p->server = clasp_conn_new(scfg);
    assert_non_null(p->client);
    assert_non_null(p->server);
    assert_int_equal(clasp_conn_set_server_name(p->client, host), 0);
}

static void pair_close(pair *p)
{
    clasp_conn_free(p->client);
    clasp_conn_free(p->server);
    clasp_config_free(p->ccfg);
    clasp_config_free(p->scfg);
}

static void expect_handshake(pair *p)
{
    int rc = pair_handshake(p->client, p->server);
    if (rc != 0)
        fprintf(stderr, "client: %s\nserver: %s\n", clasp_conn_error_detail(p->client),
                clasp_conn_error_detail(p->server));
    assert_int_equal(rc, 0);
    assert_int_equal(clasp_conn_version(p->client), CLASP_TLS13);
    assert_int_equal(clasp_conn_version(p->server), CLASP_TLS13);
    assert_int_equal(clasp_conn_cipher_suite(p->client), clasp_conn_cipher_suite(p->server));
    assert_int_equal(clasp_conn_group(p->client), clasp_conn_group(p->server));
}

static void exchange_data(pair *p, size_t n)
{
    unsigned char *data = malloc(n);
    for (size_t i = 0; i < n; i++)
        data[i] = (unsigned char)(i * 31 + 7);
    assert_int_equal(pair_transfer(p->client, p->server, data, n), 0);
    assert_int_equal(pair_transfer(p->server, p->client, data, n), 0);
    free(data);
}

static void test_basic(void **state)
{
    (void)state;
    pair p;
    pair_open(&p, client_config(), server_config(TK_P256), "server.test");
    expect_handshake(&p);
    assert_int_equal(clasp_conn_cipher_suite(p.client), 0x1301);
    assert_int_equal(clasp_conn_group(p.client), 0x001d);
    assert_int_equal(clasp_conn_peer_signature_scheme(p.client), 0x0403);
    assert_int_equal(clasp_conn_peer_cert_count(p.client), 1);
    exchange_data(&p, 100);
    assert_int_equal(clasp_conn_close(p.client), 0);
    assert_int_equal(pair_move(p.client, p.server, 0), 0);
    unsigned char buf[16];
    size_t n;
    assert_int_equal(clasp_conn_read(p.server, buf, sizeof(buf), &n), CLASP_ERR_CLOSED);
    pair_close(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
    };
    return cmocka_run_group_tests(tests, make_pki, free_pki);
}
