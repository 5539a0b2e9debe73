/*
 * Ephemeral key exchange for the TLS groups clasp offers: X25519 (RFC 7748) and ECDH over
 * P-256 and P-384 (SEC 1), with the public shares in their TLS encodings (RFC 8446 4.2.8.2):
 * 32 raw bytes for X25519, uncompressed points 0x04 || X || Y for the NIST curves.
 *
 * Each group has a key made once per process (its template): the base point for X25519, the
 * domain parameters alone for the curves. Keys are generated and peers' shares imported
 * through contexts made from the template, which costs neither a fetch by name nor, for the
 * curves, building the group from its name again (docs/performance.md: that was half of a
 * P-256 key generation and four fifths of importing a peer's point). Templates are only read
 * after they are made, so threads share them.
 */
#include <pthread.h>
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

enum kex_kind { KIND_ECX, KIND_EC };

struct group_info {
    uint16_t group;
    uint8_t kind;
    const char *name; /* OpenSSL: the key type for X25519, the group name for EC */
    int nid;          /* EC only */
    size_t public_len;
    size_t secret_len; /* also the private scalar's length */
};

static const struct group_info groups[] = {
    {CL_GROUP_X25519, KIND_ECX, "X25519", NID_X25519, 32, 32},
    {CL_GROUP_SECP256R1, KIND_EC, "P-256", NID_X9_62_prime256v1, 65, 32},
    {CL_GROUP_SECP384R1, KIND_EC, "P-384", NID_secp384r1, 97, 48},
};

#define N_GROUPS (sizeof(groups) / sizeof(groups[0]))

/* Made once (pthread_once), read-only after; NULL when libcrypto lacks the group. */
static EVP_PKEY *templates[N_GROUPS];
static pthread_once_t templates_once = PTHREAD_ONCE_INIT;

struct cl_kex {
    const struct group_info *info;
    EVP_PKEY *pkey;
    uint8_t pub[]; /* the share in its TLS encoding (public_len bytes), computed once */
};

/* The X25519 base point u = 9 (RFC 7748 4.1), little-endian. */
static const uint8_t x25519_base[32] = {9};

static EVP_PKEY *make_template(const struct group_info *g)
{
    EVP_PKEY *t = NULL;
    if (g->kind == KIND_ECX)
        return EVP_PKEY_new_raw_public_key_ex(NULL, g->name, NULL, x25519_base,
                                              sizeof(x25519_base));
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (!ctx || EVP_PKEY_paramgen_init(ctx) != 1 ||
        EVP_PKEY_CTX_set_group_name(ctx, g->name) != 1 || EVP_PKEY_paramgen(ctx, &t) != 1)
        t = NULL;
    EVP_PKEY_CTX_free(ctx);
    return t;
}

static void make_templates(void)
{
    for (size_t i = 0; i < N_GROUPS; i++)
        templates[i] = make_template(&groups[i]);
    ERR_clear_error(); /* a group libcrypto lacks is simply not offered */
}

/* The group and its template, or NULL when clasp (or this libcrypto) lacks it. */
static const struct group_info *group_info(uint16_t group, EVP_PKEY **tmpl)
{
    if (cl_crypto_init() != 0 || pthread_once(&templates_once, make_templates) != 0)
        return NULL;
    for (size_t i = 0; i < N_GROUPS; i++)
        if (groups[i].group == group && templates[i]) {
            if (tmpl)
                *tmpl = templates[i];
            return &groups[i];
        }
    return NULL;
}

int cl_kex_group_supported(uint16_t group)
{
    return group_info(group, NULL) != NULL;
}

size_t cl_kex_public_len(uint16_t group)
{
    const struct group_info *g = group_info(group, NULL);
    return g ? g->public_len : 0;
}

