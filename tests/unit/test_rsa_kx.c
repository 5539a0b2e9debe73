/*
 * RSA key exchange: PKCS#1 v1.5 encryption of the pre-master secret, and its decryption with
 * implicit rejection (RFC 5246 7.4.7.1). Blocks with chosen bad padding are built here and
 * encrypted raw (RSA_NO_PADDING), so every kind of bad plaintext reaches the server side.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <clasp/errors.h>

#include "crypto/crypto.h"

#define K 256 /* modulus bytes of RSA-2048 */

static EVP_PKEY *rsa_key, *ec_key, *pss_key;
static cl_pubkey *pub, *ec_pub, *pss_pub;
static cl_privkey *priv, *ec_priv, *pss_priv;

static cl_pubkey *load_pub(EVP_PKEY *pkey)
{
    unsigned char *der = NULL;
    int len = i2d_PUBKEY(pkey, &der);
    cl_pubkey *k = NULL;
    if (len <= 0 || cl_pubkey_from_spki(&k, der, (size_t)len) != 0)
        k = NULL;
    OPENSSL_free(der);
    return k;
}

static cl_privkey *load_priv(EVP_PKEY *pkey)
{
    OSSL_ENCODER_CTX *ctx =
        OSSL_ENCODER_CTX_new_for_pkey(pkey, EVP_PKEY_KEYPAIR, "DER", "PrivateKeyInfo", NULL);
    unsigned char *der = NULL;
    size_t len = 0;
    cl_privkey *k = NULL;
    if (!ctx || OSSL_ENCODER_to_data(ctx, &der, &len) != 1 || cl_privkey_from_der(&k, der, len))
        k = NULL;
    OSSL_ENCODER_CTX_free(ctx);
    OPENSSL_free(der);
    return k;
}

static int setup(void **state)
{
    (void)state;
    rsa_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    ec_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA-PSS", NULL);
    if (!ctx || EVP_PKEY_keygen_init(ctx) != 1 ||
        EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048) != 1 || EVP_PKEY_generate(ctx, &pss_key) != 1)
        return -1;
    EVP_PKEY_CTX_free(ctx);
    if (!rsa_key || !ec_key)
        return -1;
    pub = load_pub(rsa_key), ec_pub = load_pub(ec_key), pss_pub = load_pub(pss_key);
    priv = load_priv(rsa_key), ec_priv = load_priv(ec_key), pss_priv = load_priv(pss_key);
    return pub && ec_pub && pss_pub && priv && ec_priv && pss_priv ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    cl_pubkey_free(pub), cl_pubkey_free(ec_pub), cl_pubkey_free(pss_pub);
    cl_privkey_free(priv), cl_privkey_free(ec_priv), cl_privkey_free(pss_priv);
    EVP_PKEY_free(rsa_key), EVP_PKEY_free(ec_key), EVP_PKEY_free(pss_key);
    return 0;
}

static void random_premaster(uint8_t pm[CL_PREMASTER_LEN], uint16_t version)
{
    assert_int_equal(RAND_bytes(pm, CL_PREMASTER_LEN), 1);
    pm[0] = (uint8_t)(version >> 8);
    pm[1] = (uint8_t)version;
}

/* libcrypto's raw RSA public operation on a block we built ourselves. */
static void encrypt_raw(const uint8_t block[K], uint8_t out[K])
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, rsa_key, NULL);
    size_t len = K;
    assert_non_null(ctx);
    assert_int_equal(EVP_PKEY_encrypt_init(ctx), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING), 1);
    assert_int_equal(EVP_PKEY_encrypt(ctx, out, &len, block, K), 1);
    assert_int_equal(len, K);
    EVP_PKEY_CTX_free(ctx);
}

/* 00 || 02 || nonzero random || 00 || msg: a correct PKCS#1 v1.5 type 2 block. */
static void type2_block(uint8_t block[K], const uint8_t *msg, size_t msg_len)
{
    size_t ps = K - 3 - msg_len;
    block[0] = 0x00;
    block[1] = 0x02;
    assert_int_equal(RAND_bytes(block + 2, (int)ps), 1);
    for (size_t i = 2; i < 2 + ps; i++)
        if (block[i] == 0)
            block[i] = 0x5a;
    block[2 + ps] = 0x00;
    memcpy(block + 3 + ps, msg, msg_len);
}

static int decrypt_ok(const uint8_t enc[K], uint16_t version, uint8_t out[CL_PREMASTER_LEN])
{
    return cl_rsa_kx_decrypt(priv, enc, K, version, out);
}

