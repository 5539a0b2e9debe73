/*
 * Key exchange: RFC 7748 (X25519, X448) and RFC 5903 (ECDH P-256, P-384) known answers,
 * libcrypto as an oracle for every group (P-521 and FFDHE have no vectors of their own here),
 * round trips, and every kind of bad peer share the TLS encodings allow.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include <clasp/errors.h>

#include "crypto/crypto.h"
#include "testutil.h"

/* ---- known answers ---- */

struct kat {
    uint16_t group;
    const char *a_priv, *a_pub, *b_priv, *b_pub, *shared;
};

/* RFC 7748 section 6.1. */
static const struct kat x25519_kat = {
    CL_GROUP_X25519,
    "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
    "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
    "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
    "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
    "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
};

/* RFC 7748 section 6.2. */
static const struct kat x448_kat = {
    CL_GROUP_X448,
    "9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382a6f127ab"
    "1d9ac2d8c0a598726b",
    "9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c22c5d9bbc836647241d953d40c5b12da88120d"
    "53177f80e532c41fa0",
    "1c306a7ac2a0e2e0990b294470cba339e6453772b075811d8fad0d1d6927c120bb5ee8972b0d3e21374c9c921b09d1"
    "b0366f10b65173992d",
    "3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dcb57aec3d"
    "ae07bdc1c67bf33609",
    "07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56fd2464c335543936521c24403085d5"
    "9a449a5037514a879d",
};

/* RFC 5903 section 8.1: i, g^i = (gix, giy), r, g^r = (grx, gry), g^ir x = girx. */
static const struct kat p256_kat = {
    CL_GROUP_SECP256R1,
    "C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433",
    "04 DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180"
    "   5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3",
    "C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53",
    "04 D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63"
    "   56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB",
    "D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE",
};

/* RFC 5903 section 8.2. */
static const struct kat p384_kat = {
    CL_GROUP_SECP384R1,
    "099F3C7034D4A2C699884D73A375A67F7624EF7C6B3C0F160647B67414DCE655E35B538041E649EE3FAEF896783AB1"
    "94",
    "04 "
    "667842D7D180AC2CDE6F74F37551F55755C7645C20EF73E31634FE72B4C55EE6DE3AC808ACB4BDB4C88732AEE95F41"
    "AA"
    "   "
    "9482ED1FC0EEB9CAFC4984625CCFC23F65032149E0E144ADA024181535A0F38EEB9FCFF3C2C947DAE69B4C634573A8"
    "1C",
    "41CB0779B4BDB85D47846725FBEC3C9430FAB46CC8DC5060855CC9BDA0AA2942E0308312916B8ED2960E4BD55A7448"
    "FC",
    "04 "
    "E558DBEF53EECDE3D3FCCFC1AEA08A89A987475D12FD950D83CFA41732BC509D0D1AC43A0336DEF96FDA41D0774A35"
    "71"
    "   "
    "DCFBEC7AACF3196472169E838430367F66EEBE3C6E70C416DD5F0C68759DD1FFF83FA40142209DFF5EAAD96DB9E638"
    "6C",
    "11187331C279962D93D604243FD592CB9D0A926F422E47187521287E7156C5C4D603135569B9E9D09CF5D4A270F597"
    "46",
};

static void assert_public(const cl_kex *k, const uint8_t *want, size_t want_len)
{
    uint8_t pub[CL_MAX_KEX_PUBLIC_LEN];
    size_t n = 0;
    assert_int_equal(cl_kex_public(k, pub, sizeof(pub), &n), 0);
    assert_int_equal(n, want_len);
    assert_memory_equal(pub, want, n);
}

static void assert_derive(const cl_kex *k, const uint8_t *peer, size_t peer_len,
                          const uint8_t *want, size_t want_len)
{
    uint8_t secret[CL_MAX_KEX_SECRET_LEN];
    size_t n = 0;
    assert_int_equal(cl_kex_derive(k, peer, peer_len, secret, sizeof(secret), &n), 0);
    assert_int_equal(n, want_len);
    assert_memory_equal(secret, want, n);
}

