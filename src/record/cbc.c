/*
 * TLS 1.2 CBC-HMAC record protection: the seeds' record layer in full. Sealing computes the
 * MAC, pads, encrypts under a fresh random IV and adds the header (RFC 5246 6.2.3.2), or,
 * with encrypt_then_mac (RFC 7366 3), pads, encrypts, and MACs the header and ciphertext.
 *
 * Opening a MAC-then-encrypt record is constant-time in everything the attacker must not
 * learn (Lucky Thirteen: AlFardan and Paterson, 2013; docs/security.md). Public: the
 * record's length, and whether it is a whole number of blocks long enough for a MAC and one
 * byte of padding. Secret, handled without a branch or a secret-dependent address: the
 * padding length and bytes, the plaintext length they imply, the MAC's position and value.
 * The padding is checked over the last 256 bytes whatever its length; the MAC is computed
 * by cl_hmac_ct with the same compression-function calls for every padding length; the
 * received MAC is read out of every position it could occupy and rotated into place; the
 * two verdicts are combined as masks, and the one branch is on the combined result: every
 * bad padding and every bad MAC is the same bad_record_mac after the same work.
 */
#include <string.h>

#include "base/ct.h"
#include "base/err.h"
#include "base/mem.h"
#include "record/cbc.h"

/* The most padding a record carries: padding_length + 1 <= 256 (RFC 5246 6.2.3.2). */
#define MAX_PADDING 256

void cl_record_mac_header(uint64_t seq, uint8_t type, uint16_t version, size_t len,
                          uint8_t out[CL_TLS12_MAC_HEADER_LEN])
{
    for (int i = 7; i >= 0; i--, seq >>= 8)
        out[i] = (uint8_t)seq;
    out[8] = type;
    out[9] = (uint8_t)(version >> 8);
    out[10] = (uint8_t)version;
    out[11] = (uint8_t)(len >> 8);
    out[12] = (uint8_t)len;
}

int cl_record_cbc_ready(cl_record_prot *p)
{
    if (!p->cbc)
        CL_TRY(cl_cbc_new(&p->cbc, (cl_cbc_alg)p->alg, p->seal, p->key, p->key_len));
    if (!p->mac)
        CL_TRY(cl_hmac_new(&p->mac, (cl_hash_alg)p->mac_alg, p->mac_key, p->mac_len));
    cl_wipe(p->key, sizeof(p->key));
    cl_wipe(p->mac_key, sizeof(p->mac_key));
    return 0;
}

/* HMAC(MAC_write_key, header13 || data) into out. */
static int mac(cl_record_prot *p, const uint8_t header[CL_TLS12_MAC_HEADER_LEN],
               const uint8_t *data, size_t len, uint8_t *out)
{
    CL_TRY(cl_hmac_begin(p->mac));
    CL_TRY(cl_hmac_update(p->mac, header, CL_TLS12_MAC_HEADER_LEN));
    CL_TRY(cl_hmac_update(p->mac, data, len));
    return cl_hmac_final(p->mac, out);
}

/* Pads buf[0..n) to whole blocks: padding_length + 1 bytes of value padding_length. */
static size_t pad(uint8_t *buf, size_t n)
{
    size_t padding_length = CL_CBC_BLOCK_LEN - 1 - n % CL_CBC_BLOCK_LEN;
    memset(buf + n, (int)padding_length, padding_length + 1);
    return n + padding_length + 1;
}

/* The steps a trace asked for: what the buffer holds at each one (before it is overwritten). */
static void note_fragment(cl_record_steps *st, const uint8_t *pt, size_t n)
{
    st->fragment_len = n;
    memcpy(st->fragment, pt, n < CL_STEPS_SHOWN ? n : CL_STEPS_SHOWN);
}

