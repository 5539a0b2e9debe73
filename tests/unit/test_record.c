/*
 * Record protection: round trips for both versions and all three AEADs, every single-bit
 * tamper, the RFC's size limits and their alerts, padding, and the sequence-number wrap.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <clasp/errors.h>

#include "crypto/crypto.h"
#include "record/protect.h"

#define BUF_LEN (CL_RECORD_HEADER_LEN + CL_TLS12_MAX_CIPHERTEXT + 64)

struct suite {
    uint16_t version;
    cl_aead_alg alg;
};

static const struct suite suites[] = {
    {CL_TLS13_VERSION, CL_AEAD_AES_128_GCM},       {CL_TLS13_VERSION, CL_AEAD_AES_256_GCM},
    {CL_TLS13_VERSION, CL_AEAD_CHACHA20_POLY1305}, {CL_TLS12_VERSION, CL_AEAD_AES_128_GCM},
    {CL_TLS12_VERSION, CL_AEAD_AES_256_GCM},       {CL_TLS12_VERSION, CL_AEAD_CHACHA20_POLY1305},
    {CL_TLS13_VERSION, CL_AEAD_AES_128_CCM},
};
#define N_SUITES (sizeof(suites) / sizeof(suites[0]))

static const uint8_t key[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
static const uint8_t iv[12] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5,
                               0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab};

static size_t iv_len(const struct suite *s)
{
    return s->version == CL_TLS12_VERSION && s->alg != CL_AEAD_CHACHA20_POLY1305 ? 4 : 12;
}

static void init_pair(const struct suite *s, cl_record_prot *seal, cl_record_prot *open)
{
    size_t kl = cl_aead_key_len(s->alg);
    assert_int_equal(cl_record_prot_init(seal, s->version, s->alg, 1, key, kl, iv, iv_len(s)), 0);
    assert_int_equal(cl_record_prot_init(open, s->version, s->alg, 0, key, kl, iv, iv_len(s)), 0);
}

/* Seals pt_len bytes of a pattern as `type`; returns the record length. */
static size_t seal_pattern(cl_record_prot *p, uint8_t type, uint8_t *buf, size_t pt_len, size_t pad)
{
    size_t len = 0;
    for (size_t i = 0; i < pt_len; i++)
        buf[cl_record_prot_prefix(p) + i] = (uint8_t)(i * 7 + 1);
    assert_int_equal(cl_record_seal(p, type, buf, BUF_LEN, pt_len, pad, &len), 0);
    return len;
}

static void expect_pattern(const uint8_t *pt, size_t len, size_t want_len)
{
    assert_int_equal(len, want_len);
    for (size_t i = 0; i < len; i++)
        assert_int_equal(pt[i], (uint8_t)(i * 7 + 1));
}

static void test_round_trip(void **state)
{
    static const size_t sizes[] = {0, 1, 100, 1000, CL_MAX_PLAINTEXT};
    uint8_t *buf = malloc(BUF_LEN);
    for (size_t s = 0; s < N_SUITES; s++) {
        cl_record_prot seal, open;
        init_pair(&suites[s], &seal, &open);
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
            uint8_t type = 0;
            size_t off = 0, len = 0;
            size_t n = seal_pattern(&seal, CL_CT_APPLICATION_DATA, buf, sizes[i], 0);
            size_t overhead = suites[s].version == CL_TLS13_VERSION ? 5 + 1 + 16
                              : iv_len(&suites[s]) == 4             ? 5 + 8 + 16
                                                                    : 5 + 16;
            assert_int_equal(n, sizes[i] + overhead);
            /* TLS 1.3 hides the type: the outer header always says application_data. */
            assert_int_equal(buf[0], CL_CT_APPLICATION_DATA);
            assert_int_equal(buf[1] << 8 | buf[2], CL_TLS12_VERSION);
            assert_int_equal(buf[3] << 8 | buf[4], n - 5);
            assert_int_equal(cl_record_open(&open, buf, n, &type, &off, &len), 0);
            assert_int_equal(type, CL_CT_APPLICATION_DATA);
            expect_pattern(buf + off, len, sizes[i]);
        }
        assert_int_equal(seal.seq, 5);
        assert_int_equal(open.seq, 5);
        cl_record_prot_clear(&seal);
        cl_record_prot_clear(&open);
    }
    free(buf);
}

