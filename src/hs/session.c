/*
 * Sessions of both versions: lifetime of one session, its serialisation, and the handles
 * the public API gives out (the server's cache is session_cache.c).
 *
 * Encoding (all integers big-endian, vectors with their length prefix):
 *   "CLSE" | format u8 (1) | version u16 | suite u16 | flags u8 | id<0..32>
 *   | secret<0..48> | server_name<0..255> (no NUL) | created u64 | lifetime u32
 *   | issued_ms u64 | age_add u32 | sid_ctx[32] | verify_id[32] | ticket<0..2^16-1>
 *   | count u16 (<= 16) | count x certificate<1..2^24-1>
 * flags: bit 0 the extended master secret, bit 1 encrypt-then-MAC (a CBC suite's only).
 * The version decides what must hold: TLS 1.2 has a 48-byte master secret and a TLS 1.2
 * suite; TLS 1.3 a TLS 1.3 suite, a secret of its hash's length, no flags, a lifetime of
 * at most seven days. A later format gets another format byte (and a new magic when the
 * layout changes altogether); the decoder refuses what it does not know.
 */
#include <string.h>

#include "base/bytes.h"
#include "base/err.h"
#include "base/mem.h"
#include "hs/params.h"
#include "hs/session.h"
#include "record/protect.h"

#define CL_SESSION_MAGIC     "CLSE"
#define CL_SESSION_MAGIC_LEN 4
#define CL_SESSION_FORMAT    1
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
    cl_free(s->ticket, s->ticket_len);
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

int cl_session_set_chain(cl_session *s, const cl_cert_der *chain, size_t n)
{
    free_chain(s->peer_chain, s->n_peer_chain);
    s->peer_chain = NULL;
    s->n_peer_chain = 0;
    CL_TRY(alloc_chain(s, n));
    for (size_t i = 0; i < n; i++)
        CL_TRY(set_cert(&s->peer_chain[i], chain[i].der, chain[i].len));
    return 0;
}

int cl_session_set_ticket(cl_session *s, const uint8_t *t, size_t len)
{
    cl_free(s->ticket, s->ticket_len);
    s->ticket = NULL;
    s->ticket_len = 0;
    if (len == 0)
        return 0;
    s->ticket = cl_memdup(t, len);
    CL_CHECK(s->ticket, CLASP_ERR_NOMEM);
    s->ticket_len = len;
    return 0;
}

