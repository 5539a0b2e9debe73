/*
 * Ephemeral key exchange for the TLS groups clasp offers: X25519 and X448 (RFC 7748), ECDH
 * over P-256, P-384 and P-521 (SEC 1), and finite-field Diffie-Hellman over the RFC 7919
 * groups ffdhe2048, ffdhe3072 and ffdhe4096, with the public shares in their TLS 1.3
 * encodings (RFC 8446 4.2.8): the raw bytes for X25519 and X448, uncompressed points
 * 0x04 || X || Y for the NIST curves, Y left-padded to the prime's length for FFDHE.
 *
 * Each group has a key made once per process (its template): the base point for X25519 and
 * X448, the domain parameters alone for the curves and the FFDHE groups. Keys are generated and
 * peers' shares imported through contexts made from the template, which costs neither a fetch by
 * name nor, for the curves, building the group from its name again (docs/performance.md: that was
 * half of a P-256 key generation and four fifths of importing a peer's point). Templates are only
 * read after they are made, so threads share them.
 */
#include <pthread.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "base/err.h"
#include "base/mem.h"
#include "crypto/internal.h"

enum kex_kind { KIND_ECX, KIND_EC, KIND_DH };

struct group_info {
    uint16_t group;
    uint8_t kind;
    uint8_t ladder;   /* X25519: public keys from the exchange's ladder (ecx_generate) */
    const char *name; /* OpenSSL: the key type for X25519/X448, the group name otherwise */
    int nid;          /* EC only */
    size_t public_len;
    size_t secret_len; /* the shared secret; for ECX and EC also the private scalar */
};

static const struct group_info groups[] = {
    {CL_GROUP_X25519, KIND_ECX, 1, "X25519", NID_X25519, 32, 32},
    {CL_GROUP_SECP256R1, KIND_EC, 0, "P-256", NID_X9_62_prime256v1, 65, 32},
    {CL_GROUP_SECP384R1, KIND_EC, 0, "P-384", NID_secp384r1, 97, 48},
    {CL_GROUP_SECP521R1, KIND_EC, 0, "P-521", NID_secp521r1, 133, 66},
    {CL_GROUP_X448, KIND_ECX, 0, "X448", NID_X448, 56, 56},
    {CL_GROUP_FFDHE2048, KIND_DH, 0, "ffdhe2048", NID_ffdhe2048, 256, 256},
    {CL_GROUP_FFDHE3072, KIND_DH, 0, "ffdhe3072", NID_ffdhe3072, 384, 384},
    {CL_GROUP_FFDHE4096, KIND_DH, 0, "ffdhe4096", NID_ffdhe4096, 512, 512},
};

#define N_GROUPS (sizeof(groups) / sizeof(groups[0]))

/*
 * Made once (pthread_once), read-only after: the template (NULL when libcrypto lacks the
 * group) and, for FFDHE, the prime in big-endian bytes of the share's length.
 */
static struct group_state {
    EVP_PKEY *tmpl;
    uint8_t prime[CL_MAX_KEX_PUBLIC_LEN];
} state[N_GROUPS];
static pthread_once_t templates_once = PTHREAD_ONCE_INIT;

struct cl_kex {
    const struct group_info *info;
    EVP_PKEY *pkey;
    uint8_t pub[]; /* the share in its TLS encoding (public_len bytes), computed once */
};

/* The base points (RFC 7748 4.1, 4.2): u = 9 for X25519, u = 5 for X448, little-endian. */
static const uint8_t x25519_base[32] = {9};
static const uint8_t x448_base[56] = {5};

static EVP_PKEY *make_template(const struct group_info *g)
{
    EVP_PKEY *t = NULL;
    if (g->kind == KIND_ECX)
        return g->group == CL_GROUP_X25519
                   ? EVP_PKEY_new_raw_public_key_ex(NULL, g->name, NULL, x25519_base, 32)
                   : EVP_PKEY_new_raw_public_key_ex(NULL, g->name, NULL, x448_base, 56);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, g->kind == KIND_EC ? "EC" : "DH", NULL);
    if (!ctx || EVP_PKEY_paramgen_init(ctx) != 1 ||
        EVP_PKEY_CTX_set_group_name(ctx, g->name) != 1 || EVP_PKEY_paramgen(ctx, &t) != 1)
        t = NULL;
    EVP_PKEY_CTX_free(ctx);
    return t;
}

