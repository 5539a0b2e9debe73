/*
 * Extension blocks and extension bodies (src/msg/exts.c, src/msg/ext/): the table of which
 * extension may appear in which message, checked cell by cell against RFC 8446 4.2 written
 * out again here; duplicates of known and unknown types, also at hostile counts; unknown
 * types per context; pre_shared_key placement; each extension body at its bounds; the
 * writers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <clasp/clasp.h>

#include "base/bytes.h"
#include "base/mem.h"
#include "msg/msg.h"
#include "msg_helpers.h"

static cl_reader rd(const uint8_t *p, size_t n)
{
    cl_reader r;
    cl_reader_init(&r, p, n);
    return r;
}

#define RD(arr) rd(arr, sizeof(arr))

static const char *const ctx_names[] = {"CH", "SH", "HRR", "EE", "CT", "CR", "NST", "SH12"};

/*
 * RFC 8446 4.2's table, RFC 8449 for record_size_limit; SH12 is what a TLS 1.2 server may
 * answer; the TLS 1.2-only extensions may appear in a ClientHello and a TLS 1.2 ServerHello.
 */
static const struct {
    uint16_t type;
    const char *where;
} expected[] = {
    {CL_EXT_SERVER_NAME, "CH EE SH12"},
    {CL_EXT_MAX_FRAGMENT_LENGTH, "CH EE SH12"},
    {CL_EXT_STATUS_REQUEST, "CH CR CT SH12"},
    {CL_EXT_SUPPORTED_GROUPS, "CH EE"},
    {CL_EXT_EC_POINT_FORMATS, "CH SH12"},
    {CL_EXT_SIGNATURE_ALGORITHMS, "CH CR"},
    {CL_EXT_USE_SRTP, "CH EE"},
    {CL_EXT_HEARTBEAT, "CH EE"},
    {CL_EXT_ALPN, "CH EE SH12"},
    {CL_EXT_SCT, "CH CR CT SH12"},
    {CL_EXT_CLIENT_CERT_TYPE, "CH EE"},
    {CL_EXT_SERVER_CERT_TYPE, "CH EE"},
    {CL_EXT_PADDING, "CH"},
    {CL_EXT_ENCRYPT_THEN_MAC, "CH SH12"},
    {CL_EXT_EXTENDED_MASTER_SECRET, "CH SH12"},
    {CL_EXT_RECORD_SIZE_LIMIT, "CH EE SH12"},
    {CL_EXT_SESSION_TICKET, "CH SH12"},
    {CL_EXT_PRE_SHARED_KEY, "CH SH"},
    {CL_EXT_EARLY_DATA, "CH EE NST"},
    {CL_EXT_SUPPORTED_VERSIONS, "CH SH HRR"},
    {CL_EXT_COOKIE, "CH HRR"},
    {CL_EXT_PSK_KEY_EXCHANGE_MODES, "CH"},
    {CL_EXT_CERTIFICATE_AUTHORITIES, "CH CR"},
    {CL_EXT_OID_FILTERS, "CR"},
    {CL_EXT_POST_HANDSHAKE_AUTH, "CH"},
    {CL_EXT_SIGNATURE_ALGORITHMS_CERT, "CH CR"},
    {CL_EXT_KEY_SHARE, "CH SH HRR"},
    {CL_EXT_RENEGOTIATION_INFO, "CH SH12"},
};

/* Whether the space-separated list holds the exact word. */
static int has_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, " ");
        if (len == n && memcmp(p, word, n) == 0)
            return 1;
        p += len;
        p += strspn(p, " ");
    }
    return 0;
}

/* Parses a block written from specs; the parsed views die with the block, before return. */
static int parse_specs(const ext_spec *e, size_t n, cl_ext_ctx ctx, cl_exts *out)
{
    cl_writer w;
    wr_init(&w);
    write_exts(&w, e, n);
    buf b = wr_take(&w);
    cl_reader r = rd(b.p, b.len);
    int rc = cl_exts_parse(&r, ctx, out);
    if (rc == 0)
        assert_int_equal(cl_reader_left(&r), 0);
    buf_free(&b);
    return rc;
}

/* ---- names ---- */

static void test_names(void **state)
{
    (void)state;
    int seen[CL_EXTI_COUNT] = {0};
    assert_int_equal(ARRAY_LEN(expected), CL_EXTI_COUNT);
    for (size_t i = 0; i < ARRAY_LEN(expected); i++) {
        int idx = cl_ext_index(expected[i].type);
        assert_in_range(idx, 0, CL_EXTI_COUNT - 1);
        assert_int_equal(seen[idx]++, 0);
        assert_non_null(cl_ext_name(expected[i].type));
    }
    assert_string_equal(cl_ext_name(CL_EXT_KEY_SHARE), "key_share");
    assert_string_equal(cl_ext_name(CL_EXT_ALPN), "application_layer_protocol_negotiation");
    assert_string_equal(cl_ext_name(CL_EXT_RENEGOTIATION_INFO), "renegotiation_info");
    assert_int_equal(cl_ext_index(0x7777), -1);
    assert_null(cl_ext_name(0x7777));
    assert_null(cl_ext_name(0x0a0a)); /* GREASE */
    static const struct {
        uint8_t type;
        const char *name;
    } hs[] = {
        {CL_HS_HELLO_REQUEST, "HelloRequest"},
        {CL_HS_CLIENT_HELLO, "ClientHello"},
        {CL_HS_SERVER_HELLO, "ServerHello"},
        {CL_HS_NEW_SESSION_TICKET, "NewSessionTicket"},
        {CL_HS_END_OF_EARLY_DATA, "EndOfEarlyData"},
        {CL_HS_ENCRYPTED_EXTENSIONS, "EncryptedExtensions"},
        {CL_HS_CERTIFICATE, "Certificate"},
        {CL_HS_SERVER_KEY_EXCHANGE, "ServerKeyExchange"},
        {CL_HS_CERTIFICATE_REQUEST, "CertificateRequest"},
        {CL_HS_SERVER_HELLO_DONE, "ServerHelloDone"},
        {CL_HS_CERTIFICATE_VERIFY, "CertificateVerify"},
        {CL_HS_CLIENT_KEY_EXCHANGE, "ClientKeyExchange"},
        {CL_HS_FINISHED, "Finished"},
        {CL_HS_KEY_UPDATE, "KeyUpdate"},
        {CL_HS_MESSAGE_HASH, "message_hash"},
        {3, "unknown"},
        {6, "unknown"},
        {255, "unknown"},
    };
    for (size_t i = 0; i < ARRAY_LEN(hs); i++)
        assert_string_equal(cl_hs_type_name(hs[i].type), hs[i].name);
}

/* ---- the context table ---- */

static void test_context_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(expected); i++) {
        for (int ctx = CL_CTX_CH; ctx <= CL_CTX_SH12; ctx++) {
            ext_spec e = {expected[i].type, NULL, 0};
            cl_exts out;
            int want = has_word(expected[i].where, ctx_names[ctx]);
            int rc = parse_specs(&e, 1, (cl_ext_ctx)ctx, &out);
            if (want && rc != 0)
                fail_msg("%s in %s: rc %d, want 0", cl_ext_name(e.type), ctx_names[ctx], rc);
            if (!want && rc != CLASP_ERR_ILLEGAL_PARAMETER)
                fail_msg("%s in %s: rc %d, want illegal_parameter", cl_ext_name(e.type),
                         ctx_names[ctx], rc);
            if (want) {
                int idx = cl_ext_index(e.type);
                assert_true(cl_exts_has(&out, (enum cl_ext_idx)idx));
                assert_int_equal(out.n_order, 1);
                assert_int_equal(out.order[0], e.type);
                assert_int_equal(out.n_total, 1);
            }
        }
    }
}

