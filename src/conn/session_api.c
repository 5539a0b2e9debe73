/* The public session, ticket and ticket-key API (include/clasp/session.h). */
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "base/mem.h"
#include "hs/resume.h"
#include "hs/stek.h"

/* ---- handles ---- */

/* A TLS 1.3 ticket a connection may still offer: not offered before, not dropped. */
static int offerable(const clasp_session *h)
{
    return !atomic_load(&h->dropped) &&
           !(h->s.version == CL_TLS13_VERSION && atomic_load(&h->used));
}

clasp_session *clasp_conn_get_session(clasp_conn *c)
{
    if (!c || c->role != CLASP_CLIENT || !c->handshake_done || c->err)
        return NULL;
    for (size_t i = c->n_tickets; i-- > 0;)
        if (offerable(c->tickets[i]))
            return cl_session_ref(c->tickets[i]);
    if (c->version == CL_TLS12_VERSION && c->session)
        return cl_session_ref(c->session);
    return NULL;
}

int clasp_conn_set_session(clasp_conn *c, clasp_session *s)
{
    CL_CHECK(c && s, CLASP_ERR_INVALID_ARG);
    CL_CHECK(c->role == CLASP_CLIENT && !c->started && c->hs, CLASP_ERR_STATE);
    cl_session_unref(c->hs->offer);
    c->hs->offer = cl_session_ref(s);
    return 0;
}

clasp_session *clasp_session_up_ref(clasp_session *s)
{
    return cl_session_ref(s);
}

void clasp_session_free(clasp_session *s)
{
    cl_session_unref(s);
}

uint16_t clasp_session_version(const clasp_session *s)
{
    return s ? s->s.version : 0;
}

uint64_t clasp_session_expiry(const clasp_session *s)
{
    if (!s)
        return 0;
    uint64_t created = s->s.created;
    return created > UINT64_MAX - s->s.lifetime ? UINT64_MAX : created + s->s.lifetime;
}

int clasp_session_is_resumable(const clasp_session *s)
{
    if (!s || !offerable(s))
        return 0;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (!cl_session_valid(&s->s, (uint64_t)ts.tv_sec))
        return 0;
    return s->s.version == CL_TLS13_VERSION ? s->s.ticket_len > 0
                                            : s->s.id_len > 0 || s->s.ticket_len > 0;
}

int clasp_session_export(const clasp_session *s, uint8_t *buf, size_t cap, size_t *len)
{
    CL_CHECK(s && len, CLASP_ERR_INVALID_ARG);
    *len = 0;
    uint8_t *enc;
    size_t n, enc_cap;
    CL_TRY(cl_session_encode(&s->s, &enc, &n, &enc_cap));
    *len = n;
    int rc = buf && n <= cap ? 0 : CLASP_ERR_BUFFER_TOO_SMALL;
    if (rc == 0)
        memcpy(buf, enc, n);
    cl_free_secret(enc, enc_cap);
    return rc;
}

int clasp_session_import(const uint8_t *buf, size_t len, clasp_session **out)
{
    CL_CHECK(buf && out, CLASP_ERR_INVALID_ARG);
    *out = NULL;
    cl_session s;
    CL_TRY(cl_session_decode(&s, buf, len));
    *out = cl_session_handle(&s);
    return *out ? 0 : CLASP_ERR_NOMEM;
}

/* ---- ticket keys ---- */

clasp_ticket_keys *clasp_ticket_keys_new(unsigned rotate_seconds, unsigned keep)
{
    clasp_ticket_keys *tk = NULL;
    if (cl_crypto_init() != 0 || cl_ticket_keys_new(&tk, rotate_seconds, keep) != 0)
        return NULL;
    return tk;
}

clasp_ticket_keys *clasp_ticket_keys_up_ref(clasp_ticket_keys *tk)
{
    if (tk)
        atomic_fetch_add(&tk->refs, 1);
    return tk;
}

void clasp_ticket_keys_free(clasp_ticket_keys *tk)
{
    cl_ticket_keys_unref(tk);
}

int clasp_ticket_keys_set(clasp_ticket_keys *tk, const clasp_ticket_key *keys, size_t n)
{
    return cl_ticket_keys_set(tk, keys, n);
}

int clasp_ticket_keys_load_file(clasp_ticket_keys *tk, const char *path)
{
    return cl_ticket_keys_load_file(tk, path);
}

int clasp_ticket_keys_parse(const char *text, size_t len, clasp_ticket_key *keys, size_t cap,
                            size_t *n)
{
    return cl_ticket_keys_parse(text, len, keys, cap, n);
}

int clasp_ticket_keys_format(const clasp_ticket_key *keys, size_t n, char *buf, size_t cap,
                             size_t *len)
{
    return cl_ticket_keys_format(keys, n, buf, cap, len);
}

int clasp_ticket_key_ring_rotate(clasp_ticket_key *ring, size_t *n, size_t cap, uint64_t now,
                                 unsigned period, unsigned announce, unsigned keep)
{
    CL_CHECK(cl_crypto_init() == 0, CLASP_ERR_INTERNAL);
    return cl_ticket_ring_rotate(ring, n, cap, now, period, announce, keep);
}
