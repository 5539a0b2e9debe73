/*
 * Key exchange: RFC 7748 (X25519) and RFC 5903 (ECDH P-256, P-384) known answers, round trips,
 * and every kind of bad peer share the TLS encodings allow.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
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

/* ---- generation ---- */

static void round_trip(uint16_t group)
{
    cl_kex *a = NULL, *b = NULL;
    assert_int_equal(cl_kex_generate(&a, group), 0);
    assert_int_equal(cl_kex_generate(&b, group), 0);
    assert_int_equal(cl_kex_group(a), group);
    uint8_t pa[CL_MAX_KEX_PUBLIC_LEN], pb[CL_MAX_KEX_PUBLIC_LEN];
    size_t la = 0, lb = 0;
    assert_int_equal(cl_kex_public(a, pa, sizeof(pa), &la), 0);
    assert_int_equal(cl_kex_public(b, pb, sizeof(pb), &lb), 0);
    assert_int_equal(la, cl_kex_public_len(group));
    assert_int_equal(lb, la);
    if (group != CL_GROUP_X25519)
        assert_int_equal(pa[0], 0x04);
    assert_memory_not_equal(pa, pb, la); /* two fresh keys */
    uint8_t sa[CL_MAX_KEX_SECRET_LEN], sb[CL_MAX_KEX_SECRET_LEN];
    size_t na = 0, nb = 0;
    assert_int_equal(cl_kex_derive(a, pb, lb, sa, sizeof(sa), &na), 0);
    assert_int_equal(cl_kex_derive(b, pa, la, sb, sizeof(sb), &nb), 0);
    assert_int_equal(na, group == CL_GROUP_SECP384R1 ? 48 : 32);
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
    round_trip(CL_GROUP_X25519);
    round_trip(CL_GROUP_SECP256R1);
    round_trip(CL_GROUP_SECP384R1);
}

static void test_groups(void **state)
{
    (void)state;
    assert_true(cl_kex_group_supported(CL_GROUP_X25519));
    assert_true(cl_kex_group_supported(CL_GROUP_SECP256R1));
    assert_true(cl_kex_group_supported(CL_GROUP_SECP384R1));
    assert_false(cl_kex_group_supported(0x0019)); /* secp521r1 */
    assert_false(cl_kex_group_supported(0x001e)); /* x448 */
    assert_false(cl_kex_group_supported(0x0100)); /* ffdhe2048 */
    assert_int_equal(cl_kex_public_len(CL_GROUP_X25519), 32);
    assert_int_equal(cl_kex_public_len(CL_GROUP_SECP256R1), 65);
    assert_int_equal(cl_kex_public_len(CL_GROUP_SECP384R1), 97);
    assert_int_equal(cl_kex_public_len(0x0019), 0);
    cl_kex *k = NULL;
    assert_int_equal(cl_kex_generate(&k, 0x0019), CLASP_ERR_INVALID_ARG);
    assert_null(k);
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
    assert_null(k);
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
    static const uint16_t gs[] = {CL_GROUP_X25519, CL_GROUP_SECP256R1, CL_GROUP_SECP384R1};
    for (size_t i = 0; i < 3; i++) {
        cl_kex *k = NULL, *peer = NULL;
        assert_int_equal(cl_kex_generate(&k, gs[i]), 0);
        assert_int_equal(cl_kex_generate(&peer, gs[i]), 0);
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
    /* A share of another group has another length. */
    cl_kex *k256 = NULL, *k384 = NULL, *kx = NULL;
    assert_int_equal(cl_kex_generate(&k256, CL_GROUP_SECP256R1), 0);
    assert_int_equal(cl_kex_generate(&k384, CL_GROUP_SECP384R1), 0);
    assert_int_equal(cl_kex_generate(&kx, CL_GROUP_X25519), 0);
    uint8_t p384[CL_MAX_KEX_PUBLIC_LEN], p256[CL_MAX_KEX_PUBLIC_LEN];
    size_t l384 = 0, l256 = 0;
    assert_int_equal(cl_kex_public(k384, p384, sizeof(p384), &l384), 0);
    assert_int_equal(cl_kex_public(k256, p256, sizeof(p256), &l256), 0);
    assert_rejected(k256, p384, l384);
    assert_rejected(k384, p256, l256);
    assert_rejected(kx, p256, l256);
    cl_kex_free(k256);
    cl_kex_free(k384);
    cl_kex_free(kx);
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

static void bad_point_forms(const struct kat *v)
{
    cl_kex *k = kat_key(v);
    size_t len;
    uint8_t *pt = kat_point(v, &len);
    size_t flen = (len - 1) / 2;
    int y_odd = pt[len - 1] & 1;
    assert_accepted(k, pt, len);
    /* The same point compressed (33 / 49 bytes): OpenSSL would decode it; TLS forbids it. */
    uint8_t comp[1 + 48];
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
    free(pt);
    cl_kex_free(k);
}

static void test_bad_point_forms(void **state)
{
    (void)state;
    bad_point_forms(&p256_kat);
    bad_point_forms(&p384_kat);
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

static void test_x25519_small_order(void **state)
{
    (void)state;
    cl_kex *k = NULL;
    assert_int_equal(cl_kex_generate(&k, CL_GROUP_X25519), 0);
    for (size_t i = 0; i < sizeof(small_order) / sizeof(small_order[0]); i++) {
        size_t len;
        uint8_t *share = hex_decode(small_order[i], &len);
        assert_int_equal(len, 32);
        assert_rejected(k, share, len);
        free(share);
    }
    /* Control: the RFC 7748 public key is accepted by the same key. */
    size_t len;
    uint8_t *good = hex_decode(x25519_kat.b_pub, &len);
    assert_accepted(k, good, len);
    free(good);
    cl_kex_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_x25519_kat),
        cmocka_unit_test(test_p256_kat),
        cmocka_unit_test(test_p384_kat),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_bad_private),
        cmocka_unit_test(test_wrong_lengths),
        cmocka_unit_test(test_bad_point_forms),
        cmocka_unit_test(test_coordinates_above_p),
        cmocka_unit_test(test_x25519_small_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
