#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <clasp/clasp.h>

#include "counting.h"

/* Each block carries its size in front, so free can check the size it is given. */
#define HDR 16

static void *count_alloc(void *ctx, size_t n)
{
    counting *c = ctx;
    if (c->allocs++ == c->fail_at)
        return NULL;
    uint8_t *p = malloc(HDR + n);
    if (!p)
        return NULL;
    memcpy(p, &n, sizeof(n));
    c->live_bytes += n;
    c->live_allocs++;
    return p + HDR;
}

static void count_free(void *ctx, void *q, size_t n)
{
    counting *c = ctx;
    uint8_t *p = (uint8_t *)q - HDR;
    size_t had;
    memcpy(&had, p, sizeof(had));
    if (had != n)
        c->size_mismatches++;
    c->live_bytes -= had;
    c->live_allocs--;
    free(p);
}

void counting_start(counting *c, long fail_at)
{
    static clasp_allocator a;
    *c = (counting){.fail_at = fail_at};
    a = (clasp_allocator){count_alloc, count_free, c};
    clasp_set_allocator(&a);
}

void counting_stop(void)
{
    clasp_set_allocator(NULL);
}
