/*
 * TLS 1.2 handshake message codecs (src/msg/, the "TLS 1.2 messages" of msg.h): every parser
 * on a message built with cl_writer (every field checked), on every prefix of it and with one
 * byte more, at each vector bound (min - 1, and max + 1 where the length prefix can express
 * it), on the values the RFCs refuse, and on real messages: TLS 1.2 handshakes between an
 * OpenSSL client and server run in this process over memory BIOs (as in
 * test_keysched12_oracle.c), whose messages the client's message callback collects.
 *
 * CLASP_MSG12_SEED_DIR=<dir> makes the OpenSSL cases write their messages there as fuzz_msg
 * seeds (the selector byte, then the body): tests/fuzz/corpus/msg/openssl12_* came so.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "base/bytes.h"
#include "base/mem.h"
#include "msg/msg.h"
#include "record/layer.h"
#include "msg_helpers.h"
#include "pki.h"

/* ---- adapters for the prefix checks ---- */

static int p_ct12(const uint8_t *p, size_t n)
{
    cl_certificate12 m;
    return cl_certificate12_parse(p, n, SIZE_MAX, &m);
}

static int p_cr12(const uint8_t *p, size_t n)
{
    cl_certificate_request12 m;
    return cl_certificate_request12_parse(p, n, &m);
}

static int p_ske12(const uint8_t *p, size_t n)
{
    cl_server_key_exchange12 m;
    return cl_server_key_exchange12_parse(p, n, &m);
}

static int p_cke_ecdhe(const uint8_t *p, size_t n)
{
    const uint8_t *point;
    size_t len;
    return cl_client_key_exchange_ecdhe_parse(p, n, &point, &len);
}

static int p_cke_rsa(const uint8_t *p, size_t n)
{
    const uint8_t *enc;
    size_t len;
    return cl_client_key_exchange_rsa_parse(p, n, &enc, &len);
}

static int p_nst12(const uint8_t *p, size_t n)
{
    cl_new_session_ticket12 m;
    return cl_new_session_ticket12_parse(p, n, &m);
}

static int p_cv(const uint8_t *p, size_t n)
{
    cl_certificate_verify m;
    return cl_certificate_verify_parse(p, n, &m);
}

static int p_fin12(const uint8_t *p, size_t n)
{
    const uint8_t *v;
    return cl_finished_parse(p, n, 12, &v);
}

/* Writes n bytes of a pattern (seed ^ i). */
static void write_pattern(cl_writer *w, uint8_t seed, size_t n)
{
    for (size_t i = 0; i < n; i++)
        assert_int_equal(cl_write_u8(w, (uint8_t)(seed ^ i)), 0);
}

/* A vector of n pattern bytes with a width-byte length. */
static void write_pattern_vec(cl_writer *w, unsigned width, uint8_t seed, size_t n)
{
    assert_int_equal(cl_write_open(w, width), 0);
    write_pattern(w, seed, n);
    assert_int_equal(cl_write_close(w), 0);
}

