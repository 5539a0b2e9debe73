/*
 * The crypto adapter: the one seam between clasp and its crypto library (OpenSSL 3
 * libcrypto today). The interface speaks clasp's own types only (byte pointers and lengths,
 * IANA code points, opaque handles), so no OpenSSL type leaks into the protocol code and a
 * second backend can be added without touching it.
 *
 * Algorithms are fetched once per process (cl_crypto_init, called implicitly); contexts are
 * created once per key and reused. All functions return 0 or a negative clasp_err.
 */
#ifndef CLASP_CRYPTO_CRYPTO_H
#define CLASP_CRYPTO_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define CL_MAX_HASH_LEN       64 /* SHA-512, used by rsa_pss_*_sha512 signatures only */
#define CL_MAX_SECRET_LEN     48 /* largest TLS hash: SHA-384 */
#define CL_MAX_AEAD_KEY_LEN   32
#define CL_AEAD_NONCE_LEN     12
#define CL_AEAD_TAG_LEN       16
#define CL_MAX_KEX_PUBLIC_LEN 512 /* ffdhe4096; handshake state only, never an idle connection */
#define CL_MAX_KEX_SECRET_LEN 512 /* ffdhe4096 */
#define CL_MAX_SIG_LEN        512 /* RSA-4096 */

/* Fetches the algorithms once; safe to call from several threads. */
int cl_crypto_init(void);

/*
 * Fills buf with n random bytes for public values: hello randoms, session IDs, cookies,
 * nonces. They come from libcrypto's public DRBG, drawn ahead in chunks into a per-thread
 * buffer (src/crypto/random.c, docs/performance.md: fork-safe, wiped at thread exit).
 */
int cl_random(uint8_t *buf, size_t n);
/* n random bytes for a secret (pre-master secrets, keys): libcrypto's private DRBG, no buffer. */
int cl_random_secret(uint8_t *buf, size_t n);

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
/*
 * Fuzzing builds only (CLASP_FUZZ), never a library anyone uses: while a state is installed,
 * cl_random and cl_kex_generate draw from a reproducible stream at *state (advanced in
 * place), so a side makes the same hellos and key shares at every run and a recorded peer's
 * flight replays through the whole handshake. One state per side lets a recorder run both
 * sides in one process. NULL goes back to libcrypto.
 */
void cl_fuzz_random_use(uint64_t *state);
int cl_fuzz_random_active(void);
#endif

/* ---- hashes ---- */

typedef enum cl_hash_alg {
    CL_HASH_SHA256 = 0,
    CL_HASH_SHA384 = 1,
    CL_HASH_SHA512 = 2, /* signatures only; no TLS suite uses it */
    CL_HASH_SHA1 = 3,   /* the record MAC of TLS 1.2's _SHA CBC suites only (HMAC-SHA1) */
} cl_hash_alg;

size_t cl_hash_len(cl_hash_alg alg);
size_t cl_hash_block_len(cl_hash_alg alg);
/* One-shot digest into out (cl_hash_len bytes). */
int cl_hash(cl_hash_alg alg, const uint8_t *in, size_t len, uint8_t *out);

/*
 * A running hash, as the handshake transcript needs: update as messages pass, snapshot the
 * digest at any point without ending the hash. A snapshot copies the state into a scratch
 * context kept alongside, so taking one does not allocate.
 */
typedef struct cl_hash_ctx cl_hash_ctx;

int cl_hash_ctx_new(cl_hash_ctx **out, cl_hash_alg alg);
void cl_hash_ctx_free(cl_hash_ctx *h);
cl_hash_alg cl_hash_ctx_alg(const cl_hash_ctx *h);
int cl_hash_ctx_update(cl_hash_ctx *h, const uint8_t *in, size_t len);
/* The digest of everything so far (cl_hash_len bytes); the hash continues. */
int cl_hash_ctx_snapshot(cl_hash_ctx *h, uint8_t *out);
/* A second, independent running hash with the same state. */
int cl_hash_ctx_dup(const cl_hash_ctx *h, cl_hash_ctx **out);