static void run_kat(const struct kat *v)
{
    size_t apl, apubl, bpl, bpubl, sl;
    uint8_t *a_priv = hex_decode(v->a_priv, &apl), *a_pub = hex_decode(v->a_pub, &apubl);
    uint8_t *b_priv = hex_decode(v->b_priv, &bpl), *b_pub = hex_decode(v->b_pub, &bpubl);
    uint8_t *shared = hex_decode(v->shared, &sl);
    cl_kex *a = NULL, *b = NULL;
    assert_int_equal(cl_kex_from_private(&a, v->group, a_priv, apl), 0);
    assert_int_equal(cl_kex_from_private(&b, v->group, b_priv, bpl), 0);
    assert_int_equal(cl_kex_group(a), v->group);
    assert_int_equal(apubl, cl_kex_public_len(v->group));
    assert_public(a, a_pub, apubl);
    assert_public(b, b_pub, bpubl);
    assert_derive(a, b_pub, bpubl, shared, sl);
    assert_derive(b, a_pub, apubl, shared, sl);
    cl_kex_free(a);
    cl_kex_free(b);
    free(a_priv), free(a_pub), free(b_priv), free(b_pub), free(shared);
}

static void test_x25519_kat(void **state)
{
    (void)state;
    run_kat(&x25519_kat);
}

static void test_x448_kat(void **state)
{
    (void)state;
    run_kat(&x448_kat);
}

static void test_p256_kat(void **state)
{
    (void)state;
    run_kat(&p256_kat);
}

static void test_p384_kat(void **state)
{
    (void)state;
    run_kat(&p384_kat);
}

/* ---- libcrypto as the oracle: its key pairs, its derivations ---- */

struct group_case {
    uint16_t group;
    const char *type, *name; /* libcrypto's key type, and group name (NULL for X25519/X448) */
    size_t public_len, secret_len;
};

static const struct group_case all_groups[] = {
    {CL_GROUP_X25519, "X25519", NULL, 32, 32},
    {CL_GROUP_X448, "X448", NULL, 56, 56},
    {CL_GROUP_SECP256R1, "EC", "P-256", 65, 32},
    {CL_GROUP_SECP384R1, "EC", "P-384", 97, 48},
    {CL_GROUP_SECP521R1, "EC", "P-521", 133, 66},
    {CL_GROUP_FFDHE2048, "DH", "ffdhe2048", 256, 256},
    {CL_GROUP_FFDHE3072, "DH", "ffdhe3072", 384, 384},
    {CL_GROUP_FFDHE4096, "DH", "ffdhe4096", 512, 512},
};

#define N_ALL (sizeof(all_groups) / sizeof(all_groups[0]))

static EVP_PKEY *oracle_key(const struct group_case *gc)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, gc->type, NULL);
    EVP_PKEY *k = NULL;
    assert_non_null(ctx);
    assert_int_equal(EVP_PKEY_keygen_init(ctx), 1);
    if (gc->name)
        assert_int_equal(EVP_PKEY_CTX_set_group_name(ctx, gc->name), 1);
    assert_int_equal(EVP_PKEY_generate(ctx, &k), 1);
    EVP_PKEY_CTX_free(ctx);
    return k;
}

/* The private key as cl_kex_from_private takes it. */
static size_t oracle_private(const struct group_case *gc, EVP_PKEY *k, uint8_t *out)
{
    size_t n = gc->secret_len;
    if (!gc->name) {
        assert_int_equal(EVP_PKEY_get_raw_private_key(k, out, &n), 1);
        return n;
    }
    BIGNUM *d = NULL;
    assert_int_equal(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &d), 1);
    int len = strcmp(gc->type, "EC") == 0 ? BN_bn2binpad(d, out, (int)n) : BN_bn2bin(d, out);
    assert_true(len > 0);
    BN_clear_free(d);
    return (size_t)len;
}

/* The public key in its TLS encoding; for FFDHE built here from the integer, padded. */
static size_t oracle_public(const struct group_case *gc, EVP_PKEY *k, uint8_t *out)
{
    size_t n = 0;
    if (strcmp(gc->type, "DH") != 0) {
        assert_int_equal(EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out,
                                                         CL_MAX_KEX_PUBLIC_LEN, &n),
                         1);
        return n;
    }
    BIGNUM *y = NULL;
    assert_int_equal(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PUB_KEY, &y), 1);
    assert_int_equal(BN_bn2binpad(y, out, (int)gc->public_len), (int)gc->public_len);
    BN_free(y);
    return gc->public_len;
}

