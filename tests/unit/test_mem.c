/*
 * Memory helpers (src/base/mem.c): constant-time compare, wipe, overflow-checked calloc,
 * memdup.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include <clasp/clasp.h>

#include "base/mem.h"

static void test_ct_memeq(void **state)
{
    (void)state;
    uint8_t a[64], b[64];
    for (size_t i = 0; i < sizeof(a); i++)
        a[i] = b[i] = (uint8_t)(i * 31 + 7);
    assert_int_equal(cl_ct_memeq(a, b, sizeof(a)), 1);
    assert_int_equal(cl_ct_memeq(a, a, sizeof(a)), 1);

    /* a difference at the first, a middle and the last byte, of every possible xor value
     * (so every accumulator value from 1 to 255 must map to "unequal") */
    static const size_t at[] = {0, 31, 63};
    for (size_t k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
        for (unsigned d = 1; d <= 0xff; d++) {
            b[at[k]] ^= (uint8_t)d;
            if (cl_ct_memeq(a, b, sizeof(a)) != 0)
                fail_msg("difference 0x%02x at byte %zu not seen", d, at[k]);
            if (cl_ct_memeq(b, a, sizeof(a)) != 0)
                fail_msg("difference 0x%02x at byte %zu not seen (swapped)", d, at[k]);
            b[at[k]] ^= (uint8_t)d;
        }
        assert_int_equal(cl_ct_memeq(a, b, sizeof(a)), 1);
    }

    /* only the first n bytes count */
    b[63] ^= 1;
    assert_int_equal(cl_ct_memeq(a, b, 63), 1);
    assert_int_equal(cl_ct_memeq(a, b, 64), 0);
    b[0] ^= 0x80;
    assert_int_equal(cl_ct_memeq(a, b, 1), 0);

    /* n = 0: equal, whatever the bytes */
    assert_int_equal(cl_ct_memeq(a, b, 0), 1);
    assert_int_equal(cl_ct_memeq("x", "y", 0), 1);

    /* differences that cancel in an 8-bit sum (0x01 + 0xff, 0x80 + 0x80) do not cancel */
    uint8_t c[2] = {0x01, 0xff}, e[2] = {0x00, 0x00};
    assert_int_equal(cl_ct_memeq(c, e, 2), 0);
    c[0] = c[1] = 0x80;
    assert_int_equal(cl_ct_memeq(c, e, 2), 0);
}

static void test_wipe(void **state)
{
    (void)state;
    uint8_t buf[48];
    memset(buf, 0xaa, sizeof(buf));
    cl_wipe(buf + 8, 32);
    for (size_t i = 0; i < sizeof(buf); i++)
        assert_int_equal(buf[i], i >= 8 && i < 40 ? 0x00 : 0xaa);

    memset(buf, 0xaa, sizeof(buf));
    cl_wipe(buf, 0); /* nothing */
    for (size_t i = 0; i < sizeof(buf); i++)
        assert_int_equal(buf[i], 0xaa);
    cl_wipe(NULL, 16); /* tolerated */
    cl_wipe(buf, sizeof(buf));
    for (size_t i = 0; i < sizeof(buf); i++)
        assert_int_equal(buf[i], 0);

    /* cl_free_secret wipes before it frees; here only that it accepts NULL and a block */
    cl_free_secret(NULL, 10);
    uint8_t *p = cl_alloc(100);
    assert_non_null(p);
    memset(p, 0x5c, 100);
    cl_free_secret(p, 100);
}

static void test_calloc_overflow(void **state)
{
    (void)state;
    /* n * size overflows size_t */
    assert_null(cl_calloc(SIZE_MAX / 2, 3));
    assert_null(cl_calloc(3, SIZE_MAX / 2));
    assert_null(cl_calloc(SIZE_MAX, SIZE_MAX));
    assert_null(cl_calloc((SIZE_MAX >> 4) + 1, 16));
    /* a zero product */
    assert_null(cl_calloc(0, 8));
    assert_null(cl_calloc(8, 0));

    uint8_t *p = cl_calloc(7, 13);
    assert_non_null(p);
    for (size_t i = 0; i < 7 * 13; i++)
        assert_int_equal(p[i], 0);
    cl_free(p, 7 * 13);

    assert_null(cl_alloc(0));
    cl_free(NULL, 0);
}

static void test_memdup(void **state)
{
    (void)state;
    static const uint8_t src[] = {0x00, 0x01, 0xfe, 0xff, 0x80, 0x7f, 0x10};
    uint8_t *d = cl_memdup(src, sizeof(src));
    assert_non_null(d);
    assert_ptr_not_equal(d, src);
    assert_memory_equal(d, src, sizeof(src));
    cl_free(d, sizeof(src));

    d = cl_memdup(src + 2, 1);
    assert_non_null(d);
    assert_int_equal(d[0], 0xfe);
    cl_free(d, 1);

    assert_null(cl_memdup(src, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ct_memeq),
        cmocka_unit_test(test_wipe),
        cmocka_unit_test(test_calloc_overflow),
        cmocka_unit_test(test_memdup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
