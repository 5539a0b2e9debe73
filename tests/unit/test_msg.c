/*
 * Handshake message codecs (src/msg/): every parser on a message built with cl_writer
 * (every field checked), on every prefix of it and with one byte more, at each vector bound
 * (min - 1, max + 1), and on the messages of RFC 8448's traces. Extension blocks and bodies
 * have their own file, test_msg_exts.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/mem.h"
#include "msg/msg.h"
#include "msg_helpers.h"
#include "testutil.h"

/* ---- adapters for the prefix checks ---- */

static int p_ch(const uint8_t *p, size_t n)
{
    cl_client_hello m;
    return cl_client_hello_parse(p, n, &m);
}

static int p_sh(const uint8_t *p, size_t n)
{
    cl_server_hello m;
    return cl_server_hello_parse(p, n, &m);
}

static int p_ee(const uint8_t *p, size_t n)
{
    cl_exts m;
    return cl_encrypted_extensions_parse(p, n, &m);
}

static int p_ct(const uint8_t *p, size_t n)
{
    cl_certificate13 m;
    return cl_certificate13_parse(p, n, SIZE_MAX, &m);
}

static int p_cr(const uint8_t *p, size_t n)
{
    cl_certificate_request13 m;
    return cl_certificate_request13_parse(p, n, &m);
}

static int p_cv(const uint8_t *p, size_t n)
{
    cl_certificate_verify m;
    return cl_certificate_verify_parse(p, n, &m);
}

static int p_fin32(const uint8_t *p, size_t n)
{
    const uint8_t *v;
    return cl_finished_parse(p, n, 32, &v);
}

static int p_nst(const uint8_t *p, size_t n)
{
    cl_new_session_ticket13 m;
    return cl_new_session_ticket13_parse(p, n, &m);
}

static int p_ku(const uint8_t *p, size_t n)
{
    uint8_t v;
    return cl_key_update_parse(p, n, &v);
}

/* ---- extension data used below ---- */

static const uint8_t sni_data[] = {0x00, 0x09, 0x00, 0x00, 0x06, 's', 'e', 'r', 'v', 'e', 'r'};
static const uint8_t groups_data[] = {0x00, 0x04, 0x00, 0x1d, 0x00, 0x17};
static const uint8_t ks_ch_data[] = {0x00, 0x06, 0x00, 0x1d, 0x00, 0x02, 0xaa, 0xbb};
static const uint8_t ks_sh_data[] = {0x00, 0x1d, 0x00, 0x02, 0xcc, 0xdd};
static const uint8_t ks_hrr_data[] = {0x00, 0x17};
static const uint8_t sv_ch_data[] = {0x02, 0x03, 0x04};
static const uint8_t sv_ch2_data[] = {0x04, 0x03, 0x04, 0x03, 0x03};
static const uint8_t sv_sh_data[] = {0x03, 0x04};
static const uint8_t sigalgs_data[] = {0x00, 0x04, 0x08, 0x04, 0x04, 0x03};
static const uint8_t modes_data[] = {0x01, 0x01};
static const uint8_t cookie_data[] = {0x00, 0x03, 0xc0, 0x0c, 0x1e};
static const uint8_t alpn_data[] = {0x00, 0x03, 0x02, 'h', '2'};
static const uint8_t ri_data[] = {0x00};
/* OfferedPsks: one identity "tick" (age 0x11223344), one binder of 32 bytes of 0xb1. */
static const uint8_t psk_data[] = {
    0x00, 0x0a, 0x00, 0x04, 't',  'i',  'c',  'k',  0x11, 0x22, 0x33, 0x44, 0x00, 0x21, 0x20, 0xb1,
    0xb1, 0xb1, 0xb1, 0xb1, 0xb1, 0xb1, 0xb1, 0xb1, 0xb1, 0xb1, 0xb1, 0xb1, 0xb1, 0xb1, 0xb1, 0xb1,
    0xb1, 0xb1, 0xb1, 0xb1, 0xb1, 0xb1, 0xb1, 0xb1, 0xb1, 0xb1, 0xb1, 0xb1, 0xb1, 0xb1, 0xb1};

#define EXT(type, arr)                                                                             \
    {                                                                                              \
        type, arr, sizeof(arr)                                                                     \
    }
#define EXT0(type)                                                                                 \
    {                                                                                              \
        type, NULL, 0                                                                              \
    }

static const ext_spec ch_exts[] = {
    EXT(CL_EXT_SERVER_NAME, sni_data),
    EXT(CL_EXT_SUPPORTED_GROUPS, groups_data),
    EXT(CL_EXT_KEY_SHARE, ks_ch_data),
    EXT(CL_EXT_SUPPORTED_VERSIONS, sv_ch_data),
    EXT(CL_EXT_SIGNATURE_ALGORITHMS, sigalgs_data),
    EXT(CL_EXT_PSK_KEY_EXCHANGE_MODES, modes_data),
    EXT(CL_EXT_PRE_SHARED_KEY, psk_data),
};

static const uint8_t suites3[] = {0x13, 0x01, 0x13, 0x03, 0x13, 0x02};
static const uint8_t null_comp[] = {0x00};

/* ---- ClientHello ---- */

typedef struct ch_spec {
    size_t sid_len;
    const uint8_t *suites;
    size_t suites_len;
    const uint8_t *comp;
    size_t comp_len;
    int no_exts;
    const ext_spec *exts;
    size_t n_exts;
} ch_spec;

static ch_spec ch_default(void)
{
    ch_spec s = {32, suites3, sizeof(suites3), null_comp, 1, 0, ch_exts, ARRAY_LEN(ch_exts)};
    return s;
}

/* The header part: version and random (0, 1, 2, ...), session id (0xa0, 0xa1, ...). */
static void write_hello_head(cl_writer *w, uint16_t version, const uint8_t *random, size_t sid_len)
{
    assert_int_equal(cl_write_u16(w, version), 0);
    for (int i = 0; i < CL_RANDOM_LEN; i++)
        assert_int_equal(cl_write_u8(w, random ? random[i] : (uint8_t)i), 0);
    assert_int_equal(cl_write_open(w, 1), 0);
    for (size_t i = 0; i < sid_len; i++)
        assert_int_equal(cl_write_u8(w, (uint8_t)(0xa0 + i)), 0);
    assert_int_equal(cl_write_close(w), 0);
}

static buf build_ch(const ch_spec *s)
{
    cl_writer w;
    wr_init(&w);
    write_hello_head(&w, 0x0303, NULL, s->sid_len);
    assert_int_equal(cl_write_vec(&w, 2, s->suites, s->suites_len), 0);
    assert_int_equal(cl_write_vec(&w, 1, s->comp, s->comp_len), 0);
    if (!s->no_exts)
        write_ext_block(&w, s->exts, s->n_exts);
    return wr_take(&w);
}

static int ch_rc(const ch_spec *s)
{
    buf b = build_ch(s);
    int rc = p_ch(b.p, b.len);
    buf_free(&b);
    return rc;
}

static void check_ext_data(const cl_exts *e, const ext_spec *want, size_t n)
{
    assert_int_equal(e->n_total, n);
    assert_int_equal(e->n_order, n);
    for (size_t i = 0; i < n; i++) {
        int idx = cl_ext_index(want[i].type);
        assert_int_equal(e->order[i], want[i].type);
        assert_reader_eq(cl_exts_get(e, (enum cl_ext_idx)idx), want[i].data, want[i].len);
    }
}