/* ---- HMAC (RFC 2104) ---- */

/*
 * A keyed HMAC, reusable: the key is absorbed once (inner and outer padded states kept), then
 * each begin/update/final computes one MAC without touching the key again. The PRF and HKDF
 * run many MACs under one key this way.
 */
typedef struct cl_hmac_ctx cl_hmac_ctx;

int cl_hmac_new(cl_hmac_ctx **out, cl_hash_alg alg, const uint8_t *key, size_t key_len);
void cl_hmac_free(cl_hmac_ctx *m);
int cl_hmac_begin(cl_hmac_ctx *m);
int cl_hmac_update(cl_hmac_ctx *m, const uint8_t *in, size_t len);
/* Writes cl_hash_len bytes; begin again for the next MAC under the same key. */
int cl_hmac_final(cl_hmac_ctx *m, uint8_t *out);
cl_hash_alg cl_hmac_alg(const cl_hmac_ctx *m);

/* One-shot HMAC into out (cl_hash_len bytes). */
int cl_hmac(cl_hash_alg alg, const uint8_t *key, size_t key_len, const uint8_t *in, size_t len,
            uint8_t *out);

/*
 * HMAC over header[0..header_len) || data[0..len) where len is a secret between the public
 * bounds min_len and max_len (data holds max_len readable bytes), for MAC-then-encrypt
 * records (Lucky Thirteen, docs/security.md). The work is a function of header_len, min_len
 * and max_len alone: the same compression-function calls on the same addresses, whatever
 * len, with no branch on it or on the bytes. The header may be secret too (it carries len).
 * CLASP_ERR_UNSUPPORTED in a build whose libcrypto has no SHA-*_Transform (no-deprecated).
 */
int cl_hmac_ct(cl_hmac_ctx *m, const uint8_t *header, size_t header_len, const uint8_t *data,
               size_t len, size_t min_len, size_t max_len, uint8_t *out);
/* 1 when cl_hmac_ct is available (see above). */
int cl_hmac_ct_available(void);

/*
 * Compression-function calls this thread has made so far, in every hash clasp computes
 * (HMAC, PRF, transcripts, cl_hmac_ct). Tests count the calls an operation makes, e.g. to
 * show that opening a CBC record does the same work whatever its padding and MAC.
 */
uint64_t cl_hash_compressions(void);

/* ---- KDFs, written by us over HMAC ---- */

/* HKDF-Extract (RFC 5869): prk = HMAC(salt, ikm); a NULL salt means HashLen zero bytes. */
int cl_hkdf_extract(cl_hash_alg alg, const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
                    size_t ikm_len, uint8_t *prk);
/* HKDF-Expand (RFC 5869) of out_len <= 255 * HashLen bytes. */
int cl_hkdf_expand(cl_hash_alg alg, const uint8_t *prk, size_t prk_len, const uint8_t *info,
                   size_t info_len, uint8_t *out, size_t out_len);
/*
 * HKDF-Expand-Label (RFC 8446 section 7.1): label without the "tls13 " prefix (added here),
 * context of up to 255 bytes, out_len up to 255 * HashLen.
 */
int cl_hkdf_expand_label(cl_hash_alg alg, const uint8_t *secret, size_t secret_len,
                         const char *label, const uint8_t *context, size_t context_len,
                         uint8_t *out, size_t out_len);
/* HKDF-Expand and HKDF-Expand-Label with an HMAC already keyed with the PRK (the secret). */
int cl_hkdf_expand_keyed(cl_hmac_ctx *m, const uint8_t *info, size_t info_len, uint8_t *out,
                         size_t out_len);
int cl_hkdf_expand_label_keyed(cl_hmac_ctx *m, const char *label, const uint8_t *context,
                               size_t context_len, uint8_t *out, size_t out_len);
