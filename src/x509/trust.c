/*
 * Trust stores: an X509_STORE of anchors, plus the DER subject names of the anchors added
 * explicitly, which the certificate_authorities extension and the TLS 1.2
 * CertificateRequest list. Stores are filled while a configuration is built and only read
 * afterwards (X509_STORE locks internally for the lookups verification makes). Each store
 * owns the cache of chains verified against it (vcache.c), emptied whenever anchors change.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "base/err.h"
#include "base/mem.h"
#include "x509/internal.h"

/* Larger files are refused, not read into memory (a whole system bundle is ~200 KiB). */
#define MAX_TRUST_FILE (64u << 20)

struct cl_trust {
    X509_STORE *store;
    cl_vcache *cache;   /* chains verified against this store; emptied when anchors change */
    size_t count;       /* distinct anchors added through add_pem */
    cl_cert_der *names; /* their distinct subject names */
    size_t n_names;
    size_t cap_names;
};

int cl_trust_new(cl_trust **out)
{
    cl_trust *t = cl_calloc(1, sizeof(*t));
    CL_CHECK(t, CLASP_ERR_NOMEM);
    t->store = X509_STORE_new();
    int rc = t->store ? cl_vcache_new(&t->cache) : CLASP_ERR_NOMEM;
    if (rc != 0) {
        X509_STORE_free(t->store);
        cl_free(t, sizeof(*t));
        return rc;
    }
    *out = t;
    return 0;
}

void cl_trust_free(cl_trust *t)
{
    if (!t)
        return;
    cl_vcache_free(t->cache);
    X509_STORE_free(t->store);
    for (size_t i = 0; i < t->n_names; i++)
        cl_free(t->names[i].der, t->names[i].len);
    cl_free(t->names, t->cap_names * sizeof(*t->names));
    cl_free(t, sizeof(*t));
}

/* Doubles the names array (no realloc: the allocator hooks must see every size). */
static int grow_names(cl_trust *t)
{
    size_t cap = t->cap_names ? 2 * t->cap_names : 8;
    cl_cert_der *names = cl_calloc(cap, sizeof(*names));
    CL_CHECK(names, CLASP_ERR_NOMEM);
    if (t->n_names)
        memcpy(names, t->names, t->n_names * sizeof(*names));
    cl_free(t->names, t->cap_names * sizeof(*t->names));
    t->names = names;
    t->cap_names = cap;
    return 0;
}

/* Records a subject name once: two anchors with one name (a re-keyed root) share an entry. */
static int add_name(cl_trust *t, const X509_NAME *name)
{
    unsigned char *der = NULL;
    int len = i2d_X509_NAME(name, &der); /* the encoding as parsed, byte for byte */
    if (len <= 0) {
        ERR_clear_error();
        return CLASP_ERR_BAD_CERTIFICATE;
    }
    int rc = 0;
    for (size_t i = 0; i < t->n_names; i++)
        if (t->names[i].len == (size_t)len && memcmp(t->names[i].der, der, (size_t)len) == 0)
            goto out;
    if (t->n_names == t->cap_names)
        CL_TRY_OUT(rc, grow_names(t));
    uint8_t *copy = cl_memdup(der, (size_t)len);
    rc = CLASP_ERR_NOMEM;
    if (!copy)
        goto out;
    t->names[t->n_names++] = (cl_cert_der){copy, (size_t)len};
    rc = 0;
out:
    OPENSSL_free(der);
    return rc;
}

static int add_anchor(cl_trust *t, X509 *x)
{
    /*
     * X509_STORE_add_cert accepts a certificate it already holds without adding it again;
     * the store's object count tells the two apart, so a file loaded twice counts once.
     */
    const STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(t->store);
    int before = sk_X509_OBJECT_num(objs);
    if (X509_STORE_add_cert(t->store, x) != 1) {
        ERR_clear_error();
        return CLASP_ERR_NOMEM;
    }
    if (sk_X509_OBJECT_num(objs) == before)
        return 0;
    t->count++;
    return add_name(t, X509_get_subject_name(x));
}

