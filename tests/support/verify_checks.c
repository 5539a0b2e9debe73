#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "verify_checks.h"

void verify_result_check(int rc, cl_verify_result *res)
{
    assert_non_null(memchr(res->reason, '\0', sizeof(res->reason)));
    assert_true(strlen(res->reason) > 0);
    if (rc == 0) {
        assert_non_null(res->leaf_key);
        assert_int_equal(cl_pubkey_type(res->leaf_key), res->leaf_type);
        cl_pubkey_free(res->leaf_key);
        res->leaf_key = NULL;
    } else {
        assert_null(res->leaf_key);
        assert_int_equal(res->from_cache, 0);
    }
}
