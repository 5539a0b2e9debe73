/*
 * A clasp allocator for tests: it counts what is live, checks that free is given the size
 * that was allocated, and can make one allocation (by number) fail, so a test walks every
 * failure path in turn and checks nothing is left behind.
 */
#ifndef CLASP_TEST_COUNTING_H
#define CLASP_TEST_COUNTING_H

#include <stddef.h>

typedef struct counting {
    long live_allocs;
    size_t live_bytes;
    size_t size_mismatches; /* frees given another size than was allocated */
    long allocs;            /* allocations asked for, the failed one included */
    long fail_at;           /* the allocation number (from 0) that fails; -1: none */
} counting;

/* Routes clasp's allocations to c, its counts cleared, failing allocation fail_at. */
void counting_start(counting *c, long fail_at);
/* Back to the default allocator. */
void counting_stop(void);

#endif /* CLASP_TEST_COUNTING_H */
