/*
 * The KDFs clasp writes itself (src/crypto/kdf.c): HKDF, HKDF-Expand-Label and the TLS 1.2
 * PRF.
 *
 * Known answers: HKDF from RFC 5869 appendix A.1-A.3; the TLS 1.2 P_SHA256 vector posted to
 * the IETF TLS list (https://www.ietf.org/mail-archive/web/tls/current/msg03416.html), as
 * carried by BearSSL's test_crypto.c and others, and checked here against libcrypto too.
 * Oracles: libcrypto's own EVP_KDFs "HKDF", "TLS13-KDF" and "TLS1-PRF", which share no code
 * with clasp's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <clasp/clasp.h>

#include "crypto/crypto.h"
#include "kdf_oracle.h"
#include "testutil.h"

#define CANARY 0xa5

static const cl_hash_alg tls_algs[] = {CL_HASH_SHA256, CL_HASH_SHA384};

static uint8_t *unhex(const char *hex, size_t *len)
{
    return hex_decode(hex, len);
}

static void assert_eq_hex(const char *what, const uint8_t *got, size_t n, const char *hex)
{
    size_t want_len;
    uint8_t *want = unhex(hex, &want_len);
    if (want_len != n || memcmp(got, want, n) != 0) {
        hex_dump("got ", got, n);
        hex_dump("want", want, want_len);
        free(want);
        fail_msg("%s: mismatch", what);
    }
    free(want);
}

static void assert_same(const char *what, const uint8_t *got, const uint8_t *want, size_t n)
{
    if (memcmp(got, want, n) != 0) {
        hex_dump("clasp   ", got, n);
        hex_dump("libcrypto", want, n);
        fail_msg("%s: differs from libcrypto", what);
    }
}

static void random_bytes(uint8_t *p, size_t n)
{
    if (n)
        assert_int_equal(RAND_bytes(p, (int)n), 1);
}

/* ---- HKDF: RFC 5869 appendix A ---- */

static void test_hkdf_rfc5869(void **state)
{
    (void)state;
    static const struct {
        const char *ikm, *salt, *info, *prk, *okm;
        size_t l;
    } v[] = {
        /* A.1 test case 1 */
        {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c",
         "f0f1f2f3f4f5f6f7f8f9", "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
         "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
         42},
        /* A.2 test case 2: longer inputs and outputs */
        {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
         "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
         "404142434445464748494a4b4c4d4e4f",
         "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
         "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
         "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
         "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
         "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
         "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
         "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
         "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
         "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
         "cc30c58179ec3e87c14c01d5c1f3434f1d87",
         82},
        /* A.3 test case 3: zero-length salt and info */
        {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "",
         "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
         "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
         42},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        size_t ikm_len, salt_len, info_len;
        uint8_t *ikm = unhex(v[i].ikm, &ikm_len);
        uint8_t *salt = unhex(v[i].salt, &salt_len);
        uint8_t *info = unhex(v[i].info, &info_len);
        uint8_t prk[32], okm[100 + 8];
        char what[64];

        snprintf(what, sizeof(what), "RFC 5869 case %zu PRK", i + 1);
        assert_int_equal(cl_hkdf_extract(CL_HASH_SHA256, salt, salt_len, ikm, ikm_len, prk), 0);
        assert_eq_hex(what, prk, 32, v[i].prk);

        memset(okm, CANARY, sizeof(okm));
        snprintf(what, sizeof(what), "RFC 5869 case %zu OKM", i + 1);
        assert_int_equal(cl_hkdf_expand(CL_HASH_SHA256, prk, 32, info, info_len, okm, v[i].l), 0);
        assert_eq_hex(what, okm, v[i].l, v[i].okm);
        for (size_t j = v[i].l; j < sizeof(okm); j++)
            assert_int_equal(okm[j], CANARY);

        if (salt_len == 0) {
            /* RFC 5869 2.2: no salt means HashLen zeros, which HMAC treats as the empty
             * key; clasp's NULL salt means the former */
            memset(prk, 0, sizeof(prk));
            assert_int_equal(cl_hkdf_extract(CL_HASH_SHA256, NULL, 0, ikm, ikm_len, prk), 0);
            assert_eq_hex("RFC 5869 case 3 PRK, NULL salt", prk, 32, v[i].prk);
            static const uint8_t zeros[32];
            assert_int_equal(cl_hkdf_extract(CL_HASH_SHA256, zeros, 32, ikm, ikm_len, prk), 0);
            assert_eq_hex("RFC 5869 case 3 PRK, 32 zero bytes of salt", prk, 32, v[i].prk);
            /* and a NULL info */
            assert_int_equal(cl_hkdf_expand(CL_HASH_SHA256, prk, 32, NULL, 0, okm, v[i].l), 0);
            assert_eq_hex("RFC 5869 case 3 OKM, NULL info", okm, v[i].l, v[i].okm);
        }
        free(ikm);
        free(salt);
        free(info);
    }
}

