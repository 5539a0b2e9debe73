/*
 * The server's built-in cache of sessions: TLS 1.2 session IDs and stateful TLS 1.3 tickets
 * (session.h).
 *
 * Sessions are spread over shards by a keyed hash of their ID; each shard has its own lock,
 * a fixed array of entries, an open-addressing table (linear probing, at most half full)
 * from hash to entry, and a list of its entries in insertion order, so that a lookup, an
 * insertion, a replacement, a removal and the eviction of the oldest entry each take
 * constant time under one shard's lock.
 *
 * The hash is SipHash-2-4 under a random 128-bit key drawn for each cache. The IDs we store
 * are random (we make them), but the IDs we look up are whatever clients send: with a known
 * hash function a client could aim its lookups at the table's longest probe runs, or, if
 * a future caller stores IDs a peer chose, make them collide at will. Under a secret key
 * where an ID lands is unknown outside the process. (The first bytes of an ID XORed with a
 * key would not do: XOR keeps the differences between IDs, so IDs chosen to share their low
 * bits collide whatever the key.)
 */
#include <pthread.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "crypto/crypto.h"
#include "hs/session.h"

#define MAX_SHARDS    16
#define MIN_PER_SHARD 64 /* below 128 sessions, one shard: exact oldest-first eviction */
#define NIL           UINT32_MAX

typedef struct entry {
    cl_session s;
    uint64_t hash;
    uint32_t prev, next; /* insertion order (NIL at the ends); next also links free entries */
} entry;

struct cl_cache_shard {
    pthread_mutex_t lock;
    entry *e;
    uint32_t *table; /* entry index + 1; 0: empty */
    size_t cap, count, mask;
    uint32_t oldest, newest, free;
};

/* ---- SipHash-2-4 (Aumasson and Bernstein, 2012) ---- */

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static void sip_round(uint64_t v[4])
{
    v[0] += v[1];
    v[1] = ROTL(v[1], 13) ^ v[0];
    v[0] = ROTL(v[0], 32);
    v[2] += v[3];
    v[3] = ROTL(v[3], 16) ^ v[2];
    v[0] += v[3];
    v[3] = ROTL(v[3], 21) ^ v[0];
    v[2] += v[1];
    v[1] = ROTL(v[1], 17) ^ v[2];
    v[2] = ROTL(v[2], 32);
}

static uint64_t load_le(const uint8_t *p, size_t n)
{
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++)
        x |= (uint64_t)p[i] << (8 * i);
    return x;
}

static void sip_absorb(uint64_t v[4], uint64_t m)
{
    v[3] ^= m;
    sip_round(v);
    sip_round(v);
    v[0] ^= m;
}

