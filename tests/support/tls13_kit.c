#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/mem.h"
#include "msg/msg.h"
#include "pair.h"
#include "tls13_kit.h"

kit_pki kit;

/* ---- PKI ---- */

static const test_key server_keys[] = {TK_RSA2048, TK_P256, TK_P384, TK_ED25519, TK_RSA_PSS};

int kit_setup(void **state)
{
    (void)state;
    memset(&kit, 0, sizeof(kit));
    kit.ca = test_ca_new(TK_P256, "clasp test CA");
    kit.other_ca = test_ca_new(TK_P256, "some other CA");
    test_cert_opts server = {.cn = "server.test", .san = "DNS:server.test,IP:127.0.0.1"};
    for (size_t i = 0; i < sizeof(server_keys) / sizeof(server_keys[0]); i++)
        test_issue(kit.ca, server_keys[i], &server, &kit.server[server_keys[i]]);
    test_cert_opts client = {.cn = "client.test", .client = 1};
    test_issue(kit.ca, TK_P256, &client, &kit.client);
    test_issue(kit.other_ca, TK_P256, &client, &kit.untrusted_client);
    test_cert_opts other = {.cn = "other.test", .san = "DNS:other.test"};
    test_issue(kit.ca, TK_P256, &other, &kit.other_name);
    test_cert_opts expired = {.cn = "server.test",
                              .san = "DNS:server.test",
                              .not_before_days = -30,
                              .not_after_days = -2};
    test_issue(kit.ca, TK_P256, &expired, &kit.expired);
    test_issue(kit.other_ca, TK_P256, &server, &kit.untrusted);
    test_issue(kit.ca, TK_RSA1024, &server, &kit.weak);
    return 0;
}

int kit_teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(kit.server) / sizeof(kit.server[0]); i++)
        test_cert_free(&kit.server[i]);
    test_cert_free(&kit.client);
    test_cert_free(&kit.untrusted_client);
    test_cert_free(&kit.other_name);
    test_cert_free(&kit.expired);
    test_cert_free(&kit.untrusted);
    test_cert_free(&kit.weak);
    test_ca_free(kit.ca);
    test_ca_free(kit.other_ca);
    return 0;
}

/* ---- configurations and pairs ---- */

void kit_add_cert(clasp_config *cfg, const test_cert *c)
{
    assert_int_equal(clasp_config_add_cert_chain_pem(cfg, (const uint8_t *)c->chain.pem,
                                                     c->chain.len, (const uint8_t *)c->key.pem,
                                                     c->key.len),
                     CLASP_OK);
}

static void trust_ca(clasp_config *cfg)
{
    const test_pem *ca = test_ca_pem(kit.ca);
    assert_int_equal(clasp_config_load_verify_pem(cfg, (const uint8_t *)ca->pem, ca->len), 0);
}

/* The TLS 1.3 suites test TLS 1.3: both sides speak nothing else unless a test says so. */
static clasp_config *new_config_13(clasp_role role)
{
    clasp_config *cfg = clasp_config_new(role);
    assert_non_null(cfg);
    assert_int_equal(clasp_config_set_versions(cfg, CLASP_TLS13, CLASP_TLS13), 0);
    return cfg;
}

clasp_config *kit_server_config(const test_cert *c)
{
    clasp_config *cfg = new_config_13(CLASP_SERVER);
    kit_add_cert(cfg, c);
    trust_ca(cfg);
    return cfg;
}

clasp_config *kit_client_config(void)
{
    clasp_config *cfg = new_config_13(CLASP_CLIENT);
    trust_ca(cfg);
    return cfg;
}

void kit_open(kit_pair *p, clasp_config *ccfg, clasp_config *scfg, const char *host)
{
    p->ccfg = ccfg ? ccfg : kit_client_config();
    p->scfg = scfg ? scfg : kit_server_config(&kit.server[TK_P256]);
    p->client = clasp_conn_new(p->ccfg);
    p->server = clasp_conn_new(p->scfg);
    assert_non_null(p->client);
    assert_non_null(p->server);
    assert_int_equal(clasp_conn_set_server_name(p->client, host), 0);
}

void kit_close(kit_pair *p)
{
    clasp_conn_free(p->client);
    clasp_conn_free(p->server);
    clasp_config_free(p->ccfg);
    clasp_config_free(p->scfg);
    memset(p, 0, sizeof(*p));
}