static void test_round_trip(void **state)
{
    (void)state;
    uint8_t pm[CL_PREMASTER_LEN], out[CL_PREMASTER_LEN], enc[CL_MAX_SIG_LEN];
    size_t len = 0;
    random_premaster(pm, 0x0303);
    assert_int_equal(cl_rsa_kx_encrypt(pub, pm, enc, sizeof(enc), &len), 0);
    assert_int_equal(len, K);
    assert_int_equal(decrypt_ok(enc, 0x0303, out), 0);
    assert_memory_equal(out, pm, CL_PREMASTER_LEN);
    /* PKCS#1 v1.5 encryption is randomised: a second encryption differs, decrypts the same. */
    uint8_t enc2[CL_MAX_SIG_LEN];
    assert_int_equal(cl_rsa_kx_encrypt(pub, pm, enc2, sizeof(enc2), &len), 0);
    assert_memory_not_equal(enc, enc2, K);
    assert_int_equal(decrypt_ok(enc2, 0x0303, out), 0);
    assert_memory_equal(out, pm, CL_PREMASTER_LEN);
}

/* Our ciphertext is plain PKCS#1 v1.5 to libcrypto, and the other way round. */
static void test_interop(void **state)
{
    (void)state;
    uint8_t pm[CL_PREMASTER_LEN], enc[K], dec[K];
    size_t len = 0;
    random_premaster(pm, 0x0303);
    assert_int_equal(cl_rsa_kx_encrypt(pub, pm, enc, sizeof(enc), &len), 0);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, rsa_key, NULL);
    assert_int_equal(EVP_PKEY_decrypt_init(ctx), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), 1);
    len = sizeof(dec);
    assert_int_equal(EVP_PKEY_decrypt(ctx, dec, &len, enc, K), 1);
    assert_int_equal(len, CL_PREMASTER_LEN);
    assert_memory_equal(dec, pm, CL_PREMASTER_LEN);
    EVP_PKEY_CTX_free(ctx);

    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, rsa_key, NULL);
    assert_int_equal(EVP_PKEY_encrypt_init(ctx), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), 1);
    len = sizeof(enc);
    assert_int_equal(EVP_PKEY_encrypt(ctx, enc, &len, pm, CL_PREMASTER_LEN), 1);
    EVP_PKEY_CTX_free(ctx);
    uint8_t out[CL_PREMASTER_LEN];
    assert_int_equal(decrypt_ok(enc, 0x0303, out), 0);
    assert_memory_equal(out, pm, CL_PREMASTER_LEN);
}

/*
 * A bad block must give 0 and 48 bytes unlike anything in the block; OpenSSL 3.0 draws fresh
 * random bytes on every call (rsa_pk1.c), so two decryptions of it differ as well.
 */
static void assert_implicit_rejection(const uint8_t block[K], uint16_t version)
{
    uint8_t enc[K], a[CL_PREMASTER_LEN], b[CL_PREMASTER_LEN];
    encrypt_raw(block, enc);
    assert_int_equal(decrypt_ok(enc, version, a), 0);
    assert_int_equal(decrypt_ok(enc, version, b), 0);
    assert_memory_not_equal(a, block + K - CL_PREMASTER_LEN, CL_PREMASTER_LEN);
    assert_memory_not_equal(a, b, CL_PREMASTER_LEN);
    static const uint8_t zero[CL_PREMASTER_LEN];
    assert_memory_not_equal(a, zero, CL_PREMASTER_LEN);
}

static void test_wrong_version(void **state)
{
    (void)state;
    uint8_t pm[CL_PREMASTER_LEN], block[K], enc[K], out[CL_PREMASTER_LEN];
    random_premaster(pm, 0x0303);
    type2_block(block, pm, sizeof(pm));
    /* Control: the block we built decrypts to pm with the right version. */
    encrypt_raw(block, enc);
    assert_int_equal(decrypt_ok(enc, 0x0303, out), 0);
    assert_memory_equal(out, pm, CL_PREMASTER_LEN);
    /* Same ciphertext, other client versions: each byte of the version is checked. */
    static const uint16_t others[] = {0x0302, 0x0203, 0x0301, 0x0304};
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
        assert_implicit_rejection(block, others[i]);
    /* A secret carrying the negotiated (TLS 1.2) version while the client offered TLS 1.3 in
     * its legacy field is refused too: no rollback-bug workaround. */
    random_premaster(pm, 0x0303);
    type2_block(block, pm, sizeof(pm));
    assert_implicit_rejection(block, 0x0302);
}