static void test_hkdf_expand_limits(void **state)
{
    (void)state;
    for (size_t a = 0; a < 2; a++) {
        cl_hash_alg alg = tls_algs[a];
        size_t h = cl_hash_len(alg), max = 255 * h;
        uint8_t prk[48], info[20];
        random_bytes(prk, sizeof(prk));
        random_bytes(info, sizeof(info));
        uint8_t *out = malloc(max + 16), *want = malloc(max);
        assert_non_null(out);
        assert_non_null(want);

        /* 255 * HashLen: the last block counter is 255 */
        memset(out, CANARY, max + 16);
        assert_int_equal(cl_hkdf_expand(alg, prk, h, info, sizeof(info), out, max), 0);
        oracle_hkdf_expand(alg, prk, h, info, sizeof(info), want, max);
        assert_same("HKDF-Expand of 255 * HashLen", out, want, max);
        for (size_t j = max; j < max + 16; j++)
            assert_int_equal(out[j], CANARY);

        /* one byte more is refused, before anything is written */
        memset(out, CANARY, max + 16);
        assert_int_equal(cl_hkdf_expand(alg, prk, h, info, sizeof(info), out, max + 1),
                         CLASP_ERR_INVALID_ARG);
        for (size_t j = 0; j < max + 16; j++)
            assert_int_equal(out[j], CANARY);
        assert_int_equal(cl_hkdf_expand(alg, prk, h, info, sizeof(info), out, SIZE_MAX),
                         CLASP_ERR_INVALID_ARG);

        /* every length up to a few blocks, against libcrypto */
        for (size_t n = 1; n <= 3 * h + 1; n++) {
            assert_int_equal(cl_hkdf_expand(alg, prk, h, info, sizeof(info), out, n), 0);
            oracle_hkdf_expand(alg, prk, h, info, sizeof(info), want, n);
            assert_same("HKDF-Expand", out, want, n);
        }
        /* zero bytes: nothing written */
        out[0] = CANARY;
        assert_int_equal(cl_hkdf_expand(alg, prk, h, info, sizeof(info), out, 0), 0);
        assert_int_equal(out[0], CANARY);
        free(out);
        free(want);
    }
}

/* ---- HKDF-Expand-Label ---- */

static void test_expand_label_oracle(void **state)
{
    (void)state;
    char long_label[250];
    memset(long_label, 'x', 249); /* "tls13 " + 249 bytes: the 255-byte maximum */
    long_label[249] = '\0';
    const char *labels[] = {"key",          "iv",           "finished",   "derived",
                            "c hs traffic", "s ap traffic", "exp master", "res binder",
                            "ext binder",   "traffic upd",  "resumption", "k",
                            long_label};
    static const size_t ctx_lens[] = {0, 1, 32, 48, 64, 255};
    static const size_t out_lens[] = {1, 12, 16, 32, 48, 64, 100, 1000};
    uint8_t context[255], secret[64];
    random_bytes(context, sizeof(context));
    for (size_t a = 0; a < 2; a++) {
        cl_hash_alg alg = tls_algs[a];
        size_t h = cl_hash_len(alg);
        const size_t secret_lens[] = {h, 1, 64};
        for (size_t s = 0; s < 3; s++) {
            random_bytes(secret, sizeof(secret));
            for (size_t l = 0; l < sizeof(labels) / sizeof(labels[0]); l++) {
                for (size_t c = 0; c < sizeof(ctx_lens) / sizeof(ctx_lens[0]); c++) {
                    for (size_t o = 0; o < sizeof(out_lens) / sizeof(out_lens[0]); o++) {
                        uint8_t got[1000 + 8], want[1000];
                        size_t n = out_lens[o];
                        memset(got, CANARY, sizeof(got));
                        int rc =
                            cl_hkdf_expand_label(alg, secret, secret_lens[s], labels[l],
                                                 ctx_lens[c] ? context : NULL, ctx_lens[c], got, n);
                        if (rc != 0)
                            fail_msg("expand_label(%s, label %zu bytes, ctx %zu, out %zu) = %d",
                                     oracle_md_name(alg), strlen(labels[l]), ctx_lens[c], n, rc);
                        oracle_expand_label(alg, secret, secret_lens[s], labels[l], context,
                                            ctx_lens[c], want, n);
                        if (memcmp(got, want, n) != 0)
                            fail_msg("expand_label(%s, \"%.20s\", ctx %zu, out %zu) differs "
                                     "from libcrypto",
                                     oracle_md_name(alg), labels[l], ctx_lens[c], n);
                        for (size_t j = n; j < sizeof(got); j++)
                            assert_int_equal(got[j], CANARY);
                    }
                }
            }
        }
    }
}