/* The same plaintext under successive sequence numbers never gives the same record. */
static void test_nonce_changes(void **state)
{
    uint8_t a[128], b[128];
    for (size_t s = 0; s < N_SUITES; s++) {
        cl_record_prot seal, open;
        size_t la, lb;
        init_pair(&suites[s], &seal, &open);
        memset(a, 0x55, sizeof(a));
        memset(b, 0x55, sizeof(b));
        assert_int_equal(cl_record_seal(&seal, CL_CT_HANDSHAKE, a, sizeof(a), 32, 0, &la), 0);
        assert_int_equal(cl_record_seal(&seal, CL_CT_HANDSHAKE, b, sizeof(b), 32, 0, &lb), 0);
        assert_int_equal(la, lb);
        assert_memory_not_equal(a + 5, b + 5, la - 5);
        cl_record_prot_clear(&seal);
        cl_record_prot_clear(&open);
    }
}

/*
 * Flips every bit of a record, one at a time: header, explicit nonce, ciphertext, tag. A flip
 * in the length field changes where the framing layer ends the record: a shorter record is
 * opened as such and fails authentication; a longer one is waited for, never opened.
 */
static void test_every_bit_flip(void **state)
{
    uint8_t rec[128], work[128];
    for (size_t s = 0; s < N_SUITES; s++) {
        cl_record_prot seal, open;
        init_pair(&suites[s], &seal, &open);
        size_t n = seal_pattern(&seal, CL_CT_HANDSHAKE, rec, 20, 0);
        for (size_t bit = 0; bit < n * 8; bit++) {
            uint8_t type = 0xee;
            size_t off = 0, len = 0xeeee;
            memcpy(work, rec, n);
            work[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            size_t framed = CL_RECORD_HEADER_LEN + ((size_t)work[3] << 8 | work[4]);
            if (framed > n)
                continue;
            open.seq = 0;
            assert_int_equal(cl_record_open(&open, work, framed, &type, &off, &len),
                             CLASP_ERR_BAD_RECORD_MAC);
            assert_int_equal(type, 0xee); /* nothing released */
            assert_int_equal(len, 0xeeee);
        }
        /* And the untouched record still opens. */
        uint8_t type;
        size_t off, len;
        open.seq = 0;
        assert_int_equal(cl_record_open(&open, rec, n, &type, &off, &len), 0);
        cl_record_prot_clear(&seal);
        cl_record_prot_clear(&open);
    }
}

/* A bad record leaves no plaintext behind in the buffer. */
static void test_failed_open_wipes(void **state)
{
    uint8_t rec[128];
    cl_record_prot seal, open;
    init_pair(&suites[0], &seal, &open);
    size_t n = seal_pattern(&seal, CL_CT_APPLICATION_DATA, rec, 40, 0);
    rec[n - 1] ^= 1;
    uint8_t type;
    size_t off, len;
    assert_int_equal(cl_record_open(&open, rec, n, &type, &off, &len), CLASP_ERR_BAD_RECORD_MAC);
    for (size_t i = 0; i < 40; i++)
        assert_int_equal(rec[5 + i], 0);
    cl_record_prot_clear(&seal);
    cl_record_prot_clear(&open);
}

static void set_len(uint8_t *rec, size_t len)
{
    rec[3] = (uint8_t)(len >> 8);
    rec[4] = (uint8_t)len;
}

/* Opens a record whose body is garbage of ct_len bytes; the limits are checked first. */
static int open_garbage(const struct suite *s, uint8_t type, size_t ct_len)
{
    uint8_t *buf = calloc(1, CL_RECORD_HEADER_LEN + ct_len + 1);
    cl_record_prot seal, open;
    init_pair(s, &seal, &open);
    buf[0] = type;
    buf[1] = 3;
    buf[2] = 3;
    set_len(buf, ct_len);
    uint8_t t;
    size_t off, len;
    int rc = cl_record_open(&open, buf, CL_RECORD_HEADER_LEN + ct_len, &t, &off, &len);
    cl_record_prot_clear(&seal);
    cl_record_prot_clear(&open);
    free(buf);
    return rc;
}

static void test_ciphertext_limits(void **state)
{
    for (size_t s = 0; s < N_SUITES; s++) {
        const struct suite *su = &suites[s];
        int v13 = su->version == CL_TLS13_VERSION;
        size_t max = v13 ? CL_TLS13_MAX_CIPHERTEXT : CL_TLS12_MAX_CIPHERTEXT;
        size_t min = v13 ? 16 : (iv_len(su) == 4 ? 8 + 16 : 16);
        /* RFC 8446 5.2 / RFC 5246 6.2.3: over 2^14+256 / 2^14+2048 is record_overflow. */
        assert_int_equal(open_garbage(su, CL_CT_APPLICATION_DATA, max + 1),
                         CLASP_ERR_RECORD_OVERFLOW);
        /* Too short to carry a tag (and 1.2 GCM's explicit nonce): bad_record_mac. */
        assert_int_equal(open_garbage(su, CL_CT_APPLICATION_DATA, min - 1),
                         CLASP_ERR_BAD_RECORD_MAC);
        assert_int_equal(open_garbage(su, CL_CT_APPLICATION_DATA, 0), CLASP_ERR_BAD_RECORD_MAC);
        assert_int_equal(open_garbage(su, CL_CT_APPLICATION_DATA, min), CLASP_ERR_BAD_RECORD_MAC);
    }
}

/*
 * A record that authenticates but carries more plaintext than 2^14 (+1 for the 1.3 inner
 * type) is record_overflow. Such a record can only be made by hand: the AEAD directly.
 */
static int open_oversized(const struct suite *s, size_t inner_len, uint8_t last_byte)
{
    size_t explicit_len = iv_len(s) == 4 ? 8 : 0;
    size_t ct_len = explicit_len + inner_len + 16;
    uint8_t *buf = calloc(1, CL_RECORD_HEADER_LEN + ct_len);
    uint8_t nonce[12], ad[13];
    cl_aead *a;
    assert_int_equal(cl_aead_new(&a, s->alg, 1, key, cl_aead_key_len(s->alg)), 0);
    buf[0] = CL_CT_APPLICATION_DATA;
    buf[1] = 3;
    buf[2] = 3;
    set_len(buf, ct_len);
    uint8_t *body = buf + CL_RECORD_HEADER_LEN + explicit_len;
    memset(body, 'x', inner_len);
    body[inner_len - 1] = last_byte;
    memcpy(nonce, iv, 12);
    if (explicit_len) /* explicit nonce 0, as sequence 0 */
        memset(nonce + 4, 0, 8);
    if (s->version == CL_TLS13_VERSION) {
        assert_int_equal(cl_aead_seal(a, nonce, buf, 5, body, inner_len, body + inner_len), 0);
    } else {
        memset(ad, 0, 8);
        ad[8] = CL_CT_APPLICATION_DATA;
        ad[9] = 3;
        ad[10] = 3;
        ad[11] = (uint8_t)(inner_len >> 8);
        ad[12] = (uint8_t)inner_len;
        assert_int_equal(cl_aead_seal(a, nonce, ad, 13, body, inner_len, body + inner_len), 0);
    }
    cl_aead_free(a);
    cl_record_prot seal, open;
    init_pair(s, &seal, &open);
    uint8_t t;
    size_t off, len;
    int rc = cl_record_open(&open, buf, CL_RECORD_HEADER_LEN + ct_len, &t, &off, &len);
    cl_record_prot_clear(&seal);
    cl_record_prot_clear(&open);
    free(buf);
    return rc;
}

static void test_plaintext_limits(void **state)
{
    for (size_t s = 0; s < N_SUITES; s++) {
        const struct suite *su = &suites[s];
        if (su->version == CL_TLS13_VERSION) {
            /* The inner plaintext may be 2^14 + 1 octets: content plus its type. */
            assert_int_equal(open_oversized(su, CL_MAX_PLAINTEXT + 1, CL_CT_HANDSHAKE), 0);
            assert_int_equal(open_oversized(su, CL_MAX_PLAINTEXT + 2, CL_CT_HANDSHAKE),
                             CLASP_ERR_RECORD_OVERFLOW);
        } else {
            assert_int_equal(open_oversized(su, CL_MAX_PLAINTEXT, 'x'), 0);
            assert_int_equal(open_oversized(su, CL_MAX_PLAINTEXT + 1, 'x'),
                             CLASP_ERR_RECORD_OVERFLOW);
        }
    }
}

/* RFC 8446 5.4: an inner plaintext of only zeros has no content type: unexpected_message. */
static void test_tls13_no_content_type(void **state)
{
    for (size_t s = 0; s < 3; s++) {
        assert_int_equal(open_oversized(&suites[s], 1, 0), CLASP_ERR_UNEXPECTED_MESSAGE);
    }
}

static void test_tls13_padding(void **state)
{
    uint8_t *buf = malloc(BUF_LEN);
    cl_record_prot seal, open;
    init_pair(&suites[0], &seal, &open);
    static const size_t pads[] = {1, 255, 4000};
    for (size_t i = 0; i < 3; i++) {
        uint8_t type;
        size_t off, len;
        size_t n = seal_pattern(&seal, CL_CT_ALERT, buf, 2, pads[i]);
        assert_int_equal(n, 5 + 2 + 1 + pads[i] + 16);
        assert_int_equal(cl_record_open(&open, buf, n, &type, &off, &len), 0);
        assert_int_equal(type, CL_CT_ALERT);
        expect_pattern(buf + off, len, 2);
    }
    /* A padding-only record (zero-length content) is legal in TLS 1.3. */
    uint8_t type;
    size_t off, len;
    size_t n = seal_pattern(&seal, CL_CT_APPLICATION_DATA, buf, 0, 10);
    assert_int_equal(cl_record_open(&open, buf, n, &type, &off, &len), 0);
    assert_int_equal(type, CL_CT_APPLICATION_DATA);
    assert_int_equal(len, 0);
    /* Content plus padding may not exceed 2^14. */
    assert_int_equal(
        cl_record_seal(&seal, CL_CT_APPLICATION_DATA, buf, BUF_LEN, 100, CL_MAX_PLAINTEXT - 99, &n),
        CLASP_ERR_INVALID_ARG);
    assert_int_equal(
        cl_record_seal(&seal, CL_CT_APPLICATION_DATA, buf, BUF_LEN, CL_MAX_PLAINTEXT + 1, 0, &n),
        CLASP_ERR_INVALID_ARG);
    cl_record_prot_clear(&seal);
    cl_record_prot_clear(&open);
    /* TLS 1.2 has no padding. */
    init_pair(&suites[3], &seal, &open);
    assert_int_equal(cl_record_seal(&seal, CL_CT_APPLICATION_DATA, buf, BUF_LEN, 10, 1, &n),
                     CLASP_ERR_INVALID_ARG);
    cl_record_prot_clear(&seal);
    cl_record_prot_clear(&open);
    free(buf);
}

static void test_buffer_too_small(void **state)
{
    uint8_t buf[64];
    size_t n;
    for (size_t s = 0; s < N_SUITES; s++) {
        cl_record_prot seal, open;
        init_pair(&suites[s], &seal, &open);
        size_t pt = 64 - cl_record_prot_prefix(&seal) - cl_record_prot_suffix(&seal, 0);
        assert_int_equal(cl_record_seal(&seal, CL_CT_APPLICATION_DATA, buf, 64, pt + 1, 0, &n),
                         CLASP_ERR_BUFFER_TOO_SMALL);
        assert_int_equal(cl_record_seal(&seal, CL_CT_APPLICATION_DATA, buf, 64, pt, 0, &n), 0);
        assert_int_equal(n, 64);
        cl_record_prot_clear(&seal);
        cl_record_prot_clear(&open);
    }
}

/* RFC 8446 5.3 / RFC 5246 6.1: sequence numbers must not wrap. */
static void test_sequence_wrap(void **state)
{
    uint8_t buf[128];
    for (size_t s = 0; s < N_SUITES; s++) {
        cl_record_prot seal, open;
        init_pair(&suites[s], &seal, &open);
        seal.seq = open.seq = UINT64_MAX - 1;
        size_t n = seal_pattern(&seal, CL_CT_APPLICATION_DATA, buf, 10, 0), m, off, len;
        uint8_t type;
        assert_int_equal(cl_record_open(&open, buf, n, &type, &off, &len), 0);
        assert_int_equal(cl_record_seal(&seal, CL_CT_APPLICATION_DATA, buf, sizeof(buf), 10, 0, &m),
                         CLASP_ERR_SEQUENCE_WRAP);
        assert_int_equal(cl_record_open(&open, buf, n, &type, &off, &len), CLASP_ERR_SEQUENCE_WRAP);
        cl_record_prot_clear(&seal);
        cl_record_prot_clear(&open);
    }
}

/* Opens a copy of rec (opening works in place and consumes its input). */
static int open_copy(cl_record_prot *p, const uint8_t *rec, size_t n)
{
    uint8_t work[128], type;
    size_t off, len;
    memcpy(work, rec, n);
    return cl_record_open(p, work, n, &type, &off, &len);
}

/* Records opened out of order or replayed fail: the sequence number is in every nonce. */
static void test_replay_and_reorder(void **state)
{
    uint8_t a[128], b[128];
    for (size_t s = 0; s < N_SUITES; s++) {
        cl_record_prot seal, open;
        init_pair(&suites[s], &seal, &open);
        size_t na = seal_pattern(&seal, CL_CT_APPLICATION_DATA, a, 10, 0);
        size_t nb = seal_pattern(&seal, CL_CT_APPLICATION_DATA, b, 10, 0);
        assert_int_equal(open_copy(&open, b, nb), CLASP_ERR_BAD_RECORD_MAC);
        open.seq = 0;
        assert_int_equal(open_copy(&open, a, na), 0);
        assert_int_equal(open_copy(&open, a, na), CLASP_ERR_BAD_RECORD_MAC);
        open.seq = 1;
        assert_int_equal(open_copy(&open, b, nb), 0);
        assert_int_equal(open_copy(&open, b, nb), CLASP_ERR_BAD_RECORD_MAC);
        cl_record_prot_clear(&seal);
        cl_record_prot_clear(&open);
    }
}

static void test_bad_init(void **state)
{
    cl_record_prot p;
    /* AES-CCM is TLS 1.3's alone (no TLS 1.2 CCM suite). */
    assert_int_equal(
        cl_record_prot_init(&p, CL_TLS12_VERSION, CL_AEAD_AES_128_CCM, 1, key, 16, iv, 4),
        CLASP_ERR_INVALID_ARG);
    assert_int_equal(
        cl_record_prot_init(&p, CL_TLS12_VERSION, CL_AEAD_AES_128_CCM, 1, key, 16, iv, 12),
        CLASP_ERR_INVALID_ARG);
    assert_int_equal(cl_record_prot_init(&p, 0x0302, CL_AEAD_AES_128_GCM, 1, key, 16, iv, 12),
                     CLASP_ERR_INVALID_ARG);
    assert_int_equal(
        cl_record_prot_init(&p, CL_TLS12_VERSION, CL_AEAD_AES_128_GCM, 1, key, 16, iv, 12),
        CLASP_ERR_INVALID_ARG);
    assert_int_equal(
        cl_record_prot_init(&p, CL_TLS13_VERSION, CL_AEAD_AES_128_GCM, 1, key, 16, iv, 4),
        CLASP_ERR_INVALID_ARG);
    assert_int_equal(
        cl_record_prot_init(&p, CL_TLS13_VERSION, CL_AEAD_AES_128_GCM, 1, key, 32, iv, 12),
        CLASP_ERR_INVALID_ARG);
    /* A sealing state cannot open and vice versa. */
    cl_record_prot seal, open;
    uint8_t buf[64] = {0x17, 3, 3, 0, 20}, type;
    size_t off, len;
    init_pair(&suites[0], &seal, &open);
    assert_int_equal(cl_record_open(&seal, buf, 25, &type, &off, &len), CLASP_ERR_STATE);
    assert_int_equal(cl_record_seal(&open, CL_CT_ALERT, buf, 64, 2, 0, &len), CLASP_ERR_STATE);
    cl_record_prot_clear(&seal);
    cl_record_prot_clear(&open);
}

/*
 * Epochs: a context is made at the first record, not when the keys arrive; a direction that
 * carried application data keeps its context for the next epoch and re-keys it in place; one
 * that carried only the handshake frees it. Records keep opening under the new key.
 */
static void test_lazy_context_and_rekey(void **state)
{
    (void)state;
    static const uint8_t key2[32] = {0x55, 0x66, 0x77};
    uint8_t *buf = malloc(BUF_LEN);
    for (size_t s = 0; s < N_SUITES; s++) {
        cl_record_prot seal, open;
        size_t kl = cl_aead_key_len(suites[s].alg), off, len;
        uint8_t type;
        init_pair(&suites[s], &seal, &open);
        assert_null(seal.aead); /* keys installed, no context yet */
        assert_null(open.aead);
        size_t n = seal_pattern(&seal, CL_CT_HANDSHAKE, buf, 40, 0);
        assert_non_null(seal.aead);
        assert_int_equal(cl_record_open(&open, buf, n, &type, &off, &len), 0);
        /* Only the handshake went by: the next epoch starts without a context. */
        assert_int_equal(cl_record_prot_next(&seal, suites[s].version, suites[s].alg, 1, key, kl,
                                             iv, iv_len(&suites[s])),
                         0);
        assert_null(seal.aead);
        n = seal_pattern(&seal, CL_CT_APPLICATION_DATA, buf, 100, 0);
        assert_int_equal(cl_record_prot_next(&open, suites[s].version, suites[s].alg, 0, key, kl,
                                             iv, iv_len(&suites[s])),
                         0);
        assert_int_equal(cl_record_open(&open, buf, n, &type, &off, &len), 0);
        /* Application data went by: the context is kept and re-keyed at the next record. */
        cl_aead *kept_seal = seal.aead, *kept_open = open.aead;
        assert_int_equal(cl_record_prot_next(&seal, suites[s].version, suites[s].alg, 1, key2, kl,
                                             iv, iv_len(&suites[s])),
                         0);
        assert_int_equal(cl_record_prot_next(&open, suites[s].version, suites[s].alg, 0, key2, kl,
                                             iv, iv_len(&suites[s])),
                         0);
        assert_ptr_equal(seal.aead, kept_seal);
        assert_int_equal(seal.seq, 0);
        n = seal_pattern(&seal, CL_CT_APPLICATION_DATA, buf, 300, 0);
        assert_int_equal(cl_record_open(&open, buf, n, &type, &off, &len), 0);
        assert_ptr_equal(open.aead, kept_open);
        expect_pattern(buf + off, len, 300);
        /* The new key is really in use: a receiver still on the old key fails. */
        cl_record_prot old;
        assert_int_equal(cl_record_prot_init(&old, suites[s].version, suites[s].alg, 0, key, kl, iv,
                                             iv_len(&suites[s])),
                         0);
        n = seal_pattern(&seal, CL_CT_APPLICATION_DATA, buf, 30, 0);
        old.seq = 1;
        assert_int_equal(cl_record_open(&old, buf, n, &type, &off, &len), CLASP_ERR_BAD_RECORD_MAC);
        cl_record_prot_clear(&old);
        cl_record_prot_clear(&seal);
        cl_record_prot_clear(&open);
    }
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_nonce_changes),
        cmocka_unit_test(test_every_bit_flip),
        cmocka_unit_test(test_failed_open_wipes),
        cmocka_unit_test(test_ciphertext_limits),
        cmocka_unit_test(test_plaintext_limits),
        cmocka_unit_test(test_tls13_no_content_type),
        cmocka_unit_test(test_tls13_padding),
        cmocka_unit_test(test_buffer_too_small),
        cmocka_unit_test(test_sequence_wrap),
        cmocka_unit_test(test_replay_and_reorder),
        cmocka_unit_test(test_bad_init),
        cmocka_unit_test(test_lazy_context_and_rekey),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
