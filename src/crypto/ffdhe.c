/*
 * What FFDHE (RFC 7919) needs beyond what kex.c does for every group: the range check of a
 * peer's public value, and a key pair from a given exponent (known-answer tests and the
 * fuzzing build's reproducible keys).
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "base/err.h"
#include "crypto/internal.h"

int cl_ffdhe_in_range(const uint8_t *y, const uint8_t *p, size_t len)
{
    if (len == 0)
        return 0;
    /* Y > 1: a byte before the last is nonzero, or the last is above 1. */
    int above_one = y[len - 1] > 1;
    for (size_t i = 0; i + 1 < len; i++)
        above_one |= y[i] != 0;
    /* Y < p - 1, big-endian: the primes are odd, so p - 1 is p with its last byte less one. */
    int c = memcmp(y, p, len - 1);
    return above_one && (c < 0 || (c == 0 && y[len - 1] < p[len - 1] - 1));
}

/* y = g^x mod p, with the group's p and g from the template. */
static int public_from_exponent(EVP_PKEY *tmpl, const BIGNUM *x, BIGNUM *y)
{
    BIGNUM *p = NULL, *g = NULL;
    BN_CTX *bn = BN_CTX_new();
    int ok = bn && EVP_PKEY_get_bn_param(tmpl, OSSL_PKEY_PARAM_FFC_P, &p) == 1 &&
             EVP_PKEY_get_bn_param(tmpl, OSSL_PKEY_PARAM_FFC_G, &g) == 1 && BN_cmp(x, p) < 0 &&
             BN_mod_exp_mont_consttime(y, g, x, p, bn, NULL) == 1;
    BN_free(p);
    BN_free(g);
    BN_CTX_free(bn);
    return ok;
}

int cl_ffdhe_from_private(EVP_PKEY *tmpl, const char *name, const uint8_t *priv, size_t len,
                          EVP_PKEY **out)
{
    int rc = CLASP_ERR_NOMEM;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BIGNUM *x = BN_secure_new(), *y = BN_new();
    if (!bld || !x || !y)
        goto out;
    BN_set_flags(x, BN_FLG_CONSTTIME);
    rc = CLASP_ERR_INVALID_ARG;
    if (!BN_bin2bn(priv, (int)len, x) || BN_is_zero(x) || BN_is_one(x) ||
        !public_from_exponent(tmpl, x, y))
        goto out;
    rc = CLASP_ERR_CRYPTO;
    if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, name, 0) == 1 &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, x) == 1 &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y) == 1)
        rc = cl_keypair_fromdata(tmpl, bld, out);
out:
    if (rc)
        ERR_clear_error();
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(x);
    BN_free(y);
    return rc;
}
