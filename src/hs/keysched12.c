#include <string.h>

#include "base/mem.h"
#include "hs/keysched12.h"

/* The PRF over a seed made of two randoms, first || second. */
static int prf_two_randoms(cl_hash_alg hash, const uint8_t *secret, size_t secret_len,
                           const char *label, const uint8_t *first, const uint8_t *second,
                           uint8_t *out, size_t out_len)
{
    uint8_t seed[2 * CL_TLS12_RANDOM_LEN];
    memcpy(seed, first, CL_TLS12_RANDOM_LEN);
    memcpy(seed + CL_TLS12_RANDOM_LEN, second, CL_TLS12_RANDOM_LEN);
    return cl_tls12_prf(hash, secret, secret_len, label, seed, sizeof(seed), out, out_len);
}

int cl_tls12_master_secret(cl_hash_alg hash, const uint8_t *pms, size_t pms_len,
                           const uint8_t client_random[CL_TLS12_RANDOM_LEN],
                           const uint8_t server_random[CL_TLS12_RANDOM_LEN],
                           uint8_t out[CL_TLS12_MASTER_LEN])
{
    return prf_two_randoms(hash, pms, pms_len, "master secret", client_random, server_random, out,
                           CL_TLS12_MASTER_LEN);
}

int cl_tls12_extended_master_secret(cl_hash_alg hash, const uint8_t *pms, size_t pms_len,
                                    const uint8_t *session_hash, size_t hash_len,
                                    uint8_t out[CL_TLS12_MASTER_LEN])
{
    return cl_tls12_prf(hash, pms, pms_len, "extended master secret", session_hash, hash_len, out,
                        CL_TLS12_MASTER_LEN);
}

int cl_tls12_key_block(cl_hash_alg hash, const uint8_t master[CL_TLS12_MASTER_LEN],
                       const uint8_t client_random[CL_TLS12_RANDOM_LEN],
                       const uint8_t server_random[CL_TLS12_RANDOM_LEN], uint8_t *out,
                       size_t out_len)
{
    return prf_two_randoms(hash, master, CL_TLS12_MASTER_LEN, "key expansion", server_random,
                           client_random, out, out_len);
}

int cl_tls12_finished(cl_hash_alg hash, const uint8_t master[CL_TLS12_MASTER_LEN], int client,
                      const uint8_t *handshake_hash, size_t hash_len,
                      uint8_t out[CL_TLS12_FINISHED_LEN])
{
    const char *label = client ? "client finished" : "server finished";
    return cl_tls12_prf(hash, master, CL_TLS12_MASTER_LEN, label, handshake_hash, hash_len, out,
                        CL_TLS12_FINISHED_LEN);
}