static void assert_pattern(const uint8_t *p, size_t len, uint8_t seed, size_t n)
{
    assert_int_equal(len, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(p[i], (uint8_t)(seed ^ i));
}

/* ---- Certificate ---- */

/* certificate_list of certificates with these lengths (0 makes an empty ASN.1Cert). */
static buf build_ct12(const size_t *lens, size_t n)
{
    cl_writer w;
    wr_init(&w);
    assert_int_equal(cl_write_open(&w, 3), 0);
    for (size_t i = 0; i < n; i++)
        write_pattern_vec(&w, 3, (uint8_t)(0x30 + i), lens[i]);
    assert_int_equal(cl_write_close(&w), 0);
    return wr_take(&w);
}

static void test_certificate12(void **state)
{
    (void)state;
    static const size_t lens[] = {5, 1, 300};
    cl_certificate12 ct;
    const uint8_t *der;
    size_t der_len;
    buf b = build_ct12(lens, ARRAY_LEN(lens));
    assert_int_equal(cl_certificate12_parse(b.p, b.len, SIZE_MAX, &ct), 0);
    assert_int_equal(ct.n_certs, 3);
    for (size_t i = 0; i < ARRAY_LEN(lens); i++) {
        assert_int_equal(cl_certificate12_next(&ct.certs, &der, &der_len), 0);
        assert_pattern(der, der_len, (uint8_t)(0x30 + i), lens[i]);
    }
    assert_int_equal(cl_reader_left(&ct.certs), 0);
    assert_int_equal(cl_certificate12_next(&ct.certs, &der, &der_len), CLASP_ERR_DECODE);
    check_prefixes(p_ct12, b.p, b.len);
    /* a bound on the count, checked before each certificate is read */
    assert_int_equal(cl_certificate12_parse(b.p, b.len, 3, &ct), 0);
    assert_int_equal(cl_certificate12_parse(b.p, b.len, 2, &ct), CLASP_ERR_BAD_CERTIFICATE);
    b.p[3 + 3 + 5 + 3 + 1] = 0xff; /* the third certificate's length prefix runs past the end */
    assert_int_equal(cl_certificate12_parse(b.p, b.len, 3, &ct), CLASP_ERR_DECODE);
    assert_int_equal(cl_certificate12_parse(b.p, b.len, 2, &ct), CLASP_ERR_BAD_CERTIFICATE);
    buf_free(&b);
}

static void test_certificate12_bounds(void **state)
{
    (void)state;
    cl_certificate12 ct;
    /* certificate_list<0..2^24-1>: empty is well formed (7.4.6, a client without one) */
    static const uint8_t empty[] = {0x00, 0x00, 0x00};
    assert_int_equal(cl_certificate12_parse(empty, sizeof(empty), SIZE_MAX, &ct), 0);
    assert_int_equal(ct.n_certs, 0);
    assert_int_equal(cl_certificate12_parse(NULL, 0, SIZE_MAX, &ct), CLASP_ERR_DECODE);
    /* ASN.1Cert<1..2^24-1>: an empty one, first or last */
    static const size_t first[] = {0, 4}, last[] = {4, 0};
    buf b = build_ct12(first, 2);
    assert_int_equal(cl_certificate12_parse(b.p, b.len, SIZE_MAX, &ct), CLASP_ERR_DECODE);
    buf_free(&b);
    b = build_ct12(last, 2);
    assert_int_equal(cl_certificate12_parse(b.p, b.len, SIZE_MAX, &ct), CLASP_ERR_DECODE);
    buf_free(&b);
    /* a list whose last certificate runs past the list's end */
    static const uint8_t overrun[] = {0x00, 0x00, 0x05, 0x00, 0x00, 0x03, 0xaa, 0xbb};
    assert_int_equal(cl_certificate12_parse(overrun, sizeof(overrun), SIZE_MAX, &ct),
                     CLASP_ERR_DECODE);
    /* a list holding a stray byte after its certificate */
    static const uint8_t stray[] = {0x00, 0x00, 0x05, 0x00, 0x00, 0x01, 0xaa, 0xbb};
    assert_int_equal(cl_certificate12_parse(stray, sizeof(stray), SIZE_MAX, &ct), CLASP_ERR_DECODE);
}

/* ---- CertificateRequest ---- */

typedef struct cr_spec {
    size_t n_types;
    size_t sig_algs_len; /* bytes */
    const size_t *dn_lens;
    size_t n_dns;
} cr_spec;

static buf build_cr12(const cr_spec *s)
{
    cl_writer w;
    wr_init(&w);
    write_pattern_vec(&w, 1, 0x40, s->n_types);
    write_pattern_vec(&w, 2, 0x04, s->sig_algs_len);
    assert_int_equal(cl_write_open(&w, 2), 0);
    for (size_t i = 0; i < s->n_dns; i++)
        write_pattern_vec(&w, 2, (uint8_t)(0x60 + i), s->dn_lens[i]);
    assert_int_equal(cl_write_close(&w), 0);
    return wr_take(&w);
}

static int cr12_rc(size_t n_types, size_t sig_algs_len, const size_t *dn_lens, size_t n_dns)
{
    cr_spec s = {n_types, sig_algs_len, dn_lens, n_dns};
    buf b = build_cr12(&s);
    int rc = p_cr12(b.p, b.len);
    buf_free(&b);
    return rc;
}

static void test_certificate_request12(void **state)
{
    (void)state;
    static const size_t dns[] = {3, 1, 70};
    cr_spec s = {2, 6, dns, ARRAY_LEN(dns)};
    cl_certificate_request12 cr;
    const uint8_t *p, *dn;
    size_t len;
    uint16_t alg;
    buf b = build_cr12(&s);
    assert_int_equal(cl_certificate_request12_parse(b.p, b.len, &cr), 0);
    assert_int_equal(cl_read_bytes(&cr.cert_types, 2, &p), 0);
    assert_pattern(p, 2, 0x40, 2);
    assert_int_equal(cl_reader_left(&cr.cert_types), 0);
    assert_int_equal(cl_reader_left(&cr.sig_algs), 6);
    assert_int_equal(cl_read_u16(&cr.sig_algs, &alg), 0);
    assert_int_equal(alg, 0x0405);
    for (size_t i = 0; i < ARRAY_LEN(dns); i++) {
        assert_int_equal(cl_ext_certificate_authorities_next(&cr.authorities, &dn, &len), 0);
        assert_pattern(dn, len, (uint8_t)(0x60 + i), dns[i]);
    }
    assert_int_equal(cl_reader_left(&cr.authorities), 0);
    check_prefixes(p_cr12, b.p, b.len);
    buf_free(&b);
}

static void test_certificate_request12_bounds(void **state)
{
    (void)state;
    static const size_t one[] = {1}, empty_dn[] = {2, 0, 2};
    /* certificate_types<1..2^8-1> */
    assert_int_equal(cr12_rc(0, 2, NULL, 0), CLASP_ERR_DECODE);
    assert_int_equal(cr12_rc(1, 2, NULL, 0), 0);
    assert_int_equal(cr12_rc(255, 2, NULL, 0), 0);
    /* supported_signature_algorithms<2..2^16-2>, whole uint16 items */
    assert_int_equal(cr12_rc(1, 0, NULL, 0), CLASP_ERR_DECODE);
    assert_int_equal(cr12_rc(1, 1, NULL, 0), CLASP_ERR_DECODE);
    assert_int_equal(cr12_rc(1, 3, NULL, 0), CLASP_ERR_DECODE);
    assert_int_equal(cr12_rc(1, 7, NULL, 0), CLASP_ERR_DECODE);
    assert_int_equal(cr12_rc(1, 0xfffe, NULL, 0), 0);
    assert_int_equal(cr12_rc(1, 0xffff, NULL, 0), CLASP_ERR_DECODE); /* max + 1 */
    /* certificate_authorities<0..2^16-1>: empty is well formed (unlike the extension's <3..>) */
    assert_int_equal(cr12_rc(1, 2, one, 1), 0);
    /* DistinguishedName<1..2^16-1>: an empty one anywhere in the list */
    assert_int_equal(cr12_rc(1, 2, empty_dn, 3), CLASP_ERR_DECODE);
    assert_int_equal(cr12_rc(1, 2, empty_dn + 1, 1), CLASP_ERR_DECODE);
    /* the largest list: one DN of 2^16-3 bytes (with its length, 2^16-1) */
    static const size_t big[] = {0xfffd};
    assert_int_equal(cr12_rc(1, 2, big, 1), 0);
    /* a CA list too short to hold one DN, or one whose DN overruns it */
    static const uint8_t short_cas[] = {0x01, 0x40, 0x00, 0x02, 0x04, 0x03, 0x00, 0x01, 0x00};
    assert_int_equal(p_cr12(short_cas, sizeof(short_cas)), CLASP_ERR_DECODE);
    static const uint8_t overrun[] = {0x01, 0x40, 0x00, 0x02, 0x04, 0x03,
                                      0x00, 0x03, 0x00, 0x02, 0x30};
    assert_int_equal(p_cr12(overrun, sizeof(overrun)), CLASP_ERR_DECODE);
}

/* ---- ServerKeyExchange ---- */

static buf build_ske12(uint8_t curve_type, uint16_t group, size_t point_len, uint16_t scheme,
                       size_t sig_len)
{
    cl_writer w;
    wr_init(&w);
    assert_int_equal(cl_write_u8(&w, curve_type), 0);
    assert_int_equal(cl_write_u16(&w, group), 0);
    write_pattern_vec(&w, 1, 0x04, point_len);
    assert_int_equal(cl_write_u16(&w, scheme), 0);
    write_pattern_vec(&w, 2, 0x5a, sig_len);
    return wr_take(&w);
}

static int ske12_rc(uint8_t curve_type, size_t point_len, size_t sig_len)
{
    buf b = build_ske12(curve_type, 0x0017, point_len, 0x0403, sig_len);
    int rc = p_ske12(b.p, b.len);
    buf_free(&b);
    return rc;
}

static void test_server_key_exchange12(void **state)
{
    (void)state;
    cl_server_key_exchange12 ske;
    buf b = build_ske12(3, 0x001d, 32, 0x0804, 9);
    assert_int_equal(cl_server_key_exchange12_parse(b.p, b.len, &ske), 0);
    assert_int_equal(ske.group, 0x001d);
    assert_pattern(ske.point, ske.point_len, 0x04, 32);
    /* params: curve_type, namedcurve, public, exactly what the signature covers */
    assert_ptr_equal(ske.params, b.p);
    assert_int_equal(ske.params_len, 1 + 2 + 1 + 32);
    assert_ptr_equal(ske.point, b.p + 4);
    assert_int_equal(ske.scheme, 0x0804);
    assert_pattern(ske.sig, ske.sig_len, 0x5a, 9);
    assert_ptr_equal(ske.sig + ske.sig_len, b.p + b.len);
    check_prefixes(p_ske12, b.p, b.len);
    buf_free(&b);
}

static void test_server_key_exchange12_bounds(void **state)
{
    (void)state;
    /* public<1..2^8-1> */
    assert_int_equal(ske12_rc(3, 0, 8), CLASP_ERR_DECODE);
    assert_int_equal(ske12_rc(3, 1, 8), 0);
    assert_int_equal(ske12_rc(3, 255, 8), 0);
    /* signature<0..2^16-1>: empty is well formed (it fails verification, not decoding) */
    assert_int_equal(ske12_rc(3, 65, 0), 0);
    assert_int_equal(ske12_rc(3, 65, 0xffff), 0);
    /* 8422 5.4: only named_curve (3) remains; explicit prime (1) and char2 (2) curves are
     * deprecated, 248..255 are private: all illegal_parameter, whatever follows */
    static const uint8_t types[] = {0, 1, 2, 4, 248, 255};
    for (size_t i = 0; i < ARRAY_LEN(types); i++)
        assert_int_equal(ske12_rc(types[i], 65, 8), CLASP_ERR_ILLEGAL_PARAMETER);
    static const uint8_t explicit_only[] = {0x01};
    assert_int_equal(p_ske12(explicit_only, 1), CLASP_ERR_ILLEGAL_PARAMETER);
    assert_int_equal(p_ske12(NULL, 0), CLASP_ERR_DECODE);
    /* no digitally-signed part at all, or only its algorithm */
    static const uint8_t no_sig[] = {0x03, 0x00, 0x1d, 0x01, 0x09};
    assert_int_equal(p_ske12(no_sig, sizeof(no_sig)), CLASP_ERR_DECODE);
    static const uint8_t alg_only[] = {0x03, 0x00, 0x1d, 0x01, 0x09, 0x04, 0x03};
    assert_int_equal(p_ske12(alg_only, sizeof(alg_only)), CLASP_ERR_DECODE);
}

/* ---- ClientKeyExchange ---- */

static buf build_vec(unsigned width, uint8_t seed, size_t n)
{
    cl_writer w;
    wr_init(&w);
    write_pattern_vec(&w, width, seed, n);
    return wr_take(&w);
}

static void check_vec_msg(parse_fn f, unsigned width, size_t n, int want)
{
    buf b = build_vec(width, 0x77, n);
    assert_int_equal(parse_copy(f, b.p, b.len, 0), want);
    if (want == 0)
        check_prefixes(f, b.p, b.len);
    buf_free(&b);
}

static void test_client_key_exchange12(void **state)
{
    (void)state;
    const uint8_t *p;
    size_t n;
    buf b = build_vec(1, 0x04, 65);
    assert_int_equal(cl_client_key_exchange_ecdhe_parse(b.p, b.len, &p, &n), 0);
    assert_ptr_equal(p, b.p + 1);
    assert_pattern(p, n, 0x04, 65);
    buf_free(&b);
    b = build_vec(2, 0x99, 256);
    assert_int_equal(cl_client_key_exchange_rsa_parse(b.p, b.len, &p, &n), 0);
    assert_ptr_equal(p, b.p + 2);
    assert_pattern(p, n, 0x99, 256);
    buf_free(&b);
    /* ecdh_Yc<1..2^8-1> */
    check_vec_msg(p_cke_ecdhe, 1, 0, CLASP_ERR_DECODE);
    check_vec_msg(p_cke_ecdhe, 1, 1, 0);
    check_vec_msg(p_cke_ecdhe, 1, 32, 0);
    check_vec_msg(p_cke_ecdhe, 1, 255, 0);
    /* the implicit encoding (an empty message) is never negotiated */
    assert_int_equal(p_cke_ecdhe(NULL, 0), CLASP_ERR_DECODE);
    /* EncryptedPreMasterSecret<0..2^16-1> */
    check_vec_msg(p_cke_rsa, 2, 0, 0);
    check_vec_msg(p_cke_rsa, 2, 0xffff, 0);
    assert_int_equal(p_cke_rsa(NULL, 0), CLASP_ERR_DECODE);
    /* SSL 3.0's RSA ClientKeyExchange had no length: 256 bytes read as a length of 0x7777 */
    uint8_t bare[256];
    memset(bare, 0x77, sizeof(bare));
    assert_int_equal(p_cke_rsa(bare, sizeof(bare)), CLASP_ERR_DECODE);
}

/* ---- ServerHelloDone, HelloRequest ---- */

static void test_empty_messages(void **state)
{
    (void)state;
    static const uint8_t one[] = {0x00};
    assert_int_equal(cl_empty_message_parse(NULL, 0), 0);
    assert_int_equal(cl_empty_message_parse(one, 0), 0);
    assert_int_equal(cl_empty_message_parse(one, 1), CLASP_ERR_DECODE);
}

/* ---- NewSessionTicket ---- */

static buf build_nst12(uint32_t hint, size_t ticket_len)
{
    cl_writer w;
    wr_init(&w);
    assert_int_equal(cl_write_u32(&w, hint), 0);
    write_pattern_vec(&w, 2, 0x71, ticket_len);
    return wr_take(&w);
}

static void test_new_session_ticket12(void **state)
{
    (void)state;
    static const size_t lens[] = {0, 1, 192, 0xffff};
    static const uint32_t hints[] = {0, 7200, 0xffffffff};
    cl_new_session_ticket12 nst;
    const uint8_t *p;
    /* 5077 3.3: a zero-length ticket, and a hint of 0 ("unspecified"), are well formed;
     * the hint has no upper bound */
    for (size_t i = 0; i < ARRAY_LEN(lens); i++) {
        buf b = build_nst12(hints[i % ARRAY_LEN(hints)], lens[i]);
        assert_int_equal(cl_new_session_ticket12_parse(b.p, b.len, &nst), 0);
        assert_int_equal(nst.lifetime_hint, hints[i % ARRAY_LEN(hints)]);
        size_t n = cl_reader_left(&nst.ticket);
        assert_int_equal(cl_read_bytes(&nst.ticket, n, &p), 0);
        assert_pattern(p, n, 0x71, lens[i]);
        if (lens[i] < 1000)
            check_prefixes(p_nst12, b.p, b.len);
        buf_free(&b);
    }
    /* TLS 1.3's shape (age_add, nonce, extensions) is not TLS 1.2's */
    static const uint8_t nst13[] = {0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 1, 0xaa, 0, 0};
    assert_int_equal(p_nst12(nst13, sizeof(nst13)), CLASP_ERR_DECODE);
}

/* ---- SSL 2.0 CLIENT-HELLO ---- */

static void test_sslv2_detection(void **state)
{
    (void)state;
    /* E.2: msg_length 0x802e (high bit), CLIENT-HELLO (1), version 3.1, cipher specs 21 bytes
     * (7 V2CipherSpecs), session id 0, challenge 16 */
    static const uint8_t v2[] = {
        0x80, 0x2e,                                     /* msg_length, high bit set */
        0x01,                                           /* msg_type: CLIENT-HELLO */
        0x03, 0x01,                                     /* version */
        0x00, 0x15, 0x00, 0x00, 0x00, 0x10,             /* 21, 0, 16 */
        0x01, 0x00, 0x80, 0x07, 0x00, 0xc0, 0x00, 0x00, /* SSL 2.0 specs, then TLS suites */
        0x2f, 0x00, 0x00, 0x35, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x05, 0x00,
        0x00, 0xff, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* challenge */
        0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10};
    assert_int_equal(sizeof(v2), 2 + 0x2e);
    assert_int_equal(cl_is_sslv2_client_hello(v2, sizeof(v2)), 1);
    assert_int_equal(cl_is_sslv2_client_hello(v2, 3), 1); /* three bytes decide */
    assert_int_equal(cl_is_sslv2_client_hello(v2, 2), 0); /* fewer cannot */
    assert_int_equal(cl_is_sslv2_client_hello(v2, 0), 0);
    assert_int_equal(cl_is_sslv2_client_hello(NULL, 0), 0);
    /* a TLS handshake record: 16 03 01, ClientHello inside */
    static const uint8_t tls[] = {0x16, 0x03, 0x01, 0x00, 0x2e, 0x01, 0x00, 0x00, 0x2a, 0x03, 0x03};
    assert_int_equal(cl_is_sslv2_client_hello(tls, sizeof(tls)), 0);
    /* every other record content type, as a first byte */
    for (uint8_t t = 20; t <= 24; t++) {
        uint8_t rec[] = {t, 0x03, 0x01};
        assert_int_equal(cl_is_sslv2_client_hello(rec, sizeof(rec)), 0);
    }
    /* a 2-byte header with another SSL 2.0 message (SERVER-HELLO is 4), or no high bit */
    static const uint8_t other[] = {0x80, 0x2e, 0x04}, no_bit[] = {0x00, 0x2e, 0x01};
    assert_int_equal(cl_is_sslv2_client_hello(other, sizeof(other)), 0);
    assert_int_equal(cl_is_sslv2_client_hello(no_bit, sizeof(no_bit)), 0);
    static const uint8_t max_len[] = {0xff, 0xff, 0x01};
    assert_int_equal(cl_is_sslv2_client_hello(max_len, sizeof(max_len)), 1);
}

/* ---- real messages, from OpenSSL ---- */

#define WIRE_CAP      65536
#define CAPTURE_CAP   65536
#define MAX_MSGS      24
#define RSA2048_BYTES 256

/* The selectors of tests/fuzz/fuzz_msg.c, for the seeds. */
enum {
    SEL_CERTIFICATE12 = 17,
    SEL_CERTIFICATE_REQUEST12 = 18,
    SEL_SERVER_KEY_EXCHANGE12 = 19,
    SEL_CKE_ECDHE = 20,
    SEL_CKE_RSA = 21,
    SEL_EMPTY = 22,
    SEL_NEW_SESSION_TICKET12 = 23,
};

typedef struct hcase {
    const char *name;
    const char *tag;    /* for seed file names */
    const char *cipher; /* OpenSSL's name */
    const char *groups; /* both sides' groups, or NULL (a TLS 1.2 ECDSA certificate's curve
                         * must be one of them, RFC 8422 5.1.1, hence P-256 after X25519) */
    test_key key;       /* the server's */
    int client_auth;    /* the server requests a certificate, the client sends one */
    uint16_t group;     /* ECDHE: the group and its point length; 0 for RSA key exchange */
    size_t point_len;
    uint16_t scheme; /* ECDHE: the ServerKeyExchange signature scheme */
} hcase;

static const hcase hcases[] = {
    {"ECDHE-ECDSA, P-256, client certificate", "ecdhe_ecdsa_p256", "ECDHE-ECDSA-AES128-GCM-SHA256",
     "P-256", TK_P256, 1, 0x0017, 65, 0x0403},
    {"ECDHE-ECDSA, X25519, client certificate", "ecdhe_ecdsa_x25519",
     "ECDHE-ECDSA-AES128-GCM-SHA256", "X25519:P-256", TK_P256, 1, 0x001d, 32, 0x0403},
    {"ECDHE-RSA, P-384", "ecdhe_rsa_p384", "ECDHE-RSA-AES256-GCM-SHA384", "P-384", TK_RSA2048, 0,
     0x0018, 97, 0x0804},
    {"RSA key exchange, AES128-GCM-SHA256", "rsa", "AES128-GCM-SHA256", NULL, TK_RSA2048, 0, 0, 0,
     0},
};

typedef struct hmsg {
    size_t off, len; /* in the capture, header included */
    int sent;        /* by the client */
} hmsg;

typedef struct run {
    const hcase *c;
    X509 *root, *inter, *leaf, *client;
    EVP_PKEY *leaf_key, *client_key;
    uint8_t capture[CAPTURE_CAP];
    size_t len, n;
    hmsg m[MAX_MSGS];
    int bad_msg;
} run;

static X509 *pem_cert(const test_pem *pem)
{
    BIO *b = BIO_new_mem_buf(pem->pem, (int)pem->len);
    X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    assert_non_null(x);
    return x;
}

static EVP_PKEY *pem_key(const test_pem *pem)
{
    BIO *b = BIO_new_mem_buf(pem->pem, (int)pem->len);
    EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    assert_non_null(k);
    return k;
}

/* A root, an intermediate issuing the server's leaf, and the root issuing the client's. */
static void make_pki(run *k)
{
    test_ca *root = test_ca_new(TK_P256, "msg12 root");
    test_ca *inter = test_ca_intermediate(root, TK_P256, "msg12 intermediate");
    test_cert_opts so = {.cn = "server.msg12.test"}, co = {.cn = "client", .client = 1};
    test_cert server, client;
    test_issue(inter, k->c->key, &so, &server);
    test_issue(root, TK_P256, &co, &client);
    k->root = pem_cert(test_ca_pem(root));
    k->inter = pem_cert(test_ca_pem(inter));
    k->leaf = pem_cert(&server.cert);
    k->leaf_key = pem_key(&server.key);
    k->client = pem_cert(&client.cert);
    k->client_key = pem_key(&client.key);
    test_cert_free(&server);
    test_cert_free(&client);
    test_ca_free(inter);
    test_ca_free(root);
}

/* Once per whole handshake message, header included (see test_keysched12_oracle.c). */
static void msg_cb(int write_p, int version, int content_type, const void *data, size_t len,
                   SSL *ssl, void *arg)
{
    (void)version, (void)arg;
    run *k = SSL_get_app_data(ssl);
    const uint8_t *p = data;
    if (content_type != SSL3_RT_HANDSHAKE)
        return;
    if (k->n == MAX_MSGS || len > sizeof(k->capture) - k->len || len < CL_HS_HEADER_LEN ||
        ((size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3]) != len - CL_HS_HEADER_LEN) {
        k->bad_msg = 1;
        return;
    }
    memcpy(k->capture + k->len, p, len);
    k->m[k->n++] = (hmsg){k->len, len, write_p};
    k->len += len;
}

static int accept_any(int ok, X509_STORE_CTX *ctx)
{
    (void)ok, (void)ctx;
    return 1; /* verification is not what is tested here */
}

static SSL_CTX *new_ctx(const run *k, int server)
{
    SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    assert_non_null(ctx);
    assert_int_equal(SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION), 1);
    assert_int_equal(SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION), 1);
    assert_int_equal(SSL_CTX_set_cipher_list(ctx, k->c->cipher), 1);
    if (k->c->groups)
        assert_int_equal(SSL_CTX_set1_groups_list(ctx, k->c->groups), 1);
    return ctx;
}

