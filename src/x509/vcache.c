/*
 * The verified-chain cache of a trust store: chains that verified, by a salted SHA-256 of
 * their exact DER and the purpose, with what a later handshake needs without parsing or
 * verifying again (the leaf, its key type and usage, the anchor's name, the validity window
 * of the whole path). Only successes are kept: a failure is cheap to repeat, and keeping it
 * would let whoever sends chains fill the cache with verdicts of their choosing.
 *
 * A hash table (one bucket per entry at most; the salt makes bucket indexes unpredictable,
 * so no one can aim chains at one bucket) and a list from most to least recently used,
 * whose tail is evicted. One mutex; under it only pointer moves, a 256-byte copy and
 * reference counts: never a verification, never an X509 freed.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include <openssl/evp.h>

#include "base/err.h"
#include "base/mem.h"
#include "crypto/internal.h"
#include "x509/internal.h"

#define KEY_LEN 32 /* SHA-256 */

typedef struct entry {
    uint8_t key[KEY_LEN];
    cl_vcache_value v;
    struct entry *next_in_bucket;
    struct entry *newer, *older; /* recency list */
} entry;

struct cl_vcache {
    pthread_mutex_t lock;
    atomic_size_t max; /* 0: off (read without the lock to skip hashing) */
    size_t n, n_buckets;
    entry **buckets; /* allocated at the first insertion */
    entry *newest, *oldest;
    uint8_t salt[KEY_LEN];
    atomic_ullong verifications, hits, misses;
};