/* Wraps a key pair and records its public share; takes ownership of pkey. */
static int kex_wrap(cl_kex **out, const struct group_info *g, EVP_PKEY *pkey)
{
    cl_kex *k = cl_calloc(1, sizeof(*k) + g->public_len);
    if (!k) {
        EVP_PKEY_free(pkey);
        return CLASP_ERR_NOMEM;
    }
    k->info = g;
    k->pkey = pkey;
    /* X25519 encodes as its raw bytes, EC keys as uncompressed points by default. */
    size_t len = 0;
    if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, k->pub,
                                        g->public_len, &len) != 1 ||
        len != g->public_len || (g->kind == KIND_EC && k->pub[0] != 0x04)) {
        cl_kex_free(k);
        return CLASP_ERR_CRYPTO;
    }
    *out = k;
    return 0;
}

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
/* A reproducible key (crypto.h): a private value drawn from the fuzzing stream. */
static int fuzz_generate(cl_kex **out, const struct group_info *g)
{
    uint8_t priv[CL_MAX_KEX_SECRET_LEN];
    CL_TRY(cl_random(priv, g->secret_len));
    priv[0] = (priv[0] & 0x7f) | 0x40; /* big-endian scalars: in [1, n-1] for P-256/384 */
    int rc = cl_kex_from_private(out, g->group, priv, g->secret_len);
    cl_wipe(priv, sizeof(priv));
    return rc;
}
#endif

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

/* An X25519 key pair from its two halves, through a context made from the template. */
static int ecx_import(EVP_PKEY_CTX *ctx, const struct group_info *g, const uint8_t *priv,
                      const uint8_t *pub, EVP_PKEY **out)
{
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PRIV_KEY, (void *)priv, g->secret_len),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)pub, g->public_len),
        OSSL_PARAM_construct_end(),
    };
    return EVP_PKEY_fromdata(ctx, out, EVP_PKEY_KEYPAIR, params) == 1 ? 0 : CLASP_ERR_CRYPTO;
}

/*
 * X25519: the private key is the secret's bytes (libcrypto clamps them when it uses them),
 * the public key X25519(k, 9) computed by the exchange itself, against the template's base
 * point. Given the private key alone, libcrypto 3.0 computes the public one with a generic
 * fixed-base multiplication (ref10's, 32-bit limbs) that is slower than the Montgomery ladder
 * of the exchange (64-bit limbs, assembly): about 10% of a key's time here, measured.
 * The first key holds the base point as a stand-in public key, only for that one exchange,
 * which reads the private key alone; the key kept is imported with its true public key.
 */
static int ecx_generate(const struct group_info *g, EVP_PKEY *tmpl, EVP_PKEY **pkey)
{
    uint8_t priv[CL_MAX_KEX_SECRET_LEN], pub[CL_MAX_KEX_PUBLIC_LEN];
    size_t n = g->public_len;
    EVP_PKEY *stand_in = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, tmpl, NULL);
    int rc = ctx ? cl_random_secret(priv, g->secret_len) : CLASP_ERR_NOMEM;
    if (rc == 0)
        rc = EVP_PKEY_fromdata_init(ctx) == 1 ? 0 : CLASP_ERR_CRYPTO;
    if (rc == 0)
        rc = ecx_import(ctx, g, priv, x25519_base, &stand_in);
    if (rc == 0)
        rc = derive_raw(stand_in, tmpl, CLASP_ERR_CRYPTO, pub, &n);
    if (rc == 0 && n != g->public_len)
        rc = CLASP_ERR_CRYPTO;
    if (rc == 0)
        rc = ecx_import(ctx, g, priv, pub, pkey);
    EVP_PKEY_free(stand_in);
    EVP_PKEY_CTX_free(ctx);
    cl_wipe(priv, sizeof(priv));
    return rc;
}

/* EC: a key of the template's group, from a context made from the template. */
static int template_generate(EVP_PKEY *tmpl, EVP_PKEY **pkey)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, tmpl, NULL);
    CL_CHECK(ctx, CLASP_ERR_NOMEM);
    int ok = EVP_PKEY_keygen_init(ctx) == 1 && EVP_PKEY_generate(ctx, pkey) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok ? 0 : CLASP_ERR_CRYPTO;
}

