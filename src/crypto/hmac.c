/* HMAC (RFC 2104) over the hash primitive, with the keyed states computed once per key. */
#include <string.h>

#include <openssl/evp.h>

#include "base/err.h"
#include "base/mem.h"
#include "crypto/internal.h"

struct cl_hmac_ctx {
    cl_hash_alg alg;
    EVP_MD_CTX *inner_keyed; /* state after absorbing key ^ ipad */
    EVP_MD_CTX *outer_keyed; /* state after absorbing key ^ opad */
    EVP_MD_CTX *work;
};

void cl_hmac_free(cl_hmac_ctx *m)
{
    if (!m)
        return;
    /* EVP_MD_CTX_free cleanses the digest state, which here is derived from the key. */
    EVP_MD_CTX_free(m->inner_keyed);
    EVP_MD_CTX_free(m->outer_keyed);
    EVP_MD_CTX_free(m->work);
    cl_free(m, sizeof(*m));
}

/* Absorbs the key, padded to one block and xored with pad, into a fresh digest state. */
static int absorb_padded_key(EVP_MD_CTX *ctx, const EVP_MD *md, const uint8_t *key, size_t key_len,
                             size_t block, uint8_t pad)
{
    uint8_t buf[128];
    memset(buf, pad, block);
    for (size_t i = 0; i < key_len; i++)
        buf[i] ^= key[i];
    int ok = EVP_DigestInit_ex(ctx, md, NULL) == 1 && EVP_DigestUpdate(ctx, buf, block) == 1;
    cl_wipe(buf, sizeof(buf));
    return ok ? 0 : CLASP_ERR_CRYPTO;
}

int cl_hmac_new(cl_hmac_ctx **out, cl_hash_alg alg, const uint8_t *key, size_t key_len)
{
    const EVP_MD *md = cl_md(alg);
    CL_CHECK(md, CLASP_ERR_CRYPTO);
    size_t block = cl_hash_block_len(alg);
    uint8_t hashed[CL_MAX_HASH_LEN];
    if (key_len > block) { /* RFC 2104: longer keys are hashed first */
        CL_TRY(cl_hash(alg, key, key_len, hashed));
        key = hashed;
        key_len = cl_hash_len(alg);
    }
    int rc = CLASP_ERR_NOMEM;
    cl_hmac_ctx *m = cl_calloc(1, sizeof(*m));
    if (!m)
        goto out;
    m->alg = alg;
    m->inner_keyed = EVP_MD_CTX_new();
    m->outer_keyed = EVP_MD_CTX_new();
    m->work = EVP_MD_CTX_new();
    rc = CLASP_ERR_CRYPTO;
    if (!m->inner_keyed || !m->outer_keyed || !m->work)
        goto out;
    CL_TRY_OUT(rc, absorb_padded_key(m->inner_keyed, md, key, key_len, block, 0x36));
    CL_TRY_OUT(rc, absorb_padded_key(m->outer_keyed, md, key, key_len, block, 0x5c));
    *out = m;
    m = NULL;
out:
    cl_wipe(hashed, sizeof(hashed));
    cl_hmac_free(m);
    return rc;
}

int cl_hmac_begin(cl_hmac_ctx *m)
{
    return EVP_MD_CTX_copy_ex(m->work, m->inner_keyed) == 1 ? 0 : CLASP_ERR_CRYPTO;
}

int cl_hmac_update(cl_hmac_ctx *m, const uint8_t *in, size_t len)
{
    if (len == 0)
        return 0;
    return EVP_DigestUpdate(m->work, in, len) == 1 ? 0 : CLASP_ERR_CRYPTO;
}

int cl_hmac_final(cl_hmac_ctx *m, uint8_t *out)
{
    uint8_t inner[CL_MAX_HASH_LEN];
    size_t n = cl_hash_len(m->alg);
    int ok = EVP_DigestFinal_ex(m->work, inner, NULL) == 1 &&
             EVP_MD_CTX_copy_ex(m->work, m->outer_keyed) == 1 &&
             EVP_DigestUpdate(m->work, inner, n) == 1 &&
             EVP_DigestFinal_ex(m->work, out, NULL) == 1;
    cl_wipe(inner, sizeof(inner));
    return ok ? 0 : CLASP_ERR_CRYPTO;
}

int cl_hmac(cl_hash_alg alg, const uint8_t *key, size_t key_len, const uint8_t *in, size_t len,
            uint8_t *out)
{
    cl_hmac_ctx *m;
    CL_TRY(cl_hmac_new(&m, alg, key, key_len));
    int rc = cl_hmac_begin(m);
    if (rc == 0)
        rc = cl_hmac_update(m, in, len);
    if (rc == 0)
        rc = cl_hmac_final(m, out);
    cl_hmac_free(m);
    return rc;
}
