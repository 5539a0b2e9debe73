/* Resumption shared by both versions and roles (see resume.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/err.h"
#include "base/mem.h"
#include "hs/handlers.h"
#include "hs/resume.h"
#include "hs/trace.h"

/* An external store's session: a session encoding with a leaf certificate fits easily. */
#define STORE_BUF 16384

uint64_t cl_now_ms(const clasp_config *cfg)
{
    if (cfg->clock_ms)
        return cfg->clock_ms(cfg->clock_arg);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t cl_now(const clasp_config *cfg)
{
    return cl_now_ms(cfg) / 1000;
}

/* ---- binding ---- */

int cl_sid_ctx(const clasp_config *cfg, uint8_t out[CL_SESSION_CTX_LEN])
{
    uint8_t buf[16 + 32 + 1 + 32];
    cl_writer w;
    cl_writer_fixed(&w, buf, sizeof(buf));
    cl_write_bytes(&w, (const uint8_t *)"clasp sid_ctx", 13);
    cl_write_bytes(&w, cfg->identity, sizeof(cfg->identity));
    cl_write_u8(&w, (uint8_t)cfg->verify);
    if (cfg->verify != CLASP_VERIFY_NONE) /* the anchors client certificates must lead to */
        cl_write_bytes(&w, cfg->trust_id, sizeof(cfg->trust_id));
    CL_TRY(cl_writer_finish(&w));
    return cl_hash(CL_HASH_SHA256, buf, w.len, out);
}

int cl_verify_id(const clasp_conn *c, uint8_t out[CL_SESSION_CTX_LEN])
{
    const clasp_config *cfg = c->cfg;
    uint8_t buf[16 + 32 + 2 * CL_MAX_SCHEMES + 2 + 256];
    const char *name = c->server_name ? c->server_name : "";
    cl_writer w;
    cl_writer_fixed(&w, buf, sizeof(buf));
    cl_write_bytes(&w, (const uint8_t *)"clasp verify_id", 15);
    cl_write_bytes(&w, cfg->trust_id, sizeof(cfg->trust_id));
    cl_write_open(&w, 1);
    for (size_t i = 0; i < cfg->n_schemes; i++)
        cl_write_u16(&w, cfg->schemes[i]);
    cl_write_close(&w);
    for (size_t i = 0; name[i]; i++) /* DNS names compare without case (RFC 4343) */
        cl_write_u8(&w, (uint8_t)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]));
    CL_TRY(cl_writer_finish(&w));
    return cl_hash(CL_HASH_SHA256, buf, w.len, out);
}

int cl_same_name(const char *a, const char *b)
{
    return strcasecmp(a ? a : "", b ? b : "") == 0;
}

/* A configured suite of this version with the session suite's hash (TLS 1.3: 4.6.1). */
static int suite_usable(const clasp_config *cfg, const cl_session *s)
{
    const cl_suite *ss = cl_suite_find(s->suite);
    for (size_t i = 0; ss && i < cfg->n_suites; i++) {
        const cl_suite *t = cl_suite_find(cfg->suites[i]);
        if (t && t->version == s->version &&
            (s->version == CL_TLS13_VERSION ? t->hash == ss->hash : t->id == ss->id))
            return 1;
    }
    return 0;
}

const char *cl_c_cannot_offer(const clasp_conn *c, const cl_session *s)
{
    const clasp_config *cfg = c->cfg;
    uint8_t id[CL_SESSION_CTX_LEN];
    if (s->version < cfg->min_version || s->version > cfg->max_version)
        return "the session's version is not enabled";
    if (!suite_usable(cfg, s))
        return "no cipher suite enabled fits the session's";
    if (!cl_same_name(s->server_name, c->server_name))
        return "the session was made for another server name";
    if (cl_verify_id(c, id) != 0 || memcmp(id, s->verify_id, sizeof(id)) != 0)
        return "the session's server was verified with other trust anchors or settings";
    if (!cl_session_valid(s, cl_now(cfg)))
        return "the session has expired";
    /* A server's own session (an imported stateful-ticket entry) has no ticket to show. */
    if (!s->ticket_len && (s->version == CL_TLS13_VERSION || !s->id_len))
        return "the session has no ticket (nor, TLS 1.2, a session ID)";
    return NULL;
}

const char *cl_s_cannot_resume(const clasp_conn *c, const cl_session *s, uint16_t version)
{
    uint8_t ctx[CL_SESSION_CTX_LEN];
    if (s->version != version)
        return version == CL_TLS13_VERSION ? "the session is not TLS 1.3"
                                           : "the session is not TLS 1.2";
    /* The context is not secret (it names a configuration): memcmp may exit early. */
    if (cl_sid_ctx(c->cfg, ctx) != 0 || memcmp(ctx, s->sid_ctx, sizeof(ctx)) != 0)
        return "the session was made under another configuration (identity or client "
               "certificate policy)";
    if (!cl_session_valid(s, cl_now(c->cfg)))
        return "the session has expired";
    if (!cl_same_name(s->server_name, c->server_name))
        return "the session was for another server name";
    return NULL;
}

