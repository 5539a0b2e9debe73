/*
 * Keys and signatures: every TLS signature scheme signed by clasp and checked by libcrypto
 * directly, signed by libcrypto and checked by clasp, tampered with, and with PSS salts of the
 * wrong length; key loading from SPKI, PKCS#8 DER and PEM; the key/scheme truth table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/core_names.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <clasp/errors.h>

#include "crypto/crypto.h"

enum { K_RSA, K_RSA_PSS, K_P256, K_P384, K_ED25519, K_P521, K_RSA2, K_P256B, K_K256, NKEYS };

static EVP_PKEY *keys[NKEYS];

static EVP_PKEY *gen_rsa_pss(void)
{
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA-PSS", NULL);
    assert_non_null(ctx);
    assert_int_equal(EVP_PKEY_keygen_init(ctx), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048), 1);
    assert_int_equal(EVP_PKEY_generate(ctx, &pkey), 1);
    EVP_PKEY_CTX_free(ctx);
    return pkey;
}

static int setup(void **state)
{
    (void)state;
    keys[K_RSA] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    keys[K_RSA2] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    keys[K_RSA_PSS] = gen_rsa_pss();
    keys[K_P256] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    keys[K_P256B] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    keys[K_P384] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    keys[K_P521] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
    keys[K_K256] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1"); /* no TLS use */
    keys[K_ED25519] = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    for (int i = 0; i < NKEYS; i++)
        if (!keys[i])
            return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < NKEYS; i++)
        EVP_PKEY_free(keys[i]);
    return 0;
}

/* ---- exporting with libcrypto, loading with clasp ---- */

static uint8_t *encode(EVP_PKEY *pkey, int selection, const char *fmt, const char *structure,
                       size_t *len)
{
    OSSL_ENCODER_CTX *ctx = OSSL_ENCODER_CTX_new_for_pkey(pkey, selection, fmt, structure, NULL);
    assert_non_null(ctx);
    assert_true(OSSL_ENCODER_CTX_get_num_encoders(ctx) > 0);
    unsigned char *data = NULL;
    assert_int_equal(OSSL_ENCODER_to_data(ctx, &data, len), 1);
    OSSL_ENCODER_CTX_free(ctx);
    return data;
}

static cl_pubkey *load_pub(EVP_PKEY *pkey)
{
    unsigned char *der = NULL;
    int len = i2d_PUBKEY(pkey, &der);
    assert_true(len > 0);
    cl_pubkey *k = NULL;
    assert_int_equal(cl_pubkey_from_spki(&k, der, (size_t)len), 0);
    OPENSSL_free(der);
    return k;
}

static cl_privkey *load_priv(EVP_PKEY *pkey)
{
    size_t len;
    uint8_t *der = encode(pkey, EVP_PKEY_KEYPAIR, "DER", "PrivateKeyInfo", &len);
    cl_privkey *k = NULL;
    assert_int_equal(cl_privkey_from_der(&k, der, len), 0);
    OPENSSL_free(der);
    return k;
}

/* ---- libcrypto as the oracle ---- */

typedef enum { PAD_NONE, PAD_PKCS1, PAD_PSS } pad_kind;

struct scheme_case {
    uint16_t scheme;
    int key;
    const char *md; /* NULL for Ed25519 */
    pad_kind pad;
    int hash_len;
};

