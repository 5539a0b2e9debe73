/*
 * HMAC over a secret length (src/crypto/hmac_ct.c), the MAC of MAC-then-encrypt records,
 * and the compression-function counter it is judged by (cl_hash_compressions).
 *
 *  - Known answers: libcrypto's HMAC() over header || data[0..len) is the oracle, for every
 *    len between the bounds a CBC record gives (up to 256 bytes below the longest, as the
 *    padding allows), for HMAC-SHA1, -SHA256 and -SHA384, around the block boundaries and
 *    at the largest record.
 *  - Constant work: for each bound, the compression-function calls are the same for every
 *    len; the counter itself is checked against the Merkle-Damgard block count, and shown to
 *    see the difference a naive MAC over the real length makes (so the equality can fail).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <clasp/errors.h>

#include "crypto/crypto.h"

#define HEADER_LEN 13 /* seq_num, type, version, length (RFC 5246 6.2.3.1) */
#define DATA_CAP   (16384 + 256 + 48)

static const cl_hash_alg macs[] = {CL_HASH_SHA1, CL_HASH_SHA256, CL_HASH_SHA384};
#define N_MACS (sizeof(macs) / sizeof(macs[0]))

static const EVP_MD *oracle_md(cl_hash_alg alg)
{
    return alg == CL_HASH_SHA1 ? EVP_sha1() : alg == CL_HASH_SHA256 ? EVP_sha256() : EVP_sha384();
}

static uint8_t data[DATA_CAP];
static const uint8_t key[48] = {
    0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78, 0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0,
    0x01, 0x12, 0x23, 0x34, 0x45, 0x56, 0x67, 0x78, 0x89, 0x9a, 0xab, 0xbc, 0xcd, 0xde, 0xef, 0xf1,
    0x13, 0x24, 0x35, 0x46, 0x57, 0x68, 0x79, 0x8a, 0x9b, 0xac, 0xbd, 0xce, 0xdf, 0xe0, 0xf2, 0x03};

static int setup(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 31 + (i >> 7) + 5);
    return cl_hmac_ct_available() ? 0 : -1;
}

/* The record MAC's header for a plaintext of len bytes: the length is its last two bytes. */
static void make_header(uint8_t h[HEADER_LEN], size_t len)
{
    for (int i = 0; i < 8; i++)
        h[i] = (uint8_t)(0x10 + i);
    h[8] = 23;
    h[9] = 3, h[10] = 3;
    h[11] = (uint8_t)(len >> 8), h[12] = (uint8_t)len;
}

static void oracle(cl_hash_alg alg, const uint8_t *header, size_t header_len, size_t len,
                   uint8_t *out)
{
    static uint8_t msg[64 + DATA_CAP];
    unsigned int n = 0;
    memcpy(msg, header, header_len);
    memcpy(msg + header_len, data, len);
    assert_non_null(
        HMAC(oracle_md(alg), key, (int)cl_hash_len(alg), msg, header_len + len, out, &n));
    assert_int_equal(n, cl_hash_len(alg));
}

/* cl_hmac_ct for every len in [min, max]: the oracle's MAC, with the same work each time. */
static void check_range(cl_hmac_ctx *m, cl_hash_alg alg, size_t min, size_t max)
{
    uint64_t work = 0;
    for (size_t len = min; len <= max; len++) {
        uint8_t h[HEADER_LEN], got[CL_MAX_HASH_LEN], want[CL_MAX_HASH_LEN];
        make_header(h, len);
        uint64_t before = cl_hash_compressions();
        assert_int_equal(cl_hmac_ct(m, h, sizeof(h), data, len, min, max, got), 0);
        uint64_t used = cl_hash_compressions() - before;
        oracle(alg, h, sizeof(h), len, want);
        if (memcmp(got, want, cl_hash_len(alg)) != 0)
            fail_msg("hash %d, bounds [%zu, %zu]: the MAC of %zu bytes differs from HMAC()",
                     (int)alg, min, max, len);
        if (len == min)
            work = used;
        else if (used != work)
            fail_msg("hash %d, bounds [%zu, %zu]: %llu compressions for %zu bytes, %llu for %zu",
                     (int)alg, min, max, (unsigned long long)used, len, (unsigned long long)work,
                     min);
    }
    /* What the work is: every block the longest message could end in, and the outer hash. */
    size_t block = cl_hash_block_len(alg), length_field = block == 64 ? 8 : 16;
    assert_int_equal(work, (HEADER_LEN + max + length_field) / block + 1 + 1);
}

