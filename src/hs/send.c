/*
 * Outgoing handshake messages gather into one flight and are framed into records together
 * (EncryptedExtensions through Finished fit one record, as in RFC 8448), flushed whenever
 * the write keys are about to change and when a handler is done.
 */
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "hs/handlers.h"
#include "hs/trace.h"

/* A flight is a handful of messages: certificate chains are the largest part. */
#define CL_FLIGHT_MAX (1u << 24)

static int queue_message(clasp_conn *c, const uint8_t *msg, size_t len)
{
    CL_TRY(cl_tr_add(&c->hs->tr, msg, len));
    cl_trace_message(c, 1, msg, len);
    return cl_writer_append(&c->hs->out, msg, len, CL_FLIGHT_MAX);
}

int cl_hs_queue(clasp_conn *c, const uint8_t *msg, size_t len)
{
    CL_CHECK(c->hs, CLASP_ERR_INTERNAL);
    if (!c->test_hook)
        return queue_message(c, msg, len);
    cl_writer w;
    CL_TRY(cl_writer_growable(&w, 0, 1 << 24));
    int rc = c->test_hook(c->test_hook_arg, c, msg, len, &w);
    if (rc == 0)
        rc = w.len ? queue_message(c, w.buf, w.len) : queue_message(c, msg, len);
    else if (rc == 1)
        rc = 0; /* dropped */
    cl_writer_free(&w);
    return rc;
}

int cl_hs_queue_writer(clasp_conn *c, cl_writer *w)
{
    int rc = cl_writer_finish(w);
    if (rc == 0)
        rc = cl_hs_queue(c, w->buf, w->len);
    cl_writer_free(w);
    return rc;
}

int cl_hs_flush(clasp_conn *c)
{
    cl_hs *hs = c->hs;
    if (!hs || hs->out.len == 0)
        return 0;
    int rc = cl_rl_write(&c->rl, CL_CT_HANDSHAKE, hs->out.buf, hs->out.len);
    hs->out.len = 0;
    return rc;
}

int cl_send_alert(clasp_conn *c, int description)
{
    uint8_t alert[2] = {2, (uint8_t)description}; /* fatal; close_notify is a warning */
    if (description == CLASP_ALERT_CLOSE_NOTIFY)
        alert[0] = 1;
    /* A flight cut short by an error is never sent: only the alert goes out. */
    if (c->hs)
        c->hs->out.len = 0;
    c->alert_sent = description;
    cl_trace_alert(c, 1, alert[0], alert[1]);
    return cl_rl_write(&c->rl, CL_CT_ALERT, alert, sizeof(alert));
}

int cl_send_compat_ccs(clasp_conn *c)
{
    static const uint8_t ccs = 1;
    CL_TRY(cl_hs_flush(c));
    c->hs->compat_ccs_sent = 1;
    cl_trace_ccs(c, 1);
    return cl_rl_write(&c->rl, CL_CT_CHANGE_CIPHER_SPEC, &ccs, 1);
}
