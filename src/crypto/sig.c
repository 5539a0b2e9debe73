/*
 * TLS signature schemes (RFC 8446 section 4.2.3): which key serves which scheme, and signing
 * and verifying with RSA PKCS#1 v1.5, RSA-PSS, ECDSA and Ed25519.
 */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "base/err.h"
#include "crypto/internal.h"

typedef enum sig_kind {
    SIGK_RSA_PKCS1,
    SIGK_RSA_PSS_RSAE, /* PSS with an rsaEncryption key */
    SIGK_RSA_PSS_PSS,  /* PSS with an id-RSASSA-PSS key */
    SIGK_ECDSA,
    SIGK_ED25519,
} sig_kind;

struct scheme_info {
    uint16_t scheme;
    sig_kind kind;
    cl_hash_alg hash;  /* unused for Ed25519 */
    cl_key_type curve; /* ECDSA: the curve TLS 1.3 binds to the scheme */
};

static const struct scheme_info schemes[] = {
    {CL_SIG_RSA_PKCS1_SHA256, SIGK_RSA_PKCS1, CL_HASH_SHA256, CL_KEY_OTHER},
    {CL_SIG_RSA_PKCS1_SHA384, SIGK_RSA_PKCS1, CL_HASH_SHA384, CL_KEY_OTHER},
    {CL_SIG_RSA_PKCS1_SHA512, SIGK_RSA_PKCS1, CL_HASH_SHA512, CL_KEY_OTHER},
    {CL_SIG_ECDSA_SECP256R1_SHA256, SIGK_ECDSA, CL_HASH_SHA256, CL_KEY_EC_P256},
    {CL_SIG_ECDSA_SECP384R1_SHA384, SIGK_ECDSA, CL_HASH_SHA384, CL_KEY_EC_P384},
    {CL_SIG_ECDSA_SECP521R1_SHA512, SIGK_ECDSA, CL_HASH_SHA512, CL_KEY_EC_P521},
    {CL_SIG_RSA_PSS_RSAE_SHA256, SIGK_RSA_PSS_RSAE, CL_HASH_SHA256, CL_KEY_OTHER},
    {CL_SIG_RSA_PSS_RSAE_SHA384, SIGK_RSA_PSS_RSAE, CL_HASH_SHA384, CL_KEY_OTHER},
    {CL_SIG_RSA_PSS_RSAE_SHA512, SIGK_RSA_PSS_RSAE, CL_HASH_SHA512, CL_KEY_OTHER},
    {CL_SIG_RSA_PSS_PSS_SHA256, SIGK_RSA_PSS_PSS, CL_HASH_SHA256, CL_KEY_OTHER},
    {CL_SIG_RSA_PSS_PSS_SHA384, SIGK_RSA_PSS_PSS, CL_HASH_SHA384, CL_KEY_OTHER},
    {CL_SIG_RSA_PSS_PSS_SHA512, SIGK_RSA_PSS_PSS, CL_HASH_SHA512, CL_KEY_OTHER},
    {CL_SIG_ED25519, SIGK_ED25519, CL_HASH_SHA256, CL_KEY_OTHER},
};

static const struct scheme_info *scheme_info(uint16_t scheme)
{
    for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
        if (schemes[i].scheme == scheme)
            return &schemes[i];
    return NULL;
}

int cl_sig_scheme_supported(uint16_t scheme)
{
    return scheme_info(scheme) != NULL;
}

/* Whether a key of this type can produce or check the scheme's signatures. */
static int type_fits(cl_key_type type, const struct scheme_info *s, int strict_curve)
{
    switch (s->kind) {
    case SIGK_RSA_PKCS1:
    case SIGK_RSA_PSS_RSAE: return type == CL_KEY_RSA;
    case SIGK_RSA_PSS_PSS: return type == CL_KEY_RSA_PSS;
    case SIGK_ED25519: return type == CL_KEY_ED25519;
    case SIGK_ECDSA:
        /* RFC 8446 4.2.3: TLS 1.3 binds the curve to the scheme; TLS 1.2 does not. */
        if (strict_curve)
            return type == s->curve;
        return type == CL_KEY_EC_P256 || type == CL_KEY_EC_P384 || type == CL_KEY_EC_P521;
    }
    return 0;
}

int cl_pubkey_fits_scheme(const cl_pubkey *k, uint16_t scheme, int strict_curve)
{
    const struct scheme_info *s = scheme_info(scheme);
    return s ? type_fits(k->type, s, strict_curve) : 0;
}

