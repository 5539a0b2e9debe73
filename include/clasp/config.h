/*
 * clasp: configuration objects.
 *
 * A configuration holds what many connections share: role, versions, cipher suites, groups,
 * certificates and keys, trust anchors, verification mode, ALPN. Build it, then create
 * connections from it. The first clasp_conn_new freezes it: setters then fail with
 * CLASP_ERR_STATE, so a configuration in use never changes under a connection. It is
 * reference counted and may be shared by connections in several threads.
 *
 * Certificates and keys are parsed once, when added; connections only send the DER.
 */
#ifndef CLASP_CONFIG_H
#define CLASP_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include <clasp/export.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct clasp_config clasp_config;
typedef struct clasp_conn clasp_conn;

typedef enum clasp_role {
    CLASP_CLIENT = 0,
    CLASP_SERVER = 1,
} clasp_role;

/* Protocol versions, as on the wire. */
#define CLASP_TLS12 0x0303
#define CLASP_TLS13 0x0304

/*
 * A new configuration with safe defaults: TLS 1.2 and TLS 1.3; the TLS 1.3 suites
 * TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256, then the
 * TLS 1.2 ECDHE suites with AES-GCM and ChaCha20-Poly1305 (ECDSA before RSA); RSA key
 * exchange is implemented but not in the default list (it has no forward secrecy: add
 * TLS_RSA_WITH_AES_128_GCM_SHA256 and friends with clasp_config_set_cipher_suites), and so
 * are TLS_AES_128_CCM_SHA256, the TLS_DHE_RSA_WITH_* suites and the TLS 1.2 CBC-HMAC
 * suites (TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, ..., TLS_RSA_WITH_AES_128_CBC_SHA:
 * docs/api.md, docs/security.md); groups x25519, secp256r1, secp384r1 (one key share: the
 * first; secp521r1, x448, ffdhe2048, ffdhe3072 and ffdhe4096 are implemented but not offered
 * unless listed); signature schemes ECDSA (P-256, P-384, P-521), Ed25519, RSA-PSS and RSA
 * PKCS#1; the server's preference order;
 * extended master secret required; and for clients peer verification against the trust
 * anchors (there is no way to turn it off). NULL when out of memory. The caller owns one
 * reference.
 */
CLASP_API clasp_config *clasp_config_new(clasp_role role);
/* Takes another reference. */
CLASP_API clasp_config *clasp_config_up_ref(clasp_config *cfg);
/* Drops a reference; the last one frees the configuration and wipes its keys. NULL is ok. */
CLASP_API void clasp_config_free(clasp_config *cfg);

/*
 * Adds a certificate chain (PEM, leaf first, intermediates after) with its private key
 * (PEM: PKCS#8 or traditional, unencrypted). A server may hold several (for example ECDSA
 * and RSA); each handshake uses the first whose key suits the client's signature_algorithms.
 * A client's chain is sent when a server asks for one.
 * Errors: CLASP_ERR_FILE (unreadable), CLASP_ERR_BAD_CERTIFICATE, CLASP_ERR_BAD_KEY (key
 * does not match the certificate, or no TLS use), CLASP_ERR_STATE (frozen).
 */
CLASP_API int clasp_config_add_cert_chain_file(clasp_config *cfg, const char *chain_path,
                                               const char *key_path);
CLASP_API int clasp_config_add_cert_chain_pem(clasp_config *cfg, const uint8_t *chain_pem,
                                              size_t chain_len, const uint8_t *key_pem,
                                              size_t key_len);

/*
 * Trust anchors for verifying the peer: a PEM file, a hashed directory, PEM bytes, or the
 * system's default store. A client with none verifies against nothing and so fails every
 * handshake; call clasp_config_load_verify_default for the system's roots. The names of
 * anchors added from a file or PEM bytes are what a server lists as acceptable CAs when it
 * asks for a client certificate.
 */
CLASP_API int clasp_config_load_verify_file(clasp_config *cfg, const char *path);
CLASP_API int clasp_config_load_verify_dir(clasp_config *cfg, const char *path);
CLASP_API int clasp_config_load_verify_pem(clasp_config *cfg, const uint8_t *pem, size_t len);
CLASP_API int clasp_config_load_verify_default(clasp_config *cfg);