/* A TLS 1.2-only extension in each TLS 1.3 message other than ClientHello. */
static void test_tls12_only_in_tls13(void **state)
{
    (void)state;
    static const uint16_t only12[] = {CL_EXT_EC_POINT_FORMATS, CL_EXT_ENCRYPT_THEN_MAC,
                                      CL_EXT_EXTENDED_MASTER_SECRET, CL_EXT_SESSION_TICKET,
                                      CL_EXT_RENEGOTIATION_INFO};
    static const cl_ext_ctx tls13[] = {CL_CTX_SH, CL_CTX_HRR, CL_CTX_EE,
                                       CL_CTX_CT, CL_CTX_CR,  CL_CTX_NST};
    cl_exts out;
    for (size_t i = 0; i < ARRAY_LEN(only12); i++) {
        ext_spec e = {only12[i], NULL, 0};
        for (size_t c = 0; c < ARRAY_LEN(tls13); c++)
            assert_int_equal(parse_specs(&e, 1, tls13[c], &out), CLASP_ERR_ILLEGAL_PARAMETER);
        assert_int_equal(parse_specs(&e, 1, CL_CTX_CH, &out), 0);
        assert_int_equal(parse_specs(&e, 1, CL_CTX_SH12, &out), 0);
    }
}

/* ---- unknown extensions ---- */

static void test_unknown(void **state)
{
    (void)state;
    static const uint8_t data[] = {1, 2, 3};
    ext_spec e[] = {{0x7777, data, sizeof(data)}, {CL_EXT_SIGNATURE_ALGORITHMS, NULL, 0}};
    cl_exts out;
    /* Requests and tickets: ignored (RFC 8446 4.2, 4.3.2, 4.6.1). */
    static const cl_ext_ctx ignored[] = {CL_CTX_CH, CL_CTX_CR};
    for (size_t i = 0; i < ARRAY_LEN(ignored); i++) {
        assert_int_equal(parse_specs(e, 2, ignored[i], &out), 0);
        assert_int_equal(out.n_total, 2);
        assert_int_equal(out.n_order, 1);
        assert_int_equal(out.present, 1u << cl_ext_index(CL_EXT_SIGNATURE_ALGORITHMS));
    }
    assert_int_equal(parse_specs(e, 1, CL_CTX_NST, &out), 0);
    assert_int_equal(out.n_total, 1);
    assert_int_equal(out.present, 0);
    /* Responses: we never offered it. */
    static const cl_ext_ctx refused[] = {CL_CTX_SH, CL_CTX_HRR, CL_CTX_EE, CL_CTX_CT, CL_CTX_SH12};
    for (size_t i = 0; i < ARRAY_LEN(refused); i++)
        assert_int_equal(parse_specs(e, 1, refused[i], &out), CLASP_ERR_UNSUPPORTED_EXTENSION);
}

/* ---- duplicates ---- */

static void test_duplicates(void **state)
{
    (void)state;
    cl_exts out;
    ext_spec known[] = {{CL_EXT_SUPPORTED_GROUPS, NULL, 0},
                        {CL_EXT_SERVER_NAME, NULL, 0},
                        {CL_EXT_SUPPORTED_GROUPS, NULL, 0}};
    assert_int_equal(parse_specs(known, 3, CL_CTX_CH, &out), CLASP_ERR_ILLEGAL_PARAMETER);
    assert_int_equal(parse_specs(known, 3, CL_CTX_EE, &out), CLASP_ERR_ILLEGAL_PARAMETER);
    assert_int_equal(parse_specs(known, 2, CL_CTX_EE, &out), 0);

    ext_spec unknown[] = {{0x1234, NULL, 0}, {0x0a0a, NULL, 0}, {0x1234, NULL, 0}};
    static const cl_ext_ctx ignoring[] = {CL_CTX_CH, CL_CTX_CR, CL_CTX_NST};
    for (size_t i = 0; i < ARRAY_LEN(ignoring); i++) {
        assert_int_equal(parse_specs(unknown, 3, ignoring[i], &out), CLASP_ERR_ILLEGAL_PARAMETER);
        assert_int_equal(parse_specs(unknown, 2, ignoring[i], &out), 0);
    }
}

/* Past the short array, the set becomes a bitmap: duplicates are still found either way. */
static void test_duplicates_many(void **state)
{
    (void)state;
    cl_exts out;
    ext_spec e[41];
    for (size_t i = 0; i < 40; i++)
        e[i] = (ext_spec){(uint16_t)(0x1000 + i), NULL, 0};
    assert_int_equal(parse_specs(e, 40, CL_CTX_CH, &out), 0);
    assert_int_equal(out.n_total, 40);
    e[40] = (ext_spec){0x1003, NULL, 0}; /* seen in the short-array phase */
    assert_int_equal(parse_specs(e, 41, CL_CTX_CH, &out), CLASP_ERR_ILLEGAL_PARAMETER);
    e[40] = (ext_spec){0x1020, NULL, 0}; /* seen in the bitmap phase */
    assert_int_equal(parse_specs(e, 41, CL_CTX_CH, &out), CLASP_ERR_ILLEGAL_PARAMETER);
}

/* The most a 64 KiB block can hold: 16383 empty extensions, linear time. */
static void test_hostile_block(void **state)
{
    (void)state;
    enum { N = 16383 };
    cl_writer w;
    cl_exts out;
    wr_init(&w);
    for (uint16_t i = 0; i < N; i++) {
        assert_int_equal(cl_ext_open(&w, (uint16_t)(0x100 + i)), 0);
        assert_int_equal(cl_ext_close(&w), 0);
    }
    buf b = wr_take(&w);
    assert_int_equal(b.len, 4 * N);
    cl_reader r = rd(b.p, b.len);
    assert_int_equal(cl_exts_parse(&r, CL_CTX_CH, &out), 0);
    assert_int_equal(out.n_total, N);
    r = rd(b.p, b.len);
    assert_int_equal(cl_exts_parse(&r, CL_CTX_SH, &out), CLASP_ERR_UNSUPPORTED_EXTENSION);
    /* the last one repeats the first */
    b.p[b.len - 4] = 0x01;
    b.p[b.len - 3] = 0x00;
    r = rd(b.p, b.len);
    assert_int_equal(cl_exts_parse(&r, CL_CTX_CH, &out), CLASP_ERR_ILLEGAL_PARAMETER);
    buf_free(&b);
}

static void *failing_alloc(void *ctx, size_t n)
{
    (void)ctx;
    (void)n;
    return NULL;
}

static void plain_free(void *ctx, void *p, size_t n)
{
    (void)ctx;
    (void)n;
    free(p);
}

