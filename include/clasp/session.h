/*
 * clasp: sessions, resumption and session tickets (docs/api.md, "Sessions and resumption").
 *
 * A session is what a later connection needs to skip the certificates and the key exchange
 * of a full handshake: TLS 1.2 resumption by session ID or by ticket (RFC 5077), TLS 1.3
 * resumption by ticket (a pre-shared key, RFC 8446 2.2). Clients hold sessions as handles:
 * opaque, reference-counted, immutable. Servers keep no handles: their sessions live in
 * tickets sealed under the ticket keys (stateless), or in their cache or session store
 * (stateful).
 *
 * A session holds a secret (the TLS 1.2 master secret, or the ticket's PSK): an exported
 * session must be stored like a key.
 */
#ifndef CLASP_SESSION_H
#define CLASP_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include <clasp/config.h>
#include <clasp/export.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct clasp_session clasp_session;

/* ---- session handles (clients) ---- */

/*
 * The connection's session, as a new reference (free it with clasp_session_free), or NULL
 * when there is none. TLS 1.2: the session the handshake made or resumed (once the
 * handshake is done). TLS 1.3: the newest ticket the server sent that no connection has
 * offered yet; tickets arrive after the handshake, so read (clasp_conn_read) until one has
 * come, or use the session callback.
 */
CLASP_API clasp_session *clasp_conn_get_session(clasp_conn *conn);
/*
 * Clients, before the handshake starts: offer this session. The connection takes its own
 * reference. It is offered only if it was made for the same server name and verified the
 * same way (same trust anchors and signature schemes), for a version and a cipher suite
 * (TLS 1.3: a suite with the same hash) this configuration offers, and not expired; else
 * the handshake is a full one. A TLS 1.3 ticket is offered once: a second connection given
 * the same handle does not offer it again (RFC 8446 C.4).
 * CLASP_ERR_STATE when the handshake has started or on a server.
 */
CLASP_API int clasp_conn_set_session(clasp_conn *conn, clasp_session *session);

CLASP_API clasp_session *clasp_session_up_ref(clasp_session *session);
/* Drops a reference; the last one wipes the session. NULL is ok. */
CLASP_API void clasp_session_free(clasp_session *session);
/* CLASP_TLS12 or CLASP_TLS13. */
CLASP_API uint16_t clasp_session_version(const clasp_session *session);
/*
 * When the session stops being resumable, in seconds since the epoch: its full handshake's
 * time plus its lifetime (a client's TLS 1.3 ticket: the ticket's lifetime). An external
 * session store can import what it is given to put and use this as the entry's expiry.
 */
CLASP_API uint64_t clasp_session_expiry(const clasp_session *session);
/*
 * 1 when the session may still be offered: not expired, not a TLS 1.3 ticket already
 * offered, and not from a connection that ended with a fatal alert (RFC 5246 7.2).
 */
CLASP_API int clasp_session_is_resumable(const clasp_session *session);

/*
 * Export to bytes and import back, for keeping sessions across processes. The format has a
 * magic and a version byte; the importer is strict (CLASP_ERR_DECODE for anything it does
 * not know). Export: CLASP_ERR_BUFFER_TOO_SMALL with *len set to the size needed when cap
 * is too small (buf may be NULL then). The bytes hold the session's secret.
 */
CLASP_API int clasp_session_export(const clasp_session *session, uint8_t *buf, size_t cap,
                                   size_t *len);
CLASP_API int clasp_session_import(const uint8_t *buf, size_t len, clasp_session **out);

/*
 * Clients: called with every new session as it arrives: TLS 1.3 tickets (after the
 * handshake, whenever the server sends one), and a TLS 1.2 session at the end of a full
 * handshake (or of a resumption that brought a new ticket). The callback owns the
 * reference it receives. It runs inside clasp calls on the connection's thread and must
 * not call back into that connection.
 */
typedef void (*clasp_session_cb)(clasp_conn *conn, clasp_session *session, void *arg);
CLASP_API int clasp_config_set_session_callback(clasp_config *cfg, clasp_session_cb cb, void *arg);

/* ---- tickets ---- */

/*
 * Servers: TLS 1.3 NewSessionTickets sent after each handshake (default 2; 0: none) and,
 * when not 0, TLS 1.2 tickets (RFC 5077) for clients that ask. Clients: 0 stops asking for
 * TLS 1.2 tickets (they are asked for by default).
 */
CLASP_API int clasp_config_set_tickets(clasp_config *cfg, unsigned count);

typedef enum clasp_ticket_mode {
    /* The session is sealed into the ticket under the ticket keys: no server state, and a
     * ticket can be used more than once while it lives (default). */
    CLASP_TICKETS_STATELESS = 0,
    /* The TLS 1.3 ticket is a random ID; the session waits in the session cache or store
     * and is removed when used, so each ticket resumes once. TLS 1.2 resumes by session
     * ID in this mode (no RFC 5077 tickets). */
    CLASP_TICKETS_STATEFUL = 1,
} clasp_ticket_mode;

CLASP_API int clasp_config_set_ticket_mode(clasp_config *cfg, clasp_ticket_mode mode);

/*
 * TLS 1.3 psk_ke: resumption without a new (EC)DHE exchange, so without forward secrecy for
 * that connection (docs/security.md). Servers accept it when a client offers only it
 * (default: on; psk_dhe_ke is always preferred); clients offer it besides psk_dhe_ke
 * (default: off).
 */
CLASP_API int clasp_config_set_psk_ke(clasp_config *cfg, int on);