/*
 * The verified-chain cache: a peer's certificate chain that verified once is remembered,
 * keyed by its exact bytes (SHA-256 of every certificate as received, in order) and by
 * what it was verified for, so that the next handshake presenting the same chain skips
 * parsing it and checking its signatures. Each hit still checks, for that connection, that
 * every certificate of the path (trust anchor included) is valid at the current time and
 * that the leaf names the server (clasp_conn_set_server_name); outside its validity the
 * chain is verified again in full, and fails with the alert that says why. Only successes
 * are cached; adding trust anchors empties the cache. It holds at most max_chains chains,
 * dropping the least recently used; 0 turns it off. On by default, with
 * CLASP_VERIFY_CACHE_DEFAULT chains: 1024 keeps the working set of a client talking to many
 * servers, or of a server verifying many client certificates, while bounding the memory (an
 * entry holds the parsed leaf certificate, about 5 KiB for a P-256 one, so at most some
 * 5 MiB; it fills only with chains actually seen). Safe for connections of one configuration
 * in several threads. Apart from this cache, and also when it is off, the configuration keeps
 * up to 64 intermediate CA certificates of chains that verified, decoded, so that a chain
 * carrying one is verified in full without decoding it again (no verdict is kept).
 * Errors: CLASP_ERR_INVALID_ARG (more than 2^20), CLASP_ERR_STATE (frozen).
 */
#define CLASP_VERIFY_CACHE_DEFAULT 1024
CLASP_API int clasp_config_set_verify_cache(clasp_config *cfg, size_t max_chains);

/* Client certificates, for servers. Clients always verify the server. */
typedef enum clasp_verify_mode {
    CLASP_VERIFY_NONE = 0,     /* do not ask for a client certificate (default) */
    CLASP_VERIFY_OPTIONAL = 1, /* ask; verify one if sent; accept none */
    CLASP_VERIFY_REQUIRE = 2,  /* ask; fail the handshake without a valid one */
} clasp_verify_mode;

CLASP_API int clasp_config_set_verify(clasp_config *cfg, clasp_verify_mode mode);

/* The versions to offer or accept, inclusive: CLASP_TLS12 or CLASP_TLS13. Older versions
 * cannot be enabled: SSL 3.0, TLS 1.0 and 1.1 get protocol_version (docs/security.md). */
CLASP_API int clasp_config_set_versions(clasp_config *cfg, uint16_t min, uint16_t max);

/*
 * Cipher suites, signature schemes and groups by IANA name in preference order, separated
 * by ':' or ',' (e.g. "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256", "x25519:secp256r1",
 * "ecdsa_secp256r1_sha256:rsa_pss_rsae_sha256"). An unknown name is CLASP_ERR_INVALID_ARG
 * and leaves the setting as it was. A version with no suite in the list is neither offered
 * nor served (a server allowing TLS 1.3 with TLS 1.2 suites only negotiates TLS 1.2). A CBC
 * suite is CLASP_ERR_UNSUPPORTED when libcrypto was built without its deprecated low-level
 * SHA functions, which the constant-time CBC decoding needs.
 * Groups: x25519, secp256r1, secp384r1, secp521r1, x448, ffdhe2048, ffdhe3072, ffdhe4096
 * (a group this libcrypto lacks is unknown); the TLS_DHE_RSA_WITH_* suites are used only
 * with an ffdhe group in the list.
 */
CLASP_API int clasp_config_set_cipher_suites(clasp_config *cfg, const char *list);
CLASP_API int clasp_config_set_groups(clasp_config *cfg, const char *list);
CLASP_API int clasp_config_set_signature_schemes(clasp_config *cfg, const char *list);
/* Clients: send key shares for the first n groups (1 to 3; default 1). */
CLASP_API int clasp_config_set_key_shares(clasp_config *cfg, unsigned n);
/* Servers: choose by the server's preference order (1, default) or the client's (0). */
CLASP_API int clasp_config_set_server_preference(clasp_config *cfg, int on);

/*
 * ALPN (RFC 7301): protocol names in preference order, comma-separated ("h2,http/1.1").
 * A server that has a list and meets a client whose list has nothing in common fails the
 * handshake with no_application_protocol.
 */
CLASP_API int clasp_config_set_alpn(clasp_config *cfg, const char *list);

/*
 * Servers: called with the client's server_name (NULL when it sent none) as soon as the
 * ClientHello is parsed, before anything is negotiated. Return CLASP_OK to continue,
 * possibly after clasp_conn_set_config to switch to another configuration for that name
 * (which then decides everything: versions, TLS_FALLBACK_SCSV, suites, groups,
 * certificates, ALPN), or an error (CLASP_ERR_UNRECOGNIZED_NAME sends unrecognized_name)
 * to refuse the connection. A name that is not a DNS name is refused before the callback
 * (illegal_parameter), so name is printable ASCII.
 */
