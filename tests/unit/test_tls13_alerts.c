/*
 * TLS 1.3 failures, each with the exact alert RFC 8446 section 6.2 names for it. One table:
 * every case names the side that misbehaves, what it does (a rewritten, dropped or added
 * handshake message through the test hook, or records injected by hand), the error the
 * other side (the victim) must report and the alert it must send, which the misbehaving
 * side must then receive. The victim must release no application data: the misbehaving
 * side sends some as early as it can, and the victim's read must return the error.
 *
 * Where the RFC names the alert, the case quotes the section. Where it leaves the choice
 * open, the comment says so and the case keeps clasp's (reasonable) choice; the general
 * rule is RFC 8446 6: "Peers which receive a message which cannot be parsed according to
 * the syntax ... MUST terminate the connection with a "decode_error" alert. Peers which
 * receive a message which is syntactically correct but semantically invalid ... MUST
 * terminate the connection with an "illegal_parameter" alert."
 *
 * The runner, and the setups, edits and injections TLS 1.2 uses too, are in
 * tests/support/alert_runner.c.
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
#include "hs/transcript.h"
#include "msg/msg.h"
#include "alert_runner.h"
#include "pair.h"
#include "tls13_kit.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The table's initializers name only the fields a case needs; the others are zero. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* ---- setups ---- */

static clasp_config *server_p256(void)
{
    return kit_server_config(&kit.server[TK_P256]);
}

/* The server accepts secp256r1 only; the client shares x25519: HelloRetryRequest. */
static void s_hrr(kit_pair *p)
{
    clasp_config *scfg = server_p256();
    assert_int_equal(clasp_config_set_groups(scfg, "secp256r1"), 0);
    setup_with(p, NULL, scfg);
}

static void s_hrr_two_groups(kit_pair *p)
{
    clasp_config *scfg = server_p256();
    assert_int_equal(clasp_config_set_groups(scfg, "secp256r1"), 0);
    setup_with(p, client_with(NULL, "x25519:secp256r1", NULL), scfg);
}

static void s_hrr_aes128(kit_pair *p)
{
    clasp_config *scfg = server_p256(), *ccfg = kit_client_config();
    assert_int_equal(clasp_config_set_groups(scfg, "secp256r1"), 0);
    assert_int_equal(clasp_config_set_cipher_suites(ccfg, "TLS_AES_128_GCM_SHA256"), 0);
    setup_with(p, ccfg, scfg);
}

static void s_aes128(kit_pair *p)
{
    clasp_config *ccfg = kit_client_config();
    assert_int_equal(clasp_config_set_cipher_suites(ccfg, "TLS_AES_128_GCM_SHA256"), 0);
    setup_with(p, ccfg, NULL);
}

/* An RSA server; the client offers rsa_pss_rsae_sha256 (and ECDSA) only. */
static void s_rsa_narrow(kit_pair *p)
{
    clasp_config *ccfg = kit_client_config();
    assert_int_equal(
        clasp_config_set_signature_schemes(ccfg, "rsa_pss_rsae_sha256:ecdsa_secp256r1_sha256"), 0);
    setup_with(p, ccfg, kit_server_config(&kit.server[TK_RSA2048]));
}

static void s_rsa(kit_pair *p)
{
    setup_with(p, NULL, kit_server_config(&kit.server[TK_RSA2048]));
}

static void s_no_common_suite(kit_pair *p)
{
    clasp_config *ccfg = kit_client_config(), *scfg = server_p256();
    assert_int_equal(clasp_config_set_cipher_suites(ccfg, "TLS_AES_128_GCM_SHA256"), 0);
    assert_int_equal(clasp_config_set_cipher_suites(scfg, "TLS_AES_256_GCM_SHA384"), 0);
    setup_with(p, ccfg, scfg);
}

static void s_no_common_group(kit_pair *p)
{
    clasp_config *scfg = server_p256();
    assert_int_equal(clasp_config_set_groups(scfg, "secp384r1"), 0);
    setup_with(p, client_with(NULL, "x25519:secp256r1", NULL), scfg);
}

static void s_no_common_scheme(kit_pair *p)
{
    clasp_config *ccfg = kit_client_config();
    assert_int_equal(clasp_config_set_signature_schemes(ccfg, "ed25519:rsa_pss_rsae_sha256"), 0);
    setup_with(p, ccfg, NULL); /* a P-256 server */
}

static void s_alpn_both(kit_pair *p)
{
    s_alpn(p, "http/1.1", "http/1.1");
}

static void s_wrong_ip(kit_pair *p)
{
    kit_open(p, NULL, NULL, "127.0.0.2");
}

static void s_weak(kit_pair *p)
{
    setup_with(p, NULL, kit_server_config(&kit.weak));
}

/* A certificate for client authentication (EKU clientAuth) used by a server. */
static void s_client_cert_on_server(kit_pair *p)
{
    kit_open(p, NULL, kit_server_config(&kit.client), "client.test");
}

/* ---- edits ---- */

/* The last extension's length one more than its data: it runs past the block. */
static int edit_ext_overrun(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out,
                            void *arg)
{
    (void)c, (void)arg;
    kit_exts e;
    kit_exts_read(msg, len, &e);
    size_t off = (size_t)(e.data[e.n - 1] - msg) - 2;
    uint8_t l[2];
    put_u16(l, e.len[e.n - 1] + 1);
    kit_splice(msg, len, off, 2, l, 2, out);
    return 0;
}

/* The ClientHello's cipher_suites vector (length included) replaced. */
static int edit_ch_suites(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    const xbytes *x = arg;
    size_t off = kit_ch_suites_off(msg);
    kit_splice(msg, len, off, 2 + ((size_t)msg[off] << 8 | msg[off + 1]), x->p, x->n, out);
    return 0;
}

/* One byte of the hello's random, or of its session ID, flipped. */
static int edit_flip_at(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    size_t off = *(const uint16_t *)arg;
    uint8_t b = msg[off] ^ 0x40;
    kit_splice(msg, len, off, 1, &b, 1, out);
    return 0;
}

#define RANDOM_BYTE U16(4 + 2 + 7)
#define SID_BYTE    U16(KIT_HELLO_SID_OFF + 1 + 5)

/* A ServerHello answered the second time with a copy of the first HelloRetryRequest. */
static struct {
    uint8_t msg[1024];
    size_t len;
} first_hrr;

static int edit_second_hrr(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c, (void)arg;
    if (memcmp(msg + 6, cl_hrr_random, 32) == 0) {
        assert_true(len <= sizeof(first_hrr.msg));
        memcpy(first_hrr.msg, msg, len);
        first_hrr.len = len;
        return 0;
    }
    assert_true(first_hrr.len > 0);
    cl_write_bytes(out, first_hrr.msg, first_hrr.len);
    return 0;
}

/* The message, with other bytes (whole messages) before it. */
static int edit_before(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    const xbytes *x = arg;
    cl_write_bytes(out, x->p, x->n);
    cl_write_bytes(out, msg, len);
    return 0;
}

/*
 * Sends the message as its sender would (into the sender's transcript), but framed in one
 * record with the bytes in arg, which stay out of the transcript: the sender's keys remain
 * right, and the receiver finds handshake data after a message that must end its record.
 */
static int edit_same_record(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out,
                            void *arg)
{
    (void)out;
    const xbytes *x = arg;
    uint8_t rec[4096];
    assert_true(len + x->n <= sizeof(rec));
    memcpy(rec, msg, len);
    memcpy(rec + len, x->p, x->n);
    assert_int_equal(cl_hs_flush(c), 0); /* what was queued before goes first */
    assert_int_equal(cl_tr_add(&c->hs->tr, msg, len), 0);
    assert_int_equal(cl_rl_write(&c->rl, CL_CT_HANDSHAKE, rec, len + x->n), 0);
    return 1; /* sent already */
}

/* Sends application data under the current (handshake) keys, then the message. */
static int edit_app_data_first(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out,
                               void *arg)
{
    (void)msg, (void)len, (void)out, (void)arg;
    assert_int_equal(cl_rl_write(&c->rl, CL_CT_APPLICATION_DATA, (const uint8_t *)"early", 5), 0);
    return 0;
}

/* A context in a CertificateRequest or Certificate (whose bodies start with it). */
static int edit_context(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c, (void)arg;
    assert_int_equal(msg[4], 0);
    kit_splice(msg, len, 4, 1, "\1\xaa", 2, out);
    return 0;
}

static const uint8_t empty_certificate[] = {CL_HS_CERTIFICATE, 0, 0, 4, 0, 0, 0, 0};

static int edit_cert_empty(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c, (void)msg, (void)len, (void)arg;
    cl_write_bytes(out, empty_certificate, sizeof(empty_certificate));
    return 0;
}

static size_t u24_at(const uint8_t *p)
{
    return (size_t)p[0] << 16 | (size_t)p[1] << 8 | p[2];
}

static void put_u24(cl_writer *w, size_t v)
{
    cl_write_u24(w, (uint32_t)v);
}

/* Bytes added to the extensions of the Certificate's first entry. */
static int edit_cert_entry_ext(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out,
                               void *arg)
{
    (void)c;
    const xbytes *x = arg;
    size_t list = 5 + msg[4], der = list + 6, der_len = u24_at(msg + list + 3);
    size_t exts = der + der_len, exts_len = (size_t)msg[exts] << 8 | msg[exts + 1];
    cl_write_u8(out, msg[0]);
    put_u24(out, len - 4 + x->n);
    cl_write_bytes(out, msg + 4, list - 4);
    put_u24(out, u24_at(msg + list) + x->n);
    cl_write_bytes(out, msg + list + 3, exts - (list + 3));
    cl_write_u16(out, (uint16_t)(exts_len + x->n));
    cl_write_bytes(out, msg + exts + 2, exts_len);
    cl_write_bytes(out, x->p, x->n);
    cl_write_bytes(out, msg + exts + 2 + exts_len, len - (exts + 2 + exts_len));
    return 0;
}

/* The last byte of the first certificate (inside its signature) flipped. */
static int edit_cert_corrupt(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out,
                             void *arg)
{
    (void)c, (void)arg;
    size_t list = 5 + msg[4], der = list + 6, der_len = u24_at(msg + list + 3);
    uint8_t b = msg[der + der_len - 1] ^ 1;
    kit_splice(msg, len, der + der_len - 1, 1, &b, 1, out);
    return 0;
}

/* The second ClientHello with a share for x25519 added to its one for the group asked. */
static int edit_extra_share(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out,
                            void *arg)
{
    (void)c, (void)arg;
    static uint8_t shares[512];
    kit_exts e;
    kit_exts_read(msg, len, &e);
    int i = kit_exts_find(&e, CL_EXT_KEY_SHARE);
    assert_true(i >= 0 && e.len[i] + 36 <= sizeof(shares));
    memcpy(shares, e.data[i], e.len[i]);
    memcpy(shares + e.len[i], (const uint8_t[]){0x00, 0x1d, 0x00, 0x20}, 4);
    memset(shares + e.len[i] + 4, 9, 32);
    put_u16(shares, e.len[i] + 36 - 2);
    kit_exts_set(&e, CL_EXT_KEY_SHARE, shares, e.len[i] + 36);
    kit_exts_write(msg, len, &e, out);
    return 0;
}

/* ---- key shares and extension bodies ---- */

/* Both sides with one opt-in group only. */
static void s_groups_only(kit_pair *p, const char *group)
{
    clasp_config *scfg = server_p256();
    assert_int_equal(clasp_config_set_groups(scfg, group), 0);
    setup_with(p, client_with(NULL, group, NULL), scfg);
}

static void s_x448(kit_pair *p)
{
    s_groups_only(p, "x448");
}

static void s_p521(kit_pair *p)
{
    s_groups_only(p, "secp521r1");
}

/*
 * ffdhe2048 shares that RFC 7919 5.1 forbids (1 < Y < p - 1) or that are not at the prime's
 * length (RFC 8446 4.2.8.1: "left-padded with zeros to the size of p"), filled in by the
 * setup from the prime clasp uses: ClientHello lists (client_shares<0..2^16-1>) and
 * ServerHello entries.
 */