static size_t oracle_derive(const struct group_case *gc, EVP_PKEY *own, EVP_PKEY *peer,
                            uint8_t *out)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, own, NULL);
    size_t n = CL_MAX_KEX_SECRET_LEN;
    assert_non_null(ctx);
    assert_int_equal(EVP_PKEY_derive_init(ctx), 1);
    assert_int_equal(EVP_PKEY_derive_set_peer(ctx, peer), 1);
    if (strcmp(gc->type, "DH") == 0)
        assert_int_equal(EVP_PKEY_CTX_set_dh_pad(ctx, 1), 1);
    assert_int_equal(EVP_PKEY_derive(ctx, out, &n), 1);
    EVP_PKEY_CTX_free(ctx);
    return n;
}

/* Our key from the oracle's private key: the same public key, the same secret. */
static void oracle_case(const struct group_case *gc)
{
    EVP_PKEY *a = oracle_key(gc), *b = oracle_key(gc);
    uint8_t priv[CL_MAX_KEX_SECRET_LEN], apub[CL_MAX_KEX_PUBLIC_LEN], bpub[CL_MAX_KEX_PUBLIC_LEN];
    uint8_t want[CL_MAX_KEX_SECRET_LEN];
    size_t priv_len = oracle_private(gc, a, priv);
    size_t apub_len = oracle_public(gc, a, apub), bpub_len = oracle_public(gc, b, bpub);
    size_t want_len = oracle_derive(gc, a, b, want);
    assert_int_equal(apub_len, gc->public_len);
    assert_int_equal(want_len, gc->secret_len);
    cl_kex *k = NULL;
    assert_int_equal(cl_kex_from_private(&k, gc->group, priv, priv_len), 0);
    assert_public(k, apub, apub_len);
    assert_derive(k, bpub, bpub_len, want, want_len);
    cl_kex_free(k);
    EVP_PKEY_free(a);
    EVP_PKEY_free(b);
}

static void test_oracle(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ALL; i++)
        oracle_case(&all_groups[i]);
}

/* ---- generation ---- */

static void round_trip(const struct group_case *gc)
{
    uint16_t group = gc->group;
    cl_kex *a = NULL, *b = NULL;
    assert_int_equal(cl_kex_generate(&a, group), 0);
    assert_int_equal(cl_kex_generate(&b, group), 0);
    assert_int_equal(cl_kex_group(a), group);
    uint8_t pa[CL_MAX_KEX_PUBLIC_LEN], pb[CL_MAX_KEX_PUBLIC_LEN];
    size_t la = 0, lb = 0;
    assert_int_equal(cl_kex_public(a, pa, sizeof(pa), &la), 0);
    assert_int_equal(cl_kex_public(b, pb, sizeof(pb), &lb), 0);
    assert_int_equal(la, gc->public_len);
    assert_int_equal(lb, la);
    if (strcmp(gc->type, "EC") == 0)
        assert_int_equal(pa[0], 0x04);
    assert_memory_not_equal(pa, pb, la); /* two fresh keys */
    uint8_t sa[CL_MAX_KEX_SECRET_LEN], sb[CL_MAX_KEX_SECRET_LEN];
    size_t na = 0, nb = 0;
    assert_int_equal(cl_kex_derive(a, pb, lb, sa, sizeof(sa), &na), 0);
    assert_int_equal(cl_kex_derive(b, pa, la, sb, sizeof(sb), &nb), 0);
    assert_int_equal(na, gc->secret_len);
    assert_int_equal(nb, na);
    assert_memory_equal(sa, sb, na);
    /* A buffer one byte short is refused, not overrun. */
    assert_int_equal(cl_kex_derive(a, pb, lb, sa, na - 1, &na), CLASP_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(cl_kex_public(a, pa, la - 1, &la), CLASP_ERR_BUFFER_TOO_SMALL);
    cl_kex_free(a);
    cl_kex_free(b);
}

static void test_round_trips(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ALL; i++)
        round_trip(&all_groups[i]);
}

static void test_groups(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ALL; i++) {
        assert_true(cl_kex_group_supported(all_groups[i].group));
        assert_int_equal(cl_kex_public_len(all_groups[i].group), all_groups[i].public_len);
    }
    assert_false(cl_kex_group_supported(0x0103)); /* ffdhe6144: not offered */
    assert_false(cl_kex_group_supported(0x0016)); /* secp256k1 */
    assert_false(cl_kex_group_supported(0));
    assert_int_equal(cl_kex_public_len(0x0103), 0);
    cl_kex *k = NULL;
    assert_int_equal(cl_kex_generate(&k, 0x0103), CLASP_ERR_INVALID_ARG);
    assert_null(k);
    assert_true(CL_GROUP_IS_FFDHE(0x0100) && CL_GROUP_IS_FFDHE(0x01ff));
    assert_false(CL_GROUP_IS_FFDHE(0x00ff) || CL_GROUP_IS_FFDHE(0x0200));
}

