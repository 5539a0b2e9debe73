/*
 * Constant-time building blocks for code that handles secret values (the CBC record's
 * padding and MAC, docs/security.md): comparisons that give a mask (all ones for true, all
 * zeros for false) without a branch, and selection by mask.
 *
 * The arguments of the comparisons are lengths and offsets: each must be below 2^(w-1)
 * (w the width of size_t), so that the sign of a difference says which is smaller.
 * cl_ct_barrier hides a value from the optimiser, so that it cannot see that a mask is 0 or
 * ~0 and turn the arithmetic back into a branch.
 */
#ifndef CLASP_BASE_CT_H
#define CLASP_BASE_CT_H

#include <stddef.h>
#include <stdint.h>

#define CL_CT_TOP (sizeof(size_t) * 8 - 1)

static inline size_t cl_ct_barrier(size_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    __asm__("" : "+r"(x));
#endif
    return x;
}

/* The top bit of x, spread over the whole word. */
static inline size_t cl_ct_spread_top(size_t x)
{
    return (size_t)0 - (cl_ct_barrier(x) >> CL_CT_TOP);
}

/*
 * a < b (both below 2^(w-1)). The barrier on a keeps the compiler from deriving a public a
 * from a - b and a secret b (an induction variable it might keep instead of a): a public
 * loop counter must not be computed through a secret, even if the sum cancels out.
 */
static inline size_t cl_ct_lt(size_t a, size_t b)
{
    return cl_ct_spread_top(cl_ct_barrier(a) - b);
}

/* a >= b (both below 2^(w-1)). */
static inline size_t cl_ct_ge(size_t a, size_t b)
{
    return ~cl_ct_lt(a, b);
}

/* x == 0, for any x: ~x & (x - 1) has its top bit set only when x is 0. */
static inline size_t cl_ct_is_zero(size_t x)
{
    return cl_ct_spread_top(~x & (x - 1));
}

static inline size_t cl_ct_eq(size_t a, size_t b)
{
    return cl_ct_is_zero(cl_ct_barrier(a) ^ b);
}

/* a where mask is all ones, b where it is zero. */
static inline size_t cl_ct_select(size_t mask, size_t a, size_t b)
{
    mask = cl_ct_barrier(mask);
    return (mask & a) | (~mask & b);
}

static inline uint8_t cl_ct_select_u8(size_t mask, uint8_t a, uint8_t b)
{
    return (uint8_t)cl_ct_select(mask, a, b);
}

/*
 * The n bytes at p are public from here on: a verdict, or a length the MAC authenticated.
 * Nothing, in the library. In the constant-time check (tests/ct/), which builds the code
 * that handles secrets with CLASP_CT_VALGRIND and runs it under valgrind with the secrets
 * marked undefined, it tells memcheck the bytes are defined: any other branch or address
 * that depends on a secret is then an error memcheck reports.
 */
#ifdef CLASP_CT_VALGRIND
#include <valgrind/memcheck.h>
#define CL_CT_DECLASSIFY(p, n) VALGRIND_MAKE_MEM_DEFINED(p, n)
#else
#define CL_CT_DECLASSIFY(p, n) ((void)(p), (void)(n))
#endif

#endif /* CLASP_BASE_CT_H */