static void note_mac(cl_record_steps *st, const cl_record_prot *p, const uint8_t *header,
                     const uint8_t *mac)
{
    memcpy(st->mac_header, header, CL_TLS12_MAC_HEADER_LEN);
    memcpy(st->mac, mac, p->mac_len);
    st->mac_len = p->mac_len;
    st->mac_alg = p->mac_alg;
    st->cipher = p->alg;
    st->etm = p->etm;
}

static void note_padding(cl_record_steps *st, const uint8_t *body, size_t from, size_t enc)
{
    size_t n = enc - from; /* our padding is at most a block: kept whole */
    st->padding_len = (uint8_t)(n < sizeof(st->padding) ? n : sizeof(st->padding));
    memcpy(st->padding, body + from, st->padding_len);
}

static void note_ciphertext(cl_record_steps *st, const uint8_t *rec, size_t enc)
{
    memcpy(st->iv, rec + CL_RECORD_HEADER_LEN, CL_CBC_BLOCK_LEN);
    st->ciphertext_len = enc;
    memcpy(st->ciphertext, rec + CL_RECORD_HEADER_LEN + CL_CBC_BLOCK_LEN,
           enc < CL_STEPS_SHOWN ? enc : CL_STEPS_SHOWN);
    memcpy(st->header, rec, CL_RECORD_HEADER_LEN);
}

/* MAC-then-encrypt (RFC 5246 6.2.3.2): the MAC over the fragment, padding, encryption. */
static int seal_mte(cl_record_prot *p, cl_record_steps *st, uint8_t type, uint8_t *rec,
                    size_t pt_len, size_t *enc)
{
    uint8_t header[CL_TLS12_MAC_HEADER_LEN], *iv = rec + CL_RECORD_HEADER_LEN;
    uint8_t *body = iv + CL_CBC_BLOCK_LEN;
    cl_record_mac_header(p->seq, type, CL_TLS12_VERSION, pt_len, header);
    CL_TRY(mac(p, header, body, pt_len, body + pt_len));
    *enc = pad(body, pt_len + p->mac_len);
    if (st) {
        note_mac(st, p, header, body + pt_len);
        note_padding(st, body, pt_len + p->mac_len, *enc);
    }
    return cl_cbc_crypt(p->cbc, iv, body, *enc);
}

/*
 * Encrypt-then-MAC (RFC 7366 3): padding, encryption, then the MAC over the header (its
 * length without the MAC), the IV and the ciphertext.
 */
static int seal_etm(cl_record_prot *p, cl_record_steps *st, uint8_t type, uint8_t *rec,
                    size_t pt_len, size_t *enc)
{
    uint8_t header[CL_TLS12_MAC_HEADER_LEN], *iv = rec + CL_RECORD_HEADER_LEN;
    uint8_t *body = iv + CL_CBC_BLOCK_LEN;
    *enc = pad(body, pt_len);
    if (st)
        note_padding(st, body, pt_len, *enc);
    CL_TRY(cl_cbc_crypt(p->cbc, iv, body, *enc));
    cl_record_mac_header(p->seq, type, CL_TLS12_VERSION, CL_CBC_BLOCK_LEN + *enc, header);
    CL_TRY(mac(p, header, iv, CL_CBC_BLOCK_LEN + *enc, body + *enc));
    if (st)
        note_mac(st, p, header, body + *enc);
    return 0;
}

int cl_record_cbc_seal(cl_record_prot *p, uint8_t type, uint8_t *rec, size_t cap, size_t pt_len,
                       size_t *rec_len)
{
    cl_record_steps *st = p->steps;
    size_t prefix = cl_record_prot_prefix(p), enc;
    CL_CHECK(prefix + pt_len + cl_record_prot_suffix(p, 0) <= cap, CLASP_ERR_BUFFER_TOO_SMALL);
    /* RFC 5246 6.2.3.2: the IV "SHOULD be chosen at random, and MUST be unpredictable". */
    CL_TRY(cl_random(rec + CL_RECORD_HEADER_LEN, CL_CBC_BLOCK_LEN));
    if (st)
        note_fragment(st, rec + prefix, pt_len);
    CL_TRY(p->etm ? seal_etm(p, st, type, rec, pt_len, &enc)
                  : seal_mte(p, st, type, rec, pt_len, &enc));
    size_t body_len = CL_CBC_BLOCK_LEN + enc + (p->etm ? p->mac_len : 0);
    cl_record_write_header(rec, type, body_len);
    if (st)
        note_ciphertext(st, rec, enc);
    *rec_len = CL_RECORD_HEADER_LEN + body_len;
    return 0;
}