/* Out of memory for the bitmap: CLASP_ERR_NOMEM, nothing leaks. */
static void test_duplicates_nomem(void **state)
{
    (void)state;
    ext_spec e[20];
    cl_exts out;
    for (size_t i = 0; i < 20; i++)
        e[i] = (ext_spec){(uint16_t)(0x1000 + i), NULL, 0};
    uint8_t block[20 * 4];
    for (size_t i = 0; i < 20; i++) {
        block[4 * i] = 0x10;
        block[4 * i + 1] = (uint8_t)i;
        block[4 * i + 2] = block[4 * i + 3] = 0;
    }
    clasp_allocator a = {failing_alloc, plain_free, NULL};
    clasp_set_allocator(&a);
    cl_reader r = RD(block);
    int rc = cl_exts_parse(&r, CL_CTX_CH, &out);
    clasp_set_allocator(NULL);
    assert_int_equal(rc, CLASP_ERR_NOMEM);
    assert_int_equal(parse_specs(e, 20, CL_CTX_CH, &out), 0);
}

/* ---- pre_shared_key placement ---- */

static void test_psk_last(void **state)
{
    (void)state;
    cl_exts out;
    ext_spec e[] = {{CL_EXT_SUPPORTED_GROUPS, NULL, 0},
                    {CL_EXT_PRE_SHARED_KEY, NULL, 0},
                    {CL_EXT_KEY_SHARE, NULL, 0}};
    /* RFC 8446 4.2.11: last in a ClientHello, illegal_parameter otherwise. */
    assert_int_equal(parse_specs(e, 3, CL_CTX_CH, &out), CLASP_ERR_ILLEGAL_PARAMETER);
    assert_int_equal(parse_specs(e, 2, CL_CTX_CH, &out), 0);
    assert_int_equal(out.order[1], CL_EXT_PRE_SHARED_KEY);
    /* an unknown extension after it counts too */
    ext_spec u[] = {{CL_EXT_PRE_SHARED_KEY, NULL, 0}, {0x0a0a, NULL, 0}};
    assert_int_equal(parse_specs(u, 2, CL_CTX_CH, &out), CLASP_ERR_ILLEGAL_PARAMETER);
    /* "but can appear anywhere in the ServerHello extensions block" */
    ext_spec sh[] = {{CL_EXT_PRE_SHARED_KEY, NULL, 0}, {CL_EXT_KEY_SHARE, NULL, 0}};
    assert_int_equal(parse_specs(sh, 2, CL_CTX_SH, &out), 0);
}

/* ---- block framing ---- */

static void test_block_decode(void **state)
{
    (void)state;
    cl_exts out;
    static const uint8_t one_byte[] = {0x00};
    static const uint8_t three[] = {0x00, 0x0a, 0x00};
    static const uint8_t short_data[] = {0x00, 0x0a, 0x00, 0x02, 0x00};
    static const uint8_t tail[] = {0x00, 0x0a, 0x00, 0x00, 0x00};
    static const uint8_t ok[] = {0x00, 0x0a, 0x00, 0x02, 0x00, 0x1d};
    cl_reader r = RD(one_byte);
    assert_int_equal(cl_exts_parse(&r, CL_CTX_EE, &out), CLASP_ERR_DECODE);
    r = RD(three);
    assert_int_equal(cl_exts_parse(&r, CL_CTX_EE, &out), CLASP_ERR_DECODE);
    r = RD(short_data);
    assert_int_equal(cl_exts_parse(&r, CL_CTX_EE, &out), CLASP_ERR_DECODE);
    r = RD(tail);
    assert_int_equal(cl_exts_parse(&r, CL_CTX_EE, &out), CLASP_ERR_DECODE);
    r = RD(ok);
    assert_int_equal(cl_exts_parse(&r, CL_CTX_EE, &out), 0);
    r = rd(NULL, 0);
    assert_int_equal(cl_exts_parse(&r, CL_CTX_EE, &out), 0);
    assert_int_equal(out.n_total, 0);
    r = RD(ok);
    assert_int_equal(cl_exts_parse(&r, (cl_ext_ctx)8, &out), CLASP_ERR_INVALID_ARG);
}

static void test_has_get(void **state)
{
    (void)state;
    static const uint8_t data[] = {0x00, 0x02, 0x00, 0x1d};
    ext_spec e[] = {{CL_EXT_SUPPORTED_GROUPS, data, sizeof(data)}, {CL_EXT_SERVER_NAME, NULL, 0}};
    cl_exts out;
    cl_writer w;
    wr_init(&w);
    write_exts(&w, e, 2);
    buf b = wr_take(&w);
    cl_reader block = rd(b.p, b.len);
    assert_int_equal(cl_exts_parse(&block, CL_CTX_EE, &out), 0);
    assert_true(cl_exts_has(&out, CL_EXTI_SUPPORTED_GROUPS));
    assert_true(cl_exts_has(&out, CL_EXTI_SERVER_NAME));
    assert_false(cl_exts_has(&out, CL_EXTI_KEY_SHARE));
    assert_false(cl_exts_has(&out, CL_EXTI_COUNT));
    assert_int_equal(out.order[0], CL_EXT_SUPPORTED_GROUPS);
    assert_int_equal(out.order[1], CL_EXT_SERVER_NAME);
    /* each get is a fresh reader */
    cl_reader g = cl_exts_get(&out, CL_EXTI_SUPPORTED_GROUPS), list;
    assert_int_equal(cl_ext_u16_list(&g, 2, 0xfffe, &list), 0);
    assert_int_equal(cl_read_end(&g), 0);
    g = cl_exts_get(&out, CL_EXTI_SUPPORTED_GROUPS);
    assert_int_equal(cl_reader_left(&g), 4);
    g = cl_exts_get(&out, CL_EXTI_KEY_SHARE);
    assert_int_equal(cl_reader_left(&g), 0);
    assert_int_equal(cl_ext_empty(cl_exts_get(&out, CL_EXTI_SERVER_NAME)), 0);
    buf_free(&b);
}

/* ---- writers ---- */

