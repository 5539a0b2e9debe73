/*
 * The verified-chain cache of a trust store: chains that verified, by a salted SHA-256 of
 * their exact DER and the purpose, with what a later handshake needs without parsing or
 * verifying again (the leaf, its key type and usage, the anchor's name, the validity window
 * of the whole path). Only successes are kept: a failure is cheap to repeat, and keeping it
 * would let whoever sends chains fill the cache with verdicts of their choosing.
 *
 * Beside it, in a table of its own that the switch does not turn off, the store's parsed
 * intermediates: CA certificates that were on a verified path, decoded, by the salted
 * SHA-256 of their exact DER. They hold no verdict: a chain that carries one is verified
 * in full as ever, only the decoding is skipped (docs/performance.md).
 *
 * Each table is a hash table (one bucket per entry at most; the salt makes bucket indexes
 * unpredictable, so no one can aim certificates at one bucket) and a list from most to
 * least recently used, whose tail is evicted. One mutex; under it only pointer moves, a
 * 256-byte copy and reference counts: never a verification, never an X509 freed.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "crypto/internal.h"
#include "x509/internal.h"

#define KEY_LEN 32 /* SHA-256 */

/* Parsed intermediates kept per store: the CAs a client meets are few (docs/performance.md). */
#define MAX_CERTS 64

/* The key's first byte for a single certificate: no purpose has this value. */
#define KEY_CERT 0xff

typedef struct entry {
    uint8_t key[KEY_LEN];
    cl_vcache_value v; /* a parsed intermediate: in v.leaf, the rest unused */
    struct entry *next_in_bucket;
    struct entry *newer, *older; /* recency list */
} entry;

typedef struct table {
    size_t n, n_buckets;
    entry **buckets; /* allocated at the first insertion */
    entry *newest, *oldest;
} table;

struct cl_vcache {
    pthread_mutex_t lock;
    atomic_size_t max; /* chains; 0: off (read without the lock to skip hashing) */
    table chains, certs;
    uint8_t salt[KEY_LEN];
    atomic_ullong verifications, hits, misses, cert_hits;
};

int cl_vcache_new(cl_vcache **out)
{
    cl_vcache *vc = cl_calloc(1, sizeof(*vc));
    CL_CHECK(vc, CLASP_ERR_NOMEM);
    /* Drawn now: the parsed intermediates are keyed with it whether chains are cached or not. */
    int rc = cl_random(vc->salt, sizeof(vc->salt));
    if (rc == 0 && pthread_mutex_init(&vc->lock, NULL) != 0)
        rc = CLASP_ERR_INTERNAL;
    if (rc != 0) {
        cl_free(vc, sizeof(*vc));
        return rc;
    }
    atomic_init(&vc->max, 0);
    atomic_init(&vc->verifications, 0);
    atomic_init(&vc->hits, 0);
    atomic_init(&vc->misses, 0);
    atomic_init(&vc->cert_hits, 0);
    *out = vc;
    return 0;
}

static void free_entry(entry *e)
{
    if (!e)
        return;
    X509_free(e->v.leaf);
    cl_free(e, sizeof(*e));
}

/* Detaches every entry of a table (under the lock); the caller frees the list by `older`. */
static entry *take_all(table *t)
{
    entry *all = t->newest;
    cl_free(t->buckets, t->n_buckets * sizeof(*t->buckets));
    *t = (table){.n = 0};
    return all;
}

static void free_list(entry *e)
{
    while (e) {
        entry *older = e->older;
        free_entry(e);
        e = older;
    }
}

void cl_vcache_free(cl_vcache *vc)
{
    if (!vc)
        return;
    free_list(take_all(&vc->chains));
    free_list(take_all(&vc->certs));
    pthread_mutex_destroy(&vc->lock);
    cl_free(vc, sizeof(*vc));
}

/* The parsed intermediates stay: they hold no verdict, and anchors do not change them. */
void cl_vcache_clear(cl_vcache *vc)
{
    pthread_mutex_lock(&vc->lock);
    entry *all = take_all(&vc->chains);
    pthread_mutex_unlock(&vc->lock);
    free_list(all);
}

