/*
 * Random bytes (src/crypto/random.c): draws never repeat, across refills of the per-thread
 * buffer, across threads, and across fork() and a raw fork system call that bypasses the
 * atfork handlers (the child must not hand out the bytes its parent will).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pthread.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/crypto.h"

#define DRAW 32
#define MANY 200 /* several refills of the buffer */

static void all_distinct(uint8_t (*d)[DRAW], size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (memcmp(d[i], d[j], DRAW) == 0)
                fail_msg("draws %zu and %zu are equal", i, j);
}

static void test_draws_distinct(void **state)
{
    (void)state;
    static uint8_t d[MANY][DRAW];
    for (size_t i = 0; i < MANY; i++)
        assert_int_equal(cl_random(d[i], (i % 3) ? DRAW : 7), 0); /* odd sizes too */
    for (size_t i = 0; i < MANY; i += 3)
        memset(d[i] + 7, (int)i, DRAW - 7);
    all_distinct(d, MANY);
    uint8_t big[4096], zeros[4096] = {0}; /* larger than the buffer: straight from the DRBG */
    assert_int_equal(cl_random(big, sizeof(big)), 0);
    assert_memory_not_equal(big, zeros, sizeof(big));
    assert_int_equal(cl_random(big, 0), 0);
    assert_int_equal(cl_random_secret(big, 48), 0);
    assert_memory_not_equal(big, zeros, 48);
}

static void *thread_draw(void *arg)
{
    uint8_t(*d)[DRAW] = arg;
    for (size_t i = 0; i < 4; i++)
        if (cl_random(d[i], DRAW) != 0)
            return arg;
    return NULL;
}

static void test_threads_distinct(void **state)
{
    (void)state;
    uint8_t d[12][DRAW];
    pthread_t t[2];
    assert_int_equal(cl_random(d[8], DRAW), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, thread_draw, d[4 * i]), 0);
    for (int i = 0; i < 2; i++) {
        void *rc;
        assert_int_equal(pthread_join(t[i], &rc), 0);
        assert_null(rc);
    }
    for (size_t i = 9; i < 12; i++)
        assert_int_equal(cl_random(d[i], DRAW), 0);
    all_distinct(d, 12);
}

/* The parent's next draw and the child's first draw after a fork must differ. */
static void fork_check(int raw)
{
    uint8_t mine[DRAW], theirs[DRAW];
    int fds[2];
    assert_int_equal(cl_random(mine, DRAW), 0); /* the buffer holds unused bytes now */
    assert_int_equal(pipe(fds), 0);
    pid_t pid = raw ? (pid_t)syscall(SYS_fork) : fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        uint8_t d[DRAW];
        int ok = cl_random(d, DRAW) == 0 && write(fds[1], d, DRAW) == DRAW;
        _exit(ok ? 0 : 1);
    }
    close(fds[1]);
    assert_int_equal(cl_random(mine, DRAW), 0);
    assert_int_equal(read(fds[0], theirs, DRAW), DRAW);
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_memory_not_equal(mine, theirs, DRAW);
}

static void test_fork(void **state)
{
    (void)state;
    fork_check(0);
}

/* A fork the atfork handlers never see: the process id tells. */
static void test_raw_fork(void **state)
{
    (void)state;
    fork_check(1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_draws_distinct),
        cmocka_unit_test(test_threads_distinct),
        cmocka_unit_test(test_fork),
        cmocka_unit_test(test_raw_fork),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
