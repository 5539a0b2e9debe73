/*
 * X.509: credentials (chain + key) for every key type, trust stores (PEM buffers, files,
 * hashed directories), chain verification with each failure mapped to its error and reason,
 * host names and IP addresses, verification at a given time, key extraction and one-line
 * summaries. Every certificate is made here with libcrypto; no file is committed. After
 * each call the OpenSSL error queue must be empty, and clasp's allocations must balance,
 * also when an allocation fails.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <clasp/clasp.h>
#include <clasp/errors.h>

#include "counting.h"
#include "verify_checks.h"
#include "x509/x509.h"

#define DAY 86400L

/* The OpenSSL error queue is empty: clasp cleared whatever libcrypto left there. */
#define NO_OPENSSL_ERRORS() assert_int_equal(ERR_peek_error(), 0)

/* ---- keys and certificates, made with libcrypto ---- */

enum {
    K_ROOT,
    K_INTER,
    K_OTHER_ROOT,
    K_RSA,
    K_P256,
    K_P384,
    K_ED25519,
    K_RSA_PSS,
    K_P256B,
    K_K256,
    K_P521,
    NKEYS
};

enum {
    C_ROOT,
    C_INTER,
    C_OTHER_ROOT,
    C_RSA, /* the five server leaves, one per key type */
    C_P256,
    C_P384,
    C_ED25519,
    C_RSA_PSS,
    C_CLIENT,
    C_EXPIRED,
    C_NOT_YET,
    C_UNKNOWN_CA, /* issued by Other Root CA, which is not trusted */
    C_SELF_SIGNED,
    C_BAD_KU, /* keyUsage cRLSign only: no TLS server use */
    C_NOT_CA, /* CA:FALSE, yet used as an intermediate */
    C_BEHIND_NOT_CA,
    C_DNS_ONLY, /* SAN DNS:server.test and DNS:127.0.0.1, no IP SAN */
    C_CN_ONLY,  /* no SAN at all: CN=legacy.test */
    C_IP_ONLY,  /* SAN IP:127.0.0.1 alone, CN=server.test */
    C_PARTIAL,  /* SAN DNS:f*.part.test */
    C_K256,     /* a key clasp cannot use (secp256k1) */
    C_P521,
    C_LONG_NAME,
    C_NUMERIC_DNS, /* DNS SANs that look like addresses, and IP:10.0.0.1 */
    NCERTS
};

#define SERVER_SAN "DNS:server.test,DNS:*.wild.test,IP:127.0.0.1,IP:::1"
#define CA_BC      "critical,CA:TRUE"
#define CA_KU      "critical,keyCertSign,cRLSign"
#define LEAF_BC    "critical,CA:FALSE"
#define LEAF_KU    "critical,digitalSignature"

struct spec {
    int id;
    const char *cn;
    int key;
    int issuer; /* -1: self-signed */
    const char *bc, *ku, *eku, *san;
    long from_days, to_days; /* validity, relative to now */
};

/* In issuing order: every issuer comes before what it signs. */
static const struct spec specs[] = {
    {C_ROOT, "Test Root CA", K_ROOT, -1, CA_BC, CA_KU, NULL, NULL, -30, 3650},
    {C_INTER, "Test Intermediate CA", K_INTER, C_ROOT, CA_BC ",pathlen:0", CA_KU, NULL, NULL, -30,
     1825},
    {C_OTHER_ROOT, "Other Root CA", K_OTHER_ROOT, -1, CA_BC, CA_KU, NULL, NULL, -30, 3650},
    {C_RSA, "server.test", K_RSA, C_INTER, LEAF_BC, LEAF_KU, "serverAuth", SERVER_SAN, -1, 365},
    {C_P256, "server.test", K_P256, C_INTER, LEAF_BC, LEAF_KU, "serverAuth", SERVER_SAN, -1, 365},
    {C_P384, "server.test", K_P384, C_INTER, LEAF_BC, LEAF_KU, "serverAuth", SERVER_SAN, -1, 365},
    {C_ED25519, "server.test", K_ED25519, C_INTER, LEAF_BC, LEAF_KU, "serverAuth", SERVER_SAN, -1,
     365},
    {C_RSA_PSS, "server.test", K_RSA_PSS, C_INTER, LEAF_BC, LEAF_KU, "serverAuth", SERVER_SAN, -1,
     365},
    {C_CLIENT, "client.test", K_P256, C_INTER, LEAF_BC, LEAF_KU, "clientAuth", "DNS:client.test",
     -1, 365},
    {C_EXPIRED, "server.test", K_P256, C_INTER, LEAF_BC, LEAF_KU, "serverAuth", SERVER_SAN, -20,
     -10},
    {C_NOT_YET, "server.test", K_P256, C_INTER, LEAF_BC, LEAF_KU, "serverAuth", SERVER_SAN, 10, 20},
    {C_UNKNOWN_CA, "server.test", K_P256, C_OTHER_ROOT, LEAF_BC, LEAF_KU, "serverAuth", SERVER_SAN,
     -1, 365},
    {C_SELF_SIGNED, "server.test", K_P256, -1, NULL, NULL, "serverAuth", SERVER_SAN, -1, 365},
    {C_BAD_KU, "server.test", K_P256, C_INTER, LEAF_BC, "critical,cRLSign", "serverAuth",
     SERVER_SAN, -1, 365},
    {C_NOT_CA, "Not A CA", K_P256B, C_ROOT, LEAF_BC, NULL, NULL, NULL, -30, 1825},
    {C_BEHIND_NOT_CA, "server.test", K_P256, C_NOT_CA, LEAF_BC, LEAF_KU, "serverAuth", SERVER_SAN,
     -1, 365},
    {C_DNS_ONLY, "server.test", K_P256, C_INTER, LEAF_BC, LEAF_KU, "serverAuth",
     "DNS:server.test,DNS:127.0.0.1", -1, 365},
    {C_CN_ONLY, "legacy.test", K_P256, C_INTER, LEAF_BC, LEAF_KU, "serverAuth", NULL, -1, 365},
    {C_IP_ONLY, "server.test", K_P256, C_INTER, LEAF_BC, LEAF_KU, "serverAuth", "IP:127.0.0.1", -1,
     365},
    {C_PARTIAL, "part.test", K_P256, C_INTER, LEAF_BC, LEAF_KU, "serverAuth", "DNS:f*.part.test",
     -1, 365},
    {C_K256, "server.test", K_K256, C_INTER, LEAF_BC, LEAF_KU, "serverAuth", SERVER_SAN, -1, 365},
    {C_P521, "server.test", K_P521, C_INTER, LEAF_BC, LEAF_KU, "serverAuth", SERVER_SAN, -1, 365},
    /* its name is made by long_name(): a newline and a few hundred bytes */
    {C_LONG_NAME, NULL, K_P256, C_INTER, LEAF_BC, LEAF_KU, "serverAuth", SERVER_SAN, -1, 365},
    {C_NUMERIC_DNS, "numeric.test", K_P256, C_INTER, LEAF_BC, LEAF_KU, "serverAuth",
     "DNS:010.0.0.1,DNS:1.2.3,DNS:0x7f.0.0.1,DNS:1.2.3.4,DNS:[::1],IP:10.0.0.1", -1, 365},
};

static EVP_PKEY *keys[NKEYS];
static X509 *certs[NCERTS];
static int cert_key[NCERTS];
static uint8_t *ders[NCERTS];
static size_t der_lens[NCERTS];
static cl_trust *root_trust; /* Test Root CA alone */
static time_t now;

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

static void make_keys(void)
{
    keys[K_ROOT] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    keys[K_INTER] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    keys[K_OTHER_ROOT] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    keys[K_RSA] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    keys[K_P256] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    keys[K_P384] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    keys[K_ED25519] = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    keys[K_RSA_PSS] = gen_rsa_pss();
    keys[K_P256B] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    keys[K_K256] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
    keys[K_P521] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
    for (int i = 0; i < NKEYS; i++)
        assert_non_null(keys[i]);
}