static const struct scheme_case cases[] = {
    {CL_SIG_RSA_PKCS1_SHA256, K_RSA, "SHA256", PAD_PKCS1, 32},
    {CL_SIG_RSA_PKCS1_SHA384, K_RSA, "SHA384", PAD_PKCS1, 48},
    {CL_SIG_RSA_PKCS1_SHA512, K_RSA, "SHA512", PAD_PKCS1, 64},
    {CL_SIG_ECDSA_SECP256R1_SHA256, K_P256, "SHA256", PAD_NONE, 32},
    {CL_SIG_ECDSA_SECP384R1_SHA384, K_P384, "SHA384", PAD_NONE, 48},
    {CL_SIG_ECDSA_SECP521R1_SHA512, K_P521, "SHA512", PAD_NONE, 64},
    {CL_SIG_RSA_PSS_RSAE_SHA256, K_RSA, "SHA256", PAD_PSS, 32},
    {CL_SIG_RSA_PSS_RSAE_SHA384, K_RSA, "SHA384", PAD_PSS, 48},
    {CL_SIG_RSA_PSS_RSAE_SHA512, K_RSA, "SHA512", PAD_PSS, 64},
    {CL_SIG_RSA_PSS_PSS_SHA256, K_RSA_PSS, "SHA256", PAD_PSS, 32},
    {CL_SIG_RSA_PSS_PSS_SHA384, K_RSA_PSS, "SHA384", PAD_PSS, 48},
    {CL_SIG_RSA_PSS_PSS_SHA512, K_RSA_PSS, "SHA512", PAD_PSS, 64},
    {CL_SIG_ED25519, K_ED25519, NULL, PAD_NONE, 0},
    /* TLS 1.2 does not bind the curve: ECDSA with the other curve's hash. */
    {CL_SIG_ECDSA_SECP256R1_SHA256, K_P384, "SHA256", PAD_NONE, 32},
    {CL_SIG_ECDSA_SECP384R1_SHA384, K_P256, "SHA384", PAD_NONE, 48},
    {CL_SIG_ECDSA_SECP256R1_SHA256, K_P521, "SHA256", PAD_NONE, 32},
    {CL_SIG_ECDSA_SECP521R1_SHA512, K_P256, "SHA512", PAD_NONE, 64},
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* Sets up a libcrypto sign or verify with explicit padding, MGF1 digest and salt length. */
static EVP_MD_CTX *oracle_start(const struct scheme_case *c, int sign, int saltlen)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    assert_non_null(ctx);
    int ok = sign ? EVP_DigestSignInit_ex(ctx, &pctx, c->md, NULL, NULL, keys[c->key], NULL)
                  : EVP_DigestVerifyInit_ex(ctx, &pctx, c->md, NULL, NULL, keys[c->key], NULL);
    assert_int_equal(ok, 1);
    if (c->pad == PAD_PKCS1)
        assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING), 1);
    if (c->pad == PAD_PSS) {
        assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, c->md, NULL), 1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, saltlen), 1);
    }
    return ctx;
}

static int oracle_verify(const struct scheme_case *c, int saltlen, const uint8_t *msg,
                         size_t msg_len, const uint8_t *sig, size_t sig_len)
{
    EVP_MD_CTX *ctx = oracle_start(c, 0, saltlen);
    int rc = EVP_DigestVerify(ctx, sig, sig_len, msg, msg_len);
    EVP_MD_CTX_free(ctx);
    return rc;
}

static size_t oracle_sign(const struct scheme_case *c, int saltlen, const uint8_t *msg,
                          size_t msg_len, uint8_t *sig, size_t cap)
{
    EVP_MD_CTX *ctx = oracle_start(c, 1, saltlen);
    size_t len = cap;
    assert_int_equal(EVP_DigestSign(ctx, sig, &len, msg, msg_len), 1);
    EVP_MD_CTX_free(ctx);
    return len;
}

static uint8_t msg[130];

static void fill_msg(void)
{
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)(i * 7 + 1);
}

/* Flips single bits of the signature and the message: every one must fail with DECRYPT. */
static void assert_tamper_fails(const cl_pubkey *pub, uint16_t scheme, const uint8_t *sig,
                                size_t sig_len)
{
    uint8_t s[CL_MAX_SIG_LEN];
    size_t spots[] = {0, sig_len / 2, sig_len - 1};
    for (size_t i = 0; i < 3; i++) {
        memcpy(s, sig, sig_len);
        s[spots[i]] ^= 0x01;
        assert_int_equal(cl_verify(pub, scheme, msg, sizeof(msg), s, sig_len), CLASP_ERR_DECRYPT);
    }
    msg[sizeof(msg) / 2] ^= 0x80;
    assert_int_equal(cl_verify(pub, scheme, msg, sizeof(msg), sig, sig_len), CLASP_ERR_DECRYPT);
    msg[sizeof(msg) / 2] ^= 0x80;
    assert_int_equal(cl_verify(pub, scheme, msg, sizeof(msg) - 1, sig, sig_len), CLASP_ERR_DECRYPT);
    assert_int_equal(cl_verify(pub, scheme, msg, sizeof(msg), sig, sig_len - 1), CLASP_ERR_DECRYPT);
    assert_int_equal(cl_verify(pub, scheme, msg, sizeof(msg), sig, 0), CLASP_ERR_DECRYPT);
    /* Control: the untouched signature still verifies. */
    assert_int_equal(cl_verify(pub, scheme, msg, sizeof(msg), sig, sig_len), 0);
}