static void test_ch_round_trip(void **state)
{
    (void)state;
    ch_spec s = ch_default();
    buf b = build_ch(&s);
    cl_client_hello ch;
    assert_int_equal(cl_client_hello_parse(b.p, b.len, &ch), 0);
    assert_int_equal(ch.legacy_version, 0x0303);
    for (int i = 0; i < CL_RANDOM_LEN; i++)
        assert_int_equal(ch.random[i], i);
    assert_int_equal(ch.session_id_len, 32);
    for (int i = 0; i < 32; i++)
        assert_int_equal(ch.session_id[i], 0xa0 + i);
    assert_reader_eq(ch.cipher_suites, suites3, sizeof(suites3));
    assert_reader_eq(ch.compression, null_comp, 1);
    assert_true(ch.has_extensions);
    check_ext_data(&ch.exts, ch_exts, ARRAY_LEN(ch_exts));
    /* The binders: the pre_shared_key data ends the body; they follow the identities. */
    size_t ids_vec = 2 + ((size_t)psk_data[0] << 8 | psk_data[1]);
    assert_int_equal(ch.binders_offset, b.len - sizeof(psk_data) + ids_vec);
    assert_int_equal(b.p[ch.binders_offset], 0x00);
    assert_int_equal(b.p[ch.binders_offset + 1], 0x21);
    /* every prefix fails, except the one that ends before the extensions (a TLS 1.2 hello) */
    check_prefixes_ok_at(p_ch, b.p, b.len, 2 + 32 + 1 + 32 + 2 + 6 + 1 + 1);
    buf_free(&b);

    /* without pre_shared_key: no binders */
    s.n_exts--;
    b = build_ch(&s);
    assert_int_equal(cl_client_hello_parse(b.p, b.len, &ch), 0);
    assert_int_equal(ch.binders_offset, 0);
    assert_int_equal(ch.exts.n_total, ARRAY_LEN(ch_exts) - 1);
    buf_free(&b);
}

static void test_ch_bounds(void **state)
{
    (void)state;
    ch_spec s = ch_default();
    /* legacy_session_id<0..32> */
    s.sid_len = 0;
    assert_int_equal(ch_rc(&s), 0);
    s.sid_len = 33;
    assert_int_equal(ch_rc(&s), CLASP_ERR_DECODE);
    s = ch_default();
    /* cipher_suites<2..2^16-2>, whole suites */
    s.suites_len = 0;
    assert_int_equal(ch_rc(&s), CLASP_ERR_DECODE);
    s.suites_len = 1;
    assert_int_equal(ch_rc(&s), CLASP_ERR_DECODE);
    s.suites_len = 2;
    assert_int_equal(ch_rc(&s), 0);
    s.suites_len = 3;
    assert_int_equal(ch_rc(&s), CLASP_ERR_DECODE);
    uint8_t *many = calloc(0xffff, 1);
    assert_non_null(many);
    s.suites = many;
    s.suites_len = 0xfffe;
    assert_int_equal(ch_rc(&s), 0);
    s.suites_len = 0xffff;
    assert_int_equal(ch_rc(&s), CLASP_ERR_DECODE);
    /* legacy_compression_methods<1..2^8-1> */
    s = ch_default();
    s.comp_len = 0;
    assert_int_equal(ch_rc(&s), CLASP_ERR_DECODE);
    s.comp = many;
    s.comp_len = 255;
    assert_int_equal(ch_rc(&s), 0);
    free(many);
}

static void test_ch_extension_block(void **state)
{
    (void)state;
    cl_client_hello ch;
    ch_spec s = ch_default();
    /* absent: a TLS 1.2-style hello */
    s.no_exts = 1;
    buf b = build_ch(&s);
    assert_int_equal(cl_client_hello_parse(b.p, b.len, &ch), 0);
    assert_false(ch.has_extensions);
    assert_int_equal(ch.exts.n_total, 0);
    buf_free(&b);
    /* RFC 5246 7.4.1.2: extensions<0..2^16-1> */
    s.no_exts = 0;
    s.n_exts = 0;
    b = build_ch(&s);
    assert_int_equal(cl_client_hello_parse(b.p, b.len, &ch), 0);
    assert_true(ch.has_extensions);
    buf_free(&b);
    ext_spec ems = EXT0(CL_EXT_EXTENDED_MASTER_SECRET); /* a 4-byte block */
    s.exts = &ems;
    s.n_exts = 1;
    assert_int_equal(ch_rc(&s), 0);
    /* RFC 8446 4.1.2: a TLS 1.3 hello (with supported_versions) has extensions<8..2^16-1> */
    ext_spec sv = EXT(CL_EXT_SUPPORTED_VERSIONS, sv_ch_data); /* 7 bytes */
    s.exts = &sv;
    assert_int_equal(ch_rc(&s), CLASP_ERR_DECODE);
    ext_spec sv2 = EXT(CL_EXT_SUPPORTED_VERSIONS, sv_ch2_data); /* 9 bytes */
    s.exts = &sv2;
    assert_int_equal(ch_rc(&s), 0);
    /* the largest block: 2^16-1 bytes */
    uint8_t *pad = calloc(0xffff, 1);
    assert_non_null(pad);
    ext_spec big[] = {EXT(CL_EXT_SUPPORTED_VERSIONS, sv_ch2_data),
                      {CL_EXT_PADDING, pad, 0xffff - 9 - 4}};
    s.exts = big;
    s.n_exts = 2;
    assert_int_equal(ch_rc(&s), 0);
    free(pad);
}

static void test_ch_extension_errors(void **state)
{
    (void)state;
    ch_spec s = ch_default();
    /* pre_shared_key not last */
    ext_spec psk_first[] = {EXT(CL_EXT_PRE_SHARED_KEY, psk_data),
                            EXT(CL_EXT_SUPPORTED_VERSIONS, sv_ch_data)};
    s.exts = psk_first;
    s.n_exts = 2;
    assert_int_equal(ch_rc(&s), CLASP_ERR_ILLEGAL_PARAMETER);
    /* a broken OfferedPsks: the binders cut short */
    ext_spec bad_psk[] = {EXT(CL_EXT_SUPPORTED_VERSIONS, sv_ch_data),
                          {CL_EXT_PRE_SHARED_KEY, psk_data, sizeof(psk_data) - 1}};
    s.exts = bad_psk;
    assert_int_equal(ch_rc(&s), CLASP_ERR_DECODE);
    /* duplicates, known and unknown */
    ext_spec dup_known[] = {EXT(CL_EXT_SUPPORTED_VERSIONS, sv_ch_data),
                            EXT(CL_EXT_SUPPORTED_VERSIONS, sv_ch_data)};
    s.exts = dup_known;
    assert_int_equal(ch_rc(&s), CLASP_ERR_ILLEGAL_PARAMETER);
    ext_spec dup_unknown[] = {EXT0(0x0a0a), EXT0(0x0a0a)};
    s.exts = dup_unknown;
    assert_int_equal(ch_rc(&s), CLASP_ERR_ILLEGAL_PARAMETER);
    /* unknown: ignored */
    ext_spec unknown[] = {EXT0(0x0a0a), EXT(CL_EXT_SUPPORTED_VERSIONS, sv_ch_data)};
    s.exts = unknown;
    assert_int_equal(ch_rc(&s), 0);
    /* oid_filters belongs to CertificateRequest only */
    ext_spec oid[] = {EXT(CL_EXT_SUPPORTED_VERSIONS, sv_ch_data), EXT0(CL_EXT_OID_FILTERS)};
    s.exts = oid;
    assert_int_equal(ch_rc(&s), CLASP_ERR_ILLEGAL_PARAMETER);
}

/* ---- ServerHello / HelloRetryRequest ---- */