/* The TLS 1.2 PRF (RFC 5246 section 5): P_hash(secret, label || seed), any output length. */
int cl_tls12_prf(cl_hash_alg alg, const uint8_t *secret, size_t secret_len, const char *label,
                 const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len);
/* The same with an HMAC already keyed with the secret: several PRF calls, one keying. */
int cl_tls12_prf_keyed(cl_hmac_ctx *m, const char *label, const uint8_t *seed, size_t seed_len,
                       uint8_t *out, size_t out_len);

/* ---- AEAD ---- */

typedef enum cl_aead_alg {
    CL_AEAD_AES_128_GCM = 0,
    CL_AEAD_AES_256_GCM = 1,
    CL_AEAD_CHACHA20_POLY1305 = 2,
    CL_AEAD_AES_128_CCM = 3, /* 16-byte tags (RFC 8446 B.4: TLS_AES_128_CCM_SHA256) */
} cl_aead_alg;

#define CL_AEAD_COUNT 4

size_t cl_aead_key_len(cl_aead_alg alg);

/*
 * A keyed AEAD for one direction (seal or open). The cipher is fetched once per process and
 * the context keyed once here; each record only sets its nonce.
 */
typedef struct cl_aead cl_aead;

int cl_aead_new(cl_aead **out, cl_aead_alg alg, int seal, const uint8_t *key, size_t key_len);
/* A new key for the same algorithm and direction, without a new context (a new epoch). */
int cl_aead_rekey(cl_aead *a, const uint8_t *key, size_t key_len);
cl_aead_alg cl_aead_get_alg(const cl_aead *a);
void cl_aead_free(cl_aead *a);
/* Encrypts buf[0..len) in place and writes the 16-byte tag. */
int cl_aead_seal(cl_aead *a, const uint8_t nonce[CL_AEAD_NONCE_LEN], const uint8_t *ad,
                 size_t ad_len, uint8_t *buf, size_t len, uint8_t tag[CL_AEAD_TAG_LEN]);
/*
 * Decrypts buf[0..len) in place and checks the tag. On a bad tag returns
 * CLASP_ERR_BAD_RECORD_MAC and wipes buf, so no unauthenticated plaintext survives.
 */
int cl_aead_open(cl_aead *a, const uint8_t nonce[CL_AEAD_NONCE_LEN], const uint8_t *ad,
                 size_t ad_len, uint8_t *buf, size_t len, const uint8_t tag[CL_AEAD_TAG_LEN]);

/* ---- AES-CBC, for TLS 1.2's CBC-HMAC suites ---- */

typedef enum cl_cbc_alg {
    CL_CBC_AES_128 = 0,
    CL_CBC_AES_256 = 1,
} cl_cbc_alg;

#define CL_CBC_BLOCK_LEN   16
#define CL_MAX_MAC_KEY_LEN 48 /* HMAC-SHA384's key in TLS 1.2 (RFC 5246 6.3: hash length) */

size_t cl_cbc_key_len(cl_cbc_alg alg);

/*
 * A keyed AES-CBC context for one direction, without padding (the record layer pads as TLS
 * says, RFC 5246 6.2.3.2). Keyed once; each record sets its own IV.
 */
typedef struct cl_cbc cl_cbc;

int cl_cbc_new(cl_cbc **out, cl_cbc_alg alg, int encrypt, const uint8_t *key, size_t key_len);
void cl_cbc_free(cl_cbc *c);
/* Encrypts or decrypts buf[0..len) in place under iv; len a multiple of CL_CBC_BLOCK_LEN. */
int cl_cbc_crypt(cl_cbc *c, const uint8_t iv[CL_CBC_BLOCK_LEN], uint8_t *buf, size_t len);

/* ---- key exchange: X25519, X448, P-256/384/521, FFDHE (IANA NamedGroup values) ---- */

#define CL_GROUP_SECP256R1 0x0017
#define CL_GROUP_SECP384R1 0x0018
#define CL_GROUP_SECP521R1 0x0019
#define CL_GROUP_X25519    0x001d
#define CL_GROUP_X448      0x001e
#define CL_GROUP_FFDHE2048 0x0100
#define CL_GROUP_FFDHE3072 0x0101
#define CL_GROUP_FFDHE4096 0x0102

