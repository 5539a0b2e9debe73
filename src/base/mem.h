/*
 * Allocation through the user's hooks, wiping of secrets, constant-time comparison.
 * Every allocation is freed with its size, so counting allocators need no bookkeeping.
 */
#ifndef CLASP_BASE_MEM_H
#define CLASP_BASE_MEM_H

#include <stddef.h>
#include <stdint.h>

/* NULL when out of memory or when n is 0. */
void *cl_alloc(size_t n);
/* Zero-filled; NULL when out of memory, when n * size overflows, or when the product is 0. */
void *cl_calloc(size_t n, size_t size);
/* p may be NULL; n must be the size given to cl_alloc. */
void cl_free(void *p, size_t n);
/* Wipes n bytes, then frees. For anything that ever held key material. */
void cl_free_secret(void *p, size_t n);

/* Overwrites with zeros in a way the compiler cannot drop as a dead store. */
void cl_wipe(void *p, size_t n);

/* 1 when the n bytes are equal, else 0; the time taken depends only on n. */
int cl_ct_memeq(const void *a, const void *b, size_t n);

/* Duplicates n bytes into a fresh allocation of exactly n bytes (NULL when n is 0 or OOM). */
uint8_t *cl_memdup(const uint8_t *p, size_t n);

#endif /* CLASP_BASE_MEM_H */