static uint8_t ch_ffdhe_pm1[2 + 4 + 256], ch_ffdhe_one[2 + 4 + 256], ch_ffdhe_short[2 + 4 + 255];
static uint8_t sh_ffdhe_pm1[4 + 256], sh_ffdhe_zero[4 + 256];

static void ffdhe_entry(uint8_t *e, size_t key_len)
{
    e[0] = 0x01, e[1] = 0x00; /* ffdhe2048 */
    e[2] = (uint8_t)(key_len >> 8), e[3] = (uint8_t)key_len;
}

static void ffdhe_list(uint8_t *l, size_t key_len)
{
    l[0] = (uint8_t)((4 + key_len) >> 8), l[1] = (uint8_t)(4 + key_len);
    ffdhe_entry(l + 2, key_len);
}

static void s_ffdhe(kit_pair *p)
{
    const uint8_t *prime;
    size_t n;
    uint8_t g;
    assert_int_equal(cl_kex_ffdhe_params(CL_GROUP_FFDHE2048, &prime, &n, &g), 0);
    assert_int_equal(n, 256);
    memset(ch_ffdhe_one, 0, sizeof(ch_ffdhe_one));
    memset(ch_ffdhe_short, 0, sizeof(ch_ffdhe_short));
    memset(sh_ffdhe_zero, 0, sizeof(sh_ffdhe_zero));
    ffdhe_list(ch_ffdhe_pm1, 256);
    memcpy(ch_ffdhe_pm1 + 6, prime, 256);
    ch_ffdhe_pm1[6 + 255] -= 1;
    ffdhe_list(ch_ffdhe_one, 256);
    ch_ffdhe_one[6 + 255] = 1;
    ffdhe_list(ch_ffdhe_short, 255);
    ch_ffdhe_short[6 + 254] = 2; /* 2, in range, without its padding */
    ffdhe_entry(sh_ffdhe_pm1, 256);
    memcpy(sh_ffdhe_pm1 + 4, prime, 256);
    sh_ffdhe_pm1[4 + 255] -= 1;
    ffdhe_entry(sh_ffdhe_zero, 256);
    s_groups_only(p, "ffdhe2048");
}

/* An all-zero X448 share (a small-order point); P-521's (1, 1), not on the curve. */
static const uint8_t ch_x448_zero[2 + 4 + 56] = {0x00, 0x3c, 0x00, 0x1e, 0x00, 0x38};
static const uint8_t sh_x448_one[4 + 56] = {0x00, 0x1e, 0x00, 0x38, 1};
static const uint8_t ch_p521_off_curve[2 + 4 + 133] = {0x00, 0x89, 0x00,     0x19,     0x00,
                                                       0x85, 0x04, [71] = 1, [137] = 1};

/* ClientHello key_share lists (client_shares<0..2^16-1>). */
static const uint8_t ch_x25519_zero[2 + 4 + 32] = {0x00, 0x24, 0x00, 0x1d, 0x00, 0x20};
static const uint8_t ch_x25519_short[2 + 4 + 31] = {0x00, 0x23, 0x00, 0x1d, 0x00, 0x1f, 9};
static const uint8_t ch_x25519_nine[2 + 4 + 32] = {0x00, 0x24, 0x00, 0x1d, 0x00, 0x20, 9};
static const uint8_t ch_x25519_twice[2 + 2 * 36] = {0x00, 0x48,        0x00, 0x1d, 0x00,
                                                    0x20, [38] = 0x00, 0x1d, 0x00, 0x20};
/* A P-256 point (1, 1), which is not on the curve. */
static const uint8_t ch_p256_off_curve[2 + 4 + 65] = {0x00, 0x45, 0x00,     0x17,    0x00,
                                                      0x41, 0x04, [38] = 1, [70] = 1};
/* ServerHello key_share entries (server_share). */
static const uint8_t sh_x25519_zero[4 + 32] = {0x00, 0x1d, 0x00, 0x20};
static const uint8_t sh_x25519_nine[4 + 32] = {0x00, 0x1d, 0x00, 0x20, 9};
static const uint8_t sh_x25519_trailing[4 + 32 + 1] = {0x00, 0x1d, 0x00, 0x20, 9};
static const uint8_t sh_p256_off_curve[4 + 65] = {0x00, 0x17, 0x00, 0x41, 0x04, [36] = 1, [68] = 1};
/* A well-formed pre_shared_key offer: one identity, one 32-byte binder. */
static const uint8_t psk_offer[] = {0x00, 0x0a, 0x00, 0x04, 't',  'i',  'c',  'k',
                                    0,    0,    0,    0,    0x00, 0x21, 0x20, [46] = 0};
/* A cookie of 32 bytes, which is not the one the server sent. */
static const uint8_t other_cookie[2 + 32] = {0x00, 0x20, 0x11, 0x22};
static uint8_t session_id_33[1 + 33] = {33};

/* Post-handshake messages. A valid NewSessionTicket: lifetime 3600, age_add 0, an empty
 * nonce, the one-byte ticket "t", no extensions. */
#define NST_BODY 0, 0, 0x0e, 0x10, 0, 0, 0, 0, 0, 0, 1, 't'
#define NST_OK   CL_HS_NEW_SESSION_TICKET, 0, 0, 14, NST_BODY, 0, 0
static const uint8_t nst_ok[] = {NST_OK};
static const uint8_t nst_trailing[] = {CL_HS_NEW_SESSION_TICKET, 0, 0, 15, NST_BODY, 0, 0, 0};
static const uint8_t nst_long_life[] = {CL_HS_NEW_SESSION_TICKET,
                                        0,
                                        0,
                                        14,
                                        0,
                                        0x09,
                                        0x3a,
                                        0x81,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        1,
                                        't',
                                        0,
                                        0}; /* 604801
                                               s
                                             */
static const uint8_t nst_key_share[] = {
    CL_HS_NEW_SESSION_TICKET, 0, 0, 20, NST_BODY, 0, 6, 0, 0x33, 0, 2, 0x00, 0x1d};
static const uint8_t nst_dup_ext[] = {
    CL_HS_NEW_SESSION_TICKET, 0, 0, 22, NST_BODY, 0, 8, 0xfe, 0x00, 0, 0, 0xfe, 0x00, 0, 0};
static const uint8_t nst_early_data_short[] = {
    CL_HS_NEW_SESSION_TICKET, 0, 0, 21, NST_BODY, 0, 7, 0, 42, 0, 3, 0, 0, 1};
static const uint8_t nst_empty_ticket[] = {
    CL_HS_NEW_SESSION_TICKET, 0, 0, 13, 0, 0, 0x0e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0};
static const uint8_t certificate_request[] = {13, 0, 0, 11, 0, 0, 8, 0, 13, 0, 4, 0, 2, 4, 3};
static const uint8_t nst_header_only[] = {CL_HS_NEW_SESSION_TICKET, 0, 0, 14, 0, 0, 0x0e};
static const uint8_t nst_rest[] = {0x10, 0, 0, 0, 0, 0, 0, 1, 't', 0, 0};

/* Records for the record-layer cases. */
static uint8_t zeros[CL_MAX_PLAINTEXT];
static uint8_t oversized_record[5 + CL_TLS13_MAX_CIPHERTEXT + 1] = {23, 3, 3, 0x41, 0x01};

/* ---- injections before the handshake ---- */

static void start_empty_handshake(kit_pair *p)
{
    feed_server(p, B(22, 3, 1, 0, 0));
}

static void start_after_hello(kit_pair *p, const uint8_t *rec, size_t n, unsigned times)
{
    kit_move(p->client, p->server);
    for (unsigned i = 0; i < times; i++)
        feed_server(p, rec, n);
}

/* A ClientHello header announcing 2^24 - 1 bytes, more than any ClientHello can hold. */
static void start_huge_hello(kit_pair *p)
{
    feed_server(p, B(22, 3, 1, 0, 4, CL_HS_CLIENT_HELLO, 0xff, 0xff, 0xff));
}

static void start_ccs_value_2(kit_pair *p)
{
    start_after_hello(p, B(20, 3, 3, 0, 1, 2), 1);
}

static void start_ccs_two_bytes(kit_pair *p)
{
    start_after_hello(p, B(20, 3, 3, 0, 2, 1, 1), 1);
}

static void start_ccs_flood(kit_pair *p)
{
    start_after_hello(p, B(20, 3, 3, 0, 1, 1), 33);
}

/* The records in buf with record `split`'s payload cut in two around `between`. */
static void feed_split(clasp_conn *to, const uint8_t *buf, size_t len, size_t split,
                       const uint8_t *between, size_t between_len)
{
    kit_rec recs[8];
    size_t n = kit_records(buf, len, recs, 8);
    assert_true(split < n && recs[split].len >= 2);
    for (size_t i = 0; i < n; i++) {
        if (i != split) {
            kit_feed(to, recs[i].body - 5, recs[i].len + 5);
            continue;
        }
        uint8_t rec[CL_MAX_PLAINTEXT + 5];
        size_t half = recs[i].len / 2;
        kit_feed(to, rec, kit_plain_record(recs[i].type, recs[i].body, half, rec));
        kit_feed(to, between, between_len);
        kit_feed(to, rec,
                 kit_plain_record(recs[i].type, recs[i].body + half, recs[i].len - half, rec));
    }
}

/* A warning alert (user_canceled, which is not fatal) inside the ClientHello. */
static void start_alert_in_hello(kit_pair *p)
{
    size_t len;
    uint8_t *ch = kit_take(p->client, &len);
    feed_split(p->server, ch, len, 0, B(21, 3, 3, 0, 2, 1, 90));
    free(ch);
}

/* A change_cipher_spec (legal at this point) inside the second ClientHello. */
static void start_ccs_in_second_hello(kit_pair *p)
{
    kit_move(p->client, p->server);
    kit_move(p->server, p->client);
    size_t len;
    uint8_t *ch2 = kit_take(p->client, &len); /* the client's CCS, then ClientHello */
    feed_split(p->server, ch2, len, 1, B(20, 3, 3, 0, 1, 1));
    free(ch2);
}

/* ---- injections after the handshake ---- */

/* A NewSessionTicket in two records with application data between them. */
static void after_split_message(kit_pair *p)
{
    clasp_conn *s = p->server;
    assert_int_equal(cl_rl_write(&s->rl, CL_CT_HANDSHAKE, nst_header_only, sizeof(nst_header_only)),
                     0);
    assert_int_equal(cl_rl_write(&s->rl, CL_CT_APPLICATION_DATA, (const uint8_t *)"x", 1), 0);
    assert_int_equal(cl_rl_write(&s->rl, CL_CT_HANDSHAKE, nst_rest, sizeof(nst_rest)), 0);
}

/* ---- the table ---- */

