/*
 * AEAD seal/open in place (src/crypto/aead.c).
 *
 * Known answers: AES-GCM from McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)"
 * (the spec submitted to NIST, appendix B), test cases 1-4 (AES-128) and 13-16 (AES-256),
 * all with a 96-bit IV; ChaCha20-Poly1305 from RFC 8439 section 2.8.2. libcrypto's EVP
 * interface, driven directly, is the oracle for the rest, and for AES-128-CCM with TLS 1.3's
 * 12-byte nonce and 16-byte tag, for which no published vector has both (test_record_oracle.c
 * checks TLS_AES_128_CCM_SHA256 records against libssl's).
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
#include <openssl/rand.h>

#include <clasp/clasp.h>

#include "crypto/crypto.h"
#include "testutil.h"

static const cl_aead_alg all_algs[] = {CL_AEAD_AES_128_GCM, CL_AEAD_AES_256_GCM,
                                       CL_AEAD_CHACHA20_POLY1305, CL_AEAD_AES_128_CCM};
static const char *alg_names[] = {"AES-128-GCM", "AES-256-GCM", "ChaCha20-Poly1305", "AES-128-CCM"};

#define NALGS 4

static void random_bytes(uint8_t *p, size_t n)
{
    if (n)
        assert_int_equal(RAND_bytes(p, (int)n), 1);
}

static void assert_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            fail_msg("byte %zu of %zu not wiped", i, n);
}

/* Seals with libcrypto's EVP interface directly: ct = Enc(pt), tag. */
static void oracle_seal(cl_aead_alg alg, const uint8_t *key, const uint8_t *nonce,
                        const uint8_t *ad, size_t ad_len, const uint8_t *pt, size_t len,
                        uint8_t *ct, uint8_t *tag)
{
    int ccm = alg == CL_AEAD_AES_128_CCM;
    const EVP_CIPHER *c = alg == CL_AEAD_AES_128_GCM         ? EVP_aes_128_gcm()
                          : alg == CL_AEAD_AES_256_GCM       ? EVP_aes_256_gcm()
                          : alg == CL_AEAD_CHACHA20_POLY1305 ? EVP_chacha20_poly1305()
                                                             : EVP_aes_128_ccm();
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int outl = 0, finl = 0;
    assert_non_null(x);
    assert_int_equal(EVP_EncryptInit_ex(x, c, NULL, NULL, NULL), 1);
    assert_int_equal(EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL), 1);
    if (ccm) /* CCM: the tag's length before the key, the message's before the data */
        assert_int_equal(EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG, 16, NULL), 1);
    assert_int_equal(EVP_EncryptInit_ex(x, NULL, NULL, key, nonce), 1);
    if (ccm)
        assert_int_equal(EVP_EncryptUpdate(x, NULL, &outl, NULL, (int)len), 1);
    if (ad_len)
        assert_int_equal(EVP_EncryptUpdate(x, NULL, &outl, ad, (int)ad_len), 1);
    outl = 0;
    if (len || ccm)
        assert_int_equal(EVP_EncryptUpdate(x, ct, &outl, pt, (int)len), 1);
    assert_int_equal(EVP_EncryptFinal_ex(x, ct + outl, &finl), 1);
    assert_int_equal((size_t)(outl + finl), len);
    assert_int_equal(EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, 16, tag), 1);
    EVP_CIPHER_CTX_free(x);
}

static cl_aead *new_ctx(cl_aead_alg alg, int seal, const uint8_t *key)
{
    cl_aead *a = NULL;
    assert_int_equal(cl_aead_new(&a, alg, seal, key, cl_aead_key_len(alg)), 0);
    assert_non_null(a);
    return a;
}

/* ---- known answers ---- */

struct kat {
    cl_aead_alg alg;
    const char *name, *key, *nonce, *ad, *pt, *ct, *tag;
};

#define GCM_P                                                                                      \
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"                             \
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
#define GCM_A "feedfacedeadbeeffeedfacedeadbeefabaddad2"