static void add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    if (!value)
        return;
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    assert_non_null(ext);
    assert_int_equal(X509_add_ext(x, ext, -1), 1);
    X509_EXTENSION_free(ext);
}

/* CN with a newline in it, and enough OUs to run past any line a summary has room for. */
static X509_NAME *long_name(void)
{
    X509_NAME *name = X509_NAME_new();
    assert_non_null(name);
    char ou[61];
    memset(ou, 'u', 60);
    ou[60] = '\0';
    for (int i = 0; i < 6; i++)
        assert_int_equal(X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_UTF8,
                                                    (const unsigned char *)ou, -1, -1, 0),
                         1);
    /* Last in the DER, first in RFC 2253's reversed order. */
    const unsigned char *cn = (const unsigned char *)"evil\nname";
    assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, cn, -1, -1, 0), 1);
    return name;
}

static X509_NAME *cn_name(const char *cn)
{
    X509_NAME *name = X509_NAME_new();
    assert_non_null(name);
    assert_int_equal(
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0),
        1);
    return name;
}

static X509 *make_cert(const struct spec *s)
{
    static long serial;
    X509 *x = X509_new();
    assert_non_null(x);
    EVP_PKEY *key = keys[s->key];
    X509 *issuer = s->issuer < 0 ? x : certs[s->issuer];
    EVP_PKEY *ikey = s->issuer < 0 ? key : keys[cert_key[s->issuer]];
    assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), ++serial), 1);
    X509_NAME *name = s->cn ? cn_name(s->cn) : long_name();
    assert_int_equal(X509_set_subject_name(x, name), 1);
    assert_int_equal(X509_set_issuer_name(x, s->issuer < 0 ? name : X509_get_subject_name(issuer)),
                     1);
    X509_NAME_free(name);
    assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), s->from_days * DAY));
    assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), s->to_days * DAY));
    assert_int_equal(X509_set_pubkey(x, key), 1);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    add_ext(x, &ctx, NID_basic_constraints, s->bc);
    add_ext(x, &ctx, NID_key_usage, s->ku);
    add_ext(x, &ctx, NID_ext_key_usage, s->eku);
    add_ext(x, &ctx, NID_subject_alt_name, s->san);
    add_ext(x, &ctx, NID_subject_key_identifier, "hash");
    if (s->issuer >= 0)
        add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always");
    const EVP_MD *md = EVP_PKEY_is_a(ikey, "ED25519") ? NULL : EVP_sha256();
    assert_true(X509_sign(x, ikey, md) > 0);
    return x;
}

/* ---- exporting: PEM and DER in memory ---- */

typedef struct buf {
    uint8_t *p;
    size_t len;
} buf;

static buf bio_take(BIO *bio)
{
    char *p = NULL;
    long n = BIO_get_mem_data(bio, &p);
    assert_true(n > 0);
    buf b = {malloc((size_t)n), (size_t)n};
    assert_non_null(b.p);
    memcpy(b.p, p, (size_t)n);
    BIO_free(bio);
    return b;
}

/* The certificates ids[0..n) as one PEM buffer, in order. */
static buf pem_certs(const int *ids, size_t n)
{
    BIO *bio = BIO_new(BIO_s_mem());
    assert_non_null(bio);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(PEM_write_bio_X509(bio, certs[ids[i]]), 1);
    return bio_take(bio);
}

#define IDS(...)                                                                                   \
    (const int[])                                                                                  \
    {                                                                                              \
        __VA_ARGS__                                                                                \
    }
#define NIDS(...) (sizeof((const int[]){__VA_ARGS__}) / sizeof(int))
#define PEM(...)  pem_certs(IDS(__VA_ARGS__), NIDS(__VA_ARGS__))

static buf pem_key(int k)
{
    BIO *bio = BIO_new(BIO_s_mem());
    assert_non_null(bio);
    assert_int_equal(PEM_write_bio_PrivateKey(bio, keys[k], NULL, NULL, 0, NULL, NULL), 1);
    return bio_take(bio);
}

static buf concat(buf a, buf b)
{
    buf c = {malloc(a.len + b.len), a.len + b.len};
    assert_non_null(c.p);
    memcpy(c.p, a.p, a.len);
    memcpy(c.p + a.len, b.p, b.len);
    return c;
}

/* Where needle first occurs in hay (by length: neither is a C string), or -1. */
static long find_bytes(const uint8_t *hay, size_t hay_len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; n <= hay_len && i <= hay_len - n; i++)
        if (memcmp(hay + i, needle, n) == 0)
            return (long)i;
    return -1;
}

static int setup(void **state)
{
    (void)state;
    now = time(NULL);
    make_keys();
    for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
        const struct spec *s = &specs[i];
        cert_key[s->id] = s->key;
        certs[s->id] = make_cert(s);
        unsigned char *der = NULL;
        int len = i2d_X509(certs[s->id], &der);
        assert_true(len > 0);
        ders[s->id] = der;
        der_lens[s->id] = (size_t)len;
    }
    for (int i = 0; i < NCERTS; i++)
        assert_non_null(certs[i]);
    buf root = PEM(C_ROOT);
    assert_int_equal(cl_trust_new(&root_trust), 0);
    assert_int_equal(cl_trust_add_pem(root_trust, root.p, root.len), 0);
    free(root.p);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cl_trust_free(root_trust);
    for (int i = 0; i < NCERTS; i++) {
        X509_free(certs[i]);
        OPENSSL_free(ders[i]);
    }
    for (int i = 0; i < NKEYS; i++)
        EVP_PKEY_free(keys[i]);
    return 0;
}

/* ---- verification helpers ---- */

static int verify_in(const cl_trust *t, const int *ids, size_t n, const char *host,
                     cl_verify_purpose purpose, time_t when, cl_verify_result *res)
{
    cl_cert_der chain[4];
    assert_true(n <= 4);
    for (size_t i = 0; i < n; i++)
        chain[i] = (cl_cert_der){ders[ids[i]], der_lens[ids[i]]};
    int rc = cl_verify_chain(t, chain, n, host, purpose, when, res);
    NO_OPENSSL_ERRORS();
    verify_result_check(rc, res);
    return rc;
}

#define VERIFY(res, host, purpose, when, ...)                                                      \
    verify_in(root_trust, IDS(__VA_ARGS__), NIDS(__VA_ARGS__), host, purpose, when, res)

#define SERVER CL_PURPOSE_SERVER
#define CLIENT CL_PURPOSE_CLIENT

/* The reason contains each of the words (a NULL-terminated list). */
static void reason_has(const cl_verify_result *res, ...)
{
    va_list ap;
    va_start(ap, res);
    for (const char *w = va_arg(ap, const char *); w; w = va_arg(ap, const char *)) {
        if (!strstr(res->reason, w)) {
            print_error("reason \"%s\" lacks \"%s\"\n", res->reason, w);
            fail();
        }
    }
    va_end(ap);
}

/* ---- credentials ---- */

struct type_case {
    int cert, key;
    cl_key_type type;
    unsigned bits;
    const char *summary_key;
};

static const struct type_case types[] = {
    {C_RSA, K_RSA, CL_KEY_RSA, 2048, "key=RSA 2048"},
    {C_P256, K_P256, CL_KEY_EC_P256, 256, "key=ECDSA P-256"},
    {C_P384, K_P384, CL_KEY_EC_P384, 384, "key=ECDSA P-384"},
    {C_ED25519, K_ED25519, CL_KEY_ED25519, 253, "key=Ed25519"},
    {C_RSA_PSS, K_RSA_PSS, CL_KEY_RSA_PSS, 2048, "key=RSA-PSS 2048"},
    {C_P521, K_P521, CL_KEY_EC_P521, 521, "key=ECDSA P-521"},
};

