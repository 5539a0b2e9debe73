/*
 * Random bytes. Public values (hello randoms, session IDs, cookies) are drawn from libcrypto's
 * public DRBG in chunks into a per-thread buffer: one DRBG call serves several handshakes,
 * where each RAND_bytes call has a fixed cost (context lookup, reseed and fork checks) larger
 * than generating the 32 bytes asked for. Secrets skip the buffer and come from the private
 * DRBG. The safety argument is in docs/performance.md; in short:
 *  - bytes are handed out once: taken from the end of the buffer and wiped there;
 *  - a forked child never reuses the parent's bytes: the buffer is discarded in the child
 *    (pthread_atfork), and whenever the process id differs from the one that filled it
 *    (a fork that bypassed the atfork handlers);
 *  - each thread has its own buffer, wiped when the thread exits (a pthread key destructor);
 *  - only public values come from it, so a leak of the buffer reveals no key.
 */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "base/err.h"
#include "base/mem.h"
#include "crypto/crypto.h"

#define POOL_LEN 512 /* a chunk: about eight handshakes' randoms */

struct pool {
    uint8_t buf[POOL_LEN];
    size_t left; /* unused bytes: buf[0, left) */
    pid_t pid;   /* the process that filled it */
    int registered;
};

static _Thread_local struct pool pool;
static pthread_key_t pool_key;
static int pool_key_ok;
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

/* Thread exit: the key's destructor wipes the exiting thread's buffer. */
static void pool_wipe(void *p)
{
    cl_wipe(p, sizeof(struct pool));
}

/* In a forked child, only the forking thread exists: its buffer is the parent's copy. */
static void pool_forked(void)
{
    cl_wipe(&pool, sizeof(pool));
}

static void pool_setup(void)
{
    pool_key_ok = pthread_key_create(&pool_key, pool_wipe) == 0;
    pthread_atfork(NULL, NULL, pool_forked);
}

/* Unloaded with threads still running: their exit must not call into unmapped code. */
__attribute__((destructor)) static void pool_unload(void)
{
    if (pool_key_ok)
        pthread_key_delete(pool_key);
}

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
static uint64_t *fuzz_state;

void cl_fuzz_random_use(uint64_t *state)
{
    fuzz_state = state;
}

int cl_fuzz_random_active(void)
{
    return fuzz_state != NULL;
}

/* splitmix64: reproducible, and no secret rests on it in a fuzzing build. */
static void fuzz_fill(uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i % 8 == 0)
            *fuzz_state += 0x9e3779b97f4a7c15u;
        uint64_t z = *fuzz_state;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
        buf[i] = (uint8_t)((z ^ (z >> 31)) >> (8 * (i % 8)));
    }
}
#endif

/* Fuzzing builds only: 1 when the reproducible stream, if in use, filled buf. */
static int fuzz_served(uint8_t *buf, size_t n)
{
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    if (fuzz_state) {
        fuzz_fill(buf, n);
        return 1;
    }
#else
    (void)buf;
    (void)n;
#endif
    return 0;
}

static int direct(uint8_t *buf, size_t n)
{
    return n <= INT32_MAX && RAND_bytes(buf, (int)n) == 1 ? 0 : CLASP_ERR_CRYPTO;
}

int cl_random(uint8_t *buf, size_t n)
{
    if (n == 0)
        return 0;
    if (fuzz_served(buf, n))
        return 0;
    if (n > POOL_LEN / 4)
        return direct(buf, n);
    if (pthread_once(&pool_once, pool_setup) != 0)
        return direct(buf, n);
    struct pool *p = &pool;
    pid_t pid = getpid();
    if (p->pid != pid) { /* filled by another process: never hand its bytes out again */
        cl_wipe(p, sizeof(*p));
        p->pid = pid;
    }
    if (!p->registered && pool_key_ok && pthread_setspecific(pool_key, p) == 0)
        p->registered = 1;
    if (p->left < n) {
        CL_TRY(direct(p->buf, POOL_LEN));
        p->left = POOL_LEN;
    }
    p->left -= n;
    memcpy(buf, p->buf + p->left, n);
    cl_wipe(p->buf + p->left, n);
    return 0;
}

int cl_random_secret(uint8_t *buf, size_t n)
{
    if (n == 0)
        return 0;
    if (fuzz_served(buf, n))
        return 0;
    return n <= INT32_MAX && RAND_priv_bytes(buf, (int)n) == 1 ? 0 : CLASP_ERR_CRYPTO;
}