static const struct kat kats[] = {
    {CL_AEAD_AES_128_GCM, "GCM test case 1", "00000000000000000000000000000000",
     "000000000000000000000000", "", "", "", "58e2fccefa7e3061367f1d57a4e7455a"},
    {CL_AEAD_AES_128_GCM, "GCM test case 2", "00000000000000000000000000000000",
     "000000000000000000000000", "", "00000000000000000000000000000000",
     "0388dace60b6a392f328c2b971b2fe78", "ab6e47d42cec13bdf53a67b21257bddf"},
    {CL_AEAD_AES_128_GCM, "GCM test case 3", "feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888", "", GCM_P "1aafd255",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
     "4d5c2af327cd64a62cf35abd2ba6fab4"},
    {CL_AEAD_AES_128_GCM, "GCM test case 4", "feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888", GCM_A, GCM_P,
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
     "5bc94fbc3221a5db94fae95ae7121a47"},
    {CL_AEAD_AES_256_GCM, "GCM test case 13",
     "0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000",
     "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    {CL_AEAD_AES_256_GCM, "GCM test case 14",
     "0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000",
     "", "00000000000000000000000000000000", "cea7403d4d606b6e074ec5d3baf39d18",
     "d0d1c8a799996bf0265b98b5d48ab919"},
    {CL_AEAD_AES_256_GCM, "GCM test case 15",
     "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "", GCM_P "1aafd255",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    {CL_AEAD_AES_256_GCM, "GCM test case 16",
     "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     GCM_A, GCM_P,
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
    /* RFC 8439 2.8.2: "Ladies and Gentlemen of the class of '99: If I could offer you only
     * one tip for the future, sunscreen would be it." */
    {CL_AEAD_CHACHA20_POLY1305, "RFC 8439 2.8.2",
     "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f", "070000004041424344454647",
     "50515253c0c1c2c3c4c5c6c7",
     "4c616469657320616e642047656e746c656d656e206f662074686520636c6173"
     "73206f66202739393a204966204920636f756c64206f6666657220796f75206f"
     "6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73"
     "637265656e20776f756c642062652069742e",
     "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
     "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
     "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
     "3ff4def08e4b7a9de576d26586cec64b6116",
     "1ae10b594f09e26a7e902ecbd0600691"},
};

static void test_known_answers(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
        const struct kat *k = &kats[i];
        size_t key_len, nonce_len, ad_len, pt_len, ct_len, tag_len;
        uint8_t *key = hex_decode(k->key, &key_len);
        uint8_t *nonce = hex_decode(k->nonce, &nonce_len);
        uint8_t *ad = hex_decode(k->ad, &ad_len);
        uint8_t *pt = hex_decode(k->pt, &pt_len);
        uint8_t *ct = hex_decode(k->ct, &ct_len);
        uint8_t *want_tag = hex_decode(k->tag, &tag_len);
        assert_int_equal(key_len, cl_aead_key_len(k->alg));
        assert_int_equal(nonce_len, CL_AEAD_NONCE_LEN);
        assert_int_equal(pt_len, ct_len);
        assert_int_equal(tag_len, CL_AEAD_TAG_LEN);

        uint8_t buf[128], tag[CL_AEAD_TAG_LEN];
        memcpy(buf, pt, pt_len);
        cl_aead *s, *o;
        assert_int_equal(cl_aead_new(&s, k->alg, 1, key, key_len), 0);
        assert_int_equal(cl_aead_seal(s, nonce, ad_len ? ad : NULL, ad_len, buf, pt_len, tag), 0);
        if (memcmp(buf, ct, ct_len) != 0) {
            hex_dump("got ", buf, ct_len);
            fail_msg("%s: ciphertext", k->name);
        }
        if (memcmp(tag, want_tag, CL_AEAD_TAG_LEN) != 0) {
            hex_dump("got ", tag, CL_AEAD_TAG_LEN);
            fail_msg("%s: tag", k->name);
        }

        assert_int_equal(cl_aead_new(&o, k->alg, 0, key, key_len), 0);
        assert_int_equal(cl_aead_open(o, nonce, ad_len ? ad : NULL, ad_len, buf, ct_len, want_tag),
                         0);
        if (memcmp(buf, pt, pt_len) != 0)
            fail_msg("%s: open did not give the plaintext", k->name);

        cl_aead_free(s);
        cl_aead_free(o);
        free(key);
        free(nonce);
        free(ad);
        free(pt);
        free(ct);
        free(want_tag);
    }
}

/* ---- round trips ---- */

