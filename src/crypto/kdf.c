/*
 * HKDF (RFC 5869), HKDF-Expand-Label (RFC 8446 section 7.1) and the TLS 1.2 PRF
 * (RFC 5246 section 5), written by us over HMAC.
 */
#include <string.h>

#include "base/bytes.h"
#include "base/err.h"
#include "base/mem.h"
#include "crypto/crypto.h"

int cl_hkdf_extract(cl_hash_alg alg, const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
                    size_t ikm_len, uint8_t *prk)
{
    static const uint8_t zeros[CL_MAX_HASH_LEN];
    if (!salt) {
        salt = zeros;
        salt_len = cl_hash_len(alg);
    }
    return cl_hmac(alg, salt, salt_len, ikm, ikm_len, prk);
}

int cl_hkdf_expand_keyed(cl_hmac_ctx *m, const uint8_t *info, size_t info_len, uint8_t *out,
                         size_t out_len)
{
    size_t hlen = cl_hash_len(cl_hmac_alg(m));
    CL_CHECK(out_len <= 255 * hlen, CLASP_ERR_INVALID_ARG);
    uint8_t t[CL_MAX_HASH_LEN];
    size_t t_len = 0, done = 0;
    int rc = 0;
    for (uint8_t i = 1; done < out_len; i++) {
        /* T(i) = HMAC(PRK, T(i-1) | info | i) */
        CL_TRY_OUT(rc, cl_hmac_begin(m));
        CL_TRY_OUT(rc, cl_hmac_update(m, t, t_len));
        CL_TRY_OUT(rc, cl_hmac_update(m, info, info_len));
        CL_TRY_OUT(rc, cl_hmac_update(m, &i, 1));
        CL_TRY_OUT(rc, cl_hmac_final(m, t));
        t_len = hlen;
        size_t n = out_len - done < hlen ? out_len - done : hlen;
        memcpy(out + done, t, n);
        done += n;
    }
out:
    cl_wipe(t, sizeof(t));
    return rc;
}

int cl_hkdf_expand(cl_hash_alg alg, const uint8_t *prk, size_t prk_len, const uint8_t *info,
                   size_t info_len, uint8_t *out, size_t out_len)
{
    cl_hmac_ctx *m;
    CL_TRY(cl_hmac_new(&m, alg, prk, prk_len));
    int rc = cl_hkdf_expand_keyed(m, info, info_len, out, out_len);
    cl_hmac_free(m);
    return rc;
}

int cl_hkdf_expand_label_keyed(cl_hmac_ctx *m, const char *label, const uint8_t *context,
                               size_t context_len, uint8_t *out, size_t out_len)
{
    static const uint8_t prefix[] = "tls13 ";
    CL_CHECK(out_len <= 0xffff, CLASP_ERR_INVALID_ARG);
    /* struct { uint16 length; opaque label<7..255>; opaque context<0..255>; } HkdfLabel; */
    uint8_t info[2 + 1 + 255 + 1 + 255];
    cl_writer w;
    cl_writer_fixed(&w, info, sizeof(info));
    cl_write_u16(&w, (uint16_t)out_len);
    cl_write_open(&w, 1);
    cl_write_bytes(&w, prefix, sizeof(prefix) - 1);
    cl_write_bytes(&w, (const uint8_t *)label, strlen(label));
    cl_write_close(&w);
    cl_write_vec(&w, 1, context, context_len);
    if (cl_writer_finish(&w) != 0)
        return CLASP_ERR_INVALID_ARG; /* label or context longer than 255 bytes */
    return cl_hkdf_expand_keyed(m, info, w.len, out, out_len);
}

int cl_hkdf_expand_label(cl_hash_alg alg, const uint8_t *secret, size_t secret_len,
                         const char *label, const uint8_t *context, size_t context_len,
                         uint8_t *out, size_t out_len)
{
    cl_hmac_ctx *m;
    CL_TRY(cl_hmac_new(&m, alg, secret, secret_len));
    int rc = cl_hkdf_expand_label_keyed(m, label, context, context_len, out, out_len);
    cl_hmac_free(m);
    return rc;
}

/*
 * P_hash(secret, seed) = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ...
 * with A(0) = seed and A(i) = HMAC(secret, A(i-1)); here seed = label + seed.
 */
int cl_tls12_prf_keyed(cl_hmac_ctx *m, const char *label, const uint8_t *seed, size_t seed_len,
                       uint8_t *out, size_t out_len)
{
    const uint8_t *lab = (const uint8_t *)label;
    size_t lab_len = strlen(label), hlen = cl_hash_len(cl_hmac_alg(m)), done = 0;
    uint8_t a[CL_MAX_HASH_LEN], block[CL_MAX_HASH_LEN];
    int rc;
    /* A(1) = HMAC(secret, label + seed) */
    CL_TRY_OUT(rc, cl_hmac_begin(m));
    CL_TRY_OUT(rc, cl_hmac_update(m, lab, lab_len));
    CL_TRY_OUT(rc, cl_hmac_update(m, seed, seed_len));
    CL_TRY_OUT(rc, cl_hmac_final(m, a));
    for (;;) {
        CL_TRY_OUT(rc, cl_hmac_begin(m));
        CL_TRY_OUT(rc, cl_hmac_update(m, a, hlen));
        CL_TRY_OUT(rc, cl_hmac_update(m, lab, lab_len));
        CL_TRY_OUT(rc, cl_hmac_update(m, seed, seed_len));
        CL_TRY_OUT(rc, cl_hmac_final(m, block));
        size_t n = out_len - done < hlen ? out_len - done : hlen;
        memcpy(out + done, block, n);
        done += n;
        if (done == out_len)
            break; /* the next A(i) would be unused */
        /* A(i+1) = HMAC(secret, A(i)) */
        CL_TRY_OUT(rc, cl_hmac_begin(m));
        CL_TRY_OUT(rc, cl_hmac_update(m, a, hlen));
        CL_TRY_OUT(rc, cl_hmac_final(m, a));
    }
out:
    cl_wipe(a, sizeof(a));
    cl_wipe(block, sizeof(block));
    return rc;
}

int cl_tls12_prf(cl_hash_alg alg, const uint8_t *secret, size_t secret_len, const char *label,
                 const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len)
{
    cl_hmac_ctx *m;
    CL_TRY(cl_hmac_new(&m, alg, secret, secret_len));
    int rc = cl_tls12_prf_keyed(m, label, seed, seed_len, out, out_len);
    cl_hmac_free(m);
    return rc;
}
