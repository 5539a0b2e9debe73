/*
 * TLS 1.2 sessions: lifetime of one session and its serialisation (the server's cache is
 * session_cache.c).
 *
 * Encoding (all integers big-endian, vectors with their length prefix):
 *   "CLS1" | version u16 | suite u16 | ems u8 (0/1) | id<0..32> | master[48]
 *   | server_name<0..255> (no NUL) | created u64 | lifetime u32
 *   | count u16 (<= 16) | count x certificate<1..2^24-1>
 * A later format gets a new magic; the decoder refuses what it does not know.
 */
#include <string.h>

#include "base/bytes.h"
#include "base/err.h"
#include "base/mem.h"
#include "hs/session.h"
#include "record/protect.h"

#define CL_SESSION_MAGIC     "CLS1"
#define CL_SESSION_MAGIC_LEN 4
/* A chain longer than this is not one we would have accepted from a peer. */
#define CL_SESSION_MAX_CHAIN 16
#define CL_SESSION_MAX_CERT  0xffffff

/* ---- one session ---- */

static void free_chain(cl_cert_der *chain, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cl_free(chain[i].der, chain[i].len);
    cl_free(chain, n * sizeof(cl_cert_der));
}

void cl_session_clear(cl_session *s)
{
    free_chain(s->peer_chain, s->n_peer_chain);
    cl_wipe(s, sizeof(*s));
}

/*
 * An array of n empty certificates, counted in s at once so that cl_session_clear frees it
 * with its exact size however far the caller gets in filling it.
 */
static int alloc_chain(cl_session *s, size_t n)
{
    if (n == 0)
        return 0;
    s->peer_chain = cl_calloc(n, sizeof(cl_cert_der));
    CL_CHECK(s->peer_chain, CLASP_ERR_NOMEM);
    s->n_peer_chain = n;
    return 0;
}

static int set_cert(cl_cert_der *dst, const uint8_t *der, size_t len)
{
    dst->der = cl_memdup(der, len);
    CL_CHECK(dst->der || len == 0, CLASP_ERR_NOMEM);
    dst->len = len;
    return 0;
}

static int copy_chain(cl_session *dst, const cl_session *src)
{
    CL_TRY(alloc_chain(dst, src->n_peer_chain));
    for (size_t i = 0; i < src->n_peer_chain; i++)
        CL_TRY(set_cert(&dst->peer_chain[i], src->peer_chain[i].der, src->peer_chain[i].len));
    return 0;
}

/* dst is output only: whatever it held is overwritten, not freed. */
int cl_session_copy(cl_session *dst, const cl_session *src)
{
    *dst = *src;
    dst->peer_chain = NULL;
    dst->n_peer_chain = 0;
    int rc = copy_chain(dst, src);
    if (rc != 0)
        cl_session_clear(dst);
    return rc;
}

int cl_session_valid(const cl_session *s, uint64_t now)
{
    /* now < created + lifetime, without the sum (created comes from storage and may be huge).
     * A clock that went back leaves the session valid: it is no older than it was. */
    return now < s->created || now - s->created < s->lifetime;
}

/* ---- serialisation ---- */

/*
 * What the encoder refuses is exactly what the decoder would: a session that encodes always
 * decodes back to itself. Sets *size to the exact encoding length.
 */
static int encoded_size(const cl_session *s, size_t sn_len, size_t *size)
{
    CL_CHECK(s->version == CL_TLS12_VERSION, CLASP_ERR_INVALID_ARG);
    CL_CHECK(s->ems <= 1 && s->id_len <= CL_SESSION_ID_LEN, CLASP_ERR_INVALID_ARG);
    CL_CHECK(sn_len < sizeof(s->server_name), CLASP_ERR_INVALID_ARG);
    CL_CHECK(s->n_peer_chain <= CL_SESSION_MAX_CHAIN, CLASP_ERR_INVALID_ARG);
    size_t n = CL_SESSION_MAGIC_LEN + 2 + 2 + 1 + 1 + s->id_len + CL_SESSION_MASTER_LEN + 1 +
               sn_len + 8 + 4 + 2;
    for (size_t i = 0; i < s->n_peer_chain; i++) {
        const cl_cert_der *c = &s->peer_chain[i];
        CL_CHECK(c->der && c->len >= 1 && c->len <= CL_SESSION_MAX_CERT, CLASP_ERR_INVALID_ARG);
        n += 3 + c->len;
    }
    *size = n;
    return 0;
}