static void server_setup(const run *k, SSL_CTX *ctx)
{
    assert_int_equal(SSL_CTX_use_certificate(ctx, k->leaf), 1);
    assert_int_equal(SSL_CTX_add1_chain_cert(ctx, k->inter), 1);
    assert_int_equal(SSL_CTX_use_PrivateKey(ctx, k->leaf_key), 1);
    if (k->c->client_auth) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any);
        assert_int_equal(SSL_CTX_add_client_CA(ctx, k->root), 1);
    }
}

static void client_setup(run *k, SSL_CTX *ctx)
{
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_msg_callback(ctx, msg_cb);
    if (k->c->client_auth) {
        assert_int_equal(SSL_CTX_use_certificate(ctx, k->client), 1);
        assert_int_equal(SSL_CTX_use_PrivateKey(ctx, k->client_key), 1);
    }
}

static BIO *mem_bio(void)
{
    BIO *b = BIO_new(BIO_s_mem());
    assert_non_null(b);
    BIO_set_mem_eof_return(b, -1); /* empty means "retry", not end of stream */
    return b;
}

static void shuttle(BIO *from, BIO *to)
{
    static uint8_t wire[WIRE_CAP];
    int n = BIO_read(from, wire, (int)sizeof(wire));
    assert_int_equal(BIO_ctrl_pending(from), 0);
    if (n > 0)
        assert_int_equal(BIO_write(to, wire, n), n);
}