typedef struct sh_spec {
    const uint8_t *random;
    size_t sid_len;
    uint8_t comp;
    int no_exts;
    const ext_spec *exts;
    size_t n_exts;
} sh_spec;

static const ext_spec sh13_exts[] = {EXT(CL_EXT_KEY_SHARE, ks_sh_data),
                                     EXT(CL_EXT_SUPPORTED_VERSIONS, sv_sh_data)};
static const ext_spec hrr_exts[] = {EXT(CL_EXT_SUPPORTED_VERSIONS, sv_sh_data),
                                    EXT(CL_EXT_KEY_SHARE, ks_hrr_data),
                                    EXT(CL_EXT_COOKIE, cookie_data)};
static const ext_spec sh12_exts[] = {
    EXT0(CL_EXT_EXTENDED_MASTER_SECRET), EXT(CL_EXT_RENEGOTIATION_INFO, ri_data),
    EXT(CL_EXT_ALPN, alpn_data), EXT0(CL_EXT_ENCRYPT_THEN_MAC), EXT0(CL_EXT_SESSION_TICKET)};

static buf build_sh(const sh_spec *s)
{
    cl_writer w;
    wr_init(&w);
    write_hello_head(&w, 0x0303, s->random, s->sid_len);
    assert_int_equal(cl_write_u16(&w, 0x1301), 0);
    assert_int_equal(cl_write_u8(&w, s->comp), 0);
    if (!s->no_exts)
        write_ext_block(&w, s->exts, s->n_exts);
    return wr_take(&w);
}

static int sh_rc(const sh_spec *s)
{
    buf b = build_sh(s);
    int rc = p_sh(b.p, b.len);
    buf_free(&b);
    return rc;
}

static void test_sh_round_trip(void **state)
{
    (void)state;
    sh_spec s = {NULL, 32, 0, 0, sh13_exts, ARRAY_LEN(sh13_exts)};
    buf b = build_sh(&s);
    cl_server_hello sh;
    assert_int_equal(cl_server_hello_parse(b.p, b.len, &sh), 0);
    assert_int_equal(sh.legacy_version, 0x0303);
    for (int i = 0; i < CL_RANDOM_LEN; i++)
        assert_int_equal(sh.random[i], i);
    assert_int_equal(sh.session_id_len, 32);
    assert_int_equal(sh.session_id[31], 0xa0 + 31);
    assert_int_equal(sh.cipher_suite, 0x1301);
    assert_int_equal(sh.compression, 0);
    assert_false(sh.is_hrr);
    assert_true(sh.has_extensions);
    check_ext_data(&sh.exts, sh13_exts, ARRAY_LEN(sh13_exts));
    /* the prefix that ends after the compression method is a TLS 1.2 ServerHello */
    check_prefixes_ok_at(p_sh, b.p, b.len, 2 + 32 + 1 + 32 + 2 + 1);
    buf_free(&b);
}

static void test_sh_errors(void **state)
{
    (void)state;
    sh_spec s = {NULL, 33, 0, 0, sh13_exts, ARRAY_LEN(sh13_exts)};
    assert_int_equal(sh_rc(&s), CLASP_ERR_DECODE); /* legacy_session_id_echo<0..32> */
    s.sid_len = 0;
    assert_int_equal(sh_rc(&s), 0);
    s.comp = 1; /* legacy_compression_method = 0 */
    assert_int_equal(sh_rc(&s), CLASP_ERR_ILLEGAL_PARAMETER);
    s.comp = 0;
    /* TLS 1.3 ServerHello: unknown, or a known one that belongs elsewhere */
    ext_spec unknown[] = {EXT(CL_EXT_SUPPORTED_VERSIONS, sv_sh_data), EXT0(0x7777)};
    s.exts = unknown;
    s.n_exts = 2;
    assert_int_equal(sh_rc(&s), CLASP_ERR_UNSUPPORTED_EXTENSION);
    ext_spec cookie[] = {EXT(CL_EXT_SUPPORTED_VERSIONS, sv_sh_data),
                         EXT(CL_EXT_COOKIE, cookie_data)};
    s.exts = cookie;
    assert_int_equal(sh_rc(&s), CLASP_ERR_ILLEGAL_PARAMETER);
    ext_spec ems[] = {EXT(CL_EXT_SUPPORTED_VERSIONS, sv_sh_data),
                      EXT0(CL_EXT_EXTENDED_MASTER_SECRET)};
    s.exts = ems;
    assert_int_equal(sh_rc(&s), CLASP_ERR_ILLEGAL_PARAMETER);
    ext_spec psk[] = {EXT(CL_EXT_PRE_SHARED_KEY, sv_sh_data),
                      EXT(CL_EXT_SUPPORTED_VERSIONS, sv_sh_data)};
    s.exts = psk;
    assert_int_equal(sh_rc(&s), 0);
    ext_spec dup[] = {EXT(CL_EXT_SUPPORTED_VERSIONS, sv_sh_data),
                      EXT(CL_EXT_SUPPORTED_VERSIONS, sv_sh_data)};
    s.exts = dup;
    assert_int_equal(sh_rc(&s), CLASP_ERR_ILLEGAL_PARAMETER);
}

static void test_sh12(void **state)
{
    (void)state;
    cl_server_hello sh;
    sh_spec s = {NULL, 32, 0, 1, NULL, 0};
    buf b = build_sh(&s);
    assert_int_equal(cl_server_hello_parse(b.p, b.len, &sh), 0);
    assert_false(sh.has_extensions);
    assert_false(sh.is_hrr);
    buf_free(&b);
    s.no_exts = 0;
    s.exts = sh12_exts;
    s.n_exts = ARRAY_LEN(sh12_exts);
    b = build_sh(&s);
    assert_int_equal(cl_server_hello_parse(b.p, b.len, &sh), 0);
    check_ext_data(&sh.exts, sh12_exts, ARRAY_LEN(sh12_exts));
    buf_free(&b);
    /* without supported_versions, TLS 1.3 extensions are out of place */
    ext_spec ks[] = {EXT0(CL_EXT_EXTENDED_MASTER_SECRET), EXT(CL_EXT_KEY_SHARE, ks_sh_data)};
    s.exts = ks;
    s.n_exts = 2;
    assert_int_equal(sh_rc(&s), CLASP_ERR_ILLEGAL_PARAMETER);
    ext_spec groups[] = {EXT(CL_EXT_SUPPORTED_GROUPS, groups_data)};
    s.exts = groups;
    s.n_exts = 1;
    assert_int_equal(sh_rc(&s), CLASP_ERR_ILLEGAL_PARAMETER);
    ext_spec unknown[] = {EXT0(0x7777)};
    s.exts = unknown;
    assert_int_equal(sh_rc(&s), CLASP_ERR_UNSUPPORTED_EXTENSION);
}

