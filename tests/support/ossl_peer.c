#include <openssl/pem.h>

#include "ossl_peer.h"

static X509 *pem_cert(const char *pem)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    return x;
}

int ossl_use_test_cert(SSL_CTX *ctx, const test_cert *c)
{
    BIO *b = BIO_new_mem_buf(c->key.pem, -1);
    EVP_PKEY *key = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    X509 *x = pem_cert(c->cert.pem);
    int ok =
        key && x && SSL_CTX_use_certificate(ctx, x) == 1 && SSL_CTX_use_PrivateKey(ctx, key) == 1;
    X509_free(x);
    EVP_PKEY_free(key);
    return ok ? 0 : -1;
}

int ossl_trust_pem(SSL_CTX *ctx, const test_pem *anchor)
{
    X509 *x = pem_cert(anchor->pem);
    int ok = x && X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), x) == 1;
    X509_free(x);
    return ok ? 0 : -1;
}
