/*
 * clasp: connections and the sans-I/O engine.
 *
 * A connection never touches a socket. Give it the bytes that arrive (clasp_conn_feed),
 * send what it has to send (clasp_conn_output / clasp_conn_output_done), and exchange
 * application data with clasp_conn_read and clasp_conn_write. clasp/io.h drives a file
 * descriptor with the same engine for the common case.
 *
 * Errors are sticky: after the first failure the connection queues its alert (send the
 * output!), and every later call returns the same error. No plaintext is released after an
 * error, and none before the handshake has authenticated the peer.
 */
#ifndef CLASP_CONN_H
#define CLASP_CONN_H

#include <stddef.h>
#include <stdint.h>

#include <clasp/config.h>
#include <clasp/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A new connection using cfg (which it references and freezes). A client starts its
 * handshake at once: its ClientHello is in the output after clasp_conn_set_server_name (or
 * at the first feed/output call). NULL when out of memory.
 */
CLASP_API clasp_conn *clasp_conn_new(clasp_config *cfg);
/* Frees the connection and wipes its secrets. NULL is ok. Sends nothing: close first. */
CLASP_API void clasp_conn_free(clasp_conn *conn);

/*
 * Clients: the server's name, sent as SNI (unless it is an IP address) and checked against
 * the certificate (DNS name, or IP address SAN for an address). Call before the handshake.
 * Without it, a client refuses to start (CLASP_ERR_STATE): there is nothing to verify the
 * certificate against. A name is an IPv6 address when it has a colon ("::1", no brackets),
 * an IPv4 address when its last label is a number, and then only in strict dotted-decimal
 * form ("10.0.0.1"; "010.0.0.1", "1.2.3" and "0x7f.0.0.1" are refused: resolvers read them
 * as other addresses), else a DNS name (letters, digits, '-', '_'; A-labels for IDNs). A
 * trailing dot is dropped. CLASP_ERR_INVALID_ARG for anything else.
 */
CLASP_API int clasp_conn_set_server_name(clasp_conn *conn, const char *name);
/* Servers, from the servername callback only: continue with another configuration. */
CLASP_API int clasp_conn_set_config(clasp_conn *conn, clasp_config *cfg);

/* ---- the engine ---- */

/*
 * Hands received bytes to the engine, which processes every complete record they finish:
 * handshake messages advance the handshake (its replies are queued as output), application
 * data waits for clasp_conn_read. *consumed is how many bytes were taken; fewer than len
 * means the engine's buffer is full of unread application data (read, then feed the rest),
 * or that the output is over its bound (send it, then feed the rest).
 * Returns CLASP_OK or the connection's error.
 */
CLASP_API int clasp_conn_feed(clasp_conn *conn, const uint8_t *in, size_t len, size_t *consumed);
/* The transport reached end of file: CLASP_ERR_CLOSED after a close_notify, else
 * CLASP_ERR_TRUNCATED (the data may have been cut short by an attacker). */
CLASP_API int clasp_conn_feed_eof(clasp_conn *conn);

/*
 * The bytes waiting to be sent (*len may be 0); the pointer is valid until the next call on
 * the connection. After sending n of them, call clasp_conn_output_done(conn, n).
 */
CLASP_API void clasp_conn_output(clasp_conn *conn, const uint8_t **out, size_t *len);
CLASP_API void clasp_conn_output_done(clasp_conn *conn, size_t n);

/* 1 once the handshake has completed (peer authenticated, keys in place). */
CLASP_API int clasp_conn_handshake_done(const clasp_conn *conn);

/*
 * Copies up to len bytes of received application data into buf. Returns CLASP_OK with
 * *n > 0, CLASP_WANT_READ when no data is waiting (feed more), CLASP_WANT_WRITE when the
 * output must be sent before more input is processed (the peer keeps asking for answers,
 * e.g. KeyUpdates, that are not being sent: the output is bounded), CLASP_ERR_CLOSED when
 * the peer has closed (close_notify), or the connection's error.
 */