static void run_case(const struct scheme_case *c)
{
    cl_pubkey *pub = load_pub(keys[c->key]);
    cl_privkey *priv = load_priv(keys[c->key]);
    uint8_t ours[CL_MAX_SIG_LEN], theirs[CL_MAX_SIG_LEN];
    size_t ours_len = 0;

    /* clasp signs, libcrypto checks with the salt length fixed to the hash length. */
    assert_int_equal(cl_sign(priv, c->scheme, msg, sizeof(msg), ours, sizeof(ours), &ours_len), 0);
    size_t max = (size_t)EVP_PKEY_get_size(keys[c->key]);
    if (c->pad != PAD_NONE || c->key == K_ED25519)
        assert_int_equal(ours_len, max);
    else /* ECDSA DER: SEQUENCE of two INTEGERs, up to the maximum */
        assert_true(ours_len >= 8 && ours_len <= max && ours[0] == 0x30);
    assert_int_equal(oracle_verify(c, c->hash_len, msg, sizeof(msg), ours, ours_len), 1);
    if (c->pad == PAD_PSS) /* the oracle is strict: another salt length fails */
        assert_int_not_equal(oracle_verify(c, 20, msg, sizeof(msg), ours, ours_len), 1);

    /* libcrypto signs, clasp checks. */
    size_t theirs_len = oracle_sign(c, c->hash_len, msg, sizeof(msg), theirs, sizeof(theirs));
    assert_int_equal(cl_verify(pub, c->scheme, msg, sizeof(msg), theirs, theirs_len), 0);
    /* PKCS#1 v1.5 and Ed25519 are deterministic: the very same bytes. */
    if (c->pad == PAD_PKCS1 || c->key == K_ED25519) {
        assert_int_equal(theirs_len, ours_len);
        assert_memory_equal(theirs, ours, ours_len);
    }

    assert_tamper_fails(pub, c->scheme, ours, ours_len);
    assert_tamper_fails(pub, c->scheme, theirs, theirs_len);

    /* PSS with a salt of another length is a valid PSS signature, but not TLS's. */
    if (c->pad == PAD_PSS) {
        static const int salts[] = {0, 20};
        for (size_t i = 0; i < 2; i++) {
            size_t n = oracle_sign(c, salts[i], msg, sizeof(msg), theirs, sizeof(theirs));
            assert_int_equal(oracle_verify(c, RSA_PSS_SALTLEN_AUTO, msg, sizeof(msg), theirs, n),
                             1);
            assert_int_equal(cl_verify(pub, c->scheme, msg, sizeof(msg), theirs, n),
                             CLASP_ERR_DECRYPT);
        }
    }
    cl_pubkey_free(pub);
    cl_privkey_free(priv);
}

static void test_schemes(void **state)
{
    (void)state;
    fill_msg();
    for (size_t i = 0; i < NCASES; i++)
        run_case(&cases[i]);
}

