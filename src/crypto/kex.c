/*
 * Ephemeral key exchange for the TLS groups clasp offers: X25519 (RFC 7748) and ECDH over
 * P-256 and P-384 (SEC 1), with the public shares in their TLS encodings (RFC 8446 4.2.8.2):
 * 32 raw bytes for X25519, uncompressed points 0x04 || X || Y for the NIST curves.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "base/err.h"
#include "base/mem.h"
#include "crypto/internal.h"

struct group_info {
    uint16_t group;
    const char *keytype; /* OpenSSL key type name */
    const char *curve;   /* OpenSSL group name for EC, NULL for X25519 */
    int nid;
    size_t public_len;
    size_t secret_len; /* also the private scalar's length */
};

static const struct group_info groups[] = {
    {CL_GROUP_X25519, "X25519", NULL, NID_X25519, 32, 32},
    {CL_GROUP_SECP256R1, "EC", "P-256", NID_X9_62_prime256v1, 65, 32},
    {CL_GROUP_SECP384R1, "EC", "P-384", NID_secp384r1, 97, 48},
};

struct cl_kex {
    const struct group_info *info;
    EVP_PKEY *pkey;
    uint8_t pub[CL_MAX_KEX_PUBLIC_LEN]; /* the share in its TLS encoding, computed once */
};

static const struct group_info *group_info(uint16_t group)
{
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
        if (groups[i].group == group)
            return &groups[i];
    return NULL;
}

int cl_kex_group_supported(uint16_t group)
{
    return group_info(group) != NULL;
}

size_t cl_kex_public_len(uint16_t group)
{
    const struct group_info *g = group_info(group);
    return g ? g->public_len : 0;
}

/* Wraps a key pair and records its public share; takes ownership of pkey. */
static int kex_wrap(cl_kex **out, const struct group_info *g, EVP_PKEY *pkey)
{
    cl_kex *k = cl_calloc(1, sizeof(*k));
    if (!k) {
        EVP_PKEY_free(pkey);
        return CLASP_ERR_NOMEM;
    }
    k->info = g;
    k->pkey = pkey;
    /* X25519 encodes as its 32 raw bytes, EC keys as uncompressed points by default. */
    size_t len = 0;
    if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, k->pub,
                                        sizeof(k->pub), &len) != 1 ||
        len != g->public_len || (g->curve && k->pub[0] != 0x04)) {
        cl_kex_free(k);
        return CLASP_ERR_CRYPTO;
    }
    *out = k;
    return 0;
}

int cl_kex_generate(cl_kex **out, uint16_t group)
{
    CL_TRY(cl_crypto_init());
    const struct group_info *g = group_info(group);
    CL_CHECK(g, CLASP_ERR_INVALID_ARG);
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    if (cl_fuzz_random_active()) { /* a reproducible key (crypto.h) */
        uint8_t priv[CL_MAX_KEX_SECRET_LEN];
        CL_TRY(cl_random(priv, g->secret_len));
        priv[0] = (priv[0] & 0x7f) | 0x40; /* big-endian scalars: in [1, n-1] for P-256/384 */
        return cl_kex_from_private(out, group, priv, g->secret_len);
    }
#endif
    EVP_PKEY *pkey = g->curve ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", g->curve)
                              : EVP_PKEY_Q_keygen(NULL, NULL, g->keytype);
    CL_CHECK(pkey, CLASP_ERR_CRYPTO);
    return kex_wrap(out, g, pkey);
}

/* pub = d * G, uncompressed; d must already be in [1, n-1]. */
static int ec_public_from_scalar(const EC_GROUP *grp, const BIGNUM *d, uint8_t *pub, size_t len)
{
    int rc = CLASP_ERR_CRYPTO;
    BN_CTX *bn = BN_CTX_new();
    EC_POINT *pt = EC_POINT_new(grp);
    if (bn && pt && EC_POINT_mul(grp, pt, d, NULL, NULL, bn) == 1 &&
        EC_POINT_point2oct(grp, pt, POINT_CONVERSION_UNCOMPRESSED, pub, len, bn) == len)
        rc = 0;
    EC_POINT_free(pt);
    BN_CTX_free(bn);
    return rc;
}

