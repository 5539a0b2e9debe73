/*
 * Checks shared by the tests of chain verification. Include after <cmocka.h>.
 */
#ifndef CLASP_TEST_VERIFY_CHECKS_H
#define CLASP_TEST_VERIFY_CHECKS_H

#include "x509/x509.h"

/*
 * A verification's result agrees with its return code: a key of the reported type on
 * success (freed here), none on failure, a terminated reason either way.
 */
void verify_result_check(int rc, cl_verify_result *res);

#endif /* CLASP_TEST_VERIFY_CHECKS_H */