static const acase cases[] = {
    /* ==== the ClientHello (the server is the victim) ==== */

    /* RFC 8446 4.2: "There MUST NOT be more than one extension of the same type in a given
     * extension block." No alert is named; clasp sends illegal_parameter. */
    {"CH: duplicate supported_groups", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_DUP, CL_EXT_SUPPORTED_GROUPS}), E_ILLEGAL},
    {"CH: duplicate unknown extension", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_ADD, 0xfe00}, {X_ADD, 0xfe00}), E_ILLEGAL},
    /* RFC 8446 6 (note): a message that cannot be parsed is decode_error. */
    {"CH: trailing byte", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO, .edit = kit_trailing_byte,
     E_DECODE},
    {"CH: truncated", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO, .edit = kit_truncate, E_DECODE},
    {"CH: cipher_suites of odd length", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     .edit = edit_ch_suites, .arg = XB(0, 3, 0x13, 0x01, 0x13), E_DECODE},
    {"CH: extension runs past the block", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     .edit = edit_ext_overrun, E_DECODE},
    {"CH: supported_versions of odd length", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_SUPPORTED_VERSIONS, B(3, 3, 4, 3)}), E_DECODE},
    {"CH: signature_algorithms of odd length", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_SIGNATURE_ALGORITHMS, B(0, 3, 4, 3, 8)}), E_DECODE},
    /* A byte after the list, inside the extension: it does not parse (RFC 8446 6). */
    {"CH: signature_algorithms with a trailing byte", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_SIGNATURE_ALGORITHMS, B(0, 2, 4, 3, 0)}), E_DECODE},
    {"CH: supported_groups with a trailing byte", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_SUPPORTED_GROUPS, B(0, 2, 0, 0x1d, 0)}), E_DECODE},
    /* legacy_session_id<0..32> */
    {"CH: session ID of 33 bytes", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO, .edit = edit_session_id,
     .arg = &(xbytes){session_id_33, sizeof(session_id_33)}, E_DECODE},
    /* KeyShareEntry.key_exchange<1..2^16-1> */
    {"CH: key share with an empty key", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_KEY_SHARE, B(0, 4, 0, 0x1d, 0, 0)}), E_DECODE},
    /* RFC 6066 3: HostName<1..2^16-1> */
    {"CH: empty host name", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_SERVER_NAME, B(0, 3, 0, 0, 0)}), E_DECODE},
    /* RFC 6066 3: HostName is "the fully qualified DNS hostname ... using ASCII encoding
     * without a trailing dot". The vector parses; the value is wrong: illegal_parameter
     * (RFC 8446 6, "syntactically correct but semantically invalid"). */
    {"CH: host name with a control byte", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_SERVER_NAME, B(0, 6, 0, 0, 3, 'a', 1, 'b')}), E_ILLEGAL},
    {"CH: host name with a trailing NUL", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_SERVER_NAME, B(0, 6, 0, 0, 3, 'a', 'b', 0)}), E_ILLEGAL},
    {"CH: host name with a non-ASCII byte", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_SERVER_NAME, B(0, 6, 0, 0, 3, 'a', 0xe9, 'b')}), E_ILLEGAL},
    {"CH: host name with a trailing dot", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_SERVER_NAME, B(0, 6, 0, 0, 3, 'a', 'b', '.')}), E_ILLEGAL},
    {"CH: host name with an empty label", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_SERVER_NAME, B(0, 7, 0, 0, 4, 'a', '.', '.', 'b')}), E_ILLEGAL},
    /* RFC 7301 3.1: ProtocolName<1..2^8-1> */
    {"CH: ALPN with an empty name", BAD_CLIENT, s_alpn_both, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_ALPN, B(0, 1, 0)}), E_DECODE},
    /* Extensions the server does not act on are read all the same (RFC 8446 6: a body that
     * does not parse is decode_error; a value its RFC rules out, illegal_parameter). */
    /* RFC 8446 4.2.10: in a ClientHello "the "extension_data" field of this extension
     * SHALL be empty" (struct {} Empty). */
    {"CH: early_data with a body", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_ADD, CL_EXT_EARLY_DATA, B(0)}), E_DECODE},
    /* psk_key_exchange_modes<1..255>, read even without a pre_shared_key (4.2.9) */
    {"CH: psk_key_exchange_modes empty", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_PSK_KEY_EXCHANGE_MODES, B(0)}), E_DECODE},
    {"CH: signature_algorithms_cert of odd length", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_SIGNATURE_ALGORITHMS_CERT, B(0, 3, 4, 3, 8)}), E_DECODE},
    /* RFC 7685 3: "The "extension_data" for the extension consists of an arbitrary number
     * of zero bytes": another byte parses, with a wrong value. */
    {"CH: padding not all zeros", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_ADD, CL_EXT_PADDING, B(0, 0, 1, 0)}), E_ILLEGAL},
    /* RFC 6066 8: CertificateStatusRequest, OCSPStatusRequest cut short */
    {"CH: status_request truncated", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_ADD, CL_EXT_STATUS_REQUEST, B(1, 0, 0)}), E_DECODE},
    /* RFC 6066 4: "If a server receives a maximum fragment length negotiation request for
     * a value other than the allowed values, it MUST abort the handshake with an
     * "illegal_parameter" alert." */
    {"CH: max_fragment_length 5", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_ADD, CL_EXT_MAX_FRAGMENT_LENGTH, B(5)}), E_ILLEGAL},
    /* RFC 6520 2: "Upon reception of an unknown mode, an error Alert message using
     * illegal_parameter as its AlertDescription MUST be sent in response." */
    {"CH: heartbeat mode 3", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_ADD, CL_EXT_HEARTBEAT, B(3)}), E_ILLEGAL},
    /* TLS 1.2 extensions in a hello that gets TLS 1.3: RFC 7627 5.1, RFC 7366 2, RFC 5746
     * 3.2, RFC 8422 5.1.2 define their bodies whatever the version chosen. */
    {"CH: extended_master_secret with a body, to TLS 1.3", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_ADD, CL_EXT_EXTENDED_MASTER_SECRET, B(0)}), E_DECODE},
    {"CH: encrypt_then_mac with a body", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_ADD, CL_EXT_ENCRYPT_THEN_MAC, B(0)}), E_DECODE},
    {"CH: ec_point_formats empty, to TLS 1.3", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_ADD, CL_EXT_EC_POINT_FORMATS, B(0)}), E_DECODE},
    {"CH: renegotiation_info cut short, to TLS 1.3", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_ADD, CL_EXT_RENEGOTIATION_INFO, B(2, 0)}), E_DECODE},
    /* ALPN read though the server has no protocols (RFC 7301 3.1: ProtocolName<1..2^8-1>) */
    {"CH: ALPN with an empty name, no ALPN here", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_ADD, CL_EXT_ALPN, B(0, 1, 0)}), E_DECODE},
    /* RFC 8446 4.2.4: authorities<3..2^16-1>; 4.2.6: post_handshake_auth is empty */
    {"CH: certificate_authorities empty", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_ADD, CL_EXT_CERTIFICATE_AUTHORITIES, B(0, 0)}), E_DECODE},
    {"CH: post_handshake_auth with a body", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_ADD, CL_EXT_POST_HANDSHAKE_AUTH, B(0)}), E_DECODE},
    /* RFC 5764 4.1.1: SRTPProtectionProfiles<2..2^16-1> of uint8[2] */
    {"CH: use_srtp with an odd profile list", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_ADD, CL_EXT_USE_SRTP, B(0, 3, 0, 1, 0, 0)}), E_DECODE},
    /* RFC 7250 3: client_certificate_types<1..2^8-1> */
    {"CH: client_certificate_type empty", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_ADD, CL_EXT_CLIENT_CERT_TYPE, B(0)}), E_DECODE},
    /* RFC 6962 3.3.1: the client's extension_data is empty */
    {"CH: signed_certificate_timestamp with a body", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_ADD, CL_EXT_SCT, B(0)}), E_DECODE},
    /* RFC 8446 4.2.2: cookie<1..2^16-1>, in a first ClientHello too */
    {"CH: empty cookie", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_ADD, CL_EXT_COOKIE, B(0, 0)}), E_DECODE},
    /* RFC 8446 4.1.2: "If a TLS 1.3 ClientHello is received with any other value in this
     * field, the server MUST abort the handshake with an "illegal_parameter" alert." */
    {"CH: compression method 1", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO, .edit = edit_ch_compression,
     .arg = XB(1, 1), E_ILLEGAL},
    {"CH: compression methods null and 1", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     .edit = edit_ch_compression, .arg = XB(2, 0, 1), E_ILLEGAL},
    /* RFC 8446 D.5: "Any endpoint receiving a Hello message with ClientHello.legacy_version
     * or ServerHello.legacy_version set to 0x0300 MUST abort the handshake with a
     * "protocol_version" alert." */
    {"CH: legacy_version 0x0300", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO, .edit = edit_hello_version,
     .arg = U16(0x0300), E_VERSION, .why = "legacy_version"},
    /* RFC 8446 4.2.1: "If the "supported_versions" extension in the ClientHello contains no
     * versions acceptable to the server, the server MUST abort the handshake with a
     * "protocol_version" alert." Without the extension a client offers TLS 1.2 at most,
     * and this server speaks TLS 1.3 only. */
    {"CH: without supported_versions", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_DEL, CL_EXT_SUPPORTED_VERSIONS}), E_VERSION},
    {"CH: TLS 1.2 only", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_SUPPORTED_VERSIONS, B(2, 3, 3)}), E_VERSION},
    {"CH: TLS 1.0 and 1.1 only", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_SUPPORTED_VERSIONS, B(4, 3, 2, 3, 1)}), E_VERSION},
    /* RFC 8446 4.2.8: "Clients MUST NOT offer any KeyShareEntry values for groups not listed
     * in the client's "supported_groups" extension. Servers MAY check for violations of
     * these rules and abort the handshake with an "illegal_parameter" alert". */
    {"CH: key share for a group not in supported_groups", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_SUPPORTED_GROUPS, B(0, 2, 0, 0x17)}), E_ILLEGAL,
     .why = "not in supported_groups"},
    /* RFC 8446 4.2.8: "Clients MUST NOT offer multiple KeyShareEntry values for the same
     * group." (same sentence: illegal_parameter) */
    {"CH: two key shares for one group", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_KEY_SHARE, ch_x25519_twice, sizeof(ch_x25519_twice)}), E_ILLEGAL},
    /* RFC 8446 6: "a DHE share of p - 1" is the example of illegal_parameter; 4.2.8.2
     * requires validating ECDHE points; 7.4.2: an all-zero X25519 secret must be refused. */
    {"CH: P-256 share off the curve", BAD_CLIENT, s_p256, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_KEY_SHARE, ch_p256_off_curve, sizeof(ch_p256_off_curve)}), E_ILLEGAL},
    {"CH: all-zero X25519 share", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_KEY_SHARE, ch_x25519_zero, sizeof(ch_x25519_zero)}), E_ILLEGAL},
    /* The opt-in groups: RFC 7919 5.1 "Peers MUST validate each other's public key Y ...
     * by ensuring that 1 < Y < p-1"; RFC 8446 4.2.8.1 Y is "left-padded with zeros to the
     * size of p"; 7.4.2 an all-zero X448 secret; 4.2.8.2 P-521 points are validated. */
    {"CH: FFDHE share of p - 1", BAD_CLIENT, s_ffdhe, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_KEY_SHARE, ch_ffdhe_pm1, sizeof(ch_ffdhe_pm1)}), E_ILLEGAL},
    {"CH: FFDHE share of 1", BAD_CLIENT, s_ffdhe, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_KEY_SHARE, ch_ffdhe_one, sizeof(ch_ffdhe_one)}), E_ILLEGAL},
    {"CH: FFDHE share without its padding", BAD_CLIENT, s_ffdhe, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_KEY_SHARE, ch_ffdhe_short, sizeof(ch_ffdhe_short)}), E_ILLEGAL},
    {"CH: all-zero X448 share", BAD_CLIENT, s_x448, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_KEY_SHARE, ch_x448_zero, sizeof(ch_x448_zero)}), E_ILLEGAL},
    {"CH: P-521 share off the curve", BAD_CLIENT, s_p521, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_KEY_SHARE, ch_p521_off_curve, sizeof(ch_p521_off_curve)}), E_ILLEGAL},
    /* A key of the wrong size for its group: the RFC names no alert (it parses as a vector,
     * the value is wrong): illegal_parameter, as clasp does. */
    {"CH: X25519 share of 31 bytes", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_KEY_SHARE, ch_x25519_short, sizeof(ch_x25519_short)}), E_ILLEGAL},
    /* RFC 8446 9.2: a ClientHello offering (EC)DHE needs supported_groups and key_share;
     * "Servers receiving a ClientHello which does not conform to these requirements MUST
     * abort the handshake with a "missing_extension" alert." 4.2.3: without
     * signature_algorithms "the server MUST abort the handshake with a "missing_extension"
     * alert". */
    {"CH: without key_share", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO, OPS({X_DEL, CL_EXT_KEY_SHARE}),
     E_MISSING},
    {"CH: without supported_groups", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_DEL, CL_EXT_SUPPORTED_GROUPS}), E_MISSING},
    {"CH: without signature_algorithms", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_DEL, CL_EXT_SIGNATURE_ALGORITHMS}), E_MISSING},
    /* RFC 8446 4.2.11: "Servers MUST check that it is the last extension and otherwise fail
     * the handshake with an "illegal_parameter" alert." */
    {"CH: pre_shared_key not last", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_ADD_BEFORE_LAST, CL_EXT_PRE_SHARED_KEY, psk_offer, sizeof(psk_offer)}), E_ILLEGAL},
    /* RFC 8446 4.1.1: with no overlap the server "MUST abort the handshake with either a
     * "handshake_failure" or "insufficient_security" fatal alert". */
    {"CH: no cipher suite in common", BAD_CLIENT, s_no_common_suite, E_HS_FAILURE},
    {"CH: no group in common", BAD_CLIENT, s_no_common_group, E_HS_FAILURE},
    {"CH: no signature scheme for the certificate", BAD_CLIENT, s_no_common_scheme, E_HS_FAILURE},
    /* RFC 7301 3.2: "the server SHALL respond with a fatal "no_application_protocol"
     * alert". */
    {"CH: no ALPN protocol in common", BAD_CLIENT, s_alpn_mismatch,
     .err = CLASP_ERR_NO_APPLICATION_PROTOCOL, .alert = CLASP_ALERT_NO_APPLICATION_PROTOCOL},

    /* ==== HelloRetryRequest and the second ClientHello ==== */

    /* RFC 8446 4.1.2: the second ClientHello is the first "without modification, except"
     * the listed changes. No alert is named for a server that checks; illegal_parameter
     * (a well-formed message with a wrong value), as clasp does. */
    {"CH2: cipher suites changed", BAD_CLIENT, s_hrr, .msg = CL_HS_CLIENT_HELLO, .nth = 2,
     .edit = edit_ch_suites, .arg = XB(0, 2, 0x13, 0x01), E_ILLEGAL, .why = "changed more"},
    {"CH2: an extension added", BAD_CLIENT, s_hrr, .msg = CL_HS_CLIENT_HELLO, .nth = 2,
     OPS({X_ADD, 0xfe00}), E_ILLEGAL, .why = "changed more"},
    {"CH2: an extension removed", BAD_CLIENT, s_hrr, .msg = CL_HS_CLIENT_HELLO, .nth = 2,
     OPS({X_DEL, CL_EXT_SIGNATURE_ALGORITHMS_CERT}), E_ILLEGAL, .why = "changed more"},
    {"CH2: random changed", BAD_CLIENT, s_hrr, .msg = CL_HS_CLIENT_HELLO, .nth = 2,
     .edit = edit_flip_at, .arg = RANDOM_BYTE, E_ILLEGAL, .why = "changed more"},
    /* RFC 8446 4.2.2: the client "MUST copy the contents of the extension received in the
     * HelloRetryRequest into a "cookie" extension in the new ClientHello". No alert named:
     * missing_extension (6.2: a mandatory extension missing), as clasp does. */
    {"CH2: without the cookie", BAD_CLIENT, s_hrr, .msg = CL_HS_CLIENT_HELLO, .nth = 2,
     OPS({X_DEL, CL_EXT_COOKIE}), E_MISSING, .why = "no cookie"},
    {"CH2: another cookie", BAD_CLIENT, s_hrr, .msg = CL_HS_CLIENT_HELLO, .nth = 2,
     OPS({X_SET, CL_EXT_COOKIE, other_cookie, sizeof(other_cookie)}), E_ILLEGAL, .why = "cookie"},
    /* RFC 8446 4.1.2: "replacing the list of shares with a list containing a single
     * KeyShareEntry from the indicated group". */
    {"CH2: share for another group", BAD_CLIENT, s_hrr, .msg = CL_HS_CLIENT_HELLO, .nth = 2,
     OPS({X_SET, CL_EXT_KEY_SHARE, ch_x25519_nine, sizeof(ch_x25519_nine)}), E_ILLEGAL,
     .why = "one share"},
    {"CH2: a second share", BAD_CLIENT, s_hrr, .msg = CL_HS_CLIENT_HELLO, .nth = 2,
     .edit = edit_extra_share, E_ILLEGAL, .why = "one share"},
    /* RFC 8446 9.2, as for the first ClientHello. */
    {"CH2: trailing byte", BAD_CLIENT, s_hrr, .msg = CL_HS_CLIENT_HELLO, .nth = 2,
     .edit = kit_trailing_byte, E_DECODE},
    {"CH2: without key_share", BAD_CLIENT, s_hrr, .msg = CL_HS_CLIENT_HELLO, .nth = 2,
     OPS({X_DEL, CL_EXT_KEY_SHARE}), E_MISSING},

    /* RFC 8446 4.1.4: "If a client receives a second HelloRetryRequest in the same
     * connection ..., it MUST abort the handshake with an "unexpected_message" alert." */
    {"HRR: a second HelloRetryRequest", BAD_SERVER, s_hrr, .msg = CL_HS_SERVER_HELLO,
     .edit = edit_second_hrr, E_UNEXPECTED, .why = "second HelloRetryRequest"},
    /* RFC 8446 4.2.8: the client MUST verify that selected_group was in supported_groups
     * and had no share; "If either of these checks fails, then the client MUST abort the
     * handshake with an "illegal_parameter" alert." */
    {"HRR: a group already shared", BAD_SERVER, s_hrr, .msg = CL_HS_SERVER_HELLO, .nth = 1,
     OPS({X_SET, CL_EXT_KEY_SHARE, B(0x00, 0x1d)}), E_ILLEGAL},
    {"HRR: a group not offered", BAD_SERVER, s_hrr_two_groups, .msg = CL_HS_SERVER_HELLO, .nth = 1,
     OPS({X_SET, CL_EXT_KEY_SHARE, B(0x00, 0x18)}), E_ILLEGAL},
    {"HRR: an unknown group", BAD_SERVER, s_hrr, .msg = CL_HS_SERVER_HELLO, .nth = 1,
     OPS({X_SET, CL_EXT_KEY_SHARE, B(0x1a, 0x1a)}), E_ILLEGAL},
    /* RFC 8446 4.1.4: "Clients MUST abort the handshake with an "illegal_parameter" alert if
     * the HelloRetryRequest would not result in any change in the ClientHello." */
    {"HRR: asking for nothing", BAD_SERVER, s_hrr, .msg = CL_HS_SERVER_HELLO, .nth = 1,
     OPS({X_DEL, CL_EXT_KEY_SHARE}, {X_DEL, CL_EXT_COOKIE}), E_ILLEGAL, .why = "asks for nothing"},
    /* RFC 8446 4.1.4: an HRR "MUST NOT contain any extensions that were not first offered
     * by the client", and 4.2: such a response is "unsupported_extension". */
    {"HRR: unknown extension", BAD_SERVER, s_hrr, .msg = CL_HS_SERVER_HELLO, .nth = 1,
     OPS({X_ADD, 0xfe00}), E_UNSUPPORTED_EXT},
    /* RFC 8446 4.2 table: server_name is not an HRR extension: illegal_parameter. */
    {"HRR: server_name", BAD_SERVER, s_hrr, .msg = CL_HS_SERVER_HELLO, .nth = 1,
     OPS({X_ADD, CL_EXT_SERVER_NAME}), E_ILLEGAL},
    /* RFC 8446 4.1.4 checks the suite "as specified in Section 4.1.3": illegal_parameter. */
    {"HRR: a suite not offered", BAD_SERVER, s_hrr_aes128, .msg = CL_HS_SERVER_HELLO, .nth = 1,
     .edit = edit_sh_suite, .arg = U16(0x1302), E_ILLEGAL},
    /* RFC 8446 4.2.1: a selected version "prior to TLS 1.3": illegal_parameter. */
    {"HRR: TLS 1.2 selected", BAD_SERVER, s_hrr, .msg = CL_HS_SERVER_HELLO, .nth = 1,
     OPS({X_SET, CL_EXT_SUPPORTED_VERSIONS, B(3, 3)}), E_ILLEGAL},
    {"HRR: trailing byte", BAD_SERVER, s_hrr, .msg = CL_HS_SERVER_HELLO, .nth = 1,
     .edit = kit_trailing_byte, E_DECODE},
    {"HRR: key_share of three bytes", BAD_SERVER, s_hrr, .msg = CL_HS_SERVER_HELLO, .nth = 1,
     OPS({X_SET, CL_EXT_KEY_SHARE, B(0, 0x17, 0)}), E_DECODE},
    /* cookie<1..2^16-1> */
    {"HRR: empty cookie", BAD_SERVER, s_hrr, .msg = CL_HS_SERVER_HELLO, .nth = 1,
     OPS({X_SET, CL_EXT_COOKIE, B(0, 0)}), E_DECODE},
    /* RFC 8446 4.1.4: "clients MUST check that the cipher suite supplied in the ServerHello
     * is the same as that in the HelloRetryRequest and otherwise abort the handshake with
     * an "illegal_parameter" alert." */
    {"SH after HRR: another suite", BAD_SERVER, s_hrr, .msg = CL_HS_SERVER_HELLO, .nth = 2,
     .edit = edit_sh_suite, .arg = U16(0x1303), E_ILLEGAL,
     .why = "changed after HelloRetryRequest"},
    /* RFC 8446 4.2.8: "the client MUST verify that the selected NamedGroup in the
     * ServerHello is the same as that in the HelloRetryRequest. If this check fails, the
     * client MUST abort the handshake with an "illegal_parameter" alert." */
    {"SH after HRR: another group", BAD_SERVER, s_hrr, .msg = CL_HS_SERVER_HELLO, .nth = 2,
     OPS({X_SET, CL_EXT_KEY_SHARE, sh_x25519_nine, sizeof(sh_x25519_nine)}), E_ILLEGAL},

    /* ==== the ServerHello (the client is the victim) ==== */

    /* RFC 8446 4.1.3: "A client which receives a cipher suite that was not offered MUST
     * abort the handshake with an "illegal_parameter" alert." */
    {"SH: a suite not offered", BAD_SERVER, s_aes128, .msg = CL_HS_SERVER_HELLO,
     .edit = edit_sh_suite, .arg = U16(0x1302), E_ILLEGAL},
    {"SH: a TLS 1.2 suite", BAD_SERVER, .msg = CL_HS_SERVER_HELLO, .edit = edit_sh_suite,
     .arg = U16(0xc02f), E_ILLEGAL},
    {"SH: an unknown suite", BAD_SERVER, .msg = CL_HS_SERVER_HELLO, .edit = edit_sh_suite,
     .arg = U16(0x4a4a), E_ILLEGAL},
    /* RFC 8446 4.2.8: the server's share "MUST be in the same group as the KeyShareEntry
     * value offered by the client"; no alert named for this case: illegal_parameter. */
    {"SH: a group not offered", BAD_SERVER, .msg = CL_HS_SERVER_HELLO,
     OPS({X_SET, CL_EXT_KEY_SHARE, sh_p256_off_curve, sizeof(sh_p256_off_curve)}), E_ILLEGAL},
    /* RFC 8446 4.1.3: "A client which receives a legacy_session_id_echo field that does not
     * match what it sent in the ClientHello MUST abort the handshake with an
     * "illegal_parameter" alert." */
    {"SH: session ID not echoed", BAD_SERVER, .msg = CL_HS_SERVER_HELLO, .edit = edit_flip_at,
     .arg = SID_BYTE, E_ILLEGAL},
    {"SH: empty session ID echo", BAD_SERVER, .msg = CL_HS_SERVER_HELLO, .edit = edit_session_id,
     .arg = XB(0), E_ILLEGAL},
    /* RFC 8446 4.1.3: legacy_compression_method "MUST have the value 0"; no alert named. */
    {"SH: compression method 1", BAD_SERVER, .msg = CL_HS_SERVER_HELLO, .edit = edit_sh_compression,
     E_ILLEGAL},
    /* RFC 8446 D.5 (quoted above). */
    {"SH: legacy_version 0x0300", BAD_SERVER, .msg = CL_HS_SERVER_HELLO, .edit = edit_hello_version,
     .arg = U16(0x0300), E_VERSION, .why = "legacy_version"},
    /* RFC 8446 4.2.1: "If the "supported_versions" extension in the ServerHello contains a
     * version not offered by the client or contains a version prior to TLS 1.3, the client
     * MUST abort the handshake with an "illegal_parameter" alert." */
    {"SH: TLS 1.2 in supported_versions", BAD_SERVER, .msg = CL_HS_SERVER_HELLO,
     OPS({X_SET, CL_EXT_SUPPORTED_VERSIONS, B(3, 3)}), E_ILLEGAL},
    {"SH: 0x0305 in supported_versions", BAD_SERVER, .msg = CL_HS_SERVER_HELLO,
     OPS({X_SET, CL_EXT_SUPPORTED_VERSIONS, B(3, 5)}), E_ILLEGAL},
    /* A TLS 1.2 ServerHello to a client that offered TLS 1.3 only: 6.2 protocol_version,
     * "The protocol version the peer has attempted to negotiate is recognized but not
     * supported". */
    {"SH: a TLS 1.2 ServerHello", BAD_SERVER, .msg = CL_HS_SERVER_HELLO,
     OPS({X_DEL, CL_EXT_SUPPORTED_VERSIONS}, {X_DEL, CL_EXT_KEY_SHARE}), E_VERSION},
    /* RFC 8446 4.2: a response to an extension not offered "MUST abort the handshake with an
     * "unsupported_extension" alert"; a known extension not allowed in the message, "with
     * an "illegal_parameter" alert". */
    {"SH: unknown extension", BAD_SERVER, .msg = CL_HS_SERVER_HELLO, OPS({X_ADD, 0xfe00}),
     E_UNSUPPORTED_EXT},
    {"SH: pre_shared_key not offered", BAD_SERVER, .msg = CL_HS_SERVER_HELLO,
     OPS({X_ADD, CL_EXT_PRE_SHARED_KEY, B(0, 0)}), E_UNSUPPORTED_EXT},
    {"SH: cookie", BAD_SERVER, .msg = CL_HS_SERVER_HELLO, OPS({X_ADD, CL_EXT_COOKIE, B(0, 1, 0)}),
     E_ILLEGAL},
    {"SH: server_name", BAD_SERVER, .msg = CL_HS_SERVER_HELLO, OPS({X_ADD, CL_EXT_SERVER_NAME}),
     E_ILLEGAL},
    {"SH: duplicate key_share", BAD_SERVER, .msg = CL_HS_SERVER_HELLO,
     OPS({X_DUP, CL_EXT_KEY_SHARE}), E_ILLEGAL},
    /* No PSK was offered, so key_share is mandatory (4.1.3); 6.2 missing_extension. */
    {"SH: without key_share", BAD_SERVER, .msg = CL_HS_SERVER_HELLO, OPS({X_DEL, CL_EXT_KEY_SHARE}),
     E_MISSING},
    {"SH: P-256 share off the curve", BAD_SERVER, s_p256, .msg = CL_HS_SERVER_HELLO,
     OPS({X_SET, CL_EXT_KEY_SHARE, sh_p256_off_curve, sizeof(sh_p256_off_curve)}), E_ILLEGAL},
    {"SH: FFDHE share of p - 1", BAD_SERVER, s_ffdhe, .msg = CL_HS_SERVER_HELLO,
     OPS({X_SET, CL_EXT_KEY_SHARE, sh_ffdhe_pm1, sizeof(sh_ffdhe_pm1)}), E_ILLEGAL},
    {"SH: FFDHE share of 0", BAD_SERVER, s_ffdhe, .msg = CL_HS_SERVER_HELLO,
     OPS({X_SET, CL_EXT_KEY_SHARE, sh_ffdhe_zero, sizeof(sh_ffdhe_zero)}), E_ILLEGAL},
    {"SH: X448 share of 1", BAD_SERVER, s_x448, .msg = CL_HS_SERVER_HELLO,
     OPS({X_SET, CL_EXT_KEY_SHARE, sh_x448_one, sizeof(sh_x448_one)}), E_ILLEGAL},
    {"SH: all-zero X25519 share", BAD_SERVER, .msg = CL_HS_SERVER_HELLO,
     OPS({X_SET, CL_EXT_KEY_SHARE, sh_x25519_zero, sizeof(sh_x25519_zero)}), E_ILLEGAL},
    {"SH: key_share with a trailing byte", BAD_SERVER, .msg = CL_HS_SERVER_HELLO,
     OPS({X_SET, CL_EXT_KEY_SHARE, sh_x25519_trailing, sizeof(sh_x25519_trailing)}), E_DECODE},
    {"SH: trailing byte", BAD_SERVER, .msg = CL_HS_SERVER_HELLO, .edit = kit_trailing_byte,
     E_DECODE},
    {"SH: truncated", BAD_SERVER, .msg = CL_HS_SERVER_HELLO, .edit = kit_truncate, E_DECODE},
    /* RFC 8446 5.1: "Implementations MUST verify that all messages immediately preceding a
     * key change align with a record boundary; if not, then they MUST terminate the
     * connection with an "unexpected_message" alert." */
    {"SH: handshake data after it in its record", BAD_SERVER, .msg = CL_HS_SERVER_HELLO,
     .edit = edit_same_record, .arg = XB(CL_HS_ENCRYPTED_EXTENSIONS, 0, 0, 2, 0, 0), E_UNEXPECTED,
     .why = "follows ServerHello"},

    /* ==== EncryptedExtensions ==== */

    {"EE: duplicate server_name", BAD_SERVER, .msg = CL_HS_ENCRYPTED_EXTENSIONS,
     OPS({X_DUP, CL_EXT_SERVER_NAME}), E_ILLEGAL},
    /* RFC 8446 4.2 (responses to what was not offered): unsupported_extension. */
    {"EE: unknown extension", BAD_SERVER, .msg = CL_HS_ENCRYPTED_EXTENSIONS, OPS({X_ADD, 0xfe00}),
     E_UNSUPPORTED_EXT},
    {"EE: ALPN not offered", BAD_SERVER, .msg = CL_HS_ENCRYPTED_EXTENSIONS,
     OPS({X_ADD, CL_EXT_ALPN, B(0, 3, 2, 'h', '2')}), E_UNSUPPORTED_EXT,
     .why = "answers application_layer_protocol_negotiation"},
    /* RFC 8446 4.3.1: "The client MUST check EncryptedExtensions for the presence of any
     * forbidden extensions and if any are found MUST abort the handshake with an
     * "illegal_parameter" alert." */
    {"EE: key_share", BAD_SERVER, .msg = CL_HS_ENCRYPTED_EXTENSIONS,
     OPS({X_ADD, CL_EXT_KEY_SHARE, B(0, 0x1d, 0, 1, 9)}), E_ILLEGAL},
    {"EE: supported_versions", BAD_SERVER, .msg = CL_HS_ENCRYPTED_EXTENSIONS,
     OPS({X_ADD, CL_EXT_SUPPORTED_VERSIONS, B(3, 4)}), E_ILLEGAL},
    {"EE: signature_algorithms", BAD_SERVER, .msg = CL_HS_ENCRYPTED_EXTENSIONS,
     OPS({X_ADD, CL_EXT_SIGNATURE_ALGORITHMS, B(0, 2, 4, 3)}), E_ILLEGAL},
    {"EE: cookie", BAD_SERVER, .msg = CL_HS_ENCRYPTED_EXTENSIONS,
     OPS({X_ADD, CL_EXT_COOKIE, B(0, 1, 0)}), E_ILLEGAL},
    {"EE: pre_shared_key", BAD_SERVER, .msg = CL_HS_ENCRYPTED_EXTENSIONS,
     OPS({X_ADD, CL_EXT_PRE_SHARED_KEY, B(0, 0)}), E_ILLEGAL},
    /* The server chose a protocol the client did not offer: RFC 7301 names no alert for
     * the client; illegal_parameter (a wrong value), as clasp does. */
    {"EE: ALPN protocol not offered", BAD_SERVER, s_alpn_both, .msg = CL_HS_ENCRYPTED_EXTENSIONS,
     OPS({X_SET, CL_EXT_ALPN, B(0, 3, 2, 'h', '2')}), E_ILLEGAL},
    /* RFC 8449 4: a record_size_limit below 64 is "a fatal error and [the endpoint MUST]
     * generate an "illegal_parameter" alert". */
    {"EE: record_size_limit of 63", BAD_SERVER, s_record_limit, .msg = CL_HS_ENCRYPTED_EXTENSIONS,
     OPS({X_SET, CL_EXT_RECORD_SIZE_LIMIT, B(0, 63)}), E_ILLEGAL},
    /* RFC 6066 3: the server's server_name "SHALL be empty"; data there does not parse. */
    {"EE: server_name not empty", BAD_SERVER, .msg = CL_HS_ENCRYPTED_EXTENSIONS,
     OPS({X_SET, CL_EXT_SERVER_NAME, B(0)}), E_DECODE},
    /* RFC 8446 4.2.7: the client may not act on the server's groups, but reads them */
    {"EE: supported_groups with a trailing byte", BAD_SERVER, .msg = CL_HS_ENCRYPTED_EXTENSIONS,
     OPS({X_ADD, CL_EXT_SUPPORTED_GROUPS, B(0, 2, 0, 0x1d, 0)}), E_DECODE},
    {"EE: trailing byte", BAD_SERVER, .msg = CL_HS_ENCRYPTED_EXTENSIONS, .edit = kit_trailing_byte,
     E_DECODE},
    {"EE: truncated", BAD_SERVER, .msg = CL_HS_ENCRYPTED_EXTENSIONS, .edit = kit_truncate,
     E_DECODE},
    /* RFC 8446 4: "A peer which receives a handshake message in an unexpected order MUST
     * abort the handshake with an "unexpected_message" alert." */
    {"EE: dropped", BAD_SERVER, .msg = CL_HS_ENCRYPTED_EXTENSIONS, .edit = kit_drop, E_UNEXPECTED,
     .why = "unexpected Certificate"},
    {"EE: twice", BAD_SERVER, .msg = CL_HS_ENCRYPTED_EXTENSIONS, .edit = kit_twice, E_UNEXPECTED},
    /* RFC 8446 4.6.3: "Implementations that receive a KeyUpdate message prior to receiving
     * a Finished message MUST terminate the connection with an "unexpected_message"
     * alert." */
    {"KeyUpdate before Finished", BAD_SERVER, .msg = CL_HS_ENCRYPTED_EXTENSIONS,
     .edit = edit_before, .arg = XB(CL_HS_KEY_UPDATE, 0, 0, 1, 0), E_UNEXPECTED},
    /* RFC 8446 4.5: "Servers MUST NOT send this message, and clients receiving it MUST
     * terminate the connection with an "unexpected_message" alert." */
    {"EndOfEarlyData from the server", BAD_SERVER, .msg = CL_HS_ENCRYPTED_EXTENSIONS,
     .edit = edit_before, .arg = XB(CL_HS_END_OF_EARLY_DATA, 0, 0, 0), E_UNEXPECTED},
    {"NewSessionTicket during the handshake", BAD_SERVER, .msg = CL_HS_ENCRYPTED_EXTENSIONS,
     .edit = edit_before, .arg = XB(NST_OK), E_UNEXPECTED},
    /* RFC 8446 6.2: unexpected_message is "premature Application Data". */
    {"application data under handshake keys", BAD_SERVER, .msg = CL_HS_ENCRYPTED_EXTENSIONS,
     .edit = edit_app_data_first, E_UNEXPECTED, .why = "application data before"},

    /* ==== CertificateRequest (the client has no certificate) ==== */

    {"CR: trailing byte", BAD_SERVER, s_request, .msg = CL_HS_CERTIFICATE_REQUEST,
     .edit = kit_trailing_byte, E_DECODE},
    {"CR: truncated", BAD_SERVER, s_request, .msg = CL_HS_CERTIFICATE_REQUEST, .edit = kit_truncate,
     E_DECODE},
    /* RFC 8446 4.3.2: "The "signature_algorithms" extension MUST be specified"; 6.2
     * missing_extension. */
    {"CR: without signature_algorithms", BAD_SERVER, s_request, .msg = CL_HS_CERTIFICATE_REQUEST,
     OPS({X_DEL, CL_EXT_SIGNATURE_ALGORITHMS}), E_MISSING},
    /* supported_signature_algorithms<2..2^16-2> */
    {"CR: empty signature_algorithms", BAD_SERVER, s_request, .msg = CL_HS_CERTIFICATE_REQUEST,
     OPS({X_SET, CL_EXT_SIGNATURE_ALGORITHMS, B(0, 0)}), E_DECODE},
    /* RFC 8446 4.3.2: the context "SHALL be zero length unless used for the post-handshake
     * authentication exchanges"; no alert named: illegal_parameter. */
    {"CR: signature_algorithms with a trailing byte", BAD_SERVER, s_request,
     .msg = CL_HS_CERTIFICATE_REQUEST, OPS({X_SET, CL_EXT_SIGNATURE_ALGORITHMS, B(0, 2, 4, 3, 0)}),
     E_DECODE},
    /* What the client does not act on, read all the same: RFC 8446 4.2.4 authorities
     * <3..2^16-1>, 4.2.5 OIDFilter, 4.2.3 signature_algorithms_cert, 4.4.2.1 an empty
     * status_request. */
    {"CR: certificate_authorities empty", BAD_SERVER, s_request, .msg = CL_HS_CERTIFICATE_REQUEST,
     OPS({X_SET, CL_EXT_CERTIFICATE_AUTHORITIES, B(0, 0)}), E_DECODE},
    {"CR: oid_filters cut short", BAD_SERVER, s_request, .msg = CL_HS_CERTIFICATE_REQUEST,
     OPS({X_ADD, CL_EXT_OID_FILTERS, B(0, 4, 3, 0x55, 0x1d, 0x25)}), E_DECODE},
    {"CR: signature_algorithms_cert of odd length", BAD_SERVER, s_request,
     .msg = CL_HS_CERTIFICATE_REQUEST,
     OPS({X_ADD, CL_EXT_SIGNATURE_ALGORITHMS_CERT, B(0, 3, 4, 3, 8)}), E_DECODE},
    {"CR: status_request with a body", BAD_SERVER, s_request, .msg = CL_HS_CERTIFICATE_REQUEST,
     OPS({X_ADD, CL_EXT_STATUS_REQUEST, B(1)}), E_DECODE},
    {"CR: with a context", BAD_SERVER, s_request, .msg = CL_HS_CERTIFICATE_REQUEST,
     .edit = edit_context, E_ILLEGAL},
    {"CR: key_share", BAD_SERVER, s_request, .msg = CL_HS_CERTIFICATE_REQUEST,
     OPS({X_ADD, CL_EXT_KEY_SHARE, B(0, 0x1d, 0, 1, 9)}), E_ILLEGAL},
    {"CR: duplicate signature_algorithms", BAD_SERVER, s_request, .msg = CL_HS_CERTIFICATE_REQUEST,
     OPS({X_DUP, CL_EXT_SIGNATURE_ALGORITHMS}), E_ILLEGAL},
    {"CR: twice", BAD_SERVER, s_request, .msg = CL_HS_CERTIFICATE_REQUEST, .edit = kit_twice,
     E_UNEXPECTED},

    /* ==== the server's Certificate ==== */

    {"Certificate: trailing byte", BAD_SERVER, .msg = CL_HS_CERTIFICATE, .edit = kit_trailing_byte,
     E_DECODE},
    {"Certificate: truncated", BAD_SERVER, .msg = CL_HS_CERTIFICATE, .edit = kit_truncate,
     E_DECODE},
    /* RFC 8446 4.4.2.4: "If the server supplies an empty Certificate message, the client MUST
     * abort the handshake with a "decode_error" alert." */
    {"Certificate: empty", BAD_SERVER, .msg = CL_HS_CERTIFICATE, .edit = edit_cert_empty, E_DECODE,
     .why = "empty Certificate"},
    /* RFC 8446 4.4.2: for server authentication the context "SHALL be zero length"; no alert
     * named: illegal_parameter. */
    {"Certificate: with a request context", BAD_SERVER, .msg = CL_HS_CERTIFICATE,
     .edit = edit_context, E_ILLEGAL, .why = "request context"},
    /* RFC 8446 4.4.2: entry extensions "MUST correspond to ones from the ClientHello"; 4.2:
     * unknown ones are unsupported_extension, known ones not allowed, illegal_parameter. */
    {"Certificate: unknown entry extension", BAD_SERVER, .msg = CL_HS_CERTIFICATE,
     .edit = edit_cert_entry_ext, .arg = XB(0xfe, 0x00, 0, 0), E_UNSUPPORTED_EXT},
    {"Certificate: key_share in an entry", BAD_SERVER, .msg = CL_HS_CERTIFICATE,
     .edit = edit_cert_entry_ext, .arg = XB(0, 51, 0, 2, 0, 0x1d), E_ILLEGAL},
    /* RFC 8446 4.4.2: entry extensions "MUST correspond to ones from the ClientHello
     * message"; clasp asks for no OCSP status: a response to nothing, 4.2's
     * unsupported_extension. A malformed one does not parse first: decode_error. */
    {"Certificate: OCSP status not asked for", BAD_SERVER, .msg = CL_HS_CERTIFICATE,
     .edit = edit_cert_entry_ext, .arg = XB(0, 5, 0, 5, 1, 0, 0, 1, 0x55), E_UNSUPPORTED_EXT,
     .why = "not asked for"},
    {"Certificate: OCSP status cut short", BAD_SERVER, .msg = CL_HS_CERTIFICATE,
     .edit = edit_cert_entry_ext, .arg = XB(0, 5, 0, 4, 1, 0, 0, 1), E_DECODE},
    {"client Certificate: SCT in an entry", BAD_CLIENT, s_mutual, .msg = CL_HS_CERTIFICATE,
     .edit = edit_cert_entry_ext, .arg = XB(0, 18, 0, 5, 0, 3, 0, 1, 0xab), E_UNSUPPORTED_EXT,
     .why = "not asked for"},
    /* RFC 8446 6.2: bad_certificate, "A certificate was corrupt, contained signatures that
     * did not verify correctly, etc." */
    {"Certificate: corrupted signature", BAD_SERVER, .msg = CL_HS_CERTIFICATE,
     .edit = edit_cert_corrupt, E_BAD_CERT},
    {"Certificate: dropped", BAD_SERVER, .msg = CL_HS_CERTIFICATE, .edit = kit_drop, E_UNEXPECTED,
     .why = "unexpected CertificateVerify"},
    /* More certificates than the client accepts (10 by default): the message parses
     * (certificate_list bounds bytes only), the chain is refused: bad_certificate, as for
     * "A certificate was corrupt ... etc." (RFC 8446 6.2). Ten pass: test_tls13.c. */
    {"Certificate: 11 certificates", BAD_SERVER, .msg = CL_HS_CERTIFICATE, .edit = kit_cert_repeat,
     .arg = &(unsigned){11}, E_BAD_CERT, .why = "more than 10"},
    {"Certificate: 600 certificates", BAD_SERVER, .msg = CL_HS_CERTIFICATE, .edit = kit_cert_repeat,
     .arg = &(unsigned){600}, E_BAD_CERT, .why = "more than 10"},
    {"Certificate: twice", BAD_SERVER, .msg = CL_HS_CERTIFICATE, .edit = kit_twice, E_UNEXPECTED},
    /* A name or address the certificate does not cover: RFC 8446 leaves the alert open
     * (bad_certificate or certificate_unknown); clasp sends bad_certificate. */
    {"Certificate: wrong server name", BAD_SERVER, s_wrong_name, E_BAD_CERT},
    {"Certificate: wrong IP address", BAD_SERVER, s_wrong_ip, E_BAD_CERT},
    /* RFC 8446 6.2: unknown_ca, "the CA certificate could not be located or could not be
     * matched with a known trust anchor"; certificate_expired, "A certificate has expired
     * or is not currently valid". */
    {"Certificate: untrusted CA", BAD_SERVER, s_untrusted, .err = CLASP_ERR_UNKNOWN_CA,
     .alert = CLASP_ALERT_UNKNOWN_CA},
    {"Certificate: expired", BAD_SERVER, s_expired, .err = CLASP_ERR_CERTIFICATE_EXPIRED,
     .alert = CLASP_ALERT_CERTIFICATE_EXPIRED},
    /* RFC 8446 6.2: insufficient_security, "the server requires parameters more secure than
     * those supported by the client": here the client requires more than an RSA-1024 key. */
    {"Certificate: RSA-1024 key", BAD_SERVER, s_weak, .err = CLASP_ERR_INSUFFICIENT_SECURITY,
     .alert = CLASP_ALERT_INSUFFICIENT_SECURITY, .why = "key too small"},
    /* A certificate for client authentication only: RFC 8446 leaves the alert open
     * (unsupported_certificate or certificate_unknown); clasp sends
     * unsupported_certificate. */
    {"Certificate: not for servers", BAD_SERVER, s_client_cert_on_server,
     .err = CLASP_ERR_UNSUPPORTED_CERTIFICATE, .alert = CLASP_ALERT_UNSUPPORTED_CERTIFICATE},

    /* ==== the server's CertificateVerify ==== */

    {"CV: trailing byte", BAD_SERVER, .msg = CL_HS_CERTIFICATE_VERIFY, .edit = kit_trailing_byte,
     E_DECODE},
    {"CV: truncated", BAD_SERVER, .msg = CL_HS_CERTIFICATE_VERIFY, .edit = kit_truncate, E_DECODE},
    /* RFC 8446 4.4.3: "If the verification fails, the receiver MUST terminate the handshake
     * with a "decrypt_error" alert." */
    {"CV: bad signature", BAD_SERVER, .msg = CL_HS_CERTIFICATE_VERIFY, .edit = kit_flip_last,
     E_DECRYPT},
    {"CV: bad RSA-PSS signature", BAD_SERVER, s_rsa, .msg = CL_HS_CERTIFICATE_VERIFY,
     .edit = kit_flip_last, E_DECRYPT},
    /* signature<0..2^16-1>: an empty signature is well formed and does not verify (4.4.3:
     * decrypt_error). */
    {"CV: empty signature", BAD_SERVER, .msg = CL_HS_CERTIFICATE_VERIFY, .edit = edit_cv_empty,
     E_DECRYPT},
    /* RFC 8446 4.4.3: the algorithm "MUST be one offered in the client's
     * "signature_algorithms" extension"; "RSA signatures MUST use an RSASSA-PSS algorithm";
     * 4.2.3: keys "MUST also be of appropriate type for the signature algorithms". No alert
     * named: illegal_parameter. */
    {"CV: scheme not offered", BAD_SERVER, s_rsa_narrow, .msg = CL_HS_CERTIFICATE_VERIFY,
     .edit = edit_cv_scheme, .arg = U16(0x0805), E_ILLEGAL},
    {"CV: RSA PKCS#1", BAD_SERVER, s_rsa, .msg = CL_HS_CERTIFICATE_VERIFY, .edit = edit_cv_scheme,
     .arg = U16(0x0401), E_ILLEGAL},
    {"CV: scheme for another key type", BAD_SERVER, .msg = CL_HS_CERTIFICATE_VERIFY,
     .edit = edit_cv_scheme, .arg = U16(0x0807), E_ILLEGAL},
    {"CV: unknown scheme", BAD_SERVER, .msg = CL_HS_CERTIFICATE_VERIFY, .edit = edit_cv_scheme,
     .arg = U16(0x0a0a), E_ILLEGAL},
    {"CV: dropped", BAD_SERVER, .msg = CL_HS_CERTIFICATE_VERIFY, .edit = kit_drop, E_UNEXPECTED,
     .why = "unexpected Finished"},
    {"CV: twice", BAD_SERVER, .msg = CL_HS_CERTIFICATE_VERIFY, .edit = kit_twice, E_UNEXPECTED},

    /* ==== the server's Finished ==== */

    /* RFC 8446 4.4.4: "Recipients of Finished messages MUST verify that the contents are
     * correct and if incorrect MUST terminate the connection with a "decrypt_error"
     * alert." */
    {"Finished: wrong", BAD_SERVER, .msg = CL_HS_FINISHED, .edit = kit_flip_last, E_DECRYPT},
    {"Finished: trailing byte", BAD_SERVER, .msg = CL_HS_FINISHED, .edit = kit_trailing_byte,
     E_DECODE},
    {"Finished: truncated", BAD_SERVER, .msg = CL_HS_FINISHED, .edit = kit_truncate, E_DECODE},
    /* RFC 8446 5.1: Finished precedes a key change and must end its record. */
    {"Finished: handshake data after it in its record", BAD_SERVER, .msg = CL_HS_FINISHED,
     .edit = edit_same_record, .arg = XB(NST_OK), E_UNEXPECTED, .why = "follows Finished"},

    /* ==== the client's flight (the server is the victim) ==== */

    {"client Certificate: trailing byte", BAD_CLIENT, s_mutual, .msg = CL_HS_CERTIFICATE,
     .edit = kit_trailing_byte, E_DECODE},
    {"client Certificate: truncated", BAD_CLIENT, s_mutual, .msg = CL_HS_CERTIFICATE,
     .edit = kit_truncate, E_DECODE},
    /* RFC 8446 4.4.2: in response to a CertificateRequest the context is "the value of
     * certificate_request_context in that message"; no alert named: illegal_parameter. */
    {"client Certificate: another context", BAD_CLIENT, s_mutual, .msg = CL_HS_CERTIFICATE,
     .edit = edit_context, E_ILLEGAL, .why = "request context"},
    {"client Certificate: untrusted CA", BAD_CLIENT, s_untrusted_client,
     .err = CLASP_ERR_UNKNOWN_CA, .alert = CLASP_ALERT_UNKNOWN_CA},
    /* RFC 8446 4.4.2.4: without a certificate the server "MAY ... abort the handshake with a
     * "certificate_required" alert". */
    {"client Certificate: required, none", BAD_CLIENT, s_require_none,
     .err = CLASP_ERR_CERTIFICATE_REQUIRED, .alert = CLASP_ALERT_CERTIFICATE_REQUIRED},
    {"client Certificate: 11 certificates", BAD_CLIENT, s_mutual, .msg = CL_HS_CERTIFICATE,
     .edit = kit_cert_repeat, .arg = &(unsigned){11}, E_BAD_CERT, .why = "more than 10"},
    {"client Certificate: dropped", BAD_CLIENT, s_mutual, .msg = CL_HS_CERTIFICATE,
     .edit = kit_drop, E_UNEXPECTED, .why = "unexpected CertificateVerify"},
    /* An empty Certificate, then a CertificateVerify: nothing to verify, out of order. */
    {"client Certificate: empty, then CV", BAD_CLIENT, s_mutual_optional, .msg = CL_HS_CERTIFICATE,
     .edit = edit_cert_empty, E_UNEXPECTED},
    /* A Certificate the server did not ask for. */
    {"client Certificate: not asked for", BAD_CLIENT, .msg = CL_HS_FINISHED, .edit = edit_before,
     .arg = &(xbytes){empty_certificate, sizeof(empty_certificate)}, E_UNEXPECTED},
    {"client CV: trailing byte", BAD_CLIENT, s_mutual, .msg = CL_HS_CERTIFICATE_VERIFY,
     .edit = kit_trailing_byte, E_DECODE},
    {"client CV: bad signature", BAD_CLIENT, s_mutual, .msg = CL_HS_CERTIFICATE_VERIFY,
     .edit = kit_flip_last, E_DECRYPT},
    {"client CV: scheme not offered", BAD_CLIENT, s_mutual_narrow, .msg = CL_HS_CERTIFICATE_VERIFY,
     .edit = edit_cv_scheme, .arg = U16(0x0807), E_ILLEGAL},
    {"client CV: dropped", BAD_CLIENT, s_mutual, .msg = CL_HS_CERTIFICATE_VERIFY, .edit = kit_drop,
     E_UNEXPECTED, .why = "unexpected Finished"},
    {"client Finished: wrong", BAD_CLIENT, .msg = CL_HS_FINISHED, .edit = kit_flip_last, E_DECRYPT},
    {"client Finished: wrong, after a certificate", BAD_CLIENT, s_mutual, .msg = CL_HS_FINISHED,
     .edit = kit_flip_last, E_DECRYPT},
    {"client Finished: trailing byte", BAD_CLIENT, .msg = CL_HS_FINISHED, .edit = kit_trailing_byte,
     E_DECODE},
    {"client Finished: handshake data after it in its record", BAD_CLIENT, .msg = CL_HS_FINISHED,
     .edit = edit_same_record, .arg = XB(CL_HS_KEY_UPDATE, 0, 0, 1, 0), E_UNEXPECTED,
     .why = "follows Finished"},

    /* ==== after the handshake: messages ==== */

    {"NST: trailing byte", BAD_SERVER,
     AFTER(I_WRITE, CL_CT_HANDSHAKE, nst_trailing, sizeof(nst_trailing)), E_DECODE},
    /* RFC 8446 4.6.1: "Servers MUST NOT use any value greater than 604800 seconds"; no alert
     * named: illegal_parameter. */
    {"NST: lifetime over 7 days", BAD_SERVER,
     AFTER(I_WRITE, CL_CT_HANDSHAKE, nst_long_life, sizeof(nst_long_life)), E_ILLEGAL},
    /* RFC 8446 4.2 (table): key_share is no NewSessionTicket extension. */
    {"NST: key_share", BAD_SERVER,
     AFTER(I_WRITE, CL_CT_HANDSHAKE, nst_key_share, sizeof(nst_key_share)), E_ILLEGAL},
    {"NST: duplicate extension", BAD_SERVER,
     AFTER(I_WRITE, CL_CT_HANDSHAKE, nst_dup_ext, sizeof(nst_dup_ext)), E_ILLEGAL},
    /* ticket<1..2^16-1> */
    /* RFC 8446 4.2.10: early_data in a NewSessionTicket is uint32 max_early_data_size */
    {"NST: early_data of 3 bytes", BAD_SERVER,
     AFTER(I_WRITE, CL_CT_HANDSHAKE, nst_early_data_short, sizeof(nst_early_data_short)), E_DECODE},
    {"NST: empty ticket", BAD_SERVER,
     AFTER(I_WRITE, CL_CT_HANDSHAKE, nst_empty_ticket, sizeof(nst_empty_ticket)), E_DECODE},
    /* RFC 8446 4.6.2: "A client that receives a CertificateRequest message without having
     * sent the "post_handshake_auth" extension MUST send an "unexpected_message" fatal
     * alert." */
    {"CR after the handshake", BAD_SERVER,
     AFTER(I_WRITE, CL_CT_HANDSHAKE, certificate_request, sizeof(certificate_request)),
     E_UNEXPECTED},
    {"EncryptedExtensions after the handshake", BAD_SERVER,
     AFTER(I_WRITE, CL_CT_HANDSHAKE, B(CL_HS_ENCRYPTED_EXTENSIONS, 0, 0, 2, 0, 0)), E_UNEXPECTED},
    /* RFC 8446 4.1.2: "if a server has negotiated TLS 1.3 and receives a ClientHello at any
     * other time, it MUST terminate the connection with an "unexpected_message" alert." */
    {"ClientHello after the handshake", BAD_CLIENT,
     AFTER(I_WRITE, CL_CT_HANDSHAKE, B(CL_HS_CLIENT_HELLO, 0, 0, 0)), E_UNEXPECTED},
    {"NewSessionTicket from the client", BAD_CLIENT,
     AFTER(I_WRITE, CL_CT_HANDSHAKE, nst_ok, sizeof(nst_ok)), E_UNEXPECTED},
    {"Certificate after the handshake", BAD_CLIENT,
     AFTER(I_WRITE, CL_CT_HANDSHAKE, empty_certificate, sizeof(empty_certificate)), E_UNEXPECTED},
    /* RFC 8446 4.6.3: "If an implementation receives any other value, it MUST terminate the
     * connection with an "illegal_parameter" alert." */
    {"KeyUpdate: value 2 to the server", BAD_CLIENT,
     AFTER(I_WRITE, CL_CT_HANDSHAKE, B(CL_HS_KEY_UPDATE, 0, 0, 1, 2)), E_ILLEGAL},
    {"KeyUpdate: value 2 to the client", BAD_SERVER,
     AFTER(I_WRITE, CL_CT_HANDSHAKE, B(CL_HS_KEY_UPDATE, 0, 0, 1, 2)), E_ILLEGAL},
    {"KeyUpdate: trailing byte", BAD_CLIENT,
     AFTER(I_WRITE, CL_CT_HANDSHAKE, B(CL_HS_KEY_UPDATE, 0, 0, 2, 0, 0)), E_DECODE},
    {"KeyUpdate: trailing byte to the client", BAD_SERVER,
     AFTER(I_WRITE, CL_CT_HANDSHAKE, B(CL_HS_KEY_UPDATE, 0, 0, 2, 1, 0)), E_DECODE},
    {"KeyUpdate: empty", BAD_SERVER, AFTER(I_WRITE, CL_CT_HANDSHAKE, B(CL_HS_KEY_UPDATE, 0, 0, 0)),
     E_DECODE},
    /* RFC 8446 5.1: KeyUpdate precedes a key change and must end its record. */
    {"KeyUpdate: another message after it in its record", BAD_CLIENT,
     AFTER(I_WRITE, CL_CT_HANDSHAKE, B(CL_HS_KEY_UPDATE, 0, 0, 1, 0, CL_HS_KEY_UPDATE, 0, 0, 1, 0)),
     E_UNEXPECTED, .why = "follows KeyUpdate"},
    /* A flood of KeyUpdates: a limit the RFC leaves to implementations; clasp allows 32 in a
     * row without application data and refuses the 33rd with unexpected_message. */
    {"KeyUpdate: 33 in a row to the server", BAD_CLIENT, AFTER(I_KEY_UPDATE, .count = 33),
     E_UNEXPECTED, .why = "too many KeyUpdate"},
    {"KeyUpdate: 33 in a row to the client", BAD_SERVER, AFTER(I_KEY_UPDATE, .count = 33),
     E_UNEXPECTED, .why = "too many KeyUpdate"},
    /* A cap on handshake message size: the RFC leaves it open; clasp refuses a message
     * header announcing more than 64 KiB + 1 KiB at once. RFC 8446 6: a message with "an
     * out-of-range length" is decode_error. */
    {"handshake message over the size cap", BAD_SERVER,
     AFTER(I_WRITE, CL_CT_HANDSHAKE, B(CL_HS_NEW_SESSION_TICKET, 0x01, 0x04, 0x01)), E_DECODE,
     .why = "over the limit"},
    {"handshake message over the size cap, to the server", BAD_CLIENT,
     AFTER(I_WRITE, CL_CT_HANDSHAKE, B(CL_HS_KEY_UPDATE, 0x01, 0x04, 0x01)), E_DECODE,
     .why = "over the limit"},
    /* The ClientHello's cap is its largest legal size (every vector full, RFC 8446 4.1.2). */
    {"ClientHello over the size cap", BAD_CLIENT, .start = start_huge_hello, E_DECODE,
     .why = "over the limit"},
    /* RFC 8446 5.1: "if a handshake message is split over two or more records, there MUST
     * NOT be any other records between them." No alert named: unexpected_message. */
    {"a record inside a fragmented message", BAD_SERVER, .after_fn = after_split_message,
     E_UNEXPECTED, .why = "interrupts"},
    {"a warning alert inside the ClientHello", BAD_CLIENT, .start = start_alert_in_hello,
     E_UNEXPECTED, .why = "interrupts"},
    {"a change_cipher_spec inside the second ClientHello", BAD_CLIENT, s_hrr,
     .start = start_ccs_in_second_hello, E_UNEXPECTED, .why = "interrupts"},

    /* ==== records ==== */

    /* RFC 8446 5: "If a TLS implementation receives an unexpected record type, it MUST
     * terminate the connection with an "unexpected_message" alert." */
    {"record: unknown outer type", BAD_CLIENT, AFTER(I_RAW, .data = B(24, 3, 3, 0, 1, 0)),
     E_UNEXPECTED},
    {"record: unknown inner type", BAD_CLIENT, AFTER(I_SEAL, 99, (const uint8_t *)"x", 1),
     E_UNEXPECTED, .why = "unknown record type"},
    /* RFC 8446 5.4: "If a receiving implementation does not find a non-zero octet in the
     * cleartext, it MUST terminate the connection with an "unexpected_message" alert." */
    {"record: no content type", BAD_CLIENT, AFTER(I_SEAL, 0, NULL, 0, .pad = 20), E_UNEXPECTED},
    /* RFC 8446 5.2: "An endpoint that receives a record from its peer with
     * TLSCiphertext.length larger than 2^14 + 256 octets MUST terminate the connection
     * with a "record_overflow" alert." */
    {"record: longer than 2^14 + 256", BAD_CLIENT,
     AFTER(I_RAW, .data = oversized_record, .len = sizeof(oversized_record)), E_OVERFLOW},
    /* RFC 8446 5.4: "the full encoded TLSInnerPlaintext MUST NOT exceed 2^14 + 1 octets";
     * 6.2: record_overflow for "a record decrypted to a TLSPlaintext record with more than
     * 2^14 bytes". */
    {"record: inner plaintext over 2^14 + 1", BAD_CLIENT,
     AFTER(I_SEAL, CL_CT_APPLICATION_DATA, zeros, sizeof(zeros), .pad = 1), E_OVERFLOW},
    /* RFC 8446 5.1: "The length MUST NOT exceed 2^14 bytes. An endpoint that receives a
     * record that exceeds this length MUST terminate the connection with a
     * "record_overflow" alert." */
    {"record: plaintext longer than 2^14", BAD_CLIENT, .start = start_big_plaintext, E_OVERFLOW},
    /* RFC 8449 4 and RFC 8446 5.4: over the advertised record_size_limit (which counts the
     * content type and padding in TLS 1.3) is record_overflow. */
    {"record: over the peer's record_size_limit", BAD_SERVER, s_record_limit,
     AFTER(I_WRITE, CL_CT_APPLICATION_DATA, zeros, 1000, .unlimited = 1), E_OVERFLOW},
    {"record: over record_size_limit by its padding", BAD_SERVER, s_record_limit,
     AFTER(I_SEAL, CL_CT_APPLICATION_DATA, zeros, 500, .pad = 20), E_OVERFLOW},
    /* ... and a record exactly at the limit with its padding is fine: see test_tls13.c. */
    /* RFC 8446 5.2: "If the decryption fails, the receiver MUST terminate the connection
     * with a "bad_record_mac" alert." (The header is the additional data.) */
    {"record: tampered", BAD_CLIENT, .after_fn = after_tamper, E_BAD_MAC},
    {"record: header version changed", BAD_CLIENT, .after_fn = after_header_version, E_BAD_MAC},
    /* RFC 8446 2 and 6.2 ("premature Application Data"): unexpected_message. */
    {"record: application data before the ClientHello", BAD_CLIENT, .start = start_app_data,
     E_UNEXPECTED, .why = "application data before"},
    /* RFC 8446 5: "An implementation which receives any other change_cipher_spec value or
     * which receives a protected change_cipher_spec record MUST abort the handshake with an
     * "unexpected_message" alert. If an implementation detects a change_cipher_spec record
     * received before the first ClientHello message or after the peer's Finished message,
     * it MUST be treated as an unexpected record type". */
    {"CCS: value 2", BAD_CLIENT, .start = start_ccs_value_2, E_UNEXPECTED,
     .why = "malformed change_cipher_spec"},
    {"CCS: two bytes", BAD_CLIENT, .start = start_ccs_two_bytes, E_UNEXPECTED,
     .why = "malformed change_cipher_spec"},
    {"CCS: protected", BAD_CLIENT, AFTER(I_SEAL, CL_CT_CHANGE_CIPHER_SPEC, B(1)), E_UNEXPECTED,
     .why = "unexpected change_cipher_spec"},
    {"CCS: after the handshake", BAD_CLIENT, AFTER(I_RAW, .data = B(20, 3, 3, 0, 1, 1)),
     E_UNEXPECTED, .why = "unexpected change_cipher_spec"},
    {"CCS: before the ClientHello", BAD_CLIENT, .start = start_ccs, E_UNEXPECTED,
     .why = "unexpected change_cipher_spec"},
    /* Records that carry nothing, in a row: a limit the RFC leaves open; clasp allows 32. */
    {"CCS: 33 in a row", BAD_CLIENT, .start = start_ccs_flood, E_UNEXPECTED,
     .why = "too many change_cipher_spec"},
    {"record: 33 empty application data records", BAD_CLIENT,
     AFTER(I_SEAL, CL_CT_APPLICATION_DATA, NULL, 0, .count = 33), E_UNEXPECTED,
     .why = "too many empty"},
    /* RFC 8446 5.1: "a record with an Alert type MUST contain exactly one message"; a record
     * of another length does not decode. */
    {"alert: 3 bytes", BAD_CLIENT, AFTER(I_WRITE, CL_CT_ALERT, B(2, 40, 0)), E_DECODE},
    {"alert: 1 byte", BAD_CLIENT, AFTER(I_WRITE, CL_CT_ALERT, B(2)), E_DECODE},
    /* RFC 8446 5.4: "Implementations MUST NOT send Handshake and Alert records that have a
     * zero-length TLSInnerPlaintext.content; if such a message is received, the receiving
     * implementation MUST terminate the connection with an "unexpected_message" alert." */
    {"alert: empty record", BAD_CLIENT, AFTER(I_SEAL, CL_CT_ALERT, NULL, 0), E_UNEXPECTED,
     .why = "empty alert"},
    {"handshake: empty protected record", BAD_CLIENT, AFTER(I_SEAL, CL_CT_HANDSHAKE, NULL, 0),
     E_UNEXPECTED, .why = "empty handshake record"},
    /* RFC 8446 5.1: "Implementations MUST NOT send zero-length fragments of Handshake types";
     * no alert named for plaintext ones: unexpected_message, as for protected ones. */
    {"handshake: empty plaintext record", BAD_CLIENT, .start = start_empty_handshake, E_UNEXPECTED,
     .why = "empty handshake record"},
};