/*
 * An EC key pair from its scalar. The public point is computed here and passed in with the
 * scalar: OpenSSL 3.0's EC import does not derive it (on 3.0.19 a scalar-only import gives a
 * key with no public point; the fallback in ossl_ec_key_fromdata came in a later release).
 */
static int ec_from_scalar(const struct group_info *g, const uint8_t *priv, EVP_PKEY **pkey)
{
    int rc = CLASP_ERR_NOMEM;
    uint8_t pub[CL_MAX_KEX_PUBLIC_LEN];
    EVP_PKEY_CTX *ctx = NULL;
    OSSL_PARAM *params = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    EC_GROUP *grp = EC_GROUP_new_by_curve_name(g->nid);
    BIGNUM *d = BN_secure_new();
    if (!bld || !grp || !d)
        goto out;
    BN_set_flags(d, BN_FLG_CONSTTIME);
    rc = CLASP_ERR_INVALID_ARG;
    if (!BN_bin2bn(priv, (int)g->secret_len, d) || BN_is_zero(d) ||
        BN_cmp(d, EC_GROUP_get0_order(grp)) >= 0)
        goto out;
    CL_TRY_OUT(rc, ec_public_from_scalar(grp, d, pub, g->public_len));
    rc = CLASP_ERR_CRYPTO;
    if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, g->curve, 0) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, g->public_len) != 1 ||
        !(params = OSSL_PARAM_BLD_to_param(bld)) ||
        !(ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, pkey, EVP_PKEY_KEYPAIR, params) != 1)
        goto out;
    rc = 0;
out:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params); /* the scalar (a secure BIGNUM) sat in its cleared secure block */
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(d);
    EC_GROUP_free(grp);
    return rc;
}

int cl_kex_from_private(cl_kex **out, uint16_t group, const uint8_t *priv, size_t len)
{
    CL_TRY(cl_crypto_init());
    const struct group_info *g = group_info(group);
    CL_CHECK(g && priv && len == g->secret_len, CLASP_ERR_INVALID_ARG);
    EVP_PKEY *pkey = NULL;
    if (g->curve) {
        CL_TRY(ec_from_scalar(g, priv, &pkey));
    } else {
        pkey = EVP_PKEY_new_raw_private_key_ex(NULL, g->keytype, NULL, priv, len);
        CL_CHECK(pkey, CLASP_ERR_CRYPTO);
    }
    return kex_wrap(out, g, pkey);
}

void cl_kex_free(cl_kex *k)
{
    if (!k)
        return;
    EVP_PKEY_free(k->pkey); /* the key managers clear the private key */
    cl_free(k, sizeof(*k));
}

uint16_t cl_kex_group(const cl_kex *k)
{
    return k->info->group;
}

int cl_kex_public(const cl_kex *k, uint8_t *out, size_t cap, size_t *len)
{
    CL_CHECK(cap >= k->info->public_len, CLASP_ERR_BUFFER_TOO_SMALL);
    memcpy(out, k->pub, k->info->public_len);
    *len = k->info->public_len;
    return 0;
}

/*
 * Decodes and validates the peer's share, the one time it is checked. For EC, the import
 * goes through ossl_ec_key_fromdata (crypto/ec/ec_backend.c) -> EC_POINT_oct2point
 * (crypto/ec/ec_oct.c) -> ossl_ec_GFp_simple_oct2point (crypto/ec/ecp_oct.c), which rejects
 * a coordinate >= p and calls EC_POINT_set_affine_coordinates (crypto/ec/ec_lib.c), which
 * fails with POINT_IS_NOT_ON_CURVE. P-256 and P-384 have cofactor 1, so an on-curve point is
 * in the prime-order group and no further check is needed. oct2point also accepts compressed
 * and hybrid forms, so the 0x04 prefix is checked here. Every X25519 string of 32 bytes is a
 * valid share (RFC 7748 5); small-order ones are caught by the all-zero result.
 */
