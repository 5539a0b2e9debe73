#include <pthread.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "base/err.h"
#include "crypto/internal.h"

static struct cl_crypto_algs algs;
static int init_result = CLASP_ERR_CRYPTO;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void fetch_all(void)
{
    static const char *md_names[] = {"SHA256", "SHA384", "SHA512"};
    static const char *aead_names[] = {"AES-128-GCM", "AES-256-GCM", "ChaCha20-Poly1305"};
    for (int i = 0; i < 3; i++) {
        algs.md[i] = EVP_MD_fetch(NULL, md_names[i], NULL);
        algs.aead[i] = EVP_CIPHER_fetch(NULL, aead_names[i], NULL);
        if (!algs.md[i] || !algs.aead[i])
            return;
    }
    init_result = 0;
}

int cl_crypto_init(void)
{
    if (pthread_once(&init_once, fetch_all) != 0)
        return CLASP_ERR_INTERNAL;
    return init_result;
}

const struct cl_crypto_algs *cl_algs(void)
{
    return &algs;
}

const EVP_MD *cl_md(cl_hash_alg alg)
{
    if (cl_crypto_init() != 0 || (unsigned)alg > CL_HASH_SHA512)
        return NULL;
    return algs.md[alg];
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

int cl_random(uint8_t *buf, size_t n)
{
    if (n == 0)
        return 0;
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    if (fuzz_state) {
        fuzz_fill(buf, n);
        return 0;
    }
#endif
    return RAND_bytes(buf, (int)n) == 1 ? 0 : CLASP_ERR_CRYPTO;
}