static void test_hrr(void **state)
{
    (void)state;
    cl_server_hello sh;
    sh_spec s = {cl_hrr_random, 0, 0, 0, hrr_exts, ARRAY_LEN(hrr_exts)};
    buf b = build_sh(&s);
    assert_int_equal(cl_server_hello_parse(b.p, b.len, &sh), 0);
    assert_true(sh.is_hrr);
    assert_memory_equal(sh.random, cl_hrr_random, CL_RANDOM_LEN);
    check_ext_data(&sh.exts, hrr_exts, ARRAY_LEN(hrr_exts));
    /* no prefix is acceptable: an HRR must have its extensions */
    check_prefixes(p_sh, b.p, b.len);
    buf_free(&b);
    /* the random is all that marks an HRR: one bit off and it is a ServerHello */
    uint8_t almost[CL_RANDOM_LEN];
    memcpy(almost, cl_hrr_random, CL_RANDOM_LEN);
    almost[31] ^= 1;
    s.random = almost;
    assert_int_equal(sh_rc(&s), CLASP_ERR_ILLEGAL_PARAMETER); /* cookie in a ServerHello */
    s.random = cl_hrr_random;
    /* extensions<6..2^16-1> */
    s.no_exts = 1;
    assert_int_equal(sh_rc(&s), CLASP_ERR_DECODE);
    s.no_exts = 0;
    ext_spec small[] = {EXT0(CL_EXT_SUPPORTED_VERSIONS)}; /* a 4-byte block */
    s.exts = small;
    s.n_exts = 1;
    assert_int_equal(sh_rc(&s), CLASP_ERR_DECODE);
    ext_spec psk[] = {EXT(CL_EXT_SUPPORTED_VERSIONS, sv_sh_data),
                      EXT(CL_EXT_PRE_SHARED_KEY, sv_sh_data)};
    s.exts = psk;
    s.n_exts = 2;
    assert_int_equal(sh_rc(&s), CLASP_ERR_ILLEGAL_PARAMETER);
    ext_spec unknown[] = {EXT(CL_EXT_SUPPORTED_VERSIONS, sv_sh_data), EXT0(0x7777)};
    s.exts = unknown;
    assert_int_equal(sh_rc(&s), CLASP_ERR_UNSUPPORTED_EXTENSION);
}

/* ---- EncryptedExtensions ---- */

static buf build_ee(const ext_spec *e, size_t n)
{
    cl_writer w;
    wr_init(&w);
    write_ext_block(&w, e, n);
    return wr_take(&w);
}

static int ee_rc(const ext_spec *e, size_t n)
{
    buf b = build_ee(e, n);
    int rc = p_ee(b.p, b.len);
    buf_free(&b);
    return rc;
}

static void test_ee(void **state)
{
    (void)state;
    static const ext_spec exts[] = {EXT(CL_EXT_SUPPORTED_GROUPS, groups_data),
                                    EXT0(CL_EXT_SERVER_NAME), EXT(CL_EXT_ALPN, alpn_data),
                                    EXT0(CL_EXT_EARLY_DATA)};
    cl_exts ee;
    buf b = build_ee(exts, ARRAY_LEN(exts));
    assert_int_equal(cl_encrypted_extensions_parse(b.p, b.len, &ee), 0);
    check_ext_data(&ee, exts, ARRAY_LEN(exts));
    check_prefixes(p_ee, b.p, b.len);
    buf_free(&b);
    assert_int_equal(ee_rc(exts, 0), 0);
    ext_spec ks[] = {EXT(CL_EXT_KEY_SHARE, ks_sh_data)};
    assert_int_equal(ee_rc(ks, 1), CLASP_ERR_ILLEGAL_PARAMETER);
    ext_spec psk[] = {EXT(CL_EXT_PRE_SHARED_KEY, sv_sh_data)};
    assert_int_equal(ee_rc(psk, 1), CLASP_ERR_ILLEGAL_PARAMETER);
    ext_spec ems[] = {EXT0(CL_EXT_EXTENDED_MASTER_SECRET)};
    assert_int_equal(ee_rc(ems, 1), CLASP_ERR_ILLEGAL_PARAMETER);
    ext_spec unknown[] = {EXT0(0x7777)};
    assert_int_equal(ee_rc(unknown, 1), CLASP_ERR_UNSUPPORTED_EXTENSION);
    ext_spec dup[] = {EXT0(CL_EXT_SERVER_NAME), EXT0(CL_EXT_SERVER_NAME)};
    assert_int_equal(ee_rc(dup, 2), CLASP_ERR_ILLEGAL_PARAMETER);
}

/* ---- Certificate ---- */

static const uint8_t der1[] = {0x30, 0x03, 0x02, 0x01, 0x01};
static const uint8_t der2[] = {0x30, 0x00};
static const uint8_t ocsp[] = {0x01, 0x00, 0x00, 0x01, 0x55};
/* SignedCertificateTimestampList: one SerializedSCT of one byte (RFC 6962 3.3) */
static const uint8_t sct_list[] = {0x00, 0x03, 0x00, 0x01, 0xab};

/* One entry of a Certificate: cert_data, then its extensions. */
static void write_entry(cl_writer *w, const uint8_t *der, size_t der_len, const ext_spec *e,
                        size_t n)
{
    assert_int_equal(cl_write_vec(w, 3, der, der_len), 0);
    write_ext_block(w, e, n);
}

static buf build_ct(const uint8_t *ctx, size_t ctx_len, const ext_spec *e, size_t n)
{
    cl_writer w;
    wr_init(&w);
    assert_int_equal(cl_write_vec(&w, 1, ctx, ctx_len), 0);
    assert_int_equal(cl_write_open(&w, 3), 0);
    write_entry(&w, der1, sizeof(der1), e, n);
    write_entry(&w, der2, sizeof(der2), NULL, 0);
    assert_int_equal(cl_write_close(&w), 0);
    return wr_take(&w);
}

static void test_certificate(void **state)
{
    (void)state;
    static const uint8_t ctx[] = {0xc1, 0xc2};
    static const ext_spec exts[] = {EXT(CL_EXT_STATUS_REQUEST, ocsp), EXT(CL_EXT_SCT, sct_list)};
    cl_certificate13 ct;
    const uint8_t *der;
    size_t der_len;
    cl_exts e;
    buf b = build_ct(ctx, sizeof(ctx), exts, ARRAY_LEN(exts));
    assert_int_equal(cl_certificate13_parse(b.p, b.len, SIZE_MAX, &ct), 0);
    assert_reader_eq(ct.context, ctx, sizeof(ctx));
    assert_int_equal(ct.n_entries, 2);
    cl_reader walk = ct.entries;
    assert_int_equal(cl_certificate13_next(&walk, &der, &der_len, &e), 0);
    assert_int_equal(der_len, sizeof(der1));
    assert_memory_equal(der, der1, sizeof(der1));
    check_ext_data(&e, exts, ARRAY_LEN(exts));
    assert_int_equal(cl_certificate13_next(&walk, &der, &der_len, NULL), 0);
    assert_int_equal(der_len, sizeof(der2));
    assert_memory_equal(der, der2, sizeof(der2));
    assert_int_equal(cl_reader_left(&walk), 0);
    assert_int_equal(cl_certificate13_next(&walk, &der, &der_len, &e), CLASP_ERR_DECODE);
    check_prefixes(p_ct, b.p, b.len);
    /* a bound on the count: two entries pass two, not one */
    assert_int_equal(cl_certificate13_parse(b.p, b.len, 2, &ct), 0);
    assert_int_equal(cl_certificate13_parse(b.p, b.len, 1, &ct), CLASP_ERR_BAD_CERTIFICATE);
    /* the walk stops at the entry past the bound, before reading it: a broken one there is
     * not seen */
    b.p[b.len - 1] ^= 0xff; /* the second entry's extensions length */
    b.p[b.len - 2] ^= 0xff;
    assert_int_equal(cl_certificate13_parse(b.p, b.len, 2, &ct), CLASP_ERR_DECODE);
    assert_int_equal(cl_certificate13_parse(b.p, b.len, 1, &ct), CLASP_ERR_BAD_CERTIFICATE);
    buf_free(&b);
}

static int ct_rc(const ext_spec *e, size_t n)
{
    buf b = build_ct(NULL, 0, e, n);
    int rc = p_ct(b.p, b.len);
    buf_free(&b);
    return rc;
}