static void test_bad_private(void **state)
{
    (void)state;
    cl_kex *k = NULL;
    uint8_t buf[48];
    memset(buf, 0, sizeof(buf));
    assert_int_equal(cl_kex_from_private(&k, CL_GROUP_SECP256R1, buf, 32), CLASP_ERR_INVALID_ARG);
    memset(buf, 0xff, sizeof(buf)); /* above the group order */
    assert_int_equal(cl_kex_from_private(&k, CL_GROUP_SECP256R1, buf, 32), CLASP_ERR_INVALID_ARG);
    assert_int_equal(cl_kex_from_private(&k, CL_GROUP_SECP384R1, buf, 48), CLASP_ERR_INVALID_ARG);
    buf[0] = 0x01; /* in range, wrong length */
    assert_int_equal(cl_kex_from_private(&k, CL_GROUP_SECP384R1, buf, 32), CLASP_ERR_INVALID_ARG);
    assert_int_equal(cl_kex_from_private(&k, CL_GROUP_X25519, buf, 31), CLASP_ERR_INVALID_ARG);
    assert_int_equal(cl_kex_from_private(&k, CL_GROUP_X448, buf, 32), CLASP_ERR_INVALID_ARG);
    assert_null(k);
}

static void test_bad_private_p521_ffdhe(void **state)
{
    (void)state;
    cl_kex *k = NULL;
    uint8_t buf[513];
    /* P-521: 66 bytes, below an order of 521 bits. */
    memset(buf, 0xff, sizeof(buf));
    assert_int_equal(cl_kex_from_private(&k, CL_GROUP_SECP521R1, buf, 66), CLASP_ERR_INVALID_ARG);
    buf[0] = 0x01; /* 2^521 - 1 > n */
    assert_int_equal(cl_kex_from_private(&k, CL_GROUP_SECP521R1, buf, 66), CLASP_ERR_INVALID_ARG);
    buf[0] = 0x00;
    assert_int_equal(cl_kex_from_private(&k, CL_GROUP_SECP521R1, buf, 65), CLASP_ERR_INVALID_ARG);
    assert_int_equal(cl_kex_from_private(&k, CL_GROUP_SECP521R1, buf, 66), 0);
    cl_kex_free(k);
    k = NULL;
    /* FFDHE: 1 < x < p, at most the prime's length. */
    memset(buf, 0, sizeof(buf));
    assert_int_equal(cl_kex_from_private(&k, CL_GROUP_FFDHE2048, buf, 32), CLASP_ERR_INVALID_ARG);
    buf[31] = 1;
    assert_int_equal(cl_kex_from_private(&k, CL_GROUP_FFDHE2048, buf, 32), CLASP_ERR_INVALID_ARG);
    memset(buf, 0xff, sizeof(buf)); /* above p */
    assert_int_equal(cl_kex_from_private(&k, CL_GROUP_FFDHE2048, buf, 256), CLASP_ERR_INVALID_ARG);
    assert_int_equal(cl_kex_from_private(&k, CL_GROUP_FFDHE2048, buf, 257), CLASP_ERR_INVALID_ARG);
    assert_int_equal(cl_kex_from_private(&k, CL_GROUP_FFDHE2048, buf, 0), CLASP_ERR_INVALID_ARG);
    assert_null(k);
    assert_int_equal(cl_kex_from_private(&k, CL_GROUP_FFDHE2048, buf, 32), 0);
    cl_kex_free(k);
}

/* ---- bad peer shares ---- */

static void assert_rejected(const cl_kex *k, const uint8_t *peer, size_t len)
{
    uint8_t secret[CL_MAX_KEX_SECRET_LEN];
    size_t n = 0;
    memset(secret, 0xa5, sizeof(secret));
    assert_int_equal(cl_kex_derive(k, peer, len, secret, sizeof(secret), &n),
                     CLASP_ERR_ILLEGAL_PARAMETER);
    assert_int_equal(n, 0);
    for (size_t i = 0; i < sizeof(secret); i++)
        assert_int_equal(secret[i], 0xa5); /* nothing written */
}