/* ---- what TLS 1.3 brings to the runner ---- */

/*
 * The misbehaving side sends application data as soon as it has keys for it: a server right
 * after its flight (0.5-RTT data, under its application keys), a client once its handshake
 * is done.
 */
static int leak13(clasp_conn *bad)
{
    if (bad->role == CLASP_CLIENT) {
        size_t n;
        if (!clasp_conn_handshake_done(bad))
            return 0;
        assert_int_equal(clasp_conn_write(bad, ar_secret, ar_secret_len, &n), 0);
        return 1;
    }
    cl_hs_state s = bad->hs ? bad->hs->state : CL_CONNECTED;
    if (s != CL_S_WAIT_CERT && s != CL_S_WAIT_CV && s != CL_S_WAIT_FINISHED && s != CL_CONNECTED)
        return 0;
    assert_int_equal(cl_rl_write(&bad->rl, CL_CT_APPLICATION_DATA, ar_secret, ar_secret_len), 0);
    return 1;
}

static size_t seal13(clasp_conn *c, const inj *in, uint8_t *out, size_t cap)
{
    return kit_seal13(c, in->type, in->data, in->len, in->pad, out, cap);
}

static const ar_version tls13 = {
    .client = kit_client_config, .server = kit_server_config, .leak = leak13, .seal = seal13};