int cl_privkey_fits_scheme(const cl_privkey *k, uint16_t scheme, int strict_curve)
{
    const struct scheme_info *s = scheme_info(scheme);
    return s ? type_fits(k->type, s, strict_curve) : 0;
}

/*
 * Starts one sign or verify on ctx with the scheme's digest and, for RSA, its padding. PSS
 * uses MGF1 with the message hash and a salt as long as the hash (RFC 8446 4.2.3). On
 * verification RSA_PSS_SALTLEN_DIGEST is strict: OpenSSL's ossl_rsa_verify_PKCS1_PSS_mgf1
 * (crypto/rsa/rsa_pss.c) turns it into sLen = hLen and fails with SLEN_CHECK_FAILED when the
 * recovered salt has any other length; only RSA_PSS_SALTLEN_AUTO would accept any length.
 */
static int sig_start(EVP_MD_CTX *ctx, EVP_PKEY *pkey, const struct scheme_info *s, int sign)
{
    const EVP_MD *md = NULL;
    const char *mdname = NULL; /* Ed25519 is one-shot: no separate digest */
    if (s->kind != SIGK_ED25519) {
        md = cl_md(s->hash);
        CL_CHECK(md, CLASP_ERR_CRYPTO);
        mdname = EVP_MD_get0_name(md);
    }
    EVP_PKEY_CTX *pctx = NULL;
    int ok = sign ? EVP_DigestSignInit_ex(ctx, &pctx, mdname, NULL, NULL, pkey, NULL)
                  : EVP_DigestVerifyInit_ex(ctx, &pctx, mdname, NULL, NULL, pkey, NULL);
    if (ok != 1)
        return CLASP_ERR_CRYPTO;
    if (s->kind == SIGK_RSA_PKCS1) {
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING);
    } else if (s->kind == SIGK_RSA_PSS_RSAE || s->kind == SIGK_RSA_PSS_PSS) {
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
    }
    return ok == 1 ? 0 : CLASP_ERR_CRYPTO;
}

int cl_sign(const cl_privkey *k, uint16_t scheme, const uint8_t *msg, size_t msg_len, uint8_t *sig,
            size_t cap, size_t *sig_len)
{
    const struct scheme_info *s = scheme_info(scheme);
    CL_CHECK(s && type_fits(k->type, s, 0), CLASP_ERR_INVALID_ARG);
    /* The largest signature the key can make (ECDSA's DER is often a little shorter). */
    int max = EVP_PKEY_get_size(k->pkey);
    CL_CHECK(max > 0, CLASP_ERR_CRYPTO);
    CL_CHECK(cap >= (size_t)max, CLASP_ERR_BUFFER_TOO_SMALL);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    CL_CHECK(ctx, CLASP_ERR_NOMEM);
    int rc;
    CL_TRY_OUT(rc, sig_start(ctx, k->pkey, s, 1));
    size_t len = cap;
    rc = EVP_DigestSign(ctx, sig, &len, msg, msg_len) == 1 ? 0 : CLASP_ERR_CRYPTO;
    if (rc == 0)
        *sig_len = len;
out:
    EVP_MD_CTX_free(ctx);
    return rc;
}

int cl_verify(const cl_pubkey *k, uint16_t scheme, const uint8_t *msg, size_t msg_len,
              const uint8_t *sig, size_t sig_len)
{
    const struct scheme_info *s = scheme_info(scheme);
    /* Which key may verify which scheme is the handshake's check; here it is a misuse. */
    CL_CHECK(s && type_fits(k->type, s, 0), CLASP_ERR_INVALID_ARG);
    CL_CHECK(sig_len > 0, CLASP_ERR_DECRYPT);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    CL_CHECK(ctx, CLASP_ERR_NOMEM);
    int rc;
    CL_TRY_OUT(rc, sig_start(ctx, k->pkey, s, 0));
    /*
     * 1 is a valid signature. 0 is a wrong one and a negative result a malformed one (bad
     * DER, wrong length, PSS salt of another length): all of them send decrypt_error.
     */
    if (EVP_DigestVerify(ctx, sig, sig_len, msg, msg_len) != 1) {
        ERR_clear_error();
        rc = CLASP_ERR_DECRYPT;
    }
out:
    EVP_MD_CTX_free(ctx);
    return rc;
}
