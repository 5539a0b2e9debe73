/*
 * Record protection: sealing and opening one record in place, for TLS 1.3 (RFC 8446
 * sections 5.2-5.4), TLS 1.2 AEAD suites (RFC 5246 section 6.2.3.3 with RFC 5288's
 * explicit nonce for AES-GCM and RFC 7905's implicit nonce for ChaCha20-Poly1305), and TLS
 * 1.2 CBC-HMAC suites (RFC 5246 6.2.3.2, MAC-then-encrypt, or RFC 7366 encrypt-then-MAC;
 * record/cbc.c).
 *
 * One cl_record_prot is one direction of one key epoch. The record buffer is laid out so
 * nothing is copied: the caller writes plaintext at cl_record_prot_prefix() bytes into the
 * buffer, seal writes the header (and explicit nonce) in front and the inner type, padding
 * and tag behind. Opening decrypts in the buffer and points at the plaintext.
 */
#ifndef CLASP_RECORD_PROTECT_H
#define CLASP_RECORD_PROTECT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

#define CL_RECORD_HEADER_LEN        5
#define CL_MAX_PLAINTEXT            16384          /* 2^14 */
#define CL_TLS13_MAX_CIPHERTEXT     (16384 + 256)  /* RFC 8446 section 5.2 */
#define CL_TLS12_MAX_CIPHERTEXT     (16384 + 2048) /* RFC 5246 section 6.2.3 */
#define CL_TLS12_EXPLICIT_NONCE_LEN 8              /* RFC 5288 section 3 */

#define CL_TLS12_VERSION            0x0303
#define CL_TLS13_VERSION            0x0304

/* ContentType (RFC 8446 section 5.1). */
enum {
    CL_CT_INVALID = 0,
    CL_CT_CHANGE_CIPHER_SPEC = 20,
    CL_CT_ALERT = 21,
    CL_CT_HANDSHAKE = 22,
    CL_CT_APPLICATION_DATA = 23,
};

/*
 * One CBC-HMAC record as it was sealed, step by step (the seeds' list: fragment, MAC,
 * encryption, header), for a trace that asked for it (clasp_config_set_trace_records). It
 * holds the record's plaintext, so it is wiped when dropped; never a key.
 */
#define CL_STEPS_SHOWN 64 /* bytes of the fragment and of the ciphertext kept */
typedef struct cl_record_steps {
    uint8_t fragment[CL_STEPS_SHOWN], ciphertext[CL_STEPS_SHOWN];
    size_t fragment_len, ciphertext_len; /* whole lengths; ciphertext: without an EtM MAC */
    uint8_t mac_header[13];              /* the MAC's input before the data it covers */
    uint8_t mac[CL_MAX_HASH_LEN];
    uint8_t iv[CL_CBC_BLOCK_LEN];
    uint8_t padding[CL_CBC_BLOCK_LEN];
    uint8_t header[CL_RECORD_HEADER_LEN];
    uint8_t mac_len, padding_len, mac_alg, cipher, etm;
} cl_record_steps;

/*
 * One direction of one epoch. The cipher context is made (or re-keyed) at the epoch's first
 * record, not when its keys arrive: a connection idle after its handshake holds no context,
 * and a handshake that never uses an epoch never pays for one. Until then the key waits here.
 */
typedef struct cl_record_prot {
    cl_aead *aead; /* NULL until the first record, or the last epoch's */
    cl_cbc *cbc;   /* a CBC-HMAC epoch's cipher and MAC, once made */
    cl_hmac_ctx *mac;
    uint8_t key[CL_MAX_AEAD_KEY_LEN];    /* the key, until it is in the context (then wiped) */
    uint8_t mac_key[CL_MAX_MAC_KEY_LEN]; /* CBC-HMAC: the MAC key, likewise */
    uint8_t iv[CL_AEAD_NONCE_LEN];       /* 1.2 GCM: the 4-byte salt, then zeros */
    uint64_t seq;                        /* records under this key so far */
    uint16_t version;                    /* CL_TLS13_VERSION or CL_TLS12_VERSION */
    uint8_t alg;                         /* cl_aead_alg; cl_cbc_alg in a CBC-HMAC epoch */
    uint8_t key_len;
    uint8_t explicit_nonce_len; /* GCM's explicit nonce; CBC's record IV (RFC 5246 6.2.3.2) */
    uint8_t seal;
    uint8_t active;         /* keys are installed */
    uint8_t pending;        /* key not yet in the context */
    uint8_t app_data;       /* application data passed: the next epoch re-keys this context */
    uint8_t cbc_mode;       /* a TLS 1.2 CBC-HMAC epoch: mac_alg, mac_len and etm apply */
    uint8_t mac_alg;        /* cl_hash_alg: SHA-1, SHA-256 or SHA-384 */
    uint8_t mac_len;        /* the MAC's length, and its key's (RFC 5246 6.3) */
    uint8_t etm;            /* encrypt_then_mac negotiated (RFC 7366) */
    cl_record_steps *steps; /* when set, the next CBC record sealed is told here */
} cl_record_prot;

