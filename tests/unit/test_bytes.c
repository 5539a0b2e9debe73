/*
 * The bounds-checked reader and writer (src/base/bytes.c): every read at exact fit, one byte
 * short and one byte over; vector bounds; nesting; the writer's fixed and growable buffers,
 * its sticky error, its length-prefixed blocks, and its use of the allocation hooks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <clasp/clasp.h>

#include "base/bytes.h"
#include "base/mem.h"
#include "counting.h"

#define CANARY     0xa5
#define CANARY_LEN 16

/* Bytes with the high bit set, so a sign-extension bug shows in the value. */
static const uint8_t src8[] = {0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a};

static void assert_all(const uint8_t *p, size_t n, uint8_t v)
{
    for (size_t i = 0; i < n; i++)
        assert_int_equal(p[i], v);
}

/* ---- reader: fixed-width integers ---- */

/* Reads an integer of `width` bytes (1, 2, 3, 4 or 8) through the matching function. */
static int read_uint(cl_reader *r, unsigned width, uint64_t *v)
{
    int rc = -1;
    uint8_t v8 = 0;
    uint16_t v16 = 0;
    uint32_t v32 = 0;
    switch (width) {
    case 1:
        rc = cl_read_u8(r, &v8);
        *v = v8;
        break;
    case 2:
        rc = cl_read_u16(r, &v16);
        *v = v16;
        break;
    case 3:
        rc = cl_read_u24(r, &v32);
        *v = v32;
        break;
    case 4:
        rc = cl_read_u32(r, &v32);
        *v = v32;
        break;
    case 8: rc = cl_read_u64(r, v); break;
    default: fail_msg("bad width %u", width);
    }
    return rc;
}

static void test_read_uints(void **state)
{
    (void)state;
    static const struct {
        unsigned width;
        uint64_t value; /* of src8's first `width` bytes, big-endian */
    } cases[] = {
        {1, 0x81}, {2, 0x8182}, {3, 0x818283}, {4, 0x81828384}, {8, 0x8182838485868788},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned width = cases[i].width;
        cl_reader r;
        uint64_t v = 0;

        /* exact fit */
        cl_reader_init(&r, src8, width);
        assert_int_equal(read_uint(&r, width, &v), 0);
        assert_true(v == cases[i].value);
        assert_int_equal(cl_reader_left(&r), 0);
        assert_int_equal(cl_read_end(&r), 0);

        /* one byte short: fails, and the cursor stays put */
        cl_reader_init(&r, src8, width - 1);
        cl_reader before = r;
        assert_int_equal(read_uint(&r, width, &v), CLASP_ERR_DECODE);
        assert_ptr_equal(r.p, before.p);
        assert_int_equal(cl_reader_left(&r), width - 1);

        /* one byte over: reads, and leaves exactly the next byte */
        cl_reader_init(&r, src8, width + 1);
        assert_int_equal(read_uint(&r, width, &v), 0);
        assert_true(v == cases[i].value);
        assert_int_equal(cl_reader_left(&r), 1);
        assert_ptr_equal(r.p, src8 + width);
        assert_int_equal(cl_read_end(&r), CLASP_ERR_DECODE);
        uint8_t next;
        assert_int_equal(cl_read_u8(&r, &next), 0);
        assert_int_equal(next, src8[width]);
    }
}

static void test_read_uint_values(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x00, 0xff, 0xfe, 0x01, 0x00, 0x00, 0xff, 0xff, 0xff, 0x12, 0x34,
                                0x56, 0x78, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe};
    cl_reader r;
    cl_reader_init(&r, b, sizeof(b));
    uint8_t a8;
    uint16_t a16;
    uint32_t a32;
    uint64_t a64;
    assert_int_equal(cl_read_u8(&r, &a8), 0);
    assert_int_equal(a8, 0x00);
    assert_int_equal(cl_read_u16(&r, &a16), 0);
    assert_int_equal(a16, 0xfffe);
    assert_int_equal(cl_read_u24(&r, &a32), 0);
    assert_int_equal(a32, 0x010000);
    assert_int_equal(cl_read_u24(&r, &a32), 0);
    assert_int_equal(a32, 0xffffff);
    assert_int_equal(cl_read_u32(&r, &a32), 0);
    assert_int_equal(a32, 0x12345678);
    assert_int_equal(cl_read_u64(&r, &a64), 0);
    assert_true(a64 == UINT64_C(0xfffffffffffffffe));
    assert_int_equal(cl_read_end(&r), 0);
}

/* ---- reader: bytes, copy, skip ---- */

static void test_read_bytes_copy_skip(void **state)
{
    (void)state;
    for (size_t n = 1; n <= 8; n++) {
        cl_reader r;
        const uint8_t *p = NULL;
        uint8_t dst[16];

        /* exact fit */
        cl_reader_init(&r, src8, n);
        assert_int_equal(cl_read_bytes(&r, n, &p), 0);
        assert_ptr_equal(p, src8);
        assert_int_equal(cl_reader_left(&r), 0);

        cl_reader_init(&r, src8, n);
        memset(dst, 0, sizeof(dst));
        assert_int_equal(cl_read_copy(&r, dst, n), 0);
        assert_memory_equal(dst, src8, n);
        assert_int_equal(dst[n], 0);
        assert_int_equal(cl_reader_left(&r), 0);

        cl_reader_init(&r, src8, n);
        assert_int_equal(cl_read_skip(&r, n), 0);
        assert_int_equal(cl_reader_left(&r), 0);

        /* one byte short */
        cl_reader_init(&r, src8, n - 1);
        cl_reader before = r;
        assert_int_equal(cl_read_bytes(&r, n, &p), CLASP_ERR_DECODE);
        assert_int_equal(cl_reader_left(&r), n - 1);
        assert_ptr_equal(r.p, before.p);

        cl_reader_init(&r, src8, n - 1);
        memset(dst, 0x5a, sizeof(dst));
        assert_int_equal(cl_read_copy(&r, dst, n), CLASP_ERR_DECODE);
        assert_int_equal(cl_reader_left(&r), n - 1);
        assert_all(dst, sizeof(dst), 0x5a); /* no partial copy */

        cl_reader_init(&r, src8, n - 1);
        assert_int_equal(cl_read_skip(&r, n), CLASP_ERR_DECODE);
        assert_int_equal(cl_reader_left(&r), n - 1);
        assert_ptr_equal(r.p, before.p);

        /* one byte over */
        cl_reader_init(&r, src8, n + 1);
        assert_int_equal(cl_read_bytes(&r, n, &p), 0);
        assert_ptr_equal(p, src8);
        assert_int_equal(cl_reader_left(&r), 1);
        assert_ptr_equal(r.p, src8 + n);

        cl_reader_init(&r, src8, n + 1);
        memset(dst, 0, sizeof(dst));
        assert_int_equal(cl_read_copy(&r, dst, n), 0);
        assert_memory_equal(dst, src8, n);
        assert_int_equal(dst[n], 0);
        assert_int_equal(cl_reader_left(&r), 1);
        assert_ptr_equal(r.p, src8 + n);

        cl_reader_init(&r, src8, n + 1);
        assert_int_equal(cl_read_skip(&r, n), 0);
        assert_int_equal(cl_reader_left(&r), 1);
        assert_ptr_equal(r.p, src8 + n);
    }
}