static void assert_accepted(const cl_kex *k, const uint8_t *peer, size_t len)
{
    uint8_t secret[CL_MAX_KEX_SECRET_LEN];
    size_t n = 0;
    assert_int_equal(cl_kex_derive(k, peer, len, secret, sizeof(secret), &n), 0);
}

static void test_wrong_lengths(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ALL; i++) {
        cl_kex *k = NULL, *peer = NULL;
        assert_int_equal(cl_kex_generate(&k, all_groups[i].group), 0);
        assert_int_equal(cl_kex_generate(&peer, all_groups[i].group), 0);
        uint8_t pub[CL_MAX_KEX_PUBLIC_LEN + 1];
        size_t len = 0;
        assert_int_equal(cl_kex_public(peer, pub, sizeof(pub), &len), 0);
        pub[len] = 0;
        assert_accepted(k, pub, len); /* the control: the share itself is good */
        assert_rejected(k, pub, len - 1);
        assert_rejected(k, pub, len + 1);
        assert_rejected(k, pub, 0);
        assert_rejected(k, NULL, 0);
        assert_rejected(k, pub, 1);
        cl_kex_free(k);
        cl_kex_free(peer);
    }
    /* A share of another group has another length: every pair of groups. */
    cl_kex *ks[N_ALL];
    uint8_t pubs[N_ALL][CL_MAX_KEX_PUBLIC_LEN];
    size_t lens[N_ALL];
    for (size_t i = 0; i < N_ALL; i++) {
        assert_int_equal(cl_kex_generate(&ks[i], all_groups[i].group), 0);
        assert_int_equal(cl_kex_public(ks[i], pubs[i], sizeof(pubs[i]), &lens[i]), 0);
    }
    for (size_t i = 0; i < N_ALL; i++)
        for (size_t j = 0; j < N_ALL; j++)
            if (i != j)
                assert_rejected(ks[i], pubs[j], lens[j]);
    for (size_t i = 0; i < N_ALL; i++)
        cl_kex_free(ks[i]);
}

/* The RFC 5903 point g^r for the curve, as a good share to mutate. */
static uint8_t *kat_point(const struct kat *v, size_t *len)
{
    return hex_decode(v->b_pub, len);
}

static cl_kex *kat_key(const struct kat *v)
{
    size_t l;
    uint8_t *priv = hex_decode(v->a_priv, &l);
    cl_kex *k = NULL;
    assert_int_equal(cl_kex_from_private(&k, v->group, priv, l), 0);
    free(priv);
    return k;
}

/* k's group's point pt, good, and every malformed form of it. */
static void bad_point_forms(cl_kex *k, uint8_t *pt, size_t len)
{
    size_t flen = (len - 1) / 2;
    int y_odd = pt[len - 1] & 1;
    assert_accepted(k, pt, len);
    /* The same point compressed (33 / 49 / 67 bytes): OpenSSL would decode it; TLS forbids it. */
    uint8_t comp[1 + 66];
    comp[0] = (uint8_t)(0x02 | y_odd);
    memcpy(comp + 1, pt + 1, flen);
    assert_rejected(k, comp, 1 + flen);
    comp[0] ^= 1; /* the other root */
    assert_rejected(k, comp, 1 + flen);
    /* Full length with a compressed or hybrid prefix. Hybrid with the right parity bit is a
     * form oct2point accepts, so only our 0x04 check stands in the way. */
    static const uint8_t prefixes[] = {0x00, 0x02, 0x03, 0x05, 0x06, 0x07, 0xff};
    for (size_t i = 0; i < sizeof(prefixes); i++) {
        uint8_t save = pt[0];
        pt[0] = prefixes[i];
        assert_rejected(k, pt, len);
        pt[0] = save;
    }
    /* Off the curve: one bit of y flipped, then one bit of x. */
    pt[len - 1] ^= 0x01;
    assert_rejected(k, pt, len);
    pt[len - 1] ^= 0x01;
    pt[1 + flen / 2] ^= 0x10;
    assert_rejected(k, pt, len);
    pt[1 + flen / 2] ^= 0x10;
    /* All zero after the prefix: (0, 0) is not on the curve. */
    uint8_t zero[CL_MAX_KEX_PUBLIC_LEN] = {0x04};
    assert_rejected(k, zero, len);
    assert_accepted(k, pt, len); /* every mutation was undone */
}