int cl_trust_add_pem(cl_trust *t, const uint8_t *pem, size_t len)
{
    /* Everything is parsed before anything is added: a damaged file adds nothing. */
    cl_x509_list *certs = NULL;
    CL_TRY(cl_x509_read_pem(pem, len, 1, &certs));
    int rc = 0;
    for (int i = 0; i < sk_X509_num(certs) && rc == 0; i++)
        rc = add_anchor(t, sk_X509_value(certs, i));
    sk_X509_pop_free(certs, X509_free);
    /* Another anchor can change which path a chain takes: no verdict outlives it. */
    cl_vcache_clear(t->cache);
    return rc;
}

/* Reads a whole regular file into a clasp allocation of exactly *len bytes. */
static int read_file(const char *path, uint8_t **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    CL_CHECK(f, CLASP_ERR_FILE);
    int rc = CLASP_ERR_FILE;
    struct stat st;
    /* A directory opens fine on Linux and fails only when read: check the type first. */
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0 ||
        (unsigned long long)st.st_size > MAX_TRUST_FILE)
        goto out;
    *len = (size_t)st.st_size;
    rc = CLASP_ERR_BAD_CERTIFICATE; /* empty: no certificate in it */
    if (*len == 0)
        goto out;
    rc = CLASP_ERR_NOMEM;
    *buf = cl_alloc(*len);
    if (!*buf)
        goto out;
    rc = 0;
    if (fread(*buf, 1, *len, f) != *len) {
        cl_free(*buf, *len);
        *buf = NULL;
        rc = CLASP_ERR_FILE;
    }
out:
    fclose(f);
    return rc;
}

int cl_trust_load_file(cl_trust *t, const char *path)
{
    CL_CHECK(path, CLASP_ERR_FILE);
    uint8_t *buf = NULL;
    size_t len = 0;
    CL_TRY(read_file(path, &buf, &len));
    int rc = cl_trust_add_pem(t, buf, len);
    cl_free(buf, len);
    return rc;
}

int cl_trust_load_dir(cl_trust *t, const char *path)
{
    /* Lookups in a hashed directory happen lazily and fail silently: check it exists now. */
    struct stat st;
    CL_CHECK(path && stat(path, &st) == 0 && S_ISDIR(st.st_mode), CLASP_ERR_FILE);
    CL_CHECK(access(path, R_OK | X_OK) == 0, CLASP_ERR_FILE);
    X509_LOOKUP *lookup = X509_STORE_add_lookup(t->store, X509_LOOKUP_hash_dir());
    if (!lookup || X509_LOOKUP_add_dir(lookup, path, X509_FILETYPE_PEM) != 1) {
        ERR_clear_error();
        return CLASP_ERR_FILE;
    }
    cl_vcache_clear(t->cache);
    return 0;
}

int cl_trust_load_default(cl_trust *t)
{
    /* OpenSSL's compiled-in file and directory, or SSL_CERT_FILE / SSL_CERT_DIR. */
    int ok = X509_STORE_set_default_paths(t->store);
    ERR_clear_error(); /* a missing default file is not an error here */
    cl_vcache_clear(t->cache);
    return ok == 1 ? 0 : CLASP_ERR_FILE;
}

int cl_trust_set_cache(cl_trust *t, size_t max_chains)
{
    return cl_vcache_set_max(t->cache, max_chains);
}

cl_vcache *cl_trust_cache(const cl_trust *t)
{
    return t->cache;
}

void cl_trust_verify_stats(const cl_trust *t, cl_verify_stats *out)
{
    cl_vcache_stats(t->cache, out);
}

X509_STORE *cl_trust_store(const cl_trust *t)
{
    return t->store;
}

size_t cl_trust_count(const cl_trust *t)
{
    return t->count;
}

const cl_cert_der *cl_trust_ca_names(const cl_trust *t, size_t *n)
{
    *n = t->n_names;
    return t->names;
}