static void test_read_zero_and_huge(void **state)
{
    (void)state;
    cl_reader r;
    const uint8_t *p;
    uint8_t dst[1] = {0x77};

    /* zero-length reads succeed on an empty reader and do not move a non-empty one */
    cl_reader_init(&r, NULL, 0);
    assert_int_equal(cl_read_bytes(&r, 0, &p), 0);
    assert_int_equal(cl_read_copy(&r, dst, 0), 0);
    assert_int_equal(dst[0], 0x77);
    assert_int_equal(cl_read_skip(&r, 0), 0);
    assert_int_equal(cl_read_end(&r), 0);
    uint8_t v8;
    assert_int_equal(cl_read_u8(&r, &v8), CLASP_ERR_DECODE);

    cl_reader_init(&r, src8, 3);
    assert_int_equal(cl_read_skip(&r, 0), 0);
    assert_int_equal(cl_reader_left(&r), 3);
    assert_ptr_equal(r.p, src8);

    /* lengths that would overflow a pointer sum are refused like any other */
    static const size_t huge[] = {SIZE_MAX, SIZE_MAX - 1, SIZE_MAX / 2, (size_t)1 << 31};
    for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
        cl_reader_init(&r, src8, 3);
        assert_int_equal(cl_read_bytes(&r, huge[i], &p), CLASP_ERR_DECODE);
        assert_int_equal(cl_read_skip(&r, huge[i]), CLASP_ERR_DECODE);
        assert_int_equal(cl_read_copy(&r, dst, huge[i]), CLASP_ERR_DECODE);
        assert_int_equal(cl_reader_left(&r), 3);
        assert_ptr_equal(r.p, src8);
    }
}

/* ---- reader: vectors ---- */

/* Encodes a width-byte big-endian length followed by len bytes of 0xc0 + i, then `extra`
 * trailing bytes of 0xee; returns the total. */
static size_t make_vec(uint8_t *buf, unsigned width, size_t len, size_t extra)
{
    size_t o = 0;
    for (unsigned i = width; i-- > 0;)
        buf[o++] = (uint8_t)(len >> (8 * i));
    for (size_t i = 0; i < len; i++)
        buf[o++] = (uint8_t)(0xc0 + i);
    for (size_t i = 0; i < extra; i++)
        buf[o++] = 0xee;
    return o;
}

static void test_read_vec_bounds(void **state)
{
    (void)state;
    const size_t min = 2, max = 5;
    uint8_t buf[32];
    for (unsigned width = 1; width <= 3; width++) {
        for (size_t len = min - 1; len <= max + 1; len++) {
            /* enough data after the prefix that only the bound can refuse it */
            size_t total = make_vec(buf, width, len, 3);
            cl_reader r, sub;
            cl_reader_init(&r, buf, total);
            int rc = cl_read_vec(&r, width, min, max, &sub);
            if (len < min || len > max) {
                assert_int_equal(rc, CLASP_ERR_DECODE);
                assert_ptr_equal(r.p, buf);
                assert_int_equal(cl_reader_left(&r), total);
            } else {
                assert_int_equal(rc, 0);
                assert_ptr_equal(sub.p, buf + width);
                assert_int_equal(cl_reader_left(&sub), len);
                assert_ptr_equal(r.p, buf + width + len);
                assert_int_equal(cl_reader_left(&r), 3);
            }
        }

        /* declared length longer than what is left: one byte short */
        size_t total = make_vec(buf, width, 4, 0);
        cl_reader r, sub;
        cl_reader_init(&r, buf, total - 1);
        assert_int_equal(cl_read_vec(&r, width, 0, 0xffffff, &sub), CLASP_ERR_DECODE);
        assert_ptr_equal(r.p, buf);
        assert_int_equal(cl_reader_left(&r), total - 1);
        /* exact fit */
        cl_reader_init(&r, buf, total);
        assert_int_equal(cl_read_vec(&r, width, 0, 0xffffff, &sub), 0);
        assert_int_equal(cl_reader_left(&sub), 4);
        assert_int_equal(cl_read_end(&r), 0);

        /* the length prefix itself cut short */
        cl_reader_init(&r, buf, width - 1);
        assert_int_equal(cl_read_vec(&r, width, 0, 0xffffff, &sub), CLASP_ERR_DECODE);
        assert_int_equal(cl_reader_left(&r), width - 1);
    }

    /* the full range of each width: <0..2^8-1>, <0..2^16-1> */
    static uint8_t big[2 + 0xffff + 1];
    size_t total = make_vec(big, 1, 0xff, 0);
    cl_reader r, sub;
    cl_reader_init(&r, big, total);
    assert_int_equal(cl_read_vec8(&r, &sub), 0);
    assert_int_equal(cl_reader_left(&sub), 0xff);
    assert_int_equal(cl_read_end(&r), 0);

    total = make_vec(big, 2, 0xffff, 1);
    cl_reader_init(&r, big, total);
    assert_int_equal(cl_read_vec16(&r, &sub), 0);
    assert_int_equal(cl_reader_left(&sub), 0xffff);
    assert_int_equal(cl_reader_left(&r), 1);
    cl_reader_init(&r, big, total - 2);
    assert_int_equal(cl_read_vec16(&r, &sub), CLASP_ERR_DECODE);
    assert_int_equal(cl_reader_left(&r), total - 2);

    /* a width outside 1..3 is a programming error */
    cl_reader_init(&r, big, total);
    assert_int_equal(cl_read_vec(&r, 0, 0, 0xff, &sub), CLASP_ERR_INTERNAL);
    assert_int_equal(cl_read_vec(&r, 4, 0, 0xff, &sub), CLASP_ERR_INTERNAL);
    assert_int_equal(cl_reader_left(&r), total);
}