static void kat_bad_point_forms(const struct kat *v)
{
    cl_kex *k = kat_key(v);
    size_t len;
    uint8_t *pt = kat_point(v, &len);
    bad_point_forms(k, pt, len);
    free(pt);
    cl_kex_free(k);
}

static void test_bad_point_forms(void **state)
{
    (void)state;
    kat_bad_point_forms(&p256_kat);
    kat_bad_point_forms(&p384_kat);
    /* P-521: a fresh key and a fresh peer point. */
    cl_kex *k = NULL, *peer = NULL;
    uint8_t pt[CL_MAX_KEX_PUBLIC_LEN];
    size_t len;
    assert_int_equal(cl_kex_generate(&k, CL_GROUP_SECP521R1), 0);
    assert_int_equal(cl_kex_generate(&peer, CL_GROUP_SECP521R1), 0);
    assert_int_equal(cl_kex_public(peer, pt, sizeof(pt), &len), 0);
    bad_point_forms(k, pt, len);
    cl_kex_free(k);
    cl_kex_free(peer);
}

/*
 * A point whose x is small enough that x + p still fits the field size: (x + p, y) reduces to
 * a point on the curve, so only the range check on the coordinate can refuse it.
 */
static void coordinates_above_p(uint16_t group, int nid, size_t flen)
{
    EC_GROUP *grp = EC_GROUP_new_by_curve_name(nid);
    BN_CTX *bn = BN_CTX_new();
    EC_POINT *pt = EC_POINT_new(grp);
    BIGNUM *p = BN_new(), *x = BN_new(), *y = BN_new(), *xp = BN_new();
    assert_non_null(grp && bn && pt && p && x && y && xp);
    assert_int_equal(EC_GROUP_get_curve(grp, p, NULL, NULL, bn), 1);
    unsigned long xv = 1;
    while (EC_POINT_set_compressed_coordinates(grp, pt, (BN_set_word(x, xv), x), 0, bn) != 1)
        xv++;
    assert_int_equal(EC_POINT_get_affine_coordinates(grp, pt, NULL, y, bn), 1);
    assert_int_equal(BN_add(xp, x, p), 1);
    assert_true(BN_num_bytes(xp) <= (int)flen);

    uint8_t share[CL_MAX_KEX_PUBLIC_LEN];
    size_t len = 1 + 2 * flen;
    share[0] = 0x04;
    assert_int_equal(BN_bn2binpad(x, share + 1, (int)flen), (int)flen);
    assert_int_equal(BN_bn2binpad(y, share + 1 + flen, (int)flen), (int)flen);
    cl_kex *k = NULL;
    assert_int_equal(cl_kex_generate(&k, group), 0);
    assert_accepted(k, share, len); /* control: (x, y) itself is a good point */
    assert_int_equal(BN_bn2binpad(xp, share + 1, (int)flen), (int)flen);
    assert_rejected(k, share, len); /* x + p */
    /* y = p, and both coordinates all ones (> p). */
    assert_int_equal(BN_bn2binpad(x, share + 1, (int)flen), (int)flen);
    assert_int_equal(BN_bn2binpad(p, share + 1 + flen, (int)flen), (int)flen);
    assert_rejected(k, share, len);
    memset(share + 1, 0xff, 2 * flen);
    assert_rejected(k, share, len);
    cl_kex_free(k);
    BN_free(p), BN_free(x), BN_free(y), BN_free(xp);
    EC_POINT_free(pt);
    BN_CTX_free(bn);
    EC_GROUP_free(grp);
}

static void test_coordinates_above_p(void **state)
{
    (void)state;
    coordinates_above_p(CL_GROUP_SECP256R1, NID_X9_62_prime256v1, 32);
    coordinates_above_p(CL_GROUP_SECP384R1, NID_secp384r1, 48);
    coordinates_above_p(CL_GROUP_SECP521R1, NID_secp521r1, 66);
}

/*
 * X25519 shares of small order (the list libsodium refuses): with a clamped scalar every one
 * gives the all-zero secret that RFC 8446 7.4.2 says to refuse.
 */
static const char *const small_order[] = {
    "0000000000000000000000000000000000000000000000000000000000000000", /* 0 */
    "0100000000000000000000000000000000000000000000000000000000000000", /* 1 */
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", /* order 8 */
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157", /* order 8 */
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* p - 1 */
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* p (= 0) */
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* p + 1 (= 1) */
};