#define NTYPES (sizeof(types) / sizeof(types[0]))

static void test_credential_each_key_type(void **state)
{
    (void)state;
    for (size_t i = 0; i < NTYPES; i++) {
        const struct type_case *tc = &types[i];
        buf chain = pem_certs(IDS(tc->cert, C_INTER), 2);
        buf key = pem_key(tc->key);
        cl_credential *c = NULL;
        assert_int_equal(cl_credential_from_pem(&c, chain.p, chain.len, key.p, key.len), 0);
        NO_OPENSSL_ERRORS();
        assert_int_equal(c->n_certs, 2);
        assert_int_equal(c->certs[0].len, der_lens[tc->cert]);
        assert_memory_equal(c->certs[0].der, ders[tc->cert], der_lens[tc->cert]);
        assert_int_equal(c->certs[1].len, der_lens[C_INTER]);
        assert_memory_equal(c->certs[1].der, ders[C_INTER], der_lens[C_INTER]);
        assert_int_equal(c->type, tc->type);
        assert_int_equal(c->bits, tc->bits);
        assert_int_equal(c->key_usage, CL_KU_SIGN); /* LEAF_KU: digitalSignature */
        assert_int_equal(cl_pubkey_type(c->leaf_key), tc->type);
        assert_int_equal(cl_privkey_type(c->key), tc->type);
        assert_int_equal(cl_privkey_matches(c->key, c->leaf_key), 1);

        /* What a server would send verifies at the client. */
        cl_verify_result res;
        assert_int_equal(
            cl_verify_chain(root_trust, c->certs, c->n_certs, "server.test", SERVER, 0, &res), 0);
        assert_int_equal(res.leaf_type, tc->type);
        cl_pubkey_free(res.leaf_key);
        cl_credential_free(c);
        free(chain.p);
        free(key.p);
    }
}

/* The leaf's keyUsage, read once at load: no extension allows any use, cRLSign none. */
static void test_credential_key_usage(void **state)
{
    (void)state;
    static const struct {
        int cert;
        unsigned want;
    } cases[] = {{C_SELF_SIGNED, CL_KU_ANY}, {C_BAD_KU, 0}, {C_P256, CL_KU_SIGN}};
    buf key = pem_key(K_P256);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        buf chain = pem_certs(&cases[i].cert, 1);
        cl_credential *c = NULL;
        assert_int_equal(cl_credential_from_pem(&c, chain.p, chain.len, key.p, key.len), 0);
        assert_int_equal(c->key_usage, cases[i].want);
        NO_OPENSSL_ERRORS();
        cl_credential_free(c);
        free(chain.p);
    }
    free(key.p);
}

/* A single file holding the key and the chain: the key block is skipped in the chain. */
static void test_credential_combined_file(void **state)
{
    (void)state;
    buf key = pem_key(K_P256);
    buf chain = PEM(C_P256, C_INTER);
    buf both = concat(key, chain);
    cl_credential *c = NULL;
    assert_int_equal(cl_credential_from_pem(&c, both.p, both.len, both.p, both.len), 0);
    NO_OPENSSL_ERRORS();
    assert_int_equal(c->n_certs, 2);
    assert_memory_equal(c->certs[0].der, ders[C_P256], der_lens[C_P256]);
    cl_credential_free(c);
    free(key.p);
    free(chain.p);
    free(both.p);
}

static void expect_credential(buf chain, buf key, int want)
{
    static cl_credential untouched;
    cl_credential *c = &untouched; /* must not be written on failure */
    assert_int_equal(cl_credential_from_pem(&c, chain.p, chain.len, key.p, key.len), want);
    assert_ptr_equal(c, &untouched);
    NO_OPENSSL_ERRORS();
}

static void test_credential_bad_key(void **state)
{
    (void)state;
    buf chain = PEM(C_P256, C_INTER);
    buf other_p256 = pem_key(K_P256B);
    buf rsa = pem_key(K_RSA);
    buf k256_chain = PEM(C_K256, C_INTER);
    buf k256 = pem_key(K_K256);
    buf garbage = {(uint8_t *)"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", 0};
    garbage.len = strlen((const char *)garbage.p);

    expect_credential(chain, other_p256, CLASP_ERR_BAD_KEY); /* same type, not the leaf's */
    expect_credential(chain, rsa, CLASP_ERR_BAD_KEY);        /* another type */
    expect_credential(k256_chain, k256, CLASP_ERR_BAD_KEY);  /* matches, but no TLS use */
    expect_credential(chain, garbage, CLASP_ERR_BAD_KEY);
    expect_credential(chain, (buf){NULL, 0}, CLASP_ERR_BAD_KEY);
    free(chain.p);
    free(other_p256.p);
    free(rsa.p);
    free(k256_chain.p);
    free(k256.p);
}

/* A PEM "CERTIFICATE" block around arbitrary bytes. */
static buf cert_block(const uint8_t *data, size_t len)
{
    BIO *bio = BIO_new(BIO_s_mem());
    assert_non_null(bio);
    assert_true(PEM_write_bio(bio, "CERTIFICATE", "", data, (long)len) > 0);
    return bio_take(bio);
}

static void test_credential_bad_chain(void **state)
{
    (void)state;
    buf key = pem_key(K_P256);
    buf text = {(uint8_t *)"not a certificate at all\n", 25};
    expect_credential(text, key, CLASP_ERR_BAD_CERTIFICATE);
    expect_credential((buf){NULL, 0}, key, CLASP_ERR_BAD_CERTIFICATE);
    expect_credential((buf){text.p, 0}, key, CLASP_ERR_BAD_CERTIFICATE);
    expect_credential(key, key, CLASP_ERR_BAD_CERTIFICATE); /* a key, no certificate */

    /* The second block's base64 damaged: the whole chain is refused. */
    buf chain = PEM(C_P256, C_INTER);
    long second = find_bytes(chain.p + 1, chain.len - 1, "-----BEGIN CERTIFICATE-----");
    assert_true(second > 0);
    chain.p[1 + second + 28 + 5] = '!';
    expect_credential(chain, key, CLASP_ERR_BAD_CERTIFICATE);
    free(chain.p);

    /* Cut in the middle of the second block: no END line. */
    chain = PEM(C_P256, C_INTER);
    expect_credential((buf){chain.p, chain.len - 100}, key, CLASP_ERR_BAD_CERTIFICATE);
    free(chain.p);

    /* A CERTIFICATE block holding a certificate plus one byte, or not a certificate. */
    uint8_t *extra = malloc(der_lens[C_P256] + 1);
    assert_non_null(extra);
    memcpy(extra, ders[C_P256], der_lens[C_P256]);
    extra[der_lens[C_P256]] = 0;
    buf trailing = cert_block(extra, der_lens[C_P256] + 1);
    expect_credential(trailing, key, CLASP_ERR_BAD_CERTIFICATE);
    buf wrong = cert_block((const uint8_t *)"\x30\x03\x02\x01\x05", 5);
    expect_credential(wrong, key, CLASP_ERR_BAD_CERTIFICATE);
    free(extra);
    free(trailing.p);
    free(wrong.p);
    free(key.p);
}

/* ---- trust stores ---- */

static void assert_names(const cl_trust *t, const int *ids, size_t n)
{
    size_t got = 0;
    const cl_cert_der *names = cl_trust_ca_names(t, &got);
    assert_int_equal(got, n);
    for (size_t i = 0; i < n; i++) {
        unsigned char *der = NULL;
        int len = i2d_X509_NAME(X509_get_subject_name(certs[ids[i]]), &der);
        assert_true(len > 0);
        assert_int_equal(names[i].len, (size_t)len);
        assert_memory_equal(names[i].der, der, (size_t)len);
        OPENSSL_free(der);
    }
}

