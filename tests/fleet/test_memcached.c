/*
 * libclasp-memcached against a real memcached (started by run_fleet.py, which passes its
 * address): the session store (get, put with the session's expiry, atomic take, remove, a
 * dead server) and the shared key ring (two servers agree, one compare-and-swap wins a
 * rotation, a ring lost with a restarted memcached is published again from the last keys).
 * Usage: test_memcached HOST:PORT DEAD_HOST:PORT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>
#include <cmocka.h>

#include <libmemcached/memcached.h>

#include <clasp/clasp.h>
#include <clasp/memcached.h>

#include "base/mem.h"
#include "hs/session.h"
#include "hs/stek.h"

static const char *servers, *dead;
static char group[32];

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A server's session, as clasp stores it: made lifetime seconds from created. */
static void session_bytes(uint64_t created, uint32_t lifetime, uint8_t out[1024], size_t *len)
{
    cl_session s;
    memset(&s, 0, sizeof(s));
    s.version = CLASP_TLS13;
    s.suite = 0x1301;
    s.master_len = 32;
    memset(s.master, 0x42, 32);
    s.id_len = 32;
    memset(s.id, 0x17, 32);
    s.created = created;
    s.lifetime = lifetime;
    uint8_t *enc;
    size_t cap;
    assert_int_equal(cl_session_encode(&s, &enc, len, &cap), 0);
    assert_true(*len <= 1024);
    memcpy(out, enc, *len);
    cl_free_secret(enc, cap);
}

static void test_store_args(void **state)
{
    (void)state;
    clasp_memcached_store *st = (void *)1;
    assert_int_equal(clasp_memcached_store_new(servers, "a b", 0, &st), CLASP_ERR_INVALID_ARG);
    assert_null(st);
    assert_int_equal(clasp_memcached_store_new(NULL, NULL, 0, &st), CLASP_ERR_INVALID_ARG);
    assert_int_equal(clasp_memcached_store_new("", NULL, 0, &st), CLASP_ERR_INVALID_ARG);
    char long_prefix[80];
    memset(long_prefix, 'p', sizeof(long_prefix) - 1);
    long_prefix[sizeof(long_prefix) - 1] = '\0';
    assert_int_equal(clasp_memcached_store_new(servers, long_prefix, 0, &st),
                     CLASP_ERR_INVALID_ARG);
    clasp_memcached_store_free(NULL);
}

static void test_store(void **state)
{
    (void)state;
    clasp_memcached_store *st;
    assert_int_equal(clasp_memcached_store_new(servers, group, 0, &st), 0);
    clasp_session_store cb = clasp_memcached_store_callbacks(st);
    assert_non_null(cb.take);
    uint8_t id[32], buf[4096], s[1024];
    size_t len, n;
    memset(id, 0xa5, sizeof(id));
    session_bytes((uint64_t)time(NULL), 60, s, &len);
    assert_int_equal(cb.get(cb.arg, id, 32, buf, sizeof(buf), &n), -1);
    assert_int_equal(cb.put(cb.arg, id, 32, s, len), 0);
    assert_int_equal(cb.get(cb.arg, id, 32, buf, sizeof(buf), &n), 0);
    assert_int_equal(n, len);
    assert_memory_equal(buf, s, len);
    assert_int_equal(cb.get(cb.arg, id, 32, buf, len - 1, &n), -1);     /* too small */
    assert_int_equal(cb.get(cb.arg, id, 31, buf, sizeof(buf), &n), -1); /* another ID */
    assert_int_equal(cb.take(cb.arg, id, 32, buf, sizeof(buf), &n), 0);
    assert_memory_equal(buf, s, len);
    assert_int_equal(cb.take(cb.arg, id, 32, buf, sizeof(buf), &n), -1); /* taken once */
    assert_int_equal(cb.get(cb.arg, id, 32, buf, sizeof(buf), &n), -1);
    assert_int_equal(cb.put(cb.arg, id, 32, s, len), 0);
    cb.remove(cb.arg, id, 32);
    assert_int_equal(cb.get(cb.arg, id, 32, buf, sizeof(buf), &n), -1);
    /* an expired session is not stored; nor is what is not a session */
    session_bytes((uint64_t)time(NULL) - 100, 60, s, &len);
    assert_int_equal(cb.put(cb.arg, id, 32, s, len), -1);
    assert_int_equal(cb.put(cb.arg, id, 32, (const uint8_t *)"junk", 4), -1);
    assert_int_equal(cb.get(cb.arg, id, 32, buf, sizeof(buf), &n), -1);
    /* the session's own lifetime is the entry's expiry */
    session_bytes((uint64_t)time(NULL), 1, s, &len);
    assert_int_equal(cb.put(cb.arg, id, 32, s, len), 0);
    assert_int_equal(cb.get(cb.arg, id, 32, buf, sizeof(buf), &n), 0);
    sleep(3);
    assert_int_equal(cb.get(cb.arg, id, 32, buf, sizeof(buf), &n), -1);
    clasp_memcached_store_free(st);
}