/* ---- alerts received ---- */

/* A fatal alert is reported by name; nothing is sent back (RFC 8446 6.2). */
static void alert_received(int level, int desc, const char *name)
{
    kit_pair p;
    kit_open(&p, NULL, NULL, "server.test");
    kit_handshake(&p);
    const uint8_t alert[2] = {(uint8_t)level, (uint8_t)desc};
    assert_int_equal(cl_rl_write(&p.client->rl, CL_CT_ALERT, alert, 2), 0);
    size_t n;
    assert_int_equal(clasp_conn_write(p.client, ar_secret, ar_secret_len, &n), 0);
    kit_move(p.client, p.server);
    assert_int_equal(clasp_conn_error(p.server), CLASP_ERR_ALERT_RECEIVED);
    assert_int_equal(clasp_conn_alert_received(p.server), desc);
    assert_int_equal(clasp_conn_alert_sent(p.server), -1);
    assert_non_null(strstr(clasp_conn_error_detail(p.server), name));
    uint8_t buf[256];
    n = 12345;
    assert_int_equal(clasp_conn_read(p.server, buf, sizeof(buf), &n), CLASP_ERR_ALERT_RECEIVED);
    assert_int_equal(n, 0);
    const uint8_t *out;
    clasp_conn_output(p.server, &out, &n);
    assert_int_equal(n, 0);
    kit_close(&p);
}