static void test_sign_errors(void **state)
{
    (void)state;
    fill_msg();
    cl_privkey *rsa = load_priv(keys[K_RSA]), *ec = load_priv(keys[K_P256]);
    cl_pubkey *rsa_pub = load_pub(keys[K_RSA]), *pss_pub = load_pub(keys[K_RSA_PSS]);
    cl_privkey *pss = load_priv(keys[K_RSA_PSS]);
    uint8_t sig[CL_MAX_SIG_LEN];
    size_t n = 0;
    /* A key of the wrong type for the scheme is refused, before any libcrypto call. */
    assert_int_equal(cl_sign(ec, CL_SIG_RSA_PKCS1_SHA256, msg, sizeof(msg), sig, sizeof(sig), &n),
                     CLASP_ERR_INVALID_ARG);
    assert_int_equal(
        cl_sign(rsa, CL_SIG_ECDSA_SECP256R1_SHA256, msg, sizeof(msg), sig, sizeof(sig), &n),
        CLASP_ERR_INVALID_ARG);
    assert_int_equal(
        cl_sign(rsa, CL_SIG_RSA_PSS_PSS_SHA256, msg, sizeof(msg), sig, sizeof(sig), &n),
        CLASP_ERR_INVALID_ARG);
    assert_int_equal(
        cl_sign(pss, CL_SIG_RSA_PSS_RSAE_SHA256, msg, sizeof(msg), sig, sizeof(sig), &n),
        CLASP_ERR_INVALID_ARG);
    assert_int_equal(cl_sign(rsa, 0x0201, msg, sizeof(msg), sig, sizeof(sig), &n),
                     CLASP_ERR_INVALID_ARG); /* rsa_pkcs1_sha1: not supported */
    assert_int_equal(cl_verify(rsa_pub, CL_SIG_ED25519, msg, sizeof(msg), sig, 64),
                     CLASP_ERR_INVALID_ARG);
    assert_int_equal(cl_verify(pss_pub, CL_SIG_RSA_PKCS1_SHA256, msg, sizeof(msg), sig, 256),
                     CLASP_ERR_INVALID_ARG);
    assert_int_equal(cl_verify(rsa_pub, CL_SIG_RSA_PSS_PSS_SHA256, msg, sizeof(msg), sig, 256),
                     CLASP_ERR_INVALID_ARG);
    assert_int_equal(n, 0);
    /* Too small a buffer. */
    assert_int_equal(cl_sign(rsa, CL_SIG_RSA_PKCS1_SHA256, msg, sizeof(msg), sig, 255, &n),
                     CLASP_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(cl_sign(ec, CL_SIG_ECDSA_SECP256R1_SHA256, msg, sizeof(msg), sig, 8, &n),
                     CLASP_ERR_BUFFER_TOO_SMALL);
    /* Garbage of a plausible length is a failed verification, for every scheme. */
    memset(sig, 0x30, sizeof(sig));
    assert_int_equal(cl_verify(rsa_pub, CL_SIG_RSA_PSS_RSAE_SHA256, msg, sizeof(msg), sig, 256),
                     CLASP_ERR_DECRYPT);
    cl_pubkey *ec_pub = load_pub(keys[K_P256]);
    assert_int_equal(cl_verify(ec_pub, CL_SIG_ECDSA_SECP256R1_SHA256, msg, sizeof(msg), sig, 72),
                     CLASP_ERR_DECRYPT);
    /* A signature by another key of the same type. */
    cl_privkey *ec2 = load_priv(keys[K_P256B]);
    assert_int_equal(
        cl_sign(ec2, CL_SIG_ECDSA_SECP256R1_SHA256, msg, sizeof(msg), sig, sizeof(sig), &n), 0);
    assert_int_equal(cl_verify(ec_pub, CL_SIG_ECDSA_SECP256R1_SHA256, msg, sizeof(msg), sig, n),
                     CLASP_ERR_DECRYPT);
    cl_privkey_free(rsa), cl_privkey_free(ec), cl_privkey_free(pss), cl_privkey_free(ec2);
    cl_pubkey_free(rsa_pub), cl_pubkey_free(pss_pub), cl_pubkey_free(ec_pub);
}

/* ---- which key fits which scheme ---- */

static const uint16_t all_schemes[] = {
    CL_SIG_RSA_PKCS1_SHA256,
    CL_SIG_RSA_PKCS1_SHA384,
    CL_SIG_RSA_PKCS1_SHA512,
    CL_SIG_ECDSA_SECP256R1_SHA256,
    CL_SIG_ECDSA_SECP384R1_SHA384,
    CL_SIG_RSA_PSS_RSAE_SHA256,
    CL_SIG_RSA_PSS_RSAE_SHA384,
    CL_SIG_RSA_PSS_RSAE_SHA512,
    CL_SIG_ED25519,
    CL_SIG_RSA_PSS_PSS_SHA256,
    CL_SIG_RSA_PSS_PSS_SHA384,
    CL_SIG_RSA_PSS_PSS_SHA512,
    CL_SIG_ECDSA_SECP521R1_SHA512,
    0x0201 /* rsa_pkcs1_sha1 */,
    0x0203 /* ecdsa_sha1 */,
    0x0808 /* ed448 */,
    0x0000,
};

struct fit_row {
    int key;
    int strict;
    uint16_t fits[7]; /* zero-terminated */
};

static const struct fit_row fit_table[] = {
    {K_RSA, 0, {0x0401, 0x0501, 0x0601, 0x0804, 0x0805, 0x0806}},
    {K_RSA, 1, {0x0401, 0x0501, 0x0601, 0x0804, 0x0805, 0x0806}},
    {K_RSA_PSS, 0, {0x0809, 0x080a, 0x080b}},
    {K_RSA_PSS, 1, {0x0809, 0x080a, 0x080b}},
    {K_P256, 0, {0x0403, 0x0503, 0x0603}},
    {K_P256, 1, {0x0403}},
    {K_P384, 0, {0x0403, 0x0503, 0x0603}},
    {K_P384, 1, {0x0503}},
    {K_P521, 0, {0x0403, 0x0503, 0x0603}},
    {K_P521, 1, {0x0603}},
    {K_ED25519, 0, {0x0807}},
    {K_ED25519, 1, {0x0807}},
    {K_K256, 0, {0}},
    {K_K256, 1, {0}},
};

static int row_has(const struct fit_row *r, uint16_t scheme)
{
    for (size_t i = 0; i < 7 && r->fits[i]; i++)
        if (r->fits[i] == scheme)
            return 1;
    return 0;
}

static void test_fits_scheme(void **state)
{
    (void)state;
    int checked = 0;
    for (size_t r = 0; r < sizeof(fit_table) / sizeof(fit_table[0]); r++) {
        const struct fit_row *row = &fit_table[r];
        cl_pubkey *pub = load_pub(keys[row->key]);
        cl_privkey *priv = load_priv(keys[row->key]);
        for (size_t s = 0; s < sizeof(all_schemes) / sizeof(all_schemes[0]); s++) {
            int want = row_has(row, all_schemes[s]);
            assert_int_equal(cl_pubkey_fits_scheme(pub, all_schemes[s], row->strict), want);
            assert_int_equal(cl_privkey_fits_scheme(priv, all_schemes[s], row->strict), want);
            checked += want;
        }
        cl_pubkey_free(pub);
        cl_privkey_free(priv);
    }
    /* every listed fit was seen */
    assert_int_equal(checked, 2 * 6 + 2 * 3 + 3 + 1 + 3 + 1 + 3 + 1 + 2);
    for (size_t s = 0; s < sizeof(all_schemes) / sizeof(all_schemes[0]); s++)
        assert_int_equal(cl_sig_scheme_supported(all_schemes[s]), s < 13);
}

/* ---- key loading ---- */

static void test_key_types(void **state)
{
    (void)state;
    static const struct {
        int key;
        cl_key_type type;
        unsigned bits;
    } want[] = {
        {K_RSA, CL_KEY_RSA, 2048},        {K_RSA_PSS, CL_KEY_RSA_PSS, 2048},
        {K_P256, CL_KEY_EC_P256, 256},    {K_P384, CL_KEY_EC_P384, 384},
        {K_ED25519, CL_KEY_ED25519, 253}, {K_P521, CL_KEY_EC_P521, 521},
        {K_K256, CL_KEY_OTHER, 256},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        cl_pubkey *pub = load_pub(keys[want[i].key]);
        cl_privkey *priv = load_priv(keys[want[i].key]);
        assert_int_equal(cl_pubkey_type(pub), want[i].type);
        assert_int_equal(cl_privkey_type(priv), want[i].type);
        assert_int_equal(cl_pubkey_bits(pub), want[i].bits);
        assert_int_equal(cl_privkey_bits(priv), want[i].bits);
        assert_int_equal(cl_privkey_matches(priv, pub), 1);
        cl_pubkey_free(pub);
        cl_privkey_free(priv);
    }
}

static void test_matches(void **state)
{
    (void)state;
    static const int pairs[][2] = {
        {K_RSA, K_RSA2}, {K_P256, K_P256B},   {K_P256, K_P384},
        {K_RSA, K_P256}, {K_ED25519, K_P256}, {K_RSA, K_RSA_PSS},
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        cl_privkey *priv = load_priv(keys[pairs[i][0]]);
        cl_pubkey *own = load_pub(keys[pairs[i][0]]), *other = load_pub(keys[pairs[i][1]]);
        assert_int_equal(cl_privkey_matches(priv, own), 1);
        assert_int_equal(cl_privkey_matches(priv, other), 0);
        cl_privkey_free(priv);
        cl_pubkey_free(own);
        cl_pubkey_free(other);
    }
}

/* Loads PEM with clasp and checks it is the same key, by matching and by a signature. */
static void assert_pem_loads(int key, const uint8_t *pem, size_t len, uint16_t scheme)
{
    cl_privkey *priv = NULL;
    assert_int_equal(cl_privkey_from_pem(&priv, pem, len), 0);
    cl_pubkey *pub = load_pub(keys[key]);
    assert_int_equal(cl_privkey_matches(priv, pub), 1);
    uint8_t sig[CL_MAX_SIG_LEN];
    size_t n = 0;
    assert_int_equal(cl_sign(priv, scheme, msg, sizeof(msg), sig, sizeof(sig), &n), 0);
    assert_int_equal(cl_verify(pub, scheme, msg, sizeof(msg), sig, n), 0);
    cl_privkey_free(priv);
    cl_pubkey_free(pub);
}

/* Whether the n bytes at p contain needle (PEM from an encoder is not NUL-terminated). */
static int contains(const uint8_t *p, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(p + i, needle, k) == 0)
            return 1;
    return 0;
}