static int step(const run *k, SSL *ssl)
{
    int rc = SSL_do_handshake(ssl);
    if (rc == 1)
        return 1;
    int err = SSL_get_error(ssl, rc);
    if (err != SSL_ERROR_WANT_READ) {
        ERR_print_errors_fp(stderr);
        fail_msg("%s: handshake failed, SSL error %d", k->c->name, err);
    }
    return 0;
}

static void handshake(run *k)
{
    SSL_CTX *cctx = new_ctx(k, 0), *sctx = new_ctx(k, 1);
    client_setup(k, cctx);
    server_setup(k, sctx);
    SSL *cl = SSL_new(cctx), *sv = SSL_new(sctx);
    assert_true(cl && sv && SSL_set_app_data(cl, k) == 1);
    BIO *c_in = mem_bio(), *c_out = mem_bio(), *s_in = mem_bio(), *s_out = mem_bio();
    SSL_set_bio(cl, c_in, c_out);
    SSL_set_bio(sv, s_in, s_out);
    SSL_set_connect_state(cl);
    SSL_set_accept_state(sv);
    int cdone = 0, sdone = 0;
    for (int i = 0; i < 10 && !(cdone && sdone); i++) {
        cdone = cdone || step(k, cl);
        shuttle(c_out, s_in);
        sdone = sdone || step(k, sv);
        shuttle(s_out, c_in);
    }
    assert_true(cdone && sdone);
    assert_int_equal(SSL_version(cl), TLS1_2_VERSION);
    assert_string_equal(SSL_get_cipher_name(cl), k->c->cipher);
    assert_false(k->bad_msg);
    SSL_free(cl);
    SSL_free(sv);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

static int setup_run(void **state)
{
    run *k = calloc(1, sizeof(*k));
    if (!k)
        return -1;
    k->c = *state;
    *state = k;
    return 0;
}

static int teardown_run(void **state)
{
    run *k = *state;
    X509_free(k->root);
    X509_free(k->inter);
    X509_free(k->leaf);
    X509_free(k->client);
    EVP_PKEY_free(k->leaf_key);
    EVP_PKEY_free(k->client_key);
    free(k);
    return 0;
}

/* ---- checking what was captured ---- */

static uint8_t type_of(const run *k, const hmsg *m)
{
    return k->capture[m->off];
}

static const uint8_t *body_of(const run *k, const hmsg *m)
{
    return k->capture + m->off + CL_HS_HEADER_LEN;
}

static size_t body_len(const hmsg *m)
{
    return m->len - CL_HS_HEADER_LEN;
}

/* The one message of this type and direction, or NULL. */
static const hmsg *find(const run *k, uint8_t type, int sent)
{
    const hmsg *found = NULL;
    for (size_t i = 0; i < k->n; i++) {
        if (type_of(k, &k->m[i]) == type && k->m[i].sent == sent) {
            if (found)
                fail_msg("%s: two %s messages", k->c->name, cl_hs_type_name(type));
            found = &k->m[i];
        }
    }
    return found;
}

static const hmsg *get(const run *k, uint8_t type, int sent)
{
    const hmsg *m = find(k, type, sent);
    if (!m)
        fail_msg("%s: no %s from the %s", k->c->name, cl_hs_type_name(type),
                 sent ? "client" : "server");
    return m;
}

static void assert_der_eq(const uint8_t *der, size_t der_len, X509 *want)
{
    unsigned char *w = NULL;
    int n = i2d_X509(want, &w);
    assert_true(n > 0);
    assert_int_equal(der_len, (size_t)n);
    assert_memory_equal(der, w, der_len);
    OPENSSL_free(w);
}

/* A Certificate holding exactly these certificates, in order. */
static void check_certificate(const run *k, const hmsg *m, X509 *const *want, size_t n)
{
    cl_certificate12 ct;
    const uint8_t *der;
    size_t der_len;
    assert_int_equal(cl_certificate12_parse(body_of(k, m), body_len(m), SIZE_MAX, &ct), 0);
    assert_int_equal(ct.n_certs, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(cl_certificate12_next(&ct.certs, &der, &der_len), 0);
        assert_der_eq(der, der_len, want[i]);
    }
    check_prefixes(p_ct12, body_of(k, m), body_len(m));
}

/* OpenSSL's verification of the ServerKeyExchange signature over the randoms and params. */
static void verify_ske(const run *k, const cl_server_key_exchange12 *ske)
{
    const uint8_t *cr = body_of(k, get(k, CL_HS_CLIENT_HELLO, 1)) + 2;
    const uint8_t *sr = body_of(k, get(k, CL_HS_SERVER_HELLO, 0)) + 2;
    uint8_t tbs[2 * CL_RANDOM_LEN + 300];
    assert_true(ske->params_len <= sizeof(tbs) - 2 * CL_RANDOM_LEN);
    memcpy(tbs, cr, CL_RANDOM_LEN);
    memcpy(tbs + CL_RANDOM_LEN, sr, CL_RANDOM_LEN);
    memcpy(tbs + 2 * CL_RANDOM_LEN, ske->params, ske->params_len);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    assert_non_null(md);
    assert_int_equal(EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, k->leaf_key), 1);
    if (ske->scheme == 0x0804) {
        assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST), 1);
    }
    assert_int_equal(
        EVP_DigestVerify(md, ske->sig, ske->sig_len, tbs, 2 * CL_RANDOM_LEN + ske->params_len), 1);
    EVP_MD_CTX_free(md);
}