static void test_alert_received_by_name(void **state)
{
    (void)state;
    alert_received(2, CLASP_ALERT_HANDSHAKE_FAILURE, "handshake_failure");
    alert_received(2, CLASP_ALERT_INTERNAL_ERROR, "internal_error");
    alert_received(2, CLASP_ALERT_CERTIFICATE_REQUIRED, "certificate_required");
    /* RFC 8446 6: alerts other than close_notify and user_canceled are errors "regardless of
     * the AlertLevel"; unknown ones "MUST be treated as error alerts". */
    alert_received(1, CLASP_ALERT_DECODE_ERROR, "decode_error");
    alert_received(2, 200, "200");
}

/* During the handshake: the server refuses the ClientHello; the client learns why. */
static void test_alert_received_in_handshake(void **state)
{
    (void)state;
    kit_pair p;
    s_no_common_suite(&p);
    assert_int_equal(pair_handshake(p.client, p.server), CLASP_ERR_ALERT_RECEIVED);
    assert_int_equal(clasp_conn_alert_received(p.client), CLASP_ALERT_HANDSHAKE_FAILURE);
    assert_non_null(strstr(clasp_conn_error_detail(p.client), "handshake_failure"));
    kit_close(&p);
}

/* After its first error a connection sends nothing more than its one alert. */
static void test_one_alert_only(void **state)
{
    (void)state;
    kit_pair p;
    kit_open(&p, NULL, NULL, "server.test");
    kit_handshake(&p);
    assert_int_equal(cl_rl_write(&p.client->rl, CL_CT_HANDSHAKE,
                                 (const uint8_t[]){CL_HS_KEY_UPDATE, 0, 0, 1, 2}, 5),
                     0);
    assert_int_equal(cl_rl_write(&p.client->rl, CL_CT_ALERT, (const uint8_t[]){2, 3, 0}, 3), 0);
    kit_move(p.client, p.server);
    assert_int_equal(clasp_conn_error(p.server), CLASP_ERR_ILLEGAL_PARAMETER);
    size_t len;
    uint8_t *out = kit_take(p.server, &len);
    assert_int_equal(kit_records(out, len, NULL, 0), 1);
    free(out);
    assert_int_equal(clasp_conn_key_update(p.server, 0), CLASP_ERR_ILLEGAL_PARAMETER);
    assert_int_equal(clasp_conn_close(p.server), 0); /* no close_notify after the alert */
    out = kit_take(p.server, &len);
    assert_int_equal(len, 0);
    free(out);
    kit_close(&p);
}

int main(void)
{
    const struct CMUnitTest extra[] = {
        cmocka_unit_test(test_alert_received_by_name),
        cmocka_unit_test(test_alert_received_in_handshake),
        cmocka_unit_test(test_one_alert_only),
    };
    return ar_run_group("tls13_alerts", cases, ARRAY_LEN(cases), &tls13, extra, ARRAY_LEN(extra));
}
