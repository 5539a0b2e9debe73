/* libcrypto's KDFs as oracles (kdf_oracle.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "kdf_oracle.h"

const char *oracle_md_name(cl_hash_alg alg)
{
    return alg == CL_HASH_SHA256 ? "SHA256" : "SHA384";
}

static void derive(const char *kdf_name, OSSL_PARAM *params, uint8_t *out, size_t n)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, kdf_name, NULL);
    assert_non_null(kdf);
    EVP_KDF_CTX *k = EVP_KDF_CTX_new(kdf);
    assert_non_null(k);
    int ok = EVP_KDF_derive(k, out, n, params);
    EVP_KDF_CTX_free(k);
    EVP_KDF_free(kdf);
    if (ok != 1)
        fail_msg("libcrypto %s refused to derive %zu bytes", kdf_name, n);
}

void oracle_hkdf_expand(cl_hash_alg alg, const uint8_t *prk, size_t prk_len, const uint8_t *info,
                        size_t info_len, uint8_t *out, size_t n)
{
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    static const uint8_t none[1];
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)oracle_md_name(alg), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)prk, prk_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)(info ? info : none),
                                          info_len),
        OSSL_PARAM_construct_end(),
    };
    derive("HKDF", params, out, n);
}

/* HKDF-Expand-Label by libcrypto's TLS 1.3 KDF (OpenSSL 3.0, EVP_KDF-TLS13_KDF(7)). */
void oracle_expand_label(cl_hash_alg alg, const uint8_t *secret, size_t secret_len,
                         const char *label, const uint8_t *context, size_t context_len,
                         uint8_t *out, size_t n)
{
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    static const uint8_t none[1];
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)oracle_md_name(alg), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, secret_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PREFIX, (void *)"tls13 ", 6),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_LABEL, (void *)label, strlen(label)),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_DATA, (void *)(context ? context : none),
                                          context_len),
        OSSL_PARAM_construct_end(),
    };
    derive("TLS13-KDF", params, out, n);
}

/* The TLS 1.2 PRF by libcrypto's TLS1-PRF; its seed is label || seed1 || seed2 (the "seed"
 * parameter may repeat and the values concatenate). */
void oracle_prf(cl_hash_alg alg, const uint8_t *secret, size_t secret_len, const char *label,
                const uint8_t *seed1, size_t seed1_len, const uint8_t *seed2, size_t seed2_len,
                uint8_t *out, size_t n)
{
    static const uint8_t none[1];
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)oracle_md_name(alg), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET,
                                          (void *)(secret_len ? secret : none), secret_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)label, strlen(label)),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)(seed1_len ? seed1 : none),
                                          seed1_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)(seed2_len ? seed2 : none),
                                          seed2_len),
        OSSL_PARAM_construct_end(),
    };
    derive("TLS1-PRF", params, out, n);
}