static void check_ske(const run *k, const hmsg *m)
{
    cl_server_key_exchange12 ske;
    assert_int_equal(cl_server_key_exchange12_parse(body_of(k, m), body_len(m), &ske), 0);
    assert_int_equal(ske.group, k->c->group);
    assert_int_equal(ske.point_len, k->c->point_len);
    if (k->c->group != 0x001d)
        assert_int_equal(ske.point[0], 0x04); /* uncompressed (8422 5.4.1) */
    assert_int_equal(ske.params_len, 4 + ske.point_len);
    assert_int_equal(ske.scheme, k->c->scheme);
    verify_ske(k, &ske);
    check_prefixes(p_ske12, body_of(k, m), body_len(m));
}

/* The CA list holds the root's subject, as SSL_CTX_add_client_CA put it. */
static void check_cas(const run *k, cl_reader cas)
{
    const uint8_t *dn;
    size_t len;
    unsigned char *want = NULL;
    int n = i2d_X509_NAME(X509_get_subject_name(k->root), &want);
    assert_true(n > 0);
    assert_int_equal(cl_ext_certificate_authorities_next(&cas, &dn, &len), 0);
    assert_int_equal(len, (size_t)n);
    assert_memory_equal(dn, want, len);
    assert_int_equal(cl_reader_left(&cas), 0);
    OPENSSL_free(want);
}

