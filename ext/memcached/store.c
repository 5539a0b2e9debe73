/*
 * The session store in memcached (clasp/memcached.h): clasp's session store callbacks over
 * a pool of libmemcached handles (a handle serves one thread at a time).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmemcached/util.h>

#include <clasp/memcached.h>

#include "mc.h"

#define DEFAULT_PREFIX "clasp:s:"
/* Handles kept in the pool: as many threads can use the store at once; more wait. */
#define POOL_MAX 16
/* Session IDs and tickets are 32 bytes at most: a key is the prefix and 64 hex digits. */
#define ID_MAX  32
#define KEY_MAX (MC_NAME_MAX + 2 * ID_MAX + 1)
/* memcached reads an expiry above 30 days as a time since the epoch, not a span. */
#define MAX_RELATIVE_EXPIRY (30 * 86400)

struct clasp_memcached_store {
    memcached_st *master;
    memcached_pool_st *pool;
    char prefix[MC_NAME_MAX + 1];
    unsigned timeout_ms;
};

/* The key for a session ID: the prefix, then the ID in hex (IDs are binary). 0: too long. */
static size_t make_key(const clasp_memcached_store *st, const uint8_t *id, size_t id_len,
                       char key[KEY_MAX])
{
    static const char hex[] = "0123456789abcdef";
    size_t n = strlen(st->prefix);
    if (id_len == 0 || id_len > ID_MAX)
        return 0;
    memcpy(key, st->prefix, n);
    for (size_t i = 0; i < id_len; i++) {
        key[n++] = hex[id[i] >> 4];
        key[n++] = hex[id[i] & 15];
    }
    key[n] = '\0';
    return n;
}

/* A handle from the pool, waiting at most the timeout for one to be free; NULL: none. */
static memcached_st *fetch(clasp_memcached_store *st)
{
    struct timespec wait = {(time_t)(st->timeout_ms / 1000),
                            (long)(st->timeout_ms % 1000) * 1000000L};
    memcached_return_t rc;
    return memcached_pool_fetch(st->pool, &wait, &rc);
}

/*
 * get, or take: read the entry and, to take it, delete it too. memcached's delete succeeds
 * for one caller only, so of two servers that read the same ticket at the same instant only
 * the one whose delete removed it resumes; the other sees it gone.
 */
static int lookup(clasp_memcached_store *st, const uint8_t *id, size_t id_len, uint8_t *buf,
                  size_t cap, size_t *len, int take)
{
    char key[KEY_MAX];
    size_t klen = make_key(st, id, id_len, key);
    memcached_st *m = klen ? fetch(st) : NULL;
    if (!m)
        return -1;
    size_t vlen = 0;
    uint32_t flags;
    memcached_return_t rc;
    char *v = memcached_get(m, key, klen, &vlen, &flags, &rc);
    int ok = v && rc == MEMCACHED_SUCCESS && vlen <= cap;
    if (ok && take)
        ok = memcached_delete(m, key, klen, 0) == MEMCACHED_SUCCESS;
    if (ok) {
        memcpy(buf, v, vlen);
        *len = vlen;
    }
    mc_free_secret(v, vlen);
    memcached_pool_release(st->pool, m);
    return ok ? 0 : -1;
}

static int store_get(void *arg, const uint8_t *id, size_t id_len, uint8_t *buf, size_t cap,
                     size_t *len)
{
    return lookup(arg, id, id_len, buf, cap, len, 0);
}

static int store_take(void *arg, const uint8_t *id, size_t id_len, uint8_t *buf, size_t cap,
                      size_t *len)
{
    return lookup(arg, id, id_len, buf, cap, len, 1);
}

/* Seconds the session has left (0: none), read from the session itself. */
static time_t time_left(const uint8_t *session, size_t len)
{
    clasp_session *s = NULL;
    if (clasp_session_import(session, len, &s) != 0)
        return 0;
    uint64_t expiry = clasp_session_expiry(s), now = (uint64_t)time(NULL);
    clasp_session_free(s);
    if (expiry <= now)
        return 0;
    return (time_t)(expiry - now < MAX_RELATIVE_EXPIRY ? expiry - now : MAX_RELATIVE_EXPIRY);
}

static int store_put(void *arg, const uint8_t *id, size_t id_len, const uint8_t *session,
                     size_t len)
{
    clasp_memcached_store *st = arg;
    char key[KEY_MAX];
    size_t klen = make_key(st, id, id_len, key);
    time_t ttl = klen ? time_left(session, len) : 0;
    memcached_st *m = ttl ? fetch(st) : NULL;
    if (!m)
        return -1;
    memcached_return_t rc = memcached_set(m, key, klen, (const char *)session, len, ttl, 0);
    memcached_pool_release(st->pool, m);
    return rc == MEMCACHED_SUCCESS ? 0 : -1;
}

static void store_remove(void *arg, const uint8_t *id, size_t id_len)
{
    clasp_memcached_store *st = arg;
    char key[KEY_MAX];
    size_t klen = make_key(st, id, id_len, key);
    memcached_st *m = klen ? fetch(st) : NULL;
    if (!m)
        return;
    memcached_delete(m, key, klen, 0);
    memcached_pool_release(st->pool, m);
}

int clasp_memcached_store_new(const char *servers, const char *prefix, unsigned timeout_ms,
                              clasp_memcached_store **out)
{
    if (!out)
        return CLASP_ERR_INVALID_ARG;
    *out = NULL;
    prefix = prefix ? prefix : DEFAULT_PREFIX;
    if (!servers || !mc_name_ok(prefix))
        return CLASP_ERR_INVALID_ARG;
    clasp_memcached_store *st = calloc(1, sizeof(*st));
    if (!st)
        return CLASP_ERR_NOMEM;
    snprintf(st->prefix, sizeof(st->prefix), "%s", prefix);
    st->timeout_ms = timeout_ms ? timeout_ms : CLASP_MEMCACHED_TIMEOUT_MS;
    st->master = mc_connect(servers, st->timeout_ms);
    if (!st->master) {
        free(st);
        return CLASP_ERR_INVALID_ARG;
    }
    st->pool = memcached_pool_create(st->master, 1, POOL_MAX);
    if (!st->pool) {
        memcached_free(st->master);
        free(st);
        return CLASP_ERR_NOMEM;
    }
    *out = st;
    return 0;
}

clasp_session_store clasp_memcached_store_callbacks(clasp_memcached_store *st)
{
    clasp_session_store cb = {store_get, store_put, store_remove, st, store_take};
    return cb;
}

void clasp_memcached_store_free(clasp_memcached_store *st)
{
    if (!st)
        return;
    memcached_pool_destroy(st->pool);
    memcached_free(st->master);
    free(st);
}
