/*
 * Credentials: a certificate chain and its private key, parsed once when the configuration
 * is built. A handshake sends the kept DER and signs with the kept key; nothing is parsed
 * again per connection.
 */
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "base/err.h"
#include "base/mem.h"
#include "x509/internal.h"

/* Keeps each certificate's DER, leaf first, in clasp-allocated buffers. */
static int keep_der(cl_credential *c, cl_x509_list *certs)
{
    size_t n = (size_t)sk_X509_num(certs);
    c->certs = cl_calloc(n, sizeof(*c->certs));
    CL_CHECK(c->certs, CLASP_ERR_NOMEM);
    c->n_certs = n;
    for (size_t i = 0; i < n; i++) {
        unsigned char *der = NULL;
        int len = i2d_X509(sk_X509_value(certs, (int)i), &der);
        if (len <= 0) {
            ERR_clear_error();
            return CLASP_ERR_BAD_CERTIFICATE;
        }
        c->certs[i].der = cl_memdup(der, (size_t)len);
        OPENSSL_free(der);
        CL_CHECK(c->certs[i].der, CLASP_ERR_NOMEM);
        c->certs[i].len = (size_t)len;
    }
    return 0;
}

/* The key must be one TLS can use and must belong to the leaf certificate. */
static int check_key(const cl_credential *c)
{
    CL_CHECK(cl_privkey_type(c->key) != CL_KEY_OTHER, CLASP_ERR_BAD_KEY);
    CL_CHECK(cl_privkey_type(c->key) == cl_pubkey_type(c->leaf_key), CLASP_ERR_BAD_KEY);
    CL_CHECK(cl_privkey_matches(c->key, c->leaf_key), CLASP_ERR_BAD_KEY);
    return 0;
}

int cl_credential_from_pem(cl_credential **out, const uint8_t *chain_pem, size_t chain_len,
                           const uint8_t *key_pem, size_t key_len)
{
    cl_x509_list *certs = NULL;
    CL_TRY(cl_x509_read_pem(chain_pem, chain_len, 0, &certs));
    int rc = CLASP_ERR_NOMEM;
    cl_credential *c = cl_calloc(1, sizeof(*c));
    if (!c)
        goto out;
    CL_TRY_OUT(rc, keep_der(c, certs));
    CL_TRY_OUT(rc, cl_x509_pubkey(sk_X509_value(certs, 0), &c->leaf_key));
    CL_TRY_OUT(rc, cl_privkey_from_pem(&c->key, key_pem, key_len));
    CL_TRY_OUT(rc, check_key(c));
    c->type = cl_pubkey_type(c->leaf_key);
    c->bits = cl_pubkey_bits(c->leaf_key);
    c->key_usage = cl_x509_key_usage(sk_X509_value(certs, 0));
    *out = c;
    c = NULL;
out:
    cl_credential_free(c);
    sk_X509_pop_free(certs, X509_free);
    return rc;
}

void cl_credential_free(cl_credential *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_certs; i++)
        cl_free(c->certs[i].der, c->certs[i].len);
    cl_free(c->certs, c->n_certs * sizeof(*c->certs));
    cl_privkey_free(c->key);
    cl_pubkey_free(c->leaf_key);
    cl_free(c, sizeof(*c));
}