static void test_expand_label_limits(void **state)
{
    (void)state;
    uint8_t secret[32] = {1}, context[256] = {2}, out[64];
    char label[400];
    /* 249 bytes of label is the most: "tls13 " + 249 = 255 */
    memset(label, 'a', sizeof(label));
    label[249] = '\0';
    assert_int_equal(cl_hkdf_expand_label(CL_HASH_SHA256, secret, 32, label, NULL, 0, out, 32), 0);
    label[249] = 'a';
    label[250] = '\0'; /* 256 bytes with the prefix */
    memset(out, CANARY, sizeof(out));
    assert_int_equal(cl_hkdf_expand_label(CL_HASH_SHA256, secret, 32, label, NULL, 0, out, 32),
                     CLASP_ERR_INVALID_ARG);
    for (size_t j = 0; j < sizeof(out); j++)
        assert_int_equal(out[j], CANARY);
    label[399] = '\0'; /* far beyond: longer than the whole HkdfLabel buffer */
    assert_int_equal(cl_hkdf_expand_label(CL_HASH_SHA384, secret, 32, label, NULL, 0, out, 32),
                     CLASP_ERR_INVALID_ARG);

    /* context: 255 bytes is the most */
    assert_int_equal(cl_hkdf_expand_label(CL_HASH_SHA256, secret, 32, "key", context, 255, out, 16),
                     0);
    assert_int_equal(cl_hkdf_expand_label(CL_HASH_SHA256, secret, 32, "key", context, 256, out, 16),
                     CLASP_ERR_INVALID_ARG);
    /* both at their maximum at once */
    label[249] = '\0';
    assert_int_equal(cl_hkdf_expand_label(CL_HASH_SHA384, secret, 32, label, context, 255, out, 48),
                     0);

    /* the output length: at most 255 * HashLen */
    uint8_t *big = malloc(255 * 48 + 1);
    assert_non_null(big);
    assert_int_equal(
        cl_hkdf_expand_label(CL_HASH_SHA256, secret, 32, "key", NULL, 0, big, 255 * 32), 0);
    assert_int_equal(
        cl_hkdf_expand_label(CL_HASH_SHA256, secret, 32, "key", NULL, 0, big, 255 * 32 + 1),
        CLASP_ERR_INVALID_ARG);
    assert_int_equal(
        cl_hkdf_expand_label(CL_HASH_SHA384, secret, 32, "key", NULL, 0, big, 255 * 48), 0);
    assert_int_equal(
        cl_hkdf_expand_label(CL_HASH_SHA384, secret, 32, "key", NULL, 0, big, 255 * 48 + 1),
        CLASP_ERR_INVALID_ARG);
    assert_int_equal(cl_hkdf_expand_label(CL_HASH_SHA384, secret, 32, "key", NULL, 0, big, 0x10000),
                     CLASP_ERR_INVALID_ARG);
    free(big);
}

/* ---- TLS 1.2 PRF ---- */

static void test_prf_published_vector(void **state)
{
    (void)state;
    static const char want_hex[] =
        "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a"
        "6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab"
        "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701"
        "87347b66";
    size_t secret_len, seed_len;
    uint8_t *secret = unhex("9bbe436ba940f017b17652849a71db35", &secret_len);
    uint8_t *seed = unhex("a0ba9f936cda311827a6f796ffd5198c", &seed_len);
    uint8_t out[100 + 8], want[100];

    memset(out, CANARY, sizeof(out));
    assert_int_equal(
        cl_tls12_prf(CL_HASH_SHA256, secret, secret_len, "test label", seed, seed_len, out, 100),
        0);
    assert_eq_hex("P_SHA256 published vector", out, 100, want_hex);
    for (size_t j = 100; j < sizeof(out); j++)
        assert_int_equal(out[j], CANARY);

    /* the constant itself, checked against libcrypto */
    oracle_prf(CL_HASH_SHA256, secret, secret_len, "test label", seed, seed_len, NULL, 0, want,
               100);
    assert_eq_hex("libcrypto on the published vector", want, 100, want_hex);

    /* every prefix length gives the prefix */
    for (size_t n = 0; n <= 100; n++) {
        memset(out, CANARY, sizeof(out));
        assert_int_equal(
            cl_tls12_prf(CL_HASH_SHA256, secret, secret_len, "test label", seed, seed_len, out, n),
            0);
        assert_memory_equal(out, want, n);
        assert_int_equal(out[n], CANARY);
    }
    free(secret);
    free(seed);
}