int cl_kex_generate(cl_kex **out, uint16_t group)
{
    EVP_PKEY *tmpl = NULL, *pkey = NULL;
    const struct group_info *g = group_info(group, &tmpl);
    CL_CHECK(g, CLASP_ERR_INVALID_ARG);
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    if (cl_fuzz_random_active())
        return fuzz_generate(out, g);
#endif
    if (g->kind == KIND_ECX)
        CL_TRY(ecx_generate(g, tmpl, &pkey));
    else
        CL_TRY(template_generate(tmpl, &pkey));
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
    if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, g->name, 0) != 1 ||
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
    const struct group_info *g = group_info(group, NULL);
    CL_CHECK(g && priv && len == g->secret_len, CLASP_ERR_INVALID_ARG);
    EVP_PKEY *pkey = NULL;
    if (g->kind == KIND_EC) {
        CL_TRY(ec_from_scalar(g, priv, &pkey));
    } else {
        pkey = EVP_PKEY_new_raw_private_key_ex(NULL, g->name, NULL, priv, len);
        CL_CHECK(pkey, CLASP_ERR_CRYPTO);
    }
    return kex_wrap(out, g, pkey);
}

void cl_kex_free(cl_kex *k)
{
    if (!k)
        return;
    EVP_PKEY_free(k->pkey); /* the key managers clear the private key */
    cl_free(k, sizeof(*k) + k->info->public_len);
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
 * Decodes and validates the peer's share, the one time it is checked: a copy of the group's
 * template given the share as its public key. For EC, EVP_PKEY_set1_encoded_public_key goes
 * through ec_set_params (providers' ec_kmgmt.c) -> EC_KEY_oct2key -> EC_POINT_oct2point
 * (crypto/ec/ec_oct.c) -> ossl_ec_GFp_simple_oct2point (crypto/ec/ecp_oct.c), which rejects
 * a coordinate >= p and calls EC_POINT_set_affine_coordinates (crypto/ec/ec_lib.c), which
 * fails with POINT_IS_NOT_ON_CURVE. P-256 and P-384 have cofactor 1, so an on-curve point is
 * in the prime-order group and no further check is needed. oct2point also accepts compressed
 * and hybrid forms, so the 0x04 prefix is checked here. Every X25519 string of 32 bytes is a
 * valid share (RFC 7748 5); small-order ones are caught by the all-zero result.
 */
static int import_peer(const struct group_info *g, EVP_PKEY *tmpl, const uint8_t *peer, size_t len,
                       EVP_PKEY **out)
{
    CL_CHECK(peer && len == g->public_len, CLASP_ERR_ILLEGAL_PARAMETER);
    if (g->kind == KIND_EC)
        CL_CHECK(peer[0] == 0x04, CLASP_ERR_ILLEGAL_PARAMETER); /* RFC 8446 4.2.8.2 */
    *out = EVP_PKEY_dup(tmpl);
    CL_CHECK(*out, CLASP_ERR_NOMEM);
    if (EVP_PKEY_set1_encoded_public_key(*out, peer, len) == 1)
        return 0;
    EVP_PKEY_free(*out);
    *out = NULL;
    ERR_clear_error();
    return g->kind == KIND_EC ? CLASP_ERR_ILLEGAL_PARAMETER : CLASP_ERR_CRYPTO;
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
    EVP_PKEY *tmpl = NULL, *pp = NULL;
    CL_CHECK(cap >= g->secret_len, CLASP_ERR_BUFFER_TOO_SMALL);
    CL_CHECK(group_info(g->group, &tmpl), CLASP_ERR_INTERNAL);
    CL_TRY(import_peer(g, tmpl, peer, peer_len, &pp));
    uint8_t buf[CL_MAX_KEX_SECRET_LEN];
    size_t n = sizeof(buf);
    int ecx = g->kind == KIND_ECX;
    int rc = derive_raw(k->pkey, pp, ecx ? CLASP_ERR_ILLEGAL_PARAMETER : CLASP_ERR_CRYPTO, buf, &n);
    EVP_PKEY_free(pp);
    /* ECDH yields the x-coordinate padded to the field size (RFC 8446 7.4.2). */
    if (rc == 0 && n != g->secret_len)
        rc = CLASP_ERR_CRYPTO;
    /* RFC 8446 7.4.2: an all-zero X25519 secret MUST be refused. OpenSSL already fails the
     * derivation then; this check keeps the rule whatever the backend does. */
    if (rc == 0 && ecx && all_zero(buf, n))
        rc = CLASP_ERR_ILLEGAL_PARAMETER;
    if (rc == 0) {
        memcpy(secret, buf, n);
        *len = n;
    }
    cl_wipe(buf, sizeof(buf));
    return rc;
}