static void test_certificate_errors(void **state)
{
    (void)state;
    cl_certificate13 ct;
    /* certificate_list<0..2^24-1>: empty is well formed */
    static const uint8_t empty[] = {0x00, 0x00, 0x00, 0x00};
    assert_int_equal(cl_certificate13_parse(empty, sizeof(empty), SIZE_MAX, &ct), 0);
    assert_int_equal(ct.n_entries, 0);
    /* cert_data<1..2^24-1> */
    cl_writer w;
    wr_init(&w);
    assert_int_equal(cl_write_u8(&w, 0), 0);
    assert_int_equal(cl_write_open(&w, 3), 0);
    write_entry(&w, NULL, 0, NULL, 0);
    assert_int_equal(cl_write_close(&w), 0);
    buf b = wr_take(&w);
    assert_int_equal(cl_certificate13_parse(b.p, b.len, SIZE_MAX, &ct), CLASP_ERR_DECODE);
    buf_free(&b);
    /* entry extensions: CT context */
    ext_spec unknown[] = {EXT0(0x7777)};
    assert_int_equal(ct_rc(unknown, 1), CLASP_ERR_UNSUPPORTED_EXTENSION);
    ext_spec ks[] = {EXT(CL_EXT_KEY_SHARE, ks_sh_data)};
    assert_int_equal(ct_rc(ks, 1), CLASP_ERR_ILLEGAL_PARAMETER);
    ext_spec dup[] = {EXT0(CL_EXT_SCT), EXT0(CL_EXT_SCT)};
    assert_int_equal(ct_rc(dup, 2), CLASP_ERR_ILLEGAL_PARAMETER);
}

/* ---- CertificateRequest ---- */

static buf build_cr(const uint8_t *ctx, size_t ctx_len, const ext_spec *e, size_t n)
{
    cl_writer w;
    wr_init(&w);
    assert_int_equal(cl_write_vec(&w, 1, ctx, ctx_len), 0);
    write_ext_block(&w, e, n);
    return wr_take(&w);
}

static int cr_rc(const ext_spec *e, size_t n)
{
    buf b = build_cr(NULL, 0, e, n);
    int rc = p_cr(b.p, b.len);
    buf_free(&b);
    return rc;
}

static void test_certificate_request(void **state)
{
    (void)state;
    static const uint8_t ctx[] = {1, 2, 3, 4};
    static const uint8_t cas[] = {0x00, 0x03, 0x00, 0x01, 0x30};
    /* one OIDFilter: extKeyUsage (2.5.29.37), no values */
    static const uint8_t filters[] = {0x00, 0x06, 0x03, 0x55, 0x1d, 0x25, 0x00, 0x00};
    static const ext_spec exts[] = {EXT(CL_EXT_SIGNATURE_ALGORITHMS, sigalgs_data),
                                    EXT(CL_EXT_CERTIFICATE_AUTHORITIES, cas),
                                    EXT(CL_EXT_OID_FILTERS, filters)};
    cl_certificate_request13 cr;
    buf b = build_cr(ctx, sizeof(ctx), exts, ARRAY_LEN(exts));
    assert_int_equal(cl_certificate_request13_parse(b.p, b.len, &cr), 0);
    assert_reader_eq(cr.context, ctx, sizeof(ctx));
    check_ext_data(&cr.exts, exts, ARRAY_LEN(exts));
    check_prefixes(p_cr, b.p, b.len);
    buf_free(&b);
    /* unknown: ignored */
    ext_spec unknown[] = {EXT0(0x7777), EXT(CL_EXT_SIGNATURE_ALGORITHMS, sigalgs_data)};
    assert_int_equal(cr_rc(unknown, 2), 0);
    /* 4.3.2: signature_algorithms MUST be specified */
    assert_int_equal(cr_rc(unknown, 1), CLASP_ERR_MISSING_EXTENSION);
    /* extensions<2..2^16-1> */
    assert_int_equal(cr_rc(NULL, 0), CLASP_ERR_DECODE);
    ext_spec ks[] = {EXT(CL_EXT_SIGNATURE_ALGORITHMS, sigalgs_data),
                     EXT(CL_EXT_KEY_SHARE, ks_sh_data)};
    assert_int_equal(cr_rc(ks, 2), CLASP_ERR_ILLEGAL_PARAMETER);
}

/* ---- CertificateVerify ---- */

static buf build_cv(uint16_t scheme, size_t sig_len)
{
    cl_writer w;
    wr_init(&w);
    assert_int_equal(cl_write_u16(&w, scheme), 0);
    assert_int_equal(cl_write_open(&w, 2), 0);
    for (size_t i = 0; i < sig_len; i++)
        assert_int_equal(cl_write_u8(&w, (uint8_t)(0x5a ^ i)), 0);
    assert_int_equal(cl_write_close(&w), 0);
    return wr_take(&w);
}

static void test_certificate_verify(void **state)
{
    (void)state;
    cl_certificate_verify cv;
    buf b = build_cv(0x0804, 3);
    assert_int_equal(cl_certificate_verify_parse(b.p, b.len, &cv), 0);
    assert_int_equal(cv.scheme, 0x0804);
    assert_int_equal(cv.sig_len, 3);
    assert_int_equal(cv.sig[0], 0x5a);
    assert_int_equal(cv.sig[2], 0x58);
    check_prefixes(p_cv, b.p, b.len);
    buf_free(&b);
    b = build_cv(0x0403, 0); /* empty: well formed (signature<0..2^16-1>) */
    assert_int_equal(cl_certificate_verify_parse(b.p, b.len, &cv), 0);
    assert_int_equal(cv.sig_len, 0);
    buf_free(&b);
    b = build_cv(0x0403, 0xffff);
    assert_int_equal(cl_certificate_verify_parse(b.p, b.len, &cv), 0);
    assert_int_equal(cv.sig_len, 0xffff);
    buf_free(&b);
}

/* ---- Finished ---- */

static void test_finished(void **state)
{
    (void)state;
    uint8_t b[49];
    const uint8_t *v;
    for (size_t i = 0; i < sizeof(b); i++)
        b[i] = (uint8_t)i;
    assert_int_equal(cl_finished_parse(b, 32, 32, &v), 0);
    assert_ptr_equal(v, b);
    assert_int_equal(cl_finished_parse(b, 48, 48, &v), 0);
    assert_int_equal(cl_finished_parse(b, 12, 12, &v), 0);
    assert_int_equal(cl_finished_parse(b, 31, 32, &v), CLASP_ERR_DECODE);
    assert_int_equal(cl_finished_parse(b, 33, 32, &v), CLASP_ERR_DECODE);
    check_prefixes(p_fin32, b, 32);
}

/* ---- NewSessionTicket ---- */

typedef struct nst_spec {
    uint32_t lifetime;
    size_t nonce_len;
    size_t ticket_len;
    const ext_spec *exts;
    size_t n_exts;
} nst_spec;

static buf build_nst(const nst_spec *s)
{
    cl_writer w;
    wr_init(&w);
    assert_int_equal(cl_write_u32(&w, s->lifetime), 0);
    assert_int_equal(cl_write_u32(&w, 0xa9e4a9e4), 0);
    assert_int_equal(cl_write_open(&w, 1), 0);
    assert_int_equal(cl_write_zeros(&w, s->nonce_len), 0);
    assert_int_equal(cl_write_close(&w), 0);
    assert_int_equal(cl_write_open(&w, 2), 0);
    for (size_t i = 0; i < s->ticket_len; i++)
        assert_int_equal(cl_write_u8(&w, (uint8_t)(0x70 + i)), 0);
    assert_int_equal(cl_write_close(&w), 0);
    write_ext_block(&w, s->exts, s->n_exts);
    return wr_take(&w);
}