CLASP_API int clasp_conn_read(clasp_conn *conn, uint8_t *buf, size_t len, size_t *n);
/*
 * Protects up to len bytes of application data into the output. *n is how many were
 * taken; CLASP_WANT_WRITE when the output is full (send it, then write again). Before the
 * handshake is done: CLASP_ERR_STATE.
 */
CLASP_API int clasp_conn_write(clasp_conn *conn, const uint8_t *buf, size_t len, size_t *n);
/* Queues close_notify; nothing may be written after it. */
CLASP_API int clasp_conn_close(clasp_conn *conn);
/*
 * TLS 1.3: sends a KeyUpdate and switches to new sending keys; with request_peer the peer
 * is asked to update its keys too.
 */
CLASP_API int clasp_conn_key_update(clasp_conn *conn, int request_peer);

/* Sessions and resumption (clasp_conn_get_session, clasp_conn_set_session): clasp/session.h. */

/* ---- what was negotiated ---- */

CLASP_API uint16_t clasp_conn_version(const clasp_conn *conn);      /* 0 before known */
CLASP_API uint16_t clasp_conn_cipher_suite(const clasp_conn *conn); /* IANA value, 0 before */
CLASP_API uint16_t clasp_conn_group(const clasp_conn *conn);        /* 0 when none */
CLASP_API uint16_t clasp_conn_peer_signature_scheme(const clasp_conn *conn);
/* The negotiated ALPN protocol (NUL-terminated), or NULL. */
CLASP_API const char *clasp_conn_alpn(const clasp_conn *conn);
/* The server name: the one set by a client, or the one a server received; or NULL. */
CLASP_API const char *clasp_conn_server_name(const clasp_conn *conn);
/* 1 when the handshake resumed a session (TLS 1.2 by session ID or ticket, TLS 1.3 by ticket). */
CLASP_API int clasp_conn_resumed(const clasp_conn *conn);
/*
 * 1 when records are protected by encrypt-then-MAC (RFC 7366: a TLS 1.2 CBC suite whose peer
 * agreed to it); 0 for MAC-then-encrypt CBC records, AEAD suites, and before the keys.
 */
CLASP_API int clasp_conn_encrypt_then_mac(const clasp_conn *conn);

/* The peer's certificate chain as received (leaf first): count, and each one's DER. */
CLASP_API size_t clasp_conn_peer_cert_count(const clasp_conn *conn);
CLASP_API const uint8_t *clasp_conn_peer_cert(const clasp_conn *conn, size_t i, size_t *len);
/* A one-line summary of peer certificate i (subject, issuer, key, validity) into buf. */
CLASP_API int clasp_conn_peer_cert_summary(const clasp_conn *conn, size_t i, char *buf, size_t cap);

/* The connection's sticky error (CLASP_OK while healthy). */
CLASP_API int clasp_conn_error(const clasp_conn *conn);
/*
 * A sentence about the error for people: clasp_strerror plus what was being done and what
 * differed, e.g. "certificate verify failed: hostname mismatch (wanted example.com)".
 * Never NULL.
 */
CLASP_API const char *clasp_conn_error_detail(const clasp_conn *conn);
/* The alert this side sent / received (description value), or -1 when none. */
CLASP_API int clasp_conn_alert_sent(const clasp_conn *conn);
CLASP_API int clasp_conn_alert_received(const clasp_conn *conn);

/* Names for people: "TLS_AES_128_GCM_SHA256", "x25519", "rsa_pss_rsae_sha256", "TLS 1.3". */
CLASP_API const char *clasp_cipher_suite_name(uint16_t suite);
CLASP_API const char *clasp_group_name(uint16_t group);
CLASP_API const char *clasp_signature_scheme_name(uint16_t scheme);
CLASP_API const char *clasp_version_name(uint16_t version);

#ifdef __cplusplus
}
#endif

#endif /* CLASP_CONN_H */
