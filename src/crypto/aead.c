/*
 * AEAD seal/open: AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305, AES-128-CCM. A context is
 * keyed once and reused for every record of its direction; a record sets only its nonce.
 *
 * CCM (RFC 3610) differs in what it needs before the data: its nonce and tag lengths are
 * fixed when the key is set (libcrypto builds them into the CBC-MAC's first block), the
 * message length comes before the additional data (it is in the MAC's first block too), the
 * tag to check before the ciphertext, and a bad tag fails the update, not the final call.
 * The lengths are set once per context, the rest per record, all without allocating.
 */
#include <string.h>

#include <openssl/err.h>
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
    return alg == CL_AEAD_AES_128_GCM || alg == CL_AEAD_AES_128_CCM ? 16 : 32;
}

/* The cipher, then for CCM its nonce and tag lengths, then the key (which fixes them). */
static int aead_init(cl_aead *a, const uint8_t *key)
{
    EVP_CIPHER *cipher = cl_algs()->aead[a->alg];
    if (a->alg != CL_AEAD_AES_128_CCM) /* the default 12-byte nonce (cl_crypto_init) */
        return EVP_CipherInit_ex2(a->ctx, cipher, key, NULL, a->seal, NULL) == 1;
    return EVP_CipherInit_ex2(a->ctx, cipher, NULL, NULL, a->seal, NULL) == 1 &&
           EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_SET_IVLEN, CL_AEAD_NONCE_LEN, NULL) == 1 &&
           EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_SET_TAG, CL_AEAD_TAG_LEN, NULL) == 1 &&
           EVP_CipherInit_ex2(a->ctx, NULL, key, NULL, a->seal, NULL) == 1;
}

int cl_aead_new(cl_aead **out, cl_aead_alg alg, int seal, const uint8_t *key, size_t key_len)
{
    CL_TRY(cl_crypto_init());
    CL_CHECK((unsigned)alg < CL_AEAD_COUNT, CLASP_ERR_INVALID_ARG);
    CL_CHECK(key_len == cl_aead_key_len(alg), CLASP_ERR_INVALID_ARG);
    cl_aead *a = cl_calloc(1, sizeof(*a));
    CL_CHECK(a, CLASP_ERR_NOMEM);
    a->alg = alg;
    a->seal = seal ? 1 : 0;
    a->ctx = EVP_CIPHER_CTX_new();
    if (!a->ctx || !aead_init(a, key)) {
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

/*
 * Sets the nonce and feeds the additional data; the key stays as it was. For CCM the tag to
 * check (open) and the message length come first.
 */
static int aead_start(cl_aead *a, const uint8_t *nonce, const uint8_t *ad, size_t ad_len,
                      size_t len, uint8_t *tag)
{
    int outl;
    if (EVP_CipherInit_ex2(a->ctx, NULL, NULL, nonce, a->seal, NULL) != 1)
        return CLASP_ERR_CRYPTO;
    if (a->alg == CL_AEAD_AES_128_CCM &&
        ((!a->seal &&
          EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_SET_TAG, CL_AEAD_TAG_LEN, tag) != 1) ||
         EVP_CipherUpdate(a->ctx, NULL, &outl, NULL, (int)len) != 1))
        return CLASP_ERR_CRYPTO;
    if (ad_len && EVP_CipherUpdate(a->ctx, NULL, &outl, ad, (int)ad_len) != 1)
        return CLASP_ERR_CRYPTO;
    return 0;
}

int cl_aead_seal(cl_aead *a, const uint8_t nonce[CL_AEAD_NONCE_LEN], const uint8_t *ad,
                 size_t ad_len, uint8_t *buf, size_t len, uint8_t tag[CL_AEAD_TAG_LEN])
{
    int outl, finl;
    /* CCM's tag is computed by the data update, so it runs even for no data. */
    int update = len || a->alg == CL_AEAD_AES_128_CCM;
    CL_CHECK(a->seal && len <= INT32_MAX && ad_len <= INT32_MAX, CLASP_ERR_INVALID_ARG);
    CL_TRY(aead_start(a, nonce, ad, ad_len, len, NULL));
    if ((update && EVP_CipherUpdate(a->ctx, buf, &outl, buf, (int)len) != 1) ||
        EVP_CipherFinal_ex(a->ctx, buf + len, &finl) != 1 ||
        EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_GET_TAG, CL_AEAD_TAG_LEN, tag) != 1)
        return CLASP_ERR_CRYPTO;
    return 0;
}

/* The data, then the tag checked: GCM and ChaCha20-Poly1305 at the final call. */
static int open_then_check(cl_aead *a, uint8_t *buf, size_t len, uint8_t *tag)
{
    int outl, finl;
    if ((len && EVP_CipherUpdate(a->ctx, buf, &outl, buf, (int)len) != 1) ||
        EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_SET_TAG, CL_AEAD_TAG_LEN, tag) != 1)
        return CLASP_ERR_CRYPTO;
    return EVP_CipherFinal_ex(a->ctx, buf + len, &finl) == 1 ? 0 : CLASP_ERR_BAD_RECORD_MAC;
}

/* CCM: the tag was set before; the update decrypts and checks it (and fails on a bad one,
 * leaving an error on libcrypto's queue, which is not ours to report). */
static int open_ccm(cl_aead *a, uint8_t *buf, size_t len)
{
    int outl;
    if (EVP_CipherUpdate(a->ctx, buf, &outl, buf, (int)len) == 1)
        return 0;
    ERR_clear_error();
    return CLASP_ERR_BAD_RECORD_MAC;
}

int cl_aead_open(cl_aead *a, const uint8_t nonce[CL_AEAD_NONCE_LEN], const uint8_t *ad,
                 size_t ad_len, uint8_t *buf, size_t len, const uint8_t tag[CL_AEAD_TAG_LEN])
{
    uint8_t t[CL_AEAD_TAG_LEN];
    CL_CHECK(!a->seal && len <= INT32_MAX && ad_len <= INT32_MAX, CLASP_ERR_INVALID_ARG);
    memcpy(t, tag, sizeof(t));
    int rc = aead_start(a, nonce, ad, ad_len, len, t);
    if (rc == 0)
        rc =
            a->alg == CL_AEAD_AES_128_CCM ? open_ccm(a, buf, len) : open_then_check(a, buf, len, t);
    if (rc != 0)
        cl_wipe(buf, len); /* no unauthenticated plaintext leaves */
    return rc;
}
