/*
 * Checks shared by the end-to-end tests of both versions (e2e_checks.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <clasp/clasp.h>

#include "e2e_checks.h"
#include "msg/msg.h"
#include "pair.h"

void expect_read(clasp_conn *c, int want)
{
    uint8_t buf[64];
    size_t n = 99;
    assert_int_equal(clasp_conn_read(c, buf, sizeof(buf), &n), want);
    assert_int_equal(n, 0);
}

void peer_cert_names(clasp_conn *c, const char *want)
{
    char summary[512];
    assert_int_equal(clasp_conn_peer_cert_summary(c, 0, summary, sizeof(summary)), 0);
    assert_non_null(strstr(summary, want));
}

int edit_long_groups(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c, (void)arg;
    static const uint16_t known[] = {0x001d, 0x0017, 0x0018};
    static uint8_t list[2 + 2 * 103];
    size_t n = 0;
    for (unsigned i = 0; i < 100; i++, n++) { /* 0x7a00..: unassigned */
        list[2 + 2 * n] = 0x7a;
        list[3 + 2 * n] = (uint8_t)i;
    }
    for (size_t i = 0; i < 3; i++, n++) {
        list[2 + 2 * n] = (uint8_t)(known[i] >> 8);
        list[3 + 2 * n] = (uint8_t)known[i];
    }
    list[0] = (uint8_t)((2 * n) >> 8);
    list[1] = (uint8_t)(2 * n);
    kit_exts e;
    kit_exts_read(msg, len, &e);
    kit_exts_set(&e, CL_EXT_SUPPORTED_GROUPS, list, 2 + 2 * n);
    kit_exts_write(msg, len, &e, out);
    return 0;
}

static void chain_count_check(clasp_config *ccfg, clasp_config *scfg, kit_edit repeat, unsigned n,
                              size_t max, void (*handshake)(kit_pair *p))
{
    if (max)
        assert_int_equal(clasp_config_set_max_cert_chain_count(ccfg, max), 0);
    kit_pair p;
    kit_open(&p, ccfg, scfg, "server.test");
    kit_hook h = {.type = CL_HS_CERTIFICATE, .edit = repeat, .arg = &n};
    kit_hook_install(p.server, &h);
    if (n <= (max ? max : 10)) {
        handshake(&p);
        assert_int_equal(clasp_conn_peer_cert_count(p.client), n);
    } else {
        assert_int_not_equal(pair_handshake(p.client, p.server), 0);
        assert_int_equal(clasp_conn_error(p.client), CLASP_ERR_BAD_CERTIFICATE);
        kit_move(p.client, p.server);
        assert_int_equal(clasp_conn_alert_received(p.server), CLASP_ALERT_BAD_CERTIFICATE);
        assert_int_equal(clasp_conn_peer_cert_count(p.client), 0); /* nothing was kept */
    }
    assert_int_equal(h.edited, 1);
    kit_close(&p);
}

void chain_count_checks(clasp_config *(*client)(void), clasp_config *(*server)(void),
                        kit_edit repeat, void (*handshake)(kit_pair *p))
{
    static const struct {
        unsigned n;
        size_t max; /* 0: the default */
    } cases[] = {{10, 0}, {11, 0}, {1, 1}, {2, 1}, {16, 16}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        chain_count_check(client(), server(), repeat, cases[i].n, cases[i].max, handshake);
    clasp_config *cfg = client();
    assert_int_equal(clasp_config_set_max_cert_chain_count(cfg, 0), CLASP_ERR_INVALID_ARG);
    assert_int_equal(clasp_config_set_max_cert_chain_count(cfg, 17), CLASP_ERR_INVALID_ARG);
    clasp_config_free(cfg);
}

void alpn_check(clasp_config *ccfg, clasp_config *scfg, void (*handshake)(kit_pair *p),
                const char *client, const char *server, const char *want)
{
    if (client)
        assert_int_equal(clasp_config_set_alpn(ccfg, client), 0);
    if (server)
        assert_int_equal(clasp_config_set_alpn(scfg, server), 0);
    kit_pair p;
    kit_open(&p, ccfg, scfg, "server.test");
    handshake(&p);
    for (int side = 0; side < 2; side++) {
        const char *got = clasp_conn_alpn(side ? p.server : p.client);
        if (want)
            assert_string_equal(got, want);
        else
            assert_null(got);
    }
    kit_close(&p);
}

static int on_server_name(clasp_conn *conn, const char *name, void *arg)
{
    struct sni *s = arg;
    s->calls++;
    snprintf(s->seen, sizeof(s->seen), "%s", name ? name : "(none)");
    if (!name || strcmp(name, "server.test") == 0)
        return CLASP_OK;
    if (strcmp(name, "other.test") == 0)
        return clasp_conn_set_config(conn, s->other);
    return CLASP_ERR_UNRECOGNIZED_NAME;
}

void sni_attach(struct sni *s, clasp_config *scfg, clasp_config *other)
{
    memset(s, 0, sizeof(*s));
    s->other = other;
    assert_int_equal(clasp_config_set_servername_callback(scfg, on_server_name, s), 0);
}

size_t move_reframed(clasp_conn *from, clasp_conn *to, size_t frag, size_t *len)
{
    size_t n, rlen;
    uint8_t *buf = kit_take(from, &n);
    uint8_t *re = kit_reframe(buf, n, frag, &rlen);
    size_t records = kit_records(re, rlen, NULL, 0);
    assert_int_equal(kit_feed(to, re, rlen), 0);
    free(buf);
    free(re);
    if (len)
        *len = n;
    return records;
}
