#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "hs/transcript.h"

/* The raw transcript holds the handshake messages: at most a few certificate chains. */
#define CL_TR_RAW_MAX (1u << 24)

void cl_tr_free(cl_transcript *t)
{
    cl_hash_ctx_free(t->h);
    cl_writer_free(&t->raw);
    memset(t, 0, sizeof(*t));
}

int cl_tr_add(cl_transcript *t, const uint8_t *msg, size_t len)
{
    if (!t->h || t->keep_raw)
        CL_TRY(cl_writer_append(&t->raw, msg, len, CL_TR_RAW_MAX));
    return t->h ? cl_hash_ctx_update(t->h, msg, len) : 0;
}

int cl_tr_set_hash(cl_transcript *t, cl_hash_alg alg)
{
    if (t->h)
        return cl_hash_ctx_alg(t->h) == alg ? 0 : CLASP_ERR_INTERNAL;
    CL_TRY(cl_hash_ctx_new(&t->h, alg));
    int rc = cl_hash_ctx_update(t->h, t->raw.buf, t->raw.len);
    if (!t->keep_raw)
        cl_tr_drop_raw(t);
    return rc;
}

int cl_tr_has_hash(const cl_transcript *t)
{
    return t->h != NULL;
}

int cl_tr_hash(cl_transcript *t, uint8_t *out)
{
    CL_CHECK(t->h, CLASP_ERR_INTERNAL);
    return cl_hash_ctx_snapshot(t->h, out);
}

int cl_tr_hash_extra(cl_transcript *t, cl_hash_alg alg, const uint8_t *extra, size_t len,
                     uint8_t *out)
{
    cl_hash_ctx *h;
    CL_CHECK(!t->h || cl_hash_ctx_alg(t->h) == alg, CLASP_ERR_INTERNAL);
    CL_TRY(t->h ? cl_hash_ctx_dup(t->h, &h) : cl_hash_ctx_new(&h, alg));
    int rc = t->h || !t->raw.len ? 0 : cl_hash_ctx_update(h, t->raw.buf, t->raw.len);
    if (rc == 0)
        rc = cl_hash_ctx_update(h, extra, len);
    if (rc == 0)
        rc = cl_hash_ctx_snapshot(h, out);
    cl_hash_ctx_free(h);
    return rc;
}

int cl_tr_replace_with_message_hash(cl_transcript *t)
{
    CL_CHECK(t->h, CLASP_ERR_INTERNAL);
    cl_hash_alg alg = cl_hash_ctx_alg(t->h);
    uint8_t msg[4 + CL_MAX_HASH_LEN] = {254, 0, 0, (uint8_t)cl_hash_len(alg)};
    CL_TRY(cl_hash_ctx_snapshot(t->h, msg + 4));
    cl_hash_ctx_free(t->h);
    t->h = NULL;
    CL_TRY(cl_hash_ctx_new(&t->h, alg));
    return cl_hash_ctx_update(t->h, msg, 4 + cl_hash_len(alg));
}

void cl_tr_keep_raw(cl_transcript *t)
{
    t->keep_raw = 1;
}

const uint8_t *cl_tr_raw(const cl_transcript *t, size_t *len)
{
    *len = t->raw.len;
    return t->raw.buf;
}

void cl_tr_drop_raw(cl_transcript *t)
{
    cl_writer_free(&t->raw);
    t->keep_raw = 0;
}
