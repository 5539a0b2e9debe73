/*
 * Private to src/crypto/: the OpenSSL side of the seam. Nothing outside this folder includes
 * this header.
 */
#ifndef CLASP_CRYPTO_INTERNAL_H
#define CLASP_CRYPTO_INTERNAL_H

#include <openssl/evp.h>

#include "crypto/crypto.h"

/* Algorithms fetched once per process (OpenSSL 3's implicit per-call fetches are slow). */
struct cl_crypto_algs {
    EVP_MD *md[3];       /* indexed by cl_hash_alg */
    EVP_CIPHER *aead[3]; /* indexed by cl_aead_alg */
};

/* The fetched algorithms; cl_crypto_init must have succeeded. */
const struct cl_crypto_algs *cl_algs(void);
const EVP_MD *cl_md(cl_hash_alg alg);

struct cl_pubkey {
    EVP_PKEY *pkey;
    cl_key_type type;
};

struct cl_privkey {
    EVP_PKEY *pkey;
    cl_key_type type;
};

/* Maps a libcrypto key to clasp's key type. */
cl_key_type cl_pkey_type(const EVP_PKEY *pkey);

/*
 * A public key handle over a key libcrypto already decoded (it takes its own reference).
 * For src/x509/, the other half of the libcrypto backend: a certificate's key is decoded
 * once, by d2i_X509, never again from its re-encoded SubjectPublicKeyInfo.
 */
int cl_pubkey_wrap(cl_pubkey **out, EVP_PKEY *pkey);

#endif /* CLASP_CRYPTO_INTERNAL_H */
