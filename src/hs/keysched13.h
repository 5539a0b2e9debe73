/*
 * The TLS 1.3 key schedule (RFC 8446 section 7.1), staged: early secret, then handshake
 * secret, then master secret. Each stage can only be entered from the one before, and the
 * secret of a stage is wiped when the next replaces it.
 */
#ifndef CLASP_HS_KEYSCHED13_H
#define CLASP_HS_KEYSCHED13_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

typedef enum cl_ks13_stage {
    CL_KS13_NONE = 0,
    CL_KS13_EARLY,
    CL_KS13_HANDSHAKE,
    CL_KS13_MASTER,
} cl_ks13_stage;

typedef struct cl_ks13 {
    cl_hash_alg hash;
    cl_ks13_stage stage;
    uint8_t secret[CL_MAX_SECRET_LEN]; /* the current stage's secret */
} cl_ks13;

/* Labels of Derive-Secret, without the "tls13 " prefix. */
#define CL_LABEL_EXT_BINDER   "ext binder"
#define CL_LABEL_RES_BINDER   "res binder"
#define CL_LABEL_C_E_TRAFFIC  "c e traffic"
#define CL_LABEL_E_EXP_MASTER "e exp master"
#define CL_LABEL_C_HS_TRAFFIC "c hs traffic"
#define CL_LABEL_S_HS_TRAFFIC "s hs traffic"
#define CL_LABEL_C_AP_TRAFFIC "c ap traffic"
#define CL_LABEL_S_AP_TRAFFIC "s ap traffic"
#define CL_LABEL_EXP_MASTER   "exp master"
#define CL_LABEL_RES_MASTER   "res master"

/* Early Secret = HKDF-Extract(0, PSK), with HashLen zeros for PSK when psk is NULL. */
int cl_ks13_early(cl_ks13 *ks, cl_hash_alg hash, const uint8_t *psk, size_t psk_len);
/* Handshake Secret = HKDF-Extract(Derive-Secret(Early, "derived", ""), (EC)DHE). */
int cl_ks13_handshake(cl_ks13 *ks, const uint8_t *dhe, size_t dhe_len);
/* Master Secret = HKDF-Extract(Derive-Secret(Handshake, "derived", ""), 0). */
int cl_ks13_master(cl_ks13 *ks);
/* Derive-Secret(current stage secret, label, messages) given Transcript-Hash(messages). */
int cl_ks13_derive(const cl_ks13 *ks, const char *label, const uint8_t *transcript_hash,
                   uint8_t *out);
/* Wipes the secret. */
void cl_ks13_clear(cl_ks13 *ks);

/* [sender]_write_key and _iv from a traffic secret (RFC 8446 section 7.3). */
int cl_ks13_traffic_key_iv(cl_hash_alg hash, const uint8_t *secret, cl_aead_alg aead, uint8_t *key,
                           uint8_t iv[CL_AEAD_NONCE_LEN]);
/* Finished verify_data = HMAC(finished_key, transcript_hash) (RFC 8446 section 4.4.4). */
int cl_ks13_finished(cl_hash_alg hash, const uint8_t *base_key, const uint8_t *transcript_hash,
                     uint8_t *out);
/* application_traffic_secret_N+1 (RFC 8446 section 7.2); out may equal secret. */
int cl_ks13_next_traffic_secret(cl_hash_alg hash, const uint8_t *secret, uint8_t *out);
/*
 * A resumption PSK's binder (RFC 8446 4.2.11.2, 7.1): binder_key = Derive-Secret(Early
 * Secret from psk, "res binder", ""), then computed as Finished is, with binder_key as the
 * base key, over transcript_hash (the hash of the partial ClientHello).
 */
int cl_ks13_binder(cl_hash_alg hash, const uint8_t *psk, size_t psk_len,
                   const uint8_t *transcript_hash, uint8_t *out);
/* The PSK of a ticket: HKDF-Expand-Label(resumption_master_secret, "resumption", nonce). */
int cl_ks13_ticket_psk(cl_hash_alg hash, const uint8_t *res_master, const uint8_t *nonce,
                       size_t nonce_len, uint8_t *out);

#endif /* CLASP_HS_KEYSCHED13_H */
