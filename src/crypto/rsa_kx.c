/*
 * TLS 1.2 RSA key exchange (RFC 5246 section 7.4.7.1): the client encrypts the pre-master
 * secret with PKCS#1 v1.5; the server decrypts it with implicit rejection, so that neither its
 * answer nor its timing tells a Bleichenbacher attacker whether the padding was right.
 *
 * The server side rests on libcrypto's RSA_PKCS1_WITH_TLS_PADDING mode. What its OpenSSL 3
 * source does (read for this file):
 * - providers/implementations/asymciphers/rsa_enc.c, rsa_decrypt(): in this mode it needs an
 *   output of at least 48 bytes and a TLS client version > 0, performs the raw RSA operation
 *   (RSA_NO_PADDING) into a modulus-sized buffer, and fails early only when that fails: a
 *   ciphertext longer than the modulus or not below it (public facts) or a local error. It
 *   then calls ossl_rsa_padding_check_PKCS1_type_2_TLS and folds the result into its return
 *   value and *outlen with constant_time_select, with no branch.
 * - crypto/rsa/rsa_pk1.c, ossl_rsa_padding_check_PKCS1_type_2_TLS(): returns -1 only for
 *   publicly wrong sizes (input shorter than 11 + 48 bytes, output shorter than 48). Otherwise
 *   it draws 48 fresh bytes with RAND_priv_bytes_ex on every call, builds a mask with
 *   constant-time operations over 00 || 02 || nonzero PS || 00 at the place a 48-byte secret
 *   needs and the two version bytes (equal to client_version, or to alt_version when that is
 *   > 0), copies each byte with constant_time_select_8(good, decrypted, random), raises no
 *   error, and returns 48 whatever the padding.
 * So a bad ciphertext yields success and 48 random bytes, different on every call (the
 * deterministic implicit rejection of OpenSSL 3.2 applies to plain PKCS#1 decryption, not to
 * this mode). clasp passes alt_version = 0: the SSL_OP_TLS_ROLLBACK_BUG workaround for clients
 * that put the negotiated version in the secret is not offered.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include "base/err.h"
#include "base/mem.h"
#include "crypto/internal.h"

int cl_rsa_kx_encrypt(const cl_pubkey *k, const uint8_t premaster[CL_PREMASTER_LEN], uint8_t *out,
                      size_t cap, size_t *out_len)
{
    CL_CHECK(k->type == CL_KEY_RSA, CLASP_ERR_INVALID_ARG);
    int size = EVP_PKEY_get_size(k->pkey);
    CL_CHECK(size > 0, CLASP_ERR_CRYPTO);
    CL_CHECK(cap >= (size_t)size, CLASP_ERR_BUFFER_TOO_SMALL);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
    CL_CHECK(ctx, CLASP_ERR_NOMEM);
    size_t len = cap;
    int rc = CLASP_ERR_CRYPTO;
    if (EVP_PKEY_encrypt_init(ctx) == 1 &&
        EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
        EVP_PKEY_encrypt(ctx, out, &len, premaster, CL_PREMASTER_LEN) == 1) {
        *out_len = len;
        rc = 0;
    }
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

/* *below = whether the ciphertext, as an integer, is less than the modulus (public data). */
static int below_modulus(EVP_PKEY *pkey, const uint8_t *enc, size_t len, int *below)
{
    BIGNUM *n = NULL;
    BIGNUM *c = BN_bin2bn(enc, (int)len, NULL);
    int rc = CLASP_ERR_CRYPTO;
    if (c && EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) == 1) {
        *below = BN_ucmp(c, n) < 0;
        rc = 0;
    }
    BN_free(c);
    BN_free(n);
    return rc;
}

/*
 * The decryption proper. Its result and length do not depend on the padding (see the top of
 * the file), so the checks below branch only on local failures.
 */
static int tls_decrypt(EVP_PKEY *pkey, const uint8_t *enc, size_t len, uint16_t client_version,
                       uint8_t premaster[CL_PREMASTER_LEN])
{
    int pad = RSA_PKCS1_WITH_TLS_PADDING;
    unsigned int version = client_version;
    unsigned int alt_version = 0; /* no rollback-bug workaround */
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_int(OSSL_ASYM_CIPHER_PARAM_PAD_MODE, &pad),
        OSSL_PARAM_construct_uint(OSSL_ASYM_CIPHER_PARAM_TLS_CLIENT_VERSION, &version),
        OSSL_PARAM_construct_uint(OSSL_ASYM_CIPHER_PARAM_TLS_NEGOTIATED_VERSION, &alt_version),
        OSSL_PARAM_construct_end(),
    };
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    CL_CHECK(ctx, CLASP_ERR_NOMEM);
    uint8_t out[CL_PREMASTER_LEN];
    size_t n = sizeof(out);
    int rc = CLASP_ERR_CRYPTO;
    if (EVP_PKEY_decrypt_init(ctx) == 1 && EVP_PKEY_CTX_set_params(ctx, params) == 1 &&
        EVP_PKEY_decrypt(ctx, out, &n, enc, len) == 1 && n == CL_PREMASTER_LEN) {
        memcpy(premaster, out, CL_PREMASTER_LEN);
        rc = 0;
    }
    cl_wipe(out, sizeof(out));
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

/*
 * Results: 0 with the decrypted or a random secret for every ciphertext as long as the
 * modulus, including one not below the modulus (public; it keeps the random secret, and the
 * handshake fails at Finished like any other bad secret). CLASP_ERR_DECRYPT for a ciphertext
 * of another length, as OpenSSL's and BoringSSL's servers answer (decrypt_error): its length is
 * on the wire, so refusing it tells nothing. Other errors are local. On every path premaster
 * holds 48 bytes, random unless the decryption succeeded.
 */
int cl_rsa_kx_decrypt(const cl_privkey *k, const uint8_t *enc, size_t enc_len,
                      uint16_t client_version, uint8_t premaster[CL_PREMASTER_LEN])
{
    CL_TRY(cl_random_secret(premaster, CL_PREMASTER_LEN));
    CL_CHECK(k->type == CL_KEY_RSA && client_version != 0, CLASP_ERR_INVALID_ARG);
    int size = EVP_PKEY_get_size(k->pkey);
    CL_CHECK(size > 0, CLASP_ERR_CRYPTO);
    CL_CHECK(enc && enc_len == (size_t)size, CLASP_ERR_DECRYPT);
    int below = 0;
    CL_TRY(below_modulus(k->pkey, enc, enc_len, &below));
    if (!below)
        return 0;
    return tls_decrypt(k->pkey, enc, enc_len, client_version, premaster);
}
