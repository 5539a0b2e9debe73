#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hs/engine.h"
#include "msg/msg.h"
#include "pair.h"
#include "tls12_kit.h"

static void trust_kit_ca(clasp_config *cfg)
{
    const test_pem *ca = test_ca_pem(kit.ca);
    assert_int_equal(clasp_config_load_verify_pem(cfg, (const uint8_t *)ca->pem, ca->len), 0);
}

clasp_config *kit12_server(const test_cert *c, uint16_t min, uint16_t max)
{
    clasp_config *cfg = clasp_config_new(CLASP_SERVER);
    assert_non_null(cfg);
    assert_int_equal(clasp_config_set_versions(cfg, min, max), 0);
    kit_add_cert(cfg, c);
    trust_kit_ca(cfg);
    return cfg;
}

clasp_config *kit12_client(uint16_t min, uint16_t max)
{
    clasp_config *cfg = clasp_config_new(CLASP_CLIENT);
    assert_non_null(cfg);
    assert_int_equal(clasp_config_set_versions(cfg, min, max), 0);
    trust_kit_ca(cfg);
    return cfg;
}

void kit12_handshake(kit_pair *p)
{
    int rc = pair_handshake(p->client, p->server);
    if (rc != 0)
        fprintf(stderr, "client: %s\nserver: %s\n", clasp_conn_error_detail(p->client),
                clasp_conn_error_detail(p->server));
    assert_int_equal(rc, 0);
    assert_int_equal(clasp_conn_version(p->client), CLASP_TLS12);
    assert_int_equal(clasp_conn_version(p->server), CLASP_TLS12);
    assert_int_equal(clasp_conn_cipher_suite(p->client), clasp_conn_cipher_suite(p->server));
    assert_int_equal(clasp_conn_group(p->client), clasp_conn_group(p->server));
    assert_int_equal(clasp_conn_resumed(p->client), clasp_conn_resumed(p->server));
}

int kit12_capture(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c, (void)out;
    kit_msg *m = arg;
    assert_true(len <= sizeof(m->data));
    memcpy(m->data, msg, len);
    m->len = len;
    return 0;
}

int kit12_cert_repeat(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    size_t n = *(const unsigned *)arg;
    size_t entry = 3 + ((size_t)msg[7] << 16 | (size_t)msg[8] << 8 | msg[9]);
    assert_true(msg[0] == CL_HS_CERTIFICATE && 7 + entry <= len);
    cl_write_u8(out, msg[0]);
    cl_write_u24(out, (uint32_t)(3 + n * entry));
    cl_write_u24(out, (uint32_t)(n * entry));
    for (size_t i = 0; i < n; i++)
        cl_write_bytes(out, msg + 7, entry);
    return 0;
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

size_t kit_seal12(clasp_conn *c, uint8_t type, const uint8_t *content, size_t n, uint8_t *out,
                  size_t cap)
{
    cl_record_prot *p = &c->rl.wprot;
    assert_int_equal(cl_record_prot_ready(p), 0); /* contexts are made at the first record */
    assert_int_equal(p->version, CL_TLS12_VERSION);
    size_t explicit_len = p->explicit_nonce_len, body = explicit_len + n + CL_AEAD_TAG_LEN;
    assert_true(5 + body <= cap && body <= 0xffff);
    out[0] = type;
    out[1] = 3;
    out[2] = 3;
    out[3] = (uint8_t)(body >> 8);
    out[4] = (uint8_t)body;
    uint8_t nonce[CL_AEAD_NONCE_LEN], seq[8], ad[13];
    put_u64(seq, p->seq);
    memcpy(nonce, p->iv, sizeof(nonce));
    if (explicit_len) { /* RFC 5288 3: salt, then the explicit nonce on the wire */
        memcpy(out + 5, seq, 8);
        memcpy(nonce + 4, seq, 8);
    } else { /* RFC 7905 2: the IV xor the sequence number */
        for (int i = 0; i < 8; i++)
            nonce[4 + i] ^= seq[i];
    }
    /* RFC 5246 6.2.3.3: seq_num + type + version + length. */
    memcpy(ad, seq, 8);
    ad[8] = type;
    ad[9] = 3;
    ad[10] = 3;
    ad[11] = (uint8_t)(n >> 8);
    ad[12] = (uint8_t)n;
    uint8_t *pt = out + 5 + explicit_len;
    if (n)
        memcpy(pt, content, n);
    assert_int_equal(cl_aead_seal(p->aead, nonce, ad, sizeof(ad), pt, n, pt + n), 0);
    p->seq++;
    return 5 + body;
}

void kit_write_plain(clasp_conn *c, uint8_t type, const uint8_t *data, size_t n)
{
    cl_record_prot saved = c->rl.wprot;
    memset(&c->rl.wprot, 0, sizeof(c->rl.wprot));
    int rc = cl_rl_write(&c->rl, type, data, n);
    c->rl.wprot = saved;
    assert_int_equal(rc, 0);
}

void kit12_put_ske(clasp_conn *c, const uint8_t *params, size_t n, cl_writer *out)
{
    cl_hs *hs = c->hs;
    uint8_t tbs[64 + 1600], sig[CL_MAX_SIG_LEN];
    size_t sig_len;
    assert_true(n <= sizeof(tbs) - 64);
    memcpy(tbs, hs->client_random, 32);
    memcpy(tbs + 32, hs->server_random, 32);
    memcpy(tbs + 64, params, n);
    assert_int_equal(
        cl_sign(hs->cred->key, hs->our_scheme, tbs, 64 + n, sig, sizeof(sig), &sig_len), 0);
    cl_write_u8(out, CL_HS_SERVER_KEY_EXCHANGE);
    cl_write_u24(out, (uint32_t)(n + 2 + 2 + sig_len));
    cl_write_bytes(out, params, n);
    cl_write_u16(out, hs->our_scheme);
    cl_write_u16(out, (uint16_t)sig_len);
    cl_write_bytes(out, sig, sig_len);
}
