/*
 * The server's TLS 1.2 session cache (src/hs/session_cache.c): time per lookup that finds
 * its session (a hit: the copy out included) and per lookup that does not (a miss), with
 * the cache full at 1024 and at 65536 sessions, from one thread and from two at once.
 * The IDs are random 32-byte values, as the server makes them; misses look up other random
 * IDs, as a client offering an unknown session does. Each figure is the mean over as many
 * lookups as fit in about 0.2 s per thread; the internal API is used directly, so the same
 * file measures any implementation behind cl_session_cache_* (before and after a change:
 * build both, run both, or compare instruction counts under callgrind with --ops).
 *
 *   clasp-bench-session-cache [--ops N]   (N: a fixed number of lookups per figure)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/crypto.h"
#include "hs/session.h"

#define SECONDS 0.2

typedef struct run {
    cl_session_cache *cache;
    const uint8_t (*ids)[CL_SESSION_ID_LEN]; /* stored IDs */
    size_t n_ids;
    int miss;
    uint32_t seed;
    long fixed_ops; /* > 0: exactly this many lookups */
    long ops;
    double seconds;
    int bad;
} run;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint32_t next_rand(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

/* A random ID (misses: its first byte makes it differ from every stored one). */
static void random_id(uint8_t *id, uint32_t *seed)
{
    for (size_t i = 0; i < CL_SESSION_ID_LEN; i += 4) {
        uint32_t r = next_rand(seed);
        memcpy(id + i, &r, 4);
    }
}

static int lookup(run *r)
{
    uint8_t miss_id[CL_SESSION_ID_LEN];
    const uint8_t *id = miss_id;
    if (r->miss) {
        random_id(miss_id, &r->seed);
        miss_id[0] = 0xff; /* stored IDs start below 0xff */
    } else {
        id = r->ids[next_rand(&r->seed) % r->n_ids];
    }
    cl_session out;
    int rc = cl_session_cache_get(r->cache, id, CL_SESSION_ID_LEN, 1, &out);
    cl_session_clear(&out);
    return rc == 0;
}

static void *lookups(void *arg)
{
    run *r = arg;
    double start = now(), t = start;
    r->ops = 0;
    while (r->fixed_ops ? r->ops < r->fixed_ops : t - start < SECONDS) {
        for (int i = 0; i < 64 && (!r->fixed_ops || r->ops < r->fixed_ops); i++, r->ops++)
            if (lookup(r) == r->miss)
                r->bad = 1;
        t = now();
    }
    r->seconds = t - start;
    return NULL;
}

/* Mean nanoseconds per lookup over `threads` threads running at once. */
static double measure(cl_session_cache *c, const uint8_t (*ids)[CL_SESSION_ID_LEN], size_t n,
                      int miss, int threads, long fixed_ops)
{
    pthread_t t[2];
    run r[2];
    for (int i = 0; i < threads; i++) {
        r[i] = (run){.cache = c,
                     .ids = ids,
                     .n_ids = n,
                     .miss = miss,
                     .seed = 0x2545f491u * (uint32_t)(i + 1) + (uint32_t)miss,
                     .fixed_ops = fixed_ops};
        if (pthread_create(&t[i], NULL, lookups, &r[i]) != 0)
            exit(1);
    }
    double ns = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        if (r[i].bad) {
            fprintf(stderr, "a lookup gave the wrong answer\n");
            exit(1);
        }
        ns += r[i].seconds * 1e9 / (double)r[i].ops / threads;
    }
    return ns;
}

/*
 * A full cache of n sessions with random IDs; returns how many of them it holds, whose IDs
 * are moved to the front of ids (a sharded cache may have evicted a few from a shard that
 * filled first).
 */
static size_t fill(cl_session_cache *c, uint8_t (*ids)[CL_SESSION_ID_LEN], size_t n)
{
    uint32_t seed = 0x9e3779b9u;
    if (cl_session_cache_init(c, n) != 0)
        exit(1);
    for (size_t i = 0; i < n; i++) {
        cl_session s;
        memset(&s, 0, sizeof(s));
        s.version = 0x0303;
        s.suite = 0xc02b;
        s.id_len = CL_SESSION_ID_LEN;
        s.lifetime = 7200;
        random_id(ids[i], &seed);
        ids[i][0] &= 0x7f;
        memcpy(s.id, ids[i], CL_SESSION_ID_LEN);
        if (cl_session_cache_put(c, &s) != 0)
            exit(1);
    }
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        cl_session out;
        if (cl_session_cache_get(c, ids[i], CL_SESSION_ID_LEN, 1, &out) == 0)
            memmove(ids[kept++], ids[i], CL_SESSION_ID_LEN);
        cl_session_clear(&out);
    }
    return kept;
}

int main(int argc, char **argv)
{
    static const size_t sizes[] = {1024, 65536};
    long fixed_ops = argc == 3 && strcmp(argv[1], "--ops") == 0 ? atol(argv[2]) : 0;
    if (cl_crypto_init() != 0)
        return 1;
    printf("session cache lookups, ns each (mean per thread)\n");
    printf("%-10s %-8s %12s %12s\n", "sessions", "threads", "hit", "miss");
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        uint8_t(*ids)[CL_SESSION_ID_LEN] = malloc(sizes[s] * CL_SESSION_ID_LEN);
        cl_session_cache c;
        if (!ids)
            return 1;
        size_t held = fill(&c, ids, sizes[s]);
        for (int threads = 1; threads <= 2; threads++) {
            double hit =
                measure(&c, (const uint8_t(*)[CL_SESSION_ID_LEN])ids, held, 0, threads, fixed_ops);
            double miss =
                measure(&c, (const uint8_t(*)[CL_SESSION_ID_LEN])ids, held, 1, threads, fixed_ops);
            printf("%-10zu %-8d %12.0f %12.0f   (%zu held)\n", sizes[s], threads, hit, miss, held);
        }
        cl_session_cache_free(&c);
        free(ids);
    }
    return 0;
}
