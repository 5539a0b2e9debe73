#include <stdlib.h>
#include <string.h>

#include <clasp/clasp.h>

#include "base/mem.h"

static void *default_alloc(void *ctx, size_t n)
{
    (void)ctx;
    return malloc(n);
}

static void default_free(void *ctx, void *p, size_t n)
{
    (void)ctx;
    (void)n;
    free(p);
}

static clasp_allocator allocator = {default_alloc, default_free, NULL};

void clasp_set_allocator(const clasp_allocator *a)
{
    if (a && a->alloc && a->free)
        allocator = *a;
    else
        allocator = (clasp_allocator){default_alloc, default_free, NULL};
}

void *cl_alloc(size_t n)
{
    if (n == 0)
        return NULL;
    return allocator.alloc(allocator.ctx, n);
}

void *cl_calloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    void *p = cl_alloc(n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void cl_free(void *p, size_t n)
{
    if (p)
        allocator.free(allocator.ctx, p, n);
}

void cl_free_secret(void *p, size_t n)
{
    if (!p)
        return;
    cl_wipe(p, n);
    allocator.free(allocator.ctx, p, n);
}

/* A volatile function pointer: the compiler cannot prove the call is memset, so it stays. */
static void *(*volatile wipe_memset)(void *, int, size_t) = memset;

void cl_wipe(void *p, size_t n)
{
    if (p && n)
        wipe_memset(p, 0, n);
}

int cl_ct_memeq(const void *a, const void *b, size_t n)
{
    const volatile uint8_t *x = a;
    const volatile uint8_t *y = b;
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= (uint8_t)(x[i] ^ y[i]);
    /* Map acc == 0 to 1 without a branch on the secret-dependent value. */
    return (int)(1 & (((uint32_t)acc - 1) >> 8));
}

uint8_t *cl_memdup(const uint8_t *p, size_t n)
{
    uint8_t *q = cl_alloc(n);
    if (q)
        memcpy(q, p, n);
    return q;
}