int kit_move(clasp_conn *from, clasp_conn *to)
{
    return pair_move(from, to, 0);
}

void kit_handshake(kit_pair *p)
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

void kit_exchange(kit_pair *p, size_t n)
{
    unsigned char *data = malloc(n ? n : 1);
    assert_non_null(data);
    for (size_t i = 0; i < n; i++)
        data[i] = (unsigned char)(i * 31 + 7);
    assert_int_equal(pair_transfer(p->client, p->server, data, n), 0);
    for (size_t i = 0; i < n; i++)
        data[i] = (unsigned char)(i * 17 + 3);
    assert_int_equal(pair_transfer(p->server, p->client, data, n), 0);
    free(data);
}

/* ---- the message hook ---- */

static int hook(void *arg, clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out)
{
    kit_hook *h = arg;
    unsigned n = ++h->count[msg[0]];
    if (!h->edit || msg[0] != h->type || (h->nth && n != h->nth))
        return 0;
    h->edited++;
    int rc = h->edit(c, msg, len, out, h->arg);
    assert_int_equal(cl_writer_finish(out), 0); /* the edit wrote a complete message */
    return rc;
}

void kit_hook_install(clasp_conn *c, kit_hook *h)
{
    c->test_hook = hook;
    c->test_hook_arg = h;
}

int kit_drop(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    (void)msg, (void)len, (void)out, (void)arg;
    return 1;
}

int kit_twice(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    (void)arg;
    cl_write_bytes(out, msg, len);
    cl_write_bytes(out, msg, len);
    return 0;
}

int kit_trailing_byte(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    (void)arg;
    kit_splice(msg, len, len, 0, "\0", 1, out);
    return 0;
}

int kit_truncate(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    (void)arg;
    assert_true(len > 4);
    kit_splice(msg, len, len - 1, 1, NULL, 0, out);
    return 0;
}

int kit_flip_last(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    (void)arg;
    uint8_t last = msg[len - 1] ^ 1;
    kit_splice(msg, len, len - 1, 1, &last, 1, out);
    return 0;
}

static size_t u24_at(const uint8_t *p)
{
    return (size_t)p[0] << 16 | (size_t)p[1] << 8 | p[2];
}

int kit_cert_repeat(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    size_t n = *(const unsigned *)arg, list = 5 + msg[4], der = list + 6;
    size_t exts = der + u24_at(msg + list + 3);
    size_t entry = exts + 2 + ((size_t)msg[exts] << 8 | msg[exts + 1]) - (list + 3);
    assert_true(msg[0] == CL_HS_CERTIFICATE && list + 3 + entry <= len);
    cl_write_u8(out, msg[0]);
    cl_write_u24(out, (uint32_t)((list - 4) + 3 + n * entry));
    cl_write_bytes(out, msg + 4, list - 4);
    cl_write_u24(out, (uint32_t)(n * entry));
    for (size_t i = 0; i < n; i++)
        cl_write_bytes(out, msg + list + 3, entry);
    return 0;
}

/* ---- message editing ---- */

void kit_put_msg(cl_writer *w, uint8_t type, const uint8_t *body, size_t len)
{
    cl_write_u8(w, type);
    cl_write_u24(w, (uint32_t)len);
    cl_write_bytes(w, body, len);
}

void kit_splice(const uint8_t *msg, size_t len, size_t off, size_t n, const void *rep, size_t rn,
                cl_writer *out)
{
    assert_true(len >= 4 && off >= 4 && off + n <= len);
    size_t body = len - 4 - n + rn;
    cl_write_u8(out, msg[0]);
    cl_write_u24(out, (uint32_t)body);
    cl_write_bytes(out, msg + 4, off - 4);
    if (rn)
        cl_write_bytes(out, rep, rn);
    cl_write_bytes(out, msg + off + n, len - off - n);
}

static size_t u16_at(const uint8_t *p)
{
    return (size_t)p[0] << 8 | p[1];
}

size_t kit_ch_suites_off(const uint8_t *ch)
{
    return KIT_HELLO_SID_OFF + 1 + ch[KIT_HELLO_SID_OFF];
}

size_t kit_ch_compression_off(const uint8_t *ch)
{
    size_t off = kit_ch_suites_off(ch);
    return off + 2 + u16_at(ch + off);
}