static int import_peer(const struct group_info *g, const uint8_t *peer, size_t len, EVP_PKEY **out)
{
    CL_CHECK(peer && len == g->public_len, CLASP_ERR_ILLEGAL_PARAMETER);
    if (!g->curve) {
        *out = EVP_PKEY_new_raw_public_key_ex(NULL, g->keytype, NULL, peer, len);
        return *out ? 0 : CLASP_ERR_CRYPTO;
    }
    CL_CHECK(peer[0] == 0x04, CLASP_ERR_ILLEGAL_PARAMETER); /* RFC 8446 4.2.8.2 */
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)g->curve, 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)peer, len),
        OSSL_PARAM_construct_end(),
    };
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    CL_CHECK(ctx, CLASP_ERR_NOMEM);
    int ok = EVP_PKEY_fromdata_init(ctx) == 1 &&
             EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) == 1;
    EVP_PKEY_CTX_free(ctx);
    if (ok)
        return 0;
    ERR_clear_error();
    return CLASP_ERR_ILLEGAL_PARAMETER;
}

/*
 * Runs the exchange into buf. The peer was validated by import_peer, so it is set with
 * validate_peer = 0: the default (EVP_PKEY_derive_set_peer) would run EVP_PKEY_public_check,
 * a second and costlier validation of the same point. derive_err is the error for a failed
 * derivation step itself: for X25519 the only way ossl_ecx_compute_key (providers'
 * ecx_exch.c -> crypto/ec/ecx_key.c) fails after setup is ossl_x25519 returning 0 for an
 * all-zero result, i.e. a small-order peer share.
 */
static int derive_raw(EVP_PKEY *own, EVP_PKEY *peer, int derive_err, uint8_t *buf, size_t *len)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, own, NULL);
    CL_CHECK(ctx, CLASP_ERR_NOMEM);
    int rc = CLASP_ERR_CRYPTO;
    if (EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) == 1)
        rc = EVP_PKEY_derive(ctx, buf, len) == 1 ? 0 : derive_err;
    EVP_PKEY_CTX_free(ctx);
    if (rc != 0)
        ERR_clear_error();
    return rc;
}

/* 1 when all n bytes are zero; reads every byte whatever their values. */
static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

int cl_kex_derive(const cl_kex *k, const uint8_t *peer, size_t peer_len, uint8_t *secret,
                  size_t cap, size_t *len)
{
    const struct group_info *g = k->info;
    CL_CHECK(cap >= g->secret_len, CLASP_ERR_BUFFER_TOO_SMALL);
    EVP_PKEY *pp = NULL;
    CL_TRY(import_peer(g, peer, peer_len, &pp));
    uint8_t buf[CL_MAX_KEX_SECRET_LEN];
    size_t n = sizeof(buf);
    int x25519 = g->curve == NULL;
    int rc =
        derive_raw(k->pkey, pp, x25519 ? CLASP_ERR_ILLEGAL_PARAMETER : CLASP_ERR_CRYPTO, buf, &n);
    EVP_PKEY_free(pp);
    /* ECDH yields the x-coordinate padded to the field size (RFC 8446 7.4.2). */
    if (rc == 0 && n != g->secret_len)
        rc = CLASP_ERR_CRYPTO;
    /* RFC 8446 7.4.2: an all-zero X25519 secret MUST be refused. OpenSSL already fails the
     * derivation then; this check keeps the rule whatever the backend does. */
    if (rc == 0 && x25519 && all_zero(buf, n))
        rc = CLASP_ERR_ILLEGAL_PARAMETER;
    if (rc == 0) {
        memcpy(secret, buf, n);
        *len = n;
    }
    cl_wipe(buf, sizeof(buf));
    return rc;
}
