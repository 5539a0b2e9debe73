/*
 * AES-CBC without padding, for TLS 1.2's CBC-HMAC suites: the record layer pads (RFC 5246
 * 6.2.3.2) and checks the padding itself, in constant time. A context is keyed once per
 * direction; each record sets its IV.
 */
#include <openssl/evp.h>

#include "base/err.h"
#include "base/mem.h"
#include "crypto/internal.h"

struct cl_cbc {
    EVP_CIPHER_CTX *ctx;
    int encrypt;
};

size_t cl_cbc_key_len(cl_cbc_alg alg)
{
    return alg == CL_CBC_AES_128 ? 16 : 32;
}

int cl_cbc_new(cl_cbc **out, cl_cbc_alg alg, int encrypt, const uint8_t *key, size_t key_len)
{
    CL_TRY(cl_crypto_init());
    CL_CHECK((unsigned)alg <= CL_CBC_AES_256 && key_len == cl_cbc_key_len(alg),
             CLASP_ERR_INVALID_ARG);
    cl_cbc *c = cl_calloc(1, sizeof(*c));
    CL_CHECK(c, CLASP_ERR_NOMEM);
    c->encrypt = encrypt ? 1 : 0;
    c->ctx = EVP_CIPHER_CTX_new();
    if (!c->ctx ||
        EVP_CipherInit_ex2(c->ctx, cl_algs()->cbc[alg], key, NULL, c->encrypt, NULL) != 1 ||
        EVP_CIPHER_CTX_set_padding(c->ctx, 0) != 1) {
        cl_cbc_free(c);
        return CLASP_ERR_CRYPTO;
    }
    *out = c;
    return 0;
}

void cl_cbc_free(cl_cbc *c)
{
    if (!c)
        return;
    EVP_CIPHER_CTX_free(c->ctx); /* cleanses the key schedule */
    cl_free(c, sizeof(*c));
}

int cl_cbc_crypt(cl_cbc *c, const uint8_t iv[CL_CBC_BLOCK_LEN], uint8_t *buf, size_t len)
{
    int outl = 0;
    CL_CHECK(len % CL_CBC_BLOCK_LEN == 0 && len <= INT32_MAX, CLASP_ERR_INVALID_ARG);
    /* Only the IV changes: the key schedule stays (and padding stays off). */
    if (EVP_CipherInit_ex2(c->ctx, NULL, NULL, iv, c->encrypt, NULL) != 1)
        return CLASP_ERR_CRYPTO;
    if (len && (EVP_CipherUpdate(c->ctx, buf, &outl, buf, (int)len) != 1 || (size_t)outl != len))
        return CLASP_ERR_CRYPTO;
    return 0;
}
