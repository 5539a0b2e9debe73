/*
 * Internal error conventions. Every internal function that can fail returns an int: 0
 * (CLASP_OK) or a negative clasp_err. CL_TRY propagates; CL_CHECK turns a failed condition
 * into the error that names its alert. Functions that own resources use `goto out` instead.
 */
#ifndef CLASP_BASE_ERR_H
#define CLASP_BASE_ERR_H

#include <clasp/errors.h>

#define CL_TRY(expr)                                                                               \
    do {                                                                                           \
        int cl_try_rc_ = (expr);                                                                   \
        if (cl_try_rc_ != 0)                                                                       \
            return cl_try_rc_;                                                                     \
    } while (0)

#define CL_CHECK(cond, err)                                                                        \
    do {                                                                                           \
        if (!(cond))                                                                               \
            return (err);                                                                          \
    } while (0)

/* For `goto out` functions: set rc and jump when expr fails. */
#define CL_TRY_OUT(rc, expr)                                                                       \
    do {                                                                                           \
        if (((rc) = (expr)) != 0)                                                                  \
            goto out;                                                                              \
    } while (0)

#endif /* CLASP_BASE_ERR_H */
