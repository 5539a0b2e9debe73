/*
 * libcrypto's own KDFs as oracles for clasp's (which share no code with them): EVP_KDF
 * "HKDF", "TLS13-KDF" (HKDF-Expand-Label, OpenSSL 3.0's EVP_KDF-TLS13_KDF(7)) and
 * "TLS1-PRF". Each fails the running cmocka test when libcrypto refuses. Include after
 * <cmocka.h>.
 */
#ifndef CLASP_TEST_KDF_ORACLE_H
#define CLASP_TEST_KDF_ORACLE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

/* libcrypto's digest name for a clasp hash ("SHA256", "SHA384"). */
const char *oracle_md_name(cl_hash_alg alg);
/* HKDF-Expand(prk, info, n). */
void oracle_hkdf_expand(cl_hash_alg alg, const uint8_t *prk, size_t prk_len, const uint8_t *info,
                        size_t info_len, uint8_t *out, size_t n);
/* HKDF-Expand-Label(secret, label, context, n), label without "tls13 ". */
void oracle_expand_label(cl_hash_alg alg, const uint8_t *secret, size_t secret_len,
                         const char *label, const uint8_t *context, size_t context_len,
                         uint8_t *out, size_t n);
/* The TLS 1.2 PRF: P_hash(secret, label || seed1 || seed2). */
void oracle_prf(cl_hash_alg alg, const uint8_t *secret, size_t secret_len, const char *label,
                const uint8_t *seed1, size_t seed1_len, const uint8_t *seed2, size_t seed2_len,
                uint8_t *out, size_t n);

#endif /* CLASP_TEST_KDF_ORACLE_H */
