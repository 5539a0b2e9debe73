/*
 * Hashes, the running transcript hash and HMAC (src/crypto/hash.c, hmac.c).
 *
 * Known answers: SHA-1 and SHA-2 digests of "abc" and "" from FIPS 180-2 (appendix examples;
 * the same values are in NIST's "Example Values"); HMAC from RFC 4231 section 4, test cases
 * 1 to 7, and HMAC-SHA1 from RFC 2202 section 3, cases 1 to 3. libcrypto's own EVP_Digest and
 * HMAC() serve as the oracle for everything else.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <clasp/clasp.h>

#include "crypto/crypto.h"
#include "testutil.h"

/* The SHA-2 hashes first (RFC 4231 has them alone), then SHA-1 (record MACs only). */
static const cl_hash_alg algs[] = {CL_HASH_SHA256, CL_HASH_SHA384, CL_HASH_SHA512, CL_HASH_SHA1};
#define N_ALGS (sizeof(algs) / sizeof(algs[0]))

static const EVP_MD *oracle_md(cl_hash_alg alg)
{
    switch (alg) {
    case CL_HASH_SHA256: return EVP_sha256();
    case CL_HASH_SHA384: return EVP_sha384();
    case CL_HASH_SHA512: return EVP_sha512();
    case CL_HASH_SHA1: return EVP_sha1();
    }
    return NULL;
}

/* Compares n bytes of got with the first n bytes of a hex string (which must hold at least
 * n bytes). */
static void assert_hex_prefix(const char *what, const uint8_t *got, size_t n, const char *hex)
{
    size_t want_len;
    uint8_t *want = hex_decode(hex, &want_len);
    assert_true(want_len >= n);
    if (memcmp(got, want, n) != 0) {
        hex_dump("got ", got, n);
        hex_dump("want", want, n);
        free(want);
        fail_msg("%s: mismatch", what);
    }
    free(want);
}

static void assert_hex(const char *what, const uint8_t *got, size_t n, const char *hex)
{
    size_t want_len;
    uint8_t *want = hex_decode(hex, &want_len);
    free(want);
    if (want_len != n)
        fail_msg("%s: expected value has %zu bytes, not %zu", what, want_len, n);
    assert_hex_prefix(what, got, n, hex);
}

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
}

/* ---- hashes ---- */

static void test_lengths(void **state)
{
    (void)state;
    assert_int_equal(cl_hash_len(CL_HASH_SHA256), 32);
    assert_int_equal(cl_hash_len(CL_HASH_SHA384), 48);
    assert_int_equal(cl_hash_len(CL_HASH_SHA512), 64);
    assert_int_equal(cl_hash_block_len(CL_HASH_SHA256), 64);
    assert_int_equal(cl_hash_block_len(CL_HASH_SHA384), 128);
    assert_int_equal(cl_hash_block_len(CL_HASH_SHA512), 128);
    assert_int_equal(cl_hash_len(CL_HASH_SHA1), 20);
    assert_int_equal(cl_hash_block_len(CL_HASH_SHA1), 64);
    assert_true(cl_hash_len(CL_HASH_SHA512) <= CL_MAX_HASH_LEN);
    assert_true(cl_hash_len(CL_HASH_SHA384) <= CL_MAX_SECRET_LEN);
}

