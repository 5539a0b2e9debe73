/*
 * TLS 1.2 key derivation over the PRF (RFC 5246 sections 6.3, 7.4.9, 8.1; RFC 7627).
 */
#ifndef CLASP_HS_KEYSCHED12_H
#define CLASP_HS_KEYSCHED12_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

#define CL_TLS12_MASTER_LEN   48
#define CL_TLS12_RANDOM_LEN   32
#define CL_TLS12_FINISHED_LEN 12

/* master_secret = PRF(pre_master_secret, "master secret", client_random + server_random). */
int cl_tls12_master_secret(cl_hash_alg hash, const uint8_t *pms, size_t pms_len,
                           const uint8_t client_random[CL_TLS12_RANDOM_LEN],
                           const uint8_t server_random[CL_TLS12_RANDOM_LEN],
                           uint8_t out[CL_TLS12_MASTER_LEN]);
/* RFC 7627: PRF(pre_master_secret, "extended master secret", session_hash). */
int cl_tls12_extended_master_secret(cl_hash_alg hash, const uint8_t *pms, size_t pms_len,
                                    const uint8_t *session_hash, size_t hash_len,
                                    uint8_t out[CL_TLS12_MASTER_LEN]);
/*
 * The key block and Finished take the master secret, or (the _keyed forms) an HMAC keyed with
 * it once for the handshake: a TLS 1.2 handshake runs three PRFs under the master secret.
 */
int cl_tls12_master_mac(cl_hash_alg hash, const uint8_t master[CL_TLS12_MASTER_LEN],
                        cl_hmac_ctx **out);
/* key_block = PRF(master_secret, "key expansion", server_random + client_random). */
int cl_tls12_key_block(cl_hash_alg hash, const uint8_t master[CL_TLS12_MASTER_LEN],
                       const uint8_t client_random[CL_TLS12_RANDOM_LEN],
                       const uint8_t server_random[CL_TLS12_RANDOM_LEN], uint8_t *out,
                       size_t out_len);
/* verify_data = PRF(master_secret, "client finished" / "server finished", handshake hash). */
int cl_tls12_finished(cl_hash_alg hash, const uint8_t master[CL_TLS12_MASTER_LEN], int client,
                      const uint8_t *handshake_hash, size_t hash_len,
                      uint8_t out[CL_TLS12_FINISHED_LEN]);
int cl_tls12_key_block_keyed(cl_hmac_ctx *master_mac,
                             const uint8_t client_random[CL_TLS12_RANDOM_LEN],
                             const uint8_t server_random[CL_TLS12_RANDOM_LEN], uint8_t *out,
                             size_t out_len);
int cl_tls12_finished_keyed(cl_hmac_ctx *master_mac, int client, const uint8_t *handshake_hash,
                            size_t hash_len, uint8_t out[CL_TLS12_FINISHED_LEN]);

#endif /* CLASP_HS_KEYSCHED12_H */