static void test_read_vec_empty(void **state)
{
    (void)state;
    static const uint8_t zeros[6] = {0};
    for (unsigned width = 1; width <= 3; width++) {
        cl_reader r, sub;
        cl_reader_init(&r, zeros, width);
        assert_int_equal(cl_read_vec(&r, width, 0, 10, &sub), 0);
        assert_int_equal(cl_reader_left(&sub), 0);
        assert_int_equal(cl_read_end(&sub), 0);
        assert_int_equal(cl_read_end(&r), 0);
        uint8_t v;
        assert_int_equal(cl_read_u8(&sub, &v), CLASP_ERR_DECODE);

        /* a forbidden empty vector (<1..n>) */
        cl_reader_init(&r, zeros, width);
        assert_int_equal(cl_read_vec(&r, width, 1, 10, &sub), CLASP_ERR_DECODE);
        assert_int_equal(cl_reader_left(&r), width);
    }
    cl_reader r, sub;
    cl_reader_init(&r, zeros, 1 + 2 + 3);
    assert_int_equal(cl_read_vec8(&r, &sub), 0);
    assert_int_equal(cl_reader_left(&sub), 0);
    assert_int_equal(cl_read_vec16(&r, &sub), 0);
    assert_int_equal(cl_reader_left(&sub), 0);
    assert_int_equal(cl_read_vec24(&r, &sub), 0);
    assert_int_equal(cl_reader_left(&sub), 0);
    assert_int_equal(cl_read_end(&r), 0);
}

static void test_read_vec_nested_overrun(void **state)
{
    (void)state;
    /* outer <4 bytes> holds an inner vec16 that claims 5 bytes; the parent's own buffer
     * continues past the outer vector, but the sub-reader must not see those bytes */
    static const uint8_t b[] = {0x00, 0x04, 0x00, 0x05, 0xaa, 0xbb,
                                0xcc, 0xdd, 0xee, 0xff, 0x11, 0x22};
    cl_reader r, outer, inner;
    cl_reader_init(&r, b, sizeof(b));
    assert_int_equal(cl_read_vec16(&r, &outer), 0);
    assert_int_equal(cl_reader_left(&outer), 4);
    assert_int_equal(cl_read_vec16(&outer, &inner), CLASP_ERR_DECODE);
    assert_ptr_equal(outer.p, b + 2);
    assert_int_equal(cl_reader_left(&outer), 4);
    /* nor can a plain read run past it */
    const uint8_t *p;
    assert_int_equal(cl_read_bytes(&outer, 5, &p), CLASP_ERR_DECODE);
    uint64_t v;
    assert_int_equal(cl_read_u64(&outer, &v), CLASP_ERR_DECODE);
    assert_int_equal(cl_reader_left(&outer), 4);
    /* the parent continued after the outer vector */
    assert_int_equal(cl_reader_left(&r), 6);
    assert_ptr_equal(r.p, b + 6);

    /* an inner vector that fits exactly is fine */
    static const uint8_t ok[] = {0x03, 0x02, 0x61, 0x62, 0x99};
    cl_reader_init(&r, ok, sizeof(ok));
    assert_int_equal(cl_read_vec8(&r, &outer), 0);
    assert_int_equal(cl_read_vec8(&outer, &inner), 0);
    assert_int_equal(cl_reader_left(&inner), 2);
    assert_memory_equal(inner.p, "ab", 2);
    assert_int_equal(cl_read_end(&outer), 0);
    assert_int_equal(cl_reader_left(&r), 1);
}

static void test_read_vec24_max(void **state)
{
    (void)state;
    const size_t n = 0xffffff;
    uint8_t *buf = malloc(n + 3);
    assert_non_null(buf);
    buf[0] = buf[1] = buf[2] = 0xff;
    for (size_t i = 0; i < n; i++)
        buf[3 + i] = (uint8_t)(i * 7 + 1);

    cl_reader r, sub;
    cl_reader_init(&r, buf, n + 3);
    assert_int_equal(cl_read_vec24(&r, &sub), 0);
    assert_ptr_equal(sub.p, buf + 3);
    assert_int_equal(cl_reader_left(&sub), n);
    assert_int_equal(cl_read_end(&r), 0);
    assert_int_equal(cl_read_skip(&sub, n - 1), 0);
    uint8_t last;
    assert_int_equal(cl_read_u8(&sub, &last), 0);
    assert_int_equal(last, (uint8_t)((n - 1) * 7 + 1));
    assert_int_equal(cl_read_end(&sub), 0);

    /* the same vector one byte short */
    cl_reader_init(&r, buf, n + 2);
    assert_int_equal(cl_read_vec24(&r, &sub), CLASP_ERR_DECODE);
    assert_int_equal(cl_reader_left(&r), n + 2);
    assert_ptr_equal(r.p, buf);
    /* and with a max one below its length */
    cl_reader_init(&r, buf, n + 3);
    assert_int_equal(cl_read_vec(&r, 3, 0, n - 1, &sub), CLASP_ERR_DECODE);
    assert_int_equal(cl_reader_left(&r), n + 3);
    free(buf);
}