/* ---- take: one winner among threads ---- */

#define RACERS 6
#define ROUNDS 30

static struct {
    clasp_session_store cb;
    pthread_barrier_t start;
    uint8_t id[32];
    int wins;
    pthread_mutex_t lock;
} race;

static void *racer(void *arg)
{
    (void)arg;
    uint8_t buf[4096];
    size_t n;
    for (int r = 0; r < ROUNDS; r++) {
        pthread_barrier_wait(&race.start); /* the ID is stored */
        if (race.cb.take(race.cb.arg, race.id, 32, buf, sizeof(buf), &n) == 0) {
            pthread_mutex_lock(&race.lock);
            race.wins++;
            pthread_mutex_unlock(&race.lock);
        }
        pthread_barrier_wait(&race.start); /* all have tried */
    }
    return NULL;
}

static void test_take_race(void **state)
{
    (void)state;
    clasp_memcached_store *st;
    assert_int_equal(clasp_memcached_store_new(servers, group, 500, &st), 0);
    race.cb = clasp_memcached_store_callbacks(st);
    pthread_barrier_init(&race.start, NULL, RACERS + 1);
    pthread_mutex_init(&race.lock, NULL);
    pthread_t t[RACERS];
    for (int i = 0; i < RACERS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, racer, NULL), 0);
    uint8_t s[1024];
    size_t len;
    session_bytes((uint64_t)time(NULL), 60, s, &len);
    for (int r = 0; r < ROUNDS; r++) {
        memset(race.id, r + 1, sizeof(race.id));
        assert_int_equal(race.cb.put(race.cb.arg, race.id, 32, s, len), 0);
        int before = race.wins;
        pthread_barrier_wait(&race.start);
        pthread_barrier_wait(&race.start);
        assert_int_equal(race.wins - before, 1); /* exactly one take got the ticket */
    }
    for (int i = 0; i < RACERS; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&race.start);
    pthread_mutex_destroy(&race.lock);
    clasp_memcached_store_free(st);
}

/* Nothing listens there: every call fails, each at once or within its timeout. */
static void test_store_dead(void **state)
{
    (void)state;
    clasp_memcached_store *st;
    assert_int_equal(clasp_memcached_store_new(dead, NULL, 0, &st), 0);
    clasp_session_store cb = clasp_memcached_store_callbacks(st);
    uint8_t id[32] = {1}, buf[4096], s[1024];
    size_t len, n;
    session_bytes((uint64_t)time(NULL), 60, s, &len);
    int64_t t0 = now_ms();
    for (int i = 0; i < 20; i++) {
        assert_int_equal(cb.put(cb.arg, id, 32, s, len), -1);
        assert_int_equal(cb.get(cb.arg, id, 32, buf, sizeof(buf), &n), -1);
        assert_int_equal(cb.take(cb.arg, id, 32, buf, sizeof(buf), &n), -1);
        cb.remove(cb.arg, id, 32);
    }
    /* 80 calls: a hang would be seconds each; a generous bound, not a speed claim */
    assert_true(now_ms() - t0 < 5000);
    clasp_memcached_store_free(st);
}