static void test_trust_add_pem(void **state)
{
    (void)state;
    cl_trust *t = NULL;
    assert_int_equal(cl_trust_new(&t), 0);
    assert_int_equal(cl_trust_count(t), 0);
    assert_names(t, NULL, 0);

    buf roots = PEM(C_ROOT, C_OTHER_ROOT);
    assert_int_equal(cl_trust_add_pem(t, roots.p, roots.len), 0);
    NO_OPENSSL_ERRORS();
    assert_int_equal(cl_trust_count(t), 2);
    assert_names(t, IDS(C_ROOT, C_OTHER_ROOT), 2);

    /* The same anchors again change nothing. */
    assert_int_equal(cl_trust_add_pem(t, roots.p, roots.len), 0);
    NO_OPENSSL_ERRORS();
    assert_int_equal(cl_trust_count(t), 2);

    /* Two anchors with one subject: counted twice, named once. */
    buf two = PEM(C_RSA, C_P256);
    assert_int_equal(cl_trust_add_pem(t, two.p, two.len), 0);
    assert_int_equal(cl_trust_count(t), 4);
    assert_names(t, IDS(C_ROOT, C_OTHER_ROOT, C_RSA), 3);

    /* Nothing usable, or one damaged block: an error, and nothing is added. */
    buf text = {(uint8_t *)"hello\n", 6};
    assert_int_equal(cl_trust_add_pem(t, text.p, text.len), CLASP_ERR_BAD_CERTIFICATE);
    assert_int_equal(cl_trust_add_pem(t, NULL, 0), CLASP_ERR_BAD_CERTIFICATE);
    buf pair = PEM(C_INTER, C_CLIENT);
    long second = find_bytes(pair.p + 1, pair.len - 1, "-----BEGIN CERTIFICATE-----");
    assert_true(second > 0);
    pair.p[1 + second + 28 + 5] = '!';
    assert_int_equal(cl_trust_add_pem(t, pair.p, pair.len), CLASP_ERR_BAD_CERTIFICATE);
    NO_OPENSSL_ERRORS();
    assert_int_equal(cl_trust_count(t), 4);
    assert_names(t, IDS(C_ROOT, C_OTHER_ROOT, C_RSA), 3);

    /* Many anchors: the names array grows past its first allocation. */
    buf many = PEM(C_INTER, C_CLIENT, C_NOT_CA, C_P384, C_ED25519, C_RSA_PSS, C_EXPIRED, C_NOT_YET,
                   C_UNKNOWN_CA, C_SELF_SIGNED, C_CN_ONLY, C_PARTIAL, C_LONG_NAME);
    assert_int_equal(cl_trust_add_pem(t, many.p, many.len), 0);
    assert_int_equal(cl_trust_count(t), 17);
    assert_names(t,
                 IDS(C_ROOT, C_OTHER_ROOT, C_RSA, C_INTER, C_CLIENT, C_NOT_CA, C_CN_ONLY, C_PARTIAL,
                     C_LONG_NAME),
                 9);
    cl_trust_free(t);
    free(roots.p);
    free(two.p);
    free(pair.p);
    free(many.p);
}

/* OpenSSL's "TRUSTED CERTIFICATE" blocks are anchors too. */
static void test_trust_trusted_certificate_block(void **state)
{
    (void)state;
    BIO *bio = BIO_new(BIO_s_mem());
    assert_non_null(bio);
    assert_int_equal(PEM_write_bio_X509_AUX(bio, certs[C_ROOT]), 1);
    buf aux = bio_take(bio);
    assert_true(find_bytes(aux.p, aux.len, "BEGIN TRUSTED CERTIFICATE") >= 0);
    cl_trust *t = NULL;
    assert_int_equal(cl_trust_new(&t), 0);
    assert_int_equal(cl_trust_add_pem(t, aux.p, aux.len), 0);
    assert_int_equal(cl_trust_count(t), 1);
    cl_verify_result res;
    assert_int_equal(verify_in(t, IDS(C_P256, C_INTER), 2, "server.test", SERVER, 0, &res), 0);

    /* ...but not in a chain to send. */
    buf key = pem_key(K_ROOT);
    expect_credential(aux, key, CLASP_ERR_BAD_CERTIFICATE);
    cl_trust_free(t);
    free(aux.p);
    free(key.p);
}

/* The trust tests' files, removed by their teardown even when a test stops midway. */
static char tmp_dir[64];
static char tmp_files[2][256];

static void make_tmp_dir(void)
{
    snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/clasp-x509-XXXXXX");
    assert_non_null(mkdtemp(tmp_dir));
}

