#include <openssl/evp.h>

#include "base/err.h"
#include "base/mem.h"
#include "crypto/internal.h"

struct cl_hash_ctx {
    cl_digest d;
};

size_t cl_hash_len(cl_hash_alg alg)
{
    switch (alg) {
    case CL_HASH_SHA256: return 32;
    case CL_HASH_SHA384: return 48;
    case CL_HASH_SHA512: return 64;
    case CL_HASH_SHA1: return 20;
    }
    return 0;
}

size_t cl_hash_block_len(cl_hash_alg alg)
{
    return alg == CL_HASH_SHA256 || alg == CL_HASH_SHA1 ? 64 : 128;
}

int cl_hash(cl_hash_alg alg, const uint8_t *in, size_t len, uint8_t *out)
{
    cl_digest d = {0};
    int rc = cl_digest_init(&d, alg);
    if (rc == 0 && len)
        rc = cl_digest_update(&d, in, len);
    if (rc == 0)
        rc = cl_digest_final(&d, out);
    cl_digest_clear(&d);
    return rc;
}

int cl_hash_ctx_new(cl_hash_ctx **out, cl_hash_alg alg)
{
    CL_CHECK((unsigned)alg <= CL_HASH_SHA1, CLASP_ERR_INVALID_ARG);
    cl_hash_ctx *h = cl_calloc(1, sizeof(*h));
    CL_CHECK(h, CLASP_ERR_NOMEM);
    int rc = cl_digest_init(&h->d, alg);
    if (rc) {
        cl_hash_ctx_free(h);
        return rc;
    }
    *out = h;
    return 0;
}

void cl_hash_ctx_free(cl_hash_ctx *h)
{
    if (!h)
        return;
    cl_digest_clear(&h->d);
    cl_free(h, sizeof(*h));
}

cl_hash_alg cl_hash_ctx_alg(const cl_hash_ctx *h)
{
    return h->d.alg;
}

int cl_hash_ctx_update(cl_hash_ctx *h, const uint8_t *in, size_t len)
{
    if (len == 0)
        return 0;
    return cl_digest_update(&h->d, in, len);
}

int cl_hash_ctx_snapshot(cl_hash_ctx *h, uint8_t *out)
{
    cl_digest tmp = {0};
    int rc = cl_digest_copy(&tmp, &h->d);
    if (rc == 0)
        rc = cl_digest_final(&tmp, out);
    cl_digest_clear(&tmp);
    return rc;
}

int cl_hash_ctx_dup(const cl_hash_ctx *h, cl_hash_ctx **out)
{
    cl_hash_ctx *d = cl_calloc(1, sizeof(*d));
    CL_CHECK(d, CLASP_ERR_NOMEM);
    int rc = cl_digest_copy(&d->d, &h->d);
    if (rc) {
        cl_hash_ctx_free(d);
        return rc;
    }
    *out = d;
    return 0;
}
