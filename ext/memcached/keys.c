/*
 * Ticket keys shared by a group of servers through memcached (clasp/memcached.h): one
 * memcached key holds the group's ring in the key file's text format; each server reads it
 * every poll interval and sets its keys, and when a key is due the server whose
 * compare-and-swap wins publishes it (clasp_ticket_key_ring_rotate, the same rule as a key
 * file rotated by hand).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <clasp/memcached.h>

#include "mc.h"

#define KEY_PREFIX     "clasp:k:"
#define RING_MAX       16
#define RING_TEXT_MAX  (RING_MAX * 128)
#define DEFAULT_ROTATE 43200
#define DEFAULT_KEEP   3
/* The sync is off the handshake path: it may wait longer than the store. */
#define SYNC_TIMEOUT_MS (4 * CLASP_MEMCACHED_TIMEOUT_MS)
/* Rounds lost to another server's write before this one waits for the next interval. */
#define CAS_TRIES 3

struct clasp_memcached_keys {
    clasp_ticket_keys *tk;
    memcached_st *m;
    char key[sizeof(KEY_PREFIX) + MC_NAME_MAX];
    unsigned rotate, keep, poll, announce;
    pthread_mutex_t lock; /* everything below, and m */
    pthread_cond_t wake;
    pthread_t thread;
    int stop;
    clasp_ticket_key ring[RING_MAX]; /* what tk was last given, newest first */
    size_t n;
    uint64_t last_ok;
};

/* The ring as memcached holds it: *found 0 when absent; -1 when memcached did not answer. */
typedef struct stored {
    char text[RING_TEXT_MAX];
    size_t len;
    uint64_t cas;
    int found;
} stored;

static int read_ring(clasp_memcached_keys *mk, stored *out)
{
    const char *keys[1] = {mk->key};
    size_t lens[1] = {strlen(mk->key)};
    out->found = 0;
    out->len = 0;
    if (memcached_mget(mk->m, keys, lens, 1) != MEMCACHED_SUCCESS)
        return -1;
    memcached_return_t rc;
    memcached_result_st *r;
    while ((r = memcached_fetch_result(mk->m, NULL, &rc)) != NULL) {
        size_t len = memcached_result_length(r);
        if (!out->found && len <= sizeof(out->text)) {
            memcpy(out->text, memcached_result_value(r), len);
            out->len = len;
            out->cas = memcached_result_cas(r);
            out->found = 1;
        }
        memcached_result_free(r); /* libmemcached's copy of the secrets is its own */
    }
    return rc == MEMCACHED_END || rc == MEMCACHED_NOTFOUND || rc == MEMCACHED_SUCCESS ? 0 : -1;
}

/* Gives tk the ring when it differs from what it has. */
static void adopt(clasp_memcached_keys *mk, const clasp_ticket_key *ring, size_t n)
{
    if (n == mk->n && memcmp(ring, mk->ring, n * sizeof(*ring)) == 0)
        return;
    if (n == 0 || clasp_ticket_keys_set(mk->tk, ring, n) != 0)
        return;
    memcpy(mk->ring, ring, n * sizeof(*ring));
    mk->n = n;
}

/*
 * Publishes ring over what was read: add when absent (fails if another server added first),
 * compare-and-swap when present (fails if another server wrote since the read). 1 written,
 * 0 lost the race, -1 memcached did not answer.
 */
static int publish(clasp_memcached_keys *mk, const stored *was, const clasp_ticket_key *ring,
                   size_t n)
{
    char text[RING_TEXT_MAX];
    size_t len;
    if (clasp_ticket_keys_format(ring, n, text, sizeof(text), &len) != 0)
        return -1;
    size_t klen = strlen(mk->key);
    memcached_return_t rc = was->found
                                ? memcached_cas(mk->m, mk->key, klen, text, len, 0, 0, was->cas)
                                : memcached_add(mk->m, mk->key, klen, text, len, 0, 0);
    memset(text, 0, sizeof(text));
    if (rc == MEMCACHED_SUCCESS)
        return 1;
    return rc == MEMCACHED_DATA_EXISTS || rc == MEMCACHED_NOTSTORED || rc == MEMCACHED_NOTFOUND
               ? 0
               : -1;
}

/*
 * One read-rotate-publish step. The ring starts from memcached's; when it is absent (a
 * restarted memcached) or unreadable, from the keys this server last had, so tickets keep
 * opening. 1 done, 0 lost a race (read again), -1 memcached did not answer.
 */
static int step(clasp_memcached_keys *mk, uint64_t now, clasp_ticket_key *ring, size_t *n)
{
    stored *was = malloc(sizeof(*was));
    if (!was)
        return -1;
    int rc = read_ring(mk, was);
    int usable = rc == 0 && was->found &&
                 clasp_ticket_keys_parse(was->text, was->len, ring, RING_MAX, n) == 0 && *n > 0;
    if (rc == 0 && !usable) {
        memcpy(ring, mk->ring, mk->n * sizeof(*ring));
        *n = mk->n;
    }
    int added = rc == 0 ? clasp_ticket_key_ring_rotate(ring, n, RING_MAX, now, mk->rotate,
                                                       mk->announce, mk->keep)
                        : -1;
    if (added < 0)
        rc = -1;
    else if (added || !usable)
        rc = publish(mk, was, ring, *n);
    else
        rc = 1;
    mc_free_secret(was, sizeof(*was));
    return rc;
}

