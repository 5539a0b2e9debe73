/*
 * TLS 1.2 CBC-HMAC records (src/record/cbc.c), MAC-then-encrypt and encrypt-then-MAC, for
 * both ciphers and all three MACs.
 *
 * Records are also made by hand with libcrypto alone (tests/support/cbc_records.c: EVP
 * AES-CBC and HMAC(), from RFC 5246 6.2.3.2 and RFC 7366 3), so that what clasp opens and
 * seals is checked against the RFC's layout, not against itself: any padding length, a wrong
 * padding byte, a wrong MAC. Its branches and addresses are checked by memcheck in
 * tests/ct/ct_cbc.c.
 *
 *  - round trips at every size class, the record lengths the RFC gives, random IVs;
 *  - hand-made records open, and clasp's records match a hand-made MAC and padding;
 *  - every byte of a record tampered with: bad_record_mac (a shorter length field: the
 *    shorter record fails the same way);
 *  - the structure test of the MAC-then-encrypt check (Lucky Thirteen): for one public
 *    record length, every padding length 0..255, every bad padding, every bad MAC, the same
 *    compression-function calls (cl_hash_compressions), and bad_record_mac for every bad one;
 *  - the limits: ciphertext over 2^14 + 2048, not whole blocks, too short, a plaintext over
 *    2^14 that authenticates (record_overflow);
 *  - replay (the sequence number is in the MAC), and a failed open wipes the plaintext.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <clasp/errors.h>

#include "crypto/crypto.h"
#include "record/protect.h"
#include "cbc_records.h"

#define BUF_LEN      (CL_RECORD_HEADER_LEN + CL_TLS12_MAX_CIPHERTEXT + 64)
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const cbc_combo combos[] = {
    {CL_CBC_AES_128, CL_HASH_SHA1, 0},   {CL_CBC_AES_256, CL_HASH_SHA1, 0},
    {CL_CBC_AES_128, CL_HASH_SHA256, 0}, {CL_CBC_AES_256, CL_HASH_SHA384, 0},
    {CL_CBC_AES_128, CL_HASH_SHA1, 1},   {CL_CBC_AES_256, CL_HASH_SHA1, 1},
    {CL_CBC_AES_128, CL_HASH_SHA256, 1}, {CL_CBC_AES_256, CL_HASH_SHA384, 1},
};

static uint8_t *buf, *copy;

static int setup(void **state)
{
    (void)state;
    buf = malloc(BUF_LEN);
    copy = malloc(BUF_LEN);
    return buf && copy && cl_hmac_ct_available() ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(buf);
    free(copy);
    return 0;
}

static void init(const cbc_combo *c, cl_record_prot *p, int seal)
{
    cbc_init(c, p, seal);
}

static size_t mac_len(const cbc_combo *c)
{
    return cbc_mac_len(c);
}

static size_t round_up(size_t n)
{
    return (n + 15) / 16 * 16;
}

/* What RFC 5246 6.2.3.2 (or RFC 7366) makes of pt_len bytes with the least padding. */
static size_t record_len(const cbc_combo *c, size_t pt_len)
{
    if (c->etm)
        return 5 + 16 + round_up(pt_len + 1) + mac_len(c);
    return 5 + 16 + round_up(pt_len + mac_len(c) + 1);
}

static size_t seal(cl_record_prot *p, uint8_t type, size_t pt_len, unsigned seed)
{
    size_t len = 0;
    cbc_fill(buf + cl_record_prot_prefix(p), pt_len, seed);
    assert_int_equal(cl_record_seal(p, type, buf, BUF_LEN, pt_len, 0, &len), 0);
    return len;
}

static void expect_open(cl_record_prot *p, uint8_t *rec, size_t len, uint8_t want_type,
                        size_t want_len, unsigned seed)
{
    uint8_t type = 0, want[CL_MAX_PLAINTEXT];
    size_t off = 0, pt_len = 0;
    assert_int_equal(cl_record_open(p, rec, len, &type, &off, &pt_len), 0);
    assert_int_equal(type, want_type);
    assert_int_equal(off, 5 + 16);
    assert_int_equal(pt_len, want_len);
    cbc_fill(want, want_len, seed);
    assert_memory_equal(rec + off, want, want_len);
}

/* ---- the tests ---- */