/* Writes tmp_dir/name as temporary file i; returns its path. */
static const char *write_tmp(int i, const char *name, buf b)
{
    snprintf(tmp_files[i], sizeof(tmp_files[i]), "%s/%s", tmp_dir, name);
    FILE *f = fopen(tmp_files[i], "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b.p, 1, b.len, f), b.len);
    assert_int_equal(fclose(f), 0);
    return tmp_files[i];
}

static int remove_tmp(void **state)
{
    (void)state;
    for (int i = 0; i < 2; i++) {
        if (tmp_files[i][0])
            unlink(tmp_files[i]);
        tmp_files[i][0] = '\0';
    }
    if (tmp_dir[0])
        rmdir(tmp_dir);
    tmp_dir[0] = '\0';
    return 0;
}

static void test_trust_load_file(void **state)
{
    (void)state;
    make_tmp_dir();
    buf roots = PEM(C_ROOT, C_OTHER_ROOT);
    const char *path = write_tmp(0, "roots.pem", roots);
    const char *empty = write_tmp(1, "empty.pem", (buf){(uint8_t *)"", 0});
    free(roots.p);
    char missing[256];
    snprintf(missing, sizeof(missing), "%s/missing.pem", tmp_dir);

    cl_trust *t = NULL;
    assert_int_equal(cl_trust_new(&t), 0);
    assert_int_equal(cl_trust_load_file(t, path), 0);
    NO_OPENSSL_ERRORS();
    assert_int_equal(cl_trust_count(t), 2);
    assert_names(t, IDS(C_ROOT, C_OTHER_ROOT), 2);
    cl_verify_result res;
    assert_int_equal(verify_in(t, IDS(C_P256, C_INTER), 2, "server.test", SERVER, 0, &res), 0);

    assert_int_equal(cl_trust_load_file(t, missing), CLASP_ERR_FILE);
    assert_int_equal(cl_trust_load_file(t, tmp_dir), CLASP_ERR_FILE); /* a directory */
    assert_int_equal(cl_trust_load_file(t, NULL), CLASP_ERR_FILE);
    assert_int_equal(cl_trust_load_file(t, empty), CLASP_ERR_BAD_CERTIFICATE);
    NO_OPENSSL_ERRORS();
    assert_int_equal(cl_trust_count(t), 2);
    cl_trust_free(t);
}

/* A c_rehash directory: <subject hash>.0 files, read lazily when an issuer is needed. */
static void test_trust_load_dir(void **state)
{
    (void)state;
    make_tmp_dir();
    unsigned long hash = X509_NAME_hash_ex(X509_get_subject_name(certs[C_ROOT]), NULL, NULL, NULL);
    char name[32], missing[256];
    snprintf(name, sizeof(name), "%08lx.0", hash);
    snprintf(missing, sizeof(missing), "%s/nothing-here", tmp_dir);
    buf root = PEM(C_ROOT);
    const char *path = write_tmp(0, name, root);
    free(root.p);

    cl_trust *t = NULL;
    assert_int_equal(cl_trust_new(&t), 0);
    assert_int_equal(cl_trust_load_dir(t, tmp_dir), 0);
    assert_int_equal(cl_trust_count(t), 0); /* lazily loaded: not counted */
    cl_verify_result res;
    assert_int_equal(verify_in(t, IDS(C_P256, C_INTER), 2, "server.test", SERVER, 0, &res), 0);
    assert_int_equal(verify_in(t, IDS(C_UNKNOWN_CA), 1, "server.test", SERVER, 0, &res),
                     CLASP_ERR_UNKNOWN_CA);

    assert_int_equal(cl_trust_load_dir(t, missing), CLASP_ERR_FILE);
    assert_int_equal(cl_trust_load_dir(t, path), CLASP_ERR_FILE); /* a file */
    assert_int_equal(cl_trust_load_dir(t, NULL), CLASP_ERR_FILE);
    NO_OPENSSL_ERRORS();
    cl_trust_free(t);
}

static void test_trust_load_default(void **state)
{
    (void)state;
    cl_trust *t = NULL;
    assert_int_equal(cl_trust_new(&t), 0);
    assert_int_equal(cl_trust_load_default(t), 0);
    NO_OPENSSL_ERRORS();
    /* No system root vouches for our test CA. */
    cl_verify_result res;
    assert_int_equal(verify_in(t, IDS(C_P256, C_INTER), 2, "server.test", SERVER, 0, &res),
                     CLASP_ERR_UNKNOWN_CA);
    cl_trust_free(t);
}

/* ---- verification: success ---- */

static void test_verify_each_key_type(void **state)
{
    (void)state;
    for (size_t i = 0; i < NTYPES; i++) {
        cl_verify_result res;
        cl_cert_der chain[2] = {{ders[types[i].cert], der_lens[types[i].cert]},
                                {ders[C_INTER], der_lens[C_INTER]}};
        assert_int_equal(cl_verify_chain(root_trust, chain, 2, "server.test", SERVER, 0, &res), 0);
        NO_OPENSSL_ERRORS();
        assert_string_equal(res.reason, "ok");
        assert_int_equal(res.leaf_type, types[i].type);
        assert_int_equal(res.key_usage, CL_KU_SIGN);
        assert_int_equal(cl_pubkey_type(res.leaf_key), types[i].type);
        assert_int_equal(cl_pubkey_bits(res.leaf_key), types[i].bits);
        cl_pubkey_free(res.leaf_key);
    }
}

static void test_verify_host_matches(void **state)
{
    (void)state;
    cl_verify_result res;
    const char *hosts[] = {
        "server.test", "SERVER.Test", "a.wild.test",     "xn--bcher-kva.wild.test",
        "127.0.0.1",   "::1",         "0:0:0:0:0:0:0:1", NULL};
    for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
        int rc = VERIFY(&res, hosts[i], SERVER, 0, C_P256, C_INTER);
        if (rc != 0)
            print_error("host %s: %s\n", hosts[i] ? hosts[i] : "(none)", res.reason);
        assert_int_equal(rc, 0);
    }
    /* The subject CN counts when there is no SAN at all. */
    assert_int_equal(VERIFY(&res, "legacy.test", SERVER, 0, C_CN_ONLY, C_INTER), 0);
    /* Extra certificates (the root itself, an unrelated one) do no harm. */
    assert_int_equal(VERIFY(&res, "server.test", SERVER, 0, C_P256, C_INTER, C_ROOT), 0);
    assert_int_equal(VERIFY(&res, "server.test", SERVER, 0, C_P256, C_OTHER_ROOT, C_INTER), 0);
    /* A client certificate, checked by a server: no host name. */
    assert_int_equal(VERIFY(&res, NULL, CLIENT, 0, C_CLIENT, C_INTER), 0);
}

/* ---- verification: failures, each with its error and reason ---- */

static void test_verify_name_mismatch(void **state)
{
    (void)state;
    cl_verify_result res;
    assert_int_equal(VERIFY(&res, "other.test", SERVER, 0, C_P256, C_INTER),
                     CLASP_ERR_BAD_CERTIFICATE);
    assert_string_equal(res.reason, "hostname mismatch (wanted other.test)");
    /* A wildcard stands for exactly one label. */
    assert_int_equal(VERIFY(&res, "a.b.wild.test", SERVER, 0, C_P256, C_INTER),
                     CLASP_ERR_BAD_CERTIFICATE);
    assert_string_equal(res.reason, "hostname mismatch (wanted a.b.wild.test)");
    assert_int_equal(VERIFY(&res, "wild.test", SERVER, 0, C_P256, C_INTER),
                     CLASP_ERR_BAD_CERTIFICATE);
    /* No partial-label wildcards: f*.part.test does not cover foo.part.test. */
    assert_int_equal(VERIFY(&res, "foo.part.test", SERVER, 0, C_PARTIAL, C_INTER),
                     CLASP_ERR_BAD_CERTIFICATE);
    reason_has(&res, "hostname mismatch", NULL);
    /* Addresses the certificate does not list. */
    assert_int_equal(VERIFY(&res, "127.0.0.2", SERVER, 0, C_P256, C_INTER),
                     CLASP_ERR_BAD_CERTIFICATE);
    assert_string_equal(res.reason, "IP address mismatch (wanted 127.0.0.2)");
    assert_int_equal(VERIFY(&res, "::2", SERVER, 0, C_P256, C_INTER), CLASP_ERR_BAD_CERTIFICATE);
    assert_string_equal(res.reason, "IP address mismatch (wanted ::2)");
    /* An IP host is never matched against DNS names, even one spelled "127.0.0.1". */
    assert_int_equal(VERIFY(&res, "127.0.0.1", SERVER, 0, C_DNS_ONLY, C_INTER),
                     CLASP_ERR_BAD_CERTIFICATE);
    assert_string_equal(res.reason, "IP address mismatch (wanted 127.0.0.1)");
    assert_int_equal(VERIFY(&res, "server.test", SERVER, 0, C_DNS_ONLY, C_INTER), 0);
    /* ...nor against the subject CN. */
    assert_int_equal(VERIFY(&res, "127.0.0.1", SERVER, 0, C_CN_ONLY, C_INTER),
                     CLASP_ERR_BAD_CERTIFICATE);
    assert_int_equal(VERIFY(&res, "other.test", SERVER, 0, C_CN_ONLY, C_INTER),
                     CLASP_ERR_BAD_CERTIFICATE);
    /* The CN is not consulted when there is a SAN, whatever it holds. */
    assert_int_equal(VERIFY(&res, "part.test", SERVER, 0, C_PARTIAL, C_INTER),
                     CLASP_ERR_BAD_CERTIFICATE);
    assert_int_equal(VERIFY(&res, "server.test", SERVER, 0, C_IP_ONLY, C_INTER),
                     CLASP_ERR_BAD_CERTIFICATE);
    assert_string_equal(res.reason, "hostname mismatch (wanted server.test)");
    assert_int_equal(VERIFY(&res, "127.0.0.1", SERVER, 0, C_IP_ONLY, C_INTER), 0);
    /* An empty host would make libcrypto skip the check: refused. */
    assert_int_equal(VERIFY(&res, "", SERVER, 0, C_P256, C_INTER), CLASP_ERR_INVALID_ARG);
    /* The longest host name (four labels of 62, 253 characters) is cut in the reason. */
    char host[300];
    memset(host, 'a', 253);
    for (int i = 62; i < 253; i += 63)
        host[i] = '.';
    host[253] = '\0';
    assert_int_equal(VERIFY(&res, host, SERVER, 0, C_P256, C_INTER), CLASP_ERR_BAD_CERTIFICATE);
    reason_has(&res, "hostname mismatch (wanted aaaa", NULL);
    assert_true(strlen(res.reason) < 160);
    /* One more character is not a host name. */
    host[253] = 'a';
    host[254] = '\0';
    assert_int_equal(VERIFY(&res, host, SERVER, 0, C_P256, C_INTER), CLASP_ERR_INVALID_ARG);
}

