#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "record/layer.h"

/* cl_rl_read's internal answer for a record of rejected early data, dropped. */
#define CL_RL_SKIPPED 1

/* Output is bounded so a peer that never reads cannot make us buffer without end. */
#define CL_RL_DEFAULT_TMAX (256 * 1024)

static void observe(const cl_rl *rl, int outgoing, uint8_t type, const uint8_t *h, size_t len,
                    int protected_, const cl_record_steps *steps)
{
    if (rl->observe)
        rl->observe(rl->observe_arg, outgoing, type, (uint16_t)(h[1] << 8 | h[2]), len, protected_,
                    steps);
}

void cl_rl_init(cl_rl *rl)
{
    memset(rl, 0, sizeof(*rl));
    rl->max_plain_in = CL_MAX_PLAINTEXT;
    rl->max_frag_out = CL_MAX_PLAINTEXT;
    rl->tmax = CL_RL_DEFAULT_TMAX;
    rl->gcm_send_limit = CL_GCM_SEND_LIMIT;
    rl->gcm_recv_limit = CL_GCM_RECV_LIMIT;
    rl->wversion = CL_TLS12_VERSION;
}

/* Frees the receive buffer, wiping the bytes it ever held (records opened in place). */
static void rbuf_free(cl_rl *rl)
{
    cl_wipe(rl->rbuf, rl->rhigh);
    cl_free(rl->rbuf, rl->rcap);
    rl->rbuf = NULL;
    rl->rcap = rl->rlen = rl->rpos = rl->rhigh = 0;
}

void cl_rl_free(cl_rl *rl)
{
    rbuf_free(rl);
    cl_free(rl->tbuf, rl->tcap); /* only wire bytes: see layer.h */
    cl_record_prot_clear(&rl->rprot);
    cl_record_prot_clear(&rl->wprot);
    memset(rl, 0, sizeof(*rl));
}

/* ---- receiving ---- */

size_t cl_rl_buffered(const cl_rl *rl)
{
    return rl->rlen - rl->rpos;
}

/* Releases the receive buffer when it holds nothing: idle connections keep no buffers. */
static void rbuf_release_if_empty(cl_rl *rl)
{
    if (rl->rbuf && !rl->holding && rl->rpos == rl->rlen)
        rbuf_free(rl);
}

int cl_rl_feed(cl_rl *rl, const uint8_t *in, size_t len, size_t *consumed)
{
    *consumed = 0;
    if (len == 0 || rl->holding)
        return 0;
    if (!rl->rbuf) {
        rl->rbuf = cl_alloc(CL_RL_RBUF_LEN);
        CL_CHECK(rl->rbuf, CLASP_ERR_NOMEM);
        rl->rcap = CL_RL_RBUF_LEN;
    }
    if (rl->rpos > 0) { /* move the partial record to the front */
        memmove(rl->rbuf, rl->rbuf + rl->rpos, rl->rlen - rl->rpos);
        rl->rlen -= rl->rpos;
        rl->rpos = 0;
    }
    size_t n = rl->rcap - rl->rlen < len ? rl->rcap - rl->rlen : len;
    memcpy(rl->rbuf + rl->rlen, in, n);
    rl->rlen += n;
    if (rl->rlen > rl->rhigh)
        rl->rhigh = rl->rlen;
    *consumed = n;
    return 0;
}

/*
 * Whether a record of this type arrives in plaintext although read keys are set. TLS 1.3:
 * the compatibility change_cipher_spec is never protected (RFC 8446 5), and a peer that
 * rejected our hello before it had keys sends its alert in the clear (A.1, as rustls and
 * BoringSSL accept it), which can only happen before its first protected record.
 */
static int plaintext_under_keys(const cl_rl *rl, uint8_t type)
{
    if (rl->rprot.version != CL_TLS13_VERSION)
        return 0;
    return type == CL_CT_CHANGE_CIPHER_SPEC || (type == CL_CT_ALERT && !rl->opened_any);
}

/* The most a record of this type may carry on the wire in the current read epoch. */
static size_t max_wire_len(const cl_rl *rl, uint8_t type)
{
    if (!rl->rprot.active && rl->early_skip && type == CL_CT_APPLICATION_DATA)
        return CL_TLS13_MAX_CIPHERTEXT; /* early data, protected under keys we do not have */
    if (!rl->rprot.active || plaintext_under_keys(rl, type))
        return CL_MAX_PLAINTEXT; /* plaintext: RFC 8446 5.1, RFC 5246 6.2.1 */
    return rl->rprot.version == CL_TLS13_VERSION ? CL_TLS13_MAX_CIPHERTEXT
                                                 : CL_TLS12_MAX_CIPHERTEXT;
}

