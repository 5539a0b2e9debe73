/*
 * The handshake transcript (RFC 8446 4.4.1, RFC 5246 7.4.8-9): a running hash of the
 * handshake messages. The hash is only known once the cipher suite is; until then the
 * messages are kept as bytes. TLS 1.2 also needs the raw messages for a CertificateVerify,
 * which may sign with another hash than the PRF's (or with Ed25519, over the whole
 * message): cl_tr_keep_raw keeps them until cl_tr_drop_raw.
 */
#ifndef CLASP_HS_TRANSCRIPT_H
#define CLASP_HS_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "crypto/crypto.h"

typedef struct cl_transcript {
    cl_hash_ctx *h; /* NULL until the hash is chosen */
    cl_writer raw;  /* messages seen before that, or all of them while keep_raw */
    int keep_raw;
} cl_transcript;

void cl_tr_free(cl_transcript *t);
int cl_tr_add(cl_transcript *t, const uint8_t *msg, size_t len);
/* Chooses the hash and feeds it what was kept. Choosing it again with the same hash is a no-op. */
int cl_tr_set_hash(cl_transcript *t, cl_hash_alg alg);
int cl_tr_has_hash(const cl_transcript *t);
/* Transcript-Hash of everything so far (cl_hash_len bytes); the hash must be chosen. */
int cl_tr_hash(cl_transcript *t, uint8_t *out);
/*
 * Transcript-Hash of everything so far followed by `extra`, which is not added: a PSK
 * binder's transcript ends in a partial ClientHello (RFC 8446 4.2.11.2). Before a hash is
 * chosen, alg is used; after, it must be the chosen one.
 */
int cl_tr_hash_extra(cl_transcript *t, cl_hash_alg alg, const uint8_t *extra, size_t len,
                     uint8_t *out);
/*
 * HelloRetryRequest (RFC 8446 4.4.1): replaces ClientHello1 (all that the transcript holds)
 * with the synthetic message_hash message: 254, 00 00 HashLen, Hash(ClientHello1).
 */
int cl_tr_replace_with_message_hash(cl_transcript *t);
/* Keeps every message as bytes too (from now on, plus what is kept already). */
void cl_tr_keep_raw(cl_transcript *t);
/* The raw messages kept so far. */
const uint8_t *cl_tr_raw(const cl_transcript *t, size_t *len);
/* Stops keeping raw messages and frees them. */
void cl_tr_drop_raw(cl_transcript *t);

#endif /* CLASP_HS_TRANSCRIPT_H */