/* ---- peer names: one reading for the ClientHello and the verifier ---- */

struct host_case {
    const char *name;
    int kind; /* 0: refused */
    size_t len;
    const char *ip; /* the address, as inet_ntop would print it */
};

static const struct host_case host_cases[] = {
    {"server.test", CL_HOST_DNS, 11, NULL},
    {"server.test.", CL_HOST_DNS, 11, NULL}, /* an absolute name: the same host */
    {"xn--bcher-kva.example", CL_HOST_DNS, 21, NULL},
    {"_srv.example", CL_HOST_DNS, 12, NULL},
    {"1.2.3.example", CL_HOST_DNS, 13, NULL}, /* numeric labels, alphabetic last one */
    {"localhost", CL_HOST_DNS, 9, NULL},
    {"10.0.0.1", CL_HOST_IP, 8, "10.0.0.1"},
    {"1.2.3.4.", CL_HOST_IP, 7, "1.2.3.4"},
    {"0.0.0.0", CL_HOST_IP, 7, "0.0.0.0"},
    {"255.255.255.255", CL_HOST_IP, 15, "255.255.255.255"},
    {"::1", CL_HOST_IP, 3, "::1"},
    {"0:0:0:0:0:0:0:1", CL_HOST_IP, 15, "::1"},
    {"::ffff:10.0.0.1", CL_HOST_IP, 15, "::ffff:10.0.0.1"},
    /* Numeric forms that resolvers read as other addresses: neither an address nor a name. */
    {"010.0.0.1", 0, 0, NULL},
    {"1.2.3", 0, 0, NULL},
    {"0x7f.0.0.1", 0, 0, NULL},
    {"127.1", 0, 0, NULL},
    {"2130706433", 0, 0, NULL},
    {"0x7f000001", 0, 0, NULL},
    {"256.0.0.1", 0, 0, NULL},
    {"1.2.3.4.5", 0, 0, NULL},
    {"1.2.3.4..", 0, 0, NULL},
    {"example.123", 0, 0, NULL},
    {"example.0x1f", 0, 0, NULL},
    /* Not names either. */
    {"[::1]", 0, 0, NULL},
    {"::1.", 0, 0, NULL},
    {"fe80::1%eth0", 0, 0, NULL},
    {":::", 0, 0, NULL},
    {"", 0, 0, NULL},
    {".", 0, 0, NULL},
    {".server.test", 0, 0, NULL},
    {"server..test", 0, 0, NULL},
    {"server test", 0, 0, NULL},
    {"*.wild.test", 0, 0, NULL},
    {"10.0.0.1 ", 0, 0, NULL},
    {" 10.0.0.1", 0, 0, NULL},
    {"b\xc3\xbc"
     "cher.example",
     0, 0, NULL}, /* a U-label: IDNs are sent as A-labels */
};

static void test_host_parse(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(host_cases) / sizeof(host_cases[0]); i++) {
        const struct host_case *hc = &host_cases[i];
        cl_host h;
        int rc = cl_host_parse(hc->name, &h);
        if (rc != (hc->kind ? 0 : CLASP_ERR_INVALID_ARG) || (hc->kind && (int)h.kind != hc->kind))
            print_error("host \"%s\": rc %d kind %d\n", hc->name, rc, (int)h.kind);
        assert_int_equal(rc, hc->kind ? 0 : CLASP_ERR_INVALID_ARG);
        if (!hc->kind)
            continue;
        assert_int_equal(h.kind, hc->kind);
        assert_int_equal(h.len, hc->len);
        if (hc->kind == CL_HOST_IP) {
            char text[64];
            int af = h.ip_len == 4 ? AF_INET : AF_INET6;
            assert_true(h.ip_len == 4 || h.ip_len == 16);
            assert_non_null(inet_ntop(af, h.ip, text, sizeof(text)));
            assert_string_equal(text, hc->ip);
        }
    }
    /* Labels of 63 are names, of 64 not; 253 characters are a name, 254 not. */
    char name[300];
    memset(name, 'a', 63);
    memcpy(name + 63, ".test", 6);
    cl_host h;
    assert_int_equal(cl_host_parse(name, &h), 0);
    memset(name, 'a', 64);
    memcpy(name + 64, ".test", 6);
    assert_int_equal(cl_host_parse(name, &h), CLASP_ERR_INVALID_ARG);
    assert_int_equal(cl_host_parse(NULL, &h), CLASP_ERR_INVALID_ARG);
}

/*
 * The verifier reads names as cl_host_parse does: an address is matched against IP SANs
 * only, and what looks numeric without being a strict address is refused, never matched
 * against a DNS SAN that spells it ("DNS:010.0.0.1" while the address is 10.0.0.1).
 */
static void test_verify_host_reading(void **state)
{
    (void)state;
    cl_verify_result res;
    assert_int_equal(VERIFY(&res, "10.0.0.1", SERVER, 0, C_NUMERIC_DNS, C_INTER), 0);
    assert_int_equal(VERIFY(&res, "10.0.0.1.", SERVER, 0, C_NUMERIC_DNS, C_INTER), 0);
    assert_int_equal(VERIFY(&res, "::ffff:10.0.0.1", SERVER, 0, C_NUMERIC_DNS, C_INTER),
                     CLASP_ERR_BAD_CERTIFICATE); /* another address family, another address */
    assert_int_equal(VERIFY(&res, "1.2.3.4", SERVER, 0, C_NUMERIC_DNS, C_INTER),
                     CLASP_ERR_BAD_CERTIFICATE);
    assert_string_equal(res.reason, "IP address mismatch (wanted 1.2.3.4)");
    const char *refused[] = {"010.0.0.1", "1.2.3", "0x7f.0.0.1", "[::1]", "1.2.3.4.."};
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        assert_int_equal(VERIFY(&res, refused[i], SERVER, 0, C_NUMERIC_DNS, C_INTER),
                         CLASP_ERR_INVALID_ARG);
        reason_has(&res, "not a host name or IP address", refused[i], NULL);
    }
    /* A DNS name's trailing dot: the same name. */
    assert_int_equal(VERIFY(&res, "server.test.", SERVER, 0, C_P256, C_INTER), 0);
    assert_int_equal(VERIFY(&res, "a.wild.test.", SERVER, 0, C_P256, C_INTER), 0);
    assert_int_equal(VERIFY(&res, "127.0.0.1.", SERVER, 0, C_P256, C_INTER), 0);
    assert_int_equal(VERIFY(&res, "server.test.", SERVER, 0, C_IP_ONLY, C_INTER),
                     CLASP_ERR_BAD_CERTIFICATE);
}

static void test_verify_validity(void **state)
{
    (void)state;
    cl_verify_result res;
    assert_int_equal(VERIFY(&res, "server.test", SERVER, 0, C_EXPIRED, C_INTER),
                     CLASP_ERR_CERTIFICATE_EXPIRED);
    assert_string_equal(res.reason, "certificate expired (depth 0, CN=server.test)");
    assert_int_equal(VERIFY(&res, "server.test", SERVER, 0, C_NOT_YET, C_INTER),
                     CLASP_ERR_CERTIFICATE_EXPIRED);
    assert_string_equal(res.reason, "certificate not yet valid (depth 0, CN=server.test)");

    /* `now`: a valid certificate checked after its notAfter, or before its notBefore. */
    assert_int_equal(VERIFY(&res, "server.test", SERVER, now + 400 * DAY, C_P256, C_INTER),
                     CLASP_ERR_CERTIFICATE_EXPIRED);
    assert_string_equal(res.reason, "certificate expired (depth 0, CN=server.test)");
    assert_int_equal(VERIFY(&res, "server.test", SERVER, now - 15 * DAY, C_P256, C_INTER),
                     CLASP_ERR_CERTIFICATE_EXPIRED);
    reason_has(&res, "not yet valid", "depth 0", NULL);
    /* ...and the expired and future ones are fine at a time inside their periods. */
    assert_int_equal(VERIFY(&res, "server.test", SERVER, now - 15 * DAY, C_EXPIRED, C_INTER), 0);
    assert_int_equal(VERIFY(&res, "server.test", SERVER, now + 15 * DAY, C_NOT_YET, C_INTER), 0);
    /* Past the intermediate's notAfter too: libcrypto names one of them. */
    assert_int_equal(VERIFY(&res, "server.test", SERVER, now + 2000 * DAY, C_P256, C_INTER),
                     CLASP_ERR_CERTIFICATE_EXPIRED);
    reason_has(&res, "certificate expired (depth ", NULL);
}