static void test_writers(void **state)
{
    (void)state;
    static const uint8_t want[] = {0x08, 0x00, 0x00, 0x10, 0x00, 0x0e, 0x00, 0x0a, 0x00, 0x06,
                                   0x00, 0x04, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x00, 0x00, 0x00};
    static const uint16_t groups[] = {0x001d, 0x0017};
    uint8_t b[64];
    cl_writer w;
    cl_writer_fixed(&w, b, sizeof(b));
    assert_int_equal(cl_msg_open(&w, CL_HS_ENCRYPTED_EXTENSIONS), 0);
    assert_int_equal(cl_exts_open(&w), 0);
    assert_int_equal(cl_ext_write_u16_list(&w, CL_EXT_SUPPORTED_GROUPS, groups, 2), 0);
    assert_int_equal(cl_ext_open(&w, CL_EXT_SERVER_NAME), 0);
    assert_int_equal(cl_ext_close(&w), 0);
    assert_int_equal(cl_exts_close(&w), 0);
    assert_int_equal(cl_msg_close(&w), 0);
    assert_int_equal(cl_writer_finish(&w), 0);
    assert_int_equal(w.len, sizeof(want));
    assert_memory_equal(b, want, sizeof(want));

    cl_exts out;
    assert_int_equal(cl_encrypted_extensions_parse(b + 4, w.len - 4, &out), 0);
    assert_int_equal(out.n_total, 2);

    /* too small: the first failure sticks */
    cl_writer_fixed(&w, b, 3);
    assert_int_equal(cl_msg_open(&w, CL_HS_FINISHED), CLASP_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(cl_msg_close(&w), CLASP_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(cl_writer_finish(&w), CLASP_ERR_BUFFER_TOO_SMALL);
    /* an unclosed message is not finished */
    cl_writer_fixed(&w, b, sizeof(b));
    assert_int_equal(cl_msg_open(&w, CL_HS_FINISHED), 0);
    assert_int_equal(cl_writer_finish(&w), CLASP_ERR_STATE);
}

/* ---- extension bodies ---- */

static void test_u16_list(void **state)
{
    (void)state;
    static const uint8_t ok[] = {0x00, 0x04, 0x00, 0x1d, 0x00, 0x17};
    static const uint8_t odd[] = {0x00, 0x03, 0x00, 0x1d, 0x00};
    static const uint8_t empty[] = {0x00, 0x00};
    cl_reader r = RD(ok), list;
    uint16_t v;
    assert_int_equal(cl_ext_u16_list(&r, 2, 0xfffe, &list), 0);
    assert_int_equal(cl_read_end(&r), 0);
    assert_int_equal(cl_read_u16(&list, &v), 0);
    assert_int_equal(v, 0x001d);
    assert_int_equal(cl_read_u16(&list, &v), 0);
    assert_int_equal(v, 0x0017);
    assert_int_equal(cl_read_end(&list), 0);
    /* odd: decode_error, and the reader does not move */
    r = RD(odd);
    assert_int_equal(cl_ext_u16_list(&r, 2, 0xfffe, &list), CLASP_ERR_DECODE);
    assert_int_equal(cl_reader_left(&r), sizeof(odd));
    /* min - 1 and max + 1 */
    r = RD(empty);
    assert_int_equal(cl_ext_u16_list(&r, 2, 0xfffe, &list), CLASP_ERR_DECODE);
    r = RD(empty);
    assert_int_equal(cl_ext_u16_list(&r, 0, 0xfffe, &list), 0);
    r = RD(ok);
    assert_int_equal(cl_ext_u16_list(&r, 6, 0xfffe, &list), CLASP_ERR_DECODE);
    r = RD(ok);
    assert_int_equal(cl_ext_u16_list(&r, 2, 2, &list), CLASP_ERR_DECODE);
    r = RD(ok);
    assert_int_equal(cl_ext_u16_list(&r, 4, 4, &list), 0);
}

static void test_supported_versions(void **state)
{
    (void)state;
    static const uint8_t ch1[] = {0x02, 0x03, 0x04};
    static const uint8_t ch2[] = {0x04, 0x03, 0x04, 0x03, 0x03};
    static const uint8_t ch_empty[] = {0x00};
    static const uint8_t ch_one[] = {0x01, 0x03};
    static const uint8_t ch_odd[] = {0x03, 0x03, 0x04, 0x03};
    static const uint8_t ch_tail[] = {0x02, 0x03, 0x04, 0x00};
    cl_reader v;
    uint16_t ver;
    assert_int_equal(cl_ext_supported_versions_ch(RD(ch1), &v), 0);
    assert_int_equal(cl_reader_left(&v), 2);
    assert_int_equal(cl_ext_supported_versions_ch(RD(ch2), &v), 0);
    assert_int_equal(cl_read_u16(&v, &ver), 0);
    assert_int_equal(ver, 0x0304);
    assert_int_equal(cl_ext_supported_versions_ch(RD(ch_empty), &v), CLASP_ERR_DECODE);
    assert_int_equal(cl_ext_supported_versions_ch(RD(ch_one), &v), CLASP_ERR_DECODE);
    assert_int_equal(cl_ext_supported_versions_ch(RD(ch_odd), &v), CLASP_ERR_DECODE);
    assert_int_equal(cl_ext_supported_versions_ch(RD(ch_tail), &v), CLASP_ERR_DECODE);
    /* versions<2..254>: 254 fits, 255 does not */
    uint8_t big[256] = {0};
    big[0] = 254;
    assert_int_equal(cl_ext_supported_versions_ch(rd(big, 255), &v), 0);
    big[0] = 255;
    assert_int_equal(cl_ext_supported_versions_ch(rd(big, 256), &v), CLASP_ERR_DECODE);

    static const uint8_t sh[] = {0x03, 0x04};
    assert_int_equal(cl_ext_supported_versions_sh(RD(sh), &ver), 0);
    assert_int_equal(ver, 0x0304);
    assert_int_equal(cl_ext_supported_versions_sh(rd(sh, 1), &ver), CLASP_ERR_DECODE);
    assert_int_equal(cl_ext_supported_versions_sh(RD(ch_tail), &ver), CLASP_ERR_DECODE);
}

/* Writes a client key_share with the given groups, each with a key of key_len bytes. */
static buf key_shares(const uint16_t *groups, size_t n, size_t key_len)
{
    cl_writer w;
    wr_init(&w);
    assert_int_equal(cl_write_open(&w, 2), 0);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(cl_write_u16(&w, groups[i]), 0);
        assert_int_equal(cl_write_open(&w, 2), 0);
        for (size_t k = 0; k < key_len; k++)
            assert_int_equal(cl_write_u8(&w, (uint8_t)(i + k)), 0);
        assert_int_equal(cl_write_close(&w), 0);
    }
    assert_int_equal(cl_write_close(&w), 0);
    return wr_take(&w);
}

static void test_key_share_ch(void **state)
{
    (void)state;
    static const uint16_t two[] = {0x001d, 0x0017};
    cl_reader shares;
    cl_key_share_entry e;
    buf b = key_shares(two, 2, 32);
    assert_int_equal(cl_ext_key_share_ch(rd(b.p, b.len), &shares), 0);
    assert_int_equal(cl_ext_key_share_next(&shares, &e), 0);
    assert_int_equal(e.group, 0x001d);
    assert_int_equal(e.key_len, 32);
    assert_int_equal(e.key[0], 0);
    assert_int_equal(cl_ext_key_share_next(&shares, &e), 0);
    assert_int_equal(e.group, 0x0017);
    assert_int_equal(e.key[0], 1);
    assert_int_equal(cl_reader_left(&shares), 0);
    assert_int_equal(cl_ext_key_share_next(&shares, &e), CLASP_ERR_DECODE);
    /* one trailing byte */
    assert_int_equal(cl_ext_key_share_ch(rd(b.p, b.len - 1), &shares), CLASP_ERR_DECODE);
    buf_free(&b);

    /* client_shares<0..2^16-1>: empty asks for a HelloRetryRequest */
    b = key_shares(two, 0, 1);
    assert_int_equal(cl_ext_key_share_ch(rd(b.p, b.len), &shares), 0);
    buf_free(&b);
    /* key_exchange<1..2^16-1> */
    b = key_shares(two, 1, 0);
    assert_int_equal(cl_ext_key_share_ch(rd(b.p, b.len), &shares), CLASP_ERR_DECODE);
    buf_free(&b);
    /* a group twice */
    static const uint16_t dup[] = {0x001d, 0x0017, 0x001d};
    b = key_shares(dup, 3, 1);
    assert_int_equal(cl_ext_key_share_ch(rd(b.p, b.len), &shares), CLASP_ERR_ILLEGAL_PARAMETER);
    buf_free(&b);
}

/* The most entries that fit (13107 of 5 bytes): distinct is fine, a repeat is found. */
static void test_key_share_many(void **state)
{
    (void)state;
    enum { N = 13107 };
    uint16_t *groups = malloc(N * sizeof(*groups));
    assert_non_null(groups);
    for (size_t i = 0; i < N; i++)
        groups[i] = (uint16_t)(i * 5);
    cl_reader shares;
    buf b = key_shares(groups, N, 1);
    assert_int_equal(b.len, 2 + 5 * N);
    assert_int_equal(cl_ext_key_share_ch(rd(b.p, b.len), &shares), 0);
    buf_free(&b);
    groups[N - 1] = groups[N / 2];
    b = key_shares(groups, N, 1);
    assert_int_equal(cl_ext_key_share_ch(rd(b.p, b.len), &shares), CLASP_ERR_ILLEGAL_PARAMETER);
    buf_free(&b);
    free(groups);
}

static void test_key_share_sh_hrr(void **state)
{
    (void)state;
    static const uint8_t sh[] = {0x00, 0x1d, 0x00, 0x02, 0xab, 0xcd};
    static const uint8_t sh_tail[] = {0x00, 0x1d, 0x00, 0x02, 0xab, 0xcd, 0x00};
    static const uint8_t sh_empty[] = {0x00, 0x1d, 0x00, 0x00};
    static const uint8_t hrr[] = {0x00, 0x17};
    static const uint8_t hrr_tail[] = {0x00, 0x17, 0x00};
    cl_key_share_entry e;
    uint16_t g;
    assert_int_equal(cl_ext_key_share_sh(RD(sh), &e), 0);
    assert_int_equal(e.group, 0x001d);
    assert_int_equal(e.key_len, 2);
    assert_int_equal(e.key[1], 0xcd);
    assert_int_equal(cl_ext_key_share_sh(RD(sh_tail), &e), CLASP_ERR_DECODE);
    assert_int_equal(cl_ext_key_share_sh(RD(sh_empty), &e), CLASP_ERR_DECODE);
    assert_int_equal(cl_ext_key_share_sh(rd(sh, 5), &e), CLASP_ERR_DECODE);
    assert_int_equal(cl_ext_key_share_hrr(RD(hrr), &g), 0);
    assert_int_equal(g, 0x0017);
    assert_int_equal(cl_ext_key_share_hrr(RD(hrr_tail), &g), CLASP_ERR_DECODE);
    assert_int_equal(cl_ext_key_share_hrr(rd(hrr, 1), &g), CLASP_ERR_DECODE);
}

/* server_name with the given (type, name) entries. */
static buf server_names(const uint8_t *types, const char *const *names, size_t n)
{
    cl_writer w;
    wr_init(&w);
    assert_int_equal(cl_write_open(&w, 2), 0);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(cl_write_u8(&w, types[i]), 0);
        assert_int_equal(cl_write_vec(&w, 2, (const uint8_t *)names[i], strlen(names[i])), 0);
    }
    assert_int_equal(cl_write_close(&w), 0);
    return wr_take(&w);
}

