#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "pki.h"

struct test_ca {
    EVP_PKEY *key;
    X509 *cert;
    test_pem pem;
    test_pem chain; /* this CA and its issuers, up to (not including) the root */
    int is_root;
};

static void die(const char *what)
{
    fprintf(stderr, "test PKI: %s failed\n", what);
    abort();
}

/* EVP_PKEY_Q_keygen does not know RSA-PSS in OpenSSL 3.0. */
static EVP_PKEY *make_rsa_pss(void)
{
    EVP_PKEY *k = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA-PSS", NULL);
    if (!ctx || EVP_PKEY_keygen_init(ctx) != 1 ||
        EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048) != 1 || EVP_PKEY_generate(ctx, &k) != 1)
        k = NULL;
    EVP_PKEY_CTX_free(ctx);
    return k;
}

static EVP_PKEY *make_key(test_key kt)
{
    EVP_PKEY *k = NULL;
    switch (kt) {
    case TK_RSA2048: k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048); break;
    case TK_RSA4096: k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)4096); break;
    case TK_P256: k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"); break;
    case TK_P384: k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384"); break;
    case TK_ED25519: k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"); break;
    case TK_RSA_PSS: k = make_rsa_pss(); break;
    case TK_RSA1024: k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024); break;
    case TK_P521: k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521"); break;
    }
    if (!k)
        die("key generation");
    return k;
}

static void to_pem(test_pem *out, int (*write)(BIO *, void *), void *obj)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (!b || !write(b, obj))
        die("PEM encoding");
    char *data;
    long n = BIO_get_mem_data(b, &data);
    out->pem = malloc((size_t)n + 1);
    memcpy(out->pem, data, (size_t)n);
    out->pem[n] = 0;
    out->len = (size_t)n;
    BIO_free(b);
}

static int write_cert(BIO *b, void *x)
{
    return PEM_write_bio_X509(b, x);
}

static int write_key(BIO *b, void *k)
{
    return PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
}

static void pem_cat(test_pem *out, const test_pem *a, const test_pem *b)
{
    out->len = a->len + (b ? b->len : 0);
    out->pem = malloc(out->len + 1);
    memcpy(out->pem, a->pem, a->len);
    if (b)
        memcpy(out->pem + a->len, b->pem, b->len);
    out->pem[out->len] = 0;
}

static void add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!e || !X509_add_ext(cert, e, -1))
        die(value);
    X509_EXTENSION_free(e);
}

/* Ed25519 signs without a separate digest. */
static const EVP_MD *sign_md(EVP_PKEY *k)
{
    return EVP_PKEY_get_id(k) == EVP_PKEY_ED25519 ? NULL : EVP_sha256();
}

static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
                       long nb_days, long na_days)
{
    static long serial = 1000;
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_gmtime_adj(X509_getm_notBefore(x), nb_days * 86400L);
    X509_gmtime_adj(X509_getm_notAfter(x), na_days * 86400L);
    X509_set_pubkey(x, key);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
    (void)issuer_key;
    return x;
}

static void sign_cert(X509 *x, EVP_PKEY *issuer_key)
{
    if (!X509_sign(x, issuer_key, sign_md(issuer_key)))
        die("signing a certificate");
}

static test_ca *ca_make(test_ca *parent, test_key kt, const char *cn)
{
    test_ca *ca = calloc(1, sizeof(*ca));
    ca->key = make_key(kt);
    X509 *issuer = parent ? parent->cert : NULL;
    ca->cert = make_cert(ca->key, cn, issuer, NULL, -1, 3650);
    add_ext(ca->cert, issuer ? issuer : ca->cert, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(ca->cert, issuer ? issuer : ca->cert, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_ext(ca->cert, issuer ? issuer : ca->cert, NID_subject_key_identifier, "hash");
    sign_cert(ca->cert, parent ? parent->key : ca->key);
    to_pem(&ca->pem, write_cert, ca->cert);
    ca->is_root = parent == NULL;
    if (parent && !parent->is_root)
        pem_cat(&ca->chain, &ca->pem, &parent->chain);
    else if (parent)
        pem_cat(&ca->chain, &ca->pem, NULL);
    return ca;
}

test_ca *test_ca_new(test_key kt, const char *cn)
{
    return ca_make(NULL, kt, cn);
}

test_ca *test_ca_intermediate(test_ca *parent, test_key kt, const char *cn)
{
    return ca_make(parent, kt, cn);
}

void test_ca_free(test_ca *ca)
{
    if (!ca)
        return;
    EVP_PKEY_free(ca->key);
    X509_free(ca->cert);
    free(ca->pem.pem);
    free(ca->chain.pem);
    free(ca);
}

const test_pem *test_ca_pem(const test_ca *ca)
{
    return &ca->pem;
}

static int write_crl(BIO *b, void *crl)
{
    return PEM_write_bio_X509_CRL(b, crl);
}

void test_ca_crl(const test_ca *ca, test_pem *out)
{
    X509_CRL *crl = X509_CRL_new();
    ASN1_TIME *last = X509_gmtime_adj(NULL, -86400L), *next = X509_gmtime_adj(NULL, 30 * 86400L);
    if (!crl || !last || !next || !X509_CRL_set_version(crl, 1) ||
        !X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca->cert)) ||
        !X509_CRL_set1_lastUpdate(crl, last) || !X509_CRL_set1_nextUpdate(crl, next) ||
        !X509_CRL_sign(crl, ca->key, sign_md(ca->key)))
        die("making a CRL");
    to_pem(out, write_crl, crl);
    ASN1_TIME_free(last);
    ASN1_TIME_free(next);
    X509_CRL_free(crl);
}

void test_issue(test_ca *ca, test_key kt, const test_cert_opts *o, test_cert *out)
{
    EVP_PKEY *key = make_key(kt);
    long nb = o->not_before_days ? o->not_before_days : -1;
    long na = o->not_after_days ? o->not_after_days : 30;
    X509 *x = make_cert(key, o->cn, ca->cert, ca->key, nb, na);
    add_ext(x, ca->cert, NID_basic_constraints, "critical,CA:FALSE");
    const char *ku = o->key_usage ? o->key_usage : "critical,digitalSignature,keyEncipherment";
    if (strcmp(ku, "none") != 0)
        add_ext(x, ca->cert, NID_key_usage, ku);
    add_ext(x, ca->cert, NID_ext_key_usage, o->client ? "clientAuth" : "serverAuth");
    add_ext(x, ca->cert, NID_authority_key_identifier, "keyid");
    if (o->san)
        add_ext(x, ca->cert, NID_subject_alt_name, o->san);
    sign_cert(x, ca->key);
    memset(out, 0, sizeof(*out));
    to_pem(&out->cert, write_cert, x);
    to_pem(&out->key, write_key, key);
    pem_cat(&out->chain, &out->cert, ca->is_root ? NULL : &ca->chain);
    X509_free(x);
    EVP_PKEY_free(key);
}

void test_cert_free(test_cert *c)
{
    free(c->cert.pem);
    free(c->chain.pem);
    free(c->key.pem);
    memset(c, 0, sizeof(*c));
}
