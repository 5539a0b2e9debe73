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

/*
 * Compression-function calls made by this thread (cl_hash_compressions). A thread-local
 * counter: no lock, no shared line between threads; initial-exec, as one word of static
 * TLS, so that counting costs an add and not a __tls_get_addr call per hash update.
 */
static _Thread_local uint64_t compressions __attribute__((tls_model("initial-exec")));

uint64_t cl_hash_compressions(void)
{
    return compressions;
}

/* log2 of the block: 64 bytes for SHA-1 and SHA-256, 128 for SHA-384 and SHA-512. */
static inline unsigned block_shift(cl_hash_alg alg)
{
    return alg == CL_HASH_SHA256 || alg == CL_HASH_SHA1 ? 6 : 7;
}

/* The blocks a Merkle-Damgard hash compresses: len more bytes after `buffered` ones. */
static inline void count_update(cl_hash_alg alg, size_t buffered, size_t len)
{
    compressions += (buffered + len) >> block_shift(alg);
}

/* Its final padding: 0x80 and the length field (a sixteenth of the block) fit, or not. */
static inline void count_final(cl_hash_alg alg, size_t buffered)
{
    unsigned shift = block_shift(alg);
    compressions += buffered + 1 + ((size_t)1 << (shift - 3)) > (size_t)1 << shift ? 2 : 1;
}

#ifdef CL_DIGEST_LOWLEVEL

static size_t buffered(const cl_digest *d)
{
    switch (d->alg) {
    case CL_HASH_SHA1: return d->u.sha1.num;
    case CL_HASH_SHA256: return d->u.sha256.num;
    default: return d->u.sha512.num;
    }
}

int cl_digest_init(cl_digest *d, cl_hash_alg alg)
{
    d->alg = alg;
    switch (alg) {
    case CL_HASH_SHA256: return SHA256_Init(&d->u.sha256) == 1 ? 0 : CLASP_ERR_CRYPTO;
    case CL_HASH_SHA384: return SHA384_Init(&d->u.sha512) == 1 ? 0 : CLASP_ERR_CRYPTO;
    case CL_HASH_SHA512: return SHA512_Init(&d->u.sha512) == 1 ? 0 : CLASP_ERR_CRYPTO;
    case CL_HASH_SHA1: return SHA1_Init(&d->u.sha1) == 1 ? 0 : CLASP_ERR_CRYPTO;
    }
    return CLASP_ERR_INVALID_ARG;
}

int cl_digest_update(cl_digest *d, const void *in, size_t len)
{
    int ok;
    count_update(d->alg, buffered(d), len);
    switch (d->alg) {
    case CL_HASH_SHA1: ok = SHA1_Update(&d->u.sha1, in, len); break;
    case CL_HASH_SHA256: ok = SHA256_Update(&d->u.sha256, in, len); break;
    default: ok = SHA512_Update(&d->u.sha512, in, len); break;
    }
    return ok == 1 ? 0 : CLASP_ERR_CRYPTO;
}

int cl_digest_final(cl_digest *d, uint8_t *out)
{
    int ok;
    count_final(d->alg, buffered(d));
    switch (d->alg) {
    case CL_HASH_SHA1: ok = SHA1_Final(out, &d->u.sha1); break;
    case CL_HASH_SHA256: ok = SHA256_Final(out, &d->u.sha256); break;
    /* SHA384_Init set the output length; SHA512_Final honours it. */
    default: ok = SHA512_Final(out, &d->u.sha512); break;
    }
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

void cl_digest_compress(cl_digest *d, const uint8_t *block)
{
    compressions++;
    switch (d->alg) {
    case CL_HASH_SHA1: SHA1_Transform(&d->u.sha1, block); break;
    case CL_HASH_SHA256: SHA256_Transform(&d->u.sha256, block); break;
    default: SHA512_Transform(&d->u.sha512, block); break;
    }
}

static void put_be32(uint8_t *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

void cl_digest_chain(const cl_digest *d, uint8_t *out)
{
    const SHA_CTX *s1 = &d->u.sha1;
    switch (d->alg) {
    case CL_HASH_SHA1:
        put_be32(out, s1->h0);
        put_be32(out + 4, s1->h1);
        put_be32(out + 8, s1->h2);
        put_be32(out + 12, s1->h3);
        put_be32(out + 16, s1->h4);
        break;
    case CL_HASH_SHA256:
        for (int i = 0; i < 8; i++)
            put_be32(out + 4 * i, d->u.sha256.h[i]);
        break;
    default:
        for (size_t i = 0; i < cl_hash_len(d->alg) / 8; i++) {
            put_be32(out + 8 * i, (uint32_t)(d->u.sha512.h[i] >> 32));
            put_be32(out + 8 * i + 4, (uint32_t)d->u.sha512.h[i]);
        }
        break;
    }
}

#else /* an EVP context: each copy allocates inside libcrypto */

int cl_digest_init(cl_digest *d, cl_hash_alg alg)
{
    const EVP_MD *md = cl_md(alg);
    CL_CHECK(md, CLASP_ERR_CRYPTO);
    d->alg = alg;
    d->num = 0;
    if (!d->ctx)
        d->ctx = EVP_MD_CTX_new();
    return d->ctx && EVP_DigestInit_ex(d->ctx, md, NULL) == 1 ? 0 : CLASP_ERR_CRYPTO;
}

int cl_digest_update(cl_digest *d, const void *in, size_t len)
{
    count_update(d->alg, d->num, len);
    d->num = (unsigned)((d->num + len) & (((size_t)1 << block_shift(d->alg)) - 1));
    return EVP_DigestUpdate(d->ctx, in, len) == 1 ? 0 : CLASP_ERR_CRYPTO;
}

int cl_digest_final(cl_digest *d, uint8_t *out)
{
    count_final(d->alg, d->num);
    return EVP_DigestFinal_ex(d->ctx, out, NULL) == 1 ? 0 : CLASP_ERR_CRYPTO;
}

int cl_digest_copy(cl_digest *dst, const cl_digest *src)
{
    dst->alg = src->alg;
    dst->num = src->num;
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