static void check_cr(const run *k, const hmsg *m)
{
    cl_certificate_request12 cr;
    uint8_t t;
    uint16_t alg;
    int ecdsa_sign = 0, p256_sha256 = 0;
    assert_int_equal(cl_certificate_request12_parse(body_of(k, m), body_len(m), &cr), 0);
    while (cl_read_u8(&cr.cert_types, &t) == 0)
        ecdsa_sign |= t == 64; /* 8422 5.5 */
    while (cl_read_u16(&cr.sig_algs, &alg) == 0)
        p256_sha256 |= alg == 0x0403;
    assert_true(ecdsa_sign && p256_sha256);
    check_cas(k, cr.authorities);
    check_prefixes(p_cr12, body_of(k, m), body_len(m));
}

static void check_cke(const run *k, const hmsg *m)
{
    const uint8_t *p;
    size_t n;
    if (k->c->group) {
        assert_int_equal(cl_client_key_exchange_ecdhe_parse(body_of(k, m), body_len(m), &p, &n), 0);
        assert_int_equal(n, k->c->point_len);
        check_prefixes(p_cke_ecdhe, body_of(k, m), body_len(m));
    } else {
        assert_int_equal(cl_client_key_exchange_rsa_parse(body_of(k, m), body_len(m), &p, &n), 0);
        assert_int_equal(n, RSA2048_BYTES); /* the modulus' size */
        check_prefixes(p_cke_rsa, body_of(k, m), body_len(m));
    }
}