static void test_round_trip(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 15, 16, 17, 31, 32, 100, 1000, 4095, CL_MAX_PLAINTEXT};
    for (size_t i = 0; i < ARRAY_LEN(combos); i++) {
        cl_record_prot s, o;
        init(&combos[i], &s, 1);
        init(&combos[i], &o, 0);
        assert_int_equal(cl_record_prot_prefix(&s), 5 + 16);
        for (size_t k = 0; k < ARRAY_LEN(sizes); k++) {
            size_t len = seal(&s, CL_CT_APPLICATION_DATA, sizes[k], (unsigned)k);
            assert_int_equal(len, record_len(&combos[i], sizes[k]));
            assert_true(len <= 5 + 16 + sizes[k] + cl_record_prot_suffix(&s, 0));
            assert_int_equal(buf[0], CL_CT_APPLICATION_DATA);
            assert_int_equal(buf[1] << 8 | buf[2], CL_TLS12_VERSION);
            assert_int_equal(buf[3] << 8 | buf[4], len - 5);
            expect_open(&o, buf, len, CL_CT_APPLICATION_DATA, sizes[k], (unsigned)k);
        }
        assert_int_equal(s.seq, ARRAY_LEN(sizes));
        assert_int_equal(o.seq, ARRAY_LEN(sizes));
        /* the raw keys are wiped once the contexts exist */
        for (size_t b = 0; b < sizeof(s.key); b++)
            assert_int_equal(s.key[b] | o.key[b], 0);
        for (size_t b = 0; b < sizeof(s.mac_key); b++)
            assert_int_equal(s.mac_key[b] | o.mac_key[b], 0);
        cl_record_prot_clear(&s);
        cl_record_prot_clear(&o);
    }
}

/* RFC 5246 6.2.3.2: a fresh unpredictable IV per record; the same plaintext never repeats. */
static void test_random_ivs(void **state)
{
    (void)state;
    enum { N = 64 };
    static uint8_t ivs[N][16];
    for (size_t i = 0; i < ARRAY_LEN(combos); i++) {
        cl_record_prot s;
        init(&combos[i], &s, 1);
        for (int r = 0; r < N; r++) {
            seal(&s, CL_CT_HANDSHAKE, 40, 7);
            memcpy(ivs[r], buf + 5, 16);
            for (int q = 0; q < r; q++)
                assert_memory_not_equal(ivs[q], ivs[r], 16);
        }
        cl_record_prot_clear(&s);
    }
}

/* Records made by hand open; clasp's own records carry the MAC and padding the RFC says. */
static void test_hand_made_records(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(combos); i++) {
        const cbc_combo *c = &combos[i];
        cl_record_prot o, s, check;
        init(c, &o, 0);
        for (size_t padding = 0; padding < 256; padding += 17) {
            size_t n = c->etm ? 16 * 20 - padding - 1 : 16 * 20 - mac_len(c) - padding - 1;
            size_t len = c->etm
                             ? cbc_hand_etm(c, o.seq, buf, n, padding, (unsigned)padding)
                             : cbc_hand_mte(c, o.seq, buf, n, padding, CBC_GOOD, (unsigned)padding);
            expect_open(&o, buf, len, 23, n, (unsigned)padding);
        }
        /* clasp seals; decrypting with libcrypto shows the RFC's layout */
        init(c, &s, 1);
        init(c, &check, 0);
        size_t len = seal(&s, 23, 100, 3), enc = len - 21 - (c->etm ? mac_len(c) : 0);
        uint8_t want_mac[CL_MAX_HASH_LEN], *body = buf + 21;
        if (c->etm) {
            cbc_hmac(c, 0, 23, 16 + enc, buf + 5, 16 + enc, want_mac);
            assert_memory_equal(body + enc, want_mac, mac_len(c));
        }
        memcpy(copy, body, enc);
        cbc_aes(c, 0, buf + 5, copy, enc);
        uint8_t pattern[100];
        cbc_fill(pattern, 100, 3);
        assert_memory_equal(copy, pattern, 100);
        size_t after = 100;
        if (!c->etm) {
            cbc_hmac(c, 0, 23, 100, pattern, 100, want_mac);
            assert_memory_equal(copy + 100, want_mac, mac_len(c));
            after += mac_len(c);
        }
        for (size_t b = after; b < enc; b++) /* the least padding: all of value enc-after-1 */
            assert_int_equal(copy[b], enc - after - 1);
        assert_true(enc - after <= 16);
        cl_record_prot_clear(&o);
        cl_record_prot_clear(&s);
        cl_record_prot_clear(&check);
    }
}

/*
 * Every byte of a record changed: bad_record_mac, the plaintext wiped, the sequence number
 * kept. A smaller length field makes the framing end the record there: the shorter record
 * fails the same way; a larger one is waited for (nothing to open).
 */