/* A TLS 1.2 CBC-HMAC epoch's keys (RFC 5246 6.3: the MAC key is as long as the MAC). */
typedef struct cl_cbc_keys {
    cl_cbc_alg cipher;
    cl_hash_alg mac;        /* CL_HASH_SHA1, CL_HASH_SHA256 or CL_HASH_SHA384 */
    int etm;                /* RFC 7366 encrypt-then-MAC, else MAC-then-encrypt */
    const uint8_t *key;     /* cl_cbc_key_len(cipher) bytes */
    const uint8_t *mac_key; /* cl_hash_len(mac) bytes */
} cl_cbc_keys;

/*
 * Keys one direction. iv_len is 12 for TLS 1.3 and for TLS 1.2 ChaCha20-Poly1305, and 4
 * (the implicit salt) for TLS 1.2 AES-GCM. The sequence number starts at 0.
 */
int cl_record_prot_init(cl_record_prot *p, uint16_t version, cl_aead_alg alg, int seal,
                        const uint8_t *key, size_t key_len, const uint8_t *iv, size_t iv_len);
/*
 * The next epoch of an initialised direction (p may also be all zeros): as init, except that
 * a context that carried application data is kept to be re-keyed (KeyUpdate) rather than
 * freed. A context that carried only the handshake is freed, so an idle connection holds none.
 */
int cl_record_prot_next(cl_record_prot *p, uint16_t version, cl_aead_alg alg, int seal,
                        const uint8_t *key, size_t key_len, const uint8_t *iv, size_t iv_len);
/*
 * Keys one direction of a TLS 1.2 CBC-HMAC epoch (the sequence number starts at 0), in p
 * (all zeros, or an earlier epoch, which is cleared first).
 */
int cl_record_prot_init_cbc(cl_record_prot *p, int seal, const cl_cbc_keys *k);
/* Makes or re-keys the context now (seal and open do it themselves at the first record). */
int cl_record_prot_ready(cl_record_prot *p);
/* Frees the cipher context and wipes the keys; p may be all zeros. */
void cl_record_prot_clear(cl_record_prot *p);

/* Where the plaintext starts in a record buffer: header plus any explicit nonce. */
size_t cl_record_prot_prefix(const cl_record_prot *p);
/*
 * Bytes a record adds behind the plaintext: inner type (1.3), padding, tag; for CBC-HMAC the
 * most it adds (MAC and up to a block of padding: cl_record_seal says how much it used).
 */
size_t cl_record_prot_suffix(const cl_record_prot *p, size_t pad);

/*
 * Protects the pt_len bytes at rec + prefix as one record of content type `type`, with
 * `pad` zero bytes of padding (TLS 1.3 only; must be 0 for 1.2). Writes the whole record
 * (header first) into rec[0..*rec_len) and advances the sequence number.
 * pt_len + pad is limited to 2^14 so the record obeys the RFC's limits.
 */
int cl_record_seal(cl_record_prot *p, uint8_t type, uint8_t *rec, size_t cap, size_t pt_len,
                   size_t pad, size_t *rec_len);

/*
 * Opens the record rec[0..rec_len) (header included; its length field must equal
 * rec_len - 5). On success *type is the (inner) content type and the plaintext is
 * rec[*pt_off .. *pt_off + *pt_len). Failures: record_overflow for a ciphertext or plaintext
 * over the version's limit, bad_record_mac for a record that does not authenticate or is too
 * short to (CBC: also every bad padding, found in the same time as a bad MAC), unexpected_message
 * for a TLS 1.3 record with no content type. After a failure nothing of the record may be
 * used (the plaintext it held is wiped).
 */
int cl_record_open(cl_record_prot *p, uint8_t *rec, size_t rec_len, uint8_t *type, size_t *pt_off,
                   size_t *pt_len);

#endif /* CLASP_RECORD_PROTECT_H */