static void check_client_auth(const run *k)
{
    cl_certificate_verify cv;
    if (!k->c->client_auth) {
        assert_null(find(k, CL_HS_CERTIFICATE_REQUEST, 0));
        assert_null(find(k, CL_HS_CERTIFICATE, 1));
        return;
    }
    check_cr(k, get(k, CL_HS_CERTIFICATE_REQUEST, 0));
    X509 *const chain[] = {k->client};
    check_certificate(k, get(k, CL_HS_CERTIFICATE, 1), chain, 1);
    const hmsg *m = get(k, CL_HS_CERTIFICATE_VERIFY, 1);
    assert_int_equal(cl_certificate_verify_parse(body_of(k, m), body_len(m), &cv), 0);
    assert_true(cv.sig_len >= 8);
    check_prefixes(p_cv, body_of(k, m), body_len(m));
}

static void check_tail(const run *k)
{
    cl_new_session_ticket12 nst;
    const hmsg *m = get(k, CL_HS_SERVER_HELLO_DONE, 0);
    assert_int_equal(body_len(m), 0);
    assert_int_equal(cl_empty_message_parse(body_of(k, m), body_len(m)), 0);
    m = get(k, CL_HS_NEW_SESSION_TICKET, 0);
    assert_int_equal(cl_new_session_ticket12_parse(body_of(k, m), body_len(m), &nst), 0);
    assert_true(nst.lifetime_hint > 0 && cl_reader_left(&nst.ticket) > 0);
    check_prefixes(p_nst12, body_of(k, m), body_len(m));
    for (int sent = 0; sent <= 1; sent++) {
        m = get(k, CL_HS_FINISHED, sent);
        check_prefixes(p_fin12, body_of(k, m), body_len(m));
    }
}

