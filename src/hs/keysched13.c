#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "hs/keysched13.h"

int cl_ks13_early(cl_ks13 *ks, cl_hash_alg hash, const uint8_t *psk, size_t psk_len)
{
    static const uint8_t zeros[CL_MAX_HASH_LEN];
    ks->hash = hash;
    if (!psk) {
        psk = zeros;
        psk_len = cl_hash_len(hash);
    }
    CL_TRY(cl_hkdf_extract(hash, NULL, 0, psk, psk_len, ks->secret));
    ks->stage = CL_KS13_EARLY;
    return 0;
}

/* The next stage: secret = HKDF-Extract(Derive-Secret(secret, "derived", ""), ikm). */
static int ks13_advance(cl_ks13 *ks, const uint8_t *ikm, size_t ikm_len)
{
    uint8_t empty_hash[CL_MAX_HASH_LEN], salt[CL_MAX_HASH_LEN];
    size_t hlen = cl_hash_len(ks->hash);
    int rc;
    CL_TRY_OUT(rc, cl_hash(ks->hash, NULL, 0, empty_hash));
    CL_TRY_OUT(rc, cl_ks13_derive(ks, "derived", empty_hash, salt));
    CL_TRY_OUT(rc, cl_hkdf_extract(ks->hash, salt, hlen, ikm, ikm_len, ks->secret));
out:
    cl_wipe(salt, sizeof(salt));
    return rc;
}

int cl_ks13_handshake(cl_ks13 *ks, const uint8_t *dhe, size_t dhe_len)
{
    CL_CHECK(ks->stage == CL_KS13_EARLY, CLASP_ERR_STATE);
    CL_TRY(ks13_advance(ks, dhe, dhe_len));
    ks->stage = CL_KS13_HANDSHAKE;
    return 0;
}

int cl_ks13_master(cl_ks13 *ks)
{
    static const uint8_t zeros[CL_MAX_HASH_LEN];
    CL_CHECK(ks->stage == CL_KS13_HANDSHAKE, CLASP_ERR_STATE);
    CL_TRY(ks13_advance(ks, zeros, cl_hash_len(ks->hash)));
    ks->stage = CL_KS13_MASTER;
    return 0;
}

int cl_ks13_derive(const cl_ks13 *ks, const char *label, const uint8_t *transcript_hash,
                   uint8_t *out)
{
    CL_CHECK(ks->stage != CL_KS13_NONE, CLASP_ERR_STATE);
    size_t hlen = cl_hash_len(ks->hash);
    return cl_hkdf_expand_label(ks->hash, ks->secret, hlen, label, transcript_hash, hlen, out,
                                hlen);
}

void cl_ks13_clear(cl_ks13 *ks)
{
    cl_wipe(ks->secret, sizeof(ks->secret));
    ks->stage = CL_KS13_NONE;
}

int cl_ks13_traffic_key_iv(cl_hash_alg hash, const uint8_t *secret, cl_aead_alg aead, uint8_t *key,
                           uint8_t iv[CL_AEAD_NONCE_LEN])
{
    cl_hmac_ctx *m; /* one keying for both */
    CL_TRY(cl_hmac_new(&m, hash, secret, cl_hash_len(hash)));
    int rc = cl_hkdf_expand_label_keyed(m, "key", NULL, 0, key, cl_aead_key_len(aead));
    if (rc == 0)
        rc = cl_hkdf_expand_label_keyed(m, "iv", NULL, 0, iv, CL_AEAD_NONCE_LEN);
    cl_hmac_free(m);
    return rc;
}

int cl_ks13_finished(cl_hash_alg hash, const uint8_t *base_key, const uint8_t *transcript_hash,
                     uint8_t *out)
{
    uint8_t finished_key[CL_MAX_HASH_LEN];
    size_t hlen = cl_hash_len(hash);
    int rc = cl_hkdf_expand_label(hash, base_key, hlen, "finished", NULL, 0, finished_key, hlen);
    if (rc == 0)
        rc = cl_hmac(hash, finished_key, hlen, transcript_hash, hlen, out);
    cl_wipe(finished_key, sizeof(finished_key));
    return rc;
}

int cl_ks13_next_traffic_secret(cl_hash_alg hash, const uint8_t *secret, uint8_t *out)
{
    uint8_t next[CL_MAX_HASH_LEN];
    size_t hlen = cl_hash_len(hash);
    int rc = cl_hkdf_expand_label(hash, secret, hlen, "traffic upd", NULL, 0, next, hlen);
    if (rc == 0)
        memcpy(out, next, hlen);
    cl_wipe(next, sizeof(next));
    return rc;
}

int cl_ks13_binder(cl_hash_alg hash, const uint8_t *psk, size_t psk_len,
                   const uint8_t *transcript_hash, uint8_t *out)
{
    cl_ks13 early;
    uint8_t empty_hash[CL_MAX_HASH_LEN], binder_key[CL_MAX_HASH_LEN];
    int rc;
    CL_TRY_OUT(rc, cl_ks13_early(&early, hash, psk, psk_len));
    CL_TRY_OUT(rc, cl_hash(hash, NULL, 0, empty_hash));
    CL_TRY_OUT(rc, cl_ks13_derive(&early, CL_LABEL_RES_BINDER, empty_hash, binder_key));
    rc = cl_ks13_finished(hash, binder_key, transcript_hash, out);
out:
    cl_ks13_clear(&early);
    cl_wipe(binder_key, sizeof(binder_key));
    return rc;
}

int cl_ks13_ticket_psk(cl_hash_alg hash, const uint8_t *res_master, const uint8_t *nonce,
                       size_t nonce_len, uint8_t *out)
{
    size_t hlen = cl_hash_len(hash);
    return cl_hkdf_expand_label(hash, res_master, hlen, "resumption", nonce, nonce_len, out, hlen);
}
