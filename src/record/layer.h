/*
 * The record layer: framing records out of received bytes and into bytes to send, with the
 * protection of the current epoch in each direction (RFC 8446 section 5, RFC 5246 6.2).
 *
 * It knows content types and sizes, not handshake states: which record types are acceptable
 * at a given moment (a ChangeCipherSpec, application data before the handshake is done) is
 * decided by the caller, which sees every record.
 *
 * Buffers are allocated when needed and released when empty, so an idle connection holds
 * none; their sizes are fixed by the RFC limits, so nothing grows while records flow.
 *
 * Wiping: records are opened in place, so the receive buffer holds plaintext; it is wiped
 * up to the most it ever held (rhigh), not its whole 18 KiB. The output buffer holds only
 * bytes for the wire: plaintext is sealed where it was copied, and a seal that fails wipes
 * it there, so the output buffer is freed without wiping.
 */
#ifndef CLASP_RECORD_LAYER_H
#define CLASP_RECORD_LAYER_H

#include <stddef.h>
#include <stdint.h>

#include "record/protect.h"

/* One record's content as received (opened when protected). */
typedef struct cl_record {
    uint8_t type;
    uint8_t *data; /* points into the receive buffer; valid until cl_rl_release */
    size_t len;
    int protected_; /* arrived under protection */
} cl_record;

/*
 * Told of every record as it crosses the wire: its type (the inner one when protected), the
 * header's version, the body's length, and whether it was protected; steps, for the
 * application_data records trace_steps asks for (else NULL).
 */
typedef void (*cl_rl_observer)(void *arg, int outgoing, uint8_t type, uint16_t version, size_t len,
                               int protected_, const cl_record_steps *steps);

typedef struct cl_rl {
    cl_rl_observer observe; /* may be NULL */
    void *observe_arg;
    /* receive side */
    uint8_t *rbuf;
    size_t rcap, rlen, rpos; /* bytes held: [rpos, rlen) not yet taken as records */
    size_t rhigh;            /* the most rlen has been: [0, rhigh) is what to wipe */
    cl_record_prot rprot;
    size_t max_plain_in; /* our record_size_limit for received plaintext (2^14 default) */
    size_t early_skip;   /* bytes of rejected 0-RTT data still to be skipped (see cl_rl_read) */
    const char *why;     /* a fixed text saying why the last read failed, or NULL */
    /* send side */
    uint8_t *tbuf;
    size_t tcap, tlen, thead; /* bytes queued: [thead, tlen) */
    size_t tmax;              /* bound on queued output */
    cl_record_prot wprot;
    size_t max_frag_out; /* largest plaintext per record we send */
    /*
     * RFC 8446 5.5 (AES-GCM only: ChaCha20-Poly1305's limit lies beyond the sequence space).
     * Internal fields so that tests reach the limits with a few records; 32 bits hold both.
     */
    uint32_t gcm_send_limit; /* records one of our keys seals, the one retiring it included */
    uint32_t gcm_recv_limit; /* records a peer's key may bring; one more is refused */
    /* The small fields together: an idle connection's size is a feature (no padding). */
    unsigned trace_steps; /* CBC application_data records still to be told step by step */
    int holding;          /* a record handed out and not yet released */
    uint16_t rversion;    /* 0 until negotiated; then 0x0303 or 0x0304 */
    uint16_t wversion;    /* legacy record version on plaintext records */
    uint8_t opened_any;   /* a protected record has been opened (since the first keys) */
} cl_rl;

/*
 * The most rejected 0-RTT data a server skips (RFC 8446 4.2.10): clasp never advertises a
 * max_early_data_size, so the bound is one full record, as OpenSSL's default.
 */
#define CL_EARLY_DATA_SKIP_MAX 16384

/*
 * AEAD usage limits (RFC 8446 5.5: "up to 2^24.5 full-size records" under one AES-GCM key,
 * for a 2^-57 margin). We retire a key after 2^24 records, about 7 million short of the
 * limit, as rustls does: a round figure with room for what is queued when the limit is
 * seen. A peer may use the whole allowance, so receiving, the limit itself is the bound.
 */
#define CL_GCM_SEND_LIMIT (UINT32_C(1) << 24)
#define CL_GCM_RECV_LIMIT UINT32_C(23726566) /* floor(2^24.5) */