static int sni(const char *name, const uint8_t **out, size_t *out_len)
{
    uint8_t t = 0;
    buf b = server_names(&t, &name, 1);
    int rc = cl_ext_server_name_ch(rd(b.p, b.len), out, out_len);
    buf_free(&b);
    return rc;
}

static void test_server_name(void **state)
{
    (void)state;
    const uint8_t *name;
    size_t len;
    static const uint8_t types[] = {5, 0, 7};
    static const char *const names[] = {"xyz", "server", ""};
    buf b = server_names(types, names, 3);
    assert_int_equal(cl_ext_server_name_ch(rd(b.p, b.len), &name, &len), 0);
    assert_int_equal(len, 6);
    assert_memory_equal(name, "server", 6);
    /* one trailing byte */
    assert_int_equal(cl_ext_server_name_ch(rd(b.p, b.len - 1), &name, &len), CLASP_ERR_DECODE);
    buf_free(&b);
    /* no host_name at all */
    b = server_names(types, names, 1);
    assert_int_equal(cl_ext_server_name_ch(rd(b.p, b.len), &name, &len), 0);
    assert_null(name);
    assert_int_equal(len, 0);
    buf_free(&b);
    /* server_name_list<1..2^16-1> */
    b = server_names(types, names, 0);
    assert_int_equal(cl_ext_server_name_ch(rd(b.p, b.len), &name, &len), CLASP_ERR_DECODE);
    buf_free(&b);
    /* two names of one type: host_name, or another */
    static const uint8_t two_host[] = {0, 0};
    static const char *const two_names[] = {"a.example", "b.example"};
    b = server_names(two_host, two_names, 2);
    assert_int_equal(cl_ext_server_name_ch(rd(b.p, b.len), &name, &len),
                     CLASP_ERR_ILLEGAL_PARAMETER);
    buf_free(&b);
    static const uint8_t two_other[] = {9, 9};
    b = server_names(two_other, two_names, 2);
    assert_int_equal(cl_ext_server_name_ch(rd(b.p, b.len), &name, &len),
                     CLASP_ERR_ILLEGAL_PARAMETER);
    buf_free(&b);
}

static void test_server_name_chars(void **state)
{
    (void)state;
    const uint8_t *name;
    size_t len;
    char s[300];
    static const char *const good[] = {"a",         "server.test", "xn--bcher-kva.example",
                                       "A-1.B_2.c", "127.0.0.1",   "EXAMPLE.COM"};
    for (size_t i = 0; i < ARRAY_LEN(good); i++) {
        assert_int_equal(sni(good[i], &name, &len), 0);
        assert_int_equal(len, strlen(good[i]));
    }
    assert_int_equal(sni("", &name, &len), CLASP_ERR_DECODE); /* HostName<1..2^16-1> */
    /* RFC 6066 3: a DNS name, in ASCII, without a trailing dot */
    static const char *const bad_names[] = {
        "server.test.", ".server.test", "server..test", ".",    "a b", "a/b",
        "a:b",          "*.a",          "[::1]",        "a\\b", "!~"};
    for (size_t i = 0; i < ARRAY_LEN(bad_names); i++)
        assert_int_equal(sni(bad_names[i], &name, &len), CLASP_ERR_ILLEGAL_PARAMETER);
    /* bytes outside the set, NUL (a trailing one too) and non-ASCII included */
    static const uint8_t bad[] = {0x00, 0x09, 0x0a, 0x20, 0x7f, 0x80, 0xc3, 0xff};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++)
        for (size_t at = 5; at <= 10; at += 5) { /* the name's first and last byte */
            uint8_t raw[] = {0x00, 0x09, 0x00, 0x00, 0x06, 's', 'e', 'r', 'v', 'e', 'r'};
            raw[at] = bad[i];
            assert_int_equal(cl_ext_server_name_ch(RD(raw), &name, &len),
                             CLASP_ERR_ILLEGAL_PARAMETER);
        }
    /* labels of at most 63 bytes */
    memset(s, 'a', sizeof(s));
    s[63] = 0;
    assert_int_equal(sni(s, &name, &len), 0);
    s[63] = 'a';
    s[64] = 0;
    assert_int_equal(sni(s, &name, &len), CLASP_ERR_ILLEGAL_PARAMETER);
    /* names of at most 255 bytes: four labels of 63, 62 and dots */
    memset(s, 'a', sizeof(s));
    for (size_t at = 63; at < 255; at += 64)
        s[at] = '.';
    s[255] = 0;
    assert_int_equal(sni(s, &name, &len), 0);
    assert_int_equal(len, 255);
    s[255] = 'a';
    s[256] = 0;
    assert_int_equal(sni(s, &name, &len), CLASP_ERR_ILLEGAL_PARAMETER);
}

