/*
 * clasp-memcached: what a fleet of clasp servers shares through memcached (docs/api.md,
 * "Fleets"). A separate library, libclasp-memcached (shared and static), built only where
 * libmemcached is found and installed with this header; it links libclasp and libmemcached
 * and uses clasp's public API alone (the session store callbacks and ticket keys).
 *
 * Servers are given as "HOST:PORT,HOST:PORT,..." (libmemcached's server list; every member
 * of a fleet gives the same list, in the same order: keys are spread over them by
 * consistent hashing). Every operation gives up after a short timeout, so a memcached that is
 * down costs a full handshake, never a hang; a server that failed is tried again a second
 * later.
 *
 * memcached has no authentication by default and what is stored here opens sessions: keep
 * it on loopback or a private network that only the fleet reaches (docs/api.md).
 */
#ifndef CLASP_MEMCACHED_H
#define CLASP_MEMCACHED_H

#include <stddef.h>
#include <stdint.h>

#include <clasp/config.h>
#include <clasp/errors.h>
#include <clasp/session.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define CLASP_MEMCACHED_API __attribute__((visibility("default")))
#else
#define CLASP_MEMCACHED_API
#endif

/* The default time an operation may take before it counts as failed, in milliseconds. */
#define CLASP_MEMCACHED_TIMEOUT_MS 50

/* ---- the session store ---- */

typedef struct clasp_memcached_store clasp_memcached_store;

/*
 * A session store in memcached, for TLS 1.2 session IDs and TLS 1.3 stateful tickets. Keys
 * are prefix followed by the session ID in hex (prefix: up to 64 printable characters, no
 * spaces; NULL: "clasp:s:"); each entry expires with its session (clasp_session_expiry). A
 * stateful ticket is taken atomically: read, then deleted, and only the server whose delete
 * succeeded resumes it, so a ticket resumes once across the fleet. timeout_ms: 0 for
 * CLASP_MEMCACHED_TIMEOUT_MS. Thread-safe (a pool of connections). *out is NULL on failure:
 * CLASP_ERR_INVALID_ARG for a bad server list or prefix, CLASP_ERR_NOMEM. memcached need not
 * be up: the store connects when it is first used.
 */
CLASP_MEMCACHED_API int clasp_memcached_store_new(const char *servers, const char *prefix,
                                                  unsigned timeout_ms, clasp_memcached_store **out);
/* The callbacks for clasp_config_set_session_store; valid while the store lives. */
CLASP_MEMCACHED_API clasp_session_store clasp_memcached_store_callbacks(clasp_memcached_store *st);
/* Frees the store (after every configuration using it is freed). NULL is ok. */
CLASP_MEMCACHED_API void clasp_memcached_store_free(clasp_memcached_store *st);

/* ---- ticket keys shared by a group of servers ---- */

typedef struct clasp_memcached_keys clasp_memcached_keys;

/*
 * Keeps tk in step with a key ring that every server of `group` shares under one memcached
 * key ("clasp:k:" GROUP; GROUP: up to 64 printable characters, no spaces). A thread reads
 * the ring every poll interval (rotate_seconds / 10, within 1 to 60 s) and sets its keys
 * into tk (clasp_ticket_keys_set). When the newest key has sealed for nearly rotate_seconds,
 * one server (whose compare-and-swap wins) adds a fresh random key announced three poll
 * intervals ahead (clasp_ticket_key_ring_rotate): every server holds it before any seals with
 * it. The ring keeps `keep` keys (2 to 16), the announced one included, so a ticket opens for
 * about (keep - 1) * rotate_seconds, less the announcement, after its key stopped sealing. 0 for
 * rotate_seconds and keep: 43200 and 3.
 *
 * The first read happens before this returns. While memcached cannot be reached the last
 * keys stay; once the newest is older than rotate_seconds the server rotates on its own (its
 * new tickets open only on itself until memcached is back), and a ring found missing (a
 * restarted memcached) is published again from the last keys, so tickets keep opening.
 * Returns 0 and the running sync in *out, CLASP_ERR_INVALID_ARG for bad arguments,
 * CLASP_ERR_NOMEM, CLASP_ERR_INTERNAL when the thread cannot start.
 */
CLASP_MEMCACHED_API int clasp_memcached_ticket_keys_start(clasp_ticket_keys *tk,
                                                          const char *servers, const char *group,
                                                          unsigned rotate_seconds, unsigned keep,
                                                          clasp_memcached_keys **out);
/*
 * One round now, in the caller's thread: read the ring, rotate it if due, set tk's keys.
 * 0 when memcached answered; CLASP_ERR_INTERNAL when it did not (tk keeps its keys).
 */
CLASP_MEMCACHED_API int clasp_memcached_ticket_keys_sync(clasp_memcached_keys *mk);
/* The number of keys last set into tk, and when memcached last answered (seconds since the
 * epoch; 0: never). Either pointer may be NULL. */
CLASP_MEMCACHED_API void clasp_memcached_ticket_keys_status(clasp_memcached_keys *mk,
                                                            size_t *n_keys, uint64_t *last_ok);
/* Stops the thread and frees the sync (tk is the caller's). NULL is ok. */
CLASP_MEMCACHED_API void clasp_memcached_ticket_keys_stop(clasp_memcached_keys *mk);

#ifdef __cplusplus
}
#endif

#endif /* CLASP_MEMCACHED_H */
