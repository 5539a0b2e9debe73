#include <openssl/evp.h>

#include "base/err.h"
#include "base/mem.h"
#include "crypto/internal.h"

struct cl_hash_ctx {
    cl_hash_alg alg;
    EVP_MD_CTX *ctx;
    EVP_MD_CTX *scratch; /* snapshots finish a copy here, so they never allocate */
};

size_t cl_hash_len(cl_hash_alg alg)
{
    switch (alg) {
    case CL_HASH_SHA256: return 32;
    case CL_HASH_SHA384: return 48;
    case CL_HASH_SHA512: return 64;
    }
    return 0;
}

size_t cl_hash_block_len(cl_hash_alg alg)
{
    return alg == CL_HASH_SHA256 ? 64 : 128;
}

int cl_hash(cl_hash_alg alg, const uint8_t *in, size_t len, uint8_t *out)
{
    const EVP_MD *md = cl_md(alg);
    CL_CHECK(md, CLASP_ERR_CRYPTO);
    return EVP_Digest(in, len, out, NULL, md, NULL) == 1 ? 0 : CLASP_ERR_CRYPTO;
}

int cl_hash_ctx_new(cl_hash_ctx **out, cl_hash_alg alg)
{
    const EVP_MD *md = cl_md(alg);
    CL_CHECK(md, CLASP_ERR_CRYPTO);
    cl_hash_ctx *h = cl_calloc(1, sizeof(*h));
    CL_CHECK(h, CLASP_ERR_NOMEM);
    h->alg = alg;
    h->ctx = EVP_MD_CTX_new();
    h->scratch = EVP_MD_CTX_new();
    if (!h->ctx || !h->scratch || EVP_DigestInit_ex(h->ctx, md, NULL) != 1) {
        cl_hash_ctx_free(h);
        return CLASP_ERR_CRYPTO;
    }
    *out = h;
    return 0;
}

void cl_hash_ctx_free(cl_hash_ctx *h)
{
    if (!h)
        return;
    EVP_MD_CTX_free(h->ctx);
    EVP_MD_CTX_free(h->scratch);
    cl_free(h, sizeof(*h));
}

cl_hash_alg cl_hash_ctx_alg(const cl_hash_ctx *h)
{
    return h->alg;
}

int cl_hash_ctx_update(cl_hash_ctx *h, const uint8_t *in, size_t len)
{
    if (len == 0)
        return 0;
    return EVP_DigestUpdate(h->ctx, in, len) == 1 ? 0 : CLASP_ERR_CRYPTO;
}

int cl_hash_ctx_snapshot(cl_hash_ctx *h, uint8_t *out)
{
    if (EVP_MD_CTX_copy_ex(h->scratch, h->ctx) != 1 ||
        EVP_DigestFinal_ex(h->scratch, out, NULL) != 1)
        return CLASP_ERR_CRYPTO;
    return 0;
}

int cl_hash_ctx_dup(const cl_hash_ctx *h, cl_hash_ctx **out)
{
    cl_hash_ctx *d;
    CL_TRY(cl_hash_ctx_new(&d, h->alg));
    if (EVP_MD_CTX_copy_ex(d->ctx, h->ctx) != 1) {
        cl_hash_ctx_free(d);
        return CLASP_ERR_CRYPTO;
    }
    *out = d;
    return 0;
}