static void test_alpn(void **state)
{
    (void)state;
    static const uint8_t list[] = {0x00, 0x0c, 0x02, 'h', '2', 0x08, 'h',
                                   't',  't',  'p',  '/', '1', '.',  '1'};
    static const uint8_t one[] = {0x00, 0x03, 0x02, 'h', '2'};
    static const uint8_t empty_name[] = {0x00, 0x04, 0x00, 0x02, 'h', '2'};
    static const uint8_t empty_list[] = {0x00, 0x00};
    static const uint8_t short_list[] = {0x00, 0x01, 0x00};
    static const uint8_t tail[] = {0x00, 0x03, 0x02, 'h', '2', 0x00};
    cl_reader names;
    const uint8_t *name;
    size_t len;
    assert_int_equal(cl_ext_alpn_list(RD(list), &names), 0);
    assert_int_equal(cl_ext_alpn_next(&names, &name, &len), 0);
    assert_int_equal(len, 2);
    assert_memory_equal(name, "h2", 2);
    assert_int_equal(cl_ext_alpn_next(&names, &name, &len), 0);
    assert_int_equal(len, 8);
    assert_memory_equal(name, "http/1.1", 8);
    assert_int_equal(cl_reader_left(&names), 0);
    assert_int_equal(cl_ext_alpn_list(RD(empty_name), &names), CLASP_ERR_DECODE);
    assert_int_equal(cl_ext_alpn_list(RD(empty_list), &names), CLASP_ERR_DECODE);
    assert_int_equal(cl_ext_alpn_list(RD(short_list), &names), CLASP_ERR_DECODE);
    assert_int_equal(cl_ext_alpn_list(RD(tail), &names), CLASP_ERR_DECODE);

    assert_int_equal(cl_ext_alpn_single(RD(one), &name, &len), 0);
    assert_int_equal(len, 2);
    assert_memory_equal(name, "h2", 2);
    assert_int_equal(cl_ext_alpn_single(RD(list), &name, &len), CLASP_ERR_DECODE);
    assert_int_equal(cl_ext_alpn_single(RD(empty_name), &name, &len), CLASP_ERR_DECODE);
    assert_int_equal(cl_ext_alpn_single(RD(tail), &name, &len), CLASP_ERR_DECODE);
}

static void test_cookie_rsl_modes_empty(void **state)
{
    (void)state;
    static const uint8_t cookie0[] = {0x00, 0x00};
    static const uint8_t cookie1[] = {0x00, 0x01, 0xaa};
    static const uint8_t cookie_tail[] = {0x00, 0x01, 0xaa, 0xbb};
    const uint8_t *c;
    size_t len;
    assert_int_equal(cl_ext_cookie(RD(cookie0), &c, &len), CLASP_ERR_DECODE);
    assert_int_equal(cl_ext_cookie(RD(cookie1), &c, &len), 0);
    assert_int_equal(len, 1);
    assert_int_equal(c[0], 0xaa);
    assert_int_equal(cl_ext_cookie(RD(cookie_tail), &c, &len), CLASP_ERR_DECODE);

    static const uint8_t rsl63[] = {0x00, 0x3f}, rsl64[] = {0x00, 0x40};
    static const uint8_t rsl_max[] = {0x40, 0x01}, rsl_tail[] = {0x00, 0x40, 0x00};
    uint16_t limit;
    assert_int_equal(cl_ext_record_size_limit(RD(rsl63), &limit), CLASP_ERR_ILLEGAL_PARAMETER);
    assert_int_equal(cl_ext_record_size_limit(RD(rsl64), &limit), 0);
    assert_int_equal(limit, 64);
    assert_int_equal(cl_ext_record_size_limit(RD(rsl_max), &limit), 0);
    assert_int_equal(limit, 0x4001);
    assert_int_equal(cl_ext_record_size_limit(rd(rsl64, 1), &limit), CLASP_ERR_DECODE);
    assert_int_equal(cl_ext_record_size_limit(RD(rsl_tail), &limit), CLASP_ERR_DECODE);

    static const uint8_t modes0[] = {0x00}, modes1[] = {0x01, 0x01};
    static const uint8_t modes_tail[] = {0x01, 0x01, 0x00};
    uint8_t modes255[256];
    memset(modes255, 1, sizeof(modes255));
    modes255[0] = 255;
    cl_reader m;
    assert_int_equal(cl_ext_psk_modes(RD(modes0), &m), CLASP_ERR_DECODE);
    assert_int_equal(cl_ext_psk_modes(RD(modes1), &m), 0);
    assert_int_equal(cl_reader_left(&m), 1);
    assert_int_equal(cl_ext_psk_modes(RD(modes_tail), &m), CLASP_ERR_DECODE);
    assert_int_equal(cl_ext_psk_modes(RD(modes255), &m), 0);
    assert_int_equal(cl_reader_left(&m), 255);

    static const uint8_t one[] = {0x00};
    assert_int_equal(cl_ext_empty(rd(NULL, 0)), 0);
    assert_int_equal(cl_ext_empty(RD(one)), CLASP_ERR_DECODE);
}

static void test_certificate_authorities(void **state)
{
    (void)state;
    static const uint8_t two[] = {0x00, 0x08, 0x00, 0x02, 0xaa, 0xbb, 0x00, 0x02, 0xcc, 0xdd};
    static const uint8_t one3[] = {0x00, 0x03, 0x00, 0x01, 0xaa};
    static const uint8_t short2[] = {0x00, 0x02, 0x00, 0x00};
    static const uint8_t empty_dn[] = {0x00, 0x05, 0x00, 0x00, 0x00, 0x01, 0xaa};
    static const uint8_t tail[] = {0x00, 0x03, 0x00, 0x01, 0xaa, 0x00};
    static const uint8_t ragged[] = {0x00, 0x04, 0x00, 0x03, 0xaa, 0xbb};
    cl_reader names;
    const uint8_t *dn;
    size_t len;
    assert_int_equal(cl_ext_certificate_authorities(RD(two), &names), 0);
    assert_int_equal(cl_ext_certificate_authorities_next(&names, &dn, &len), 0);
    assert_int_equal(len, 2);
    assert_int_equal(dn[0], 0xaa);
    assert_int_equal(cl_ext_certificate_authorities_next(&names, &dn, &len), 0);
    assert_int_equal(dn[1], 0xdd);
    assert_int_equal(cl_reader_left(&names), 0);
    assert_int_equal(cl_ext_certificate_authorities(RD(one3), &names), 0);
    assert_int_equal(cl_ext_certificate_authorities(RD(short2), &names), CLASP_ERR_DECODE);
    assert_int_equal(cl_ext_certificate_authorities(RD(empty_dn), &names), CLASP_ERR_DECODE);
    assert_int_equal(cl_ext_certificate_authorities(RD(tail), &names), CLASP_ERR_DECODE);
    assert_int_equal(cl_ext_certificate_authorities(RD(ragged), &names), CLASP_ERR_DECODE);
}

