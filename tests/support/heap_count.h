/*
 * A counting allocator for memory measurements: every block clasp allocates (through
 * clasp_set_allocator) and libcrypto allocates (through CRYPTO_set_mem_functions) is
 * counted while it lives. A size header in front of each block lets frees subtract what
 * was added.
 */
#ifndef CLASP_TEST_HEAP_COUNT_H
#define CLASP_TEST_HEAP_COUNT_H

/* Bytes allocated and not yet freed, since heap_count_install. */
extern long heap_live;

/* Installs the counting hooks; call before libcrypto allocates anything. 0 on success. */
int heap_count_install(void);

#endif /* CLASP_TEST_HEAP_COUNT_H */