static void test_prf_oracle(void **state)
{
    (void)state;
    static const size_t out_lens[] = {0, 1, 12, 32, 47, 48, 100, 104, 1000};
    static const size_t secret_lens[] = {0, 1, 48, 200};
    static const size_t seed_lens[] = {0, 13, 64};
    static const char *labels[] = {"key expansion", "client finished", "x"};
    uint8_t secret[200], seed[64];
    for (size_t a = 0; a < 2; a++) {
        cl_hash_alg alg = tls_algs[a];
        for (size_t s = 0; s < sizeof(secret_lens) / sizeof(secret_lens[0]); s++) {
            for (size_t d = 0; d < sizeof(seed_lens) / sizeof(seed_lens[0]); d++) {
                random_bytes(secret, sizeof(secret));
                random_bytes(seed, sizeof(seed));
                const char *label = labels[(s + d) % 3];
                for (size_t o = 0; o < sizeof(out_lens) / sizeof(out_lens[0]); o++) {
                    size_t n = out_lens[o];
                    uint8_t got[1000 + 16], want[1000];
                    memset(got, CANARY, sizeof(got));
                    assert_int_equal(cl_tls12_prf(alg, secret, secret_lens[s], label, seed,
                                                  seed_lens[d], got, n),
                                     0);
                    for (size_t j = n; j < sizeof(got); j++)
                        assert_int_equal(got[j], CANARY);
                    if (n == 0)
                        continue; /* libcrypto refuses a zero-length output */
                    oracle_prf(alg, secret, secret_lens[s], label, seed, seed_lens[d], NULL, 0,
                               want, n);
                    if (memcmp(got, want, n) != 0) {
                        hex_dump("secret", secret, secret_lens[s]);
                        hex_dump("seed", seed, seed_lens[d]);
                        fail_msg("PRF %s secret %zu seed %zu label \"%s\" out %zu differs from "
                                 "libcrypto",
                                 oracle_md_name(alg), secret_lens[s], seed_lens[d], label, n);
                    }
                }
            }
        }
    }
}

static void test_prf_master_secrets(void **state)
{
    (void)state;
    for (size_t a = 0; a < 2; a++) {
        cl_hash_alg alg = tls_algs[a];
        for (int round = 0; round < 8; round++) {
            uint8_t pms[48], randoms[64], got[48], want[48];
            random_bytes(pms, sizeof(pms));
            random_bytes(randoms, sizeof(randoms));

            /* RFC 5246 8.1: master_secret = PRF(pre_master_secret, "master secret",
             * ClientHello.random + ServerHello.random)[0..47] */
            assert_int_equal(
                cl_tls12_prf(alg, pms, sizeof(pms), "master secret", randoms, 64, got, 48), 0);
            oracle_prf(alg, pms, sizeof(pms), "master secret", randoms, 32, randoms + 32, 32, want,
                       48);
            assert_same("master secret", got, want, 48);

            /* RFC 7627 4: PRF(pre_master_secret, "extended master secret",
             * session_hash)[0..47], session_hash = Hash(handshake_messages) */
            uint8_t transcript[700], session_hash[48];
            random_bytes(transcript, sizeof(transcript));
            assert_int_equal(cl_hash(alg, transcript, sizeof(transcript), session_hash), 0);
            size_t h = cl_hash_len(alg);
            assert_int_equal(cl_tls12_prf(alg, pms, sizeof(pms), "extended master secret",
                                          session_hash, h, got, 48),
                             0);
            oracle_prf(alg, pms, sizeof(pms), "extended master secret", session_hash, h, NULL, 0,
                       want, 48);
            assert_same("extended master secret", got, want, 48);

            /* RSA key exchange premaster: 2 version bytes + 46 random, same computation */
            pms[0] = 0x03;
            pms[1] = 0x03;
            assert_int_equal(
                cl_tls12_prf(alg, pms, sizeof(pms), "master secret", randoms, 64, got, 48), 0);
            oracle_prf(alg, pms, sizeof(pms), "master secret", randoms, 64, NULL, 0, want, 48);
            assert_same("master secret (RSA premaster)", got, want, 48);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hkdf_rfc5869),         cmocka_unit_test(test_hkdf_expand_limits),
        cmocka_unit_test(test_expand_label_oracle),  cmocka_unit_test(test_expand_label_limits),
        cmocka_unit_test(test_prf_published_vector), cmocka_unit_test(test_prf_oracle),
        cmocka_unit_test(test_prf_master_secrets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