/* OfferedPsks with n identities (of id_len bytes) and m binders (of binder_len bytes). */
static buf offered_psks(size_t n, size_t id_len, size_t m, size_t binder_len)
{
    cl_writer w;
    wr_init(&w);
    assert_int_equal(cl_write_open(&w, 2), 0);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(cl_write_open(&w, 2), 0);
        assert_int_equal(cl_write_zeros(&w, id_len), 0);
        assert_int_equal(cl_write_close(&w), 0);
        assert_int_equal(cl_write_u32(&w, 0x01020304u + (uint32_t)i), 0);
    }
    assert_int_equal(cl_write_close(&w), 0);
    assert_int_equal(cl_write_open(&w, 2), 0);
    for (size_t i = 0; i < m; i++) {
        assert_int_equal(cl_write_open(&w, 1), 0);
        for (size_t k = 0; k < binder_len; k++)
            assert_int_equal(cl_write_u8(&w, (uint8_t)(0x40 + i)), 0);
        assert_int_equal(cl_write_close(&w), 0);
    }
    assert_int_equal(cl_write_close(&w), 0);
    return wr_take(&w);
}

static int psk_ch(size_t n, size_t id_len, size_t m, size_t binder_len)
{
    cl_reader ids, binders;
    buf b = offered_psks(n, id_len, m, binder_len);
    int rc = cl_ext_pre_shared_key_ch(rd(b.p, b.len), &ids, &binders);
    buf_free(&b);
    return rc;
}

static void test_pre_shared_key(void **state)
{
    (void)state;
    cl_reader ids, binders;
    const uint8_t *p;
    size_t len;
    uint32_t age;
    buf b = offered_psks(2, 5, 2, 48);
    assert_int_equal(cl_ext_pre_shared_key_ch(rd(b.p, b.len), &ids, &binders), 0);
    assert_int_equal(cl_ext_psk_identity_next(&ids, &p, &len, &age), 0);
    assert_int_equal(len, 5);
    assert_int_equal(age, 0x01020304);
    assert_int_equal(cl_ext_psk_identity_next(&ids, &p, &len, &age), 0);
    assert_int_equal(age, 0x01020305);
    assert_int_equal(cl_ext_psk_identity_next(&ids, &p, &len, &age), CLASP_ERR_DECODE);
    assert_int_equal(cl_ext_psk_binder_next(&binders, &p, &len), 0);
    assert_int_equal(len, 48);
    assert_int_equal(p[0], 0x40);
    assert_int_equal(cl_ext_psk_binder_next(&binders, &p, &len), 0);
    assert_int_equal(p[47], 0x41);
    assert_int_equal(cl_reader_left(&binders), 0);
    assert_int_equal(cl_ext_pre_shared_key_ch(rd(b.p, b.len - 1), &ids, &binders),
                     CLASP_ERR_DECODE);
    buf_free(&b);
    assert_int_equal(psk_ch(1, 1, 1, 32), 0);                /* the smallest offer */
    assert_int_equal(psk_ch(1, 0, 1, 32), CLASP_ERR_DECODE); /* identity<1..>, identities<7..> */
    assert_int_equal(psk_ch(0, 0, 1, 32), CLASP_ERR_DECODE);
    assert_int_equal(psk_ch(1, 1, 1, 31), CLASP_ERR_DECODE); /* binders<33..> */
    assert_int_equal(psk_ch(1, 1, 0, 32), CLASP_ERR_DECODE);
    assert_int_equal(psk_ch(2, 1, 2, 31), CLASP_ERR_DECODE); /* PskBinderEntry<32..255> */
    assert_int_equal(psk_ch(1, 1, 1, 255), 0);
    assert_int_equal(psk_ch(2, 1, 1, 32), CLASP_ERR_ILLEGAL_PARAMETER);
    assert_int_equal(psk_ch(1, 1, 2, 32), CLASP_ERR_ILLEGAL_PARAMETER);

    static const uint8_t sh[] = {0x00, 0x01};
    static const uint8_t sh_tail[] = {0x00, 0x01, 0x00};
    uint16_t sel;
    assert_int_equal(cl_ext_pre_shared_key_sh(RD(sh), &sel), 0);
    assert_int_equal(sel, 1);
    assert_int_equal(cl_ext_pre_shared_key_sh(rd(sh, 1), &sel), CLASP_ERR_DECODE);
    assert_int_equal(cl_ext_pre_shared_key_sh(RD(sh_tail), &sel), CLASP_ERR_DECODE);
}

static void test_small_bodies(void **state)
{
    (void)state;
    static const uint8_t ed[] = {0x00, 0x00, 0x04, 0x00}, ed_tail[] = {0, 0, 4, 0, 0};
    uint32_t max;
    assert_int_equal(cl_ext_early_data_nst(RD(ed), &max), 0);
    assert_int_equal(max, 1024);
    assert_int_equal(cl_ext_early_data_nst(rd(ed, 3), &max), CLASP_ERR_DECODE);
    assert_int_equal(cl_ext_early_data_nst(RD(ed_tail), &max), CLASP_ERR_DECODE);

    static const uint8_t ri0[] = {0x00}, ri1[] = {0x01, 0xaa}, ri_tail[] = {0x00, 0x00};
    const uint8_t *p;
    size_t len;
    assert_int_equal(cl_ext_renegotiation_info(RD(ri0), &p, &len), 0);
    assert_int_equal(len, 0);
    assert_int_equal(cl_ext_renegotiation_info(RD(ri1), &p, &len), 0);
    assert_int_equal(len, 1);
    assert_int_equal(p[0], 0xaa);
    assert_int_equal(cl_ext_renegotiation_info(rd(NULL, 0), &p, &len), CLASP_ERR_DECODE);
    assert_int_equal(cl_ext_renegotiation_info(rd(ri1, 1), &p, &len), CLASP_ERR_DECODE);
    assert_int_equal(cl_ext_renegotiation_info(RD(ri_tail), &p, &len), CLASP_ERR_DECODE);

    static const uint8_t pf[] = {0x01, 0x00}, pf0[] = {0x00}, pf_tail[] = {0x01, 0x00, 0x00};
    cl_reader f;
    assert_int_equal(cl_ext_ec_point_formats(RD(pf), &f), 0);
    assert_int_equal(cl_reader_left(&f), 1);
    assert_int_equal(cl_ext_ec_point_formats(RD(pf0), &f), CLASP_ERR_DECODE);
    assert_int_equal(cl_ext_ec_point_formats(rd(pf, 1), &f), CLASP_ERR_DECODE);
    assert_int_equal(cl_ext_ec_point_formats(RD(pf_tail), &f), CLASP_ERR_DECODE);
}

/* One body in one message, through a block as the message parsers see it. */
static int body_rc(cl_ext_ctx ctx, uint16_t type, const uint8_t *data, size_t len)
{
    cl_writer w;
    wr_init(&w);
    ext_spec e = {type, data, len};
    write_exts(&w, &e, 1);
    buf b = wr_take(&w);
    cl_reader block = rd(b.p, b.len);
    cl_exts exts;
    int rc = cl_exts_parse(&block, ctx, &exts);
    if (rc == 0)
        rc = cl_exts_check_bodies(&exts, ctx);
    buf_free(&b);
    return rc;
}

#define BODY(ctx, type, want, ...)                                                                 \
    assert_int_equal(body_rc(ctx, type, (const uint8_t[]){0, __VA_ARGS__} + 1,                     \
                             sizeof((const uint8_t[]){0, __VA_ARGS__}) - 1),                       \
                     want)

