#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "record/cbc.h"
#include "record/protect.h"

int cl_record_prot_init(cl_record_prot *p, uint16_t version, cl_aead_alg alg, int seal,
                        const uint8_t *key, size_t key_len, const uint8_t *iv, size_t iv_len)
{
    memset(p, 0, sizeof(*p));
    int gcm12 = version == CL_TLS12_VERSION && alg != CL_AEAD_CHACHA20_POLY1305;
    CL_CHECK(version == CL_TLS12_VERSION || version == CL_TLS13_VERSION, CLASP_ERR_INVALID_ARG);
    CL_CHECK((unsigned)alg < CL_AEAD_COUNT && key_len == cl_aead_key_len(alg),
             CLASP_ERR_INVALID_ARG);
    /* AES-CCM serves TLS 1.3 only (TLS_AES_128_CCM_SHA256); clasp has no TLS 1.2 CCM suite. */
    CL_CHECK(alg != CL_AEAD_AES_128_CCM || version == CL_TLS13_VERSION, CLASP_ERR_INVALID_ARG);
    CL_CHECK(iv_len == (gcm12 ? 4u : (size_t)CL_AEAD_NONCE_LEN), CLASP_ERR_INVALID_ARG);
    memcpy(p->key, key, key_len);
    memcpy(p->iv, iv, iv_len);
    p->key_len = (uint8_t)key_len;
    p->alg = (uint8_t)alg;
    p->version = version;
    p->explicit_nonce_len = gcm12 ? CL_TLS12_EXPLICIT_NONCE_LEN : 0;
    p->seal = seal ? 1 : 0;
    p->active = p->pending = 1;
    return 0;
}

int cl_record_prot_next(cl_record_prot *p, uint16_t version, cl_aead_alg alg, int seal,
                        const uint8_t *key, size_t key_len, const uint8_t *iv, size_t iv_len)
{
    cl_record_prot next;
    CL_TRY(cl_record_prot_init(&next, version, alg, seal, key, key_len, iv, iv_len));
    if (p->aead && p->app_data && p->alg == next.alg && p->seal == next.seal) {
        next.aead = p->aead; /* re-keyed at the next record: no free, no new context */
        p->aead = NULL;
    }
    cl_record_prot_clear(p);
    *p = next;
    cl_wipe(&next, sizeof(next));
    return 0;
}

int cl_record_prot_init_cbc(cl_record_prot *p, int seal, const cl_cbc_keys *k)
{
    cl_record_prot_clear(p);
    CL_CHECK((unsigned)k->cipher <= CL_CBC_AES_256, CLASP_ERR_INVALID_ARG);
    CL_CHECK(k->mac == CL_HASH_SHA1 || k->mac == CL_HASH_SHA256 || k->mac == CL_HASH_SHA384,
             CLASP_ERR_INVALID_ARG);
    p->key_len = (uint8_t)cl_cbc_key_len(k->cipher);
    p->mac_len = (uint8_t)cl_hash_len(k->mac);
    memcpy(p->key, k->key, p->key_len);
    memcpy(p->mac_key, k->mac_key, p->mac_len);
    p->alg = (uint8_t)k->cipher;
    p->mac_alg = (uint8_t)k->mac;
    p->etm = k->etm ? 1 : 0;
    p->version = CL_TLS12_VERSION;
    p->explicit_nonce_len = CL_CBC_BLOCK_LEN; /* the record IV */
    p->seal = seal ? 1 : 0;
    p->cbc_mode = p->active = p->pending = 1;
    return 0;
}

int cl_record_prot_ready(cl_record_prot *p)
{
    if (!p->pending)
        return 0;
    CL_CHECK(p->active, CLASP_ERR_STATE);
    if (p->cbc_mode)
        CL_TRY(cl_record_cbc_ready(p));
    else if (p->aead)
        CL_TRY(cl_aead_rekey(p->aead, p->key, p->key_len));
    else
        CL_TRY(cl_aead_new(&p->aead, (cl_aead_alg)p->alg, p->seal, p->key, p->key_len));
    cl_wipe(p->key, sizeof(p->key));
    p->pending = 0;
    return 0;
}

void cl_record_prot_clear(cl_record_prot *p)
{
    cl_aead_free(p->aead);
    cl_cbc_free(p->cbc);
    cl_hmac_free(p->mac);
    cl_wipe(p, sizeof(*p));
}

size_t cl_record_prot_prefix(const cl_record_prot *p)
{
    return CL_RECORD_HEADER_LEN + p->explicit_nonce_len;
}

size_t cl_record_prot_suffix(const cl_record_prot *p, size_t pad)
{
    if (p->cbc_mode) /* our padding is at most one block */
        return p->mac_len + CL_CBC_BLOCK_LEN;
    return (p->version == CL_TLS13_VERSION ? 1 + pad : 0) + CL_AEAD_TAG_LEN;
}