/* RFC 7919 2: the FFDHE code points are 256..511 (0x0100..0x01ff), known or not. */
#define CL_GROUP_IS_FFDHE(g) ((g) >= 0x0100 && (g) <= 0x01ff)

/* 1 when the group is one clasp (and this libcrypto) implements. */
int cl_kex_group_supported(uint16_t group);
/*
 * Public share length: 32 / 56 for X25519 / X448, 65 / 97 / 133 for P-256 / P-384 / P-521
 * uncompressed points, the prime's length for FFDHE (256 / 384 / 512).
 */
size_t cl_kex_public_len(uint16_t group);

/* An ephemeral private key. */
typedef struct cl_kex cl_kex;

int cl_kex_generate(cl_kex **out, uint16_t group);
/*
 * From a raw private key (X25519, X448: the 32 / 56 bytes; the curves: the scalar, of the
 * field's length; FFDHE: the exponent, big-endian, 1 < x < p, up to the prime's length); for
 * known-answer tests.
 */
int cl_kex_from_private(cl_kex **out, uint16_t group, const uint8_t *priv, size_t len);
void cl_kex_free(cl_kex *k);
uint16_t cl_kex_group(const cl_kex *k);
/* Writes the public share in its TLS encoding; *len = cl_kex_public_len(group). */
int cl_kex_public(const cl_kex *k, uint8_t *out, size_t cap, size_t *len);
/*
 * The shared secret with a peer's share (X25519, X448: the raw bytes; ECDH: the
 * x-coordinate; FFDHE: Z left-padded to the prime's length, RFC 8446 7.4.1). The share is
 * decoded and validated once here: a wrong length, a compressed or off-curve point, an FFDHE
 * value outside 1 < Y < p - 1 is CLASP_ERR_ILLEGAL_PARAMETER, and so is an all-zero X25519 or
 * X448 result (RFC 8446 7.4.2).
 */
int cl_kex_derive(const cl_kex *k, const uint8_t *peer, size_t peer_len, uint8_t *secret,
                  size_t cap, size_t *len);
/* An FFDHE group's prime (big-endian, its share length) and generator, for ServerDHParams. */
int cl_kex_ffdhe_params(uint16_t group, const uint8_t **p, size_t *p_len, uint8_t *g);
/* The RFC 7919 group with exactly this p and g (leading zeros aside), or 0. */
uint16_t cl_kex_ffdhe_group_of(const uint8_t *p, size_t p_len, const uint8_t *g, size_t g_len);

/* ---- keys and signatures ---- */

typedef enum cl_key_type {
    CL_KEY_RSA = 0,     /* rsaEncryption */
    CL_KEY_RSA_PSS = 1, /* id-RSASSA-PSS */
    CL_KEY_EC_P256 = 2,
    CL_KEY_EC_P384 = 3,
    CL_KEY_ED25519 = 4,
    CL_KEY_OTHER = 5, /* parsed, but no TLS use in clasp */
    CL_KEY_EC_P521 = 6,
} cl_key_type;

/* SignatureScheme values (RFC 8446 section 4.2.3). */
#define CL_SIG_RSA_PKCS1_SHA256       0x0401
#define CL_SIG_RSA_PKCS1_SHA384       0x0501
#define CL_SIG_RSA_PKCS1_SHA512       0x0601
#define CL_SIG_ECDSA_SECP256R1_SHA256 0x0403
#define CL_SIG_ECDSA_SECP384R1_SHA384 0x0503
#define CL_SIG_ECDSA_SECP521R1_SHA512 0x0603
#define CL_SIG_RSA_PSS_RSAE_SHA256    0x0804
#define CL_SIG_RSA_PSS_RSAE_SHA384    0x0805
#define CL_SIG_RSA_PSS_RSAE_SHA512    0x0806
#define CL_SIG_ED25519                0x0807
#define CL_SIG_RSA_PSS_PSS_SHA256     0x0809
#define CL_SIG_RSA_PSS_PSS_SHA384     0x080a
#define CL_SIG_RSA_PSS_PSS_SHA512     0x080b