static void test_pem_formats(void **state)
{
    (void)state;
    fill_msg();
    static const struct {
        int key;
        uint16_t scheme;
    } all[] = {{K_RSA, 0x0804},
               {K_RSA_PSS, 0x0809},
               {K_P256, 0x0403},
               {K_P384, 0x0503},
               {K_ED25519, 0x0807}};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        size_t len;
        uint8_t *pem = encode(keys[all[i].key], EVP_PKEY_KEYPAIR, "PEM", "PrivateKeyInfo", &len);
        assert_true(contains(pem, len, "-----BEGIN PRIVATE KEY-----"));
        assert_pem_loads(all[i].key, pem, len, all[i].scheme);
        OPENSSL_free(pem);
    }
    /* Traditional (type-specific) encodings. */
    size_t len;
    uint8_t *pem = encode(keys[K_RSA], EVP_PKEY_KEYPAIR, "PEM", "type-specific", &len);
    assert_true(contains(pem, len, "-----BEGIN RSA PRIVATE KEY-----"));
    assert_pem_loads(K_RSA, pem, len, 0x0401);
    OPENSSL_free(pem);
    pem = encode(keys[K_P256], EVP_PKEY_KEYPAIR, "PEM", "type-specific", &len);
    assert_true(contains(pem, len, "-----BEGIN EC PRIVATE KEY-----"));
    assert_pem_loads(K_P256, pem, len, 0x0403);
    /* As `openssl ecparam -genkey` writes it: EC PARAMETERS first, then the key. */
    size_t plen;
    uint8_t *params = encode(keys[K_P256], EVP_PKEY_KEY_PARAMETERS, "PEM", "type-specific", &plen);
    assert_true(contains(params, plen, "-----BEGIN EC PARAMETERS-----"));
    uint8_t *both = malloc(plen + len);
    memcpy(both, params, plen);
    memcpy(both + plen, pem, len);
    assert_pem_loads(K_P256, both, plen + len, 0x0403);
    free(both);
    OPENSSL_free(params);
    OPENSSL_free(pem);
}