static void test_tamper_every_byte(void **state)
{
    (void)state;
    static const uint8_t flips[] = {0x01, 0x80, 0xff};
    for (size_t i = 0; i < ARRAY_LEN(combos); i++) {
        cl_record_prot s, o;
        init(&combos[i], &s, 1);
        init(&combos[i], &o, 0);
        size_t len = seal(&s, CL_CT_APPLICATION_DATA, 70, 9);
        memcpy(copy, buf, len);
        for (size_t b = 0; b < len; b++) {
            for (size_t f = 0; f < ARRAY_LEN(flips); f++) {
                uint8_t type;
                size_t off, pt_len, rec_len = len;
                memcpy(buf, copy, len);
                buf[b] ^= flips[f];
                if (b == 3 || b == 4) {
                    size_t claimed = (size_t)buf[3] << 8 | buf[4];
                    if (claimed + 5 > len)
                        continue;
                    rec_len = claimed + 5;
                }
                int rc = cl_record_open(&o, buf, rec_len, &type, &off, &pt_len);
                if (rc != CLASP_ERR_BAD_RECORD_MAC)
                    fail_msg("combo %zu: byte %zu ^ 0x%02x: %d, not bad_record_mac", i, b, flips[f],
                             rc);
                assert_int_equal(o.seq, 0);
                for (size_t k = 21; k < rec_len; k++) /* nothing unauthenticated is left */
                    if (k != b && buf[k] != copy[k] && buf[k] != 0)
                        fail_msg("combo %zu: byte %zu: plaintext left at %zu", i, b, k);
            }
        }
        memcpy(buf, copy, len);
        expect_open(&o, buf, len, CL_CT_APPLICATION_DATA, 70, 9);
        cl_record_prot_clear(&s);
        cl_record_prot_clear(&o);
    }
}

/* The compression-function calls of one cl_record_open, and its result. */
static int counted_open(cl_record_prot *o, size_t len, uint64_t *work)
{
    uint8_t type;
    size_t off, pt_len;
    uint64_t before = cl_hash_compressions();
    int rc = cl_record_open(o, buf, len, &type, &off, &pt_len);
    *work = cl_hash_compressions() - before;
    if (rc == 0)
        o->seq--; /* open the next one at the same sequence number */
    return rc;
}

/*
 * The structure test of the MAC-then-encrypt check. One public length (ct blocks of
 * ciphertext), records with every padding length the length allows and more: good ones, a
 * wrong padding byte, a wrong MAC, both, and padding lengths that do not fit. Every open
 * makes exactly the same compression-function calls, and every bad record is
 * bad_record_mac. A MAC over the real length (what a naive decoder computes) makes up to
 * four calls fewer for long paddings, which this counts (test_hmac_ct checks the counter).
 */
static void structure(const cbc_combo *c, size_t blocks)
{
    cl_record_prot o;
    size_t total = 16 * blocks, m = mac_len(c), good_seen = 0, bad_seen = 0;
    uint64_t first = 0;
    init(c, &o, 0);
    assert_int_equal(cl_record_prot_ready(&o), 0); /* keying the MAC is not the record's work */
    for (size_t padding = 0; padding < 256; padding++) {
        for (int damage = CBC_GOOD; damage <= (CBC_BAD_MAC | CBC_BAD_PAD); damage++) {
            size_t len;
            if (padding + 1 + m <= total) {
                len = cbc_hand_mte(c, o.seq, buf, total - m - padding - 1, padding, damage,
                                   (unsigned)(padding * 4 + damage));
            } else { /* a padding length longer than the record: made from a good record */
                if (damage != CBC_GOOD)
                    continue;
                len = cbc_hand_mte(c, o.seq, buf, total - m - 1, 0, CBC_GOOD, 1);
                cbc_set_padding_length(c, buf, len, (uint8_t)padding);
            }
            uint64_t work;
            int rc = counted_open(&o, len, &work);
            int want_good = damage == CBC_GOOD && padding + 1 + m <= total;
            if (want_good ? rc != 0 : rc != CLASP_ERR_BAD_RECORD_MAC)
                fail_msg("%zu blocks, padding %zu, damage %d: open gave %d", blocks, padding,
                         damage, rc);
            good_seen += want_good;
            bad_seen += !want_good;
            if (!first)
                first = work;
            if (work != first)
                fail_msg("%zu blocks, padding %zu, damage %d: %llu compressions, not %llu", blocks,
                         padding, damage, (unsigned long long)work, (unsigned long long)first);
        }
    }
    assert_true(good_seen > 0 && bad_seen > 0);
    cl_record_prot_clear(&o);
}

static void test_constant_work_mac_then_encrypt(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(combos); i++) {
        if (combos[i].etm)
            continue;
        structure(&combos[i], 4);    /* shorter than the largest padding */
        structure(&combos[i], 20);   /* every padding length fits */
        structure(&combos[i], 1025); /* a full-size record */
    }
}