static int nst_rc(const nst_spec *s)
{
    buf b = build_nst(s);
    int rc = p_nst(b.p, b.len);
    buf_free(&b);
    return rc;
}

static void test_nst(void **state)
{
    (void)state;
    static const uint8_t ed[] = {0x00, 0x00, 0x40, 0x00};
    static const ext_spec exts[] = {EXT(CL_EXT_EARLY_DATA, ed)};
    nst_spec s = {604800, 8, 3, exts, 1};
    cl_new_session_ticket13 t;
    buf b = build_nst(&s);
    assert_int_equal(cl_new_session_ticket13_parse(b.p, b.len, &t), 0);
    assert_int_equal(t.lifetime, 604800);
    assert_int_equal(t.age_add, 0xa9e4a9e4);
    assert_int_equal(cl_reader_left(&t.nonce), 8);
    static const uint8_t ticket[] = {0x70, 0x71, 0x72};
    assert_reader_eq(t.ticket, ticket, 3);
    check_ext_data(&t.exts, exts, 1);
    uint32_t max;
    assert_int_equal(cl_ext_early_data_nst(cl_exts_get(&t.exts, CL_EXTI_EARLY_DATA), &max), 0);
    assert_int_equal(max, 0x4000);
    check_prefixes(p_nst, b.p, b.len);
    buf_free(&b);

    s.lifetime = 604801; /* 4.6.1: at most 7 days */
    assert_int_equal(nst_rc(&s), CLASP_ERR_ILLEGAL_PARAMETER);
    s.lifetime = 0xffffffff;
    assert_int_equal(nst_rc(&s), CLASP_ERR_ILLEGAL_PARAMETER);
    s.lifetime = 0;
    assert_int_equal(nst_rc(&s), 0);
    s.ticket_len = 0; /* ticket<1..2^16-1> */
    assert_int_equal(nst_rc(&s), CLASP_ERR_DECODE);
    s.ticket_len = 1;
    s.nonce_len = 255; /* ticket_nonce<0..255> */
    assert_int_equal(nst_rc(&s), 0);
    s.nonce_len = 0;
    assert_int_equal(nst_rc(&s), 0);
}

static void test_nst_extensions(void **state)
{
    (void)state;
    nst_spec s = {3600, 1, 1, NULL, 0};
    assert_int_equal(nst_rc(&s), 0);
    ext_spec unknown[] = {EXT0(0x7777)};
    s.exts = unknown;
    s.n_exts = 1;
    assert_int_equal(nst_rc(&s), 0);
    ext_spec ks[] = {EXT(CL_EXT_KEY_SHARE, ks_sh_data)};
    s.exts = ks;
    assert_int_equal(nst_rc(&s), CLASP_ERR_ILLEGAL_PARAMETER);
    ext_spec dup[] = {EXT0(0x7777), EXT0(0x7777)};
    s.exts = dup;
    s.n_exts = 2;
    assert_int_equal(nst_rc(&s), CLASP_ERR_ILLEGAL_PARAMETER);
    /* extensions<0..2^16-2> */
    uint8_t *pad = calloc(0xffff, 1);
    assert_non_null(pad);
    ext_spec big[] = {{0x7777, pad, 0xfffe - 4}};
    s.exts = big;
    s.n_exts = 1;
    assert_int_equal(nst_rc(&s), 0);
    big[0].len = 0xffff - 4;
    assert_int_equal(nst_rc(&s), CLASP_ERR_DECODE);
    free(pad);
}

/* ---- KeyUpdate ---- */

static void test_key_update(void **state)
{
    (void)state;
    static const uint8_t v[] = {0, 1, 2, 255};
    uint8_t req = 9;
    assert_int_equal(cl_key_update_parse(v, 1, &req), 0);
    assert_int_equal(req, CL_KEY_UPDATE_NOT_REQUESTED);
    assert_int_equal(cl_key_update_parse(v + 1, 1, &req), 0);
    assert_int_equal(req, CL_KEY_UPDATE_REQUESTED);
    assert_int_equal(cl_key_update_parse(v + 2, 1, &req), CLASP_ERR_ILLEGAL_PARAMETER);
    assert_int_equal(cl_key_update_parse(v + 3, 1, &req), CLASP_ERR_ILLEGAL_PARAMETER);
    assert_int_equal(cl_key_update_parse(v, 2, &req), CLASP_ERR_DECODE);
    check_prefixes(p_ku, v + 1, 1);
}

/* ---- RFC 8448 ---- */

/* A message of a trace, checked against its 4-byte header, without the header. */
static const uint8_t *trace_msg(vecfile *v, const char *key, uint8_t type, size_t *len)
{
    size_t n;
    const uint8_t *m = vec_get(v, key, &n);
    assert_true(n >= CL_HS_HEADER_LEN);
    assert_int_equal(m[0], type);
    assert_int_equal((size_t)m[1] << 16 | (size_t)m[2] << 8 | m[3], n - CL_HS_HEADER_LEN);
    *len = n - CL_HS_HEADER_LEN;
    return m + CL_HS_HEADER_LEN;
}

static void assert_hex(const uint8_t *got, size_t got_len, const char *hex)
{
    size_t n;
    uint8_t *want = hex_decode(hex, &n);
    assert_int_equal(got_len, n);
    assert_memory_equal(got, want, n);
    free(want);
}

static void assert_reader_hex(cl_reader r, const char *hex)
{
    const uint8_t *p;
    size_t n = cl_reader_left(&r);
    assert_int_equal(cl_read_bytes(&r, n, &p), 0);
    assert_hex(p, n, hex);
}

static void check_simple_ch(vecfile *v)
{
    size_t len, klen, name_len;
    const uint8_t *body =
        trace_msg(v, "client.construct_a_clienthello_handshake_message.clienthello",
                  CL_HS_CLIENT_HELLO, &len);
    cl_client_hello ch;
    assert_int_equal(cl_client_hello_parse(body, len, &ch), 0);
    assert_int_equal(ch.legacy_version, 0x0303);
    assert_hex(ch.random, 32, "cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7");
    assert_int_equal(ch.session_id_len, 0);
    assert_reader_hex(ch.cipher_suites, "130113031302");
    assert_reader_hex(ch.compression, "00");
    assert_int_equal(ch.exts.n_total, 9);
    assert_int_equal(ch.binders_offset, 0);
    const uint8_t *name;
    assert_int_equal(
        cl_ext_server_name_ch(cl_exts_get(&ch.exts, CL_EXTI_SERVER_NAME), &name, &name_len), 0);
    assert_int_equal(name_len, 6);
    assert_memory_equal(name, "server", 6);
    cl_reader shares, versions, modes, list, g = cl_exts_get(&ch.exts, CL_EXTI_SUPPORTED_GROUPS);
    cl_key_share_entry e;
    assert_int_equal(cl_ext_key_share_ch(cl_exts_get(&ch.exts, CL_EXTI_KEY_SHARE), &shares), 0);
    assert_int_equal(cl_ext_key_share_next(&shares, &e), 0);
    assert_int_equal(e.group, 0x001d);
    const uint8_t *pub = vec_get(v, "client.create_an_ephemeral_x25519_key_pair.public_key", &klen);
    assert_int_equal(e.key_len, klen);
    assert_memory_equal(e.key, pub, klen);
    assert_int_equal(cl_reader_left(&shares), 0);
    assert_int_equal(cl_ext_u16_list(&g, 2, 0xfffe, &list), 0);
    assert_int_equal(cl_read_end(&g), 0);
    assert_reader_hex(list, "001d00170018001901000101010201030104");
    assert_int_equal(
        cl_ext_supported_versions_ch(cl_exts_get(&ch.exts, CL_EXTI_SUPPORTED_VERSIONS), &versions),
        0);
    assert_reader_hex(versions, "0304");
    assert_int_equal(
        cl_ext_psk_modes(cl_exts_get(&ch.exts, CL_EXTI_PSK_KEY_EXCHANGE_MODES), &modes), 0);
    assert_reader_hex(modes, "01");
    uint16_t limit;
    assert_int_equal(
        cl_ext_record_size_limit(cl_exts_get(&ch.exts, CL_EXTI_RECORD_SIZE_LIMIT), &limit), 0);
    assert_int_equal(limit, 0x4001);
    assert_true(cl_exts_has(&ch.exts, CL_EXTI_RENEGOTIATION_INFO));
    assert_true(cl_exts_has(&ch.exts, CL_EXTI_SESSION_TICKET));
    check_prefixes_ok_at(p_ch, body, len, 2 + 32 + 1 + 2 + 6 + 2);
}