/* Checks a record header before its body is awaited, so oversize records fail at once. */
static int check_header(const cl_rl *rl, const uint8_t *h, size_t *len)
{
    uint8_t type = h[0];
    *len = (size_t)h[3] << 8 | h[4];
    /* RFC 5246 E.2, RFC 6176: an SSL 2.0 hello is refused with protocol_version. */
    if (!rl->rprot.active && cl_is_sslv2_client_hello(h, CL_RECORD_HEADER_LEN))
        return CLASP_ERR_PROTOCOL_VERSION;
    /* RFC 8446 5: an unknown record type is unexpected_message. */
    CL_CHECK(type >= CL_CT_CHANGE_CIPHER_SPEC && type <= CL_CT_APPLICATION_DATA,
             CLASP_ERR_UNEXPECTED_MESSAGE);
    /* Every TLS version is 3.x; an SSLv2 hello or stray bytes are not TLS. */
    CL_CHECK(h[1] == 3, CLASP_ERR_PROTOCOL_VERSION);
    if (rl->rversion == CL_TLS12_VERSION)
        CL_CHECK(h[2] == 3, CLASP_ERR_PROTOCOL_VERSION); /* RFC 5246 6.2.1 */
    /*
     * RFC 8446 5.2: under TLS 1.3 protection every record is application_data, except the
     * compatibility change_cipher_spec, which is never protected.
     */
    if (rl->rprot.active && rl->rprot.version == CL_TLS13_VERSION)
        CL_CHECK(type == CL_CT_APPLICATION_DATA || plaintext_under_keys(rl, type),
                 CLASP_ERR_UNEXPECTED_MESSAGE);
    CL_CHECK(*len <= max_wire_len(rl, type), CLASP_ERR_RECORD_OVERFLOW);
    return 0;
}

/*
 * The records one key may protect, from the AES-GCM figure (RFC 8446 5.5). AES-CCM runs the
 * block cipher twice per block (CBC-MAC and counter mode), so the same margin is reached in
 * half the records (RFC 8446 gives no figure for it); ChaCha20-Poly1305 has no limit short
 * of the sequence numbers.
 */
static uint64_t usage_limit(const cl_record_prot *p, uint64_t gcm_limit)
{
    if (p->cbc_mode) /* CBC-HMAC: no AEAD bound (RFC 8446 5.5 is about AEADs) */
        return UINT64_MAX;
    switch (p->alg) {
    case CL_AEAD_CHACHA20_POLY1305: return UINT64_MAX;
    case CL_AEAD_AES_128_CCM: return gcm_limit / 2;
    default: return gcm_limit;
    }
}

static int open_record(cl_rl *rl, uint8_t *rec, size_t rec_len, cl_record *out)
{
    size_t off;
    /*
     * RFC 8446 5.5: a sender changes keys before 2^24.5 AES-GCM records (usage_limit: fewer
     * for AES-CCM). A peer that goes on
     * is answered with unexpected_message: the record did authenticate (not bad_record_mac)
     * and is well formed; what is wrong is that a KeyUpdate (or, in TLS 1.2, the end of the
     * connection) should have come before it.
     */
    if (rl->rprot.seq >= usage_limit(&rl->rprot, rl->gcm_recv_limit)) {
        rl->why = "the peer sent more records under one AES key than RFC 8446 5.5 allows";
        return CLASP_ERR_UNEXPECTED_MESSAGE;
    }
    CL_TRY(cl_record_open(&rl->rprot, rec, rec_len, &out->type, &off, &out->len));
    out->data = rec + off;
    out->protected_ = 1;
    rl->opened_any = 1;
    /*
     * RFC 8449 4: a record larger than the limit we advertised is record_overflow. In TLS 1.3
     * the limit covers the content type and padding too (RFC 8446 5.4): we advertised
     * max_plain_in + 1 for the whole TLSInnerPlaintext.
     */
    size_t plain = out->len;
    if (rl->rprot.version == CL_TLS13_VERSION)
        plain = rec_len - CL_RECORD_HEADER_LEN - CL_AEAD_TAG_LEN - 1;
    CL_CHECK(plain <= rl->max_plain_in, CLASP_ERR_RECORD_OVERFLOW);
    return 0;
}

/*
 * RFC 8446 4.2.10: a server that did not accept 0-RTT skips the client's early data, up to
 * a bound: under the handshake keys, the records that fail to open; after a
 * HelloRetryRequest, before any keys, the protected (application_data) records. The first
 * record that opens, or the second ClientHello, ends the skipping. Returns 1 when the
 * record is to be dropped.
 */
