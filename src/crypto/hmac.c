/* HMAC (RFC 2104) over the hash primitive, with the keyed states computed once per key. */
#include <string.h>

#include <openssl/evp.h>

#include "base/err.h"
#include "base/mem.h"
#include "crypto/internal.h"

void cl_hmac_free(cl_hmac_ctx *m)
{
    if (!m)
        return;
    /* The keyed states are derived from the key: wiped with the rest. */
    cl_digest_clear(&m->inner_keyed);
    cl_digest_clear(&m->outer_keyed);
    cl_digest_clear(&m->work);
    cl_free_secret(m, sizeof(*m));
}

/* Absorbs the key, padded to one block and xored with pad, into a fresh digest state. */
static int absorb_padded_key(cl_digest *d, cl_hash_alg alg, const uint8_t *key, size_t key_len,
                             size_t block, uint8_t pad)
{
    uint8_t buf[128];
    memset(buf, pad, block);
    for (size_t i = 0; i < key_len; i++)
        buf[i] ^= key[i];
    int rc = cl_digest_init(d, alg);
    if (rc == 0)
        rc = cl_digest_update(d, buf, block);
    cl_wipe(buf, sizeof(buf));
    return rc;
}

int cl_hmac_new(cl_hmac_ctx **out, cl_hash_alg alg, const uint8_t *key, size_t key_len)
{
    CL_CHECK((unsigned)alg <= CL_HASH_SHA1, CLASP_ERR_INVALID_ARG);
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
    CL_TRY_OUT(rc, absorb_padded_key(&m->inner_keyed, alg, key, key_len, block, 0x36));
    CL_TRY_OUT(rc, absorb_padded_key(&m->outer_keyed, alg, key, key_len, block, 0x5c));
    *out = m;
    m = NULL;
out:
    cl_wipe(hashed, sizeof(hashed));
    cl_hmac_free(m);
    return rc;
}

int cl_hmac_begin(cl_hmac_ctx *m)
{
    return cl_digest_copy(&m->work, &m->inner_keyed);
}

int cl_hmac_update(cl_hmac_ctx *m, const uint8_t *in, size_t len)
{
    if (len == 0)
        return 0;
    return cl_digest_update(&m->work, in, len);
}

int cl_hmac_final(cl_hmac_ctx *m, uint8_t *out)
{
    uint8_t inner[CL_MAX_HASH_LEN];
    int rc = cl_digest_final(&m->work, inner);
    if (rc == 0)
        rc = cl_digest_copy(&m->work, &m->outer_keyed);
    if (rc == 0)
        rc = cl_digest_update(&m->work, inner, cl_hash_len(m->work.alg));
    if (rc == 0)
        rc = cl_digest_final(&m->work, out);
    cl_wipe(inner, sizeof(inner));
    return rc;
}

cl_hash_alg cl_hmac_alg(const cl_hmac_ctx *m)
{
    return m->inner_keyed.alg;
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
