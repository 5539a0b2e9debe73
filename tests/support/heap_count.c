#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <clasp/clasp.h>

#include "heap_count.h"

long heap_live;

static void *count_malloc(size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    size_t *p = malloc(n + 16);
    if (!p)
        return NULL;
    p[0] = n;
    heap_live += (long)n;
    return p + 2;
}

static void count_free(void *q, const char *file, int line)
{
    (void)file;
    (void)line;
    if (q) {
        heap_live -= (long)((size_t *)q - 2)[0];
        free((size_t *)q - 2);
    }
}

static void *count_realloc(void *q, size_t n, const char *file, int line)
{
    void *r = count_malloc(n, file, line);
    if (r && q) {
        size_t old = ((size_t *)q - 2)[0];
        memcpy(r, q, old < n ? old : n);
        count_free(q, file, line);
    }
    return r;
}

static void *hook_alloc(void *ctx, size_t n)
{
    (void)ctx;
    return count_malloc(n, NULL, 0);
}

static void hook_free(void *ctx, void *p, size_t n)
{
    (void)ctx;
    (void)n;
    count_free(p, NULL, 0);
}

int heap_count_install(void)
{
    if (!CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free))
        return -1;
    clasp_allocator hooks = {hook_alloc, hook_free, NULL};
    clasp_set_allocator(&hooks);
    return 0;
}