/* The FFDHE prime as bytes, for the range checks and for TLS 1.2's ServerDHParams. */
static int keep_prime(const struct group_info *g, struct group_state *st)
{
    BIGNUM *p = NULL;
    int ok = EVP_PKEY_get_bn_param(st->tmpl, OSSL_PKEY_PARAM_FFC_P, &p) == 1 &&
             BN_num_bytes(p) == (int)g->public_len &&
             BN_bn2binpad(p, st->prime, (int)g->public_len) == (int)g->public_len;
    BN_free(p);
    return ok;
}

static void make_templates(void)
{
    for (size_t i = 0; i < N_GROUPS; i++) {
        state[i].tmpl = make_template(&groups[i]);
        if (state[i].tmpl && groups[i].kind == KIND_DH && !keep_prime(&groups[i], &state[i])) {
            EVP_PKEY_free(state[i].tmpl);
            state[i].tmpl = NULL;
        }
    }
    ERR_clear_error(); /* a group libcrypto lacks is simply not offered */
}

/* The group and its state, or NULL when clasp (or this libcrypto) lacks it. */
static const struct group_info *group_find(uint16_t group, const struct group_state **st)
{
    if (cl_crypto_init() != 0 || pthread_once(&templates_once, make_templates) != 0)
        return NULL;
    for (size_t i = 0; i < N_GROUPS; i++)
        if (groups[i].group == group && state[i].tmpl) {
            if (st)
                *st = &state[i];
            return &groups[i];
        }
    return NULL;
}

/* The group and its template. */
static const struct group_info *group_info(uint16_t group, EVP_PKEY **tmpl)
{
    const struct group_state *st = NULL;
    const struct group_info *g = group_find(group, &st);
    if (g && tmpl)
        *tmpl = st->tmpl;
    return g;
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
    size_t len = g->kind == KIND_DH ? 32 : g->secret_len; /* FFDHE: a 256-bit exponent */
    size_t top = g->group == CL_GROUP_SECP521R1;          /* its order has 521 bits */
    CL_TRY(cl_random(priv, len));
    priv[0] = top ? 0 : priv[0];
    priv[top] = (priv[top] & 0x7f) | 0x40; /* big-endian values: below the group order */
    int rc = cl_kex_from_private(out, g->group, priv, len);
    cl_wipe(priv, sizeof(priv));
    return rc;
}
#endif

/*
 * Runs the exchange into buf. The peer was validated by import_peer, so it is set with
 * validate_peer = 0: the default (EVP_PKEY_derive_set_peer) would run EVP_PKEY_public_check,
 * a second and costlier validation of the same share. A failed derivation step itself is
 * the peer's doing for X25519 and X448, where the only way ossl_ecx_compute_key (providers'
 * ecx_exch.c -> crypto/ec/ecx_key.c) fails after setup is an all-zero result (a small-order
 * share), and for FFDHE, where ossl_dh_compute_key (crypto/dh/dh_key.c) refuses a result of
 * 1 or p - 1; for EC it is a local failure. FFDHE results are left-padded to the prime's
 * length (RFC 8446 7.4.1).
 */
static int derive_raw(const struct group_info *g, EVP_PKEY *own, EVP_PKEY *peer, uint8_t *buf,
                      size_t *len)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, own, NULL);
    CL_CHECK(ctx, CLASP_ERR_NOMEM);
    int rc = CLASP_ERR_CRYPTO;
    if (EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) == 1 &&
        (g->kind != KIND_DH || EVP_PKEY_CTX_set_dh_pad(ctx, 1) == 1))
        rc = EVP_PKEY_derive(ctx, buf, len) == 1 ? 0
             : g->kind == KIND_EC                ? CLASP_ERR_CRYPTO
                                                 : CLASP_ERR_ILLEGAL_PARAMETER;
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
        rc = ecx_import(ctx, g, priv, x25519_base, &stand_in); /* X25519 alone: ladder */
    if (rc == 0)
        rc = derive_raw(g, stand_in, tmpl, pub, &n) == 0 && n == g->public_len ? 0
                                                                               : CLASP_ERR_CRYPTO;
    if (rc == 0)
        rc = ecx_import(ctx, g, priv, pub, pkey);
    EVP_PKEY_free(stand_in);
    EVP_PKEY_CTX_free(ctx);
    cl_wipe(priv, sizeof(priv));
    return rc;
}