/* ---- the key ring ---- */

static memcached_st *raw(void)
{
    memcached_st *m = memcached(NULL, 0);
    memcached_server_list_st l = memcached_servers_parse(servers);
    assert_int_equal(memcached_server_push(m, l), MEMCACHED_SUCCESS);
    memcached_server_list_free(l);
    memcached_behavior_set(m, MEMCACHED_BEHAVIOR_DISTRIBUTION, MEMCACHED_DISTRIBUTION_CONSISTENT);
    return m;
}

static void ring_key(char *key, size_t cap)
{
    snprintf(key, cap, "clasp:k:%s", group);
}

/* The ring in memcached, parsed. */
static size_t read_ring(memcached_st *m, clasp_ticket_key *ring)
{
    char key[96];
    ring_key(key, sizeof(key));
    size_t len = 0, n = 0;
    uint32_t flags;
    memcached_return_t rc;
    char *v = memcached_get(m, key, strlen(key), &len, &flags, &rc);
    if (!v)
        return 0;
    assert_int_equal(clasp_ticket_keys_parse(v, len, ring, 16, &n), 0);
    free(v);
    return n;
}

static void write_ring(memcached_st *m, const clasp_ticket_key *ring, size_t n)
{
    char key[96], text[2048];
    size_t len;
    ring_key(key, sizeof(key));
    assert_int_equal(clasp_ticket_keys_format(ring, n, text, sizeof(text), &len), 0);
    assert_int_equal(memcached_set(m, key, strlen(key), text, len, 0, 0), MEMCACHED_SUCCESS);
}

/* Whether tk holds exactly the keys of ring (each name opens with the same key). */
static int holds(clasp_ticket_keys *tk, const clasp_ticket_key *ring, size_t n)
{
    clasp_ticket_keys *ref = clasp_ticket_keys_new(0, 0);
    assert_int_equal(clasp_ticket_keys_set(ref, ring, n), 0);
    int same = tk->n == n;
    for (size_t i = 0; same && i < n; i++) {
        cl_stek a, b;
        same = cl_ticket_keys_find(tk, 0, ring[i].name, &a) == 0 &&
               cl_ticket_keys_find(ref, 0, ring[i].name, &b) == 0 &&
               memcmp(a.aead_key, b.aead_key, sizeof(a.aead_key)) == 0;
    }
    clasp_ticket_keys_free(ref);
    return same;
}

typedef struct syncer {
    clasp_memcached_keys *mk;
    pthread_barrier_t *go;
    int rc;
} syncer;

static void *sync_now(void *arg)
{
    syncer *s = arg;
    pthread_barrier_wait(s->go);
    s->rc = clasp_memcached_ticket_keys_sync(s->mk);
    return NULL;
}

