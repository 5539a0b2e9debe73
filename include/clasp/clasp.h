/*
 * clasp: a TLS 1.3 and TLS 1.2 library. The umbrella header: include this one.
 */
#ifndef CLASP_CLASP_H
#define CLASP_CLASP_H

#include <stddef.h>
#include <stdint.h>

#include <clasp/export.h>
#include <clasp/errors.h>
#include <clasp/config.h>
#include <clasp/conn.h>
#include <clasp/session.h>
#include <clasp/trace.h>
#include <clasp/io.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CLASP_VERSION_MAJOR  0
#define CLASP_VERSION_MINOR  1
#define CLASP_VERSION_PATCH  0
#define CLASP_VERSION_STRING "0.1.0"

/* The version of the library actually linked, e.g. "0.1.0". */
CLASP_API const char *clasp_version(void);

/*
 * Allocation hooks. clasp allocates through these, always telling free how many bytes it is
 * giving back, so a counting allocator needs no header of its own. Install them once, before
 * any other clasp call; passing NULL restores malloc/free. Memory that held secrets is wiped
 * before it reaches free. libcrypto keeps its own allocator (CRYPTO_set_mem_functions).
 */
typedef struct clasp_allocator {
    void *(*alloc)(void *ctx, size_t n);        /* NULL on failure */
    void (*free)(void *ctx, void *p, size_t n); /* n is the size given to alloc */
    void *ctx;
} clasp_allocator;

CLASP_API void clasp_set_allocator(const clasp_allocator *a);

#ifdef __cplusplus
}
#endif

#endif /* CLASP_CLASP_H */
