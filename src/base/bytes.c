#include <string.h>

#include "base/bytes.h"
#include "base/err.h"
#include "base/mem.h"

/* ---- reader ---- */

void cl_reader_init(cl_reader *r, const uint8_t *p, size_t len)
{
    r->p = len ? p : NULL;
    r->len = len;
}

size_t cl_reader_left(const cl_reader *r)
{
    return r->len;
}

int cl_read_bytes(cl_reader *r, size_t n, const uint8_t **out)
{
    CL_CHECK(n <= r->len, CLASP_ERR_DECODE);
    *out = r->p;
    if (n) {
        r->p += n;
        r->len -= n;
    }
    return 0;
}

/* Reads an n-byte (n <= 8) big-endian unsigned integer. */
static int read_be(cl_reader *r, size_t n, uint64_t *out)
{
    const uint8_t *p;
    CL_TRY(cl_read_bytes(r, n, &p));
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | p[i];
    *out = v;
    return 0;
}

int cl_read_u8(cl_reader *r, uint8_t *out)
{
    uint64_t v;
    CL_TRY(read_be(r, 1, &v));
    *out = (uint8_t)v;
    return 0;
}

int cl_read_u16(cl_reader *r, uint16_t *out)
{
    uint64_t v;
    CL_TRY(read_be(r, 2, &v));
    *out = (uint16_t)v;
    return 0;
}

int cl_read_u24(cl_reader *r, uint32_t *out)
{
    uint64_t v;
    CL_TRY(read_be(r, 3, &v));
    *out = (uint32_t)v;
    return 0;
}

int cl_read_u32(cl_reader *r, uint32_t *out)
{
    uint64_t v;
    CL_TRY(read_be(r, 4, &v));
    *out = (uint32_t)v;
    return 0;
}

int cl_read_u64(cl_reader *r, uint64_t *out)
{
    return read_be(r, 8, out);
}

int cl_read_copy(cl_reader *r, uint8_t *dst, size_t n)
{
    const uint8_t *p;
    CL_TRY(cl_read_bytes(r, n, &p));
    if (n)
        memcpy(dst, p, n);
    return 0;
}

int cl_read_skip(cl_reader *r, size_t n)
{
    const uint8_t *p;
    return cl_read_bytes(r, n, &p);
}

int cl_read_vec(cl_reader *r, unsigned width, size_t min, size_t max, cl_reader *sub)
{
    CL_CHECK(width >= 1 && width <= 3, CLASP_ERR_INTERNAL);
    cl_reader save = *r;
    uint64_t n;
    const uint8_t *p;
    int rc = read_be(r, width, &n);
    if (rc == 0 && (n < min || n > max))
        rc = CLASP_ERR_DECODE;
    if (rc == 0)
        rc = cl_read_bytes(r, (size_t)n, &p);
    if (rc != 0) {
        *r = save; /* a failed read never moves the cursor */
        return rc;
    }
    cl_reader_init(sub, p, (size_t)n);
    return 0;
}

int cl_read_vec8(cl_reader *r, cl_reader *sub)
{
    return cl_read_vec(r, 1, 0, 0xff, sub);
}

int cl_read_vec16(cl_reader *r, cl_reader *sub)
{
    return cl_read_vec(r, 2, 0, 0xffff, sub);
}

int cl_read_vec24(cl_reader *r, cl_reader *sub)
{
    return cl_read_vec(r, 3, 0, 0xffffff, sub);
}

int cl_read_end(const cl_reader *r)
{
    return r->len == 0 ? 0 : CLASP_ERR_DECODE;
}

/* ---- writer ---- */

void cl_writer_fixed(cl_writer *w, uint8_t *buf, size_t cap)
{
    memset(w, 0, sizeof(*w));
    w->buf = buf;
    w->cap = cap;
    w->max = cap;
}

int cl_writer_growable(cl_writer *w, size_t initial, size_t max)
{
    memset(w, 0, sizeof(*w));
    w->growable = 1;
    w->max = max;
    if (initial > max)
        initial = max;
    if (initial) {
        w->buf = cl_alloc(initial);
        if (!w->buf)
            return w->err = CLASP_ERR_NOMEM;
        w->cap = initial;
    }
    return 0;
}

void cl_writer_free(cl_writer *w)
{
    if (w->growable)
        cl_free_secret(w->buf, w->cap);
    memset(w, 0, sizeof(*w));
}

int cl_writer_finish(const cl_writer *w)
{
    if (w->err)
        return w->err;
    return w->depth ? CLASP_ERR_STATE : 0;
}

int cl_writer_take(cl_writer *w, uint8_t **buf, size_t *len, size_t *cap)
{
    CL_TRY(cl_writer_finish(w));
    CL_CHECK(w->growable, CLASP_ERR_STATE);
    *buf = w->buf;
    *len = w->len;
    *cap = w->cap;
    memset(w, 0, sizeof(*w));
    return 0;
}