static void test_round_trip(void **state)
{
    (void)state;
    static const size_t lens[] = {0, 1, 15, 16, 17, 63, 64, 65, 255, 1000, 16384 + 256};
    static const size_t ad_lens[] = {0, 1, 5, 13, 16, 17, 100};
    static uint8_t pt[16384 + 256], buf[16384 + 256 + 16], want[16384 + 256];
    for (size_t a = 0; a < NALGS; a++) {
        cl_aead_alg alg = all_algs[a];
        uint8_t key[32], nonce[12], ad[100];
        random_bytes(key, sizeof(key));
        cl_aead *s = new_ctx(alg, 1, key), *o = new_ctx(alg, 0, key);
        for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
            for (size_t d = 0; d < sizeof(ad_lens) / sizeof(ad_lens[0]); d++) {
                size_t len = lens[l], ad_len = ad_lens[d];
                uint8_t tag[16], want_tag[16];
                random_bytes(nonce, sizeof(nonce));
                random_bytes(ad, sizeof(ad));
                random_bytes(pt, len);
                memcpy(buf, pt, len);
                memset(buf + len, 0xa5, 16);
                assert_int_equal(cl_aead_seal(s, nonce, ad, ad_len, buf, len, tag), 0);
                for (size_t j = len; j < len + 16; j++)
                    assert_int_equal(buf[j], 0xa5); /* in place: nothing past len */
                oracle_seal(alg, key, nonce, ad, ad_len, pt, len, want, want_tag);
                if (memcmp(buf, want, len) != 0 || memcmp(tag, want_tag, 16) != 0)
                    fail_msg("%s len %zu ad %zu: seal differs from libcrypto", alg_names[a], len,
                             ad_len);
                if (len >= 16 && memcmp(buf, pt, len) == 0)
                    fail_msg("seal did not encrypt");
                assert_int_equal(cl_aead_open(o, nonce, ad, ad_len, buf, len, tag), 0);
                assert_memory_equal(buf, pt, len);
            }
        }
        cl_aead_free(s);
        cl_aead_free(o);
    }
    cl_aead_free(NULL);
}

/* ---- tampering ---- */

static void test_any_bit_flip_fails(void **state)
{
    (void)state;
    enum { LEN = 41, AD_LEN = 13 };
    for (size_t a = 0; a < NALGS; a++) {
        cl_aead_alg alg = all_algs[a];
        uint8_t key[32], nonce[12], ad[AD_LEN], pt[LEN], ct[LEN], tag[16];
        random_bytes(key, sizeof(key));
        random_bytes(nonce, sizeof(nonce));
        random_bytes(ad, sizeof(ad));
        random_bytes(pt, sizeof(pt));
        memcpy(ct, pt, LEN);
        cl_aead *s = new_ctx(alg, 1, key), *o = new_ctx(alg, 0, key);
        assert_int_equal(cl_aead_seal(s, nonce, ad, AD_LEN, ct, LEN, tag), 0);

        /* where the flipped bit goes: 0 ciphertext, 1 additional data, 2 tag, 3 nonce */
        static const size_t sizes[4] = {LEN, AD_LEN, 16, 12};
        for (int where = 0; where < 4; where++) {
            for (size_t bit = 0; bit < sizes[where] * 8; bit++) {
                uint8_t b[LEN], ad2[AD_LEN], tag2[16], nonce2[12];
                memcpy(b, ct, LEN);
                memcpy(ad2, ad, AD_LEN);
                memcpy(tag2, tag, 16);
                memcpy(nonce2, nonce, 12);
                uint8_t *target = where == 0 ? b : where == 1 ? ad2 : where == 2 ? tag2 : nonce2;
                target[bit / 8] ^= (uint8_t)(1u << (bit % 8));
                int rc = cl_aead_open(o, nonce2, ad2, AD_LEN, b, LEN, tag2);
                if (rc != CLASP_ERR_BAD_RECORD_MAC)
                    fail_msg("%s: flip of bit %zu in part %d: open returned %d", alg_names[a], bit,
                             where, rc);
                assert_zero(b, LEN);
            }
        }
        /* a shorter additional data, or none, fails too */
        uint8_t b[LEN];
        memcpy(b, ct, LEN);
        assert_int_equal(cl_aead_open(o, nonce, ad, AD_LEN - 1, b, LEN, tag),
                         CLASP_ERR_BAD_RECORD_MAC);
        assert_zero(b, LEN);
        memcpy(b, ct, LEN);
        assert_int_equal(cl_aead_open(o, nonce, NULL, 0, b, LEN, tag), CLASP_ERR_BAD_RECORD_MAC);
        assert_zero(b, LEN);
        /* a truncated ciphertext fails */
        memcpy(b, ct, LEN);
        assert_int_equal(cl_aead_open(o, nonce, ad, AD_LEN, b, LEN - 1, tag),
                         CLASP_ERR_BAD_RECORD_MAC);
        assert_zero(b, LEN - 1);

        /* after all those failures the same context still opens the real record */
        memcpy(b, ct, LEN);
        assert_int_equal(cl_aead_open(o, nonce, ad, AD_LEN, b, LEN, tag), 0);
        assert_memory_equal(b, pt, LEN);
        cl_aead_free(s);
        cl_aead_free(o);
    }
}

