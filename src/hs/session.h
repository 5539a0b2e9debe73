/*
 * TLS 1.2 sessions (RFC 5246 7.3, F.1.4): what resumption by session ID needs, their
 * serialisation (for clients that store sessions and servers with an external cache), and
 * the server's built-in cache: bounded, expiring, safe to share between threads.
 */
#ifndef CLASP_HS_SESSION_H
#define CLASP_HS_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "x509/x509.h"

#define CL_SESSION_ID_LEN     32
#define CL_SESSION_MASTER_LEN 48

typedef struct cl_session {
    uint16_t version; /* CL_TLS12_VERSION */
    uint16_t suite;
    uint8_t ems; /* made with the extended master secret (RFC 7627) */
    uint8_t id[CL_SESSION_ID_LEN];
    uint8_t id_len;
    uint8_t master[CL_SESSION_MASTER_LEN];
    char server_name[256];   /* SNI the session was made for ("" when none) */
    uint64_t created;        /* seconds since the epoch */
    uint32_t lifetime;       /* seconds it may be resumed for */
    cl_cert_der *peer_chain; /* the peer's certificates (leaf first), may be NULL */
    size_t n_peer_chain;
} cl_session;

/* Frees the chain and wipes everything (the master secret above all). */
void cl_session_clear(cl_session *s);
/* A deep copy (the chain too). */
int cl_session_copy(cl_session *dst, const cl_session *src);
/* 1 while now < created + lifetime. */
int cl_session_valid(const cl_session *s, uint64_t now);

/*
 * Serialisation: a versioned, self-describing byte string (magic "CLS1"). It contains the
 * master secret: whoever stores it must protect it like a key. cl_session_encode writes
 * into a growable writer; cl_session_decode is strict (decode errors for anything odd) and
 * fills a cleared session.
 */
int cl_session_encode(const cl_session *s, uint8_t **out, size_t *len, size_t *cap);
int cl_session_decode(cl_session *s, const uint8_t *in, size_t len);

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
/* How many sessions are stored now. */
size_t cl_session_cache_count(cl_session_cache *c);
/* SipHash-2-4 of p under key (the cache's hash; here for its known-answer test). */
uint64_t cl_siphash24(const uint64_t key[2], const uint8_t *p, size_t n);

#endif /* CLASP_HS_SESSION_H */