static int writer_fail(cl_writer *w, int err)
{
    if (!w->err)
        w->err = err;
    return w->err;
}

/* Makes room for n more bytes: grows a growable buffer, never past max. */
static int writer_room(cl_writer *w, size_t n)
{
    if (w->err)
        return w->err;
    if (n <= w->cap - w->len)
        return 0;
    if (!w->growable || n > w->max - w->len)
        return writer_fail(w, CLASP_ERR_BUFFER_TOO_SMALL);
    size_t need = w->len + n;
    size_t cap = w->cap ? w->cap : (w->max < 64 ? w->max : 64); /* never past max */
    while (cap < need)
        cap = cap > w->max / 2 ? w->max : cap * 2;
    uint8_t *nb = cl_alloc(cap);
    if (!nb)
        return writer_fail(w, CLASP_ERR_NOMEM);
    if (w->len)
        memcpy(nb, w->buf, w->len);
    cl_free_secret(w->buf, w->cap); /* the old copy may hold secrets too */
    w->buf = nb;
    w->cap = cap;
    return 0;
}

int cl_write_space(cl_writer *w, size_t n, uint8_t **out)
{
    CL_TRY(writer_room(w, n));
    /* A writer that has not allocated yet has no buffer (n is then 0): NULL + 0 is UB in C. */
    *out = w->buf ? w->buf + w->len : NULL;
    w->len += n;
    return 0;
}

int cl_write_bytes(cl_writer *w, const uint8_t *p, size_t n)
{
    uint8_t *dst;
    CL_TRY(cl_write_space(w, n, &dst));
    if (n)
        memcpy(dst, p, n);
    return 0;
}

int cl_write_zeros(cl_writer *w, size_t n)
{
    uint8_t *dst;
    CL_TRY(cl_write_space(w, n, &dst));
    if (n)
        memset(dst, 0, n);
    return 0;
}

static int write_be(cl_writer *w, uint64_t v, size_t n)
{
    uint8_t *dst;
    CL_TRY(cl_write_space(w, n, &dst));
    for (size_t i = n; i-- > 0; v >>= 8)
        dst[i] = (uint8_t)v;
    return 0;
}

int cl_write_u8(cl_writer *w, uint8_t v)
{
    return write_be(w, v, 1);
}

int cl_write_u16(cl_writer *w, uint16_t v)
{
    return write_be(w, v, 2);
}

int cl_write_u24(cl_writer *w, uint32_t v)
{
    if (v > 0xffffff)
        return writer_fail(w, CLASP_ERR_INVALID_ARG);
    return write_be(w, v, 3);
}

int cl_write_u32(cl_writer *w, uint32_t v)
{
    return write_be(w, v, 4);
}

int cl_write_u64(cl_writer *w, uint64_t v)
{
    return write_be(w, v, 8);
}

int cl_write_open(cl_writer *w, unsigned width)
{
    if (w->err)
        return w->err;
    if (width < 1 || width > 3 || w->depth == CL_WRITER_MAX_DEPTH)
        return writer_fail(w, CLASP_ERR_INTERNAL);
    size_t at = w->len;
    CL_TRY(write_be(w, 0, width));
    w->open_at[w->depth] = at;
    w->open_width[w->depth] = (uint8_t)width;
    w->depth++;
    return 0;
}

int cl_write_close(cl_writer *w)
{
    if (w->err)
        return w->err;
    if (w->depth == 0)
        return writer_fail(w, CLASP_ERR_STATE);
    w->depth--;
    size_t at = w->open_at[w->depth];
    unsigned width = w->open_width[w->depth];
    size_t n = w->len - at - width;
    if (n >> (8 * width))
        return writer_fail(w, CLASP_ERR_BUFFER_TOO_SMALL); /* does not fit its prefix */
    for (unsigned i = width; i-- > 0; n >>= 8)
        w->buf[at + i] = (uint8_t)n;
    return 0;
}

int cl_write_vec(cl_writer *w, unsigned width, const uint8_t *p, size_t n)
{
    CL_TRY(cl_write_open(w, width));
    CL_TRY(cl_write_bytes(w, p, n));
    return cl_write_close(w);
}

int cl_writer_append(cl_writer *w, const uint8_t *p, size_t n, size_t max)
{
    if (!w->growable && !w->buf)
        CL_TRY(cl_writer_growable(w, 0, max));
    return cl_write_bytes(w, p, n);
}

void cl_writer_consume(cl_writer *w, size_t n)
{
    if (n >= w->len) {
        cl_writer_free(w);
        return;
    }
    memmove(w->buf, w->buf + n, w->len - n);
    w->len -= n;
}