/* ---- the server's storage ---- */

int cl_s_store_put(clasp_conn *c, const cl_session *s)
{
    const clasp_config *cfg = c->cfg;
    if (!cfg->store.put)
        return cl_session_cache_put((cl_session_cache *)&cfg->cache, s);
    uint8_t *buf;
    size_t len, cap;
    CL_TRY(cl_session_encode(s, &buf, &len, &cap));
    cfg->store.put(cfg->store.arg, s->id, s->id_len, buf, len);
    cl_free_secret(buf, cap);
    return 0;
}

/*
 * A stateful ticket is taken from the application's store: by its take, atomic, when it has
 * one (only the connection whose take removed the entry resumes, RFC 8446 8.1's single use
 * across a fleet), else read and then removed, where two connections presenting the same
 * ticket at the same instant could both read it first.
 */
static int store_get(clasp_conn *c, const uint8_t *id, size_t id_len, int take, cl_session *out)
{
    const clasp_config *cfg = c->cfg;
    const clasp_session_store *st = &cfg->store;
    int atomic_take = take && st->take;
    uint8_t *buf = cl_alloc(STORE_BUF);
    size_t n = 0;
    int rc = CLASP_ERR_STATE;
    memset(out, 0, sizeof(*out));
    if (buf && (atomic_take ? st->take : st->get)(st->arg, id, id_len, buf, STORE_BUF, &n) == 0 &&
        n <= STORE_BUF) {
        rc = cl_session_decode(out, buf, n) == 0 && cl_session_valid(out, cl_now(cfg))
                 ? 0
                 : CLASP_ERR_STATE;
        if ((rc || take) && !atomic_take) /* unusable, or used: forget it */
            st->remove(st->arg, id, id_len);
        if (rc)
            cl_session_clear(out);
    }
    cl_free_secret(buf, STORE_BUF);
    return rc;
}

int cl_s_store_get(clasp_conn *c, const uint8_t *id, size_t id_len, int take, cl_session *out)
{
    const clasp_config *cfg = c->cfg;
    cl_session_cache *cache = (cl_session_cache *)&cfg->cache;
    if (cfg->store.get)
        return store_get(c, id, id_len, take, out);
    if (take)
        return cl_session_cache_take(cache, id, id_len, cl_now(cfg), out);
    return cl_session_cache_get(cache, id, id_len, cl_now(cfg), out);
}

void cl_s_store_remove(clasp_conn *c, const uint8_t *id, size_t id_len)
{
    const clasp_config *cfg = c->cfg;
    if (cfg->store.remove)
        cfg->store.remove(cfg->store.arg, id, id_len);
    else
        cl_session_cache_remove((cl_session_cache *)&cfg->cache, id, id_len);
}

/* ---- clients ---- */

int cl_c_new_session(clasp_conn *c, cl_session *s)
{
    clasp_session *h = cl_session_handle(s);
    CL_CHECK(h, CLASP_ERR_NOMEM);
    if (h->s.version == CL_TLS13_VERSION) {
        if (c->n_tickets == CL_KEPT_TICKETS) { /* the oldest goes */
            cl_session_unref(c->tickets[0]);
            memmove(c->tickets, c->tickets + 1, (CL_KEPT_TICKETS - 1) * sizeof(c->tickets[0]));
            c->n_tickets--;
        }
        c->tickets[c->n_tickets++] = h;
    } else {
        cl_session_unref(c->session);
        c->session = h;
    }
    if (c->cfg->session_cb)
        c->cfg->session_cb(c, cl_session_ref(h), c->cfg->session_arg);
    return 0;
}

/* ---- after a fatal alert ---- */

static void mark(clasp_session *h)
{
    if (h)
        atomic_store(&h->dropped, 1);
}

void cl_drop_sessions(clasp_conn *c)
{
    if (c->dropped)
        return;
    c->dropped = 1;
    const cl_hs *hs = c->hs;
    if (c->role == CLASP_CLIENT) {
        mark(c->session);
        for (size_t i = 0; i < c->n_tickets; i++)
            mark(c->tickets[i]);
        if (hs && hs->resumed)
            mark(hs->offer);
        return;
    }
    size_t n = c->n_issued;
    if (c->session && c->session->s.id_len && ++n)
        cl_s_store_remove(c, c->session->s.id, c->session->s.id_len);
    if (hs && hs->session && hs->session->id_len && ++n)
        cl_s_store_remove(c, hs->session->id, hs->session->id_len);
    for (size_t i = 0; i < c->n_issued; i++)
        cl_s_store_remove(c, c->issued[i], CL_SESSION_ID_LEN);
    if (n)
        cl_trace_note(c, "session_dropped", 1, "why",
                      "the connection ended with a fatal alert: its sessions are not resumed "
                      "(RFC 5246 7.2)");
}