int cl_vcache_set_max(cl_vcache *vc, size_t max)
{
    CL_CHECK(max <= CL_VERIFY_CACHE_MAX, CLASP_ERR_INVALID_ARG);
    pthread_mutex_lock(&vc->lock);
    entry *all = take_all(&vc->chains);
    atomic_store(&vc->max, max);
    pthread_mutex_unlock(&vc->lock);
    free_list(all);
    return 0;
}

int cl_vcache_enabled(const cl_vcache *vc)
{
    return atomic_load(&((cl_vcache *)vc)->max) != 0;
}

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

/*
 * SHA-256 over the salt, a tag (a purpose, or KEY_CERT), the count, then each certificate's
 * length before its bytes, so that no two different inputs hash the same bytes. The salt is
 * read-only once the cache exists.
 */
static int make_key(cl_vcache *vc, uint8_t tag, const cl_cert_der *certs, size_t n,
                    uint8_t key[KEY_LEN])
{
    uint8_t head[9], len[8];
    head[0] = tag;
    put_be64(head + 1, n);
    cl_digest d = {0};
    int ok = cl_digest_init(&d, CL_HASH_SHA256) == 0 &&
             cl_digest_update(&d, vc->salt, sizeof(vc->salt)) == 0 &&
             cl_digest_update(&d, head, sizeof(head)) == 0;
    for (size_t i = 0; ok && i < n; i++) {
        put_be64(len, certs[i].len);
        ok = cl_digest_update(&d, len, sizeof(len)) == 0 &&
             cl_digest_update(&d, certs[i].der, certs[i].len) == 0;
    }
    ok = ok && cl_digest_final(&d, key) == 0;
    cl_digest_clear(&d);
    return ok ? 0 : CLASP_ERR_CRYPTO;
}

int cl_vcache_key(cl_vcache *vc, const cl_cert_der *chain, size_t n, cl_verify_purpose purpose,
                  uint8_t key[32])
{
    return make_key(vc, (uint8_t)purpose, chain, n, key);
}

int cl_vcache_cert_key(cl_vcache *vc, const cl_cert_der *cert, uint8_t key[32])
{
    return make_key(vc, KEY_CERT, cert, 1, key);
}

/* The link that points at the entry with this key, or at the end of its bucket. */
static entry **find(table *t, const uint8_t key[KEY_LEN])
{
    uint64_t h = 0;
    memcpy(&h, key, sizeof(h));
    entry **pp = &t->buckets[h & (t->n_buckets - 1)];
    while (*pp && memcmp((*pp)->key, key, KEY_LEN) != 0)
        pp = &(*pp)->next_in_bucket;
    return pp;
}

