/* Built against an installed libclasp-memcached (when it was built), through pkg-config and
 * find_package: a store and a key-ring sync made and freed (memcached need not run). */
#include <stdio.h>

#include <clasp/clasp.h>
#include <clasp/memcached.h>

int main(void)
{
    clasp_memcached_store *st = NULL;
    int rc = clasp_memcached_store_new("127.0.0.1:1", "consumer:", 10, &st);
    clasp_session_store cb = st ? clasp_memcached_store_callbacks(st) : (clasp_session_store){0};
    int ok = rc == 0 && cb.take != NULL &&
             clasp_memcached_store_new("127.0.0.1:1", "no spaces", 0, &st) == CLASP_ERR_INVALID_ARG;
    clasp_memcached_store_free(cb.arg);
    printf("clasp-memcached %s: store %s\n", clasp_version(), ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