/* The most a receive buffer ever needs: a header and the largest TLS 1.2 ciphertext. */
#define CL_RL_RBUF_LEN (CL_RECORD_HEADER_LEN + CL_TLS12_MAX_CIPHERTEXT)

/*
 * Whether a record's first bytes look like an SSL 2.0 ClientHello (RFC 5246 E.2): a 2-byte
 * header with the high bit set, then msg_type 1. Such hellos are refused (protocol_version).
 * 1 or 0; fewer than 3 bytes is 0. Never fails.
 */
int cl_is_sslv2_client_hello(const uint8_t *p, size_t len);

void cl_rl_init(cl_rl *rl);
/* Frees buffers and wipes both protection states. */
void cl_rl_free(cl_rl *rl);

/*
 * Takes up to len received bytes into the receive buffer; *consumed says how many. Takes
 * nothing while a record is held (the caller must release it first), which is the
 * backpressure for unread application data.
 */
int cl_rl_feed(cl_rl *rl, const uint8_t *in, size_t len, size_t *consumed);
/* Received bytes not yet framed into records (a partial record, or records not yet read). */
size_t cl_rl_buffered(const cl_rl *rl);

/*
 * The next complete record, opened under the current read protection. CLASP_WANT_READ when
 * none is complete. Errors (the connection must end with their alert):
 *   unexpected_message: unknown content type; under TLS 1.3 protection, a plaintext record
 *     of a type other than change_cipher_spec, or other than alert before any protected
 *     record arrived (a peer that rejected our hello has no keys to protect its alert);
 *   protocol_version: an SSL 2.0 ClientHello, or a header whose major version is not 3;
 *   record_overflow: a length over the limit (plaintext 2^14, 1.3 ciphertext 2^14 + 256,
 *     1.2 ciphertext 2^14 + 2048), or an opened plaintext over our record_size_limit;
 *   bad_record_mac: a record that does not authenticate;
 *   unexpected_message: also a record under an AES-GCM key that already brought
 *     gcm_recv_limit records (the peer should have changed keys, or, in TLS 1.2, closed).
 * rl->why says which, for the failures that need saying.
 * While early_skip is set (a TLS 1.3 server that did not accept the client's early_data),
 * the records of early data are dropped instead, as RFC 8446 4.2.10 says, until early_skip
 * bytes have been dropped.
 * The record stays valid until cl_rl_release; only one is held at a time.
 */
int cl_rl_read(cl_rl *rl, cl_record *rec);
void cl_rl_release(cl_rl *rl);

/*
 * Queues `len` bytes of content type `type` as records of at most max_frag_out bytes each,
 * protected when write keys are set. Zero-length content queues nothing (callers decide
 * whether an empty record makes sense). CLASP_WANT_WRITE when the output bound would be
 * exceeded: drain the output first.
 */
int cl_rl_write(cl_rl *rl, uint8_t type, const uint8_t *data, size_t len);

/* The bytes waiting to be sent. */
void cl_rl_output(const cl_rl *rl, const uint8_t **out, size_t *len);
/* n of them were sent. */
void cl_rl_output_done(cl_rl *rl, size_t n);
size_t cl_rl_output_len(const cl_rl *rl);

/* Installs new keys for one direction (a new epoch: the sequence number restarts at 0). */
int cl_rl_set_read_keys(cl_rl *rl, uint16_t version, cl_aead_alg alg, const uint8_t *key,
                        const uint8_t *iv, size_t iv_len);
int cl_rl_set_write_keys(cl_rl *rl, uint16_t version, cl_aead_alg alg, const uint8_t *key,
                         const uint8_t *iv, size_t iv_len);
/* The same for a TLS 1.2 CBC-HMAC suite (TLS 1.2 has one epoch per direction). */
int cl_rl_set_keys_cbc(cl_rl *rl, int write, const cl_cbc_keys *k);
int cl_rl_read_protected(const cl_rl *rl);
int cl_rl_write_protected(const cl_rl *rl);
/*
 * 1 when the write key has sealed all but the last record it may (gcm_send_limit): that last
 * one must retire it (TLS 1.3: a KeyUpdate; TLS 1.2: close_notify) before more data is sent.
 */
int cl_rl_write_key_spent(const cl_rl *rl);

#endif /* CLASP_RECORD_LAYER_H */