static void test_empty_plaintext(void **state)
{
    (void)state;
    for (size_t a = 0; a < NALGS; a++) {
        cl_aead_alg alg = all_algs[a];
        uint8_t key[32], nonce[12], ad[5], tag[16], want_tag[16], dummy[1] = {0x77}, none[1];
        random_bytes(key, sizeof(key));
        random_bytes(nonce, sizeof(nonce));
        random_bytes(ad, sizeof(ad));
        cl_aead *s = new_ctx(alg, 1, key), *o = new_ctx(alg, 0, key);
        for (size_t ad_len = 0; ad_len <= sizeof(ad); ad_len += sizeof(ad)) {
            assert_int_equal(cl_aead_seal(s, nonce, ad, ad_len, dummy, 0, tag), 0);
            assert_int_equal(dummy[0], 0x77);
            oracle_seal(alg, key, nonce, ad, ad_len, none, 0, none, want_tag);
            assert_memory_equal(tag, want_tag, 16);
            assert_int_equal(cl_aead_open(o, nonce, ad, ad_len, dummy, 0, tag), 0);
            /* the tag alone still authenticates: any flipped bit fails */
            for (size_t bit = 0; bit < 128; bit++) {
                uint8_t t2[16];
                memcpy(t2, tag, 16);
                t2[bit / 8] ^= (uint8_t)(1u << (bit % 8));
                assert_int_equal(cl_aead_open(o, nonce, ad, ad_len, dummy, 0, t2),
                                 CLASP_ERR_BAD_RECORD_MAC);
            }
            uint8_t n2[12];
            memcpy(n2, nonce, 12);
            n2[11] ^= 1;
            assert_int_equal(cl_aead_open(o, n2, ad, ad_len, dummy, 0, tag),
                             CLASP_ERR_BAD_RECORD_MAC);
            assert_int_equal(dummy[0], 0x77);
        }
        cl_aead_free(s);
        cl_aead_free(o);
    }
}

/* ---- context reuse ---- */

static void test_context_reuse(void **state)
{
    (void)state;
    enum { RECORDS = 1000 };
    for (size_t a = 0; a < NALGS; a++) {
        cl_aead_alg alg = all_algs[a];
        uint8_t key[32], iv[12];
        random_bytes(key, sizeof(key));
        random_bytes(iv, sizeof(iv));
        cl_aead *s = new_ctx(alg, 1, key), *o = new_ctx(alg, 0, key);
        for (uint64_t seq = 0; seq < RECORDS; seq++) {
            /* the TLS 1.3 per-record nonce: iv xor the padded sequence number */
            uint8_t nonce[12], ad[5], pt[300], b1[300], b2[300], t1[16], t2[16];
            memcpy(nonce, iv, 12);
            for (int i = 0; i < 8; i++)
                nonce[11 - i] ^= (uint8_t)(seq >> (8 * i));
            size_t len = (size_t)(seq * 37 % 300);
            ad[0] = 0x17;
            ad[1] = 0x03;
            ad[2] = 0x03;
            ad[3] = (uint8_t)((len + 16) >> 8);
            ad[4] = (uint8_t)(len + 16);
            random_bytes(pt, len);
            memcpy(b1, pt, len);
            memcpy(b2, pt, len);

            /* the long-lived context and a fresh one agree */
            assert_int_equal(cl_aead_seal(s, nonce, ad, 5, b1, len, t1), 0);
            cl_aead *fresh = new_ctx(alg, 1, key);
            assert_int_equal(cl_aead_seal(fresh, nonce, ad, 5, b2, len, t2), 0);
            cl_aead_free(fresh);
            if (memcmp(b1, b2, len) != 0 || memcmp(t1, t2, 16) != 0)
                fail_msg("%s record %llu: reused context differs from a fresh one", alg_names[a],
                         (unsigned long long)seq);

            /* and so do the opening side's */
            assert_int_equal(cl_aead_open(o, nonce, ad, 5, b1, len, t1), 0);
            assert_memory_equal(b1, pt, len);
            fresh = new_ctx(alg, 0, key);
            assert_int_equal(cl_aead_open(fresh, nonce, ad, 5, b2, len, t2), 0);
            assert_memory_equal(b2, pt, len);
            cl_aead_free(fresh);

            /* every 100th record, a forged one in between must not disturb the context */
            if (seq % 100 == 99) {
                t1[0] ^= 1;
                assert_int_equal(cl_aead_open(o, nonce, ad, 5, b1, len, t1),
                                 CLASP_ERR_BAD_RECORD_MAC);
            }
        }
        cl_aead_free(s);
        cl_aead_free(o);
    }
}