static void assert_bad_pem(const void *pem, size_t len)
{
    cl_privkey *k = NULL;
    assert_int_equal(cl_privkey_from_pem(&k, pem, len), CLASP_ERR_BAD_KEY);
    assert_null(k);
}

static void test_bad_pem(void **state)
{
    (void)state;
    static const char garbage[] = "this is not a key\n\x01\x02\xff";
    assert_bad_pem(garbage, sizeof(garbage));
    assert_bad_pem(garbage, 0);
    static const char bad_b64[] = "-----BEGIN PRIVATE KEY-----\n"
                                  "!!!!not*base64@@@@\n"
                                  "-----END PRIVATE KEY-----\n";
    assert_bad_pem(bad_b64, strlen(bad_b64));
    static const char empty[] = "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n";
    assert_bad_pem(empty, strlen(empty));
    static const char junk_der[] = "-----BEGIN PRIVATE KEY-----\n"
                                   "MIIBAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
                                   "-----END PRIVATE KEY-----\n";
    assert_bad_pem(junk_der, strlen(junk_der));

    size_t len;
    uint8_t *pem = encode(keys[K_P256], EVP_PKEY_KEYPAIR, "PEM", "PrivateKeyInfo", &len);
    assert_bad_pem(pem, len / 2);         /* truncated */
    pem[40] = pem[40] == 'A' ? 'B' : 'A'; /* one base64 character changed */
    assert_bad_pem(pem, len);
    OPENSSL_free(pem);
    /* A public key is not a private key. */
    pem = encode(keys[K_P256], EVP_PKEY_PUBLIC_KEY, "PEM", "SubjectPublicKeyInfo", &len);
    assert_bad_pem(pem, len);
    OPENSSL_free(pem);
    /* An encrypted key fails without asking for a passphrase. */
    OSSL_ENCODER_CTX *ctx = OSSL_ENCODER_CTX_new_for_pkey(keys[K_P256], EVP_PKEY_KEYPAIR, "PEM",
                                                          "EncryptedPrivateKeyInfo", NULL);
    assert_non_null(ctx);
    assert_int_equal(OSSL_ENCODER_CTX_set_cipher(ctx, "AES-128-CBC", NULL), 1);
    assert_int_equal(OSSL_ENCODER_CTX_set_passphrase(ctx, (const unsigned char *)"pw", 2), 1);
    pem = NULL;
    assert_int_equal(OSSL_ENCODER_to_data(ctx, &pem, &len), 1);
    OSSL_ENCODER_CTX_free(ctx);
    assert_true(contains(pem, len, "ENCRYPTED PRIVATE KEY"));
    assert_bad_pem(pem, len);
    OPENSSL_free(pem);
}