/* The bodies clasp reads but does not act on: well-formed ones pass, others fail. */
static void test_checked_bodies(void **state)
{
    (void)state;
    const int D = CLASP_ERR_DECODE, I = CLASP_ERR_ILLEGAL_PARAMETER;
    BODY(CL_CTX_CH, CL_EXT_MAX_FRAGMENT_LENGTH, 0, 4);
    BODY(CL_CTX_CH, CL_EXT_MAX_FRAGMENT_LENGTH, I, 0);
    BODY(CL_CTX_CH, CL_EXT_MAX_FRAGMENT_LENGTH, D, 1, 1);
    BODY(CL_CTX_CH, CL_EXT_STATUS_REQUEST, 0, 1, 0, 0, 0, 0);          /* ocsp, empty lists */
    BODY(CL_CTX_CH, CL_EXT_STATUS_REQUEST, 0, 1, 0, 3, 0, 1, 9, 0, 0); /* one ResponderID */
    BODY(CL_CTX_CH, CL_EXT_STATUS_REQUEST, D, 1, 0, 2, 0, 0, 0, 0);    /* an empty ResponderID */
    BODY(CL_CTX_CH, CL_EXT_STATUS_REQUEST, 0, 7, 1, 2, 3);             /* another type */
    BODY(CL_CTX_CR, CL_EXT_STATUS_REQUEST, 0);
    BODY(CL_CTX_CT, CL_EXT_STATUS_REQUEST, 0, 1, 0, 0, 1, 0x30);
    BODY(CL_CTX_CT, CL_EXT_STATUS_REQUEST, D, 1, 0, 0, 0);
    BODY(CL_CTX_CT, CL_EXT_STATUS_REQUEST, I, 2, 0, 0, 1, 0x30);
    BODY(CL_CTX_CH, CL_EXT_USE_SRTP, 0, 0, 2, 0, 1, 0);
    BODY(CL_CTX_CH, CL_EXT_USE_SRTP, 0, 0, 4, 0, 1, 0, 2, 2, 0xaa, 0xbb);
    BODY(CL_CTX_CH, CL_EXT_USE_SRTP, D, 0, 0, 0);
    BODY(CL_CTX_CH, CL_EXT_USE_SRTP, D, 0, 2, 0, 1);
    BODY(CL_CTX_CH, CL_EXT_HEARTBEAT, 0, 1);
    BODY(CL_CTX_EE, CL_EXT_HEARTBEAT, 0, 2);
    BODY(CL_CTX_CH, CL_EXT_HEARTBEAT, I, 0);
    BODY(CL_CTX_CH, CL_EXT_HEARTBEAT, D, 1, 1);
    BODY(CL_CTX_CH, CL_EXT_CLIENT_CERT_TYPE, 0, 2, 0, 2);
    BODY(CL_CTX_CH, CL_EXT_SERVER_CERT_TYPE, D, 2, 0);
    BODY(CL_CTX_EE, CL_EXT_SERVER_CERT_TYPE, 0, 0);
    BODY(CL_CTX_EE, CL_EXT_CLIENT_CERT_TYPE, D, 1, 0);
    BODY(CL_CTX_CH, CL_EXT_PADDING, 0);
    BODY(CL_CTX_CH, CL_EXT_PADDING, 0, 0, 0, 0);
    BODY(CL_CTX_CH, CL_EXT_PADDING, I, 0, 0x80, 0);
    BODY(CL_CTX_CH, CL_EXT_SCT, 0);
    BODY(CL_CTX_CH, CL_EXT_SCT, D, 0);
    BODY(CL_CTX_CT, CL_EXT_SCT, 0, 0, 3, 0, 1, 7);
    BODY(CL_CTX_CT, CL_EXT_SCT, D, 0, 2, 0, 0);
    BODY(CL_CTX_SH12, CL_EXT_SCT, D, 0, 0);
    BODY(CL_CTX_CR, CL_EXT_OID_FILTERS, 0, 0, 0);
    BODY(CL_CTX_CR, CL_EXT_OID_FILTERS, 0, 0, 7, 3, 0x55, 0x1d, 0x25, 0, 1, 0x30);
    BODY(CL_CTX_CR, CL_EXT_OID_FILTERS, D, 0, 3, 0, 0, 0);
    BODY(CL_CTX_CH, CL_EXT_EARLY_DATA, 0);
    BODY(CL_CTX_CH, CL_EXT_EARLY_DATA, D, 0);
    BODY(CL_CTX_EE, CL_EXT_EARLY_DATA, D, 0);
    BODY(CL_CTX_NST, CL_EXT_EARLY_DATA, 0, 0, 0, 0x40, 0);
    BODY(CL_CTX_CH, CL_EXT_SESSION_TICKET, 0, 1, 2, 3);
    BODY(CL_CTX_SH12, CL_EXT_SESSION_TICKET, D, 1);
    BODY(CL_CTX_SH12, CL_EXT_SERVER_NAME, D, 0);
    BODY(CL_CTX_SH12, CL_EXT_STATUS_REQUEST, 0);
    BODY(CL_CTX_CH, CL_EXT_POST_HANDSHAKE_AUTH, D, 0);
    BODY(CL_CTX_CH, CL_EXT_SIGNATURE_ALGORITHMS_CERT, 0, 0, 2, 4, 3);
    BODY(CL_CTX_CH, CL_EXT_SIGNATURE_ALGORITHMS_CERT, D, 0, 2, 4, 3, 0);
    BODY(CL_CTX_EE, CL_EXT_SUPPORTED_GROUPS, 0, 0, 2, 0, 0x1d);
    BODY(CL_CTX_EE, CL_EXT_SUPPORTED_GROUPS, D, 0, 2, 0, 0x1d, 0);
    BODY(CL_CTX_CH, CL_EXT_PSK_KEY_EXCHANGE_MODES, 0, 1, 1);
    BODY(CL_CTX_CH, CL_EXT_PSK_KEY_EXCHANGE_MODES, D, 0);
    /* pre_shared_key is read where it is used, by its own rules */
    BODY(CL_CTX_SH, CL_EXT_PRE_SHARED_KEY, 0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_context_table),
        cmocka_unit_test(test_tls12_only_in_tls13),
        cmocka_unit_test(test_unknown),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_duplicates_many),
        cmocka_unit_test(test_hostile_block),
        cmocka_unit_test(test_duplicates_nomem),
        cmocka_unit_test(test_psk_last),
        cmocka_unit_test(test_block_decode),
        cmocka_unit_test(test_has_get),
        cmocka_unit_test(test_writers),
        cmocka_unit_test(test_u16_list),
        cmocka_unit_test(test_supported_versions),
        cmocka_unit_test(test_key_share_ch),
        cmocka_unit_test(test_key_share_many),
        cmocka_unit_test(test_key_share_sh_hrr),
        cmocka_unit_test(test_server_name),
        cmocka_unit_test(test_server_name_chars),
        cmocka_unit_test(test_alpn),
        cmocka_unit_test(test_cookie_rsl_modes_empty),
        cmocka_unit_test(test_certificate_authorities),
        cmocka_unit_test(test_pre_shared_key),
        cmocka_unit_test(test_small_bodies),
        cmocka_unit_test(test_checked_bodies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