static void put_u16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

/*
 * The per-record nonce. TLS 1.3 and 1.2 ChaCha20-Poly1305: the static IV xor the 64-bit
 * sequence number, left-padded to 12 bytes. TLS 1.2 AES-GCM: the 4-byte salt followed by
 * the record's explicit nonce.
 */
static void make_nonce(const cl_record_prot *p, const uint8_t *explicit_nonce,
                       uint8_t nonce[CL_AEAD_NONCE_LEN])
{
    memcpy(nonce, p->iv, CL_AEAD_NONCE_LEN);
    if (p->explicit_nonce_len) {
        memcpy(nonce + 4, explicit_nonce, CL_TLS12_EXPLICIT_NONCE_LEN);
        return;
    }
    uint8_t seq[8];
    put_u64(seq, p->seq);
    for (int i = 0; i < 8; i++)
        nonce[4 + i] ^= seq[i];
}

void cl_record_write_header(uint8_t *rec, uint8_t type, size_t len)
{
    rec[0] = type;
    put_u16(rec + 1, CL_TLS12_VERSION); /* legacy_record_version in 1.3 */
    put_u16(rec + 3, len);
}

static int seal13(cl_record_prot *p, uint8_t type, uint8_t *rec, size_t cap, size_t pt_len,
                  size_t pad, size_t *rec_len)
{
    /* TLSInnerPlaintext: content, then the real type, then zero padding. */
    size_t inner = pt_len + 1 + pad;
    CL_CHECK(CL_RECORD_HEADER_LEN + inner + CL_AEAD_TAG_LEN <= cap, CLASP_ERR_BUFFER_TOO_SMALL);
    uint8_t *body = rec + CL_RECORD_HEADER_LEN, nonce[CL_AEAD_NONCE_LEN];
    body[pt_len] = type;
    memset(body + pt_len + 1, 0, pad);
    /* The additional data is the record header itself (RFC 8446 section 5.2). */
    cl_record_write_header(rec, CL_CT_APPLICATION_DATA, inner + CL_AEAD_TAG_LEN);
    make_nonce(p, NULL, nonce);
    CL_TRY(cl_aead_seal(p->aead, nonce, rec, CL_RECORD_HEADER_LEN, body, inner, body + inner));
    *rec_len = CL_RECORD_HEADER_LEN + inner + CL_AEAD_TAG_LEN;
    return 0;
}

static int seal12(cl_record_prot *p, uint8_t type, uint8_t *rec, size_t cap, size_t pt_len,
                  size_t *rec_len)
{
    size_t prefix = cl_record_prot_prefix(p);
    CL_CHECK(prefix + pt_len + CL_AEAD_TAG_LEN <= cap, CLASP_ERR_BUFFER_TOO_SMALL);
    uint8_t ad[13], nonce[CL_AEAD_NONCE_LEN], *pt = rec + prefix;
    /* The sequence number is a fine explicit nonce: it never repeats under one key. */
    if (p->explicit_nonce_len)
        put_u64(rec + CL_RECORD_HEADER_LEN, p->seq);
    cl_record_write_header(rec, type, p->explicit_nonce_len + pt_len + CL_AEAD_TAG_LEN);
    make_nonce(p, rec + CL_RECORD_HEADER_LEN, nonce);
    /* TLS 1.2 additional data: seq_num + type + version + length of the plaintext. */
    cl_record_mac_header(p->seq, type, CL_TLS12_VERSION, pt_len, ad);
    CL_TRY(cl_aead_seal(p->aead, nonce, ad, sizeof(ad), pt, pt_len, pt + pt_len));
    *rec_len = prefix + pt_len + CL_AEAD_TAG_LEN;
    return 0;
}

int cl_record_seal(cl_record_prot *p, uint8_t type, uint8_t *rec, size_t cap, size_t pt_len,
                   size_t pad, size_t *rec_len)
{
    CL_CHECK(p->active && p->seal, CLASP_ERR_STATE);
    CL_CHECK(pt_len <= CL_MAX_PLAINTEXT && pad <= CL_MAX_PLAINTEXT - pt_len, CLASP_ERR_INVALID_ARG);
    CL_CHECK(p->version == CL_TLS13_VERSION || pad == 0, CLASP_ERR_INVALID_ARG);
    /* RFC 8446 section 5.3: the sequence number must not wrap; the last value is not used. */
    CL_CHECK(p->seq != UINT64_MAX, CLASP_ERR_SEQUENCE_WRAP);
    CL_TRY(cl_record_prot_ready(p));
    if (p->version == CL_TLS13_VERSION)
        CL_TRY(seal13(p, type, rec, cap, pt_len, pad, rec_len));
    else if (p->cbc_mode)
        CL_TRY(cl_record_cbc_seal(p, type, rec, cap, pt_len, rec_len));
    else
        CL_TRY(seal12(p, type, rec, cap, pt_len, rec_len));
    p->seq++;
    p->app_data |= type == CL_CT_APPLICATION_DATA;
    return 0;
}