/* Every share of the list is refused by a fresh key of the group; the KAT's is accepted. */
static void small_order_rejected(const struct kat *v, const char *const *shares, size_t n,
                                 size_t share_len)
{
    cl_kex *k = NULL;
    size_t len;
    assert_int_equal(cl_kex_generate(&k, v->group), 0);
    for (size_t i = 0; i < n; i++) {
        uint8_t *share = hex_decode(shares[i], &len);
        assert_int_equal(len, share_len);
        assert_rejected(k, share, len);
        free(share);
    }
    uint8_t *good = hex_decode(v->b_pub, &len); /* the control */
    assert_accepted(k, good, len);
    free(good);
    cl_kex_free(k);
}

static void test_x25519_small_order(void **state)
{
    (void)state;
    small_order_rejected(&x25519_kat, small_order, sizeof(small_order) / sizeof(small_order[0]),
                         32);
}

/* X448 shares that give the all-zero secret: 0, 1, p - 1, and p and p + 1 (which reduce
 * to 0 and 1), little-endian (p = 2^448 - 2^224 - 1). */
static const char *const x448_small_order[] = {
    "00000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000000000",
    "01000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000000000",
    "fefffffffffffffffffffffffffffffffffffffffffffffffffffffffe"
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffe"
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "00000000000000000000000000000000000000000000000000000000"
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
};

static void test_x448_small_order(void **state)
{
    (void)state;
    small_order_rejected(&x448_kat, x448_small_order,
                         sizeof(x448_small_order) / sizeof(x448_small_order[0]), 56);
}

/* ---- FFDHE: the RFC 7919 primes, 1 < Y < p - 1, padding ---- */

static const uint16_t ffdhe_groups[] = {CL_GROUP_FFDHE2048, CL_GROUP_FFDHE3072, CL_GROUP_FFDHE4096};
static const char *const ffdhe_keys[] = {"ffdhe2048.p", "ffdhe3072.p", "ffdhe4096.p"};

/* The primes clasp uses (and sends in TLS 1.2's ServerDHParams) are RFC 7919's. */
static void test_ffdhe_params(void **state)
{
    (void)state;
    vecfile *v = vec_load("rfc7919_primes.txt");
    for (size_t i = 0; i < 3; i++) {
        size_t want_len, p_len;
        const uint8_t *want = vec_get(v, ffdhe_keys[i], &want_len), *p;
        uint8_t g = 0, padded[1 + CL_MAX_KEX_PUBLIC_LEN], two[2] = {0, 2}, five = 5;
        assert_int_equal(cl_kex_ffdhe_params(ffdhe_groups[i], &p, &p_len, &g), 0);
        assert_int_equal(p_len, want_len);
        assert_memory_equal(p, want, p_len);
        assert_int_equal(g, 2);
        /* Found again from p and g, leading zeros aside; nothing else matches. */
        assert_int_equal(cl_kex_ffdhe_group_of(p, p_len, &g, 1), ffdhe_groups[i]);
        padded[0] = 0;
        memcpy(padded + 1, p, p_len);
        assert_int_equal(cl_kex_ffdhe_group_of(padded, p_len + 1, two, 2), ffdhe_groups[i]);
        assert_int_equal(cl_kex_ffdhe_group_of(p, p_len, &five, 1), 0);
        assert_int_equal(cl_kex_ffdhe_group_of(p, p_len - 1, &g, 1), 0);
        assert_int_equal(cl_kex_ffdhe_group_of(p + 1, p_len - 1, &g, 1), 0);
        memcpy(padded, p, p_len);
        padded[p_len / 2] ^= 0x01;
        assert_int_equal(cl_kex_ffdhe_group_of(padded, p_len, &g, 1), 0);
        assert_int_equal(cl_kex_public_len(ffdhe_groups[i]), p_len);
    }
    const uint8_t *p;
    size_t n;
    uint8_t g;
    assert_int_equal(cl_kex_ffdhe_params(CL_GROUP_X25519, &p, &n, &g), CLASP_ERR_INVALID_ARG);
    assert_int_equal(cl_kex_ffdhe_params(0x0103, &p, &n, &g), CLASP_ERR_INVALID_ARG);
    vec_free(v);
}

