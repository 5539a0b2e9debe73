/* Connections, names and wiping for the memcached add-on (mc.h). */
#include <stdlib.h>
#include <string.h>

#include "mc.h"

/* A server that failed is tried again after this many seconds (libmemcached's minimum is 1). */
#define RETRY_SECONDS 1

memcached_st *mc_connect(const char *servers, unsigned timeout_ms)
{
    if (!servers || !*servers)
        return NULL;
    memcached_server_list_st list = memcached_servers_parse(servers);
    if (!list)
        return NULL;
    memcached_st *m = memcached_create(NULL);
    if (!m || memcached_server_push(m, list) != MEMCACHED_SUCCESS) {
        memcached_server_list_free(list);
        memcached_free(m);
        return NULL;
    }
    memcached_server_list_free(list);
    /* Non-blocking sockets, so that every step, connect included, has a deadline: a dead or
     * unreachable memcached costs a handshake timeout_ms at most, then RETRY_SECONDS of
     * immediate failures before it is tried again. */
    const struct {
        memcached_behavior_t b;
        uint64_t v;
    } set[] = {
        {MEMCACHED_BEHAVIOR_NO_BLOCK, 1},
        {MEMCACHED_BEHAVIOR_TCP_NODELAY, 1},
        {MEMCACHED_BEHAVIOR_CONNECT_TIMEOUT, timeout_ms},
        {MEMCACHED_BEHAVIOR_POLL_TIMEOUT, timeout_ms},
        {MEMCACHED_BEHAVIOR_SND_TIMEOUT, (uint64_t)timeout_ms * 1000},
        {MEMCACHED_BEHAVIOR_RCV_TIMEOUT, (uint64_t)timeout_ms * 1000},
        {MEMCACHED_BEHAVIOR_RETRY_TIMEOUT, RETRY_SECONDS},
        {MEMCACHED_BEHAVIOR_SUPPORT_CAS, 1},
        /* every fleet member maps a key to the same server, and a list that changes moves
         * few keys */
        {MEMCACHED_BEHAVIOR_DISTRIBUTION, MEMCACHED_DISTRIBUTION_CONSISTENT},
    };
    for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++)
        if (memcached_behavior_set(m, set[i].b, set[i].v) != MEMCACHED_SUCCESS) {
            memcached_free(m);
            return NULL;
        }
    return m;
}

int mc_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > MC_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (name[i] <= ' ' || name[i] >= 127) /* memcached keys: no spaces, no controls */
            return 0;
    return 1;
}

void mc_free_secret(void *p, size_t len)
{
    if (!p)
        return;
    volatile unsigned char *v = p;
    for (size_t i = 0; i < len; i++)
        v[i] = 0;
    free(p);
}