static void test_key_ring(void **state)
{
    (void)state;
    memcached_st *m = raw();
    clasp_ticket_keys *tk1 = clasp_ticket_keys_new(0, 0), *tk2 = clasp_ticket_keys_new(0, 0);
    clasp_memcached_keys *mk1, *mk2;
    assert_int_equal(clasp_memcached_ticket_keys_start(tk1, servers, "a b", 10, 3, &mk1),
                     CLASP_ERR_INVALID_ARG);
    assert_int_equal(clasp_memcached_ticket_keys_start(tk1, servers, group, 10, 1, &mk1),
                     CLASP_ERR_INVALID_ARG);
    /* the first server makes the ring; the second finds it */
    assert_int_equal(clasp_memcached_ticket_keys_start(tk1, servers, group, 10, 3, &mk1), 0);
    assert_int_equal(clasp_memcached_ticket_keys_start(tk2, servers, group, 10, 3, &mk2), 0);
    clasp_ticket_key ring[16];
    size_t n = read_ring(m, ring);
    assert_int_equal(n, 1);
    assert_true(holds(tk1, ring, n));
    assert_true(holds(tk2, ring, n));
    size_t nk;
    uint64_t ok;
    clasp_memcached_ticket_keys_status(mk2, &nk, &ok);
    assert_int_equal(nk, 1);
    assert_true(ok > 0);

    /* a key due, both servers at once: one compare-and-swap wins, one key is added */
    ring[0].not_before -= 100;
    write_ring(m, ring, 1);
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, 2);
    syncer s1 = {mk1, &go, -1}, s2 = {mk2, &go, -1};
    pthread_t t1, t2;
    pthread_create(&t1, NULL, sync_now, &s1);
    pthread_create(&t2, NULL, sync_now, &s2);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    pthread_barrier_destroy(&go);
    assert_int_equal(s1.rc, 0);
    assert_int_equal(s2.rc, 0);
    n = read_ring(m, ring);
    assert_int_equal(n, 2);
    assert_true(ring[0].not_before > (uint64_t)time(NULL)); /* announced ahead */
    assert_true(holds(tk1, ring, n));
    assert_true(holds(tk2, ring, n));

    /* memcached lost the ring (restarted): published again from the last keys */
    char key[96];
    ring_key(key, sizeof(key));
    assert_int_equal(memcached_delete(m, key, strlen(key), 0), MEMCACHED_SUCCESS);
    assert_int_equal(clasp_memcached_ticket_keys_sync(mk2), 0);
    clasp_ticket_key again[16];
    assert_int_equal(read_ring(m, again), 2);
    assert_memory_equal(again, ring, 2 * sizeof(ring[0]));
    /* a ring rotated elsewhere, without the old keys: adopted as it is */
    clasp_ticket_key fresh[1];
    size_t nf = 0;
    assert_int_equal(clasp_ticket_key_ring_rotate(fresh, &nf, 1, (uint64_t)time(NULL), 0, 0, 2),
                     CLASP_ERR_INVALID_ARG); /* keep above the room */
    clasp_ticket_key fr[2];
    nf = 0;
    assert_int_equal(clasp_ticket_key_ring_rotate(fr, &nf, 2, (uint64_t)time(NULL), 0, 0, 2), 1);
    write_ring(m, fr, nf);
    assert_int_equal(clasp_memcached_ticket_keys_sync(mk1), 0);
    assert_true(holds(tk1, fr, nf));
    cl_stek k;
    assert_int_not_equal(cl_ticket_keys_find(tk1, 0, ring[1].name, &k), 0); /* rotated out */

    clasp_memcached_ticket_keys_stop(mk1);
    clasp_memcached_ticket_keys_stop(mk2);
    clasp_ticket_keys_free(tk1);
    clasp_ticket_keys_free(tk2);
    memcached_free(m);
}

/* memcached down from the start: the sync runs, keeps tk's own keys, and says so. */
static void test_key_ring_dead(void **state)
{
    (void)state;
    clasp_ticket_keys *tk = clasp_ticket_keys_new(0, 0);
    clasp_memcached_keys *mk;
    assert_int_equal(clasp_memcached_ticket_keys_start(tk, dead, group, 10, 3, &mk), 0);
    size_t n = 99;
    uint64_t ok = 99;
    clasp_memcached_ticket_keys_status(mk, &n, &ok);
    assert_int_equal(n, 0);
    assert_int_equal(ok, 0);
    assert_int_equal(clasp_memcached_ticket_keys_sync(mk), CLASP_ERR_INTERNAL);
    cl_stek k;
    assert_int_equal(cl_ticket_keys_current(tk, (uint64_t)time(NULL), &k, NULL), 0);
    clasp_memcached_ticket_keys_stop(mk);
    clasp_ticket_keys_free(tk);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s HOST:PORT DEAD_HOST:PORT\n", argv[0]);
        return 2;
    }
    servers = argv[1];
    dead = argv[2];
    snprintf(group, sizeof(group), "test-%ld-%ld", (long)getpid(), (long)time(NULL));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_args), cmocka_unit_test(test_store),
        cmocka_unit_test(test_take_race),  cmocka_unit_test(test_store_dead),
        cmocka_unit_test(test_key_ring),   cmocka_unit_test(test_key_ring_dead),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