static void test_bad_der(void **state)
{
    (void)state;
    size_t len;
    uint8_t *der = encode(keys[K_P256], EVP_PKEY_KEYPAIR, "DER", "PrivateKeyInfo", &len);
    uint8_t *longer = malloc(len + 1);
    memcpy(longer, der, len);
    longer[len] = 0;
    cl_privkey *k = NULL;
    assert_int_equal(cl_privkey_from_der(&k, der, len - 1), CLASP_ERR_BAD_KEY);
    assert_int_equal(cl_privkey_from_der(&k, longer, len + 1), CLASP_ERR_BAD_KEY);
    assert_int_equal(cl_privkey_from_der(&k, der, 0), CLASP_ERR_BAD_KEY);
    assert_int_equal(cl_privkey_from_der(&k, der, len), 0); /* control */
    cl_privkey_free(k);
    k = NULL;
    /* Traditional DER is not PKCS#8. */
    uint8_t *trad = encode(keys[K_P256], EVP_PKEY_KEYPAIR, "DER", "type-specific", &len);
    assert_int_equal(cl_privkey_from_der(&k, trad, len), CLASP_ERR_BAD_KEY);
    OPENSSL_free(trad);
    free(longer);
    OPENSSL_free(der);

    unsigned char *spki = NULL;
    int slen = i2d_PUBKEY(keys[K_RSA], &spki);
    assert_true(slen > 0);
    cl_pubkey *pub = NULL;
    assert_int_equal(cl_pubkey_from_spki(&pub, spki, (size_t)slen - 1), CLASP_ERR_BAD_KEY);
    assert_int_equal(cl_pubkey_from_spki(&pub, spki, 0), CLASP_ERR_BAD_KEY);
    assert_int_equal(cl_privkey_from_der(&k, spki, (size_t)slen), CLASP_ERR_BAD_KEY);
    uint8_t *sl = malloc((size_t)slen + 1);
    memcpy(sl, spki, (size_t)slen);
    sl[slen] = 0;
    assert_int_equal(cl_pubkey_from_spki(&pub, sl, (size_t)slen + 1), CLASP_ERR_BAD_KEY);
    spki[0] = 0x31; /* not a SEQUENCE */
    assert_int_equal(cl_pubkey_from_spki(&pub, spki, (size_t)slen), CLASP_ERR_BAD_KEY);
    assert_null(pub);
    assert_null(k);
    free(sl);
    OPENSSL_free(spki);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schemes),     cmocka_unit_test(test_sign_errors),
        cmocka_unit_test(test_fits_scheme), cmocka_unit_test(test_key_types),
        cmocka_unit_test(test_matches),     cmocka_unit_test(test_pem_formats),
        cmocka_unit_test(test_bad_pem),     cmocka_unit_test(test_bad_der),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
