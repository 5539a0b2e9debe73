/*
 * clasp: watching a handshake happen.
 *
 * A trace callback receives one event per handshake message sent or received, per record,
 * per key-schedule step, per alert, and per decision the engine takes (the version chosen,
 * why a HelloRetryRequest was sent, a certificate verified, a session resumed). Events carry
 * names, lengths and public values only: never a secret. The key log is a separate,
 * explicit feature for decrypting captures in Wireshark.
 *
 * Callbacks run on the thread that drives the connection, inside clasp calls: they must not
 * call back into the same connection. Every pointer in an event is valid only during the
 * call.
 */
#ifndef CLASP_TRACE_H
#define CLASP_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include <clasp/config.h>
#include <clasp/export.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum clasp_trace_kind {
    CLASP_TRACE_MESSAGE = 1, /* a handshake message, or a ChangeCipherSpec */
    CLASP_TRACE_RECORD = 2,  /* a record as it crosses the wire */
    CLASP_TRACE_KEY = 3,     /* a secret or key derived (its name and length only) */
    CLASP_TRACE_ALERT = 4,   /* an alert */
    CLASP_TRACE_NOTE = 5,    /* a decision or a check and its result */
} clasp_trace_kind;

/* One detail of an event: a name and its value as text. */
typedef struct clasp_trace_field {
    const char *name;
    const char *value;
} clasp_trace_field;

typedef struct clasp_trace_event {
    clasp_trace_kind kind;
    int outgoing; /* 1: this side sent it (or derived it); 0: it was received */
    /*
     * MESSAGE: "ClientHello", "ServerHello", "HelloRetryRequest", "ChangeCipherSpec", ...
     * RECORD: "handshake", "alert", "application_data", "change_cipher_spec".
     * KEY: "client_handshake_traffic_secret", "master_secret", "server_write_key", ...
     * ALERT: the alert's name ("close_notify", "bad_certificate").
     * NOTE: what was decided or checked: "version", "hello_retry_request",
     *       "certificate_verified", "signature_checked" (CertificateVerify, and TLS 1.2's
     *       ServerKeyExchange), "finished_verified", "resumed", "session_stored",
     *       "handshake_done", "failure" (docs/trace.md lists their fields).
     */
    const char *name;
    const clasp_trace_field *fields; /* details in order (see docs/trace.md) */
    size_t n_fields;
    /* MESSAGE: the message as on the wire, handshake header included; NULL for a Finished,
     * whose verify_data never leaves the library (len still gives its length). */
    const uint8_t *data;
    size_t len;
    /* RECORD: the header's type and version, the length of its body, and whether it is
     * protected (encrypted and authenticated). KEY: len is the secret's length. */
    uint8_t content_type;
    uint16_t record_version;
    int protected_;
} clasp_trace_event;

typedef void (*clasp_trace_cb)(void *arg, clasp_conn *conn, const clasp_trace_event *ev);

/* Every connection of the configuration reports to cb (NULL: no tracing, the default). */
CLASP_API int clasp_config_set_trace(clasp_config *cfg, clasp_trace_cb cb, void *arg);

/*
 * The first n application_data records each connection sends under a TLS 1.2 CBC suite
 * (default 0) are traced step by step as the seeds describe the record layer: their
 * CLASP_TRACE_RECORD event carries fields for the fragment, the compression (always null),
 * the MAC's input and the MAC, the padding, the IV, the ciphertext and the header
 * (docs/trace.md). Those fields hold the record's plaintext: for demonstrations and
 * debugging. Never a key. Other records carry no fields.
 */
CLASP_API int clasp_config_set_trace_records(clasp_config *cfg, unsigned n);

/*
 * The NSS key log (SSLKEYLOGFILE format): one line per secret, without the newline, e.g.
 * "CLIENT_HANDSHAKE_TRAFFIC_SECRET <client random> <secret>" (TLS 1.3) or
 * "CLIENT_RANDOM <client random> <master secret>" (TLS 1.2). Whoever holds these lines
 * decrypts the connection: enable this for debugging only.
 */
typedef void (*clasp_keylog_cb)(void *arg, clasp_conn *conn, const char *line);
CLASP_API int clasp_config_set_keylog(clasp_config *cfg, clasp_keylog_cb cb, void *arg);

#ifdef __cplusplus
}
#endif

#endif /* CLASP_TRACE_H */