static int open13(cl_record_prot *p, uint8_t *rec, size_t ct_len, uint8_t *type, size_t *pt_len)
{
    /*
     * The outer type must be application_data (section 5.2); the framing layer refuses other
     * types before they get here, and the header is authenticated as additional data.
     */
    CL_CHECK(ct_len <= CL_TLS13_MAX_CIPHERTEXT, CLASP_ERR_RECORD_OVERFLOW);
    CL_CHECK(ct_len >= CL_AEAD_TAG_LEN, CLASP_ERR_BAD_RECORD_MAC);
    size_t inner = ct_len - CL_AEAD_TAG_LEN;
    /* Section 5.4: the full TLSInnerPlaintext must not exceed 2^14 + 1 octets. */
    CL_CHECK(inner <= CL_MAX_PLAINTEXT + 1, CLASP_ERR_RECORD_OVERFLOW);
    uint8_t nonce[CL_AEAD_NONCE_LEN], *body = rec + CL_RECORD_HEADER_LEN;
    make_nonce(p, NULL, nonce);
    CL_TRY(cl_aead_open(p->aead, nonce, rec, CL_RECORD_HEADER_LEN, body, inner, body + inner));
    /* The content type is the last non-zero octet; all zeros has none (section 5.4). */
    while (inner > 0 && body[inner - 1] == 0)
        inner--;
    CL_CHECK(inner > 0, CLASP_ERR_UNEXPECTED_MESSAGE);
    *type = body[inner - 1];
    *pt_len = inner - 1;
    return 0;
}

static int open12(cl_record_prot *p, uint8_t *rec, size_t ct_len, uint8_t *type, size_t *pt_len)
{
    size_t overhead = p->explicit_nonce_len + CL_AEAD_TAG_LEN;
    CL_CHECK(ct_len <= CL_TLS12_MAX_CIPHERTEXT, CLASP_ERR_RECORD_OVERFLOW);
    /* Too short to hold the nonce and tag: it cannot authenticate (RFC 5246 7.2.2). */
    CL_CHECK(ct_len >= overhead, CLASP_ERR_BAD_RECORD_MAC);
    size_t n = ct_len - overhead;
    CL_CHECK(n <= CL_MAX_PLAINTEXT, CLASP_ERR_RECORD_OVERFLOW);
    uint8_t ad[13], nonce[CL_AEAD_NONCE_LEN], *pt = rec + cl_record_prot_prefix(p);
    make_nonce(p, rec + CL_RECORD_HEADER_LEN, nonce);
    cl_record_mac_header(p->seq, rec[0], (uint16_t)(rec[1] << 8 | rec[2]), n, ad);
    CL_TRY(cl_aead_open(p->aead, nonce, ad, sizeof(ad), pt, n, pt + n));
    *type = rec[0];
    *pt_len = n;
    return 0;
}

int cl_record_open(cl_record_prot *p, uint8_t *rec, size_t rec_len, uint8_t *type, size_t *pt_off,
                   size_t *pt_len)
{
    CL_CHECK(p->active && !p->seal, CLASP_ERR_STATE);
    CL_CHECK(rec_len >= CL_RECORD_HEADER_LEN, CLASP_ERR_INVALID_ARG);
    size_t ct_len = rec_len - CL_RECORD_HEADER_LEN;
    CL_CHECK(((size_t)rec[3] << 8 | rec[4]) == ct_len, CLASP_ERR_INVALID_ARG);
    CL_CHECK(p->seq != UINT64_MAX, CLASP_ERR_SEQUENCE_WRAP);
    CL_TRY(cl_record_prot_ready(p));
    if (p->version == CL_TLS13_VERSION) {
        CL_TRY(open13(p, rec, ct_len, type, pt_len));
    } else if (p->cbc_mode) {
        CL_TRY(cl_record_cbc_open(p, rec, ct_len, pt_len));
        /* RFC 5246 6.2.1: the plaintext is at most 2^14 bytes (known now it authenticated). */
        CL_CHECK(*pt_len <= CL_MAX_PLAINTEXT, CLASP_ERR_RECORD_OVERFLOW);
        *type = rec[0];
    } else {
        CL_TRY(open12(p, rec, ct_len, type, pt_len));
    }
    *pt_off = cl_record_prot_prefix(p);
    p->seq++;
    p->app_data |= *type == CL_CT_APPLICATION_DATA;
    return 0;
}