static void test_read_end(void **state)
{
    (void)state;
    cl_reader r;
    cl_reader_init(&r, src8, 0);
    assert_int_equal(cl_read_end(&r), 0);
    cl_reader_init(&r, src8, 1);
    assert_int_equal(cl_read_end(&r), CLASP_ERR_DECODE);

    /* a sub-reader ends on its own bytes, not its parent's */
    static const uint8_t b[] = {0x03, 0x01, 0x02, 0x03, 0x04};
    cl_reader sub;
    cl_reader_init(&r, b, sizeof(b));
    assert_int_equal(cl_read_vec8(&r, &sub), 0);
    uint16_t v16;
    assert_int_equal(cl_read_u16(&sub, &v16), 0);
    assert_int_equal(v16, 0x0102);
    assert_int_equal(cl_read_end(&sub), CLASP_ERR_DECODE); /* one byte left */
    uint8_t v8;
    assert_int_equal(cl_read_u8(&sub, &v8), 0);
    assert_int_equal(v8, 0x03);
    assert_int_equal(cl_read_end(&sub), 0);
    assert_int_equal(cl_read_end(&r), CLASP_ERR_DECODE); /* the parent still has 0x04 */
    assert_int_equal(cl_read_u8(&r, &v8), 0);
    assert_int_equal(v8, 0x04);
    assert_int_equal(cl_read_end(&r), 0);
}

/* ---- writer: fixed buffer ---- */

static void test_write_fixed_exact(void **state)
{
    (void)state;
    uint8_t mem[19 + CANARY_LEN];
    memset(mem, CANARY, sizeof(mem));
    cl_writer w;
    cl_writer_fixed(&w, mem, 19);
    assert_int_equal(cl_write_u8(&w, 0x01), 0);
    assert_int_equal(cl_write_u16(&w, 0x0203), 0);
    assert_int_equal(cl_write_u24(&w, 0x040506), 0);
    assert_int_equal(cl_write_u32(&w, 0x0708090a), 0);
    assert_int_equal(cl_write_u64(&w, UINT64_C(0x0b0c0d0e0f101112)), 0);
    assert_int_equal(cl_write_bytes(&w, (const uint8_t *)"\x13", 1), 0);
    assert_int_equal(w.len, 19);
    assert_int_equal(cl_writer_finish(&w), 0);
    for (int i = 0; i < 19; i++)
        assert_int_equal(mem[i], i + 1);
    assert_all(mem + 19, CANARY_LEN, CANARY);
    /* full: even a zero-length write is fine, one more byte is not */
    assert_int_equal(cl_write_bytes(&w, src8, 0), 0);
    assert_int_equal(cl_write_u8(&w, 0xff), CLASP_ERR_BUFFER_TOO_SMALL);
    assert_all(mem + 19, CANARY_LEN, CANARY);
    assert_int_equal(w.len, 19);
}

/* Each kind of write into a fixed buffer one byte too small. */
enum wkind { W_U8, W_U16, W_U24, W_U32, W_U64, W_BYTES, W_ZEROS, W_SPACE, W_VEC1, W_VEC3 };