/*
 * Servers: how far the client's view of a TLS 1.3 ticket's age (RFC 8446 4.2.11.1) may be
 * from the server's, in milliseconds (default 10000). Outside it: a full handshake.
 */
CLASP_API int clasp_config_set_ticket_age_window(clasp_config *cfg, unsigned ms);

/*
 * Servers: the configuration's identity for resumption (1 to 64 bytes). A session is resumed
 * only by a configuration with the same identity and the same client-certificate policy
 * (verify mode and trust anchors). The default is a random value per configuration object,
 * so two configurations never resume each other's sessions; servers that share tickets or a
 * session store (several processes, a fleet) set the same identity on each.
 */
CLASP_API int clasp_config_set_session_id_context(clasp_config *cfg, const uint8_t *id, size_t len);

/* ---- ticket keys (servers) ---- */

/*
 * Session ticket encryption keys: one active key seals new tickets, older ones still open
 * the tickets they sealed. Thread-safe and reference counted: a configuration points to
 * one, and another thread may replace its keys at any time (from a file, from a fleet's
 * key service) while connections use it.
 */
typedef struct clasp_ticket_keys clasp_ticket_keys;

#define CLASP_TICKET_KEY_NAME_LEN   16
#define CLASP_TICKET_KEY_SECRET_LEN 32

typedef struct clasp_ticket_key {
    uint8_t name[CLASP_TICKET_KEY_NAME_LEN];     /* travels in the ticket: pick it at random */
    uint8_t secret[CLASP_TICKET_KEY_SECRET_LEN]; /* random, never reused */
    uint64_t not_before; /* seconds since the epoch when it may start sealing tickets */
} clasp_ticket_key;

/*
 * Keys that rotate themselves: a fresh random key every rotate_seconds, the newest `keep`
 * kept (0 for either: the defaults, 43200 s and 3). A ticket stays openable for about
 * (keep - 1) * rotate_seconds after its key stopped sealing: keep that above the session
 * lifetime. NULL when out of memory.
 */
CLASP_API clasp_ticket_keys *clasp_ticket_keys_new(unsigned rotate_seconds, unsigned keep);
CLASP_API clasp_ticket_keys *clasp_ticket_keys_up_ref(clasp_ticket_keys *tk);
/* Drops a reference; the last one wipes the keys. NULL is ok. */
CLASP_API void clasp_ticket_keys_free(clasp_ticket_keys *tk);
/*
 * Replaces every key with these (1 to 16, distinct names) and turns automatic rotation off.
 * The key with the latest not_before that has come seals; all of them open. Atomic: a
 * connection sees the old set or the new one.
 */
CLASP_API int clasp_ticket_keys_set(clasp_ticket_keys *tk, const clasp_ticket_key *keys, size_t n);
/*
 * clasp_ticket_keys_set from a key file: one key per line, "NAME SECRET NOT_BEFORE" (32 and
 * 64 hex digits, then seconds since the epoch), blank lines and lines starting with '#'
 * ignored. Rewrite it atomically (write another file, then rename it over this one).
 * CLASP_ERR_FILE when unreadable, CLASP_ERR_INVALID_ARG (keys unchanged) when malformed.
 */
CLASP_API int clasp_ticket_keys_load_file(clasp_ticket_keys *tk, const char *path);
/*
 * Key rings kept outside the process, for a fleet of servers that share their keys (docs/
 * api.md, "Fleets"): the key file's text in memory, and the rotation rule.
 *
 * clasp_ticket_keys_parse reads key-file text (len bytes, at most 65536; NUL not needed)
 * into keys[0..cap) and sets *n (0 for text with no key lines); CLASP_ERR_INVALID_ARG when
 * malformed or holding more than cap keys. clasp_ticket_keys_format writes keys in that
 * format, one line each, NUL-terminated; *len is the text's length without the NUL, and
 * CLASP_ERR_BUFFER_TOO_SMALL says cap was too small (buf may be NULL to ask the size).
 */
CLASP_API int clasp_ticket_keys_parse(const char *text, size_t len, clasp_ticket_key *keys,
                                      size_t cap, size_t *n);
CLASP_API int clasp_ticket_keys_format(const clasp_ticket_key *keys, size_t n, char *buf,
                                       size_t cap, size_t *len);
/*
 * One rotation step over a ring of keys ring[0..*n) (room for cap), at `now` (seconds since
 * the epoch). The ring is sorted newest not_before first; then a fresh random key is added
 * when one is due, and the oldest keys beyond `keep` (2 to 16) are dropped. A key is due
 * when the ring is empty (it seals from now), or when period is 0 (a rotation asked for by
 * hand), or when the newest key has sealed for nearly `period` seconds. The new key's
 * not_before is `announce` seconds ahead at least (after the newest key's plus period, with a
 * period): every server reads it before any seals with it, so every server opens every
 * ticket. Returns 1 when a key was added, 0 when none was due, or a negative clasp_err.
 */
CLASP_API int clasp_ticket_key_ring_rotate(clasp_ticket_key *ring, size_t *n, size_t cap,
                                           uint64_t now, unsigned period, unsigned announce,
                                           unsigned keep);

/*
 * Servers: use these ticket keys (the configuration takes a reference). Without this call
 * a server configuration has its own automatically rotating keys.
 */
CLASP_API int clasp_config_set_ticket_keys(clasp_config *cfg, clasp_ticket_keys *tk);

#ifdef __cplusplus
}
#endif

#endif /* CLASP_SESSION_H */
