#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "cbc_records.h"

const uint8_t cbc_key[32] = {0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87, 0x98, 0xa9, 0xba,
                             0xcb, 0xdc, 0xed, 0xfe, 0x0f, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
                             0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01};
const uint8_t cbc_mac_key[48] = {
    0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf,
    0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf,
    0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef};

void cbc_init(const cbc_combo *c, cl_record_prot *p, int seal)
{
    cl_cbc_keys k = {c->cipher, c->mac, c->etm, cbc_key, cbc_mac_key};
    memset(p, 0, sizeof(*p));
    assert_int_equal(cl_record_prot_init_cbc(p, seal, &k), 0);
}

size_t cbc_mac_len(const cbc_combo *c)
{
    return cl_hash_len(c->mac);
}

void cbc_fill(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed * 41 + i * 7 + (i >> 8));
}

static const EVP_MD *md(cl_hash_alg alg)
{
    return alg == CL_HASH_SHA1 ? EVP_sha1() : alg == CL_HASH_SHA256 ? EVP_sha256() : EVP_sha384();
}

void cbc_hmac(const cbc_combo *c, uint64_t seq, uint8_t type, size_t len, const uint8_t *data,
              size_t data_len, uint8_t *out)
{
    uint8_t *msg = malloc(13 + data_len);
    unsigned int n = 0;
    assert_non_null(msg);
    for (int i = 7; i >= 0; i--, seq >>= 8)
        msg[i] = (uint8_t)seq;
    msg[8] = type, msg[9] = 3, msg[10] = 3;
    msg[11] = (uint8_t)(len >> 8), msg[12] = (uint8_t)len;
    memcpy(msg + 13, data, data_len);
    assert_non_null(
        HMAC(md(c->mac), cbc_mac_key, (int)cbc_mac_len(c), msg, 13 + data_len, out, &n));
    free(msg);
}

void cbc_aes(const cbc_combo *c, int encrypt, const uint8_t *iv, uint8_t *p, size_t n)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    const EVP_CIPHER *cipher = c->cipher == CL_CBC_AES_128 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
    int outl = 0;
    assert_int_equal(EVP_CipherInit_ex(ctx, cipher, NULL, cbc_key, iv, encrypt), 1);
    assert_int_equal(EVP_CIPHER_CTX_set_padding(ctx, 0), 1);
    assert_int_equal(EVP_CipherUpdate(ctx, p, &outl, p, (int)n), 1);
    assert_int_equal(outl, (int)n);
    EVP_CIPHER_CTX_free(ctx);
}

static size_t header(uint8_t *rec, size_t body)
{
    rec[0] = 23, rec[1] = 3, rec[2] = 3;
    rec[3] = (uint8_t)(body >> 8), rec[4] = (uint8_t)body;
    return 5 + body;
}

size_t cbc_hand_mte(const cbc_combo *c, uint64_t seq, uint8_t *rec, size_t n, size_t padding,
                    int damage, unsigned seed)
{
    uint8_t *body = rec + 21;
    size_t m = cbc_mac_len(c), total = n + m + padding + 1;
    assert_true(total % 16 == 0 && padding <= 255);
    cbc_fill(body, n, seed);
    cbc_hmac(c, seq, 23, n, body, n, body + n);
    memset(body + n + m, (int)padding, padding + 1);
    if (damage & CBC_BAD_MAC)
        body[n + m - 1] ^= 0x40;
    if ((damage & CBC_BAD_PAD) && padding)
        body[n + m] ^= 0x01; /* the first padding byte */
    else if (damage & CBC_BAD_PAD)
        body[n + m] = 1; /* one byte claims two: the one before it is the MAC's */
    cbc_fill(rec + 5, 16, seed + 1000);
    cbc_aes(c, 1, rec + 5, body, total);
    return header(rec, 16 + total);
}

size_t cbc_hand_etm(const cbc_combo *c, uint64_t seq, uint8_t *rec, size_t n, size_t padding,
                    unsigned seed)
{
    uint8_t *body = rec + 21;
    size_t enc = n + padding + 1, m = cbc_mac_len(c);
    assert_true(enc % 16 == 0);
    cbc_fill(body, n, seed);
    memset(body + n, (int)padding, padding + 1);
    cbc_fill(rec + 5, 16, seed + 1000);
    cbc_aes(c, 1, rec + 5, body, enc);
    cbc_hmac(c, seq, 23, 16 + enc, rec + 5, 16 + enc, body + enc);
    return header(rec, 16 + enc + m);
}

void cbc_set_padding_length(const cbc_combo *c, uint8_t *rec, size_t len, uint8_t v)
{
    uint8_t iv[16], *body = rec + 21;
    size_t total = len - 21;
    memcpy(iv, rec + 5, 16);
    cbc_aes(c, 0, iv, body, total);
    body[total - 1] = v;
    cbc_aes(c, 1, iv, body, total);
}
