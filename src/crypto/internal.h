/*
 * Private to src/crypto/: the OpenSSL side of the seam. Nothing outside this folder includes
 * this header.
 */
#ifndef CLASP_CRYPTO_INTERNAL_H
#define CLASP_CRYPTO_INTERNAL_H

#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>

#include "crypto/crypto.h"

/*
 * Digest states that copy by assignment, for HMAC and the transcript snapshots. OpenSSL
 * 3.0's EVP_MD_CTX_copy_ex frees and re-allocates the provider context on every copy, and
 * HMAC copies two states per MAC (the TLS 1.2 PRF runs a dozen MACs per call); the
 * low-level SHA-2 contexts are plain structs over the same block functions. They are
 * deprecated in 3.0 and absent from a libcrypto built with no-deprecated: then an EVP
 * context stands in (build with -DOPENSSL_NO_DEPRECATED to exercise that path).
 */
#ifndef OPENSSL_NO_DEPRECATED_3_0
#define CL_DIGEST_LOWLEVEL 1
#endif

typedef struct cl_digest {
    cl_hash_alg alg;
#ifdef CL_DIGEST_LOWLEVEL
    union {
        SHA_CTX sha1;
        SHA256_CTX sha256;
        SHA512_CTX sha512; /* SHA-384 too */
    } u;
#else
    EVP_MD_CTX *ctx;
    unsigned num; /* bytes past the last whole block: for cl_hash_compressions */
#endif
} cl_digest;

/* Starts a hash; d is zeroed or was used by these functions before. */
int cl_digest_init(cl_digest *d, cl_hash_alg alg);
int cl_digest_update(cl_digest *d, const void *in, size_t len);
/* Writes cl_hash_len bytes; start again (init or copy) before the next use. */
int cl_digest_final(cl_digest *d, uint8_t *out);
/* dst (zeroed or used before) becomes an independent copy of src. */
int cl_digest_copy(cl_digest *dst, const cl_digest *src);
/* Wipes the state and frees what it holds; d is zeroed after. */
void cl_digest_clear(cl_digest *d);

#ifdef CL_DIGEST_LOWLEVEL
/*
 * The compression function itself, for cl_hmac_ct: one block into the chaining value,
 * which must sit on a block boundary (nothing buffered). Counted by cl_hash_compressions.
 */
void cl_digest_compress(cl_digest *d, const uint8_t *block);
/* The chaining value, big-endian, cl_hash_len(d->alg) bytes (SHA-384: its first 6 words). */
void cl_digest_chain(const cl_digest *d, uint8_t *out);
#endif

/* The HMAC context (hmac.c, hmac_ct.c). */
struct cl_hmac_ctx {
    cl_digest inner_keyed; /* state after absorbing key ^ ipad: one block */
    cl_digest outer_keyed; /* state after absorbing key ^ opad: one block */
    cl_digest work;
};

/* Algorithms fetched once per process (OpenSSL 3's implicit per-call fetches are slow). */
struct cl_crypto_algs {
    EVP_MD *md[4];                   /* indexed by cl_hash_alg */
    EVP_CIPHER *aead[CL_AEAD_COUNT]; /* indexed by cl_aead_alg */
    EVP_CIPHER *cbc[2];              /* indexed by cl_cbc_alg */
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

/* ---- key exchange (kex.c, ffdhe.c) ---- */

/* A key pair of the template's type from the parameters in bld (which this empties; the
 * template is only read). */
int cl_keypair_fromdata(EVP_PKEY *tmpl, OSSL_PARAM_BLD *bld, EVP_PKEY **out);

/* 1 when 1 < y < p - 1 (RFC 7919 5.1), both big-endian of len bytes, p odd. */
int cl_ffdhe_in_range(const uint8_t *y, const uint8_t *p, size_t len);
/*
 * A key pair of the template's group (name: its OpenSSL name) from an exponent of len bytes,
 * big-endian; CLASP_ERR_INVALID_ARG unless 1 < x < p.
 */
int cl_ffdhe_from_private(EVP_PKEY *tmpl, const char *name, const uint8_t *priv, size_t len,
                          EVP_PKEY **out);

#endif /* CLASP_CRYPTO_INTERNAL_H */
