/*
 * The runner behind test_tls12_alerts.c and test_tls13_alerts.c: the case table's
 * vocabulary (acase, its E_ expectations, extension edits and injections), the setups,
 * edits and injections both versions use, and the run itself: open a pair, let one side
 * misbehave, and check that the other (the victim) fails with the case's error, sends the
 * case's alert and releases no application data.
 *
 * What differs between the versions (their configurations, when a misbehaving side can
 * first send application data, how a record is sealed by hand) is an ar_version, which
 * ar_run_group makes current for the whole group. The shared setups, edits and injections
 * keep the names the tables always used, so the tables read as before.
 * Include after <cmocka.h>.
 */
#ifndef CLASP_TEST_ALERT_RUNNER_H
#define CLASP_TEST_ALERT_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include <clasp/clasp.h>

#include "tls13_kit.h"

/* ---- what a case does ---- */

typedef enum side { BAD_CLIENT, BAD_SERVER } side;

/* Bytes, for the edits and injections. */
typedef struct xbytes {
    const uint8_t *p;
    size_t n;
} xbytes;

#define B(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})
#define XB(...)                                                                                    \
    &(xbytes)                                                                                      \
    {                                                                                              \
        B(__VA_ARGS__)                                                                             \
    }
#define U16(v)                                                                                     \
    &(uint16_t)                                                                                    \
    {                                                                                              \
        v                                                                                          \
    }

/* Extension edits (edit_exts), applied in order. */
enum { X_END, X_ADD, X_ADD_FRONT, X_ADD_BEFORE_LAST, X_DEL, X_SET, X_DUP };
typedef struct xop {
    int op;
    uint16_t type;
    const uint8_t *data;
    size_t len;
} xop;

/* Records the misbehaving side sends after a completed handshake. */
enum {
    I_WRITE = 1, /* cl_rl_write(type, data) under its keys, count times */
    I_SEAL,      /* ar_version.seal(type, data, pad) by hand (no limits), count times */
    I_RAW,       /* the bytes as they are, straight to the victim */
    I_KEY_UPDATE /* clasp_conn_key_update(0), count times */
};
typedef struct inj {
    int how;
    uint8_t type;
    const uint8_t *data;
    size_t len;
    unsigned count;
    size_t pad;    /* TLS 1.3 only */
    int unlimited; /* ignore the peer's record_size_limit */
} inj;

typedef struct acase {
    const char *name;
    side bad;                      /* the side that misbehaves */
    void (*setup)(kit_pair *p);    /* configurations; NULL: setup_with(p, NULL, NULL) */
    uint8_t msg;                   /* the hook edits this message type, */
    unsigned nth;                  /* its nth occurrence (0: every one), */
    kit_edit edit;                 /* with this edit (NULL: no edit), */
    const void *arg;               /* given this */
    void (*start)(kit_pair *p);    /* or: done before (and instead of) the usual exchange */
    void (*then)(kit_pair *p);     /* done when the exchange stalls (no error, not done) */
    const inj *after;              /* or: sent after a completed handshake */
    void (*after_fn)(kit_pair *p); /* or: done after a completed handshake */
    int err;                       /* the victim's error */
    int alert;                     /* the alert the victim sends and the other receives */
    const char *why;               /* when set, a part of the victim's error detail */
} acase;

#define OPS(...)                                                                                   \
    .edit = edit_exts, .arg = (xop[])                                                              \
    {                                                                                              \
        __VA_ARGS__,                                                                               \
        {                                                                                          \
            X_END, 0, NULL, 0                                                                      \
        }                                                                                          \
    }
#define AFTER(...)                                                                                 \
    .after = &(inj)                                                                                \
    {                                                                                              \
        __VA_ARGS__                                                                                \
    }

#define E_DECODE     .err = CLASP_ERR_DECODE, .alert = CLASP_ALERT_DECODE_ERROR
#define E_ILLEGAL    .err = CLASP_ERR_ILLEGAL_PARAMETER, .alert = CLASP_ALERT_ILLEGAL_PARAMETER
#define E_UNEXPECTED .err = CLASP_ERR_UNEXPECTED_MESSAGE, .alert = CLASP_ALERT_UNEXPECTED_MESSAGE
#define E_MISSING    .err = CLASP_ERR_MISSING_EXTENSION, .alert = CLASP_ALERT_MISSING_EXTENSION
#define E_UNSUPPORTED_EXT                                                                          \
    .err = CLASP_ERR_UNSUPPORTED_EXTENSION, .alert = CLASP_ALERT_UNSUPPORTED_EXTENSION
