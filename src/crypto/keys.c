/*
 * Public and private keys: parsing (SPKI, PKCS#8, PEM), type and size. Which key serves which
 * signature scheme, and signing and verifying, live in sig.c.
 */
#include <limits.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "base/err.h"
#include "base/mem.h"
#include "crypto/internal.h"

/* The named curve of an EC key, or CL_KEY_OTHER for curves clasp has no use for. */
static cl_key_type ec_key_type(const EVP_PKEY *pkey)
{
    char name[64];
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name),
                                       NULL) != 1)
        return CL_KEY_OTHER; /* explicit curve parameters: never a TLS key */
    int nid = OBJ_sn2nid(name);
    if (nid == NID_undef)
        nid = EC_curve_nist2nid(name);
    if (nid == NID_X9_62_prime256v1)
        return CL_KEY_EC_P256;
    if (nid == NID_secp384r1)
        return CL_KEY_EC_P384;
    if (nid == NID_secp521r1)
        return CL_KEY_EC_P521;
    return CL_KEY_OTHER;
}

cl_key_type cl_pkey_type(const EVP_PKEY *pkey)
{
    /* RSA-PSS has its own key manager in OpenSSL 3, so "RSA" never matches a PSS key. */
    if (EVP_PKEY_is_a(pkey, "RSA-PSS"))
        return CL_KEY_RSA_PSS;
    if (EVP_PKEY_is_a(pkey, "RSA"))
        return CL_KEY_RSA;
    if (EVP_PKEY_is_a(pkey, "EC"))
        return ec_key_type(pkey);
    if (EVP_PKEY_is_a(pkey, "ED25519"))
        return CL_KEY_ED25519;
    return CL_KEY_OTHER;
}

int cl_pubkey_from_spki(cl_pubkey **out, const uint8_t *der, size_t len)
{
    CL_TRY(cl_crypto_init());
    CL_CHECK(der && len > 0 && len <= LONG_MAX, CLASP_ERR_BAD_KEY);
    const unsigned char *p = der;
    EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, (long)len);
    /* A SubjectPublicKeyInfo must fill its buffer exactly: trailing bytes are an error. */
    if (!pkey || p != der + len) {
        EVP_PKEY_free(pkey);
        ERR_clear_error();
        return CLASP_ERR_BAD_KEY;
    }
    int rc = cl_pubkey_wrap(out, pkey);
    EVP_PKEY_free(pkey);
    return rc;
}

int cl_pubkey_wrap(cl_pubkey **out, EVP_PKEY *pkey)
{
    cl_pubkey *k = cl_calloc(1, sizeof(*k));
    CL_CHECK(k, CLASP_ERR_NOMEM);
    if (EVP_PKEY_up_ref(pkey) != 1) {
        cl_free(k, sizeof(*k));
        return CLASP_ERR_CRYPTO;
    }
    k->pkey = pkey;
    k->type = cl_pkey_type(pkey);
    *out = k;
    return 0;
}

void cl_pubkey_free(cl_pubkey *k)
{
    if (!k)
        return;
    EVP_PKEY_free(k->pkey);
    cl_free(k, sizeof(*k));
}

cl_key_type cl_pubkey_type(const cl_pubkey *k)
{
    return k->type;
}

/*
 * Modulus or field size. Ed25519 is 253 by the header's contract (its group order has 253
 * bits); OpenSSL 3.0 reports 256 for it, 1.1.1 reported 253.
 */
static unsigned key_bits(const EVP_PKEY *pkey, cl_key_type type)
{
    if (type == CL_KEY_ED25519)
        return 253;
    int bits = EVP_PKEY_get_bits(pkey);
    return bits > 0 ? (unsigned)bits : 0;
}

unsigned cl_pubkey_bits(const cl_pubkey *k)
{
    return key_bits(k->pkey, k->type);
}

/* Takes ownership of pkey (freed on failure too). */
static int privkey_wrap(cl_privkey **out, EVP_PKEY *pkey)
{
    cl_privkey *k = cl_calloc(1, sizeof(*k));
    if (!k) {
        EVP_PKEY_free(pkey);
        return CLASP_ERR_NOMEM;
    }
    k->pkey = pkey;
    k->type = cl_pkey_type(pkey);
    *out = k;
    return 0;
}

/*
 * Refuses every passphrase request: clasp loads unencrypted keys only, and without this
 * callback PEM_read_bio_PrivateKey would prompt on the terminal.
 */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf, (void)size, (void)rwflag, (void)u;
    return -1;
}

int cl_privkey_from_pem(cl_privkey **out, const uint8_t *pem, size_t len)
{
    CL_TRY(cl_crypto_init());
    CL_CHECK(pem && len > 0 && len <= INT_MAX, CLASP_ERR_BAD_KEY);
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    CL_CHECK(bio, CLASP_ERR_NOMEM);
    /*
     * Accepts "PRIVATE KEY" (PKCS#8), "RSA PRIVATE KEY" and "EC PRIVATE KEY"; blocks of other
     * types before the key (such as "EC PARAMETERS") are skipped.
     */
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey_ex(bio, NULL, no_passphrase, NULL, NULL, NULL);
    BIO_free(bio);
    if (!pkey) {
        ERR_clear_error();
        return CLASP_ERR_BAD_KEY;
    }
    return privkey_wrap(out, pkey);
}

int cl_privkey_from_der(cl_privkey **out, const uint8_t *der, size_t len)
{
    CL_TRY(cl_crypto_init());
    CL_CHECK(der && len > 0 && len <= LONG_MAX, CLASP_ERR_BAD_KEY);
    const unsigned char *p = der;
    PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len);
    EVP_PKEY *pkey = NULL;
    if (p8 && p == der + len)
        pkey = EVP_PKCS82PKEY_ex(p8, NULL, NULL);
    PKCS8_PRIV_KEY_INFO_free(p8); /* its ASN.1 free callback cleanses the key octets */
    if (!pkey) {
        ERR_clear_error();
        return CLASP_ERR_BAD_KEY;
    }
    return privkey_wrap(out, pkey);
}

void cl_privkey_free(cl_privkey *k)
{
    if (!k)
        return;
    EVP_PKEY_free(k->pkey); /* the key managers clear private material on free */
    cl_free(k, sizeof(*k));
}

cl_key_type cl_privkey_type(const cl_privkey *k)
{
    return k->type;
}

unsigned cl_privkey_bits(const cl_privkey *k)
{
    return key_bits(k->pkey, k->type);
}

int cl_privkey_matches(const cl_privkey *priv, const cl_pubkey *pub)
{
    /* EVP_PKEY_eq compares the public halves (and domain parameters); -1/-2 mean "no". */
    return EVP_PKEY_eq(priv->pkey, pub->pkey) == 1 ? 1 : 0;
}
