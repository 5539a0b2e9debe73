/*
 * TLS 1.2 session tickets (RFC 5077) on both sides: the SessionTicket extension in the
 * hellos, resumption by ticket (3.4), and the NewSessionTicket message (3.3). The ticket
 * holds the session sealed under the server's ticket keys (hs/ticket.h); the extended
 * master secret flag travels in it and must match the new hello (RFC 7627 5.3).
 */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "hs/handlers.h"
#include "hs/resume.h"
#include "hs/ticket.h"
#include "hs/trace.h"

/* ---- servers ---- */

int cl_s12_tickets_on(const clasp_conn *c, const cl_client_hello *ch)
{
    const clasp_config *cfg = c->cfg;
    return cfg->tickets > 0 && !cfg->tickets_stateful && cfg->ticket_keys &&
           cl_exts_has(&ch->exts, CL_EXTI_SESSION_TICKET);
}

int cl_s12_open_ticket(clasp_conn *c, const cl_client_hello *ch, cl_session *s, const char **why)
{
    cl_reader ext = cl_exts_get(&ch->exts, CL_EXTI_SESSION_TICKET);
    size_t len = cl_reader_left(&ext);
    const uint8_t *t;
    memset(s, 0, sizeof(*s));
    CL_TRY(cl_read_bytes(&ext, len, &t));
    if (cl_ticket_open(c->cfg->ticket_keys, cl_now(c->cfg), t, len, s, why) != 0)
        return CLASP_ERR_STATE;
    /* RFC 7627 5.3: a session with EMS resumed by a hello without it MUST abort. */
    if (s->version == CL_TLS12_VERSION && s->ems && !c->hs->ems) {
        cl_session_clear(s);
        return cl_fail(c, CLASP_ERR_HANDSHAKE_FAILURE,
                       "the session used the extended master secret, this ClientHello does not");
    }
    *why = cl_s12_not_resumable(c, ch, s);
    if (*why) {
        cl_session_clear(s);
        return CLASP_ERR_STATE;
    }
    return 0;
}

/* The ticket: the session sealed under the active key; *len 0 when none can be made. */
static int seal_session(clasp_conn *c, uint8_t **t, size_t *len, uint32_t *lifetime)
{
    cl_session s;
    int rotated = 0;
    CL_TRY(cl_12_new_session(c, &s));
    uint64_t now = cl_now(c->cfg), age = now > s.created ? now - s.created : 0;
    if (cl_ticket_seal(c->cfg->ticket_keys, now, &s, t, len, &rotated) != 0)
        cl_trace_note(c, "ticket_not_issued", 1, "why",
                      "no ticket key is active, or the session is too large for a ticket");
    if (rotated)
        cl_trace_note(c, "ticket_keys_rotated", 1, "why",
                      "the active key had sealed for its whole period: a new one seals now");
    *lifetime = *len && age < s.lifetime ? s.lifetime - (uint32_t)age : 0;
    cl_session_clear(&s);
    return 0;
}

int cl_s12_send_ticket(clasp_conn *c)
{
    uint8_t *t = NULL;
    size_t len = 0;
    uint32_t hint = 0;
    CL_TRY(seal_session(c, &t, &len, &hint));
    /* RFC 5077 3.3: a ticket that cannot be made is withdrawn by an empty one. */
    cl_writer w;
    int rc = cl_writer_growable(&w, len + 16, len + 16);
    if (rc == 0) {
        cl_msg_open(&w, CL_HS_NEW_SESSION_TICKET);
        cl_write_u32(&w, hint);
        cl_write_vec(&w, 2, t, len);
        cl_msg_close(&w);
        rc = cl_hs_queue_writer(c, &w);
    }
    if (rc == 0 && len) {
        char life[32];
        snprintf(life, sizeof(life), "%u s", (unsigned)hint);
        cl_trace_note(c, "ticket_issued", 2, "lifetime", life, "holds",
                      "the session, sealed under the server's ticket key (RFC 5077)");
    }
    cl_free(t, len);
    return rc;
}

/* ---- clients ---- */

int cl_c12_server_ticket_ext(clasp_conn *c, cl_reader ext)
{
    /* RFC 5077 3.2: the server's SessionTicket extension is empty. */
    CL_TRY(cl_ext_empty(ext));
    c->hs->ticket_expected = 1;
    return 0;
}

int cl_c12_new_session_ticket(clasp_conn *c, const uint8_t *msg, size_t len)
{
    cl_hs *hs = c->hs;
    cl_new_session_ticket12 nst;
    CL_TRY(cl_new_session_ticket12_parse(msg + CL_HS_HEADER_LEN, len - CL_HS_HEADER_LEN, &nst));
    CL_TRY(cl_tr_add(&hs->tr, msg, len));
    /* 3.3: kept, but not trusted until the server's Finished verifies (cl_12_complete). */
    size_t n = cl_reader_left(&nst.ticket);
    cl_free(hs->ticket12, hs->ticket12_len);
    hs->ticket12 = n ? cl_memdup(nst.ticket.p, n) : NULL;
    CL_CHECK(hs->ticket12 || !n, CLASP_ERR_NOMEM);
    hs->ticket12_len = n;
    hs->ticket12_hint = nst.lifetime_hint;
    hs->new_ticket = 1;
    hs->state = CL_C12_WAIT_CCS;
    return 0;
}
