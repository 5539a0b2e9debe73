/*
 * Sessions (RFC 5246 7.3, F.1.4; RFC 5077; RFC 8446 2.2, 4.6.1): what resumption needs, for
 * both versions; their serialisation (clients export them, servers seal them into tickets or
 * keep them in an external store); the reference-counted handle the public API hands out;
 * and the server's built-in cache: bounded, expiring, safe to share between threads.
 */
#ifndef CLASP_HS_SESSION_H
#define CLASP_HS_SESSION_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <clasp/session.h>

#include "x509/x509.h"

#define CL_SESSION_ID_LEN        32
#define CL_SESSION_MASTER_LEN    48
#define CL_SESSION_CTX_LEN       32     /* sid_ctx and verify_id: SHA-256 digests */
#define CL_SESSION_MAX_TICKET    0xffff /* ticket<1..2^16-1> (TLS 1.3), <0..2^16-1> (RFC 5077) */
#define CL_TICKET13_MAX_LIFETIME 604800 /* RFC 8446 4.6.1: seven days */

typedef struct cl_session {
    uint16_t version; /* CL_TLS12_VERSION or CL_TLS13_VERSION */
    uint16_t suite;
    uint8_t ems; /* TLS 1.2: made with the extended master secret (RFC 7627) */
    uint8_t etm; /* TLS 1.2 CBC suites: records used encrypt-then-MAC (RFC 7366) */
    /* TLS 1.2: the session ID; TLS 1.3 with stateful tickets: the ticket (server side) */
    uint8_t id[CL_SESSION_ID_LEN];
    uint8_t id_len;
    /* TLS 1.2: the master secret (48 bytes); TLS 1.3: the ticket's PSK (the hash's length) */
    uint8_t master[CL_SESSION_MASTER_LEN];
    uint8_t master_len;
    char server_name[256]; /* SNI the session was made for ("" when none) */
    /* Seconds since the epoch when the peer was last authenticated: a session or ticket
     * renewed on a resumed connection keeps it, so resumption cannot outlive lifetime. */
    uint64_t created;
    uint32_t lifetime; /* seconds after created it may be resumed */
    /* TLS 1.3 ticket age (RFC 8446 4.2.11.1): milliseconds since the epoch when the server
     * issued the ticket (server) or the client received it (client), and ticket_age_add. */
    uint64_t issued_ms;
    uint32_t age_add;
    /* Binding (docs/api.md, "Sessions and resumption"): servers resume only sessions made
     * under the same configuration identity and client-auth policy (sid_ctx); clients offer
     * a session only where the server would be verified the same way (verify_id). */
    uint8_t sid_ctx[CL_SESSION_CTX_LEN];
    uint8_t verify_id[CL_SESSION_CTX_LEN];
    uint8_t *ticket; /* clients: the ticket to present (TLS 1.2 or 1.3), may be NULL */
    size_t ticket_len;
    cl_cert_der *peer_chain; /* the peer's certificates (leaf first), may be NULL */
    size_t n_peer_chain;
} cl_session;

/* Frees the chain and the ticket and wipes everything (the secret above all). */
void cl_session_clear(cl_session *s);
/* A deep copy (the chain and the ticket too). */
int cl_session_copy(cl_session *dst, const cl_session *src);
/* 1 while now < created + lifetime. */
int cl_session_valid(const cl_session *s, uint64_t now);
/* Replaces s's ticket with a copy of t (NULL/0 removes it). */
int cl_session_set_ticket(cl_session *s, const uint8_t *t, size_t len);
/* Replaces s's chain with a copy of chain[0..n) (n may be 0). */
int cl_session_set_chain(cl_session *s, const cl_cert_der *chain, size_t n);

/*
 * Serialisation: a versioned, self-describing byte string (magic "CLSE", format byte 1;
 * layout in session.c). It contains the secret: whoever stores it must protect it like a
 * key. cl_session_encode writes into a growable writer; cl_session_decode is strict (decode
 * errors for anything odd, a suite clasp does not know included) and fills a cleared
 * session. The same bytes go into a server's tickets and its external store.
 */
int cl_session_encode(const cl_session *s, uint8_t **out, size_t *len, size_t *cap);
int cl_session_decode(cl_session *s, const uint8_t *in, size_t len);

/*
 * The public handle (clasp_session in include/clasp/session.h): immutable once made, shared
 * by reference. Two one-way marks may be set on it later, atomically: `used` when a
 * connection has offered a TLS 1.3 ticket (a client uses each ticket once, RFC 8446 C.4),
 * and `dropped` when the connection that made it ended with a fatal alert (RFC 5246 7.2).
 */
struct clasp_session {
    atomic_uint refs;
    atomic_int used;
    atomic_int dropped;
    cl_session s;
};

/* A handle that takes over *s (left cleared, also on failure); NULL when out of memory. */
clasp_session *cl_session_handle(cl_session *s);
/* A handle holding a deep copy of s; NULL when out of memory. */
clasp_session *cl_session_handle_copy(const cl_session *s);
clasp_session *cl_session_ref(clasp_session *h);
void cl_session_unref(clasp_session *h);

/*
 * The server's built-in cache (session_cache.c): at most `capacity` sessions; on insertion
 * when full, the one stored longest ago goes. Lookups copy the session out (so a caller's
 * copy outlives eviction). Thread-safe, and built for many sessions and threads: an ID
 * finds its entry through a hash table keyed with a random key per cache (where an ID lands
 * is unknown outside), the oldest entry goes in constant time, and entries are spread by
 * that hash over up to 16 shards, each with its own lock. Eviction is oldest-first within a
 * shard: exactly so below 128 sessions (one shard), nearly so above (each shard holds at
 * least 64, and IDs spread evenly).
 */
typedef struct cl_cache_shard cl_cache_shard;

typedef struct cl_session_cache {
    cl_cache_shard *shards; /* NULL: capacity 0, nothing is stored */
    size_t n_shards;        /* a power of two */
    size_t capacity;
    uint64_t key[2]; /* the hash key, random per cache */
} cl_session_cache;

int cl_session_cache_init(cl_session_cache *c, size_t capacity);
void cl_session_cache_free(cl_session_cache *c);
/* Stores a copy (replacing an entry with the same ID, which becomes the newest). */
int cl_session_cache_put(cl_session_cache *c, const cl_session *s);
/* 0 and a copy in *out when found and still valid at `now`; CLASP_ERR_STATE otherwise
 * (an expired entry is removed). */
int cl_session_cache_get(cl_session_cache *c, const uint8_t *id, size_t id_len, uint64_t now,
                         cl_session *out);
void cl_session_cache_remove(cl_session_cache *c, const uint8_t *id, size_t id_len);
/* As cl_session_cache_get, and the entry is removed in the same step: a single-use lookup
 * (stateful TLS 1.3 tickets), so two connections can never both take one session. */
int cl_session_cache_take(cl_session_cache *c, const uint8_t *id, size_t id_len, uint64_t now,
                          cl_session *out);
/* How many sessions are stored now. */
size_t cl_session_cache_count(cl_session_cache *c);
/* SipHash-2-4 of p under key (the cache's hash; here for its known-answer test). */
uint64_t cl_siphash24(const uint64_t key[2], const uint8_t *p, size_t n);

#endif /* CLASP_HS_SESSION_H */
