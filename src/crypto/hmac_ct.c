/*
 * HMAC over a secret length (crypto.h, cl_hmac_ct): the MAC of a MAC-then-encrypt record,
 * whose length is known only once its padding is removed, computed without telling that
 * length through time (Lucky Thirteen: AlFardan and Paterson, 2013; docs/security.md).
 *
 * A hash's running time follows the number of compression-function calls, and a naive MAC
 * over the unpadded record makes one more call for some padding lengths than for others. So
 * the inner hash is driven block by block here. The blocks that hold message bytes whatever
 * the length are public and compressed as they are. Every later block, up to the last one
 * the longest possible message could end in, is built byte by byte with masks (message byte
 * before the end, 0x80 at the end, zeros after, the bit length in the tail of the block
 * where this length's padding ends) and compressed; the chaining value after the right
 * block is kept by mask. The blocks compressed, and every address read, depend only on the
 * public bounds.
 */
#include <string.h>

#include "base/ct.h"
#include "base/err.h"
#include "base/mem.h"
#include "crypto/internal.h"

#ifdef CL_DIGEST_LOWLEVEL

int cl_hmac_ct_available(void)
{
    return 1;
}

/* Copies the message bytes [start, start + n) of header || data; the range is public. */
static void copy_message(uint8_t *out, const uint8_t *header, size_t header_len,
                         const uint8_t *data, size_t start, size_t n)
{
    size_t from_header = 0;
    if (start < header_len) {
        from_header = header_len - start < n ? header_len - start : n;
        memcpy(out, header + start, from_header);
    }
    if (n > from_header)
        memcpy(out + from_header, data + (start + from_header - header_len), n - from_header);
}

typedef struct ct_msg {
    const uint8_t *header, *data;
    size_t header_len;
    size_t max; /* public: the longest message, header included */
    size_t n;   /* secret: this message's length, header included */
    size_t end; /* secret: the block its padding ends in */
    uint8_t bits[8];
} ct_msg;

/* Block i of the padded message, for a block that may hold its end: every byte by mask. */
static void masked_block(const ct_msg *m, size_t i, size_t block, uint8_t *out)
{
    size_t is_end = cl_ct_eq(i, m->end);
    for (size_t j = 0; j < block; j++) {
        size_t p = i * block + j;
        uint8_t b = 0;
        if (p < m->max) /* public: never reads past the data */
            copy_message(&b, m->header, m->header_len, m->data, p, 1);
        b = cl_ct_select_u8(cl_ct_lt(p, m->n), b, 0);
        b |= (uint8_t)(cl_ct_eq(p, m->n) & 0x80);
        if (j >= block - 8) /* the length's low 64 bits; SHA-384's high ones are zero */
            b |= (uint8_t)(is_end & m->bits[j - (block - 8)]);
        out[j] = b;
    }
}

/* The inner hash's value, by the compression function alone. */
static void inner_hash(const cl_hmac_ctx *mac, ct_msg *m, size_t min_n, uint8_t *out)
{
    cl_digest st;
    cl_hash_alg alg = mac->inner_keyed.alg;
    size_t block = cl_hash_block_len(alg), hlen = cl_hash_len(alg);
    size_t shift = block == 64 ? 6 : 7, length_field = block == 64 ? 8 : 16;
    uint8_t blk[128], chain[CL_MAX_HASH_LEN];
    /* The ipad block is behind us: the bit length counts it. */
    uint64_t bits = (uint64_t)(block + m->n) * 8;
    for (int i = 7; i >= 0; i--, bits >>= 8)
        m->bits[i] = (uint8_t)bits;
    /* Padding ends in the block holding byte n + length_field (a shift: no division). */
    m->end = (m->n + length_field) >> shift;
    size_t public_blocks = min_n >> shift, last = (m->max + length_field) >> shift;
    cl_digest_copy(&st, &mac->inner_keyed);
    for (size_t i = 0; i < public_blocks; i++) {
        copy_message(blk, m->header, m->header_len, m->data, i * block, block);
        cl_digest_compress(&st, blk);
    }
    memset(out, 0, hlen);
    for (size_t i = public_blocks; i <= last; i++) {
        masked_block(m, i, block, blk);
        cl_digest_compress(&st, blk);
        cl_digest_chain(&st, chain);
        size_t keep = cl_ct_eq(i, m->end);
        for (size_t k = 0; k < hlen; k++)
            out[k] = cl_ct_select_u8(keep, chain[k], out[k]);
    }
    cl_wipe(blk, sizeof(blk));
    cl_wipe(chain, sizeof(chain));
    cl_digest_clear(&st);
}

/*
 * A len outside [min_len, max_len] is the caller's bug, and fails safe: no block is then
 * kept as the inner hash's end, and the MAC matches nothing.
 */
int cl_hmac_ct(cl_hmac_ctx *m, const uint8_t *header, size_t header_len, const uint8_t *data,
               size_t len, size_t min_len, size_t max_len, uint8_t *out)
{
    CL_CHECK(min_len <= max_len && max_len <= 1 << 20 && header_len <= 64, CLASP_ERR_INVALID_ARG);
    ct_msg msg = {.header = header,
                  .data = data,
                  .header_len = header_len,
                  .max = header_len + max_len,
                  .n = header_len + len};
    uint8_t inner[CL_MAX_HASH_LEN];
    cl_digest outer;
    inner_hash(m, &msg, header_len + min_len, inner);
    cl_digest_copy(&outer, &m->outer_keyed);
    int rc = cl_digest_update(&outer, inner, cl_hash_len(outer.alg));
    if (rc == 0)
        rc = cl_digest_final(&outer, out);
    cl_digest_clear(&outer);
    cl_wipe(inner, sizeof(inner));
    cl_wipe(&msg, sizeof(msg));
    return rc;
}

#else /* no SHA*_Transform: the CBC suites are not available (crypto/internal.h) */

int cl_hmac_ct_available(void)
{
    return 0;
}

int cl_hmac_ct(cl_hmac_ctx *m, const uint8_t *header, size_t header_len, const uint8_t *data,
               size_t len, size_t min_len, size_t max_len, uint8_t *out)
{
    (void)m, (void)header, (void)header_len, (void)data, (void)len, (void)min_len;
    (void)max_len, (void)out;
    return CLASP_ERR_UNSUPPORTED;
}

#endif