static void list_remove(table *t, entry *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        t->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        t->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void list_push(table *t, entry *e)
{
    e->older = t->newest;
    e->newer = NULL;
    if (t->newest)
        t->newest->newer = e;
    t->newest = e;
    if (!t->oldest)
        t->oldest = e;
}

/* Takes e out of the table and the list (under the lock). */
static void unlink_entry(table *t, entry *e)
{
    entry **pp = find(t, e->key);
    *pp = e->next_in_bucket;
    list_remove(t, e);
    t->n--;
}

static entry *lookup(table *t, const uint8_t key[KEY_LEN])
{
    return t->buckets ? *find(t, key) : NULL;
}

/* A hit: e's X509 up-ref'd for the caller, e moved to the front (under the lock). */
static int take_ref(table *t, entry *e)
{
    if (X509_up_ref(e->v.leaf) != 1)
        return 0;
    list_remove(t, e);
    list_push(t, e);
    return 1;
}

int cl_vcache_get(cl_vcache *vc, const uint8_t key[32], time_t now, cl_vcache_value *out)
{
    entry *stale = NULL;
    int hit = 0;
    pthread_mutex_lock(&vc->lock);
    entry *e = lookup(&vc->chains, key);
    if (e && (now < e->v.not_before || now >= e->v.not_after)) {
        /* Outside some certificate's validity: verified afresh, which names the failure. */
        unlink_entry(&vc->chains, e);
        stale = e;
    } else if (e && take_ref(&vc->chains, e)) {
        *out = e->v;
        hit = 1;
    }
    pthread_mutex_unlock(&vc->lock);
    atomic_fetch_add(hit ? &vc->hits : &vc->misses, 1);
    free_entry(stale);
    return hit;
}

X509 *cl_vcache_get_cert(cl_vcache *vc, const uint8_t key[32])
{
    pthread_mutex_lock(&vc->lock);
    entry *e = lookup(&vc->certs, key);
    X509 *x = e && take_ref(&vc->certs, e) ? e->v.leaf : NULL;
    pthread_mutex_unlock(&vc->lock);
    if (x)
        atomic_fetch_add(&vc->cert_hits, 1);
    return x;
}

/* One bucket per possible entry, a power of two (under the lock, once). */
static int make_buckets(table *t, size_t max)
{
    size_t n = 1;
    while (n < max)
        n <<= 1;
    t->buckets = cl_calloc(n, sizeof(*t->buckets));
    CL_CHECK(t->buckets, CLASP_ERR_NOMEM);
    t->n_buckets = n;
    return 0;
}

/*
 * Puts e into a table of at most max entries (under the lock); returns what the caller
 * frees: the evicted entry, or e itself when off, out of memory, or another thread cached
 * the same key meanwhile.
 */
static entry *insert(table *t, size_t max, entry *e)
{
    entry **pp = NULL, *drop = NULL;
    if (max == 0 || (!t->buckets && make_buckets(t, max) != 0) || *(pp = find(t, e->key)))
        return e;
    if (t->n == max) {
        drop = t->oldest;
        unlink_entry(t, drop);
        pp = find(t, e->key); /* the evicted entry may have been in this bucket */
    }
    *pp = e;
    list_push(t, e);
    t->n++;
    return drop;
}

/* A new entry holding its own reference on v->leaf, or NULL (then nothing is cached). */
static entry *new_entry(const uint8_t key[32], const cl_vcache_value *v)
{
    entry *e = cl_calloc(1, sizeof(*e));
    if (!e)
        return NULL;
    memcpy(e->key, key, KEY_LEN);
    e->v = *v;
    if (X509_up_ref(e->v.leaf) != 1) {
        cl_free(e, sizeof(*e));
        return NULL;
    }
    return e;
}

void cl_vcache_put(cl_vcache *vc, const uint8_t key[32], const cl_vcache_value *v)
{
    entry *e = new_entry(key, v);
    if (!e)
        return; /* not cached: the verdict stands all the same */
    pthread_mutex_lock(&vc->lock);
    entry *drop = insert(&vc->chains, atomic_load(&vc->max), e);
    pthread_mutex_unlock(&vc->lock);
    free_entry(drop);
}

void cl_vcache_put_cert(cl_vcache *vc, const uint8_t key[32], X509 *x)
{
    cl_vcache_value v = {.leaf = x};
    entry *e = new_entry(key, &v);
    if (!e)
        return;
    pthread_mutex_lock(&vc->lock);
    entry *drop = insert(&vc->certs, MAX_CERTS, e);
    pthread_mutex_unlock(&vc->lock);
    free_entry(drop);
}

void cl_vcache_count_verification(cl_vcache *vc)
{
    atomic_fetch_add(&vc->verifications, 1);
}

void cl_vcache_stats(cl_vcache *vc, cl_verify_stats *out)
{
    out->verifications = atomic_load(&vc->verifications);
    out->hits = atomic_load(&vc->hits);
    out->misses = atomic_load(&vc->misses);
    out->cert_hits = atomic_load(&vc->cert_hits);
    pthread_mutex_lock(&vc->lock);
    out->entries = vc->chains.n;
    out->certs = vc->certs.n;
    pthread_mutex_unlock(&vc->lock);
}