static void test_verify_untrusted(void **state)
{
    (void)state;
    cl_verify_result res;
    assert_int_equal(VERIFY(&res, "server.test", SERVER, 0, C_UNKNOWN_CA), CLASP_ERR_UNKNOWN_CA);
    assert_string_equal(res.reason, "unknown issuer (depth 0, CN=server.test)");
    assert_int_equal(VERIFY(&res, "server.test", SERVER, 0, C_UNKNOWN_CA, C_OTHER_ROOT),
                     CLASP_ERR_UNKNOWN_CA);
    reason_has(&res, "self-signed certificate in chain", "depth 1", "CN=Other Root CA", NULL);
    assert_int_equal(VERIFY(&res, "server.test", SERVER, 0, C_SELF_SIGNED), CLASP_ERR_UNKNOWN_CA);
    reason_has(&res, "self-signed", "depth 0", "CN=server.test", NULL);
    /* The intermediate missing: no path to the root. */
    assert_int_equal(VERIFY(&res, "server.test", SERVER, 0, C_P256), CLASP_ERR_UNKNOWN_CA);
    assert_string_equal(res.reason, "unknown issuer (depth 0, CN=server.test)");
}

static void test_verify_usage(void **state)
{
    (void)state;
    cl_verify_result res;
    /* A clientAuth-only certificate offered by a server, and a server's by a client. */
    assert_int_equal(VERIFY(&res, "client.test", SERVER, 0, C_CLIENT, C_INTER),
                     CLASP_ERR_UNSUPPORTED_CERTIFICATE);
    assert_string_equal(res.reason, "certificate not for TLS server use (depth 0, CN=client.test)");
    assert_int_equal(VERIFY(&res, NULL, CLIENT, 0, C_P256, C_INTER),
                     CLASP_ERR_UNSUPPORTED_CERTIFICATE);
    assert_string_equal(res.reason, "certificate not for TLS client use (depth 0, CN=server.test)");
    /* keyUsage without digitalSignature, keyEncipherment or keyAgreement. */
    assert_int_equal(VERIFY(&res, "server.test", SERVER, 0, C_BAD_KU, C_INTER),
                     CLASP_ERR_UNSUPPORTED_CERTIFICATE);
    reason_has(&res, "not for TLS server use", "depth 0", NULL);
    /* A CA:FALSE certificate in an intermediate's place. */
    assert_int_equal(VERIFY(&res, "server.test", SERVER, 0, C_BEHIND_NOT_CA, C_NOT_CA),
                     CLASP_ERR_UNSUPPORTED_CERTIFICATE);
    assert_string_equal(res.reason, "issuer is not a CA (depth 1, CN=Not A CA)");
    /* A key clasp has no use for (secp256k1), in an otherwise valid chain. */
    assert_int_equal(VERIFY(&res, "server.test", SERVER, 0, C_K256, C_INTER),
                     CLASP_ERR_UNSUPPORTED_CERTIFICATE);
    assert_string_equal(res.reason, "leaf key type not usable in TLS (EC 256)");
}

static int verify_bytes(const uint8_t *leaf, size_t leaf_len, const uint8_t *inter,
                        size_t inter_len, cl_verify_result *res)
{
    cl_cert_der chain[2] = {{(uint8_t *)leaf, leaf_len}, {(uint8_t *)inter, inter_len}};
    int rc = cl_verify_chain(root_trust, chain, 2, "server.test", SERVER, 0, res);
    NO_OPENSSL_ERRORS();
    assert_null(res->leaf_key);
    return rc;
}

static void test_verify_damaged(void **state)
{
    (void)state;
    cl_verify_result res;
    size_t n = der_lens[C_P256];
    uint8_t *leaf = malloc(n + 1);
    assert_non_null(leaf);

    /* Not DER: a SET where the SEQUENCE should be. */
    memcpy(leaf, ders[C_P256], n);
    leaf[0] = 0x31;
    assert_int_equal(verify_bytes(leaf, n, ders[C_INTER], der_lens[C_INTER], &res),
                     CLASP_ERR_BAD_CERTIFICATE);
    assert_string_equal(res.reason, "certificate 0 does not parse");
    /* Truncated, or followed by a stray byte. */
    assert_int_equal(verify_bytes(ders[C_P256], n, ders[C_INTER], der_lens[C_INTER] - 1, &res),
                     CLASP_ERR_BAD_CERTIFICATE);
    assert_string_equal(res.reason, "certificate 1 does not parse");
    memcpy(leaf, ders[C_P256], n);
    leaf[n] = 0;
    assert_int_equal(verify_bytes(leaf, n + 1, ders[C_INTER], der_lens[C_INTER], &res),
                     CLASP_ERR_BAD_CERTIFICATE);
    assert_string_equal(res.reason, "certificate 0 does not parse");
    /* One bit of the signature (the last byte of the DER) flipped. */
    leaf[n - 1] ^= 0x01;
    assert_int_equal(verify_bytes(leaf, n, ders[C_INTER], der_lens[C_INTER], &res),
                     CLASP_ERR_BAD_CERTIFICATE);
    assert_string_equal(res.reason, "bad certificate signature (depth 0, CN=server.test)");
    free(leaf);

    /* An empty chain, and arguments that make no sense. */
    assert_int_equal(cl_verify_chain(root_trust, NULL, 0, "server.test", SERVER, 0, &res),
                     CLASP_ERR_BAD_CERTIFICATE);
    assert_string_equal(res.reason, "empty certificate chain");
    cl_cert_der one = {ders[C_P256], n};
    assert_int_equal(cl_verify_chain(NULL, &one, 1, "server.test", SERVER, 0, &res),
                     CLASP_ERR_INVALID_ARG);
    assert_int_equal(
        cl_verify_chain(root_trust, &one, 1, "server.test", (cl_verify_purpose)7, 0, &res),
        CLASP_ERR_INVALID_ARG);
    assert_int_equal(cl_verify_chain(root_trust, &one, 1, "server.test", SERVER, 0, NULL),
                     CLASP_ERR_INVALID_ARG);
}

/* ---- single certificates ---- */

static void test_cert_public_key(void **state)
{
    (void)state;
    for (size_t i = 0; i < NTYPES; i++) {
        cl_pubkey *k = NULL;
        assert_int_equal(cl_cert_public_key(ders[types[i].cert], der_lens[types[i].cert], &k), 0);
        assert_int_equal(cl_pubkey_type(k), types[i].type);
        assert_int_equal(cl_pubkey_bits(k), types[i].bits);
        cl_pubkey_free(k);
    }
    cl_pubkey *k = NULL;
    assert_int_equal(cl_cert_public_key(ders[C_K256], der_lens[C_K256], &k), 0);
    assert_int_equal(cl_pubkey_type(k), CL_KEY_OTHER);
    cl_pubkey_free(k);
    k = NULL;
    assert_int_equal(cl_cert_public_key(ders[C_P256], der_lens[C_P256] - 1, &k),
                     CLASP_ERR_BAD_CERTIFICATE);
    assert_int_equal(cl_cert_public_key((const uint8_t *)"\x30\x00", 2, &k),
                     CLASP_ERR_BAD_CERTIFICATE);
    assert_int_equal(cl_cert_public_key(NULL, 0, &k), CLASP_ERR_BAD_CERTIFICATE);
    assert_null(k);
    NO_OPENSSL_ERRORS();
}