#define E_HS_FAILURE .err = CLASP_ERR_HANDSHAKE_FAILURE, .alert = CLASP_ALERT_HANDSHAKE_FAILURE
#define E_VERSION    .err = CLASP_ERR_PROTOCOL_VERSION, .alert = CLASP_ALERT_PROTOCOL_VERSION
#define E_DECRYPT    .err = CLASP_ERR_DECRYPT, .alert = CLASP_ALERT_DECRYPT_ERROR
#define E_OVERFLOW   .err = CLASP_ERR_RECORD_OVERFLOW, .alert = CLASP_ALERT_RECORD_OVERFLOW
#define E_BAD_MAC    .err = CLASP_ERR_BAD_RECORD_MAC, .alert = CLASP_ALERT_BAD_RECORD_MAC
#define E_BAD_CERT   .err = CLASP_ERR_BAD_CERTIFICATE, .alert = CLASP_ALERT_BAD_CERTIFICATE
#define E_UNKNOWN_CA .err = CLASP_ERR_UNKNOWN_CA, .alert = CLASP_ALERT_UNKNOWN_CA
#define E_INSUFFICIENT                                                                             \
    .err = CLASP_ERR_INSUFFICIENT_SECURITY, .alert = CLASP_ALERT_INSUFFICIENT_SECURITY

/* ---- what differs between the versions ---- */

typedef struct ar_version {
    clasp_config *(*client)(void);               /* a client trusting kit.ca */
    clasp_config *(*server)(const test_cert *c); /* a server with c's chain */
    /* Sends ar_secret if bad already has keys for application data; returns whether it did. */
    int (*leak)(clasp_conn *bad);
    /* Seals in's record (type, data, pad) under c's write keys into out; returns its length. */
    size_t (*seal)(clasp_conn *c, const inj *in, uint8_t *out, size_t cap);
} ar_version;

/* Application data the victim must never release. */
extern const uint8_t ar_secret[];
extern const size_t ar_secret_len;

/*
 * Runs one cmocka group (under kit_setup and kit_teardown): a test per case, named after
 * it, then the extra tests. v is current for all of them.
 */
int ar_run_group(const char *group, const acase *cases, size_t n, const ar_version *v,
                 const struct CMUnitTest *extra, size_t n_extra);

/* ---- setups (configurations from the current version) ---- */

/* Takes both configurations (NULL: the version's client / a P-256 server), "server.test". */
void setup_with(kit_pair *p, clasp_config *ccfg, clasp_config *scfg);
/* The version's client with these suites, groups and schemes (NULL: unchanged). */
clasp_config *client_with(const char *suites, const char *groups, const char *schemes);
void s_p256(kit_pair *p);         /* the client offers secp256r1 only */
void s_record_limit(kit_pair *p); /* the client's record_size_limit is 512 */
void s_alpn(kit_pair *p, const char *client, const char *server);
void s_alpn_mismatch(kit_pair *p); /* http/1.1 against h2 */
void s_wrong_name(kit_pair *p);    /* the client asks for "wrong.test" */
void s_untrusted(kit_pair *p);     /* the server's certificate is from another CA */
void s_expired(kit_pair *p);
/* The server asks for a client certificate: s_request of a client without one, s_mutual
 * (requires) and the others of a client with one, s_require_none requires one of a client
 * without. */
void s_request(kit_pair *p);
void s_mutual(kit_pair *p);
void s_mutual_optional(kit_pair *p);
void s_mutual_narrow(kit_pair *p); /* the server accepts ecdsa_secp256r1_sha256 only */
void s_require_none(kit_pair *p);
void s_untrusted_client(kit_pair *p);

/* ---- edits (arg as named) ---- */

void put_u16(uint8_t *p, size_t v);
/* The extension block edited by the xop list in arg (see OPS). */
int edit_exts(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg);
/* legacy_version of a ClientHello or ServerHello (arg: a uint16_t). */
int edit_hello_version(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg);
/* The legacy_session_id(_echo) vector (length included) of a hello (arg: xbytes). */
int edit_session_id(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg);
/* The ClientHello's compression methods vector (length included) (arg: xbytes). */
int edit_ch_compression(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg);
/* The ServerHello's cipher suite (arg: a uint16_t), or its compression method set to 1. */
int edit_sh_suite(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg);
int edit_sh_compression(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg);
/* CertificateVerify: its scheme (arg: a uint16_t), or an empty signature. */
int edit_cv_scheme(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg);
int edit_cv_empty(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg);

/* ---- injections before and after the handshake ---- */

void feed_server(kit_pair *p, const uint8_t *rec, size_t n);
void start_app_data(kit_pair *p);      /* application data before the ClientHello */
void start_ccs(kit_pair *p);           /* a change_cipher_spec before the ClientHello */
void start_big_plaintext(kit_pair *p); /* a record header announcing 2^14 + 1 bytes */
/* The client's application data, its last byte flipped, or its header's version changed. */
void after_tamper(kit_pair *p);
void after_header_version(kit_pair *p);

#endif /* CLASP_TEST_ALERT_RUNNER_H */