uint64_t cl_siphash24(const uint64_t key[2], const uint8_t *p, size_t n)
{
    uint64_t v[4] = {key[0] ^ 0x736f6d6570736575ull, key[1] ^ 0x646f72616e646f6dull,
                     key[0] ^ 0x6c7967656e657261ull, key[1] ^ 0x7465646279746573ull};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        sip_absorb(v, load_le(p + i, 8));
    sip_absorb(v, load_le(p + i, n - i) | (uint64_t)(n & 0xff) << 56);
    v[2] ^= 0xff;
    for (int r = 0; r < 4; r++)
        sip_round(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* ---- one shard: the table ---- */

/* The table slot an entry starts probing at: the hash's high bits (the low ones chose the
 * shard). */
static size_t home(const struct cl_cache_shard *sh, uint64_t hash)
{
    return (size_t)(hash >> 32) & sh->mask;
}

static uint32_t find(const struct cl_cache_shard *sh, uint64_t hash, const uint8_t *id,
                     size_t id_len)
{
    for (size_t i = home(sh, hash); sh->table[i]; i = (i + 1) & sh->mask) {
        const entry *e = &sh->e[sh->table[i] - 1];
        if (e->hash == hash && e->s.id_len == id_len && memcmp(e->s.id, id, id_len) == 0)
            return sh->table[i] - 1;
    }
    return NIL;
}

static void table_add(struct cl_cache_shard *sh, uint32_t idx)
{
    size_t i = home(sh, sh->e[idx].hash);
    while (sh->table[i])
        i = (i + 1) & sh->mask;
    sh->table[i] = idx + 1;
}

/*
 * Linear probing's deletion without tombstones: the slots after the hole move back into it
 * when the hole lies on their probe path (between their home and where they are).
 */
static void table_del(struct cl_cache_shard *sh, uint32_t idx)
{
    size_t hole = home(sh, sh->e[idx].hash);
    while (sh->table[hole] != idx + 1)
        hole = (hole + 1) & sh->mask;
    for (size_t j = (hole + 1) & sh->mask; sh->table[j]; j = (j + 1) & sh->mask) {
        size_t h = home(sh, sh->e[sh->table[j] - 1].hash);
        /* j's entry may fill the hole unless its home lies cyclically in (hole, j] */
        if (((j - h) & sh->mask) >= ((j - hole) & sh->mask)) {
            sh->table[hole] = sh->table[j];
            hole = j;
        }
    }
    sh->table[hole] = 0;
}

/* ---- one shard: insertion order and free entries ---- */

static void link_newest(struct cl_cache_shard *sh, uint32_t idx)
{
    sh->e[idx].prev = sh->newest;
    sh->e[idx].next = NIL;
    if (sh->newest != NIL)
        sh->e[sh->newest].next = idx;
    else
        sh->oldest = idx;
    sh->newest = idx;
}

static void unlink_entry(struct cl_cache_shard *sh, uint32_t idx)
{
    entry *e = &sh->e[idx];
    if (e->prev != NIL)
        sh->e[e->prev].next = e->next;
    else
        sh->oldest = e->next;
    if (e->next != NIL)
        sh->e[e->next].prev = e->prev;
    else
        sh->newest = e->prev;
}

static void remove_entry(struct cl_cache_shard *sh, uint32_t idx)
{
    table_del(sh, idx);
    unlink_entry(sh, idx);
    cl_session_clear(&sh->e[idx].s);
    sh->e[idx].next = sh->free;
    sh->free = idx;
    sh->count--;
}

/* A free entry, the oldest one's when the shard is full; in the table once its hash is set. */
static uint32_t take_entry(struct cl_cache_shard *sh)
{
    if (sh->free == NIL)
        remove_entry(sh, sh->oldest);
    uint32_t idx = sh->free;
    sh->free = sh->e[idx].next;
    sh->count++;
    return idx;
}

/* ---- shards ---- */

static size_t table_size(size_t cap)
{
    size_t n = 4;
    while (n < 2 * cap)
        n *= 2;
    return n;
}

static void shard_free(struct cl_cache_shard *sh)
{
    for (uint32_t i = sh->oldest; i != NIL; i = sh->e[i].next)
        cl_session_clear(&sh->e[i].s);
    cl_free_secret(sh->e, sh->cap * sizeof(entry));
    cl_free(sh->table, (sh->mask + 1) * sizeof(uint32_t));
    pthread_mutex_destroy(&sh->lock);
}

static int shard_init(struct cl_cache_shard *sh, size_t cap)
{
    size_t slots = table_size(cap);
    sh->e = cl_calloc(cap, sizeof(entry));
    sh->table = cl_calloc(slots, sizeof(uint32_t));
    int rc = sh->e && sh->table ? 0 : CLASP_ERR_NOMEM;
    if (rc == 0 && pthread_mutex_init(&sh->lock, NULL) != 0)
        rc = CLASP_ERR_INTERNAL;
    if (rc) {
        cl_free(sh->e, cap * sizeof(entry));
        cl_free(sh->table, slots * sizeof(uint32_t));
        return rc;
    }
    sh->cap = cap;
    sh->mask = slots - 1;
    sh->oldest = sh->newest = NIL;
    for (size_t i = 0; i < cap; i++)
        sh->e[i].next = i + 1 < cap ? (uint32_t)(i + 1) : NIL;
    sh->free = 0;
    return 0;
}

/* As many shards as leave each MIN_PER_SHARD sessions, a power of two up to MAX_SHARDS. */
static size_t shard_count(size_t capacity)
{
    size_t n = 1;
    while (n < MAX_SHARDS && capacity / (2 * n) >= MIN_PER_SHARD)
        n *= 2;
    return n;
}

/* ---- the cache ---- */

void cl_session_cache_free(cl_session_cache *c)
{
    if (!c->shards)
        return;
    for (size_t i = 0; i < c->n_shards; i++)
        shard_free(&c->shards[i]);
    cl_free(c->shards, c->n_shards * sizeof(*c->shards));
    cl_wipe(c, sizeof(*c));
}

/*
 * A cache of capacity 0 stores nothing and needs no lock: it has no shards, so a zeroed cache
 * (never initialised, or whose init failed) is one too, and safe to free.
 */
int cl_session_cache_init(cl_session_cache *c, size_t capacity)
{
    memset(c, 0, sizeof(*c));
    CL_CHECK(capacity < NIL, CLASP_ERR_INVALID_ARG);
    if (capacity == 0)
        return 0;
    size_t n = shard_count(capacity);
    uint8_t key[16];
    CL_TRY(cl_random(key, sizeof(key)));
    struct cl_cache_shard *shards = cl_calloc(n, sizeof(*shards));
    CL_CHECK(shards, CLASP_ERR_NOMEM);
    for (size_t i = 0; i < n; i++) {
        int rc = shard_init(&shards[i], capacity / n + (i < capacity % n));
        if (rc) {
            while (i--)
                shard_free(&shards[i]);
            cl_free(shards, n * sizeof(*shards));
            return rc;
        }
    }
    c->key[0] = load_le(key, 8);
    c->key[1] = load_le(key + 8, 8);
    cl_wipe(key, sizeof(key));
    c->shards = shards;
    c->n_shards = n;
    c->capacity = capacity;
    return 0;
}

static struct cl_cache_shard *shard_of(cl_session_cache *c, uint64_t hash)
{
    return &c->shards[hash & (c->n_shards - 1)];
}

int cl_session_cache_put(cl_session_cache *c, const cl_session *s)
{
    if (!c->shards)
        return 0;
    /* RFC 5246 7.4.1.3: an empty session ID means the session cannot be resumed. */
    CL_CHECK(s->id_len >= 1 && s->id_len <= CL_SESSION_ID_LEN, CLASP_ERR_INVALID_ARG);
    cl_session copy;
    CL_TRY(cl_session_copy(&copy, s)); /* allocate outside the lock */
    uint64_t hash = cl_siphash24(c->key, s->id, s->id_len);
    struct cl_cache_shard *sh = shard_of(c, hash);
    pthread_mutex_lock(&sh->lock);
    uint32_t idx = find(sh, hash, s->id, s->id_len);
    if (idx != NIL) { /* replaced: it becomes the newest */
        cl_session_clear(&sh->e[idx].s);
        unlink_entry(sh, idx);
    } else {
        idx = take_entry(sh);
        sh->e[idx].hash = hash;
        table_add(sh, idx);
    }
    sh->e[idx].s = copy; /* the entry owns the chain now */
    link_newest(sh, idx);
    pthread_mutex_unlock(&sh->lock);
    cl_wipe(&copy, sizeof(copy));
    return 0;
}

/* Looks up and, with take, removes the entry found in the same critical section. */
static int lookup(cl_session_cache *c, const uint8_t *id, size_t id_len, uint64_t now,
                  cl_session *out, int take)
{
    memset(out, 0, sizeof(*out));
    if (!c->shards || id_len > CL_SESSION_ID_LEN)
        return CLASP_ERR_STATE;
    uint64_t hash = cl_siphash24(c->key, id, id_len);
    struct cl_cache_shard *sh = shard_of(c, hash);
    int rc = CLASP_ERR_STATE;
    pthread_mutex_lock(&sh->lock);
    uint32_t idx = find(sh, hash, id, id_len);
    int valid = idx != NIL && cl_session_valid(&sh->e[idx].s, now);
    if (valid)
        rc = cl_session_copy(out, &sh->e[idx].s); /* under the lock: a put may replace it */
    if (idx != NIL && (!valid || (take && rc == 0)))
        remove_entry(sh, idx);
    pthread_mutex_unlock(&sh->lock);
    return rc;
}

/* *out is always initialised: a copy on success, cleared otherwise. */
int cl_session_cache_get(cl_session_cache *c, const uint8_t *id, size_t id_len, uint64_t now,
                         cl_session *out)
{
    return lookup(c, id, id_len, now, out, 0);
}

int cl_session_cache_take(cl_session_cache *c, const uint8_t *id, size_t id_len, uint64_t now,
                          cl_session *out)
{
    return lookup(c, id, id_len, now, out, 1);
}

void cl_session_cache_remove(cl_session_cache *c, const uint8_t *id, size_t id_len)
{
    if (!c->shards || id_len > CL_SESSION_ID_LEN)
        return;
    uint64_t hash = cl_siphash24(c->key, id, id_len);
    struct cl_cache_shard *sh = shard_of(c, hash);
    pthread_mutex_lock(&sh->lock);
    uint32_t idx = find(sh, hash, id, id_len);
    if (idx != NIL)
        remove_entry(sh, idx);
    pthread_mutex_unlock(&sh->lock);
}

size_t cl_session_cache_count(cl_session_cache *c)
{
    size_t n = 0;
    for (size_t i = 0; c->shards && i < c->n_shards; i++) {
        pthread_mutex_lock(&c->shards[i].lock);
        n += c->shards[i].count;
        pthread_mutex_unlock(&c->shards[i].lock);
    }
    return n;
}
