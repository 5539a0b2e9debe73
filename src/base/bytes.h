/*
 * The bounds-checked reader and writer. All wire data in clasp goes through these: they are
 * the only pointer arithmetic on bytes from the network.
 *
 * Reader: a cursor over (pointer, length). Every read either succeeds completely and
 * advances, or fails with CLASP_ERR_DECODE and leaves the cursor where it was. A
 * length-prefixed vector yields a sub-reader confined to its bytes; parsers end each
 * (sub-)reader with cl_read_end(), so trailing bytes are an error.
 *
 * Writer: over a fixed buffer or a growable one (bounded by a maximum). Length-prefixed
 * blocks are opened, written into, and closed; the length is filled in at close and checked
 * against the prefix width. A failed write leaves the writer failed: every later call fails
 * too, so nothing is ever written past the end and a half-built message cannot escape.
 */
#ifndef CLASP_BASE_BYTES_H
#define CLASP_BASE_BYTES_H

#include <stddef.h>
#include <stdint.h>

/* ---- reader ---- */

typedef struct cl_reader {
    const uint8_t *p;
    size_t len;
} cl_reader;

void cl_reader_init(cl_reader *r, const uint8_t *p, size_t len);
size_t cl_reader_left(const cl_reader *r);

int cl_read_u8(cl_reader *r, uint8_t *out);
int cl_read_u16(cl_reader *r, uint16_t *out);
int cl_read_u24(cl_reader *r, uint32_t *out);
int cl_read_u32(cl_reader *r, uint32_t *out);
int cl_read_u64(cl_reader *r, uint64_t *out);

/* Points *out at the next n bytes (no copy) and advances past them. */
int cl_read_bytes(cl_reader *r, size_t n, const uint8_t **out);
/* Copies the next n bytes into dst and advances. */
int cl_read_copy(cl_reader *r, uint8_t *dst, size_t n);
int cl_read_skip(cl_reader *r, size_t n);

/*
 * Length-prefixed vector: a big-endian length of width 1, 2 or 3 bytes, then that many
 * bytes, which become *sub. The length must lie in [min, max] (RFC vector bounds such as
 * <1..2^16-1>); outside it, or longer than what is left, is CLASP_ERR_DECODE.
 */
int cl_read_vec(cl_reader *r, unsigned width, size_t min, size_t max, cl_reader *sub);
int cl_read_vec8(cl_reader *r, cl_reader *sub);
int cl_read_vec16(cl_reader *r, cl_reader *sub);
int cl_read_vec24(cl_reader *r, cl_reader *sub);

/* CLASP_ERR_DECODE unless every byte has been consumed. */
int cl_read_end(const cl_reader *r);

/* ---- writer ---- */

#define CL_WRITER_MAX_DEPTH 8

typedef struct cl_writer {
    uint8_t *buf;
    size_t len;
    size_t cap;
    size_t max;     /* growable: the bound on cap; fixed: equal to cap */
    int growable;   /* buf is ours, allocated through cl_alloc */
    int err;        /* sticky: the first failure */
    unsigned depth; /* open length-prefixed blocks */
    size_t open_at[CL_WRITER_MAX_DEPTH];
    uint8_t open_width[CL_WRITER_MAX_DEPTH];
} cl_writer;

/* Writes into the caller's buffer; never writes beyond cap. */
void cl_writer_fixed(cl_writer *w, uint8_t *buf, size_t cap);
/* Allocates as it grows, up to max bytes in all; initial may be 0. */
int cl_writer_growable(cl_writer *w, size_t initial, size_t max);
/* Wipes and frees a growable writer's buffer; no-op for fixed writers. */
void cl_writer_free(cl_writer *w);
/*
 * Hands a growable writer's buffer to the caller (free it with cl_free(buf, cap)). Fails
 * with CLASP_ERR_STATE when blocks are still open, or with the writer's sticky error.
 */
int cl_writer_take(cl_writer *w, uint8_t **buf, size_t *len, size_t *cap);
/* The sticky error, or CLASP_ERR_STATE when a block is still open; 0 when complete. */
int cl_writer_finish(const cl_writer *w);

/*
 * A growable writer used as a byte buffer: appends n bytes, setting the writer up (growable,
 * bounded by max) on first use when it is still all zeros.
 */
int cl_writer_append(cl_writer *w, const uint8_t *p, size_t n, size_t max);
/* Drops the first n bytes (those already consumed); frees the buffer when none are left. */
void cl_writer_consume(cl_writer *w, size_t n);

int cl_write_u8(cl_writer *w, uint8_t v);
int cl_write_u16(cl_writer *w, uint16_t v);
int cl_write_u24(cl_writer *w, uint32_t v);
int cl_write_u32(cl_writer *w, uint32_t v);
int cl_write_u64(cl_writer *w, uint64_t v);
int cl_write_bytes(cl_writer *w, const uint8_t *p, size_t n);
int cl_write_zeros(cl_writer *w, size_t n);
/* Reserves n bytes and points *out at them, for a callee that fills them in place. The
 * pointer is valid until the next write (a growable writer may move its buffer). */
int cl_write_space(cl_writer *w, size_t n, uint8_t **out);

/* Opens a block with a width-byte length prefix (1, 2 or 3); close fills it in. */
int cl_write_open(cl_writer *w, unsigned width);
int cl_write_close(cl_writer *w);

/* Shorthand for open + bytes + close. */
int cl_write_vec(cl_writer *w, unsigned width, const uint8_t *p, size_t n);

#endif /* CLASP_BASE_BYTES_H */
