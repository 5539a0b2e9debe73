#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "hs/keysched12.h"

/* A seed made of two randoms, first || second. */
static const uint8_t *two_randoms(uint8_t seed[2 * CL_TLS12_RANDOM_LEN], const uint8_t *first,
                                  const uint8_t *second)
{
    memcpy(seed, first, CL_TLS12_RANDOM_LEN);
    memcpy(seed + CL_TLS12_RANDOM_LEN, second, CL_TLS12_RANDOM_LEN);
    return seed;
}

int cl_tls12_master_secret(cl_hash_alg hash, const uint8_t *pms, size_t pms_len,
                           const uint8_t client_random[CL_TLS12_RANDOM_LEN],
                           const uint8_t server_random[CL_TLS12_RANDOM_LEN],
                           uint8_t out[CL_TLS12_MASTER_LEN])
{
    uint8_t seed[2 * CL_TLS12_RANDOM_LEN];
    return cl_tls12_prf(hash, pms, pms_len, "master secret",
                        two_randoms(seed, client_random, server_random), sizeof(seed), out,
                        CL_TLS12_MASTER_LEN);
}

int cl_tls12_extended_master_secret(cl_hash_alg hash, const uint8_t *pms, size_t pms_len,
                                    const uint8_t *session_hash, size_t hash_len,
                                    uint8_t out[CL_TLS12_MASTER_LEN])
{
    return cl_tls12_prf(hash, pms, pms_len, "extended master secret", session_hash, hash_len, out,
                        CL_TLS12_MASTER_LEN);
}

int cl_tls12_master_mac(cl_hash_alg hash, const uint8_t master[CL_TLS12_MASTER_LEN],
                        cl_hmac_ctx **out)
{
    return cl_hmac_new(out, hash, master, CL_TLS12_MASTER_LEN);
}

int cl_tls12_key_block_keyed(cl_hmac_ctx *master_mac,
                             const uint8_t client_random[CL_TLS12_RANDOM_LEN],
                             const uint8_t server_random[CL_TLS12_RANDOM_LEN], uint8_t *out,
                             size_t out_len)
{
    uint8_t seed[2 * CL_TLS12_RANDOM_LEN];
    return cl_tls12_prf_keyed(master_mac, "key expansion",
                              two_randoms(seed, server_random, client_random), sizeof(seed), out,
                              out_len);
}

int cl_tls12_finished_keyed(cl_hmac_ctx *master_mac, int client, const uint8_t *handshake_hash,
                            size_t hash_len, uint8_t out[CL_TLS12_FINISHED_LEN])
{
    const char *label = client ? "client finished" : "server finished";
    return cl_tls12_prf_keyed(master_mac, label, handshake_hash, hash_len, out,
                              CL_TLS12_FINISHED_LEN);
}

int cl_tls12_key_block(cl_hash_alg hash, const uint8_t master[CL_TLS12_MASTER_LEN],
                       const uint8_t client_random[CL_TLS12_RANDOM_LEN],
                       const uint8_t server_random[CL_TLS12_RANDOM_LEN], uint8_t *out,
                       size_t out_len)
{
    cl_hmac_ctx *m;
    CL_TRY(cl_tls12_master_mac(hash, master, &m));
    int rc = cl_tls12_key_block_keyed(m, client_random, server_random, out, out_len);
    cl_hmac_free(m);
    return rc;
}

int cl_tls12_finished(cl_hash_alg hash, const uint8_t master[CL_TLS12_MASTER_LEN], int client,
                      const uint8_t *handshake_hash, size_t hash_len,
                      uint8_t out[CL_TLS12_FINISHED_LEN])
{
    cl_hmac_ctx *m;
    CL_TRY(cl_tls12_master_mac(hash, master, &m));
    int rc = cl_tls12_finished_keyed(m, client, handshake_hash, hash_len, out);
    cl_hmac_free(m);
    return rc;
}