static void test_bad_padding(void **state)
{
    (void)state;
    uint8_t pm[CL_PREMASTER_LEN], block[K];
    random_premaster(pm, 0x0303);
    /* Block type 1 (signature padding): 00 01 ff .. ff 00 || pm. */
    block[0] = 0x00;
    block[1] = 0x01;
    memset(block + 2, 0xff, K - 3 - CL_PREMASTER_LEN);
    block[K - CL_PREMASTER_LEN - 1] = 0x00;
    memcpy(block + K - CL_PREMASTER_LEN, pm, CL_PREMASTER_LEN);
    assert_implicit_rejection(block, 0x0303);
    /* Leading byte not zero. */
    type2_block(block, pm, sizeof(pm));
    block[0] = 0x01;
    assert_implicit_rejection(block, 0x0303);
    /* No zero separator at all. */
    type2_block(block, pm, sizeof(pm));
    block[K - CL_PREMASTER_LEN - 1] = 0x01;
    assert_implicit_rejection(block, 0x0303);
    /* A zero inside the padding string: valid PKCS#1 with a longer message, not 48 bytes. */
    type2_block(block, pm, sizeof(pm));
    block[K - CL_PREMASTER_LEN - 10] = 0x00;
    assert_implicit_rejection(block, 0x0303);
    /* A correctly padded 47-byte secret: the separator is one byte off. */
    type2_block(block, pm, CL_PREMASTER_LEN - 1);
    assert_implicit_rejection(block, 0x0303);
    /* All zero. */
    memset(block, 0, K);
    assert_implicit_rejection(block, 0x0303);
}

static void test_public_failures(void **state)
{
    (void)state;
    uint8_t enc[K + 1], out[CL_PREMASTER_LEN], pm[CL_PREMASTER_LEN];
    size_t len = 0;
    random_premaster(pm, 0x0303);
    assert_int_equal(cl_rsa_kx_encrypt(pub, pm, enc, sizeof(enc), &len), 0);
    enc[K] = 0;
    /* The wrong length is public: an error, and still 48 random bytes out. */
    static const size_t lens[] = {0, 1, K - 1, K + 1};
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        memset(out, 0xaa, sizeof(out));
        assert_int_equal(cl_rsa_kx_decrypt(priv, enc, lens[i], 0x0303, out), CLASP_ERR_DECRYPT);
        assert_memory_not_equal(out, pm, CL_PREMASTER_LEN);
        assert_true(memcmp(out, (uint8_t[CL_PREMASTER_LEN]){0}, CL_PREMASTER_LEN) != 0);
        int all_aa = 1;
        for (size_t j = 0; j < sizeof(out); j++)
            all_aa &= out[j] == 0xaa;
        assert_false(all_aa);
    }
    /* Not below the modulus (all ones exceeds any 2048-bit modulus): 0 and random bytes. */
    memset(enc, 0xff, K);
    uint8_t a[CL_PREMASTER_LEN], b[CL_PREMASTER_LEN];
    assert_int_equal(cl_rsa_kx_decrypt(priv, enc, K, 0x0303, a), 0);
    assert_int_equal(cl_rsa_kx_decrypt(priv, enc, K, 0x0303, b), 0);
    assert_memory_not_equal(a, b, CL_PREMASTER_LEN);
}

static void test_misuse(void **state)
{
    (void)state;
    uint8_t pm[CL_PREMASTER_LEN], enc[CL_MAX_SIG_LEN], out[CL_PREMASTER_LEN];
    size_t len = 0;
    random_premaster(pm, 0x0303);
    assert_int_equal(cl_rsa_kx_encrypt(pub, pm, enc, K - 1, &len), CLASP_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(cl_rsa_kx_encrypt(ec_pub, pm, enc, sizeof(enc), &len), CLASP_ERR_INVALID_ARG);
    assert_int_equal(cl_rsa_kx_encrypt(pss_pub, pm, enc, sizeof(enc), &len), CLASP_ERR_INVALID_ARG);
    assert_int_equal(len, 0);
    assert_int_equal(cl_rsa_kx_encrypt(pub, pm, enc, sizeof(enc), &len), 0);
    assert_int_equal(cl_rsa_kx_decrypt(ec_priv, enc, K, 0x0303, out), CLASP_ERR_INVALID_ARG);
    assert_int_equal(cl_rsa_kx_decrypt(pss_priv, enc, K, 0x0303, out), CLASP_ERR_INVALID_ARG);
    assert_int_equal(cl_rsa_kx_decrypt(priv, enc, K, 0, out), CLASP_ERR_INVALID_ARG);
    assert_memory_not_equal(out, pm, CL_PREMASTER_LEN); /* never the secret on an error */
    assert_int_equal(cl_rsa_kx_decrypt(priv, enc, K, 0x0303, out), 0); /* control */
    assert_memory_equal(out, pm, CL_PREMASTER_LEN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),      cmocka_unit_test(test_interop),
        cmocka_unit_test(test_wrong_version),   cmocka_unit_test(test_bad_padding),
        cmocka_unit_test(test_public_failures), cmocka_unit_test(test_misuse),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