static int write_kind(cl_writer *w, enum wkind k, size_t *need)
{
    static const uint8_t data[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    uint8_t *sp;
    switch (k) {
    case W_U8: *need = 1; return cl_write_u8(w, 0x11);
    case W_U16: *need = 2; return cl_write_u16(w, 0x1122);
    case W_U24: *need = 3; return cl_write_u24(w, 0x112233);
    case W_U32: *need = 4; return cl_write_u32(w, 0x11223344);
    case W_U64: *need = 8; return cl_write_u64(w, 0x1122334455667788);
    case W_BYTES: *need = 9; return cl_write_bytes(w, data, 9);
    case W_ZEROS: *need = 7; return cl_write_zeros(w, 7);
    case W_SPACE: *need = 5; return cl_write_space(w, 5, &sp);
    case W_VEC1: *need = 1 + 9; return cl_write_vec(w, 1, data, 9);
    case W_VEC3: *need = 3 + 9; return cl_write_vec(w, 3, data, 9);
    }
    return -1;
}

static void test_write_fixed_one_over(void **state)
{
    (void)state;
    for (int k = W_U8; k <= W_VEC3; k++) {
        size_t need;
        uint8_t mem[32 + CANARY_LEN];
        cl_writer w;

        /* exact fit first, to learn the size */
        memset(mem, CANARY, sizeof(mem));
        cl_writer_fixed(&w, mem, sizeof(mem) - CANARY_LEN);
        assert_int_equal(write_kind(&w, (enum wkind)k, &need), 0);
        assert_int_equal(w.len, need);
        memset(mem, CANARY, sizeof(mem));
        cl_writer_fixed(&w, mem, need);
        assert_int_equal(write_kind(&w, (enum wkind)k, &need), 0);
        assert_int_equal(cl_writer_finish(&w), 0);
        assert_all(mem + need, CANARY_LEN, CANARY);

        /* one byte short of room, after a 2-byte head start */
        memset(mem, CANARY, sizeof(mem));
        cl_writer_fixed(&w, mem, 2 + need - 1);
        assert_int_equal(cl_write_u16(&w, 0xbeef), 0);
        assert_int_equal(write_kind(&w, (enum wkind)k, &need), CLASP_ERR_BUFFER_TOO_SMALL);
        assert_int_equal(cl_writer_finish(&w), CLASP_ERR_BUFFER_TOO_SMALL);
        assert_all(mem + 2 + need - 1, CANARY_LEN, CANARY);
        assert_int_equal(mem[0], 0xbe);
        assert_int_equal(mem[1], 0xef);
    }
}

static void test_write_sticky(void **state)
{
    (void)state;
    uint8_t mem[8 + CANARY_LEN];
    memset(mem, CANARY, sizeof(mem));
    cl_writer w;
    cl_writer_fixed(&w, mem, 8);
    assert_int_equal(cl_write_u32(&w, 0x01020304), 0);
    /* 5 bytes do not fit in the 4 left */
    assert_int_equal(cl_write_bytes(&w, src8, 5), CLASP_ERR_BUFFER_TOO_SMALL);
    /* now even a write that would fit fails, and nothing moves */
    assert_int_equal(cl_write_u8(&w, 0x55), CLASP_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(cl_write_u16(&w, 0x5555), CLASP_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(cl_write_bytes(&w, src8, 0), CLASP_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(cl_write_open(&w, 1), CLASP_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(cl_write_close(&w), CLASP_ERR_BUFFER_TOO_SMALL);
    /* the first error stays the error */
    assert_int_equal(cl_write_u24(&w, 0x1000000), CLASP_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(cl_writer_finish(&w), CLASP_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(w.len, 4);
    assert_all(mem + 4, 4 + CANARY_LEN, CANARY);

    /* a sticky error from a bad value, with plenty of room */
    cl_writer_fixed(&w, mem, 8);
    assert_int_equal(cl_write_u24(&w, 0x1000000), CLASP_ERR_INVALID_ARG);
    assert_int_equal(w.len, 0);
    assert_int_equal(cl_write_u8(&w, 0), CLASP_ERR_INVALID_ARG);
    assert_int_equal(cl_writer_finish(&w), CLASP_ERR_INVALID_ARG);
    assert_int_equal(w.len, 0);
}

static void test_write_u24_range(void **state)
{
    (void)state;
    uint8_t mem[3];
    cl_writer w;
    cl_writer_fixed(&w, mem, sizeof(mem));
    assert_int_equal(cl_write_u24(&w, 0xffffff), 0);
    assert_memory_equal(mem, "\xff\xff\xff", 3);
    static const uint32_t bad[] = {0x1000000, 0x1ffffff, 0xffffffff};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t m2[8];
        memset(m2, CANARY, sizeof(m2));
        cl_writer_fixed(&w, m2, sizeof(m2));
        assert_int_equal(cl_write_u24(&w, bad[i]), CLASP_ERR_INVALID_ARG);
        assert_int_equal(w.len, 0);
        assert_all(m2, sizeof(m2), CANARY);
    }
}

/* ---- writer: length-prefixed blocks ---- */

/* The expected encoding of `depth` nested blocks, level i of width (i % 3) + 1 holding the
 * byte 0x10 + i followed by level i + 1. Returns the encoded length of level `level`. */
static size_t nested_expect(uint8_t *out, unsigned level, unsigned depth)
{
    unsigned width = level % 3 + 1;
    size_t body = 1;
    uint8_t inner[64];
    size_t inner_len = 0;
    if (level + 1 < depth)
        inner_len = nested_expect(inner, level + 1, depth);
    body += inner_len;
    size_t o = 0;
    for (unsigned i = width; i-- > 0;)
        out[o++] = (uint8_t)(body >> (8 * i));
    out[o++] = (uint8_t)(0x10 + level);
    memcpy(out + o, inner, inner_len);
    return o + inner_len;
}

static void test_write_nested(void **state)
{
    (void)state;
    for (unsigned depth = 1; depth <= CL_WRITER_MAX_DEPTH; depth++) {
        uint8_t expect[64], mem[64 + CANARY_LEN];
        size_t expect_len = nested_expect(expect, 0, depth);
        memset(mem, CANARY, sizeof(mem));
        cl_writer w;
        cl_writer_fixed(&w, mem, expect_len); /* exactly the room it needs */
        for (unsigned i = 0; i < depth; i++) {
            assert_int_equal(cl_write_open(&w, i % 3 + 1), 0);
            assert_int_equal(cl_write_u8(&w, (uint8_t)(0x10 + i)), 0);
        }
        assert_int_equal(w.depth, depth);
        for (unsigned i = 0; i < depth; i++) {
            assert_int_equal(cl_writer_finish(&w), CLASP_ERR_STATE);
            assert_int_equal(cl_write_close(&w), 0);
        }
        assert_int_equal(cl_writer_finish(&w), 0);
        assert_int_equal(w.len, expect_len);
        assert_memory_equal(mem, expect, expect_len);
        assert_all(mem + expect_len, CANARY_LEN, CANARY);
    }

    /* the ninth open fails, and the writer stays failed */
    uint8_t mem[64];
    cl_writer w;
    cl_writer_fixed(&w, mem, sizeof(mem));
    for (unsigned i = 0; i < CL_WRITER_MAX_DEPTH; i++)
        assert_int_equal(cl_write_open(&w, 1), 0);
    assert_int_equal(cl_write_open(&w, 1), CLASP_ERR_INTERNAL);
    assert_int_equal(w.len, CL_WRITER_MAX_DEPTH);
    assert_int_equal(cl_write_close(&w), CLASP_ERR_INTERNAL);
    assert_int_equal(cl_writer_finish(&w), CLASP_ERR_INTERNAL);

    /* widths outside 1..3 */
    cl_writer_fixed(&w, mem, sizeof(mem));
    assert_int_equal(cl_write_open(&w, 0), CLASP_ERR_INTERNAL);
    cl_writer_fixed(&w, mem, sizeof(mem));
    assert_int_equal(cl_write_open(&w, 4), CLASP_ERR_INTERNAL);
    assert_int_equal(w.len, 0);
}

static void test_write_close_overflow(void **state)
{
    (void)state;
    static const size_t limit[4] = {0, 0xff, 0xffff, 0xffffff};
    for (unsigned width = 1; width <= 3; width++) {
        for (size_t extra = 0; extra <= 1; extra++) {
            size_t n = limit[width] + extra;
            cl_writer w;
            assert_int_equal(cl_writer_growable(&w, 0, n + 8), 0);
            assert_int_equal(cl_write_open(&w, width), 0);
            assert_int_equal(cl_write_zeros(&w, n), 0);
            if (extra) {
                assert_int_equal(cl_write_close(&w), CLASP_ERR_BUFFER_TOO_SMALL);
                assert_int_equal(cl_writer_finish(&w), CLASP_ERR_BUFFER_TOO_SMALL);
                assert_int_equal(cl_write_u8(&w, 0), CLASP_ERR_BUFFER_TOO_SMALL);
            } else {
                assert_int_equal(cl_write_close(&w), 0);
                assert_int_equal(cl_writer_finish(&w), 0);
                for (unsigned i = 0; i < width; i++)
                    assert_int_equal(w.buf[i], 0xff);
            }
            cl_writer_free(&w);
        }
    }

    /* 256 bytes in a 1-byte-prefixed block, in a fixed buffer */
    uint8_t mem[300];
    cl_writer w;
    cl_writer_fixed(&w, mem, sizeof(mem));
    assert_int_equal(cl_write_open(&w, 1), 0);
    assert_int_equal(cl_write_zeros(&w, 256), 0);
    assert_int_equal(cl_write_close(&w), CLASP_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(cl_writer_finish(&w), CLASP_ERR_BUFFER_TOO_SMALL);
    /* and through cl_write_vec */
    static const uint8_t src256[256];
    cl_writer_fixed(&w, mem, sizeof(mem));
    assert_int_equal(cl_write_vec(&w, 1, src256, 256), CLASP_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(cl_writer_finish(&w), CLASP_ERR_BUFFER_TOO_SMALL);
}

static void test_write_close_without_open(void **state)
{
    (void)state;
    uint8_t mem[8];
    cl_writer w;
    cl_writer_fixed(&w, mem, sizeof(mem));
    assert_int_equal(cl_write_close(&w), CLASP_ERR_STATE);
    assert_int_equal(cl_writer_finish(&w), CLASP_ERR_STATE);
    assert_int_equal(cl_write_u8(&w, 1), CLASP_ERR_STATE);

    /* one open, two closes */
    cl_writer_fixed(&w, mem, sizeof(mem));
    assert_int_equal(cl_write_open(&w, 2), 0);
    assert_int_equal(cl_write_u8(&w, 7), 0);
    assert_int_equal(cl_write_close(&w), 0);
    assert_int_equal(cl_writer_finish(&w), 0);
    assert_memory_equal(mem, "\x00\x01\x07", 3);
    assert_int_equal(cl_write_close(&w), CLASP_ERR_STATE);
    assert_int_equal(cl_writer_finish(&w), CLASP_ERR_STATE);
}

static void test_write_finish_open_block(void **state)
{
    (void)state;
    uint8_t mem[16];
    cl_writer w;
    cl_writer_fixed(&w, mem, sizeof(mem));
    assert_int_equal(cl_writer_finish(&w), 0); /* an empty writer is complete */
    assert_int_equal(cl_write_open(&w, 3), 0);
    assert_int_equal(cl_writer_finish(&w), CLASP_ERR_STATE);
    assert_int_equal(cl_write_vec(&w, 1, (const uint8_t *)"hi", 2), 0);
    assert_int_equal(cl_writer_finish(&w), CLASP_ERR_STATE);
    assert_int_equal(cl_write_close(&w), 0);
    assert_int_equal(cl_writer_finish(&w), 0);
    assert_int_equal(w.len, 6);
    assert_memory_equal(mem, "\x00\x00\x03\x02hi", 6);
}

/* ---- writer: growable ---- */

static void test_write_growable_doublings(void **state)
{
    (void)state;
    const size_t max = (size_t)1 << 20;
    cl_writer w;
    assert_int_equal(cl_writer_growable(&w, 0, max), 0);
    assert_int_equal(w.cap, 0);
    size_t grows = 0, last_cap = 0;
    for (size_t i = 0; i < max; i++) {
        assert_int_equal(cl_write_u8(&w, (uint8_t)(i * 13)), 0);
        if (w.cap != last_cap) {
            grows++;
            last_cap = w.cap;
        }
        assert_true(w.cap <= max);
    }
    assert_true(grows >= 10);
    assert_int_equal(w.len, max);
    for (size_t i = 0; i < max; i++)
        if (w.buf[i] != (uint8_t)(i * 13))
            fail_msg("byte %zu lost in a grow", i);
    assert_int_equal(cl_write_u8(&w, 0), CLASP_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(w.len, max);
    cl_writer_free(&w);
}

static void test_write_growable_max(void **state)
{
    (void)state;
    /* small and odd limits too, below and around the first allocation size */
    static const size_t maxes[] = {1, 10, 63, 64, 65, 100, 1000, 4097};
    for (size_t m = 0; m < sizeof(maxes) / sizeof(maxes[0]); m++) {
        size_t max = maxes[m];
        for (size_t initial = 0; initial <= 1; initial++) {
            cl_writer w;
            assert_int_equal(cl_writer_growable(&w, initial, max), 0);
            /* reach max exactly in uneven steps */
            size_t step = 1;
            while (w.len < max) {
                size_t n = max - w.len < step ? max - w.len : step;
                assert_int_equal(cl_write_zeros(&w, n), 0);
                assert_true(w.cap <= max); /* never allocates past max */
                step = step * 3 + 1;
            }
            assert_int_equal(w.len, max);
            assert_int_equal(cl_writer_finish(&w), 0);
            /* max + 1 fails */
            assert_int_equal(cl_write_u8(&w, 1), CLASP_ERR_BUFFER_TOO_SMALL);
            assert_int_equal(w.len, max);
            assert_int_equal(cl_writer_finish(&w), CLASP_ERR_BUFFER_TOO_SMALL);
            cl_writer_free(&w);

            /* max + 1 in a single write fails, max in a single write does not */
            assert_int_equal(cl_writer_growable(&w, initial, max), 0);
            assert_int_equal(cl_write_zeros(&w, max + 1), CLASP_ERR_BUFFER_TOO_SMALL);
            assert_int_equal(w.len, 0);
            cl_writer_free(&w);
            assert_int_equal(cl_writer_growable(&w, initial, max), 0);
            assert_int_equal(cl_write_zeros(&w, max), 0);
            assert_true(w.cap <= max);
            assert_int_equal(cl_writer_finish(&w), 0);
            cl_writer_free(&w);
        }
    }

    /* an initial size above max is clamped to max */
    cl_writer w;
    assert_int_equal(cl_writer_growable(&w, 500, 100), 0);
    assert_int_equal(w.cap, 100);
    cl_writer_free(&w);
}

static void test_write_growable_empty_writes(void **state)
{
    (void)state;
    /* zero-length writes on a writer that has not allocated yet */
    cl_writer w;
    assert_int_equal(cl_writer_growable(&w, 0, 100), 0);
    assert_int_equal(cl_write_bytes(&w, NULL, 0), 0);
    assert_int_equal(cl_write_zeros(&w, 0), 0);
    assert_int_equal(w.len, 0);
    assert_int_equal(cl_writer_finish(&w), 0);
    cl_writer_free(&w);
}

static void test_write_take(void **state)
{
    (void)state;
    cl_writer w;
    assert_int_equal(cl_writer_growable(&w, 0, 1 << 16), 0);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(cl_write_u16(&w, (uint16_t)i), 0);
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    assert_int_equal(cl_writer_take(&w, &buf, &len, &cap), 0);
    assert_non_null(buf);
    assert_int_equal(len, 2000);
    assert_true(cap >= len);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(buf[2 * i] << 8 | buf[2 * i + 1], i);
    /* the writer gave up the buffer: it no longer points at it */
    assert_null(w.buf);
    assert_int_equal(w.len, 0);
    assert_int_equal(w.cap, 0);
    cl_writer_free(&w); /* frees nothing */
    cl_free(buf, cap);

    /* not with a block open, nor after an error, nor from a fixed writer */
    assert_int_equal(cl_writer_growable(&w, 0, 64), 0);
    assert_int_equal(cl_write_open(&w, 2), 0);
    buf = (uint8_t *)"untouched";
    assert_int_equal(cl_writer_take(&w, &buf, &len, &cap), CLASP_ERR_STATE);
    assert_string_equal((const char *)buf, "untouched");
    assert_int_equal(cl_write_close(&w), 0);
    assert_int_equal(cl_write_zeros(&w, 63), CLASP_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(cl_writer_take(&w, &buf, &len, &cap), CLASP_ERR_BUFFER_TOO_SMALL);
    cl_writer_free(&w);

    uint8_t mem[4];
    cl_writer_fixed(&w, mem, sizeof(mem));
    assert_int_equal(cl_write_u8(&w, 1), 0);
    assert_int_equal(cl_writer_take(&w, &buf, &len, &cap), CLASP_ERR_STATE);

    /* an empty growable writer hands over no buffer */
    assert_int_equal(cl_writer_growable(&w, 0, 64), 0);
    assert_int_equal(cl_writer_take(&w, &buf, &len, &cap), 0);
    assert_null(buf);
    assert_int_equal(len, 0);
    assert_int_equal(cap, 0);
    cl_free(buf, cap);
}

static void test_write_space(void **state)
{
    (void)state;
    uint8_t mem[10 + CANARY_LEN];
    memset(mem, CANARY, sizeof(mem));
    cl_writer w;
    cl_writer_fixed(&w, mem, 10);
    uint8_t *sp = NULL;
    assert_int_equal(cl_write_u8(&w, 0x01), 0);
    assert_int_equal(cl_write_space(&w, 4, &sp), 0);
    assert_ptr_equal(sp, mem + 1);
    assert_int_equal(w.len, 5);
    memcpy(sp, "\x02\x03\x04\x05", 4);
    assert_int_equal(cl_write_space(&w, 5, &sp), 0);
    assert_ptr_equal(sp, mem + 5);
    memset(sp, 0x06, 5);
    assert_int_equal(w.len, 10);
    assert_int_equal(cl_write_space(&w, 0, &sp), 0);
    sp = NULL;
    assert_int_equal(cl_write_space(&w, 1, &sp), CLASP_ERR_BUFFER_TOO_SMALL);
    assert_null(sp);
    assert_memory_equal(mem, "\x01\x02\x03\x04\x05\x06\x06\x06\x06\x06", 10);
    assert_all(mem + 10, CANARY_LEN, CANARY);

    /* in a growable writer, inside a block: the space counts toward the block */
    assert_int_equal(cl_writer_growable(&w, 0, 1 << 12), 0);
    assert_int_equal(cl_write_open(&w, 2), 0);
    assert_int_equal(cl_write_space(&w, 1000, &sp), 0);
    for (int i = 0; i < 1000; i++)
        sp[i] = (uint8_t)i;
    assert_int_equal(cl_write_close(&w), 0);
    assert_int_equal(cl_writer_finish(&w), 0);
    cl_reader r, sub;
    cl_reader_init(&r, w.buf, w.len);
    assert_int_equal(cl_read_vec16(&r, &sub), 0);
    assert_int_equal(cl_reader_left(&sub), 1000);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(sub.p[i], (uint8_t)i);
    assert_int_equal(cl_read_end(&r), 0);
    cl_writer_free(&w);
}

static void test_write_vec24_max_roundtrip(void **state)
{
    (void)state;
    const size_t n = 0xffffff;
    uint8_t *data = malloc(n + 1);
    assert_non_null(data);
    for (size_t i = 0; i <= n; i++)
        data[i] = (uint8_t)(i ^ (i >> 8) ^ (i >> 16));

    cl_writer w;
    assert_int_equal(cl_writer_growable(&w, 0, n + 3), 0); /* exactly enough */
    assert_int_equal(cl_write_vec(&w, 3, data, n), 0);
    assert_int_equal(cl_writer_finish(&w), 0);
    uint8_t *buf;
    size_t len, cap;
    assert_int_equal(cl_writer_take(&w, &buf, &len, &cap), 0);
    assert_int_equal(len, n + 3);
    assert_true(cap <= n + 3);

    cl_reader r, sub;
    cl_reader_init(&r, buf, len);
    assert_int_equal(cl_read_vec24(&r, &sub), 0);
    assert_int_equal(cl_reader_left(&sub), n);
    assert_true(memcmp(sub.p, data, n) == 0);
    assert_int_equal(cl_read_end(&r), 0);
    cl_free(buf, cap);

    /* one byte more does not fit a 3-byte prefix */
    assert_int_equal(cl_writer_growable(&w, 0, n + 4), 0);
    assert_int_equal(cl_write_vec(&w, 3, data, n + 1), CLASP_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(cl_writer_finish(&w), CLASP_ERR_BUFFER_TOO_SMALL);
    cl_writer_free(&w);
    free(data);
}

/* ---- allocation hooks ---- */

static int restore_allocator(void **state)
{
    (void)state;
    clasp_set_allocator(NULL);
    return 0;
}

static void test_writer_allocations_balance(void **state)
{
    (void)state;
    counting c;
    counting_start(&c, -1);

    /* grow through many doublings, then free */
    cl_writer w;
    assert_int_equal(cl_writer_growable(&w, 0, 1 << 20), 0);
    for (int i = 0; i < 100000; i++)
        assert_int_equal(cl_write_u32(&w, (uint32_t)i), 0);
    assert_true(c.allocs >= 10);
    assert_int_equal(c.live_allocs, 1); /* each grow freed the old buffer */
    assert_int_equal(c.live_bytes, w.cap);
    cl_writer_free(&w);
    assert_int_equal(c.live_bytes, 0);
    assert_int_equal(c.live_allocs, 0);

    /* take, then free with the size take reported */
    assert_int_equal(cl_writer_growable(&w, 7, 1 << 16), 0);
    assert_int_equal(cl_write_zeros(&w, 5000), 0);
    uint8_t *buf;
    size_t len, cap;
    assert_int_equal(cl_writer_take(&w, &buf, &len, &cap), 0);
    assert_int_equal(c.live_bytes, cap);
    cl_free(buf, cap);
    assert_int_equal(c.live_bytes, 0);

    /* a writer that failed (max reached) still frees everything */
    assert_int_equal(cl_writer_growable(&w, 0, 300), 0);
    assert_int_equal(cl_write_zeros(&w, 200), 0);
    assert_int_equal(cl_write_zeros(&w, 200), CLASP_ERR_BUFFER_TOO_SMALL);
    cl_writer_free(&w);

    /* and so does the reader-side helper cl_memdup with cl_free */
    uint8_t *d = cl_memdup(src8, sizeof(src8));
    assert_non_null(d);
    assert_int_equal(c.live_bytes, sizeof(src8));
    cl_free(d, sizeof(src8));

    assert_int_equal(c.live_bytes, 0);
    assert_int_equal(c.live_allocs, 0);
    assert_int_equal(c.size_mismatches, 0);

    /* NULL restores malloc/free: nothing more reaches the counter */
    long before = c.allocs;
    clasp_set_allocator(NULL);
    assert_int_equal(cl_writer_growable(&w, 64, 64), 0);
    cl_writer_free(&w);
    assert_int_equal(c.allocs, before);
}

static void *failing_alloc(void *ctx, size_t n)
{
    (void)ctx;
    (void)n;
    return NULL;
}

static void plain_free(void *ctx, void *p, size_t n)
{
    (void)ctx;
    (void)n;
    free(p);
}

static void test_writer_out_of_memory(void **state)
{
    (void)state;
    clasp_allocator a = {failing_alloc, plain_free, NULL};
    clasp_set_allocator(&a);
    cl_writer w;
    assert_int_equal(cl_writer_growable(&w, 16, 64), CLASP_ERR_NOMEM);
    assert_int_equal(cl_writer_finish(&w), CLASP_ERR_NOMEM);
    cl_writer_free(&w);
    assert_int_equal(cl_writer_growable(&w, 0, 64), 0);
    assert_int_equal(cl_write_u8(&w, 1), CLASP_ERR_NOMEM);
    assert_int_equal(cl_write_u8(&w, 1), CLASP_ERR_NOMEM);
    assert_int_equal(cl_writer_finish(&w), CLASP_ERR_NOMEM);
    cl_writer_free(&w);
}

/* A zeroed writer used as a byte buffer: set up on first append, bounded, consumed from the front.
 */
static void test_writer_append_consume(void **state)
{
    (void)state;
    cl_writer w;
    memset(&w, 0, sizeof(w));
    const uint8_t a[5] = {1, 2, 3, 4, 5};
    assert_int_equal(cl_writer_append(&w, a, 5, 8), 0);
    assert_int_equal(w.len, 5);
    assert_true(w.growable);
    assert_int_equal(cl_writer_append(&w, a, 3, 8), 0); /* exactly at the bound */
    assert_int_equal(w.len, 8);
    cl_writer_consume(&w, 2);
    assert_int_equal(w.len, 6);
    const uint8_t want[6] = {3, 4, 5, 1, 2, 3};
    assert_memory_equal(w.buf, want, 6);
    cl_writer_consume(&w, 6); /* all consumed: the buffer goes */
    assert_null(w.buf);
    assert_int_equal(w.len, 0);
    assert_int_equal(cl_writer_append(&w, a, 4, 3), CLASP_ERR_BUFFER_TOO_SMALL); /* over max */
    cl_writer_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_uints),
        cmocka_unit_test(test_read_uint_values),
        cmocka_unit_test(test_read_bytes_copy_skip),
        cmocka_unit_test(test_read_zero_and_huge),
        cmocka_unit_test(test_read_vec_bounds),
        cmocka_unit_test(test_read_vec_empty),
        cmocka_unit_test(test_read_vec_nested_overrun),
        cmocka_unit_test(test_read_vec24_max),
        cmocka_unit_test(test_read_end),
        cmocka_unit_test(test_write_fixed_exact),
        cmocka_unit_test(test_write_fixed_one_over),
        cmocka_unit_test(test_write_sticky),
        cmocka_unit_test(test_write_u24_range),
        cmocka_unit_test(test_write_nested),
        cmocka_unit_test(test_write_close_overflow),
        cmocka_unit_test(test_write_close_without_open),
        cmocka_unit_test(test_write_finish_open_block),
        cmocka_unit_test(test_write_growable_doublings),
        cmocka_unit_test(test_write_growable_max),
        cmocka_unit_test(test_write_growable_empty_writes),
        cmocka_unit_test(test_write_take),
        cmocka_unit_test(test_write_space),
        cmocka_unit_test(test_write_vec24_max_roundtrip),
        cmocka_unit_test(test_writer_append_consume),
        cmocka_unit_test_teardown(test_writer_allocations_balance, restore_allocator),
        cmocka_unit_test_teardown(test_writer_out_of_memory, restore_allocator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