static void write_session(cl_writer *w, const cl_session *s, size_t sn_len)
{
    /* The writer's error is sticky: checking once, at the end, covers every call. */
    cl_write_bytes(w, (const uint8_t *)CL_SESSION_MAGIC, CL_SESSION_MAGIC_LEN);
    cl_write_u16(w, s->version);
    cl_write_u16(w, s->suite);
    cl_write_u8(w, s->ems);
    cl_write_vec(w, 1, s->id, s->id_len);
    cl_write_bytes(w, s->master, CL_SESSION_MASTER_LEN);
    cl_write_vec(w, 1, (const uint8_t *)s->server_name, sn_len);
    cl_write_u64(w, s->created);
    cl_write_u32(w, s->lifetime);
    cl_write_u16(w, (uint16_t)s->n_peer_chain);
    for (size_t i = 0; i < s->n_peer_chain; i++)
        cl_write_vec(w, 3, s->peer_chain[i].der, s->peer_chain[i].len);
}

int cl_session_encode(const cl_session *s, uint8_t **out, size_t *len, size_t *cap)
{
    *out = NULL;
    *len = *cap = 0;
    size_t sn_len = strnlen(s->server_name, sizeof(s->server_name)), size;
    CL_TRY(encoded_size(s, sn_len, &size));
    /* Sized exactly, so the buffer never grows and leaves no stray copy of the master. */
    cl_writer w;
    CL_TRY(cl_writer_growable(&w, size, size));
    write_session(&w, s, sn_len);
    int rc = cl_writer_take(&w, out, len, cap);
    if (rc != 0)
        cl_writer_free(&w);
    return rc;
}

static int read_magic_and_params(cl_reader *r, cl_session *s)
{
    const uint8_t *magic;
    CL_TRY(cl_read_bytes(r, CL_SESSION_MAGIC_LEN, &magic));
    CL_CHECK(memcmp(magic, CL_SESSION_MAGIC, CL_SESSION_MAGIC_LEN) == 0, CLASP_ERR_DECODE);
    CL_TRY(cl_read_u16(r, &s->version));
    CL_CHECK(s->version == CL_TLS12_VERSION, CLASP_ERR_DECODE);
    CL_TRY(cl_read_u16(r, &s->suite));
    CL_TRY(cl_read_u8(r, &s->ems));
    CL_CHECK(s->ems <= 1, CLASP_ERR_DECODE);
    return 0;
}

static int read_secrets(cl_reader *r, cl_session *s)
{
    cl_reader v;
    CL_TRY(cl_read_vec(r, 1, 0, CL_SESSION_ID_LEN, &v));
    s->id_len = (uint8_t)cl_reader_left(&v);
    CL_TRY(cl_read_copy(&v, s->id, s->id_len));
    CL_TRY(cl_read_copy(r, s->master, CL_SESSION_MASTER_LEN));
    /* The name comes back as a C string: an embedded NUL would silently shorten it. */
    CL_TRY(cl_read_vec8(r, &v));
    size_t n = cl_reader_left(&v);
    const uint8_t *name;
    CL_TRY(cl_read_bytes(&v, n, &name));
    CL_CHECK(n == 0 || memchr(name, 0, n) == NULL, CLASP_ERR_DECODE);
    if (n)
        memcpy(s->server_name, name, n);
    s->server_name[n] = '\0';
    CL_TRY(cl_read_u64(r, &s->created));
    return cl_read_u32(r, &s->lifetime);
}

static int read_chain(cl_reader *r, cl_session *s)
{
    uint16_t count;
    CL_TRY(cl_read_u16(r, &count));
    CL_CHECK(count <= CL_SESSION_MAX_CHAIN, CLASP_ERR_DECODE);
    CL_TRY(alloc_chain(s, count));
    for (size_t i = 0; i < count; i++) {
        cl_reader cert;
        const uint8_t *der;
        CL_TRY(cl_read_vec(r, 3, 1, CL_SESSION_MAX_CERT, &cert));
        size_t n = cl_reader_left(&cert);
        CL_TRY(cl_read_bytes(&cert, n, &der));
        CL_TRY(set_cert(&s->peer_chain[i], der, n));
    }
    return 0;
}

/* s is output only; on failure it is left cleared and owns nothing. */
int cl_session_decode(cl_session *s, const uint8_t *in, size_t len)
{
    memset(s, 0, sizeof(*s));
    cl_reader r;
    cl_reader_init(&r, in, len);
    int rc = read_magic_and_params(&r, s);
    if (rc == 0)
        rc = read_secrets(&r, s);
    if (rc == 0)
        rc = read_chain(&r, s);
    if (rc == 0)
        rc = cl_read_end(&r);
    if (rc != 0)
        cl_session_clear(s);
    return rc;
}