/* The hellos parse too (TLS 1.2 ServerHello extensions included). */
static void check_hellos(const run *k)
{
    cl_client_hello ch;
    cl_server_hello sh;
    const hmsg *m = get(k, CL_HS_CLIENT_HELLO, 1);
    assert_int_equal(cl_client_hello_parse(body_of(k, m), body_len(m), &ch), 0);
    m = get(k, CL_HS_SERVER_HELLO, 0);
    assert_int_equal(cl_server_hello_parse(body_of(k, m), body_len(m), &sh), 0);
    assert_false(sh.is_hrr);
    assert_true(cl_exts_has(&sh.exts, CL_EXTI_SESSION_TICKET));
}

/* ---- seeds for fuzz_msg ---- */

static int seed_selector(const run *k, uint8_t type)
{
    switch (type) {
    case CL_HS_CERTIFICATE: return SEL_CERTIFICATE12;
    case CL_HS_CERTIFICATE_REQUEST: return SEL_CERTIFICATE_REQUEST12;
    case CL_HS_SERVER_KEY_EXCHANGE: return SEL_SERVER_KEY_EXCHANGE12;
    case CL_HS_CLIENT_KEY_EXCHANGE: return k->c->group ? SEL_CKE_ECDHE : SEL_CKE_RSA;
    case CL_HS_SERVER_HELLO_DONE: return SEL_EMPTY;
    case CL_HS_NEW_SESSION_TICKET: return SEL_NEW_SESSION_TICKET12;
    default: return -1;
    }
}

static void write_seeds(const run *k, const char *dir)
{
    for (size_t i = 0; i < k->n; i++) {
        uint8_t type = type_of(k, &k->m[i]);
        int sel = seed_selector(k, type);
        char path[512];
        if (sel < 0)
            continue;
        snprintf(path, sizeof(path), "%s/openssl12_%s_%s_%s", dir, k->c->tag,
                 k->m[i].sent ? "client" : "server", cl_hs_type_name(type));
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fputc(sel, f), sel);
        assert_int_equal(fwrite(body_of(k, &k->m[i]), 1, body_len(&k->m[i]), f),
                         body_len(&k->m[i]));
        assert_int_equal(fclose(f), 0);
    }
}

static void test_openssl(void **state)
{
    run *k = *state;
    make_pki(k);
    handshake(k);
    check_hellos(k);
    X509 *const chain[] = {k->leaf, k->inter};
    check_certificate(k, get(k, CL_HS_CERTIFICATE, 0), chain, 2);
    if (k->c->group)
        check_ske(k, get(k, CL_HS_SERVER_KEY_EXCHANGE, 0));
    else
        assert_null(find(k, CL_HS_SERVER_KEY_EXCHANGE, 0));
    check_client_auth(k);
    check_cke(k, get(k, CL_HS_CLIENT_KEY_EXCHANGE, 1));
    check_tail(k);
    const char *dir = getenv("CLASP_MSG12_SEED_DIR");
    if (dir)
        write_seeds(k, dir);
}

int main(void)
{
    static const struct CMUnitTest unit[] = {
        cmocka_unit_test(test_certificate12),
        cmocka_unit_test(test_certificate12_bounds),
        cmocka_unit_test(test_certificate_request12),
        cmocka_unit_test(test_certificate_request12_bounds),
        cmocka_unit_test(test_server_key_exchange12),
        cmocka_unit_test(test_server_key_exchange12_bounds),
        cmocka_unit_test(test_client_key_exchange12),
        cmocka_unit_test(test_empty_messages),
        cmocka_unit_test(test_new_session_ticket12),
        cmocka_unit_test(test_sslv2_detection),
    };
    struct CMUnitTest real[ARRAY_LEN(hcases)];
    for (size_t i = 0; i < ARRAY_LEN(hcases); i++)
        real[i] = (struct CMUnitTest){hcases[i].name, test_openssl, setup_run, teardown_run,
                                      (void *)&hcases[i]};
    int failed = cmocka_run_group_tests_name("msg12", unit, NULL, NULL);
    failed += cmocka_run_group_tests_name("msg12 OpenSSL", real, NULL, NULL);
    return failed;
}