/* dst is output only: whatever it held is overwritten, not freed. */
int cl_session_copy(cl_session *dst, const cl_session *src)
{
    *dst = *src;
    dst->peer_chain = NULL;
    dst->n_peer_chain = 0;
    dst->ticket = NULL;
    dst->ticket_len = 0;
    int rc = cl_session_set_chain(dst, src->peer_chain, src->n_peer_chain);
    if (rc == 0)
        rc = cl_session_set_ticket(dst, src->ticket, src->ticket_len);
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

/* ---- handles ---- */

clasp_session *cl_session_handle(cl_session *s)
{
    clasp_session *h = cl_calloc(1, sizeof(*h));
    if (!h) {
        cl_session_clear(s);
        return NULL;
    }
    atomic_init(&h->refs, 1);
    atomic_init(&h->used, 0);
    atomic_init(&h->dropped, 0);
    h->s = *s; /* takes over the chain and the ticket */
    cl_wipe(s, sizeof(*s));
    return h;
}

clasp_session *cl_session_handle_copy(const cl_session *s)
{
    cl_session copy;
    if (cl_session_copy(&copy, s) != 0)
        return NULL;
    return cl_session_handle(&copy);
}

clasp_session *cl_session_ref(clasp_session *h)
{
    if (h)
        atomic_fetch_add(&h->refs, 1);
    return h;
}

void cl_session_unref(clasp_session *h)
{
    if (!h || atomic_fetch_sub(&h->refs, 1) != 1)
        return;
    cl_session_clear(&h->s);
    cl_free_secret(h, sizeof(*h));
}

/* ---- serialisation ---- */

/* Whether the version, suite, secret and flags belong together (see the layout above). */
static int consistent(const cl_session *s)
{
    const cl_suite *suite = cl_suite_find(s->suite);
    if (!suite || suite->version != s->version || s->ems > 1 || s->etm > suite->cbc)
        return 0;
    if (s->version == CL_TLS12_VERSION)
        return s->master_len == CL_SESSION_MASTER_LEN;
    return s->version == CL_TLS13_VERSION && s->ems == 0 &&
           s->master_len == cl_hash_len(suite->hash) && s->lifetime <= CL_TICKET13_MAX_LIFETIME;
}

/*
 * What the encoder refuses is exactly what the decoder would: a session that encodes always
 * decodes back to itself. Sets *size to the exact encoding length.
 */
static int encoded_size(const cl_session *s, size_t sn_len, size_t *size)
{
    CL_CHECK(consistent(s) && s->id_len <= CL_SESSION_ID_LEN, CLASP_ERR_INVALID_ARG);
    CL_CHECK(sn_len < sizeof(s->server_name), CLASP_ERR_INVALID_ARG);
    CL_CHECK(s->n_peer_chain <= CL_SESSION_MAX_CHAIN, CLASP_ERR_INVALID_ARG);
    CL_CHECK(s->ticket_len <= CL_SESSION_MAX_TICKET && (s->ticket || !s->ticket_len),
             CLASP_ERR_INVALID_ARG);
    size_t n = CL_SESSION_MAGIC_LEN + 1 + 2 + 2 + 1 + 1 + s->id_len + 1 + s->master_len + 1 +
               sn_len + 8 + 4 + 8 + 4 + 2 * CL_SESSION_CTX_LEN + 2 + s->ticket_len + 2;
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
    cl_write_u8(w, CL_SESSION_FORMAT);
    cl_write_u16(w, s->version);
    cl_write_u16(w, s->suite);
    cl_write_u8(w, (uint8_t)(s->ems | s->etm << 1));
    cl_write_vec(w, 1, s->id, s->id_len);
    cl_write_vec(w, 1, s->master, s->master_len);
    cl_write_vec(w, 1, (const uint8_t *)s->server_name, sn_len);
    cl_write_u64(w, s->created);
    cl_write_u32(w, s->lifetime);
    cl_write_u64(w, s->issued_ms);
    cl_write_u32(w, s->age_add);
    cl_write_bytes(w, s->sid_ctx, CL_SESSION_CTX_LEN);
    cl_write_bytes(w, s->verify_id, CL_SESSION_CTX_LEN);
    cl_write_vec(w, 2, s->ticket, s->ticket_len);
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
    /* Sized exactly, so the buffer never grows and leaves no stray copy of the secret. */
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
    uint8_t format;
    CL_TRY(cl_read_bytes(r, CL_SESSION_MAGIC_LEN, &magic));
    CL_CHECK(memcmp(magic, CL_SESSION_MAGIC, CL_SESSION_MAGIC_LEN) == 0, CLASP_ERR_DECODE);
    CL_TRY(cl_read_u8(r, &format));
    CL_CHECK(format == CL_SESSION_FORMAT, CLASP_ERR_DECODE);
    CL_TRY(cl_read_u16(r, &s->version));
    CL_TRY(cl_read_u16(r, &s->suite));
    uint8_t flags;
    CL_TRY(cl_read_u8(r, &flags));
    CL_CHECK(flags <= 3, CLASP_ERR_DECODE); /* consistent() judges the rest */
    s->ems = flags & 1;
    s->etm = flags >> 1;
    return 0;
}

/* A vector of at most cap bytes copied into dst; *n is its length. */
static int read_small_vec(cl_reader *r, size_t cap, uint8_t *dst, uint8_t *n)
{
    cl_reader v;
    CL_TRY(cl_read_vec(r, 1, 0, cap, &v));
    *n = (uint8_t)cl_reader_left(&v);
    return cl_read_copy(&v, dst, *n);
}

static int read_name(cl_reader *r, cl_session *s)
{
    /* The name comes back as a C string: an embedded NUL would silently shorten it. */
    cl_reader v;
    CL_TRY(cl_read_vec8(r, &v));
    size_t n = cl_reader_left(&v);
    const uint8_t *name;
    CL_TRY(cl_read_bytes(&v, n, &name));
    CL_CHECK(n == 0 || memchr(name, 0, n) == NULL, CLASP_ERR_DECODE);
    if (n)
        memcpy(s->server_name, name, n);
    s->server_name[n] = '\0';
    return 0;
}

static int read_secrets(cl_reader *r, cl_session *s)
{
    CL_TRY(read_small_vec(r, CL_SESSION_ID_LEN, s->id, &s->id_len));
    CL_TRY(read_small_vec(r, CL_SESSION_MASTER_LEN, s->master, &s->master_len));
    CL_TRY(read_name(r, s));
    CL_TRY(cl_read_u64(r, &s->created));
    CL_TRY(cl_read_u32(r, &s->lifetime));
    CL_TRY(cl_read_u64(r, &s->issued_ms));
    CL_TRY(cl_read_u32(r, &s->age_add));
    CL_TRY(cl_read_copy(r, s->sid_ctx, CL_SESSION_CTX_LEN));
    CL_TRY(cl_read_copy(r, s->verify_id, CL_SESSION_CTX_LEN));
    cl_reader t;
    const uint8_t *ticket;
    CL_TRY(cl_read_vec16(r, &t));
    size_t n = cl_reader_left(&t);
    CL_TRY(cl_read_bytes(&t, n, &ticket));
    return cl_session_set_ticket(s, ticket, n);
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
    if (rc == 0 && !consistent(s))
        rc = CLASP_ERR_DECODE;
    if (rc != 0)
        cl_session_clear(s);
    return rc;
}