typedef int (*clasp_servername_cb)(clasp_conn *conn, const char *name, void *arg);
CLASP_API int clasp_config_set_servername_callback(clasp_config *cfg, clasp_servername_cb cb,
                                                   void *arg);

/*
 * The record_size_limit (RFC 8449) to advertise: the largest record plaintext this side
 * accepts, 64..16384 (default 16384, which is advertised only when a peer asks).
 */
CLASP_API int clasp_config_set_record_size_limit(clasp_config *cfg, unsigned limit);

/* The largest certificate chain accepted from a peer, in bytes (default 256 KiB). */
CLASP_API int clasp_config_set_max_cert_chain(clasp_config *cfg, size_t bytes);

/*
 * The most certificates accepted in a peer's chain, 1 to 16 (default 10: the leaf, up to
 * eight intermediates and the root, where real chains have two to four). Counted on the
 * message's length prefixes, before any certificate is decoded or copied; more is
 * bad_certificate. Both roles, both versions.
 */
CLASP_API int clasp_config_set_max_cert_chain_count(clasp_config *cfg, size_t certs);

/*
 * TLS 1.2 extended master secret (RFC 7627). Clients always offer it. With required (the
 * default), a peer that does not use it fails the handshake (handshake_failure): without it
 * a man in the middle can synchronise two sessions' keys (the triple handshake attack).
 */
CLASP_API int clasp_config_set_extended_master_secret(clasp_config *cfg, int required);

/*
 * TLS 1.2 CBC-HMAC suites (never in the defaults: clasp_config_set_cipher_suites enables
 * them by name; docs/security.md) protect records with encrypt-then-MAC (RFC 7366) when
 * both sides agree: clients offer it with any CBC suite, servers accept it for one. on = 0
 * (default 1) offers and accepts it no more, so CBC records are MAC-then-encrypt, which
 * clasp still decodes in constant time: for interoperability tests and demonstrations.
 */
CLASP_API int clasp_config_set_encrypt_then_mac(clasp_config *cfg, int on);

/*
 * The session lifetime, in seconds (at most 86400; default 7200): how long a session may be
 * resumed after its full handshake, by session ID or by ticket, either version. Servers:
 * also the built-in cache of sessions for resumption by session ID (and stateful tickets,
 * clasp/session.h): at most max_sessions (0 disables caching; default 1024). The cache is
 * shared by every connection of the configuration and is safe to use from several threads.
 * Lookups take constant time whatever its size; from 128 sessions up it is split into up to
 * 16 shards (by a keyed hash of the session ID), each with its own lock and an equal share
 * of the room, and a shard that is full lets its oldest session go.
 */
CLASP_API int clasp_config_set_session_cache(clasp_config *cfg, size_t max_sessions,
                                             unsigned lifetime_seconds);

/*
 * Servers: an external session cache (shared between processes, say) in place of the
 * built-in one, for sessions by ID and stateful tickets. Sessions are opaque byte strings
 * holding the master secret or PSK: keep them private. get copies the session for an ID
 * into buf (returns 0, *len set; or nonzero when unknown or when cap is too small); put
 * stores one; remove forgets one (called when a session is found unusable, when a stateful
 * ticket is used, and after a fatal alert). Callbacks may be called from several threads
 * at once. take is optional (NULL: get, then remove): get and remove in one atomic step,
 * returning 0 only to the one caller that removed the session. It is used for stateful TLS
 * 1.3 tickets (clasp/session.h), which resume once: with a store shared by several servers,
 * two connections presenting one ticket at the same instant could otherwise both read it
 * before either removes it. The session bytes can be read with clasp_session_import (for
 * clasp_session_expiry, say).
 */
typedef struct clasp_session_store {
    int (*get)(void *arg, const uint8_t *id, size_t id_len, uint8_t *buf, size_t cap, size_t *len);
    int (*put)(void *arg, const uint8_t *id, size_t id_len, const uint8_t *session, size_t len);
    void (*remove)(void *arg, const uint8_t *id, size_t id_len);
    void *arg;
    int (*take)(void *arg, const uint8_t *id, size_t id_len, uint8_t *buf, size_t cap, size_t *len);
} clasp_session_store;

CLASP_API int clasp_config_set_session_store(clasp_config *cfg, const clasp_session_store *store);

#ifdef __cplusplus
}
#endif

#endif /* CLASP_CONFIG_H */
