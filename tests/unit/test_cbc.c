/*
 * AES-CBC without padding (src/crypto/cbc.c): NIST SP 800-38A F.2.1 and F.2.5 (CBC-AES128
 * and CBC-AES256, encryption and decryption), a context reused under fresh IVs against
 * libcrypto's own AES-CBC, and the refusals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include <clasp/errors.h>

#include "crypto/crypto.h"
#include "testutil.h"

static const char *const sp800_38a_pt = "6bc1bee22e409f96e93d7e117393172a"
                                        "ae2d8a571e03ac9c9eb76fac45af8e51"
                                        "30c81c46a35ce411e5fbc1191a0a52ef"
                                        "f69f2445df4f9b17ad2b417be66c3710";

static const struct {
    cl_cbc_alg alg;
    const char *key, *ct;
} sp800_38a[] = {
    {CL_CBC_AES_128, "2b7e151628aed2a6abf7158809cf4f3c",
     "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
     "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7"},
    {CL_CBC_AES_256, "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
     "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
     "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b"},
};

static const uint8_t sp800_38a_iv[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

static void test_sp800_38a(void **state)
{
    (void)state;
    size_t pt_len, key_len, ct_len;
    uint8_t *pt = hex_decode(sp800_38a_pt, &pt_len);
    for (size_t i = 0; i < 2; i++) {
        uint8_t *key = hex_decode(sp800_38a[i].key, &key_len);
        uint8_t *ct = hex_decode(sp800_38a[i].ct, &ct_len);
        uint8_t buf[64];
        cl_cbc *enc, *dec;
        assert_int_equal(key_len, cl_cbc_key_len(sp800_38a[i].alg));
        assert_int_equal(cl_cbc_new(&enc, sp800_38a[i].alg, 1, key, key_len), 0);
        assert_int_equal(cl_cbc_new(&dec, sp800_38a[i].alg, 0, key, key_len), 0);
        memcpy(buf, pt, pt_len);
        assert_int_equal(cl_cbc_crypt(enc, sp800_38a_iv, buf, pt_len), 0);
        assert_memory_equal(buf, ct, ct_len);
        assert_int_equal(cl_cbc_crypt(dec, sp800_38a_iv, buf, ct_len), 0);
        assert_memory_equal(buf, pt, pt_len);
        /* No padding: the last block decrypts like any other, nothing held back. */
        assert_int_equal(cl_cbc_crypt(dec, sp800_38a_iv, memcpy(buf, ct, 16), 16), 0);
        assert_memory_equal(buf, pt, 16);
        cl_cbc_free(enc);
        cl_cbc_free(dec);
        free(key);
        free(ct);
    }
    free(pt);
}

/* libcrypto's AES-CBC (padding off) over many lengths and IVs, one clasp context each way. */
static void test_against_libcrypto(void **state)
{
    (void)state;
    static uint8_t pt[4096], got[4096], want[4096];
    uint8_t key[32], iv[16];
    for (size_t i = 0; i < sizeof(pt); i++)
        pt[i] = (uint8_t)(i * 13 + 7);
    for (int a = 0; a < 2; a++) {
        cl_cbc_alg alg = a ? CL_CBC_AES_256 : CL_CBC_AES_128;
        const EVP_CIPHER *cipher = a ? EVP_aes_256_cbc() : EVP_aes_128_cbc();
        for (size_t i = 0; i < sizeof(key); i++)
            key[i] = (uint8_t)(i + 40 * a);
        cl_cbc *enc, *dec;
        assert_int_equal(cl_cbc_new(&enc, alg, 1, key, cl_cbc_key_len(alg)), 0);
        assert_int_equal(cl_cbc_new(&dec, alg, 0, key, cl_cbc_key_len(alg)), 0);
        for (size_t len = 0; len <= sizeof(pt); len += 16 * (len < 256 ? 1 : 61)) {
            for (size_t i = 0; i < sizeof(iv); i++)
                iv[i] = (uint8_t)(len + i);
            EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
            int outl = 0;
            assert_int_equal(EVP_EncryptInit_ex(ctx, cipher, NULL, key, iv), 1);
            assert_int_equal(EVP_CIPHER_CTX_set_padding(ctx, 0), 1);
            assert_int_equal(EVP_EncryptUpdate(ctx, want, &outl, pt, (int)len), 1);
            EVP_CIPHER_CTX_free(ctx);
            memcpy(got, pt, len);
            assert_int_equal(cl_cbc_crypt(enc, iv, got, len), 0);
            assert_memory_equal(got, want, len);
            assert_int_equal(cl_cbc_crypt(dec, iv, got, len), 0);
            assert_memory_equal(got, pt, len);
        }
        cl_cbc_free(enc);
        cl_cbc_free(dec);
    }
}

static void test_refusals(void **state)
{
    (void)state;
    uint8_t key[32] = {0}, buf[32] = {0};
    cl_cbc *c = NULL;
    assert_int_equal(cl_cbc_new(&c, CL_CBC_AES_128, 1, key, 32), CLASP_ERR_INVALID_ARG);
    assert_int_equal(cl_cbc_new(&c, CL_CBC_AES_256, 1, key, 16), CLASP_ERR_INVALID_ARG);
    assert_int_equal(cl_cbc_new(&c, (cl_cbc_alg)2, 1, key, 16), CLASP_ERR_INVALID_ARG);
    assert_int_equal(cl_cbc_new(&c, CL_CBC_AES_128, 1, key, 16), 0);
    assert_int_equal(cl_cbc_crypt(c, sp800_38a_iv, buf, 17), CLASP_ERR_INVALID_ARG);
    assert_int_equal(cl_cbc_crypt(c, sp800_38a_iv, buf, 15), CLASP_ERR_INVALID_ARG);
    cl_cbc_free(c);
    cl_cbc_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sp800_38a),
        cmocka_unit_test(test_against_libcrypto),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