/*
 * memcached did not answer: the last keys stay, but the newest may not seal on and on.
 * Once it has sealed for a whole period this server rotates alone (no announcement: no one
 * else would hear it); those tickets open only here until memcached is back.
 */
static void offline(clasp_memcached_keys *mk, uint64_t now)
{
    clasp_ticket_key ring[RING_MAX];
    size_t n = mk->n;
    if (n == 0)
        return; /* never synced: tk has its own rotating keys */
    memcpy(ring, mk->ring, n * sizeof(*ring));
    if (clasp_ticket_key_ring_rotate(ring, &n, RING_MAX, now, mk->rotate, 0, mk->keep) == 1)
        adopt(mk, ring, n);
    memset(ring, 0, sizeof(ring));
}

/* Under the lock. */
static int sync_locked(clasp_memcached_keys *mk)
{
    clasp_ticket_key ring[RING_MAX];
    size_t n = 0;
    uint64_t now = (uint64_t)time(NULL);
    int rc = 0;
    for (int i = 0; i < CAS_TRIES && rc == 0; i++)
        rc = step(mk, now, ring, &n);
    if (rc == 1)
        adopt(mk, ring, n);
    memset(ring, 0, sizeof(ring));
    if (rc < 0) {
        offline(mk, now);
        return CLASP_ERR_INTERNAL;
    }
    mk->last_ok = now;
    return 0;
}

int clasp_memcached_ticket_keys_sync(clasp_memcached_keys *mk)
{
    if (!mk)
        return CLASP_ERR_INVALID_ARG;
    pthread_mutex_lock(&mk->lock);
    int rc = sync_locked(mk);
    pthread_mutex_unlock(&mk->lock);
    return rc;
}

static void *run(void *arg)
{
    clasp_memcached_keys *mk = arg;
    pthread_mutex_lock(&mk->lock);
    while (!mk->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += mk->poll;
        while (!mk->stop && pthread_cond_timedwait(&mk->wake, &mk->lock, &until) == 0)
            ;
        if (!mk->stop)
            sync_locked(mk);
    }
    pthread_mutex_unlock(&mk->lock);
    return NULL;
}

static unsigned clamp(unsigned v, unsigned lo, unsigned hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static clasp_memcached_keys *make(clasp_ticket_keys *tk, const char *group, unsigned rotate,
                                  unsigned keep)
{
    clasp_memcached_keys *mk = calloc(1, sizeof(*mk));
    if (!mk)
        return NULL;
    snprintf(mk->key, sizeof(mk->key), "%s%s", KEY_PREFIX, group);
    mk->rotate = rotate ? rotate : DEFAULT_ROTATE;
    mk->keep = keep ? keep : DEFAULT_KEEP;
    mk->poll = clamp(mk->rotate / 10, 1, 60);
    mk->announce = 3 * mk->poll; /* a server that misses a read or two still hears in time */
    mk->tk = clasp_ticket_keys_up_ref(tk);
    return mk;
}

static void destroy(clasp_memcached_keys *mk)
{
    memcached_free(mk->m);
    clasp_ticket_keys_free(mk->tk);
    mc_free_secret(mk, sizeof(*mk));
}

int clasp_memcached_ticket_keys_start(clasp_ticket_keys *tk, const char *servers, const char *group,
                                      unsigned rotate_seconds, unsigned keep,
                                      clasp_memcached_keys **out)
{
    if (!out)
        return CLASP_ERR_INVALID_ARG;
    *out = NULL;
    if (!tk || !servers || !mc_name_ok(group) || (keep && (keep < 2 || keep > RING_MAX)))
        return CLASP_ERR_INVALID_ARG;
    clasp_memcached_keys *mk = make(tk, group, rotate_seconds, keep);
    if (!mk)
        return CLASP_ERR_NOMEM;
    mk->m = mc_connect(servers, SYNC_TIMEOUT_MS);
    if (!mk->m) {
        destroy(mk);
        return CLASP_ERR_INVALID_ARG;
    }
    if (pthread_mutex_init(&mk->lock, NULL) != 0) {
        destroy(mk);
        return CLASP_ERR_INTERNAL;
    }
    if (pthread_cond_init(&mk->wake, NULL) != 0) {
        pthread_mutex_destroy(&mk->lock);
        destroy(mk);
        return CLASP_ERR_INTERNAL;
    }
    clasp_memcached_ticket_keys_sync(mk); /* memcached down: the thread tries again */
    if (pthread_create(&mk->thread, NULL, run, mk) != 0) {
        pthread_cond_destroy(&mk->wake);
        pthread_mutex_destroy(&mk->lock);
        destroy(mk);
        return CLASP_ERR_INTERNAL;
    }
    *out = mk;
    return 0;
}

void clasp_memcached_ticket_keys_status(clasp_memcached_keys *mk, size_t *n_keys, uint64_t *last_ok)
{
    if (!mk)
        return;
    pthread_mutex_lock(&mk->lock);
    if (n_keys)
        *n_keys = mk->n;
    if (last_ok)
        *last_ok = mk->last_ok;
    pthread_mutex_unlock(&mk->lock);
}

void clasp_memcached_ticket_keys_stop(clasp_memcached_keys *mk)
{
    if (!mk)
        return;
    pthread_mutex_lock(&mk->lock);
    mk->stop = 1;
    pthread_cond_signal(&mk->wake);
    pthread_mutex_unlock(&mk->lock);
    pthread_join(mk->thread, NULL);
    pthread_cond_destroy(&mk->wake);
    pthread_mutex_destroy(&mk->lock);
    destroy(mk);
}