static void check_simple_server(vecfile *v)
{
    size_t len, klen;
    const uint8_t *body =
        trace_msg(v, "server.construct_a_serverhello_handshake_message.serverhello",
                  CL_HS_SERVER_HELLO, &len);
    cl_server_hello sh;
    cl_key_share_entry e;
    uint16_t ver;
    assert_int_equal(cl_server_hello_parse(body, len, &sh), 0);
    assert_false(sh.is_hrr);
    assert_hex(sh.random, 32, "a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e26928");
    assert_int_equal(sh.cipher_suite, 0x1301);
    assert_int_equal(sh.exts.n_total, 2);
    assert_int_equal(cl_ext_key_share_sh(cl_exts_get(&sh.exts, CL_EXTI_KEY_SHARE), &e), 0);
    const uint8_t *pub = vec_get(v, "server.create_an_ephemeral_x25519_key_pair.public_key", &klen);
    assert_int_equal(e.group, 0x001d);
    assert_int_equal(e.key_len, klen);
    assert_memory_equal(e.key, pub, klen);
    assert_int_equal(
        cl_ext_supported_versions_sh(cl_exts_get(&sh.exts, CL_EXTI_SUPPORTED_VERSIONS), &ver), 0);
    assert_int_equal(ver, 0x0304);
    check_prefixes_ok_at(p_sh, body, len, 2 + 32 + 1 + 2 + 1);

    cl_exts ee;
    body = trace_msg(
        v, "server.construct_an_encryptedextensions_handshake_message.encryptedextensions",
        CL_HS_ENCRYPTED_EXTENSIONS, &len);
    assert_int_equal(cl_encrypted_extensions_parse(body, len, &ee), 0);
    assert_int_equal(ee.n_total, 3);
    assert_int_equal(ee.order[0], CL_EXT_SUPPORTED_GROUPS);
    assert_int_equal(ee.order[1], CL_EXT_RECORD_SIZE_LIMIT);
    assert_int_equal(ee.order[2], CL_EXT_SERVER_NAME);
    assert_int_equal(cl_ext_empty(cl_exts_get(&ee, CL_EXTI_SERVER_NAME)), 0);
    check_prefixes(p_ee, body, len);
}

static void check_simple_auth(vecfile *v)
{
    size_t len;
    cl_certificate13 ct;
    const uint8_t *der, *fin, *want;
    size_t der_len, want_len;
    cl_exts e;
    const uint8_t *body = trace_msg(
        v, "server.construct_a_certificate_handshake_message.certificate", CL_HS_CERTIFICATE, &len);
    assert_int_equal(cl_certificate13_parse(body, len, SIZE_MAX, &ct), 0);
    assert_int_equal(cl_reader_left(&ct.context), 0);
    assert_int_equal(ct.n_entries, 1);
    assert_int_equal(cl_certificate13_next(&ct.entries, &der, &der_len, &e), 0);
    assert_int_equal(der_len, 0x1b0);
    assert_hex(der, 4, "308201ac");
    assert_int_equal(e.n_total, 0);
    check_prefixes(p_ct, body, len);

    cl_certificate_verify cv;
    body = trace_msg(v, "server.construct_a_certificateverify_handshake_message.certificateverify",
                     CL_HS_CERTIFICATE_VERIFY, &len);
    assert_int_equal(cl_certificate_verify_parse(body, len, &cv), 0);
    assert_int_equal(cv.scheme, 0x0804);
    assert_int_equal(cv.sig_len, 128);
    assert_hex(cv.sig, 4, "5a747c5d");

    static const char *const sides[] = {"server", "client"};
    for (int i = 0; i < 2; i++) {
        char mkey[128], fkey[128];
        snprintf(mkey, sizeof(mkey), "%s.construct_a_finished_handshake_message.finished",
                 sides[i]);
        snprintf(fkey, sizeof(fkey), "%s.calculate_finished_tls13_finished.finished", sides[i]);
        body = trace_msg(v, mkey, CL_HS_FINISHED, &len);
        want = vec_get(v, fkey, &want_len);
        assert_int_equal(cl_finished_parse(body, len, 32, &fin), 0);
        assert_memory_equal(fin, want, want_len);
    }
}

static void check_simple_nst(vecfile *v)
{
    size_t len;
    cl_new_session_ticket13 t;
    uint32_t max;
    const uint8_t *body =
        trace_msg(v, "server.construct_a_newsessionticket_handshake_message.newsessionticket",
                  CL_HS_NEW_SESSION_TICKET, &len);
    assert_int_equal(cl_new_session_ticket13_parse(body, len, &t), 0);
    assert_int_equal(t.lifetime, 30);
    assert_int_equal(t.age_add, 0xfad6aac5);
    assert_reader_hex(t.nonce, "0000");
    assert_int_equal(cl_reader_left(&t.ticket), 0xb2);
    assert_int_equal(t.exts.n_total, 1);
    assert_int_equal(cl_ext_early_data_nst(cl_exts_get(&t.exts, CL_EXTI_EARLY_DATA), &max), 0);
    assert_int_equal(max, 0x400);
    check_prefixes(p_nst, body, len);
}

static void test_rfc8448_simple(void **state)
{
    (void)state;
    vecfile *v = vec_load("rfc8448_simple.txt");
    assert_non_null(v);
    check_simple_ch(v);
    check_simple_server(v);
    check_simple_auth(v);
    check_simple_nst(v);
    vec_free(v);
}