size_t kit_sh_suite_off(const uint8_t *sh)
{
    return KIT_HELLO_SID_OFF + 1 + sh[KIT_HELLO_SID_OFF];
}

/* Where a message's extension block starts (its length prefix). */
static size_t exts_offset(const uint8_t *msg, size_t len)
{
    size_t off = 0;
    switch (msg[0]) {
    case CL_HS_CLIENT_HELLO: off = kit_ch_compression_off(msg); return off + 1 + msg[off];
    case CL_HS_SERVER_HELLO: return kit_sh_suite_off(msg) + 3;
    case CL_HS_ENCRYPTED_EXTENSIONS: return 4;
    case CL_HS_CERTIFICATE_REQUEST: return 5 + msg[4];
    case CL_HS_NEW_SESSION_TICKET:
        off = 4 + 8;
        off += 1 + msg[off]; /* nonce */
        assert_true(off + 2 <= len);
        return off + 2 + u16_at(msg + off); /* ticket */
    default: fail_msg("no extension block in message type %u", msg[0]);
    }
    return 0;
}

void kit_exts_read(const uint8_t *msg, size_t len, kit_exts *e)
{
    memset(e, 0, sizeof(*e));
    e->off = exts_offset(msg, len);
    assert_true(e->off + 2 <= len);
    e->end = e->off + 2 + u16_at(msg + e->off);
    assert_true(e->end <= len);
    for (size_t p = e->off + 2; p < e->end;) {
        assert_true(p + 4 <= e->end && e->n < KIT_MAX_EXTS);
        e->type[e->n] = (uint16_t)u16_at(msg + p);
        e->len[e->n] = u16_at(msg + p + 2);
        e->data[e->n] = msg + p + 4;
        p += 4 + e->len[e->n];
        assert_true(p <= e->end);
        e->n++;
    }
}

int kit_exts_find(const kit_exts *e, uint16_t type)
{
    for (size_t i = 0; i < e->n; i++)
        if (e->type[i] == type)
            return (int)i;
    return -1;
}

void kit_exts_del(kit_exts *e, uint16_t type)
{
    int i = kit_exts_find(e, type);
    assert_true(i >= 0);
    for (size_t j = (size_t)i; j + 1 < e->n; j++) {
        e->type[j] = e->type[j + 1];
        e->data[j] = e->data[j + 1];
        e->len[j] = e->len[j + 1];
    }
    e->n--;
}

void kit_exts_add(kit_exts *e, size_t pos, uint16_t type, const void *data, size_t len)
{
    assert_true(e->n < KIT_MAX_EXTS);
    if (pos > e->n)
        pos = e->n;
    for (size_t j = e->n; j > pos; j--) {
        e->type[j] = e->type[j - 1];
        e->data[j] = e->data[j - 1];
        e->len[j] = e->len[j - 1];
    }
    e->type[pos] = type;
    e->data[pos] = data;
    e->len[pos] = len;
    e->n++;
}

void kit_exts_set(kit_exts *e, uint16_t type, const void *data, size_t len)
{
    int i = kit_exts_find(e, type);
    assert_true(i >= 0);
    e->data[i] = data;
    e->len[i] = len;
}

void kit_exts_write(const uint8_t *msg, size_t len, const kit_exts *e, cl_writer *out)
{
    cl_writer block;
    assert_int_equal(cl_writer_growable(&block, 0, 1 << 20), 0);
    cl_write_open(&block, 2);
    for (size_t i = 0; i < e->n; i++) {
        cl_write_u16(&block, e->type[i]);
        cl_write_vec(&block, 2, e->data[i], e->len[i]);
    }
    cl_write_close(&block);
    assert_int_equal(cl_writer_finish(&block), 0);
    kit_splice(msg, len, e->off, e->end - e->off, block.buf, block.len, out);
    cl_writer_free(&block);
}

/* ---- records ---- */

size_t kit_records(const uint8_t *buf, size_t len, kit_rec *out, size_t max)
{
    size_t n = 0;
    for (size_t p = 0; p < len; n++) {
        assert_true(p + 5 <= len);
        size_t rl = u16_at(buf + p + 3);
        assert_true(p + 5 + rl <= len);
        if (n < max) {
            out[n].type = buf[p];
            out[n].version = (uint16_t)u16_at(buf + p + 1);
            out[n].body = buf + p + 5;
            out[n].len = rl;
        }
        p += 5 + rl;
    }
    return n;
}