/* RFC 7919 5.1: 1 < Y < p - 1, and RFC 8446 4.2.8.1: exactly the prime's length. */
static void ffdhe_bad_shares(uint16_t group)
{
    const uint8_t *p;
    size_t n;
    uint8_t g, y[CL_MAX_KEX_PUBLIC_LEN + 1];
    cl_kex *k = NULL;
    assert_int_equal(cl_kex_ffdhe_params(group, &p, &n, &g), 0);
    assert_int_equal(cl_kex_generate(&k, group), 0);
    memset(y, 0, sizeof(y));
    assert_rejected(k, y, n); /* 0 */
    y[n - 1] = 1;
    assert_rejected(k, y, n); /* 1 */
    y[n - 1] = 2;
    assert_accepted(k, y, n);         /* 2: the generator, the smallest in range */
    assert_rejected(k, y + 1, n - 1); /* 2 without its padding */
    assert_rejected(k, y, n + 1);     /* with a byte too many */
    memcpy(y, p, n);
    y[n - 1] -= 1;
    assert_rejected(k, y, n); /* p - 1 */
    y[n - 1] -= 1;
    assert_accepted(k, y, n); /* p - 2, the largest in range */
    memcpy(y, p, n);
    assert_rejected(k, y, n); /* p */
    memset(y, 0xff, n);
    assert_rejected(k, y, n); /* 2^(8n) - 1 > p */
    cl_kex_free(k);
}

static void test_ffdhe_bad_shares(void **state)
{
    (void)state;
    for (size_t i = 0; i < 3; i++)
        ffdhe_bad_shares(ffdhe_groups[i]);
}

/*
 * RFC 8446 7.4.1: Z is "left-padded with zeros up to the size of the prime". A secret whose
 * first byte is zero (found by trying exponents against a fixed share), checked against
 * Y^x mod p computed here with BIGNUMs.
 */
static void test_ffdhe_padded_secret(void **state)
{
    (void)state;
    const uint8_t *p;
    size_t n, len;
    uint8_t g, peer[CL_MAX_KEX_PUBLIC_LEN], secret[CL_MAX_KEX_SECRET_LEN];
    uint8_t want[CL_MAX_KEX_SECRET_LEN];
    cl_kex *other = NULL;
    assert_int_equal(cl_kex_ffdhe_params(CL_GROUP_FFDHE2048, &p, &n, &g), 0);
    assert_int_equal(cl_kex_generate(&other, CL_GROUP_FFDHE2048), 0);
    assert_int_equal(cl_kex_public(other, peer, sizeof(peer), &len), 0);
    BIGNUM *bp = BN_bin2bn(p, (int)n, NULL), *by = BN_bin2bn(peer, (int)len, NULL);
    BIGNUM *bx = BN_new(), *bz = BN_new();
    BN_CTX *bn = BN_CTX_new();
    int found = 0;
    for (uint16_t x = 2; x < 10000 && !found; x++) {
        uint8_t xb[2] = {(uint8_t)(x >> 8), (uint8_t)x};
        cl_kex *k = NULL;
        assert_int_equal(cl_kex_from_private(&k, CL_GROUP_FFDHE2048, xb, 2), 0);
        assert_int_equal(cl_kex_derive(k, peer, len, secret, sizeof(secret), &n), 0);
        assert_int_equal(n, 256);
        if (secret[0] == 0) {
            found = 1;
            assert_non_null(BN_set_word(bx, x) ? bx : NULL);
            assert_int_equal(BN_mod_exp(bz, by, bx, bp, bn), 1);
            assert_true(BN_num_bytes(bz) < 256);
            assert_int_equal(BN_bn2binpad(bz, want, 256), 256);
            assert_memory_equal(secret, want, 256);
        }
        cl_kex_free(k);
    }
    assert_true(found);
    BN_free(bp), BN_free(by), BN_free(bx), BN_free(bz);
    BN_CTX_free(bn);
    cl_kex_free(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_x25519_kat),
        cmocka_unit_test(test_x448_kat),
        cmocka_unit_test(test_oracle),
        cmocka_unit_test(test_p256_kat),
        cmocka_unit_test(test_p384_kat),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_bad_private),
        cmocka_unit_test(test_bad_private_p521_ffdhe),
        cmocka_unit_test(test_wrong_lengths),
        cmocka_unit_test(test_bad_point_forms),
        cmocka_unit_test(test_coordinates_above_p),
        cmocka_unit_test(test_x25519_small_order),
        cmocka_unit_test(test_x448_small_order),
        cmocka_unit_test(test_ffdhe_params),
        cmocka_unit_test(test_ffdhe_bad_shares),
        cmocka_unit_test(test_ffdhe_padded_secret),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