int cl_vcache_new(cl_vcache **out)
{
    cl_vcache *vc = cl_calloc(1, sizeof(*vc));
    CL_CHECK(vc, CLASP_ERR_NOMEM);
    if (pthread_mutex_init(&vc->lock, NULL) != 0) {
        cl_free(vc, sizeof(*vc));
        return CLASP_ERR_INTERNAL;
    }
    atomic_init(&vc->max, 0);
    atomic_init(&vc->verifications, 0);
    atomic_init(&vc->hits, 0);
    atomic_init(&vc->misses, 0);
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

/* Detaches every entry (under the lock); the caller frees the returned list by `older`. */
static entry *take_all(cl_vcache *vc)
{
    entry *all = vc->newest;
    cl_free(vc->buckets, vc->n_buckets * sizeof(*vc->buckets));
    vc->buckets = NULL;
    vc->n_buckets = 0;
    vc->n = 0;
    vc->newest = vc->oldest = NULL;
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
    free_list(take_all(vc));
    pthread_mutex_destroy(&vc->lock);
    cl_free(vc, sizeof(*vc));
}

void cl_vcache_clear(cl_vcache *vc)
{
    pthread_mutex_lock(&vc->lock);
    entry *all = take_all(vc);
    pthread_mutex_unlock(&vc->lock);
    free_list(all);
}

int cl_vcache_set_max(cl_vcache *vc, size_t max)
{
    CL_CHECK(max <= CL_VERIFY_CACHE_MAX, CLASP_ERR_INVALID_ARG);
    uint8_t salt[KEY_LEN];
    if (max)
        CL_TRY(cl_random(salt, sizeof(salt)));
    pthread_mutex_lock(&vc->lock);
    entry *all = take_all(vc);
    if (max)
        memcpy(vc->salt, salt, sizeof(salt));
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

int cl_vcache_key(cl_vcache *vc, const cl_cert_der *chain, size_t n, cl_verify_purpose purpose,
                  uint8_t key[32])
{
    /* The purpose and the count, then each certificate's length before its bytes, so that
     * no two different chains hash the same input. The salt is read-only once enabled. */
    uint8_t head[9], len[8];
    head[0] = (uint8_t)purpose;
    put_be64(head + 1, n);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, cl_md(CL_HASH_SHA256), NULL) == 1 &&
             EVP_DigestUpdate(ctx, vc->salt, sizeof(vc->salt)) == 1 &&
             EVP_DigestUpdate(ctx, head, sizeof(head)) == 1;
    for (size_t i = 0; ok && i < n; i++) {
        put_be64(len, chain[i].len);
        ok = EVP_DigestUpdate(ctx, len, sizeof(len)) == 1 &&
             EVP_DigestUpdate(ctx, chain[i].der, chain[i].len) == 1;
    }
    ok = ok && EVP_DigestFinal_ex(ctx, key, NULL) == 1;
    EVP_MD_CTX_free(ctx);
    return ok ? 0 : CLASP_ERR_CRYPTO;
}

/* The link that points at the entry with this key, or at the end of its bucket. */
static entry **find(cl_vcache *vc, const uint8_t key[KEY_LEN])
{
    uint64_t h = 0;
    memcpy(&h, key, sizeof(h));
    entry **pp = &vc->buckets[h & (vc->n_buckets - 1)];
    while (*pp && memcmp((*pp)->key, key, KEY_LEN) != 0)
        pp = &(*pp)->next_in_bucket;
    return pp;
}

static void list_remove(cl_vcache *vc, entry *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        vc->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        vc->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void list_push(cl_vcache *vc, entry *e)
{
    e->older = vc->newest;
    e->newer = NULL;
    if (vc->newest)
        vc->newest->newer = e;
    vc->newest = e;
    if (!vc->oldest)
        vc->oldest = e;
}

/* Takes e out of the table and the list (under the lock). */
static void unlink_entry(cl_vcache *vc, entry *e)
{
    entry **pp = find(vc, e->key);
    *pp = e->next_in_bucket;
    list_remove(vc, e);
    vc->n--;
}

int cl_vcache_get(cl_vcache *vc, const uint8_t key[32], time_t now, cl_vcache_value *out)
{
    entry *stale = NULL;
    int hit = 0;
    pthread_mutex_lock(&vc->lock);
    entry *e = vc->buckets ? *find(vc, key) : NULL;
    if (e && (now < e->v.not_before || now >= e->v.not_after)) {
        /* Outside some certificate's validity: verified afresh, which names the failure. */
        unlink_entry(vc, e);
        stale = e;
    } else if (e && X509_up_ref(e->v.leaf) == 1) {
        *out = e->v;
        list_remove(vc, e);
        list_push(vc, e);
        hit = 1;
    }
    pthread_mutex_unlock(&vc->lock);
    atomic_fetch_add(hit ? &vc->hits : &vc->misses, 1);
    free_entry(stale);
    return hit;
}

/* One bucket per possible entry, a power of two (under the lock, once). */
static int make_buckets(cl_vcache *vc, size_t max)
{
    size_t n = 1;
    while (n < max)
        n <<= 1;
    vc->buckets = cl_calloc(n, sizeof(*vc->buckets));
    CL_CHECK(vc->buckets, CLASP_ERR_NOMEM);
    vc->n_buckets = n;
    return 0;
}

void cl_vcache_put(cl_vcache *vc, const uint8_t key[32], const cl_vcache_value *v)
{
    entry *e = cl_calloc(1, sizeof(*e)), *drop = NULL;
    if (!e)
        return; /* not cached: the verdict stands all the same */
    memcpy(e->key, key, KEY_LEN);
    e->v = *v;
    if (X509_up_ref(e->v.leaf) != 1) {
        cl_free(e, sizeof(*e));
        return;
    }
    pthread_mutex_lock(&vc->lock);
    size_t max = atomic_load(&vc->max);
    entry **pp = NULL;
    if (max == 0 || (!vc->buckets && make_buckets(vc, max) != 0) || *(pp = find(vc, key))) {
        drop = e; /* off, out of memory, or another thread cached the chain meanwhile */
    } else {
        if (vc->n == max) {
            drop = vc->oldest;
            unlink_entry(vc, drop);
            pp = find(vc, key); /* the evicted entry may have been in this bucket */
        }
        *pp = e;
        list_push(vc, e);
        vc->n++;
    }
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
    pthread_mutex_lock(&vc->lock);
    out->entries = vc->n;
    pthread_mutex_unlock(&vc->lock);
}