/*
 * Whether the padding at the end of buf[0..n) is well formed and leaves room for `room`
 * bytes (the MAC) before it: padding_length + 1 bytes, all equal to padding_length. The last
 * MAX_PADDING bytes (or all) are read whatever padding_length says. Returns a mask; *strip
 * is padding_length + 1 when good, else 0.
 */
static size_t padding_good(const uint8_t *buf, size_t n, size_t room, size_t *strip)
{
    size_t padding_length = buf[n - 1];
    size_t good = cl_ct_ge(n, padding_length + 1 + room);
    size_t to_check = n < MAX_PADDING ? n : MAX_PADDING;
    for (size_t i = 0; i < to_check; i++) {
        size_t in_padding = cl_ct_lt(i, padding_length + 1);
        good &= ~(in_padding & ~cl_ct_eq(buf[n - 1 - i], padding_length));
    }
    *strip = (padding_length + 1) & good;
    return good;
}

/*
 * The mac_len bytes at the secret offset `at` of buf[0..n), read from every offset in
 * [from, n) they could occupy (at >= from, at + mac_len <= n): each byte lands in a buffer
 * at its position modulo mac_len, which is then rotated into place by the secret amount,
 * one conditional rotation per bit of it. No address depends on `at`.
 */
static void extract_mac(const uint8_t *buf, size_t n, size_t from, size_t at, size_t mac_len,
                        uint8_t *out)
{
    uint8_t rot[CL_MAX_HASH_LEN] = {0}, tmp[CL_MAX_HASH_LEN];
    size_t slot = 0, shift = 0;
    for (size_t j = from; j < n; j++) {
        size_t in_mac = cl_ct_ge(j, at) & cl_ct_lt(j, at + mac_len);
        rot[slot] |= (uint8_t)(buf[j] & in_mac);
        shift |= slot & cl_ct_eq(j, at); /* (at - from) mod mac_len */
        slot = slot + 1 == mac_len ? 0 : slot + 1;
    }
    /* Now the MAC's byte i is at rot[(shift + i) mod mac_len]: rotate left by shift. */
    for (size_t bit = 1; bit < mac_len; bit <<= 1) {
        size_t take = ~cl_ct_is_zero(shift & bit);
        for (size_t i = 0; i < mac_len; i++)
            tmp[i] = rot[(i + bit) % mac_len];
        for (size_t i = 0; i < mac_len; i++)
            rot[i] = cl_ct_select_u8(take, tmp[i], rot[i]);
    }
    memcpy(out, rot, mac_len);
    cl_wipe(rot, sizeof(rot));
    cl_wipe(tmp, sizeof(tmp));
}

/*
 * MAC-then-encrypt: decrypt, then the padding and MAC checks in constant time (file
 * comment). Only the record's length is public; the plaintext is buf[0..*pt_len).
 */
