/*
 * Helpers shared by test_msg.c and test_msg_exts.c: building messages with cl_writer, and the
 * checks every parser gets (each prefix, a trailing byte). Include after <cmocka.h>.
 */
#ifndef CLASP_TEST_MSG_HELPERS_H
#define CLASP_TEST_MSG_HELPERS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <clasp/errors.h>

#include "base/bytes.h"
#include "base/mem.h"
#include "msg/msg.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* A growable writer's output, owned by the test. */
typedef struct buf {
    uint8_t *p;
    size_t len;
    size_t cap;
} buf;

static inline void wr_init(cl_writer *w)
{
    assert_int_equal(cl_writer_growable(w, 0, 1u << 20), 0);
}

static inline buf wr_take(cl_writer *w)
{
    buf b = {NULL, 0, 0};
    assert_int_equal(cl_writer_take(w, &b.p, &b.len, &b.cap), 0);
    return b;
}

static inline void buf_free(buf *b)
{
    cl_free(b->p, b->cap);
    memset(b, 0, sizeof(*b));
}

/* One extension to write: type and data. */
typedef struct ext_spec {
    uint16_t type;
    const uint8_t *data;
    size_t len;
} ext_spec;

/* Writes the extensions one after another (the contents of a block, no block length). */
static inline void write_exts(cl_writer *w, const ext_spec *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(cl_ext_open(w, e[i].type), 0);
        assert_int_equal(cl_write_bytes(w, e[i].data, e[i].len), 0);
        assert_int_equal(cl_ext_close(w), 0);
    }
}

/* The same, as a whole extensions<..> block with its 16-bit length. */
static inline void write_ext_block(cl_writer *w, const ext_spec *e, size_t n)
{
    assert_int_equal(cl_exts_open(w), 0);
    write_exts(w, e, n);
    assert_int_equal(cl_exts_close(w), 0);
}

/* A parser under test, over an exact-size copy (so ASan sees any over-read). */
typedef int (*parse_fn)(const uint8_t *p, size_t len);

static inline int parse_copy(parse_fn f, const uint8_t *p, size_t len, size_t extra)
{
    uint8_t *copy = malloc(len + extra + 1);
    assert_non_null(copy);
    if (len)
        memcpy(copy, p, len);
    memset(copy + len, 0, extra);
    int rc = f(copy, len + extra);
    free(copy);
    return rc;
}

/*
 * Every proper prefix of a valid message fails with decode_error, except the one of length
 * ok_at (a hello without its optional extensions field; SIZE_MAX for none); the message
 * itself parses; one more byte is decode_error.
 */
static inline void check_prefixes_ok_at(parse_fn f, const uint8_t *p, size_t len, size_t ok_at)
{
    for (size_t n = 0; n < len; n++) {
        int rc = parse_copy(f, p, n, 0);
        if (n == ok_at)
            assert_int_equal(rc, 0);
        else if (rc != CLASP_ERR_DECODE)
            fail_msg("prefix of %zu of %zu bytes: rc %d, want decode_error", n, len, rc);
    }
    assert_int_equal(parse_copy(f, p, len, 0), 0);
    assert_int_equal(parse_copy(f, p, len, 1), CLASP_ERR_DECODE);
}

static inline void check_prefixes(parse_fn f, const uint8_t *p, size_t len)
{
    check_prefixes_ok_at(f, p, len, SIZE_MAX);
}

static inline void assert_reader_eq(cl_reader r, const uint8_t *want, size_t want_len)
{
    const uint8_t *p;
    size_t n = cl_reader_left(&r);
    assert_int_equal(n, want_len);
    assert_int_equal(cl_read_bytes(&r, n, &p), 0);
    if (n)
        assert_memory_equal(p, want, n);
}

#endif /* CLASP_TEST_MSG_HELPERS_H */