static int skip_early_data(cl_rl *rl, uint8_t type, size_t len, int plain, int rc)
{
    if (!rl->early_skip ||
        (plain && rl->rprot.active)) /* a compatibility CCS: no sign either way */
        return 0;
    int skippable = plain ? type == CL_CT_APPLICATION_DATA : rc == CLASP_ERR_BAD_RECORD_MAC;
    if (!skippable) {
        if (rc == 0 && (!plain || type == CL_CT_HANDSHAKE))
            rl->early_skip = 0;
        return 0;
    }
    /* Counted as plaintext (the tag and the inner content type are overhead), and an empty
     * record as one byte, so a flood of them meets the bound too. */
    size_t n = len > CL_AEAD_TAG_LEN + 2 ? len - CL_AEAD_TAG_LEN - 1 : 1;
    if (n > rl->early_skip)
        return 0; /* over the bound: the record fails as any other would */
    rl->early_skip -= n;
    return 1;
}

/* Takes the record at h (its header checked, its body of len bytes present). */
static int take_record(cl_rl *rl, uint8_t *h, size_t len, cl_record *out)
{
    rl->rpos += CL_RECORD_HEADER_LEN + len;
    int plain = !rl->rprot.active || plaintext_under_keys(rl, h[0]);
    int rc = 0;
    if (plain) {
        out->type = h[0];
        out->data = h + CL_RECORD_HEADER_LEN;
        out->len = len;
        out->protected_ = 0;
    } else {
        rc = open_record(rl, h, CL_RECORD_HEADER_LEN + len, out);
    }
    if (skip_early_data(rl, h[0], len, plain, rc))
        return CL_RL_SKIPPED;
    CL_TRY(rc);
    observe(rl, 0, out->type, h, len, out->protected_, NULL);
    rl->holding = 1;
    return 0;
}

int cl_rl_read(cl_rl *rl, cl_record *out)
{
    CL_CHECK(!rl->holding, CLASP_ERR_STATE);
    for (;;) {
        if (cl_rl_buffered(rl) < CL_RECORD_HEADER_LEN)
            return CLASP_WANT_READ;
        uint8_t *h = rl->rbuf + rl->rpos;
        size_t len;
        CL_TRY(check_header(rl, h, &len));
        if (cl_rl_buffered(rl) < CL_RECORD_HEADER_LEN + len)
            return CLASP_WANT_READ;
        int rc = take_record(rl, h, len, out);
        if (rc != CL_RL_SKIPPED)
            return rc;
        rbuf_release_if_empty(rl);
    }
}

void cl_rl_release(cl_rl *rl)
{
    rl->holding = 0;
    rbuf_release_if_empty(rl);
}

/* ---- sending ---- */

size_t cl_rl_output_len(const cl_rl *rl)
{
    return rl->tlen - rl->thead;
}

void cl_rl_output(const cl_rl *rl, const uint8_t **out, size_t *len)
{
    *out = rl->tbuf ? rl->tbuf + rl->thead : NULL;
    *len = cl_rl_output_len(rl);
}

void cl_rl_output_done(cl_rl *rl, size_t n)
{
    if (n > cl_rl_output_len(rl))
        n = cl_rl_output_len(rl);
    rl->thead += n;
    if (rl->thead == rl->tlen) { /* all sent: the buffer goes until next time */
        cl_free(rl->tbuf, rl->tcap);
        rl->tbuf = NULL;
        rl->tcap = rl->tlen = rl->thead = 0;
    }
}

/*
 * Room for n more bytes at the end of the output: compact, then grow. Application data is
 * bounded by tmax; handshake messages and alerts are bounded by their own nature and must
 * never be refused for lack of room.
 */
static int tbuf_room(cl_rl *rl, size_t n, int bounded)
{
    if (rl->thead > 0) {
        memmove(rl->tbuf, rl->tbuf + rl->thead, rl->tlen - rl->thead);
        rl->tlen -= rl->thead;
        rl->thead = 0;
    }
    if (rl->tcap - rl->tlen >= n)
        return 0;
    CL_CHECK(!bounded || rl->tlen + n <= rl->tmax, CLASP_WANT_WRITE);
    size_t cap = rl->tcap ? rl->tcap : CL_RL_RBUF_LEN;
    while (cap < rl->tlen + n)
        cap *= 2;
    if (bounded && cap > rl->tmax)
        cap = rl->tmax;
    uint8_t *nb = cl_alloc(cap);
    CL_CHECK(nb, CLASP_ERR_NOMEM);
    if (rl->tlen)
        memcpy(nb, rl->tbuf, rl->tlen);
    cl_free(rl->tbuf, rl->tcap);
    rl->tbuf = nb;
    rl->tcap = cap;
    return 0;
}