uint8_t *kit_take(clasp_conn *c, size_t *len)
{
    const uint8_t *out;
    clasp_conn_output(c, &out, len);
    uint8_t *copy = malloc(*len ? *len : 1);
    assert_non_null(copy);
    if (*len)
        memcpy(copy, out, *len);
    clasp_conn_output_done(c, *len);
    return copy;
}

int kit_feed(clasp_conn *c, const uint8_t *buf, size_t len)
{
    int rc = 0;
    for (size_t off = 0; off < len && rc == 0;) {
        size_t used = 0;
        rc = clasp_conn_feed(c, buf + off, len - off, &used);
        if (rc == 0 && used == 0)
            fail_msg("the connection took none of %zu bytes", len - off);
        off += used;
    }
    return rc;
}

uint8_t *kit_reframe(const uint8_t *buf, size_t len, size_t frag, size_t *out_len)
{
    size_t n = kit_records(buf, len, NULL, 0);
    kit_rec *recs = calloc(n ? n : 1, sizeof(*recs));
    assert_non_null(recs);
    kit_records(buf, len, recs, n);
    /* at worst one header per byte */
    uint8_t *out = malloc(len * 6 + 1);
    assert_non_null(out);
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (recs[i].type == CL_CT_APPLICATION_DATA) { /* protected: copied as it is */
            memcpy(out + o, recs[i].body - 5, 5 + recs[i].len);
            o += 5 + recs[i].len;
            i++;
            continue;
        }
        size_t j = i, total = 0;
        while (j < n && recs[j].type == recs[i].type)
            total += recs[j++].len;
        uint8_t *joined = malloc(total ? total : 1);
        assert_non_null(joined);
        for (size_t k = i, at = 0; k < j; at += recs[k].len, k++)
            memcpy(joined + at, recs[k].body, recs[k].len);
        for (size_t at = 0; at < total; at += frag) {
            size_t m = total - at < frag ? total - at : frag;
            out[o++] = recs[i].type;
            out[o++] = (uint8_t)(recs[i].version >> 8);
            out[o++] = (uint8_t)recs[i].version;
            out[o++] = (uint8_t)(m >> 8);
            out[o++] = (uint8_t)m;
            memcpy(out + o, joined + at, m);
            o += m;
        }
        free(joined);
        i = j;
    }
    free(recs);
    *out_len = o;
    return out;
}

size_t kit_plain_record(uint8_t type, const void *body, size_t n, uint8_t *out)
{
    out[0] = type;
    out[1] = 3;
    out[2] = 3;
    out[3] = (uint8_t)(n >> 8);
    out[4] = (uint8_t)n;
    if (n)
        memcpy(out + 5, body, n);
    return 5 + n;
}

size_t kit_seal13(clasp_conn *c, uint8_t type, const uint8_t *content, size_t n, size_t pad,
                  uint8_t *out, size_t cap)
{
    cl_record_prot *p = &c->rl.wprot;
    assert_non_null(p->aead);
    assert_int_equal(p->version, CL_TLS13_VERSION);
    size_t inner = n + 1 + pad, total = 5 + inner + CL_AEAD_TAG_LEN;
    assert_true(total <= cap && inner + CL_AEAD_TAG_LEN <= 0xffff);
    out[0] = CL_CT_APPLICATION_DATA;
    out[1] = 3;
    out[2] = 3;
    out[3] = (uint8_t)((inner + CL_AEAD_TAG_LEN) >> 8);
    out[4] = (uint8_t)(inner + CL_AEAD_TAG_LEN);
    if (n)
        memcpy(out + 5, content, n);
    out[5 + n] = type;
    memset(out + 5 + n + 1, 0, pad);
    /* RFC 8446 5.3: the 64-bit sequence number, left-padded, XORed with the IV. */
    uint8_t nonce[CL_AEAD_NONCE_LEN];
    memcpy(nonce, p->iv, sizeof(nonce));
    for (int i = 0; i < 8; i++)
        nonce[CL_AEAD_NONCE_LEN - 1 - i] ^= (uint8_t)(p->seq >> (8 * i));
    assert_int_equal(cl_aead_seal(p->aead, nonce, out, 5, out + 5, inner, out + 5 + inner), 0);
    p->seq++;
    return total;
}