/* "valid=YYYY-MM-DD..YYYY-MM-DD" at the end of the line. */
static void assert_dates(const char *s)
{
    const char *v = strstr(s, " valid=");
    assert_non_null(v);
    v += 7;
    assert_int_equal(strlen(v), 22);
    for (int i = 0; i < 22; i++) {
        int dash = i == 4 || i == 7 || i == 16 || i == 19;
        int dots = i == 10 || i == 11;
        if (dash)
            assert_int_equal(v[i], '-');
        else if (dots)
            assert_int_equal(v[i], '.');
        else
            assert_true(v[i] >= '0' && v[i] <= '9');
    }
}

static void test_cert_summary(void **state)
{
    (void)state;
    char s[512];
    assert_int_equal(cl_cert_summary(ders[C_P256], der_lens[C_P256], s, sizeof(s)), 0);
    assert_non_null(strstr(s, "subject=CN=server.test "));
    assert_non_null(strstr(s, " issuer=CN=Test Intermediate CA "));
    assert_non_null(strstr(s, " key=ECDSA P-256 "));
    assert_dates(s);
    for (size_t i = 0; i < NTYPES; i++) {
        assert_int_equal(
            cl_cert_summary(ders[types[i].cert], der_lens[types[i].cert], s, sizeof(s)), 0);
        assert_non_null(strstr(s, types[i].summary_key));
    }
    assert_int_equal(cl_cert_summary(ders[C_K256], der_lens[C_K256], s, sizeof(s)), 0);
    assert_non_null(strstr(s, " key=EC 256 "));

    /* A hostile name stays on one line, and the key and dates survive its length. */
    assert_int_equal(cl_cert_summary(ders[C_LONG_NAME], der_lens[C_LONG_NAME], s, sizeof(s)), 0);
    assert_null(strchr(s, '\n'));
    assert_non_null(strstr(s, "subject=CN=evil\\0Aname,OU=uuu"));
    assert_non_null(strstr(s, "... issuer=CN=Test Intermediate CA key=ECDSA P-256 valid="));
    assert_dates(s);

    /* Cut to the caller's buffer, always terminated. */
    char full[512], small[12];
    assert_int_equal(cl_cert_summary(ders[C_P256], der_lens[C_P256], full, sizeof(full)), 0);
    assert_int_equal(cl_cert_summary(ders[C_P256], der_lens[C_P256], small, sizeof(small)), 0);
    assert_int_equal(strlen(small), sizeof(small) - 1);
    assert_memory_equal(small, full, sizeof(small) - 1);
    assert_int_equal(cl_cert_summary(ders[C_P256], der_lens[C_P256], small, 1), 0);
    assert_int_equal(small[0], '\0');
    assert_int_equal(cl_cert_summary(ders[C_P256], der_lens[C_P256], small, 0),
                     CLASP_ERR_INVALID_ARG);

    memcpy(small, "xxxx", 5);
    assert_int_equal(cl_cert_summary((const uint8_t *)"\x30\x00", 2, small, sizeof(small)),
                     CLASP_ERR_BAD_CERTIFICATE);
    assert_int_equal(small[0], '\0');
    NO_OPENSSL_ERRORS();
}

/* ---- allocations ---- */

static int restore_allocator(void **state)
{
    (void)state;
    counting_stop();
    return 0;
}

/*
 * One pass over everything that allocates; returns the first error seen (NOMEM expected).
 * *kept: how many intermediates the store kept parsed (its best-effort table, which an
 * allocation failure leaves empty without failing the verification).
 */
static int allocating_pass(const buf *chain, const buf *key, const buf *anchors, size_t *kept)
{
    *kept = 0;
    cl_credential *c = NULL;
    int rc = cl_credential_from_pem(&c, chain->p, chain->len, key->p, key->len);
    if (rc != 0)
        return rc;
    cl_trust *t = NULL;
    rc = cl_trust_new(&t);
    if (rc == 0)
        rc = cl_trust_add_pem(t, anchors->p, anchors->len);
    cl_verify_result res = {0};
    if (rc == 0)
        rc = cl_verify_chain(t, c->certs, c->n_certs, "server.test", SERVER, 0, &res);
    if (rc == 0)
        cl_pubkey_free(res.leaf_key);
    else if (t)
        assert_null(res.leaf_key);
    if (t) {
        cl_verify_stats s;
        cl_trust_verify_stats(t, &s);
        *kept = s.certs;
    }
    cl_trust_free(t);
    cl_credential_free(c);
    return rc;
}

static void test_allocations_balance_and_fail_cleanly(void **state)
{
    (void)state;
    buf chain = PEM(C_RSA_PSS, C_INTER);
    buf key = pem_key(K_RSA_PSS);
    /* Enough anchors to grow the names array. */
    buf anchors = PEM(C_ROOT, C_OTHER_ROOT, C_INTER, C_CLIENT, C_NOT_CA, C_CN_ONLY, C_PARTIAL,
                      C_LONG_NAME, C_P256);
    counting c;
    counting_start(&c, -1);
    size_t kept;
    assert_int_equal(allocating_pass(&chain, &key, &anchors, &kept), 0);
    assert_int_equal(kept, 1); /* the intermediate, which is also an anchor here */
    long total = c.allocs;
    assert_true(total > 10);
    assert_int_equal(c.live_allocs, 0);
    assert_int_equal(c.live_bytes, 0);

    /* Each allocation in turn fails: NOMEM comes back and nothing is left behind, except
     * that the parsed intermediate's entry failing costs that entry, not the verdict. */
    long quiet = 0;
    for (long k = 0; k < total; k++) {
        counting_start(&c, k);
        int rc = allocating_pass(&chain, &key, &anchors, &kept);
        if (rc == 0) {
            assert_int_equal(kept, 0);
            quiet++;
        } else {
            assert_int_equal(rc, CLASP_ERR_NOMEM);
        }
        NO_OPENSSL_ERRORS();
        assert_int_equal(c.live_allocs, 0);
        assert_int_equal(c.live_bytes, 0);
        assert_int_equal(c.size_mismatches, 0);
    }
    assert_in_range(quiet, 1, 2); /* the entry, and its table's buckets */
    counting_stop();
    free(chain.p);
    free(key.p);
    free(anchors.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_credential_each_key_type),
        cmocka_unit_test(test_credential_key_usage),
        cmocka_unit_test(test_credential_combined_file),
        cmocka_unit_test(test_credential_bad_key),
        cmocka_unit_test(test_credential_bad_chain),
        cmocka_unit_test(test_trust_add_pem),
        cmocka_unit_test(test_trust_trusted_certificate_block),
        cmocka_unit_test_teardown(test_trust_load_file, remove_tmp),
        cmocka_unit_test_teardown(test_trust_load_dir, remove_tmp),
        cmocka_unit_test(test_trust_load_default),
        cmocka_unit_test(test_verify_each_key_type),
        cmocka_unit_test(test_verify_host_matches),
        cmocka_unit_test(test_verify_name_mismatch),
        cmocka_unit_test(test_host_parse),
        cmocka_unit_test(test_verify_host_reading),
        cmocka_unit_test(test_verify_validity),
        cmocka_unit_test(test_verify_untrusted),
        cmocka_unit_test(test_verify_usage),
        cmocka_unit_test(test_verify_damaged),
        cmocka_unit_test(test_cert_public_key),
        cmocka_unit_test(test_cert_summary),
        cmocka_unit_test_teardown(test_allocations_balance_and_fail_cleanly, restore_allocator),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