static void expect_rc(cl_record_prot *o, size_t len, int want)
{
    uint8_t type;
    size_t off, pt_len;
    buf[3] = (uint8_t)((len - 5) >> 8), buf[4] = (uint8_t)(len - 5);
    int rc = cl_record_open(o, buf, len, &type, &off, &pt_len);
    if (rc != want)
        fail_msg("a record of %zu bytes: %d, expected %d", len, rc, want);
}

static void test_limits(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(combos); i++) {
        const cbc_combo *c = &combos[i];
        cl_record_prot o;
        size_t m = mac_len(c);
        init(c, &o, 0);
        memset(buf, 0x5a, BUF_LEN);
        buf[0] = 23, buf[1] = 3, buf[2] = 3;
        /* RFC 5246 6.2.3: the ciphertext is at most 2^14 + 2048 bytes */
        expect_rc(&o, 5 + CL_TLS12_MAX_CIPHERTEXT + 16, CLASP_ERR_RECORD_OVERFLOW);
        /* not whole blocks, too short for the IV, the MAC and a byte of padding */
        size_t least = c->etm ? 16 + 16 + m : 16 + round_up(m + 1);
        expect_rc(&o, 5 + least + 1, CLASP_ERR_BAD_RECORD_MAC);
        expect_rc(&o, 5 + least - 16, CLASP_ERR_BAD_RECORD_MAC);
        expect_rc(&o, 5 + 0, CLASP_ERR_BAD_RECORD_MAC);
        expect_rc(&o, 5 + 16, CLASP_ERR_BAD_RECORD_MAC);
        /* the shortest record is an empty one */
        size_t len = c->etm ? cbc_hand_etm(c, 0, buf, 0, 15, 1)
                            : cbc_hand_mte(c, 0, buf, 0, round_up(m + 1) - m - 1, CBC_GOOD, 1);
        assert_int_equal(len, 5 + least);
        expect_open(&o, buf, len, 23, 0, 1);
        /* 2^14 + 1 bytes that authenticate: record_overflow (RFC 5246 6.2.1) */
        size_t n = CL_MAX_PLAINTEXT + 1;
        size_t padding = c->etm ? 15 - n % 16 : 15 - (n + m) % 16;
        len = c->etm ? cbc_hand_etm(c, 1, buf, n, padding, 2)
                     : cbc_hand_mte(c, 1, buf, n, padding, CBC_GOOD, 2);
        expect_rc(&o, len, CLASP_ERR_RECORD_OVERFLOW);
        /* a plaintext of 2^14 is fine */
        n = CL_MAX_PLAINTEXT;
        padding = c->etm ? 15 - n % 16 : 15 - (n + m) % 16;
        len = c->etm ? cbc_hand_etm(c, 1, buf, n, padding, 3)
                     : cbc_hand_mte(c, 1, buf, n, padding, CBC_GOOD, 3);
        expect_open(&o, buf, len, 23, n, 3);
        cl_record_prot_clear(&o);
    }
}

/* The sequence number is in the MAC: a record replayed or opened out of order fails. */
static void test_replay(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(combos); i++) {
        cl_record_prot s, o;
        uint8_t type;
        size_t off, pt_len;
        init(&combos[i], &s, 1);
        init(&combos[i], &o, 0);
        size_t len = seal(&s, 23, 50, 4);
        memcpy(copy, buf, len);
        expect_open(&o, buf, len, 23, 50, 4);
        memcpy(buf, copy, len);
        assert_int_equal(cl_record_open(&o, buf, len, &type, &off, &pt_len),
                         CLASP_ERR_BAD_RECORD_MAC);
        /* and the type is in it too */
        len = seal(&s, 23, 50, 5);
        buf[0] = 22;
        assert_int_equal(cl_record_open(&o, buf, len, &type, &off, &pt_len),
                         CLASP_ERR_BAD_RECORD_MAC);
        cl_record_prot_clear(&s);
        cl_record_prot_clear(&o);
    }
}

static void test_bad_init(void **state)
{
    (void)state;
    cl_record_prot p = {0};
    cl_cbc_keys k = {CL_CBC_AES_128, CL_HASH_SHA512, 0, cbc_key, cbc_mac_key};
    assert_int_equal(cl_record_prot_init_cbc(&p, 1, &k), CLASP_ERR_INVALID_ARG);
    k.mac = CL_HASH_SHA256;
    k.cipher = (cl_cbc_alg)2;
    assert_int_equal(cl_record_prot_init_cbc(&p, 1, &k), CLASP_ERR_INVALID_ARG);
    assert_int_equal(p.active, 0);
    cl_record_prot_clear(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_random_ivs),
        cmocka_unit_test(test_hand_made_records),
        cmocka_unit_test(test_tamper_every_byte),
        cmocka_unit_test(test_constant_work_mac_then_encrypt),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_replay),
        cmocka_unit_test(test_bad_init),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