/*
 * X448: the private key is the secret's bytes, the public one computed by libcrypto, whose
 * fixed-base multiplication for X448 uses a precomputed table and beats its ladder.
 */
static int ecx_plain_generate(const struct group_info *g, EVP_PKEY **pkey)
{
    uint8_t priv[CL_MAX_KEX_SECRET_LEN];
    CL_TRY(cl_random_secret(priv, g->secret_len));
    *pkey = EVP_PKEY_new_raw_private_key_ex(NULL, g->name, NULL, priv, g->secret_len);
    cl_wipe(priv, sizeof(priv));
    return *pkey ? 0 : CLASP_ERR_CRYPTO;
}

/* EC and FFDHE: a key of the template's group, from a context made from the template. */
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
    if (g->ladder)
        CL_TRY(ecx_generate(g, tmpl, &pkey));
    else if (g->kind == KIND_ECX)
        CL_TRY(ecx_plain_generate(g, &pkey));
    else
        CL_TRY(template_generate(tmpl, &pkey));
    return kex_wrap(out, g, pkey);
}

int cl_keypair_fromdata(EVP_PKEY *tmpl, OSSL_PARAM_BLD *bld, EVP_PKEY **out)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = params ? EVP_PKEY_CTX_new_from_pkey(NULL, tmpl, NULL) : NULL;
    int ok = ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
             EVP_PKEY_fromdata(ctx, out, EVP_PKEY_KEYPAIR, params) == 1;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params); /* a secret (a secure BIGNUM) sat in its cleared secure block */
    if (!ok)
        ERR_clear_error();
    return ok ? 0 : CLASP_ERR_CRYPTO;
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
static int ec_from_scalar(const struct group_info *g, EVP_PKEY *tmpl, const uint8_t *priv,
                          EVP_PKEY **pkey)
{
    int rc = CLASP_ERR_NOMEM;
    uint8_t pub[CL_MAX_KEX_PUBLIC_LEN];
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
    if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, g->name, 0) == 1 &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) == 1 &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, g->public_len) == 1)
        rc = cl_keypair_fromdata(tmpl, bld, pkey);
out:
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(d);
    EC_GROUP_free(grp);
    return rc;
}

