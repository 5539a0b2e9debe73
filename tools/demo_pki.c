/*
 * The demo's PKI, made with libcrypto: keys, X.509 v3 certificates signed by a CA of our
 * own, and their PEM text in memory. The library never sees these OpenSSL objects: it gets
 * PEM bytes, as from files.
 */
#include "demo_pki.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define DAY (24L * 60 * 60)

/* What one certificate says besides its key. */
typedef struct cert_spec {
    const char *cn;
    const char *key_usage;
    const char *ext_key_usage; /* NULL: none (the CA) */
    const char *san;           /* NULL: none */
    int ca;
    long serial;
} cert_spec;

static EVP_PKEY *make_key(int rsa)
{
    if (rsa)
        return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    int ok = ext && X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok ? 0 : -1;
}

static int set_name(X509 *cert, const char *cn)
{
    X509_NAME *name = X509_get_subject_name(cert);
    if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"clasp demo",
                                    -1, -1, 0) ||
        !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0))
        return -1;
    return 0;
}

/* The extensions of spec; issuer is the certificate itself for the CA. */
static int add_exts(X509 *cert, X509 *issuer, const cert_spec *spec)
{
    int bad = add_ext(cert, issuer, NID_basic_constraints,
                      spec->ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    bad |= add_ext(cert, issuer, NID_key_usage, spec->key_usage);
    bad |= add_ext(cert, issuer, NID_subject_key_identifier, "hash");
    if (!spec->ca)
        bad |= add_ext(cert, issuer, NID_authority_key_identifier, "keyid");
    if (spec->ext_key_usage)
        bad |= add_ext(cert, issuer, NID_ext_key_usage, spec->ext_key_usage);
    if (spec->san)
        bad |= add_ext(cert, issuer, NID_subject_alt_name, spec->san);
    return bad;
}

/*
 * A certificate for key, signed by issuer_key (and named after issuer; NULL: self-signed),
 * valid from an hour ago for 30 days. NULL on failure.
 */
static X509 *make_cert(const cert_spec *spec, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key)
{
    X509 *cert = X509_new();
    if (!cert)
        return NULL;
    int ok = X509_set_version(cert, X509_VERSION_3) &&
             ASN1_INTEGER_set(X509_get_serialNumber(cert), spec->serial) &&
             X509_gmtime_adj(X509_getm_notBefore(cert), -3600) &&
             X509_gmtime_adj(X509_getm_notAfter(cert), 30 * DAY) && X509_set_pubkey(cert, key) &&
             set_name(cert, spec->cn) == 0;
    X509 *signer = issuer ? issuer : cert;
    ok = ok && X509_set_issuer_name(cert, X509_get_subject_name(signer)) &&
         add_exts(cert, signer, spec) == 0 && X509_sign(cert, issuer_key, EVP_sha256()) > 0;
    if (!ok) {
        X509_free(cert);
        return NULL;
    }
    return cert;
}

/* The PEM text a BIO holds, copied into *out (malloc'd). */
static int bio_take(BIO *bio, uint8_t **out, size_t *len)
{
    char *p;
    long n = BIO_get_mem_data(bio, &p);
    if (n <= 0 || !(*out = malloc((size_t)n)))
        return -1;
    memcpy(*out, p, (size_t)n);
    *len = (size_t)n;
    return 0;
}

static int to_pem(X509 *cert, EVP_PKEY *key, demo_cred *out)
{
    BIO *c = BIO_new(BIO_s_mem()), *k = BIO_new(BIO_s_mem());
    int ok = c && k && PEM_write_bio_X509(c, cert) && bio_take(c, &out->cert, &out->cert_len) == 0;
    if (ok && key)
        ok = PEM_write_bio_PrivateKey(k, key, NULL, NULL, 0, NULL, NULL) &&
             bio_take(k, &out->key, &out->key_len) == 0;
    BIO_free(c);
    BIO_free(k);
    return ok ? 0 : -1;
}

/* A leaf certificate and key issued by the CA, as PEM into out. */
static int make_leaf(const cert_spec *spec, int rsa, X509 *ca, EVP_PKEY *ca_key, demo_cred *out)
{
    EVP_PKEY *key = make_key(rsa);
    X509 *cert = key ? make_cert(spec, key, ca, ca_key) : NULL;
    int rc = cert ? to_pem(cert, key, out) : -1;
    X509_free(cert);
    EVP_PKEY_free(key);
    return rc;
}

static const cert_spec ca_spec = {
    "clasp demo CA", "critical,keyCertSign,cRLSign", NULL, NULL, 1, 1};
/* RSA key exchange encrypts to the server's key: keyEncipherment as well as signatures. */
static const cert_spec rsa_spec = {DEMO_SERVER_NAME,
                                   "critical,digitalSignature,keyEncipherment",
                                   "serverAuth",
                                   "DNS:" DEMO_SERVER_NAME,
                                   0,
                                   2};
static const cert_spec ecdsa_spec = {
    DEMO_SERVER_NAME, "critical,digitalSignature", "serverAuth", "DNS:" DEMO_SERVER_NAME, 0, 3};
static const cert_spec client_spec = {
    "demo client", "critical,digitalSignature", "clientAuth", NULL, 0, 4};

int demo_pki_make(demo_pki *pki)
{
    memset(pki, 0, sizeof(*pki));
    EVP_PKEY *ca_key = make_key(0);
    X509 *ca = ca_key ? make_cert(&ca_spec, ca_key, NULL, ca_key) : NULL;
    int rc = ca ? to_pem(ca, NULL, &pki->ca) : -1;
    if (rc == 0)
        rc = make_leaf(&rsa_spec, 1, ca, ca_key, &pki->server_rsa);
    if (rc == 0)
        rc = make_leaf(&ecdsa_spec, 0, ca, ca_key, &pki->server_ecdsa);
    if (rc == 0)
        rc = make_leaf(&client_spec, 0, ca, ca_key, &pki->client);
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    if (rc != 0) {
        unsigned long e = ERR_get_error();
        fprintf(stderr, "clasp-demo: cannot make the demo certificates: %s\n",
                e ? ERR_reason_error_string(e) : "out of memory");
        ERR_clear_error();
        demo_pki_free(pki);
    }
    return rc;
}

static void cred_free(demo_cred *c)
{
    free(c->cert);
    if (c->key)
        OPENSSL_cleanse(c->key, c->key_len);
    free(c->key);
    memset(c, 0, sizeof(*c));
}

void demo_pki_free(demo_pki *pki)
{
    cred_free(&pki->ca);
    cred_free(&pki->server_rsa);
    cred_free(&pki->server_ecdsa);
    cred_free(&pki->client);
}