/* One record of n <= max_frag_out bytes, appended to the output. */
static int write_one(cl_rl *rl, uint8_t type, const uint8_t *data, size_t n)
{
    int bounded = type == CL_CT_APPLICATION_DATA;
    if (!rl->wprot.active) {
        CL_TRY(tbuf_room(rl, CL_RECORD_HEADER_LEN + n, bounded));
        uint8_t *h = rl->tbuf + rl->tlen;
        h[0] = type;
        h[1] = (uint8_t)(rl->wversion >> 8);
        h[2] = (uint8_t)rl->wversion;
        h[3] = (uint8_t)(n >> 8);
        h[4] = (uint8_t)n;
        memcpy(h + CL_RECORD_HEADER_LEN, data, n);
        rl->tlen += CL_RECORD_HEADER_LEN + n;
        observe(rl, 1, type, h, n, 0, NULL);
        return 0;
    }
    size_t prefix = cl_record_prot_prefix(&rl->wprot);
    size_t total = prefix + n + cl_record_prot_suffix(&rl->wprot, 0), len;
    CL_TRY(tbuf_room(rl, total, bounded));
    uint8_t *rec = rl->tbuf + rl->tlen;
    memcpy(rec + prefix, data, n);
    cl_record_steps steps;
    int told = rl->trace_steps && type == CL_CT_APPLICATION_DATA && rl->wprot.cbc_mode;
    rl->wprot.steps = told ? &steps : NULL;
    int rc = cl_record_seal(&rl->wprot, type, rec, total, n, 0, &len);
    rl->wprot.steps = NULL;
    if (rc == 0) {
        rl->tlen += len;
        rl->trace_steps -= told;
        observe(rl, 1, type, rec, len - CL_RECORD_HEADER_LEN, 1, told ? &steps : NULL);
    } else {
        cl_wipe(rec, total); /* the plaintext must not stay in the output buffer */
    }
    if (told)
        cl_wipe(&steps, sizeof(steps)); /* it held plaintext */
    return rc;
}

int cl_rl_write(cl_rl *rl, uint8_t type, const uint8_t *data, size_t len)
{
    size_t frag = rl->max_frag_out;
    /* Refuse the whole write up front rather than queue part of it. */
    size_t records = (len + frag - 1) / frag;
    size_t overhead = CL_RECORD_HEADER_LEN + CL_TLS12_EXPLICIT_NONCE_LEN + 1 + CL_AEAD_TAG_LEN;
    if (rl->wprot.cbc_mode) /* IV, MAC and padding */
        overhead = cl_record_prot_prefix(&rl->wprot) + cl_record_prot_suffix(&rl->wprot, 0);
    if (type == CL_CT_APPLICATION_DATA)
        CL_CHECK(cl_rl_output_len(rl) + len + records * overhead <= rl->tmax, CLASP_WANT_WRITE);
    for (size_t off = 0; off < len; off += frag) {
        size_t n = len - off < frag ? len - off : frag;
        CL_TRY(write_one(rl, type, data + off, n));
    }
    return 0;
}

/* ---- keys ---- */

static int set_keys(cl_record_prot *p, uint16_t version, cl_aead_alg alg, int seal,
                    const uint8_t *key, const uint8_t *iv, size_t iv_len)
{
    return cl_record_prot_next(p, version, alg, seal, key, cl_aead_key_len(alg), iv, iv_len);
}

int cl_rl_set_read_keys(cl_rl *rl, uint16_t version, cl_aead_alg alg, const uint8_t *key,
                        const uint8_t *iv, size_t iv_len)
{
    return set_keys(&rl->rprot, version, alg, 0, key, iv, iv_len);
}

int cl_rl_set_write_keys(cl_rl *rl, uint16_t version, cl_aead_alg alg, const uint8_t *key,
                         const uint8_t *iv, size_t iv_len)
{
    return set_keys(&rl->wprot, version, alg, 1, key, iv, iv_len);
}

int cl_rl_set_keys_cbc(cl_rl *rl, int write, const cl_cbc_keys *k)
{
    return cl_record_prot_init_cbc(write ? &rl->wprot : &rl->rprot, write, k);
}

int cl_rl_read_protected(const cl_rl *rl)
{
    return rl->rprot.active;
}

int cl_rl_write_protected(const cl_rl *rl)
{
    return rl->wprot.active;
}

int cl_rl_write_key_spent(const cl_rl *rl)
{
    return rl->wprot.active && rl->wprot.seq + 1 >= usage_limit(&rl->wprot, rl->gcm_send_limit);
}