static void test_fips180_digests(void **state)
{
    (void)state;
    static const struct {
        cl_hash_alg alg;
        const char *msg;
        const char *digest;
    } v[] = {
        {CL_HASH_SHA256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {CL_HASH_SHA256, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {CL_HASH_SHA384, "abc",
         "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
         "8086072ba1e7cc2358baeca134c825a7"},
        {CL_HASH_SHA384, "",
         "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da"
         "274edebfe76f65fbd51ad2f14898b95b"},
        {CL_HASH_SHA512, "abc",
         "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
         "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
        {CL_HASH_SHA256, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {CL_HASH_SHA1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
        {CL_HASH_SHA1, "", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
        {CL_HASH_SHA1, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        uint8_t out[CL_MAX_HASH_LEN + 4];
        memset(out, 0xee, sizeof(out));
        assert_int_equal(cl_hash(v[i].alg, (const uint8_t *)v[i].msg, strlen(v[i].msg), out), 0);
        size_t n = cl_hash_len(v[i].alg);
        assert_hex(v[i].msg, out, n, v[i].digest);
        for (size_t j = n; j < sizeof(out); j++)
            assert_int_equal(out[j], 0xee); /* writes exactly cl_hash_len bytes */

        /* the running hash, fed byte by byte, gives the same */
        cl_hash_ctx *h;
        assert_int_equal(cl_hash_ctx_new(&h, v[i].alg), 0);
        assert_int_equal(cl_hash_ctx_alg(h), v[i].alg);
        for (size_t j = 0; j < strlen(v[i].msg); j++)
            assert_int_equal(cl_hash_ctx_update(h, (const uint8_t *)v[i].msg + j, 1), 0);
        memset(out, 0, sizeof(out));
        assert_int_equal(cl_hash_ctx_snapshot(h, out), 0);
        assert_hex(v[i].msg, out, n, v[i].digest);
        cl_hash_ctx_free(h);
    }
}

/* ---- transcript ---- */

static void test_transcript_snapshots(void **state)
{
    (void)state;
    /* message sizes around the block boundaries, and an empty one */
    static const size_t sizes[] = {4, 0, 1, 63, 64, 65, 127, 128, 129, 300, 1000, 5};
    uint8_t all[4096];
    fill(all, sizeof(all), 1);
    for (size_t a = 0; a < 2; a++) {
        cl_hash_alg alg = algs[a];
        size_t n = cl_hash_len(alg);
        cl_hash_ctx *h;
        assert_int_equal(cl_hash_ctx_new(&h, alg), 0);

        /* the empty transcript */
        uint8_t snap[CL_MAX_HASH_LEN], want[CL_MAX_HASH_LEN];
        assert_int_equal(cl_hash_ctx_snapshot(h, snap), 0);
        assert_int_equal(EVP_Digest("", 0, want, NULL, oracle_md(alg), NULL), 1);
        assert_memory_equal(snap, want, n);

        size_t off = 0;
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
            assert_int_equal(cl_hash_ctx_update(h, all + off, sizes[i]), 0);
            off += sizes[i];
            assert_int_equal(cl_hash_ctx_snapshot(h, snap), 0);
            /* libcrypto's digest of the prefix, and clasp's one-shot */
            assert_int_equal(EVP_Digest(all, off, want, NULL, oracle_md(alg), NULL), 1);
            assert_memory_equal(snap, want, n);
            assert_int_equal(cl_hash(alg, all, off, want), 0);
            assert_memory_equal(snap, want, n);
            /* a second snapshot in a row changes nothing */
            uint8_t again[CL_MAX_HASH_LEN];
            assert_int_equal(cl_hash_ctx_snapshot(h, again), 0);
            assert_memory_equal(again, snap, n);
        }
        cl_hash_ctx_free(h);
    }
    cl_hash_ctx_free(NULL);
}

static void test_transcript_dup(void **state)
{
    (void)state;
    uint8_t prefix[200], x[77], y[150];
    fill(prefix, sizeof(prefix), 2);
    fill(x, sizeof(x), 3);
    fill(y, sizeof(y), 4);
    for (size_t a = 0; a < 2; a++) {
        cl_hash_alg alg = algs[a];
        size_t n = cl_hash_len(alg);
        cl_hash_ctx *h, *d;
        assert_int_equal(cl_hash_ctx_new(&h, alg), 0);
        assert_int_equal(cl_hash_ctx_update(h, prefix, sizeof(prefix)), 0);
        assert_int_equal(cl_hash_ctx_dup(h, &d), 0);
        assert_int_equal(cl_hash_ctx_alg(d), alg);

        /* the two go their own ways */
        assert_int_equal(cl_hash_ctx_update(h, x, sizeof(x)), 0);
        assert_int_equal(cl_hash_ctx_update(d, y, sizeof(y)), 0);

        uint8_t buf[sizeof(prefix) + sizeof(y)], want[CL_MAX_HASH_LEN], got[CL_MAX_HASH_LEN];
        memcpy(buf, prefix, sizeof(prefix));
        memcpy(buf + sizeof(prefix), x, sizeof(x));
        assert_int_equal(
            EVP_Digest(buf, sizeof(prefix) + sizeof(x), want, NULL, oracle_md(alg), NULL), 1);
        assert_int_equal(cl_hash_ctx_snapshot(h, got), 0);
        assert_memory_equal(got, want, n);

        /* the copy outlives the original */
        cl_hash_ctx_free(h);
        memcpy(buf + sizeof(prefix), y, sizeof(y));
        assert_int_equal(
            EVP_Digest(buf, sizeof(prefix) + sizeof(y), want, NULL, oracle_md(alg), NULL), 1);
        assert_int_equal(cl_hash_ctx_snapshot(d, got), 0);
        assert_memory_equal(got, want, n);

        /* a dup of a dup, then more input to the middle one only */
        cl_hash_ctx *e;
        assert_int_equal(cl_hash_ctx_dup(d, &e), 0);
        assert_int_equal(cl_hash_ctx_update(d, x, 1), 0);
        assert_int_equal(cl_hash_ctx_snapshot(e, got), 0);
        assert_memory_equal(got, want, n);
        cl_hash_ctx_free(d);
        cl_hash_ctx_free(e);
    }
}

/* ---- HMAC ---- */

/* RFC 4231 section 4: key, data, and the MACs for SHA-256, -384, -512. Case 5's MACs are
 * the 128-bit truncations the RFC gives. */
static const struct {
    const char *key;  /* hex */
    const char *data; /* hex */
    const char *mac[3];
    int truncated;
} rfc4231[] = {
    /* 4.2 test case 1 */
    {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
     "4869205468657265", /* "Hi There" */
     {"b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
      "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
      "faea9ea9076ede7f4af152e8b2fa9cb6",
      "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
      "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
     0},
    /* 4.3 test case 2: "Jefe", "what do ya want for nothing?" */
    {"4a656665",
     "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
     {"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
      "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
      "8e2240ca5e69e2c78b3239ecfab21649",
      "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
      "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
     0},
    /* 4.4 test case 3: 20 x 0xaa, 50 x 0xdd */
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
     "dddddddddddd",
     {"773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
      "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b"
      "2a5ab39dc13814b94e3ab6e101a34f27",
      "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
      "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"},
     0},
    /* 4.5 test case 4: key 01..19, 50 x 0xcd */
    {"0102030405060708090a0b0c0d0e0f10111213141516171819",
     "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
     "cdcdcdcdcdcd",
     {"82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
      "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e"
      "6801dd23c4a7d679ccf8a386c674cffb",
      "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
      "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"},
     0},
    /* 4.6 test case 5: "Test With Truncation", MAC truncated to 128 bits */
    {"0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c",
     "546573742057697468205472756e636174696f6e",
     {"a3b6167473100ee06e0c796c2955552b", "3abf34c3503b2a23a46efc619baef897",
      "415fad6271580a531d4179bc891d87a6"},
     1},
    /* 4.7 test case 6: 131-byte key (hashed first), "Test Using Larger Than Block-Size Key
     * - Hash Key First" */
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368"
     "204b6579204669727374",
     {"60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
      "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
      "0c2ef6ab4030fe8296248df163f44952",
      "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
      "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"},
     0},
    /* 4.8 test case 7: 131-byte key, "This is a test using a larger than block-size key and
     * a larger than block-size data. The key needs to be hashed before being used by the
     * HMAC algorithm." */
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     "5468697320697320612074657374207573696e672061206c6172676572207468616e20626c6f636b2d73697a"
     "65206b657920616e642061206c6172676572207468616e20626c6f636b2d73697a6520646174612e20546865"
     "206b6579206e6565647320746f20626520686173686564206265666f7265206265696e672075736564206279"
     "2074686520484d414320616c676f726974686d2e",
     {"9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
      "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5"
      "a678cc31e799176d3860e6110c46523e",
      "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
      "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"},
     0},
};

static void test_hmac_rfc4231(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof(rfc4231) / sizeof(rfc4231[0]); c++) {
        size_t key_len, data_len;
        uint8_t *key = hex_decode(rfc4231[c].key, &key_len);
        uint8_t *data = hex_decode(rfc4231[c].data, &data_len);
        if (c == 5 || c == 6)
            assert_int_equal(key_len, 131);
        for (size_t a = 0; a < 3; a++) {
            cl_hash_alg alg = algs[a];
            size_t n = rfc4231[c].truncated ? 16 : cl_hash_len(alg);
            uint8_t mac[CL_MAX_HASH_LEN];

            /* one-shot */
            memset(mac, 0, sizeof(mac));
            assert_int_equal(cl_hmac(alg, key, key_len, data, data_len, mac), 0);
            char what[64];
            snprintf(what, sizeof(what), "RFC 4231 case %zu, hash %d", c + 1, (int)alg);
            assert_hex(what, mac, n, rfc4231[c].mac[a]);

            /* keyed context, data fed in uneven pieces */
            cl_hmac_ctx *m;
            assert_int_equal(cl_hmac_new(&m, alg, key, key_len), 0);
            assert_int_equal(cl_hmac_begin(m), 0);
            size_t off = 0, step = 1;
            while (off < data_len) {
                size_t k = data_len - off < step ? data_len - off : step;
                assert_int_equal(cl_hmac_update(m, data + off, k), 0);
                off += k;
                step = step * 2 + 1;
            }
            memset(mac, 0, sizeof(mac));
            assert_int_equal(cl_hmac_final(m, mac), 0);
            assert_hex(what, mac, n, rfc4231[c].mac[a]);
            cl_hmac_free(m);
        }
        free(key);
        free(data);
    }
}

/* RFC 2202 section 3: HMAC-SHA1, the MAC of TLS 1.2's _SHA CBC suites. */
static void test_hmac_sha1_rfc2202(void **state)
{
    (void)state;
    static const struct {
        const char *key, *data, *mac;
    } v[] = {
        {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
         "b617318655057264e28bc0b6fb378c8ef146be00"},
        {"4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
         "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
        {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
         "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
         "dddddddddddddddddddddddddddddddd",
         "125d7342b9ac11cd91a39af48aa17b4f63f175d3"},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        size_t key_len, data_len;
        uint8_t *key = hex_decode(v[i].key, &key_len), *data = hex_decode(v[i].data, &data_len);
        uint8_t mac[CL_MAX_HASH_LEN];
        assert_int_equal(cl_hmac(CL_HASH_SHA1, key, key_len, data, data_len, mac), 0);
        assert_hex("RFC 2202", mac, 20, v[i].mac);
        free(key);
        free(data);
    }
}

static void test_hmac_reuse(void **state)
{
    (void)state;
    uint8_t key[40], msgs[5][300];
    static const size_t lens[5] = {0, 1, 64, 129, 300};
    fill(key, sizeof(key), 9);
    for (size_t i = 0; i < 5; i++)
        fill(msgs[i], sizeof(msgs[i]), (uint32_t)(100 + i));
    for (size_t a = 0; a < N_ALGS; a++) {
        cl_hash_alg alg = algs[a];
        size_t n = cl_hash_len(alg);
        cl_hmac_ctx *m;
        assert_int_equal(cl_hmac_new(&m, alg, key, sizeof(key)), 0);
        for (int round = 0; round < 3; round++) {
            for (size_t i = 0; i < 5; i++) {
                uint8_t got[CL_MAX_HASH_LEN], want[CL_MAX_HASH_LEN];
                assert_int_equal(cl_hmac_begin(m), 0);
                assert_int_equal(cl_hmac_update(m, msgs[i], lens[i]), 0);
                assert_int_equal(cl_hmac_final(m, got), 0);
                assert_int_equal(cl_hmac(alg, key, sizeof(key), msgs[i], lens[i], want), 0);
                assert_memory_equal(got, want, n);
                unsigned int wl = 0;
                assert_non_null(
                    HMAC(oracle_md(alg), key, (int)sizeof(key), msgs[i], lens[i], want, &wl));
                assert_int_equal(wl, n);
                assert_memory_equal(got, want, n);
            }
        }
        /* an abandoned MAC (begin, update, begin again) leaves no trace */
        uint8_t got[CL_MAX_HASH_LEN], want[CL_MAX_HASH_LEN];
        assert_int_equal(cl_hmac_begin(m), 0);
        assert_int_equal(cl_hmac_update(m, msgs[4], 200), 0);
        assert_int_equal(cl_hmac_begin(m), 0);
        assert_int_equal(cl_hmac_update(m, msgs[2], lens[2]), 0);
        assert_int_equal(cl_hmac_final(m, got), 0);
        assert_int_equal(cl_hmac(alg, key, sizeof(key), msgs[2], lens[2], want), 0);
        assert_memory_equal(got, want, n);
        cl_hmac_free(m);
    }
    cl_hmac_free(NULL);
}

static void test_hmac_key_lengths(void **state)
{
    (void)state;
    /* around the block size (where keys start being hashed), and empty */
    uint8_t key[300], msg[100];
    fill(key, sizeof(key), 21);
    fill(msg, sizeof(msg), 22);
    for (size_t a = 0; a < N_ALGS; a++) {
        cl_hash_alg alg = algs[a];
        size_t b = cl_hash_block_len(alg), n = cl_hash_len(alg);
        const size_t klens[] = {0, 1, n - 1, n, n + 1, b - 1, b, b + 1, 2 * b + 3, 300};
        for (size_t k = 0; k < sizeof(klens) / sizeof(klens[0]); k++) {
            uint8_t got[CL_MAX_HASH_LEN], want[CL_MAX_HASH_LEN];
            unsigned int wl = 0;
            assert_int_equal(cl_hmac(alg, key, klens[k], msg, sizeof(msg), got), 0);
            assert_non_null(HMAC(oracle_md(alg), key, (int)klens[k], msg, sizeof(msg), want, &wl));
            if (memcmp(got, want, n) != 0)
                fail_msg("HMAC hash %d key length %zu differs from libcrypto", (int)alg, klens[k]);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_fips180_digests),
        cmocka_unit_test(test_transcript_snapshots),
        cmocka_unit_test(test_transcript_dup),
        cmocka_unit_test(test_hmac_rfc4231),
        cmocka_unit_test(test_hmac_sha1_rfc2202),
        cmocka_unit_test(test_hmac_reuse),
        cmocka_unit_test(test_hmac_key_lengths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