static void test_rfc8448_hrr(void **state)
{
    (void)state;
    vecfile *v = vec_load("rfc8448_hrr.txt");
    assert_non_null(v);
    size_t len, c1_len, c2_len;
    cl_server_hello hrr;
    cl_client_hello ch;
    uint16_t group, ver;
    const uint8_t *c1, *c2;
    const uint8_t *body =
        trace_msg(v, "server.construct_a_serverhello_handshake_message.serverhello",
                  CL_HS_SERVER_HELLO, &len);
    assert_int_equal(cl_server_hello_parse(body, len, &hrr), 0);
    assert_true(hrr.is_hrr);
    assert_int_equal(hrr.cipher_suite, 0x1301);
    assert_int_equal(cl_ext_key_share_hrr(cl_exts_get(&hrr.exts, CL_EXTI_KEY_SHARE), &group), 0);
    assert_int_equal(group, 0x0017);
    assert_int_equal(
        cl_ext_supported_versions_sh(cl_exts_get(&hrr.exts, CL_EXTI_SUPPORTED_VERSIONS), &ver), 0);
    assert_int_equal(ver, 0x0304);
    assert_int_equal(cl_ext_cookie(cl_exts_get(&hrr.exts, CL_EXTI_COOKIE), &c1, &c1_len), 0);
    assert_int_equal(c1_len, 0x72);
    check_prefixes(p_sh, body, len);

    /* the second ClientHello echoes the cookie and offers the group asked for */
    body = trace_msg(v, "client.construct_a_clienthello_handshake_message.clienthello#2",
                     CL_HS_CLIENT_HELLO, &len);
    assert_int_equal(cl_client_hello_parse(body, len, &ch), 0);
    assert_int_equal(cl_ext_cookie(cl_exts_get(&ch.exts, CL_EXTI_COOKIE), &c2, &c2_len), 0);
    assert_int_equal(c2_len, c1_len);
    assert_memory_equal(c2, c1, c1_len);
    cl_reader shares;
    cl_key_share_entry e;
    assert_int_equal(cl_ext_key_share_ch(cl_exts_get(&ch.exts, CL_EXTI_KEY_SHARE), &shares), 0);
    assert_int_equal(cl_ext_key_share_next(&shares, &e), 0);
    assert_int_equal(e.group, 0x0017);
    assert_int_equal(e.key_len, 65);

    body = trace_msg(v, "client.construct_a_clienthello_handshake_message.clienthello",
                     CL_HS_CLIENT_HELLO, &len);
    assert_int_equal(cl_client_hello_parse(body, len, &ch), 0);
    assert_false(cl_exts_has(&ch.exts, CL_EXTI_COOKIE));
    body = trace_msg(v, "server.construct_a_serverhello_handshake_message.serverhello#2",
                     CL_HS_SERVER_HELLO, &len);
    assert_int_equal(cl_server_hello_parse(body, len, &hrr), 0);
    assert_false(hrr.is_hrr);
    vec_free(v);
}

static void test_rfc8448_psk(void **state)
{
    (void)state;
    vecfile *v = vec_load("rfc8448_resumed_0rtt.txt");
    assert_non_null(v);
    size_t len, plen, blen, id_len, b_len;
    cl_client_hello ch;
    const uint8_t *body =
        trace_msg(v, "client.send_handshake_record.payload", CL_HS_CLIENT_HELLO, &len);
    const uint8_t *prefix = vec_get(v, "client.calculate_psk_binder.clienthello_prefix", &plen);
    const uint8_t *binder = vec_get(v, "client.calculate_psk_binder.finished", &blen);
    assert_int_equal(cl_client_hello_parse(body, len, &ch), 0);
    /* PartialClientHello: the header plus binders_offset bytes of the body */
    assert_int_equal(CL_HS_HEADER_LEN + ch.binders_offset, plen);
    assert_memory_equal(body - CL_HS_HEADER_LEN, prefix, plen);
    assert_true(cl_exts_has(&ch.exts, CL_EXTI_EARLY_DATA));
    assert_true(cl_exts_has(&ch.exts, CL_EXTI_PADDING));
    assert_int_equal(ch.exts.order[ch.exts.n_order - 1], CL_EXT_PRE_SHARED_KEY);
    cl_reader ids, binders;
    const uint8_t *id, *b;
    uint32_t age;
    assert_int_equal(
        cl_ext_pre_shared_key_ch(cl_exts_get(&ch.exts, CL_EXTI_PRE_SHARED_KEY), &ids, &binders), 0);
    assert_int_equal(cl_ext_psk_identity_next(&ids, &id, &id_len, &age), 0);
    assert_int_equal(id_len, 0xb2);
    assert_int_equal(age, 0xfad6aacb);
    assert_int_equal(cl_ext_psk_binder_next(&binders, &b, &b_len), 0);
    assert_int_equal(b_len, blen);
    assert_memory_equal(b, binder, blen);
    check_prefixes_ok_at(p_ch, body, len, 2 + 32 + 1 + 2 + 6 + 2);
    vec_free(v);
}

static void test_rfc8448_client_auth(void **state)
{
    (void)state;
    vecfile *v = vec_load("rfc8448_client_auth.txt");
    assert_non_null(v);
    size_t len;
    cl_certificate_request13 cr;
    cl_certificate13 ct;
    cl_certificate_verify cv;
    cl_reader list;
    const uint8_t *body =
        trace_msg(v, "server.construct_a_certificaterequest_handshake_message.certificaterequest",
                  CL_HS_CERTIFICATE_REQUEST, &len);
    assert_int_equal(cl_certificate_request13_parse(body, len, &cr), 0);
    assert_int_equal(cl_reader_left(&cr.context), 0);
    cl_reader sa = cl_exts_get(&cr.exts, CL_EXTI_SIGNATURE_ALGORITHMS);
    assert_int_equal(cl_ext_u16_list(&sa, 2, 0xfffe, &list), 0);
    assert_int_equal(cl_reader_left(&list), 30);
    check_prefixes(p_cr, body, len);
    body = trace_msg(v, "client.construct_a_certificate_handshake_message.certificate",
                     CL_HS_CERTIFICATE, &len);
    assert_int_equal(cl_certificate13_parse(body, len, SIZE_MAX, &ct), 0);
    assert_int_equal(ct.n_entries, 1);
    body = trace_msg(v, "client.construct_a_certificateverify_handshake_message.certificateverify",
                     CL_HS_CERTIFICATE_VERIFY, &len);
    assert_int_equal(cl_certificate_verify_parse(body, len, &cv), 0);
    assert_int_equal(cv.sig_len, 128);
    vec_free(v);
}

/* The middlebox-compatibility trace: a 32-byte session id, echoed. */
static void test_rfc8448_compat(void **state)
{
    (void)state;
    vecfile *v = vec_load("rfc8448_compat.txt");
    assert_non_null(v);
    size_t len;
    cl_client_hello ch;
    cl_server_hello sh;
    const uint8_t *body =
        trace_msg(v, "client.construct_a_clienthello_handshake_message.clienthello",
                  CL_HS_CLIENT_HELLO, &len);
    assert_int_equal(cl_client_hello_parse(body, len, &ch), 0);
    assert_int_equal(ch.session_id_len, 32);
    body = trace_msg(v, "server.construct_a_serverhello_handshake_message.serverhello",
                     CL_HS_SERVER_HELLO, &len);
    assert_int_equal(cl_server_hello_parse(body, len, &sh), 0);
    assert_int_equal(sh.session_id_len, 32);
    assert_memory_equal(sh.session_id, ch.session_id, 32);
    vec_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ch_round_trip),
        cmocka_unit_test(test_ch_bounds),
        cmocka_unit_test(test_ch_extension_block),
        cmocka_unit_test(test_ch_extension_errors),
        cmocka_unit_test(test_sh_round_trip),
        cmocka_unit_test(test_sh_errors),
        cmocka_unit_test(test_sh12),
        cmocka_unit_test(test_hrr),
        cmocka_unit_test(test_ee),
        cmocka_unit_test(test_certificate),
        cmocka_unit_test(test_certificate_errors),
        cmocka_unit_test(test_certificate_request),
        cmocka_unit_test(test_certificate_verify),
        cmocka_unit_test(test_finished),
        cmocka_unit_test(test_nst),
        cmocka_unit_test(test_nst_extensions),
        cmocka_unit_test(test_key_update),
        cmocka_unit_test(test_rfc8448_simple),
        cmocka_unit_test(test_rfc8448_hrr),
        cmocka_unit_test(test_rfc8448_psk),
        cmocka_unit_test(test_rfc8448_client_auth),
        cmocka_unit_test(test_rfc8448_compat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
