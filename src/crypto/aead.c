/*
 * AEAD seal/open: AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305. A context is keyed once and
 * reused for every record of its direction; a record sets only its nonce.
 */
#include <string.h>

#include <openssl/evp.h>

#include "base/err.h"
#include "base/mem.h"
#include "crypto/internal.h"

struct cl_aead {
    EVP_CIPHER_CTX *ctx;
    cl_aead_alg alg;
    int seal;
};

size_t cl_aead_key_len(cl_aead_alg alg)
{
    return alg == CL_AEAD_AES_128_GCM ? 16 : 32;
}

int cl_aead_new(cl_aead **out, cl_aead_alg alg, int seal, const uint8_t *key, size_t key_len)
{
    CL_TRY(cl_crypto_init());
    CL_CHECK((unsigned)alg <= CL_AEAD_CHACHA20_POLY1305, CLASP_ERR_INVALID_ARG);
    CL_CHECK(key_len == cl_aead_key_len(alg), CLASP_ERR_INVALID_ARG);
    cl_aead *a = cl_calloc(1, sizeof(*a));
    CL_CHECK(a, CLASP_ERR_NOMEM);
    a->alg = alg;
    a->seal = seal ? 1 : 0;
    a->ctx = EVP_CIPHER_CTX_new();
    /* The ciphers' default 12-byte nonce is what TLS uses (checked once, in cl_crypto_init). */
    if (!a->ctx ||
        EVP_CipherInit_ex2(a->ctx, cl_algs()->aead[alg], key, NULL, a->seal, NULL) != 1) {
        cl_aead_free(a);
        return CLASP_ERR_CRYPTO;
    }
    *out = a;
    return 0;
}

int cl_aead_rekey(cl_aead *a, const uint8_t *key, size_t key_len)
{
    CL_CHECK(key_len == cl_aead_key_len(a->alg), CLASP_ERR_INVALID_ARG);
    /* The cipher stays; the provider context is re-keyed in place, nothing is allocated. */
    return EVP_CipherInit_ex2(a->ctx, NULL, key, NULL, a->seal, NULL) == 1 ? 0 : CLASP_ERR_CRYPTO;
}

cl_aead_alg cl_aead_get_alg(const cl_aead *a)
{
    return a->alg;
}

void cl_aead_free(cl_aead *a)
{
    if (!a)
        return;
    EVP_CIPHER_CTX_free(a->ctx); /* cleanses the key schedule */
    cl_free(a, sizeof(*a));
}

/* Sets the nonce and feeds the additional data; the key stays as it was. */
static int aead_start(cl_aead *a, const uint8_t *nonce, const uint8_t *ad, size_t ad_len)
{
    int outl;
    if (EVP_CipherInit_ex2(a->ctx, NULL, NULL, nonce, a->seal, NULL) != 1)
        return CLASP_ERR_CRYPTO;
    if (ad_len && EVP_CipherUpdate(a->ctx, NULL, &outl, ad, (int)ad_len) != 1)
        return CLASP_ERR_CRYPTO;
    return 0;
}

int cl_aead_seal(cl_aead *a, const uint8_t nonce[CL_AEAD_NONCE_LEN], const uint8_t *ad,
                 size_t ad_len, uint8_t *buf, size_t len, uint8_t tag[CL_AEAD_TAG_LEN])
{
    int outl, finl;
    CL_CHECK(a->seal && len <= INT32_MAX && ad_len <= INT32_MAX, CLASP_ERR_INVALID_ARG);
    CL_TRY(aead_start(a, nonce, ad, ad_len));
    if ((len && EVP_CipherUpdate(a->ctx, buf, &outl, buf, (int)len) != 1) ||
        EVP_CipherFinal_ex(a->ctx, buf + len, &finl) != 1 ||
        EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_GET_TAG, CL_AEAD_TAG_LEN, tag) != 1)
        return CLASP_ERR_CRYPTO;
    return 0;
}

int cl_aead_open(cl_aead *a, const uint8_t nonce[CL_AEAD_NONCE_LEN], const uint8_t *ad,
                 size_t ad_len, uint8_t *buf, size_t len, const uint8_t tag[CL_AEAD_TAG_LEN])
{
    int outl, finl;
    uint8_t t[CL_AEAD_TAG_LEN];
    CL_CHECK(!a->seal && len <= INT32_MAX && ad_len <= INT32_MAX, CLASP_ERR_INVALID_ARG);
    CL_TRY(aead_start(a, nonce, ad, ad_len));
    memcpy(t, tag, sizeof(t));
    int rc = 0;
    if ((len && EVP_CipherUpdate(a->ctx, buf, &outl, buf, (int)len) != 1) ||
        EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_SET_TAG, CL_AEAD_TAG_LEN, t) != 1)
        rc = CLASP_ERR_CRYPTO;
    else if (EVP_CipherFinal_ex(a->ctx, buf + len, &finl) != 1)
        rc = CLASP_ERR_BAD_RECORD_MAC;
    if (rc != 0)
        cl_wipe(buf, len); /* no unauthenticated plaintext leaves */
    return rc;
}
