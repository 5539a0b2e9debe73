/*
 * The TLS 1.3 test kit: one test PKI per binary, configurations, a clasp client and server
 * joined in memory, and the tools to misbehave on purpose:
 *  - a per-connection hook (engine.h's test_hook) that counts the outgoing handshake
 *    messages and rewrites or drops one of them before it enters the sender's transcript,
 *    so the receiver gets a well-protected but malformed or misordered message;
 *  - editors for message fields and extension blocks;
 *  - record framing by hand: listing records, re-fragmenting plaintext records, sealing a
 *    TLS 1.3 record of any inner type, length and padding under a connection's write keys.
 * Include after <cmocka.h>.
 */
#ifndef CLASP_TEST_TLS13_KIT_H
#define CLASP_TEST_TLS13_KIT_H

#include <stddef.h>
#include <stdint.h>

#include <clasp/clasp.h>

#include "base/bytes.h"
#include "hs/engine.h"
#include "pki.h"

/* ---- PKI, made once per binary ---- */

typedef struct kit_pki {
    test_ca *ca, *other_ca;
    test_cert server[TK_RSA_PSS + 1]; /* "server.test" and 127.0.0.1, by key (no RSA-4096) */
    test_cert client;                 /* P-256, clientAuth */
    test_cert other_name;             /* P-256, "other.test" */
    test_cert expired;                /* P-256, "server.test", expired */
    test_cert weak;                   /* RSA-1024, "server.test": below 112-bit security */
    test_cert untrusted;              /* P-256, "server.test", issued by other_ca */
    test_cert untrusted_client;       /* P-256, clientAuth, issued by other_ca */
} kit_pki;

extern kit_pki kit;

/* cmocka group setup and teardown: make and free `kit`. */
int kit_setup(void **state);
int kit_teardown(void **state);

/* ---- configurations and pairs ---- */

void kit_add_cert(clasp_config *cfg, const test_cert *c);
/* A server with c's chain, trusting kit.ca (for client certificates). */
/* TLS 1.3 only (the kit tests TLS 1.3), trusting the kit's CA. */
clasp_config *kit_server_config(const test_cert *c);
/* A client trusting kit.ca. */
clasp_config *kit_client_config(void);

typedef struct kit_pair {
    clasp_config *ccfg, *scfg;
    clasp_conn *client, *server;
} kit_pair;

/* Takes both configurations (NULL: kit_client_config() / a P-256 server). */
void kit_open(kit_pair *p, clasp_config *ccfg, clasp_config *scfg, const char *host);
void kit_close(kit_pair *p);
/* Moves all of from's output into to; returns to's feed result. */
int kit_move(clasp_conn *from, clasp_conn *to);
/* The handshake must complete; both sides must agree on version, suite and group. */
void kit_handshake(kit_pair *p);
/* n bytes each way, checked. */
void kit_exchange(kit_pair *p, size_t n);

/* ---- the message hook ---- */

/*
 * An edit of a message c is about to send writes the replacement (header included) into
 * out and returns 0, or returns 0 writing nothing to send the message unchanged, or
 * returns 1 to drop it.
 */
typedef int (*kit_edit)(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg);

typedef struct kit_hook {
    uint8_t type;        /* act on messages of this type, */
    unsigned nth;        /* the nth of them (1: the first), or every one (0) */
    kit_edit edit;       /* NULL: only count */
    void *arg;           /* passed to edit */
    unsigned count[256]; /* messages sent so far, by type (dropped ones included) */
    unsigned edited;     /* how many times edit ran */
} kit_hook;

void kit_hook_install(clasp_conn *c, kit_hook *h);

/* Edits for any message. */
int kit_drop(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg);
int kit_twice(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg);
int kit_trailing_byte(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg);
int kit_truncate(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out,
                 void *arg); /* last byte cut */
int kit_flip_last(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg);
/* A TLS 1.3 Certificate whose first entry is repeated (arg: an unsigned, how many in all). */
int kit_cert_repeat(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg);

/* ---- message editing ---- */

/* A handshake message: type, uint24 length, body. */
void kit_put_msg(cl_writer *w, uint8_t type, const uint8_t *body, size_t len);
/* msg with bytes [off, off + n) replaced by rep[0..rn), its header length fixed. */
void kit_splice(const uint8_t *msg, size_t len, size_t off, size_t n, const void *rep, size_t rn,
                cl_writer *out);

/* Offsets in a ClientHello or ServerHello (header included). */
#define KIT_HELLO_SID_OFF (4 + 2 + 32)            /* legacy_session_id(_echo) length byte */
size_t kit_ch_suites_off(const uint8_t *ch);      /* cipher_suites length */
size_t kit_ch_compression_off(const uint8_t *ch); /* legacy_compression_methods length */
size_t kit_sh_suite_off(const uint8_t *sh);       /* cipher_suite; compression follows */

/* An extension block, editable. Data pointers must outlive kit_exts_write. */
#define KIT_MAX_EXTS 64
typedef struct kit_exts {
    size_t n;
    uint16_t type[KIT_MAX_EXTS];
    const uint8_t *data[KIT_MAX_EXTS];
    size_t len[KIT_MAX_EXTS];
    size_t off, end; /* the block in the message, its length prefix included */
} kit_exts;

/* The extensions of a ClientHello, ServerHello, EncryptedExtensions, CertificateRequest
 * or NewSessionTicket (asserts it is one of them and well formed). */
void kit_exts_read(const uint8_t *msg, size_t len, kit_exts *e);
int kit_exts_find(const kit_exts *e, uint16_t type); /* index, or -1 */
void kit_exts_del(kit_exts *e, uint16_t type);
/* Inserts at pos (>= n: at the end). */
void kit_exts_add(kit_exts *e, size_t pos, uint16_t type, const void *data, size_t len);
void kit_exts_set(kit_exts *e, uint16_t type, const void *data, size_t len);
/* msg with its extension block replaced by e. */
void kit_exts_write(const uint8_t *msg, size_t len, const kit_exts *e, cl_writer *out);

/* ---- records ---- */

typedef struct kit_rec {
    uint8_t type;
    uint16_t version;
    const uint8_t *body;
    size_t len;
} kit_rec;

/* The records in buf (at most max); asserts that buf ends on a record boundary. */
size_t kit_records(const uint8_t *buf, size_t len, kit_rec *out, size_t max);
/* All of c's output, copied into a malloc'd buffer and marked as sent. */
uint8_t *kit_take(clasp_conn *c, size_t *len);
/* Feeds all of buf to c, stopping at an error; returns the last feed result. */
int kit_feed(clasp_conn *c, const uint8_t *buf, size_t len);
/* Re-frames plaintext records: each run of records of one type is joined, then cut into
 * records of at most frag bytes with the run's first record version. Protected records
 * (application_data) are copied as they are. malloc'd. */
uint8_t *kit_reframe(const uint8_t *buf, size_t len, size_t frag, size_t *out_len);
/* A plaintext record (version 0x0303) into out; returns its length. */
size_t kit_plain_record(uint8_t type, const void *body, size_t n, uint8_t *out);
/*
 * Seals one TLS 1.3 record by hand under c's current write keys (RFC 8446 5.2-5.4: inner
 * plaintext = content, type, pad zeros; nonce = iv XOR sequence number), advancing c's
 * sequence number. Nothing checks the limits, so records clasp would never send can be
 * made. Writes into out (cap bytes) and returns the record's length.
 */
size_t kit_seal13(clasp_conn *c, uint8_t type, const uint8_t *content, size_t n, size_t pad,
                  uint8_t *out, size_t cap);

#endif /* CLASP_TEST_TLS13_KIT_H */