/* 1 when clasp can sign and verify with this scheme. */
int cl_sig_scheme_supported(uint16_t scheme);

typedef struct cl_pubkey cl_pubkey;
typedef struct cl_privkey cl_privkey;

/* From a DER SubjectPublicKeyInfo. */
int cl_pubkey_from_spki(cl_pubkey **out, const uint8_t *der, size_t len);
void cl_pubkey_free(cl_pubkey *k);
cl_key_type cl_pubkey_type(const cl_pubkey *k);
/* Modulus size for RSA, field size for EC, 253 for Ed25519. */
unsigned cl_pubkey_bits(const cl_pubkey *k);

/* From PEM (any of PKCS#8, traditional RSA/EC; unencrypted) or DER PKCS#8. */
int cl_privkey_from_pem(cl_privkey **out, const uint8_t *pem, size_t len);
int cl_privkey_from_der(cl_privkey **out, const uint8_t *der, size_t len);
void cl_privkey_free(cl_privkey *k);
cl_key_type cl_privkey_type(const cl_privkey *k);
unsigned cl_privkey_bits(const cl_privkey *k);
/* 1 when the private key belongs to the public key. */
int cl_privkey_matches(const cl_privkey *priv, const cl_pubkey *pub);

/*
 * 1 when the key's type can produce/verify this scheme: rsa_pss_rsae_* and rsa_pkcs1_* need
 * an rsaEncryption key, rsa_pss_pss_* an RSASSA-PSS key, ecdsa_* an EC key, ed25519 an
 * Ed25519 key. Whether the EC curve must match the scheme is the caller's policy (TLS 1.3
 * binds it, TLS 1.2 does not): pass strict_curve.
 */
int cl_pubkey_fits_scheme(const cl_pubkey *k, uint16_t scheme, int strict_curve);
int cl_privkey_fits_scheme(const cl_privkey *k, uint16_t scheme, int strict_curve);

/*
 * Signs msg with the scheme (RSA-PSS with salt length = hash length, MGF1 with the same
 * hash). *sig_len receives the signature length.
 */
int cl_sign(const cl_privkey *k, uint16_t scheme, const uint8_t *msg, size_t msg_len, uint8_t *sig,
            size_t cap, size_t *sig_len);
/* CLASP_ERR_DECRYPT when the signature does not verify (PSS salt must equal hash length). */
int cl_verify(const cl_pubkey *k, uint16_t scheme, const uint8_t *msg, size_t msg_len,
              const uint8_t *sig, size_t sig_len);

/* ---- RSA key exchange (TLS 1.2, RFC 5246 section 7.4.7.1) ---- */

#define CL_PREMASTER_LEN 48

/* Client: PKCS#1 v1.5 encryption of the 48-byte pre-master secret to the server's key. */
int cl_rsa_kx_encrypt(const cl_pubkey *k, const uint8_t premaster[CL_PREMASTER_LEN], uint8_t *out,
                      size_t cap, size_t *out_len);
/*
 * Server: decrypts the encrypted pre-master secret with implicit rejection. Whatever the
 * ciphertext, premaster receives 48 bytes: the decrypted secret when its padding, length and
 * leading version bytes (client_version) are right, else random bytes, chosen without a
 * branch on the result. The return value says nothing about the padding; it is an error
 * only for a local failure (or a ciphertext whose length differs from the modulus, which is
 * public).
 */
int cl_rsa_kx_decrypt(const cl_privkey *k, const uint8_t *enc, size_t enc_len,
                      uint16_t client_version, uint8_t premaster[CL_PREMASTER_LEN]);

#endif /* CLASP_CRYPTO_CRYPTO_H */
