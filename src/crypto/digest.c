/*
 * Copyable digest states (crypto/internal.h): libcrypto's low-level SHA-2 contexts where it
 * has them, an EVP context otherwise. The low-level functions are deprecated in OpenSSL 3.0
 * but kept on purpose (see docs/performance.md); only this file calls them.
 */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "base/err.h"
#include "base/mem.h"
#include "crypto/internal.h"

#ifdef CL_DIGEST_LOWLEVEL

int cl_digest_init(cl_digest *d, cl_hash_alg alg)
{
    d->alg = alg;
    switch (alg) {
    case CL_HASH_SHA256: return SHA256_Init(&d->u.sha256) == 1 ? 0 : CLASP_ERR_CRYPTO;
    case CL_HASH_SHA384: return SHA384_Init(&d->u.sha512) == 1 ? 0 : CLASP_ERR_CRYPTO;
    case CL_HASH_SHA512: return SHA512_Init(&d->u.sha512) == 1 ? 0 : CLASP_ERR_CRYPTO;
    }
    return CLASP_ERR_INVALID_ARG;
}

int cl_digest_update(cl_digest *d, const void *in, size_t len)
{
    int ok = d->alg == CL_HASH_SHA256 ? SHA256_Update(&d->u.sha256, in, len)
                                      : SHA512_Update(&d->u.sha512, in, len);
    return ok == 1 ? 0 : CLASP_ERR_CRYPTO;
}

int cl_digest_final(cl_digest *d, uint8_t *out)
{
    /* SHA384_Init set the output length; SHA512_Final honours it. */
    int ok = d->alg == CL_HASH_SHA256 ? SHA256_Final(out, &d->u.sha256)
                                      : SHA512_Final(out, &d->u.sha512);
    return ok == 1 ? 0 : CLASP_ERR_CRYPTO;
}

int cl_digest_copy(cl_digest *dst, const cl_digest *src)
{
    *dst = *src;
    return 0;
}

void cl_digest_clear(cl_digest *d)
{
    cl_wipe(d, sizeof(*d));
}

#else /* an EVP context: each copy allocates inside libcrypto */

int cl_digest_init(cl_digest *d, cl_hash_alg alg)
{
    const EVP_MD *md = cl_md(alg);
    CL_CHECK(md, CLASP_ERR_CRYPTO);
    d->alg = alg;
    if (!d->ctx)
        d->ctx = EVP_MD_CTX_new();
    return d->ctx && EVP_DigestInit_ex(d->ctx, md, NULL) == 1 ? 0 : CLASP_ERR_CRYPTO;
}

int cl_digest_update(cl_digest *d, const void *in, size_t len)
{
    return EVP_DigestUpdate(d->ctx, in, len) == 1 ? 0 : CLASP_ERR_CRYPTO;
}

int cl_digest_final(cl_digest *d, uint8_t *out)
{
    return EVP_DigestFinal_ex(d->ctx, out, NULL) == 1 ? 0 : CLASP_ERR_CRYPTO;
}

int cl_digest_copy(cl_digest *dst, const cl_digest *src)
{
    dst->alg = src->alg;
    if (!dst->ctx)
        dst->ctx = EVP_MD_CTX_new();
    return dst->ctx && EVP_MD_CTX_copy_ex(dst->ctx, src->ctx) == 1 ? 0 : CLASP_ERR_CRYPTO;
}

void cl_digest_clear(cl_digest *d)
{
    EVP_MD_CTX_free(d->ctx); /* cleanses the state */
    d->ctx = NULL;
}

#endif