static void test_known_answers_and_constant_work(void **state)
{
    (void)state;
    /* Bounds as a CBC record gives them (max: the record less its MAC; min: 256 fewer). */
    static const size_t maxes[] = {
        0,          1,   43,  50,  51,  52,  64,   115,  116,  127,
        128,        200, 255, 256, 257, 300, 1000, 1024, 1025, 16384 + 255 - 20,
        16384 + 256};
    for (size_t a = 0; a < N_MACS; a++) {
        cl_hmac_ctx *m;
        assert_int_equal(cl_hmac_new(&m, macs[a], key, cl_hash_len(macs[a])), 0);
        for (size_t i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
            size_t max = maxes[i], min = max > 256 ? max - 256 : 0;
            check_range(m, macs[a], min, max);
        }
        cl_hmac_free(m);
    }
}

/* Other header lengths, and bounds with no room for the length to move. */
static void test_headers_and_fixed_length(void **state)
{
    (void)state;
    static const size_t header_lens[] = {0, 1, 63, 64};
    uint8_t header[64];
    for (size_t i = 0; i < sizeof(header); i++)
        header[i] = (uint8_t)(0xa0 ^ i);
    for (size_t a = 0; a < N_MACS; a++) {
        cl_hmac_ctx *m;
        assert_int_equal(cl_hmac_new(&m, macs[a], key, cl_hash_len(macs[a])), 0);
        for (size_t h = 0; h < sizeof(header_lens) / sizeof(header_lens[0]); h++) {
            for (size_t len = 0; len < 300; len += 7) {
                uint8_t got[CL_MAX_HASH_LEN], want[CL_MAX_HASH_LEN];
                assert_int_equal(cl_hmac_ct(m, header, header_lens[h], data, len, len, len, got),
                                 0);
                oracle(macs[a], header, header_lens[h], len, want);
                assert_memory_equal(got, want, cl_hash_len(macs[a]));
                assert_int_equal(
                    cl_hmac_ct(m, header, header_lens[h], data, len, 0, len + 129, got), 0);
                assert_memory_equal(got, want, cl_hash_len(macs[a]));
            }
        }
        cl_hmac_free(m);
    }
}

/* A length outside its bounds is a bug of the caller; the MAC then matches nothing. */
static void test_out_of_bounds_fails_safe(void **state)
{
    (void)state;
    for (size_t a = 0; a < N_MACS; a++) {
        cl_hmac_ctx *m;
        uint8_t h[HEADER_LEN], got[CL_MAX_HASH_LEN], want[CL_MAX_HASH_LEN];
        assert_int_equal(cl_hmac_new(&m, macs[a], key, cl_hash_len(macs[a])), 0);
        make_header(h, 600);
        assert_int_equal(cl_hmac_ct(m, h, sizeof(h), data, 600, 100, 356, got), 0);
        oracle(macs[a], h, sizeof(h), 600, want);
        assert_memory_not_equal(got, want, cl_hash_len(macs[a]));
        assert_int_equal(cl_hmac_ct(m, h, sizeof(h), data, 10, 200, 100, got),
                         CLASP_ERR_INVALID_ARG);
        cl_hmac_free(m);
    }
}

/*
 * The counter the constant-work checks rely on: a hash of n bytes is ceil((n + 1 + L) / B)
 * compressions (L the length field, B the block), and a naive HMAC over the real length of a
 * record does more work for longer plaintexts, which the counter sees.
 */
static void test_counter(void **state)
{
    (void)state;
    for (size_t a = 0; a < N_MACS; a++) {
        cl_hash_alg alg = macs[a];
        size_t block = cl_hash_block_len(alg), length_field = block == 64 ? 8 : 16;
        uint8_t out[CL_MAX_HASH_LEN];
        for (size_t n = 0; n < 3 * block; n++) {
            uint64_t before = cl_hash_compressions();
            assert_int_equal(cl_hash(alg, data, n, out), 0);
            assert_int_equal(cl_hash_compressions() - before,
                             (n + 1 + length_field + block - 1) / block);
        }
        uint64_t naive[2];
        for (int i = 0; i < 2; i++) {
            uint64_t before = cl_hash_compressions();
            assert_int_equal(cl_hmac(alg, key, cl_hash_len(alg), data, 1000 - i * block, out), 0);
            naive[i] = cl_hash_compressions() - before;
        }
        assert_int_equal(naive[0], naive[1] + 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answers_and_constant_work),
        cmocka_unit_test(test_headers_and_fixed_length),
        cmocka_unit_test(test_out_of_bounds_fails_safe),
        cmocka_unit_test(test_counter),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
