/*
 * What the memcached store and the key-ring sync share: connections with short timeouts,
 * names checked before they become memcached keys, wiping what memcached handed back.
 */
#ifndef CLASP_EXT_MEMCACHED_MC_H
#define CLASP_EXT_MEMCACHED_MC_H

#include <stddef.h>

#include <libmemcached/memcached.h>

/* A prefix or group name: 1 to 64 printable characters without spaces (memcached keys). */
#define MC_NAME_MAX 64

/* A memcached handle for "HOST:PORT,..." whose every step gives up after timeout_ms;
 * NULL when the list does not parse or memory runs out. */
memcached_st *mc_connect(const char *servers, unsigned timeout_ms);
/* 1 when name may go into a memcached key (see MC_NAME_MAX). */
int mc_name_ok(const char *name);
/* Wipes len bytes in a way the compiler keeps (they held secrets), then frees p. */
void mc_free_secret(void *p, size_t len);

#endif /* CLASP_EXT_MEMCACHED_MC_H */