int cl_kex_from_private(cl_kex **out, uint16_t group, const uint8_t *priv, size_t len)
{
    EVP_PKEY *tmpl = NULL, *pkey = NULL;
    const struct group_info *g = group_info(group, &tmpl);
    CL_CHECK(g && priv, CLASP_ERR_INVALID_ARG);
    if (g->kind == KIND_DH) { /* an exponent of up to the prime's length */
        CL_CHECK(len > 0 && len <= g->public_len, CLASP_ERR_INVALID_ARG);
        CL_TRY(cl_ffdhe_from_private(tmpl, g->name, priv, len, &pkey));
        return kex_wrap(out, g, pkey);
    }
    CL_CHECK(len == g->secret_len, CLASP_ERR_INVALID_ARG);
    if (g->kind == KIND_EC) {
        CL_TRY(ec_from_scalar(g, tmpl, priv, &pkey));
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
 * fails with POINT_IS_NOT_ON_CURVE. The three curves have cofactor 1, so an on-curve point is
 * in the prime-order group and no further check is needed. oct2point also accepts compressed
 * and hybrid forms, so the 0x04 prefix is checked here. Every X25519 or X448 string of the
 * right length is a valid share (RFC 7748 5); small-order ones are caught by the all-zero
 * result. An FFDHE share is checked against its prime here, whatever libcrypto checks too.
 */
static int import_peer(const struct group_info *g, const struct group_state *st,
                       const uint8_t *peer, size_t len, EVP_PKEY **out)
{
    /* RFC 8446 4.2.8.1: Y "left-padded with zeros to the size of p" */
    CL_CHECK(peer && len == g->public_len, CLASP_ERR_ILLEGAL_PARAMETER);
    if (g->kind == KIND_EC)
        CL_CHECK(peer[0] == 0x04, CLASP_ERR_ILLEGAL_PARAMETER); /* RFC 8446 4.2.8.2 */
    /* RFC 7919 5.1: "Peers MUST validate each other's public key Y ... 1 < Y < p-1" */
    if (g->kind == KIND_DH)
        CL_CHECK(cl_ffdhe_in_range(peer, st->prime, len), CLASP_ERR_ILLEGAL_PARAMETER);
    *out = EVP_PKEY_dup(st->tmpl);
    CL_CHECK(*out, CLASP_ERR_NOMEM);
    if (EVP_PKEY_set1_encoded_public_key(*out, peer, len) == 1)
        return 0;
    EVP_PKEY_free(*out);
    *out = NULL;
    ERR_clear_error();
    return g->kind == KIND_ECX ? CLASP_ERR_CRYPTO : CLASP_ERR_ILLEGAL_PARAMETER;
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
    const struct group_state *st = NULL;
    EVP_PKEY *pp = NULL;
    CL_CHECK(cap >= g->secret_len, CLASP_ERR_BUFFER_TOO_SMALL);
    CL_CHECK(group_find(g->group, &st), CLASP_ERR_INTERNAL);
    CL_TRY(import_peer(g, st, peer, peer_len, &pp));
    uint8_t buf[CL_MAX_KEX_SECRET_LEN];
    size_t n = sizeof(buf);
    int ecx = g->kind == KIND_ECX;
    int rc = derive_raw(g, k->pkey, pp, buf, &n);
    EVP_PKEY_free(pp);
    /* ECDH yields the x-coordinate padded to the field size (RFC 8446 7.4.2), FFDHE the
     * secret padded to the prime's (7.4.1). */
    if (rc == 0 && n != g->secret_len)
        rc = CLASP_ERR_CRYPTO;
    /* RFC 8446 7.4.2: an all-zero X25519 or X448 secret MUST be refused. OpenSSL already
     * fails the derivation then; this check keeps the rule whatever the backend does. */
    if (rc == 0 && ecx && all_zero(buf, n))
        rc = CLASP_ERR_ILLEGAL_PARAMETER;
    if (rc == 0) {
        memcpy(secret, buf, n);
        *len = n;
    }
    cl_wipe(buf, sizeof(buf));
    return rc;
}

/* ---- FFDHE parameters, for TLS 1.2's ServerDHParams ---- */

int cl_kex_ffdhe_params(uint16_t group, const uint8_t **p, size_t *p_len, uint8_t *g)
{
    const struct group_state *st = NULL;
    const struct group_info *gi = group_find(group, &st);
    CL_CHECK(gi && gi->kind == KIND_DH, CLASP_ERR_INVALID_ARG);
    *p = st->prime;
    *p_len = gi->public_len;
    *g = 2; /* every RFC 7919 group's generator (RFC 7919 A) */
    return 0;
}

/* n without its leading zero bytes. */
static const uint8_t *strip_zeros(const uint8_t *v, size_t *n)
{
    while (*n > 0 && v[0] == 0)
        v++, (*n)--;
    return v;
}

uint16_t cl_kex_ffdhe_group_of(const uint8_t *p, size_t p_len, const uint8_t *g, size_t g_len)
{
    p = strip_zeros(p, &p_len);
    g = strip_zeros(g, &g_len);
    if (g_len != 1 || g[0] != 2)
        return 0;
    for (size_t i = 0; i < N_GROUPS; i++) {
        const struct group_state *st = NULL;
        if (groups[i].kind == KIND_DH && group_find(groups[i].group, &st) &&
            p_len == groups[i].public_len && memcmp(p, st->prime, p_len) == 0)
            return groups[i].group;
    }
    return 0;
}