/* ---- misuse ---- */

static void test_bad_keys(void **state)
{
    (void)state;
    uint8_t key[64] = {0};
    assert_int_equal(cl_aead_key_len(CL_AEAD_AES_128_GCM), 16);
    assert_int_equal(cl_aead_key_len(CL_AEAD_AES_256_GCM), 32);
    assert_int_equal(cl_aead_key_len(CL_AEAD_CHACHA20_POLY1305), 32);
    assert_int_equal(cl_aead_key_len(CL_AEAD_AES_128_CCM), 16);
    static const size_t bad[] = {0, 1, 15, 16, 17, 24, 31, 32, 33, 64};
    for (size_t a = 0; a < NALGS; a++) {
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            if (bad[i] == cl_aead_key_len(all_algs[a]))
                continue;
            for (int seal = 0; seal <= 1; seal++) {
                static int sentinel;
                cl_aead *ctx = (cl_aead *)&sentinel; /* must stay untouched */
                if (cl_aead_new(&ctx, all_algs[a], seal, key, bad[i]) != CLASP_ERR_INVALID_ARG)
                    fail_msg("%s accepted a %zu-byte key", alg_names[a], bad[i]);
                assert_ptr_equal(ctx, (cl_aead *)&sentinel);
            }
        }
    }
    /* an algorithm that does not exist */
    cl_aead *ctx = NULL;
    assert_int_equal(cl_aead_new(&ctx, (cl_aead_alg)CL_AEAD_COUNT, 1, key, 16),
                     CLASP_ERR_INVALID_ARG);
    assert_int_equal(cl_aead_new(&ctx, (cl_aead_alg)-1, 1, key, 32), CLASP_ERR_INVALID_ARG);
    assert_null(ctx);
}

static void test_direction(void **state)
{
    (void)state;
    for (size_t a = 0; a < NALGS; a++) {
        cl_aead_alg alg = all_algs[a];
        uint8_t key[32], nonce[12] = {0}, buf[32], tag[16];
        random_bytes(key, sizeof(key));
        random_bytes(buf, sizeof(buf));
        cl_aead *s = new_ctx(alg, 1, key), *o = new_ctx(alg, 0, key);

        /* a sealing context cannot open, even a record it sealed */
        uint8_t copy[32];
        assert_int_equal(cl_aead_seal(s, nonce, NULL, 0, buf, sizeof(buf), tag), 0);
        memcpy(copy, buf, sizeof(buf));
        assert_int_equal(cl_aead_open(s, nonce, NULL, 0, buf, sizeof(buf), tag),
                         CLASP_ERR_INVALID_ARG);
        assert_memory_equal(buf, copy, sizeof(buf));

        /* an opening context cannot seal */
        uint8_t tag2[16];
        memcpy(tag2, tag, 16);
        assert_int_equal(cl_aead_seal(o, nonce, NULL, 0, buf, sizeof(buf), tag2),
                         CLASP_ERR_INVALID_ARG);
        assert_memory_equal(buf, copy, sizeof(buf));
        assert_memory_equal(tag2, tag, 16);

        /* both still work in their own direction */
        assert_int_equal(cl_aead_open(o, nonce, NULL, 0, buf, sizeof(buf), tag), 0);
        cl_aead_free(s);
        cl_aead_free(o);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answers),      cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_any_bit_flip_fails), cmocka_unit_test(test_empty_plaintext),
        cmocka_unit_test(test_context_reuse),      cmocka_unit_test(test_bad_keys),
        cmocka_unit_test(test_direction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