static int open_mte(cl_record_prot *p, const uint8_t *rec, uint8_t *buf, size_t n, size_t *pt_len)
{
    uint8_t header[CL_TLS12_MAC_HEADER_LEN], want[CL_MAX_HASH_LEN], got[CL_MAX_HASH_LEN];
    size_t mac_len = p->mac_len, strip;
    CL_TRY(cl_cbc_crypt(p->cbc, rec + CL_RECORD_HEADER_LEN, buf, n));
    size_t good = padding_good(buf, n, mac_len, &strip);
    /* The plaintext length, secret: between max_len - MAX_PADDING and max_len. */
    size_t max_len = n - mac_len, len = max_len - strip;
    size_t min_len = max_len > MAX_PADDING ? max_len - MAX_PADDING : 0;
    cl_record_mac_header(p->seq, rec[0], (uint16_t)(rec[1] << 8 | rec[2]), len, header);
    int rc = cl_hmac_ct(p->mac, header, sizeof(header), buf, len, min_len, max_len, want);
    extract_mac(buf, n, min_len, len, mac_len, got);
    good &= (size_t)0 - (size_t)cl_ct_memeq(want, got, mac_len);
    cl_wipe(header, sizeof(header));
    cl_wipe(want, sizeof(want));
    cl_wipe(got, sizeof(got));
    /* The one branch on the verdict: padding and MAC were both checked, whatever each said. */
    CL_CT_DECLASSIFY(&good, sizeof(good));
    if (rc != 0 || !cl_ct_barrier(good)) {
        cl_wipe(buf, n);
        return rc ? rc : CLASP_ERR_BAD_RECORD_MAC;
    }
    CL_CT_DECLASSIFY(&len, sizeof(len)); /* authenticated: the plaintext's length is known */
    *pt_len = len;
    return 0;
}

/*
 * Encrypt-then-MAC (RFC 7366 3): "The MAC SHALL be evaluated before any further processing
 * such as decryption is performed". The padding is then authenticated, so its check need not
 * hide anything; a bad one is still bad_record_mac.
 */
static int open_etm(cl_record_prot *p, const uint8_t *rec, uint8_t *buf, size_t n, size_t *pt_len)
{
    uint8_t header[CL_TLS12_MAC_HEADER_LEN], want[CL_MAX_HASH_LEN];
    const uint8_t *iv = rec + CL_RECORD_HEADER_LEN;
    size_t strip;
    cl_record_mac_header(p->seq, rec[0], (uint16_t)(rec[1] << 8 | rec[2]), CL_CBC_BLOCK_LEN + n,
                         header);
    CL_TRY(mac(p, header, iv, CL_CBC_BLOCK_LEN + n, want));
    int ok = cl_ct_memeq(want, buf + n, p->mac_len);
    cl_wipe(want, sizeof(want));
    if (!ok)
        return CLASP_ERR_BAD_RECORD_MAC;
    CL_TRY(cl_cbc_crypt(p->cbc, iv, buf, n));
    if (!padding_good(buf, n, 0, &strip)) {
        cl_wipe(buf, n);
        return CLASP_ERR_BAD_RECORD_MAC;
    }
    *pt_len = n - strip;
    return 0;
}

int cl_record_cbc_open(cl_record_prot *p, uint8_t *rec, size_t ct_len, size_t *pt_len)
{
    size_t mac_len = p->mac_len, block = CL_CBC_BLOCK_LEN;
    uint8_t *buf = rec + cl_record_prot_prefix(p);
    CL_CHECK(ct_len <= CL_TLS12_MAX_CIPHERTEXT, CLASP_ERR_RECORD_OVERFLOW);
    /*
     * Public facts: the IV and whole blocks, long enough for a MAC and a byte of padding. A
     * record that cannot be one cannot authenticate (RFC 5246 6.2.3.2, 7.2.2).
     */
    if (p->etm) {
        CL_CHECK(ct_len >= block + block + mac_len && (ct_len - mac_len) % block == 0,
                 CLASP_ERR_BAD_RECORD_MAC);
        return open_etm(p, rec, buf, ct_len - block - mac_len, pt_len);
    }
    size_t least = (mac_len + 1 + block - 1) / block * block;
    CL_CHECK(ct_len % block == 0 && ct_len >= block + least, CLASP_ERR_BAD_RECORD_MAC);
    return open_mte(p, rec, buf, ct_len - block, pt_len);
}
